"""Value types shared by the understanding: intents, roster entries, context and result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any, Optional
from zoneinfo import ZoneInfo

EXPECTING_VALUES = frozenset(
    {
        None,
        "provider",
        "date",
        "time",
        "slot_choice",
        "patient_name",
        "date_of_birth",
        "phone",
        "reason",
        "confirm",
        "confirm_identity",
        "appointment_choice",
    }
)


class Intent(str, Enum):
    """What the caller wants from this message."""

    SCHEDULING = "scheduling"
    CANCELLATION = "cancellation"
    RESCHEDULE = "reschedule"
    CHECK_APPOINTMENT = "check_appointment"
    CONFIRMATION = "confirmation"
    CORRECTION = "correction"
    HANDOFF = "handoff"
    INFORMATION = "information"
    GREETING = "greeting"
    GOODBYE = "goodbye"
    OUT_OF_SCOPE = "out_of_scope"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RosterEntry:
    """One bookable provider of the clinic."""

    id: str
    first_name: str
    last_name: str
    title: str = "Dr."
    specialty: str = ""


@dataclass
class NLUContext:
    """What the understanding needs to know about the clinic and the dialogue turn.

    ``expecting`` is the question the agent just asked (see ``EXPECTING_VALUES``);
    ``shown_options`` is how many options were offered for slot/appointment choice.
    """

    timezone: str
    now: dt.datetime
    roster: list[RosterEntry] = field(default_factory=list)
    expecting: Optional[str] = None
    shown_options: int = 0
    spoken: bool = False          # the text came from a phone call's recogniser (Lee and Li sound alike)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("NLUContext.now must be timezone-aware")
        if self.expecting not in EXPECTING_VALUES:
            raise ValueError(f"unknown expecting value: {self.expecting!r}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def today(self) -> dt.date:
        """The clinic's local calendar date at ``now``."""
        return self.now.astimezone(self.tz).date()


@dataclass
class NLUResult:
    """Intent plus every slot the message filled (None when absent)."""

    intent: Intent = Intent.UNKNOWN
    confidence: float = 0.0
    provider_id: Optional[str] = None
    provider_ambiguous: list[str] = field(default_factory=list)
    specialty: Optional[str] = None
    date: Optional[dt.date] = None
    date_range: Optional[tuple[dt.date, dt.date]] = None
    weekday: Optional[int] = None  # 0=Monday .. 6=Sunday, a constraint ("any tuesday")
    not_weekdays: list[int] = field(default_factory=list)   # "not on a Monday", "any day but Monday"
    time: Optional[dt.time] = None
    earliest_time: Optional[dt.time] = None
    latest_time: Optional[dt.time] = None
    part_of_day: Optional[str] = None
    choice_index: Optional[int] = None
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    date_of_birth: Optional[dt.date] = None
    phone: Optional[str] = None
    reason: Optional[str] = None
    yes_no: Optional[bool] = None
    is_correction: bool = False
    info_topic: Optional[str] = None
    dialogue_act: Optional[str] = None  # "repeat", "help", "are_you_bot", "maybe", "thanks", "wait", "abort"
    answers_expected: bool = False  # the message answers ``ctx.expecting``

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: enums as values, dates/times as ISO strings."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Enum):
                v = v.value
            elif isinstance(v, (dt.date, dt.time)):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = [x.isoformat() for x in v]
            elif isinstance(v, list):
                v = list(v)
            out[f.name] = v
        return out

    def has_slots(self) -> bool:
        """True when any slot (other than intent bookkeeping) is filled."""
        return any(
            getattr(self, n) not in (None, [], False)
            for n in (
                "provider_id", "provider_ambiguous", "specialty", "date", "date_range",
                "weekday", "not_weekdays", "time", "earliest_time", "latest_time", "part_of_day",
                "choice_index", "first_name", "last_name", "date_of_birth", "phone",
            )
        )
