"""Confirm when unsure: the embedded recogniser's second chance at a rejected answer.

The grammar recogniser rejects an answer when its off-topic ("garbage") branch explains the audio
better than the question's grammar. On synthetic and accented speech that also rejects many real
answers (docs/speech.md). For provider, date, time and choice questions it then offers the
grammar's closest sentence as a *guess*; the call asks "Did you say next Tuesday?" and hands the
guess to the engine only when the caller says yes (or presses 1). Anything else re-asks the
original question, so an off-topic remark costs one extra question, never a wrong booking.
The same check guards the two answers that end the conversation: a goodbye or a request for a
person heard on a low score is asked about before the call ends or is transferred.
"""
from __future__ import annotations

from typing import Literal

from channels.voice.ports import Final
from channels.voice.speech.meaning import yes_no_meaning

Verdict = Literal["use", "miss", "pass"]


class GuessCheck:
    """Holds at most one pending guess per call."""

    def __init__(self) -> None:
        self.pending: str | None = None

    def offer(self, final: Final) -> str | None:
        """The confirmation question for a rejected answer that has a guess, else None."""
        if final.accepted or not final.guess or self.pending is not None:
            return None
        self.pending = final.guess
        return f"Did you say {final.guess}?"

    def confirm_escape(self, final: Final, text: str) -> str:
        """A goodbye or a request for a person heard on a low score: asked before the call ends or
        is transferred ("option one" can sound like "operator")."""
        self.pending = text
        if final.escape == "goodbye":
            return "Did you want to end the call?"
        return "Did you want me to connect you with our front desk?"

    def resolve(self, final: Final, text: str) -> tuple[Verdict, str | None]:
        """The caller answered the confirmation: 'use' the guess, re-ask ('miss'), or 'pass' the
        utterance on unchanged (an escape such as asking for a person or to repeat)."""
        guess, self.pending = self.pending, None
        if final.escape:
            return "pass", None
        if final.accepted and yes_no_meaning(text.lower()) == "yes":
            return "use", guess
        return "miss", None

    def take(self) -> str:
        """The guess, confirmed (keypad 1)."""
        guess, self.pending = self.pending or "", None
        return guess

    def withdraw(self) -> None:
        """The caller answered otherwise (keypad 2, or an entry for the question itself)."""
        self.pending = None
