"""Run an ASGI stand-in on 127.0.0.1 (a free port) inside the test's event loop, plus the faults every
stand-in offers: an outage ("down": 503 for everything; "timeout": answers stall past the client's
timeout) and a rate-limit storm (429 with Retry-After for the next N requests)."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, Literal

import uvicorn
from starlette.requests import Request
from starlette.responses import Response

STALL_SECONDS = 30.0


@dataclass
class Faults:
    """Shared by a stand-in's routes: `gate(request)` returns a response to send instead, or None."""
    outage_kind: str | None = None
    throttle_left: int = 0
    retry_after: int = 1
    requests: int = 0
    throttled: int = 0

    async def gate(self, request: Request, error: Callable[[int, str], Response]) -> Response | None:
        self.requests += 1
        if self.outage_kind == "timeout":
            await asyncio.sleep(STALL_SECONDS)
        if self.outage_kind == "down":
            return error(503, "the server is down for maintenance")
        if self.throttle_left > 0:
            self.throttle_left -= 1
            self.throttled += 1
            response = error(429, "too many requests")
            response.headers["Retry-After"] = str(self.retry_after)
            return response
        return None

    @contextlib.asynccontextmanager
    async def outage(self, kind: Literal["down", "timeout"]) -> AsyncIterator[None]:
        self.outage_kind = kind
        try:
            yield
        finally:
            self.outage_kind = None

    def storm(self, count: int, retry_after: int = 1) -> None:
        self.throttle_left, self.retry_after = count, retry_after


@contextlib.asynccontextmanager
async def serve(app: Callable[..., Awaitable[None]]) -> AsyncIterator[str]:
    """`async with serve(app) as base:` → "http://127.0.0.1:PORT"."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
