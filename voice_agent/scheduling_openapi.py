"""The scheduling API's OpenAPI description (`GET /openapi.json`): its schemas and paths.

Registered when `app.py` imports this module; the handlers are in `scheduling_api.py`.
"""
from __future__ import annotations

from typing import Any

from ehr.types import PART_OF_DAY_BOUNDS
from voice_agent.web import openapi
from voice_agent.scheduling_api import DEFAULT_SLOT_LIMIT, MAX_SLOT_LIMIT

_ISO = {"type": "string", "format": "date-time"}
openapi.SCHEMAS.setdefault("Provider", {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
    "title": {"type": ["string", "null"]}, "specialty": {"type": ["string", "null"]}, "name": {"type": "string"},
    "default_appointment_duration": {"type": "integer"}, "accepting_new_patients": {"type": "boolean"}}})
openapi.SCHEMAS.setdefault("TimeSlot", {
    "type": "object", "required": ["provider_id", "provider_name", "start", "end"],
    "description": "start/end are ISO 8601 with the clinic's UTC offset.",
    "properties": {"provider_id": {"type": "string", "format": "uuid"}, "provider_name": {"type": "string"},
                   "start": _ISO, "end": _ISO}})
openapi.SCHEMAS.setdefault("Appointment", {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "provider_id": {"type": "string", "format": "uuid"},
    "provider_name": {"type": "string"}, "patient_id": {"type": "string", "format": "uuid"},
    "start": _ISO, "end": _ISO,
    "status": {"type": "string", "enum": ["scheduled", "confirmed", "checked_in", "completed", "cancelled",
                                          "no_show"]},
    "reason": {"type": ["string", "null"]}, "booked_via": {"type": "string"},
    "is_new_patient_visit": {"type": "boolean"},
    "rescheduled_from_id": {"type": ["string", "null"], "format": "uuid"},
    "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
    "cancellation_reason": {"type": ["string", "null"]}, "cancelled_by": {"type": ["string", "null"]}}})
openapi.SCHEMAS.setdefault("SlotTakenError", {"allOf": [{"$ref": "#/components/schemas/Error"}, {
    "type": "object", "properties": {"error": {"type": "object", "properties": {
        "next_slots": {"type": "array", "items": {"$ref": "#/components/schemas/TimeSlot"}}}}}}]})
# The JSON parser refuses a NUL in any string; a required name must hold more than spaces.
_NO_NUL_BODY = {"type": "string", "pattern": "^[^\\x00]*$"}
_NAME = {"type": "string", "pattern": "^[^\\x00]*[^\\x00\\s][^\\x00]*$"}
openapi.SCHEMAS.setdefault("BookingRequest", {
    "type": "object", "required": ["provider_id", "start", "patient"], **openapi.OTHER_FIELDS,
    "properties": {
        "provider_id": {"type": "string", "format": "uuid"},
        "start": {"type": "string", "format": "date-time", "description": "Must carry a UTC offset."},
        "reason": {**_NO_NUL_BODY, "maxLength": 1000},
        "patient": {"type": "object", "required": ["first_name", "last_name", "date_of_birth"], **openapi.OTHER_FIELDS,
                    "properties": {
            "first_name": {**_NAME, "maxLength": 100}, "last_name": {**_NAME, "maxLength": 100},
            "date_of_birth": {"type": "string", "format": "date",
                              "description": "422 when in the future or before 1880"},
            "phone": {**_NO_NUL_BODY, "maxLength": 50, "description": "422 when not a phone number"},
            "email": {**_NO_NUL_BODY, "maxLength": 255}}}}})


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Any URL with a NUL in it is refused (voice_agent/web/url_guard.py), so no string parameter may hold one.
_NO_NUL = {"type": "string", "pattern": "^[^\\x00]*$"}


def _q(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or _NO_NUL}


_ID = {"name": "appointment_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "description": "A retry with the same key returns the first appointment.",
                "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"}}
_DAY_OR_TIME = {"anyOf": [{"type": "string", "maxLength": 0}, {"type": "string", "format": "date"},
                          {"type": "string", "format": "date-time"}]}
_RANGE = [_q("from", "YYYY-MM-DD (clinic-local) or ISO 8601 date-time; default now (slots) or today "
                     "(appointments)", _DAY_OR_TIME),
          _q("to", "YYYY-MM-DD (inclusive, clinic-local) or ISO 8601 date-time; default from + 14 days; "
                   "422 when not after `from` or more than the longest range away", _DAY_OR_TIME)]
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_CONFLICT = {"description": "The slot is taken (next_slots lists the next free ones), or the idempotency key "
                            "was used for a different request",
             "content": {"application/json": {"schema": _ref("SlotTakenError")}}}

openapi.register("/api/v1/providers", "get", {
    "summary": "The clinic's bookable providers", "tags": ["scheduling"],
    "responses": {"200": _ok({"type": "object", "properties": {
        "providers": {"type": "array", "items": _ref("Provider")}}}), **openapi._errors(503)}})
openapi.register("/api/v1/slots", "get", {
    "summary": "Free appointment slots, soonest first", "tags": ["scheduling"],
    "parameters": [_q("provider_id", "One provider (404 when not this clinic's)", {"type": "string", "format": "uuid"}),
                   _q("specialty", "Case-insensitive specialty", {**_NO_NUL, "maxLength": 100}), *_RANGE,
                   _q("part_of_day", "morning (<12:00), afternoon (<17:00) or evening",
                      {"type": "string", "enum": list(PART_OF_DAY_BOUNDS)}),
                   _q("weekdays", "Comma-separated: mon,tue,...",
                      {"type": "string", "pattern": f"^({_DAY}(,{_DAY})*)?$"}),
                   _q("limit", f"1..{MAX_SLOT_LIMIT}, default {DEFAULT_SLOT_LIMIT}", {"type": "integer", "minimum": 1, "maximum": MAX_SLOT_LIMIT}),
                   _q("spread", "true: at most 2 per day first, so options cover several days",
                      {"type": "boolean"})],
    "responses": {"200": _ok({"type": "object", "properties": {
        "slots": {"type": "array", "items": _ref("TimeSlot")}}}), **openapi._errors(404, 422, 503)}})
openapi.register("/api/v1/appointments", "get", {
    "summary": "Appointments starting in a range (any status)", "tags": ["scheduling"],
    "parameters": [*_RANGE, _q("provider_id", "One provider", {"type": "string", "format": "uuid"})],
    "responses": {"200": _ok({"type": "object", "properties": {
        "appointments": {"type": "array", "items": _ref("Appointment")}}}), **openapi._errors(404, 422, 503)}})
openapi.register("/api/v1/appointments", "post", {
    "summary": "Book a slot; the patient is matched (last name + date of birth, confirmed by first name or phone) "
               "or created", "tags": ["scheduling"],
    "parameters": [_IDEMPOTENCY],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("BookingRequest")}}},
    "responses": {"201": _ok(_ref("Appointment"), "Booked"), **openapi._errors(404, 422, 503),
                  "409": _CONFLICT}})
openapi.register("/api/v1/appointments/{appointment_id}", "get", {
    "summary": "One appointment", "tags": ["scheduling"], "parameters": [_ID],
    "responses": {"200": _ok(_ref("Appointment")), **openapi._errors(404, 503)}})
openapi.register("/api/v1/appointments/{appointment_id}/cancel", "post", {
    "summary": "Cancel an appointment (not one already cancelled or started)", "tags": ["scheduling"],
    "parameters": [_ID],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {
        "type": "object", **openapi.OTHER_FIELDS,
        "properties": {"reason": {**_NO_NUL_BODY, "maxLength": 1000}}}}}},
    "responses": {"200": _ok(_ref("Appointment"), "Cancelled"), **openapi._errors(404, 422, 503)}})
openapi.register("/api/v1/appointments/{appointment_id}/reschedule", "post", {
    "summary": "Move an appointment: the new one is booked and the old one cancelled in one transaction",
    "tags": ["scheduling"], "parameters": [_ID, _IDEMPOTENCY],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["start"], **openapi.OTHER_FIELDS, "properties": {
            "start": {"type": "string", "format": "date-time"},
            "provider_id": {"type": "string", "format": "uuid"}}}}}},
    "responses": {"201": _ok(_ref("Appointment"), "The new appointment"), **openapi._errors(404, 422, 503),
                  "409": _CONFLICT}})
