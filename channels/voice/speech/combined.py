"""Two recognisers on every answer: the question's grammar and Whisper tiny.en, at the same time.

The grammar decodes in the server's worker processes (`DecoderPool`), Whisper in a thread (it
releases the GIL); when both are done the per-question rule (`combine.py`, fitted on the caller-like
calibration split) picks what the call hears. On the caller-like report set that is right 84 % of
the time where the grammar alone is right 76 % and Whisper alone 82 % (docs/benchmarks/speech_callers.md).

What the call receives is a grammar `Recognition` with `heard_by` saying who agreed:
- both recognisers meant the same -> the grammar's sentence, confidence 1;
- one alone -> its text (Whisper's is passed on as written: the engine's understanding reads it
  the way it was read here), and a goodbye or a request for a person heard by one recogniser only
  carries a confidence under the call's `escape_sure`, so the call asks before it ends or transfers;
- neither -> rejected; the grammar's sentence, if complete, is offered as a "Did you say ...?" guess.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import math
from typing import Awaitable, Callable, Protocol

from dialogue.nlu import EmbeddedUnderstanding, NLUResult

from .codec import pcm8k_to_pcm16k
from .combine import Choice, CombineRule, GrammarHeard, WhisperHeard, choose, load_rules
from .meaning import meaning
from .priority import lower_this_thread
from .protocols import SpeechContext
from .recognizer import SIL_WORD, Recognition, RecognizerConfig, detect_escape
from .understood import escape_of, labels, nlu_context
from .whisper import MAX_SECONDS, Transcript, prompt_for

log = logging.getLogger("channels.voice.stt")

UNSURE = 0.5          # the confidence of an escape heard by one recogniser (calls confirm under 0.9)
OTHER_DOCTOR_LOGPROB = -0.3   # Whisper this sure of another roster doctor overrules the grammar (not fitted)
ENGINE_ACTS = 0.5     # the understanding's confidence from which the engine ends or transfers a call
GUESS_QUESTIONS = RecognizerConfig().guess_questions
ABANDONED_WAIT = 1.0  # s: longest wait for a decode nobody reads to finish (one tiny.en decode ~0.35 s idle)
# Questions whose answer is free speech (the engine keeps what was said): no fitted rule, Whisper's
# text is the answer whenever the grammar's short list of phrases has no match.
FREE_TEXT = ("reason",)
# Not fitted (the caller-like set has no reasons): read off 24 phone-path clips, 4 voices x 6 phrases
# (bench/voice_bookings.py's reasons, a longer reason, one off-topic question), docs/benchmarks/voice.md.
FREE_TEXT_LOGPROB = -1.2      # below this Whisper's text is noise more often than words
FREE_TEXT_SURE = -0.45        # Whisper's words at or above this are the reason, even over the grammar's phrase
REASON_PHRASE_MARGIN = 1500.0  # a rejected grammar phrase this close (answers 490-1141, off-topic >= 2302)
NOT_WORDS = frozenset({"you", "thank you", "thanks", "uh", "um", "hmm", "bye", "okay", "ok"})


class Transcriber(Protocol):
    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript: ...


class WhisperSource(Protocol):
    def get(self) -> Transcriber | None: ...


@dataclasses.dataclass(frozen=True)
class WhisperReading:
    transcript: Transcript
    result: NLUResult
    labels: frozenset[str]


class CombinedRecognition:
    """Shared by every call of a process (it holds no call state)."""

    def __init__(self, whisper: WhisperSource, rules: dict[str, CombineRule] | None = None, *,
                 max_seconds: float = MAX_SECONDS, max_parallel: int = 1,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self.whisper = whisper
        self.rules = load_rules() if rules is None else rules
        self.max_seconds = max_seconds
        self.max_parallel = max_parallel
        self.busy = 0                          # Whisper decodes running now (this event loop's calls)
        self._abandoned: set["asyncio.Future[object]"] = set()   # ... of which nobody waits for the result
        self.skipped = 0                       # utterances decoded by the grammar alone because Whisper was busy
        self._understanding = EmbeddedUnderstanding()
        self._now = now

    async def recognise(self, grammar: Awaitable[Recognition], pcm8k: bytes, question: str,
                        context: SpeechContext) -> Recognition:
        """The combined answer (`_recognise`); an answer heard by the grammar alone that the engine
        would read as a goodbye or a request for a person is marked as that escape, unsure, so the
        call asks before it acts (flite's "option two" was the grammar's "nah thank you", which the
        engine read as goodbye at 0.7, and the call ended)."""
        heard = await self._recognise(grammar, pcm8k, question, context)
        if not heard.accepted or heard.escape or heard.heard_by != ("grammar",) or not heard.text:
            return heard
        escape = await asyncio.to_thread(self._escape_in, heard.text, question, context)
        return dataclasses.replace(heard, escape=escape, confidence=min(heard.confidence, UNSURE)) if escape else heard

    def _escape_in(self, text: str, question: str, context: SpeechContext) -> str | None:
        now = self._now()
        return escape_of(self._understanding.understand(text, nlu_context(question, list(context.providers), now)),
                         ENGINE_ACTS)

    async def _recognise(self, grammar: Awaitable[Recognition], pcm8k: bytes, question: str,
                         context: SpeechContext) -> Recognition:
        """`grammar`: the grammar decode of the same utterance, not yet awaited (it runs meanwhile).

        Cost is bounded: at most `max_parallel` Whisper decodes at once in the process; an utterance
        that ends while Whisper is busy with other callers is decided by the rule with Whisper
        silent (the grammar's branch), so a busy server slows no call down by queueing. And when the
        grammar alone already decides the answer under the rule (its branch comes first and passes),
        the call gets it without waiting for Whisper. Whisper busy only with such an abandoned decode
        (the caller's previous answer, decided without it) is waited for, up to `ABANDONED_WAIT`:
        skipping there left the next answer to the grammar alone, and a quick caller's next answer
        always came while the last one's decode was finishing."""
        if question in FREE_TEXT:
            return await self._free_text(grammar, pcm8k, question, context)
        rule = self.rules.get(question)
        if rule is None:                       # no rule for this question: the grammar as shipped
            g = await grammar
            return dataclasses.replace(g, heard_by=("grammar",) if g.accepted else ())
        if len(pcm8k) / 16000 > self.max_seconds or self._callers_waiting():
            self.skipped += 1
            return self.decide(question, await grammar, None, rule, context)
        # Whisper free: both decode at once. Held only by abandoned decodes: the grammar first
        # (an answer it decides waits for nothing), then Whisper once they are done.
        second = self._start(pcm8k, question, context) if self.busy < self.max_parallel else None
        try:
            g = await grammar
        except BaseException:
            if second is not None:
                self._abandon(second)
            raise
        if self._grammar_decides(g, rule, context, question) and (second is None or not second.done()):
            if second is not None:
                self._abandon(second)
            return self.decide(question, g, None, rule, context)
        if second is None:
            if not await self._whisper_free():
                self.skipped += 1
                return self.decide(question, g, None, rule, context)
            second = self._start(pcm8k, question, context)
        try:
            w = await second
        except Exception:
            log.exception("Whisper decode failed", extra={"event": "whisper_failed"})
            w = None
        return self.decide(question, g, w, rule, context)

    async def _free_text(self, grammar: Awaitable[Recognition], pcm8k: bytes, question: str,
                         context: SpeechContext) -> Recognition:
        """A reason for the visit: the grammar's phrase when it accepts one; else Whisper's words as
        written (they are what the front desk reads) when Whisper is sure of them or the grammar has
        no near-miss phrase; else that near-miss phrase (Whisper unsure: espeak-ng's "a physical"
        became "Happy vehicle!" at -0.62 while the grammar's rejected sentence was "a physical").
        Not bounded by `max_parallel`: asked once a
        call, and a caller asked again because Whisper was busy is what this question must avoid."""
        if len(pcm8k) / 16000 > self.max_seconds:
            g = await grammar
            return dataclasses.replace(g, heard_by=("grammar",) if g.accepted else ())
        second = self._start(pcm8k, question, context)
        try:
            g = await grammar
        except BaseException:
            self._abandon(second)
            raise
        if g.accepted and not g.escape:
            self._abandon(second)
            return dataclasses.replace(g, heard_by=("grammar",))
        try:
            w = await second
        except Exception:
            log.exception("Whisper decode failed", extra={"event": "whisper_failed"})
            w = None
        escape = (escape_of(w.result, ENGINE_ACTS) or _repeat(w.transcript.text)) if w is not None else None
        if g.accepted:                         # an escape: sure only when Whisper heard it too
            if escape == g.escape:
                return dataclasses.replace(g, confidence=1.0, heard_by=("grammar", "whisper"))
            return dataclasses.replace(g, confidence=min(g.confidence, UNSURE), heard_by=("grammar",))
        lp = w.transcript.avg_logprob if w is not None else None
        phrase = _grammar_sentence(g)
        if w is not None and _words(w.transcript) and not (phrase and (lp is None or lp < FREE_TEXT_SURE)):
            sure = UNSURE if escape in ("human", "goodbye") else (math.exp(lp) if lp is not None else UNSURE)
            return dataclasses.replace(g, text=w.transcript.text, accepted=True, confidence=sure, escape=escape,
                                       guess="", reason="", heard_by=("whisper",))
        if phrase:                             # Whisper unsure or silent: the grammar's near-miss phrase
            return dataclasses.replace(g, text=phrase, accepted=True, confidence=UNSURE, guess="", reason="",
                                       heard_by=("grammar",))
        return dataclasses.replace(g, text="", accepted=False, confidence=0.0, guess="",
                                   reason=g.reason or "combined", heard_by=())

    def _start(self, pcm8k: bytes, question: str, context: SpeechContext) -> "asyncio.Future[WhisperReading | None]":
        self.busy += 1
        second = asyncio.ensure_future(asyncio.to_thread(self._read, pcm8k, question, context))
        second.add_done_callback(self._done)
        return second

    def _abandon(self, future: "asyncio.Future[object]") -> None:
        """Nobody will read this decode (it cannot be stopped: it finishes in its thread)."""
        future.add_done_callback(_quiet)
        if not future.done():
            self._abandoned.add(future)
            future.add_done_callback(self._abandoned.discard)

    def _callers_waiting(self) -> bool:
        """The places are taken by decodes other callers wait for (not only abandoned ones)."""
        return self.busy - len(self._abandoned) >= self.max_parallel

    async def _whisper_free(self) -> bool:
        """Whether this utterance gets a Whisper decode under the bound: at once when fewer than
        `max_parallel` run; after the abandoned ones finish (up to `ABANDONED_WAIT`) when only those
        fill the places; never when callers are waiting for the running ones."""
        if self.busy < self.max_parallel:
            return True
        if self._callers_waiting() or not self._abandoned:
            return False
        await asyncio.wait(list(self._abandoned), timeout=ABANDONED_WAIT)
        await asyncio.sleep(0)                 # their done-callbacks free the places
        return self.busy < self.max_parallel

    def _done(self, _future: "asyncio.Future[object]") -> None:
        self.busy -= 1

    @staticmethod
    def _grammar_decides(g: Recognition, rule: CombineRule, context: SpeechContext, question: str) -> bool:
        """The rule takes the grammar's answer whatever Whisper hears (its branch is first and
        passes; an agreement would name the same answer). Escapes wait for Whisper: heard by both,
        the call need not ask; so does a doctor's name (Whisper may be sure of another, `_other_doctor`)."""
        if _doctor_of(question, meaning(question, g.text, list(context.providers))):
            return False
        return (rule.first == "g" and g.accepted and not g.escape and rule.grammar_margin is not None
                and (g.margin is None or g.margin <= rule.grammar_margin)
                and meaning(question, g.text, list(context.providers)) is not None)

    def _read(self, pcm8k: bytes, question: str, context: SpeechContext) -> WhisperReading | None:
        """Whisper's text and the understanding's reading of it (in a thread); None when Whisper is
        unavailable (development with missing weights: the rule then runs with Whisper silent)."""
        lower_this_thread()                    # background priority: the event loop first (priority.py)
        model = self.whisper.get()
        if model is None:
            return None
        heard = model.transcribe(pcm8k_to_pcm16k(pcm8k),
                                 prompt_for(question, list(context.providers), list(context.patient_names)))
        return self.understand(heard, question, context)

    def understand(self, heard: Transcript, question: str, context: SpeechContext) -> WhisperReading:
        """Whisper's text read by the understanding, as meaning labels of the question."""
        now = self._now()
        res = self._understanding.understand(heard.text, nlu_context(question, list(context.providers), now))
        return WhisperReading(heard, res, frozenset(labels(question, res, list(context.providers), now.date())))

    def decide(self, question: str, g: Recognition, w: WhisperReading | None, rule: CombineRule,
               context: SpeechContext) -> Recognition:
        providers = list(context.providers)
        g_heard = GrammarHeard(meaning(question, g.text, providers) if g.accepted and g.text else None,
                               meaning(question, g.guess, providers) if g.guess else None, g.margin)
        w_heard = WhisperHeard(w.labels if w else frozenset(), w.transcript.avg_logprob if w else None)
        choice = choose(g_heard, w_heard, rule)
        if choice.who == "grammar" and _other_doctor(question, g_heard.label, w_heard):
            choice = Choice("whisper", None)
        # whoever the rule went by, an answer whose meaning the other recogniser also heard is sure
        agreed = bool(g_heard.label and g_heard.label in w_heard.labels)
        return self._as_recognition(choice, question, g, w, agreed)

    @staticmethod
    def _as_recognition(choice: Choice, question: str, g: Recognition, w: WhisperReading | None,
                        agreed: bool) -> Recognition:
        if choice.who == "both" or (choice.who != "none" and agreed):
            text = g.text if agreed else g.guess          # agreement on the rejected guess: its words
            return dataclasses.replace(g, text=text, accepted=True, confidence=1.0, reason="", guess="",
                                       escape=detect_escape(text), heard_by=("grammar", "whisper"))
        if choice.who == "grammar":
            sure = g.confidence if g.escape not in ("human", "goodbye") else min(g.confidence, UNSURE)
            return dataclasses.replace(g, confidence=sure, heard_by=("grammar",))
        if choice.who == "whisper" and w is not None:
            text = w.transcript.text
            escape = escape_of(w.result, ENGINE_ACTS) or _repeat(text)
            lp = w.transcript.avg_logprob
            sure = UNSURE if escape in ("human", "goodbye") else (math.exp(lp) if lp is not None else UNSURE)
            return dataclasses.replace(g, text=text, accepted=True, confidence=sure, escape=escape, guess="",
                                       reason="", heard_by=("whisper",))
        # neither: rejected; a complete grammar sentence becomes a "Did you say ...?" guess
        guess = (g.text or g.guess) if question in GUESS_QUESTIONS and not g.escape else ""
        return dataclasses.replace(g, text="", accepted=False, confidence=0.0, escape=None, guess=guess,
                                   reason=g.reason or "combined", heard_by=())


def _doctor_of(question: str, label: str | None) -> str | None:
    """The roster provider a meaning label names ("book:raman" at the opening, "raman")."""
    if not label or question not in ("opening", "provider"):
        return None
    if question == "opening":
        return label.split(":", 1)[1] if label.startswith("book:") else None
    return None if label == "any" or ":" in label else label


def _other_doctor(question: str, g_label: str | None, w: WhisperHeard) -> bool:
    """Whisper is sure of a different doctor than the grammar's: the grammar always forces its
    closest roster name (hibari's "Doctor Nwosu" was its "doctor emily chen" at a margin of -2092,
    twice, while Whisper, prompted with the roster, wrote "Dr. Nwosu." at -0.04)."""
    mine = _doctor_of(question, g_label)
    theirs = {d for d in (_doctor_of(question, lbl) for lbl in w.labels) if d}
    return (mine is not None and bool(theirs) and mine not in theirs
            and w.avg_logprob is not None and w.avg_logprob >= OTHER_DOCTOR_LOGPROB)


def _quiet(future: "asyncio.Future[object]") -> None:
    """A Whisper decode nobody waits for any more: retrieve its outcome so nothing is logged as lost."""
    if not future.cancelled():
        future.exception()


def _grammar_sentence(g: Recognition) -> str:
    """The grammar's complete sentence for a rejected answer that came close (its margin is set only
    for complete sentences); '' otherwise."""
    if g.accepted or g.margin is None or g.margin > REASON_PHRASE_MARGIN or g.escape:
        return ""
    return " ".join(t for t in g.raw.split() if t != SIL_WORD)


def _words(heard: Transcript) -> bool:
    """Whisper's text is words worth keeping as a free answer (not silence, noise or a filler it
    invents on short clips)."""
    words = " ".join("".join(ch for ch in heard.text.lower() if ch.isalpha() or ch in " '").split())
    return (sum(ch.isalpha() for ch in words) >= 3 and words not in NOT_WORDS
            and (heard.avg_logprob is None or heard.avg_logprob >= FREE_TEXT_LOGPROB))


def _repeat(text: str) -> str | None:
    words = " ".join("".join(ch for ch in text.lower() if ch.isalpha() or ch in " '").split())
    return "repeat" if detect_escape(words) == "repeat" else None
