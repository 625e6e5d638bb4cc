"""A NUL in the URL's path or query string is refused with 400 before any route sees it.

PostgreSQL text cannot hold NUL, so a slug, an id or a filter such as `?specialty=%00` reached the
database and came back as a 500. None of our paths or parameters can contain one; refusing it here
covers every route, present and future, before its handler runs.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from voice_agent.web.errors import json_error


class NulInUrlMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            await json_error(400, "validation_error",
                             "The address has a NUL character (%00) in it.")(scope, receive, send)
            return
        await self.app(scope, receive, send)
