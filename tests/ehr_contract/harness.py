"""The EHR contract suite's harness: the world every adapter's test backend seeds, and the `Backend`
each one hands to `test_contract.py`.

Adding an adapter to the suite = adding ONE file, `tests/ehr_contract/backend_<name>.py`, that defines

    @contextlib.asynccontextmanager
    async def make_backend(ctx: BackendContext) -> AsyncIterator[Backend]:
        ...  # start the stand-in / seed the world, then
        yield backend
        ...  # tear down

`conftest.py` finds every such module on disk and parametrizes the `backend` fixture over them (the
test id is the module's suffix: `builtin`, `drchrono`, ...). A module may also set
`SKIP_REASON: str | None` (a non-None value skips it, e.g. a missing optional dependency).

`BackendContext` carries what the suite's fixtures give a backend: `tmp_path`, the shared PostgreSQL
`pool` and `database_url`, `redis` (the suite's Redis db), `settings` and `services` (the app's), and
`make_clinic` (tests/conftest.py's clinic importer). Each test gets a FRESH backend (function scope):
the seeded world below, untouched by earlier tests.

What a backend must provide (`Backend`):
- `adapter`: the `EHRAdapter` under test, wrapped exactly as production wraps it (for every adapter:
  `ehr.resilient.ResilientEHR`, via `voice_agent.ehr_registry` or directly), whose clock `now()`
  returns `NOW`;
- `clinic`: the `ClinicRef` of the seeded clinic (zone `CLINIC_TZ`, name `CLINIC_NAME`);
- `provider_ids`: {"rivera": id, "okafor": id} as the adapter names them;
- `maria`: the seeded patient as the adapter returns her;
- `foreign`: ids that belong to ANOTHER clinic/account (an appointment, a patient and a provider the
  adapter must answer NotFound for), or None when the backend cannot hold a second tenant;
- `outage(kind)`: an async context manager; inside it the EHR fails that way. "down": the stand-in
  answers 503 (or the database refuses connections); "timeout": it stalls longer than the adapter's
  timeout. On leaving it the backend works again.

How a vendor backend builds its adapter "as production does" (see backend_drchrono.py):

    ctx = ehr.registry.FactoryContext(clinic=ClinicRef(...), credentials={...}, options={...},
                                      business_hours=WEEK, http=ehr.http_retry.retrying_client(policy=...),
                                      credentials_sink=<save/load store>, now=fixed_clock)
    raw = await voice_agent.ehr_registry.build_adapter("<ehr_provider>", ctx)   # FACTORIES["<name>"](ctx)
    adapter = voice_agent.ehr_registry.wrap_adapter("<ehr_provider>", raw, policy=ResiliencePolicy(...),
                                                    cache=MemoryAvailabilityCache())

A backend may shorten retry and deadline settings (a RetryPolicy / ResiliencePolicy) so the outage
tests take seconds; it must not remove a layer production has.
"""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from ehr.protocol import EHRAdapter
from ehr.types import ClinicRef, Patient

# ---------------------------------------------------------------- the seeded world (every backend)

CLINIC_NAME = "Contract Clinic"
CLINIC_TZ = "America/Chicago"
ZONE = ZoneInfo(CLINIC_TZ)
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)          # a Tuesday, 08:00 local: the adapter's clock
TODAY = NOW.date()

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WORKING_HOURS = (("09:00", "12:00"), ("13:00", "17:00"))  # local, Mon–Fri, both providers (and the clinic)
WEEK: dict[str, list[list[str]]] = {d: [list(p) for p in WORKING_HOURS] for d in WEEKDAYS}


@dataclass(frozen=True)
class SeedProvider:
    key: str
    first_name: str
    last_name: str
    title: str
    specialty: str
    duration: int                 # minutes
    accepting_new_patients: bool = True


RIVERA = SeedProvider("rivera", "Ana", "Rivera", "Dr.", "Family Medicine", 30)
OKAFOR = SeedProvider("okafor", "Ben", "Okafor", "Dr.", "Cardiology", 20)
PROVIDERS = (RIVERA, OKAFOR)


@dataclass(frozen=True)
class SeedPatient:
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str


MARIA = SeedPatient("Maria", "Garcia", date(1985, 3, 14), "+15555550101")

# The one existing booked appointment: Rivera, Tuesday 2026-12-01 10:00–10:30 local, for Maria.
MARIA_APPOINTMENT_PROVIDER = "rivera"
MARIA_APPOINTMENT_START = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
MARIA_APPOINTMENT_END = MARIA_APPOINTMENT_START + timedelta(minutes=RIVERA.duration)
MARIA_APPOINTMENT_REASON = "annual checkup"

# How long an outage may take to surface as Unavailable (the backend's adapter timeout is well below).
OUTAGE_BOUND_SECONDS = 8.0


@dataclass(frozen=True)
class ForeignIds:
    """Ids of another clinic (or EHR account) that the backend's adapter must treat as unknown."""
    appointment_id: str
    patient_id: str
    provider_id: str


class Backend(Protocol):
    name: str
    adapter: EHRAdapter            # what is tested, already wrapped however production wraps it
    clinic: ClinicRef
    provider_ids: dict[str, str]   # {"rivera": ..., "okafor": ...}
    maria: Patient                 # the seeded existing patient
    foreign: ForeignIds | None

    def outage(self, kind: Literal["down", "timeout"]) -> AbstractAsyncContextManager[None]:
        """While inside, the backend fails that way (stand-in returns 503 / stalls past the timeout)."""


@dataclass
class BackendContext:
    """What the suite's fixtures hand `make_backend`."""
    tmp_path: Path
    pool: Any
    database_url: str
    redis: Any
    settings: Any
    services: Any
    make_clinic: Any
    extra: dict[str, Any] = field(default_factory=dict)


def clinic_file(**overrides: Any) -> dict[str, Any]:
    """The seeded world as a clinic file (`voice_agent.clinic_file` shape), for backends that import it."""
    data: dict[str, Any] = {
        "name": CLINIC_NAME, "timezone": CLINIC_TZ, "business_hours": WEEK,
        "providers": [{"first_name": p.first_name, "last_name": p.last_name, "title": p.title,
                       "specialty": p.specialty, "default_appointment_duration": p.duration,
                       "accepting_new_patients": p.accepting_new_patients, "schedule": WEEK} for p in PROVIDERS],
        "patients": [{"first_name": MARIA.first_name, "last_name": MARIA.last_name,
                      "date_of_birth": MARIA.date_of_birth.isoformat(), "phone": MARIA.phone}],
        "appointments": [{"provider_last_name": RIVERA.last_name,
                          "patient": {"first_name": MARIA.first_name, "last_name": MARIA.last_name,
                                      "date_of_birth": MARIA.date_of_birth.isoformat()},
                          "start": MARIA_APPOINTMENT_START.isoformat(), "reason": MARIA_APPOINTMENT_REASON}],
    }
    data.update(overrides)
    return data


def fixed_clock() -> datetime:
    """The adapter clock every backend pins: `NOW`."""
    return NOW
