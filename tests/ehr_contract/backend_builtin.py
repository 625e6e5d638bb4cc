"""The built-in PostgreSQL calendar in the contract suite: the seeded world imported as a clinic file,
the calendar on its own small pool through a loopback TCP proxy (so an outage breaks only it), wrapped
as production wraps it (`voice_agent.ehr_registry`). The pool's query deadline is shortened to 1.5 s
(production: 6 s) so the stalled-database case takes seconds."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import AsyncIterator, Literal
from urllib.parse import urlparse, urlunparse

from ehr.builtin import BuiltinCalendar
from ehr.protocol import EHRAdapter
from ehr.types import ClinicRef, Patient
from storage.db import open_pool
from tests.ehr_contract.harness import (CLINIC_NAME, CLINIC_TZ, MARIA, BackendContext, ForeignIds, clinic_file,
                                        fixed_clock)
from tests.ehr_contract.tcp_proxy import TcpProxy
from voice_agent.ehr_registry import wrap_adapter



@dataclass
class BuiltinBackend:
    name: str
    adapter: EHRAdapter
    clinic: ClinicRef
    provider_ids: dict[str, str]
    maria: Patient
    foreign: ForeignIds | None
    proxy: TcpProxy

    def outage(self, kind: Literal["down", "timeout"]):
        return self.proxy.fault(kind)


async def _seeded(ctx: BackendContext) -> tuple[ClinicRef, dict[str, str], str, str]:
    made = await ctx.make_clinic(**clinic_file())
    async with ctx.pool.connection() as conn:
        cur = await conn.execute("SELECT lower(last_name) AS k, id::text AS id FROM providers WHERE clinic_id = %s",
                                 (made.id,))
        providers = {r["k"]: r["id"] for r in await cur.fetchall()}
        cur = await conn.execute("SELECT id::text AS id FROM patients WHERE clinic_id = %s", (made.id,))
        patient_id = (await cur.fetchone())["id"]
        cur = await conn.execute("SELECT id::text AS id FROM appointments WHERE clinic_id = %s", (made.id,))
        appointment_id = (await cur.fetchone())["id"]
    return ClinicRef(made.id, CLINIC_TZ, CLINIC_NAME), providers, patient_id, appointment_id


@contextlib.asynccontextmanager
async def make_backend(ctx: BackendContext) -> AsyncIterator[BuiltinBackend]:
    clinic, providers, maria_id, _ = await _seeded(ctx)
    _, other_providers, other_patient, other_appointment = await _seeded(ctx)
    url = urlparse(ctx.database_url)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = urlunparse(url._replace(netloc=f"{url.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    pool = await open_pool(proxied, min_size=1, max_size=4, timeout=2.0, query_seconds=1.5)
    try:
        calendar = BuiltinCalendar(pool, now=fixed_clock, anchors=ctx.services.anchors)
        adapter = wrap_adapter("builtin", calendar)     # as production: the pool's own deadlines bound an outage
        maria = Patient(maria_id, clinic.id, MARIA.first_name, MARIA.last_name, MARIA.date_of_birth, MARIA.phone)
        yield BuiltinBackend("builtin", adapter, clinic, providers, maria,
                             ForeignIds(other_appointment, other_patient, other_providers["rivera"]), proxy)
    finally:
        await pool.close()
        await proxy.close()
