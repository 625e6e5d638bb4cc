"""API keys (seed section 7): `ar_live_`/`ar_test_` + `secrets.token_urlsafe(32)`; only the SHA-256 is stored."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_FORMAT = re.compile(r"^ar_(live|test)_[A-Za-z0-9_-]{43}$")


def generate_api_key(environment: str = "live") -> str:
    if environment not in ("live", "test"):
        raise ValueError("environment must be 'live' or 'test'")
    return f"ar_{environment}_{secrets.token_urlsafe(32)}"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def is_well_formed(api_key: str) -> bool:
    return bool(KEY_FORMAT.match(api_key))


def hashes_match(stored_hash: str, presented_hash: str) -> bool:
    """Constant-time comparison, so response timing says nothing about stored hashes."""
    return hmac.compare_digest(stored_hash.encode(), presented_hash.encode())
