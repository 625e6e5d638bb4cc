"""Shared constants for the NLU tests (imported by conftest and the test modules)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dialogue.nlu import RosterEntry

CHICAGO = "America/Chicago"
# Friday 2019-03-01 09:00 in Chicago (the SGD reference day)
FRIDAY = dt.datetime(2019, 3, 1, 9, 0, tzinfo=ZoneInfo(CHICAGO))

ROSTER = [
    RosterEntry("p-raman", "Priya", "Raman", "Dr.", "Cardiology"),
    RosterEntry("p-slee", "Susan", "Lee", "Dr.", "Dermatology"),
    RosterEntry("p-dlee", "David", "Lee", "Dr.", "Pediatrics"),
    RosterEntry("p-will", "Will", "Hart", "NP", "Family Medicine"),
    RosterEntry("p-may", "Anna", "May", "Dr.", "Orthopedics"),
    RosterEntry("p-okonkwo", "Joseph", "Okonkwo", "Dr.", "Obstetrics and Gynecology"),
    RosterEntry("p-chen", "Lin", "Chen", "Dr.", "Ophthalmology"),
]
