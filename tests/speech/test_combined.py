"""The combined recogniser's choice (grammar + Whisper, per question), with fake recognisers: no audio.

What a caller notices: an answer both recognisers heard is taken; an answer only Whisper heard is
taken where the fitted rule trusts Whisper; a goodbye or "a person" heard by one recogniser only is
asked about before the call ends; off-topic speech is asked again; a long story costs no Whisper decode.
"""
import asyncio
import dataclasses
import datetime as dt
import json

import pytest

from channels.voice.speech import combine
from channels.voice.speech.combine import CombineRule, GrammarHeard, WhisperHeard, choose, load_rules
from channels.voice.speech.combined import CombinedRecognition
from channels.voice.speech.embedded_stt import EmbeddedSTT
from channels.voice.speech.protocols import Final, SpeechContext
from channels.voice.speech.recognizer import Recognition
from channels.voice.speech.whisper import Transcript

from .helpers import ROSTER, clip, silence

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)     # a Wednesday
CONTEXT = SpeechContext(call_id="CA-comb", clinic_id="c-comb", providers=ROSTER, patient_names=["Maria Garcia"])
ESCAPE_SURE = 0.9        # channels/voice/call_types.py VoiceConfig.escape_sure: below it the call confirms


class FakeWhisper:
    """Says `text` at `logprob`; counts decodes."""

    def __init__(self, text: str = "", logprob: float | None = -0.2) -> None:
        self.text, self.logprob, self.calls, self.prompts = text, logprob, 0, []

    def get(self):
        return self

    def transcribe(self, pcm16k: bytes, prompt: str = "") -> Transcript:
        self.calls += 1
        self.prompts.append(prompt)
        return Transcript(self.text, self.logprob if self.text else None, 1.0)


class NoWhisper:
    def get(self):
        return None


def grammar(question: str, text: str = "", *, margin: float | None = 0.0, guess: str = "",
            escape: str | None = None) -> Recognition:
    accepted = bool(text)
    return Recognition(text=text, accepted=accepted, question=question, confidence=0.95 if accepted else 0.0,
                       escape=escape, guess=guess, margin=margin, reason="" if accepted else "garbage")


async def hear(question: str, g: Recognition, whisper, *, seconds: float = 1.5,
               rules: dict | None = None) -> Recognition:
    async def decode() -> Recognition:
        return g
    comb = CombinedRecognition(whisper, rules, now=lambda: NOW)
    pcm8k = b"\x00\x01" * int(8000 * seconds)
    return await comb.recognise(decode(), pcm8k, question, CONTEXT)


async def test_an_answer_both_recognisers_meant_is_taken_as_sure():
    heard = await hear("provider", grammar("provider", "doctor raman", margin=900.0), FakeWhisper("Dr. Raman, please."))
    assert heard.accepted and heard.text == "doctor raman"
    assert heard.heard_by == ("grammar", "whisper") and heard.confidence == 1.0


async def test_a_rejected_grammar_guess_that_whisper_confirms_is_taken_without_asking():
    g = grammar("provider", "", guess="doctor raman")
    heard = await hear("provider", g, FakeWhisper("Raman."))
    assert heard.accepted and heard.text == "doctor raman" and heard.guess == ""
    assert heard.heard_by == ("grammar", "whisper")


async def test_whisper_alone_is_passed_on_as_written_where_the_rule_trusts_it():
    # choice: "Whisper alone if avg_logprob >= -0.3, then grammar alone" (combine_rule.json)
    heard = await hear("choice", grammar("choice", ""), FakeWhisper("The second one.", -0.1))
    assert heard.accepted and heard.text == "The second one." and heard.heard_by == ("whisper",)


async def test_an_unsure_whisper_leaves_the_answer_to_the_grammar():
    heard = await hear("choice", grammar("choice", "the first one"), FakeWhisper("The second one.", -0.9))
    assert heard.accepted and heard.text == "the first one" and heard.heard_by == ("grammar",)


async def test_a_goodbye_heard_only_by_whisper_is_asked_about_before_the_call_ends():
    # Whisper invents sign-offs on short clips ("Good night."); the grammar heard a booking request
    # with a margin the opening rule does not trust (> 79)
    heard = await hear("opening", grammar("opening", "i'd like to book", margin=500.0), FakeWhisper("Good night.", -0.2))
    assert heard.accepted and heard.escape == "goodbye" and heard.heard_by == ("whisper",)
    assert heard.confidence < ESCAPE_SURE


async def test_a_request_for_a_person_heard_only_by_the_grammar_is_asked_about():
    g = grammar("yes_no", "front desk", margin=-400.0, escape="human")
    heard = await hear("yes_no", g, FakeWhisper("Yes.", -0.9))
    assert heard.accepted and heard.escape == "human" and heard.heard_by == ("grammar",)
    assert heard.confidence < ESCAPE_SURE


async def test_a_request_for_a_person_both_heard_is_not_asked_about():
    g = grammar("opening", "i want to talk to a person", margin=50.0, escape="human")
    heard = await hear("opening", g, FakeWhisper("I want to talk to a person.", -0.9))
    assert heard.heard_by == ("grammar", "whisper") and heard.escape == "human" and heard.confidence >= ESCAPE_SURE


async def test_off_topic_speech_is_asked_again_with_the_grammar_sentence_as_a_guess():
    # date: grammar alone only with margin <= 9; Whisper heard no date at all
    heard = await hear("date", grammar("date", "next tuesday", margin=400.0), FakeWhisper("Can you recommend a good book?"))
    assert not heard.accepted and heard.text == "" and heard.heard_by == ()
    assert heard.guess == "next tuesday"          # the call asks "Did you say next tuesday?"


async def test_a_long_utterance_is_not_given_to_whisper():
    whisper = FakeWhisper("Next Tuesday.")
    heard = await hear("date", grammar("date", "next tuesday", margin=0.0), whisper, seconds=12.0)
    assert whisper.calls == 0
    assert heard.accepted and heard.heard_by == ("grammar",)


async def test_without_whisper_the_rule_falls_back_to_the_grammar():
    heard = await hear("date", grammar("date", "next tuesday", margin=0.0), NoWhisper())
    assert heard.accepted and heard.heard_by == ("grammar",)


async def test_whisper_is_prompted_with_the_roster_and_the_question():
    whisper = FakeWhisper("Marcus Lee.")
    await hear("provider", grammar("provider", "doctor lee", margin=900.0), whisper)
    assert "Dr. Priya Raman" in whisper.prompts[0] and "Cardiology" in whisper.prompts[0]


async def test_a_question_without_a_rule_keeps_the_grammar_as_shipped():
    whisper = FakeWhisper("Next Tuesday.")
    heard = await hear("date", grammar("date", "next tuesday"), whisper, rules={})
    assert whisper.calls == 0 and heard.accepted and heard.heard_by == ("grammar",)


async def test_both_decodes_run_at_the_same_time():
    class SlowWhisper(FakeWhisper):
        def transcribe(self, pcm16k, prompt=""):
            import time
            time.sleep(0.3)
            return super().transcribe(pcm16k, prompt)

    async def slow_grammar() -> Recognition:
        await asyncio.sleep(0.3)
        return grammar("provider", "doctor raman", margin=900.0)
    comb = CombinedRecognition(SlowWhisper("Raman."), now=lambda: NOW)
    t0 = asyncio.get_running_loop().time()
    heard = await comb.recognise(slow_grammar(), b"\x00\x01" * 8000, "provider", CONTEXT)
    assert heard.heard_by == ("grammar", "whisper")
    assert asyncio.get_running_loop().time() - t0 < 0.55


def test_the_rule_is_read_from_its_file_not_copied(tmp_path):
    rules = load_rules()
    fitted = json.loads(combine.RULE_FILE.read_text())
    assert set(rules) == set(fitted) >= {"opening", "provider", "date", "time", "yes_no", "choice", "name"}
    for q, r in fitted.items():
        assert rules[q] == CombineRule(r["agree"], r["grammar_margin"], r["whisper_logprob"], r["first"])
    other = tmp_path / "rule.json"
    other.write_text(json.dumps({"date": {"agree": False, "grammar_margin": None, "whisper_logprob": None,
                                          "first": "g"}}))
    assert choose(GrammarHeard("next tuesday", None, 0.0), WhisperHeard(frozenset({"next tuesday"}), 0.0),
                  load_rules(other)["date"]).who == "none"


def test_a_malformed_rule_is_refused(tmp_path):
    bad = tmp_path / "rule.json"
    bad.write_text(json.dumps({"date": {"first": "x"}}))
    with pytest.raises(ValueError, match="first"):
        load_rules(bad)


async def test_the_call_event_says_who_heard_the_answer(recognizer):
    """Real grammar decode of a clip, fake Whisper agreeing: the Final carries heard_by."""
    from channels.voice.speech.codec import split_frames
    stt = EmbeddedSTT(recognizer=recognizer, combined=CombinedRecognition(FakeWhisper("Yes.", -0.1), now=lambda: NOW))
    await stt.start(dataclasses.replace(CONTEXT, question="choice"))
    for frame in split_frames(silence(300) + clip("yes") + silence(900)):
        await stt.send_audio(frame)
    await stt.close()
    finals = [e async for e in stt.events() if isinstance(e, Final)]
    assert len(finals) == 1 and finals[0].accepted and finals[0].heard_by == ("grammar", "whisper")


async def test_an_answer_the_grammar_decides_does_not_wait_for_whisper():
    class SlowWhisper(FakeWhisper):
        def transcribe(self, pcm16k, prompt=""):
            import time
            time.sleep(0.5)
            return super().transcribe(pcm16k, prompt)
    comb = CombinedRecognition(SlowWhisper("Raman."), now=lambda: NOW)

    async def decided() -> Recognition:      # date: grammar alone if margin <= 9, tried first (a doctor's
        return grammar("date", "next tuesday", margin=0.0)      # name waits: tests/voice/test_other_doctor.py)
    t0 = asyncio.get_running_loop().time()
    heard = await comb.recognise(decided(), b"\x00\x01" * 8000, "date", CONTEXT)
    assert heard.accepted and heard.heard_by == ("grammar",)
    assert asyncio.get_running_loop().time() - t0 < 0.3
    await asyncio.sleep(0.6)                 # the abandoned decode finishes and frees its place
    assert comb.busy == 0


async def test_while_whisper_is_busy_another_caller_is_decided_without_queueing():
    class SlowWhisper(FakeWhisper):
        def transcribe(self, pcm16k, prompt=""):
            import time
            time.sleep(0.4)
            return super().transcribe(pcm16k, prompt)
    whisper = SlowWhisper("Next Tuesday.")
    comb = CombinedRecognition(whisper, max_parallel=1, now=lambda: NOW)

    async def undecided() -> Recognition:    # date: grammar alone only if margin <= 9
        return grammar("date", "next tuesday", margin=400.0)

    async def decided() -> Recognition:
        return grammar("date", "next friday", margin=0.0)
    first = asyncio.ensure_future(comb.recognise(undecided(), b"\x00\x01" * 8000, "date", CONTEXT))
    await asyncio.sleep(0.05)
    t0 = asyncio.get_running_loop().time()
    second = await comb.recognise(decided(), b"\x00\x01" * 8000, "date", CONTEXT)
    assert asyncio.get_running_loop().time() - t0 < 0.2 and comb.skipped == 1
    assert second.accepted and second.text == "next friday" and second.heard_by == ("grammar",)
    assert (await first).heard_by == ("grammar", "whisper") and whisper.calls == 1
