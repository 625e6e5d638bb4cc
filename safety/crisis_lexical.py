"""The crisis classifier's lexical member: TF-IDF over words, word pairs and character n-grams, read by
a logistic regression, and averaged with the heads over sentence embeddings (`crisis_model.Head`).

Why: a sentence embedding hears a message's topic more than its framing, and most false alarms left
were a crisis topic named while all is well ("had chest pain in March, cardiology cleared me", "this
rain makes me want to die lmao"). The framing is often in the words themselves ("lol", "cleared",
"years ago", "ya estoy bien"), which a bag of n-grams weighs directly. Out of fold (session 15),
averaged half and half with the embedding heads, hard-negative false alarms at recall 0.95 fell from
4.5 % to 2.7 % (`docs/safety.md`).

The analyzers below are the ones the training used (`bench/crisis_lexical_fit.py` hands them to
scikit-learn), so training and inference cannot drift apart. Inference is plain Python and numpy.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Callable, Mapping, Sequence

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
CHAR_SIZES = (3, 4, 5)


def word_terms(text: str) -> list[str]:
    """Words of two letters or more, and each pair of neighbours."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_terms(text: str) -> list[str]:
    """Character n-grams inside each word padded by a space ("lol" -> " lo", "lol", "ol ", ...)."""
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in CHAR_SIZES:
            if len(padded) <= n:
                out.append(padded)
                break
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"words": word_terms, "chars": char_terms}


class Block:
    """One vectorizer's vocabulary, its idf and its slice of the regression's weights."""

    def __init__(self, analyzer: Callable[[str], list[str]], terms: Sequence[str], idf: np.ndarray,
                 coef: np.ndarray) -> None:
        self.analyzer = analyzer
        self.index: Mapping[str, int] = {t: i for i, t in enumerate(terms)}
        self.idf, self.coef = idf.astype(np.float64), coef.astype(np.float64)

    def logit(self, text: str) -> float:
        """This block's share of the regression's logit: sublinear tf times idf, l2-normalised."""
        counts = Counter(j for j in map(self.index.get, self.analyzer(text)) if j is not None)
        if not counts:
            return 0.0
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        vals = tf * self.idf[cols]
        return float(vals @ self.coef[cols] / np.sqrt(vals @ vals))


class LexicalHead:
    """P(crisis) from the words alone."""

    def __init__(self, blocks: Sequence[Block], intercept: float) -> None:
        self.blocks, self.intercept = list(blocks), intercept

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray]) -> "LexicalHead | None":
        """From the head file's ``lex_*`` arrays; ``None`` when it has none (an older head)."""
        if "lex_b" not in getattr(data, "files", data):
            return None
        blocks = [Block(ANALYZERS[name], str(data[f"lex_{name}"]).split("\n"), data[f"lex_{name}_idf"],
                        data[f"lex_{name}_coef"]) for name in ANALYZERS]
        return cls(blocks, float(data["lex_b"]))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        z = np.array([self.intercept + sum(b.logit(t) for b in self.blocks) for t in texts])
        return 1.0 / (1.0 + np.exp(-z))
