"""The Redis client (redis-py asyncio).

Timeouts are short on purpose: Redis is a cache and a limiter here, and a Redis outage must
degrade the service (fail open, fall back to PostgreSQL), never hang a request. A timeout is not
retried (a hung Redis would cost each call several timeouts); a dropped connection is retried once
(a restarted Redis leaves dead pooled connections behind).
"""
from __future__ import annotations

import time
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

COOLDOWN_SECONDS = 5.0


class FailFastRedis(aioredis.Redis):
    """After Redis fails to answer, every caller falls back at once for a few seconds instead of
    each waiting out its own timeout: a hung Redis costs a turn one timeout, not one per call."""

    _down_until = 0.0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if time.monotonic() < self._down_until:
            raise RedisConnectionError("Redis did not answer a moment ago; not asking again yet")
        try:
            return await super().execute_command(*args, **options)
        except (RedisConnectionError, RedisTimeoutError):
            self._down_until = time.monotonic() + COOLDOWN_SECONDS
            raise


def open_redis(redis_url: str) -> aioredis.Redis:
    return FailFastRedis.from_url(
        redis_url,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    )
