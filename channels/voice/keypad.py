"""Keys pressed on a call, read by the question being asked.

Digits are gathered into an *entry* (ended by `#`, by the entry's full length, or by a short pause)
and only then read, so a date of birth that starts with `0` is never taken for "a person, please":

* on a question that takes digits (date of birth, phone) the entry is the answer;
* elsewhere a lone `0` asks for a person; `1` / `2` answer yes / no where the question (or an open
  "Did you say ...?") is a yes/no; a digit picks an offered option (slots, or the numbered menu a
  call offers after a missed doctor or day answer); a longer entry is passed to the
  dialogue as the answer to the question (it decides whether it fits);
* while a "Did you say ...?" is open, any entry other than 1 / 2 withdraws the guess and answers the
  question the guess was about: it is never read as "no";
* `*` drops what was typed so far and repeats the question.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Callable, Literal

ENTRY_LENGTH = {"date_of_birth": 8, "phone": 10}
CHOICE_QUESTIONS = ("slot_choice", "appointment_choice", "menu")
YES_NO_QUESTIONS = ("confirm", "handoff_offer", "confirm_identity")

Action = Literal["answer", "yes", "no", "person", "repeat", "use_guess", "reject_guess", "ignore"]


@dataclass(frozen=True)
class KeyMeaning:
    action: Action
    text: str = ""                 # the answer to hand the dialogue ("answer")


def read_entry(entry: str, expecting: str | None, guess_open: bool, options: int = 0) -> KeyMeaning:
    """What a finished entry means for this question."""
    if not entry:
        return KeyMeaning("ignore")
    if expecting in ENTRY_LENGTH:
        return KeyMeaning("answer", entry)
    if entry == "0":
        return KeyMeaning("person")
    if guess_open and entry in ("1", "2"):
        return KeyMeaning("use_guess" if entry == "1" else "reject_guess")
    if expecting in YES_NO_QUESTIONS:
        return KeyMeaning({"1": "yes", "2": "no"}.get(entry, "ignore"))        # type: ignore[arg-type]
    if expecting in CHOICE_QUESTIONS or options > 0:        # offered options, or a numbered menu
        return KeyMeaning("answer", entry)
    if len(entry) > 1:
        return KeyMeaning("answer", entry)
    return KeyMeaning("ignore")


def ends_at_once(entry: str, expecting: str | None, guess_open: bool, options: int) -> bool:
    """Whether an entry is complete without waiting for `#` or a pause."""
    if expecting in ENTRY_LENGTH:
        return len(entry) >= ENTRY_LENGTH[expecting]
    if entry == "0":
        return False                            # a person, or the start of a longer entry
    if guess_open or expecting in YES_NO_QUESTIONS:
        return entry in ("1", "2")
    if expecting in CHOICE_QUESTIONS or options > 0:
        return 0 < options < 10 and len(entry) == 1
    return False


class Keypad:
    """Gathers one entry at a time; `on_entry` gets the finished entry's meaning."""

    def __init__(self, on_entry: Callable[[KeyMeaning], None], *, entry_pause: float = 3.0,
                 key_pause: float = 1.5) -> None:
        self.on_entry, self.entry_pause, self.key_pause = on_entry, entry_pause, key_pause
        self.typed = ""
        self._timer: asyncio.Task | None = None
        self._read: Callable[[str], KeyMeaning] = lambda entry: KeyMeaning("ignore")

    def press(self, key: str, expecting: str | None, *, guess_open: bool = False, options: int = 0) -> None:
        self._read = lambda entry: read_entry(entry, expecting, guess_open, options)
        if key == "*":
            self.clear()
            self.on_entry(KeyMeaning("repeat"))
        elif key == "#":
            self.finish()
        else:
            self.typed += key
            if ends_at_once(self.typed, expecting, guess_open, options):
                self.finish()
            else:
                self._wait(self.entry_pause if expecting in ENTRY_LENGTH else self.key_pause)

    def finish(self) -> None:
        self._cancel_timer()
        entry, self.typed = self.typed, ""
        meaning = self._read(entry)
        if meaning.action != "ignore":
            self.on_entry(meaning)

    def clear(self) -> None:
        self._cancel_timer()
        self.typed = ""

    def _wait(self, seconds: float) -> None:
        self._cancel_timer()

        async def later() -> None:
            await asyncio.sleep(seconds)
            self._timer = None
            self.finish()
        self._timer = asyncio.create_task(later(), name="call-keypad")

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None

    @property
    def pending(self) -> asyncio.Task | None:
        return self._timer
