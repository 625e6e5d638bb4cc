"""The intent classifier: a softmax head over MiniLM sentence embeddings, shipped as one small file.

The rules know the phrasings they were written for; everyday rewordings ("remind me when I'm seeing
the doctor", "how late are you guys there") fall outside them. This head, trained by
`bench/train_intent_head.py` on the labelled first messages of `fixtures/nlu/` plus CLINC150's
train split (out-of-scope requests, calendar and restaurant requests, dialogue control; CC BY 3.0),
scores a message against the clinic's intents, `out_of_scope`, and `reply` (an answer or a dialogue
move such as "yes" or "can you repeat that", left to the rules). `EmbeddedUnderstanding` combines it
with the rules (docs/nlu.md, "The classifier").

The encoder is not built here: the composition root passes the one the safety package already
loaded (all-MiniLM-L6-v2, int8 ONNX, SHA-256 checked), so the process holds one copy. Inference is
numpy: no scikit-learn or torch on the request path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Protocol, Sequence

import numpy as np

HEAD_FILE = Path(__file__).with_name("intent_head.npz")
OUT_OF_SCOPE = "out_of_scope"
REPLY = "reply"          # an answer to a question or a dialogue move: the rules read it


class Encoder(Protocol):
    """What the classifier needs of the sentence encoder (safety.embeddings.SentenceEncoder)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class IntentScores:
    """The head's reading of one message."""

    label: str                  # the most likely class: an intent value, "information/<topic>", "reply", ...
    p: float                    # its probability
    p_out_of_scope: float       # probability of out_of_scope (the veto reads this)
    request: str = ""           # the most likely class other than `reply`: what a new request asks for
    p_request: float = 0.0      # its probability

    @property
    def intent(self) -> str:
        """The intent part of the label ("information/hours" -> "information")."""
        return self.label.split("/", 1)[0]

    @property
    def info_topic(self) -> Optional[str]:
        return self.label.split("/", 1)[1] if "/" in self.label else None


@dataclass(frozen=True)
class Thresholds:
    adopt: float        # while a question is open: the head's intent is taken where the rules are unsure at this
    override: float     # ... and over the rules' own intent at or above this
    veto: float         # a slot-bearing answer with no clinic word is read as off-topic at or above this
    # With no question open (a first message, or a new request between flows): the head's reading is
    # taken over the rules' when at least this likely, by the rules' reading ("scheduling",
    # "scheduling+slots" when the message names a day, time or provider, "out_of_scope", ...).
    # Chosen by cross-validation (bench/intent_cv.py); a reading not in the table keeps the rules'.
    over: Mapping[str, float] = field(default_factory=dict)


def scores_of(classes: Sequence[str], p: np.ndarray) -> IntentScores:
    """The reading of one probability vector over ``classes``."""
    k = int(np.argmax(p))
    q = np.array([0.0 if c == REPLY else float(v) for c, v in zip(classes, p)])
    r = int(np.argmax(q))
    return IntentScores(classes[k], float(p[k]), float(p[list(classes).index(OUT_OF_SCOPE)]), classes[r], float(q[r]))


class IntentHead:
    """A linear softmax layer (logistic regression) with its classes and thresholds."""

    def __init__(self, path: Path = HEAD_FILE) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(str(data["meta"]))
            self.classes: list[str] = [str(c) for c in data["classes"]]
            self.W = data["W"].astype(np.float32)
            self.b = data["b"].astype(np.float32)
        t = self.meta["thresholds"]
        self.thresholds = Thresholds(float(t["adopt"]), float(t["override"]), float(t["veto"]),
                                     {str(k): float(v) for k, v in t.get("over", {}).items()})

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(n, classes) probabilities of (n, 384) unit embeddings."""
        # numpy's own loop for one message: a BLAS call would start BLAS threads that fight the
        # encoder's for the cores (see safety/crisis_model.py); batches (training) keep BLAS.
        z = np.einsum("ij,jk->ik", x, self.W, optimize=False) if len(x) <= 8 else x @ self.W
        z = z + self.b
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def scores(self, x: np.ndarray) -> list[IntentScores]:
        return [scores_of(self.classes, p) for p in self.probabilities(x)]


class IntentClassifier:
    """Encoder + head: ``score(text) -> IntentScores``."""

    def __init__(self, encoder: Encoder, head: IntentHead) -> None:
        self.encoder, self.head = encoder, head

    @property
    def thresholds(self) -> Thresholds:
        return self.head.thresholds

    def score(self, text: str) -> IntentScores:
        return self.head.scores(self.encoder.encode([text]))[0]

    def score_many(self, texts: Sequence[str]) -> list[IntentScores]:
        return self.head.scores(self.encoder.encode(list(texts)))
