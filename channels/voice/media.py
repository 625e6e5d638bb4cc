"""`/webhooks/twilio/media`: the Media Streams WebSocket (its STT and TTS are chosen once: voice/kit.py).

The socket is accepted, then refused with close code 1008 (policy violation) when the upgrade's
X-Twilio-Signature does not match or the `start` message's stream token is missing, forged,
expired or for another call. Messages before `start` other than `connected` are ignored.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from functools import partial

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from channels.voice.deps import VoiceDeps
from channels.voice.apologies import SCHEDULE_DOWN_AT_START, is_database_outage
from channels.voice.call import CallInfo
from channels.voice.ports import SpeechContext, TextToSpeech
from channels.voice.speech.grammar import Provider
from channels.voice.transfer_call import ReturnedCall, session_kind
from channels.voice.security import TokenError, check_stream_token, media_stream_url, upgrade_signature_ok
from dialogue.engine import ClinicUnavailable, Engine
from safety.consent import disclosure
from voice_agent.web import safe_input

log = logging.getLogger("channels.voice.media")
POLICY_VIOLATION = 1008


async def speech_context(engine: Engine, clinic, call_sid: str) -> SpeechContext:
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


async def media_socket(deps: VoiceDeps, ws: WebSocket) -> None:
    settings, kit = deps.settings, deps.kit
    config = kit.config
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
    engine = deps.engine
    tts, fallback_tts, voice = kit.tts, kit.fallback_tts, kit.tts_voice
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
    stt_factory, fallback_factory = kit.stt, kit.fallback_stt
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
                    speech=await speech_context(engine, clinic, call_sid))
    kind, extra = await session_kind(deps.transfer, clinic.id, call_sid, params)
    session = kind(ws, engine, info, stt, tts, config=config, fallback_tts=fallback_tts, stt_factory=stt_factory,
                   fallback_stt_factory=fallback_factory, tts_voice=voice, **extra)
    calls = kit.calls
    previous = calls.get(call_sid)
    if previous is not None:           # the same call on a new socket: the old one is finished
        previous.end("replaced")
    calls[call_sid] = session
    log.info("call started", extra={"event": "call_started", "clinic_id": clinic.id})
    if previous is None and kind is not ReturnedCall:   # the disclosure opens a call once
        try:
            await deps.disclosures.record_disclosure(
                clinic.id, call_sid, records_calls=bool(clinic.settings.get("records_calls", False)))
        except Exception:
            log.exception("consent event not recorded", extra={"event": "consent_failed"})
    try:
        with deps.drain.live_call():      # a SIGTERM waits for it (voice_agent/graceful.py)
            await session.run()
    finally:
        if calls.get(call_sid) is session:
            calls.pop(call_sid, None)
        kit.call_ended(session)
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


def routes(deps: VoiceDeps) -> list[BaseRoute]:
    return [WebSocketRoute("/webhooks/twilio/media", partial(media_socket, deps))]

