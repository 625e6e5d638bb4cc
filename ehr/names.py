"""Patient identification (built-in calendar and adapters alike): last name + date of birth, then confirm.

Names are compared "folded": case- and accent-insensitive, with apostrophes, hyphens, dots and
spaces ignored in the fallback ("nunez" finds "Núñez", "oconnor" and "O Connor" find "O'Connor").
The exact fold (`fold_name(last_name)`) uses the `patients_identify` index; the compact fold is only
tried when the exact one finds nobody, and is then limited to the clinic and the date of birth.
"""
from __future__ import annotations

import unicodedata

from ehr.phones import normalize_phone

# Removed by the compact fold, in SQL and in Python alike.
SEPARATORS = " \t'’‘ʼ`´.-_,"
_SQL_STRIP = "[[:space:]'’‘ʼ`´.,_-]+"


def fold(name: str | None) -> str:
    """Python twin of SQL fold_name(): lower-case, accents removed."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def compact(name: str | None) -> str:
    return "".join(ch for ch in fold(name) if ch not in SEPARATORS)


def sql_compact(expr: str) -> str:
    """The compact fold as an SQL expression over `expr`."""
    pattern = _SQL_STRIP.replace("'", "''")
    return f"regexp_replace(fold_name({expr}), '{pattern}', '', 'g')"


def same_phone(a: str | None, b: str | None) -> bool:
    na, nb = normalize_phone(a), normalize_phone(b)
    return na is not None and na == nb
