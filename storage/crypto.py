"""Encryption at rest for identifiers a conversation needs (name, date of birth, phone).

The key is derived from SECRET_KEY with HKDF, so rotating SECRET_KEY makes old session data
unreadable (sessions are short-lived by design). `user_ref` turns a channel user id (a phone
number) into a keyed hash, so lookups work without the number being stored in the clear.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"voice-agent/v1", info=purpose).derive(
        secret_key.encode())


class FieldCipher:
    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"session-fields")))
        self._mac_key = _derive(secret_key, b"user-ref")

    def encrypt_json(self, value: Any) -> str:
        return self._fernet.encrypt(json.dumps(value, default=str).encode()).decode()

    def decrypt_json(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            return None

    def user_ref(self, channel: str, channel_user_id: str) -> str:
        return hmac.new(self._mac_key, f"{channel}:{channel_user_id}".encode(), hashlib.sha256).hexdigest()
