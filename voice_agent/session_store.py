"""The engine's SessionStore: SessionData ⇄ stored documents, with identifiers encrypted.

`collected_data` (name, date of birth, phone) and the channel user id are encrypted with a key
derived from SECRET_KEY; the channel user id is also kept as a keyed hash so "the session of this
phone number" can be found without storing the number in the clear.
"""
from __future__ import annotations

from typing import Any

from dialogue.ports import StaleSession
from dialogue.session import SessionData
from storage.crypto import FieldCipher
from storage.sessions import SessionRepository, StaleSession as NewerVersionStored


class EncryptedSessionStore:
    def __init__(self, repo: SessionRepository, cipher: FieldCipher) -> None:
        self.repo, self.cipher = repo, cipher

    def _encode(self, session: SessionData) -> dict[str, Any]:
        doc = session.to_json()
        doc["channel_user_id"] = (self.cipher.user_ref(session.channel, session.channel_user_id)
                                  if session.channel_user_id else None)
        doc["channel_user_enc"] = (self.cipher.encrypt_json(session.channel_user_id)
                                   if session.channel_user_id else None)
        doc["collected_data_enc"] = self.cipher.encrypt_json(session.collected_data)
        return doc

    def _decode(self, doc: dict[str, Any]) -> SessionData:
        collected = self.cipher.decrypt_json(doc.get("collected_data_enc") or "") or {}
        session = SessionData.from_json(doc, collected)
        session.channel_user_id = (self.cipher.decrypt_json(doc["channel_user_enc"])
                                   if doc.get("channel_user_enc") else None)
        return session

    async def load(self, clinic_id: str, session_id: str) -> SessionData | None:
        doc = await self.repo.load(clinic_id, session_id)
        return self._decode(doc) if doc else None

    async def find_active(self, clinic_id: str, channel: str, channel_user_id: str) -> SessionData | None:
        doc = await self.repo.find_active(clinic_id, channel, self.cipher.user_ref(channel, channel_user_id))
        return self._decode(doc) if doc else None

    async def save(self, session: SessionData) -> None:
        """Compare-and-set on `session.version`: raises `dialogue.ports.StaleSession` when another
        writer saved first (nothing is written then)."""
        session.touch(self.repo.ttl)
        try:
            version = await self.repo.save(self._encode(session), session.version)
        except NewerVersionStored as exc:
            raise StaleSession(session.session_id) from exc
        if version is not None:
            session.version = version
