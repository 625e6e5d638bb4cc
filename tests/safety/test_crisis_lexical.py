"""The crisis classifier's lexical member (`safety/crisis_lexical.py`): what it reads, that the shipped
head carries it and averages it in, and that a head without one still loads."""
from __future__ import annotations

import io

import numpy as np

from safety.crisis_lexical import LexicalHead, char_terms, word_terms
from safety.crisis_model import HEAD_FILE, Head


def test_words_and_their_pairs_are_read_lowercased():
    assert word_terms("Had chest pain, cleared LOL") == [
        "had", "chest", "pain", "cleared", "lol", "had chest", "chest pain", "pain cleared", "cleared lol"]


def test_character_ngrams_stay_inside_each_word():
    grams = char_terms("ok lol")
    assert " ok " in grams and " lo" in grams and "lol " in grams and " lol " in grams
    assert not any("k l" in g for g in grams)          # no n-gram spans two words


def test_the_shipped_head_averages_the_lexical_member_in():
    head = Head(HEAD_FILE)
    assert head.lexical is not None and 0.0 < head.embedding_weight < 1.0
    x = np.zeros((1, head.positives.shape[1]), dtype=np.float32)
    text = "i cant do this anymore, the pills are right here"
    blended = head.predict(x, [text])[0].crisis
    head.lexical = None
    alone = head.predict(x, [text])[0].crisis
    lexical = LexicalHead.from_arrays(np.load(HEAD_FILE)).predict([text])[0]
    assert abs(blended - (head.embedding_weight * alone + (1 - head.embedding_weight) * lexical)) < 1e-6


def test_the_framing_words_weigh_against_the_topic():
    lexical = LexicalHead.from_arrays(np.load(HEAD_FILE))
    over, now = lexical.predict([
        "had chest pain back in march, cardiology cleared me, can i book my physical",
        "crushing chest pain right now and my left arm is numb",
    ])
    assert over < 0.5 < now


def test_a_head_without_a_lexical_member_still_loads(tmp_path):
    with np.load(HEAD_FILE) as data:
        arrays = {k: data[k] for k in data.files if not k.startswith("lex_")}
    path = tmp_path / "old_head.npz"
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    head = Head(path)
    assert head.lexical is None
    x = np.zeros((1, head.positives.shape[1]), dtype=np.float32)
    assert 0.0 <= head.predict(x, ["hello"])[0].crisis <= 1.0
