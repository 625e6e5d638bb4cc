"""Reading the turns before a message costs a second run of the sentence encoder; it is spent only
when those turns could change what this message already says."""
from __future__ import annotations


from tests.safety.test_encoder_memo import Counted


def test_an_urgent_message_pays_for_the_turns_before_it_only_when_they_could_say_more(loaded):
    """The window is encoded again only if reading the turns together could raise what this message
    already says (its rules reach CRITICAL, or the classifier alone decided)."""
    from safety.crisis import CrisisDetector, Severity
    det = CrisisDetector(model=loaded)
    counted = Counted(loaded.encoder)
    high = det.assess_window(["can I still book for next week, Wednesday?"], "I want to kill myself, honestly")
    assert high.severity == Severity.HIGH and counted.inputs == 1          # this message alone, once
    raised = det.assess_window(["it's going to be tonight, I've decided"], "I want to kill myself, truly")
    assert raised.severity == Severity.CRITICAL and "across_turns" in raised.matched and counted.inputs == 3
