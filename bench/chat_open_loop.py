"""Open-loop chat latency: turns arrive at a set rate (Poisson), whatever the server's pace.

    .venv/bin/python bench/chat_open_loop.py [--rates 25,50,100,150,200] [--seconds 20] [--write]

A closed loop (bench/chat_load.py) waits for each reply before the next message, so a slow server
slows its own load and its latency looks better than a patient would see. Here each arrival is the
next step of a real booking conversation (the virtual patients of bench/chat_load.py), sent when it
is due: latency counts from the scheduled moment (queueing included, no coordinated omission). A
conversation waits for its own reply before its next step; arrivals pick an idle conversation or
open a new one.

Targets measured: the bare echo app, the real app with `voice-agent serve --workers 1` and with
`--workers 2` (the same database, Redis and settings). Per rate: achieved turns/s, p50 and p99. The
figure of merit (issue 14): the highest rate with p99 <= 100 ms, as a ratio to the echo's. The load
generator shares the 2 cores with the servers. Not part of CI.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import chat_load as closed  # noqa: E402  (bench/ is on sys.path when run as a script)

PAGE = ROOT / "docs" / "benchmarks" / "chat_load.md"
TARGET_MS = 100.0


@dataclass
class RateResult:
    rate: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    non_200: int = 0
    elapsed: float = 0.0

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def p(self, q: float) -> float:
        return closed.pct(self.latencies, q)


class Conversation:
    """One patient's booking, one step per arrival."""

    def __init__(self, rng: random.Random, providers: list[dict], echo: bool) -> None:
        self.who, self.echo = closed.Patient(rng, providers, "book"), echo
        self.session_id: str | None = None
        self.reply: dict | None = None
        self.done = False

    def next_message(self) -> str:
        if self.reply is None:
            return "hi"
        if self.session_id and self.reply.get("state") in ("idle", None) or self.echo and self.reply.get("n") == 1:
            return self.who.opening()
        return self.who.answer(self.reply) or "hi"

    def take(self, reply: dict) -> None:
        if self.echo:
            reply = {**reply, "n": (self.reply or {}).get("n", 0) + 1, "state": "collect_time"}
        self.reply, self.session_id = reply, reply.get("session_id", self.session_id)
        if reply.get("state") == "booked" or (self.echo and reply["n"] >= 9):
            self.done = True


async def run_rate(base: str, headers: dict, rate: float, seconds: float, providers: list[dict], echo: bool,
                   seed: int) -> RateResult:
    import httpx
    rng = random.Random(seed)
    result = RateResult(rate)
    idle: list[Conversation] = []
    pending: set[asyncio.Task] = set()
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30.0) as client:
        async def step(conv: Conversation, due: float) -> None:
            body = {"message": conv.next_message(),
                    **({"session_id": conv.session_id} if conv.session_id and not conv.echo else {})}
            try:
                r = await client.post("/api/v1/chat", json=body)
            except httpx.HTTPError:
                result.errors += 1
                return
            result.latencies.append(time.perf_counter() - due)
            if r.status_code != 200:
                result.non_200 += 1
                return
            conv.take(r.json())
            if not conv.done:
                idle.append(conv)

        start = time.perf_counter()
        due = start
        while due - start < seconds:
            due += rng.expovariate(rate)
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            conv = idle.pop(0) if idle else Conversation(random.Random(rng.random()), providers, echo)
            task = asyncio.create_task(step(conv, due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            result.sent += 1
        if pending:
            await asyncio.wait(pending, timeout=30)
        result.elapsed = time.perf_counter() - start
    return result


def start_app(port: int, workers: int) -> subprocess.Popen:
    env = {**closed.server_env(), "HOST": "127.0.0.1", "PORT": str(port)}
    return subprocess.Popen([sys.executable, "-m", "voice_agent.cli", "serve", "--workers", str(workers)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def measure(name: str, proc: subprocess.Popen, port: int, headers: dict, rates: list[float], seconds: float,
                  providers: list[dict], echo: bool) -> list[RateResult]:
    try:
        await closed.wait_ready(port, proc, timeout=60)
        base = f"http://127.0.0.1:{port}"
        await run_rate(base, headers, 20, 3, providers, echo, seed=1)          # warm up
        out = []
        for i, rate in enumerate(rates):
            r = await run_rate(base, headers, rate, seconds, providers, echo, seed=100 + i)
            print(f"{name}: {rate:.0f}/s -> achieved {r.achieved:.1f}/s, p50 {r.p(50):.1f} ms, "
                  f"p99 {r.p(99):.1f} ms, non-200 {r.non_200}, errors {r.errors}", flush=True)
            out.append(r)
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def best_rate(results: list[RateResult]) -> float:
    ok = [r.rate for r in results if r.p(99) <= TARGET_MS and r.non_200 == 0 and r.errors == 0]
    return max(ok) if ok else 0.0


def table(rates: list[float], runs: dict[str, list[RateResult]], seconds: float) -> str:
    lines = [f"## Open loop (bench/chat_open_loop.py), {datetime.now().strftime('%Y-%m-%d %H:%M')}",
             "",
             f"- command: `.venv/bin/python bench/chat_open_loop.py --rates {','.join(f'{r:g}' for r in rates)} "
             f"--seconds {seconds:g} --write` (benchmark, not run by tests)",
             f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}; the load generator, the "
             "servers, PostgreSQL and Redis share them",
             "- each arrival is the next step of a booking conversation (Poisson arrivals); latency from the "
             "scheduled moment",
             "",
             "| target | " + " | ".join(f"{r:g}/s p50 / p99 ms" for r in rates) + " | best rate with p99 <= 100 ms |",
             "|---|" + "---:|" * (len(rates) + 1)]
    for name, results in runs.items():
        cells = [f"{r.p(50):.0f} / {r.p(99):.0f}" + ("" if r.non_200 == 0 and r.errors == 0 else " (errors)")
                 for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {best_rate(results):g}/s |")
    echo = best_rate(runs["echo (bare Starlette)"])
    lines.append("")
    for name in [n for n in runs if not n.startswith("echo")]:
        ratio = best_rate(runs[name]) / echo if echo else 0.0
        lines.append(f"- {name}: best rate {best_rate(runs[name]):g}/s = {ratio:.2f} of the echo's {echo:g}/s; "
                     f"100 turns/s p99 <= 100 ms: "
                     f"{'MET' if any(r.rate >= 100 and r.p(99) <= TARGET_MS for r in runs[name]) else 'NOT MET'}")
    return "\n".join(lines) + "\n"


async def main(args: argparse.Namespace) -> int:
    rates = [float(x) for x in args.rates.split(",")]
    clinic_id, key, providers = await closed.prepare()
    headers = {"X-API-Key": key, "X-Tenant-ID": clinic_id}
    runs: dict[str, list[RateResult]] = {}
    port = closed.free_port()
    runs["echo (bare Starlette)"] = await measure("echo", closed.start("echo", port), port, headers, rates,
                                                  args.seconds, providers, True)
    for workers in (1, 2):
        port = closed.free_port()
        runs[f"chat API, {workers} worker{'s' if workers > 1 else ''}"] = await measure(
            f"app x{workers}", start_app(port, workers), port, headers, rates, args.seconds, providers, False)
    text = table(rates, runs, args.seconds)
    print(text)
    if args.write:
        PAGE.write_text(PAGE.read_text().rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="25,50,100,150,200")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--write", action="store_true", help=f"append the table to {PAGE.relative_to(ROOT)}")
    sys.exit(asyncio.run(main(parser.parse_args())))
