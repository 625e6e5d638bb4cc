"""What a caller hears when something on our side fails: spoken words, never silence, Twilio's
"application error" or a dropped line (DESIGN: every bad input gets a spoken apology on a call)."""
from __future__ import annotations

from voice_agent.web.errors import is_database_outage

__all__ = ["ENGINE_FAILED", "SCHEDULE_DOWN_IN_CALL", "SCHEDULE_DOWN_AT_START", "is_database_outage"]

ENGINE_FAILED = "I'm sorry, something went wrong on my end. Could you say that again?"
# PostgreSQL is down: nothing of the turn was saved, so saying it again once it is back is safe.
SCHEDULE_DOWN_IN_CALL = ("I'm sorry, I can't reach the schedule right now. Please give me a moment "
                         "and say that again, or call back in a few minutes.")
SCHEDULE_DOWN_AT_START = ("I'm sorry, I can't reach the schedule right now. Please call back in a few "
                          "minutes. Goodbye.")
