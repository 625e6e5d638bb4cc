"""The clinic (a tenant): one record type from the clinics table to the channels and the request
context. storage/clinics.py reads and writes it and is where the layers above import it from; it is
defined here, in the bottom layer, because the request context (context.py) holds it and this layer
imports nothing above itself."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Clinic settings that are safe to show the clinic's own API client.
PUBLIC_SETTINGS = ("front_desk_phone", "records_calls", "allowed_origins", "booking_lead_minutes",
                   "after_hours_message", "transfer_ring_seconds")


@dataclass(frozen=True)
class Clinic:
    """What every layer knows about a clinic: its own record, never invented (no credentials, no key hash)."""
    id: str
    name: str
    slug: str
    timezone: str
    status: str
    phone: str | None = None
    address: str | None = None
    email: str | None = None
    business_hours: dict[str, list[list[str]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    rate_limit_tier: str = "standard"
    rate_limit_rpm: int = 60
    ehr_provider: str | None = None
    default_reminder_hours: int = 24

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Clinic":
        return cls(**data)

    def public_profile(self) -> dict[str, Any]:
        """What a clinic's own API key may read about itself: never credentials or key hashes."""
        return {
            "id": self.id, "name": self.name, "slug": self.slug, "timezone": self.timezone,
            "status": self.status, "email": self.email, "phone": self.phone, "address": self.address,
            "business_hours": self.business_hours, "rate_limit_tier": self.rate_limit_tier,
            "rate_limit_rpm": self.rate_limit_rpm, "ehr_provider": self.ehr_provider,
            "default_reminder_hours": self.default_reminder_hours,
            "settings": {k: v for k, v in self.settings.items() if k in PUBLIC_SETTINGS},
        }
