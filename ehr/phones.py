"""Phone numbers as every EHR adapter and the REST API compare them: E.164."""
from __future__ import annotations

import phonenumbers


def normalize_phone(raw: str | None, region: str = "US") -> str | None:
    """E.164, or None when it is not a plausible number."""
    if not raw or not raw.strip():
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
