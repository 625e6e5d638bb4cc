"""The EHR seam: the `EHRAdapter` protocol, its value types and errors, and the built-in calendar.

The composition root builds the process's one adapter (voice_agent/services.py), so the REST API
and the dialogue engine share one instance.
"""
from __future__ import annotations

from ehr.errors import EHRError, IdempotencyConflict, NotAllowed, NotFound, SlotTaken, Unavailable
from ehr.protocol import EHRAdapter
from ehr.types import (Appointment, ClinicRef, NewPatient, Patient, Provider, SlotCriteria, TimeSlot)

__all__ = ["EHRAdapter", "EHRError", "IdempotencyConflict", "NotAllowed", "NotFound", "SlotTaken", "Unavailable",
           "Appointment", "ClinicRef", "NewPatient", "Patient", "Provider", "SlotCriteria", "TimeSlot"]
