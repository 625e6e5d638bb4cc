"""The Redis client (redis-py asyncio).

Timeouts are short on purpose: Redis is a cache and a limiter here, and a Redis outage must
degrade the service (fail open, fall back to PostgreSQL), never hang a request.
"""
from __future__ import annotations

import redis.asyncio as aioredis


def open_redis(redis_url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        redis_url,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        health_check_interval=30,
        retry_on_timeout=False,
    )
