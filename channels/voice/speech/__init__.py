"""Embedded (offline) speech for phone calls: mu-law codec, VAD segmentation, grammar ASR with
pocketsphinx, espeak-ng TTS, and the SpeechToText / TextToSpeech protocols. See docs/speech.md."""
from .embedded_stt import EmbeddedSTT, recognizer_for
from .grammar import QUESTION_TYPES, ClinicVocabulary, Provider, build_grammars
from .protocols import (Final, Interim, SpeechContext, SpeechEvent, SpeechStarted, SpeechToText,
                        TextToSpeech)
from .recognizer import GrammarRecognizer, Recognition, RecognizerConfig
from .tts import EspeakTTS
from .vad import SpeechStartedEvent, UtteranceEndedEvent, UtteranceSegmenter

__all__ = [
    "ClinicVocabulary", "EmbeddedSTT", "EspeakTTS", "Final", "GrammarRecognizer", "Interim",
    "Provider", "QUESTION_TYPES", "Recognition", "RecognizerConfig", "SpeechContext",
    "SpeechEvent", "SpeechStarted", "SpeechStartedEvent", "SpeechToText", "TextToSpeech",
    "UtteranceEndedEvent", "UtteranceSegmenter", "build_grammars", "recognizer_for",
]
