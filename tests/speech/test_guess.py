"""Confirm-when-unsure bookkeeping (channels/voice/guess.py): a guess is used only on a yes."""
from channels.voice.guess import GuessCheck
from channels.voice.ports import Final


def rejected(guess: str) -> Final:
    return Final(text="", accepted=False, confidence=0.0, question="date", guess=guess)


def heard(text: str, escape: str | None = None) -> Final:
    return Final(text=text, accepted=True, confidence=1.0, question="yes_no", escape=escape)


def test_yes_uses_the_guess_and_anything_else_re_asks():
    check = GuessCheck()
    assert check.offer(rejected("next tuesday")) == "Did you say next tuesday?"
    assert check.resolve(heard("yeah"), "yeah") == ("use", "next tuesday")
    assert check.pending is None
    check.offer(rejected("the eighth of may"))
    assert check.resolve(heard("no"), "no") == ("miss", None)
    check.offer(rejected("the eighth of may"))
    assert check.resolve(Final(text="", accepted=False, confidence=0.0), "") == ("miss", None)


def test_no_guess_no_question_and_escapes_pass_through():
    check = GuessCheck()
    assert check.offer(rejected("")) is None
    assert check.offer(heard("tomorrow")) is None            # accepted answers need no check
    check.offer(rejected("next tuesday"))
    assert check.offer(rejected("tomorrow")) is None           # one pending guess at a time
    assert check.resolve(heard("operator", escape="human"), "operator") == ("pass", None)


def test_a_guess_is_taken_or_withdrawn_once():
    check = GuessCheck()
    check.offer(rejected("doctor lee"))
    assert check.take() == "doctor lee" and check.pending is None
    check.offer(rejected("doctor lee"))
    check.withdraw()
    assert check.pending is None and check.offer(rejected("tomorrow")) == "Did you say tomorrow?"
