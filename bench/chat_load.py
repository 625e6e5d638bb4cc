"""Chat throughput: 32 concurrent conversations through POST /api/v1/chat, beside a bare echo app.

    .venv/bin/python bench/chat_load.py [--seconds 60] [--concurrency 32] [--script book|search]

Not part of CI. It creates (drops and re-creates) the database `voice_agent_bench_chat`, migrates
it, imports the demo clinic with tier "unlimited" (no rate limit), and starts two uvicorn servers on
127.0.0.1, each one worker with the same settings: the real app (`voice_agent.app.create_app`) and a
bare Starlette app whose POST /api/v1/chat echoes the message. The echo is loaded first, then the
chat API, each for `--seconds`, by the same httpx.AsyncClient load generator; each virtual patient
books (or, with `--script search`, only greets, asks for the hours and searches slots) over and
over, on dates spread over the next year and all bookable providers so slots do not run out.

The load generator shares the machine with the servers (on a 2-core box, one core each, more or
less): the absolute figures are lower than on a dedicated server; the ratio is the comparison.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/voice_agent_bench_chat")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
UVICORN = dict(host="127.0.0.1", workers=1, log_config=None, log_level="warning", access_log=False,
               loop="auto", http="auto", lifespan="on")


def server_env() -> dict[str, str]:
    return {**os.environ, "APP_ENV": "development", "DATABASE_URL": DB_URL, "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "bench-secret-key-0123456789-abcdefghij", "LOG_LEVEL": "WARNING",
            "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"), "ANTHROPIC_API_KEY": ""}


# ---- the servers (run in child processes) ---------------------------------------------------------
def serve_app(port: int) -> None:
    import uvicorn

    import voice_agent.app as app_module
    from voice_agent.web.settings import load_settings
    settings = load_settings(server_env(), env_file=None)
    uvicorn.run(app_module.create_app(settings), port=port, **UVICORN)


def serve_echo(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def echo(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        return JSONResponse({"message": body.get("message"), "session_id": body.get("session_id") or "echo"})

    uvicorn.run(Starlette(routes=[Route("/api/v1/chat", echo, methods=["POST"])]), port=port, **UVICORN)


# ---- set-up ---------------------------------------------------------------------------------------
async def prepare() -> tuple[str, str, list[dict]]:
    import psycopg

    from storage.clinic_import import import_clinic
    from storage.db import open_pool, to_conninfo
    from storage.migrate import migrate
    from storage.redis_client import open_redis
    from voice_agent.web.apikeys import generate_api_key, hash_api_key
    from voice_agent.clinic_file import validate_clinic_file

    name = urlparse(DB_URL).path.lstrip("/")
    admin = to_conninfo(DB_URL).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    await migrate(to_conninfo(DB_URL))
    redis = open_redis(REDIS_URL)
    await redis.flushdb()
    await redis.aclose()
    data = json.loads((ROOT / "fixtures" / "demo_clinic.json").read_text())
    data.update(slug="bench-chat", tier="unlimited")
    clinic, problems = validate_clinic_file(data)
    assert not problems, problems
    key = generate_api_key("test")
    pool = await open_pool(DB_URL, min_size=1, max_size=2)
    try:
        clinic_id = await import_clinic(pool, clinic, hash_api_key(key))
    finally:
        await pool.close()
    providers = [p for p in data["providers"] if p.get("accepting_new_patients", True)]
    return clinic_id, key, providers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, f"--serve-{kind}", str(port)], env=server_env(), cwd=ROOT)


async def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as c:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server on {port} exited with {proc.returncode}")
            try:
                await c.post(f"http://127.0.0.1:{port}/api/v1/chat", json={"message": "ping"})
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise SystemExit(f"server on {port} not ready after {timeout}s")


# ---- the load -------------------------------------------------------------------------------------
@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    status: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    conversations: int = 0
    booked: int = 0
    derailed: int = 0
    elapsed: float = 0.0


FIRST = ["Maria", "James", "Aisha", "Chen", "Olga", "Diego", "Fatima", "Noah", "Priscilla", "Tomasz"]
LAST = ["Garcia", "O'Connor", "Bello", "Nakamura", "Petrov", "Silva", "Haddad", "Walker", "Osei", "Kowalski"]
REASONS = ["annual checkup", "follow up", "sore throat", "knee pain", "palpitations", "rash on my arm"]


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


class Patient:
    """One virtual patient, answering what the receptionist asks (by state and the question's words)."""

    def __init__(self, rng: random.Random, providers: list[dict], script: str) -> None:
        self.rng, self.providers, self.script = rng, providers, script

    def opening(self) -> str:
        p = self.rng.choice(self.providers)
        day = date.today() + timedelta(days=self.rng.randint(2, 320))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return f"I'd like to book with Dr. {p['last_name']} on {day.strftime('%B')} {ordinal(day.day)}"

    def answer(self, reply: dict) -> str | None:
        state, text = reply["state"], reply["message"].lower()
        if state == "collect_time":
            return self.rng.choice(["in the morning", "afternoon", "any time"])
        if state == "showing_slots":
            return self.rng.choice(["1", "2", "the first one", "3"])
        if state == "collect_patient_info":
            if "name" in text:
                return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            if "date of birth" in text:
                return f"{self.rng.randint(1, 12):02d}/{self.rng.randint(1, 28):02d}/{self.rng.randint(1940, 2015)}"
            if "phone" in text:
                return f"312-555-{self.rng.randint(100, 9999):04d}"
            return None
        if state == "collect_reason":
            return self.rng.choice(REASONS)
        if state == "confirm_booking":
            return "no" if self.rng.random() < 0.15 else "yes"
        if state == "collect_date":
            return "next Tuesday"
        return None


async def drive(base: str, headers: dict, seconds: float, concurrency: int, providers: list[dict],
                script: str, echo: bool) -> Stats:
    import httpx
    stats = Stats()
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30.0) as client:
        async def turn(message: str, session_id: str | None) -> dict | None:
            body = {"message": message, **({"session_id": session_id} if session_id else {})}
            started = time.perf_counter()
            try:
                r = await client.post("/api/v1/chat", json=body)
            except httpx.HTTPError as exc:
                stats.errors[type(exc).__name__] += 1
                return None
            stats.latencies.append(time.perf_counter() - started)
            stats.status[r.status_code] += 1
            if r.status_code != 200:
                return None
            return r.json()

        async def patient(n: int) -> None:
            rng = random.Random(n)
            who = Patient(rng, providers, script)
            while time.monotonic() < stop_at:
                stats.conversations += 1
                if echo:
                    for message in ("hi", who.opening(), "morning", "1", "Maria Garcia", "03/04/1985",
                                    "312-555-0123", "checkup", "yes"):
                        if time.monotonic() >= stop_at or await turn(message, None) is None:
                            break
                    continue
                reply = await turn("hi", None)
                if reply is None:
                    continue
                sid = reply["session_id"]
                if script == "search":
                    for message in ("what are your hours?", who.opening(), "in the morning"):
                        if time.monotonic() >= stop_at or (reply := await turn(message, sid)) is None:
                            break
                        stats.states[reply["state"]] += 1
                    continue
                reply = await turn(who.opening(), sid)
                for _ in range(14):
                    if reply is None or time.monotonic() >= stop_at:
                        break
                    stats.states[reply["state"]] += 1
                    if reply["state"] == "booked":
                        stats.booked += 1
                        break
                    message = who.answer(reply)
                    if message is None:
                        stats.derailed += 1
                        break
                    reply = await turn(message, sid)

        started = time.monotonic()
        await asyncio.gather(*(patient(i) for i in range(concurrency)))
        stats.elapsed = time.monotonic() - started
    return stats


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


def summary(name: str, s: Stats) -> dict:
    n = len(s.latencies)
    return {"name": name, "requests": n, "rps": n / s.elapsed if s.elapsed else 0.0,
            "p50": pct(s.latencies, 50), "p90": pct(s.latencies, 90), "p99": pct(s.latencies, 99),
            "mean": statistics.fmean(s.latencies) * 1000 if n else float("nan"),
            "4xx": sum(v for k, v in s.status.items() if 400 <= k < 500),
            "5xx": sum(v for k, v in s.status.items() if k >= 500), "errors": sum(s.errors.values())}


async def main(args: argparse.Namespace) -> int:
    clinic_id, key, providers = await prepare()
    headers = {"X-API-Key": key, "X-Tenant-ID": clinic_id}
    app_port, echo_port = free_port(), free_port()
    procs = {"app": start("app", app_port), "echo": start("echo", echo_port)}
    try:
        await wait_ready(app_port, procs["app"])
        await wait_ready(echo_port, procs["echo"])
        print(f"servers: app :{app_port} (pid {procs['app'].pid}), echo :{echo_port} (pid {procs['echo'].pid})",
              flush=True)
        await drive(f"http://127.0.0.1:{echo_port}", headers, 3, args.concurrency, providers, args.script, True)
        echo = await drive(f"http://127.0.0.1:{echo_port}", headers, args.echo_seconds or args.seconds,
                           args.concurrency, providers, args.script, True)
        await drive(f"http://127.0.0.1:{app_port}", headers, 3, args.concurrency, providers, args.script, False)
        if args.pause_for_profiler:
            print(f"profile now: py-spy record --pid {procs['app'].pid}", flush=True)
            await asyncio.sleep(args.pause_for_profiler)
        chat = await drive(f"http://127.0.0.1:{app_port}", headers, args.seconds, args.concurrency, providers,
                           args.script, False)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(10)
    rows = [summary("chat API (real app)", chat), summary("echo (bare Starlette)", echo)]
    ratio = rows[0]["rps"] / rows[1]["rps"] if rows[1]["rps"] else 0.0
    print()
    print(f"date {datetime.now().isoformat(timespec='seconds')}  python {platform.python_version()}  "
          f"cpus {os.cpu_count()}  concurrency {args.concurrency}  seconds {args.seconds}  script {args.script}")
    print("note: the load generator and both servers share this machine's cores")
    print()
    print("| endpoint | requests | req/s | p50 ms | p90 ms | p99 ms | 4xx | 5xx | transport errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['name']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p90']:.1f} | "
              f"{r['p99']:.1f} | {r['4xx']} | {r['5xx']} | {r['errors']} |")
    print()
    ok = ratio >= 0.3 and rows[0]["p99"] <= 100
    print(f"chat/echo throughput ratio {ratio:.2f} (target >= 0.30); chat p99 {rows[0]['p99']:.1f} ms "
          f"(target <= 100): {'MET' if ok else 'NOT MET'}")
    print(f"conversations {chat.conversations}, booked {chat.booked}, derailed {chat.derailed}; "
          f"statuses {dict(chat.status)}; states seen {dict(chat.states.most_common(8))}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "ratio": ratio, "booked": chat.booked,
                                               "conversations": chat.conversations}, indent=2))
    return 0 if chat.status.get(500, 0) == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--echo-seconds", type=float, default=None, help="default: --seconds")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--script", choices=("book", "search"), default="book")
    parser.add_argument("--pause-for-profiler", type=float, default=0.0)
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--serve-app", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-echo", type=int, help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.serve_app:
        serve_app(ns.serve_app)
    elif ns.serve_echo:
        serve_echo(ns.serve_echo)
    else:
        sys.exit(asyncio.run(main(ns)))
