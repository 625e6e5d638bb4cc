"""`voice-agent` command line: migrate, serve, demo, clinic management, audit verification.

Commands that create a key print one JSON line last: {"clinic_id": ..., "api_key": ...}.
Errors print one clear line to stderr and exit non-zero; never a traceback for bad input.
"""
from __future__ import annotations

import argparse
import dataclasses
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from voice_agent.web.settings import DEMO_TWILIO_AUTH_TOKEN, Settings, SettingsError, load_settings

if TYPE_CHECKING:      # the commands import what they use when they run, so `--help` stays quick
    from psycopg_pool import AsyncConnectionPool
    from redis.asyncio import Redis

    from storage.audit_anchor import AuditAnchors
    from storage.clinics import ClinicRepository
    from storage.key_cache import ClinicKeys

DEMO_FILE = next((p for p in (Path(__file__).resolve().parent.parent / "fixtures" / "demo_clinic.json",
                              Path.cwd() / "fixtures" / "demo_clinic.json") if p.is_file()),
                 Path("fixtures/demo_clinic.json"))
WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voice-agent", description="AI receptionist for clinics")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply pending database migrations")
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    demo = sub.add_parser("demo", help="migrate, load the demo clinic if absent, print its key, serve")
    demo.add_argument("--no-serve", action="store_true", help="set up and print, but do not serve")

    clinic = sub.add_parser("clinic", help="manage clinics").add_subparsers(dest="clinic_command", required=True)
    create = clinic.add_parser("create", help="create a clinic (weekday 9-5 hours; edit later or use import)")
    create.add_argument("--name", required=True)
    create.add_argument("--timezone", required=True)
    create.add_argument("--tier", default="standard")
    create.add_argument("--phone")
    create.add_argument("--slug")
    create.add_argument("--test-key", action="store_true", help="issue an ar_test_ key instead of ar_live_")
    imp = clinic.add_parser("import", help="import a clinic file (JSON)")
    imp.add_argument("file")
    imp.add_argument("--test-key", action="store_true")
    for name in ("rotate-key", "suspend", "activate"):
        c = clinic.add_parser(name)
        c.add_argument("clinic_id")

    from voice_agent.audit_cli import add_parser as add_audit_parser
    add_audit_parser(sub)
    from voice_agent.staff_cli import add_parser as add_staff_parser
    add_staff_parser(sub)
    keep = sub.add_parser("housekeeping", help="delete expired conversations and old SMS ids (audited)")
    keep.add_argument("--session-days", type=int, help="keep expired sessions this many days "
                                                       "(default SESSION_RETENTION_DAYS, 30)")
    keep.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    from channels.voice.call_cli import add_parser as add_call_parser
    add_call_parser(sub)
    return parser


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "clinic"


@dataclasses.dataclass(frozen=True)
class OperatorServices:
    """What operator commands use: the stores, not the engine or the voice stack."""
    pool: "AsyncConnectionPool"
    redis: "Redis"
    clinics: "ClinicRepository"
    anchors: "AuditAnchors"
    clinic_keys: "ClinicKeys"


async def _with_services(settings: Settings, fn):
    from storage.audit_anchor import AuditAnchors, derive_key
    from storage.clinics import ClinicRepository
    from storage.db import open_pool
    from storage.key_cache import ClinicKeys
    from storage.redis_client import open_redis

    try:
        pool = await open_pool(settings.database_url, min_size=1, max_size=4,
                               query_seconds=None)   # operator commands (an audit verify) may run long
    except Exception as exc:
        raise CliError(f"cannot reach PostgreSQL at DATABASE_URL ({type(exc).__name__})") from None
    redis = open_redis(settings.redis_url)
    clinics = ClinicRepository(pool)
    try:
        return await fn(OperatorServices(pool, redis, clinics,
                                         AuditAnchors(redis, derive_key(settings.secret_key, settings.audit_anchor_key)),
                                         ClinicKeys(redis, clinics)))
    finally:
        await pool.close()
        await redis.aclose()


async def _forget_cached_key(services: OperatorServices, key_hash: str | None) -> None:
    if key_hash:
        try:
            await services.clinic_keys.forget(key_hash)
        except Exception:
            print("warning: Redis unreachable; a cached key may stay valid up to 5 minutes", file=sys.stderr)


async def cmd_migrate(settings: Settings) -> int:
    from storage.db import to_conninfo
    from storage.migrate import migrate
    try:
        applied = await migrate(to_conninfo(settings.database_url))
    except OSError as exc:
        raise CliError(f"cannot reach PostgreSQL at DATABASE_URL ({exc})") from None
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            raise CliError(f"migration failed: {exc}".splitlines()[0]) from None
        raise
    print(json.dumps({"applied": applied}))
    return 0


async def cmd_import(settings: Settings, data: Any, test_key: bool) -> dict[str, str]:
    from storage.clinic_import import ImportConflict, import_clinic
    from voice_agent.web.apikeys import generate_api_key, hash_api_key
    from voice_agent.clinic_file import validate_clinic_file

    clinic, problems = validate_clinic_file(data)
    if problems:
        raise CliError(f"{len(problems)} error(s) in the clinic file, nothing written:\n  " + "\n  ".join(problems))
    key = generate_api_key("test" if test_key else "live")

    async def run(services):
        try:
            return await import_clinic(services.pool, clinic, hash_api_key(key), services.anchors)
        except ImportConflict as exc:
            raise CliError(f"nothing written: {exc}") from None

    clinic_id = await _with_services(settings, run)
    return {"clinic_id": clinic_id, "api_key": key}


async def cmd_clinic(settings: Settings, args: argparse.Namespace) -> int:
    from voice_agent.web.apikeys import generate_api_key, hash_api_key

    if args.clinic_command == "create":
        data = {"name": args.name, "slug": args.slug or _slugify(args.name), "timezone": args.timezone,
                "tier": args.tier, "business_hours": WEEKDAYS_9_TO_5}
        if args.phone:
            data["phone"] = args.phone
        print(json.dumps(await cmd_import(settings, data, args.test_key)))
        return 0
    if args.clinic_command == "import":
        try:
            data = json.loads(Path(args.file).read_text())
        except FileNotFoundError:
            raise CliError(f"no such file: {args.file}") from None
        except json.JSONDecodeError as exc:
            raise CliError(f"{args.file} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        print(json.dumps(await cmd_import(settings, data, False)))
        return 0
    _check_uuid(args.clinic_id)

    async def run(services):
        old_hash = await services.clinics.key_hash_of(args.clinic_id)
        if old_hash is None:
            raise CliError(f"no clinic with id {args.clinic_id}")
        if args.clinic_command == "rotate-key":
            key = generate_api_key("live")
            await services.clinics.set_key_hash(args.clinic_id, hash_api_key(key))
            await _forget_cached_key(services, old_hash)
            return {"clinic_id": args.clinic_id, "api_key": key}
        status = "SUSPENDED" if args.clinic_command == "suspend" else "ACTIVE"
        await services.clinics.set_status(args.clinic_id, status)
        await _forget_cached_key(services, old_hash)
        return {"clinic_id": args.clinic_id, "status": status}

    print(json.dumps(await _with_services(settings, run)))
    return 0


def _check_uuid(value: str) -> None:
    if not re.fullmatch(r"[0-9a-fA-F-]{36}", value):
        raise CliError(f"not a clinic id (UUID): {value}")


async def cmd_housekeeping(settings: Settings, session_days: int, dry_run: bool) -> int:
    from storage.housekeeping import prune
    if session_days < 1:
        raise CliError("--session-days must be at least 1")

    async def run(services):
        pruned = await prune(services.pool, session_days=session_days, dry_run=dry_run, anchors=services.anchors)
        print(json.dumps({"dry_run": dry_run, "session_days": session_days, **pruned.totals(),
                          "clinics": len(set(pruned.sessions) | set(pruned.sms_inbound))}))
        return 0
    return await _with_services(settings, run)


async def cmd_demo_setup(settings: Settings) -> dict[str, str]:
    from voice_agent.web.apikeys import generate_api_key, hash_api_key

    await cmd_migrate(settings)
    data = json.loads(DEMO_FILE.read_text())

    async def existing(services):
        return await services.clinics.by_slug(data["slug"])

    clinic = await _with_services(settings, existing)
    if clinic is None:
        result = await cmd_import(settings, data, True)
    else:  # Keys are stored hashed: issue a fresh one for this run.
        key = generate_api_key("test")

        async def rotate(services):
            old = await services.clinics.key_hash_of(clinic.id)
            await services.clinics.set_key_hash(clinic.id, hash_api_key(key))
            await _forget_cached_key(services, old)

        await _with_services(settings, rotate)
        result = {"clinic_id": clinic.id, "api_key": key}
    base = f"http://{settings.host}:{settings.port}"
    print(f"Demo clinic '{data['name']}' ready.", file=sys.stderr)
    print(f"  health:  {base}/health/ready", file=sys.stderr)
    print(f"  web chat: {base}/chat/{data['slug']}", file=sys.stderr)
    print(f"  chat API: curl -X POST {base}/api/v1/chat -H 'X-API-Key: {result['api_key']}' "
          f"-H 'X-Tenant-ID: {result['clinic_id']}' -H 'Content-Type: application/json' -d '{{\"message\": \"hi\"}}'",
          file=sys.stderr)
    print(json.dumps(result))
    sys.stdout.flush()
    return result


def demo_settings(settings: Settings) -> Settings:
    """The demo's phone line works with no Twilio account: unless TWILIO_AUTH_TOKEN is set, the
    server signs and checks with the local demo token, which `voice-agent call` also defaults to."""
    if settings.twilio_auth_token or settings.is_production:
        return settings
    print(f"  phone line: voice-agent call \"I'd like to book with Doctor Raman\" ...  "
          f"(TWILIO_AUTH_TOKEN={DEMO_TWILIO_AUTH_TOKEN})", file=sys.stderr)
    return dataclasses.replace(settings, twilio_auth_token=DEMO_TWILIO_AUTH_TOKEN)


def serve(settings: Settings, host: str | None = None, port: int | None = None, workers: int = 1) -> int:
    """One process, or `workers` processes sharing the socket; each builds its own services and
    reads the settings itself (so a worker's settings are the environment's)."""
    import uvicorn

    from voice_agent.asgi import HTTP_GRACE_SECONDS, served_app

    if workers < 1:
        raise CliError("--workers must be at least 1")
    # Forwarded headers are the app's business (TRUSTED_PROXIES, voice_agent/web/proxies.py), never uvicorn's.
    options: dict[str, Any] = dict(host=host or settings.host, port=port or settings.port, log_config=None,
                                   access_log=False, proxy_headers=False,
                                   timeout_graceful_shutdown=HTTP_GRACE_SECONDS)
    if workers == 1:
        uvicorn.run(served_app(settings), **options)
    else:
        from voice_agent.web.logs import configure_logging
        configure_logging(settings.log_level, json_lines=settings.is_production)
        uvicorn.run("voice_agent.asgi:make_app", factory=True, workers=workers, **options)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "migrate":
            return asyncio.run(cmd_migrate(settings))
        if args.command == "serve":
            return serve(settings, args.host, args.port, args.workers)
        if args.command == "demo":
            settings = demo_settings(settings)
            asyncio.run(cmd_demo_setup(settings))
            return 0 if args.no_serve else serve(settings)
        if args.command == "clinic":
            return asyncio.run(cmd_clinic(settings, args))
        if args.command == "audit":
            from voice_agent.audit_cli import cmd_audit
            return asyncio.run(cmd_audit(settings, args, _with_services, CliError))
        if args.command == "staff":
            from voice_agent.staff_cli import cmd_staff
            return asyncio.run(cmd_staff(settings, args, _with_services, CliError))
        if args.command == "housekeeping":
            days = settings.session_retention_days if args.session_days is None else args.session_days
            return asyncio.run(cmd_housekeeping(settings, days, args.dry_run))
        if args.command == "call":
            from channels.voice import call_cli
            return call_cli.main(args, settings)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
