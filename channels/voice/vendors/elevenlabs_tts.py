"""ElevenLabs streaming speech (elevenlabs 2.x) as a `TextToSpeech`: raw mu-law 8 kHz for Twilio.

`POST /v1/text-to-speech/{voice}/stream?output_format=ulaw_8000` with a Flash model; the body
streams mu-law bytes, which are re-cut into whole 160-byte (20 ms) frames and yielded as they
arrive. Closing the generator early (barge-in) closes the HTTP response and stops the synthesis.
No SDK retries: a failed request falls back to the embedded voice at once instead of a silent gap.
"""
from __future__ import annotations

from typing import Any, AsyncIterator

from channels.voice.speech.codec import FRAME_BYTES, MULAW_SILENCE

DEFAULT_VOICE = "21m00Tcm4TlvDq8ikWAM"      # a premade ElevenLabs voice; set ELEVENLABS_VOICE_ID


class ElevenLabsTTS:
    def __init__(self, api_key: str, *, voice_id: str | None = None, model: str = "eleven_flash_v2_5",
                 base_url: str | None = None, timeout: float = 10.0) -> None:
        from elevenlabs import AsyncElevenLabs

        self.voice_id, self.model = voice_id or DEFAULT_VOICE, model
        self.client = AsyncElevenLabs(api_key=api_key, base_url=base_url, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Any) -> "ElevenLabsTTS":
        return cls(settings.elevenlabs_api_key, voice_id=settings.elevenlabs_voice_id, model=settings.elevenlabs_model,
                   base_url=settings.elevenlabs_url)

    async def synthesize(self, text: str) -> AsyncIterator[bytes]:
        pending = b""
        stream = self.client.text_to_speech.stream(self.voice_id, text=text, model_id=self.model,
                                                   output_format="ulaw_8000", optimize_streaming_latency=3,
                                                   request_options={"max_retries": 0})
        try:
            async for chunk in stream:
                if not chunk:
                    continue
                pending += chunk
                whole = len(pending) - len(pending) % FRAME_BYTES
                if whole:
                    yield pending[:whole]
                    pending = pending[whole:]
        finally:
            await stream.aclose()
        if pending:
            yield pending + bytes([MULAW_SILENCE]) * (FRAME_BYTES - len(pending))
