"""The web chat's endpoints without a browser: cookie, origin, rate limits, reload, page headers."""
from __future__ import annotations

from datetime import datetime

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


def _set_cookie(response) -> str:
    (cookie,) = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return cookie.lower()


async def test_cookie_session_and_reload(webchat):
    d = await webchat(NOW)
    r = await d.post("/start")
    assert r.status_code == 200 and "How can I help" in r.json()["message"]
    cookie = _set_cookie(r)
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert f"path=/webchat/{d.slug}" in cookie and "partitioned" not in cookie
    assert "api" not in r.json() and "session_id" not in r.json()

    body = await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    assert body["state"] == "showing_slots" and len(body["available_slots"]) >= 2
    assert set(body["available_slots"][0]) == {"provider_name", "start", "end"}

    # A reload: the page asks for the history with the same cookie.
    h = await d.history()
    assert [m["role"] for m in h["messages"]] == ["assistant", "patient", "assistant"]
    assert h["messages"][-1]["text"] == body["message"]
    assert h["available_slots"] == body["available_slots"] and h["state"] == "showing_slots"
    body = await d.say("2")                                   # the slot button sends the number
    assert body["state"] == "collect_patient_info" and body["available_slots"] == []
    assert (await d.history())["available_slots"] == []
    await d.say("Maria Garcia")
    texts = [m["text"] for m in (await d.history())["messages"]]
    assert "Maria" not in " ".join(texts) and "[name hidden]" in texts   # the record is redacted


async def test_no_cookie_means_empty_history_and_a_forged_cookie_is_ignored(webchat):
    d = await webchat(NOW)
    assert (await d.history())["messages"] == []
    await d.post("/start")
    await d.say("hi")
    d.client.cookies.set("va_webchat", "eyJzIjoiZm9yZ2VkIn0.forged.signature", domain="receptionist.test",
                         path=f"/webchat/{d.slug}")
    assert (await d.history())["messages"] == []


async def test_a_cookie_from_one_clinic_is_useless_at_another(webchat):
    a = await webchat(NOW)
    b = await webchat(NOW)
    await a.post("/start")
    await a.say("I'd like to book with Dr. Raman next Tuesday morning")
    stolen = [c for c in a.client.cookies.jar][0].value
    b.client.cookies.set("va_webchat", stolen, domain="receptionist.test", path=f"/webchat/{b.slug}")
    assert (await b.history())["messages"] == []
    body = await b.say("1")
    assert body["state"] != "collect_patient_info"          # b's "1" did not pick a's slot


async def test_embed_cookie_is_partitioned_and_cross_site(webchat):
    d = await webchat(NOW)
    r = await d.post("/start", headers={"X-Webchat-Embed": "1"})
    cookie = _set_cookie(r)
    assert "samesite=none" in cookie and "secure" in cookie and "partitioned" in cookie and "httponly" in cookie


async def test_origins(webchat):
    d = await webchat(NOW)
    r = await d.post("/start", origin="https://evil.example")
    assert r.status_code == 403 and r.json()["error"]["code"] == "origin_not_allowed"
    assert "set-cookie" not in r.headers
    r = await d.post("/messages", {"message": "cancel my appointment"}, origin="null")
    assert r.status_code == 403
    r = await d.post("/messages", {"message": "hi"}, origin=None, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    async with d.pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM sessions WHERE clinic_id = %s", (d.clinic.id,))
        assert (await cur.fetchone())["n"] == 0
    # The clinic's allowed origins (the demo lists http://127.0.0.1:8000) and the app's own origin pass.
    assert (await d.post("/start", origin="http://127.0.0.1:8000")).status_code == 200
    assert (await d.post("/messages", {"message": "hi"})).status_code == 200


async def test_per_ip_and_per_clinic_rate_limits(webchat):
    d = await webchat(NOW, rate_limit_requests=3)
    for _ in range(3):
        assert (await d.post("/messages", {"message": "what are your hours"})).status_code == 200
    r = await d.post("/messages", {"message": "what are your hours"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"

    c = await webchat(NOW, webchat_clinic_rate_limit=2)
    assert (await c.post("/messages", {"message": "hi"})).status_code == 200
    other_ip = type(c)(c.app, c.clinic, c.pool)                # another visitor, same clinic
    assert (await other_ip.post("/messages", {"message": "hi"})).status_code == 200
    assert (await other_ip.post("/messages", {"message": "hi"})).status_code == 429
    await other_ip.client.aclose()


async def test_bad_bodies(webchat):
    d = await webchat(NOW)
    r = await d.client.post(f"/webchat/{d.slug}/messages", content=b"message=hi",
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "Origin": "https://receptionist.test"})
    assert r.status_code == 415
    assert (await d.post("/messages", {"message": "   "})).status_code == 400
    assert (await d.post("/messages", {"message": "x" * 2001})).status_code == 400
    assert (await d.client.post("/webchat/no-such-clinic/messages", json={"message": "hi"})).status_code == 404


async def test_page_and_embed_script(webchat):
    d = await webchat(NOW)
    r = await d.client.get(f"/chat/{d.slug}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<label for="message"' in html and 'aria-live="polite"' in html and 'role="log"' in html
    assert 'name="viewport"' in html and "Lakeside Family Clinic" in html and "{{" not in html
    assert "X-API-Key".lower() not in html.lower()
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8000 http://localhost:8000" in csp
    assert "script-src 'self'" in csp
    for asset in ("webchat.js", "webchat.css"):
        a = await d.client.get(f"/webchat/static/{asset}")
        assert a.status_code == 200 and "x-api-key" not in a.text.lower()
    js = await d.client.get(f"/chat/{d.slug}/embed.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert f'"{d.slug}"' in js.text and "iframe" in js.text and "__CLINIC" not in js.text
    assert (await d.client.get("/chat/no-such-clinic")).status_code == 404
    assert (await d.client.get("/webchat/static/../webchat.html")).status_code == 404
