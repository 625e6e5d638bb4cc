"""The conversation state machine (the seed's section 4.5), with its transitions enforced.

The seed's transitions are kept as they are; the flows this product supports need a few more,
listed under EXTENSIONS with the reason for each. Any other move raises InvalidTransition: a bug,
which tests surface.
"""
from __future__ import annotations

from enum import Enum


class BookingState(str, Enum):
    IDLE = "idle"
    COLLECT_PROVIDER = "collect_provider"
    COLLECT_DATE = "collect_date"
    COLLECT_TIME = "collect_time"
    COLLECT_PATIENT_INFO = "collect_patient_info"
    COLLECT_REASON = "collect_reason"
    SEARCHING = "searching"
    SHOWING_SLOTS = "showing_slots"
    CONFIRM_BOOKING = "confirm_booking"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    HANDED_OFF = "handed_off"
    COMPLETED = "completed"
    ERROR = "error"


S = BookingState

SEED_TRANSITIONS: dict[BookingState, set[BookingState]] = {
    S.IDLE: {S.COLLECT_PROVIDER, S.COLLECT_DATE, S.SEARCHING},
    S.COLLECT_PROVIDER: {S.COLLECT_DATE, S.SEARCHING},
    S.COLLECT_DATE: {S.COLLECT_TIME, S.SEARCHING},
    S.SEARCHING: {S.SHOWING_SLOTS, S.ERROR},
    S.SHOWING_SLOTS: {S.CONFIRM_BOOKING, S.SEARCHING},
    S.CONFIRM_BOOKING: {S.BOOKED, S.SHOWING_SLOTS},
    S.BOOKED: {S.COMPLETED},
}

# Extensions, each needed by a flow the seed's list does not cover.
EXTENSIONS: dict[BookingState, set[BookingState]] = {
    # Cancel, reschedule and check start by identifying the patient.
    S.IDLE: {S.COLLECT_PATIENT_INFO, S.COLLECT_TIME, S.COMPLETED},
    # The seed never leaves COLLECT_TIME; it leads to the search (or back to the date on a correction).
    S.COLLECT_TIME: {S.SEARCHING, S.COLLECT_DATE, S.COLLECT_PROVIDER},
    # Corrections ("no, Dr. Lee") and specialty answers while collecting.
    S.COLLECT_PROVIDER: {S.COLLECT_TIME, S.COLLECT_PROVIDER},
    S.COLLECT_DATE: {S.COLLECT_PROVIDER, S.COLLECT_DATE},
    # Nothing free: ask for another day or provider.
    S.SEARCHING: {S.COLLECT_DATE, S.COLLECT_PROVIDER, S.COLLECT_TIME},
    # After a slot is picked the patient is identified, then the reason; the shown list is also
    # how a patient picks which of their appointments to cancel or move.
    S.SHOWING_SLOTS: {S.COLLECT_PATIENT_INFO, S.COLLECT_REASON, S.COLLECT_DATE, S.COLLECT_PROVIDER,
                      S.COLLECT_TIME, S.SHOWING_SLOTS, S.IDLE},
    # Reschedule goes from identification to the new date; a new patient whose doctor is not taking
    # new patients goes back to the provider question.
    S.COLLECT_PATIENT_INFO: {S.COLLECT_PATIENT_INFO, S.COLLECT_REASON, S.CONFIRM_BOOKING, S.SHOWING_SLOTS,
                             S.COLLECT_DATE, S.COLLECT_TIME, S.COLLECT_PROVIDER, S.SEARCHING, S.COMPLETED},
    S.COLLECT_REASON: {S.CONFIRM_BOOKING, S.SEARCHING, S.COLLECT_DATE, S.SHOWING_SLOTS, S.COLLECT_PROVIDER},
    # Read-back of a cancellation ends in CANCELLED; a correction at read-back re-searches;
    # "no" to moving an appointment returns to the date question.
    S.CONFIRM_BOOKING: {S.CANCELLED, S.SEARCHING, S.COLLECT_DATE, S.COLLECT_TIME, S.COLLECT_PROVIDER,
                        S.CONFIRM_BOOKING},
    # A finished request: the same conversation may start another.
    S.BOOKED: {S.IDLE},
    S.CANCELLED: {S.COMPLETED, S.IDLE},
    S.COMPLETED: {S.IDLE},
    # The front desk follows up, and meanwhile the patient may go on here: the conversation resumes
    # at the question it was handed off from.
    S.HANDED_OFF: {S.IDLE, S.COLLECT_PROVIDER, S.COLLECT_DATE, S.COLLECT_TIME, S.COLLECT_PATIENT_INFO,
                   S.COLLECT_REASON, S.SHOWING_SLOTS, S.CONFIRM_BOOKING},
    S.ERROR: {S.IDLE},
}

# The seed's "Any → HANDED_OFF, ERROR"; plus COMPLETED (goodbye ends any state) and IDLE (the
# patient switches to another request mid-way: the old one is dropped and the new one starts).
ANY_TO = {S.HANDED_OFF, S.ERROR, S.COMPLETED, S.IDLE}

TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    state: frozenset(SEED_TRANSITIONS.get(state, set()) | EXTENSIONS.get(state, set()) | ANY_TO)
    for state in BookingState
}


class InvalidTransition(RuntimeError):
    """A move the state machine does not allow: a bug in the flow."""


def check_transition(current: BookingState, target: BookingState) -> None:
    if target == current and current in (S.HANDED_OFF, S.COMPLETED, S.ERROR):
        return
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"{current.value} -> {target.value} is not a valid transition")
