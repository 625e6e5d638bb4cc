"""An answer to "may I have your name?" is a name, even in lower case.

The name model reads capitals, so "maria garcia" typed at the name question stays in the text the
crisis classifier reads, and with the turn before it ("cancel my appt") it read as a farewell. When
the conversation has just asked for the patient's name and the answer is only a name (an optional
lead-in such as "my name is", then one to five name-like words), the name is replaced like any
other found name. Anything longer is left to the usual checks, so a crisis said at that question is
still read in full.
"""
from __future__ import annotations

import re

PLACEHOLDER = "<PERSON>"
_LEAD_IN = r"(?:(?:hi|hello|hey|yes|yeah|sure|ok|okay)[,.!]?\s+)?(?:(?:my\s+name\s+is|my\s+name's|name\s+is|name's|it\s+is|it's|its|this\s+is|i\s+am|i'm|im)\s+)?"
_NAME_WORD = r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?"
_NAME_ANSWER = re.compile(rf"^\s*(?P<lead>{_LEAD_IN})(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})\s*[.!]?\s*$",
                          re.IGNORECASE)
# words that make an answer something other than a bare name
_NOT_NAMES = frozenset("""
i me my you your we he she they it this that not no don't dont can't cant want wanna need going gonna
die dying dead kill hurt help pills pill gun knife end life live anymore over done goodbye bye sorry
please appointment appt cancel book move doctor dr nurse today tomorrow
""".split())


def redact_name_answer(text: str) -> str:
    """`text` with a bare name answer replaced by <PERSON>; unchanged when it is more than a name."""
    found = _NAME_ANSWER.match(text)
    if not found:
        return text
    words = [w.strip(".'’").lower() for w in found.group("name").split()]
    if any(w in _NOT_NAMES for w in words):
        return text
    return f"{found.group('lead')}{PLACEHOLDER}".strip()
