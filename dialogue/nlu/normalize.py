"""Text clean-up before parsing: lowercase, texting abbreviations, common typos.

``clean(text)`` returns the lowercase text with abbreviations expanded ("appt" ->
"appointment", "tmrw" -> "tomorrow", "u" -> "you"), misspelt calendar words fixed
("wensday" -> "wednesday", via a table and a guarded fuzzy match) and number words
rewritten as numerals (see ``numbers.normalize_numbers``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .numbers import normalize_numbers

ABBREVIATIONS = {
    "appt": "appointment", "appts": "appointments", "apt": "appointment", "appnt": "appointment",
    "appoint": "appointment", "apointment": "appointment", "appoitment": "appointment",
    "appointmnet": "appointment", "appontment": "appointment", "appiontment": "appointment",
    "resched": "reschedule", "reschedual": "reschedule", "rescedule": "reschedule",
    "reshedule": "reschedule", "shedule": "schedule", "schedual": "schedule", "sched": "schedule",
    "cancle": "cancel", "cancell": "cancel", "cxl": "cancel", "canel": "cancel",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "tmw": "tomorrow", "2morrow": "tomorrow",
    "2moro": "tomorrow", "tomoz": "tomorrow", "tdy": "today", "2day": "today",
    "pls": "please", "plz": "please", "plss": "please", "u": "you", "ur": "your", "r": "are",
    "thx": "thanks", "thnx": "thanks", "ty": "thank you", "tysm": "thank you", "k": "ok",
    "kk": "ok", "okay": "ok", "okey": "ok", "okie": "ok", "wanna": "want to", "gonna": "going to",
    "gotta": "got to", "cuz": "because", "bc": "because", "b4": "before", "nxt": "next",
    "wk": "week", "wks": "weeks", "hrs": "hours", "mins": "minutes", "min": "minutes", "doc": "doctor",
    "dr": "dr", "drs": "doctors", "docs": "doctors", "mon": "monday", "tue": "tuesday",
    "tues": "tuesday", "wed": "wednesday", "weds": "wednesday", "thu": "thursday", "thur": "thursday",
    "thurs": "thursday", "fri": "friday", "sat": "saturday", "sun": "sunday", "jan": "january",
    "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december", "noon": "noon", "yea": "yeah", "ya": "yeah", "yah": "yeah", "yup": "yep",
    "nah": "no", "naw": "no", "nope": "nope", "ppl": "people", "im": "i'm", "dont": "don't",
    "cant": "can't", "wont": "won't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't",
    "thats": "that's", "whats": "what's", "wheres": "where's", "hows": "how's", "ive": "i've",
    "id": "i'd", "pm": "pm", "am": "am", "nite": "night", "tonite": "tonight", "tho": "though",
    "w": "with", "w/": "with", "hr": "hour", "yr": "year",
    "yrs": "years", "bday": "birthday", "dob": "date of birth", "ph": "phone", "num": "number",
    "#": "number", "recep": "receptionist", "rep": "representative", "morn": "morning",
    "aft": "afternoon", "arvo": "afternoon", "eve": "evening", "wanted": "wanted",
}

CALENDAR_WORDS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "tomorrow", "today", "tonight", "afternoon",
    "morning", "evening", "appointment", "reschedule", "schedule", "cancel",
    # specialties, misspelt as often as weekdays ("dermatolgy", "cardiolgist")
    "cardiology", "cardiologist", "dermatology", "dermatologist", "pediatrics", "pediatrician",
    "orthopedics", "orthopedic", "orthopedist", "ophthalmology", "ophthalmologist", "gynecology",
    "gynecologist", "obstetrician", "psychiatry", "psychiatrist", "neurology", "neurologist",
    "gastroenterology", "gastroenterologist", "otolaryngology", "urology", "urologist",
    "endocrinology", "endocrinologist", "allergist", "dentist", "therapist",
)
TYPOS = {
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tomorroww": "tomorrow",
    "tomrrow": "tomorrow", "tmorrow": "tomorrow", "tomoroww": "tomorrow", "tomorrw": "tomorrow",
    "wensday": "wednesday", "wendsday": "wednesday", "wednsday": "wednesday", "wedensday": "wednesday",
    "wednesdy": "wednesday", "wedsday": "wednesday", "tuesdy": "tuesday", "tusday": "tuesday",
    "teusday": "tuesday", "tuseday": "tuesday", "thrusday": "thursday", "thursdy": "thursday",
    "thurday": "thursday", "thirsday": "thursday", "firday": "friday", "fridy": "friday",
    "fryday": "friday", "mondy": "monday", "monady": "monday", "saterday": "saturday",
    "satruday": "saturday", "sundy": "sunday", "febuary": "february", "feburary": "february",
    "agust": "august", "septmber": "september", "novmber": "november", "decmber": "december",
    "pelase": "please", "plese": "please", "pleas": "please", "pleae": "please", "afternon": "afternoon", "aftenoon": "afternoon", "mornin": "morning", "moring": "morning",
    "evning": "evening", "tonigt": "tonight", "thr": "the", "teh": "the", "recieve": "receive",
    "docter": "doctor", "doctr": "doctor", "dcotor": "doctor", "pediatrition": "pediatrician",
    "appoinment": "appointment", "appointement": "appointment", "apppointment": "appointment",
}
# words that look like calendar words but are real words: never "fixed"
_KEEP = frozenset({
    "money", "month", "monthly", "mondays", "marches", "marched", "sundae", "match", "mark",
    "moring", "today's", "scheduled", "schedules", "canceled", "cancelled", "cancels", "evenings",
    "mornings", "afternoons", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays",
    "sundays", "appointments", "tonight's", "scheduling", "canceling", "cancelling",
    "rescheduled", "rescheduling", "sunny", "friend", "friends", "fried", "frida", "saturn",
    "mayday", "junk", "julie", "augusta", "octopus", "novel", "decent", "janitor",
    "thursday's", "friday's", "monday's", "tuesday's", "wednesday's", "saturday's", "sunday's",
    "morrow", "tomato", "tomatoes", "septic", "marching", "wedding", "weekday",
})

_WORD_RE = re.compile(r"[a-z0-9#/][a-z0-9'/#]*")


@lru_cache(maxsize=4096)
def _fix_word(w: str) -> str:
    if w in ABBREVIATIONS:
        return ABBREVIATIONS[w]
    if w in TYPOS:
        return TYPOS[w]
    if len(w) < 6 or w in _KEEP or not w.isalpha():
        return w
    best, best_d = w, 3
    for cand in CALENDAR_WORDS:
        if cand[0] != w[0] or abs(len(cand) - len(w)) > 2:
            continue
        d = Levenshtein.distance(w, cand, score_cutoff=2)
        limit = 1 if len(cand) <= 7 else 2
        if d <= limit and d < best_d:
            best, best_d = cand, d
    return best


_APOS_RE = re.compile(r"[\u2019\u2018`´]")
_SPACE_RE = re.compile(r"\s+")
_AMPM_RE = re.compile(r"\b([ap])\s*\.?\s*m\b\.?")
_OCLOCK_RE = re.compile(r"\bo\s*['\"]?\s*clock\b")


@lru_cache(maxsize=2048)
def clean(text: str) -> str:
    """Lowercase, expand abbreviations, fix typos, rewrite number words as numerals."""
    t = _APOS_RE.sub("'", text.lower()).strip()
    t = _OCLOCK_RE.sub(" oclock", t)
    t = _WORD_RE.sub(lambda m: _fix_word(m.group(0)), t)
    t = _SPACE_RE.sub(" ", t)
    t = normalize_numbers(t)
    # "3 p m" / "3 p.m." / "3pm" -> "3 pm"; only after a digit, so "a m" elsewhere is untouched
    t = re.sub(r"(\d)\s*([ap])\s*\.?\s*m\b\.?", r"\1 \2m", t)
    return t
