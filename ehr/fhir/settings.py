"""A clinic's FHIR EHR configuration: endpoints, the registered client, and the roster it may book.

Vendors make scheduling available per practitioner: the health system decides which
Practitioner ids (and their schedules) a third-party app may see and book (Oracle Health says so
in its Appointment and Slot documentation; Epic organisations configure the same in their
scheduling build). That list, with what FHIR does not say about a practitioner (visit length,
whether new patients are accepted), is this configuration's `providers`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ehr.bearer import SigningKey


@dataclass(frozen=True)
class RosterEntry:
    practitioner_id: str
    specialty: str | None = None
    duration_minutes: int = 30
    accepting_new_patients: bool = True

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "RosterEntry":
        return cls(practitioner_id=str(raw["practitioner_id"]), specialty=raw.get("specialty"),
                   duration_minutes=int(raw.get("duration_minutes", 30)),
                   accepting_new_patients=bool(raw.get("accepting_new_patients", True)))


@dataclass(frozen=True)
class FhirSettings:
    base_url: str                 # the FHIR R4 base, e.g. https://fhir.example-hospital.org/api/FHIR/R4
    token_url: str                # the SMART token endpoint (from .well-known/smart-configuration)
    client_id: str                # the registered backend app's client id
    key: SigningKey | None        # the private key whose public JWK the vendor holds, and its kid
    scope: str                    # system/... scopes, space-separated
    roster: tuple[RosterEntry, ...]
    lead_minutes: int = 60        # nothing is offered sooner than this after now
    client_secret: str | None = None   # Oracle Health system accounts without a key pair (HTTP Basic)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], default_scope: str) -> "FhirSettings":
        """From the clinic's (decrypted) EHR configuration; KeyError/ValueError when incomplete."""
        roster = tuple(RosterEntry.of(p) for p in config.get("providers") or ())
        if not roster:
            raise ValueError("the EHR configuration lists no providers")
        pem, secret = config.get("private_key_pem"), config.get("client_secret")
        if not pem and not secret:
            raise ValueError("the EHR credentials hold neither a private key nor a client secret")
        return cls(base_url=str(config["base_url"]), token_url=str(config["token_url"]),
                   client_id=str(config["client_id"]),
                   key=SigningKey(str(pem), config.get("kid")) if pem else None,
                   scope=str(config.get("scope") or default_scope), roster=roster,
                   lead_minutes=int(config.get("lead_minutes", 60)), client_secret=str(secret) if secret else None)
