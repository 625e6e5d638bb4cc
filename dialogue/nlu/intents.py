"""Rule/lexicon intent classifier.

``classify(text)`` takes cleaned text (see ``normalize.clean``) and returns an
``IntentGuess``: the intent, a confidence, the info topic and a dialogue act.  Rules run
from the most specific to the least; anything with no clinic, appointment or dialogue
signal is OUT_OF_SCOPE (higher confidence when it names a foreign topic such as weather,
banking, travel, recipes or music).  Confidences are fixed per rule, set from how often
the rule was right on development data (rough calibration, not learned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .types import Intent
from .yesno import polarity


def _rx(*alts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b")


APPT = r"(?:appointment|appointments|visit|booking|reservation|consult(?:ation)?|check ?up|exam|slot)"
CLINIC = _rx(
    APPT, "clinic", "office", "practice", "doctor", "doctors", r"dr\.?", "physician", "nurse",
    "provider", "providers", "receptionist", "pediatrician", "dentist", "therapist",
    "cardiologist", "dermatologist", "specialist", "front desk", "your hours",
)

HANDOFF = _rx(
    r"call (?!(?:center|centre|log|history|an ambulance|someone a)\b)[a-z0-9]+", r"redial", r"dial up", r"on the phone", r"to be called", r"phonecall", r"get a hold of", r"(?:needs|need|waiting for me) to (?:be )?call",
    r"talk to [a-z]+$", r"place a call",
    r"(?:talk|speak|chat|connect|transfer|put)(?: me)? (?:to|with|through to) (?:a |an |the |some |your )?"
    r"(?:real |live |actual )?(?:person|human|someone|somebody|representative|agent|operator|"
    r"receptionist|front desk|staff|nurse|office|manager|people|man|woman|employee)",
    r"(?:real|live|actual) (?:person|human|agent)", "representative", "operator", "front desk",
    "human being", "a human", "receptionist", r"customer (?:service|support)", "transfer me",
    r"speak (?:to|with) (?:dr|doctor|the doctor|my doctor|nurse)", "agent please", "^agent$",
    "^human$", "^person$", "^operator$", "talk to someone", "speak to someone", "call me back",
    r"(?:call|dial) (?!(?:center|centre|of|log|history|waiting|me back)\b)[a-z]+", r"connect me (?:to|with) [a-z]+", r"make a (?:phone )?call",
    r"give [a-z]+ a (?:call|ring)", r"calling [a-z]+", "place a call",
)
# Words that ask for a person (not merely to be called): "call me at 312-555-0100" answers the
# phone question; "transfer me to the front desk, my number is ..." still asks for a person.
ASKS_FOR_PERSON = _rx(
    "person", "human", "someone", "somebody", "representative", "operator", "receptionist", "front desk",
    "staff", "agent", "nurse", "doctor", "transfer", "connect me", "talk to", "speak to", "speak with",
)
# "move my Dr. Parks appointment", "push our 3 pm visit": a move, however many words name the appointment
MOVE_MY_APPOINTMENT = re.compile(r"\b(?:move|push|shift|bump|change|reschedule)\s+(?:my|our|the)\b[\w\s.']{0,30}?"
                                 rf"\b{APPT}")
# "what's the front desk's number": a question about the number, not a request for the desk
ASKS_NUMBER = re.compile(r"\b(?:what'?s|what is|what are|give me|tell me|can i (?:get|have))\b[\w\s']{0,30}?"
                         r"\b(?:phone )?number\b")
CANCEL = _rx(
    rf"cancel(?:led|ling|ation)?(?: my| the| this| that| our| his| her| an?)?(?: [a-z']+)? {APPT}",
    rf"(?:call off|drop|delete|remove) (?:my|the) {APPT}",
    rf"(?:can't|cannot|won't be able to|will not be able to|unable to|not going to) "
    rf"(?:make|come|attend|go)(?: to)?(?: my| the)?(?: {APPT}| it)?\b(?! (?:at|on|by|in))",
    r"^(?:please )?cancel(?: it| that| this| please)*$",
    r"cancel (?:it|that|this|them)", "i want to cancel", "need to cancel", "like to cancel",
)
# "I have to cancel, something came up": a cancellation whatever else the message says
CANCEL_STRONG = _rx(r"(?:have|need|got|gotta|must|going) to cancel(?! (?:my |the |a |an )?(?:subscription|order|"
                    r"account|card|membership|flight|hotel|trip|plan|service)s?\b)")
ABORT = _rx(
    r"silence", r"mute", r"quiet", r"shh+", r"shut up", r"discontinue", r"rescind", r"undo", r"^scratch",
    r"^scrap", r"eliminate", r"negate (?:the )?last", r"cancel (?:what|the current|your|action|current|the input|my last)",
    r"can you (?:please )?cancel$", r"^cancel$", r"forget my", r"(?:don't|do not) (?:continue|talk|say|speak|complete)",
    r"refrain", r"that's enough", r"hush", r"shut it", r"ignore (?:the |my |that )?(?:previous|last)", r"forget what i",
    r"(?:end|stop|turn off|kill) (?:the |this |my )?(?:current )?(?:process|task|action|command)", r"cancel the (?:last|task|current|input)", r"switch off", r"abandon", r"stop (?:it|that|talking|now)",
    "never ?mind", "forget it", "forget (?:about )?(?:it|that)", "stop", "halt", "abort",
    "terminate", "quit", "end (?:this|it|the process|the task)", "pause", "scrap that",
    "disregard", "drop it", "cancel(?: that| it| this)? (?:last )?(?:request|command|task|process|job)",
    "don't (?:do|need) (?:it|that)", "destroy process",
)
RESCHEDULE = _rx(
    "reschedule", "re-schedule", "rebook", "re-book", "push (?:back|it back|my|it)",
    rf"(?:move|change|switch|shift|bump|postpone|delay)(?: my| the| our| his| her)?(?: [a-z']+)? {APPT}",
    rf"{APPT} (?:to|for) (?:a )?(?:different|another|new|later|earlier)",
    r"(?:different|another|new|other) (?:day|date|time)",
    r"change (?:the|my) (?:time|date|day)", r"move (?:it|that) to",
)
CHECK = _rx(
    rf"when(?:'s| is| was| are) (?:my|our|his|her|the) (?:next |upcoming )?{APPT}",
    rf"what (?:time|day|date)(?: is| was)? (?:my|our|his|her) (?:next |upcoming )?{APPT}",
    rf"(?:do|did) i (?:have|still have) (?:an? |any )?(?:{APPT}|upcoming)",
    rf"(?:check|confirm|verify|look up|find)(?: on)? (?:my|our|his|her) (?:existing |upcoming |next )?{APPT}",
    rf"(?:is|are) (?:my|our) {APPT}s? (?:still|confirmed|on|booked|scheduled)",
    rf"(?:my|our) (?:upcoming|next|existing|scheduled) {APPT}", r"am i (?:booked|scheduled)",
    rf"what {APPT}s? do i have", rf"details of my {APPT}",
    rf"when my (?:next |upcoming )?{APPT} is", r"what (?:day|time|date) am i (?:seeing|booked|scheduled|coming)",
    r"(?:forgot|don't remember|can't remember|do not remember) (?:when|what time|what day)",
)
_BOOKING_PHRASES = (
    rf"(?:book|make|schedule|set up|setup|get|need|want|request|like|have|arrange)(?: me)?(?: an?| my| the| another| one| new)?(?: [a-z']+)? {APPT}",
    r"(?<!\ba )(?<!\bthe )(?:book|schedule) (?:me|an?|it|for|with|in|my|us|him|her|someone|time|appointment|visit|that|this)\b",
    r"^(?:book|schedule)\b", r"(?:set me up|fit me in|squeeze me in|get me in|come in|come by|drop by|stop by)",
    r"(?:see|visit|meet|consult) (?:a |the |my |with |your )?(?:dr|doctor|doc|physician|nurse|"
    r"provider|pediatrician|specialist|dentist|therapist|dermatologist|cardiologist)",
    r"(?:any|an?|next|earliest|first) (?:opening|openings|availability|available (?:slot|time|appointment)|slot)",
    r"(?:are|is) (?:there|you|dr|doctor)\s*(?:[a-z.]+\s)?(?:available|free|open)",
    r"(?:anything|something|slot|spot|time|times|opening|appointment|doctor|dr|you|someone|anyone)\s+(?:\w+\s+)?available",
    r"available (?:at|on|for|tomorrow|today|this|next|in the|\d)",
    r"(?:doctor|dr|nurse)(?:'s)? (?:available|free)", r"get (?:checked|seen|a checkup|a physical)",
    r"need (?:a|to see a) (?:doctor|physician|checkup|physical)", "walk in", "new patient",
    r"(?:i|we) (?:need|want|would like) to (?:see|come|get seen)", "to be seen", "sick visit",
    r"who can see me", r"(?:whoever|anyone|anybody) (?:is )?(?:available|free|is fine)",
)
SCHEDULE_EXPLICIT = _rx(*_BOOKING_PHRASES)          # a booking said as one ("book me", "any openings")
SCHEDULE = _rx(*_BOOKING_PHRASES, APPT)             # ... or only the word "appointment" in the message
INFO_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("hours", _rx(
        r"hours", r"(?:when|what time) (?:are|do|does) (?:you|the office|the clinic|y'all)(?: guys)? "
        r"(?:open|close|closed)", r"(?:are|is) (?:you|the office|the clinic) (?:open|closed)",
        r"open (?:today|tomorrow|on|at|saturday|sunday|this)", r"opening times", r"what time do you (?:open|close)",
        r"closing time", r"business hours", r"office hours")),
    ("address", _rx(
        r"where (?:are|is) (?:you|your|the clinic|the office|y'all|the practice)", r"address",
        r"located", r"location", r"directions", r"how do i get (?:there|to you|to your|to the)", r"parking",
        r"where(?:'s| is) (?:the|your) (?:clinic|office|building)", r"what street", r"where to go")),
    ("phone", _rx(
        r"(?:your|the|clinic's|office's|office|clinic) (?:phone|telephone|fax)(?: number)?",
        r"phone number", r"number to call", r"how (?:can|do) i (?:call|reach|contact) (?:you|the office)",
        r"contact (?:number|info|information|details)")),
    ("providers", _rx(
        r"(?:which|what|who are the|how many|list (?:the|your)|what kind of|what type of) "
        r"(?:doctors|providers|physicians|specialists|dentists|nurses|specialties|doctor|provider)",
        r"who (?:are|is) (?:your|the) (?:doctors|providers|physicians|doctor|provider)",
        r"(?:do you have|is there) (?:a|an|any) (?:[a-z]+ )?(?:doctor|doctors|specialist|pediatrician|"
        r"dermatologist|cardiologist|provider|dentist)",
        r"who can i see", r"who works there", r"what doctors")),
]
_INFO_Q = re.compile(r"\b(?:what|where|when|which|who|how|is|are|do|does|can|could|tell me|give me|need|want|list)\b|\?")
_CLINIC_REF = re.compile(r"\b(?:you|your|y'all|clinic|office|practice|doctors?|providers?|dr|the place)\b")
GREETING = _rx(
    r"how(?:'s| is| are|'re| goes| have|'ve)? (?:everything|things|it going|life|you|it|the ai|my ai|ife)",
    r"how (?:you are|are you|the ai is|is the ai|you've been|you have been)", r"are you doing (?:alright|all right|ok|okay|well|good|fine)",
    r"is everything (?:ok|okay|alright|good|well)", r"good to see you", r"what are you feeling",
    r"hi there", r"hola", r"aloha", r"bonjour", r"salutations", r"ahoy", r"heyo", r"wassup", r"heller", r"well hello",
    r"why,? hello", r"say hi", r"are you (?:well|doing well|ok|okay)", r"what's (?:going on|happening|new)",
    r"how do you feel", r"wake up", r"things going well", r"how you (?:are|doing|been)", r"^(?:hi|hello|hey)",
    r"how(?:'s| is) it hanging", r"good to (?:see|hear from) you",
    r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))\b",
    r"^(?:hi|hello|hey) there", r"how are you(?: doing)?", r"how's it going", r"what's up", "nice to meet you",
    r"how do you do", r"how(?:'s| is) your day", r"how have you been", r"^sup$",
)
GOODBYE = _rx(
    r"sayonara", r"syonara", r"nice (?:to )?(?:talk|speak|chat|convers|meet|catch)",
    r"(?:nice|good|great|lovely|enjoyable|pleasant|cool|fun|glad) (?:talking|speaking|chatting|conversing|"
    r"(?:we |i )?(?:got )?to (?:talk|speak|chat|converse|catch up|get in touch|have)|having)",
    r"enjoyed (?:talking|speaking|chatting)", r"ta ?ta", r"out of here", r"outta here", r"catch you",
    r"fairwell", r"^peace", r"peace out", r"get going", r"(?:have|need|got) to (?:go|run|leave)",
    r"gotta run", r"leaving now", r"until next time", r"nice (?:chat|conversation)", r"buh ?bye",
    r"tootles", r"goodnight", r"pleasure (?:talking|speaking|chatting|to (?:talk|speak|chat))", r"i'?m off", r"i'll be off",
    r"bye+", "goodbye", "good bye", "see you", "see ya",
    r"(?<!the )(?<!a )later(?!\s*,?\s+(?:one|time|slot|option|appointment|day|date|in the|on|than|that|please|"
    r"after|before|at|in|that day|today|this|next))", r"that's all", r"that is all",
    r"that's it", r"that is it", r"that will be all", r"that'll be all", r"nothing else",
    r"no(?:,)? that's (?:all|it)", r"have a (?:good|great|nice) (?:day|night|one|evening|weekend)",
    r"take care", r"i'm (?:done|good|all set)", r"all set", r"talk to you later", r"ciao", r"adios",
    r"farewell", r"good night", r"cheers", r"signing off", r"i have to go", r"gotta go", r"got to go",
)
THANKS = _rx(
    r"gracias", r"merci", r"appreciate", r"apprec[a-z]+", r"appeciate", r"regards", r"danke", r"gratitude", r"thankful", r"owe you", r"good job", r"nice job",
    r"glad (?:you|that you)", r"happy (?:you|with)", r"pleased", r"kind (?:of you|to)", r"so nice",
    r"a doll", r"easier with you", r"wish you were here", r"go unnoticed", r"enjoyable", r"well done",
    r"thanks?", r"thank you", r"thankyou", r"appreciate(?:d)?", r"grateful", r"you're the best",
    r"you've been (?:a )?(?:great|big|huge)? ?help", r"much obliged", r"cheers", r"helpful",
)
CORRECTION = _rx(
    "actually", "i meant", "i mean", "i said", "not that", r"instead", r"change (?:it|that) to",
    r"make (?:it|that)", r"correction", r"my mistake", r"sorry,? (?:i|it's|it is)", r"no wait",
    r"wait,? no", r"on second thought", r"rather", r"scratch that", r"switch (?:it|that) to",
    r"how about", r"what about", r"can (?:we|you|i) (?:try|do)",
)
REPEAT = _rx(
    r"repeated", r"what was (?:that|the question|said|the last)", r"excuse me", r"did not hear",
    r"restate", r"(?:ask|say|tell)(?: me)?(?: that| it| the question)? (?:again|once more)", r"again$",
    r"what did you (?:just )?(?:say|ask|mention)", r"once more", r"replay", r"run that by me again",
    r"come again", r"hear (?:that|it) again", r"mind repeating", r"what'?d you say", r"what (?:were|was) you (?:just )?saying", r"what question", r"what did you ask", r"said again",
    r"repeat", r"say (?:that|it|this) again", r"(?:come again|pardon|sorry\?|what\?|huh\??)$",
    r"didn't (?:hear|catch|get|understand)", r"one more time", r"say again", r"what did you (?:just )?say",
    r"could you say", r"can you say", r"i missed (?:that|what you said)", r"^what$",
)
HELP = _rx(
    r"what (?:kinds?|sorts?|types?) of (?:things|questions|queries|subjects|info|information|tasks)",
    r"(?:can|may|should|could) i ask", r"ask (?:of )?you", r"help me with", r"assist me", r"use you",
    r"you know about", r"familiar with", r"knowledgable", r"knowledgeable", r"well versed", r"what skills",
    r"what tasks", r"list of commands", r"what do you know", r"answers? for", r"can you answer",
    r"what can you answer", r"subject areas", r"subjects", r"what knowledge", r"able to do with me", r"what would you be able", r"able to ask", r"allowed to ask", r"things (?:do )?you know",
    r"what can (?:you|i) (?:do|ask|help)", r"what (?:can|should|could) i ask", r"how can you help",
    r"what (?:are you|do you) (?:able|capable)", r"what do you do", r"what are your (?:capabilities|abilities|skills|functions)",
    r"what (?:kind|sort|types?) of (?:things|questions|stuff|subjects|topics|help)",
    r"what (?:are|is) (?:you|your) (?:good|capable)", r"help me$", r"^help$", r"(?:things|subjects|topics|questions) (?:you|can you|i can)",
    r"what you (?:can|are able to|know|do|understand|comprehend|are capable|are good)", r"your (?:abilities|capabilities|skills|functions)",
    r"what questions", r"what topics", r"what subjects",
)
BOT = _rx(
    r"real or (?:artificial|fake|not)", r"someone real", r"are you (?:a )?(?:live|real|alive)", r"real about you",
    r"how real", r"not human", r"really real", r"(?:a|an) (?:bot|robot|ai|machine) aren't you", r"could you be (?:a )?(?:human|person|real|bot|robot|machine)", r"(?:a|an) (?:human being|artificial intelligence)", r"life form", r"you were real",
    r"secretly (?:real|human|a)", r"(?:is|am) (?:this|i) (?:talking to )?(?:a )?(?:computer|machine|bot|recording)",
    r"(?:are|r) you (?:a |an )?(?:real|human|bot|robot|machine|computer|ai|person|artificial|automated|living|alive)",
    r"(?:bot|robot|machine|computer|ai|human|person) or (?:a |an )?(?:human|person|bot|robot|machine|computer|ai|real)",
    r"am i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real|human|bot|robot|machine|computer|person|ai)",
    r"are you (?:a |an )?(?:computer|program|chatbot)", r"you(?:'re| are) (?:a |an )?(?:bot|robot|machine|ai|human|person|computer)",
    r"(?:a|an) (?:ai|bot|robot|human|computer)\??$", r"consider yourself", r"what are you\W*$", r"what are you,",
)
MAYBE = _rx(
    r"if i know", r"(?:not a|no|a|haven't a|don't have a|the foggiest) clue", r"dunno", r"it depends",
    r"depends", r"either", r"one or the other", r"not confident", r"can't answer", r"can't decide",
    r"can't tell", r"think about it", r"no (?:earthly )?idea", r"(?:don't|do not) have (?:that|the|an|any) (?:information|answer|idea)",
    r"drawing a blank", r"no knowledge", r"uncertain", r"unaware", r"a possibility", r"couldn't (?:say|tell)",
    r"above my pay", r"not (?:sure|certain)", r"don't really know", r"i guess",
    r"maybe", r"perhaps", r"not sure", r"unsure", r"(?:don't|do not) know", r"i'm not certain", r"no idea",
    r"possibly", r"could be", r"^might$", r"(?:unable|not able) to say", r"not (?:completely|totally|entirely|really) (?:sure|certain)", r"might be", r"either way", r"hard to say", r"can't say", r"who knows",
    r"not to sure", r"no clue", r"foggiest", r"either one", r"idk", r"(?:i'm|i am) torn", r"undecided",
)
WAIT = _rx(r"hold on", r"one (?:sec|second|moment|minute)", r"just a (?:sec|second|moment|minute)", r"^wait$", r"give me a (?:sec|second|moment|minute)")
# topics a clinic receptionist does not handle
FOREIGN = _rx(
    "weather", "forecast", "temperature", "rain", "snow", "recipe", "recipes", "cook", "cooking", "bake",
    "ingredients", "bank", "banking", "account balance", "balance", "credit card", "credit score", "debit",
    "transfer money", "wire", "loan", "mortgage", "interest rate", "stock", "stocks", "shares", "invest",
    "bitcoin", "crypto", "flight", "flights", "airline", "airport", "plane", "train", "bus", "uber", "taxi",
    "hotel", "travel", "vacation", "trip", "passport", "visa", "luggage", "song", "songs", "music", "playlist",
    "album", "band", "movie", "movies", "film", "netflix", "tv", "show", "game", "games", "sports", "football",
    "basketball", "baseball", "soccer", "nba", "nfl", "score", "team", "restaurant", "restaurants", "dinner",
    "lunch reservation", "pizza", "food", "eat", "drink", "wine", "beer", "coffee", "translate", "translation",
    "language", "spanish", "french", "meaning of", "define", "definition", "spell", "math", "calculate",
    "president", "capital of", "population", "history", "who was", "who is", "who invented", "joke", "jokes",
    "riddle", "fun fact", "car", "oil change", "tire", "tires", "gas", "mpg", "insurance policy",
    "pay my bill", "bill", "bills", "utility", "rent", "shopping", "buy", "order", "amazon", "package",
    "delivery", "shipping", "news", "election", "alarm", "timer", "reminder", "remind me", "text message",
    "email", "smart home", "lights", "thermostat", "volume", "spotify", "podcast", "book a table",
    "table for", "pto", "vacation days", "salary", "paycheck", "job", "resume", "interview", "meeting",
    "calendar", "birthday party", "wedding", "gift", "pet", "dog", "cat", "plant", "garden", "tax", "taxes",
    "apr", "routing number", "pin", "exchange rate", "currency", "dollars", "euros", "miles", "kilometers",
    "distance", "directions to", "traffic", "route", "nearest", "university", "college", "school", "homework",
    "planet", "universe", "star", "galaxy", "animal", "species", "evolution", "country", "city", "state of",
    "when did", "how tall", "how old is", "how many people", "born", "died", "die", "famous", "celebrity",
    "actor", "actress", "singer", "author", "novel", "poem", "painting", "art", "museum", "church", "god",
    "religion", "politics", "war", "army", "phone plan", "carrier", "wifi", "password", "computer", "laptop",
    "iphone", "android", "app", "website", "internet", "facebook", "twitter", "instagram", "youtube",
)
_MEDICAL = _rx(
    "doctor", "dr", "physician", "nurse", "clinic", "appointment", "checkup", "check up", "prescription",
    "refill", "vaccine", "flu shot", "sick", "pain", "fever", "symptoms", "rash", "injury", "hurt", "hurts",
    "medical", "health", "pediatrician", "dentist", "therapist", "specialist", "physical", "exam",
    "test results", "lab", "labs", "x-ray", "referral", "insurance",
    r"meds", "medication", "medications", "medicine", "blood pressure", "blood work", "bloodwork",
    "diabetes", "cholesterol", "asthma", "allergies", "allergy", "follow up", "follow-up", "shot", "shots",
    r"(?:come in|be seen|see someone) (?:to|for|about) (?:talk|discuss|go over|review|check|get)",
)


_QSTART = re.compile(r"^(?:is|are|was|were|what|who|whom|when|where|why|how|which|can|could|do|does|did|will|would|should|tell|give|find|show|list|get)\b")


@dataclass
class IntentGuess:
    """Output of the classifier."""

    intent: Intent
    confidence: float
    info_topic: Optional[str] = None
    dialogue_act: Optional[str] = None
    in_scope_signal: bool = True
    keyword_only: bool = False      # a booking read from a clinic word alone, not from a booking phrase


def info_topic(text: str) -> Optional[str]:
    """'hours' / 'address' / 'phone' / 'providers' when the text asks about the clinic."""
    if not _INFO_Q.search(text):
        return None
    short = len(text.split()) <= 5
    for topic, rx in INFO_TOPICS:
        if rx.search(text) and (short or _CLINIC_REF.search(text)):
            return topic
    return None


def classify(text: str) -> IntentGuess:
    """Intent of cleaned ``text`` without dialogue context (see module docstring)."""
    t = text.strip()
    if not re.search(r"[a-z0-9]", t):
        return IntentGuess(Intent.UNKNOWN, 0.0, in_scope_signal=False)
    foreign = FOREIGN.search(t)
    medical = _MEDICAL.search(t) or CLINIC.search(t)
    clinicish = bool(medical) or not foreign
    if HANDOFF.search(t) and clinicish and not BOT.search(t):
        if ASKS_NUMBER.search(t):
            return IntentGuess(Intent.INFORMATION, 0.85, info_topic="phone")
        return IntentGuess(Intent.HANDOFF, 0.9, dialogue_act=None)
    if CHECK.search(t):
        return IntentGuess(Intent.CHECK_APPOINTMENT, 0.85)
    if CANCEL_STRONG.search(t):
        return IntentGuess(Intent.CANCELLATION, 0.85)
    if RESCHEDULE.search(t) and clinicish:
        return IntentGuess(Intent.RESCHEDULE, 0.85)
    if CANCEL.search(t) and clinicish:
        return IntentGuess(Intent.CANCELLATION, 0.85)
    if ABORT.search(t) and (clinicish or len(t.split()) <= 6):
        return IntentGuess(Intent.CANCELLATION, 0.6, dialogue_act="abort")
    topic = info_topic(t)
    if topic == "providers" and SCHEDULE.search(t):      # "do you have a dermatologist? I'd like an appointment"
        return IntentGuess(Intent.SCHEDULING, 0.85)
    if topic and clinicish:
        return IntentGuess(Intent.INFORMATION, 0.85, info_topic=topic)
    if MOVE_MY_APPOINTMENT.search(t):
        return IntentGuess(Intent.RESCHEDULE, 0.85)
    if SCHEDULE.search(t) and (medical or not foreign):
        return IntentGuess(Intent.SCHEDULING, 0.8 if medical else 0.6, keyword_only=not SCHEDULE_EXPLICIT.search(t))
    if REPEAT.search(t):
        return IntentGuess(Intent.UNKNOWN, 0.7, dialogue_act="repeat")
    if BOT.search(t):
        return IntentGuess(Intent.UNKNOWN, 0.7, dialogue_act="are_you_bot")
    if HELP.search(t):
        return IntentGuess(Intent.INFORMATION, 0.6, dialogue_act="help")
    if WAIT.search(t):
        return IntentGuess(Intent.UNKNOWN, 0.6, dialogue_act="wait")
    pol, strength = polarity(t)
    words = len(t.split())
    if GOODBYE.search(t) and not foreign:
        return IntentGuess(Intent.GOODBYE, 0.85)
    if THANKS.search(t) and not foreign:
        return IntentGuess(Intent.GOODBYE, 0.7, dialogue_act="thanks")
    if GREETING.search(t) and (not foreign or words <= 3) and (words <= 7 or t.startswith(("hi", "hello", "hey", "good "))):
        return IntentGuess(Intent.GREETING, 0.85)
    if MAYBE.search(t) and not foreign:
        return IntentGuess(Intent.UNKNOWN, 0.6, dialogue_act="maybe")
    if pol is not None and (not foreign or words <= 4) and (
        strength >= 1.0 or words <= 5 or (not _QSTART.match(t) and words <= 8)
    ):
        if CORRECTION.search(t) and pol is False:
            return IntentGuess(Intent.CORRECTION, 0.6)
        return IntentGuess(Intent.CONFIRMATION, 0.9 if strength >= 1.0 else 0.7)
    if CORRECTION.search(t) and not foreign and words <= 6:
        return IntentGuess(Intent.CORRECTION, 0.5)
    if medical:
        return IntentGuess(Intent.SCHEDULING, 0.4, keyword_only=True)
    return IntentGuess(Intent.OUT_OF_SCOPE, 0.9 if foreign else 0.6, in_scope_signal=False)
