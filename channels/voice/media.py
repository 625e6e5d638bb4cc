"""`/webhooks/twilio/media`: the Media Streams WebSocket, and the choice of STT/TTS per call.

The socket is accepted, then refused with close code 1008 (policy violation) when the upgrade's
X-Twilio-Signature does not match or the `start` message's stream token is missing, forged,
expired or for another call. Messages before `start` other than `connected` are ignored.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from channels.voice.apologies import SCHEDULE_DOWN_AT_START, is_database_outage
from channels.voice.call import CallInfo, CallSession, VoiceConfig
from channels.voice.ports import SpeechContext, SpeechToText, TextToSpeech
from channels.voice.speech.grammar import Provider
from channels.voice.security import TokenError, check_stream_token, media_stream_url, upgrade_signature_ok
from dialogue.engine import ClinicUnavailable
from safety.consent import disclosure
from voice_agent import safe_input, wiring
from voice_agent.services import Services

log = logging.getLogger("channels.voice.media")
POLICY_VIOLATION = 1008
EXTRA_CALLS = "voice_calls"          # services.extras key: live CallSession objects by CallSid


def voice_config(services: Services) -> VoiceConfig:
    config = services.extras.get("voice_config")
    if config is None:
        config = services.extras["voice_config"] = VoiceConfig.from_settings(services.settings)
    return config


def embedded_tts(services: Services) -> TextToSpeech:
    if "voice_embedded_tts" not in services.extras:
        from channels.voice.speech.tts import EspeakTTS
        services.extras["voice_embedded_tts"] = EspeakTTS()
    return services.extras["voice_embedded_tts"]


def choose_tts(services: Services) -> tuple[TextToSpeech, TextToSpeech | None, str]:
    """(tts, fallback, voice key for the audio cache). Tests may put a ready TTS in extras."""
    if "voice_tts" in services.extras:
        return services.extras["voice_tts"], services.extras.get("voice_fallback_tts"), "test"
    settings = services.settings
    if settings.elevenlabs_api_key:
        if "voice_vendor_tts" not in services.extras:
            from channels.voice.vendors.elevenlabs_tts import ElevenLabsTTS
            services.extras["voice_vendor_tts"] = ElevenLabsTTS.from_settings(settings)
        return (services.extras["voice_vendor_tts"], embedded_tts(services),
                f"elevenlabs:{settings.elevenlabs_voice_id}:{settings.elevenlabs_model}")
    return embedded_tts(services), None, "espeak"


async def speech_context(services: Services, clinic, call_sid: str) -> SpeechContext:
    engine = wiring.engine(services)
    try:
        providers = await engine.roster(clinic)
    except Exception:
        log.warning("roster unavailable for speech vocabulary", extra={"event": "voice_roster_failed"})
        providers = []
    roster = [Provider(p.display_name, p.specialty, p.id) for p in providers]
    # The roster's names also fill the name grammar's full-name list: with an empty list that
    # grammar holds a <VOID> alternative and pocketsphinx 5.1.1 then rejects every name.
    return SpeechContext(call_id=call_sid, clinic_id=clinic.id, providers=roster,
                         patient_names=[p.name for p in roster])


def decoder_pool(services: Services):
    """The embedded recogniser's worker processes: one pool per server process, shut down with it."""
    from channels.voice.speech.decoder_pool import DecoderPool
    if "voice_decoder_pool" not in services.extras:
        services.extras["voice_decoder_pool"] = DecoderPool(services.settings.voice_decoder_processes)
    return services.extras["voice_decoder_pool"]


async def warm_up(services: Services) -> None:
    """Start the recogniser's workers at server start when calls will use it (no Deepgram key)."""
    if not services.settings.deepgram_api_key and "voice_stt_factory" not in services.extras:
        await decoder_pool(services).warm()


def choose_stt(services: Services) -> tuple[Any, Any]:
    """(factory, fallback factory): each returns a fresh, unstarted SpeechToText."""
    if "voice_stt_factory" in services.extras:       # tests and the benchmark
        return services.extras["voice_stt_factory"], services.extras.get("voice_fallback_stt_factory")
    settings = services.settings

    async def local() -> SpeechToText:
        from channels.voice.speech.embedded_stt import EmbeddedSTT
        return EmbeddedSTT(pool=decoder_pool(services))

    if settings.deepgram_api_key:
        from channels.voice.vendors.deepgram_stt import DeepgramSTT

        async def deepgram() -> SpeechToText:
            return DeepgramSTT.from_settings(settings)
        return deepgram, local
    return local, None


async def _first_start(ws: WebSocket, timeout: float) -> dict | None:
    """Read until `start` (skipping `connected`, stray media and junk); None if it never comes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return None
        try:
            message = await asyncio.wait_for(ws.receive(), timeout=remaining)
        except asyncio.TimeoutError:
            return None
        if message["type"] == "websocket.disconnect":
            return None
        try:
            data = safe_input.loads(message.get("text") or "")
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("event") == "start" and isinstance(data.get("start"), dict):
            return data


async def media_socket(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    settings = services.settings
    config = voice_config(services)
    signature = ws.headers.get("x-twilio-signature")
    await ws.accept()
    if not upgrade_signature_ok(settings.twilio_auth_token, media_stream_url(settings.public_base_url), signature):
        log.warning("media stream with a bad signature", extra={"event": "media_bad_signature"})
        await ws.close(POLICY_VIOLATION)
        return
    start = await _first_start(ws, config.start_timeout_seconds)
    if start is None:
        await ws.close(POLICY_VIOLATION)
        return
    meta = start["start"]
    params = meta.get("customParameters") if isinstance(meta.get("customParameters"), dict) else {}
    call_sid, stream_sid = meta.get("callSid"), meta.get("streamSid") or start.get("streamSid")
    if not isinstance(call_sid, str) or not isinstance(stream_sid, str):
        await ws.close(POLICY_VIOLATION)
        return
    try:
        grant = check_stream_token(settings.secret_key, params.get("token"), settings.voice_stream_token_seconds,
                                   call_sid=call_sid, clinic_id=params.get("clinic"))
    except TokenError as exc:
        log.warning("media stream refused", extra={"event": "media_bad_token", "reason": str(exc)})
        await ws.close(POLICY_VIOLATION)
        return
    engine = wiring.engine(services)
    tts, fallback_tts, voice = choose_tts(services)
    try:
        clinic = await engine.clinic(grant.clinic_id)
    except ClinicUnavailable:
        await ws.close(POLICY_VIOLATION)
        return
    except Exception as exc:
        if not is_database_outage(exc):
            raise
        log.warning("media stream while the database is unavailable", extra={"event": "call_database_unavailable"})
        await _apologise_and_close(ws, stream_sid, tts, SCHEDULE_DOWN_AT_START)
        return
    stt_factory, fallback_factory = choose_stt(services)
    try:
        stt = await stt_factory()
    except Exception:
        log.exception("speech-to-text unavailable", extra={"event": "stt_unavailable"})
        if fallback_factory is None:
            await _apologise_and_close(ws, stream_sid, tts)
            return
        stt = await fallback_factory()
    info = CallInfo(clinic=clinic, call_sid=call_sid, stream_sid=stream_sid,
                    greeting_prefix=disclosure(clinic.name, bool(clinic.settings.get("records_calls", False))),
                    speech=await speech_context(services, clinic, call_sid))
    session = CallSession(ws, engine, info, stt, tts, config=config, fallback_tts=fallback_tts,
                          stt_factory=stt_factory, fallback_stt_factory=fallback_factory, tts_voice=voice)
    calls: dict[str, CallSession] = services.extras.setdefault(EXTRA_CALLS, {})
    previous = calls.get(call_sid)
    if previous is not None:           # the same call on a new socket: the old one is finished
        previous.end("replaced")
    calls[call_sid] = session
    log.info("call started", extra={"event": "call_started", "clinic_id": clinic.id})
    if previous is None:   # the disclosure opens every call; a resumed socket does not replay it
        try:
            await wiring.consent_store(services).record_disclosure(
                clinic.id, call_sid, records_calls=bool(clinic.settings.get("records_calls", False)))
        except Exception:
            log.exception("consent event not recorded", extra={"event": "consent_failed"})
    try:
        with ws.app.state.call_drain.live_call():      # a SIGTERM waits for it (voice_agent/graceful.py)
            await session.run()
    finally:
        if calls.get(call_sid) is session:
            calls.pop(call_sid, None)
        if "voice_finished_calls" in services.extras:      # tests and the benchmark inspect ended calls
            finished = services.extras["voice_finished_calls"]
            finished.append(session)
            del finished[:-50]
        log.info("call ended", extra={"event": "call_ended", "outcome": session.outcome})


async def _apologise_and_close(ws: WebSocket, stream_sid: str, tts: TextToSpeech,
                               text: str = "I'm sorry, we can't take your call right now. "
                                           "Please try again in a few minutes.") -> None:
    """Speak `text`, then close once Twilio has played it (its mark comes back): closing at once
    would end the call over audio still in Twilio's buffer."""
    try:
        audio = b"".join([c async for c in tts.synthesize(text)])
        for pos in range(0, len(audio), 160):
            await ws.send_text(json.dumps({"event": "media", "streamSid": stream_sid,
                                           "media": {"payload": base64.b64encode(audio[pos:pos + 160]).decode()}}))
        await ws.send_text(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": "apology"}}))
        async with asyncio.timeout(len(audio) / 8000 + 2.0):
            while True:
                message = safe_input.loads(await ws.receive_text())
                if isinstance(message, dict) and message.get("event") in ("mark", "stop"):
                    break
    except Exception:
        pass
    await ws.close(1000)


routes = [WebSocketRoute("/webhooks/twilio/media", media_socket)]

