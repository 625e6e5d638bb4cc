"""A person at the front desk writes into a patient's conversation (after a handoff).

The reply becomes a turn with role `staff` in the conversation's history, under the same turn lock
as the patient's turns, so the next turn sees it and the web chat page can show it. Staff words are
stored as written (they are the clinic's own); the patient's turns stay redacted as before.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from dialogue.session import ConversationTurn
from dialogue.turn_guard import conversation_key, redo_if_stale

ROLE = "staff"


async def add_staff_turn(engine: Any, clinic_id: str, channel: str, text: str, *, session_id: str | None = None,
                         channel_user_id: str | None = None, staff: str | None = None) -> bool:
    """Append the staff reply; False when the conversation is gone (expired or another clinic's)."""
    async def work() -> bool:
        if session_id:
            session = await engine.sessions.load(clinic_id, session_id)
        else:
            session = await engine.sessions.find_active(clinic_id, channel, channel_user_id)
        if session is None or session.clinic_id != clinic_id:
            return False
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        session.add_turn(ConversationTurn(ROLE, text, at, session.current_state.value, None,
                                          {"staff": staff} if staff else {}))
        await engine.sessions.save(session)
        return True

    key = conversation_key(clinic_id, channel, session_id, channel_user_id)
    if key is None:
        return False
    async with engine.turn_lock.hold(key):          # TurnBusy when a turn keeps it past the bound
        return await redo_if_stale(work)


async def staff_messages(engine: Any, clinic_id: str, session_id: str, after: str | None = None) -> list[dict[str, str]]:
    """Staff turns of a conversation, oldest first, newer than `after` (an `at` seen before)."""
    session = await engine.sessions.load(clinic_id, session_id)
    if session is None:
        return []
    return [{"text": t.text, "at": t.at} for t in session.message_history
            if t.role == ROLE and (after is None or t.at > after)]
