"""Fit the crisis classifier's lexical member (`safety/crisis_lexical.py`) with scikit-learn, for
`bench/train_crisis_head.py`: TF-IDF over the runtime's own analyzers, a balanced logistic regression.

Settings chosen out of fold in session 15 (the blind batches each in their own fold, averaged half and
half with the embedding heads): words and word pairs seen twice or more, the 50,000 most frequent
character n-grams seen three times or more, C=16; words alone gave most of the gain (3.3 % false alarms
at recall 0.95 against 3.0 % with both, 4.5 % with no lexical member).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from safety.crisis_lexical import ANALYZERS, LexicalHead

SETTINGS = {"words": {"min_df": 2}, "chars": {"min_df": 3, "max_features": 50_000}}
C = 16
EMBEDDING_WEIGHT = 0.5      # P(crisis) = this x the embedding heads' + the rest x the lexical member's


class LexicalFit:
    def __init__(self, texts: Sequence[str], y: np.ndarray) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        self._hstack = hstack
        self.vectorizers = {name: TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, **SETTINGS[name])
                            for name in ANALYZERS}
        X = hstack([v.fit_transform(texts) for v in self.vectorizers.values()]).tocsr()
        self.model = LogisticRegression(C=C, max_iter=4000, class_weight="balanced").fit(X, y)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        X = self._hstack([v.transform(texts) for v in self.vectorizers.values()]).tocsr()
        return self.model.predict_proba(X)[:, 1]

    def arrays(self) -> dict[str, np.ndarray]:
        """The ``lex_*`` arrays of the head file (`LexicalHead.from_arrays` reads them)."""
        out: dict[str, np.ndarray] = {"lex_b": np.array(float(self.model.intercept_[0]))}
        coef, start = self.model.coef_[0], 0
        for name, v in self.vectorizers.items():
            terms = sorted(v.vocabulary_, key=v.vocabulary_.get)
            assert not any("\n" in t for t in terms), "a term holds the separator"
            out[f"lex_{name}"] = np.array("\n".join(terms))
            out[f"lex_{name}_idf"] = v.idf_.astype(np.float32)
            out[f"lex_{name}_coef"] = coef[start:start + len(terms)].astype(np.float32)
            start += len(terms)
        return out

    def check(self, texts: Sequence[str]) -> None:
        """The runtime's numpy reading agrees with scikit-learn's (float32 weights: to 1e-4)."""
        ours = LexicalHead.from_arrays(self.arrays()).predict(texts)
        gap = float(np.abs(ours - self.predict(texts)).max())
        assert gap < 1e-4, f"the runtime lexical member disagrees with scikit-learn by {gap}"
