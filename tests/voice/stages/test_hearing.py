"""Hearing: frames go to the recogniser on its own timeline; a stream that breaks is reconnected once,
then replaced by the fallback; when nothing works the caller is told and the call ends."""
from __future__ import annotations

import asyncio

from channels.voice.ports import Final, SpeechContext
from channels.voice.stages.hearing import APOLOGY_HEARING, CANNOT_HEAR, DeadSTT, Hearing


class FakeSTT:
    def __init__(self, *, fail_send: bool = False, fail_start: bool = False, events=()) -> None:
        self.fail_send, self.fail_start = fail_send, fail_start
        self.frames: list[bytes] = []
        self.expected: list[str] = []
        self.closed = False
        self._events = list(events)

    async def start(self, context: SpeechContext) -> None:
        if self.fail_start:
            raise ConnectionError("refused")

    async def send_audio(self, frame: bytes) -> None:
        if self.fail_send:
            raise ConnectionError("reset")
        self.frames.append(frame)

    def set_expected(self, question: str) -> None:
        self.expected.append(question)

    async def events(self):
        for event in self._events:
            yield event
        await asyncio.Event().wait()

    async def close(self) -> None:
        self.closed = True


def _hearing(stt, *, factory=None, fallback=None, got=None, said=None, stopped=lambda: False):
    async def on_event(event):
        got.append(event) if got is not None else None

    async def apologise(text, after):
        said.append((text, after)) if said is not None else None

    return Hearing(stt, context=lambda: SpeechContext(call_id="CA1", clinic_id="c"), on_event=on_event,
                   apologise=apologise, note=lambda *a, **k: None, stopped=stopped,
                   stt_factory=factory, fallback_factory=fallback)


async def test_frames_reach_the_recogniser_and_are_stamped_on_its_timeline():
    stt = FakeSTT()
    hearing = _hearing(stt)
    await hearing.send(b"a" * 160, 10.0)
    await hearing.send(b"b" * 160, 10.02)
    assert stt.frames == [b"a" * 160, b"b" * 160]
    assert hearing.clock.time_at_seconds(0.02) == 10.02
    hearing.expect("date")
    assert stt.expected == ["date"]


async def test_a_broken_stream_is_reconnected_with_an_apology():
    broken, fresh, said = FakeSTT(fail_send=True), FakeSTT(), []

    async def reconnect():
        return fresh
    hearing = _hearing(broken, factory=reconnect, said=said)
    await hearing.send(b"a" * 160, 10.0)
    assert broken.closed and hearing.stt is fresh and said == [(APOLOGY_HEARING, None)]
    await hearing.send(b"b" * 160, 10.02)
    assert fresh.frames == [b"b" * 160] and hearing.clock.count == 1        # a new timeline


async def test_the_second_failure_goes_to_the_fallback_and_then_the_call_ends_politely():
    said, fallback = [], FakeSTT(fail_send=True)

    async def vendor():
        return FakeSTT(fail_send=True)

    async def embedded():
        return fallback
    hearing = _hearing(FakeSTT(fail_send=True), factory=vendor, fallback=embedded, said=said)
    await hearing.send(b"a" * 160, 1.0)         # 1st: reconnect the vendor
    await hearing.send(b"a" * 160, 1.02)        # 2nd: the embedded recogniser
    assert hearing.stt is fallback
    hearing.fallback_factory = None
    await hearing.send(b"a" * 160, 1.04)        # 3rd: nothing left
    assert isinstance(hearing.stt, DeadSTT)
    assert said[-1] == (CANNOT_HEAR, "hangup") and len(said) == 4


async def test_events_are_passed_on_and_a_stream_that_ends_is_replaced():
    final = Final(text="next tuesday", accepted=True, confidence=0.9)
    ended, fresh, got = FakeSTT(events=[final]), FakeSTT(), []
    ended.events = lambda: _once(final)

    async def reconnect():
        return fresh
    stop = asyncio.Event()
    hearing = _hearing(ended, factory=reconnect, got=got, stopped=stop.is_set)
    task = asyncio.create_task(hearing.run())
    for _ in range(100):
        await asyncio.sleep(0)
        if hearing.stt is fresh:
            break
    stop.set()
    task.cancel()
    assert got == [final] and hearing.stt is fresh


async def _once(event):
    yield event
