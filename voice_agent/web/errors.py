"""The one error body every 4xx/5xx carries: {"error": {"code", "message", "request_id"}}."""
from __future__ import annotations

from typing import Any, Mapping

import logging

import psycopg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from voice_agent.web.context import request_id_var

_DEFAULT_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_error", 429: "rate_limited", 500: "internal_error", 503: "service_unavailable",
}


class ApiError(Exception):
    """Raise from a handler to answer with a JSON error."""

    def __init__(self, status: int, code: str, message: str, *, extra: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def error_body(code: str, message: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id_var.get()}
    if extra:
        body.update(extra)
    return {"error": body}


def json_error(status: int, code: str, message: str, *, extra: Mapping[str, Any] | None = None,
               headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, extra), status_code=status, headers=dict(headers or {}))


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return json_error(exc.status, exc.code, exc.message, extra=exc.extra, headers=exc.headers)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _DEFAULT_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return json_error(exc.status_code, code, message, headers=exc.headers)


DATABASE_RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException) -> bool:
    """PostgreSQL stopped, restarting or unreachable (for adapters that answer in their own format)."""
    return isinstance(exc, psycopg.OperationalError)


async def handle_database_down(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL not answering (stopped, restarting, unreachable): a clear 503 the client can retry,
    not a 500. The turn that met it saved nothing, so sending the message again is safe."""
    logging.getLogger("voice_agent.errors").warning(
        "database unavailable", extra={"event": "database_unavailable", "error_type": type(exc).__name__})
    return json_error(503, "service_unavailable", "We can't reach our records right now. "
                      f"Please try again in {DATABASE_RETRY_AFTER_SECONDS} seconds.",
                      headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


EXCEPTION_HANDLERS = {ApiError: handle_api_error, HTTPException: handle_http_exception,
                      psycopg.OperationalError: handle_database_down}
