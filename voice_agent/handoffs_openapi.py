"""The handoff queue's OpenAPI description (`GET /openapi.json`); handlers in `handoffs_api.py`."""
from __future__ import annotations

from typing import Any

from storage.handoffs import CHANNELS, STATUSES
from voice_agent.handoffs_api import MAX_NOTE
from voice_agent.web import openapi

_ISO_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
openapi.SCHEMAS.setdefault("Handoff", {
    "type": "object", "required": ["id", "channel", "status", "reason", "summary", "created_at"],
    "description": "A conversation handed to the front desk. The transcript is redacted; the callback number "
                   "is masked (last four digits).",
    "properties": {
        "id": {"type": "string", "format": "uuid"}, "channel": {"type": "string", "enum": list(CHANNELS)},
        "status": {"type": "string", "enum": list(STATUSES)}, "reason": {"type": "string"},
        "summary": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "transcript": {"type": "array", "items": {"type": "object", "properties": {
            "role": {"type": "string"}, "text": {"type": "string"}}}},
        "conversation_id": {"type": "string"},
        "patient_id": {"type": ["string", "null"], "format": "uuid"}, "patient_name": {"type": ["string", "null"]},
        "callback_number": {"type": ["string", "null"]}, "claimed_by": {"type": ["string", "null"]},
        "claimed_at": _ISO_OR_NULL, "closed_at": _ISO_OR_NULL, "close_note": {"type": ["string", "null"]}}})


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


_ID = {"name": "handoff_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_HANDOFF = {"$ref": "#/components/schemas/Handoff"}

openapi.register("/api/v1/handoffs", "get", {
    "summary": "The clinic's handoffs, newest first (at most 100)", "tags": ["front desk"],
    "parameters": [{"name": "status", "in": "query", "required": False, "description": "Only this status",
                    "schema": {"type": "string", "enum": list(STATUSES)}}],
    "responses": {"200": _ok({"type": "object", "required": ["handoffs"], "properties": {
        "handoffs": {"type": "array", "items": _HANDOFF}}}), **openapi._errors(503)}})
openapi.register("/api/v1/handoffs/{handoff_id}/claim", "post", {
    "summary": "Take a handoff (open, missed or connected)", "tags": ["front desk"], "parameters": [_ID],
    "responses": {"200": _ok(_HANDOFF), **openapi._errors(404, 409, 503)}})
openapi.register("/api/v1/handoffs/{handoff_id}/close", "post", {
    "summary": "Close a handoff, with an optional note", "tags": ["front desk"], "parameters": [_ID],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {
        "type": "object", **openapi.OTHER_FIELDS,
        "properties": {"note": {"type": "string", "pattern": "^[^\\x00]*$", "maxLength": MAX_NOTE}}}}}},
    "responses": {"200": _ok(_HANDOFF), **openapi._errors(404, 409, 413, 503)}})
