"""Intake: a final transcript or a keypad entry becomes one work item for the dialogue worker."""
from __future__ import annotations

from channels.voice.keypad import KeyMeaning
from channels.voice.ports import Final
from channels.voice.stages.intake import HANDOFF_TEXT, Intake

T = {"final_at": 1.0, "speech_end": 0.9}


def _intake(last_reply: str = "What day works best for you?"):
    work: list[tuple[str, object]] = []
    return Intake(lambda kind, payload: work.append((kind, payload)), escape_sure=0.9,
                  can_repeat=lambda: bool(last_reply)), work


def test_an_accepted_answer_is_a_turn():
    intake, work = _intake()
    intake.final(Final("next tuesday", True, 0.8), "next tuesday", T)
    assert work == [("text", ("next tuesday", T))]


def test_a_rejected_answer_with_a_guess_is_asked_about_and_yes_uses_it():
    intake, work = _intake()
    intake.final(Final("", False, 0.2, guess="next Tuesday"), "", T)
    assert work == [("guess", "Did you say next Tuesday?")]
    intake.final(Final("yes", True, 0.9), "yes", T)
    assert work[-1] == ("text", ("next Tuesday", T))


def test_a_rejected_answer_without_a_guess_is_a_miss():
    intake, work = _intake()
    intake.final(Final("", False, 0.1), "", T)
    assert work == [("miss", T)]


def test_an_unsure_request_for_a_person_is_confirmed_first_and_a_sure_one_is_not():
    intake, work = _intake()
    intake.final(Final("operator", True, 0.5, escape="human"), "operator", T)
    assert work == [("guess", "Did you want me to connect you with our front desk?")]
    intake, work = _intake()
    intake.final(Final("a person please", True, 0.95, escape="human"), "a person please", T)
    assert work == [("text", ("a person please", T))]


def test_repeat_is_asked_only_when_there_is_something_to_repeat():
    intake, work = _intake()
    intake.final(Final("say that again", True, 0.9, escape="repeat"), "say that again", T)
    assert work == [("repeat", None)]
    intake, work = _intake(last_reply="")
    intake.key_entry(KeyMeaning("repeat"), 1.0)
    assert work == []


def test_keys_become_turns_and_answer_an_open_guess():
    intake, work = _intake()
    intake.key_entry(KeyMeaning("person"), 5.0)
    assert work[-1][0] == "text" and work[-1][1][0] == HANDOFF_TEXT and work[-1][1][1]["dtmf"] == 1.0
    intake.final(Final("", False, 0.2, guess="Doctor Raman"), "", T)
    intake.key_entry(KeyMeaning("use_guess"), 6.0)
    assert work[-1][1][0] == "Doctor Raman"
    intake.final(Final("", False, 0.2, guess="Doctor Raman"), "", T)
    intake.key_entry(KeyMeaning("answer", "03041985"), 7.0)         # answers the question, not "no"
    assert work[-1][1][0] == "03041985" and intake.guesses.pending is None


def test_a_guess_left_unanswered_is_dropped_and_the_next_answer_is_read_afresh():
    intake, work = _intake()
    intake.final(Final("", False, 0.2, guess="Friday"), "", T)
    assert intake.guess_open and intake.drop_guess() and not intake.guess_open
    assert not intake.drop_guess()
    intake.final(Final("yes", True, 0.9), "yes", T)
    assert work[-1] == ("text", ("yes", T))               # not taken as confirming "Friday"


def test_a_miss_for_speech_before_a_keyed_entry_is_dropped_not_answered():
    """Issue 13's bookings bench under load: the decode of earlier speech finished after the caller
    had keyed their date of birth, and "Sorry, I didn't catch that" talked over the next question."""
    intake, work = _intake()
    intake.key_entry(KeyMeaning("answer", "03041985"), 5.0)
    intake.final(Final("", False, 0.1), "", {"final_at": 6.0, "speech_end": 4.0})
    intake.final(Final("", False, 0.2, guess="next Tuesday"), "", {"final_at": 6.1, "speech_end": 4.5})
    assert work == [("text", ("03041985", {"final_at": 5.0, "speech_end": 5.0, "dtmf": 1.0}))]
    intake.final(Final("", False, 0.1), "", {"final_at": 7.0, "speech_end": 6.5})     # spoken after: asked again
    assert work[-1][0] == "miss"


async def test_misses_already_queued_are_dropped_when_an_entry_answers_the_question():
    import asyncio

    from channels.voice.stages.intake import stale_work
    queue: asyncio.Queue = asyncio.Queue()
    for item in (("text", ("option two", T)), ("miss", T), ("guess", "Did you say friday?"), ("repeat", None)):
        queue.put_nowait(item)
    assert stale_work(queue) == 2
    assert [queue.get_nowait()[0] for _ in range(queue.qsize())] == ["text", "repeat"]
