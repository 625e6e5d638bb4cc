"""`voice-agent ehr ...` and `voice-agent clinic set-ehr`: choose a clinic's EHR, check it with a
harmless live read, and rotate the key that seals EHR credentials.

`ehr check CLINIC_ID` reads the practice's providers and today's appointments (nothing is written;
an OAuth refresh may rotate and store the refresh token, as any use does) and says plainly what is
wrong: `auth` (credentials refused), `scope` (a permission missing), `clock` (this machine's clock
is off the EHR's), `network` (cannot reach it / it does not answer), `credentials` (cannot be
decrypted). Exit code 0 only when every check passed.
"""
from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

import httpx

CLOCK_SKEW_LIMIT = 60.0           # seconds; signed assertions and token expiry go wrong beyond this


def add_parser(sub: Any) -> None:
    ehr = sub.add_parser("ehr", help="EHR connections").add_subparsers(dest="ehr_command", required=True)
    check = ehr.add_parser("check", help="a harmless live read of the clinic's EHR; says what is wrong")
    check.add_argument("clinic_id")
    rekey = ehr.add_parser("rekey", help="re-seal every clinic's EHR credentials with the first key "
                                         "of EHR_CREDENTIALS_KEYS")
    rekey.add_argument("--dry-run", action="store_true", help="count what would be re-sealed; change nothing")
    ehr.add_parser("new-key", help="print a new key for EHR_CREDENTIALS_KEYS")


def add_clinic_parser(clinic: Any) -> None:
    c = clinic.add_parser("set-ehr", help="choose the clinic's EHR and store its credentials (encrypted)")
    c.add_argument("clinic_id")
    c.add_argument("--provider", required=True, help="builtin | drchrono | epic | cerner | google")
    c.add_argument("--credentials", help="a JSON file with the EHR's credentials (never on the command line)")
    c.add_argument("--options", help="a JSON file with non-secret EHR options")


def _json_file(path: str | None, what: str, error: type[Exception]) -> Any:
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise error(f"no such file: {path}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path} is not valid JSON ({what}): line {exc.lineno} column {exc.colno}") from None


async def cmd_set_ehr(settings: Any, args: argparse.Namespace, with_services: Callable, error: type[Exception]) -> int:
    from storage.credentials_keyring import Keyring
    from storage.ehr_credentials import EHRCredentialStore
    from voice_agent.clinic_file import EHR_PROVIDERS, Problems, validate_ehr_parts

    if args.provider not in EHR_PROVIDERS:
        raise error(f"--provider must be one of {', '.join(EHR_PROVIDERS)}")
    problems = Problems()
    credentials, options = validate_ehr_parts(args.provider, _json_file(args.credentials, "credentials", error),
                                              _json_file(args.options, "options", error) or {}, problems)
    if problems.items:
        raise error("nothing written:\n  " + "\n  ".join(problems.items))

    async def run(services):
        store = EHRCredentialStore(services.pool, Keyring.from_settings(settings.ehr_credentials_keys,
                                                                        settings.secret_key))
        if not await store.set_ehr(args.clinic_id, args.provider, options, credentials):
            raise error(f"no clinic with id {args.clinic_id}")

    await with_services(settings, run)
    print(json.dumps({"clinic_id": args.clinic_id, "ehr_provider": args.provider}))
    return 0


async def cmd_ehr(settings: Any, args: argparse.Namespace, with_services: Callable, error: type[Exception]) -> int:
    from storage.credentials_keyring import Keyring, KeyringError
    from storage.ehr_credentials import EHRCredentialStore

    if args.ehr_command == "new-key":
        print(Keyring.new_key())
        return 0
    try:
        keyring = Keyring.from_settings(settings.ehr_credentials_keys, settings.secret_key)
    except KeyringError as exc:
        raise error(str(exc)) from None

    async def run(services):
        store = EHRCredentialStore(services.pool, keyring)
        if args.ehr_command == "rekey":
            if args.dry_run:
                async with services.pool.connection() as conn:
                    cur = await conn.execute("SELECT count(*) FILTER (WHERE ehr_credentials->>'kid' <> %s) AS stale, "
                                             "count(*) AS sealed FROM clinics WHERE ehr_credentials IS NOT NULL",
                                             (keyring.current,))
                    row = await cur.fetchone()
                print(json.dumps({"would_reseal": row["stale"], "sealed": row["sealed"], "key": keyring.current}))
                return 0
            try:
                done, current = await store.rekey()
            except KeyringError as exc:
                raise error(str(exc)) from None
            print(json.dumps({"resealed": done, "already_current": current, "key": keyring.current}))
            return 0
        return await check(settings, args.clinic_id, store, services, error)

    return await with_services(settings, run)


async def check(settings: Any, clinic_id: str, store: Any, services: Any, error: type[Exception]) -> int:
    from ehr.builtin.calendar import BuiltinCalendar
    from ehr.errors import AuthFailed, EHRError, ScopeMissing
    from ehr.http_retry import RetryPolicy, retrying_client
    from ehr.types import ClinicRef
    from storage.credentials_keyring import KeyringError
    from voice_agent.ehr_registry import FACTORIES, build_adapter, context_for

    try:
        record = await store.clinic_ehr(clinic_id)
    except KeyringError as exc:
        print(f"FAILED credentials: {exc}")
        return 1
    except Exception:
        raise error(f"not a clinic id, or the database cannot be read: {clinic_id}") from None
    if record is None:
        raise error(f"no clinic with id {clinic_id}")
    print(f"clinic {record.clinic_id} ({record.name}): ehr_provider {record.provider}")
    ref = ClinicRef(record.clinic_id, record.timezone, record.name)
    server_dates: list[datetime] = []

    async def note_date(response: httpx.Response) -> None:
        raw = response.headers.get("date")
        if raw:
            try:
                server_dates.append(parsedate_to_datetime(raw))
            except (TypeError, ValueError):
                pass

    def skew() -> float | None:
        return (datetime.now(timezone.utc) - server_dates[-1]).total_seconds() if server_dates else None

    def failed(line: str) -> None:
        print(line)
        off = skew()
        if off is not None and abs(off) > CLOCK_SKEW_LIMIT and not line.startswith("FAILED clock"):
            print(f"FAILED clock: this machine's clock is {off:+.0f} s off the EHR's, which alone makes tokens "
                  "and signed assertions fail; fix NTP first")

    async with retrying_client(policy=RetryPolicy(attempts=2, base_delay=0.2, attempt_timeout=8.0, budget=12.0),
                               event_hooks={"response": [note_date]}) as http:
        if record.provider == "builtin":
            adapter: Any = BuiltinCalendar(services.pool)
            what = "the built-in calendar"
        elif record.provider not in FACTORIES:
            failed(f"FAILED setup: the {record.provider} adapter is not part of this build")
            return 1
        else:
            what = record.provider
            try:
                adapter = await build_adapter(record.provider, context_for(
                    record, http=http, store=store, now=lambda: datetime.now(timezone.utc), settings=settings))
            except AuthFailed as exc:
                failed(f"FAILED auth: {exc}")
                return 1
        print(f"checking {what} at {(record.options or {}).get('base_url') or 'its default address'}")
        steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("providers", lambda: adapter.list_providers(ref)),
            ("appointments", lambda: _today(adapter, ref)),
        ]
        for name, step in steps:
            started = time.monotonic()
            try:
                result = await step()
            except ScopeMissing as exc:
                failed(f"FAILED scope: reading {name}: {exc}")
                return 1
            except AuthFailed as exc:
                failed(f"FAILED auth: {exc}")
                return 1
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failed(f"FAILED network: cannot connect to {what} ({type(exc).__name__}); check the address, "
                      "DNS and the firewall")
                return 1
            except httpx.TimeoutException:
                failed(f"FAILED network: {what} did not answer within {time.monotonic() - started:.0f} s")
                return 1
            except EHRError as exc:
                cause = _network_cause(exc)
                if cause is not None:
                    failed(f"FAILED network: cannot reach {what} ({type(cause).__name__}); check the address, "
                          "DNS and the firewall")
                else:
                    failed(f"FAILED service: reading {name}: {exc}")
                return 1
            print(f"ok: {name} readable ({len(result)})")
    off = skew()
    if off is not None:
        if abs(off) > CLOCK_SKEW_LIMIT:
            failed(f"FAILED clock: this machine's clock is {off:+.0f} s off {what}'s; fix NTP "
                   "(tokens and signed assertions are rejected when clocks disagree)")
            return 1
        print(f"ok: clock within {abs(off):.0f} s of {what}'s")
    print(f"ok: {what} answers for this clinic")
    return 0


def _network_cause(exc: BaseException) -> BaseException | None:
    seen = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, (httpx.TransportError, httpx.TimeoutException)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


async def _today(adapter: Any, ref: Any) -> list[Any]:
    zone = ZoneInfo(ref.timezone)
    start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return await adapter.list_appointments(ref, start, start + timedelta(days=1))
