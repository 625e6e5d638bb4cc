"""How long the embedded recogniser freezes the server's event loop while it decodes.

    .venv/bin/python bench/decode_stall.py [--calls 4] [--rounds 5] [--write docs/benchmarks/decode_stall.md]

`--calls` callers finish an utterance at the same moment (a 3.8 s espeak-ng sentence through the
phone path); their decodes run either in threads (how calls decoded before the pool) or in a
`DecoderPool` of worker processes. Meanwhile a ticker on the event loop sleeps 5 ms at a time and
records the longest gap between ticks: the time no call's audio could be sent and no webhook
answered. Reported per mode: the longest gap, the median of the rounds' longest gaps, and the time
for all decodes of a round to finish.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from channels.voice.speech.codec import pcm8k_to_pcm16k, ulaw_to_pcm  # noqa: E402
from channels.voice.speech.decoder_pool import DecoderPool  # noqa: E402
from channels.voice.speech.grammar import ClinicVocabulary, Provider  # noqa: E402
from channels.voice.speech.protocols import SpeechContext  # noqa: E402
from channels.voice.speech.recognizer import GrammarRecognizer  # noqa: E402
from channels.voice.speech.tts import synthesize_ulaw_sync  # noqa: E402

ROSTER = [Provider("Dr. Priya Raman", "Family Medicine"), Provider("Dr. Marcus Lee", "Cardiology")]
SENTENCE = "I would like to book with Doctor Raman next Tuesday in the morning"


async def _round(decode_all) -> tuple[float, float]:
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    await decode_all()
    elapsed = time.perf_counter() - t0
    done.set()
    await tick
    return max(gaps) * 1000, elapsed * 1000


async def main_async(calls: int, rounds: int) -> list[dict]:
    pcm8k = ulaw_to_pcm(synthesize_ulaw_sync(SENTENCE))
    context = SpeechContext(call_id="bench", clinic_id="bench", providers=ROSTER)
    recognizer = GrammarRecognizer(ClinicVocabulary(ROSTER, []))
    pool = DecoderPool(min(calls, os.cpu_count() or 1))
    await pool.prepare(context)
    loop = asyncio.get_running_loop()

    async def threads() -> None:
        await asyncio.gather(*(loop.run_in_executor(None, lambda: recognizer.decode(pcm8k_to_pcm16k(pcm8k), "opening"))
                               for _ in range(calls)))

    async def processes() -> None:
        await asyncio.gather(*(pool.decode(context, pcm8k, "opening") for _ in range(calls)))

    out = []
    try:
        for name, fn, workers in (("threads (before)", threads, "-"), ("worker processes", processes, pool.processes)):
            await fn()                                     # warm
            results = [await _round(fn) for _ in range(rounds)]
            stalls = [s for s, _ in results]
            out.append({"mode": name, "workers": workers, "max_stall": max(stalls),
                        "median_stall": statistics.median(stalls),
                        "round_ms": statistics.median(e for _, e in results)})
    finally:
        pool.shutdown()
    return out


def render(rows: list[dict], calls: int, rounds: int) -> str:
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = ["## Embedded recogniser: event-loop stalls", "",
             f"Command: `.venv/bin/python bench/decode_stall.py --calls {calls} --rounds {rounds} --write "
             f"docs/benchmarks/decode_stall.md` — run {now}, {os.cpu_count()} cores "
             f"({platform.machine()}), Python {platform.python_version()}.", "",
             f"{calls} callers finish a 3.8 s utterance at once; the event loop's longest pause while their "
             "decodes run (no call's audio is sent meanwhile; playback runs ~300 ms ahead).", "",
             "| decoding in | workers | longest stall ms | median of rounds' longest ms | all decodes done ms (median) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['mode']} | {r['workers']} | {r['max_stall']:.0f} | {r['median_stall']:.0f} | "
                     f"{r['round_ms']:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write")
    a = ap.parse_args()
    md = render(asyncio.run(main_async(a.calls, a.rounds)), a.calls, a.rounds)
    print(md)
    if a.write:
        Path(a.write).write_text(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
