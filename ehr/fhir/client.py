"""A small FHIR R4 REST client: bearer auth, Bundle paging, ETags, OperationOutcome errors.

Retries with backoff on 429/5xx (honouring Retry-After) belong to the httpx transport the
composition root builds; what still fails here is an outage (`Unavailable`). A 401 means the
cached token went stale (expired early, revoked): it is dropped and the request sent once more.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence
from urllib.parse import urljoin

import httpx

from ehr.bearer import AuthRejected, JwtBearer
from ehr.errors import EHRError, NotFound, ScopeMissing, Unavailable
from ehr.origin import on_origin

log = logging.getLogger("ehr.fhir")

FHIR_JSON = "application/fhir+json"
MAX_PAGES = 50


class FhirError(EHRError):
    """A FHIR answer the adapter has to interpret (409, 412, 422, 400...): status, issue codes, text."""

    def __init__(self, status: int, outcome: "Outcome") -> None:
        super().__init__(f"FHIR server answered {status}: {outcome.text}")
        self.status = status
        self.outcome = outcome


@dataclass(frozen=True)
class Outcome:
    """The parts of an OperationOutcome an adapter decides on (never logged: diagnostics may hold PHI)."""
    codes: tuple[str, ...] = ()
    text: str = ""
    detail_codes: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, body: Any) -> "Outcome":
        if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
            return cls()
        codes, texts, details = [], [], []
        for issue in body.get("issue") or []:
            if not isinstance(issue, dict):
                continue
            codes.append(str(issue.get("code", "")))
            detail = issue.get("details") or {}
            for coding in detail.get("coding") or []:
                if isinstance(coding, dict) and coding.get("code"):
                    details.append(str(coding["code"]))
            text = detail.get("text") or issue.get("diagnostics")
            if text:
                texts.append(str(text))
        return cls(tuple(codes), "; ".join(texts)[:300], tuple(details))


@dataclass(frozen=True)
class Versioned:
    """A resource as read, with the ETag to send back as If-Match."""
    resource: dict[str, Any]
    etag: str | None


class FhirClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, bearer: JwtBearer) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.bearer = bearer

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url, path.lstrip("/"))

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | Sequence[tuple[str, str]] | None = None,
                      json: Any = None, headers: Mapping[str, str] | None = None,
                      content_type: str = FHIR_JSON) -> httpx.Response:
        """One call; 401 refreshes the token once; network errors, timeouts, 429 and 5xx are Unavailable."""
        for attempt in (1, 2):
            token = await self.bearer.token()
            sent = {"Authorization": f"Bearer {token}", "Accept": FHIR_JSON, **(headers or {})}
            if json is not None:
                sent["Content-Type"] = content_type
            try:
                response = await self.http.request(method, self.url(path), params=params, json=json, headers=sent)
            except httpx.TimeoutException as exc:
                raise Unavailable("the EHR did not answer in time") from exc
            except httpx.HTTPError as exc:
                raise Unavailable("the EHR cannot be reached") from exc
            if response.status_code == 401 and attempt == 1:
                self.bearer.invalidate(token)
                continue
            if response.status_code == 401:
                raise AuthRejected("the EHR refused our access token", reason=f"401 on {method}")
            if response.status_code == 403:
                raise ScopeMissing(f"the EHR refused {method} {path.split('?')[0]}: a scope is missing")
            if response.status_code == 429 or response.status_code >= 500:
                log.warning("EHR unavailable", extra={"event": "ehr_unavailable", "status": response.status_code})
                raise Unavailable(f"the EHR answered {response.status_code}")
            return response
        raise AssertionError("unreachable")

    async def read(self, resource_type: str, resource_id: str) -> Versioned:
        response = await self.request("GET", f"{resource_type}/{resource_id}")
        if response.status_code in (404, 410):
            raise NotFound(f"no such {resource_type.lower()}")
        body = ok_json(response)
        return Versioned(body, response.headers.get("ETag") or _meta_etag(body))

    async def search(self, resource_type: str, params: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Every matching resource of `resource_type`, following `link[relation=next]`."""
        out: list[dict[str, Any]] = []
        response = await self.request("GET", resource_type, params=list(params))
        for _ in range(MAX_PAGES):
            bundle = ok_json(response)
            for entry in bundle.get("entry") or []:
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(resource, dict) and resource.get("resourceType") == resource_type:
                    out.append(resource)
            next_url = next((link.get("url") for link in bundle.get("link") or []
                             if isinstance(link, dict) and link.get("relation") == "next"), None)
            if not next_url:
                return out
            if not on_origin(self.url(next_url), self.base_url):
                raise Unavailable("the FHIR server's next page is on another address; not sent the token")
            response = await self.request("GET", next_url)
        log.warning("FHIR search stopped after too many pages", extra={"event": "ehr_paging_cap"})
        return out


def ok_json(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a 2xx answer; any other status is a FhirError carrying its OperationOutcome."""
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    if response.status_code >= 300:
        raise FhirError(response.status_code, Outcome.of(body))
    if not isinstance(body, dict):
        raise Unavailable("the EHR answered with something that is not a FHIR resource")
    return body


def _meta_etag(resource: dict[str, Any]) -> str | None:
    version = (resource.get("meta") or {}).get("versionId")
    return f'W/"{version}"' if version else None
