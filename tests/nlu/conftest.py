"""Fixtures for the embedded NLU tests: a context factory over a small roster."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

import pytest
from nlu_test_support import CHICAGO, FRIDAY, ROSTER

from dialogue.nlu import EmbeddedUnderstanding, NLUContext, NLUResult


@pytest.fixture(scope="session")
def nlu() -> EmbeddedUnderstanding:
    return EmbeddedUnderstanding()


@pytest.fixture
def understand(nlu: EmbeddedUnderstanding) -> Callable[..., NLUResult]:
    def _u(text: str, expecting: Optional[str] = None, now: dt.datetime = FRIDAY,
           tz: str = CHICAGO, shown_options: int = 0) -> NLUResult:
        ctx = NLUContext(timezone=tz, now=now, roster=ROSTER, expecting=expecting, shown_options=shown_options)
        return nlu.understand(text, ctx)

    return _u
