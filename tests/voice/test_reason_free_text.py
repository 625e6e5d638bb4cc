"""The reason for the visit is free speech: what a caller says there is taken in their words.

Issue 13's bookings bench: "a physical" was not understood four times at the reason question (the
grammar's short list of phrases missed it and the question had no combination rule, so Whisper's
text was never used) and the call never reached the read-back. Fake recognisers: no audio.
"""
import asyncio
import datetime as dt
import time

from channels.voice.speech.combined import CombinedRecognition
from channels.voice.speech.grammar import Provider
from channels.voice.speech.protocols import SpeechContext
from channels.voice.speech.recognizer import Recognition
from channels.voice.speech.whisper import Transcript, prompt_for

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)
ROSTER = [Provider("Dr. Priya Raman", "Family Medicine"), Provider("Dr. Samuel Nwosu", "Pediatrics")]
CONTEXT = SpeechContext(call_id="CA-reason", clinic_id="c-reason", providers=ROSTER, patient_names=["Maria Garcia"])
ESCAPE_SURE = 0.9


class FakeWhisper:
    def __init__(self, text: str, logprob: float | None = -0.4, delay: float = 0.0) -> None:
        self.text, self.logprob, self.delay, self.calls, self.prompts = text, logprob, delay, 0, []

    def get(self):
        return self

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        time.sleep(self.delay)
        self.calls += 1
        self.prompts.append(prompt)
        return Transcript(self.text, self.logprob if self.text else None, 1.0)


def grammar(text: str = "", escape: str | None = None, *, near: str = "", margin: float | None = None) -> Recognition:
    """`near`: a rejected complete sentence (its margin over the word loop is set), `text`: accepted."""
    if near:
        return Recognition(text="", accepted=False, question="reason", raw=f"sil_ {near} sil_", margin=margin,
                           reason="garbage")
    return Recognition(text=text, accepted=bool(text), question="reason", confidence=0.95 if text else 0.0,
                       escape=escape, reason="" if text else "garbage", margin=0.0 if text else None, raw=text)


async def hear(g: Recognition, whisper: FakeWhisper, comb: CombinedRecognition | None = None) -> Recognition:
    async def decode() -> Recognition:
        return g
    comb = comb or CombinedRecognition(whisper, now=lambda: NOW)
    return await comb.recognise(decode(), b"\x00\x01" * 12000, "reason", CONTEXT)


async def test_a_reason_the_grammar_missed_is_taken_in_whispers_words():
    heard = await hear(grammar(), FakeWhisper("A physical."))
    assert heard.accepted and heard.text == "A physical." and heard.heard_by == ("whisper",)
    assert heard.escape is None and heard.confidence > 0.5


async def test_a_reason_the_grammar_heard_does_not_wait_for_whisper():
    whisper = FakeWhisper("Back pain.", delay=0.5)
    t0 = time.monotonic()
    heard = await hear(grammar("back pain"), whisper)
    assert heard.accepted and heard.text == "back pain" and heard.heard_by == ("grammar",)
    assert time.monotonic() - t0 < 0.3


async def test_an_unsure_whisper_gives_way_to_the_grammars_near_miss_phrase():
    # espeak-ng "a physical" on the phone path: grammar margin 931 (rejected), Whisper "Happy vehicle!" at -0.62
    heard = await hear(grammar(near="a physical", margin=931.0), FakeWhisper("Happy vehicle!", -0.62))
    assert heard.accepted and heard.text == "a physical" and heard.heard_by == ("grammar",)


async def test_a_sure_whisper_wins_over_the_grammars_near_miss_phrase():
    heard = await hear(grammar(near="i have a cough", margin=490.0), FakeWhisper("A physical.", -0.14))
    assert heard.accepted and heard.text == "A physical." and heard.heard_by == ("whisper",)


async def test_a_far_off_grammar_sentence_is_no_reason():
    heard = await hear(grammar(near="i'd like pain", margin=3544.0), FakeWhisper("", None))
    assert not heard.accepted and heard.text == ""


async def test_noise_or_a_filler_whisper_invents_is_not_a_reason():
    for text, logprob in (("", None), ("you", -0.3), ("Thank you.", -0.3), ("a physical", -2.5)):
        heard = await hear(grammar(), FakeWhisper(text, logprob))
        assert not heard.accepted and heard.text == "", text


async def test_a_goodbye_whisper_alone_heard_at_the_reason_question_is_asked_about_first():
    heard = await hear(grammar(), FakeWhisper("Goodbye.", -0.2))
    assert heard.accepted and heard.escape == "goodbye" and heard.confidence < ESCAPE_SURE


async def test_the_reason_is_heard_even_while_whisper_serves_another_caller():
    """A busy Whisper decides other questions by the grammar alone; the reason would be asked
    again and again, so it waits for Whisper."""
    whisper = FakeWhisper("A physical.", delay=0.2)
    comb = CombinedRecognition(whisper, max_parallel=1, now=lambda: NOW)
    comb.busy = 1                                    # another caller's decode is running
    heard = await hear(grammar(), whisper, comb)
    assert heard.accepted and heard.text == "A physical." and whisper.calls == 1


def test_whisper_is_prompted_with_reasons_not_doctors_names():
    prompt = prompt_for("reason", ROSTER, ["Maria Garcia"])
    assert "physical" in prompt and "Raman" not in prompt and "Maria" not in prompt


async def test_two_reasons_at_once_are_both_heard():
    whisper = FakeWhisper("A flu shot.", delay=0.1)
    comb = CombinedRecognition(whisper, now=lambda: NOW)
    both = await asyncio.gather(hear(grammar(), whisper, comb), hear(grammar(), whisper, comb))
    assert all(h.accepted and h.text == "A flu shot." for h in both) and comb.busy == 0
