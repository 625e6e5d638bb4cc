"""POST /api/v1/chat (the seed's section 3.1): a thin adapter from JSON to Engine.process()."""
from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from channels.deps import ChannelDeps
from dialogue.engine import ClinicUnavailable, EngineReply
from voice_agent.web import openapi
from voice_agent.web.body_limit import body_limit
from voice_agent.web.context import get_current_clinic
from voice_agent.web.errors import ApiError
from voice_agent.web.safe_input import read_json_object

MAX_BODY = 16_384          # bytes; refused while it streams (body_limit)


def reply_json(reply: EngineReply) -> dict[str, Any]:
    return {
        "message": reply.message, "session_id": reply.session_id, "state": reply.state.value,
        "intent": reply.intent, "confidence": reply.confidence, "booking_id": reply.booking_id,
        "collected_data": reply.collected_data, "available_slots": reply.available_slots,
        "processing_time_ms": reply.processing_time_ms,
    }


async def chat(deps: ChannelDeps, request: Request) -> JSONResponse:
    body = await read_json_object(request)
    message, session_id = body.get("message"), body.get("session_id")
    if not isinstance(message, str) or not 1 <= len(message.strip()) <= 2000 or len(message) > 2000:
        raise ApiError(400, "validation_error", "message must be a string of 1 to 2000 characters.",
                       extra={"field": "message"})
    if session_id is not None and (not isinstance(session_id, str) or len(session_id) > 100):
        raise ApiError(400, "validation_error", "session_id must be a string.", extra={"field": "session_id"})
    try:
        reply = await deps.engine.process(get_current_clinic().id, "web", message, session_id=session_id or None)
    except ClinicUnavailable:
        raise ApiError(403, "clinic_inactive", "This clinic's account is not active.") from None
    return JSONResponse(reply_json(reply))


def routes(deps: ChannelDeps) -> list[BaseRoute]:
    """Mounted under /api/v1 (API key, tenant and rate limit come first)."""
    return [Route("/chat", partial(chat, deps), methods=["POST"], middleware=[body_limit(MAX_BODY)])]

openapi.SCHEMAS["ChatRequest"] = {
    "type": "object", "required": ["message"], **openapi.OTHER_FIELDS,
    "properties": {"message": {"type": "string", "minLength": 1, "maxLength": 2000,
                               "pattern": "^[^\\x00]*[^\\x00\\s][^\\x00]*$"},
                   "session_id": {"type": ["string", "null"], "maxLength": 100, "pattern": "^[^\\x00]*$",
                                  "description": "From the previous response, for continuity"}}}
openapi.SCHEMAS["ChatResponse"] = {
    "type": "object",
    "required": ["message", "session_id", "state", "intent", "confidence", "processing_time_ms"],
    "properties": {
        "message": {"type": "string"}, "session_id": {"type": "string"},
        "state": {"type": "string", "enum": ["idle", "collect_provider", "collect_date", "collect_time",
                                             "collect_patient_info", "collect_reason", "searching", "showing_slots",
                                             "confirm_booking", "booked", "cancelled", "handed_off", "completed",
                                             "error"]},
        "intent": {"type": "string"}, "confidence": {"type": "number"},
        "booking_id": {"type": ["string", "null"]}, "collected_data": {"type": "object"},
        "available_slots": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/TimeSlot"}},
        "processing_time_ms": {"type": "number"}}}
openapi.SCHEMAS.setdefault("TimeSlot", {
    "type": "object", "properties": {"provider_id": {"type": "string"}, "provider_name": {"type": "string"},
                                     "start": {"type": "string", "format": "date-time"},
                                     "end": {"type": "string", "format": "date-time"}}})
openapi.register("/api/v1/chat", "post", {
    "summary": "Send a patient's message; get the receptionist's reply",
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ChatRequest"}}}},
    "responses": {"200": {"description": "The reply", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ChatResponse"}}}}, **openapi._errors(413, 415, 503)}})
