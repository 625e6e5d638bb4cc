"""ClinicDirectory over the clinics table, with a short, bounded in-process cache.

Every request names its clinic (an id, a phone number, a web-chat slug), so a lookup per request
is worth saving, but not for long: a clinic suspended from another process (`voice-agent clinic
suspend`) must stop being served within about a second, and there is no message between
processes to say so. Found clinics and names that match none are kept apart, each with its own
limit, so a scan of random slugs can neither grow the process nor push real clinics out.
"""
from __future__ import annotations

from storage.clinics import Clinic, ClinicRepository
from voice_agent.web.bounded_cache import BoundedCache

CACHE_SECONDS = 1.0          # how long a suspension can go unseen by a process for new requests
MISS_SECONDS = 1.0
MAX_CLINICS = 2048           # (kind, value) entries: three per busy clinic
MAX_MISSES = 1024


class ClinicDirectoryRepository:
    def __init__(self, clinics: ClinicRepository, *, max_clinics: int = MAX_CLINICS,
                 max_misses: int = MAX_MISSES) -> None:
        self.clinics = clinics
        self._found: BoundedCache[tuple[str, str], Clinic] = BoundedCache(max_clinics, CACHE_SECONDS)
        self._missing: BoundedCache[tuple[str, str], None] = BoundedCache(max_misses, MISS_SECONDS)

    def cached_clinics(self) -> int:
        return len(self._found)

    def cached_misses(self) -> int:
        return len(self._missing)

    async def _get(self, kind: str, value: str) -> Clinic | None:
        key = (kind, value)
        fresh, found = self._found.get(key)
        if fresh:
            return found
        if self._missing.get(key)[0]:
            return None
        lookup = {"id": self.clinics.by_id, "phone": self.clinics.by_phone, "slug": self.clinics.by_slug}[kind]
        clinic = await lookup(value)
        if clinic is None:
            self._missing.put(key, None)
            return None
        self._found.put(key, clinic)
        return clinic

    async def by_id(self, clinic_id: str) -> Clinic | None:
        return await self._get("id", clinic_id)

    async def by_phone(self, phone: str) -> Clinic | None:
        return await self._get("phone", phone)

    async def by_slug(self, slug: str) -> Clinic | None:
        return await self._get("slug", slug)
