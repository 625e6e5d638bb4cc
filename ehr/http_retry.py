"""Retries for EHR HTTP calls, at the transport: every adapter takes an `httpx.AsyncClient`, and one
built on `RetryingTransport` retries without the adapter knowing.

- Each attempt has a deadline (`attempt_timeout`); past it the attempt is an `httpx.ReadTimeout`.
- Retried: 429, 502, 503, 504 and connection failures (`httpx.ConnectError`, `ConnectTimeout`: the
  request never reached the server, so even a POST is safe to send again).
- Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are retried after a response or a read
  timeout, unless the request carries `IDEMPOTENCY_HEADER`: an adapter that makes a POST or PATCH
  safe to repeat (a caller-chosen id, a conditional update) says so with it.
- The wait is exponential backoff with full jitter (uniform in [0, min(max_delay, base·2^n)]);
  a `Retry-After` header (seconds or an HTTP date) replaces it. A Retry-After longer than
  `max_retry_after` is not waited for: the response is returned (the adapter reports Unavailable)
  rather than holding a caller on the line.
- The whole call, waits included, stays within `budget` seconds.
Sleep, randomness and clocks are injected so tests never sleep.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Awaitable, Callable

import httpx

IDEMPOTENCY_HEADER = "X-Receptionist-Idempotent"     # "1": this request may be sent again safely
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3                 # tries in all
    base_delay: float = 0.25          # seconds
    max_delay: float = 2.0            # cap of one backoff wait
    max_retry_after: float = 5.0      # the longest Retry-After honoured; longer gives up
    attempt_timeout: float = 4.0      # seconds for one attempt
    budget: float = 7.0               # seconds for the whole call, waits included


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def may_retry(request: httpx.Request) -> bool:
    return request.method.upper() in IDEMPOTENT_METHODS or request.headers.get(IDEMPOTENCY_HEADER) == "1"


class RetryingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport | None = None, policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rand: Callable[[], float] = random.random,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.policy = policy or RetryPolicy()
        self._sleep, self._rand, self._mono, self._wall = sleep, rand, monotonic, wall

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _backoff(self, attempt: int) -> float:
        cap = min(self.policy.max_delay, self.policy.base_delay * (2 ** (attempt - 1)))
        return self._rand() * cap

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = self._mono()
        retryable = may_retry(request)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.policy.attempts
            try:
                async with asyncio.timeout(self.policy.attempt_timeout):
                    response = await self.inner.handle_async_request(request)
                    if response.status_code in RETRY_STATUSES and retryable and not last:
                        await response.aread()
            except TimeoutError:
                failure: Exception = httpx.ReadTimeout("the EHR did not answer in time", request=request)
                if not retryable or last:
                    raise failure from None
                delay = self._backoff(attempt)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    raise
                failure, delay = exc, self._backoff(attempt)
            except httpx.TimeoutException as exc:
                if not retryable or last:
                    raise
                failure, delay = exc, self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES or not retryable or last:
                    return response
                asked = retry_after_seconds(response.headers.get("Retry-After"), self._wall())
                if asked is not None and asked > self.policy.max_retry_after:
                    return response          # not waiting that long: the caller hears "unavailable"
                delay = asked if asked is not None else self._backoff(attempt)
                if self._mono() - started + delay > self.policy.budget:
                    return response
                await response.aclose()
                await self._sleep(delay)
                continue
            if self._mono() - started + delay > self.policy.budget:
                raise failure
            await self._sleep(delay)


def retrying_client(*, base_url: str = "", policy: RetryPolicy | None = None,
                    inner: httpx.AsyncBaseTransport | None = None, **kwargs) -> httpx.AsyncClient:
    """An httpx client for an EHR adapter, retrying as above. It keeps no cookies: one client serves
    every clinic, and a vendor's session cookie set on one clinic's call would otherwise ride along
    with the next clinic's (adapters authenticate with their own headers, never cookies)."""
    policy = policy or RetryPolicy()
    return httpx.AsyncClient(base_url=base_url, transport=RetryingTransport(inner, policy),
                             timeout=httpx.Timeout(policy.attempt_timeout), cookies=_no_cookies(), **kwargs)


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that accepts none (no domain is allowed)."""
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
