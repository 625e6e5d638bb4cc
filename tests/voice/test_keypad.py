"""Keys read by the question: an entry is gathered first (ended by #, its full length or a pause),
so a date of birth that starts with 0 is a date of birth, a lone 0 asks for a person, an entry while
"Did you say ...?" is open answers the question (never "no"), and * repeats the question."""
from __future__ import annotations

import asyncio

import pytest

from channels.voice.keypad import KeyMeaning, Keypad, read_entry


@pytest.mark.parametrize("entry, expecting, guess_open, want", [
    ("03041985", "date_of_birth", False, KeyMeaning("answer", "03041985")),
    ("0", "date_of_birth", False, KeyMeaning("answer", "0")),            # typed so far: still the entry
    ("0", "provider", False, KeyMeaning("person")),
    ("0", "slot_choice", True, KeyMeaning("person")),
    ("1", "patient_name", True, KeyMeaning("use_guess")),
    ("2", "date", True, KeyMeaning("reject_guess")),
    ("03041985", "patient_name", True, KeyMeaning("answer", "03041985")),    # never "no"
    ("3", "slot_choice", True, KeyMeaning("answer", "3")),
    ("1", "confirm", False, KeyMeaning("yes")),
    ("2", "handoff_offer", False, KeyMeaning("no")),
    ("7", "confirm", False, KeyMeaning("ignore")),
    ("2", "slot_choice", False, KeyMeaning("answer", "2")),
    ("5", "date", False, KeyMeaning("ignore")),
    ("2", "provider", False, KeyMeaning("answer", "2")),          # a numbered menu is open (options below)
])
def test_an_entry_is_read_by_the_question(entry, expecting, guess_open, want):
    options = 5 if expecting == "provider" and entry == "2" else 0
    assert read_entry(entry, expecting, guess_open, options) == want


async def _press(keys: str, expecting: str | None, *, guess_open: bool = False, options: int = 0,
                 wait: float = 0.2) -> list[KeyMeaning]:
    heard: list[KeyMeaning] = []
    pad = Keypad(heard.append, entry_pause=0.1, key_pause=0.05)
    for key in keys:
        pad.press(key, expecting, guess_open=guess_open, options=options)
    await asyncio.sleep(wait)
    return heard


async def test_a_date_of_birth_starting_with_zero_is_one_entry():
    assert await _press("03041985", "date_of_birth") == [KeyMeaning("answer", "03041985")]
    assert await _press("0304#", "date_of_birth") == [KeyMeaning("answer", "0304")]
    assert await _press("0304", "date_of_birth") == [KeyMeaning("answer", "0304")]        # after the pause


async def test_a_date_of_birth_typed_over_an_open_guess_is_not_a_no_and_not_a_person():
    heard = await _press("03041985", "patient_name", guess_open=True)
    assert heard == [KeyMeaning("answer", "03041985")]


async def test_a_lone_zero_asks_for_a_person_after_the_pause_only():
    pad_heard: list[KeyMeaning] = []
    pad = Keypad(pad_heard.append, entry_pause=0.1, key_pause=0.05)
    pad.press("0", "provider")
    assert pad_heard == []                              # it may be the start of an entry
    await asyncio.sleep(0.15)
    assert pad_heard == [KeyMeaning("person")]


async def test_choices_and_yes_no_need_no_pause():
    heard: list[KeyMeaning] = []
    pad = Keypad(heard.append, entry_pause=10, key_pause=10)
    pad.press("2", "slot_choice", options=3)
    pad.press("1", "confirm")
    pad.press("1", "date", guess_open=True)
    assert heard == [KeyMeaning("answer", "2"), KeyMeaning("yes"), KeyMeaning("use_guess")]


async def test_star_drops_the_entry_and_repeats_the_question():
    assert await _press("0304*", "date_of_birth") == [KeyMeaning("repeat")]
    assert await _press("*", "provider") == [KeyMeaning("repeat")]
