"""Voice latency benchmark: what our own code adds between the end of the caller's speech and the
first audio frame we send back, at 1 and at many concurrent real-time calls (not run in CI).

    .venv/bin/python bench/voice_latency.py [--levels 1,10,25,50,75,100] [--turns 4] [--embedded]

A server child process runs the real app (engine, PostgreSQL, Redis) under uvicorn on loopback
with fake vendors of fixed delay: the STT emits its final 50 ms after the caller's last voiced
frame arrived, the TTS yields its first byte 80 ms after it is asked (then 0.3 s of audio per
sentence). This process runs the callers (the Twilio simulator, real-time audio, a 0.8 s tone
per turn) and measures, per turn, the time from the caller's last speech frame sent to the
first agent media frame received; minus the 130 ms of vendor delay, that is our added latency.
`--embedded` runs calls on the embedded STT/TTS (espeak-ng speech in; the recogniser chosen by
`--stt`: `grammar` = pocketsphinx grammars in the worker pool, `combined` = those and Whisper tiny.en
per question; the natural voice out) at each level of `--callers` (callers speaking at the same
time) and reports end of speech -> first reply audio (p50/p95/max), the server's longest
event-loop stall (a 5 ms ticker in the server process), and the memory (RSS) of the server process
and of its decoder workers:

    .venv/bin/python bench/voice_latency.py --embedded --stt combined --callers 1,4 --turns 6

Needs DATABASE_URL / REDIS_URL (a migrated database); it creates a throw-away demo clinic.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STT_DELAY = 0.050
TTS_FIRST_BYTE = 0.080
TOKEN = "bench-twilio-token-0123456789"
LINES = ["I'd like to book with Doctor Raman", "what are your hours", "where are you located",
         "what are your hours"]


# --- fake vendors (server side) ------------------------------------------------------------

class FakeSTT:
    """Energy 'recogniser': Final exactly STT_DELAY after the last voiced frame arrived."""

    def __init__(self) -> None:
        from channels.voice.speech.protocols import Final, SpeechStarted
        self.Final, self.SpeechStarted = Final, SpeechStarted
        self.events_q: asyncio.Queue = asyncio.Queue()
        self.frames = 0
        self.voiced_at: float | None = None
        self.start_frame = 0
        self.last_voiced_frame = 0
        self.silent = 0
        self.turn = 0

    async def start(self, context) -> None:
        return None

    def set_expected(self, question: str) -> None:
        return None

    async def send_audio(self, frame: bytes) -> None:
        import numpy as np

        from channels.voice.speech.codec import ulaw_to_array
        self.frames += 1
        loud = float(np.abs(ulaw_to_array(frame)).mean()) > 1000
        now = time.monotonic()
        if loud:
            if self.voiced_at is None:
                self.start_frame = self.frames - 1
                self.events_q.put_nowait(self.SpeechStarted(t=self.start_frame * 0.02))
            self.voiced_at, self.last_voiced_frame, self.silent = now, self.frames - 1, 0
        elif self.voiced_at is not None:
            self.silent += 1
            if self.silent == 2:
                ended_at, start, end = self.voiced_at, self.start_frame, self.last_voiced_frame
                self.voiced_at = None
                text = LINES[self.turn % len(LINES)]
                self.turn += 1
                asyncio.get_running_loop().call_at(
                    ended_at + STT_DELAY, self.events_q.put_nowait,
                    self.Final(text=text, accepted=True, confidence=1.0, t_start=start * 0.02,
                               t_end=(end + 1) * 0.02))

    async def events(self):
        while True:
            item = await self.events_q.get()
            if item is None:
                return
            yield item

    async def close(self) -> None:
        self.events_q.put_nowait(None)


class FakeTTS:
    def __init__(self) -> None:
        import numpy as np

        from channels.voice.speech.codec import array_to_ulaw
        t = np.arange(int(8000 * 0.3)) / 8000
        self.audio = array_to_ulaw(3000 * np.sin(2 * np.pi * 330 * t))

    async def synthesize(self, text: str):
        await asyncio.sleep(TTS_FIRST_BYTE)
        for pos in range(0, len(self.audio), 800):
            yield self.audio[pos:pos + 800]


# --- the server child -----------------------------------------------------------------------

class StallMonitor:
    """The server's event loop, sampled every 5 ms: the longest gap beyond that is a stall every
    call's audio felt. SIGUSR1 prints the longest since the last report (and resets it)."""

    def __init__(self, sampler=None) -> None:
        self.worst = 0.0
        self.sampler = sampler              # voice_stall_sampler.StallSampler with --stall-stacks

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - t - 0.005)

    def report(self) -> None:
        out: dict = {"stall_max_ms": round(self.worst * 1000, 1)}
        if self.sampler is not None:
            out["stall_stacks"] = self.sampler.report()
        print(json.dumps(out), flush=True)
        self.worst = 0.0


async def serve(port: int, embedded: bool, stt: str = "combined", stall_stacks: bool = False) -> None:
    import dataclasses

    import uvicorn

    from channels.voice.call import VoiceConfig
    from channels.voice.kit import VoiceKit
    from storage.clinic_import import import_clinic
    from storage.db import open_pool
    from storage.redis_client import open_redis
    from voice_agent.web.apikeys import generate_api_key, hash_api_key
    from voice_agent.app import create_app, warm_up
    from voice_agent.clinic_file import validate_clinic_file
    from voice_agent.services import Services
    from voice_agent.web.settings import load_settings

    settings = dataclasses.replace(load_settings(), twilio_auth_token=TOKEN,
                                   public_base_url=f"http://127.0.0.1:{port}", deepgram_api_key=None,
                                   elevenlabs_api_key=None, embedded_stt=stt)
    pool = await open_pool(settings.database_url, min_size=4, max_size=20)
    data = json.loads((ROOT / "fixtures" / "demo_clinic.json").read_text())
    data["slug"] = f"bench-{uuid.uuid4().hex[:8]}"
    data["phone"] = "+1312556" + f"{random.randint(0, 9999):04d}"
    clinic, problems = validate_clinic_file(data)
    assert not problems, problems
    await import_clinic(pool, clinic, hash_api_key(generate_api_key("test")))
    fakes: dict = {}
    if not embedded:
        async def stt_factory():
            return FakeSTT()
        fakes = {"stt": stt_factory, "tts": FakeTTS()}
    voice = VoiceKit.from_settings(settings, config=VoiceConfig(silence_seconds=60.0), **fakes)
    services = Services.build(settings, pool, open_redis(settings.redis_url), voice=voice)
    app = create_app(settings, services)
    await warm_up(services)              # what the server's start-up does (this server runs without lifespan)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           ws="websockets-sansio"))
    sampler = None
    if stall_stacks:
        from voice_stall_sampler import StallSampler
        sampler = StallSampler()
        asyncio.ensure_future(sampler.heartbeat())
    monitor = StallMonitor(sampler)
    ticker = asyncio.ensure_future(monitor.run())
    import signal
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, monitor.report)
    print(json.dumps({"phone": data["phone"]}), flush=True)
    await server.serve()
    ticker.cancel()


# --- the callers -----------------------------------------------------------------------------

def tone(seconds: float = 0.8) -> bytes:
    import numpy as np

    from channels.voice.speech.codec import array_to_ulaw
    t = np.arange(int(8000 * seconds)) / 8000
    return array_to_ulaw(6000 * np.sin(2 * np.pi * 200 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t)))


async def one_call(url: str, phone: str, turns: int, results: list[float], errors: list[str],
                   lines: list[bytes] | None = None) -> None:
    from channels.voice.simulator import SimulatedCaller
    caller = SimulatedCaller(url, auth_token=TOKEN, public_url=url, clinic_phone=phone)
    try:
        await caller.dial()
        await caller.connect()
        await caller.wait_for_agent(timeout=60, quiet=0.5)
        for i in range(turns):
            await asyncio.sleep(random.uniform(0.2, 0.6))
            audio = lines[i % len(lines)] if lines else tone()
            await caller.say("", audio=audio)
            turn = await caller.wait_for_agent(timeout=30, quiet=0.5)
            if turn is None or turn.latency is None:
                errors.append("no reply")
                continue
            results.append(turn.latency)
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await caller.hangup()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run_level(url: str, phone: str, calls: int, turns: int) -> dict:
    results: list[float] = []
    errors: list[str] = []
    tasks = []
    for i in range(calls):
        tasks.append(asyncio.create_task(one_call(url, phone, turns, results, errors)))
        await asyncio.sleep(0.05)                         # calls arrive over a moment, not all at once
    await asyncio.gather(*tasks)
    added = [r - STT_DELAY - TTS_FIRST_BYTE for r in results]
    return {"calls": calls, "turns": len(results), "errors": len(errors),
            "p50_ms": round(statistics.median(added) * 1000, 1) if added else None,
            "p95_ms": round(pct(added, 95) * 1000, 1) if added else None,
            "max_ms": round(max(added) * 1000, 1) if added else None, "sample_errors": errors[:3]}


def start_server(port: int, embedded: bool, stt: str = "combined",
                 stall_stacks: bool = False) -> tuple[subprocess.Popen, str]:
    args = [sys.executable, __file__, "--serve", "--port", str(port), "--stt", stt] + (["--embedded"] if embedded else [])
    args += ["--stall-stacks"] if stall_stacks else []
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    phone = json.loads(line)["phone"]
    time.sleep(1.0)
    return proc, phone


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_lines() -> list[bytes]:
    from channels.voice.speech.tts import synthesize_ulaw_sync
    return [trim_silence(synthesize_ulaw_sync(text))
            for text in ("I'd like to book with Doctor Raman", "what are your hours", "where are you located")]


async def embedded_run(url: str, phone: str, callers: int, turns: int, lines: list[bytes]) -> dict:
    """`callers` calls at once: espeak-ng lines in, the embedded recogniser and voice out."""
    results: list[float] = []
    errors: list[str] = []
    tasks = []
    for _ in range(callers):
        tasks.append(asyncio.create_task(one_call(url, phone, turns, results, errors, lines=lines)))
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    return {"callers": callers, "turns": len(results), "errors": errors[:3],
            "p50_ms": round(statistics.median(results) * 1000) if results else None,
            "p95_ms": round(pct(results, 95) * 1000) if results else None,
            "max_ms": round(max(results) * 1000) if results else None,
            "each_ms": [round(r * 1000) for r in results] if callers == 1 else None}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_report(proc: subprocess.Popen, cpu_before: float | None = None) -> dict:
    """The server's longest loop stall since the last report, its memory, and the CPU seconds the
    server and its decoder workers used since `cpu_before` (load-independent: what a turn costs)."""
    import signal
    proc.send_signal(signal.SIGUSR1)
    line = json.loads(proc.stdout.readline())
    kids = children(proc.pid)
    cpu = cpu_seconds(proc.pid) + sum(cpu_seconds(c) for c in kids)
    out = {**line, "server_rss_mb": rss_mb(proc.pid), "worker_rss_mb": [rss_mb(c) for c in kids], "cpu_s": round(cpu, 2)}
    if cpu_before is not None:
        out["cpu_s_used"] = round(cpu - cpu_before, 2)
    return out


def trim_silence(ulaw: bytes) -> bytes:
    """Cut espeak-ng's trailing silence so 'end of speech' is the last voiced frame we send."""
    import numpy as np

    from channels.voice.speech.codec import ulaw_to_array
    x = np.abs(ulaw_to_array(ulaw).astype(np.int32))
    loud = np.nonzero(x > 300)[0]
    end = int(loud[-1]) + 1 if loud.size else len(ulaw)
    end = (end + 159) // 160 * 160
    return ulaw[:end]


async def main_async(args: argparse.Namespace) -> None:
    port = free_port()
    proc, phone = start_server(port, args.embedded, args.stt, args.stall_stacks)
    url = f"http://127.0.0.1:{port}"
    try:
        if args.embedded:
            lines = embedded_lines()
            await embedded_run(url, phone, 1, 1, lines)         # a first call, as after start-up (not counted)
            cpu = server_report(proc)["cpu_s"]
            print(json.dumps({"stt": args.stt, "cpus": os.cpu_count(), "loadavg_before": os.getloadavg(),
                              "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}), flush=True)
            for level in [int(x) for x in args.callers.split(",")]:
                row = await embedded_run(url, phone, level, args.turns, lines)
                row.update(server_report(proc, cpu))
                cpu = row["cpu_s"]
                if row["turns"]:
                    row["cpu_ms_per_turn"] = round(1000 * row["cpu_s_used"] / row["turns"])
                row["loadavg"] = [round(x, 2) for x in os.getloadavg()]
                print(json.dumps(row), flush=True)
            return
        best = 0
        for level in [int(x) for x in args.levels.split(",")]:
            row = await run_level(url, phone, level, args.turns)
            print(json.dumps(row), flush=True)
            if row["p95_ms"] is not None and row["p95_ms"] <= 50 and not row["errors"]:
                best = level
            elif level > 1:
                break
        print(json.dumps({"max_calls_with_p95_added_le_50ms": best, "cpus": os.cpu_count(),
                          "machine": platform.processor() or platform.machine(),
                          "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--embedded", action="store_true", help="calls on the embedded STT/TTS")
    parser.add_argument("--stt", choices=["combined", "grammar"], default="combined",
                        help="--embedded: the embedded recogniser (EMBEDDED_STT)")
    parser.add_argument("--callers", default="1", help="--embedded: callers at once, per level")
    parser.add_argument("--levels", default="1,10,25,50,75,100", help="concurrent calls per level")
    parser.add_argument("--turns", type=int, default=4, help="caller turns per call")
    parser.add_argument("--stall-stacks", action="store_true",
                        help="the server samples what its event loop ran during stalls (bench/voice_stall_sampler.py)")
    return parser


def main() -> None:
    args = build_parser().parse_args()
    if args.serve:
        asyncio.run(serve(args.port, args.embedded, args.stt, args.stall_stacks))
    else:
        asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
