"""Warm transfer to the front desk, end to end: the real server (TWILIO_API_BASE_URL set), the caller
simulator, and the simulator's stand-in for Twilio's REST API playing the desk's phone
(`voice-agent call --front-desk`), all on loopback. The handoff record in PostgreSQL is the judge."""
from __future__ import annotations

import asyncio
import re
import shlex
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from channels.voice import call_cli
from channels.voice.call import VoiceConfig
from channels.voice.security import sign
from channels.voice.standin_legs import DeskPhone
from voice_agent import wiring
from voice_agent.cli import _parser, demo_settings
from voice_agent.web.settings import load_settings
from tests.voice.conftest import PUBLIC, TWILIO_TOKEN, free_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "warm_transfer.md"
ACCOUNT = "AC" + "0" * 32
IDENTIFIED = ["I'd like to book with Doctor Raman", "friday", "in the morning", "option one", "dtmf:03041985",
              "dtmf:3125550123", "yes", "I'd like to speak to someone"]


async def desk_rig(voice_rig, **kw):
    """A server whose Twilio REST client goes to a stand-in address; the stand-in is started by the call."""
    api = f"http://127.0.0.1:{free_port()}"
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0, key_pause_seconds=0.5),
                          settings_overrides={"twilio_account_sid": ACCOUNT, "twilio_api_base_url": api}, **kw)
    return rig, api


async def call(rig, api: str, lines: list[str], mode: str, desk: DeskPhone | None = None) -> list[str]:
    args = _parser().parse_args(["call", *lines, "--url", rig.url, "--clinic-phone", rig.phone, "--speed", "16",
                                 "--front-desk", mode, "--twilio-api-url", api])
    printed: list[str] = []
    assert await call_cli.run_call(args, TWILIO_TOKEN, PUBLIC, say=printed.append, desk=desk) == 0, printed
    return printed


async def handoff(rig) -> dict:
    async with rig.services.pool.connection() as conn:
        cur = await conn.execute(
            """SELECT id::text, status, transfer_outcome, transfer_message, desk_call_sid, conference_name, call_sid,
                      summary, callback_number FROM handoffs WHERE clinic_id = %s ORDER BY created_at DESC LIMIT 1""", (rig.clinic.id,))
        row = await cur.fetchone()
    assert row is not None, "no handoff recorded"
    return row


def heard(printed: list[str], who: str) -> list[str]:
    return [line.split("] ", 1)[1] for line in printed if line.startswith(f"[{who} hears]")]


async def test_a_call_transfers_warmly_with_a_whisper_that_names_the_caller_and_never_reads_numbers(voice_rig):
    rig, api = await desk_rig(voice_rig)
    printed = await call(rig, api, IDENTIFIED, "answer")
    transcript = "\n".join(printed)
    whisper = " ".join(heard(printed, "front desk"))
    assert "Maria Garcia" in whisper and "book an appointment" in whisper, transcript
    assert "record was found and confirmed" in whisper and "Nothing was booked yet" in whisper, transcript
    assert "Handed over because" in whisper and "Press 1 to take the call" in whisper, transcript
    for secret in ("3125550123", "312", "555", "0123", "1985", "03041985", "March"):
        assert secret not in whisper, (secret, whisper)
    assert "Connecting you to the front desk now." in heard(printed, "caller"), transcript
    assert "the caller is talking with the front desk" in transcript, transcript
    record = await handoff(rig)
    assert record["status"] == "connected" and record["transfer_outcome"] == "answered", record
    assert record["conference_name"].startswith("desk-") and rig.services.settings.secret_key[:8] \
        not in record["conference_name"]
    assert record["desk_call_sid"].startswith("CA")


@pytest.mark.parametrize("mode, outcome", [("no-answer", "no-answer"), ("decline", "declined")])
async def test_a_transfer_nobody_takes_brings_the_caller_back_to_the_assistant_who_takes_a_message(
        voice_rig, mode, outcome):
    rig, api = await desk_rig(voice_rig, settings={"front_desk_phone": "+13125550101", "transfer_ring_seconds": 8})
    printed = await call(rig, api, ["I'd like to speak to someone", "dtmf:1"], mode)      # 1: yes, call me back
    transcript = "\n".join(printed)
    assert "[twilio] the caller is back on a media stream with the assistant" in transcript, transcript
    record = await handoff(rig)
    assert record["status"] == "missed" and record["transfer_outcome"] == outcome, (record, transcript)
    assert record["transfer_message"] == "The caller asked to be called back.", (record, transcript)
    assert "Message left after the transfer was missed" in record["summary"]
    assert record["callback_number"] == "+13125550199"           # the caller ID: whom the desk calls back
    said = [p.text for p in rig.ended[-1].playbacks]
    assert any("call you back" in s for s in said) and "call you back" in said[-1], said
    # the caller answered the assistant at once, not after a silence reprompt (a desk declining at
    # once sent the caller back before the test caller looked, and it waited a minute to answer)
    assert not any("didn't hear anything" in s for s in said), transcript
    if mode == "no-answer":
        assert not heard(printed, "front desk"), transcript          # it only rang


async def test_forged_and_replayed_status_callbacks_are_refused_and_change_nothing(voice_rig):
    rig, api = await desk_rig(voice_rig)
    desks: list = []

    async def remember(standin) -> None:
        desks.append(standin)
    await call(rig, api, ["I'd like to speak to someone"], "answer", DeskPhone("answer", before_press=remember))
    record = await handoff(rig)
    assert record["status"] == "connected", record
    standin = desks[0]
    status_url, form, signature = next(c for c in standin.callbacks if "/transfer/desk-status" in c[0])
    local = rig.url + status_url[len(PUBLIC):]
    async with httpx.AsyncClient() as client:
        replay = await client.post(local, data=form, headers={"X-Twilio-Signature": signature})
        assert replay.status_code == 403 and replay.json()["error"]["code"] == "replayed_callback", replay.text
        missed = {**form, "CallStatus": "no-answer"}
        forged = await client.post(local, data=missed, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
        assert forged.status_code == 403
        choice = status_url.replace("/desk-status", "/choice")
        declined = {**form, "Digits": "2"}
        forged = await client.post(rig.url + choice[len(PUBLIC):], data=declined,
                                   headers={"X-Twilio-Signature": sign("wrong-token", choice, declined)})
        assert forged.status_code == 403
        stale = {**missed, "Timestamp": "Mon, 01 Mar 2027 09:00:00 +0000"}
        old = await client.post(local, data=stale, headers={"X-Twilio-Signature": sign(TWILIO_TOKEN, status_url,
                                                                                         stale)})
        assert old.status_code == 403 and old.json()["error"]["code"] == "stale_callback"
        other = await voice_rig()                            # another clinic's id on a genuine signature
        elsewhere = choice.replace(f"c={rig.clinic.id}", f"c={other.clinic.id}")
        answer = await client.post(rig.url + elsewhere[len(PUBLIC):], data=declined,
                                   headers={"X-Twilio-Signature": sign(TWILIO_TOKEN, elsewhere, declined)})
        assert answer.status_code == 200 and "the caller has left" in answer.text
        nameless = status_url.split("?")[0]
        missing = await client.post(rig.url + nameless[len(PUBLIC):], data=missed,
                                    headers={"X-Twilio-Signature": sign(TWILIO_TOKEN, nameless, missed)})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert await handoff(rig) == record


async def test_a_desk_that_answers_after_the_caller_hung_up_hears_that_the_caller_has_left(voice_rig):
    rig, api = await desk_rig(voice_rig)

    async def caller_hangs_up_first(standin) -> None:
        for _ in range(200):                       # once they are on hold
            if standin.caller_leg.conference is not None:
                break
            await asyncio.sleep(0.02)
        await standin.hangup_caller()
        await asyncio.sleep(0.3)
    printed = await call(rig, api, ["I'd like to speak to someone"], "answer",
                         DeskPhone("answer", before_press=caller_hangs_up_first))
    assert heard(printed, "front desk")[-1] == "Sorry, the caller has left. Goodbye.", printed
    record = await handoff(rig)
    assert record["status"] == "missed" and record["transfer_outcome"] == "caller-left", record


async def test_after_hours_the_front_desk_is_not_rung(voice_rig):
    saturday_night = datetime.fromisoformat("2027-03-06T22:00:00-06:00")
    rig, api = await desk_rig(voice_rig, now=saturday_night)
    printed = await call(rig, api, ["I'd like to speak to someone"], "answer")
    transcript = "\n".join(printed)
    assert "dialling the front desk" not in transcript and not heard(printed, "front desk"), transcript
    async with rig.services.pool.connection() as conn:
        cur = await conn.execute("SELECT status, desk_call_sid FROM handoffs WHERE clinic_id = %s", (rig.clinic.id,))
        rows = await cur.fetchall()
    assert all(r["status"] == "open" and r["desk_call_sid"] is None for r in rows), rows


def documented_commands() -> list[list[str]]:
    """Every `voice-agent call … --front-desk` line printed in docs/warm_transfer.md."""
    lines = [line for line in DOC.read_text().replace("\\\n", " ").splitlines()
             if line.startswith("TWILIO_API_BASE_URL=") and " voice-agent call " in line]
    return [shlex.split(line[line.index("voice-agent call"):])[1:] for line in lines]


async def test_the_documented_front_desk_calls_run_as_printed(voice_rig):
    commands = documented_commands()
    assert {c[c.index("--front-desk") + 1] for c in commands} == {"answer", "no-answer"}, commands
    # the server line's settings send the Twilio REST client to where the calls' stand-in listens
    server = next(line for line in DOC.read_text().splitlines() if line.endswith("./scripts/demo &"))
    env = dict(word.split("=", 1) for word in shlex.split(server)[:-2])
    settings = demo_settings(load_settings(env, env_file=None))
    assert settings.twilio_api_base_url == "http://127.0.0.1:8765" and wiring.twilio_client(settings) is not None
    assert all(re.search(r"^TWILIO_API_BASE_URL=http://127\.0\.0\.1:8765 voice-agent call ", line)
               for line in DOC.read_text().splitlines() if " voice-agent call \"" in line)
    for command in commands:
        rig, api = await desk_rig(voice_rig)
        args = _parser().parse_args([*command, "--url", rig.url, "--clinic-phone", rig.phone, "--speed", "16",
                                     "--twilio-api-url", api])
        printed: list[str] = []
        assert await call_cli.run_call(args, TWILIO_TOKEN, PUBLIC, say=printed.append) == 0
        record = await handoff(rig)
        want = "connected" if args.front_desk == "answer" else "missed"
        assert record["status"] == want, printed
        assert any(line.startswith("[front desk hears]") for line in printed) == (args.front_desk == "answer")


async def test_a_crisis_rings_the_desk_at_once_and_moves_the_caller_only_after_911_and_988_were_heard(voice_rig):
    from safety.crisis import Severity
    from safety.crisis_replies import SUICIDE
    from safety.pipeline import SafetyPipeline
    from tests.channels.test_help_lines_by_channel import ForcedDetector
    from tests.safety.test_help_lines import Forced

    rig, api = await desk_rig(voice_rig)
    detector = ForcedDetector()
    detector.next = Forced(Severity.CRITICAL, SUICIDE, "en", [SUICIDE])
    rig.services.engine.safety.inner = SafetyPipeline(crisis=detector)
    while_speaking: list[bool] = []

    async def press(standin) -> None:           # the desk answered: is the caller still hearing the reply?
        while_speaking.append(not standin.caller.redirected)
    # (the detector is forced: any words the recogniser hears make this turn a critical crisis)
    printed = await call(rig, api, ["I'd like to book with Doctor Raman"], "answer",
                         DeskPhone("answer", before_press=press))
    assert while_speaking == [True], printed                 # rung at once, not after the reply
    first = next(s for s in rig.ended if type(s).__name__ == "TransferringCall")
    reply = first.playbacks[-1]
    assert "9 1 1" in reply.text and "9 8 8" in reply.text, reply.text
    assert reply.finished and not reply.interrupted and reply.heard == reply.text    # heard to its end first
    assert "Connecting you to the front desk now." in heard(printed, "caller"), printed
    assert (await handoff(rig))["status"] == "connected"
