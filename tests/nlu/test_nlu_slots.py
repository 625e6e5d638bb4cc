"""Phone, providers, names, choices, reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogue.nlu.numbers import normalize_numbers, words_to_digits


def test_spoken_numbers():
    assert words_to_digits("five five five one two three four") == "5551234"
    assert words_to_digits("double five") == "55"
    assert normalize_numbers("twenty one") == "21"
    assert normalize_numbers("nineteen eighty five") == "1985"
    assert normalize_numbers("oh three oh four") == "0304"
    assert normalize_numbers("oh, okay") == "oh, okay"
    assert normalize_numbers("the second one") == "the 2nd one"


@pytest.mark.parametrize(
    "text",
    [
        "four one five five five five one two three four",
        "my number is (415) 555-1234",
        "4155551234",
        "four one five, double five five, one two three four",
    ],
)
def test_phone_to_e164(understand, text):
    assert understand(text, expecting="phone").phone == "+14155551234"


def test_phone_digits_are_not_a_date_or_time(understand):
    r = understand("three one two five five five zero one nine nine", expecting="phone")
    assert r.phone == "+13125550199"
    assert r.date is None and r.time is None
    assert r.answers_expected


def test_fuzzy_provider_dr_ramen(understand):
    r = understand("I want to see Dr Ramen tomorrow")
    assert r.provider_id == "p-raman"
    assert r.date == dt.date(2019, 3, 2)


def test_provider_by_last_and_full_name(understand):
    assert understand("can I see dr okonkwo").provider_id == "p-okonkwo"
    assert understand("with Susan Lee please").provider_id == "p-slee"
    assert understand("Chen", expecting="provider").provider_id == "p-chen"


def test_two_lees_are_ambiguous(understand):
    r = understand("Dr. Lee")
    assert r.provider_id is None
    assert sorted(r.provider_ambiguous) == ["p-dlee", "p-slee"]


def test_common_words_are_not_provider_names(understand):
    assert understand("I will call back later").provider_id is None
    assert understand("may I book something for friday").provider_id is None
    assert understand("with Dr. May").provider_id == "p-may"
    assert understand("Dr. Will").provider_id == "p-will"


@pytest.mark.parametrize(
    "text,spec",
    [
        ("I need the heart doctor", "Cardiology"),
        ("a cardiologist", "Cardiology"),
        ("skin doctor", "Dermatology"),
        ("my kid's doctor", "Pediatrics"),
        ("children's doctor", "Pediatrics"),
        ("a pediatrician", "Pediatrics"),
        ("my family doctor", "Family Medicine"),
        ("primary care", "Family Medicine"),
        ("GP", "Family Medicine"),
        ("someone for my bones", "Orthopedics"),
        ("an orthopedist", "Orthopedics"),
        ("eye doctor", "Ophthalmology"),
        ("women's health", "Obstetrics and Gynecology"),
        ("I need an OB", "Obstetrics and Gynecology"),
    ],
)
def test_specialty_lay_phrases(understand, text, spec):
    assert understand(text, expecting="provider").specialty == spec


@pytest.mark.parametrize(
    "text,first,last",
    [
        ("john smith", "John", "Smith"),
        ("it's Maria Garcia", "Maria", "Garcia"),
        ("my name is Ana de la Cruz", "Ana", "de la Cruz"),
        ("Mary Ann Smith", "Mary", "Smith"),
        ("My name is Tom O'Brien", "Tom", "O'Brien"),
        ("first name is Lee, last name is Park", "Lee", "Park"),
    ],
)
def test_patient_names(understand, text, first, last):
    r = understand(text, expecting="patient_name")
    assert (r.first_name, r.last_name) == (first, last)


def test_name_not_guessed_when_not_asked(understand):
    r = understand("john smith")
    assert r.first_name is None


@pytest.mark.parametrize(
    "text,idx",
    [("the first one", 0), ("2", 1), ("second", 1), ("the 2nd option", 1), ("option 3", 2),
     ("the last one", 2), ("the later one", 2), ("number two please", 1)],
)
def test_slot_choice(understand, text, idx):
    r = understand(text, expecting="slot_choice", shown_options=3)
    assert r.choice_index == idx
    assert r.answers_expected


def test_slot_choice_by_time_and_out_of_range(understand):
    r = understand("the 9:20 one", expecting="slot_choice", shown_options=3)
    assert r.choice_index is None and r.time == dt.time(9, 20)
    assert understand("the fifth one", expecting="slot_choice", shown_options=3).choice_index is None


def test_reason_is_the_text(understand):
    r = understand("I've had a sore throat for three days.", expecting="reason")
    assert r.reason == "had a sore throat for three days" or r.reason.startswith("I've had")
    assert r.answers_expected
    assert r.intent.value != "out_of_scope"
    r = understand("actually can I talk to a person", expecting="reason")
    assert r.reason is None and r.intent.value == "handoff"


def test_to_dict_uses_iso_strings(understand):
    d = understand("next tuesday at 3:30pm with dr raman").to_dict()
    assert d["date"] == "2019-03-05"
    assert d["time"] == "15:30:00"
    assert d["intent"] == "scheduling"
    assert d["provider_id"] == "p-raman"


def test_a_misspelt_specialty_is_still_the_specialty(understand):
    got = understand("need a cardiolgy appointment next week")       # one letter short
    assert got.specialty == "Cardiology" and got.intent.value == "scheduling"
