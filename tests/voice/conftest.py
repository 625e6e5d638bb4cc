"""Voice fixtures: the real app served by uvicorn on 127.0.0.1 (a free port, in the test's event
loop so it shares the PostgreSQL pool and Redis client), a fresh demo clinic with its own phone
number, the engine and calendar on a fixed clock, and a caller simulator factory."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import socket
from datetime import datetime
from typing import Any

import pytest
import uvicorn

from channels.voice.call import VoiceConfig
from channels.voice.kit import VoiceKit
from channels.voice.simulator import AgentTurn, SimulatedCaller
from ehr.builtin.calendar import BuiltinCalendar
from voice_agent.app import create_app
from voice_agent.services import Services

TWILIO_TOKEN = "test-twilio-auth-token-0123456789"
PUBLIC = "https://receptionist.test"
# Friday 2027-03-05 09:00 in Chicago: "next Tuesday" is 2027-03-09; the clinic is open.
NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


async def until(predicate, timeout: float = 10.0) -> None:
    """Wait (wall clock) until `predicate()` holds; fail the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "timed out waiting"
        await asyncio.sleep(0.01)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):          # the test runner owns the signals
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def unused_phone(pool) -> str:
    """A clinic number no live clinic has: a run creates dozens of clinics, and a bare random pick
    of 10,000 numbers collided now and then (the clinics' phone index is unique). 0000-0999 and
    9000-9999 stay free for the fixed numbers tests dial on purpose ("an unknown number", ...)."""
    async with pool.connection() as conn:
        for _ in range(50):
            # 5000-8999: tests/phones.py counts up from 1000 without looking, so a number picked here
            # from its range was later given to another test's clinic ("another clinic already uses this number")
            phone = "+1312555" + f"{random.randint(5000, 8999):04d}"
            cur = await conn.execute("SELECT 1 FROM clinics WHERE phone = %s AND NOT is_deleted", (phone,))
            if await cur.fetchone() is None:
                return phone
    raise RuntimeError("no free test phone number: clear old test clinics")


class RigCaller(SimulatedCaller):
    """The simulator, with the server in view. At 16x playback the simulator ends the agent's turn
    after 0.15 s without audio; a busy machine can take longer than that to synthesise a reply's
    next sentence, which split one reply into two turns (and the test then talked over the rest).
    Here a turn ends only when the reply whose audio it holds has finished on the server too."""

    def __init__(self, rig: "VoiceRig", *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._rig = rig

    def _reply_in_progress(self):
        call = self._rig.live(self.call_sid)
        pb = call.current if call is not None else None
        return pb if pb is not None and not pb.finished and pb.audio_seconds > 0 else None

    async def wait_for_agent(self, timeout: float = 30.0, quiet: float = 0.8) -> AgentTurn | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        turn = await super().wait_for_agent(timeout, quiet)
        while turn is not None and not turn.cleared and (pb := self._reply_in_progress()) is not None:
            done = asyncio.ensure_future(pb.done.wait())
            closed = asyncio.ensure_future(self._closed.wait())
            await asyncio.wait({done, closed}, timeout=max(0.1, deadline - loop.time()),
                               return_when=asyncio.FIRST_COMPLETED)
            done.cancel(), closed.cancel()
            if not pb.done.is_set() or self._turn_start is None:
                return turn
            rest = await super().wait_for_agent(max(0.1, deadline - loop.time()), quiet)
            if rest is None:
                return turn
            turn = AgentTurn(turn.audio + rest.audio, turn.started, rest.ended, turn.latency, rest.cleared)
            self.result.turns[-2:] = [turn]
        return turn


class VoiceRig:
    def __init__(self, services: Services, clinic, url: str, phone: str, ended: list) -> None:
        self.services, self.clinic, self.url, self.phone = services, clinic, url, phone
        self.ended = ended          # the calls that ended on this rig's server, oldest first

    def caller(self, **kw: Any) -> RigCaller:
        kw.setdefault("speed", self.services.voice.config.playback_rate)
        return RigCaller(self, self.url, auth_token=TWILIO_TOKEN, public_url=PUBLIC, clinic_phone=self.phone, **kw)

    async def connected_caller(self, **kw: Any) -> RigCaller:
        """A caller who has dialled (signed webhook) and opened the media socket."""
        caller = self.caller(**kw)
        await caller.dial()
        await caller.connect()
        return caller

    @property
    def engine(self):
        return self.services.engine

    def finished(self, call_sid: str):
        return next((s for s in reversed(self.ended)
                     if s.call_sid == call_sid), None)

    async def last_ended(self, timeout: float = 15.0):
        """The call that ended last, once its end has been recorded: the caller's side can hang up
        before the server has finished closing the call (on a loaded machine, a second or more)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.ended and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert self.ended, "no call ended on the server"
        return self.ended[-1]

    def live(self, call_sid: str):
        return self.services.voice.calls.get(call_sid)

    async def appointments(self) -> list[dict]:
        async with self.services.pool.connection() as conn:
            cur = await conn.execute(
                """SELECT a.status::text AS status, a.scheduled_start, a.reason, a.booked_via, p.last_name AS provider,
                          pt.first_name, pt.last_name, pt.date_of_birth, pt.phone
                   FROM appointments a JOIN providers p ON p.id = a.provider_id
                   JOIN patients pt ON pt.id = a.patient_id
                   WHERE a.clinic_id = %s AND a.booked_via <> 'import' ORDER BY a.created_at""", (self.clinic.id,))
            return await cur.fetchall()

    async def session(self, call_sid: str):
        return await self.engine.sessions.find_active(self.clinic.id, "voice", call_sid)


@pytest.fixture(scope="session")
def decoder_pool():
    """The embedded recogniser's worker processes, shared by every call of the run (as a server's are)."""
    from channels.voice.speech.decoder_pool import DecoderPool
    pool = DecoderPool(2)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="session")
def shared_whisper():
    """The process's one Whisper model (EMBEDDED_STT=combined, the default), loaded once up front as
    a server's start-up loads it (not during a test's first call)."""
    from channels.voice.speech.whisper import SharedWhisper
    whisper = SharedWhisper()
    whisper.get()
    return whisper


@pytest.fixture
async def voice_rig(make_clinic, settings, pool, redis, decoder_pool, shared_whisper):
    servers: list[tuple[_Server, asyncio.Task]] = []

    async def make(*, now: datetime = NOW, config: VoiceConfig | None = None,
                   settings_overrides: dict | None = None, **clinic_overrides: Any) -> VoiceRig:
        phone = clinic_overrides.pop("phone", None) or await unused_phone(pool)
        clinic = await make_clinic(phone=phone, **clinic_overrides)
        s = dataclasses.replace(settings, twilio_auth_token=TWILIO_TOKEN, public_base_url=PUBLIC,
                                **(settings_overrides or {}))
        ended: list = []
        voice = VoiceKit.from_settings(s, config=config or VoiceConfig(playback_rate=16.0, silence_seconds=30.0),
                                       decoder_pool=decoder_pool, whisper=shared_whisper, on_call_ended=ended.append)
        services = Services.build(s, pool, redis, ehr=BuiltinCalendar(pool, now=lambda: now), voice=voice)
        engine = services.engine
        engine.now = lambda: now
        app = create_app(s, services)
        port = free_port()
        server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off",
                                        ws="websockets-sansio", ws_max_size=1 << 20))
        task = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        servers.append((server, task))
        return VoiceRig(services, clinic, f"http://127.0.0.1:{port}", phone, ended)

    yield make
    for server, task in servers:
        server.should_exit = True
    for server, task in servers:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
