"""Google Calendar adapter against its stand-in: idempotent inserts (409 duplicate is the first
booking, not a second), two racing bookings leave one event, tokens, 429 storms, ETags, and the
stand-in's own rules (event ids, error JSON)."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, time as clock_time, timedelta

import pytest

from ehr.bearer import AuthRejected
from ehr.errors import IdempotencyConflict, SlotTaken, Unavailable
from ehr.google_calendar import ids
from ehr.types import NewPatient, SlotCriteria, TimeSlot
from tests.ehr_contract import backend_google
from tests.ehr_contract.harness import ZONE
from tests.ehr_contract.standins.keys import key_pair

WED = date(2026, 12, 2)


def okafor_at(hh: int, mm: int = 0) -> TimeSlot:
    start = datetime.combine(WED, clock_time(hh, mm), ZONE)
    return TimeSlot("okafor", "Dr. Ben Okafor", start, start + timedelta(minutes=20))


def live_events(b, calendar: str) -> list[dict]:
    return [e for e in b.standin.calendars[backend_google.CALENDARS[calendar]].values() if e["status"] != "cancelled"]


async def test_a_retried_insert_that_meets_409_duplicate_is_the_first_booking():
    async with backend_google.make_backend(None) as b:
        first = await b.adapter.book(b.clinic, okafor_at(9), b.maria, None, "call-42-confirm")
        again = await b.adapter.book(b.clinic, okafor_at(9), b.maria, None, "call-42-confirm")
        assert again.id == first.id == ids.event_id(b.clinic.id, "call-42-confirm")
        # the response of an insert was lost: the event exists, the adapter's retry meets 409 duplicate
        lost = okafor_at(10)
        event_id = ids.event_id(b.clinic.id, "call-43-confirm")
        await b.inner.api.insert_event(backend_google.CALENDARS["okafor"], {
            "id": event_id, "start": {"dateTime": lost.start.isoformat()}, "end": {"dateTime": lost.end.isoformat()},
            "extendedProperties": {"private": {"vap_patient_id": b.maria.id}}})
        retried = await b.adapter.book(b.clinic, lost, b.maria, None, "call-43-confirm")
        assert retried.id == event_id
        assert len([e for e in live_events(b, "okafor") if e.get("extendedProperties")]) == 2
        with pytest.raises(IdempotencyConflict):
            await b.adapter.book(b.clinic, okafor_at(11), b.maria, None, "call-42-confirm")


async def test_two_racing_bookings_of_one_time_leave_exactly_one():
    async with backend_google.make_backend(None) as b:
        lena, _ = await b.adapter.find_or_create_patient(b.clinic, NewPatient("Lena", "Park", date(1990, 6, 1)))
        results = await asyncio.gather(
            b.adapter.book(b.clinic, okafor_at(14), b.maria, None, "race-a"),
            b.adapter.book(b.clinic, okafor_at(14), lena, None, "race-b"), return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["Appointment", "SlotTaken"]
        at_two = [e for e in live_events(b, "okafor") if e["start"]["dateTime"].startswith("2026-12-02T20:00")]
        assert len(at_two) == 1


async def test_a_staff_block_is_busy_but_never_an_appointment():
    async with backend_google.make_backend(None) as b:
        tuesday_next = date(2026, 12, 8)
        slots = await b.adapter.find_slots(SlotCriteria(clinic=b.clinic, provider_ids=("okafor",),
                                                        date_from=tuesday_next, date_to=tuesday_next, limit=100,
                                                        spread_days=False))
        starts = {s.start.astimezone(ZONE).time() for s in slots}
        assert clock_time(10, 0) not in starts and clock_time(10, 40) not in starts and clock_time(11, 0) in starts
        day = await b.adapter.list_appointments(b.clinic, datetime.combine(tuesday_next, clock_time(0), ZONE),
                                                datetime.combine(tuesday_next, clock_time(23), ZONE))
        assert day == []
        with pytest.raises(SlotTaken):
            await b.adapter.book(b.clinic, TimeSlot("okafor", "Dr. Ben Okafor",
                                                    datetime.combine(tuesday_next, clock_time(10, 20), ZONE),
                                                    datetime.combine(tuesday_next, clock_time(10, 40), ZONE)),
                                 b.maria, None, "into-the-meeting")


async def test_expired_token_refreshed_once_and_a_foreign_key_refused():
    async with backend_google.make_backend(None) as b:
        await b.adapter.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))
        b.standin.tokens.expire_all()
        await b.adapter.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED, provider_ids=("okafor",)))
        assert b.standin.tokens.granted == 2 and b.inner.bearer.fetches == 2
        b.inner.bearer._key = type(b.inner.bearer._key)(key_pair("not-registered")[0], "rogue")
        b.inner.bearer.invalidate()
        with pytest.raises(AuthRejected) as caught:
            await b.inner.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))
        assert caught.value.reason.startswith("invalid_grant")
        assert b.standin.tokens.refused == ["Invalid JWT Signature."]


async def test_a_429_storm_is_waited_out_then_is_an_outage():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with backend_google.make_backend(None, sleep=sleep) as b:
        await b.inner.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))   # token in hand
        b.faults.storm(2, retry_after=1)
        assert await b.inner.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))
        assert waits == [1.0, 1.0]
        b.faults.storm(10)
        with pytest.raises(Unavailable):
            await b.adapter.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED,
                                                    provider_ids=("rivera",)))


async def test_cancel_with_a_stale_etag_reads_again():
    async with backend_google.make_backend(None) as b:
        booked = await b.adapter.book(b.clinic, okafor_at(9, 20), b.maria, None, "etag")
        event = b.standin.calendars[backend_google.CALENDARS["okafor"]][booked.id]
        b.standin.stamp(event)                        # edited in Google Calendar meanwhile: new ETag
        stale_etag = booked.extra["etag"]
        assert stale_etag != event["etag"]
        cancelled = await b.adapter.cancel(b.clinic, booked.id, "better", "patient")
        assert cancelled.status == "CANCELLED" and event["status"] == "cancelled"
        assert (await b.adapter.get_appointment(b.clinic, booked.id)).status == "CANCELLED"


async def test_the_stand_in_enforces_event_ids_and_answers_google_errors():
    async with backend_google.make_backend(None) as b:
        api, cal = b.inner.api, backend_google.CALENDARS["okafor"]
        for bad in ("abc", "UPPERCASE123", "with-dash-123", "wxyz12345"):
            with pytest.raises(Exception) as caught:
                await api.insert_event(cal, {"id": bad, "start": {"dateTime": "2026-12-02T15:00:00Z"},
                                             "end": {"dateTime": "2026-12-02T15:20:00Z"}})
            assert getattr(caught.value, "reason", "") == "invalid"
        assert ids.VALID.match(ids.event_id("c", "k")) and ids.VALID.match(ids.event_id("c", None))


async def test_a_readonly_scope_or_an_unshared_calendar_is_scope_missing():
    from ehr.errors import ScopeMissing
    async with backend_google.make_backend(None) as b:
        claims = b.inner.bearer._claims
        b.inner.bearer._claims = lambda now: {**claims(now), "scope": SCOPE_READONLY}
        with pytest.raises(ScopeMissing):
            await b.inner.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))
    async with backend_google.make_backend(None) as b:
        del b.standin.calendars[backend_google.CALENDARS["okafor"]]     # never shared with the account
        with pytest.raises(ScopeMissing):
            await b.inner.find_slots(SlotCriteria(clinic=b.clinic, date_from=WED, date_to=WED))
        with pytest.raises(ScopeMissing):
            await b.inner.list_appointments(b.clinic, datetime.combine(WED, clock_time(0), ZONE),
                                            datetime.combine(WED, clock_time(23), ZONE))


SCOPE_READONLY = "https://www.googleapis.com/auth/calendar.readonly"


async def test_an_idempotency_key_used_with_another_provider_is_a_conflict():
    async with backend_google.make_backend(None) as b:
        await b.adapter.book(b.clinic, okafor_at(9), b.maria, None, "cross-calendar")
        rivera = TimeSlot("rivera", "Dr. Ana Rivera", okafor_at(9).start, okafor_at(9).start + timedelta(minutes=30))
        with pytest.raises(IdempotencyConflict):
            await b.adapter.book(b.clinic, rivera, b.maria, None, "cross-calendar")
        on_wed = [e for e in live_events(b, "rivera")
                  if datetime.fromisoformat(e["start"]["dateTime"].replace("Z", "+00:00")).astimezone(ZONE).date() == WED]
        assert on_wed == []                                    # nothing was booked with Rivera


async def test_a_visit_moved_by_a_quarter_of_an_hour_does_not_collide_with_itself():
    async with backend_google.make_backend(None) as b:
        seeded = (await b.adapter.upcoming_appointments(b.clinic, b.maria))[0]
        later = seeded.start + timedelta(minutes=15)
        moved = await b.adapter.reschedule(b.clinic, seeded.id, TimeSlot("rivera", "Dr. Ana Rivera", later,
                                                                         later + timedelta(minutes=30)), "nudge")
        assert moved.start == later and moved.rescheduled_from_id == seeded.id
        assert [a.start for a in await b.adapter.upcoming_appointments(b.clinic, b.maria)] == [later]
        blocked = later + timedelta(days=7, minutes=-15)           # next Tuesday 10:00: the staff meeting
        with pytest.raises(SlotTaken):
            await b.adapter.reschedule(b.clinic, moved.id, TimeSlot("okafor", "Dr. Ben Okafor", blocked,
                                                                    blocked + timedelta(minutes=20)), "into-meeting")
