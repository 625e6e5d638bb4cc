"""JSGF grammars per question type, generated from a clinic's data.

The embedded recogniser only understands what the current question's grammar allows, so each
question the receptionist asks has its own small grammar (per-question grammars beat one combined
grammar by ~6 points and decode ~2x faster, see docs/speech.md). Every grammar also carries the
escape phrases (talk to a person, repeat that, goodbye) so a caller can always get out.

Grammar words are lower-case dictionary tokens; names outside the CMU dictionary get espeak-ng
pronunciations (lexicon.py). The off-topic ("garbage") alternative is added by the recogniser,
not here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

QUESTION_TYPES = ("opening", "provider", "date", "time", "yes_no", "choice", "name", "reason")

ESCAPE = (
    "[can i | could i | may i | i want to | i'd like to | i need to | let me] (talk | speak) to "
    "(a person | someone | somebody | a human | a real person | the front desk | a representative"
    " | the receptionist | an operator | a nurse) | [the] operator | [a] representative"
    " | [can you | could you] (repeat that | say that again) [please] | repeat"
    " | goodbye | bye | bye bye"
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty first",
            "twenty second", "twenty third", "twenty fourth", "twenty fifth", "twenty sixth",
            "twenty seventh", "twenty eighth", "twenty ninth", "thirtieth", "thirty first")
SUGGEST = "how about | what about | maybe"       # a caller proposing a day or a time
HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve")
MINUTES = ("oh five", "ten", "fifteen", "twenty", "twenty five", "thirty", "thirty five", "forty",
           "forty five", "fifty", "fifty five")

YES = ("yes", "yeah", "yep", "yup", "sure", "correct", "that's right", "that's correct", "right",
       "okay", "sounds good", "perfect", "absolutely", "of course", "please do", "go ahead",
       "that works", "yes please", "yes that's right", "yes that's correct", "that's fine",
       "that's it")
NO = ("no", "nope", "nah", "not really", "that's wrong", "that's not right", "incorrect",
      "no thanks", "no thank you", "neither", "none of those", "not that one", "no that's wrong")
PICKS = ("first", "second", "third", "last", "earlier", "later", "earliest", "latest")

# Lay phrases for common specialties (lower-case keys are matched as substrings).
SPECIALTY_PHRASES: dict[str, tuple[str, ...]] = {
    "family": ("family medicine", "family doctor", "family practice", "primary care",
               "regular doctor", "general practitioner"),
    "internal": ("internal medicine", "internist", "primary care", "regular doctor"),
    "cardio": ("cardiology", "cardiologist", "heart doctor", "heart specialist"),
    "dermat": ("dermatology", "dermatologist", "skin doctor", "skin specialist"),
    "pediatr": ("pediatrics", "pediatrician", "children's doctor", "kids doctor", "baby doctor"),
    "orthop": ("orthopedics", "orthopedist", "orthopedic surgeon", "bone doctor",
               "orthopedic doctor"),
    "gyn": ("gynecology", "gynecologist", "women's health"),
    "neuro": ("neurology", "neurologist", "brain doctor"),
    "psych": ("psychiatry", "psychiatrist", "mental health"),
}

COMMON_FIRST = (
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "charles", "christopher", "daniel", "matthew", "anthony", "mark", "steven", "paul", "andrew",
    "joshua", "kevin", "brian", "george", "edward", "ryan", "jason", "jacob", "eric", "peter",
    "mary", "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan", "jessica", "sarah",
    "karen", "nancy", "lisa", "betty", "margaret", "sandra", "ashley", "emily", "michelle",
    "amanda", "melissa", "laura", "maria", "anna", "rebecca", "julie", "grace", "olivia", "emma",
    "sophia", "jose", "luis", "carlos", "juan", "wei", "mohammed", "fatima", "aisha", "priya",
)
COMMON_LAST = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
    "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
    "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall",
    "rivera", "campbell", "mitchell", "carter", "roberts", "chen", "wang", "kim", "patel", "shah",
    "khan", "cohen", "murphy", "kelly", "o'brien",
)

VISIT_REASONS = (
    "a checkup", "a check up", "a physical", "an annual physical", "a physical exam",
    "a follow up", "a follow up visit", "a flu shot", "a vaccine", "a vaccination", "a shot",
    "a cough", "a cold", "the flu", "a fever", "a sore throat", "an ear infection", "a rash",
    "back pain", "chest pain", "a headache", "headaches", "stomach pain", "an injury",
    "a sprained ankle", "knee pain", "blood work", "a blood test", "lab work", "a prescription",
    "a prescription refill", "a refill", "my blood pressure", "diabetes", "allergies", "asthma",
    "a skin check", "a mole", "acne", "a well child visit", "a sports physical",
    "a school physical", "a consultation", "a second opinion", "results", "my test results",
    "pain", "anxiety", "depression",
)


@dataclass(frozen=True)
class Provider:
    name: str                       # "Dr. Priya Raman"
    specialty: str | None = None    # "Family Medicine"
    id: str | None = None

    @property
    def first(self) -> str | None:
        parts = spoken_words(self.name)
        return parts[0] if len(parts) >= 2 else None

    @property
    def last(self) -> str:
        return spoken_words(self.name)[-1]


@dataclass
class ClinicVocabulary:
    providers: list[Provider] = field(default_factory=list)
    patient_names: list[str] = field(default_factory=list)   # "Maria Lopez"


def spoken_words(text: str) -> list[str]:
    """'Dr. Ana Oyelaran-Smith' -> ['ana', 'oyelaran', 'smith'] (titles dropped)."""
    text = text.lower().replace("-", " ")
    words = [re.sub(r"[^a-z']", "", w) for w in text.split()]
    return [w.strip("'") for w in words if w and w.strip("'") not in ("dr", "doctor", "md", "do", "")]


def _alts(items: Iterable[str]) -> str:
    seen: list[str] = []
    for it in items:
        it = it.strip()
        if it and it not in seen:
            seen.append(it)
    return "(" + " | ".join(seen) + ")" if seen else "<VOID>"


def specialty_phrases(specialty: str | None) -> list[str]:
    if not specialty:
        return []
    spec = specialty.lower()
    phrases = [" ".join(spoken_words(spec))]
    for key, lay in SPECIALTY_PHRASES.items():
        if key in spec:
            phrases.extend(lay)
    return [p for p in dict.fromkeys(phrases) if p]


def provider_name_alts(providers: list[Provider]) -> list[str]:
    out: list[str] = []
    for p in providers:
        first, last = p.first, p.last
        out.append(f"[doctor] {first} {last}" if first else f"[doctor] {last}")
        out.append(f"[doctor] {last}")
        if first:
            out.append(first)
    return out


def _header(name: str) -> str:
    return f"#JSGF V1.0;\ngrammar {name};\n"


def _grammar(name: str, body_rules: dict[str, str], main: str) -> str:
    lines = [_header(name), f"public <{name}> = {main};", f"<escape> = {ESCAPE};"]
    for rule, expansion in body_rules.items():
        lines.append(f"<{rule}> = {expansion};")
    return "\n".join(lines) + "\n"


def opening_grammar(vocab: ClinicVocabulary) -> str:
    provs = provider_name_alts(vocab.providers)
    rules = {
        "pre": "hi | hello | hey | hi there | yes | yeah | um | good morning | good afternoon",
        "want": "i'd like to | i would like to | i want to | i need to | can i | could i"
                " | i'm calling to | i'm trying to | i was hoping to",
        "appt": "an appointment | a visit | a checkup | a new appointment",
        "prov": _alts(provs) if provs else "<VOID>",
        "book": "[<want>] (book | make | schedule | set up) (<appt> [with <prov>] | with <prov>)"
                " | i need <appt> [with <prov>] | [<want>] see <prov>",
        "cancel": "[<want>] cancel [my | an] [appointment]",
        "resched": "[<want>] (reschedule | change | move) [my | an] [appointment]",
        "when": "when is my appointment | what time is my appointment | do i have an appointment"
                " | [<want>] (check | confirm) my appointment",
        "hours": "what are your hours | when are you open | what time do you (open | close)"
                 " | are you open (today | tomorrow | on saturday)",
        "where": "where are you [located] | what is your address | what's your address"
                 " | where is the clinic | how do i get there",
        "greet": "hi | hello | hey | good morning | good afternoon",
        "bye": "goodbye | bye | that's all | that's all thank you",
        "yn": "yes | yeah | no | nope",
        "intent": "<book> | <cancel> | <resched> | <when> | <hours> | <where> | <greet> | <bye>"
                  " | <yn>",
    }
    return _grammar("opening", rules, "[<pre>] <intent> [please] [thank you] | <escape>")


def provider_grammar(vocab: ClinicVocabulary) -> str:
    names = provider_name_alts(vocab.providers)
    specs: list[str] = []
    for p in vocab.providers:
        specs.extend(specialty_phrases(p.specialty))
    rules = {
        "lead": "i'd like | i want | i'd like to see | i want to see | i'd prefer | with"
                " | can i see | i'll see | let me see | i'd like to book with",
        "name": _alts(names) if names else "<VOID>",
        "spec": _alts(specs) if specs else "<VOID>",
        "any": "(anyone | anybody | any doctor | whoever) [is fine | is available]"
               " | the first available [doctor] | it doesn't matter | no preference",
    }
    return _grammar("provider", rules,
                    "[<lead>] (<name> | [the | a] <spec>) [please] | <any> | <escape>")


def date_grammar(vocab: ClinicVocabulary) -> str:
    rules = {
        "lead": SUGGEST,
        "wd": _alts(WEEKDAYS),
        "month": _alts(MONTHS),
        "ord": _alts(ORDINALS),
        "day": "today | tomorrow | the day after tomorrow | [on] [next | this | this coming] <wd>"
               " | [on] <month> [the] <ord> | [on] the <ord> [of <month>]"
               " | (this | next) week | as soon as possible | the earliest [available] [day]"
               " | any day [is fine]",
    }
    return _grammar("date", rules, "[<lead>] <day> [please] | <escape>")


def time_grammar(vocab: ClinicVocabulary) -> str:
    rules = {
        "lead": SUGGEST,
        "hour": _alts(HOURS),
        "min": _alts(MINUTES),
        "ampm": "a m | p m | in the morning | in the afternoon | in the evening",
        "clock": "<hour> [<min>] [<ampm>] | <hour> o'clock [<ampm>] | noon | midday"
                 " | half past <hour> [<ampm>] | (a quarter | quarter) (past | after | to) <hour>",
        "when": "[at | around | about | after | before | by] <clock>"
                " | [in the | sometime in the | any time in the] (morning | afternoon | evening)"
                " | [the] (first | earliest | latest | last) [available] [time | one | slot]"
                " | (any time | anytime) [is fine | works]",
    }
    return _grammar("time", rules, "[<lead>] <when> [please] | <escape>")


def yes_no_grammar(vocab: ClinicVocabulary) -> str:
    """Confirmations ("shall I book it?"): yes or no only. Picks live in the choice grammar:
    with them here, "correct" was heard as "the earlier" and "yes" answers lost ~4 points."""
    rules = {
        "yes": _alts(YES),
        "no": _alts(NO),
    }
    return _grammar("yes_no", rules, "(<yes> | <no>) [thank you] | <escape>")


def choice_grammar(vocab: ClinicVocabulary) -> str:
    """Choosing among offered options (slots, appointments): a pick, or yes / no to the offer."""
    rules = {
        "yes": _alts(YES),
        "no": _alts(NO),
        "pick": "[i'll take | i'd like | let's do | give me] [the] " + _alts(PICKS)
                + " [one | time | option] | option (one | two | three) | number (one | two | three)",
    }
    return _grammar("choice", rules, "(<pick> | <yes> | <no>) [please] [thank you] | <escape>")


def name_grammar(vocab: ClinicVocabulary) -> str:
    firsts, lasts, fulls = list(COMMON_FIRST), list(COMMON_LAST), []
    for full in vocab.patient_names:
        parts = spoken_words(full)
        if not parts:
            continue
        fulls.append(" ".join(parts))
        firsts.append(parts[0])
        if len(parts) > 1:
            lasts.append(parts[-1])
    for p in vocab.providers:       # staff calling in, or patients sharing a name
        if p.first:
            firsts.append(p.first)
        lasts.append(p.last)
    rules = {
        "lead": "my name is | this is | it's | i'm | the name is | the patient is",
        "first": _alts(firsts),
        "last": _alts(lasts),
        "full": _alts(fulls) if fulls else "<VOID>",
    }
    return _grammar("name", rules, "[<lead>] (<full> | <first> [<last>]) | <escape>")


def reason_grammar(vocab: ClinicVocabulary) -> str:
    """Reasons for the visit are free speech: a grammar of common reasons, with the recogniser's
    garbage alternative catching the rest (Recognition.accepted False -> the caller's reason is
    recorded as 'other / not understood'; no transcript is invented)."""
    rules = {
        "lead": "it's for | i need | i'd like | i have | i've got | i want | for | just"
                " | i'm coming in for | i need to get",
        "why": _alts(VISIT_REASONS),
    }
    return _grammar("reason", rules, "[<lead>] <why> [please] | <escape>")


BUILDERS = {
    "opening": opening_grammar,
    "provider": provider_grammar,
    "date": date_grammar,
    "time": time_grammar,
    "yes_no": yes_no_grammar,
    "choice": choice_grammar,
    "name": name_grammar,
    "reason": reason_grammar,
}


def build_grammars(vocab: ClinicVocabulary) -> dict[str, str]:
    """question type -> JSGF text (the public rule is named after the question type)."""
    return {q: builder(vocab) for q, builder in BUILDERS.items()}


_TOKEN = re.compile(r"[a-z][a-z']*")


def grammar_words(jsgf: str) -> set[str]:
    """All word tokens of a generated grammar (rule names, weights and keywords excluded)."""
    body = "\n".join(line for line in jsgf.splitlines()
                     if not line.startswith("#JSGF") and not line.startswith("grammar "))
    body = re.sub(r"<[^>]*>", " ", body)
    body = re.sub(r"/[^/]*/", " ", body)
    body = body.replace("public", " ")
    return set(_TOKEN.findall(body))


_JSGF_TOKEN = re.compile(r"<[^>]+>|/[^/]*/|[()\[\]|+*]|[^\s()\[\]|+*<>/;]+")


class GrammarMatcher:
    """Checks that a decoder hypothesis is a complete sentence of a generated grammar.

    pocketsphinx returns its best *partial* path when no grammar end state was reached
    ("Final result does not match the grammar"); such text ("yeah the", "on june") must not be
    taken as an answer. The generated JSGF is turned into an equivalent regular expression.
    """

    def __init__(self, jsgf: str) -> None:
        rules: dict[str, str] = {}
        public = None
        for stmt in jsgf.split(";"):
            stmt = stmt.strip()
            m = re.match(r"(public\s+)?<([^>]+)>\s*=\s*(.*)$", stmt, re.S)
            if not m:
                continue
            rules[m.group(2)] = m.group(3)
            if m.group(1) and public is None:
                public = m.group(2)
        if public is None:
            raise ValueError("grammar has no public rule")
        self._rules = rules
        self._cache: dict[str, str] = {}
        self.regex = re.compile(self._rule(public))

    def _rule(self, name: str) -> str:
        if name == "VOID":
            return "(?!)"
        if name == "NULL":
            return ""
        if name not in self._cache:
            self._cache[name] = "(?!)"          # no recursion in generated grammars
            self._cache[name] = self._expand(self._rules[name])
        return self._cache[name]

    def _expand(self, body: str) -> str:
        out: list[str] = []
        for tok in _JSGF_TOKEN.findall(body):
            if tok.startswith("<"):
                out.append("(?:" + self._rule(tok[1:-1]) + ")")
            elif tok.startswith("/"):
                continue
            elif tok == "[":
                out.append("(?:")
            elif tok == "]":
                out.append(")?")
            elif tok == "(":
                out.append("(?:")
            elif tok in (")", "|", "+", "*"):
                out.append(tok)
            else:
                out.append(re.escape(tok) + " ")
        return "(?:" + "".join(out) + ")"

    def matches(self, text: str) -> bool:
        words = text.split()
        return bool(words) and self.regex.fullmatch(" ".join(words) + " ") is not None
