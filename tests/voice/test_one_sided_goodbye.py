"""No call ends on one recogniser's word: an answer heard by the grammar (or Whisper) alone that the
engine would read as a goodbye is asked about first ("Did you want to end the call?").

Issue 13's bookings bench: flite's "option two" at the slot question was the grammar's confident
"nah thank you" (Whisper heard "Action two."); the engine reads "nah thank you" there as goodbye
(at 0.7, under the 0.8 the call used to check) and the call ended mid-booking. Fake recognisers.
"""
import datetime as dt

from channels.voice.speech.combined import CombinedRecognition
from channels.voice.speech.grammar import Provider
from channels.voice.speech.protocols import SpeechContext
from channels.voice.speech.recognizer import Recognition
from channels.voice.speech.whisper import Transcript

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)
CONTEXT = SpeechContext(call_id="CA-bye", clinic_id="c-bye", providers=[Provider("Dr. Priya Raman", "Family Medicine")])
ESCAPE_SURE = 0.9          # VoiceConfig.escape_sure: under it the call asks before ending


class FakeWhisper:
    def __init__(self, text: str, logprob: float) -> None:
        self.text, self.logprob = text, logprob

    def get(self):
        return self

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        return Transcript(self.text, self.logprob, 1.0)


async def hear(question: str, g: Recognition, whisper: FakeWhisper) -> Recognition:
    async def decode() -> Recognition:
        return g
    return await CombinedRecognition(whisper, now=lambda: NOW).recognise(decode(), b"\x00\x01" * 8000, question, CONTEXT)


def grammar(question: str, text: str, margin: float) -> Recognition:
    return Recognition(text=text, accepted=True, question=question, confidence=0.95, margin=margin)


async def test_a_goodbye_only_the_grammar_heard_at_the_slot_question_is_asked_about():
    heard = await hear("choice", grammar("choice", "nah thank you", -774.0), FakeWhisper("Action two.", -0.43))
    assert heard.accepted and heard.heard_by == ("grammar",)
    assert heard.escape == "goodbye" and heard.confidence < ESCAPE_SURE


async def test_a_goodbye_only_whisper_heard_is_asked_about():
    heard = await hear("choice", Recognition("", False, "choice", reason="garbage"), FakeWhisper("No, thank you.", -0.1))
    assert heard.accepted and heard.heard_by == ("whisper",)
    assert heard.escape == "goodbye" and heard.confidence < ESCAPE_SURE


async def test_an_ordinary_answer_the_grammar_alone_heard_is_not_questioned():
    heard = await hear("choice", grammar("choice", "option one", -792.0), FakeWhisper("Auction won.", -0.9))
    assert heard.accepted and heard.escape is None and heard.confidence == 0.95
