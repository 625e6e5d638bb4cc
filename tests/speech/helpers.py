"""Audio helpers and the demo roster for the speech tests (no database needed)."""
from __future__ import annotations

from pathlib import Path

from channels.voice.speech.codec import MULAW_SILENCE
from channels.voice.speech.grammar import ClinicVocabulary, Provider

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "speech"

ROSTER = [
    Provider("Dr. Priya Raman", "Family Medicine"),
    Provider("Dr. Marcus Lee", "Cardiology"),
    Provider("Dr. Ana Oyelaran", "Dermatology"),
    Provider("Dr. Samuel Nwosu", "Pediatrics"),
    Provider("Dr. Emily Chen", "Orthopedics"),
]


def clip(name: str) -> bytes:
    """An espeak-ng utterance already on the phone path: 8 kHz mu-law (fixtures/speech)."""
    return (FIXTURES / f"{name}.ulaw").read_bytes()


def silence(ms: int) -> bytes:
    return bytes([MULAW_SILENCE]) * (8 * ms)


