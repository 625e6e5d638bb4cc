"""Clinic phone numbers unique within a test run. Kept out of conftest files: a conftest imported by
another package's conftest is loaded a second time under another name, with a second counter."""
from __future__ import annotations

import itertools

_numbers = itertools.count(1000)


def unique_clinic_phone() -> str:
    """+13125551000 upwards; tests/voice/conftest.py picks its free numbers from 5000 up, so the two never meet."""
    number = next(_numbers)
    assert number < 5000, "more clinics than tests/phones.py has numbers for"
    return f"+1312555{number:04d}"
