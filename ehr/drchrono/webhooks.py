"""DrChrono webhooks: the verification handshake and the check of each delivery (no HTTP here; the
route is voice_agent/ehr_webhooks.py).

- Verification: DrChrono sends GET ?msg=...; the answer is {"secret_token": hex HMAC-SHA256 of
  msg keyed with the webhook's secret token}.
- Deliveries are POSTs with `X-drchrono-event`, `X-drchrono-signature` and `X-drchrono-delivery`.
  DrChrono documents the signature header as carrying the webhook's secret token itself; it is
  compared in constant time. An HMAC of the body keyed with the secret is NOT accepted: the
  unauthenticated verification GET answers exactly that MAC for any `msg`, so it would sign forgeries.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Mapping

SCHEDULE_EVENTS = frozenset({"APPOINTMENT_CREATE", "APPOINTMENT_MODIFY", "APPOINTMENT_DELETE"})
MAX_DELIVERY_ID = 200


def verification_answer(secret: str, msg: str) -> dict[str, str]:
    return {"secret_token": hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()}


def signature_ok(secret: str, header: str | None, body: bytes) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(header.strip().encode(), secret.encode())


@dataclass(frozen=True)
class Delivery:
    event: str
    delivery_id: str
    object: Mapping[str, Any]

    @property
    def changes_schedule(self) -> bool:
        return self.event in SCHEDULE_EVENTS


class BadDelivery(ValueError):
    """Not a DrChrono delivery we can read (the message says what is missing)."""


def parse_delivery(headers: Mapping[str, str], body: bytes) -> Delivery:
    event = (headers.get("x-drchrono-event") or "").strip().upper()
    delivery_id = (headers.get("x-drchrono-delivery") or "").strip()
    if not event:
        raise BadDelivery("X-drchrono-event is missing")
    if not delivery_id or len(delivery_id) > MAX_DELIVERY_ID:
        raise BadDelivery("X-drchrono-delivery is missing or too long")
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadDelivery("the body is not JSON") from None
    obj = payload.get("object") if isinstance(payload, dict) else None
    return Delivery(event, delivery_id, obj if isinstance(obj, dict) else {})
