"""Goal-driven simulated patients over the chat API, end states checked in PostgreSQL (issue 16).

Black box: the runner knows only the documented surface — the `voice-agent` CLI, `POST /api/v1/chat`
(its `message`, `state`, `collected_data`, `available_slots`) and the tables in migrations/. It:

1. checks the suite's fingerprint against bench/goals/FROZEN (it refuses to report when the goals or
   clinic files changed);
2. makes a fresh database (unless --database-url/--base-url are given), migrates it and imports the three
   clinics with `voice-agent clinic import`, seeding the appointments that cancel / reschedule / check
   goals act on, dated relative to the day of the run;
3. serves the app with `voice-agent serve` (unless --base-url);
4. plays each goal as a scripted patient that answers from its goal and the API's `state`, at most
   --max-turns messages;
5. checks the end state in PostgreSQL and prints task success, success per kind, median turns per
   booking and every failure with its transcript.

    .venv/bin/python bench/goals/run.py                # the whole suite on a fresh database
    .venv/bin/python bench/goals/run.py --ci           # the `ci: true` half
    .venv/bin/python bench/goals/run.py --write        # also append a dated table to docs/benchmarks/goals.md
    .venv/bin/python bench/goals/run.py --only cancel  # goals whose id starts with this (development)
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx
import psycopg
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLINIC_KEYS = ("maple", "riverside", "harbor")
DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
BOOKING_KINDS = {"book_provider", "book_specialty", "book_earliest", "book_constraint", "book_typo",
                 "book_correction", "book_first_message", "book_medical", "goodbye"}
TERMINAL = {"booked", "cancelled", "handed_off", "completed", "error"}


# ------------------------------------------------------------------ the frozen suite
def suite_files(root: Path = HERE) -> list[Path]:
    return [root / "goals.yaml"] + sorted((root / "clinics").glob("*.json"))


def fingerprint(root: Path = HERE) -> str:
    """SHA-256 over the goals and the clinic files (names and contents)."""
    h = hashlib.sha256()
    for path in suite_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return h.hexdigest()


def is_frozen(root: Path = HERE) -> bool:
    """True when the goals and clinic files are exactly the ones FROZEN records."""
    return frozen_fingerprint(root) == fingerprint(root)


def frozen_fingerprint(root: Path = HERE) -> str | None:
    path = root / "FROZEN"
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("sha256 "):
            return line.split()[1]
    return None


def load_goals() -> list[dict[str, Any]]:
    return yaml.safe_load((HERE / "goals.yaml").read_text())["goals"]


def load_clinics() -> dict[str, dict[str, Any]]:
    return {k: json.loads((HERE / "clinics" / f"{k}.json").read_text()) for k in CLINIC_KEYS}


# ------------------------------------------------------------------ calendar helpers
def hm(s: str) -> dt.time:
    return dt.time.fromisoformat(s)


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def works(provider: dict, day: dt.date, start: dt.time | None = None, duration: int | None = None) -> bool:
    intervals = provider["schedule"].get(DAY_KEYS[day.weekday()], [])
    if start is None:
        return bool(intervals)
    dur = duration or provider["default_appointment_duration"]
    return any(minutes(hm(a)) <= minutes(start) and minutes(start) + dur <= minutes(hm(b)) for a, b in intervals)


def provider_by_last(clinic: dict, last: str) -> dict:
    return next(p for p in clinic["providers"] if p["last_name"].lower() == last.lower())


def seed_appointments(goals: list[dict], clinics: dict[str, dict], today: dict[str, dt.date]) -> None:
    """Give each goal's `existing` appointments a concrete date (relative to today) and add them to the
    clinic file to import. Fills g['_existing'] with {provider, start (aware datetime)}."""
    taken: set[tuple[str, str, dt.date, str]] = set()
    for g in goals:
        clinic = clinics[g["clinic"]]
        tz = ZoneInfo(clinic["timezone"])
        g["_existing"] = []
        for ex in g.get("existing", []):
            prov = provider_by_last(clinic, ex["provider"])
            at = hm(ex["time"])
            day = today[g["clinic"]] + dt.timedelta(days=ex["in_days"])
            if ex.get("next_week"):
                day = max(day, today[g["clinic"]] + dt.timedelta(days=7 - today[g["clinic"]].weekday()))
            for _ in range(60):
                ok = works(prov, day, at) and (g["clinic"], prov["last_name"], day, ex["time"]) not in taken
                if ex.get("weekday") and DAY_KEYS[day.weekday()] != ex["weekday"]:
                    ok = False
                if ok:
                    break
                day += dt.timedelta(days=1)
            taken.add((g["clinic"], prov["last_name"], day, ex["time"]))
            start = dt.datetime.combine(day, at, tzinfo=tz)
            g["_existing"].append({"provider": prov["last_name"], "start": start})
            clinic.setdefault("appointments", []).append({
                "provider_last_name": prov["last_name"],
                "patient": {k: g["persona"][k] for k in ("first_name", "last_name", "date_of_birth")},
                "start": start.isoformat(), "duration_minutes": prov["default_appointment_duration"],
                "reason": "follow-up"})


# ------------------------------------------------------------------ constraints
def open_days(clinic: dict, providers: list[str] | None, start: dt.date, n: int) -> list[dt.date]:
    provs = [provider_by_last(clinic, p) for p in providers] if providers else clinic["providers"]
    return [start + dt.timedelta(days=i) for i in range(n) if any(works(p, start + dt.timedelta(days=i)) for p in provs)]


def allowed_days(g: dict, clinic: dict, today: dt.date) -> set[dt.date] | None:
    """The days the patient accepts (None: any). A named set of days on which nobody asked for works
    extends to the first day after it that somebody does (a patient takes "the next day you're open")."""
    want = g.get("want") or {}
    spec = want.get("days")
    if not spec:
        return None
    provs = want.get("providers")
    days: list[dt.date] = []
    if "rel" in spec:
        days = [today + dt.timedelta(days=r) for r in spec["rel"]]
    elif "weekday" in spec:
        days = [today + dt.timedelta(days=i) for i in range(0, 15) if DAY_KEYS[(today + dt.timedelta(days=i)).weekday()] in spec["weekday"]]
    elif spec.get("this_week"):
        if today.weekday() >= 5:      # asked on a weekend: the coming week
            days = [today + dt.timedelta(days=i) for i in range(0, 9)]
        else:
            days = [today + dt.timedelta(days=i) for i in range(0, 7 - today.weekday())]
    elif spec.get("next_week"):
        monday = today + dt.timedelta(days=7 - today.weekday())
        days = [monday + dt.timedelta(days=i) for i in range(7)]
    elif "rel_to_existing" in spec or spec.get("same_as_existing"):
        base = g["_existing"][0]["start"].date()
        lo, hi = spec.get("rel_to_existing", [0, 0])
        days = [base + dt.timedelta(days=i) for i in range(lo, hi + 1)]
    elif "within" in spec:
        days = [today + dt.timedelta(days=i) for i in range(0, spec["within"] + 1)]
    if "not_weekdays" in spec:
        if not days:
            days = [today + dt.timedelta(days=i) for i in range(0, spec.get("within", 14) + 1)]
        days = [d for d in days if DAY_KEYS[d.weekday()] not in spec["not_weekdays"]]
    opened = [d for d in days if d in set(open_days(clinic, provs, d, 1))]
    if not opened and days:
        after = open_days(clinic, provs, max(days) + dt.timedelta(days=1), 14)
        days = after[:1]
    return set(days)


def time_ok(want: dict, t: dt.time) -> bool:
    spec = (want or {}).get("time")
    if not spec:
        return True
    m = minutes(t)
    if spec.get("part") == "morning":
        return m < 12 * 60
    if spec.get("part") == "afternoon":
        return 12 * 60 <= m < 18 * 60
    if "after" in spec:
        return m >= minutes(hm(spec["after"]))
    if "before" in spec:
        return m < minutes(hm(spec["before"]))
    if "at" in spec:
        return m == minutes(hm(spec["at"]))
    return True


def provider_ok(want: dict, last_name: str | None) -> bool:
    provs = (want or {}).get("providers")
    return not provs or (last_name or "").lower() in {p.lower() for p in provs}


# ------------------------------------------------------------------ phrases
def fmt_time(t: dt.time) -> str:
    h = t.hour % 12 or 12
    return f"{h}{':%02d' % t.minute if t.minute else ''} {'am' if t.hour < 12 else 'pm'}"


def day_phrase(g: dict) -> str:
    spec = (g.get("want") or {}).get("days") or {}
    if "rel" in spec:
        return {(1,): "tomorrow", (1, 2): "tomorrow or the day after"}.get(tuple(spec["rel"]), "soon")
    if "weekday" in spec:
        return DAY_NAMES[DAY_KEYS.index(spec["weekday"][0])].capitalize()
    if spec.get("this_week"):
        return "this week"
    if spec.get("next_week"):
        return "next week"
    if "not_weekdays" in spec:
        return "any day except " + DAY_NAMES[DAY_KEYS.index(spec["not_weekdays"][0])].capitalize()
    return "as soon as possible"


def time_phrase(g: dict) -> str:
    spec = (g.get("want") or {}).get("time") or {}
    if "part" in spec:
        return spec["part"]
    if "after" in spec:
        return "after " + fmt_time(hm(spec["after"]))
    if "before" in spec:
        return "before " + fmt_time(hm(spec["before"]))
    if "at" in spec:
        return "at " + fmt_time(hm(spec["at"]))
    return "any time"


def wish_phrase(g: dict) -> str:
    """'in the morning on Friday', 'after 3 pm on a day other than Monday', ..."""
    t, d = time_phrase(g), day_phrase(g)
    t = {"any time": "", "morning": "in the morning", "afternoon": "in the afternoon"}.get(t, t)
    if d.capitalize() in [n.capitalize() for n in DAY_NAMES]:
        d = "on " + d
    elif d.startswith("any day except "):
        d = "on a day other than " + d.removeprefix("any day except ")
    elif d == "as soon as possible":
        d = ""
    return " ".join(x for x in (t, d) if x)


def provider_phrase(g: dict, clinic: dict) -> str:
    provs = (g.get("want") or {}).get("providers")
    if not provs:
        return "anyone is fine"
    p = provider_by_last(clinic, provs[0])
    return f"{p.get('title') or ''} {p['first_name']} {p['last_name']}".strip()


# ------------------------------------------------------------------ reading the receptionist
_WD = "|".join(DAY_NAMES)
_MO = "|".join(MONTHS)


def read_back(message: str, clinic: dict, today: dt.date) -> tuple[str | None, dt.date | None, dt.time | None]:
    """Provider last name, date and time named in a read-back ("Dr. Marcus Lee on Wednesday, December 2nd
    at 1:30 PM"). Any part may be None when not found."""
    low = message.lower()
    moved = re.search(r"\bfrom\b.*?\bto\b(.*)", low)   # "move your appointment from <old> to <new> with ..."
    when = moved.group(1) if moved else low
    prov = None
    for p in sorted(clinic["providers"], key=lambda p: -len(p["last_name"])):
        if re.search(rf"\b{p['first_name'].lower()} {p['last_name'].lower()}\b", low):
            prov = p["last_name"]
            break
    if prov is None:
        for p in sorted(clinic["providers"], key=lambda p: -len(p["last_name"])):
            if re.search(rf"\b{p['last_name'].lower()}\b", low):
                prov = p["last_name"]
                break
    day = None
    m = re.search(rf"({_MO})\s+(\d{{1,2}})", when)
    if m:
        month, dom = MONTHS.index(m.group(1)) + 1, int(m.group(2))
        for year in (today.year, today.year + 1):
            try:
                cand = dt.date(year, month, dom)
            except ValueError:
                continue
            if cand >= today - dt.timedelta(days=1):
                day = cand
                break
    t = None
    m = re.search(r"\bat (\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)", when)
    if m:
        h = int(m.group(1)) % 12 + (12 if m.group(3).startswith("p") else 0)
        t = dt.time(h, int(m.group(2) or 0))
    elif re.search(r"\bat noon\b", when):
        t = dt.time(12, 0)
    return prov, day, t


def mentions_appointment(text: str, start: dt.datetime) -> bool:
    low = text.lower()
    h = start.hour % 12 or 12
    clock = rf"\b{h}(:{start.minute:02d})?\s*(a\.?m|p\.?m)" if start.minute == 0 else rf"\b{h}:{start.minute:02d}"
    if start.hour == 12 and start.minute == 0:
        clock = r"(\b12(:00)?\s*p\.?m|noon)"
    named_day = DAY_NAMES[start.weekday()] in low or re.search(rf"{MONTHS[start.month - 1]}\s+{start.day}(st|nd|rd|th)?\b", low)
    return bool(named_day and re.search(clock, low))


# ------------------------------------------------------------------ the scripted patient
@dataclass
class Outcome:
    goal: dict
    transcript: list[tuple[str, str, str]] = field(default_factory=list)  # (patient, receptionist, state)
    states: list[str] = field(default_factory=list)
    turns: int = 0
    turns_to_book: int | None = None
    success: bool = False
    reason: str = ""
    error: str | None = None


class Patient:
    def __init__(self, g: dict, clinic: dict, today: dt.date) -> None:
        self.g, self.clinic, self.today = g, clinic, today
        self.want = dict(g.get("want") or {})
        self.ans = g.get("answers") or {}
        self.says = g["persona"]["says"]
        self.pending = list(g.get("corrections") or [])
        self.opening = [s.format(name=self.says["name"].removeprefix("my name is ").removeprefix("it's "),
                                 dob=self.says["dob"]) for s in g["say"]]
        self.after = list(g.get("after") or [])
        self.asked: dict[str, int] = {}
        self.offered: list[dict] = []
        self.expected_start: str | None = None
        self.force_pick: int | None = None
        self.rejections = 0
        self.fixes = 0
        self.days = allowed_days(g, clinic, today)
        self.done = False
        self.kind = g["kind"]
        self.booking_goal = g["kind"] in BOOKING_KINDS or g["kind"] == "reschedule"

    def count(self, key: str) -> int:
        self.asked[key] = self.asked.get(key, 0) + 1
        return self.asked[key]

    def _correction_for(self, state: str) -> dict | None:
        for c in self.pending:
            at = c["at"]
            states = at.split(":", 1)[1].split(",") if at.startswith("first_of:") else [at]
            if state in states:
                return c
        return None

    def slot_ok(self, slot: dict) -> bool:
        start = dt.datetime.fromisoformat(slot["start"])
        if self.expected_start:
            return dt.datetime.fromisoformat(self.expected_start) == start
        last = next((p["last_name"] for p in self.clinic["providers"]
                     if slot.get("provider_id") and slot.get("provider_name", "").lower().endswith(p["last_name"].lower())), None)
        if last is None:
            last = read_back(slot.get("provider_name", ""), self.clinic, self.today)[0]
        return (provider_ok(self.want, last) and (self.days is None or start.date() in self.days)
                and time_ok(self.want, start.time()))

    def choose(self, slots: list[dict], index: int) -> str:
        slot = slots[index]
        start = dt.datetime.fromisoformat(slot["start"])
        style = (sum(map(ord, self.g["id"])) + self.count("choose")) % 3
        if self.kind == "book_typo" or style == 0:
            return str(index + 1)
        if style == 1:
            return f"option {index + 1} please"
        return f"the {fmt_time(start.time())} on {DAY_NAMES[start.weekday()].capitalize()}"

    def reply(self, state: str, message: str, data: dict, slots: list[dict] | None) -> str | None:
        """The patient's next message, or None to stop."""
        low = message.lower()
        kind = self.kind
        # corrections said at their moment, once each
        corr = self._correction_for(state)
        if corr is not None and "say" in corr:
            self.pending.remove(corr)
            if "then_pick" in corr and self.offered:
                idx = corr["then_pick"] - 1
                if idx < len(self.offered):
                    self.expected_start = self.offered[idx]["start"]
            return corr["say"]
        if state in ("booked",):
            if self.after:
                return self.after.pop(0)
            return None
        if state in ("cancelled", "handed_off", "completed", "error"):
            return None
        if kind in ("info", "out_of_scope", "handoff", "check") and state == "idle":
            if kind == "handoff" and self.count("handoff-retry") == 1:
                return "can I please just talk to a person?"
            return None
        if re.search(r"(connect you|front desk|someone from our|member of our team|speak (with|to) (someone|a person))", low) and "?" in low:
            return "yes please" if kind == "handoff" else "no thanks"
        if kind in ("info", "out_of_scope", "handoff"):
            if self.count("offtrack") == 1:
                return "no, I don't need an appointment, I just had a question" if kind != "handoff" else "I just want to talk to a person"
            return None
        if re.search(r"would you like to (book|schedule)", low) and kind in ("check", "cancel"):
            return "no thanks"
        if kind in ("cancel", "reschedule", "check") and re.search(
                r"which (one|appointment) (would|do) you (like|want) to (cancel|move|reschedule|change)|which appointment", low):
            target = (self.g.get("want") or {}).get("cancel_provider") or self.g["_existing"][0]["provider"]
            p = provider_by_last(self.clinic, target)
            named = f"{p.get('title') or ''} {p['first_name']} {p['last_name']}".strip()
            m = re.search(rf"(\d+)\)\s*[^;]*?\b{p['first_name']} {p['last_name']}\b", message, re.I)
            if m and self.count("which") == 1:
                return m.group(1)
            return f"the one with {named}"
        flow = (data or {}).get("flow")
        if kind == "check" and not (state == "collect_patient_info" or flow == "check"):
            return "no, I don't want to book anything, I just want to know when my appointment is" if self.count("offtrack") == 1 else None
        if kind == "cancel" and (state in ("collect_date", "collect_time", "collect_provider", "collect_reason", "showing_slots")
                                 or flow in ("book", "reschedule")):
            return "no, I want to cancel my appointment" if self.count("offtrack") == 1 else None
        if state == "idle":
            if self.booking_goal and self.count("restart") == 1:
                return self.opening[0]
            return None
        if state == "collect_patient_info":
            parts = []
            if "name" in low:
                parts.append(self.says["name"])
            if "birth" in low:
                parts.append(self.says["dob"])
            if "phone" in low or "number" in low:
                parts.append(self.says["phone"])
            if not parts:
                parts = [self.says["name"], self.says["dob"]]
            key = "info:" + "+".join(parts)
            if self.count(key) > 3:
                return None
            return ", ".join(parts)
        if state == "collect_reason":
            return self.ans.get("reason", "checkup")
        if state == "collect_provider":
            n = self.count("provider")
            if n > 3:
                return None
            if n == 1 and self.ans.get("provider") is None:
                return provider_phrase(self.g, self.clinic)
            return self.ans.get("provider") or provider_phrase(self.g, self.clinic)
        if state == "collect_date":
            n = self.count("date")
            if n > 3:
                return None
            if n == 1:
                return self.ans.get("day") or day_phrase(self.g)
            if n == 2:
                return self.ans.get("day2") or f"what's the next day you have {time_phrase(self.g)}?".replace(" any time", "")
            return "any day that week is fine"
        if state == "collect_time":
            n = self.count("time")
            if n > 3:
                return None
            return self.ans.get("time") or time_phrase(self.g)
        if state == "showing_slots" and slots:
            self.offered = slots
            if corr is not None and "pick" in corr:
                self.pending.remove(corr)
                return self.choose(slots, min(corr["pick"], len(slots)) - 1)
            if any("confirm_booking" in c["at"] and "say" in c for c in self.pending):
                return self.choose(slots, 0)       # the patient corrects this at the read-back
            good = [i for i, s in enumerate(slots) if self.slot_ok(s)]
            if self.want.get("earliest") and good:
                good.sort(key=lambda i: slots[i]["start"])
            if good:
                return self.choose(slots, good[0])
            self.rejections += 1
            if self.rejections > 3:
                return None
            offered_provs = {read_back(s.get("provider_name", ""), self.clinic, self.today)[0] for s in slots}
            if self.want.get("providers") and not any(provider_ok(self.want, p) for p in offered_provs):
                return f"no, I wanted {self.ans.get('provider') or provider_phrase(self.g, self.clinic)}"
            wish = wish_phrase(self.g)
            if self.expected_start:
                wish = "at " + fmt_time(dt.datetime.fromisoformat(self.expected_start).time())
            return f"none of those work for me. Do you have anything {wish or 'else'}?"
        if state == "confirm_booking":
            flow = (data or {}).get("flow")
            if kind == "cancel" or flow == "cancel":
                if kind != "cancel":
                    return "no, I don't want to cancel anything"
                target = self.g.get("want", {}).get("cancel_provider") or self.g["_existing"][0]["provider"]
                prov, _, _ = read_back(message, self.clinic, self.today)
                if prov is None or prov.lower() == target.lower() or self.count("cancel-no") > 1:
                    return self.ans.get("confirm", "yes")
                p = provider_by_last(self.clinic, target)
                return f"no, the one with {p.get('title') or ''} {p['first_name']} {p['last_name']}"
            if not self.booking_goal:
                return "no"
            prov, day, t = read_back(message, self.clinic, self.today)
            problems = []
            if prov is not None and not provider_ok(self.want, prov):
                problems.append("provider")
            if day is not None and self.days is not None and day not in self.days:
                problems.append("day")
            if t is not None and not time_ok(self.want, t):
                problems.append("time")
            if self.expected_start and t is not None and dt.datetime.fromisoformat(self.expected_start).time() != t:
                problems.append("slot")
            if not problems or self.fixes >= 2:
                return self.ans.get("confirm", "yes")
            self.fixes += 1
            if "provider" in problems:
                return f"no, I wanted {provider_phrase(self.g, self.clinic)}"
            if "slot" in problems:
                return f"no, the {fmt_time(dt.datetime.fromisoformat(self.expected_start).time())} one"
            return f"no, I need something {wish_phrase(self.g)}"
        if state == "searching":
            return "ok"
        if "?" in low and self.count("generic") <= 2:
            return self.ans.get("confirm", "yes")
        return None


def play(base_url: str, headers: dict, g: dict, clinic: dict, today: dt.date, max_turns: int,
         client: httpx.Client) -> Outcome:
    out = Outcome(goal=g)
    patient = Patient(g, clinic, today)
    queue = list(patient.opening)
    session_id = None
    message: str | None = queue.pop(0)
    booked_at = None
    while message is not None and out.turns < max_turns:
        out.turns += 1
        for attempt in range(3):
            try:
                r = client.post(f"{base_url}/api/v1/chat", json={"message": message, "session_id": session_id},
                                headers=headers, timeout=60)
                if r.status_code in (429, 503):
                    time.sleep(float(r.headers.get("Retry-After", "1")))
                    continue
                break
            except httpx.HTTPError as exc:  # pragma: no cover - network trouble is reported, not hidden
                out.error = f"{type(exc).__name__}: {exc}"
                time.sleep(0.5)
        else:
            out.error = out.error or f"HTTP {r.status_code}"
            break
        if r.status_code != 200:
            out.error = f"HTTP {r.status_code}: {r.text[:200]}"
            out.transcript.append((message, r.text[:200], "http-error"))
            break
        body = r.json()
        session_id = body.get("session_id")
        state = body.get("state") or ""
        out.transcript.append((message, body.get("message") or "", state))
        out.states.append(state)
        if state == "booked" and booked_at is None:
            booked_at = out.turns
        if queue:
            message = queue.pop(0)
            continue
        message = patient.reply(state, body.get("message") or "", body.get("collected_data") or {},
                                body.get("available_slots"))
    out.turns_to_book = booked_at
    return out


# ------------------------------------------------------------------ end states in PostgreSQL
SNAPSHOT_SQL = """
SELECT a.id::text, a.status::text, a.scheduled_start, p.last_name AS provider, pt.last_name AS patient_last,
       pt.first_name AS patient_first, pt.date_of_birth
  FROM appointments a JOIN providers p ON p.id = a.provider_id JOIN patients pt ON pt.id = a.patient_id
 WHERE a.clinic_id = %s AND NOT a.is_deleted"""


def snapshot(conn: psycopg.Connection, clinic_id: str) -> dict[str, dict]:
    rows = conn.execute(SNAPSHOT_SQL, (clinic_id,)).fetchall()
    cols = ("id", "status", "start", "provider", "patient_last", "patient_first", "dob")
    return {r[0]: dict(zip(cols, r)) for r in rows}


def is_persona(row: dict, persona: dict) -> bool:
    return (row["patient_last"].lower() == persona["last_name"].lower()
            and str(row["dob"]) == persona["date_of_birth"])


def judge(out: Outcome, before: dict[str, dict], after: dict[str, dict], clinic: dict, today: dt.date) -> None:
    g = out.goal
    tz = ZoneInfo(clinic["timezone"])
    live = lambda row: row["status"] != "CANCELLED"  # noqa: E731
    new = [after[i] for i in after if i not in before]
    changed = [after[i] for i in after if i in before and (after[i]["status"] != before[i]["status"]
                                                          or after[i]["start"] != before[i]["start"])]
    unchanged = not new and not changed
    kind = g["kind"]
    want = g.get("want") or {}
    days = allowed_days(g, clinic, today)
    replies = " \n".join(t[1] for t in out.transcript)

    def slot_ok(row: dict) -> str | None:
        start = row["start"].astimezone(tz)
        if not provider_ok(want, row["provider"]):
            return f"provider {row['provider']} not in {want.get('providers')}"
        if days is not None and start.date() not in days:
            return f"day {start.date()} ({DAY_NAMES[start.weekday()]}) not among the wanted days"
        if not time_ok(want, start.time()):
            return f"time {start.time()} not {want.get('time')}"
        return None

    def result(ok: bool, reason: str = "") -> None:
        out.success, out.reason = ok, ("ok" if ok else reason)

    if out.error:
        return result(False, f"error: {out.error}")
    if kind in BOOKING_KINDS:
        mine = [r for r in new if live(r)]
        if changed:
            return result(False, f"an existing appointment changed: {[(c['provider'], c['status']) for c in changed]}")
        if len(mine) != 1:
            return result(False, f"{len(mine)} new appointments (wanted 1); last state {out.states[-1:] or ['-']}")
        row = mine[0]
        if not is_persona(row, g["persona"]):
            return result(False, f"booked for {row['patient_first']} {row['patient_last']} {row['dob']}, not the patient")
        bad = slot_ok(row)
        if bad:
            return result(False, "booked, but " + bad)
        return result(True)
    if kind == "cancel":
        target_prov = want.get("cancel_provider") or g["_existing"][0]["provider"]
        target = next(e for e in g["_existing"] if e["provider"] == target_prov)
        rows = [r for r in after.values() if is_persona(r, g["persona"])]
        t_rows = [r for r in rows if r["provider"] == target_prov and r["start"] == target["start"]]
        if new:
            return result(False, f"{len(new)} new appointment(s) made")
        if not t_rows or t_rows[0]["status"] != "CANCELLED":
            return result(False, f"the appointment with {target_prov} is still {t_rows[0]['status'] if t_rows else '?'}")
        others = [r for r in changed if r["id"] != t_rows[0]["id"]]
        if others:
            return result(False, f"other appointments changed too: {[(o['provider'], o['status']) for o in others]}")
        return result(True)
    if kind == "reschedule":
        old = g["_existing"][0]
        rows = [r for r in after.values() if is_persona(r, g["persona"]) and live(r)]
        still = [r for r in rows if r["start"] == old["start"] and r["provider"] == old["provider"]]
        moved = [r for r in rows if not (r["start"] == old["start"] and r["provider"] == old["provider"])]
        if still:
            return result(False, f"the old appointment is still live; {len(moved)} other live; last state {out.states[-1:] or ['-']}")
        if len(moved) != 1:
            return result(False, f"{len(moved)} live appointments after the move (wanted 1)")
        bad = slot_ok(moved[0])
        if bad:
            return result(False, "moved, but " + bad)
        others = [r for r in changed if not is_persona(r, g["persona"])] + [r for r in new if not is_persona(r, g["persona"])]
        if others:
            return result(False, "another patient's calendar changed")
        return result(True)
    if not unchanged:
        return result(False, f"the calendar changed: {len(new)} new, {len(changed)} changed")
    if kind == "check":
        first = min(g["_existing"], key=lambda e: e["start"])
        if not mentions_appointment(replies, first["start"].astimezone(tz)):
            return result(False, f"never told the day and time ({first['start'].astimezone(tz):%a %b %d %H:%M})")
        return result(True)
    if kind == "info":
        spec = g["expect"]["answered"]
        low = replies.lower()
        digits = re.sub(r"\D", "", low)
        hit = lambda s: s in low or (re.sub(r"\D", "", s) and len(re.sub(r"\D", "", s)) >= 7 and re.sub(r"\D", "", s) in digits)  # noqa: E731
        if not any(hit(s) for s in spec.get("any", [])):
            return result(False, f"the answer has none of {spec['any']}")
        for group in spec.get("all_of_any", []):
            if not any(hit(s) for s in group):
                return result(False, f"the answer has none of {group}")
        return result(True)
    if kind == "handoff":
        if "handed_off" not in out.states:
            return result(False, f"never handed off (states {out.states})")
        return result(True)
    if kind == "out_of_scope":
        if {"booked", "cancelled"} & set(out.states):
            return result(False, f"states {out.states}")
        return result(True)
    return result(False, f"unknown kind {kind}")


# ------------------------------------------------------------------ set-up: database, import, server
def _conninfo(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def recreate_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = _conninfo(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cli(args: list[str], env: dict[str, str]) -> str:
    exe = shutil.which("voice-agent", path=str(Path(sys.executable).parent)) or "voice-agent"
    proc = subprocess.run([exe, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"voice-agent {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}{proc.stdout[-500:]}")
    return proc.stdout


def import_clinics(clinics: dict[str, dict], env: dict[str, str], suffix: str) -> dict[str, dict[str, str]]:
    keys = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, data in clinics.items():
            data = dict(data, slug=f"{data['slug']}-{suffix}")
            path = Path(tmp) / f"{k}.json"
            path.write_text(json.dumps(data))
            out = cli(["clinic", "import", str(path)], env)
            keys[k] = json.loads(out.strip().splitlines()[-1])
    return keys


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, "-m", "voice_agent.cli", "serve", "--port", str(self.port)],
                                     cwd=ROOT, env={**os.environ, **env, "PORT": str(self.port),
                                                    "VOICE_DECODER_PROCESSES": "1"},
                                     stdout=subprocess.DEVNULL, stderr=self.log, text=True, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(self.base + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ------------------------------------------------------------------ the run
@dataclass
class Report:
    outcomes: list[Outcome]
    fingerprint: str
    frozen: bool
    started: dt.datetime
    seconds: float
    today: dict[str, dt.date]

    @property
    def success(self) -> float:
        return 100.0 * sum(o.success for o in self.outcomes) / max(1, len(self.outcomes))

    def per(self, key) -> dict[str, tuple[int, int]]:
        table: dict[str, list[int]] = {}
        for o in self.outcomes:
            table.setdefault(key(o), [0, 0])
            table[key(o)][0] += o.success
            table[key(o)][1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    @property
    def median_turns(self) -> float | None:
        turns = [o.turns_to_book for o in self.outcomes if o.goal["kind"] in BOOKING_KINDS and o.success and o.turns_to_book]
        return statistics.median(turns) if turns else None

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def text(self, transcripts: bool = True) -> str:
        lines = [f"goals: {len(self.outcomes)}  task success: {self.success:.1f}%  "
                 f"median turns per booking: {self.median_turns}  ({self.seconds:.0f} s)",
                 f"fingerprint: {self.fingerprint} ({'frozen' if self.frozen else 'NOT FROZEN'})"]
        for name, key in (("kind", lambda o: o.goal["kind"]), ("clinic", lambda o: o.goal["clinic"])):
            lines.append(f"per {name}: " + ", ".join(f"{k} {s}/{n}" for k, (s, n) in sorted(self.per(key).items())))
        fails = self.failures()
        if fails:
            lines.append(f"\nfailures ({len(fails)}):")
        for o in fails:
            lines.append(f"- {o.goal['id']}: {o.reason}")
            if transcripts:
                for p, r, s in o.transcript:
                    lines.append(f"    patient: {p}\n    [{s}] {r}")
        return "\n".join(lines)

    def markdown(self, command: str) -> str:
        machine = f"{platform.node()} · {platform.platform()} · {os.cpu_count()} CPUs · Python {platform.python_version()}"
        days = ", ".join(f"{k} {v:%a %Y-%m-%d}" for k, v in self.today.items())
        rows = [f"\n## {self.started:%Y-%m-%d %H:%M} UTC — {len(self.outcomes)} goals\n",
                f"- command: `{command}`", f"- machine: {machine}",
                f"- clinic days of the run: {days}",
                f"- suite fingerprint: `{self.fingerprint}` ({'frozen' if self.frozen else 'NOT FROZEN'})",
                f"- commit: `{_git_head()}`", f"- wall time: {self.seconds:.0f} s", "",
                f"**Task success: {self.success:.1f} %** "
                f"({sum(o.success for o in self.outcomes)}/{len(self.outcomes)}); "
                f"median turns per booking: {self.median_turns}", "",
                "| kind | success | goals | % |", "|---|---|---|---|"]
        for k, (s, n) in sorted(self.per(lambda o: o.goal["kind"]).items()):
            rows.append(f"| {k} | {s} | {n} | {100 * s / n:.0f} |")
        rows += ["", "| clinic | success | goals | % |", "|---|---|---|---|"]
        for k, (s, n) in sorted(self.per(lambda o: o.goal["clinic"]).items()):
            rows.append(f"| {k} | {s} | {n} | {100 * s / n:.0f} |")
        fails = self.failures()
        if fails:
            rows += ["", f"Failures ({len(fails)}), each with its transcript (patient → [state] receptionist):", ""]
            for o in fails:
                turns = " / ".join(f"“{p}” → [{s}] {r[:160]}" for p, r, s in o.transcript)
                rows.append(f"- `{o.goal['id']}`: {o.reason}. {turns}")
        return "\n".join(rows) + "\n"


def _git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def run_suite(*, env: dict[str, str], database_url: str, base_url: str | None = None, ci: bool = False,
              only: str | None = None, max_turns: int = 16, workers: int = 3, log=print) -> Report:
    """Import the clinics into `database_url` (already migrated), serve (unless `base_url`), play, judge."""
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    fp = fingerprint()
    goals = load_goals()
    clinics = load_clinics()
    today = {k: dt.datetime.now(ZoneInfo(c["timezone"])).date() for k, c in clinics.items()}
    seed_appointments(goals, clinics, today)      # all goals: the calendar is the same for --ci and full runs
    chosen = [g for g in goals if (not ci or g.get("ci")) and (not only or g["id"].startswith(only))]
    env = {**env, "DATABASE_URL": database_url}
    keys = import_clinics(clinics, env, uuid.uuid4().hex[:6])
    log(f"imported {len(clinics)} clinics; playing {len(chosen)} goals")
    server = Server(env) if base_url is None else None
    base = base_url or server.base
    outcomes: list[Outcome] = []
    try:
        def run_clinic(key: str) -> list[Outcome]:
            done = []
            headers = {"X-API-Key": keys[key]["api_key"], "X-Tenant-ID": keys[key]["clinic_id"]}
            with psycopg.connect(_conninfo(database_url), autocommit=True) as conn, httpx.Client() as client:
                for g in [g for g in chosen if g["clinic"] == key]:
                    day = dt.datetime.now(ZoneInfo(clinics[key]["timezone"])).date()
                    before = snapshot(conn, keys[key]["clinic_id"])
                    try:
                        out = play(base, headers, g, clinics[key], day, max_turns, client)
                    except Exception as exc:  # a crash in one goal is that goal's failure
                        out = Outcome(goal=g, error=f"{type(exc).__name__}: {exc}")
                    after = snapshot(conn, keys[key]["clinic_id"])
                    judge(out, before, after, clinics[key], day)
                    done.append(out)
            return done
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for result in pool.map(run_clinic, CLINIC_KEYS):
                outcomes.extend(result)
    finally:
        if server:
            server.stop()
    order = {g["id"]: i for i, g in enumerate(goals)}
    outcomes.sort(key=lambda o: order[o.goal["id"]])
    return Report(outcomes, fp, fp == frozen_fingerprint(), started, time.monotonic() - t0, today)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ci", action="store_true", help="only the goals marked ci: true")
    ap.add_argument("--only", help="only goals whose id starts with this (development; never with --write)")
    ap.add_argument("--write", action="store_true", help="append a dated table to docs/benchmarks/goals.md")
    ap.add_argument("--database-url", help="a migrated database to import into (default: a fresh voice_agent_goals)")
    ap.add_argument("--base-url", help="a server already serving --database-url (default: start one)")
    ap.add_argument("--max-turns", type=int, default=16)
    ap.add_argument("--workers", type=int, default=3, help="clinics played at once (goals of a clinic run in order)")
    ap.add_argument("--freeze", action="store_true", help="write FROZEN from the current files (once, before tuning)")
    ap.add_argument("--no-transcripts", action="store_true")
    ap.add_argument("--json", help="also write every outcome with its transcript to this file")
    ap.add_argument("--unfrozen", action="store_true", help="development of the runner only: run an unfrozen "
                    "suite (marked NOT FROZEN; never with --write)")
    args = ap.parse_args()

    if args.freeze:
        if frozen_fingerprint():
            print("FROZEN exists: the suite is frozen; a new freeze must be a deliberate, recorded change "
                  "(delete FROZEN by hand and say why in the commit)", file=sys.stderr)
            return 2
        (HERE / "FROZEN").write_text(
            "# SHA-256 over goals.yaml and clinics/*.json (bench/goals/run.py fingerprint()).\n"
            "# run.py refuses to report when the files no longer match: the goals are not tuned after the fact.\n"
            f"sha256 {fingerprint()}\nfrozen {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
        print(fingerprint())
        return 0
    fp, frozen = fingerprint(), frozen_fingerprint()
    if frozen != fp and not (args.unfrozen and not args.write):
        print(f"refusing to report: the suite changed since it was frozen (FROZEN {frozen}, now {fp})", file=sys.stderr)
        return 3
    if args.write and (args.only or args.max_turns != 16):
        print("--write reports whole runs only (no --only, default --max-turns)", file=sys.stderr)
        return 2

    env = {k: v for k, v in os.environ.items() if k in ("REDIS_URL", "SECRET_KEY", "APP_ENV")}
    env.setdefault("APP_ENV", "development")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    database_url = args.database_url
    if database_url is None:
        base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/voice_agent")
        database_url = _conninfo(base).rsplit("/", 1)[0] + "/voice_agent_goals"
        recreate_database(database_url)
        cli(["migrate"], {**env, "DATABASE_URL": database_url})
    report = run_suite(env=env, database_url=database_url, base_url=args.base_url, ci=args.ci, only=args.only,
                       max_turns=args.max_turns, workers=args.workers)
    if report.fingerprint != frozen_fingerprint() and not args.unfrozen:   # changed while running
        print("refusing to report: the suite changed during the run", file=sys.stderr)
        return 3
    print(report.text(transcripts=not args.no_transcripts))
    if args.json:
        Path(args.json).write_text(json.dumps([{
            "id": o.goal["id"], "kind": o.goal["kind"], "clinic": o.goal["clinic"], "success": o.success,
            "reason": o.reason, "turns": o.turns, "turns_to_book": o.turns_to_book,
            "transcript": [{"patient": p, "receptionist": r, "state": s} for p, r, s in o.transcript]}
            for o in report.outcomes], indent=1))
    if args.write:
        command = "python bench/goals/run.py " + " ".join(a for a in sys.argv[1:])
        doc = ROOT / "docs" / "benchmarks" / "goals.md"
        if not doc.exists():
            doc.write_text("# Goal-driven patient suite (issue 16)\n\n"
                           "`bench/goals/run.py` plays the frozen goals of `bench/goals/goals.yaml` on the three clinics of\n"
                           "`bench/goals/clinics/` through `POST /api/v1/chat` and checks each end state in PostgreSQL.\n"
                           "Each run below is appended by `--write`; none is edited afterwards.\n")
        with doc.open("a") as f:
            f.write(report.markdown(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
