"""Dates and times resolved in the clinic's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nlu_test_support import CHICAGO

D = dt.date
T = dt.time


def test_next_tuesday_across_dst_uses_clinic_calendar_day(understand):
    # 05:30 UTC on Saturday 2024-03-09 is still Friday 23:30 in Chicago; DST starts Sunday 03-10.
    now = dt.datetime(2024, 3, 9, 5, 30, tzinfo=dt.timezone.utc)
    r = understand("next Tuesday at 3", now=now)
    assert r.date == D(2024, 3, 12)
    assert r.time == T(15, 0)
    # the same instant in a zone where it is already Saturday resolves from Saturday
    r2 = understand("next Tuesday", now=now, tz="Europe/Berlin")
    assert r2.date == D(2024, 3, 12)
    r3 = understand("tomorrow", now=now, tz="Europe/Berlin")
    assert r3.date == D(2024, 3, 10)
    assert understand("tomorrow", now=now).date == D(2024, 3, 9)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("next tuesday", D(2019, 3, 5)),
        ("next thursday", D(2019, 3, 7)),
        ("this tuesday", D(2019, 3, 5)),
        ("friday next week", D(2019, 3, 8)),
        ("next friday", D(2019, 3, 8)),
        ("saturday this week", D(2019, 3, 2)),
        ("today", D(2019, 3, 1)),
        ("day after tomorrow", D(2019, 3, 3)),
        ("on the 5th", D(2019, 3, 5)),
        ("the 5th of this month", D(2019, 3, 5)),
        ("march 9th", D(2019, 3, 9)),
        ("march 9", D(2019, 3, 9)),
        ("3/9", D(2019, 3, 9)),
        ("9th of march", D(2019, 3, 9)),
        ("in two weeks", D(2019, 3, 15)),
        ("in 3 days", D(2019, 3, 4)),
        ("march fourth", D(2019, 3, 4)),
        ("the twenty first", D(2019, 3, 21)),
        ("tomorow", D(2019, 3, 2)),
        ("tuesdy", D(2019, 3, 5)),
        ("wensday", D(2019, 3, 6)),
        ("february 10", D(2020, 2, 10)),  # past this year rolls to next year
    ],
)
def test_appointment_dates(understand, text, expected):
    assert understand(text).date == expected


def test_the_5th_after_it_passed_rolls_to_next_month(understand):
    now = dt.datetime(2019, 3, 20, 10, 0, tzinfo=ZoneInfo(CHICAGO))
    assert understand("can I come in on the 5th", now=now).date == D(2019, 4, 5)


def test_next_week_is_a_range_and_next_monday_morning(understand):
    r = understand("sometime next week")
    assert r.date is None
    assert r.date_range == (D(2019, 3, 4), D(2019, 3, 10))
    r = understand("next monday morning")
    assert r.date == D(2019, 3, 4) and r.part_of_day == "morning" and r.time is None


def test_tomorrow_afternoon(understand):
    r = understand("do you have anything tomorrow afternoon?")
    assert r.date == D(2019, 3, 2)
    assert r.part_of_day == "afternoon"
    assert r.time is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("at 3", T(15, 0)),
        ("9", None),  # a bare number without a cue is not a time
        ("at 9", T(9, 0)),
        ("3pm", T(15, 0)),
        ("3:30 p.m.", T(15, 30)),
        ("three thirty p m", T(15, 30)),
        ("half past two", T(14, 30)),
        ("quarter to four", T(15, 45)),
        ("noon", T(12, 0)),
        ("12:15 in the afternoon", T(12, 15)),
        ("evening 4:45", T(16, 45)),
        ("15:30", T(15, 30)),
        ("quarter to 12 in the morning", T(11, 45)),
        ("4 o'clock in the evening", T(16, 0)),
        ("twelve in the afternoon", T(12, 0)),
        ("10 am", T(10, 0)),
    ],
)
def test_times(understand, text, expected):
    assert understand(text).time == expected


def test_bare_number_is_a_time_when_asked_for_time(understand):
    assert understand("3", expecting="time").time == T(15, 0)


def test_after_3_is_earliest_time(understand):
    r = understand("anything after 3 on thursday?")
    assert r.earliest_time == T(15, 0)
    assert r.time is None
    assert r.date == D(2019, 3, 7)
    assert understand("before 11 please").latest_time == T(11, 0)


def test_dob_in_words_is_not_an_appointment_date(understand):
    r = understand("march fourth nineteen eighty five", expecting="date_of_birth")
    assert r.date_of_birth == D(1985, 3, 4)
    assert r.date is None
    assert r.answers_expected


@pytest.mark.parametrize(
    "text",
    ["03/04/1985", "1985-03-04", "March 4th, 1985", "4 March 1985",
     "oh three oh four nineteen eighty five", "03041985"],
)
def test_dob_forms(understand, text):
    assert understand(text, expecting="date_of_birth").date_of_birth == D(1985, 3, 4)


def test_dob_must_be_past_and_plausible(understand):
    assert understand("march 4 2030", expecting="date_of_birth").date_of_birth is None
    assert understand("march 4 1850", expecting="date_of_birth").date_of_birth is None
