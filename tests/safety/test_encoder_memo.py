"""The one sentence encoder remembers what it last read: a chat turn read by the safety pipeline and
then by the intent classifier costs one run of the model, and what it remembers stays bounded."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from dialogue.nlu.intent_model import IntentClassifier, IntentHead
from safety.embeddings import Memo, SentenceEncoder
from safety.pipeline import SafetyPipeline


class Counted:
    """The encoder with its model runs counted (how many inputs went through the model)."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder, self.inputs = encoder, 0
        run = encoder._run

        def counting(keys):
            self.inputs += len(keys)
            return run(keys)
        encoder._run = counting


def test_the_memo_keeps_only_the_most_recently_used():
    memo = Memo(size=3)
    for i in range(5):
        memo.put((i,), np.full(2, i, dtype=np.float32))
    assert len(memo) == 3 and memo.get((0,)) is None and memo.get((1,)) is None
    assert memo.get((2,)) is not None                  # used now: the next put drops 3, not 2
    memo.put((5,), np.zeros(2, dtype=np.float32))
    assert memo.get((3,)) is None and memo.get((2,)) is not None
    with pytest.raises(ValueError):                     # what it hands out cannot be changed by a caller
        memo.get((2,))[0] = 9.0


def test_a_text_read_again_is_not_run_through_the_model_again(loaded):
    enc = SentenceEncoder(memo=8)
    counted = Counted(enc)
    first = enc.encode(["Can I move my appointment to Friday afternoon?"])
    again = enc.encode(["can i move my appointment to friday afternoon?"])     # the model is uncased
    assert counted.inputs == 1 and np.allclose(first, again)
    both = enc.encode(["can i move my appointment to friday afternoon?", "a new one", "a new one"])
    assert counted.inputs == 2 and np.allclose(both[0], first[0]) and np.allclose(both[1], both[2])
    fresh = SentenceEncoder(memo=0).encode(["a new one"])        # the same vector as without a memo
    assert np.allclose(fresh[0], both[1], atol=1e-5)


def test_the_memo_stays_bounded_however_many_texts_pass(loaded):
    enc = SentenceEncoder(memo=16)
    for i in range(5):
        enc.encode([f"message number {i * 10 + j}" for j in range(10)])
    assert len(enc.memo) == 16


def test_one_chat_turn_is_encoded_once_by_safety_and_understanding_together(loaded):
    """The composition root hands the crisis classifier's encoder to the intent classifier."""
    counted = Counted(loaded.encoder)
    intent = IntentClassifier(loaded.encoder, IntentHead())
    pipe = SafetyPipeline()
    for text in ["I'd like to book a check-up with Dr. Raman next Tuesday morning",
                 "Is there anything earlier in the week?"]:
        before = counted.inputs
        verdict = pipe.check_input(text)
        intent.score(verdict.text_clean)
        assert counted.inputs - before == 1, text


def test_threads_reading_at_once_get_the_same_vectors(loaded):
    enc = SentenceEncoder(memo=4)
    texts = [f"please book me for day {i}" for i in range(8)]
    expected = SentenceEncoder(memo=0).encode(texts)
    errors: list[str] = []

    def worker(offset: int) -> None:
        for _ in range(3):
            for i in range(len(texts)):
                j = (i + offset) % len(texts)
                if not np.allclose(enc.encode([texts[j]])[0], expected[j], atol=1e-5):
                    errors.append(texts[j])
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(enc.memo) <= 4



def test_the_encoder_thread_count_comes_from_the_environment(monkeypatch):
    from safety.embeddings import encoder_threads
    monkeypatch.setenv("SAFETY_ENCODER_THREADS", "3")
    assert encoder_threads() == 3
    monkeypatch.setenv("SAFETY_ENCODER_THREADS", "lots")
    assert encoder_threads() == 2
    monkeypatch.delenv("SAFETY_ENCODER_THREADS")
    assert encoder_threads() == 2


def test_the_crisis_encoding_runs_beside_the_name_model_and_is_not_repeated(loaded):
    """A message the name model reads (it has capitals) is encoded on the pipeline's own thread while
    the name model runs; the crisis reading then takes the vector from the memo. Where a name is
    found, the classifier still reads the text with the name taken out."""
    threads: list[str] = []
    run = loaded.encoder._run

    def recording(keys):
        threads.append(threading.current_thread().name)
        return run(keys)
    loaded.encoder._run = recording
    try:
        pipe = SafetyPipeline()
        pipe.check_input("Could I see Dr. Raman on Thursday about my knee brace fitting?")
        assert len(threads) == 1 and threads[0].startswith("crisis-encode"), threads
        threads.clear()
        verdict = pipe.check_input("Hi, this is Maria Lopez, can I move my knee brace fitting?")
        assert "<PERSON>" in verdict.text_redacted
        assert len(threads) == 2, threads     # the guess without PII, then the redacted text the classifier reads
    finally:
        loaded.encoder._run = run
