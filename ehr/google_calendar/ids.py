"""Event ids we choose: Google accepts base32hex characters (a–v, 0–9), 5 to 1024 of them, unique per
calendar. Deriving the id from the clinic and the idempotency key makes a retried insert hit the
same id — Google answers 409 `duplicate` instead of creating a second event."""
from __future__ import annotations

import base64
import hashlib
import re
import uuid

from ehr.names import compact

VALID = re.compile(r"^[a-v0-9]{5,1024}$")


def _b32hex(data: bytes) -> str:
    return base64.b32hexencode(data).decode().rstrip("=").lower()


def event_id(clinic_id: str, idempotency_key: str | None, purpose: str = "book") -> str:
    seed = f"{clinic_id}|{purpose}|{idempotency_key}" if idempotency_key else f"{uuid.uuid4()}"
    return "va" + _b32hex(hashlib.sha256(seed.encode()).digest())


def patient_id(clinic_id: str, first_name: str, last_name: str, date_of_birth: str, nonce: str = "") -> str:
    """A patient record's event id: the same person (folded names, birth date) gets the same id."""
    seed = f"{clinic_id}|{compact(first_name)}|{compact(last_name)}|{date_of_birth}|{nonce}"
    return "pt" + _b32hex(hashlib.sha256(seed.encode()).digest())[:40]
