"""What a call needs besides the engine: timings, speech-to-text and text-to-speech, chosen once
at start-up from settings (vendor when its key is set, embedded otherwise), and the live calls.

The composition root builds one `VoiceKit` and hands it to the media socket; tests and the
benchmark build theirs with a fixed config, fakes or a shared decoder pool.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Awaitable, Callable

from channels.voice.call_types import VoiceConfig
from channels.voice.ports import SpeechToText, TextToSpeech
from channels.voice.speech.decoder_pool import DecoderPool
from channels.voice.speech.whisper import SharedWhisper
from voice_agent.web.settings import Settings

if TYPE_CHECKING:
    from channels.voice.call import CallSession
    from channels.voice.speech.combined import CombinedRecognition
    from channels.voice.speech.natural_tts import NaturalTTS
    from channels.voice.speech.tts import EspeakTTS

log = logging.getLogger("channels.voice")

SttFactory = Callable[[], Awaitable[SpeechToText]]   # a fresh, unstarted recogniser per call


@dataclass
class VoiceKit:
    config: VoiceConfig
    tts: TextToSpeech
    fallback_tts: TextToSpeech | None
    tts_voice: str                                # the key of the audio cache: which voice spoke
    stt: SttFactory
    fallback_stt: SttFactory | None
    decoder_pool: DecoderPool                     # the embedded recogniser's workers (started only if used)
    uses_decoder_pool: bool                       # warm the workers at start-up
    whisper: SharedWhisper | None = None          # the process's one Whisper model (EMBEDDED_STT=combined)
    calls: dict[str, "CallSession"] = field(default_factory=dict)   # live calls by CallSid
    on_call_ended: Callable[["CallSession"], None] | None = None   # told of each call that ended (a recorder)

    @classmethod
    def from_settings(cls, settings: Settings, *, config: VoiceConfig | None = None,
                      decoder_pool: DecoderPool | None = None, tts: TextToSpeech | None = None,
                      fallback_tts: TextToSpeech | None = None, stt: SttFactory | None = None,
                      fallback_stt: SttFactory | None = None, whisper: SharedWhisper | None = None,
                      on_call_ended: Callable[["CallSession"], None] | None = None) -> "VoiceKit":
        """Settings decide each part; an argument given replaces that part (tests, benchmark)."""
        pool = decoder_pool or DecoderPool(settings.voice_decoder_processes)
        if tts is not None:
            voice = "test"
        else:
            tts, fallback_tts, voice = _choose_tts(settings)
        uses_pool = stt is None
        if stt is None:
            if settings.embedded_stt == "combined" and whisper is None:
                whisper = SharedWhisper(required=settings.is_production)
            elif settings.embedded_stt != "combined":
                whisper = None
            stt, fallback_stt = _choose_stt(settings, pool, whisper)
            uses_pool = not settings.deepgram_api_key
        else:
            whisper = None
        return cls(config=config or VoiceConfig.from_settings(settings), tts=tts, fallback_tts=fallback_tts,
                   tts_voice=voice, stt=stt, fallback_stt=fallback_stt, decoder_pool=pool,
                   uses_decoder_pool=uses_pool, whisper=whisper, on_call_ended=on_call_ended)

    async def warm_up(self) -> None:
        """Start the recogniser's workers (and load Whisper) at server start when calls will use them."""
        if self.uses_decoder_pool:
            if self.whisper is not None:
                await asyncio.gather(self.decoder_pool.warm(), asyncio.to_thread(_load_in_background, self.whisper))
            else:
                await self.decoder_pool.warm()

    def status(self) -> dict[str, str]:
        """For /health/detailed: the embedded recogniser, when calls use it."""
        if not self.uses_decoder_pool:
            return {}
        if self.whisper is None:
            return {"speech_recogniser": "ok"}
        return {"speech_recogniser": self.whisper.status}

    def call_ended(self, session: "CallSession") -> None:
        if self.on_call_ended is not None:
            self.on_call_ended(session)


def _choose_tts(settings: Settings) -> tuple[TextToSpeech, TextToSpeech | None, str]:
    embedded = _embedded_tts(settings)
    if settings.elevenlabs_api_key:
        from channels.voice.vendors.elevenlabs_tts import ElevenLabsTTS
        return (ElevenLabsTTS.from_settings(settings), embedded,
                f"elevenlabs:{settings.elevenlabs_voice_id}:{settings.elevenlabs_model}")
    return embedded, None, embedded.name


def _embedded_tts(settings: Settings) -> "NaturalTTS | EspeakTTS":
    """The natural voice unless EMBEDDED_TTS=espeak. Its weights missing or altered: production
    refuses to start (the error names the package); elsewhere calls speak with espeak-ng."""
    from channels.voice.speech.natural_tts import NaturalTTS
    from channels.voice.speech.tts import EspeakTTS
    from safety.model_files import ModelFilesError
    if settings.embedded_tts == "espeak":
        return EspeakTTS()
    try:
        return NaturalTTS()
    except ModelFilesError:
        if settings.is_production:
            raise
        log.warning("natural voice unavailable, calls speak with espeak-ng", exc_info=True,
                    extra={"event": "tts_degraded"})
        return EspeakTTS()


def _choose_stt(settings: Settings, pool: DecoderPool,
                whisper: SharedWhisper | None = None) -> tuple[SttFactory, SttFactory | None]:
    combined = _combined(whisper) if whisper is not None else None

    async def local() -> SpeechToText:
        from channels.voice.speech.embedded_stt import EmbeddedSTT
        return EmbeddedSTT(pool=pool, combined=combined)

    if settings.deepgram_api_key:
        from channels.voice.vendors.deepgram_stt import DeepgramSTT

        async def deepgram() -> SpeechToText:
            return DeepgramSTT.from_settings(settings)
        return deepgram, local
    return local, None


def _combined(whisper: SharedWhisper) -> "CombinedRecognition":
    """Grammar + Whisper with the rule fitted on the caller-like calibration split (combine_rule.json)."""
    from channels.voice.speech.combined import CombinedRecognition
    return CombinedRecognition(whisper)


def _load_in_background(whisper: SharedWhisper) -> None:
    """Load Whisper from a background-priority thread: the threads its runtime starts inherit it."""
    from channels.voice.speech.priority import lower_this_thread
    lower_this_thread()
    whisper.get()
