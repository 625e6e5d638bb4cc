"""A keyring for secrets kept at rest (EHR credentials): versioned keys, the first one encrypts,
any one decrypts, so keys rotate without a flag day.

`EHR_CREDENTIALS_KEYS` = "k2:<base64url 32 bytes>,k1:<...>": k2 seals new values, k1 still opens
old ones until `voice-agent ehr rekey` has re-sealed everything with k2; then k1 can be dropped.
Without the setting there is one key, "s0", derived from SECRET_KEY (HKDF, its own purpose), so a
development machine works with nothing configured; it stays a decrypt-only key when keys are
configured, so moving from the default to explicit keys is one `rekey`. A sealed value is {"kid": ..., "token": ...}.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class KeyringError(ValueError):
    """A key is malformed, or a sealed value names a key the ring does not hold."""


def derived_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"voice-agent/v1",
               info=b"ehr-credentials").derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


class Keyring:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyringError("a keyring needs at least one key")
        self.current = keys[0][0]
        self._fernets = {kid: Fernet(key) for kid, key in keys}

    @classmethod
    def from_settings(cls, spec: str | None, secret_key: str) -> "Keyring":
        if not spec:
            return cls([("s0", derived_key(secret_key))])
        keys = []
        for part in spec.split(","):
            kid, sep, key = part.strip().partition(":")
            if not sep or not kid or not key:
                raise KeyringError("EHR_CREDENTIALS_KEYS must be id:key pairs separated by commas")
            try:
                if len(base64.urlsafe_b64decode(key.encode())) != 32:
                    raise KeyringError(f"key {kid!r} must be 32 bytes, base64url-encoded")
            except (binascii.Error, ValueError):
                raise KeyringError(f"key {kid!r} is not base64url") from None
            keys.append((kid, key.encode()))
        if "s0" not in {kid for kid, _ in keys}:       # what was sealed before keys were configured still opens
            keys.append(("s0", derived_key(secret_key)))
        return cls(keys)

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, value: Mapping[str, Any]) -> dict[str, str]:
        token = self._fernets[self.current].encrypt(json.dumps(dict(value), sort_keys=True).encode())
        return {"kid": self.current, "token": token.decode()}

    def open(self, sealed: Mapping[str, Any]) -> dict[str, Any]:
        kid = str(sealed.get("kid"))
        fernet = self._fernets.get(kid)
        if fernet is None:
            raise KeyringError(f"the credentials were sealed with key {kid!r}, which EHR_CREDENTIALS_KEYS lacks")
        try:
            return json.loads(fernet.decrypt(str(sealed.get("token")).encode()))
        except (InvalidToken, ValueError):
            raise KeyringError(f"the credentials do not open with key {kid!r}") from None
