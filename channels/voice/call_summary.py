"""What front-desk staff hear about a call before they take it: what the caller wanted, with which
doctor, how far they got, their name — never a date of birth or a phone number."""
from __future__ import annotations

from dialogue.handoff_summary import FLOW_WORDS
from dialogue.handoff_summary import STATE_WORDS as HANDOFF_STATE_WORDS
from dialogue.ports import Clinic
from dialogue.states import BookingState

# the words the handoff record uses, and the states only a live call is still in when it is transferred
STATE_WORDS = {**HANDOFF_STATE_WORDS, "booked": "after booking", "cancelled": "after a cancellation",
               "handed_off": "asking for a person"}


def staff_summary(session, clinic: Clinic, providers: dict[str, str] | None = None) -> str:
    """What staff hear before the caller is connected: intent and progress, no DOB or phone digits."""
    if session is None:
        return f"A caller to {clinic.name} asked the automated assistant for a person."
    c = session.collected_data
    parts = ["Transferred call from the automated assistant."]
    name = " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x)
    if name:
        parts.append(f"The caller is {name}.")
    flow = FLOW_WORDS.get(c.get("flow") or "")
    if flow:
        who = c.get("provider_name") or (providers or {}).get(c.get("provider_id") or "")
        detail = f" with {who}" if who else ""
        parts.append(f"They wanted to {flow}{detail}.")
    state = STATE_WORDS.get(session.current_state.value)
    if state and session.current_state != BookingState.HANDED_OFF:
        parts.append(f"They were {state}.")
    if session.patient_id or c.get("patient_id"):
        parts.append("Their record was found and confirmed on this call.")
    if session.booking_id:
        parts.append("An appointment was booked on this call.")
    elif c.get("flow") == "book":
        parts.append("Nothing was booked yet.")
    return " ".join(parts)
