"""ehr/http_retry.py: what is retried, how long it waits (Retry-After honoured and capped), and what
is never sent twice. The vendor is an httpx MockTransport (the HTTP layer); sleeps are recorded."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from ehr.http_retry import IDEMPOTENCY_HEADER, RetryingTransport, RetryPolicy, retry_after_seconds

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)


class Script:
    """Answers in turn from `answers` (a status, (status, headers) or an exception), counting calls."""

    def __init__(self, *answers) -> None:
        self.answers, self.calls = list(answers), 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        return httpx.Response(status, headers=headers, json={"n": self.calls})


def client(script: Script, sleeps: list[float], **policy) -> httpx.AsyncClient:
    transport = RetryingTransport(httpx.MockTransport(script), RetryPolicy(**policy), sleep=_record(sleeps),
                                  rand=lambda: 1.0, monotonic=lambda: sum(sleeps), wall=lambda: NOW)
    return httpx.AsyncClient(transport=transport, base_url="https://ehr.test")


def _record(sleeps: list[float]):
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
    return sleep


async def test_a_503_then_200_is_retried_with_exponential_backoff():
    script, sleeps = Script(503, 502, 200), []
    async with client(script, sleeps, attempts=3, base_delay=0.25) as c:
        response = await c.get("/appointments")
    assert response.status_code == 200 and script.calls == 3
    assert sleeps == [0.25, 0.5]             # full jitter's upper bound (rand = 1.0): base · 2^n


async def test_jitter_is_full():
    script, sleeps = Script(503, 200), []
    transport = RetryingTransport(httpx.MockTransport(script), RetryPolicy(base_delay=1.0), sleep=_record(sleeps),
                                  rand=lambda: 0.3, monotonic=lambda: 0.0, wall=lambda: NOW)
    async with httpx.AsyncClient(transport=transport) as c:
        await c.get("https://ehr.test/x")
    assert sleeps == [pytest.approx(0.3)]


async def test_retry_after_in_seconds_and_as_a_date_is_honoured():
    script, sleeps = Script((429, {"Retry-After": "2"}), (429, {"Retry-After": format_datetime(
        NOW + timedelta(seconds=3), usegmt=True)}), 200), []
    async with client(script, sleeps, attempts=3, max_retry_after=5, budget=30) as c:
        assert (await c.get("/x")).status_code == 200
    assert sleeps == [2.0, 3.0]


async def test_a_retry_after_beyond_the_cap_is_not_waited_for():
    script, sleeps = Script((429, {"Retry-After": "120"}), 200), []
    async with client(script, sleeps, max_retry_after=5) as c:
        response = await c.get("/x")
    assert response.status_code == 429 and script.calls == 1 and sleeps == []


async def test_a_429_storm_gives_up_after_the_attempts():
    script, sleeps = Script((429, {"Retry-After": "1"})), []
    async with client(script, sleeps, attempts=4, budget=30) as c:
        response = await c.get("/x")
    assert response.status_code == 429 and script.calls == 4 and sleeps == [1.0, 1.0, 1.0]


async def test_the_budget_bounds_the_waiting():
    script, sleeps = Script((503, {"Retry-After": "4"})), []
    async with client(script, sleeps, attempts=10, max_retry_after=5, budget=9) as c:
        response = await c.get("/x")
    assert response.status_code == 503 and sum(sleeps) <= 9 and script.calls == 3


async def test_a_post_is_not_retried_after_a_response_but_is_with_the_idempotency_header():
    script, sleeps = Script(503, 503, 201), []
    async with client(script, sleeps) as c:
        assert (await c.post("/appointments", json={})).status_code == 503
        assert script.calls == 1
        assert (await c.post("/appointments", json={}, headers={IDEMPOTENCY_HEADER: "1"})).status_code == 201
    assert script.calls == 3


async def test_a_connect_error_is_retried_even_for_a_post():
    script, sleeps = Script(httpx.ConnectError("refused"), 201), []
    async with client(script, sleeps) as c:
        assert (await c.post("/appointments", json={})).status_code == 201
    assert script.calls == 2


async def test_a_404_or_409_is_returned_at_once():
    for status in (404, 409, 400, 401):
        script, sleeps = Script(status), []
        async with client(script, sleeps) as c:
            assert (await c.get("/x")).status_code == status
        assert script.calls == 1 and sleeps == []


async def test_an_attempt_that_stalls_times_out():
    import asyncio

    async def stall(request):
        await asyncio.sleep(5)

    class Stalling(httpx.AsyncBaseTransport):
        calls = 0

        async def handle_async_request(self, request):
            Stalling.calls += 1
            await stall(request)

    sleeps: list[float] = []
    transport = RetryingTransport(Stalling(), RetryPolicy(attempts=2, attempt_timeout=0.05), sleep=_record(sleeps),
                                  rand=lambda: 0.0, monotonic=lambda: 0.0, wall=lambda: NOW)
    async with httpx.AsyncClient(transport=transport) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get("https://ehr.test/slow")
        assert Stalling.calls == 2
        with pytest.raises(httpx.ReadTimeout):
            await c.post("https://ehr.test/slow", json={})
        assert Stalling.calls == 3        # a POST that may have arrived is never sent twice


def test_retry_after_parsing():
    assert retry_after_seconds("7", NOW) == 7.0
    assert retry_after_seconds(format_datetime(NOW + timedelta(seconds=30), usegmt=True), NOW) == 30.0
    assert retry_after_seconds(format_datetime(NOW - timedelta(seconds=30), usegmt=True), NOW) == 0.0
    assert retry_after_seconds("soon", NOW) is None and retry_after_seconds(None, NOW) is None
