"""The handoff queue over REST with the clinic's API key: list by status, claim, close with a note;
another clinic's id is 404 and changes nothing; a bad status is 400; an illegal move is 409."""
from __future__ import annotations

import uuid

from storage.handoffs import HandoffStore


async def _handoff(pool, clinic_id, **kw):
    return await HandoffStore(pool).create(
        clinic_id, channel=kw.get("channel", "sms"), reason="the patient asked for a person",
        summary="A texter asked for the front desk.", transcript=[{"role": "patient", "text": "a person please"}],
        conversation_id=str(uuid.uuid4()), callback_number="+13125550123")


async def test_list_claim_close(client, make_clinic, pool):
    clinic = await make_clinic()
    made = await _handoff(pool, clinic.id)
    r = await client.get("/api/v1/handoffs?status=open", headers=clinic.headers)
    assert r.status_code == 200
    (item,) = r.json()["handoffs"]
    assert {k: item[k] for k in ("id", "channel", "status", "reason")} == {
        "id": made.id, "channel": "sms", "status": "open", "reason": "the patient asked for a person"}
    assert item["summary"] and item["created_at"] and item["callback_number"] == "•••0123"
    r = await client.post(f"/api/v1/handoffs/{made.id}/claim", headers=clinic.headers)
    assert r.status_code == 200 and r.json()["status"] == "claimed"
    assert (await client.get("/api/v1/handoffs?status=open", headers=clinic.headers)).json() == {"handoffs": []}
    r = await client.post(f"/api/v1/handoffs/{made.id}/close", headers=clinic.headers, json={"note": "called back"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["close_note"] == "called back"
    r = await client.post(f"/api/v1/handoffs/{made.id}/close", headers=clinic.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await client.post(f"/api/v1/handoffs/{made.id}/claim", headers=clinic.headers)
    assert r.status_code == 409


async def test_bad_input(client, make_clinic, pool):
    clinic = await make_clinic()
    made = await _handoff(pool, clinic.id)
    for bad in ("lost", ""):
        r = await client.get(f"/api/v1/handoffs?status={bad}", headers=clinic.headers)
        assert r.status_code == 400 and r.json()["error"]["field"] == "status"
    r = await client.post(f"/api/v1/handoffs/{made.id}/close", headers=clinic.headers, json={"note": 5})
    assert r.status_code == 400 and r.json()["error"]["field"] == "note"
    for bad_id in ("nope", str(uuid.uuid4())):
        r = await client.post(f"/api/v1/handoffs/{bad_id}/claim", headers=clinic.headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert (await HandoffStore(pool).get(clinic.id, made.id)).status == "open"


async def test_another_clinics_handoff_is_404_and_unchanged(client, make_clinic, pool):
    mine, theirs = await make_clinic(), await make_clinic()
    made = await _handoff(pool, theirs.id)
    for action in ("claim", "close"):
        r = await client.post(f"/api/v1/handoffs/{made.id}/{action}", headers=mine.headers)
        assert r.status_code == 404, r.text
    assert (await client.get("/api/v1/handoffs", headers=mine.headers)).json() == {"handoffs": []}
    assert (await HandoffStore(pool).get(theirs.id, made.id)).status == "open"
    r = await client.get("/api/v1/handoffs", headers={"X-Tenant-ID": theirs.id})
    assert r.status_code == 401


async def test_documented(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "get" in paths["/api/v1/handoffs"]
    assert "post" in paths["/api/v1/handoffs/{handoff_id}/claim"] and "post" in paths["/api/v1/handoffs/{handoff_id}/close"]
