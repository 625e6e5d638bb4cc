"""The calls' embedded voice is the natural one (hibari), its weights checked; espeak-ng is the fallback."""
import dataclasses

import pytest

from channels.voice import kit
from channels.voice.speech import natural_tts
from channels.voice.speech.codec import FRAME_BYTES, ulaw_to_array
from channels.voice.speech.natural_tts import NaturalTTS
from channels.voice.speech.protocols import TextToSpeech
from safety.model_files import ModelFile, ModelFilesError

REPLY = "Thank you. Is this appointment for Maria? Press 1 for yes, or 2 for no."


@pytest.fixture(scope="module")
def voice():
    return NaturalTTS()


async def test_speaks_whole_mulaw_frames_of_real_audio(voice):
    assert isinstance(voice, TextToSpeech)
    chunks = [c async for c in voice.synthesize(REPLY)]
    assert chunks and all(len(c) % FRAME_BYTES == 0 for c in chunks)
    audio = b"".join(chunks)
    assert 2.0 < len(audio) / 8000 < 12.0                    # seconds of 8 kHz audio
    assert ulaw_to_array(audio).std() > 500                   # not silence


async def test_the_same_sentence_sounds_the_same_every_time(voice):
    first = b"".join([c async for c in voice.synthesize("Your appointment is booked.")])
    voice._cache.clear()
    again = b"".join([c async for c in voice.synthesize("Your appointment is booked.")])
    assert first == again


def test_calls_use_the_natural_voice_unless_told_otherwise(settings):
    tts, fallback, name = kit._choose_tts(settings)
    assert isinstance(tts, NaturalTTS) and fallback is None and name == "natural"
    tts, _, name = kit._choose_tts(dataclasses.replace(settings, embedded_tts="espeak"))
    assert type(tts).__name__ == "EspeakTTS" and name == "espeak"


@pytest.fixture
def altered_weights(monkeypatch):
    real = natural_tts.WEIGHTS[0]
    monkeypatch.setattr(natural_tts, "WEIGHTS", (ModelFile(real.package, real.distribution, real.relpath, "0" * 64),
                                                 *natural_tts.WEIGHTS[1:]))


def test_altered_weights_stop_production_naming_the_package(altered_weights, settings):
    with pytest.raises(ModelFilesError, match="hibari-tts"):
        kit._choose_tts(dataclasses.replace(settings, app_env="production"))


def test_altered_weights_fall_back_to_espeak_in_development(altered_weights, settings, caplog):
    tts, _, name = kit._choose_tts(dataclasses.replace(settings, app_env="development"))
    assert type(tts).__name__ == "EspeakTTS" and name == "espeak"
    assert any(getattr(r, "event", None) == "tts_degraded" for r in caplog.records)


def test_an_unknown_embedded_voice_is_refused_at_start_up():
    from voice_agent.web.settings import SettingsError, load_settings
    with pytest.raises(SettingsError, match="EMBEDDED_TTS"):
        load_settings({"APP_ENV": "test", "EMBEDDED_TTS": "robot"})
