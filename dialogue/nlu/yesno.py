"""Yes/no polarity of a reply.

``polarity(text)`` looks at the first clause of the cleaned text and returns
``(True|False|None, strength)``.  Negative cues are checked first so "not good" and
"that doesn't work" are no; idioms like "no problem" / "why not" are yes.  Strength is
1.0 for an explicit word at the start ("yes", "nope"), 0.8 for a phrase elsewhere in the
first clause ("that works for me"), 0.0 when unclear.
"""

from __future__ import annotations

import re
from typing import Optional

_POS_IDIOMS = re.compile(
    r"\b(no problem|no worries|why not|no doubt|not a problem|can't complain|no objection|"
    r"couldn't be better|not bad|not wrong|no lie)\b"
)
_NEG = re.compile(
    r"\b(no+|nope|nah|negative|not really|not quite|not exactly|neither|none of (?:them|those|these)|"
    r"not (?:right|correct|good|ok|fine|true|it|that|what i (?:said|wanted|meant)|great|accurate)|"
    r"(?:doesn't|does not|won't|will not|wouldn't|would not|don't|do not|can't|cannot|didn't) "
    r"(?:really )?(?:work|suit|fit|do|want|need|think so|like|agree|make it|sound)|"
    r"wrong|incorrect|that's not|that is not|isn't right|isn't correct|is not right|"
    r"i'd rather not|rather not|i changed my mind|changed my mind|change my mind|"
    r"on second thought|never ?mind|not at all|no way|absolutely not|of course not|"
    r"i think not|i don't think so|false|nay|cancel (?:that|it)|not for me|not now|"
    r"oh no|that won't work|nothing|not interested|i disagree|disagree|decline|untrue|inaccurate|"
    r"erroneous|i'll pass|ill pass|i pass|not the case|not happening|prefer not|negatory|invalid|nada|"
    r"it seems not|hard no|hell no|not so|nix|n(?=\W*$))\b"
)
_POS = re.compile(
    r"\b(yes+|yeah|yep|yup|yea|ya|yah|yeap|yas|sure|surely|certainly|absolutely|definitely|"
    r"of course|ok|okey|alright|all right|correct|right(?! now| away| here| there)|perfect|great|good|fine|fantastic|"
    r"excellent|awesome|wonderful|lovely|exactly|indeed|affirmative|agreed|agree|confirm|"
    r"confirmed|confirming|go ahead|go for it|please do|book it|do it|do that|let's do it|"
    r"let's go|sounds good|sounds great|sounds perfect|sounds fine|sounds right|sounds like a plan|"
    r"that works|works for me|would work|will work|should work|that'll work|it works|that fits|fits|"
    r"nice|approved?|approval|assent|granted|checks out|good to go|that's fine|works|"
    r"i'll take it|take it|that one|true|accurate|precisely|yes please|uh huh|mhm|mm hmm|"
    r"you got it|you bet|i do|that is it|that's it|that's the one|sounds about right|"
    r"i confirm|go on|proceed|ja|si|oui|aye|roger|suits me|suit me|satisfactory|approved|"
    r"a fact|facts|the truth|affirmitive|accepted|makes sense|that's true|is true|"
    r"positive|totally|most certainly|i.m in|for sure|by all means|bingo|cool|y(?=\W*$)|k(?=\W*$))\b"
)
_CLAUSE_END = re.compile(r"[.!?;]|\bbut\b|\bhowever\b|\bthough\b")
_LEAD = re.compile(r"^\W*(?:well|um+|uh+|hmm+|oh|so|and|ah+|er+|actually)?\W*")


def first_clause(text: str) -> str:
    """Text up to the first sentence end or 'but'."""
    m = _CLAUSE_END.search(text)
    return text[: m.start()] if m else text


def polarity(text: str) -> tuple[Optional[bool], float]:
    """(polarity, strength) of cleaned ``text``; (None, 0.0) when there is no yes/no cue."""
    clause = first_clause(text).strip(" ,")
    if not clause:
        clause = text
    lead = _LEAD.sub("", clause, count=1)
    if _POS_IDIOMS.search(clause):
        return True, 0.8
    neg = _NEG.search(clause)
    pos = _POS.search(clause)
    if neg and (not pos or neg.start() <= pos.start() or _negates(clause, pos)):
        return False, 1.0 if lead.startswith(neg.group(0)) else 0.8
    if pos:
        return True, 1.0 if lead.startswith(pos.group(0)) else 0.8
    return None, 0.0


def _negates(clause: str, pos: re.Match[str]) -> bool:
    """True when a negation word sits right before the positive cue ("not good")."""
    return bool(re.search(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$", clause[: pos.start()]))
