"""Scheduling benchmark (not run in CI): free-slot search latency and booking throughput at
clinic-network scale on the built-in calendar.

    .venv/bin/python bench/scheduling.py [--database-url postgresql://postgres@127.0.0.1:5432/voice_agent_bench]
                                         [--rebuild] [--iterations 400] [--writers 16] [--seconds 15]

It creates (or reuses) its own database, migrates it with storage.migrate, and bulk-loads with COPY:
50 clinics in five US time zones, 10 providers each (500; Family Medicine x4, Pediatrics x2,
Cardiology x2, Dermatology, Orthopedics; 15/20/30-minute visits), 90 days of weekly schedules
(today - 45 .. today + 44) and ~400,000 appointments on the providers' grids (about half of all
slots taken; 5 % of them cancelled). Then it reports p50/p95/p99 of `find_slots`:

  * one provider over 14 days (the dialogue's search: 6 options spread over days, and the full list)
  * one specialty across a clinic over 14 days (4 providers; spread and full list)
  * the whole clinic over 14 days (10 providers, full list)

and bookings/s under N concurrent writers (`book` on random future grid slots of random providers,
each on its own pooled connection; attempts that hit a taken slot count as SlotTaken).
Targets: p95 <= 15 ms (one provider), <= 60 ms (specialty).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ehr.builtin import BuiltinCalendar  # noqa: E402
from ehr import slots as S  # noqa: E402
from ehr.errors import NotAllowed, SlotTaken  # noqa: E402
from ehr.types import ClinicRef, Patient, SlotCriteria, TimeSlot  # noqa: E402
from storage.db import open_pool, to_conninfo  # noqa: E402
from storage.migrate import migrate  # noqa: E402

DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/voice_agent_bench")
CLINICS = 50
PROVIDERS_PER_CLINIC = 10
PATIENTS_PER_CLINIC = 400
DAYS_BACK, DAYS_AHEAD = 45, 45
TARGET_APPOINTMENTS = 400_000
ZONES = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "America/Phoenix"]
SPECIALTIES = ["Family Medicine"] * 4 + ["Pediatrics"] * 2 + ["Cardiology"] * 2 + ["Dermatology", "Orthopedics"]
DURATIONS = [15, 20, 30]
HOURS = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["09:00", "13:00"]]}
SCHEDULES = [
    {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "wed", "thu", "fri")} | {"sat": [["09:00", "13:00"]]},
    {d: [["08:00", "12:30"], ["13:30", "16:00"]] for d in ("tue", "wed", "thu", "fri")},
]


def _recreate(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = to_conninfo(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _exists(url: str) -> bool:
    name = urlparse(url).path.lstrip("/")
    admin = to_conninfo(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


async def _loaded(url: str) -> bool:
    try:
        async with await psycopg.AsyncConnection.connect(to_conninfo(url)) as conn:
            cur = await conn.execute("SELECT count(*) FROM clinics WHERE slug LIKE 'bench-%'")
            clinics = (await cur.fetchone())[0]
            cur = await conn.execute("SELECT count(*) FROM appointments")
            return clinics == CLINICS and (await cur.fetchone())[0] >= TARGET_APPOINTMENTS * 0.9
    except psycopg.Error:
        return False


def _grid(schedule: dict, zone: ZoneInfo, duration: int, first: date, days: int) -> list[int]:
    """Every grid start (epoch s) of a provider over the days: schedule ∩ hours, stepped by duration."""
    clock, sched, hours = S.WallClock(zone), S.parse_week(schedule), S.parse_week(HOURS)
    out = []
    step = duration * 60
    for i in range(days):
        d = first + timedelta(days=i)
        for a, b in S.intersect(sched.get(d.weekday(), ()), hours.get(d.weekday(), ())):
            t, end = clock.instant(d, a), clock.instant(d, b)
            while t + step <= end:
                out.append(t)
                t += step
    return out


async def build(url: str, seed: int) -> None:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    _recreate(url)
    await migrate(to_conninfo(url))
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=DAYS_BACK)
    days = DAYS_BACK + DAYS_AHEAD
    async with await psycopg.AsyncConnection.connect(to_conninfo(url), autocommit=True) as conn:
        clinics, providers, patients = [], [], {}
        for c in range(CLINICS):
            cid = str(uuid.uuid4())
            clinics.append((cid, ZONES[c % len(ZONES)]))
        async with conn.cursor() as cur:
            async with cur.copy("COPY clinics (id, name, slug, timezone, api_key_hash, business_hours, "
                                "rate_limit_tier) FROM STDIN") as copy:
                for i, (cid, tz) in enumerate(clinics):
                    await copy.write_row((cid, f"Bench Clinic {i}", f"bench-{i}", tz, uuid.uuid4().hex,
                                          Jsonb(HOURS), "unlimited"))
            async with cur.copy("COPY providers (id, clinic_id, first_name, last_name, title, specialty, schedule, "
                                "default_appointment_duration) FROM STDIN") as copy:
                for cid, tz in clinics:
                    for j in range(PROVIDERS_PER_CLINIC):
                        pid = str(uuid.uuid4())
                        schedule = SCHEDULES[j % len(SCHEDULES)]
                        duration = DURATIONS[j % len(DURATIONS)]
                        providers.append((pid, cid, tz, schedule, duration))
                        await copy.write_row((pid, cid, f"Doc{j}", f"Bench{j}", "Dr.", SPECIALTIES[j],
                                              Jsonb(schedule), duration))
            async with cur.copy("COPY patients (id, clinic_id, first_name, last_name, date_of_birth) "
                                "FROM STDIN") as copy:
                for cid, _ in clinics:
                    ids = []
                    for k in range(PATIENTS_PER_CLINIC):
                        pid = str(uuid.uuid4())
                        ids.append(pid)
                        await copy.write_row((pid, cid, f"Pat{k}", f"Bench{k % 97}",
                                              date(1940, 1, 1) + timedelta(days=rng.randrange(30000))))
                    patients[cid] = ids
        grids = [(p, _grid(p[3], ZoneInfo(p[2]), p[4], first, days)) for p in providers]
        total = sum(len(g) for _, g in grids)
        share = min(0.95, TARGET_APPOINTMENTS / total)
        now_s = time.time()
        count = 0
        print(f"  {total:,} grid slots over {days} days; booking {share:.0%} of them", flush=True)
        async with conn.cursor() as cur:
            async with cur.copy("COPY appointments (clinic_id, provider_id, patient_id, scheduled_start, "
                                "scheduled_end, duration_minutes, status, booked_via, is_new_patient_visit) "
                                "FROM STDIN") as copy:
                for (pid, cid, _tz, _sched, duration), grid in grids:
                    pats = patients[cid]
                    for t in grid:
                        if rng.random() >= share:
                            continue
                        start = datetime.fromtimestamp(t, timezone.utc)
                        r = rng.random()
                        status = "CANCELLED" if r < 0.05 else ("COMPLETED" if t < now_s else "SCHEDULED")
                        await copy.write_row((cid, pid, pats[rng.randrange(len(pats))], start,
                                              start + timedelta(minutes=duration), duration, status, "import",
                                              False))
                        count += 1
        await conn.execute("VACUUM ANALYZE")
    print(f"  built {CLINICS} clinics, {len(providers)} providers, {CLINICS * PATIENTS_PER_CLINIC:,} patients, "
          f"{count:,} appointments in {time.perf_counter() - t0:.1f} s", flush=True)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


async def _timed(label: str, make_criteria, cal: BuiltinCalendar, iterations: int) -> dict:
    for _ in range(20):   # warm-up: pool connections, prepared plans, caches
        await cal.find_slots(make_criteria())
    samples, sizes = [], []
    for _ in range(iterations):
        criteria = make_criteria()
        t = time.perf_counter()
        found = await cal.find_slots(criteria)
        samples.append((time.perf_counter() - t) * 1000)
        sizes.append(len(found))
    return {"label": label, "p50": statistics.median(samples), "p95": _pct(samples, 95), "p99": _pct(samples, 99),
            "mean_results": statistics.mean(sizes)}


async def run(url: str, iterations: int, writers: int, seconds: float, seed: int) -> None:
    rng = random.Random(seed + 1)
    pool = await open_pool(url, min_size=writers + 2, max_size=writers + 4)
    cal = BuiltinCalendar(pool)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT id::text AS id, timezone FROM clinics WHERE slug LIKE 'bench-%'")
        clinics = [ClinicRef(r["id"], r["timezone"]) for r in await cur.fetchall()]
        cur = await conn.execute("""SELECT id::text AS id, clinic_id::text AS clinic_id, schedule,
                                           default_appointment_duration AS d, first_name, last_name FROM providers""")
        providers = await cur.fetchall()
        cur = await conn.execute("SELECT id::text AS id, clinic_id::text AS clinic_id FROM patients")
        patients: dict[str, list[str]] = {}
        for r in await cur.fetchall():
            patients.setdefault(r["clinic_id"], []).append(r["id"])
        cur = await conn.execute("SELECT count(*) AS n FROM appointments")
        n_appointments = (await cur.fetchone())["n"]
    by_id = {c.id: c for c in clinics}

    def window(clinic: ClinicRef) -> tuple[date, date]:
        today = datetime.now(ZoneInfo(clinic.timezone)).date()
        return today, today + timedelta(days=13)

    def one_provider(limit: int, spread: bool):
        def make():
            p = rng.choice(providers)
            c = by_id[p["clinic_id"]]
            lo, hi = window(c)
            return SlotCriteria(c, provider_ids=(p["id"],), date_from=lo, date_to=hi, limit=limit, spread_days=spread)
        return make

    def specialty(limit: int, spread: bool, name: str | None = "Family Medicine"):
        def make():
            c = rng.choice(clinics)
            lo, hi = window(c)
            return SlotCriteria(c, specialty=name, date_from=lo, date_to=hi, limit=limit, spread_days=spread)
        return make

    print(f"\nfind_slots over 14 days, {iterations} searches each ({n_appointments:,} appointments in the db)")
    rows = [
        await _timed("one provider, 6 options spread over days", one_provider(6, True), cal, iterations),
        await _timed("one provider, every free slot", one_provider(0, False), cal, iterations),
        await _timed("specialty (4 providers), 6 options spread", specialty(6, True), cal, iterations),
        await _timed("specialty (4 providers), every free slot", specialty(0, False), cal, iterations),
        await _timed("whole clinic (10 providers), every free slot", specialty(0, False, None), cal, iterations),
    ]
    print(f"| search | p50 ms | p95 ms | p99 ms | slots returned (mean) |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['label']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['mean_results']:.0f} |")

    # Booking throughput: `writers` tasks, each booking random future grid slots until time is up.
    future = []
    for p in providers:
        c = by_id[p["clinic_id"]]
        lo = datetime.now(ZoneInfo(c.timezone)).date() + timedelta(days=1)
        for t in _grid(p["schedule"], ZoneInfo(c.timezone), p["d"], lo, DAYS_AHEAD - 2):
            future.append((p, t))
    rng.shuffle(future)
    outcomes = {"booked": 0, "taken": 0, "other": 0}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    cursor = iter(future)

    async def writer() -> None:
        while time.perf_counter() < deadline:
            p, t = next(cursor)
            c = by_id[p["clinic_id"]]
            zone = ZoneInfo(c.timezone)
            start = datetime.fromtimestamp(t, zone)
            slot = TimeSlot(p["id"], "bench", start, start + timedelta(minutes=p["d"]))
            patient = Patient(rng.choice(patients[c.id]), c.id, "x", "y", None)
            t0 = time.perf_counter()
            try:
                await cal.book(c, slot, patient, None, None, booked_via="api")
                outcomes["booked"] += 1
            except SlotTaken:
                outcomes["taken"] += 1
            except NotAllowed:
                outcomes["other"] += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*[writer() for _ in range(writers)])
    elapsed = time.perf_counter() - t0
    attempts = sum(outcomes.values())
    print(f"\nbook() with {writers} concurrent writers for {elapsed:.1f} s: {attempts:,} attempts "
          f"({attempts / elapsed:.0f}/s), {outcomes['booked']:,} booked ({outcomes['booked'] / elapsed:.0f} bookings/s), "
          f"{outcomes['taken']:,} SlotTaken, {outcomes['other']:,} NotAllowed; "
          f"latency p50 {statistics.median(latencies):.1f} ms, p95 {_pct(latencies, 95):.1f} ms")
    await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set even if present")
    parser.add_argument("--iterations", type=int, default=400)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=20270314)
    args = parser.parse_args()
    print(f"scheduling benchmark  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  python {platform.python_version()}"
          f"  {os.cpu_count()} CPUs  db {urlparse(args.database_url).path.lstrip('/')}")

    async def go() -> None:
        if args.rebuild or not _exists(args.database_url) or not await _loaded(args.database_url):
            print("building the data set ...", flush=True)
            await build(args.database_url, args.seed)
        else:
            await migrate(to_conninfo(args.database_url))
            print("reusing the existing data set (--rebuild to start over)")
        await run(args.database_url, args.iterations, args.writers, args.seconds, args.seed)

    asyncio.run(go())


if __name__ == "__main__":
    main()
