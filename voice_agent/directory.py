"""ClinicDirectory over the clinics table, with a short in-process cache (profiles change rarely)."""
from __future__ import annotations

import time

from dialogue.ports import ClinicProfile
from storage.clinics import Clinic, ClinicRepository

CACHE_SECONDS = 30.0


def _profile(c: Clinic) -> ClinicProfile:
    return ClinicProfile(id=c.id, name=c.name, slug=c.slug, timezone=c.timezone, status=c.status,
                         phone=c.phone, address=c.address, email=c.email, business_hours=c.business_hours,
                         settings=c.settings)


class ClinicDirectoryRepository:
    def __init__(self, clinics: ClinicRepository) -> None:
        self.clinics = clinics
        self._cache: dict[tuple[str, str], tuple[float, ClinicProfile | None]] = {}

    async def _get(self, kind: str, value: str) -> ClinicProfile | None:
        hit = self._cache.get((kind, value))
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        lookup = {"id": self.clinics.by_id, "phone": self.clinics.by_phone, "slug": self.clinics.by_slug}[kind]
        clinic = await lookup(value)
        profile = _profile(clinic) if clinic else None
        self._cache[(kind, value)] = (time.monotonic(), profile)
        return profile

    async def by_id(self, clinic_id: str) -> ClinicProfile | None:
        return await self._get("id", clinic_id)

    async def by_phone(self, phone: str) -> ClinicProfile | None:
        return await self._get("phone", phone)

    async def by_slug(self, slug: str) -> ClinicProfile | None:
        return await self._get("slug", slug)
