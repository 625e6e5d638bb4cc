"""What was heard of each reply waits for the next turn; a turn that failed leaves it waiting, and
what is left when the call ends is written one record at a time."""
from __future__ import annotations

from channels.voice.call_types import Playback
from channels.voice.stages.records import HeardLog


def _finished(text: str, heard: int, *, timings: dict[str, float] | None = None) -> Playback:
    pb = Playback(text, timings=timings or {})
    pb.heard_upto, pb.interrupted, pb.finished = heard, heard < len(text), True
    return pb


def test_records_wait_for_the_next_turn_and_leave_once_it_was_saved():
    log = HeardLog()
    log.add(_finished("Hello there. How can I help?", 12, timings={"speech_end": 1.0, "final_at": 1.25}))
    sent = log.outstanding()
    (record,) = sent
    assert record.heard == "Hello there." and record.interrupted
    assert log.turn_timings == [{"stt_final_ms": 250.0}] and record.timings == {"stt_final_ms": 250.0}
    log.add(_finished("What day?", 9))                      # finished while that turn was running
    log.written(sent)
    assert [r.text for r in log.pending] == ["What day?"]


def test_a_turn_that_failed_keeps_its_records_for_the_next():
    log = HeardLog()
    log.add(_finished("Hi.", 3))
    log.outstanding()                                       # the turn raised: `written` never came
    assert [r.text for r in log.outstanding()] == ["Hi."]


async def test_what_is_left_at_the_end_is_written_in_order():
    log, written = HeardLog(), []
    log.add(_finished("One.", 4))
    log.add(_finished("Two.", 1))

    async def write(record) -> None:
        written.append((record.text, record.interrupted))
    await log.flush(write)
    assert written == [("One.", False), ("Two.", True)] and log.pending == []
