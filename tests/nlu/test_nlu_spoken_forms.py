"""What a recogniser (or a hurried texter) writes for an answer, understood as the caller meant it:
times with minutes in every form, "option to", "the later one", hyphenated and short surnames, and
a name question that takes only a name."""
from __future__ import annotations

import datetime as dt

import pytest
from nlu_test_support import CHICAGO, FRIDAY, ROSTER

from dialogue.nlu import EmbeddedUnderstanding, Intent, NLUContext, RosterEntry

T = dt.time


@pytest.mark.parametrize("text, expecting, want", [
    ("3 30 PM", "time", T(15, 30)),
    ("3 30 pm", None, T(15, 30)),
    ("3 30", "time", T(15, 30)),
    ("2 15", "time", T(14, 15)),
    ("at 2 15", None, T(14, 15)),
    ("how about 10 45", "time", T(10, 45)),
    ("10 45 in the morning", None, T(10, 45)),
    ("morning 10 45", None, T(10, 45)),
    ("9 05 am", None, T(9, 5)),
    ("3:30", "time", T(15, 30)),
    ("three thirty", "time", T(15, 30)),
    ("two fifteen in the afternoon", None, T(14, 15)),
])
def test_times_with_minutes_in_every_form(understand, text, expecting, want):
    assert understand(text, expecting=expecting).time == want


@pytest.mark.parametrize("text", ["my number is 312 555 0100", "I have 2 kids aged 3 and 12",
                                  "it was 2 15 minute visits last time"])
def test_numbers_that_are_not_times_stay_so(understand, text):
    assert understand(text).time is None


def test_a_time_among_the_offered_slots(understand):
    r = understand("the 2 15 one", expecting="slot_choice", shown_options=3)
    assert r.time == T(14, 15) and r.intent is not Intent.OUT_OF_SCOPE


@pytest.mark.parametrize("text, index", [
    ("option to", 1), ("option too", 1), ("number to", 1), ("option for", 3), ("option two", 1),
    ("the later one", 2), ("the earlier one", 0), ("the later one please", 2), ("the last one", 2),
])
def test_slot_choice_as_heard(understand, text, index):
    r = understand(text, expecting="slot_choice", shown_options=4 if index == 3 else 3)
    assert r.choice_index == index, r
    assert r.intent not in (Intent.GOODBYE, Intent.OUT_OF_SCOPE), r.intent


HYPHEN = [*ROSTER, RosterEntry("p-sj", "Jean", "Smith-Jones", "Dr.", "Neurology"),
          RosterEntry("p-ng", "Bo", "Ng", "Dr.", "Urology"), RosterEntry("p-wu", "Amy", "Wu", "Dr.", "Allergy")]


def _with(roster, text: str, expecting: str | None = "provider"):
    return EmbeddedUnderstanding().understand(text, NLUContext(timezone=CHICAGO, now=FRIDAY, roster=roster,
                                                               expecting=expecting))


@pytest.mark.parametrize("text", ["doctor smith jones", "Dr. Smith-Jones", "smith jones please",
                                  "I'd like to see doctor smithjones", "doctor smith-jones"])
def test_a_hyphenated_surname_however_it_is_written(text):
    assert _with(HYPHEN, text).provider_id == "p-sj"


@pytest.mark.parametrize("text, pid", [("doctor ng", "p-ng"), ("doctor eng", "p-ng"), ("doctor wu", "p-wu"),
                                       ("doctor woo", "p-wu"), ("dr. ing", "p-ng")])
def test_short_surnames_as_a_recogniser_spells_them(text, pid):
    assert _with(HYPHEN, text).provider_id == pid


def test_a_short_word_is_not_a_provider_without_a_title():
    assert _with(HYPHEN, "I want to go", expecting=None).provider_id is None
    assert _with(HYPHEN, "woo hoo", expecting=None).provider_id is None


@pytest.mark.parametrize("text", ["I don't know", "what time is it", "can you repeat that", "it's for my son",
                                  "sorry what", "hold on a second", "why do you need that", "no thanks",
                                  "I already told you", "the afternoon is better"])
def test_the_name_question_takes_only_a_name(understand, text):
    r = understand(text, expecting="patient_name")
    assert r.first_name is None and r.last_name is None, (text, r.first_name, r.last_name)


@pytest.mark.parametrize("text, first, last", [
    ("Maria Garcia", "Maria", "Garcia"), ("it's John Smith-Jones", "John", "Smith-Jones"),
    ("my name is Ana de la Cruz", "Ana", "de la Cruz"), ("Will May", "Will", "May"),
    ("Mei Ng", "Mei", "Ng"), ("this is Grace Park", "Grace", "Park"), ("José Núñez", "José", "Núñez"),
])
def test_names_are_still_names(understand, text, first, last):
    r = understand(text, expecting="patient_name")
    assert (r.first_name, r.last_name) == (first, last)
