"""`voice-agent audit verify` and `voice-agent audit anchor`.

verify prints one JSON line per clinic that is not ok, then a summary line, and exits 0 when every
clinic is ok, 1 when any was tampered with, 3 when none was but some chain head could not be
vouched for (no anchor: Redis flushed or lost). Re-anchoring is never automatic: `audit anchor`
anchors the heads of unanchored clinics as they are now, and refuses a tampered clinic unless the
operator says `--force` (after a restore from backup, or once the deletion is understood).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Awaitable, Callable

from voice_agent.web.settings import Settings

EXIT_TAMPERED, EXIT_UNANCHORED = 1, 3


def add_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="audit trail tools").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="check each clinic's hash chain and its anchored newest row")
    verify.add_argument("--clinic")
    anchor = audit.add_parser("anchor", help="anchor the current newest row of clinics that have no anchor")
    anchor.add_argument("--clinic")
    anchor.add_argument("--force", action="store_true",
                        help="also re-anchor clinics whose verification failed (accept the table as it is now)")


def _clinic_ids(clinic: str | None, fail: Callable[[str], Exception]) -> list[str | None] | None:
    if clinic is None:
        return None
    if not re.fullmatch(r"[0-9a-fA-F-]{36}", clinic):
        raise fail(f"not a clinic id (UUID): {clinic}")
    return [clinic.lower()]


def _line(verdict) -> dict[str, Any]:
    line = {"ok": False, "clinic_id": verdict.clinic_id, "status": verdict.status, "rows": verdict.rows,
            "reason": verdict.reason}
    if verdict.row_id:
        line["row_id"] = verdict.row_id
    if verdict.seq is not None:
        line["seq"] = verdict.seq
    return line


async def cmd_audit(settings: Settings, args: argparse.Namespace,
                    with_services: Callable[[Settings, Callable[[Any], Awaitable[int]]], Awaitable[int]],
                    fail: Callable[[str], Exception]) -> int:
    from redis.exceptions import RedisError

    from storage.audit_verify import OK, TAMPERED, UNANCHORED, reanchor, verify_all

    ids = _clinic_ids(args.clinic, fail)

    async def verify(services) -> int:
        verdicts = await verify_all(services.pool, services.anchors, ids)
        for v in verdicts:
            if v.status != OK:
                print(json.dumps(_line(v)))
        tampered = [v for v in verdicts if v.status == TAMPERED]
        unanchored = [v for v in verdicts if v.status == UNANCHORED]
        print(json.dumps({"ok": not tampered and not unanchored, "clinics": len(verdicts),
                          "rows": sum(v.rows for v in verdicts), "tampered": len(tampered),
                          "unanchored": len(unanchored)}))
        if tampered:
            return EXIT_TAMPERED
        if unanchored:
            print(f"{len(unanchored)} clinic(s) have no anchor for their newest rows; nothing shows tampering. "
                  "Once you are satisfied the audit table is complete, run: voice-agent audit anchor", file=sys.stderr)
            return EXIT_UNANCHORED
        return 0

    async def anchor(services) -> int:
        verdicts = await verify_all(services.pool, services.anchors, ids)
        done, refused = [], []
        try:
            for v in verdicts:
                if v.status == UNANCHORED or (v.status == TAMPERED and args.force):
                    done.append({"clinic_id": v.clinic_id, "seq": await reanchor(services.pool, services.anchors,
                                                                                 v.clinic_id), "was": v.status})
                elif v.status == TAMPERED:
                    refused.append(_line(v))
        except (RedisError, OSError):
            raise fail("Redis (the anchor store) is unreachable; anchored so far: "
                       + json.dumps([d["clinic_id"] for d in done])) from None
        for line in refused:
            print(json.dumps(line))
        print(json.dumps({"anchored": done, "already_ok": len(verdicts) - len(done) - len(refused),
                          "refused": len(refused)}))
        if refused:
            print(f"refused {len(refused)} clinic(s) whose audit rows show tampering; investigate, then re-run "
                  "with --force to accept the table as it is now", file=sys.stderr)
            return EXIT_TAMPERED
        return 0

    return await with_services(settings, verify if args.audit_command == "verify" else anchor)
