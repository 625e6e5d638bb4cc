"""The server as deployed (`voice-agent serve`, uvicorn's sockets): an endless upload is answered
413 while it is still being sent, and the server's memory does not grow with it."""
from __future__ import annotations

import asyncio

import pytest

from tests.foundation.served import Served, upload_chunked

MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(test_env, database):
    served = Served(test_env)
    yield served
    served.stop()


async def test_endless_uploads_are_refused_and_memory_stays_flat(server, make_clinic):
    clinic = await make_clinic()
    uploads = [
        (f"/webchat/{clinic.data['slug']}/messages",
         {"Content-Type": "application/json", "Origin": "https://receptionist.test"}),
        ("/webhooks/twilio/sms", {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}),
    ]
    await asyncio.to_thread(upload_chunked, server.port, *uploads[0], 1 * MB)    # warm the route once
    before = server.rss_bytes()
    for path, headers in uploads:
        status, answer, sent = await asyncio.to_thread(upload_chunked, server.port, path, headers, 200 * MB)
        assert status == 413 and b'"payload_too_large"' in answer, (path, answer[:300], sent)
        assert sent < 32 * MB, f"{path}: {sent // MB} MB went in before the answer"
    grown = server.rss_bytes() - before
    assert grown < 24 * MB, f"the server grew by {grown // MB} MB"
