"""Typed calendar errors every adapter raises, so the dialogue core can answer each one well."""
from __future__ import annotations


class EHRError(Exception):
    """Base class."""


class SlotTaken(EHRError):
    """The slot was booked by someone else (or overlaps a live appointment)."""


class NotFound(EHRError):
    """No such provider, patient or appointment in this clinic (another clinic's ids look the same)."""


class NotAllowed(EHRError):
    """The action is not allowed, e.g. the provider is not accepting new patients, or the time is past."""


class IdempotencyConflict(NotAllowed):
    """The idempotency key was already used for a different request (another slot or patient)."""


class Unavailable(EHRError):
    """The calendar or EHR cannot be reached right now."""


class AuthFailed(Unavailable):
    """The EHR refused the clinic's credentials (revoked, expired refresh token, wrong client): the
    receptionist cannot reach the schedule, and an operator must reconnect the EHR."""


class ScopeMissing(AuthFailed):
    """The credentials work but lack a permission (an OAuth scope) this operation needs."""
