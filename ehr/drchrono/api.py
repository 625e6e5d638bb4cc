"""DrChrono REST v4 over HTTP: bearer auth (one refresh and retry on a 401), `data`/`next`
pagination, and the vendor's answers turned into the seam's typed errors.

404 → NotFound (DrChrono answers 404 for an object outside the practice, too); 409 → SlotTaken
("Scheduled time overlaps with an existing appointment"); 400 → NotAllowed; 403 → ScopeMissing;
a 401 after a refresh → AuthFailed; 429 and 5xx that the retrying transport could not cure →
Unavailable. Bodies are never logged (they hold PHI).
"""
from __future__ import annotations

import logging
from typing import Any, AsyncIterator
from urllib.parse import quote, urljoin

import httpx

from ehr.drchrono.auth import TokenManager
from ehr.errors import AuthFailed, NotAllowed, NotFound, ScopeMissing, SlotTaken, Unavailable
from ehr.http_retry import IDEMPOTENCY_HEADER
from ehr.origin import on_origin

log = logging.getLogger("ehr.drchrono")
MAX_PAGES = 50


class DrChronoApi:
    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: TokenManager) -> None:
        self.http, self.base_url, self.tokens = http, base_url.rstrip("/") + "/", tokens

    def url(self, path: str, *ids: Any) -> str:
        return urljoin(self.base_url, path.format(*(quote(str(i), safe="") for i in ids)).lstrip("/"))

    async def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                      json: Any = None, retry_safe: bool = False) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if retry_safe:
            headers[IDEMPOTENCY_HEADER] = "1"
        token = await self.tokens.access_token()
        response = await self.http.request(method, url, params=params, json=json,
                                           headers={**headers, "Authorization": f"Bearer {token}"})
        if response.status_code == 401:       # expired or revoked: refresh once and try again
            token = await self.tokens.refresh(token)
            response = await self.http.request(method, url, params=params, json=json,
                                               headers={**headers, "Authorization": f"Bearer {token}"})
            if response.status_code == 401:
                raise AuthFailed("DrChrono refused the access token after a refresh")
        self.raise_for(response)
        return response

    @staticmethod
    def raise_for(response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        log.info("DrChrono answered an error", extra={"event": "ehr_http_error", "ehr": "drchrono", "status": status,
                                                      "path": response.request.url.path})
        if status == 404:
            raise NotFound("not found in this practice")
        if status == 409:
            raise SlotTaken("that time overlaps an existing appointment")
        if status == 403:
            raise ScopeMissing("DrChrono denied the permission this needs (check the app's scopes)")
        if status == 429:
            raise Unavailable("DrChrono's rate limit is exhausted")
        if status >= 500:
            raise Unavailable(f"DrChrono answered {status}")
        raise NotAllowed(f"DrChrono refused the request ({status})")

    async def get(self, path: str, *ids: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return (await self.request("GET", self.url(path, *ids), params=params)).json()

    async def pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Every item of a listing, following `next` (an absolute URL carrying the cursor)."""
        url: str | None = self.url(path)
        query: dict[str, Any] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                return
            body = (await self.request("GET", url, params=query)).json()
            for item in body.get("data") or body.get("results") or []:
                yield item
            url, query = body.get("next"), None
            if url is not None and not on_origin(url, self.base_url):
                raise Unavailable("DrChrono's next page is on another address; not sent the token")
        raise Unavailable("DrChrono returned more pages than expected")

    async def all(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [item async for item in self.pages(path, params)]
