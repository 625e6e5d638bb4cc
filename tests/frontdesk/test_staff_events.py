"""The staff page's live feed: a change NOTIFY'd by PostgreSQL reaches the streams of that clinic
only, and the number of open streams is bounded (per clinic and per process)."""
from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.frontdesk.conftest import new_handoff
from voice_agent import staff_events
from voice_agent.staff_events import HandoffEvents, TooManyStreams


async def test_notify_reaches_only_that_clinics_streams(database, pool, make_clinic):
    a, b = await make_clinic(), await make_clinic()
    events = HandoffEvents(database)
    await events.start()
    try:
        async with events.subscribe(a.id) as mine, events.subscribe(b.id) as theirs:
            await asyncio.sleep(0.3)                    # the listener is connected
            made = await new_handoff(pool, a.id)
            assert await asyncio.wait_for(mine.get(), 2.0) == made.id
            await asyncio.sleep(0.2)
            assert theirs.empty()
    finally:
        await events.stop()


async def test_stream_limits(monkeypatch):
    events = HandoffEvents("postgresql://postgres@127.0.0.1:1/none")     # never started: limits only
    monkeypatch.setattr(staff_events, "PER_CLINIC", 2)
    monkeypatch.setattr(staff_events, "TOTAL", 3)
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            await stack.enter_async_context(events.subscribe("clinic-a"))
        with pytest.raises(TooManyStreams):
            await stack.enter_async_context(events.subscribe("clinic-a"))
        await stack.enter_async_context(events.subscribe("clinic-b"))
        with pytest.raises(TooManyStreams):
            await stack.enter_async_context(events.subscribe("clinic-c"))
        assert events.streams == 3
    assert events.streams == 0
