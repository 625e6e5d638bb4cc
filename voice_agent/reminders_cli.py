"""`voice-agent reminders run`: send the appointment reminders due now, once, and exit.

Prints one JSON line with what became of each reminder it claimed, then `{"sent": N}` last. Safe to
run from several machines at once (each reminder is claimed by exactly one run; docs/reminders.md).
"""
from __future__ import annotations

import argparse
import json
import re
from typing import Any, Callable

from voice_agent.web.settings import Settings


def add_parser(sub: Any) -> None:
    reminders = sub.add_parser("reminders", help="appointment reminder texts").add_subparsers(
        dest="reminders_command", required=True)
    run = reminders.add_parser("run", help="text every reminder due now (prints {\"sent\": N} last)")
    run.add_argument("--clinic", help="only this clinic's reminders (a clinic id)")


async def cmd_reminders(settings: Settings, args: argparse.Namespace, fail: Callable[[str], Exception]) -> int:
    from storage.consent import ConsentRepository
    from storage.crypto import FieldCipher
    from storage.db import open_pool
    from voice_agent import wiring

    if args.clinic is not None and not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", args.clinic):
        raise fail(f"not a clinic id (UUID): {args.clinic}")
    client = wiring.twilio_client(settings)
    if client is None:
        raise fail("Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    try:
        pool = await open_pool(settings.database_url, min_size=1, max_size=10)
    except Exception as exc:
        raise fail(f"cannot reach PostgreSQL at DATABASE_URL ({type(exc).__name__})") from None
    try:
        cipher = FieldCipher(settings.secret_key)
        job = wiring.reminder_job(settings, pool, cipher, ConsentRepository(pool, cipher), client)
        try:
            result = await job.run_once(clinic_id=args.clinic)
        except Exception as exc:      # the database went away mid-run: what was claimed is checked later
            raise fail(f"the reminder run stopped: {type(exc).__name__} (claimed reminders are checked "
                       "with Twilio by a later run)") from None
    finally:
        await pool.close()
    print(json.dumps({"already_with_twilio": result.found_sent, "retry": result.retry, "unsure": result.unsure,
                      "skipped": result.skipped, "failed": result.failed, "not_recorded": result.lost}))
    print(json.dumps({"sent": result.sent}))
    return 0
