"""An engine turn does not freeze the other calls: the understanding's and the safety pipeline's
CPU work runs off the event loop.

Issue 13: with 4 embedded callers the server's event loop stalled 93-137 ms; sampling what the loop
ran during the stalls (bench/voice_latency.py --stall-stacks) found the intent classifier's and
the crisis model's encoder (and Presidio on the reply) running on the loop. Here both are made
slow on purpose (a blocking 150 ms each) and a 5 ms ticker watches the loop during one turn."""
from __future__ import annotations

import asyncio
import time

import pytest

pytestmark = pytest.mark.serial        # measures the event loop: run alone (scripts/test)

SLOW = 0.15


class SlowSafety:
    def __init__(self, inner) -> None:
        self.inner = inner

    def check_input(self, *args, **kw):
        time.sleep(SLOW)
        return self.inner.check_input(*args, **kw)

    def check_output(self, *args, **kw):
        time.sleep(SLOW)
        return self.inner.check_output(*args, **kw)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class SlowReader:
    def __init__(self, inner) -> None:
        self.inner = inner

    def understand(self, text, ctx):
        time.sleep(SLOW)
        return self.inner.understand(text, ctx)

    async def understand_async(self, text, ctx):
        return self.understand(text, ctx)


async def test_a_slow_understanding_and_safety_check_do_not_stall_the_loop(voice_rig):
    rig = await voice_rig()
    engine = rig.engine
    engine.safety = SlowSafety(engine.safety)
    engine.understanding.inner = SlowReader(engine.understanding.inner)
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
    await asyncio.sleep(0.02)
    reply = await engine.process(rig.clinic.id, "voice", "I'd like to book with Doctor Raman", channel_user_id="CA-loop")
    done.set()
    await tick
    assert "What day" in reply.message or "Raman" in reply.message, reply.message
    assert max(gaps) < 0.1, f"the loop stalled {max(gaps) * 1000:.0f} ms"
