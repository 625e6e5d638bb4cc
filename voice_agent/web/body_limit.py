"""Request bodies are limited while they stream, before anything is buffered.

A handler that calls `request.body()` holds the whole upload in memory before it can compare its
length: a 600 MB webhook took the server to 1.5 GB before the 413. This middleware wraps `receive`,
counts the bytes of every chunk, and refuses with 413 and the standard JSON error as soon as the
running total passes the limit, chunked bodies without Content-Length included. A Content-Length
over the limit is refused before the first chunk is read (or, if the route never reads its body,
instead of the route's answer).

One instance on the app sets the default for every route. A route that needs another limit, more
or less, declares `body_limit(n)` in its middleware: that changes the limit of the same count, so
a body is counted once, by the outermost instance.
"""
from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voice_agent.web.errors import ApiError, json_error

DEFAULT_MAX_BODY = 64 * 1024
_SCOPE_KEY = "voice_agent.body_budget"


class BodyTooLarge(ApiError):
    """Raised by the counting `receive`; rendered by the app's ApiError handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"The request body must be at most {limit} bytes.")


class _AnswerReplaced(Exception):
    """The app began an answer to a body that was over the limit; ours (413) is sent instead."""


@dataclass
class _Budget:
    limit: int
    declared: int | None        # Content-Length, when the client sent one
    received: int = 0

    def over(self) -> bool:
        return self.received > self.limit or (self.declared is not None and self.declared > self.limit)


def _content_length(scope: Scope) -> int | None:
    raw = Headers(scope=scope).get("content-length")
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def body_limit(max_bytes: int) -> Middleware:
    """A route's own limit: `Route(path, endpoint, middleware=[body_limit(16_384)])`."""
    return Middleware(BodyLimitMiddleware, max_bytes=max_bytes)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget: _Budget | None = scope.get(_SCOPE_KEY)
        if budget is not None:            # a route's own limit; the outer instance counts
            budget.limit = self.max_bytes
            if budget.over():
                raise BodyTooLarge(budget.limit)
            await self.app(scope, receive, send)
            return

        budget = _Budget(self.max_bytes, _content_length(scope))
        scope[_SCOPE_KEY] = budget
        started = False

        async def counting_receive() -> Message:
            if budget.over():
                raise BodyTooLarge(budget.limit)
            message = await receive()
            if message["type"] == "http.request":
                budget.received += len(message.get("body", b""))
                if budget.over():
                    raise BodyTooLarge(budget.limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if budget.over() and message["status"] != 413:
                    raise _AnswerReplaced
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except (BodyTooLarge, _AnswerReplaced):
            if started:
                raise
            await json_error(413, "payload_too_large",
                             f"The request body must be at most {budget.limit} bytes.")(scope, receive, send)
