"""The crisis classifier: small heads over MiniLM sentence embeddings, shipped as one versioned file.

The rules catch explicit phrases; this catches paraphrase ("which way of dying hurts least"). The
heads (a logistic regression and two one-layer perceptrons, averaged) read the embedding and the
rules' cues beside it (`crisis_features.py`: history, resolution, third party, idiom...); P(crisis) is their
average with a lexical member's (`crisis_lexical.py`), which weighs the framing words an embedding blurs. They were trained by
`bench/train_crisis_head.py` from the labelled sets in `fixtures/safety/` and live in
`safety/crisis_head.npz` with the SHA-256 of every file they were trained on, so a change to the
data without a rebuild is caught by a test. Inference is numpy: no scikit-learn at run time.

`load(required=...)` is called once at start-up. When the weights are missing or not the pinned
ones, production refuses to start (`ModelFilesError` names the package); elsewhere the detector
runs on its rules alone, logs one warning and `/health/detailed` reports it degraded.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from safety.crisis_features import CUES_VERSION, with_cues
from safety.crisis_lexical import LexicalHead
from safety.embeddings import ModelFilesError, SentenceEncoder

log = logging.getLogger("safety.crisis_model")
HEAD_FILE = Path(__file__).with_name("crisis_head.npz")
NEGATIVE = "negative"
ALSO_MIN = 0.2


@dataclass(frozen=True)
class Prediction:
    crisis: float           # P(any crisis or emergency): the heads' average, with the lexical member's
    category: str           # the most likely crisis category (even when `crisis` is low)
    urgent: float           # P(needs a person now | crisis)
    also: tuple[str, ...] = ()   # other categories at least ALSO_MIN likely (an overdose: poisoning and self-harm)
    support: float = 1.0    # mean cosine of the 3 most similar crisis messages it was trained on


@dataclass(frozen=True)
class Thresholds:
    alone: float            # a message no rule caught is flagged at or above this
    support: float          # ... and only if it resembles crises it was taught at least this much
    this_turn: float        # across turns: the newest message must score at least this itself
    urgent: float           # a model-only hit is HIGH (a person now) at or above this
    veto: float = 0.0       # a rule's hit on a message the classifier scores below this is not a crisis
                            # (a school project on overdose rates, a neighbour's chest pain yesterday)
    veto_weak: float | None = None  # the same for a hit by a trigger word only, no explicit phrase
                            # (`crisis_rules.EXPLICIT`): "I'm in a play where my character attempts suicide"
    alone_sure: float = 1.01    # a score this high is flagged with less resemblance to taught crises ...
    support_sure: float = 1.0   # ... this much ("hoping my heart just stops" is far from every example)

    def model_fires(self, crisis: float, support: float) -> bool:
        """Does the classifier alone flag a message (no rule hit)?"""
        return (crisis >= self.alone and support >= self.support) or \
            (crisis >= self.alone_sure and support >= self.support_sure)


class Head:
    """Averaged softmax heads; each is a list of dense layers with ReLU between them."""

    def __init__(self, path: Path = HEAD_FILE) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(str(data["meta"]))
            self.classes: list[str] = [str(c) for c in data["classes"]]
            self.members = [[(data[f"m{m}_W{i}"], data[f"m{m}_b{i}"]) for i in range(self.meta["layers"][m])]
                            for m in range(len(self.meta["layers"]))]
            self.urgent_W, self.urgent_b = data["urgent_W"], data["urgent_b"]
            self.positives = data["positives"].astype(np.float32)
            self.lexical = LexicalHead.from_arrays(data)
        self.embedding_weight = float(self.meta.get("embedding_weight", 1.0))  # the embedding heads' share of P(crisis)
        features = self.meta.get("features")
        if features not in (None, CUES_VERSION):     # a head trained on other cues would read garbage
            raise ValueError(f"crisis head expects features {features!r}, this code computes {CUES_VERSION!r}")
        self.cues = features == CUES_VERSION
        t = self.meta["thresholds"]
        self.thresholds = Thresholds(t["alone"], t["support"], t["this_turn"], t["urgent"], t.get("veto", 0.0),
                                     t.get("veto_weak"), t.get("alone_sure", 1.01), t.get("support_sure", 1.0))
        self._neg = self.classes.index(NEGATIVE)

    def predict(self, x: np.ndarray, texts: Sequence[str] = ()) -> list[Prediction]:
        """``x``: the texts' embeddings; ``texts``: the texts as the classifier reads them (for the cues)."""
        features = with_cues(x, list(texts)) if self.cues else x
        probs = np.mean([_forward(layers, features) for layers in self.members], axis=0)
        urgent = 1.0 / (1.0 + np.exp(-(x @ self.urgent_W + self.urgent_b)))
        support = support_of(x, self.positives)
        crisis = 1.0 - probs[:, self._neg]
        if self.lexical is not None and len(texts) == len(crisis):
            crisis = self.embedding_weight * crisis + (1.0 - self.embedding_weight) * self.lexical.predict(texts)
        out = []
        for p, c, u, s in zip(probs, crisis, urgent.reshape(-1), support):
            ranked = [i for i in np.argsort(-p) if i != self._neg]
            also = tuple(self.classes[i] for i in ranked[1:] if p[i] >= ALSO_MIN)
            out.append(Prediction(float(c), self.classes[ranked[0]], float(u), also, float(s)))
        return out


def support_of(x: np.ndarray, positives: np.ndarray, k: int = 3) -> np.ndarray:
    """How much each message resembles the crises the heads were taught: far from all of them
    ("That's great."), a head's score is extrapolation, not evidence."""
    # One message at a time (the service): numpy's own loop, not BLAS. A BLAS product this size starts
    # BLAS's threads, which stay spinning and fight onnxruntime's encoder for the 2 cores: a message
    # took 3x longer. Batches (training) keep BLAS.
    sims = np.einsum("ij,kj->ik", x, positives, optimize=False) if len(x) <= 8 else x @ positives.T
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def _forward(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    h = x
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    h = h - h.max(axis=1, keepdims=True)
    e = np.exp(h)
    return e / e.sum(axis=1, keepdims=True)


class CrisisModel:
    def __init__(self, encoder: SentenceEncoder, head: Head) -> None:
        self.encoder, self.head = encoder, head

    @property
    def thresholds(self) -> Thresholds:
        return self.head.thresholds

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        texts = list(texts)
        return self.head.predict(self.encoder.encode(texts), texts)


@dataclass(frozen=True)
class ModelState:
    model: CrisisModel | None
    problem: str | None = None      # why the detector runs on rules alone


_state: ModelState | None = None
_lock = threading.Lock()


def load(*, required: bool = False) -> ModelState:
    """Load the encoder and head once per process. ``required`` (production): a missing or altered
    weight file raises `ModelFilesError` instead of degrading to rules alone."""
    global _state
    with _lock:
        if _state is None or (required and _state.model is None):
            try:
                _state = ModelState(CrisisModel(SentenceEncoder(), Head(HEAD_FILE)))
            except Exception as exc:       # a damaged head file (EOFError, BadZipFile) degrades the same way
                if required:
                    raise ModelFilesError(f"crisis classifier unavailable: {exc}") from exc
                log.warning("crisis classifier unavailable, detecting crises with rules alone: %s", exc,
                            extra={"event": "crisis_model_degraded"})
                _state = ModelState(None, str(exc))
        return _state


def current() -> ModelState:
    """The loaded state (loading it now if start-up did not)."""
    return _state if _state is not None else load()
