"""The doctor the caller named is the one offered: Whisper sure of another roster doctor than the
grammar's forced choice overrules it.

Issue 13's bookings bench: hibari's "I'd like to book with Doctor Nwosu" was the grammar's
"i'd like to book with doctor emily chen" (margin -2092, sure enough to decide alone, so Whisper's
"I'd like to book with Dr. Nwosu." at -0.04 was never waited for) and the caller was offered Dr.
Chen; their "No, I want Doctor Nwosu" became "i want doctor emily chen" again. Fake recognisers.
"""
import datetime as dt
import time

from channels.voice.speech.combined import CombinedRecognition
from channels.voice.speech.grammar import Provider
from channels.voice.speech.protocols import SpeechContext
from channels.voice.speech.recognizer import Recognition
from channels.voice.speech.whisper import Transcript

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)
ROSTER = [Provider("Dr. Priya Raman", "Family Medicine"), Provider("Dr. Samuel Nwosu", "Pediatrics"),
          Provider("Dr. Emily Chen", "Orthopedics")]
CONTEXT = SpeechContext(call_id="CA-doc", clinic_id="c-doc", providers=ROSTER)


class FakeWhisper:
    def __init__(self, text: str, logprob: float, delay: float = 0.05) -> None:
        self.text, self.logprob, self.delay = text, logprob, delay

    def get(self):
        return self

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        time.sleep(self.delay)
        return Transcript(self.text, self.logprob, self.delay * 1000)


async def hear(question: str, text: str, margin: float, whisper: FakeWhisper) -> Recognition:
    async def decode() -> Recognition:
        return Recognition(text=text, accepted=True, question=question, confidence=0.95, margin=margin)
    return await CombinedRecognition(whisper, now=lambda: NOW).recognise(decode(), b"\x00\x01" * 8000, question, CONTEXT)


async def test_whisper_sure_of_another_doctor_at_the_opening_is_believed():
    heard = await hear("opening", "i'd like to book with doctor emily chen", -2092.0,
                       FakeWhisper("I'd like to book with Dr. Nwosu.", -0.04))
    assert heard.accepted and heard.heard_by == ("whisper",) and "Nwosu" in heard.text


async def test_whisper_sure_of_another_doctor_at_the_doctor_question_is_believed():
    heard = await hear("provider", "i want doctor emily chen", 190.0, FakeWhisper("No, I want Dr. Nwosu.", -0.14))
    assert heard.accepted and heard.heard_by == ("whisper",) and "Nwosu" in heard.text


async def test_an_unsure_whisper_does_not_overrule_the_grammars_doctor():
    heard = await hear("opening", "i'd like to book with doctor chen", -1256.0,
                       FakeWhisper("I'd like to book with Dr. Nwosu.", -0.6))
    assert heard.accepted and heard.heard_by == ("grammar",) and heard.text.endswith("chen")


async def test_the_same_doctor_from_both_is_sure():
    heard = await hear("opening", "i'd like to book with doctor raman", -1500.0,
                       FakeWhisper("I'd like to book with Dr. Raman.", -0.05))
    assert heard.heard_by == ("grammar", "whisper") and heard.confidence == 1.0
