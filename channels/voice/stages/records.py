"""What the caller heard of each reply, kept until the engine writes it.

A finished reply (`Playback`) becomes a `PlaybackRecord` (what was heard, whether it was cut, the
turn's timings). The records go to the engine with the call's next turn, so a voice turn saves the
session once; those left when the call ends are written alone (`flush`).
"""
from __future__ import annotations

from typing import Awaitable, Callable

from channels.voice.call_types import TURN_SPANS, Playback
from dialogue.playback import PlaybackRecord
from voice_agent.web.metrics import TURN_SECONDS


class HeardLog:
    def __init__(self) -> None:
        self.pending: list[PlaybackRecord] = []
        self.turn_timings: list[dict[str, float]] = []     # each turn's stages in ms (tests, benchmark)

    def add(self, pb: Playback) -> None:
        timings = pb.spans_ms()
        if timings:
            self.turn_timings.append(timings)
        for name, _, _, stage in TURN_SPANS:
            if name in timings:
                TURN_SECONDS.labels(stage=stage).observe(timings[name] / 1000)
        self.pending.append(PlaybackRecord(pb.text, pb.heard, pb.interrupted, timings))

    def outstanding(self) -> tuple[PlaybackRecord, ...]:
        """The records to send with the next turn; `written` drops them once that turn was saved."""
        return tuple(self.pending)

    def written(self, records: tuple[PlaybackRecord, ...]) -> None:
        self.pending = [r for r in self.pending if not any(r is w for w in records)]

    async def flush(self, write: Callable[[PlaybackRecord], Awaitable[None]]) -> None:
        while self.pending:
            await write(self.pending.pop(0))
