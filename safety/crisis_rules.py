"""The crisis lexicons: the categories, severities and rules (the context cues they are read
with are in `crisis_cues.py`).

Data, not logic: `crisis.CrisisDetector` applies them. Each rule names its category and
severity; `negatable`, `history` and `bump` say how context changes it (see `Rule`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import List


class Severity(enum.IntEnum):
    LOW = 1  # gentle line, then carry on
    MEDIUM = 2  # resources and an offer of a person; may continue after
    HIGH = 3  # immediate escalation to a person
    CRITICAL = 4  # stop the booking flow; emergency resources at once


SUICIDE = "suicide_self_harm"
VIOLENCE = "violence"      # harm to others
ABUSE = "abuse"            # the writer (or someone in their care) is being hurt or threatened
MEDICAL = "medical_emergency"
POISONING = "poisoning"
DISTRESS = "distress"

CATEGORIES = (SUICIDE, VIOLENCE, ABUSE, MEDICAL, POISONING, DISTRESS)


SUBJ = r"(?:i|i'm|i am|he|she|they|he's|she's|they're|my \w+|my \w+ \w+|someone|somebody|the \w+|el|ella|mi \w+)"


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    severity: Severity
    pattern: re.Pattern
    lang: str = "en"
    negatable: bool = False  # suppressed by a preceding negation ("not suicidal")
    history_sensitive: bool = False  # suppressed by history/routine context ("had a seizure last year")
    imminence_bump: bool = False  # HIGH -> CRITICAL when imminence/means markers are present


def _r(name, category, severity, pattern, lang="en", negatable=False, history=False, bump=False):
    return Rule(name, category, severity, re.compile(pattern), lang, negatable, history, bump)


C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

RULES: List[Rule] = [
    # ---- suicide and self-harm ------------------------------------------------------
    _r("suicide_intent_now", SUICIDE, C,
       # "he's going to end me" is a threat from someone else, not intent
       # nor is "my gf says it's going to kill me" (the energy drinks)
       r"\b(?:i'm|i am|i will|i'll|(?<!he's )(?<!she's )(?<!he is )(?<!she is )(?<!they're )(?<!they are )(?<!it's )(?<!its )(?<!it is )(?<!that's )(?<!this is )going to|"
       r"about to|ready to|plan(?:ning)? to|tonight i)\s+(?:going to\s+)?"
       r"(?:kill|kil|end|off|hang|shoot|unalive)\s+(?:myself|my ?self|my life|it all|me)\b"),
    _r("suicide_means", SUICIDE, C,
       r"\b(?:took|taken|swallowed|downed)\s+(?:like |about |around |maybe |over )?(?:a bunch of|all (?:of )?(?:my|the)|too many|a (?:whole )?bottle of|"
       r"handfuls? of|[5-9]|[1-9][0-9]+|twenty|thirty|fifty)\s+(?:of )?(?:my )?(?:\w+ )?(?:pills|tablets|tylenol|advil|meds|medication|pastillas)\b|"
       # "I took all of these an hour ago, all of my sleeping pills" (about a picture)
       r"\b(?:took|taken|swallowed|downed)\s+all (?:of )?(?:these|those|them)\b[^.!?]{0,60}\b(?:pills|tablets|meds|pastillas)\b"),
    _r("suicide_goodbye", SUICIDE, C,
       r"\b(?:suicide note|wrote (?:a|my) (?:goodbye|suicide) (?:note|letter)|this is (?:my )?goodbye(?: forever)?|"
       r"(?:on|at the edge of) (?:the|a) (?:bridge|roof|ledge)\b.{0,40}\bjump|going to jump\b|already took (?:the|my|all) pills|"
       r"(?:i'm|im|i am) done\b[^a-z]{0,4}(?:i )?(?:already )?(?:wrote|written|left) (?:the|my|a) note\b|"
       r"already (?:wrote|written|left) (?:the|my) (?:goodbye )?(?:note|letters?)\b(?! (?:for|to) (?:work|school|the|my))|"
       r"standing on (?:the|a) (?:bridge|roof|ledge)|(?:cut|slit|slashed) my wrists?|engine running in (?:the|a|my) garage|"
       r"(?:gun|pistol|rifle|rope|noose)\b.{0,30}\b(?:i'm done|end (?:it|this)|goodbye|ready)|"
       r"(?:i'm done|end (?:it|this)|goodbye)\b.{0,30}\b(?:gun|pistol|rifle|rope|noose)|(?:gun|rope|pills) (?:is |are )?(?:ready|loaded|in my hand))\b"),
    _r("suicide_ideation", SUICIDE, H,
       r"\b(?:kill(?:ed|ing)?|kil|off(?:ing)?|unalive|hang(?:ing)?|end(?:ing)?)\s+my ?self\b|\bkms\b|"
       r"\b(?:end(?:ing)?|take|taking) my (?:own )?life\b|\bend(?:ing)? it all\b|\bsuicide attempt\b|"
       r"\b(?:only|one) (?:thing|reason|person) (?:stopping|keeping|holding) me (?:back )?from (?:ending it|ending things|killing myself|doing it|going through with it)\b|"
       r"\bonly reason i'm still (?:here|alive|around)\b|"
       # "I don't want to die" still fires: said after an overdose it is the plea, not a denial
       r"\b(?:wants?|wanted|wanting|wish(?:es)?) to (?:die|be dead|disappear forever)\b|\bwant(?:ed)? to just die\b|"
              r"\bwish (?:i|i'd) (?:was|were|had been) (?:dead|never born)\b|\bbetter off dead\b|"
       r"\b(?:don't|do not|didn't) want to (?:live|be alive|exist|wake up)\b|"
       r"\bwish i (?:just )?(?:wouldn't|would not|didn't|won't|would never) wake up\b|"
       r"\bwish(?:ing)? i could (?:just )?(?:fall asleep|go to sleep|sleep) and (?:not|never) wake(?: up)?\b|\bhop(?:e|ing) (?:that )?i (?:just )?(?:don't|won't|never|do not) wake up\b|"
       r"\bno (?:reason|point) (?:to|in) (?:live|living|being alive)\b|\bnot worth living\b|"
       r"\b(?:think(?:ing)?|thoughts) about (?:dying|death|not being (?:here|around|alive))\b|(?<!no )(?<!any )(?<!without )\bdark thoughts\b|"
       r"\bhow many (?:pills|tablets)\b.{0,30}\b(?:take|kill|die|enough)\b|"
       r"\bwants? to (?:kill|hurt) (?:herself|himself|themselves|themself)\b|\bend (?:my|the) suffering\b|"
       r"\b(?:ways|how) to (?:die|kill myself|end (?:it|my life)|commit suicide)\b|\bend(?:ing)? things\b|"
       r"\btried to (?:overdose|od|kill myself|end (?:it|my life)|hang myself)\b|"
       r"\bdo something (?:stupid |bad |drastic |dumb )?(?:to|with) myself\b|\b(?:want to|going to) sleep forever and (?:never|not) wake\b",
       bump=True),
    _r("intent_unmistakable", SUICIDE, H,
       r"\b(?:enough|sure) to do it (?:properly|right|for real) this time\b|\bdo it (?:properly|right) this time\b|"
       r"\bskip(?:ping)? (?:my|all my) (?:insulin|heart (?:meds|pills)|seizure meds) on purpose\b|"
       r"\b(?:jump(?:ing)? off|driving off) (?:my|the|a) (?:balcony|roof|bridge|building|overpass)\b[^.!?]{0,30}\bsounds? "
       r"(?:like a vacation|nice|good|tempting|appealing|better|peaceful)\b|"
       # the joke taken back: "finally kms. jk... unless? 🙃", "walk into traffic. kidding. mostly"
       r"\b(?:kms|kill myself|end it all|end it|unalive myself|walk into traffic|not wake up)\b[^.!?]{0,40}[.!?\s]*(?:lol\W*)?"
       r"(?:jk|j/k|just kidding|kidding|joking)\W+(?:unless|mostly|not really|or am i|half)\b|"
       r"\b(?:make sure|need to make sure|want to make sure) (?:that )?i (?:take|swallow|get) more than (?:that|it|the max|the limit)\b", bump=True),
    _r("suicidal_word", SUICIDE, H,
       r"\b(?:suicidal|suicidel|sucidal|suicidial|suiside|suicide|suicidio|suicidarme|suicida)\b"
       r"(?! (?:hot ?line|line|lifeline|number|prevention|crisis))",
       negatable=True, bump=True),
    _r("self_harm", SUICIDE, H,
       r"\b(?:(?:hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+myself|self[- ]?harm(?:ing)?|"
       r"cutting again|started cutting)\b",
       negatable=True, bump=True),
    # Passive ideation said outright ("I can't go on", "nothing left to live for"): explicit (`EXPLICIT`)
    _r("suicide_passive_outright", SUICIDE, M,
       r"\b(?:better off without me|(?:no ?one|nobody) would (?:even |really )?(?:care|notice|miss me) if i (?:was|were|died|disappeared)|"
       r"nothing (?:left )?to live for|can't go on(?: like this| anymore)?(?! (?:on )?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|the \d|vacation|(?:the|a|that) trip|\d)\b)|"
       r"don't see the point (?:in|of) (?:living|going on|life)|tired of (?:living|being alive)|"
       r"(?:can't|cannot|don't think i can) (?:keep|go on) (?:living|existing)|done with (?:life|living)|"
       r"want to (?:sleep|go to sleep) (?:forever|and never wake up)|don't want to be here anymore|"
       r"(?:picture|picturing|think(?:ing)? about|imagin(?:e|ing)) (?:just )?(?:steering|driving|swerving) into (?:the|a|an|oncoming)|"
       r"walking into the (?:ocean|sea|lake|river) and (?:just )?(?:not|never) coming back|"
       r"(?:might|could|should|going to|want to|i'll) (?:just )?(?:walk|step|run|jump) (?:out )?(?:into|in front of) (?:traffic|a (?:bus|train|truck|car))|"
       r"(?:life|it)(?:'s| is)? (?:isn't|is not|not) worth living(?: anymore)?|"
       r"(?:happier|better|easier)(?: off)? if i (?:just )?(?:was|were|wasn't|weren't) (?:gone|here|around|alive|dead)|"
       r"better off if i (?:just )?(?:disappeared|died|vanished)|what(?:'?s| is)? (?:even )?the point of (?:living|life)|"
       # "I don't plan on being around by then": not "around next month" (a trip)
       r"(?:don't|do not) (?:plan on|expect to be|think i'll be|intend to be) (?:being )?(?:around|here|alive) (?:by then|much longer|anyway)|"
       r"won't be (?:around|alive) (?:much longer|by then)|(?:want|wish i could|need) to (?:just )?stop existing)\b"),
    # ... and the phrases that are as often about a job, a wait or a form ("I can't do this anymore")
    _r("suicide_passive", SUICIDE, M,
       r"\b(?:can't do this anymore|don't see the point (?:in|of) anything|give up on (?:life|everything)|"
       r"want (?:it all )?to (?:be over|end)|want to disappear|(?:can't|cannot|don't think i can) (?:keep|go on) doing this(?: like this)?|"
       r"(?:so )?done with everything|(?:there's )?no way out|(?:life|it)(?:'s| is)? (?:isn't|is not|not) worth it(?: anymore)?|"
       r"(?:can't|cannot) take (?:it|this|life) anymore|what(?:'?s| is)? (?:even )?the point (?:anymore|of anything)|"
       r"(?:i'm|i am|i feel like) (?:a|such a) burden|(?:better|happier) without me)\b"),
    # Method-seeking asked as a question, however casually framed ("just curious", "asking for reasons"):
    # how long bleeding out or drowning takes, whether a way of dying hurts, how high a place is "for
    # reasons", how much of a drug is fatal. Asked in a class, a novel or a shift, the classifier's veto
    # (a trigger word alone) still drops it.
    _r("method_seeking", SUICIDE, H,
       r"\bhow long (?:does it |would it |will it |it )?(?:takes? |take )?(?:for (?:someone|a person|you|me|somebody) )?"
       r"to (?:bleed out|bleed to death|drown|suffocate)\b|\bbleed(?:ing)? out (?:from|through) (?:the |your |my |a )?"
       r"(?:wrists?|neck|arm|femoral|thigh)\b|"
       r"\b(?:how high|how tall|what height|how many (?:floors|stories|storeys))\b.{0,80}?\b(?:for\W*reasons|"
       r"asking for (?:a )?reasons?|to (?:not )?survive|be fatal|to die|jump(?:ing)? (?:off|from))\b|"
       r"\b(?:tallest|highest) (?:building|bridge|parking (?:garage|deck|structure)|roof|floor)\b.{0,80}?\b(?:for\W*reasons|asking for (?:a )?reasons?)\b|"
       r"\b(?:enough|how (?:much|many))\b[^.?!]{0,60}\b(?:to be (?:fatal|lethal|deadly)|(?:a )?(?:fatal|lethal) (?:dose|amount)|"
       r"to (?:just )?(?:not|never) wake up|to kill (?:a person|someone|somebody|me|myself|you))\b|"
       r"\bhow long (?:until|till|before) (?:it's|it is|it'd be|i'm|i am|i'd be) (?:over|dead|gone)\b|"
       r"\b(?:does|would|will) (?:an? )?(?:\w+ )?overdose (?:hurt|be painful|be painless)\b|\bor do you just (?:kind of |sort of )?(?:fall asleep|go to sleep|pass out)\b|"
       r"\b(?:need to know|asking|wondering|curious)\W+for\W*(?:personal )?reasons\W*(?:$|[.!?])|"
       r"\bif (?:you|someone|somebody|i|a person) (?:took|take|takes|mixed|mix|swallowed)\b[^.?!]{0,60}\b"
       r"(?:at once|all (?:of )?(?:my|their|your|his|her))\b[^.?!]{0,60}\b(?:painless|fall asleep|just (?:die|sleep)|"
       r"that'?s it|not wake|never wake|how long would (?:it|that) take|would (?:it|that|they|you|i) die)",
       ),
    _r("crisis_line_request", SUICIDE, M,
       r"\b(?:suicide|crisis) (?:hot ?line|line|number|lifeline)\b|\b988\b"),
    _r("suicide_plan_signs", SUICIDE, C,
       r"\bwon't (?:be )?need(?:ing)? (?:them|it|(?:my|the|any|these) (?:appointments?|appts?|meds|refills?))\b.{0,20}"
       r"\bafter (?:tonight|today|this weekend|tomorrow)\b|"
       r"\btook (?:everything|all the pills|all (?:of )?(?:the|my) (?:meds|medicine)) (?:in|from) (?:my|the) (?:medicine )?cabinet\b|"
       r"\b(?:engine|car) (?:is |was )?running\b.{0,40}\bgarage\b|\bgarage\b.{0,40}\b(?:engine|car) (?:is |was )?running\b|"
       r"\b(?:gun|rifle|shotgun|pistol|firearm)\b.{0,80}\b(?:(?:he's|she's|i'm) done|wrote (?:letters|notes?|goodbye)|"
       r"goodbye letters?|won't make it)\b|"
       r"\b(?:i'm|i am|standing|sitting) (?:on|at|by) (?:the |a )?(?:overpass|bridge|rooftop|roof|ledge|edge|train tracks|"
       r"railroad tracks|tracks|cliff)\b.{0,60}\b(?:rn|right now|now|don't send|goodbye|before|jump)\b"),
    _r("suicide_signals", SUICIDE, H,
       r"\b(?:saving|saved|stockpil\w+|hoard\w*|collecting) (?:up )?(?:my |the |all my |all the )?"
       r"(?:pills|meds|medication|tablets|sleeping pills)\b|\bunaliv\w*\b|"
       r"\b(?:don't|do not|can't) trust myself\b|\b(?:don't|do not) send (?:anyone|anybody|help|the police|an ambulance|cops)\b|"
       r"\b(?:cutting|burning|scratching|hurting|harming) (?:herself|himself|themselves|themself|"
       r"(?:her|his|my|their) (?:arms?|wrists?|legs?|thighs?))\b|"
       r"\b(?:step(?:ping)?|jump(?:ing)?|walk(?:ing)?|throw(?:ing)? myself) in front of (?:a |the )?(?:bus|train|car|truck|traffic)\b|"
       r"\bdrive (?:my car )?(?:into|off) (?:a |the )?(?:wall|tree|bridge|cliff|oncoming)\b|"
       # farewell acts: belongings given away, a last word, a last time, a dose chosen to exceed the limit
       r"\b(?:giving|gave|given|give) (?:away (?:all )?(?:of )?my (?:stuff|things|belongings|possessions)|"
       r"(?:all )?(?:of )?my (?:stuff|things|belongings|possessions) away)\b|"
       r"\b(?:you're|youre|ur|you are) the last (?:person|one) (?:i'll|ill|i will|i'm going to|im gonna) (?:talk|speak) to\b|"
       r"\bone last time before i go\b|\bmake sure (?:i|it) (?:take|takes|get|is) (?:more than|enough)\b|"
       r"\b(?:loaded|holding) (?:it|my (?:pistol|gun|rifle)|the (?:pistol|gun|rifle))\b.{0,60}\bsat (?:there )?with it\b|"
       r"\bsat (?:there )?with (?:the|my) (?:gun|pistol|rifle)\b",
       negatable=True, bump=True),
    _r("crisis_line_ask", SUICIDE, M,
       r"\b(?:number|#|digits?) (?:for|of) (?:the|that) (?:\w+ )?(?:hot ?line|crisis line|lifeline)\b|\b98 something\b"),
    _r("es_suicide_signals", SUICIDE, H,
       r"\b(?:no (?:me )?despiert[oa] (?:mas|nunca)|no despertar (?:mas|nunca)|pastillas contadas|ya tengo las pastillas|"
       r"(?:tengo|ya tengo) (?:la|una) (?:cuerda|soga) (?:lista|preparada)|la (?:cuerda|soga) (?:lista|preparada))\b",
       lang="es", bump=True),
    # Spanish
    _r("es_suicide_intent_now", SUICIDE, C,
       r"\b(?:voy a|me voy a|esta noche (?:me )?voy a)\s*(?:matarme|suicidarme|quitarme la vida)\b|"
       r"\bme voy a matar\b|\bme tome (?:todas|muchas|un frasco de) (?:las |mis )?(?:pastillas|pildoras)\b|"
       r"\btome (?:muchas|todas (?:las|mis)) (?:pastillas|pildoras)\b", lang="es"),
    _r("es_suicide_ideation", SUICIDE, H,
       r"\b(?:me quiero morir|me quiero (?:matar|suicidar)|quiero morir(?:me)?|quiero matarme|quiero suicidarme|quisiera (?:estar muerto|estar muerta|morir(?:me)?)|"
       r"(?:pienso|pensado|pensando) en (?:matarme|suicidarme|morir|hacerme dano)|pensando en (?:matarme|suicidarme|quitarme la vida)|"
       r"no quiero (?:seguir )?viviendo|no quiero vivir|quitarme la vida|(?<!sin )hacerme dano|(?<!sin )lastimarme|cortarme|"
       r"me (?:volvi a cortar|corte (?:los|las|el|la|mis)|estoy cortando|sigo cortando)|me quemo (?:los|las|el|la) (?:brazos?|piernas?))\b",
       lang="es", bump=True),
    _r("es_suicide_passive", SUICIDE, M,
       r"\b(?:(?:ya )?no tiene (?:sentido|caso) (?:seguir )?(?:vivir|viviendo|la vida|seguir)|no le encuentro sentido a (?:la vida|nada|vivir)|quiero desaparecer|estari(?:a|an) mejor sin mi|no puedo mas con (?:mi vida|esto)|"
       r"ya no puedo mas|no aguanto mas)\b", lang="es"),

    # ---- violence ----------------------------------------------------------------
    _r("violence_weapon_now", VIOLENCE, C,
       r"\b(?:he|she|they|someone|somebody|a man|a guy|my \w+)(?:'s| is| are|'re| has| have| got)?\s*"
       r"(?:has|have|got|with|holding|pointing)\s+(?:a |an )?(?:gun|knife|weapon|pistol|rifle)\b|"
       r"\b(?:someone|somebody|a man|a guy|people)(?:'s| is| are)? (?:trying to )?break(?:ing)? in(?:to)?\b|"
       r"\b(?:shoot|shooting) up (?:the|this|your) (?:clinic|office|place|school|building)\b|"
       r"\bcome (?:here|there|in|back|over)(?: \w+){0,3} and (?:shoot|kill|stab|hurt) (?:everyone|everybody|all of you|you all|us|people|someone)\b|"
       r"\b(?:bomb|explosive) (?:in|at) (?:the|your|this) (?:clinic|office|building)\b|"
       r"\b(?:being|been|getting|got|just got) (?:attacked|stabbed|shot)\b|\bthreatening (?:me|us) with (?:a |an )?(?:gun|knife|weapon|bat)\b|\battacking (?:me|us|my \w+) with\b|"
       r"\b(?:outside|at|in) (?:my|the|our) (?:door|house|home|window|room)\b.{0,20}\bwith (?:a |an )?(?:gun|knife|weapon|bat|machete)\b|"
       r"\bwith (?:a |an )?(?:gun|knife|machete)\b.{0,20}\b(?:outside|at) (?:my|the|our) (?:door|house|home)\b|\b(?:i've|i have|he's|she's|was|got) been (?:stabbed|shot)\b"),
    _r("violence_against_me_now", ABUSE, C,
       r"\b(?:he|she|they|someone|my \w+)(?:'s| is| are|'re) (?:hitting|beating|choking|strangling|attacking|hurting) me\b"),
    _r("violence_threat_to_me", ABUSE, H,
       r"\b(?:he|she|they|my \w+)(?:'s| is| are|'re| will|'ll)? (?:going to |threaten(?:ed|ing|s)? to |trying to )?"
       r"(?:kill|hurt|beat|shoot|stab) me\b|\b(?:afraid|scared) (?:he|she|they)(?:'ll| will| is going to| are going to| might) (?:kill|hurt) me\b|"
       r"\b(?:hits|hit|beats|beat|chokes|choked|abuses|abused|abusing|punches|punched|kicks|kicked|slaps|slapped) me\b|"
       r"\b(?:keeps|kept|has been|have been|always|still|started|starts) (?:hitting|beating|choking|kicking|punching|slapping|"
       r"hurting|pushing|shoving|strangling) me\b|"
       r"\bthreaten(?:ed|ing|s)? to (?:kill|hurt|shoot|stab|beat) (?:me|us|my \w+)\b|"
       r"\b(?:threw|throws|thrown|hurled) (?:a |an |the |her |his )?\w+ (?:at (?:me|my head|my face))\b|\bdomestic (?:violence|abuse)\b",
       negatable=True),
    # a partner's violence, said outright however lightly ("lmao my husband threw a plate at my head again")
    _r("abuse_by_partner", ABUSE, H,
       r"\b(?:husband|wife|boyfriend|girlfriend|partner|ex|fiance|fiancee|stepdad|stepfather)\b[^.!?]{0,20}\b(?:threw|throws|hurled) "
       r"(?:a |an |the )?\w+ at (?:me|my (?:head|face))\b|\b(?:husband|wife|boyfriend|girlfriend|partner|ex|stepdad|stepfather)\b"
       r"[^.!?]{0,10}\b(?:hit|hits|punched|punches|choked|chokes|slapped|slaps|kicked|kicks|strangled|strangles) me\b",
       negatable=True),
    _r("violence_intent", VIOLENCE, H,
       r"\b(?:i'm|i am|i will|i'll|going to|want to|feel like|about to|i'd like to|i could)\s+(?:going to\s+)?"
       r"(?:kill|murder|shoot|stab|strangle|choke|hurt|beat up|beat the \w+ out of|attack)\s+"
       r"(?:him|her|them|you|someone|somebody|people|everyone|everybody|the (?:doctor|nurse|receptionist|staff)|my \w+|that \w+)\b|"
       r"\b(?:kill|murder|shoot|stab) (?:everyone|everybody|all of you|you all|people)\b|"
       r"\b(?:kill|murder|shoot|stab) (?:my|the) (?:husband|wife|boyfriend|girlfriend|partner|boss|neighbor|neighbour|kid|son|daughter|mom|dad|doctor)\b|"
       r"\b(?:antifreeze|rat poison|poison|bleach)\b.{0,80}\b(?:in|into) (?:his|her|their) (?:drink|food|coffee|tea)\b",
       negatable=True, bump=True),
    # intent with the weapon in hand: "I could kill him tonight, I have the knife ready" (explicit)
    _r("violence_intent_armed", VIOLENCE, C,
       r"\b(?:kill|stab|shoot|hurt|murder)\w* (?:him|her|them|my \w+|that \w+)\b.{0,60}\b(?:have|got|bought|brought|loaded|grabbed) "
       r"(?:the |a |my |his |her )?(?:gun|knife|rifle|pistol|shotgun|weapon|machete)\b|"
       r"\b(?:have|got|bought|brought|loaded|grabbed) (?:the |a |my )?(?:gun|knife|rifle|pistol|shotgun|weapon|machete)\b.{0,60}"
       r"\b(?:kill|stab|shoot|hurt|murder) (?:him|her|them|my \w+|that \w+)\b", negatable=True),
    _r("violence_threat_signs", VIOLENCE, H,
       r"\bmake (?:him|her|them|you|that \w+|the \w+) regret (?:it|this|that)\b|"
       r"\bi know (?:what time you (?:close|open|get off|leave)|where (?:you|he|she|they) (?:live|lives|park|parks))\b|"
       r"\b(?:com(?:e|ing)|show(?:ing)? up) (?:in |down |over |back )?(?:there |here |to (?:your|the) (?:office|clinic) )?with (?:a|my|the|my dad's) (?:bat|gun|knife|rifle|shotgun|pistol|machete|crowbar)\b|"
       r"\b(?:i'll|i will|ill) be waiting (?:for (?:him|her|you|them) )?(?:in|at|outside) (?:the |your )?"
       r"(?:parking lot|parking garage|office|clinic|building)\b"),
    # a bruise and the blame: "black eye lol, he said he'd be nicer if I stop making him mad"
    # Intent no story, history or form produces ("make sure your front desk staff regret it", "enough
    # to do it properly this time"): never overruled by the classifier (`NEVER_VETOED`), which reads a
    # form letter's framing ("Re: billing dispute", "Refill request:") as safe
    _r("threat_unmistakable", VIOLENCE, H,
       r"\bmake sure (?:he|she|they|you|him|her|them|your (?:\w+ ){0,2}(?:staff|doctors?|nurses?|receptionists?|people)) regrets? (?:it|this|that)\b|"
       r"\bmake sure (?:he|she|they) (?:doesn't|does not|don't|never|won't) (?:drive|make it|get|walk|go) home\b|"
       r"\b(?:putting|put|going to put|i'll put|slip(?:ping)?|i'll slip|mixing|spiking) (?:some )?(?:rat poison|antifreeze|bleach|poison|drain cleaner) "
       r"(?:in|into) (?:his|her|their|the|my \w+'s) (?:food|drink|coffee|tea|leftovers|lunch|dinner|soup|water|smoothie|beer)\b|"
       r"\b(?:people|someone|somebody|staff|you) (?:there )?(?:will|are going to|is going to|'s going to|is|are) (?:get|be|getting) hurt\b"
       r"[^.!?]{0,60}[.!?]?[^.!?]{0,40}\b(?:not (?:a )?jok\w*|not a figure of speech|i mean it|i'm serious|dead serious)\b|"
       r"\b(?:going|heading|coming|driving|going to go) (?:over )?(?:there|to (?:his|her|their) (?:place|house|work|job))\b[^.!?]{0,20}\bwith (?:a|my|the|my dad's) (?:bat|gun|knife|rifle|shotgun|pistol|machete|glock)\b|"
       r"\b(?:(?:lo|la|los|las) voy a (?:matar|apunalar|balear|disparar|acuchillar)|(?:lo|la) mato)\b[^.!?]{0,60}\bya "
       r"(?:traigo|tengo|llevo|cargo|compre|consegui) (?:la|el|una|un|mi) (?:navaja|cuchillo|pistola|arma|machete)\b", bump=True),
    _r("abuse_blamed", ABUSE, H,
       r"\b(?:black eye|bruises?|split lip|fat lip)\b.{0,150}\b(?:make|making|made) him (?:so )?(?:mad|angry)\b|"
       r"\b(?:make|making|made) him (?:so )?(?:mad|angry)\b.{0,150}\b(?:black eye|bruises?|split lip|fat lip)\b|"
       r"\bmy fault for (?:making|getting) him (?:so )?(?:mad|angry)\b"),
    _r("abuse_of_dependent", ABUSE, H,
       r"\b(?:black eye|bruises?|marks|burns?)\b (?:that )?(?:she|he|they) (?:could not|couldn't|can't|cannot|won't|wouldn't) explain\b|"
       r"\b(?:not giving|isn't giving|won't give|withhold(?:s|ing)?) (?:her|him|them) (?:her|his|their) (?:medications?|meds|food|insulin)\b|"
       r"\b(?:la|lo|los|las) encierra en (?:el|la|un|una) (?:bano|cuarto|closet|armario|habitacion)\b|"
       r"\b(?:burn(?:ed|t|s)?|hit|hits|whipped|beat|beats|choked|locked|starved)\b[^.!?]{0,60}\bas (?:a )?punishment\b|"
       r"\bwithhold(?:s|ing)? (?:his|her|their) (?:medications?|meds|food|insulin)\b|\bhas struck (?:him|her|me)\b|"
       r"\bbruises? (?:are|r|is|came|come) from my (?:girlfriend|boyfriend|husband|wife|partner|ex|dad|mom|stepdad|stepmom)\b", negatable=True),
    _r("abuse_found_me", ABUSE, H,
       r"\b(?:my ex|he|she|they)\b.{0,20}\bfound (?:out )?(?:where (?:i|we) live|my (?:new )?(?:address|apartment|place|house))\b"),
    _r("violent_thoughts", VIOLENCE, M,
       r"\b(?:picturing|imagining|fantasi[sz]ing about|thinking about|thoughts (?:of|about)) "
       r"(?:hurting|killing|stabbing|shooting|strangling) (?:him|her|them|someone|somebody|people|my \w+)\b"),
    # Spanish
    _r("es_violence_now", VIOLENCE, C,
       r"\b(?:tiene|trae) (?:una |un )?(?:pistola|arma|cuchillo)\b|"
       r"\balguien (?:esta )?(?:entrando|metiendose) (?:a|en) (?:la|mi) casa\b", lang="es"),
    _r("es_abuse_now", ABUSE, C, r"\bme esta (?:pegando|golpeando|ahorcando|atacando)\b|"
       r"\bme (?:encerro|tiene encerrad[ao]|encierra)\b|\bno me deja salir (?:de (?:la casa|el cuarto|la habitacion)|del cuarto)?\b", lang="es"),
    _r("es_abuse", ABUSE, H,
       r"\b(?:me quiere matar|me va a matar|me pega|me golpea)\b", lang="es", bump=True),
    _r("es_violence", VIOLENCE, H,
       r"\b(?:(?:lo|la|los|las) voy a (?:matar|apunalar|balear|disparar|acuchillar)|voy a (?:matar|apunalar|balear) a|quiero matar a)\b|"
       r"\b(?:lo|la) mato\b[^.!?]{0,30}\bya tengo con (?:que|que hacerlo)\b",
       lang="es", bump=True),

    # ---- medical emergencies -----------------------------------------------------
    _r("chest_pain", MEDICAL, C,
       r"\b(?:crushing|severe|bad|terrible|sharp|extreme|worst|really bad|intense|heavy)?\s*"
       r"(?:chest (?:pain|pains|pressure|tightness)|pain in (?:my|his|her) chest|chest (?:hurts|is (?:tight|hurting|crushing)))\b",
       negatable=True, history=True),
    _r("heart_attack", MEDICAL, C,
       r"\b(?:having|having a|is having|think (?:i'm|i am|he's|she's|he is|she is) having)\s+(?:a )?heart attack\b|"
       r"\bheart attack (?:right now|now)\b", negatable=True),
    _r("stroke", MEDICAL, C,
       r"\b(?:face|mouth|smile) (?:is )?(?:drooping|droopy|droops|sagging|is crooked)\b|\bdrooping (?:face|mouth)\b|"
       r"\bslurr(?:ed|ing) (?:(?:his|her|my|their) )?(?:speech|words)\b|\b(?:is|he's|she's|i'm|keeps|started|been) slurring\b|"
       r"\b(?:his|her|my) (?:left |right )?(?:arm|leg|hand|side) (?:won't|will not|doesn't|does not|isn't|can't) (?:work|move)(?:ing)?\b|\b(?:speech|talking|words) (?:is |are )?slurred\b|"
       r"\b(?:one side|left side|right side|half) of (?:my|his|her|the) (?:body|face) (?:is |went |feels )?(?:numb|weak|limp|paralyzed)\b|"
       r"\b(?:unable to|can't|cannot|could not|couldn't) (?:lift|raise|move) (?:his|her|my) (?:right|left) (?:arm|leg)\b.{0,80}\b(?:speech|words|talking)\b|"
       r"\bone pupil (?:is )?(?:bigger|larger|smaller)\b|\bpupils (?:are )?(?:different sizes|uneven|unequal)\b|"
       r"\b(?:can't|cannot|can not) (?:move|feel|lift) (?:my|his|her) (?:left|right) (?:arm|leg|side)\b|"
       r"\b(?:face|arm|leg|hand)\b.{0,25}\b(?:went|is|are|going|gone|feels?) (?:suddenly )?numb\b|\bsudden(?:ly)? numb|"
       r"\b(?:can't|cannot|can not) (?:talk|speak) (?:right|properly|clearly|normally)\b|\bsudden(?:ly)? (?:confused|can't (?:talk|speak|see|lift|move))\b|"
       r"\b(?:can't|cannot|can not) (?:lift|raise|move) (?:his|her|my) (?:arm|leg)\b.{0,5}|\bsmile is (?:crooked|uneven|lopsided)\b|"
       r"\b(?:having|having a|is having|just had|think (?:he|she|i) (?:just )?had) a stroke\b|\bstroke symptoms\b|\bsigns of (?:a )?stroke\b|"
       r"\bsudden(?:ly)? (?:loss of|lost (?:my |the )?|losing (?:my |the )?)(?:vision|sight)\b|\b(?:lost|losing) (?:the |my )?(?:vision|sight) in (?:one|my (?:left|right)) eye\b",
       negatable=True, history=True),
    _r("anaphylaxis", MEDICAL, C,
       r"\bthroat (?:is |feels )?(?:closing|swelling|swollen|tight|closing up)\b|\b(?:tongue|lips|face) (?:is |are )?(?:swelling|swollen) (?:up)?\b.{0,40}\b(?:breath|breathe|breathing)\b|"
       r"\banaphyla(?:xis|ctic)\b|\b(?:hives|swelling|swollen)\b.{0,40}\b(?:wheez\w*|throat|can't breathe|faint|fainting|lightheaded|light-headed|passing out)|"
       r"\b(?:stung|sting|bitten)\b.{0,60}\bhives (?:everywhere|all over)\b.{0,60}\b(?:pass(?:ing)? out|faint|dizzy|lightheaded|throat|breath)|"
       r"\binhaler (?:isn't|is not|not|doesn't|does not|didn't) (?:helping|working|help|work)\b|\bfoaming at the mouth\b|"
       r"\bhit (?:my|his|her|their) head\b.{0,50}\b(?:throwing up|vomiting|threw up|confused|unconscious|blacked out|can't remember|won't wake)|\b(?:need|used) (?:my|his|her|an) epi ?pen\b|\ballergic reaction\b.{0,40}\b(?:breath|breathe|breathing|throat|swell)",
       negatable=True, history=True),
    _r("not_breathing", MEDICAL, C,
       r"\b(?:isn't|is not|not|stopped|has stopped|wasn't|aren't|are not) breathing\b|"
       r"\b(?:can't|cannot|can not|couldn't|could not) (?:breathe|breath|get (?:any )?air)\b|\bchoking\b|"
       r"\b(?:struggling|gasping) (?:to breathe|for (?:air|breath))\b"),
    _r("trouble_breathing", MEDICAL, H,
       r"\b(?:trouble|difficulty|hard time|problems?) breathing\b|\basthma attack\b|\bwheezing (?:badly|really bad|a lot)\b|"
       r"\b(?:not breathing|breathing isn't) normal(?:ly)?\b|\b(?:looks|turning|is) (?:gray|grey)\b|"
       r"\b(?<!nearly )(?<!almost )(?:fainted|passed out|blacked out)\b|\bhard to breathe\b|\bshort of breath\b.{0,30}\b(?:chest|lips|blue|can't)\b|"
       r"\bcan(?:'t| barely| hardly) (?:get (?:a|the|my) (?:sentence|words?) out|finish (?:a|my) sentences?)\b|"
       r"\binhaler\b.{0,60}\bevery (?:\d+|few|couple of) min",
       negatable=True, history=True),
    _r("unresponsive", MEDICAL, C,
       r"\b(?:unresponsive|unconscious|won't wake up|will not wake up|not waking up|can't wake (?:him|her|them|my \w+)(?: up)?|"
       r"collapsed|(?:lips|face|skin) (?:are |is |look |looks |turning )?(?:purple|gray|grey)|(?:limp|floppy)\b.{0,30}\b(?:won't wake|not waking)|(?:isn't|is not|not|stopped) (?:responding|moving)|(?:baby|infant|newborn|toddler)\b.{0,40}\b(?:limp|floppy)|"
       r"(?:lips|face|baby|baby's lips|skin|he|she)(?:'s)? (?:(?:is|are|look|looks|looking|turning|went|going|getting) )*blue|turned blue|passed out and (?:won't|isn't|is not))\b"),
    _r("seizure", MEDICAL, C,
       r"\bseizure (?:that )?(?:won't|will not|isn't|is not|hasn't|doesn't) stop(?:ped|ping)?\b|"
       r"\b(?:having|is having) (?:a )?(?:seizure|convulsions?|fit)\b|\b(?:seizing|convulsing)\b|"
       r"\bseizing (?:for|and)\b",
       negatable=True, history=True),
    _r("severe_bleeding", MEDICAL, C,
       r"\bbleeding (?:that )?(?:won't|will not|doesn't|does not|isn't|is not|hasn't|can't) (?:stop|stopping)\b|"
       r"\b(?:can't|cannot|can not) (?:stop|get) (?:the )?bleeding(?: to stop)?\b|"
       r"\bbleeding (?:heavily|a lot|badly|everywhere|really bad|so much|profusely)\b|\b(?:blood everywhere|gushing blood|(?:a lot|lots|so much|tons) of blood|losing (?:a lot of )?blood)\b|"
       r"\bblood (?:is )?(?:gushing|spurting|pouring)\b",
       negatable=True),
    _r("general_emergency", MEDICAL, C,
       r"\b(?:medical emergency|need an ambulance|call (?:an )?ambulance|"
       r"fell and (?:hit|cracked) (?:his|her|my) head and (?:is|isn't|won't|can't)|head injury and (?:confused|vomiting|unconscious)|"
       r"worst headache of my life)\b", negatable=True),
    # "this is an emergency" alone is a way of speaking too ("lol this is an emergency: I ran out of my
    # nasal spray"): the one medical rule the classifier may overrule
    _r("declared_emergency", MEDICAL, C, r"\b(?:this is an emergency|it's an emergency)\b", negatable=True),
    _r("chest_pain_described", MEDICAL, C,
       r"\b(?:an? elephant|a weight|something heavy|a ton of bricks) (?:is )?(?:sitting )?on (?:my|his|her) chest\b|"
       r"\b(?:pain|ache|pressure)\b.{0,30}\b(?:going|spreading|radiating|shooting|moving) (?:down |up )?(?:in)?to "
       r"(?:my|his|her) (?:left )?(?:arm|jaw|shoulder|neck)\b|\bchest (?:feels|is|gets|getting|has been|'s been|was) (?:really |so |very |super |kinda |kind of |all )?"
       r"(?:tight|heavy|tighter)\b|\bchest burns\b",
       negatable=True, history=True),
    _r("seizure_described", MEDICAL, C,
       r"\b(?:shaking|jerking|twitching|convulsing)\b.{0,40}\b(?:won't|will not|doesn't|does not|isn't) stop\b|"
       r"\b(?:shaking|jerking)(?: and (?:jerking|shaking|twitching))? for (?:like |about |over |almost )?\d+ ?(?:min|mins|minutes)\b"),
    _r("bleeding_described", MEDICAL, C,
       r"\b(?:it's|its|it is|blood is|blood|wound is|cut is) spurting\b|"
       r"\bsoaked (?:through )?(?:\w+ ){0,2}(?:towels?|bandages?|gauze|shirts?)\b"),
    _r("urgent_signs", MEDICAL, H,
       r"\b(?:fainting|faints|keeps passing out|passing out)\b|"
       r"\b(?:baby|infant|newborn|toddler|\d+ ?(?:yr|year|month|mo)s?[- ]?old|son|daughter|kid|child)\b.{0,80}"
       r"\b(?:floppy|limp|lethargic|barely (?:opens? (?:his|her) eyes|awake|responding|moving)|hard to wake)\b|"
       r"\bfever (?:of|is|at|was) (?:10[4-9]|4[01])\b|\btesticle\b.{0,80}\b(?:swollen|threw up|throwing up|vomit\w*)\b|"
       r"\bfever\b.{0,80}\b(?:not making sense|(?:belly|stomach|abdomen) (?:is )?(?:hard|rigid))\b|\b(?:not making sense|confused)\b.{0,90}\bfever\b|"
       r"\bheart (?:has been |is |keeps |been )?(?:racing|pounding|beating)\b.{0,30}\b(?:1[6-9]\d|2\d\d)\b.{0,80}\b(?:faint|dizzy|lightheaded|clammy|chest|short of breath)\b|"
       r"\b(?:bp|blood pressure|cuff)\b[^.!?]{0,30}\b(?:1[89]\d|2\d\d) ?/ ?(?:1[1-9]\d)\b.{0,80}\b(?:headache|vision|blurry|chest|confus\w*|numb)\b|"
       r"\b(?:recien nacid[oa]|bebe)\b.{0,20}\b(?:de|tiene) (?:[1-9]|1\d|2[0-8]) dias\b.{0,80}\b3(?:8[.,]?\d?|9[.,]?\d?)\b|"
       r"\b(?:black|tarry|bloody) (?:tarry )?(?:stools?|poop)\b.{0,80}\b(?:passed out|pass out|faint\w*|dizzy|lightheaded)\b|"
       r"\b(?:meter|glucose|sugar|bg)\b[^.!?]{0,20}\b(?:says|reads|shows|just says) (?:hi|high)\b.{0,80}\b(?:vomit\w*|throwing up|breathing (?:fast|hard|heavy)|confused)\b|"
       # heart failure told calmly: breathless, and sleeping sitting up
       r"\b(?:short of breath|breathless|out of breath|can't breathe)\b.{0,140}\b(?:sleep|sleeping) (?:sitting )?(?:up|upright|in a chair)\b|"
       r"\b(?:sleep|sleeping) (?:sitting )?(?:up|upright|in a chair)\b.{0,140}\b(?:short of breath|breathless|out of breath)\b",
       negatable=True, history=True),
    # poisoning / overdose
    _r("overdose", POISONING, C,
       r"\b(?:overdos(?:e|ed|ing)|od'd|o\.d\.'d|od-ed)\b|"
       r"\b(?:swallowed|drank|ate|ingested|got into|took)\s+(?:some |a |the |my |his |her |a whole |a bottle of |a bunch of |some of (?:the|my) )?"
       r"(?:bleach|antifreeze|drain cleaner|detergent|laundry pods?|tide pods?|dishwasher pods?|rat poison|pesticide|"
       r"cleaning (?:stuff|products?|fluid)|button batter(?:y|ies)|lamp oil|windshield fluid|mushrooms from the yard|"
       r"(?:my|his|her|grandma's|grandpa's|the) (?:pills|medicine|meds|medication|vitamins))\b|"
       r"\b(?:poisoned|poisoning)\b|"
       r"\b(?:swallowed|ingested|got into|chewed|drank|ate)\s+(?:some|a|an|the|a few|one|two|half|\d+)?\s*(?:of\s+)?(?:my|his|her|the|our|\w+'s)?\s*"
       r"(?:\w+\s+){0,3}?(?:pills?|tablets?|medicine|meds|medication|bleach|windex|cleaner|detergent|antifreeze|"
       r"nail polish remover|vape juice|e-?liquid|lighter fluid|gasoline|paint thinner|pesticide|weed killer|poison)\b|"
       r"\b(?:accidentally|might have) (?:swallowed|drank|ate|taken)\b|"
       r"\b(?:took|taken|swallowed|downed)\s+(?:what was left|whatever was left|the rest) of (?:my |his |her |the |\w+'s |my \w+'s )?"
       r"(?:\w+ )?(?:pills|tablets|meds|medication|medicine|prescription|bottle)\b|"
       r"\b(?:took|taken|swallowed|downed|popped) (?:(?:a|the|my|his|her) (?:whole |full |entire )?(?:bottle|pack|box|handful|strip) of) "
       r"(?:(?:my|his|her|the|their) )?(?!water\b|wine\b|beer\b|vodka\b|soda\b|juice\b)\w+",
       negatable=True, history=True),
    # the writer's own count of pills taken ("I took approximately 30 extra-strength acetaminophen
    # tablets yesterday"): explicit, as "overdose" in a novel or a history is not
    _r("overdose_taken", POISONING, C,
       r"\b(?:took|taken|swallowed|popped)\s+(?:like |about |around |maybe |approximately |roughly |nearly |almost )?(?:a (?:whole )?(?:bunch|handful|bottle|pack|box) of|the (?:whole|entire) (?:bottle|pack|box) of|"
       r"(?:my|his|her) (?:whole|entire) (?:bottle|pack|box) of|all (?:of )?(?:my|his|her|the)|too many|(?:[5-9]|[1-9][0-9]) (?:of )?)\s*(?:(?:my|his|her|the|\w+'s) ){0,2}(?:[\w-]+ ){0,2}"
       r"(?:pills|tablets|xanax|oxy|oxycodone|percocet|vicodin|tylenol|advil|ibuprofen|benadryl|adderall|ambien|klonopin|valium|"
       r"seroquel|quetiapine|trazodone|zoloft|sertraline|lithium|ativan|lorazepam|acetaminophen|paracetamol|gabapentin|"
       r"insulin|meds|medicine|medication|gummies|edibles)\b|\btook too many (?:pills|tablets|of (?:my|his|her|the) \w+)\b",
       negatable=True, history=True),
    _r("poisoning_described", POISONING, C,
       r"\b(?:bit|chewed|swallowed|ate|got into|sucked on)\b.{0,25}\b(?:dishwasher|laundry|detergent|tide) pods?\b|"
       r"\bfoam(?:ing)? (?:in|at|around|coming out of) (?:his|her|their|the) mouth\b"),
    # carbon monoxide told by what a household feels beside a furnace, heater or generator: the
    # classifier hears "the stomach bug going around" (0.00), so its word does not overrule this
    _r("carbon_monoxide_signs", POISONING, H,
       r"\b(?:co|carbon monoxide|monoxide) (?:detector|alarm|monitor)\b.{0,80}\b(?:headaches?|dizzy|dizziness|nause\w*|"
       r"throwing up|vomit\w*|sick|confused|passed out|sleepy)\b|"
       r"\b(?:whole family|all of us|we all|we both|both of us|(?:both|all) (?:of )?(?:my|the) kids|everyone (?:in the house|at home)|the kids and i|the whole house)\b.{0,60}\b(?:headaches?|dizzy|nause\w*|threw up|throwing up|vomit\w*)\b"
       r".{0,120}\b(?:furnace|heater|generator|boiler|gas stove|space heater|chimney)\b|"
       r"\b(?:headaches?|nause\w*|dizz\w*|throwing up|vomit\w*)\b.{0,80}\bsince (?:we|they|i) (?:turned|switched|put|started|fired) (?:on )?(?:the|our|a|up the) (?:new )?(?:furnace|heater|boiler|generator)\b|"
       r"\bgenerator\b.{0,60}\b(?:garage|basement|inside|in the house)\b.{0,100}\b(?:confused|slurr\w*|dizzy|headaches?|passed out|sleepy|throwing up|vomit\w*)\b",
       negatable=True, history=True),
    _r("poisoning_signs", POISONING, H,
       r"\bmethotrexate\b.{0,60}\b(?:every day|daily|each day|days in a row)\b|"
       r"\b(?:ambien|zolpidem|xanax|valium|klonopin|ativan|oxy\w*|percocet|benadryl|sleeping pills?)\b.{0,60}\b(?:wine|vodka|beer|alcohol|drinks|drinking|shots|whiskey)\b"
       r".{0,80}\b(?:can't (?:really )?feel|numb|can't stay awake|so sleepy|breathing (?:slow|weird)|passing out|can't wake)|"
       r"\bmix(?:ed|ing)? (?:\w+ ){0,2}bleach (?:and|with)\b|\bbleach (?:and|with) (?:\w+ ){0,2}ammonia\b|"
       r"\b(?:taking|took|been taking|had|taken) (?:extra|double|triple|too much|way too much|too many|a lot of|lots of) "
       r"(?:\w+ )?(?:tylenol|acetaminophen|paracetamol|advil|ibuprofen|aspirin|pills|tablets|meds|medication|insulin)\b|"
       r"\btook (?:his|her|my|their) (?:pills|meds|medication|insulin) (?:twice|three times|again)\b|"
       r"\b(?:double|triple|doubled|tripled) (?:up )?(?:on )?(?:his|her|my|the|their )?(?:dose|doses|meds|pills|insulin)\b",
       negatable=True, history=True),
    _r("es_breathing_trouble", MEDICAL, H,
       r"\b(?:ataque de asma|(?:le|me) cuesta (?:mucho )?respirar|respira(?:ndo)? con (?:silbido|dificultad)|se (?:le|me) esta hinchando (?:toda )?la cara|(?:el )?inhalador no (?:le |me )?(?:hace nada|sirve|ayuda|funciona)|se le hunde el pecho)\b",
       lang="es"),
    # Spanish
    _r("es_breathing", MEDICAL, C,
       r"\b(?:no puedo respirar|no puede respirar|no respira|se esta ahogando|me estoy ahogando|se ahoga|"
       r"se me cierra la garganta|se le cierra la garganta)\b", lang="es"),
    _r("es_chest_pain", MEDICAL, C,
       r"\b(?:dolor (?:\w+ ){0,3}(?:de|en el) pecho|me duele (?:mucho )?el pecho|presion en el pecho|ataque al corazon|infarto)\b",
       lang="es", negatable=True, history=True),
    _r("es_stroke", MEDICAL, C,
       r"\b(?:derrame cerebral|embolia|se le cae (?:la cara|un lado de la cara)|cara caida|no puede hablar bien|"
       r"habla arrastrando las palabras|no puede mover (?:el brazo|la pierna|un lado|el lado (?:izquierdo|derecho))|habla (?:raro|extrano|chistoso))\b", lang="es", negatable=True, history=True),
    _r("es_unresponsive", MEDICAL, C,
       r"\b(?:no reacciona|no responde|no despierta|cara torcida|boca torcida|no puede hablar|me falta el aire|le falta el aire|inconsciente|se puso (?:azul|morado)|esta (?:azul|morado)|"
       r"convulsion(?:es|ando)?|esta convulsionando|sangra mucho|no para de sangrar|no deja de sangrar|mucha sangre|"
       r"es una emergencia|necesito una ambulancia)\b", lang="es", negatable=True, history=True),
    # an overdose already taken is a poisoning too (Poison Control as well as 988)
    _r("es_overdose_taken", POISONING, C,
       r"\b(?:me )?(?:tome|trague) (?:como |unas |mas de )?(?:diez|doce|quince|veinte|treinta|cuarenta|[1-9]\d) (?:pastillas|pildoras|tabletas)\b|"
       r"\b(?:me )?(?:tome|trague) (?:todas|muchas|un frasco de|un monton de) (?:las |mis )?(?:\w+ )?"
       r"(?:pastillas|pildoras|tabletas|medicinas)\b", lang="es"),
    _r("es_poisoning", POISONING, C,
       r"\b(?:sobredosis|envenen(?:ado|ada|amiento)|se tomo (?:las|mis|sus|unas) (?:pastillas|medicinas)|"
       r"(?:tomo|bebio|trago) (?:cloro|blanqueador|veneno|detergente)|(?:se ha|me he|se|me) tom(?:ado|o) por error|"
       r"se (?:tomo|bebio|trago) (?:todo )?(?:el|la) (?:jarabe|frasco|botella)\b[^.!?]{0,60}\b(?:todo el frasco|toda la botella|entero|entera)|"
       r"se (?:tomo|bebio|trago) todo el (?:frasco|jarabe))\b",
       lang="es", negatable=True, history=True),

    # ---- distress (LOW / MEDIUM) ------------------------------------------------------
    _r("panic_now", DISTRESS, M,
       r"\b(?:having|having a|in the middle of a|i think i'm having a) panic attack\b|\bataque de panico\b",
       negatable=True, history=True),
    _r("hopeless", DISTRESS, M,
       r"\b(?:i feel|i'm|i am|feeling|i've been feeling|feel) (?:so |really |very |completely |totally )?"
       r"(?:hopeless|worthless|empty inside|like a burden|like giving up)\b|\b(?:no ?one|nobody) cares (?:about me|if i)\b|"
       r"\bme siento (?:sin esperanza|inutil|vacio|vacia)\b",
       negatable=True),
    _r("distress_low", DISTRESS, L,
       r"\b(?:i feel|i'm|i am|feeling|i've been|been|i've been feeling|i have been feeling) (?:so |really |very |super |just |kind of |kinda )?"
       r"(?:stressed(?: out)?|overwhelmed|depressed|miserable|lonely|alone|sad|down|anxious|scared|terrified|awful|lost)\b"
       r"(?! (?:about|of|for|that|to)\b)|\b(?:having|had) a (?:really )?(?:rough|hard|terrible) (?:day|week|time)\b|"
       r"\bme siento (?:muy )?(?:triste|sola|solo|deprimid[oa]|angustiad[oa])\b|\b(?:barely|can't) sleep(?:ing)?\b|"
       r"\b(?:can't stop crying|crying (?:all the time|every day|everyday|every night))\b|\bnot (?:feeling )?myself\b|"
       r"\b(?:he|ha) estado (?:muy )?(?:estresad[oa]|triste|deprimid[oa]|angustiad[oa])\b|\bllorando todos los dias\b",
       negatable=True),
    _r("hopeless_outlook", DISTRESS, M,
       r"\bnothing (?:ever )?(?:gets|will get|is going to get) better\b|"
       r"\b(?:don't|can't) see how (?:it|things|anything) (?:will|would|could|is going to) ever get better\b"),
]

# Explicit phrases: the writer's own crisis, named outright ("I'm going to kill myself tonight", "he's
# got a knife", "she's not breathing"). Their hit stands unless the classifier is all but certain it is
# no crisis (`veto`); a hit by any other rule is a trigger word in context ("suicide" in a play,
# "overdose" in a mystery novel, "can't sleep" about a son's video game) and needs the classifier's
# agreement (`veto_weak`, chosen out of fold). A time or means named ("tonight", "the pills") is
# no reason alone: "now" is in "I'm doing much better now" too.
EXPLICIT = frozenset({
    "suicide_intent_now", "suicide_means", "suicide_goodbye", "suicide_ideation", "suicide_plan_signs", "self_harm",
    "suicide_signals", "method_seeking", "suicide_passive_outright", "es_suicide_intent_now", "es_suicide_ideation", "es_suicide_signals",
    "violence_weapon_now", "violence_intent_armed", "threat_unmistakable", "intent_unmistakable", "abuse_of_dependent", "abuse_by_partner", "violence_against_me_now", "es_violence_now", "es_abuse_now",
    "es_overdose_taken", "overdose_taken", "poisoning_described", "poisoning_signs", "carbon_monoxide_signs", "es_poisoning",
    *(rule.name for rule in RULES if rule.category == MEDICAL),
})
# A body in trouble now: the medical rules read negation and the past per sentence themselves, and the
# classifier never overturns them ("I have bad chest pain. Can I get a follow-up?" scores 0.008: the
# follow-up, not the pain, is what it hears). A missed anaphylaxis costs more than a flagged form.
NEVER_VETOED = (frozenset(rule.name for rule in RULES if rule.category == MEDICAL) - {"declared_emergency"}
                | {"threat_unmistakable", "intent_unmistakable", "carbon_monoxide_signs"})
assert EXPLICIT <= {rule.name for rule in RULES}
