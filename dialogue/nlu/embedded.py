"""EmbeddedUnderstanding: offline intent + slots, no model, no network.

API (see also ``protocol.Understanding``):

* ``EmbeddedUnderstanding().understand(text, ctx) -> NLUResult`` is synchronous (pure
  CPU, well under 5 ms), so tests and benchmarks call it directly;
* ``await EmbeddedUnderstanding().understand_async(text, ctx)`` satisfies the async
  ``Understanding`` protocol that the Engine uses (the Claude-backed implementation is
  naturally async); it simply calls ``understand``.

``ctx.expecting`` biases interpretation: a date is a date of birth when the agent asked
for one, digits are a phone number when it asked for a phone, a bare "john smith" is a
name when it asked for the patient's name, the whole text is the reason when it asked
for the reason (unless the message is clearly another request), and "2"/"the second one"
is a choice when it offered options.  When the message answers the question,
``answers_expected`` is True; the engine should then keep its current flow unless
``intent`` is a flow-changing one (handoff, cancellation, reschedule, check_appointment,
information, goodbye, out_of_scope) with confidence >= 0.8.

With a sentence encoder (passed in by the composition root) the rules are combined with the
intent classifier of ``intent_model.py`` (see ``combine.py``); without one the rules run alone.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Optional

from .choice import parse_choice, parse_name
from .combine import SURE_OFF_TOPIC, adopt, clear_answer, needs_classifier, only_slots, vetoed
from .negation import drop_negated, excluded_weekdays, without_excluded_days
from .dates import parse_date, parse_dob
from .intent_model import HEAD_FILE, Encoder, IntentClassifier, IntentHead, IntentScores
from .intents import _QSTART, ASKS_FOR_PERSON, CORRECTION, classify
from .normalize import clean
from .phone import extract_phone
from .providers import match_provider
from .times import parse_time
from .types import Intent, NLUContext, NLUResult
from .yesno import polarity

log = logging.getLogger("dialogue.nlu")
MAX_CHARS = 1000  # longer messages are cut: one turn of a call or a text is far shorter
FLOW_CHANGING = frozenset({
    Intent.HANDOFF, Intent.CANCELLATION, Intent.RESCHEDULE, Intent.CHECK_APPOINTMENT,
    Intent.INFORMATION, Intent.GOODBYE,
})
_DOB_CUE = re.compile(r"\b(?:born|birth|birthday|date of birth)\b")
_REASON_PREFIX = re.compile(
    r"^\W*(?:(?:um+|uh+|well|so|yeah|yes|ok)\W+)*(?:it's |it is |i'm coming |i am coming |i need to come |"
    r"the reason is |reason is |i have |i've got |i got |because |for |about |due to |i want to |i need to |"
    r"i'd like to |just )?(?:for |about |to get |a |an )?",
    re.IGNORECASE,
)
_LEAD_CORRECTION = re.compile(
    r"^\W*(?:oh\W+)?(?:actually|instead|no wait|wait|on second thought|hold on|sorry|correction)\b|\binstead\b"
)
_PLAIN_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|correct|right|perfect|great|that's right|that's correct)\b")
_THANKS_LEAD = re.compile(r"^\W*(?:thanks?|thank you)\b")
_EXPLICIT_YES = re.compile(r"\b(?:yes|yeah|yep|yup|correct|right|sure|ok)\b")
_BUT = re.compile(r"\b(?:but|although|though|however|except)\b")


class EmbeddedUnderstanding:
    """Rules, and the intent classifier when an encoder is given (see module docstring)."""

    name = "embedded"

    def __init__(self, default_region: str = "US", encoder: Optional[Encoder] = None,
                 head_path: Path = HEAD_FILE) -> None:
        """``encoder``: the process's sentence encoder (``safety.embeddings.SentenceEncoder``), or
        None for rules alone (development without the model weights)."""
        self.default_region = default_region
        self.classifier: Optional[IntentClassifier] = None
        if encoder is not None:
            try:
                self.classifier = IntentClassifier(encoder, IntentHead(head_path))
            except Exception as exc:     # a missing or damaged head file: rules alone, said once
                log.warning("intent classifier unavailable, understanding with rules alone: %s", exc,
                            extra={"event": "intent_model_degraded"})

    def _score(self, text: str) -> Optional[IntentScores]:
        """The classifier's reading, or None (rules alone for this message) if the encoder fails."""
        try:
            return self.classifier.score(text) if self.classifier is not None else None
        except Exception as exc:       # an encoder fault must not cost the patient the turn
            log.warning("intent classifier failed on a message, rules alone: %s", type(exc).__name__,
                        extra={"event": "intent_model_error"})
            return None

    async def understand_async(self, text: str, ctx: NLUContext) -> NLUResult:
        """Async form for the ``Understanding`` protocol."""
        return self.understand(text, ctx)

    def understand(self, text: str, ctx: NLUContext) -> NLUResult:
        """Intent and slots of one user message in the context of the agent's last question."""
        raw = (text or "").strip()[:MAX_CHARS]
        res = NLUResult()
        if not raw:
            return res
        cleaned = clean(raw)
        res.not_weekdays = excluded_weekdays(cleaned)
        c, negated = drop_negated(without_excluded_days(cleaned))   # "Wednesday not Tuesday": not Tuesday
        exp = ctx.expecting
        guess = classify(c)
        res.info_topic = guess.info_topic
        res.dialogue_act = guess.dialogue_act
        today = ctx.today

        # -- expectation-specific slots
        if exp == "date_of_birth" or _DOB_CUE.search(c):
            res.date_of_birth = parse_dob(c, today)
        if exp == "phone":
            res.phone = extract_phone(raw, self.default_region, spoken=True)
        else:
            res.phone = extract_phone(raw, self.default_region, spoken=False)
        first, last = parse_name(raw, expecting=(exp == "patient_name"))
        if exp == "patient_name" or re.search(r"\bname\b", c):
            res.first_name, res.last_name = first, last
        if exp in ("slot_choice", "appointment_choice"):
            res.choice_index = parse_choice(c, ctx.shown_options)

        # -- appointment date/time, provider (not when the digits were a DOB or a phone)
        skip_dt = res.date_of_birth is not None or (res.phone is not None and exp == "phone")
        if not skip_dt:
            dp = parse_date(c, today)
            res.date, res.date_range, res.weekday = dp.date, dp.date_range, dp.weekday
            tp = parse_time(c, expecting_time=exp in ("time", "slot_choice", "appointment_choice"))
            res.time, res.earliest_time = tp.time, tp.earliest_time
            res.latest_time, res.part_of_day = tp.latest_time, tp.part_of_day
            if res.choice_index is not None and res.time is not None and not re.search(r"\d", raw):
                res.time = None  # "the second one" said in words is an index, not 2 pm
            elif res.choice_index is not None and res.time is not None:
                res.choice_index = None if re.search(r"[:ap]m|:\d|\d:", c) else res.choice_index
                if res.choice_index is not None:
                    res.time = None
        pm = match_provider(c, ctx.roster, expecting_provider=(exp == "provider"), spoken=ctx.spoken)
        res.provider_id, res.provider_ambiguous = pm.provider_id, pm.ambiguous
        res.specialty = pm.specialty
        if pm.provider_id and not pm.specialty:
            res.specialty = None

        # -- polarity and corrections
        pol, strength = polarity(c)
        new_slots = any(
            v is not None and v != []
            for v in (res.date, res.date_range, res.time, res.earliest_time, res.latest_time,
                      res.provider_id, res.provider_ambiguous or None, res.part_of_day)
        )
        corr_cue = bool(CORRECTION.search(c)) or negated
        if exp == "confirm":
            lead_corr = bool(_LEAD_CORRECTION.search(c))
            if pol is True and new_slots and _BUT.search(c):
                res.is_correction, res.yes_no = True, None  # "yes but make it thursday"
            elif new_slots and (pol is None or lead_corr or (pol is True and not _PLAIN_YES.match(c))):
                res.yes_no, res.is_correction = False, True  # "make it the 14th", "book it at 4"
            elif lead_corr and (pol is not True or not _EXPLICIT_YES.search(c)):
                res.yes_no, res.is_correction = False, True  # "actually, book it with another clinic"
            elif pol is None and _THANKS_LEAD.match(c):
                res.yes_no = True  # "thank you(, what's the address?)" right after a read-back accepts it
            else:
                res.yes_no = pol
                res.is_correction = pol is False and new_slots
        else:
            if pol is not None and (strength >= 1.0 or guess.intent == Intent.CONFIRMATION):
                res.yes_no = pol
            if new_slots and (corr_cue or pol is False) and exp not in ("reason",):
                res.is_correction = bool(corr_cue or res.yes_no is False)

        # -- reason
        just_hello = guess.intent == Intent.GREETING and len(c.split()) <= 3      # "hello" is no reason
        if exp == "reason" and not (guess.intent in FLOW_CHANGING and guess.confidence >= 0.8) and not just_hello:
            reason = _REASON_PREFIX.sub("", raw, count=1).strip(" .!?,")
            if reason and pol is None or (reason and len(reason.split()) > 2):
                res.reason = reason

        # -- answers to the agent's question
        res.answers_expected = {
            "provider": res.provider_id is not None or bool(res.provider_ambiguous) or res.specialty is not None
                        or bool(re.search(r"\b(?:any|anyone|whoever|no preference|doesn't matter|don't care)\b", c)),
            "date": res.date is not None or res.date_range is not None or res.weekday is not None
                    or bool(res.not_weekdays),
            "time": res.time is not None or res.earliest_time is not None or res.latest_time is not None
                    or res.part_of_day is not None,
            "slot_choice": res.choice_index is not None or res.time is not None,
            "appointment_choice": res.choice_index is not None or res.time is not None or res.date is not None,
            "patient_name": res.first_name is not None,
            "date_of_birth": res.date_of_birth is not None,
            "phone": res.phone is not None,
            "reason": res.reason is not None,
            "confirm": res.yes_no is not None or res.is_correction,
            "confirm_identity": res.yes_no is not None,
            None: False,
        }.get(exp, False)

        scores = self._score(raw) if self.classifier is not None and needs_classifier(res, exp, c) else None
        if scores is not None and self.classifier is not None:
            th = self.classifier.thresholds
            if vetoed(res, scores, th, exp, c):
                clear_answer(res)
                return res
            when = any(v is not None for v in (res.date, res.date_range, res.weekday, res.time, res.earliest_time,
                                                res.latest_time, res.part_of_day))
            who = bool(res.provider_id or res.provider_ambiguous or res.specialty)
            rules = guess
            names = [n for e in ctx.roster for n in (e.first_name, e.last_name)]
            guess = adopt(guess, scores, th, res.answers_expected, c, when, who, asked=exp is not None,
                          bare=only_slots(c, names) and (when or who or res.has_slots() or not re.search(r"[a-z]", c)))
            if guess.intent == Intent.INFORMATION and guess.info_topic:
                res.info_topic = guess.info_topic
            if guess.intent != rules.intent:       # "stop the bot" asks for a person: no "abort" left over
                res.dialogue_act = guess.dialogue_act
        res.intent, res.confidence = self._decide(guess.intent, guess.confidence, res, exp, c)
        return res

    @staticmethod
    def _decide(g: Intent, conf: float, res: NLUResult, exp: Optional[str], text: str) -> tuple[Intent, float]:
        """Final intent from the classifier's guess and what the slots say."""
        words = len(text.split())
        if g == Intent.HANDOFF and exp == "phone" and res.phone is not None and not ASKS_FOR_PERSON.search(text):
            return Intent.SCHEDULING, 0.8     # "call me at 312-555-0100" answers the phone question
        strong = g in FLOW_CHANGING and conf >= 0.8
        if strong:
            return g, conf
        if res.is_correction:
            return Intent.CORRECTION, 0.8
        if exp in ("confirm", "confirm_identity") and res.yes_no is not None:
            return Intent.CONFIRMATION, 0.9 if g == Intent.CONFIRMATION else 0.75
        if res.answers_expected:
            if g in (Intent.GREETING, Intent.CONFIRMATION) and exp not in ("patient_name", "reason"):
                return g, conf
            return (g if g in FLOW_CHANGING else Intent.SCHEDULING), max(conf, 0.7)
        slots = res.has_slots()
        if g == Intent.OUT_OF_SCOPE and slots:
            # "tomorrow at 3" is a booking; "which stocks gained the most today" is not
            who = res.provider_id or res.provider_ambiguous or res.specialty
            when = res.date or res.time or res.earliest_time or res.weekday is not None
            sure = conf >= SURE_OFF_TOPIC     # "what's a normal resting heart rate" names a specialty, books nothing
            if not sure and (who or (conf < 0.9 and when and words <= 6 and not _QSTART.match(text)) or exp is not None):
                return Intent.SCHEDULING, 0.6
            return g, conf
        if g == Intent.UNKNOWN and slots and res.dialogue_act is None:
            return Intent.SCHEDULING, 0.5
        if g == Intent.SCHEDULING and slots:
            return g, max(conf, 0.85)
        return g, conf
