"""The silence watchdog on a fake clock: a reprompt after `silence_seconds` of a quiet line, the
count starting over when the caller speaks, and nothing while the line is busy."""
from __future__ import annotations

import asyncio

from channels.voice.stages.watchdog import SilenceWatchdog

from tests.voice.stages.fakes import FakeClock


def _watchdog(quiet=lambda: True):
    clock, said = FakeClock(), []

    async def on_silence(n: int) -> None:
        said.append((clock.now, n))
    return SilenceWatchdog(silence_seconds=6.0, quiet=quiet, on_silence=on_silence, clock=clock,
                           sleep=clock.sleep), clock, said


async def test_a_quiet_line_is_reprompted_after_the_silence_and_counted():
    dog, clock, said = _watchdog()
    dog.went_quiet()
    clock.now += 5.9
    assert not await dog.check()
    clock.now += 0.1
    assert await dog.check() and said == [(106.0, 1)]
    assert dog.idle_since is None and not await dog.check()     # counting again starts when it goes quiet
    dog.went_quiet()
    clock.now += 6.0
    await dog.check()
    assert [n for _, n in said] == [1, 2]


async def test_the_caller_speaking_starts_the_count_over():
    dog, clock, said = _watchdog()
    dog.went_quiet()
    clock.now += 6.0
    await dog.check()
    dog.caller_active()
    assert dog.reprompts == 0 and dog.idle_since is None


async def test_nothing_is_said_while_the_line_is_busy_and_the_silence_counts_from_when_it_is_quiet():
    """A decode that outlasts `silence_seconds` (a loaded server) is not followed at once by a
    reprompt talking over the answer: the silence is counted once the line is quiet again."""
    busy = [True]
    dog, clock, said = _watchdog(quiet=lambda: not busy[0])
    dog.went_quiet()
    clock.now += 60
    assert not await dog.check()
    busy[0] = False
    assert not await dog.check()
    clock.now += 5.9
    assert not await dog.check()
    clock.now += 0.1
    assert await dog.check() and said == [(166.0, 1)]


async def test_quiet_unless_counting_keeps_the_start_of_a_silence():
    dog, clock, _ = _watchdog()
    dog.went_quiet()
    clock.now += 4
    dog.quiet_unless_counting()
    assert dog.idle_since == 100.0


async def test_the_loop_polls_on_its_clock():
    dog, clock, said = _watchdog()
    dog.went_quiet()
    task = asyncio.create_task(dog.run())
    for _ in range(200):
        await asyncio.sleep(0)
        if said:
            break
    task.cancel()
    assert said and 106.0 <= said[0][0] < 106.2
