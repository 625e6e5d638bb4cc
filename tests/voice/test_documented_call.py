"""The example call printed in docs/voice.md, run as printed (against the test's server, at test
speed) on the embedded defaults: it must book."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from channels.voice import call_cli
from channels.voice.call import VoiceConfig
from voice_agent.cli import _parser
from tests.conftest import demo_clinic_data
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
    said = [p.text for p in (await rig.last_ended()).playbacks]
    assert any("Is this appointment for Maria?" in line for line in said), said      # identified by keypad
    assert rig.services.voice.whisper is not None and rig.services.voice.whisper.get() is not None  # heard by both recognisers (the default)



UNCOMMON = [("Agnieszka", "Przybylski", "Family Medicine"), ("Tomasz", "Thorsdottir", "Cardiology"),
            ("Ife", "Oyelaran-Adeyemi", "Dermatology"), ("Kenji", "Nakashima", "Pediatrics"), ("Bo", "Ng", "Orthopedics")]


def _uncommon_roster() -> list[dict]:
    data = demo_clinic_data()
    return [{**p, "first_name": first, "last_name": last, "specialty": specialty}
            for p, (first, last, specialty) in zip(data["providers"], UNCOMMON)]


class Person:
    """A caller who speaks first and, as people do, answers "Did you say …?" and uses the keypad
    when the assistant offers numbered choices. `wants` names what they are after at each question
    (matched against the menu's labels)."""

    def __init__(self, rig, caller) -> None:
        self.rig, self.caller, self.log = rig, caller, []

    def heard(self) -> str:
        return self.rig.live(self.caller.call_sid).playbacks[-1].text

    async def reply(self) -> str:
        assert await self.caller.wait_for_agent(timeout=30) is not None, self.log
        text = self.heard()
        self.log.append(text)
        return text

    async def answer(self, said: str, wants: str | None = None, tries: int = 3) -> str:
        await self.caller.say(said)
        for _ in range(tries):
            text = await self.reply()
            if text.startswith("Did you say "):
                await self.caller.say("yes" if text[len("Did you say "):-1].lower() == said.lower() else "no")
                continue
            menu = dict((label.strip(" ,."), key) for key, label in
                        re.findall(r"(\d) for ([^,]+?)(?=, \d for| or \d for|\.$)", text))
            if wants and "Or press" in text:
                key = next((k for label, k in menu.items() if wants.lower() in label.lower()), None)
                assert key, (wants, text)
                await self.caller.dtmf(key)
                continue
            return text
        return text


async def test_a_call_to_a_roster_of_uncommon_surnames_books(voice_rig):
    """Plain spoken days and times, a keyed date of birth and phone, and surnames no grammar had:
    speech first, the keypad menus where speech fails — the booking completes."""
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0, key_pause_seconds=0.5),
                          providers=_uncommon_roster(), appointments=[])
    caller = await rig.connected_caller()
    person = Person(rig, caller)
    try:
        await person.reply()                                           # the greeting
        await person.answer("I'd like to book with Doctor Thorsdottir", wants="Thorsdottir")
        await person.answer("next Tuesday", wants="Tuesday")
        await person.answer("in the afternoon")
        await person.answer("option one")
        await caller.dtmf("03041985")
        await person.reply()
        await caller.dtmf("3125550123")
        assert "Is this appointment for Maria?" in await person.reply(), person.log
        await person.answer("yes")
        await person.answer("a checkup")
        text = await person.answer("yes that's right")
        assert "all set" in text.lower(), person.log
    finally:
        await caller.hangup()
    rows = await rig.appointments()
    assert [(r["provider"], r["last_name"]) for r in rows] == [("Thorsdottir", "Garcia")], person.log
