"""The resource a FHIR create answered with: its body (Prefer: return=representation) or, when the
server sends only `Location`, a read of that location."""
from __future__ import annotations

from typing import Any

import httpx

from ehr.errors import Unavailable
from ehr.fhir.client import FhirClient, ok_json


async def created_resource(client: FhirClient, response: httpx.Response, resource_type: str) -> dict[str, Any]:
    body = ok_json(response)
    if body.get("resourceType") == resource_type and body.get("id"):
        return body
    location = response.headers.get("Location") or response.headers.get("Content-Location") or ""
    parts = location.rstrip("/").split("/")
    if resource_type not in parts or parts.index(resource_type) + 1 >= len(parts):
        raise Unavailable(f"the EHR created a {resource_type} but did not say where")
    return (await client.read(resource_type, parts[parts.index(resource_type) + 1])).resource
