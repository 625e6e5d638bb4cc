"""Intake: what the caller said (a final transcript) or keyed (a finished keypad entry) becomes one
work item for the call's dialogue worker.

Work items: `("text", (words, timing))` a turn for the engine; `("guess", question)` a "Did you
say ...?" to ask first; `("miss", timing)` nothing usable was heard; `("repeat", None)` say the last
reply again. A rejected answer with a guess is asked about (guess.py); so is a goodbye or a request
for a person heard on a low score, before the call ends or is transferred.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from channels.voice.guess import GuessCheck
from channels.voice.keypad import KeyMeaning
from channels.voice.ports import Final

HANDOFF_TEXT = "I'd like to speak to a person"

Enqueue = Callable[[str, Any], None]


class Intake:
    def __init__(self, enqueue: Enqueue, *, escape_sure: float, can_repeat: Callable[[], bool],
                 guesses: GuessCheck | None = None) -> None:
        self._enqueue, self.escape_sure, self._can_repeat = enqueue, escape_sure, can_repeat
        self.guesses = guesses or GuessCheck()
        self.keyed_at: float | None = None        # when the caller's last keyed entry was taken

    @property
    def guess_open(self) -> bool:
        """A "Did you say ...?" is waiting for its answer."""
        return self.guesses.pending is not None

    def drop_guess(self) -> bool:
        """The caller never answered the guess (silence); True if one was open."""
        was_open = self.guess_open
        self.guesses.withdraw()
        return was_open

    def final(self, event: Final, text: str, timing: dict[str, float]) -> None:
        """A final transcript (`text`: its words, whitespace-normalised) that is not a back-channel."""
        if (not event.accepted and self.keyed_at is not None and self.guesses.pending is None
                and timing.get("speech_end", self.keyed_at) < self.keyed_at):
            return                                  # stale: spoken before the entry that answered
        if self.guesses.pending is not None:        # the answer to "Did you say ...?"
            verdict, guess = self.guesses.resolve(event, text)
            if verdict == "use":
                self._enqueue("text", (guess, timing))
                return
            if verdict == "miss":
                self._enqueue("miss", timing)
                return
        if event.escape == "repeat" and self._can_repeat():
            self._enqueue("repeat", None)
        elif event.escape in ("human", "goodbye") and event.accepted and text \
                and event.confidence < self.escape_sure and self.guesses.pending is None:
            self._enqueue("guess", self.guesses.confirm_escape(event, text))
        elif not event.accepted or not text:
            ask = self.guesses.offer(event)
            self._enqueue("guess", ask) if ask else self._enqueue("miss", timing)
        else:
            self._enqueue("text", (text, timing))

    def key_entry(self, meaning: KeyMeaning, now: float) -> None:
        """A finished keypad entry, already read for the question by keypad.py."""
        timing = {"final_at": now, "speech_end": now, "dtmf": 1.0}
        if meaning.action == "answer":          # an entry that answers the question (digits, a menu pick)
            self.keyed_at = now
        if meaning.action == "use_guess":
            self._enqueue("text", (self.guesses.take(), timing))
            return
        if meaning.action == "reject_guess":
            self.guesses.withdraw()
            self._enqueue("miss", None)
            return
        self.guesses.withdraw()             # any other entry answers the question the guess was about
        if meaning.action == "answer":
            self._enqueue("text", (meaning.text, timing))
        elif meaning.action in ("yes", "no"):
            self._enqueue("text", (meaning.action, timing))
        elif meaning.action == "person":
            self._enqueue("text", (HANDOFF_TEXT, timing))
        elif meaning.action == "repeat" and self._can_repeat():
            self._enqueue("repeat", None)


def stale_work(queue: "asyncio.Queue[tuple[str, Any]]") -> int:
    """Drop queued misses and guesses (about speech before a keyed entry); how many were dropped."""
    items = [queue.get_nowait() for _ in range(queue.qsize())]
    kept = [item for item in items if item[0] not in ("miss", "guess")]
    for item in kept:
        queue.put_nowait(item)
    return len(items) - len(kept)
