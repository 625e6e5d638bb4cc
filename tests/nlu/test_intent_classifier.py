"""The intent classifier over sentence embeddings, combined with the rules (docs/nlu.md, "The classifier").

Each case below is one the rules alone get wrong (asserted too, so a test cannot pass by the rules
alone): everyday rewordings of the clinic's requests, and off-topic sentences that the rules read as
an answer because they hold a date or a yes-word.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from nlu_test_support import CHICAGO, FRIDAY, ROSTER

from dialogue.nlu import EmbeddedUnderstanding, Intent, NLUContext, NLUResult
from dialogue.nlu.intent_model import HEAD_FILE, IntentHead
from safety import crisis_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoder():
    state = crisis_model.current()
    assert state.model is not None, f"the MiniLM weights are required for these tests: {state.problem}"
    return state.model.encoder


@pytest.fixture(scope="module")
def both(encoder) -> tuple[EmbeddedUnderstanding, EmbeddedUnderstanding]:
    return EmbeddedUnderstanding(encoder=encoder), EmbeddedUnderstanding()


def read(nlu: EmbeddedUnderstanding, text: str, expecting: Optional[str] = None) -> NLUResult:
    return nlu.understand(text, NLUContext(timezone=CHICAGO, now=FRIDAY, roster=ROSTER, expecting=expecting))


REWORDINGS = [
    ("Can you remind me of my appointment time?", Intent.CHECK_APPOINTMENT, None),
    ("I'm trying to remember what day I'm booked with you", Intent.CHECK_APPOINTMENT, None),
    ("Could my visit happen later in the month instead?", Intent.RESCHEDULE, None),
    ("Please take me off the books for Monday", Intent.CANCELLATION, None),
    ("What time do you folks close in the evening?", Intent.INFORMATION, "hours"),
    ("is there somewhere to park my car?", Intent.INFORMATION, "address"),
    ("How can I ring the office?", Intent.INFORMATION, "phone"),
]


@pytest.mark.parametrize("text,intent,topic", REWORDINGS)
def test_rewordings_the_rules_miss_are_understood(both, text, intent, topic):
    with_classifier, rules = both
    got, alone = read(with_classifier, text), read(rules, text)
    assert (alone.intent, alone.info_topic) != (intent, topic)      # the rules miss it
    assert got.intent == intent and got.info_topic == topic
    assert got.confidence >= 0.8                                     # enough to start the flow


@pytest.mark.parametrize("text,expecting", [
    ("can you tell me tomorrow's forecast", "date"),
    ("the kids have a snow day tomorrow", "date"),
    ("my flight lands at 8 tonight", "time"),
    ("can you recommend a good book", "confirm"),
])
def test_off_topic_sentences_are_no_answer(both, text, expecting):
    with_classifier, rules = both
    alone = read(rules, text, expecting)
    assert alone.answers_expected or alone.yes_no is not None    # the rules take it as an answer
    got = read(with_classifier, text, expecting)
    assert got.intent == Intent.OUT_OF_SCOPE and got.confidence >= 0.8
    assert not got.answers_expected and got.yes_no is None and not got.is_correction
    assert got.date is None and got.time is None


@pytest.mark.parametrize("text,expecting,check", [
    ("March 14th at 1:30 pm", "date", lambda r: r.date == dt.date(2019, 3, 14) and r.time == dt.time(13, 30)),
    ("the 10th would be great", "date", lambda r: r.date == dt.date(2019, 3, 10)),
    ("any time", "time", lambda r: r.intent != Intent.GOODBYE),
    ("yes, and where are you located?", "confirm", lambda r: r.yes_no is True),
    ("make it the 14th of March", "confirm", lambda r: r.is_correction and r.date == dt.date(2019, 3, 14)),
    ("Mia Fitzgerald", "patient_name", lambda r: (r.first_name, r.last_name) == ("Mia", "Fitzgerald")),
    ("appointment with dr raman please", None, lambda r: r.intent == Intent.SCHEDULING and r.provider_id),
])
def test_answers_stay_answers(both, text, expecting, check):
    got = read(both[0], text, expecting)
    assert check(got), got


def test_without_an_encoder_the_rules_run_alone():
    nlu = EmbeddedUnderstanding()
    assert nlu.classifier is None
    assert read(nlu, "can you tell me tomorrow's forecast", "date").date is not None


def test_a_damaged_head_file_means_rules_alone(encoder, tmp_path, caplog):
    bad = tmp_path / "intent_head.npz"
    bad.write_bytes(b"not a zip file")
    nlu = EmbeddedUnderstanding(encoder=encoder, head_path=bad)
    assert nlu.classifier is None
    assert "rules alone" in caplog.text
    assert read(nlu, "I need an appointment").intent == Intent.SCHEDULING


def test_the_same_message_reads_the_same_every_time(both):
    nlu = both[0]
    first = [read(nlu, t).to_dict() for t, _, _ in REWORDINGS]
    assert [read(nlu, t).to_dict() for t, _, _ in REWORDINGS] == first


def test_the_head_is_small_and_numpy_only():
    head = IntentHead(HEAD_FILE)
    assert HEAD_FILE.stat().st_size < 100_000
    assert {"scheduling", "out_of_scope", "reply", "information/hours"} <= set(head.classes)
    probs = head.probabilities(np.zeros((1, head.W.shape[0]), dtype=np.float32))
    assert probs.shape == (1, len(head.classes)) and abs(float(probs.sum()) - 1.0) < 1e-5


def test_the_request_path_imports_neither_sklearn_nor_torch():
    code = ("import sys; import dialogue.nlu.embedded, dialogue.nlu.intent_model; "
            "print(any(m.split('.')[0] in ('sklearn', 'torch') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_service_shares_the_safety_encoder(settings):
    from voice_agent import wiring
    nlu = wiring.understanding(settings)
    assert nlu.classifier is not None
    assert nlu.classifier.encoder is crisis_model.current().model.encoder      # one copy in the process


@pytest.mark.parametrize("text", ["I'm waiting for a package", "nothing", "sure thing", "what time is it",
                                  "I don't know", "it's going fine"])
def test_the_name_question_takes_only_names(both, text):
    for nlu in both:
        got = read(nlu, text, "patient_name")
        assert got.first_name is None and not got.answers_expected


@pytest.mark.parametrize("text,first,last", [("my name is sterling", "Sterling", None), ("it's Harding", "Harding", None),
                                             ("i'm Sterling Archer", "Sterling", "Archer"), ("rose hill", "Rose", "Hill")])
def test_names_that_look_like_words_are_still_names(both, text, first, last):
    for nlu in both:
        got = read(nlu, text, "patient_name")
        assert (got.first_name, got.last_name) == (first, last)


def test_an_encoder_fault_costs_only_the_classifier(caplog):
    class Broken:
        def encode(self, texts):
            raise RuntimeError("onnxruntime fault")
    nlu = EmbeddedUnderstanding(encoder=Broken())
    got = read(nlu, "I need an appointment with dr raman tomorrow")
    assert got.intent == Intent.SCHEDULING and got.provider_id == "p-raman"
    assert "rules alone" in caplog.text
