"""Outermost middleware: request ids, timing, metrics, one access log line, and no bare 500s.

Pure ASGI (no BaseHTTPMiddleware) so streaming and WebSockets pass through untouched.
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voice_agent.web.context import clinic_id_var, request_id_var
from voice_agent.web.errors import json_error
from voice_agent.web.metrics import REQUEST_SECONDS, REQUESTS

log = logging.getLogger("voice_agent.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def route_label(scope: Scope) -> str:
    route = scope.get("route")
    if isinstance(route, (Route, WebSocketRoute)):
        return f"{scope.get('root_path', '')}{route.path}"
    if isinstance(route, Mount):
        return f"{scope.get('root_path', '')}{route.path}/*"
    return "unmatched"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        clinic_token = clinic_id_var.set(None)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"event": "unhandled_error"})
            if scope["type"] == "http" and not status["sent"]:
                response = json_error(500, "internal_error", "Something went wrong on our side. Please try again.")
                await response(scope, receive, send_with_id)
            elif scope["type"] == "http":
                raise
        finally:
            if scope["type"] == "http":
                elapsed = time.perf_counter() - started
                label = route_label(scope)
                REQUESTS.labels(scope["method"], label, str(status["code"])).inc()
                REQUEST_SECONDS.labels(label).observe(elapsed)
                log.info("request", extra={"method": scope["method"], "route": label, "status": status["code"],
                                           "processing_time_ms": round(elapsed * 1000, 2)})
            request_id_var.reset(token)
            clinic_id_var.reset(clinic_token)
