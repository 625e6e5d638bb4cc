"""Crisis and emergency detection: word-boundary regex lexicons with idiom masking and negation.

``CrisisDetector.assess(text) -> CrisisAssessment`` and ``crisis_response(assessment)``.
Everything is precompiled at import; one assessment is a few dozen regex scans (~0.1 ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from safety.crisis_replies import crisis_response  # noqa: F401 (part of this module's API)
from safety.crisis_features import told_as_over
from safety.crisis_text import detect_lang, fold, join_turns, mask_idioms, model_text
from safety.crisis_cues import (CURRENT_RE, FEELS_FINE_RE, FICTION_RE, HISTORY_RE, IMMINENT_RE, NEG_RE, NOTHING_HAPPENED_RE,
                                RESULTS_BACK_RE, WRITER_THREATENS)
from safety.crisis_rules import (  # noqa: F401 (Severity and the categories are part of this module's API)
    ABUSE, EXPLICIT, NEVER_VETOED, RULES, CATEGORIES, DISTRESS, MEDICAL, POISONING, SUICIDE, VIOLENCE, Severity, Rule)


@dataclass
class CrisisAssessment:
    severity: Optional[Severity] = None
    category: Optional[str] = None
    matched: List[str] = field(default_factory=list)  # rule names, never the user's words
    lang: str = "en"
    categories: List[str] = field(default_factory=list)
    silenced: List[str] = field(default_factory=list)  # rules a negation or past-tense cue silenced; "idiom"

    @property
    def is_crisis(self) -> bool:
        return self.severity is not None


_WORD = re.compile(r"[^\W\d_]{2,}")            # two letters in a row: something to read


if TYPE_CHECKING:
    from safety.crisis_model import CrisisModel, Prediction, Thresholds

WINDOW_TURNS = 2        # earlier patient messages read with the current one

_CAT_PRIORITY = {MEDICAL: 5, POISONING: 5, SUICIDE: 4, ABUSE: 3, VIOLENCE: 3, DISTRESS: 1}


def explicit(by_rules: CrisisAssessment) -> bool:
    """An explicit phrase (`crisis_rules.EXPLICIT`: "I'm going to kill myself tonight", "he has a
    gun", "she's not breathing"): the rules' word stands unless the classifier is all but certain."""
    return any(name in EXPLICIT for name in by_rules.matched)


# A body in trouble told with a cue of the past, an end or a topic ("had chest pain back in March,
# cardiology cleared me", "blood everywhere lol, already stopped bleeding", "we covered anaphylaxis in my
# first aid course"): where the medical rules' own reading of the past misses it, a classifier this sure
# drops the hit. Out of fold on the labelled sets (session 13) it dropped 52 false alarms and no crisis;
# it reads medical rules only: at 0.05 it would have dropped a household's carbon monoxide (a poisoning).
# 0.05 since session 14 (the head retrained with batches 27-29 and train_brief9-12): out of fold 63 false alarms
# dropped and no crisis; at 0.08 a wasp sting with hives and a faint coming (0.067) would be lost.
# 0.1 since session 15, when minutes ago and "since" stopped counting as the past (`told_as_over`), which had
# put that wasp sting here: out of fold (head retrained with 30-41 and train_brief13-16) no crisis told as over
# scores under 0.11 and 4 false alarms more are dropped; at 0.15 two crises would be (a clot after surgery, an
# open fracture).
TOLD_AS_OVER_VETO = 0.1
_MEDICAL_RULES = frozenset(rule.name for rule in RULES if rule.category == MEDICAL)


def veto_for(by_rules: CrisisAssessment, th: "Thresholds", masked: str = "") -> float:
    """Under this classifier score a rule's hit is dropped: a trigger word alone ("suicide" in "my
    character attempts suicide in the play") needs the classifier's agreement more than an explicit
    phrase does, and a body in trouble (`NEVER_VETOED`) is kept unless told as over (`TOLD_AS_OVER_VETO`)."""
    never = [name for name in by_rules.matched if name in NEVER_VETOED]
    if never:
        return TOLD_AS_OVER_VETO if set(never) <= _MEDICAL_RULES and told_as_over(masked) else 0.0
    if explicit(by_rules) or th.veto_weak is None:
        return th.veto
    return max(th.veto, th.veto_weak)


SURE_OF_KIND = 0.9      # a classifier this sure of a crisis names its kind over a body-state rule's


def kind_by_model(by_rules: CrisisAssessment, pred: "Prediction", category: str) -> bool:
    """Both fired, and disagree on the kind: the rules rank kinds by a fixed priority, the classifier
    reads the whole message. A rule's keyword says what the body is doing ("passed out", "won't stop
    bleeding", "my chest burns"), not why: choked by a partner is abuse, fumes from bleach and
    ammonia a poisoning, cutting that bleeds self-harm. The classifier's kind leads when the rules
    found evidence of that kind too, or when the rules saw only a body in trouble and the classifier,
    sure of a crisis, sees no medical emergency at all. The severity stays the rules' (911 first when
    CRITICAL), and the other kinds keep their lines."""
    if category in (by_rules.category, DISTRESS):
        return False
    if category in by_rules.categories:
        return True
    return (set(by_rules.categories) <= {MEDICAL, DISTRESS} and MEDICAL not in pred.also
            and pred.crisis >= SURE_OF_KIND)


def reassured(masked: str, category: str) -> bool:
    """The message (folded, idioms masked) says nothing happened, or (bar a poisoning) that all is well
    now: "it's 110 now and I feel normal", "she didn't eat any". Read only where the classifier alone
    would fire."""
    return bool(NOTHING_HAPPENED_RE.search(masked) or (category != POISONING and FEELS_FINE_RE.search(masked)))


_IN_THE_STORY = re.compile(r"\b(?:character|scene|protagonist|villain|personaje)s?\b")


def set_aside(by_rules: CrisisAssessment, masked: str) -> str | None:
    """Why a message is no crisis whatever its trigger words, or ``None``: a story being written
    ("fiction"; an explicit phrase still stands), or a poisoning that did not happen ("she didn't eat
    any", "haven't mixed anything yet"; a poisoning rule's only). Either also keeps the classifier quiet."""
    bodily = set(by_rules.categories) <= {MEDICAL, POISONING}     # a body in trouble or a poisoning
    if explicit(by_rules) and not bodily:
        return None
    # a body in a story is set aside as well when the story's character or scene has it ("a scene where a
    # character goes into anaphylactic shock", "una novela donde un personaje muere envenenado"), not the
    # writer's family ("writing a story and my mom just collapsed")
    if FICTION_RE.search(masked) and (not explicit(by_rules) or bodily and _IN_THE_STORY.search(masked)
                                      and not CURRENT_RE.search(masked)):
        return "fiction"
    if set(by_rules.categories) <= {POISONING} and NOTHING_HAPPENED_RE.search(masked):
        return "nothing_happened"
    return None


THREAT_READ_AS = (ABUSE, SUICIDE, POISONING)


def threat_named(found: CrisisAssessment, masked: str) -> CrisisAssessment:
    """A crisis in which the writer threatens someone else is violence, leading its lines (911): the
    rules' priority and the classifier read a writer's threat as abuse, self-harm or poisoning in a
    third of the violence of sealed batches 13-15 ("my ex is dating my best friend, gonna pay them both
    a visit tonight"). What the message also reads as keeps its lines; the severity is unchanged."""
    if not found.is_crisis or found.category not in THREAT_READ_AS or not WRITER_THREATENS.search(masked):
        return found
    found.categories = [VIOLENCE, *(c for c in found.categories if c != VIOLENCE)]
    found.category = VIOLENCE
    return found


class CrisisDetector:
    """Rules for explicit phrases and per-sentence cues (negation, past vs now), the embedding
    classifier (`crisis_model.py`) for paraphrase. A rule's hit stands (the classifier may make it
    more urgent) unless the classifier is sure the message is not a crisis (below its `veto`, chosen
    out of fold so that it drops almost none of the crises the rules catch); with no hit, the classifier flags a message above its threshold,
    unless the rules read a negation, a past-tense cue or a known idiom there ("I'm not suicidal",
    "the chest pain last month", "dying to see the doctor"). Thread-safe; the model is passed in or taken from `crisis_model.current()`."""

    def __init__(self, *, use_model: bool = True, model: "CrisisModel | None" = None) -> None:
        self.use_model = use_model
        self._model = model

    def model(self) -> "CrisisModel | None":
        if not self.use_model:
            return None
        if self._model is None:
            from safety import crisis_model
            return crisis_model.current().model
        return self._model

    def assess(self, text: str) -> CrisisAssessment:
        return self.assess_window([], text)

    def prepare(self, text: str) -> None:
        """Encode what the classifier will read of *text* should its PII turn out to be none (most
        messages): run beside the name model, whose work it does not need, the encoding is then
        answered from the encoder's memo when `assess_window` asks for it."""
        model = self.model()
        encoder = getattr(model, "encoder", None)
        seen = model_text(text or "")
        if encoder is not None and _WORD.search(seen):
            encoder.encode([seen])

    def assess_window(self, previous: Sequence[str], text: str, *, redacted: str | None = None,
                      raised: int = 0) -> CrisisAssessment:
        """This message, and the last few messages read together: a crisis spread over turns ("I
        can't do this anymore" ... "I have the pills right here") is seen on the turn that completes it.
        ``redacted``: the message with its PII replaced, which is all the classifier reads (a name like
        "John Nobody" is not a cry for help); ``previous`` should be redacted already. ``raised``: the
        highest severity already answered in this conversation; the turns read together count only
        above it (and above this message alone), so an answered crisis is not raised again while a
        new one in this message still is."""
        previous = [p for p in previous if p and _WORD.search(model_text(p))][-WINDOW_TURNS:]
        text = text or ""
        seen = redacted if redacted is not None else text
        # a message that is only names, numbers and punctuation says nothing about a crisis, and the
        # classifier has nothing to read in it ("<PHONE>" after "<PERSON>", "<DATE>" reads as ". . .")
        model = self.model() if _WORD.search(model_text(seen)) else None
        pred = model.predict([model_text(seen)])[0] if model is not None else None
        current = self._decide(text, pred, model)
        # the window counts only when this message carries some of it ("Monday" after two booking
        # turns is not the end of a crisis, whatever the turns before it said); most messages
        # stop here, so the window costs a second encoding only when it can matter
        # nor when nothing could come of it: this message, or one already answered, is CRITICAL (the
        # top), and the classifier's own category is not in doubt
        top = max(current.severity or 0, raised) >= Severity.CRITICAL
        if previous and not top and (pred is None or pred.crisis >= model.thresholds.this_turn):
            joined_raw = join_turns([*previous, text])
            # the window can say no more than its rules do, or HIGH (the most the classifier gives):
            # when this message, or an answered one, already says that much, the second encoding
            # could change nothing (bar the category of a classifier-only hit)
            ceiling = max(self.rules(joined_raw).severity or 0, Severity.HIGH if model is not None else 0)
            if max(current.severity or 0, raised) >= ceiling and current.matched != ["crisis_model"]:
                return current
            joined = join_turns([*previous, seen])
            window = self._decide(joined_raw, model.predict([model_text(joined)])[0]
                                  if model is not None else None, model)
            if window.is_crisis and window.severity > max(current.severity or 0, raised):
                window.matched.append("across_turns")
                return window
            if window.is_crisis and current.matched == ["crisis_model"] and window.severity == current.severity \
                    and window.category != current.category:
                # the classifier alone, on one message, is weakest at the category: read with the turns
                # before it, "I gave my dog to my sister" after "I can't do this anymore" is self-harm
                window.matched.append("across_turns")
                return window
        return current

    def _decide(self, text: str, pred: "Prediction | None", model: "CrisisModel | None") -> CrisisAssessment:
        folded = fold(text or "")
        masked = mask_idioms(folded)         # folded and masked once: the rules and every cue read it
        return threat_named(self._read(folded, masked, pred, model), masked)

    def _read(self, folded: str, masked: str, pred: "Prediction | None", model: "CrisisModel | None") -> CrisisAssessment:
        by_rules = self._rules(folded, masked)
        told_as = set_aside(by_rules, masked)
        if told_as:
            return CrisisAssessment(lang=by_rules.lang, silenced=[*by_rules.silenced, *by_rules.matched, told_as])
        if pred is None or model is None:
            return by_rules
        th = model.thresholds
        if by_rules.is_crisis and pred.crisis < veto_for(by_rules, th, masked):
            # the rules matched a phrase, the classifier is sure the message is about something else:
            # a topic, a third party, a resolved event ("my school project on overdose rates")
            return CrisisAssessment(lang=by_rules.lang, silenced=[*by_rules.silenced, *by_rules.matched, "model_veto"])
        # the support gate guards against a score far from anything taught; once a rule has hit, the
        # classifier only reads how urgent and of what kind ("I can't do this anymore. the bottle is
        # next to me" is more than the passive line the rules see)
        fires = th.model_fires(pred.crisis, pred.support) or (by_rules.is_crisis and pred.crisis >= th.alone)
        if not fires or by_rules.silenced:   # "not suicidal", "dying to"
            return by_rules
        # distress is the mildest reading: a crisis category the classifier also sees (>= ALSO_MIN) comes
        # first ("feeling really down, my husband keeps hitting me" is abuse, with distress beside it)
        category = pred.also[0] if pred.category == DISTRESS and pred.also else pred.category
        if not by_rules.is_crisis and reassured(masked, category):
            return CrisisAssessment(lang=by_rules.lang, silenced=[*by_rules.silenced, "reassured"])
        by_model = CrisisAssessment(severity=self._model_severity(masked, pred, category, th), category=category,
                                    matched=["crisis_model"], lang=by_rules.lang,
                                    categories=[category] + [c for c in (pred.category, *pred.also) if c != category])
        # both may speak: the more severe reading wins ("so stressed, which way of dying hurts least"
        # is not a LOW distress line); a tie, or the same category short of urgent, goes to the rules
        if by_rules.is_crisis and (by_rules.severity >= by_model.severity or
                                   (by_rules.category == category and by_model.severity < Severity.HIGH)):
            # the rules' reading stands, and what the classifier saw as well gets its lines too
            # (self-harm by the rules, a poisoning by the classifier: Poison Control besides 988)
            model_kind = kind_by_model(by_rules, pred, category)
            by_rules.categories += [c for c in by_model.categories if c not in by_rules.categories]
            if model_kind:
                by_rules.categories = [category, *(c for c in by_rules.categories if c != category)]
                by_rules.category = category
            return by_rules
        if by_rules.is_crisis:
            by_model.matched = [*by_rules.matched, "crisis_model"]
            by_model.categories = [*by_model.categories, *(c for c in by_rules.categories if c not in by_model.categories)]
        return by_model

    @staticmethod
    def _model_severity(masked: str, pred: "Prediction", category: str, th: "Thresholds") -> Severity:
        """Medical and poisoning: a person now. Self-harm, violence, abuse: a person now when urgent
        (by the urgency head, or a time or means named), else resources and an offer."""
        if category in (MEDICAL, POISONING):
            return Severity.HIGH
        if category == DISTRESS:
            return Severity.MEDIUM
        urgent = pred.urgent >= th.urgent or IMMINENT_RE.search(masked)
        return Severity.HIGH if urgent else Severity.MEDIUM

    def rules(self, text: str) -> CrisisAssessment:
        """What the rules alone say."""
        folded = fold(text or "")
        return self._rules(folded, mask_idioms(folded))

    def _rules(self, folded: str, t: str) -> CrisisAssessment:
        """The rules over the folded text and the same with its idioms masked (``t``)."""
        if not folded:
            return CrisisAssessment()
        lang = detect_lang(folded)
        hits: List[Tuple[Rule, Severity]] = []
        silenced: List[str] = ["idiom"] if t != folded else []
        for rule in RULES:
            for m in rule.pattern.finditer(t):
                clause_start = max(t.rfind(".", 0, m.start()), t.rfind(",", 0, m.start()),
                                   t.rfind(";", 0, m.start()), t.rfind(" but ", 0, m.start()),
                                   m.start() - 40)
                before = t[max(0, clause_start + 1) : m.start()]
                if rule.negatable and NEG_RE.search(before) or \
                        rule.history_sensitive and self._in_the_past(t, m.start(), m.end()):
                    silenced.append(rule.name)
                    continue
                sev = rule.severity
                if rule.imminence_bump and sev == Severity.HIGH and IMMINENT_RE.search(t):
                    sev = Severity.CRITICAL
                hits.append((rule, sev))
                break
        if not hits:
            return CrisisAssessment(lang=lang, silenced=silenced)
        top_sev = max(s for _, s in hits)
        top = [r for r, s in hits if s == top_sev]
        category = max(top, key=lambda r: _CAT_PRIORITY[r.category]).category
        cats = sorted({r.category for r, _ in hits}, key=lambda c: -_CAT_PRIORITY[c])
        if any(r.lang == "es" for r, _ in hits):
            lang = "es" if lang == "es" or all(r.lang == "es" for r, _ in hits) else lang
        return CrisisAssessment(
            severity=top_sev, category=category, matched=[r.name for r, _ in hits], lang=lang, categories=cats)


    @staticmethod
    def _in_the_past(t: str, start: int, end: int) -> bool:
        """A history or routine-care cue in the same sentence ("had a seizure last year, need a
        follow-up"), and nothing there saying it is happening now. Another sentence's "follow-up"
        does not silence this one's chest pain."""
        begin = max(t.rfind(c, 0, start) for c in ".!?") + 1
        stops = [i for i in (t.find(c, end) for c in ".!?") if i >= 0]
        sentence = t[begin:min(stops) if stops else len(t)]
        return bool(HISTORY_RE.search(sentence)) and not CURRENT_RE.search(RESULTS_BACK_RE.sub(" ", sentence))


_default = CrisisDetector()


def assess(text: str) -> CrisisAssessment:
    return _default.assess(text)
