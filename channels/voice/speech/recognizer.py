"""Grammar-constrained speech recognition with pocketsphinx (offline; model ships in the wheel).

One ``GrammarRecognizer`` per clinic: all question grammars are added to one decoder at start-up
and switched with ``activate_search`` (microseconds). Each utterance (cut by the VAD) is decoded in
one ``process_raw(..., full_utt=True)`` call.

Off-topic rejection: every grammar is wrapped as ``/1/ <question> | /W/ <garbage>`` where the
garbage rule is a loop over phones and common words. Off-topic speech is then better explained by
the (heavily penalised) loop than by forcing it into the grammar; W is calibrated per question
type (bench/asr_eval.py --calibrate).

Digital silence (exact zeros: espeak-ng pads with them, Twilio sends 0xFF frames) breaks the
MFCC front end (log of zero energy) and truncated or emptied results in tests here; a fixed-seed
telephone-band noise floor (~-54 dBFS, like a real line) is added before decoding, so results are
deterministic; measured on the benchmark, it beat no dither, +/-2 LSB white dither and pink noise.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .codec import resample
from .grammar import (QUESTION_TYPES, ClinicVocabulary, GrammarMatcher, build_grammars,
                      grammar_words, spoken_words)
from .lexicon import cmudict, model_dir, pronunciations, write_dictionary

SIL_WORD = "sil_"     # a dictionary word made of the SIL phone (silence anchor)

PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
          "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T",
          "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH")

# Frequent words of everyday off-topic speech (not tuned to the benchmark's sentences).
GARBAGE_WORDS = (
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from",
    "is", "are", "was", "were", "be", "been", "it", "this", "that", "there", "here", "what",
    "who", "how", "why", "where", "which", "do", "does", "did", "have", "has", "had", "can",
    "will", "would", "should", "i", "you", "he", "she", "we", "they", "me", "my", "your", "our",
    "their", "his", "her", "not", "so", "if", "about", "up", "out", "get", "go", "going", "know",
    "think", "make", "take", "see", "come", "want", "look", "use", "find", "give", "tell", "say",
    "work", "call", "try", "need", "feel", "good", "new", "old", "big", "little", "long",
    "great", "time", "year", "people", "way", "day", "man", "woman", "thing", "life", "world",
    "house", "car", "dog", "cat", "food", "water", "money", "game", "music", "song", "movie",
    "phone", "news", "weather", "school", "book", "store", "city", "really", "just", "very",
    "all", "some", "more", "most", "other", "much", "many", "now", "then", "when", "well",
    "still", "also", "because", "like", "love", "play", "buy", "eat", "watch", "read", "turn",
    "open", "show", "send", "order", "pizza", "coffee", "lights", "ticket", "score", "team",
)

# Garbage-branch weights per question type, calibrated with bench/asr_eval.py --calibrate
# (voices en-us+m1/en-us+f2 through the phone path, 20 calibration off-topic sentences, none of
# them in the reported test). Larger = more rejection. Chosen for <= ~10% off-topic accepted on
# the calibration set; one order of magnitude smaller typically lets 25-50% through, one larger
# rejects a third of the real answers. 'reason' has no test set and borrows yes_no's value.
DEFAULT_GARBAGE_WEIGHTS: dict[str, float] = {
    "opening": 1e-24, "provider": 1e-24, "date": 1e-15, "time": 1e-20, "yes_no": 1e-24,
    "choice": 1e-24, "name": 1e-23, "reason": 1e-24,
}


@dataclass
class Recognition:
    text: str                       # the grammar words heard ('' when rejected / nothing heard)
    accepted: bool                  # False: off-topic (garbage won) or nothing recognised
    question: str
    confidence: float = 0.0
    escape: str | None = None       # 'human' | 'repeat' | 'goodbye' when an escape phrase was heard
    guess: str = ""                 # not accepted, but the closest grammar sentence: ask "Did you say ...?"
    raw: str = ""                   # decoder hypothesis incl. garbage tokens (debugging only)
    reason: str = ""                # why not accepted: 'garbage' | 'partial' | 'silence' | ''
    decode_ms: float = 0.0
    audio_ms: float = 0.0


def _peak_frame_rms(pcm16k: bytes) -> float:
    x = np.frombuffer(pcm16k, dtype="<i2")
    n = x.size // 320 * 320
    if n == 0:
        return 0.0
    frames = x[:n].astype(np.float64).reshape(-1, 320)
    return float(np.sqrt((frames * frames).mean(axis=1)).max())


def detect_escape(text: str) -> str | None:
    t = f" {text} "
    if any(w in t for w in (" person ", " someone ", " somebody ", " human ", " front desk ",
                            " representative ", " receptionist ", " operator ", " nurse ")):
        return "human"
    if " repeat " in t or " say that again " in t or " what did you say " in t:
        return "repeat"
    if t.strip() in ("goodbye", "bye", "bye bye"):
        return "goodbye"
    return None


@dataclass
class RecognizerConfig:
    garbage: str = "words"                    # 'phones' | 'words' | 'both' | 'none'
    garbage_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GARBAGE_WEIGHTS))
    dither_lsb: float = 64.0                  # RMS of the fixed-seed band-limited noise (LSB)
    beam: float = 1e-48
    wbeam: float = 7e-29
    pbeam: float = 1e-48
    maxhmmpf: int = 30000                     # max active HMMs per frame (pocketsphinx default)
    maxwpf: int = -1                          # max distinct words per frame (-1: no limit)
    bestpath: bool = False                    # lattice rescoring: seconds with a garbage loop
    decoder_options: dict[str, object] = field(default_factory=dict)   # other pocketsphinx options
    # Second pass for rejected answers to these questions: the grammar alone, wide beams (~100 ms).
    # Its sentence is only a guess, to be confirmed with the caller ("Did you say next Tuesday?").
    guess_questions: tuple[str, ...] = ("provider", "date", "time", "choice")
    guess_beam: float = 1e-80
    guess_wbeam: float = 1e-60


class GrammarRecognizer:
    """Loads a clinic's grammars once; ``decode`` is thread-safe (one decoder, one lock)."""

    def __init__(self, vocab: ClinicVocabulary, config: RecognizerConfig | None = None) -> None:
        from pocketsphinx import Config, Decoder

        self.vocab = vocab
        self.config = config or RecognizerConfig()
        self.grammars = build_grammars(vocab)
        self._matchers = {q: GrammarMatcher(g) for q, g in self.grammars.items()}
        self._lock = threading.Lock()
        t0 = time.perf_counter()

        names = set()
        for p in vocab.providers:
            names.update(spoken_words(p.name))
        for n in vocab.patient_names:
            names.update(spoken_words(n))

        entries: dict[str, list[str]] = {}
        missing: list[str] = []
        for jsgf in self.grammars.values():
            for w in grammar_words(jsgf):
                if w in entries:
                    continue
                prons = pronunciations(w, add_espeak=w in names)
                if prons:
                    entries[w] = prons
                else:
                    missing.append(w)
        if missing:
            raise ValueError(f"no pronunciation for grammar words: {sorted(missing)}")
        garbage_tokens: list[str] = []
        if self.config.garbage in ("phones", "both"):
            for ph in PHONES:
                entries[f"ph_{ph.lower()}"] = [ph]
                garbage_tokens.append(f"ph_{ph.lower()}")
        if self.config.garbage in ("words", "both"):
            cmu = cmudict()
            for w in GARBAGE_WORDS:
                if w in cmu:
                    entries[f"g_{w}"] = list(cmu[w])
                    garbage_tokens.append(f"g_{w}")
        self._garbage_tokens = garbage_tokens
        entries[SIL_WORD] = ["SIL"]

        fd, self._dict_path = tempfile.mkstemp(prefix="clinic-", suffix=".dict")
        os.close(fd)
        write_dictionary(self._dict_path, entries)
        options = dict(self.config.decoder_options)
        hmm = options.pop("hmm", os.path.join(model_dir(), "en-us"))
        def config(beam: float, wbeam: float, pbeam: float) -> Config:
            return Config(hmm=hmm, dict=self._dict_path, lm=None, loglevel="ERROR", beam=beam,
                          wbeam=wbeam, pbeam=pbeam, maxhmmpf=self.config.maxhmmpf,
                          maxwpf=self.config.maxwpf, bestpath=self.config.bestpath, **options)

        self._decoder = Decoder(config(self.config.beam, self.config.wbeam, self.config.pbeam))
        for q in QUESTION_TYPES:
            self._decoder.add_jsgf_string(q, self._wrap(q, self.grammars[q]))
        self._decoder.activate_search("opening")
        self._guesser = None
        if self.config.guess_questions:
            self._guesser = Decoder(config(self.config.guess_beam, self.config.guess_wbeam,
                                                 self.config.guess_beam))
            for q in self.config.guess_questions:
                self._guesser.add_jsgf_string(q, self._wrap(q, self.grammars[q], garbage=False))
            self._guesser.activate_search(self.config.guess_questions[0])
        os.unlink(self._dict_path)
        self.load_ms = (time.perf_counter() - t0) * 1000
        self._rng_seed = 1234
        self._noise: np.ndarray | None = None

    @property
    def questions(self) -> tuple[str, ...]:
        return QUESTION_TYPES

    def _wrap(self, q: str, jsgf: str, garbage: bool = True) -> str:
        """Anchor the question grammar between two required silence words, with the garbage
        alternative in between. Without the anchors, a grammar that starts with an optional
        word ("[how about] ...") lets pocketsphinx's FSG search skip the start state's silence
        loop, and the leading pre-roll silence is forced into a word ("this", "the")."""
        body = jsgf.replace(f"public <{q}> =", f"<{q}_main> =", 1)
        weight = self.config.garbage_weights.get(q)
        if garbage and self._garbage_tokens and weight:
            inner = f"/1/ <{q}_main> | /{weight:.3g}/ <garbage>"
            body += "<garbage> = (" + " | ".join(self._garbage_tokens) + ")+;\n"
        else:
            inner = f"<{q}_main>"
        return body + f"public <{q}> = {SIL_WORD} ({inner}) {SIL_WORD};\n"

    def set_garbage_weight(self, question: str, weight: float | None) -> None:
        """Re-add one question's grammar with a new garbage weight (~1 ms; for calibration)."""
        with self._lock:
            self.config.garbage_weights[question] = weight  # type: ignore[assignment]
            if self._decoder.current_search() == question:   # replacing the active search crashes
                self._decoder.activate_search(next(q for q in QUESTION_TYPES if q != question))
            self._decoder.add_jsgf_string(question, self._wrap(question, self.grammars[question]))

    def _dither(self, pcm16k: bytes) -> bytes:
        x = np.frombuffer(pcm16k, dtype="<i2")
        if self.config.dither_lsb <= 0:
            return pcm16k
        if self._noise is None or self._noise.size < x.size:
            # telephone-band (< 4 kHz) noise: white noise made at 8 kHz, upsampled. Wide-band
            # white noise in pauses is heard as a fricative ("eighth", "the"); this is not.
            rng = np.random.default_rng(self._rng_seed)
            n8 = rng.standard_normal(max(x.size, 16000 * 20) // 2 + 1)
            self._noise = resample(n8, 8000, 16000) * self.config.dither_lsb
        y = x.astype(np.float64) + self._noise[: x.size]
        return np.clip(np.rint(y), -32768, 32767).astype("<i2").tobytes()

    def decode(self, pcm16k: bytes, question: str) -> Recognition:
        """Decode one whole utterance (16 kHz, 16-bit mono PCM) with the question's grammar."""
        if question not in self.grammars:
            raise ValueError(f"unknown question type {question!r}; one of {QUESTION_TYPES}")
        audio_ms = len(pcm16k) / 32.0
        if len(pcm16k) < 3200 or _peak_frame_rms(pcm16k) < 100:   # < 100 ms, or no voice
            return Recognition("", False, question, audio_ms=audio_ms, reason="silence")
        pcm = self._dither(pcm16k)
        with self._lock:
            t0 = time.perf_counter()
            raw = self._run(self._decoder, question, pcm)
            tokens = [t for t in raw.split() if t != SIL_WORD]
            garbage = any(t.startswith(("ph_", "g_")) for t in tokens)
            text = "" if garbage else " ".join(tokens)
            # a partial path (no grammar end state reached) is not an answer
            accepted = bool(text) and self._matchers[question].matches(text)
            prob = float(self._decoder.hyp().prob) if accepted else 0.0
            guess = ""
            if not accepted and self._guesser is not None and question in self.config.guess_questions:
                second = " ".join(t for t in self._run(self._guesser, question, pcm).split()
                                  if t != SIL_WORD)
                if second and self._matchers[question].matches(second) and not detect_escape(second):
                    guess = second
            decode_ms = (time.perf_counter() - t0) * 1000
        confidence = prob if accepted and 0.0 <= prob <= 1.0 else (1.0 if accepted else 0.0)
        why = "" if accepted else ("garbage" if garbage else ("partial" if text else "silence"))
        return Recognition(text=text if accepted else "", accepted=accepted, question=question,
                           reason=why, guess=guess,
                           confidence=confidence, escape=detect_escape(text) if accepted else None,
                           raw=raw, decode_ms=decode_ms, audio_ms=audio_ms)

    @staticmethod
    def _run(decoder, question: str, pcm: bytes) -> str:
        if decoder.current_search() != question:
            decoder.activate_search(question)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return (hyp.hypstr if hyp else "") or ""
