"""Several real `voice-agent serve` processes on one PostgreSQL and one Redis (the suite's), as a
fleet behind one address runs: what one process knows, the next must not need."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.foundation.served import Served

# The chat instances take no calls: a Deepgram key that is never used keeps each from starting the
# embedded recogniser's worker process (three of them on two shared cores only slow the suite down).
CHAT_ONLY = {"DEEPGRAM_API_KEY": "unused-in-these-tests", "DEEPGRAM_URL": "ws://127.0.0.1:9"}


def start_all(envs: list[dict[str, str]]) -> list[Served]:
    """Start the servers side by side (each takes seconds to load its models)."""
    with ThreadPoolExecutor(len(envs)) as pool:
        futures = [pool.submit(Served, env) for env in envs]
        started, failed = [], None
        for future in futures:
            try:
                started.append(future.result())
            except Exception as exc:          # stop the others before failing
                failed = exc
    if failed is not None:
        for served in started:
            served.stop()
        raise failed
    return started


@pytest.fixture(scope="module")
def instances(test_env, database):
    """Three instances of the service sharing the suite's PostgreSQL and Redis."""
    servers = start_all([{**test_env, **CHAT_ONLY}] * 3)
    yield servers
    for served in servers:
        served.stop()


class FleetChat:
    """One chat-API conversation whose requests may go to any instance."""

    def __init__(self, client: httpx.AsyncClient, clinic: Any, bases: list[str]) -> None:
        self.client, self.clinic, self.bases = client, clinic, bases
        self.session_id: str | None = None

    async def say(self, text: str, instance: int) -> dict[str, Any]:
        body: dict[str, Any] = {"message": text}
        if self.session_id:
            body["session_id"] = self.session_id
        r = await self.client.post(self.bases[instance] + "/api/v1/chat", json=body, headers=self.clinic.headers)
        assert r.status_code == 200, (instance, r.status_code, r.text)
        reply = r.json()
        self.session_id = self.session_id or reply["session_id"]
        return reply
