"""Staff sign in with their own account (argon2 hash, signed cookie scoped to /staff), every form
POST needs the CSRF token, repeated wrong passwords lock the account with a clear message, and
staff see and act on only their own clinic's handoffs."""
from __future__ import annotations

from storage.handoffs import HandoffStore
from tests.frontdesk.conftest import PASSWORD, add_staff, csrf_of, new_handoff, sign_in
from voice_agent.staff_page import LOGINS_PER_MINUTE


async def test_sign_in_list_claim_close_logout(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    made = await new_handoff(pool, clinic.id)
    c = staff_client()
    r = await sign_in(c, email)
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    cookie = r.headers["set-cookie"]
    assert "staff_session=" in cookie and "HttpOnly" in cookie and "Path=/staff" in cookie and "Secure" in cookie
    assert "samesite=strict" in cookie.lower()
    page = await c.get("/staff")
    assert page.status_code == 200 and email in page.text and clinic.api_key not in page.text
    csrf = csrf_of(page.text)
    listed = (await c.get("/staff/handoffs")).json()["handoffs"]
    assert [h["id"] for h in listed] == [made.id] and listed[0]["callback_number"] == "+13125550123"
    r = await c.post(f"/staff/handoffs/{made.id}/claim", data={"csrf": csrf}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["status"] == "claimed" and r.json()["claimed_by"] == email
    r = await c.post(f"/staff/handoffs/{made.id}/close", data={"csrf": csrf, "note": "Called back, rebooked."})
    assert r.status_code == 303
    closed = await HandoffStore(pool).get(clinic.id, made.id)
    assert closed.status == "closed" and closed.close_note == "Called back, rebooked."
    assert (await c.get("/staff/handoffs")).json() == {"handoffs": []}
    copied = c.cookies.get("staff_session")
    r = await c.post("/staff/logout", data={"csrf": csrf})
    assert r.status_code == 303
    assert 'action="/staff/login"' in (await c.get("/staff")).text
    assert (await c.get("/staff/handoffs")).status_code == 401
    thief = staff_client()                                    # a copy of the cookie stops working too
    thief.cookies.set("staff_session", copied, domain="receptionist.test", path="/staff")
    assert (await thief.get("/staff/handoffs")).status_code == 401


async def test_csrf_is_required_on_every_form(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    made = await new_handoff(pool, clinic.id)
    c = staff_client()
    r = await c.post("/staff/login", data={"email": email, "password": "whatever"})
    assert r.status_code == 403 and "security token" not in r.text and "expired" in r.text
    await sign_in(c, email)
    for action in ("claim", "close", "reply"):
        r = await c.post(f"/staff/handoffs/{made.id}/{action}", data={"text": "hi"},
                         headers={"Accept": "application/json"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
        r = await c.post(f"/staff/handoffs/{made.id}/{action}", data={"csrf": "forged", "text": "hi"})
        assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert (await HandoffStore(pool).get(clinic.id, made.id)).status == "open"


async def test_wrong_password_locks_the_account(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    c = staff_client()
    for _ in range(4):
        r = await sign_in(c, email, "wrong password!")
        assert r.status_code == 401 and "Wrong email or password" in r.text
    r = await sign_in(c, email, "wrong password!")
    assert r.status_code == 429 and "locked for 15 more minute" in r.text
    r = await sign_in(staff_client(), email)                 # the right password, from elsewhere: still locked
    assert r.status_code == 429 and "locked" in r.text
    r = await sign_in(c, "nobody@clinic.test")
    assert r.status_code == 401


async def test_staff_see_only_their_clinic(staff_client, make_clinic, pool):
    mine, theirs = await make_clinic(), await make_clinic()
    email = await add_staff(pool, mine.id)
    their_handoff = await new_handoff(pool, theirs.id)
    c = staff_client()
    await sign_in(c, email)
    csrf = csrf_of((await c.get("/staff")).text)
    assert (await c.get("/staff/handoffs")).json() == {"handoffs": []}
    for action in ("claim", "close", "reply"):
        r = await c.post(f"/staff/handoffs/{their_handoff.id}/{action}", data={"csrf": csrf, "text": "x"},
                         headers={"Accept": "application/json"})
        assert r.status_code == 404, r.text
    assert (await HandoffStore(pool).get(theirs.id, their_handoff.id)).status == "open"


async def test_forged_session_cookie_is_not_signed_in(staff_client, make_clinic):
    c = staff_client()
    c.cookies.set("staff_session", "eyJmb3JnZWQiOnRydWV9.forged.sig", domain="receptionist.test", path="/staff")
    assert (await c.get("/staff/handoffs")).status_code == 401
    assert 'action="/staff/login"' in (await c.get("/staff")).text


async def test_replies_that_cannot_reach_the_patient_say_why(staff_client, make_clinic, pool):
    import uuid
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    call = await new_handoff(pool, clinic.id, channel="voice", call_sid="CA" + uuid.uuid4().hex)
    gone = await new_handoff(pool, clinic.id, channel="webchat", callback_number=None)   # no such conversation
    c = staff_client()
    await sign_in(c, email)
    csrf = csrf_of((await c.get("/staff")).text)
    json_ = {"Accept": "application/json"}
    r = await c.post(f"/staff/handoffs/{call.id}/reply", data={"csrf": csrf, "text": "hello"}, headers=json_)
    assert r.status_code == 409 and "call back" in r.json()["error"]["message"]
    r = await c.post(f"/staff/handoffs/{gone.id}/reply", data={"csrf": csrf, "text": "hello"}, headers=json_)
    assert r.status_code == 409 and "chat has ended" in r.json()["error"]["message"]
    r = await c.post(f"/staff/handoffs/{gone.id}/reply", data={"csrf": csrf, "text": "  "}, headers=json_)
    assert r.status_code == 400


async def test_a_token_that_is_not_plain_ascii_is_refused_not_a_500(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    made = await new_handoff(pool, clinic.id)
    c = staff_client()
    await c.get("/staff")
    r = await c.post("/staff/login", data={"email": email, "password": PASSWORD, "csrf": "é"})
    assert r.status_code == 403
    await sign_in(c, email)
    r = await c.post(f"/staff/handoffs/{made.id}/claim", data={"csrf": "é"}, headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


async def test_sign_in_attempts_from_one_address_are_limited(staff_client):
    c = staff_client()
    page, statuses = await c.get("/staff"), []
    for i in range(LOGINS_PER_MINUTE + 1):           # each answer carries the next form's token
        page = await c.post("/staff/login", data={"email": f"nobody{i}@clinic.test", "password": "guess",
                                                  "csrf": csrf_of(page.text)})
        statuses.append(page.status_code)
    assert statuses == [401] * LOGINS_PER_MINUTE + [429] and "Too many sign-in attempts" in page.text
    assert (await sign_in(staff_client(), "nobody@clinic.test")).status_code == 401    # another address is not held


async def test_an_open_handoff_is_listed_however_many_were_closed_since(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    store = HandoffStore(pool)
    morning = await new_handoff(pool, clinic.id)
    for _ in range(101):                                   # a busy day: more closed ones than a page holds
        later = await new_handoff(pool, clinic.id)
        await store.transition(clinic.id, later.id, "closed", allowed_from=("open",))
    c = staff_client()
    await sign_in(c, email)
    assert [h["id"] for h in (await c.get("/staff/handoffs")).json()["handoffs"]] == [morning.id]


async def test_a_reply_on_a_handoff_closed_meanwhile_is_refused(staff_client, make_clinic, pool):
    clinic = await make_clinic()
    email = await add_staff(pool, clinic.id)
    made = await new_handoff(pool, clinic.id)
    c = staff_client()
    await sign_in(c, email)
    csrf = csrf_of((await c.get("/staff")).text)
    await HandoffStore(pool).transition(clinic.id, made.id, "closed", allowed_from=("open",))
    r = await c.post(f"/staff/handoffs/{made.id}/reply", data={"csrf": csrf, "text": "Hi, it's the front desk"},
                     headers={"Accept": "application/json"})
    assert r.status_code == 409 and "closed" in r.json()["error"]["message"]
