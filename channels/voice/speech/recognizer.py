"""Grammar-constrained speech recognition with pocketsphinx (offline; model ships in the wheel).

One ``GrammarRecognizer`` per clinic: all question grammars are added to one decoder at start-up
and switched with ``activate_search`` (microseconds). Each utterance (cut by the VAD) is decoded in
one ``process_raw(..., full_utt=True)`` call.

Off-topic rejection compares two decodes of the same utterance: the question's grammar (wide
beams, so the grammar's best sentence is found) and a free loop over ~160 frequent English words
(and/or the 39 phones). Off-topic speech is explained much better by the loop than by the forced
grammar sentence; an answer is not. The answer is accepted when the loop's score beats the
grammar's by no more than a per-question margin, calibrated on voices and sentences that are not
in the reported test (bench/asr_eval.py --calibrate). A rejected but complete grammar sentence is
returned as ``guess``: the call may ask "Did you say ...?" (channels/voice/guess.py).
Decoding the two separately beat one search with a weighted garbage alternative
(``/1/ <question> | /W/ <garbage>``, used before 2026-11-26) by ~20 points of correct answers at
the same off-topic acceptance: in the joint search the beam prunes grammar paths that the loop
momentarily out-scores.

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

# How much better (log-score units, base 1.0001) the free word loop may explain an utterance than
# the question's best grammar sentence, and the answer still be accepted. Calibrated with
# bench/asr_eval.py --calibrate (voices en-us+m1/en-us+f2 through the phone path, 60 off-topic
# sentences, none of them in the reported test): the most lenient margin that accepts at most 5%
# of the off-topic utterances. Larger = more lenient. 'reason' has no test set and borrows
# yes_no's.
DEFAULT_REJECT_MARGINS: dict[str, float] = {
    "opening": 918.0, "provider": 748.0, "date": 1003.0, "time": 530.0, "yes_no": 393.0,
    "choice": 262.0, "name": 1072.0, "reason": 393.0,
}


@dataclass
class Recognition:
    text: str                       # the grammar words heard ('' when rejected / nothing heard)
    accepted: bool                  # False: off-topic (the free loop won) or nothing recognised
    question: str
    confidence: float = 0.0
    escape: str | None = None       # 'human' | 'repeat' | 'goodbye' when an escape phrase was heard
    guess: str = ""                 # not accepted, but the closest grammar sentence: ask "Did you say ...?"
    raw: str = ""                   # the grammar decoder's hypothesis (debugging only)
    reason: str = ""                # why not accepted: 'garbage' | 'partial' | 'silence' | ''
    margin: float | None = None     # loop score - grammar score (None: no loop decode)
    decode_ms: float = 0.0
    audio_ms: float = 0.0
    heard_by: tuple[str, ...] = ()  # set by the combined recogniser: 'grammar' and/or 'whisper' (combined.py)


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
    garbage: str = "words"                    # free loop: 'phones' | 'words' | 'both' | 'none'
    reject_margins: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_REJECT_MARGINS))
    dither_lsb: float = 64.0                  # RMS of the fixed-seed band-limited noise (LSB)
    beam: float = 1e-80                       # grammar search: wide, so its best sentence is found
    wbeam: float = 1e-60
    pbeam: float = 1e-80
    loop_beam: float = 1e-48                  # free loop search: pocketsphinx's defaults
    loop_wbeam: float = 7e-29
    maxhmmpf: int = 30000                     # max active HMMs per frame (pocketsphinx default)
    maxwpf: int = -1                          # max distinct words per frame (-1: no limit)
    bestpath: bool = False                    # lattice rescoring: seconds with a word loop
    decoder_options: dict[str, object] = field(default_factory=dict)   # other pocketsphinx options
    # Rejected answers to these questions return their grammar sentence as a guess, to be
    # confirmed with the caller ("Did you say next Tuesday?").
    guess_questions: tuple[str, ...] = ("provider", "date", "time", "choice", "name")


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
        self._loop = None
        if garbage_tokens:
            self._loop = Decoder(config(self.config.loop_beam, self.config.loop_wbeam,
                                        self.config.loop_beam))
            self._loop.add_jsgf_string("loop", f"#JSGF V1.0;\ngrammar loop;\npublic <loop> = "
                                       f"{SIL_WORD} ({' | '.join(garbage_tokens)})+ {SIL_WORD};\n")
            self._loop.activate_search("loop")
        os.unlink(self._dict_path)
        self.load_ms = (time.perf_counter() - t0) * 1000
        self._rng_seed = 1234
        self._noise: np.ndarray | None = None

    @property
    def questions(self) -> tuple[str, ...]:
        return QUESTION_TYPES

    def _wrap(self, q: str, jsgf: str) -> str:
        """Anchor the question grammar between two required silence words. Without the anchors, a
        grammar that starts with an optional word ("[how about] ...") lets pocketsphinx's FSG
        search skip the start state's silence loop, and the leading pre-roll silence is forced
        into a word ("this", "the")."""
        body = jsgf.replace(f"public <{q}> =", f"<{q}_main> =", 1)
        return body + f"public <{q}> = {SIL_WORD} <{q}_main> {SIL_WORD};\n"

    def set_margin(self, question: str, margin: float | None) -> None:
        """Change one question's rejection margin (None: accept every complete grammar sentence)."""
        self.config.reject_margins[question] = margin  # type: ignore[assignment]

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
            raw, score = self._run(self._decoder, question, pcm)
            text = " ".join(t for t in raw.split() if t != SIL_WORD)
            # a partial path (no grammar end state reached) is not an answer
            complete = bool(text) and self._matchers[question].matches(text)
            margin = None
            if complete and self._loop is not None and score is not None:
                _, loop_score = self._run(self._loop, "loop", pcm)
                if loop_score is not None:
                    margin = loop_score - score
            decode_ms = (time.perf_counter() - t0) * 1000
        limit = self.config.reject_margins.get(question)
        accepted = complete and (margin is None or limit is None or margin <= limit)
        escape = detect_escape(text) if complete else None
        guess = text if (complete and not accepted and not escape
                         and question in self.config.guess_questions) else ""
        why = "" if accepted else ("garbage" if complete else ("partial" if text else "silence"))
        return Recognition(text=text if accepted else "", accepted=accepted, question=question,
                           reason=why, guess=guess, margin=margin,
                           confidence=_confidence(margin, limit) if accepted else 0.0,
                           escape=escape if accepted else None,
                           raw=raw, decode_ms=decode_ms, audio_ms=audio_ms)

    @staticmethod
    def _run(decoder, search: str, pcm: bytes) -> tuple[str, float | None]:
        """(hypothesis, path score in log units) of one whole-utterance decode."""
        if decoder.current_search() != search:
            decoder.activate_search(search)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        if not hyp:
            return "", None
        score = decoder.logmath.log(hyp.score) if hyp.score > 0 else None
        return hyp.hypstr or "", score


def _confidence(margin: float | None, limit: float | None) -> float:
    """0.5 at the rejection margin, towards 1.0 as the grammar explains the audio better."""
    if margin is None or limit is None:
        return 1.0
    return float(1.0 / (1.0 + np.exp((margin - limit) / 300.0)))
