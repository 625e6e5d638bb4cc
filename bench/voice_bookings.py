"""Simulated phone calls that should end in a booking, per caller voice: the share that book.

Each call is the real app (engine, PostgreSQL, Redis, the embedded recogniser chosen by `--stt`,
the natural voice) served by uvicorn on loopback in this process, and the Twilio simulator as the
caller, at `--speed` times real time (the tests' speed; decoding is not sped up). The caller is a
person with a goal: book with a provider on a day, at a part of the day, for a reason. They speak
their lines in one of the caller-like voices of `bench/asr_set.py` (espeak-ng, flite, hibari, Piper;
through the telephone path, clean or with 15 dB telephone noise), answer "Did you say ...?" with
yes/no, use the keypad menus the assistant offers after a failed answer (pressing the number of
what they want), and key their date of birth and phone number. Like a person, a caller whose day has
no openings (asked for a day a second time, or offered a menu of days without theirs) takes another:
the first day the menu offers, else "the earliest available day" (counted as `other_day`). A call counts as booked when the
clinic's calendar holds the appointment with the right provider for the right patient.
Every call gets a fresh copy of the demo clinic (so no booking takes another's slot).

    .venv/bin/python bench/voice_bookings.py --calls 8 --voices espeak-ng,flite,hibari,piper [--stt combined] [--noisy]

Needs DATABASE_URL / REDIS_URL (a migrated database). Not run by tests.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import re
import socket
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asr_set  # noqa: E402

TOKEN = "bench-twilio-token-0123456789"
PUBLIC = "https://receptionist.bench"
VOICES = {      # one voice per engine, from the report set's choices (asr_set.VOICES)
    "espeak-ng": asr_set.Voice("espeak-ng", "en-us+m2", 150),
    "flite": asr_set.Voice("flite", "slt", 1.0),
    "hibari": asr_set.Voice("hibari", "heart", 1.0),
    "piper": asr_set.Voice("piper", "joe", 1.0),
}
PROVIDERS = ["Raman", "Lee", "Oyelaran", "Nwosu", "Chen"]
# The demo clinic's Dr. Oyelaran takes no new patients and Maria Garcia has never seen her: a goal
# with her cannot be booked (the calendar refuses it after the read-back). Such a draw is replaced
# by the next draw of a provider who can see the patient (the other goals stay as they were).
BOOKABLE = [p for p in PROVIDERS if p != "Oyelaran"]
DAYS = ["next Tuesday", "Wednesday", "Thursday", "next Monday", "Friday"]
PARTS = ["in the morning", "in the afternoon"]
PICKS = ["option one", "the first one", "option two"]
REASONS = ["a checkup", "a physical", "back pain"]
DOB, PHONE = "03041985", "3125550123"          # the demo clinic's Maria Garcia


@dataclasses.dataclass
class Goal:
    provider: str
    day: str
    part: str
    pick: str
    reason: str

    @classmethod
    def pick_for(cls, i: int) -> "Goal":
        r = random.Random(i)
        provider = r.choice(PROVIDERS)
        goal = cls(provider, r.choice(DAYS), r.choice(PARTS), r.choice(PICKS), r.choice(REASONS))
        if provider not in BOOKABLE:
            goal.provider = random.Random(f"provider-{i}").choice(BOOKABLE)
        return goal

    def weekday(self) -> str:
        return self.day.split()[-1]


class Person:
    """Speaks the lines of a goal and copes with confirmations and keypad menus (as in the tests)."""

    def __init__(self, caller, live, voice: asr_set.Voice, condition: str) -> None:
        self.caller, self.live, self.voice, self.condition = caller, live, voice, condition
        self.log: list[str] = []
        self.keyed_menus = 0
        self.guesses = 0
        self.corrections = 0          # the assistant offered another doctor than the one asked for
        self.other_day = 0            # the asked-for day had nothing: took a day the assistant offered

    def heard(self) -> str:
        call = self.live(self.caller.call_sid)
        return call.playbacks[-1].text if call is not None and call.playbacks else ""

    async def reply(self) -> str:
        if await self.caller.wait_for_agent(timeout=30) is None:
            raise TimeoutError("the assistant said nothing")
        text = self.heard()
        self.log.append(f"agent: {text}")
        return text

    async def say(self, text: str) -> None:
        self.log.append(f"caller: {text}")
        audio = await asyncio.to_thread(render, self.voice, text, self.condition)
        await self.caller.say(text, audio=audio)

    async def key(self, digits: str) -> None:
        self.log.append(f"caller keys: {digits}")
        await self.caller.dtmf(digits)

    def menu_key(self, text: str, wants: str | None) -> str | None:
        """The key of the menu item the caller wants ("... Or press 1 for Dr. Raman, 2 for ...")."""
        if not wants or "press" not in text.lower():
            return None
        # labels may hold commas ("Monday, November 30th") and "Dr." (the first version of this
        # pattern stopped at either, so no day or doctor menu was ever pressed)
        menu = dict((label.strip(" ,."), key) for key, label in
                    re.findall(r"(\d) for (.+?)(?=,? \d for|,? or \d for|(?<!dr)\.(?:\s|$))",
                               text.lower().split("press", 1)[1]))
        if not menu:
            return None
        return next((k for label, k in menu.items() if wants.lower() in label.lower()), None)

    async def book(self, goal: Goal) -> bool:
        """React to what the assistant asks until it says the booking is made (or gives up)."""
        text = await self.reply()                                           # the greeting
        last_said, last_wants = "", None
        asked: dict[str, int] = {}
        for _ in range(30):
            low = text.lower()
            if "all set" in low:
                return True
            if text.startswith("Did you say "):
                self.guesses += 1
                heard = text[len("Did you say "):-1].lower()
                yes = heard == last_said.lower() or bool(last_wants and last_wants.lower() in heard)
                await self.say("yes" if yes else "no")
                text = await self.reply()
                continue
            line, wants, keys = None, None, None
            if "how can i help" in low or "which one would you like?" in low and "we have" in low:
                line, wants = f"I'd like to book with Doctor {goal.provider}", goal.provider
            elif "what day" in low or "another day" in low:
                asked["day"] = asked.get("day", 0) + 1
                line, wants = goal.day, goal.weekday()
                if asked["day"] > 1 and (self.menu_key(text, wants) is None or "another day" in low):
                    # a person whose day has nothing (or is not among the days offered) takes another
                    # day: the first one offered on the keypad menu, else the earliest by speech
                    wants, line = None, "the earliest available day"
                    keys = "1" if "press" in low else None
                    self.other_day += 1
            elif "morning or the afternoon" in low:
                line = goal.part
            elif "which one works" in low and goal.provider.lower() not in low:
                line, wants = f"No, I want Doctor {goal.provider}", goal.provider     # the wrong doctor
                self.corrections += 1
            elif "which one works" in low:
                line, keys = goal.pick, ("1" if asked.get("slot", 0) else None)
                asked["slot"] = asked.get("slot", 0) + 1
            elif "date of birth" in low:
                keys = DOB
            elif "phone number" in low:
                keys = PHONE
            elif "first and last name" in low:
                line = "Maria Garcia"
            elif "is this appointment for maria" in low:
                line = "yes"
            elif "reason for the visit" in low:
                line = goal.reason
            elif "shall i book it" in low:
                line = "yes that's right" if goal.provider.lower() in low else "no"
            elif "front desk" in low or "end the call" in low:
                line = "no"
            elif "anything else" in low:
                return False
            key = self.menu_key(text, wants or last_wants)
            if key:
                self.keyed_menus += 1
                await self.key(key)
            elif keys:
                await self.key(keys)
            elif line:
                last_said, last_wants = line, wants
                await self.say(line)
            else:                                  # a question the caller did not expect: say it again
                await self.say(last_said or "I'd like to book an appointment")
            text = await self.reply()
        return False


_rendered: dict[tuple[str, str, str], bytes] = {}


def render(v: asr_set.Voice, text: str, condition: str) -> bytes:
    """The caller's line in the voice, through the telephone path (8 kHz mu-law), padding trimmed."""
    key = (v.id, text, condition)
    if key not in _rendered:
        samples, rate = asr_set.synthesize(v, text)
        ulaw = asr_set.phone_clip(samples, rate, condition, f"booking|{text}|{v.id}")
        _rendered[key] = ulaw[asr_set.PAD_BEFORE // 2:]          # keep 0.25 s lead-in, the 1 s tail
    return _rendered[key]


def available(engine: str) -> bool:
    """asr_set.engine_available, except flite: `flite --version` exits 1 although flite is there."""
    import shutil
    return bool(shutil.which("flite")) if engine == "flite" else asr_set.engine_available(engine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run(args: argparse.Namespace) -> dict:
    import uvicorn

    from channels.voice.call import VoiceConfig
    from channels.voice.kit import VoiceKit
    from channels.voice.simulator import SimulatedCaller
    from storage.clinic_import import import_clinic
    from storage.db import open_pool
    from storage.redis_client import open_redis
    from voice_agent.app import create_app, warm_up
    from voice_agent.clinic_file import validate_clinic_file
    from voice_agent.services import Services
    from voice_agent.web.apikeys import generate_api_key, hash_api_key
    from voice_agent.web.settings import load_settings

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = dataclasses.replace(load_settings(), twilio_auth_token=TOKEN, public_base_url=PUBLIC,
                                   deepgram_api_key=None, elevenlabs_api_key=None, embedded_stt=args.stt)
    pool = await open_pool(settings.database_url, min_size=2, max_size=10)
    redis = open_redis(settings.redis_url)
    voice = VoiceKit.from_settings(settings, config=VoiceConfig(playback_rate=args.speed, silence_seconds=30.0,
                                                                key_pause_seconds=0.5))
    services = Services.build(settings, pool, redis, voice=voice)
    await warm_up(services)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, services), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off", ws="websockets-sansio"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    base = json.loads((ROOT / "fixtures" / "demo_clinic.json").read_text())
    rows: list[dict] = []
    try:
        for engine in args.voices.split(","):
            v = VOICES[engine]
            if not available(engine):
                print(json.dumps({"voice": engine, "skipped": "not installed"}), flush=True)
                continue
            for i in range(args.calls):
                data = dict(base, slug=f"bench-{uuid.uuid4().hex[:8]}", phone=await unused_phone(pool))
                clinic, problems = validate_clinic_file(data)
                assert not problems, problems
                clinic_id = await import_clinic(pool, clinic, hash_api_key(generate_api_key("test")))
                goal = Goal.pick_for(i)
                condition = "noisy" if args.noisy and i % 2 else "clean"
                caller = SimulatedCaller(url, auth_token=TOKEN, public_url=PUBLIC, clinic_phone=data["phone"],
                                         speed=args.speed)
                person = Person(caller, voice.calls.get, v, condition)
                t0 = time.monotonic()
                ok, error = False, ""
                try:
                    await caller.dial()
                    await caller.connect()
                    ok = await person.book(goal)
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
                finally:
                    with contextlib.suppress(Exception):
                        await caller.hangup()
                booked = await booked_with(pool, clinic_id, goal.provider)
                row = {"voice": engine, "condition": condition, "call": i, "goal": dataclasses.asdict(goal),
                       "booked": booked, "completed_dialogue": ok, "keyed_menus": person.keyed_menus,
                       "guesses": person.guesses, "corrections": person.corrections,
                       "other_day": person.other_day, "seconds": round(time.monotonic() - t0, 1), "error": error}
                if not booked:
                    row["log"] = person.log
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 5)
        await asyncio.to_thread(voice.decoder_pool.shutdown)
        await pool.close()
        await redis.aclose()
    summary = {"stt": args.stt, "speed": args.speed, "calls": len(rows), "booked": sum(r["booked"] for r in rows),
               "by_voice": {e: f"{sum(r['booked'] for r in rows if r['voice'] == e)}/{sum(r['voice'] == e for r in rows)}"
                            for e in dict.fromkeys(r["voice"] for r in rows)},
               "keyed_menus": sum(r["keyed_menus"] for r in rows), "guesses": sum(r["guesses"] for r in rows),
               "other_day": sum(r["other_day"] for r in rows),
               "loadavg": [round(x, 2) for x in os.getloadavg()],
               "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    print(json.dumps(summary), flush=True)
    return summary


async def unused_phone(pool) -> str:
    """A clinic number no clinic of this database has (a bare random pick collided after ~80 runs)."""
    async with pool.connection() as conn:
        for _ in range(100):
            phone = "+1312557" + f"{random.randint(0, 9999):04d}"
            cur = await conn.execute("SELECT 1 FROM clinics WHERE phone = %s", (phone,))
            if await cur.fetchone() is None:
                return phone
    raise RuntimeError("no free bench phone number: drop the old bench clinics")


async def booked_with(pool, clinic_id, provider: str) -> bool:
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT 1 FROM appointments a JOIN providers p ON p.id = a.provider_id
               JOIN patients pt ON pt.id = a.patient_id
               WHERE a.clinic_id = %s AND a.booked_via <> 'import' AND p.last_name = %s
                 AND pt.last_name = 'Garcia'""", (clinic_id, provider))
        return await cur.fetchone() is not None


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=8, help="calls per voice")
    ap.add_argument("--voices", default="espeak-ng,flite,hibari,piper")
    ap.add_argument("--stt", choices=["combined", "grammar"], default="combined")
    ap.add_argument("--speed", type=float, default=16.0, help="playback speed (the tests' 16)")
    ap.add_argument("--noisy", action="store_true", help="every other call with 15 dB telephone noise")
    return ap


def main() -> None:
    asyncio.run(run(build_parser().parse_args()))


if __name__ == "__main__":
    main()
