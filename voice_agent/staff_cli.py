"""`voice-agent staff add --clinic ID --email E`: a front-desk account for the staff page.

The password is read from a prompt (twice), or from standard input with `--password-stdin` (for
scripts); it is stored only as an argon2 hash. Prints `{"staff_id": ..., "clinic_id": ..., "email": ...}`.
"""
from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from typing import Any, Awaitable, Callable

from voice_agent.web.settings import Settings

MIN_PASSWORD = 12
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def add_parser(sub: Any) -> None:
    staff = sub.add_parser("staff", help="front-desk staff accounts").add_subparsers(dest="staff_command",
                                                                                    required=True)
    add = staff.add_parser("add", help="add a staff account to a clinic (password from a prompt)")
    add.add_argument("--clinic", required=True, help="the clinic's id")
    add.add_argument("--email", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def _password(args: argparse.Namespace, fail: Callable[[str], Exception]) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise fail("the passwords differ")
    if len(password) < MIN_PASSWORD:
        raise fail(f"the password must have at least {MIN_PASSWORD} characters")
    return password


async def cmd_staff(settings: Settings, args: argparse.Namespace,
                    with_services: Callable[[Settings, Callable[[Any], Awaitable[int]]], Awaitable[int]],
                    fail: Callable[[str], Exception]) -> int:
    from storage.staff import StaffAccounts, StaffExists
    from voice_agent.staff_auth import hash_password

    if not re.fullmatch(r"[0-9a-fA-F-]{36}", args.clinic):
        raise fail(f"not a clinic id (UUID): {args.clinic}")
    if not EMAIL.match(args.email):
        raise fail(f"not an email address: {args.email}")
    password = _password(args, fail)

    async def add(services) -> int:
        if await services.clinics.by_id(args.clinic.lower()) is None:
            raise fail(f"no clinic {args.clinic}")
        try:
            account = await StaffAccounts(services.pool).add(args.clinic.lower(), args.email, hash_password(password))
        except StaffExists:
            raise fail(f"a staff account for {args.email} already exists") from None
        print(json.dumps({"staff_id": account.id, "clinic_id": account.clinic_id, "email": account.email}))
        return 0

    return await with_services(settings, add)
