"""The turn lock across processes (Redis, and PostgreSQL when Redis is down) and the session's
compare-and-set: two holders never overlap, a lost lock never frees its successor's, a waiter
gives up within its bound, and two writers of one session both keep their turn."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from dialogue.ports import StaleSession
from dialogue.session import ConversationTurn, SessionData
from storage.crypto import FieldCipher
from storage.redis_client import open_redis
from storage.sessions import SessionRepository
from storage.turn_lease import TurnBusy
from storage.turn_lock import TurnLocks
from voice_agent.session_store import EncryptedSessionStore

DEAD_REDIS = "redis://127.0.0.1:1/0"      # nothing listens there


def locks(redis, pool, **kw) -> TurnLocks:
    return TurnLocks.build(redis, pool.conninfo, "test-secret-key-for-the-suite-0123456789", **kw)


async def overlap(locks_a: TurnLocks, locks_b: TurnLocks, key: str, rounds: int = 10) -> int:
    """Two "processes" each run `rounds` turns of one conversation; how often two ran at once."""
    inside, worst = 0, 0

    async def turns(lock: TurnLocks) -> None:
        nonlocal inside, worst
        for _ in range(rounds):
            async with lock.hold(key):
                inside += 1
                worst = max(worst, inside)
                await asyncio.sleep(0.01)
                inside -= 1

    await asyncio.gather(turns(locks_a), turns(locks_b))
    return worst


@pytest.fixture
async def dead_redis():
    client = open_redis(DEAD_REDIS)
    yield client
    await client.aclose()


async def test_redis_lock_keeps_two_processes_apart_and_fences_grow(redis, pool):
    key = f"clinic\x1fweb\x1f{uuid.uuid4()}\x1f"
    a, b = locks(redis, pool), locks(redis, pool)        # separate objects, as in two processes
    assert await overlap(a, b, key) == 1
    fences = []
    for lock in (a, b, a):
        async with lock.hold(key) as lease:
            fences.append(lease.fence)
            assert lease.backend == "redis"
    assert fences == sorted(fences) and len(set(fences)) == 3


async def test_postgres_lock_keeps_them_apart_when_redis_is_down(dead_redis, pool):
    key = f"clinic\x1fsms\x1f\x1f+1312555{uuid.uuid4().int % 10000:04d}"
    a, b = locks(dead_redis, pool), locks(dead_redis, pool)
    assert await overlap(a, b, key, rounds=5) == 1
    async with a.hold(key) as lease:
        assert lease.backend == "postgres"


@pytest.mark.parametrize("backend", ["redis", "postgres"])
async def test_a_waiter_gives_up_within_its_bound(backend, redis, dead_redis, pool):
    client = redis if backend == "redis" else dead_redis
    key = f"k-{uuid.uuid4()}"
    holder, waiter = locks(client, pool), locks(client, pool, wait_seconds=0.3)
    async with holder.hold(key):
        started = asyncio.get_running_loop().time()
        with pytest.raises(TurnBusy):
            async with waiter.hold(key):
                pass
        assert 0.2 < asyncio.get_running_loop().time() - started < 2.0
    async with waiter.hold(key):          # free again once the holder is done
        pass


async def test_a_long_turn_keeps_its_lock_and_an_expired_holder_frees_nothing(redis, pool):
    key = f"k-{uuid.uuid4()}"
    short = locks(redis, pool, ttl_seconds=0.3, wait_seconds=0.2)
    async with short.hold(key):
        await asyncio.sleep(0.8)                      # past the ttl: renewed meanwhile
        with pytest.raises(TurnBusy):
            async with short.hold(key):
                pass
    # A holder whose lock expired (it stalled, renewal could not run) must not free the next one's.
    lease = await short.redis.acquire(short.ref(key).hex()[:32])
    lease.renewal.cancel()
    await asyncio.sleep(0.4)
    async with short.hold(key) as successor:
        await short.redis.release(lease)              # the stale holder finally lets go
        with pytest.raises(TurnBusy):
            async with short.hold(key):
                pass
        assert successor.fence > lease.fence


async def test_two_writers_of_one_session_never_overwrite_each_other(make_clinic, pool, redis, settings):
    clinic = await make_clinic()
    store = EncryptedSessionStore(SessionRepository(pool, redis), FieldCipher(settings.secret_key))
    session = SessionData.new(clinic.id, "web", None, 1800)
    await store.save(session)
    first, second = await store.load(clinic.id, session.session_id), await store.load(clinic.id, session.session_id)
    first.add_turn(ConversationTurn("patient", "one", "2027-03-05T15:00:00+00:00"))
    second.add_turn(ConversationTurn("patient", "two", "2027-03-05T15:00:00+00:00"))
    await store.save(first)
    with pytest.raises(StaleSession):
        await store.save(second)
    kept = await store.load(clinic.id, session.session_id)
    assert [t.text for t in kept.message_history] == ["one"] and kept.version == first.version
    again = SessionData.new(clinic.id, "web", None, 1800, session_id=session.session_id)
    with pytest.raises(StaleSession):                  # a second "new" session with the same id
        await store.save(again)
