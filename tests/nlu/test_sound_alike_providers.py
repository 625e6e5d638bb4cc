"""Providers whose names sound alike (Park / Parks, Lee / Li) or whose title does not fit what was
said ("doctor Park" when Park is a nurse practitioner and Parks a doctor) are asked about, naming
both, instead of one being picked silently."""
from __future__ import annotations

import pytest
from nlu_test_support import CHICAGO, FRIDAY

from dialogue.nlu import EmbeddedUnderstanding, NLUContext, RosterEntry

ROSTER = [RosterEntry("p-park", "Sam", "Park", "NP", "Family Medicine"),
          RosterEntry("p-parks", "Lena", "Parks", "Dr.", "Cardiology"),
          RosterEntry("p-lee", "Ann", "Lee", "Dr.", "Dermatology"),
          RosterEntry("p-li", "Wei", "Li", "Dr.", "Pediatrics"),
          RosterEntry("p-raman", "Priya", "Raman", "Dr.", "Orthopedics")]


def _match(text: str, expecting: str | None = "provider", spoken: bool = True):
    return EmbeddedUnderstanding().understand(text, NLUContext(timezone=CHICAGO, now=FRIDAY, roster=ROSTER,
                                                               expecting=expecting, spoken=spoken))


@pytest.mark.parametrize("text, both", [
    ("doctor Park", {"p-park", "p-parks"}),        # the title fits Parks, the name fits Park
    ("doctor Lee", {"p-lee", "p-li"}),             # the same word on a phone line
    ("I'd like to see Dr. Li", {"p-lee", "p-li"}),
])
def test_sound_alikes_are_asked_about(text, both):
    r = _match(text)
    assert r.provider_id is None and set(r.provider_ambiguous) == both, (r.provider_id, r.provider_ambiguous)


@pytest.mark.parametrize("text, pid", [
    ("Lena Parks", "p-parks"), ("Sam Park", "p-park"), ("nurse practitioner Park", "p-park"),
    ("NP Park", "p-park"), ("Dr. Parks", "p-parks"), ("Ann Lee", "p-lee"), ("Dr. Raman", "p-raman"),
])
def test_a_first_name_or_a_fitting_title_settles_it(text, pid):
    r = _match(text)
    assert r.provider_id == pid, (text, r.provider_id, r.provider_ambiguous)


def test_in_writing_lee_and_li_are_different_names():
    assert _match("Dr. Lee", spoken=False).provider_id == "p-lee"
    assert _match("Dr. Li", spoken=False).provider_id == "p-li"
    assert set(_match("doctor Park", spoken=False).provider_ambiguous) == {"p-park", "p-parks"}   # the title


def test_a_full_name_counts_even_when_the_surname_is_a_common_word():
    r = _match("no, I wanted NP Sam Park", expecting="slot_choice", spoken=False)
    assert r.provider_id == "p-park", (r.provider_id, r.provider_ambiguous)
