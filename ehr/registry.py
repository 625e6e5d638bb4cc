"""What the composition root needs to build one clinic's EHR adapter: the names of the EHRs, the
context a factory receives, and the factory's signature. The table of factories itself lives in the
composition root (`voice_agent/ehr_registry.py`): an adapter is added by adding one entry there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Mapping, Protocol

import httpx

from ehr.protocol import EHRAdapter
from ehr.types import ClinicRef

EHR_PROVIDERS = ("builtin", "drchrono", "epic", "cerner", "google")
DEFAULT_EHR = "builtin"


class CredentialsSink(Protocol):
    """Where an adapter stores credentials that changed (DrChrono's rotated refresh token). The
    composition root implements it with the encrypted clinic credentials store."""

    async def save(self, clinic_id: str, credentials: Mapping[str, Any]) -> None: ...

    async def load(self, clinic_id: str) -> Mapping[str, Any] | None:
        """The stored credentials (another process may have rotated them since this one read them)."""


@dataclass(frozen=True)
class FactoryContext:
    """Everything a factory may use. `credentials`: the clinic's decrypted EHR credentials (never log
    them). `options`: non-secret settings (office id, calendar ids, visit lengths). `http`: an httpx
    client whose transport already retries (ehr/http_retry.py); adapters send every request through
    it. `credentials_sink`: where changed credentials go. `now`: the app's clock (aware)."""
    clinic: ClinicRef
    credentials: Mapping[str, Any]
    options: Mapping[str, Any]                 # the clinic's non-secret EHR options (clinic file `ehr_options`)
    business_hours: Mapping[str, Any]          # the clinic's week, clinic-file shape
    http: httpx.AsyncClient
    credentials_sink: CredentialsSink
    now: Callable[[], datetime]
    settings: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)


AdapterFactory = Callable[[FactoryContext], EHRAdapter | Awaitable[EHRAdapter]]
