"""Redis key names, exactly as the seed lists them (section 5.2), under one versioned prefix."""
from __future__ import annotations

PREFIX = "receptionist:v1:"


def session_key(session_id: str) -> str:
    return f"{PREFIX}session:{session_id}"


def auth_key(key_hash: str) -> str:
    return f"{PREFIX}auth:{key_hash}"


def ratelimit_key(clinic_id: str) -> str:
    return f"{PREFIX}ratelimit:{clinic_id}"


def auth_failures_key(client_ref: str) -> str:
    """Failed API-key attempts from one client address (an HMAC of it, not the address)."""
    return f"{PREFIX}authfail:{client_ref}"


def turn_lock_key(conversation_ref: str) -> str:
    """Held while one turn of a conversation runs (an HMAC of the conversation, never a phone number)."""
    return f"{PREFIX}turnlock:{conversation_ref}"


def turn_fence_key(conversation_ref: str) -> str:
    """The conversation's fencing counter: each holder of its turn lock gets the next number."""
    return f"{PREFIX}turnfence:{conversation_ref}"


def staff_signed_out_key(session_ref: str) -> str:
    """A staff page session that was signed out (a hash of its token), kept until it would expire."""
    return f"{PREFIX}staff_signed_out:{session_ref}"
