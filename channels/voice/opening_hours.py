"""When the front desk is there: open now, and when it opens next (what a caller who asked for a
person after hours is told before the voicemail tone)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogue.speech_format import DAY_NAMES, say_time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _intervals(hours: dict | None, day: str) -> list[tuple[str, str]]:
    return [(start, end) for start, end in ((hours or {}).get(day) or [])]


def is_open(business_hours: dict | None, timezone: str, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(timezone))
    hhmm = local.strftime("%H:%M")
    return any(start <= hhmm < end for start, end in _intervals(business_hours, DAYS[local.weekday()]))


def next_opening(business_hours: dict | None, timezone: str, now: datetime) -> datetime | None:
    """The next moment the clinic opens after `now` (clinic-local), within a week; None if never."""
    local = now.astimezone(ZoneInfo(timezone))
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        for start, _ in sorted(_intervals(business_hours, DAYS[day.weekday()])):
            opens = datetime.combine(day, time.fromisoformat(start), tzinfo=local.tzinfo)
            if opens > local:
                return opens
    return None


def callback_promise(business_hours: dict | None, timezone: str, now: datetime) -> str:
    """'Our front desk will call you back after we open tomorrow at 8 AM.'"""
    opens = next_opening(business_hours, timezone, now)
    if opens is None:
        return "Our front desk will call you back as soon as they can."
    local = now.astimezone(ZoneInfo(timezone)).date()
    if opens.date() == local:
        when = f"today at {say_time(opens)}"
    elif opens.date() == local + timedelta(days=1):
        when = f"tomorrow at {say_time(opens)}"
    else:
        when = f"on {DAY_NAMES[DAYS[opens.weekday()]]} at {say_time(opens)}"
    return f"Our front desk will call you back after we open {when}."
