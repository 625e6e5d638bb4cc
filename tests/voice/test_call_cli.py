"""`voice-agent call` against a live server: the printed transcript, and a rough transcription of
the agent that must not hold up the caller (it used to stall the caller's audio for seconds, long
enough for the server's silence reprompt to talk over the caller's first line)."""
from __future__ import annotations

import pytest

import re

from channels.voice import call_cli
from channels.voice.call import VoiceConfig
from voice_agent.cli import _parser
from tests.voice.conftest import PUBLIC, TWILIO_TOKEN


pytestmark = pytest.mark.serial        # times what a caller/browser sees: run alone (scripts/test)


async def test_call_command_prints_each_turn_and_transcribing_does_not_stall_the_caller(voice_rig, tmp_path):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=1.5))
    wav = tmp_path / "call.wav"
    args = _parser().parse_args(["call", "--url", rig.url, "--clinic-phone", rig.phone, "--transcribe",
                                      "--speed", "16", "--save-audio", str(wav),
                                      "I'd like to book with Doctor Raman", "next Tuesday"])
    printed: list[str] = []
    assert await call_cli.run_call(args, TWILIO_TOKEN, PUBLIC, say=printed.append) == 0
    agent = [line for line in printed if "] agent: " in line]
    assert len(agent) == 3, printed                       # the greeting, then one reply per line
    assert all(re.search(r"\(\d+\.\d s\)", line) for line in agent), agent
    assert not any("[interrupted]" in line for line in printed), printed
    latencies = [float(m) for m in re.findall(r"reply began (-?\d+\.\d+)s after", "\n".join(printed))]
    assert len(latencies) == 2 and all(v > 0 for v in latencies), printed
    call = rig.ended[-1]
    assert "reprompt" not in [e[1] for e in call.events], call.events     # no "Sorry, I didn't hear anything"
    assert printed[-1].startswith("turns: 2, reply latency median")
    assert wav.stat().st_size > 44 + 8000 * 4 * 2          # both sides, a couple of seconds at least


def test_call_goes_to_the_server_the_host_and_port_settings_describe(monkeypatch, settings):
    import dataclasses
    seen: list[str] = []

    async def fake_run(args, token, public_url, **kw):
        seen.append(args.url)
        return 0
    monkeypatch.setattr(call_cli, "run_call", fake_run)
    for host, port, want in [("127.0.0.1", 8123, "http://127.0.0.1:8123"), ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
                             ("::1", 8000, "http://[::1]:8000")]:
        configured = dataclasses.replace(settings, host=host, port=port)
        assert call_cli.main(_parser().parse_args(["call", "hello"]), configured) == 0
        assert seen[-1] == want
    assert call_cli.main(_parser().parse_args(["call", "--url", "http://10.0.0.5:1", "hi"]), settings) == 0
    assert seen[-1] == "http://10.0.0.5:1"
