"""What a caller heard of a spoken reply, and the turn's timings, kept on that assistant turn.

A call hands the engine the records of the replies played since its last turn together with the
next turn (`Engine.process(..., heard=...)`), so a voice turn saves the session once; the records
left when the call ends go alone (`Engine.record_playback`). Only lengths and timings: no PHI.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dialogue.session import SessionData


@dataclass(frozen=True)
class PlaybackRecord:
    text: str | None                 # the reply, to find its turn (None: the last assistant turn)
    heard: str                       # what of it was played before the caller cut in or hung up
    interrupted: bool
    timings: dict[str, float] = field(default_factory=dict)


def note_playback(session: SessionData, record: PlaybackRecord) -> bool:
    """Write the record on its assistant turn; False when the turn is not in the session."""
    turn = next((t for t in reversed(session.message_history) if t.role == "assistant"
                 and (record.text is None or t.text == record.text)), None)
    if turn is None:
        return False
    turn.meta["interrupted"] = record.interrupted
    if record.interrupted:
        turn.meta["heard_chars"] = len(record.heard)
        turn.meta["unheard"] = turn.text[len(record.heard):] if turn.text.startswith(record.heard) else None
    if record.timings:
        turn.meta["timings_ms"] = {k: round(v, 1) for k, v in record.timings.items()}
    return True
