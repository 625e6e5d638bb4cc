"""Audio helpers and the demo roster for the speech tests (no database needed)."""
from __future__ import annotations

from pathlib import Path

from channels.voice.speech.codec import MULAW_SILENCE, split_frames
from channels.voice.speech.protocols import Final
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


async def collect(stt, until_final: int = 1) -> list:
    """A started SpeechToText's events up to its `until_final`-th Final."""
    out = []
    async for ev in stt.events():
        out.append(ev)
        if sum(isinstance(e, Final) for e in out) >= until_final:
            break
    return out


async def say_and_hear(stt, name: str) -> Final:
    """Feed one clip between silences to a started SpeechToText; its Final."""
    for frame in split_frames(silence(300) + clip(name) + silence(900)):
        await stt.send_audio(frame)
    return (await collect(stt))[-1]
