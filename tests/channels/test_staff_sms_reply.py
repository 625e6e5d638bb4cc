"""A reply typed on the staff page for an SMS handoff is texted to the patient from the clinic's
number (through the Twilio REST API), lands in the conversation's history, and is audited; an
opted-out number is not texted."""
from __future__ import annotations

from datetime import datetime

import httpx

from storage.handoffs import HandoffStore
from tests.frontdesk.conftest import add_staff, csrf_of, sign_in

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


async def _desk(d, pool) -> tuple[httpx.AsyncClient, str]:
    email = await add_staff(pool, d.clinic.id)
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=d.app, client=("10.9.8.7", 4000)),
                          base_url="https://receptionist.test")
    await sign_in(c, email)
    return c, csrf_of((await c.get("/staff")).text)


async def test_staff_sms_reply_is_texted_and_kept(sms, pool):
    d = await sms(NOW)
    await d.text("I want to talk to a real person")
    (h,) = await HandoffStore(pool).list(d.clinic.id)
    c, csrf = await _desk(d, pool)
    r = await c.post(f"/staff/handoffs/{h.id}/reply", data={"csrf": csrf, "text": "Hi, it's the front desk."},
                     headers={"Accept": "application/json"})
    await c.aclose()
    assert r.status_code == 200, r.text
    (sent,) = [m for m in d.twilio.messages if m["data"].get("Body") == "Hi, it's the front desk."]
    assert sent["data"]["To"] == d.patient and sent["data"]["From"] == d.phone
    session = await d.services.engine.sessions.find_active(d.clinic.id, "sms", d.patient)
    assert [t.text for t in session.message_history if t.role == "staff"] == ["Hi, it's the front desk."]
    rows = await d.rows("""SELECT details FROM audit_logs WHERE clinic_id = %s AND resource_type = 'handoff'""")
    assert [r["details"]["event"] for r in rows] == ["staff_reply"]
    assert "front desk" not in str(rows)                          # the words are not in the audit trail


async def test_opted_out_number_is_not_texted(sms, pool):
    d = await sms(NOW)
    await d.text("I want to talk to a real person")
    await d.text("STOP")
    (h,) = await HandoffStore(pool).list(d.clinic.id)
    before = len(d.twilio.messages)
    c, csrf = await _desk(d, pool)
    r = await c.post(f"/staff/handoffs/{h.id}/reply", data={"csrf": csrf, "text": "Hello?"},
                     headers={"Accept": "application/json"})
    await c.aclose()
    assert r.status_code == 409 and "opted out" in r.json()["error"]["message"]
    assert len(d.twilio.messages) == before
