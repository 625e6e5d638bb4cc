"""What the rules' cues say about a message, as numbers the classifier's head reads beside the
sentence embedding.

A sentence embedding hears "chest pain" and "suicide" loudly and "last year", "my neighbour",
"for my essay" or "dying of boredom" softly: most of the classifier's false alarms were such hard
negatives. The cues the rules already read (negation, history vs now, an idiom, a third party, a
question, a topic of study, a Spanish urgency word) are given to the head as features, so it can
learn how much each one counts instead of the rules silencing by a fixed list. Cheap: a few regex
scans over the folded text (~0.05 ms). Training (`bench/train_crisis_head.py`) and run time call
the same `cue_features`, and the head file records `CUES_VERSION`.
"""
from __future__ import annotations

import re

import numpy as np

from safety.crisis_cues import CURRENT_RE, HISTORY_RE, IDIOM_RE, IMMINENT_RE

CUES_VERSION = "cues-4"    # cues-4 (session 15): HISTORY_RE reads a past said as such, a symptom only supposed;
                           # cues-3 (session 13): CURRENT_RE reads a symptom that has come back

_NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|nobody|nunca|sin|ni)\b|n't\b")
_PAST = re.compile(
    r"\b(?:was|were|had|did|used to|back (?:in|when)|ago|last (?:week|month|year|night|time|summer|winter|spring|fall)|"
    r"in (?:19|20)\d\d|since|years?|once|previous(?:ly)?|history|recovered|survived|"
    r"fue|era|tuve|tenia|hace)\b")
_RESOLVED = re.compile(
    r"\b(?:better now|fine now|ok(?:ay)? now|all good|went away|gone now|passed|resolved|cleared up|"
    r"settled|stopped|doing (?:much )?better|under control|stable|recovered|healed|"
    r"ya (?:paso|estoy bien|se me paso)|estoy mejor)\b")
_THIRD = re.compile(
    r"\b(?:my|his|her|our|their|mi|su) (?:mom|mum|mother|dad|father|son|daughter|kid|child|baby|friend|neighbou?r|"
    r"coworker|co-worker|colleague|boss|brother|sister|cousin|aunt|uncle|grandma|grandpa|grandmother|"
    r"grandfather|patient|client|student|roommate|classmate|character|dog|cat|madre|padre|hijo|hija|amigo|"
    r"amiga|vecino|vecina|abuela|abuelo|hermano|hermana)\b|\b(?:he|she|they|him|her|them|el|ella)\b")
_FIRST = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|myself|mine|yo|me|mi|estoy|tengo|quiero)\b")
_QUESTION = re.compile(
    r"\?|^(?:how|what|which|when|where|why|who|is|are|can|could|should|would|does|do|did|will)\b|"
    r"^(?:como|que|cual|cuando|donde|por que|puedo|puede|es|hay)\b")
_TOPIC = re.compile(
    r"\b(?:article|paper|essay|class|course|homework|assignment|research|study|studying|thesis|project|"
    r"documentary|movie|film|show|series|episode|book|novel|podcast|news|statistics|rates?|training|"
    r"certification|nursing|school|lecture|presentation|pamphlet|brochure|sign|signs|symptoms of|"
    r"what (?:are|is) the|how do (?:you|i) know|policy|protocol|insurance|cover|covered|"
    r"articulo|clase|tarea|investigacion|pelicula|libro|noticias)\b")
_BOOKING = re.compile(
    r"\b(?:appointment|appt|schedule|reschedule|book|booking|slot|follow[- ]?up|check[- ]?up|visit|"
    r"refill|cancel|cita|consulta|agendar|programar)\b")
_URGENCY_ES = re.compile(r"\b(?:urgente|urgencia|lo antes posible|cuanto antes|rapido|hoy mismo)\b")
_HYPERBOLE = re.compile(
    r"\b(?:literally|lol|lmao|haha|jk|kidding|joke|joking|figuratively|so bored|ugh|omg|xd|jaja)\b")

# cues-2 (2026-11-28): what blind batch 7's false alarms were about, written as kinds, not phrases:
# a story, play or game; paperwork; a death that has happened (grief, an anniversary); a violent verb
# aimed at a thing ("strangle my printer"); a dose asked about safely vs a dose asked about as lethal
_FICTION = re.compile(
    r"\b(?:writing|writer|wrote|story|stories|novel|novela|mystery|thriller|plays?|script|scene|characters?|"
    r"personajes?|actor|actress|cast|role|rehearsal|movie|film|pelicula|series|episode|game|games|videojuegos?|"
    r"poem|song|lyrics|cuento|obra|comic|true crime|fiction|ficcion|hypothetically|in theory)\b")
_PAPERWORK = re.compile(
    r"\b(?:forms?|paperwork|action plan|care plan|letter|certificate|sign(?:ed)?|fill(?:ed)? out|records?|"
    r"formularios?|carta|justificante|constancia|pamphlets?|brochures?|folletos?|leaflets?|handouts?|flyers?)\b")
_BEREAVED = re.compile(
    r"\b(?:died|passed away|passed on|death of|funeral|anniversary|memorial|grief|grieving|bereave\w*|widow\w*|"
    r"put (?:our|my|the) \w+ down|murio|fallecio|se suicido|duelo|aniversario|luto)\b")
_AT_A_THING = re.compile(
    r"\b(?:kill|murder|strangle|choke|throttle|shoot|stab|punch|smash|destroy|matar|mato)\w* (?:a |an |my |the |this |that |"
    r"these |those |el |la |mi |un |una )?(?:\w+ )?(?:printer|computer|laptop|phone|tv|burger|pizza|sandwich|tacos?|"
    r"steak|coffee|beer|drinks?|plants?|car|traffic|wifi|internet|alarm|homework|exam|test|presentation|interview|"
    r"workout|game|level|zombies?|weeds?|bugs?|mosquito\w*|flies|spiders?|roaches|ants|impresora|computadora|hamburguesa)\b")
_SAFE_DOSE = re.compile(
    r"\b(?:safely|safe (?:to|dose|amount)|max(?:imum)? (?:daily )?dose|per day|a day|every \d+ hours|with food|"
    r"interact\w*|dosis (?:maxima|segura)|al dia|por dia)\b")
_LETHAL = re.compile(
    r"\b(?:fatal|lethal|deadly|not wake|never wake|wouldn't wake|enough to|to die|kill (?:me|myself|someone)|"
    r"no despertar|mortal|letal)\b")

_CUES = (_NEGATION, _PAST, _RESOLVED, _THIRD, _FIRST, _QUESTION, _TOPIC, _BOOKING, _URGENCY_ES, _HYPERBOLE,
         HISTORY_RE, CURRENT_RE, IDIOM_RE, IMMINENT_RE, _FICTION, _PAPERWORK, _BEREAVED, _AT_A_THING, _SAFE_DOSE,
         _LETHAL)
N_CUES = len(_CUES) + 2     # each cue present, and two counts: first-person and past-tense words
SCALE = 0.25                # the size of an embedding's larger components: no cue drowns the meaning


def cue_features(folded: str) -> np.ndarray:
    """``folded``: the text as the classifier reads it (`crisis_text.model_text`)."""
    out = np.zeros(N_CUES, dtype=np.float32)
    for i, cue in enumerate(_CUES):
        out[i] = 1.0 if cue.search(folded) else 0.0
    out[len(_CUES)] = min(len(_FIRST.findall(folded)), 4) / 4
    out[len(_CUES) + 1] = min(len(_PAST.findall(folded)), 4) / 4
    return out * SCALE


# what is recent or still going on is no past: "stung 10 min ago", "since I shoveled the driveway"
_RECENT = re.compile(
    r"\b(?:\d+|a few|a couple(?: of)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty|half an?) "
    r"(?:min|mins|minutes?|hours?|hrs?|seconds?|secs?) ago\b|\bsince\b")

# all is well said of the person: "blood everywhere lol, my kid lost his first tooth ... he's totally fine"
_ALL_WELL = re.compile(r"\b(?:he's|she's|i'm|im|we're|they're|he is|she is|i am) (?:totally |completely |perfectly |all )?"
                       r"(?:fine|ok|okay|good|stable)\b(?! (?:but|until|except))")
_TO_BOOK = re.compile(r"\bbook(?:ed|ing)? (?:a|an|the|me|my|us|him|her|in|it|for|with|them)\b")


def told_as_over(folded: str) -> bool:
    """Does the message carry a cue of the past, of an end or of a topic of study ("back in March",
    "already stopped", "my first aid course")? Where it does, a medical rule's hit may be dropped by a
    classifier all but certain there is no crisis (`crisis.veto_for`). Minutes or hours ago, or "since",
    is no past (session 15: a wasp sting "10 min ago" with hives and a faint coming was dropped so), and
    to book a visit is no book read."""
    return bool(_PAST.search(_RECENT.sub(" ", folded)) or _RESOLVED.search(folded) or _ALL_WELL.search(folded)
                or _TOPIC.search(_TO_BOOK.sub(" ", folded)))


def with_cues(x: np.ndarray, texts: list[str]) -> np.ndarray:
    """The head's input: each embedding followed by its text's cue features."""
    return np.hstack([x, np.vstack([cue_features(t) for t in texts]) if texts else np.zeros((0, N_CUES))]).astype(np.float32)
