"""How the rules and the intent classifier are combined (docs/nlu.md, "The classifier").

The rules read slots, keywords and dialogue acts; the classifier generalises to rewordings. So:

* **a new request** (no question open): the rules' intent is a keyword reading ("appointment" in
  "are my blood test results back", "cancel" in "stop the bot"), and the classifier's reading is
  taken over it when at least ``thresholds.over[reading]`` likely, a margin per reading of the rules
  (``reading_of``: the rules' intent, and whether the message names a day, a time or a provider)
  chosen by cross-validation over the written and blind sets (bench/intent_cv.py). The slots the
  rules read (dates, times, providers, names) are kept whatever the intent;
* **adopt**, while a question is open: where the rules find no intent, read the message as out of scope or guess a booking
  from a keyword ("appointment" alone), the classifier's clinic intent is taken when it is at least
  ``thresholds.adopt`` likely; over any other rule when it is at least ``thresholds.override``
  likely ("what number do I dial to reach the office" asks for the number, not a person); a
  booking guessed from a booking word with no clinic word ("book me a table") is out of scope when
  the classifier says so at ``thresholds.veto``. Never over a message that answers the question
  just asked: an answer keeps the flow;
* **veto**: a message read as an answer (a date at the date question, a yes at a yes/no question,
  a name at the name question) that the classifier finds out of scope at least ``thresholds.veto``
  likely, and that names no clinic, doctor, provider or medical word, is not an answer: "can you
  tell me tomorrow's forecast" at the date question, "can you recommend a good book" at a read-back.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from .intent_model import OUT_OF_SCOPE, IntentScores, Thresholds
from .intents import _CLINIC_REF, _MEDICAL, CLINIC, CORRECTION, SCHEDULE, IntentGuess
from .types import Intent, NLUResult
from .yesno import polarity

ADOPTABLE = frozenset({
    Intent.SCHEDULING, Intent.CANCELLATION, Intent.RESCHEDULE, Intent.CHECK_APPOINTMENT, Intent.INFORMATION,
    Intent.HANDOFF, Intent.GREETING, Intent.GOODBYE,
})
APPOINTMENT_INTENTS = frozenset({Intent.SCHEDULING, Intent.CANCELLATION, Intent.RESCHEDULE, Intent.CHECK_APPOINTMENT})
KEYWORD_BOOKING = 0.7    # the classifier overrides a booking the rules read from the word "appointment" at this
SLOTS_BOOKING = 0.75     # ... and one that names a provider, a day or a time at this
# With no question open the cross-validated margins apply, but never below these floors, which keep
# what the rules are good at: a booking said as one ("I'd like the earliest appointment you have",
# "book me with ...") needs EXPLICIT_BOOKING; one that names a provider needs NAMED_BOOKING, and
# ``thresholds.override`` to be read as no appointment request at all, since the encoder has never
# seen the clinic's surnames ("appointment with Park please" reads as parking, "dr tanaka mon aftrn?"
# as a question about the providers) and the rules know the roster. bench/intent_cv.py measures the
# margins with the floors in place (held-out accuracy neither gains nor loses by them).
EXPLICIT_BOOKING = KEYWORD_BOOKING
NAMED_BOOKING = SLOTS_BOOKING
SURE_OFF_TOPIC = 0.95    # rules and classifier agree it is off-topic: a provider's name or a date in it books nothing
# Questions whose answers the veto may overturn; a date of birth, a phone number and the reason
# (any words are a reason) are typed answers the classifier was not taught to judge.
# A name is left to the rules too: "Mia Fitzgerald" is two words the classifier cannot place.
VETOABLE = frozenset({"provider", "date", "time", "slot_choice", "appointment_choice", "confirm", "confirm_identity"})
_BOOKING_WORD = re.compile(r"\b(?:booked|booking|schedule|reserve|available|availability|works?|fine|okay|"
                           r"prefer|rather|instead|better|free|opening|slot|see|visit|come|suits?|change|switch|move|"
                           r"book (?:on|at|for|in|the|it|accordingly))\b")
# Words that say nothing off-topic: a date, a time, a filler. A message made of these and at most one
# other word is an answer however the classifier scores it ("March 14th at 1:30 pm", "the 10th would
# be great").
_PLAIN = frozenset("""
a an the of on at in by for to from around about after before between and or but this that these next
last coming following week weeks month months day days year today tomorrow tonight tmrw yesterday morning
afternoon evening night noon midday midnight am pm a.m. p.m. o'clock oclock half quarter past early late
earlier later sometime anytime any time whenever then now soon asap first second third fourth fifth sixth
seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth twentieth thirtieth one two
three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty forty-five fifty
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december jan feb mar apr
jun jul aug sep sept oct nov dec weekend weekday weekdays
i i'm i'd i'll me my we we'd us our you your it it's is be would will could can should shall may might
do does did have has had am are was were let let's lets what how about so well um uh oh ok okay yes yeah
no not please thanks thank great good perfect nice ideal best fine just maybe possibly probably perhaps
would've if possible there here that's sounds sound go going
""".split())
_SLOTS_CLEARED = ("date", "date_range", "weekday", "time", "earliest_time", "latest_time", "part_of_day",
                  "choice_index", "first_name", "last_name", "yes_no", "reason")


def looks_like_answer(res: NLUResult, expecting: Optional[str]) -> bool:
    """The rules read the message as an answer to the open question (a slot, a yes/no, a correction)."""
    return expecting is not None and (res.answers_expected or res.yes_no is not None or res.is_correction)


def needs_classifier(res: NLUResult, expecting: Optional[str], text: str) -> bool:
    """Whether the classifier could change this reading. An answer that the veto may not overturn
    (a date of birth, a phone number, a reason, or an answer with a clinic or booking word, a plain
    yes/no or no off-topic words) is the rules' alone, and the encoder is not run at all."""
    return not looks_like_answer(res, expecting) or veto_candidate(res, expecting, text)


def veto_candidate(res: NLUResult, expecting: Optional[str], text: str) -> bool:
    """An answer-looking message the classifier may find off-topic: none of the rules' signs of an
    answer ("book it for the 13th", "make it 4", "yes. where are you located?", "March 14th at 1:30")."""
    if expecting not in VETOABLE or not looks_like_answer(res, expecting):
        return False
    if res.provider_id or res.provider_ambiguous or res.specialty or CLINIC.search(text) or _MEDICAL.search(text):
        return False
    if SCHEDULE.search(text) or CORRECTION.search(text) or _BOOKING_WORD.search(text):
        return False
    if polarity(text)[1] >= 1.0:
        return False
    other = [w for w in re.findall(r"(?<!\w)[a-z][a-z']*", text) if len(w) > 1 and w not in _PLAIN]
    return len(other) >= 2


def adopt(guess: IntentGuess, scores: Optional[IntentScores], th: Optional[Thresholds], answers: bool,
          text: str, when: bool = False, who: bool = False, asked: bool = False, bare: bool = False) -> IntentGuess:
    """The rules' guess, or the classifier's intent where the rules are unsure (see module docstring).
    ``when``: the message names a day or a time ("book me for the 13th at 11:30" stays a booking);
    ``who``: it names a provider or a specialty ("appointment with Park" is no question about parking);
    ``asked``: a question is open — then only a sure reading (``override``) changes the flow, and never
    to a goodbye ("any time" at the time question must not end the conversation); ``bare``: the message
    is only slots (``only_slots``), the rules' to read."""
    if scores is None or th is None or answers:
        return guess
    if not asked and th.over:
        return guess if bare else new_request(guess, scores, th, when or who, who)
    if scores.label == OUT_OF_SCOPE:
        # "book me a table at an Italian place": a booking word with no clinic word in it
        if guess.intent == Intent.SCHEDULING and guess.confidence < 0.8 and scores.p >= th.veto and not when:
            return IntentGuess(Intent.OUT_OF_SCOPE, 0.85, in_scope_signal=False)
        return guess
    try:
        intent = Intent(scores.intent)
    except ValueError:
        return guess            # "reply": an answer or a dialogue move, the rules' to read
    if intent not in ADOPTABLE:
        return guess
    if intent == guess.intent:
        if intent == Intent.SCHEDULING and guess.confidence < 0.8 and scores.p >= th.adopt:
            return IntentGuess(intent, 0.8, dialogue_act=guess.dialogue_act)   # "who can see me soonest?"
        return guess
    if guess.intent == Intent.HANDOFF:
        return guess            # a request for a person stands
    if asked and (intent in (Intent.GOODBYE, Intent.GREETING) or scores.p < th.override):
        return guess
    if (when or who) and intent not in APPOINTMENT_INTENTS and scores.p < th.override:
        return guess            # "appointment with Park please" asks for no parking
    if guess.intent in (Intent.OUT_OF_SCOPE, Intent.CORRECTION) or (
            guess.intent == Intent.UNKNOWN and guess.dialogue_act is None) or (
            guess.intent == Intent.SCHEDULING and guess.confidence < 0.8):
        needed = th.adopt       # the rules found nothing, or only a guess
    elif guess.intent == Intent.SCHEDULING and guess.confidence <= 0.8:
        needed = KEYWORD_BOOKING   # "appointment" said in a question about one
    else:
        needed = th.override
    if guess.intent == Intent.SCHEDULING and (when or who):
        needed = max(needed, SLOTS_BOOKING)      # "Dr. Raman Tuesday evening 4:45" is a booking
    if scores.p < needed:
        return guess
    if intent == Intent.INFORMATION and scores.p < 0.8 and len(text.split()) > 5 and not _CLINIC_REF.search(text):
        return guess            # "is the hardware store open today" asks about another place
    confidence = 0.85 if scores.p >= 0.7 else 0.8
    return IntentGuess(intent, confidence, info_topic=scores.info_topic if intent == Intent.INFORMATION else None,
                       dialogue_act=guess.dialogue_act)


_TITLES = frozenset({"dr", "doctor", "doc", "np", "pa", "nurse", "practitioner", "with", "see"})


def only_slots(text: str, names: Iterable[str]) -> bool:
    """The message is nothing but a day, a time, a provider, digits and filler words ("Dr. Raman
    Tuesday evening 4:45", "tomorrow at 3", keyed digits): the rules read it, the classifier has no
    sentence to judge. (The caller also asks for a slot or no words at all: "perfect thanks" is no slot.)"""
    known = _PLAIN | _TITLES | {n.lower() for n in names}
    return all(w in known for w in re.findall(r"(?<!\w)[a-z][a-z']*", text))


def reading_of(guess: IntentGuess, named: bool) -> str:
    """The rules' reading as the threshold table names it: "scheduling", "scheduling:keyword" (read
    from a clinic word alone), "out_of_scope:foreign" (it names a foreign topic: a bank, a flight, a
    car), "+slots" when the message names a day, a time or a provider, "unknown", ..."""
    foreign = guess.intent == Intent.OUT_OF_SCOPE and guess.confidence >= 0.9     # names a foreign topic
    return (guess.intent.value + (":keyword" if guess.keyword_only else "") + (":foreign" if foreign else "")
            + ("+slots" if named else ""))


def request_reading(scores: IntentScores) -> IntentGuess:
    """What the classifier reads the message as asking, `reply` set aside (a new request is no answer)."""
    label, p = scores.request, scores.p_request
    if label == OUT_OF_SCOPE:
        return IntentGuess(Intent.OUT_OF_SCOPE, SURE_OFF_TOPIC if p >= 0.7 else 0.85, in_scope_signal=False)
    intent, _, topic = label.partition("/")
    return IntentGuess(Intent(intent), 0.85 if p >= 0.7 else 0.8, info_topic=topic or None)


def new_request(guess: IntentGuess, scores: IntentScores, th: Thresholds, named: bool, who: bool) -> IntentGuess:
    """With no question open: the classifier's reading where it is at least as likely as the margin
    for the rules' reading (see module docstring); otherwise the rules'."""
    mine = request_reading(scores)
    if mine.intent == guess.intent and (mine.intent != Intent.INFORMATION or mine.info_topic == guess.info_topic):
        if guess.confidence < mine.confidence and scores.p_request >= th.adopt:   # a guess the classifier shares
            return IntentGuess(guess.intent, mine.confidence, guess.info_topic, guess.dialogue_act,
                               guess.in_scope_signal, guess.keyword_only)
        return guess
    need = th.over.get(reading_of(guess, named), 2.0)
    if guess.intent == Intent.SCHEDULING and not guess.keyword_only:
        need = max(need, EXPLICIT_BOOKING)
    if who and guess.intent == Intent.SCHEDULING:
        need = max(need, NAMED_BOOKING if mine.intent in APPOINTMENT_INTENTS else th.override)
    return guess if scores.p_request < need else mine


def vetoed(res: NLUResult, scores: Optional[IntentScores], th: Optional[Thresholds], expecting: Optional[str],
           text: str) -> bool:
    """True when an answer-looking message is off-topic (see module docstring)."""
    if scores is None or th is None or scores.label != OUT_OF_SCOPE or scores.p_out_of_scope < th.veto:
        return False
    return veto_candidate(res, expecting, text)


def clear_answer(res: NLUResult) -> None:
    """Drop what an off-topic message seemed to answer: it answers nothing."""
    for name in _SLOTS_CLEARED:
        setattr(res, name, None)
    res.not_weekdays = []
    res.is_correction = False
    res.answers_expected = False
    res.intent, res.confidence = Intent.OUT_OF_SCOPE, 0.9
