"""What the server's event loop was doing when it stalled: a sampling profiler for loop stalls.

A watcher thread looks at the loop's heartbeat every `every` seconds; while the loop is late by
more than `late` seconds it records the loop thread's innermost frames (our code and the library
call it made), and what the other busy threads were running (a thread holding the GIL in C code
starves the loop too). `report()` lists the stack signatures by how often they were seen, each
sample standing for `every` seconds of stall. Used by `bench/voice_latency.py --stall-stacks`.
"""
from __future__ import annotations

import asyncio
import collections
import sys
import threading
import time
import traceback


def _signature(frame, depth: int) -> str:
    """The innermost `depth` frames, innermost last, as 'file:function:line' (paths shortened)."""
    stack = traceback.extract_stack(frame)[-depth:]
    parts = []
    for f in stack:
        path = f.filename
        for marker in ("/site-packages/", "/wt-voice/", "/main/", "/lib/python3"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        parts.append(f"{path}:{f.name}:{f.lineno}")
    return " < ".join(reversed(parts))


class StallSampler:
    def __init__(self, *, late: float = 0.015, every: float = 0.002, depth: int = 8) -> None:
        self.late, self.every, self.depth = late, every, depth
        self.beat = time.perf_counter()
        self.loop_samples: collections.Counter[str] = collections.Counter()
        self.other_samples: collections.Counter[str] = collections.Counter()
        self.stalls = 0
        self._loop_ident: int | None = None
        self._stop = threading.Event()

    async def heartbeat(self) -> None:
        self._loop_ident = threading.get_ident()
        threading.Thread(target=self._watch, name="stall-sampler", daemon=True).start()
        while True:
            self.beat = time.perf_counter()
            await asyncio.sleep(0.002)

    def _watch(self) -> None:
        in_stall = False
        while not self._stop.is_set():
            time.sleep(self.every)
            late = time.perf_counter() - self.beat > self.late
            if not late:
                in_stall = False
                continue
            if not in_stall:
                self.stalls += 1
                in_stall = True
            frames = sys._current_frames()
            me = threading.get_ident()
            loop_frame = frames.get(self._loop_ident) if self._loop_ident else None
            if loop_frame is not None:
                self.loop_samples[_signature(loop_frame, self.depth)] += 1
            for ident, frame in frames.items():
                if ident in (me, self._loop_ident):
                    continue
                sig = _signature(frame, 3)
                if "threading.py:wait" in sig or "queue.py:get" in sig or "selectors.py" in sig:
                    continue                    # idle pool threads
                self.other_samples[sig] += 1

    def report(self, top: int = 12) -> dict:
        out = {"stall_episodes": self.stalls, "sample_ms": self.every * 1000,
               "loop": [{"samples": n, "stack": s} for s, n in self.loop_samples.most_common(top)],
               "other_threads": [{"samples": n, "stack": s} for s, n in self.other_samples.most_common(top)]}
        self.loop_samples.clear()
        self.other_samples.clear()
        self.stalls = 0
        return out

    def stop(self) -> None:
        self._stop.set()
