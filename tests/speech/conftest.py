"""Speech tests need no database or Redis."""
from __future__ import annotations

import pytest

from .helpers import ROSTER
from channels.voice.speech.grammar import ClinicVocabulary


@pytest.fixture(scope="session")
def recognizer():
    from channels.voice.speech.recognizer import GrammarRecognizer
    return GrammarRecognizer(ClinicVocabulary(ROSTER, ["Maria Lopez"]))
