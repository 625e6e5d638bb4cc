"""Phone numbers from typed or spoken text -> E.164, via ``phonenumbers`` (default region US).

Typed numbers are found by ``phonenumbers.PhoneNumberMatcher``; spoken ones ("five five
five, one two three, four five six seven", "double five") are turned to digits first.
A number is accepted when ``phonenumbers`` calls it valid, or, for NANP numbers, when it
is possible and its area code and exchange start with 2-9 (fictional 555 numbers pass).
"""

from __future__ import annotations

import re
from typing import Optional

import phonenumbers

from .numbers import words_to_digits

_DIGITISH = re.compile(r"\d|\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)\b")
_PLUS_RE = re.compile(r"\+\s*\d")


def _acceptable(num: phonenumbers.PhoneNumber) -> bool:
    if phonenumbers.is_valid_number(num):
        return True
    if num.country_code == 1 and phonenumbers.is_possible_number(num):
        nat = str(num.national_number)
        return len(nat) == 10 and nat[0] in "23456789" and nat[3] in "23456789"
    return False


def _fmt(num: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def extract_phone(text: str, region: str = "US", spoken: bool = False) -> Optional[str]:
    """E.164 string for the phone number in ``text``, or None.

    ``spoken=True`` (the agent asked for a phone number) also reads number words.
    """
    if len(_DIGITISH.findall(text.lower())) < 7:
        return None
    try:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if _acceptable(match.number):
                return _fmt(match.number)
    except Exception:  # pragma: no cover - the library never should, but input is untrusted
        pass
    digits = words_to_digits(text) if spoken or re.search(r"[a-z]", text.lower()) else re.sub(r"\D", "", text)
    if not 10 <= len(digits) <= 15:
        return None
    cand = ("+" + digits) if _PLUS_RE.search(text) or (len(digits) == 11 and digits[0] == "1") else digits
    if len(digits) == 11 and digits[0] == "1":
        cand = "+" + digits
    try:
        num = phonenumbers.parse(cand, region)
    except phonenumbers.NumberParseException:
        return None
    return _fmt(num) if _acceptable(num) else None
