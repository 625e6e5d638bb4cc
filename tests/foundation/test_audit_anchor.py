"""Each clinic's newest audit row is anchored in Redis under a MAC: `voice-agent audit verify`, run as
an operator runs it, fails naming the clinic whose newest rows were deleted, tells a lost anchor
apart from tampering, and only `voice-agent audit anchor` vouches for a chain again.

Each test gets a database of its own, so a whole-database verify answers for this test's clinics only.
"""
from __future__ import annotations

import pytest

from storage import audit
from storage.audit_anchor import AuditAnchors, derive_key
from storage.audit_anchoring import SCOPE_SQL
from storage.redis_client import open_redis
from tests.foundation.audit_cli import fresh  # noqa: F401 (the fixture)


async def test_a_clean_chain_verifies(fresh):
    a, b = await fresh.clinic(), await fresh.clinic()
    run = fresh.cli("audit", "verify")
    assert run.code == 0, run
    assert run.lines == [{"ok": True, "clinics": 2, "rows": 8, "tampered": 0, "unanchored": 0}]
    assert fresh.cli("audit", "verify", "--clinic", a).code == 0
    assert fresh.cli("audit", "verify", "--clinic", b).code == 0


async def test_deleting_the_newest_row_of_one_clinic_fails_naming_that_clinic(fresh):
    a, b = await fresh.clinic(), await fresh.clinic()
    deleted = await fresh.delete_newest(a)
    run = fresh.cli("audit", "verify")
    assert run.code == 1, run
    line = run.about(a)
    assert line["status"] == "tampered" and line["seq"] == deleted, line
    assert "newest audit rows were deleted" in line["reason"], line
    assert [x.get("clinic_id") for x in run.lines] == [a, None]           # b is not named; then the summary
    assert run.lines[-1]["ok"] is False and run.lines[-1]["tampered"] == 1
    assert fresh.cli("audit", "verify", "--clinic", b).code == 0


async def test_deleting_every_row_of_a_clinic_is_seen(fresh):
    a = await fresh.clinic(events=0)
    await fresh.delete_newest(a)
    run = fresh.cli("audit", "verify")
    assert run.code == 1 and "no audit rows left" in run.about(a)["reason"], run


async def test_a_deletion_stays_visible_after_more_events(fresh):
    a = await fresh.clinic()
    await fresh.delete_newest(a)
    await fresh.events(a, 20)            # traffic goes on, the chain re-links over the gap
    run = fresh.cli("audit", "verify", "--clinic", a)
    assert run.code == 1, run
    assert "was gone when a later event was written" in run.about(a)["reason"]


async def test_a_rolled_back_event_is_not_taken_for_a_deletion(fresh):
    a = await fresh.clinic()
    with pytest.raises(RuntimeError):
        async with fresh.services.pool.connection() as conn, conn.transaction():
            await audit.append(conn, a, audit.AuditEvent("APPOINTMENT_BOOKED"), fresh.services.anchors)
            raise RuntimeError("the booking failed after its audit event was written")
    assert fresh.cli("audit", "verify").code == 0
    await fresh.events(a, 1)
    assert fresh.cli("audit", "verify").code == 0


async def test_a_lost_anchor_is_reported_as_missing_and_only_the_operator_re_anchors(fresh):
    a, b = await fresh.clinic(), await fresh.clinic()
    await fresh.lose_anchor(a)
    run = fresh.cli("audit", "verify")
    assert run.code == 3, run
    line = run.about(a)
    assert line["status"] == "unanchored" and "no anchor in Redis" in line["reason"], line
    assert "nothing shows tampering" in run.stderr and "voice-agent audit anchor" in run.stderr
    await fresh.events(a, 2)              # new events alone do not vouch for the rows before them
    assert fresh.cli("audit", "verify", "--clinic", a).about(a)["status"] == "unanchored"
    anchored = fresh.cli("audit", "anchor")
    assert anchored.code == 0, anchored
    assert [d["clinic_id"] for d in anchored.lines[-1]["anchored"]] == [a]
    assert fresh.cli("audit", "verify").code == 0
    await fresh.delete_newest(b)          # and the anchors still catch what they caught before
    assert fresh.cli("audit", "verify").about(b)["status"] == "tampered"


async def test_anchor_refuses_a_tampered_clinic_unless_forced(fresh):
    a = await fresh.clinic()
    await fresh.delete_newest(a)
    refused = fresh.cli("audit", "anchor", "--clinic", a)
    assert refused.code == 1 and refused.about(a)["status"] == "tampered", refused
    assert "--force" in refused.stderr
    assert fresh.cli("audit", "verify").code == 1
    forced = fresh.cli("audit", "anchor", "--clinic", a, "--force")
    assert forced.code == 0 and forced.lines[-1]["anchored"][0]["was"] == "tampered", forced
    assert fresh.cli("audit", "verify").code == 0


async def test_redis_down_never_stops_the_audited_action(fresh):
    a = await fresh.clinic()
    down = open_redis("redis://127.0.0.1:1/0")     # nothing listens there
    try:
        await fresh.events(a, 2, anchors=AuditAnchors(down, derive_key(fresh.services.settings.secret_key, None)))
    finally:
        await down.aclose()
    run = fresh.cli("audit", "verify")
    assert run.code == 3 and "2 rows after the anchored head" in run.about(a)["reason"], run
    await fresh.events(a, 1)               # Redis is back: the next event anchors the head again
    assert fresh.cli("audit", "verify").code == 0


async def test_verify_says_when_redis_is_unreachable(fresh):
    a = await fresh.clinic()
    run = fresh.cli("audit", "verify", REDIS_URL="redis://127.0.0.1:1/0")
    assert run.code == 3 and "unreachable" in run.about(a)["reason"], run


async def test_a_forged_anchor_and_a_changed_key_are_told_apart(fresh):
    a = await fresh.clinic()
    other_key = fresh.cli("audit", "verify", AUDIT_ANCHOR_KEY="another-anchor-key-0123456789abcdef")
    assert other_key.code == 3 and "another key" in other_key.about(a)["reason"], other_key
    async with fresh.services.pool.connection() as conn:
        scope = (await (await conn.execute(f"SELECT {SCOPE_SQL} AS s")).fetchone())["s"]
    key = AuditAnchors.redis_key(scope, a)
    newest = await fresh.services.redis.lindex(key, 0)
    await fresh.services.redis.lset(key, 0, newest.replace('"seq":', '"seq":1', 1))   # point it elsewhere
    forged = fresh.cli("audit", "verify")
    assert forged.code == 1 and "bad MAC" in forged.about(a)["reason"], forged


async def test_the_apps_own_writers_anchor_every_event(fresh):
    """Bookings, cancellations, new patients (the calendar) and a conversation's safety events (the
    engine's audit sink), written through the HTTP API, leave a chain that verifies; then the newest
    row's deletion is caught."""
    import httpx

    from tests.conftest import TestClinic
    from tests.scheduling.test_api import booking, first_slot, providers_by_last
    from voice_agent.app import create_app

    imported = fresh.cli("clinic", "import", "fixtures/demo_clinic.json")
    assert imported.code == 0, imported
    clinic = TestClinic(imported.lines[-1]["clinic_id"], imported.lines[-1]["api_key"], {})
    app = create_app(fresh.services.settings, fresh.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://receptionist.test") as c:
        lee = (await providers_by_last(c, clinic))["Lee"]["id"]
        slot = await first_slot(c, clinic, lee)
        r = await c.post("/api/v1/appointments", headers=clinic.headers,
                         json=booking(lee, slot["start"], first_name="Nadia", last_name="Novak"))
        assert r.status_code == 201, r.text
        r = await c.post(f"/api/v1/appointments/{r.json()['id']}/cancel", headers=clinic.headers, json={})
        assert r.status_code == 200, r.text
        r = await c.post("/api/v1/chat", headers=clinic.headers, json={"message": "I want to kill myself tonight"})
        assert r.status_code == 200, r.text
    async with fresh.services.pool.connection() as conn:
        cur = await conn.execute("""SELECT array_agg(action::text ORDER BY seq) AS a FROM audit_logs
                                    WHERE clinic_id = %s""", (clinic.id,))
        actions = (await cur.fetchone())["a"]
    assert {"CREATE", "APPOINTMENT_BOOKED", "APPOINTMENT_CANCELLED", "EMERGENCY"} <= set(actions), actions
    assert fresh.cli("audit", "verify").code == 0
    await fresh.delete_newest(clinic.id)
    assert fresh.cli("audit", "verify").about(clinic.id)["status"] == "tampered"
