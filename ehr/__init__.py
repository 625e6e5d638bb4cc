"""The EHR seam: the `EHRAdapter` protocol, its value types and errors, and the built-in calendar.

`adapter_for(services)` hands out the process's one adapter, created lazily from
`services.pool` and kept in `services.extras["ehr"]`, so the REST API and the dialogue engine share
one instance (tests may put their own adapter there first).
"""
from __future__ import annotations

from typing import Any

from ehr.errors import EHRError, IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import (Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot)

EXTRAS_KEY = "ehr"


def adapter_for(services: Any) -> EHRAdapter:
    adapter = services.extras.get(EXTRAS_KEY)
    if adapter is None:
        from ehr.builtin import BuiltinCalendar
        adapter = services.extras.setdefault(EXTRAS_KEY, BuiltinCalendar(services.pool, anchors=services.anchors))
    return adapter


__all__ = ["EHRAdapter", "EHRError", "IdempotencyConflict", "NotAllowed", "NotFound", "SlotTaken", "Unavailable",
           "Appointment", "ClinicRef", "NewPatient", "Patient", "Provider", "SlotCriteria", "TimeSlot",
           "adapter_for", "EXTRAS_KEY"]
