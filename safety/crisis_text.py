"""How a message is read: folded for the rules and for the classifier, its language guessed, its idioms
masked, turns joined into one text. The rules (`crisis.py`), the classifier's training
(`bench/train_crisis_head.py`) and the pipeline read a message through these, so they agree.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from safety.crisis_cues import IDIOM_RE, PARTNER_BEFORE, WEAPON_OR_TIME


# texting spellings the classifier was trained to read spelled out, in this order
_SPELLED_OUT = tuple((re.compile(pattern), full) for pattern, full in (
    (r"\bim\b", "i'm"), (r"\bcant\b", "can't"), (r"\bwont\b", "won't"), (r"\bdont\b", "don't"),
    (r"\bisnt\b", "isn't"), (r"\bhes\b", "he's"), (r"\bshes\b", "she's"), (r"\bu\b", "you"), (r"\bur\b", "your"),
    (r"\b(?:gonna|gunna|finna)\b", "going to"), (r"\bwanna\b", "want to"), (r"\s+", " ")))


def fold_for_model(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes, collapse whitespace: what the classifier was
    trained on (``fold`` adds spellings the rules read; the head is kept on the text it learnt)."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").lower()
    for pattern, full in _SPELLED_OUT:
        t = pattern.sub(full, t)
    return t.strip()


_CONTRACTED = re.compile(r"\b(did|does|would|could|should|was|were|are|have|has|had)nt\b")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and contractions ("wouldnt"), collapse whitespace:
    what the rules and cues read."""
    return _CONTRACTED.sub(r"\1n't", fold_for_model(text))



_ES_MARKERS = re.compile(
    r"\b(?:que|quiero|por|favor|una|cita|el|la|los|las|mi|esta|estoy|tengo|puedo|necesito|hola|gracias|"
    r"dolor|pecho|mucho|muy|para|con|de|del|y|se|le|lo|ya|mas|hijo|hija|esposo|esposa|ayuda|voy|va|"
    r"suicidar(?:me)?|matar(?:me)?|morir(?:me)?|pastillas|tome|siento|ayudame|nadie|nada|vida)\b"
)
_EN_MARKERS = re.compile(
    r"\b(?:the|i|my|is|are|to|and|of|you|it|in|for|have|need|can|want|please|this|that|with|he|she|"
    r"me|would|be|without|anymore|everyone|someone|nobody|cares|about)\b"
)


def detect_lang(folded: str) -> str:
    es = len(_ES_MARKERS.findall(folded))
    en = len(_EN_MARKERS.findall(folded))
    return "es" if es > en else "en"


_FEAR_BEFORE = re.compile(r"\b(?:scared|afraid|terrified|fear|worried|miedo)\b[^.!?]{0,20}$")
# "he says he'll kill me if I don't open it": a threat reported, whoever "he" is
_THREAT_SAID_BEFORE = re.compile(
    r"\b(?:says|said|saying|told me|telling me|threaten\w*|swears?|swore|swearing|keeps saying|screams?|screaming|yell(?:s|ed|ing)?) (?:that )?"
    r"(?:he|she|they)(?: is| was| are)?\s*$")
# "he's going to kill me if he finds out I called": what he would find out is that the writer sought help
_SOUGHT_HELP_AFTER = re.compile(
    r"^[^.!?]{0,10}\b(?:finds?|found|figures?) out (?:that )?i(?:'m| am| was)? ?(?:called|told|reported|talked|spoke|"
    r"went to|came to|texted|messaged|wrote|am leaving|'m leaving|left|here)\b|"
    # "he says he'll kill me if I leave": a threat over leaving him ("... if I leave the dishes" is the idiom)
    r"^\s*i (?:ever )?(?:leave|try to leave|tell|call|go to the police|report)\b(?! (?:the|my|a|it|this|that|work|class|early|late)\b)")


def mask_idioms(folded: str) -> str:
    def repl(m: "re.Match[str]") -> str:
        # "I'm scared he'll kill me when he gets home" is not an idiom
        if ("kill" in m.group(0) or "matar" in m.group(0)) and (_FEAR_BEFORE.search(folded, 0, m.start())
                                     or _THREAT_SAID_BEFORE.search(folded, 0, m.start())
                                     or PARTNER_BEFORE.search(folded, 0, m.start())
                                     or _SOUGHT_HELP_AFTER.search(folded[m.end():])):
            return m.group(0)
        if m.group(0).startswith("i could") and WEAPON_OR_TIME.search(folded):
            return m.group(0)
        return " " * len(m.group(0))

    return IDIOM_RE.sub(repl, folded)


def join_turns(messages: Sequence[str]) -> str:
    """Messages read together, each its own sentence: a cue in one turn ("in 2019", "now") must not
    reach a symptom in another, as the rules read cues per sentence."""
    return " ".join(m.strip() if m.strip()[-1:] in ".!?" else m.strip() + "." for m in messages if m.strip())


_PLACEHOLDER = re.compile(r"<[A-Z_]+>")


def model_text(text: str) -> str:
    """What the classifier reads (in training too): folded, PII placeholders dropped (a name or a
    number says nothing about a crisis, and "<PERSON>" alone had learnt to look like one); idioms
    are left for it to learn."""
    return re.sub(r"\s+", " ", fold_for_model(_PLACEHOLDER.sub(" ", text))).strip()
