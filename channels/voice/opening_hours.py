"""When the front desk is there, for calls: the shared rules live in `dialogue.opening_hours`
(hours, lunch breaks, holidays), which the engine uses too."""
from __future__ import annotations

from dialogue.opening_hours import DAYS, callback_promise, is_open, next_opening

__all__ = ["DAYS", "callback_promise", "is_open", "next_opening"]
