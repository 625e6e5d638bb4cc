"""Clinic phone numbers unique within a test run. Kept out of conftest files: a conftest imported by
another package's conftest is loaded a second time under another name, with a second counter."""
from __future__ import annotations

import itertools

_numbers = itertools.count(1000)


def unique_clinic_phone() -> str:
    return f"+1312555{next(_numbers) % 10000:04d}"
