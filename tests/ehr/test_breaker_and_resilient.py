"""The circuit breaker and `ResilientEHR`: an EHR that keeps failing is answered for at once with
Unavailable; availability is cached briefly and dropped on writes. Clocks are injected."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from ehr.availability_cache import MemoryAvailabilityCache
from ehr.breaker import CLOSED, HALF_OPEN, OPEN, BreakerBoard, BreakerPolicy, CircuitBreaker
from ehr.errors import NotFound, SlotTaken, Unavailable
from ehr.resilient import ResiliencePolicy, ResilientEHR
from ehr.types import Appointment, ClinicRef, Patient, SlotCriteria, TimeSlot

CLINIC = ClinicRef("c1", "America/Chicago", "One")
OTHER = ClinicRef("c2", "America/Chicago", "Two")
T0 = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_breaker_opens_after_n_failures_then_probes():
    clock = Clock()
    b = CircuitBreaker(BreakerPolicy(failure_threshold=3, cooldown=30), clock)
    for _ in range(2):
        b.before_call()
        b.failure()
    assert b.state == CLOSED
    b.before_call()
    b.failure()
    assert b.state == OPEN
    with pytest.raises(Unavailable):
        b.before_call()
    clock.t = 29.9
    with pytest.raises(Unavailable):
        b.before_call()
    clock.t = 30.0
    b.before_call()                       # the probe
    assert b.state == HALF_OPEN
    with pytest.raises(Unavailable):       # only one probe at a time
        b.before_call()
    b.failure()
    assert b.state == OPEN
    clock.t = 60.0
    b.before_call()
    b.success()
    assert b.state == CLOSED and b.failures == 0
    b.before_call()


def test_a_success_resets_the_count():
    b = CircuitBreaker(BreakerPolicy(failure_threshold=2), Clock())
    b.failure()
    b.success()
    b.failure()
    assert b.state == CLOSED


class Fake:
    """An adapter whose answers a test scripts."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.fail: BaseException | None = None
        self.stall = False
        self.slots = [TimeSlot("p1", "Dr. A", T0, T0 + timedelta(minutes=30))]

    def now(self) -> datetime:
        return T0 - timedelta(days=1)

    async def _do(self, name: str):
        self.calls[name] = self.calls.get(name, 0) + 1
        if self.stall:
            await asyncio.sleep(10)
        if self.fail is not None:
            raise self.fail

    async def find_slots(self, criteria):
        await self._do("find_slots")
        return list(self.slots)

    async def get_appointment(self, clinic, appointment_id):
        await self._do("get_appointment")
        raise NotFound("no such appointment")

    async def book(self, clinic, slot, patient, reason, key, booked_via="api", session_id=None):
        await self._do("book")
        return Appointment("a1", clinic.id, slot.provider_id, slot.provider_name, patient.id, slot.start, slot.end,
                           "SCHEDULED")


def wrapped(fake: Fake, clock: Clock, **policy) -> ResilientEHR:
    board = BreakerBoard(BreakerPolicy(failure_threshold=2, cooldown=30), clock)
    return ResilientEHR(fake, ehr_name="fake", breakers=board, cache=MemoryAvailabilityCache(clock),
                        policy=ResiliencePolicy(**{"call_timeout": 0.05, "cache_ttl": 20, **policy}))


CRIT = SlotCriteria(clinic=CLINIC, date_from=date(2026, 12, 2), date_to=date(2026, 12, 2))


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                   Unavailable("503 from the vendor")])
async def test_failures_become_unavailable_and_open_the_breaker_per_clinic(error):
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock, cache_ttl=0)
    fake.fail = error
    for _ in range(2):
        with pytest.raises(Unavailable):
            await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 2
    with pytest.raises(Unavailable):            # open: not even asked
        await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 2
    fake.fail = None
    assert await ehr.find_slots(SlotCriteria(clinic=OTHER)) == fake.slots   # another clinic's breaker is closed
    clock.t = 31
    assert await ehr.find_slots(CRIT) == fake.slots                          # the probe closes it


async def test_a_stalled_call_is_unavailable_within_the_deadline():
    fake, clock = Fake(), Clock()
    fake.stall = True
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(Unavailable):
        await wrapped(fake, clock).find_slots(CRIT)
    assert loop.time() - started < 1.0


async def test_domain_answers_pass_through_and_count_as_healthy():
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock)
    for _ in range(5):
        with pytest.raises(NotFound):
            await ehr.get_appointment(CLINIC, "x")
    fake.fail = SlotTaken("taken")
    for _ in range(3):
        with pytest.raises(SlotTaken):
            await ehr.book(CLINIC, fake.slots[0], Patient("p", "c1", "A", "B", None), None, None)
    assert ehr.breakers.get("fake", CLINIC.id).state == CLOSED


async def test_availability_is_cached_briefly_and_dropped_on_a_booking():
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock)
    assert await ehr.find_slots(CRIT) == fake.slots
    assert await ehr.find_slots(CRIT) == fake.slots
    assert fake.calls["find_slots"] == 1                  # the second answer came from the cache
    clock.t = 21
    await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 2                  # expired after the TTL
    await ehr.book(CLINIC, fake.slots[0], Patient("p", "c1", "A", "B", None), None, None)
    await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 3                  # a booking dropped the clinic's cache


async def test_a_failed_booking_is_never_reported_done_and_still_drops_the_cache():
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock)
    await ehr.find_slots(CRIT)
    fake.fail = httpx.ReadTimeout("slow")
    with pytest.raises(Unavailable):
        await ehr.book(CLINIC, fake.slots[0], Patient("p", "c1", "A", "B", None), None, None)
    fake.fail = None
    await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 2


async def test_an_answer_computed_before_a_booking_is_never_served_after_it():
    """A search that started before a booking and finishes after it stores its (stale) answer under
    the old generation: the next search asks the EHR again."""
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock, call_timeout=5)
    release = asyncio.Event()
    real_find = fake.find_slots

    async def slow_find(criteria):
        await release.wait()
        return await real_find(criteria)

    fake.find_slots = slow_find
    searching = asyncio.ensure_future(ehr.find_slots(CRIT))
    await asyncio.sleep(0)
    await ehr.book(CLINIC, fake.slots[0], Patient("p", "c1", "A", "B", None), None, None)
    release.set()
    await searching
    fake.find_slots = real_find
    await ehr.find_slots(CRIT)
    assert fake.calls["find_slots"] == 2


async def test_the_redis_cache_is_shared_and_dropped_for_every_reader(redis):
    from storage.ehr_cache import RedisAvailabilityCache
    one, two = RedisAvailabilityCache(redis), RedisAvailabilityCache(redis)   # two workers
    clinic = f"clinic-{id(one)}"
    gen = await one.generation(clinic)
    await one.put(clinic, gen, "k", "[1]", 20)
    assert await two.get(clinic, await two.generation(clinic), "k") == "[1]"
    await two.invalidate(clinic)
    assert await one.get(clinic, await one.generation(clinic), "k") is None


async def test_a_probe_answered_with_something_unreadable_does_not_leave_the_breaker_stuck():
    """After the cool-down the one probe gets a maintenance page (not JSON): that is a failure, and the
    next probe, once the EHR is back, closes the breaker again."""
    fake, clock = Fake(), Clock()
    ehr = wrapped(fake, clock, cache_ttl=0)
    fake.fail = httpx.ConnectError("refused")
    for _ in range(2):
        with pytest.raises(Unavailable):
            await ehr.find_slots(CRIT)
    clock.t = 31
    fake.fail = ValueError("Expecting value: line 1 column 1 (char 0)")     # response.json() on HTML
    with pytest.raises(Unavailable):
        await ehr.find_slots(CRIT)
    fake.fail = None
    clock.t = 62
    assert await ehr.find_slots(CRIT) == fake.slots
