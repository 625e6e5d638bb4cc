"""The example call printed in docs/voice.md, run as printed (against the test's server, at test
speed) on the embedded defaults: it must book."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from channels.voice import call_cli
from channels.voice.call import VoiceConfig
from voice_agent.cli import _parser
from tests.voice.conftest import PUBLIC, TWILIO_TOKEN

DOC = Path(__file__).resolve().parents[2] / "docs" / "voice.md"


def documented_call() -> list[str]:
    """The arguments of the `voice-agent call` line in the simulator section, as printed."""
    text = DOC.read_text()
    block = re.search(r"## The simulator\n+```\n(.*?)```", text, re.S).group(1)
    line = next(part for part in block.replace("\\\n", " ").splitlines() if part.startswith("voice-agent call"))
    return shlex.split(line)[1:]


async def test_the_documented_call_books(voice_rig, tmp_path, monkeypatch):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0, key_pause_seconds=0.5))
    monkeypatch.chdir(tmp_path)                        # --save-audio call.wav lands here
    args = _parser().parse_args([*documented_call(), "--url", rig.url, "--clinic-phone", rig.phone,
                                 "--speed", "16"])
    printed: list[str] = []
    assert await call_cli.run_call(args, TWILIO_TOKEN, PUBLIC, say=printed.append) == 0
    transcript = "\n".join(printed)
    rows = await rig.appointments()
    assert len(rows) == 1, transcript
    assert rows[0]["provider"] == "Raman" and rows[0]["last_name"] == "Garcia", transcript
    assert (tmp_path / "call.wav").stat().st_size > 44
    said = [p.text for p in rig.services.voice.finished[-1].playbacks]
    assert any("Is this appointment for Maria?" in line for line in said), said      # identified by keypad

