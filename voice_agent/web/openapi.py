"""The OpenAPI 3.1 description of every public route, written out by hand so it stays exact."""
from __future__ import annotations

from typing import Any

from voice_agent.web.settings import Settings

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Bad request", 401: "Missing API key", 403: "Invalid key, inactive clinic or tenant mismatch",
            404: "Not found (including another clinic's ids)", 409: "Conflict", 413: "Body too large",
            415: "Body is not application/json", 422: "Validation error",
            429: "Rate limit exceeded", 503: "Dependency unavailable"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


API_ERRORS = (400, 401, 403, 429)
TENANT_HEADERS = [
    {"name": "X-API-Key", "in": "header", "required": True, "schema": {"type": "string"}},
    {"name": "X-Tenant-ID", "in": "header", "required": True, "schema": {"type": "string", "format": "uuid"}},
    {"name": "X-Request-ID", "in": "header", "required": False, "schema": {"type": "string"}},
]

# Other modules add their paths and schemas here at import time (see `register`).
PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "request_id"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "request_id": {"type": ["string", "null"]}}}}},
    "Clinic": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "slug": {"type": "string"},
        "timezone": {"type": "string"}, "status": {"type": "string", "enum": ["ACTIVE", "SUSPENDED", "INACTIVE"]},
        "email": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]},
        "address": {"type": ["string", "null"]}, "business_hours": {"type": "object"},
        "rate_limit_tier": {"type": "string"}, "rate_limit_rpm": {"type": "integer"},
        "ehr_provider": {"type": ["string", "null"]}, "settings": {"type": "object"},
        "default_reminder_hours": {"type": "integer", "minimum": 0, "maximum": 168}}},
    # Any JSON the safe parser takes: it refuses a NUL anywhere, in a key or a string. Request bodies
    # use it for the fields they do not name, so unknown fields are described as they are treated.
    "JsonWithoutNul": {"anyOf": [
        {"type": ["null", "boolean", "number"]}, {"type": "string", "pattern": "^[^\\x00]*$"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonWithoutNul"}},
        {"type": "object", "propertyNames": {"pattern": "^[^\\x00]*$"},
         "additionalProperties": {"$ref": "#/components/schemas/JsonWithoutNul"}}]},
    "Health": {"type": "object", "properties": {"status": {"type": "string"}, "checks": {"type": "object"}}},
}


OTHER_FIELDS = {"propertyNames": {"pattern": "^[^\\x00]*$"},
                "additionalProperties": {"$ref": "#/components/schemas/JsonWithoutNul"}}


def register(path: str, method: str, operation: dict[str, Any], *, authenticated: bool = True) -> None:
    op = dict(operation)
    if authenticated:
        op["parameters"] = TENANT_HEADERS + list(op.get("parameters", []))
        op.setdefault("responses", {}).update(_errors(*API_ERRORS))
        op["security"] = [{"ApiKey": [], "TenantId": []}]
    PATHS.setdefault(path, {})[method.lower()] = op


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


register("/health", "get", {"summary": "Basic health", "responses": {"200": _json(SCHEMAS["Health"])}},
         authenticated=False)
register("/health/live", "get", {"summary": "Liveness", "responses": {"200": _json(SCHEMAS["Health"])}},
         authenticated=False)
register("/health/ready", "get", {"summary": "Readiness: PostgreSQL and Redis",
                                  "responses": {"200": _json(SCHEMAS["Health"]), **_errors(503)}},
         authenticated=False)
register("/health/detailed", "get", {"summary": "Versions, pool stats, migration version (admin token)",
                                     "security": [{"AdminToken": []}],
                                     "responses": {"200": _json({"type": "object"}), **_errors(401, 403)}},
         authenticated=False)
register("/metrics", "get", {"summary": "Prometheus metrics",
                             "responses": {"200": {"description": "text/plain exposition"}}}, authenticated=False)
register("/api/v1/clinic", "get", {"summary": "The caller's own clinic profile",
                                   "responses": {"200": _json({"$ref": "#/components/schemas/Clinic"})}})


def build_spec(settings: Settings) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Clinic receptionist API", "version": "1.0.0",
                 "description": "Scheduling, chat and telephony webhooks for the AI receptionist."},
        "servers": [{"url": settings.public_base_url}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "TenantId": {"type": "apiKey", "in": "header", "name": "X-Tenant-ID"},
                "AdminToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }
