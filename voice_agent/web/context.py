"""Per-request context: the authenticated clinic and the request id, in ContextVars."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClinicContext:
    """The seed's ClinicContext (section 7.4): what a request knows about its tenant."""
    id: str
    name: str
    slug: str
    timezone: str
    status: str
    rate_limit_tier: str
    rate_limit_rpm: int
    key_hash: str
    ehr_provider: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ClinicContext":
        return cls(**data)


_current_clinic: ContextVar[ClinicContext | None] = ContextVar("current_clinic", default=None)
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
clinic_id_var: ContextVar[str | None] = ContextVar("clinic_id", default=None)


def get_current_clinic() -> ClinicContext:
    clinic = _current_clinic.get()
    if clinic is None:
        raise LookupError("no authenticated clinic in this context")
    return clinic


def set_current_clinic(clinic: ClinicContext | None):
    clinic_id_var.set(clinic.id if clinic else None)
    return _current_clinic.set(clinic)


def reset_current_clinic(token) -> None:
    _current_clinic.reset(token)
