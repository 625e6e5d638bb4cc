"""A message taken after a missed transfer goes through the safety checks like any turn: staff never
read a number or a date of birth in it, and a crisis gets the help lines, not "I've passed that on"."""
from __future__ import annotations

from types import SimpleNamespace

from channels.voice.transfer_call import THANKS, ReturnedCall


class Recorder:
    def __init__(self, engine) -> None:
        self.engine, self.clinic_id, self.handoff_id, self.asked_message = engine, "clinic", "handoff", True
        self.messages: list[str] = []
        self.played: list = []
        self.warm = SimpleNamespace(take_message=self._take)
        self.note = lambda *a, **k: None

    async def _take(self, clinic_id: str, handoff_id: str, message: str) -> bool:
        self.messages.append(message)
        return True

    async def play(self, playback) -> None:
        self.played.append(playback)


async def test_a_message_is_recorded_without_its_numbers(services):
    call = Recorder(services.engine)
    await ReturnedCall.take_turn(call, "please call me at 312 555 0123, I was born March 3 1980", {})
    (message,) = call.messages
    assert "0123" not in message and "1980" not in message, message
    assert [p.text for p in call.played] == [THANKS]


async def test_a_crisis_in_the_message_gets_the_help_lines_and_an_urgent_record(services):
    call = Recorder(services.engine)
    await ReturnedCall.take_turn(call, "I swallowed all of my sleeping tablets an hour ago", {})
    (message,) = call.messages
    assert message.startswith("URGENT")
    (said,) = call.played
    assert "9 1 1" in said.text and "9 8 8" in said.text and said.must_finish and said.after == "hangup"
