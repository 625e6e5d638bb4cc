"""Appointment reminder texts: "...Reply C to cancel, R to reschedule", from the clinic's number.

One run claims due reminders in batches (storage/reminders.py: exactly one claimant per row, on any
number of processes and instances), texts each through the Twilio SDK, and records the outcome:

- Twilio accepted it: `sent` (never sent again).
- Twilio said no for good (4xx other than 429: an invalid or unsubscribed number): `failed`.
- Twilio refused our account (401, 403: a rotated token, a suspended account): `retry`, not counted as
  an attempt, and the run stops claiming (every other reminder would be refused the same way).
- Twilio did not take it (429) or the request never left this machine: `retry` on a later run.
- Anything else may have reached Twilio (5xx, read timeout, dropped connection): `unsure`. Before
  an `unsure` row (or a claim whose process died) is sent, Twilio's message list for that number is
  read; if the reminder is there the row is marked `sent` instead of texting it again.

Nothing here logs a phone number or a message body.
"""
from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

import requests
from twilio.base.exceptions import TwilioRestException
from urllib3.exceptions import NewConnectionError

from channels.sms_outbound import STATUS_PATH, ConsentStore, e164
from dialogue.responses import when_phrase

log = logging.getLogger("channels.reminders")
CHECK_DEPTH = 20                       # newest texts to one number read before resending an `unsure` reminder


class ReminderStore(Protocol):
    async def claim_due(self, now: datetime, quiet: tuple[str, str], *, batch: int = 50,
                        lease: timedelta = ..., clinic_id: str | None = None) -> list[Any]: ...

    async def mark_sent(self, claim: Any, *, message_sid: str, status: str, to: str) -> bool: ...

    async def release(self, claim: Any, state: str, error: str | None = None, *,
                      counts: bool = True) -> str | None: ...


def reminder_text(claim: Any) -> str:
    """The words the patient gets (and the check before a resend looks for)."""
    when = when_phrase(claim.start, ZoneInfo(claim.timezone))
    return (f"{claim.clinic_name}: reminder of your appointment with {claim.provider_name} on {when}. "
            "Reply C to cancel, R to reschedule. Reply STOP to opt out.")


def same_words(a: str | None, b: str) -> bool:
    """Equal once reduced to plain letters and digits: Twilio's Smart Encoding may swap a curly
    quote, dash or accented letter in a name for a plain one, and that is still the same text."""
    def letters(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", text)).lower()
    return a is not None and letters(a) == letters(b)


ACCOUNT_REFUSED = (401, 403)      # our credentials or account, not the patient's number


def never_left(exc: BaseException) -> bool:
    """The request certainly did not reach Twilio: no connection was ever made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        return isinstance(getattr(exc.args[0], "reason", None), NewConnectionError)
    return False


def outcome_of(exc: BaseException) -> tuple[str, str]:
    """(state, error) for a send that raised."""
    if isinstance(exc, TwilioRestException):
        status, code = exc.status, exc.code
        if status in ACCOUNT_REFUSED:
            return "account_refused", f"twilio {status} {code or ''}".strip()
        if status == 429:
            return "retry", f"twilio {status} {code or ''}".strip()
        if 400 <= status < 500:
            return "failed", f"twilio {status} {code or ''}".strip()
        return "unsure", f"twilio {status} {code or ''}".strip()
    if never_left(exc):
        return "retry", type(exc).__name__
    return "unsure", type(exc).__name__


@dataclass
class RunResult:
    sent: int = 0
    found_sent: int = 0            # `unsure` rows that Twilio already had: marked sent, not texted again
    retry: int = 0
    unsure: int = 0
    skipped: int = 0
    failed: int = 0
    lost: int = 0                  # outcomes not recorded: the claim had been taken over (should not happen)
    halted: str | None = None      # why the run stopped claiming (Twilio refused our account)
    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, state: str, reason: str | None = None) -> None:
        setattr(self, state, getattr(self, state) + 1)
        if reason:
            self.by_reason[reason] = self.by_reason.get(reason, 0) + 1


class ReminderJob:
    def __init__(self, client: Any, store: ReminderStore, consent: ConsentStore, public_base_url: str, *,
                 quiet: tuple[str, str] = ("20:00", "08:00"), batch: int = 50, concurrency: int = 8,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.client, self.store, self.consent = client, store, consent
        self.status_callback = public_base_url.rstrip("/") + STATUS_PATH
        self.quiet, self.batch, self.clock = quiet, batch, clock
        self._gate = asyncio.Semaphore(concurrency)

    async def run_once(self, now: datetime | None = None, clinic_id: str | None = None) -> RunResult:
        """Send every reminder due at `now` (default: the clock; of one clinic, or all) that no other
        run holds."""
        now = now or self.clock()
        result = RunResult()
        while True:
            claims = await self.store.claim_due(now, self.quiet, batch=self.batch, clinic_id=clinic_id)
            if not claims:
                break
            await asyncio.gather(*(self._one(claim, result) for claim in claims))
            if result.halted:
                log.error("reminders stopped: Twilio refused the account (%s); check TWILIO_ACCOUNT_SID and "
                          "TWILIO_AUTH_TOKEN", result.halted, extra={"event": "reminders_halted", "channel": "sms"})
                break
        if result.sent or result.unsure or result.failed or result.found_sent:
            log.info("reminders: %d sent, %d already with Twilio, %d to retry, %d unsure, %d skipped, %d failed",
                     result.sent, result.found_sent, result.retry, result.unsure, result.skipped, result.failed,
                     extra={"event": "reminders_run", "channel": "sms"})
        return result

    async def run_forever(self, interval: float) -> None:
        """The server's schedule: a run every `interval` seconds until cancelled; a failed run
        (database down) is logged and the next one tries again."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reminder run failed", extra={"event": "reminders_failed"})
            await asyncio.sleep(interval)

    async def _one(self, claim: Any, result: RunResult) -> None:
        async with self._gate:
            try:
                state, reason = await self._deliver(claim)
                if reason is not None and reason.startswith(tuple(f"twilio {s}" for s in ACCOUNT_REFUSED)):
                    result.halted = reason
            except Exception as exc:        # our side (database): the claim stays `sending`; see docs
                log.exception("reminder %s: outcome not recorded", claim.appointment_id,
                              extra={"event": "reminder_error", "channel": "sms"})
                state, reason = "lost", type(exc).__name__
            result.add(state, reason)

    async def _deliver(self, claim: Any) -> tuple[str, str | None]:
        to, sender = e164(claim.patient_phone), e164(claim.clinic_phone)
        if not to:
            return await self._release(claim, "skipped", "no_patient_phone")
        if not sender:
            return await self._release(claim, "skipped", "clinic_has_no_number")
        if await self.consent.is_opted_out(claim.clinic_id, "sms", to):
            return await self._release(claim, "skipped", "opted_out")
        body = reminder_text(claim)
        if claim.needs_check:
            try:
                found = await asyncio.to_thread(self._find_sent, to, sender, body)
            except Exception as exc:
                return await self._release(claim, "unsure", f"check: {outcome_of(exc)[1]}")
            if found is not None:
                ok = await self.store.mark_sent(claim, message_sid=found.sid, status=found.status or "queued", to=to)
                return ("found_sent", None) if ok else ("lost", "claim_taken_over")
        try:
            message = await asyncio.to_thread(self.client.messages.create, to=to, from_=sender, body=body,
                                              status_callback=self.status_callback)
        except Exception as exc:
            state, error = outcome_of(exc)
            log.warning("reminder %s not sent: %s (%s)", claim.appointment_id, error, state,
                        extra={"event": "reminder_send_failed", "channel": "sms"})
            if state == "account_refused":
                return await self._release(claim, "retry", error, counts=False)
            return await self._release(claim, state, error)
        ok = await self.store.mark_sent(claim, message_sid=message.sid, status=message.status or "queued", to=to)
        return ("sent", None) if ok else ("lost", "claim_taken_over")

    def _find_sent(self, to: str, sender: str, body: str) -> Any:
        """The reminder among the newest texts from the clinic's number to this one, if Twilio has it.
        Matched by its words, which name the clinic, provider, day and time: the same words already
        sent to this number leave nothing to remind."""
        for message in self.client.messages.list(to=to, from_=sender, limit=CHECK_DEPTH):
            if same_words(message.body, body):
                return message
        return None

    async def _release(self, claim: Any, state: str, reason: str, *, counts: bool = True) -> tuple[str, str | None]:
        recorded = await self.store.release(claim, state, reason, counts=counts)
        if recorded is None:
            return "lost", "claim_taken_over"
        return recorded, reason
