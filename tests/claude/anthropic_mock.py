"""The Anthropic Messages API at the HTTP layer, for tests.

anthropic 2.x sends through `httpx2` (not httpx), so respx cannot see it: the SDK client gets an
`httpx2.AsyncClient` on a `MockTransport` whose handler answers from recorded responses in
`fixtures/anthropic/`. Recorded tool calls name providers as `{{provider_id:Lee}}` (the roster's
ids are UUIDs made per test clinic); the handler fills them in from the roster in the request's
system prompt, and `{{model}}` from the request's model, as the real API echoes it.
"""
from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, Awaitable, Callable

import anthropic
import httpx2

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "anthropic"
Responder = Callable[[dict[str, Any]], Awaitable[httpx2.Response]]


def recorded(name: str, status: int = 200, delay: float = 0.0) -> Responder:
    """Answer with fixtures/anthropic/<name>.json (placeholders filled from the request)."""
    text = (FIXTURES / f"{name}.json").read_text()

    async def respond(body: dict[str, Any]) -> httpx2.Response:
        if delay:
            await asyncio.sleep(delay)
        filled = text.replace("{{model}}", body.get("model", ""))
        system = body.get("system") or ""
        if not isinstance(system, str):
            system = " ".join(block.get("text", "") for block in system)
        for last in set(re.findall(r"\{\{provider_id:(\w+)\}\}", filled)):
            found = re.search(rf"id=(\S+): \S+ \S+ {last}\b", system)
            assert found, f"no provider {last} in the roster sent to Claude"
            filled = filled.replace(f"{{{{provider_id:{last}}}}}", found.group(1))
        headers = {"content-type": "application/json", "request-id": "req_test_0001"}
        if status == 429:
            headers["retry-after"] = "1"
        return httpx2.Response(status, content=filled.encode(), headers=headers)
    return respond


def not_called(body: dict[str, Any]) -> Awaitable[httpx2.Response]:
    raise AssertionError("Claude was called but should not have been")


class AnthropicMock:
    """Queue of responders, one per request, in order; every request body is kept in `requests`."""

    def __init__(self, *responders: Responder) -> None:
        self.responders = list(responders)
        self.requests: list[dict[str, Any]] = []
        self.raw: list[bytes] = []

    async def handler(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages", request.url
        # anthropic 2.x sends the key as a bearer token; 0.x sent x-api-key
        assert request.headers.get("authorization") or request.headers.get("x-api-key"), "no API key"
        raw = request.content
        body = json.loads(raw)
        self.raw.append(raw)
        self.requests.append(body)
        assert self.responders, f"unexpected request #{len(self.requests)} to Claude"
        responder = self.responders.pop(0)
        return await responder(body)

    def http_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))

    def sdk_client(self, timeout: float = 1.5) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(api_key="sk-ant-test-0000", max_retries=0, timeout=timeout,
                                        http_client=self.http_client())

    @property
    def models(self) -> list[str]:
        return [r["model"] for r in self.requests]

    def sent_text(self) -> str:
        """Everything that left the building, as one string (system prompt and messages)."""
        return "\n".join(raw.decode() for raw in self.raw)
