"""A caller's quick next answer still gets Whisper after their last answer was decided without it.

Issue 13's bookings bench: when the grammar alone decided an answer, Whisper's decode of it ran on
unread (a thread cannot be stopped) and held the process's one Whisper place; the caller's next
answer, arriving within that decode, was then left to the grammar alone ("next Monday" on the
flite voice: the grammar's sentence was right but not sure enough alone, and Whisper, which heard
it too, was skipped), and the caller was asked again. Fake recognisers: no audio.
"""
import asyncio
import datetime as dt
import time

from channels.voice.speech.combined import CombinedRecognition
from channels.voice.speech.grammar import Provider
from channels.voice.speech.protocols import SpeechContext
from channels.voice.speech.recognizer import Recognition
from channels.voice.speech.whisper import Transcript

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)      # a Wednesday
CONTEXT = SpeechContext(call_id="CA-ab", clinic_id="c-ab", providers=[Provider("Dr. Priya Raman", "Family Medicine")])
PCM = b"\x00\x01" * 8000


class SlowWhisper:
    def __init__(self, texts: list[str], delay: float) -> None:
        self.texts, self.delay, self.calls = texts, delay, 0

    def get(self):
        return self

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        text = self.texts[min(self.calls, len(self.texts) - 1)]
        self.calls += 1
        time.sleep(self.delay)
        return Transcript(text, -0.2, self.delay * 1000)


def date(text: str, margin: float) -> Recognition:
    return Recognition(text=text, accepted=True, question="date", confidence=0.9, margin=margin)


async def answer(comb: CombinedRecognition, g: Recognition) -> Recognition:
    async def decode() -> Recognition:
        return g
    return await comb.recognise(decode(), PCM, "date", CONTEXT)


async def test_the_next_answer_waits_for_an_unread_decode_instead_of_losing_whisper():
    whisper = SlowWhisper(["Friday.", "Next Monday."], delay=0.3)
    comb = CombinedRecognition(whisper, max_parallel=1, now=lambda: NOW)
    first = await answer(comb, date("friday", margin=0.0))            # the grammar decides (date: <= 9)
    assert first.heard_by == ("grammar",) and comb.busy == 1          # its Whisper decode runs on, unread
    await asyncio.sleep(0.05)
    second = await answer(comb, date("next monday", margin=96.0))    # not sure enough alone
    assert second.accepted and second.text == "next monday"
    assert second.heard_by == ("grammar", "whisper") and comb.skipped == 0 and whisper.calls == 2


async def test_an_answer_the_grammar_decides_does_not_wait_for_the_unread_decode():
    whisper = SlowWhisper(["Friday."], delay=0.5)
    comb = CombinedRecognition(whisper, max_parallel=1, now=lambda: NOW)
    await answer(comb, date("friday", margin=0.0))
    t0 = time.monotonic()
    second = await answer(comb, date("next monday", margin=0.0))
    assert time.monotonic() - t0 < 0.2 and second.heard_by == ("grammar",)
    await asyncio.sleep(0.6)
    assert comb.busy == 0


async def test_a_decode_another_caller_waits_for_still_means_no_queue():
    whisper = SlowWhisper(["Next Tuesday."], delay=0.4)
    comb = CombinedRecognition(whisper, max_parallel=1, now=lambda: NOW)
    other = asyncio.ensure_future(answer(comb, date("next tuesday", margin=400.0)))
    await asyncio.sleep(0.05)
    t0 = time.monotonic()
    mine = await answer(comb, date("next friday", margin=400.0))
    assert time.monotonic() - t0 < 0.2 and comb.skipped == 1 and mine.heard_by == ()
    assert (await other).heard_by == ("grammar", "whisper")
