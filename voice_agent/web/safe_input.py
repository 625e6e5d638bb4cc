"""The one parser for JSON from outside: request bodies, and Twilio's Media Streams messages.

`json.loads` accepts what breaks us later, as a 500 instead of a 400: a lone surrogate (`"\\ud800"`,
or raw bytes it decodes with surrogatepass) cannot be encoded for PostgreSQL, Redis or the reply;
PostgreSQL text cannot hold NUL; an integer past Python's 4,300 digits raises ValueError and
5,000-deep nesting RecursionError. `loads` refuses each with `UnsafeJson` (a ValueError) whose
message a client can act on; `read_json_object` turns that into 400 validation_error.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request

from voice_agent.web.errors import ApiError

MAX_DEPTH = 32             # our bodies are two levels deep; this leaves room and no recursion risk
MAX_INT_DIGITS = 100       # far past any count or id, far short of int()'s 4,300
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class UnsafeJson(ValueError):
    """Not JSON we will take; the message says why."""


def unstorable(text: str) -> bool:
    """NUL (PostgreSQL text cannot hold it) or a lone surrogate (no UTF-8 encoding exists)."""
    return _UNSTORABLE.search(text) is not None


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeJson(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
        elif bracket in "]}":
            depth -= 1


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeJson(f"A number in the JSON has more than {MAX_INT_DIGITS} digits.")
    return int(digits)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJson("A number in the JSON is too large.")
    return value


def _constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not valid JSON.")


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if unstorable(value):
            raise UnsafeJson("The JSON has a NUL character or an unpaired surrogate in a string.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def loads(data: bytes | str) -> Any:
    """Parse untrusted JSON; raises UnsafeJson (a ValueError) for anything we will not take."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafeJson("The body is not UTF-8.") from None
    _check_depth(data)
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError:
        raise UnsafeJson("The body is not valid JSON.") from None
    except RecursionError:          # unreachable after _check_depth; kept so no input can be a 500
        raise UnsafeJson(f"The JSON is nested more than {MAX_DEPTH} levels deep.") from None
    _check_text(value)
    return value


async def read_json_object(request: Request, *, required: bool = True, json_type: bool = True) -> dict[str, Any]:
    """The body as a JSON object, or ApiError: 415 without application/json (when `json_type`),
    400 validation_error for anything `loads` refuses. The size was already limited while it streamed."""
    if json_type and "application/json" not in request.headers.get("content-type", ""):
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ApiError(400, "validation_error", "A JSON object body is required.")
        return {}
    try:
        body = loads(raw)
    except UnsafeJson as exc:
        raise ApiError(400, "validation_error", str(exc)) from None
    if not isinstance(body, dict):
        raise ApiError(400, "validation_error", "The body must be a JSON object.")
    return body
