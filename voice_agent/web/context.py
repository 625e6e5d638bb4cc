"""Per-request context: the authenticated clinic (`Clinic`, the one clinic type) and the request id,
in ContextVars."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from voice_agent.web.clinic import Clinic


@dataclass(frozen=True)
class KeyHolder:
    """The clinic an API key belongs to, and that key's hash (checked in constant time by the auth
    middleware). The hash stays beside the clinic, never in it: nothing past authentication sees it."""
    clinic: Clinic
    key_hash: str

    def to_json(self) -> dict[str, Any]:
        return {"clinic": self.clinic.to_json(), "key_hash": self.key_hash}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "KeyHolder":
        return cls(Clinic.from_json(data["clinic"]), data["key_hash"])


_current_clinic: ContextVar[Clinic | None] = ContextVar("current_clinic", default=None)
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
clinic_id_var: ContextVar[str | None] = ContextVar("clinic_id", default=None)


def get_current_clinic() -> Clinic:
    clinic = _current_clinic.get()
    if clinic is None:
        raise LookupError("no authenticated clinic in this context")
    return clinic


def set_current_clinic(clinic: Clinic | None):
    clinic_id_var.set(clinic.id if clinic else None)
    return _current_clinic.set(clinic)


def reset_current_clinic(token) -> None:
    _current_clinic.reset(token)
