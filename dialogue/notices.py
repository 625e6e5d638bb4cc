"""The texts a turn owes the patient (a booking, cancellation or move), sent after the reply.

Order across processes: a turn's texts are sent while its conversation's turn lock is still held,
and the lock is released only once they are out. The next turn of that conversation (on any
process) starts after that, so its texts can never overtake them: "booked" never lands after
"cancelled". The patient does not wait: the reply has already gone. A text that takes longer than
`hold_seconds` (Twilio hanging) stops holding the lock: the conversation must not stall on it.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogue import responses as say
from dialogue.ports import AppointmentNotice, Clinic, Notifier
from dialogue.session import SessionData

log = logging.getLogger("dialogue.engine")
KINDS = ("flow_booked", "flow_cancelled", "flow_rescheduled")
HOLD_SECONDS = 3.0          # Twilio's REST API answers in a few hundred ms


def notices_of(clinic: Clinic, session: SessionData, events: list[tuple[str, dict]]) -> list[AppointmentNotice]:
    """One notice per booking, cancellation or move among this turn's events."""
    out = []
    for name, details in events:
        if name not in KINDS:
            continue
        slot = session.selected_slot
        target = session.collected_data.get("target") or {}
        if name == "flow_cancelled" and target:
            provider, start = target.get("provider_name", ""), datetime.fromisoformat(target["start"])
        elif slot:
            provider, start = slot.provider_name, slot.start
        else:
            continue
        out.append(AppointmentNotice(
            kind=name.removeprefix("flow_"), clinic=clinic, appointment_id=details["appointment_id"],
            provider_name=provider, start_local=say.when_phrase(start, ZoneInfo(clinic.timezone)),
            patient_phone=session.collected_data.get("phone"), channel=session.channel,
            session_id=session.session_id))
    return out


class NoticeSender:
    def __init__(self, notifier: Notifier | None, hold_seconds: float = HOLD_SECONDS) -> None:
        self.notifier, self.hold_seconds = notifier, hold_seconds
        self._sending: set[asyncio.Task] = set()        # in flight only: bounded by live turns

    def send_later(self, notices: list[AppointmentNotice], held: contextlib.AsyncExitStack) -> None:
        """Send in the background, then close `held` (the turn lock). With nothing to send, the
        caller closes it itself."""
        task = asyncio.create_task(self._send_then_release(notices, held), name="notify")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_then_release(self, notices: list[AppointmentNotice], held: contextlib.AsyncExitStack) -> None:
        sending = asyncio.ensure_future(self.send(notices))
        async with held:
            await asyncio.wait({sending}, timeout=self.hold_seconds)
        await sending

    async def send(self, notices: list[AppointmentNotice]) -> None:
        """Tell the notifier; a failure is logged and never reaches the conversation."""
        for notice in notices:
            try:
                await self.notifier.appointment_changed(notice)
            except Exception:
                log.exception("notifier failed", extra={"event": "notify_failed"})

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for texts still being sent (shutdown, tests)."""
        pending = list(self._sending)
        if pending:
            await asyncio.wait(pending, timeout=timeout)
