"""The context cues the crisis detector reads around a rule's match: idioms masked before
matching, negation, past vs now, imminence, a partner's threat, a weapon or a time.

Data, not logic: `crisis.CrisisDetector` applies them per clause or sentence (the rules themselves
are in `crisis_rules.py`).
"""

from __future__ import annotations

import re

# Idioms and routine phrases masked out before matching (replaced by spaces of equal length).
IDIOMS = [
    r"\bdying (?:to|for)\b",
    r"\bdying of (?:laughter|boredom|curiosity|embarrassment|thirst|hunger|heat)\b",
    r"\b(?:to|would) die for\b",
    r"\bdie (?:laughing|of (?:embarrassment|boredom))\b",
    r"\b(?:could|would|'d) kill for\b",
    r"\bkill(?:ing)? (?:some )?time\b",
    r"\bkilling it\b",
    r"\b(?:bored|scared|worried|tired|sick|frozen|freezing) to death\b",
    r"\bdead (?:tired|battery|line|end|serious)\b",
    r"\b(?:phone|battery|car|laptop|computer) (?:is |was |just )?(?:dead|died)\b",
    r"\bkiller (?:headache|migraine|deal|cramps)\b",
    r"\bshoot (?:me|you|us) (?:a|an) (?:text|email|e-mail|message|call|line|note)\b",
    r"\bshoot (?:me|you) (?:over )?(?:the|a) (?:details|info|link|form)\b",
    r"\b(?:gave|give|giving|almost had|nearly had|about had) (?:me |him |her )?a heart attack\b",
    r"\bheart attack (?:on a plate|burger)\b",
    # session 14: "hungover and want to die lol"; others' words relayed at work ("callers say they want to kill themselves")
    r"\bhung ?over\b[^.!?]{0,25}?\b(?:want(?:ing)? to|wanna) die\b",
    r"\b(?:patients|callers|clients|residents|people) (?:tell me|telling me|say|saying|who say) (?:that )?they (?:want to (?:die|kill themselves)|are suicidal)\b",
    # "<thing> is killing me" — pain, kids, the wait... but not a person ("he's killing me")
    r"\b(?!(?:he|she|they|someone|somebody|husband|wife|boyfriend|girlfriend|partner|dad|father|mom|mother|brother|sister|son|ex)\b)"
    r"[a-z]+(?:'s| is| are|'re) (?:absolutely |literally |just |really |seriously )?killing me\b",
    r"\b(?:will|'ll|would|'d|going to) kill (?:me|you|him|her) (?:if|when|for|because)\b",
    r"\bkill two birds\b",
    # "the prep is going to kill me" (a person's "he's going to kill me" is a threat: not masked)
    r"\b(?!(?:he|she|they|someone|somebody|husband|wife|boyfriend|girlfriend|partner|dad|father|mom|mother|brother|sister|son|ex)\b)"
    r"[a-z]+(?:'s| is| are|'re) (?:going to|gonna) kill me\b(?! (?:tonight|today|when|if))",
    r"\b(?:cpr|first aid)\b[^.!?]{0,40}\bchoking\b|\bchoking (?:refresher|class|course|training|hazard)s?\b",
    r"\bself[- ]?harm in (?:an|a|her|his|their) (?:essay|paper|assignment|story|poem|journal entry)\b",
    r"\bdie (?:my|his|her|the|our) (?:hair|beard|eyebrows)\b",
    r"\b(?:like|as) death warmed (?:over|up)\b",
    r"\bfood poisoning\b",
    # someone else's case: "my neighbor got arrested for domestic violence this morning"
    r"\b(?:arrested|charged|convicted|jailed|booked|sentenced) (?:for|with) domestic (?:violence|abuse|battery|assault)\b",
    # an everyday cut: "cut myself shaving lol", "cut my thumb chopping onions"
    r"\bcut (?:myself|my (?:finger|thumb|hand|leg|chin|lip|knee|foot)) (?:while )?(?:shaving|cooking|chopping|slicing|"
    r"gardening|on (?:a|the|some) (?:\w+ )?(?:glass|can|knife|paper|razor|fence|lid))\b",
    # someone else's death: "mi vecino se murio de un infarto y me asuste"
    r"\b(?:se murio|murio|fallecio|se nos fue) de un (?:infarto|ataque al corazon|derrame)\b",
    # nobody has the symptom: "the CO detector chirps, that's the low battery thing right? nobody feels sick"
    r"\b(?:nobody|no one|none of us)(?: \w+){0,2} (?:sick|dizzy|nauseous|sleepy|confused|headaches?)\b",
    # an emergency declared with a laugh: "lol this is an emergency, I'm out of my eye drops"
    r"\b(?:lol|lmao|haha|hahaha|jk)\W+(?:this is|it's) an emergency\b|\b(?:this is|it's) an emergency\W+(?:lol|lmao|haha)\b",
    r"\b(?:system|printer|scanner|computer|software|fax|machine|portal|app|website|server)s? (?:is |keeps |was )?choking on\b",
    # asked on someone else's behalf at work: "what's the protocol if a client tells me they want to die?"
    r"\b(?:if|when) (?:a|my|the|one of my|our) (?:client|patient|resident|student|caller|member)s?(?: \w+){0,3}? (?:tells?|says?|told|said) (?:me |us )?(?:that )?"
    r"(?:they|he|she) (?:want|wants|wanted) to (?:die|kill (?:themselves|himself|herself)|end (?:it|their life))\b",
    # the question every student with five energy drinks asks (caffeine pills in a bottle are another matter)
    r"\b(?:lethal|fatal|deadly|toxic) (?:dose|amount) of (?:caffeine|coffee|energy drinks?)\b(?! (?:pills|tablets))",
    # a weapons-policy question: "can I bring my pocket knife into the clinic? I'm an electrician"
    r"\b(?:can|may|could) i (?:bring|carry) (?:my|a) (?:\w+ )?(?:gun|knife|firearm|pistol|weapon)s? (?:in|into|to|inside)\b",
    r"\b(?:volunteer|volunteering|work|working|worked) (?:on|at|for) (?:a|the) (?:suicide|crisis) (?:hot ?line|line|lifeline|text line)\b",
    r"\bwhat (?:are )?(?:the )?(?:warning )?(?:signs|symptoms) of (?:a )?(?:stroke|heart attack|seizure|anaphylaxis|overdose)s?\b",
    # what poison control calls minimally toxic, swallowed or doubled: toothpaste, gum, a multivitamin, the pill
    r"\b(?:swallowed|swallows|ate|eats|drank|licked) (?:\w+ ){0,4}?(?:toothpaste|kombucha|(?:my |his |her |some )?gum)\b",
    r"\b(?:took|take|taken|taking) (?:(?:my|her|his) (?:\w+ )?(?:multi-?vitamins?|vitamin [a-z0-9]{1,3}(?: \d+ ?iu)?|one-a-day|birth control(?: pills?)?|levothyroxine|synthroid|"
    r"prenatal(?: vitamins?)?) (?:twice|two times|again)|(?:two|2|an extra|a second|a double) (?:\w+ )?(?:multi-?vitamins?|one-a-day|"
    r"birth control(?: pills?)?|levothyroxine|synthroid|prenatal(?: vitamins?)?))\b(?![^.!?]{0,40}\b(?:bottle|whole|all|handful|bunch)\b)",
    r"\b(?:not )?breathing (?:well |good |right )?(?:through|out of|thru) (?:my|his|her|the) nose\b",
    r"\bkill (?:the|those|these|my) (?:reminders?|texts?|messages?|notifications?|calls?|lights?|engine)\b",
    r"\b(?:kill(?:ing|ed)?) (?:my|the) (?:plants?|vibe|mood|battery)\b",
    r"\bbreak(?:ing)? (?:in|into) (?:a |my |the )?new (?:shoes|job|car)\b",
    r"\bbeat (?:the|rush hour) (?:traffic|rush|crowd)\b",
    r"\bblow(?:ing)? up my phone\b",
    r"\bcan't breathe (?:through|out of) (?:my|his|her|the) nose\b",
    r"\bsuicide (?:prevention )?(?:training|awareness|walk|fundraiser|squad|risk|screening|assessment)\b",
    r"\bwarning signs of (?:suicide|overdose|self[- ]harm)\b|\boverdose (?:prevention|awareness|reversal|kits?)\b",
    # paperwork named after an emergency: "the anaphylaxis action plan", "his seizure care plan form"
    r"\b(?:anaphylaxis|allergy|asthma|seizure|epi-?pen|diabetes) (?:action |care |emergency |treatment )?(?:plan|form)s?\b",
    r"\bused to (?:self[- ]?harm|cut(?:ting)?(?: myself)?|hurt(?:ing)? myself)\b(?! again)",
    r"\b(?:old )?self[- ]?harm scars\b|\bscars from (?:old )?(?:self[- ]?harm|cutting)\b",
    # "i feel like i want to die lol not literally"
    r"\bwant to die\b(?=.{0,25}\bnot literally\b)",
    # asking for material about an emergency's signs: "leaflets on recognising stroke symptoms"
    r"\b(?:leaflets?|pamphlets?|brochures?|posters?|handouts?|flyers?|information|info|materials?|class|course|training) "
    r"(?:on|about|for) (?:\w+ ){0,2}(?:stroke|heart attack|seizure|anaphylaxis|overdose|choking)s? (?:symptoms|signs|warning signs)\b",
    r"\b(?:pamphlets?|brochures?|materials?|literature|paper|essay|presentation|class|course) "
    r"(?:on|about|for) (?:\w+ ){0,3}(?:suicide|overdose|self[- ]harm)\b",
    r"\bi could (?:just )?(?:kill|strangle|murder|choke|throttle) (?:him|her|them|you|my \w+)\b",
    r"\boverdosed on (?:\w+ )?(?:cookies|candy|sugar|chocolate|coffee|caffeine|netflix|pizza|carbs|sweets)\b",
    # Spanish
    r"\bme muero (?:de|por) (?:hambre|sed|ganas|risa|sueno|frio|calor|aburrimiento|verte)\b",
    r"\bme quiero morir de (?:la )?(?:verguenza|pena|risa|hambre|sueno|aburrimiento)\b",
    r"\bmorir(?:me|se)? de (?:la )?(?:risa|hambre|ganas|sueno|aburrimiento)\b",
    r"\bmuert[oa] de (?:hambre|cansancio|risa|sueno|frio|miedo)\b",
    r"\b(?:dolor|espalda|cabeza|pies|trabajo|calor|rodilla)\b[^.]{0,30}\bme (?:esta )?mata(?:ndo)?\b",
    # session 15: a heart attack foretold in jest ("me va a dar un infarto si sigo comiendo así jaja"), as
    # "you'll give me a heart attack" (one happening is told in the present: "me está dando un infarto")
    r"\b(?:me|le|te|nos) (?:va|van) a dar (?:un )?(?:infarto|ataque al corazon)\b",
    # a denial said in full: "no tengo pensamientos de hacerme daño" (as "not suicidal" in English)
    r"\bno (?:tengo|he tenido|tiene|ha tenido) (?:ningun[oa]? |ningunas? )?(?:pensamientos?|ideas?|intencion(?:es)?|planes?) de "
    r"(?:hacerme dano|lastimarme|matarme|suicidarme|quitarme la vida|morir(?:me)?)\b",
    # "mi jefe me va a matar si llego tarde", as "my boss will kill me if" (a partner's is a threat: crisis.py)
    r"\bme (?:va|van) a matar (?:si|cuando|porque)\b",
    # a booking refused to ask something else: "no, I don't want to book anything, I just want to know when it is"
    r"\b(?:don't|do not|dont) want to (?:book|schedule|reschedule|make|change|cancel) (?:anything|an appointment|a (?:new )?(?:one|visit|appointment)|it)\b"
    r"[^.!?]{0,10}\bi (?:just|only) (?:want|need) to (?:know|check|ask|find out|confirm|see)\b",
    # "my wife just hit me with the news that she's pregnant"
    r"\bhit (?:me|us) with (?:the|some|big|great|this|that) (?:news|question|bill|idea)\b",
]
IDIOM_RE = re.compile("|".join(f"(?:{p})" for p in IDIOMS))

# negation cue in the few words before a negatable keyword (same clause)
NEG_RE = re.compile(
    r"(?:\b(?:not|no|never|without|denies|deny|denied|nunca|sin|nor|ni)|n't)\b(?:\W+\w+){0,2}\W*$"
)
# history / routine context that turns a symptom word into scheduling talk
HISTORY_RE = re.compile(
    r"\b(?:last (?:week|weekend|month|year|time|summer|winter|spring|fall)|years? ago|months? ago|weeks? ago|"
    r"in (?:19|20)\d\d|history of|follow[- ]?up|followup|check[- ]?up|refill|prescription|results|"
    # session 15: a past told as such ("I used to have suicidal thoughts but haven't in over a year", "records from
    # my 2019 hospitalization"), a symptom only supposed ("come back if the chest pain returns", "if I ever get
    # chest pain with shortness of breath"), a specialist visit booked ("scheduled with cardiology for my chest pain")
    r"used to (?:have|get|be|feel|think about|struggle with) (?:\w+ )?(?:suicidal|suicide|thoughts of)|(?:haven't|have not|hasn't|has not)(?: had| felt| been)?(?: \w+){0,3} (?:in|for) (?:over |more than )?(?:a|one|two|\d+) (?:years?|months?)|"
    r"(?:my|the|his|her|our) (?:19|20)\d\d (?:hospitali[sz]ation|admission|stay|visit|surgery|records)|records (?:from|of)|"
    r"(?:come back|call (?:us|back|911|the office)|go to the er|seek care) if|if (?:i|you|he|she|it|the \w+|my \w+) (?:ever )?(?:gets?|has|have|returns?|develops?|notices?|feels?|comes? back)|"
    r"cardiology|"
    r"x-?ray|ekg|ecg|mri|ct scan|screening|medication for|meds for|neurologist|"
    r"cardiologist|allergist|(?:a|an|one|two|three|six|\d+) (?:years?|months?|weeks?) since|(?:been )?(?:clean|sober) (?:for|since)|"
    r"last (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|as a (?:kid|child|baby|teen(?:ager)?)|"
    r"(?:felt|was|been|feel|i'm|i am) (?:totally |completely )?fine (?:right )?(?:after|afterwards?|since)|"
    r"(?:they|the doctors?|the nurses?|the er|urgent care) (?:said|told me|thought) it was|"
    r"el ano pasado|del ano pasado|la semana pasada|el mes pasado|en (?:19|20)\d\d|en las noticias|"
    r"hace (?:(?:un|una|dos|tres|cuatro|cinco|seis|unos|unas|varios|varias|muchos|\d+) )?(?:anos?|mes(?:es)?|semanas?)|ya (?:esta|estoy) recuperad[oa]|"
    r"llevo (?:\w+ ){0,2}(?:anos?|meses) (?:limpi[oa]|sobri[oa])|"
    r"ya (?:esta|estoy|estamos) (?:bien|mejor)|de lo mas bien|"
    r"cuando (?:era|eras|era muy) (?:bebe|nin[oa]|chiquit[oa]|pequen[oa])|"
    r"(?:cita de )?seguimiento|receta)\b"
)

# ... unless the message says it is happening now
CURRENT_RE = re.compile(
    r"\b(?:right now|(?<!fine )(?<!okay )(?<!ok )(?<!better )(?<!well )(?<!good )now|currently|just started|started (?:a few|an|\d+) (?:minutes?|hours?|hour) ago|"
    r"won't stop|can't breathe|ahora(?! (?:esta|estoy|estamos|estan) (?:estable|bien|mejor|tranquil[oa]s?))|ahorita|"
    # a symptom of the past that has returned: "my chest pain from last week came back this morning"
    r"came back|coming back|(?:is|it's|its) back again|worse than (?:before|ever|last time)|getting worse|since this morning)\b")

# results that came back are no symptom come back ("my stress test came back fine"): taken out before
# CURRENT_RE reads a sentence for the rules (the classifier's cue features read CURRENT_RE as trained)
RESULTS_BACK_RE = re.compile(
    r"\b(?:results?|tests?|scans?|labs?|eeg|ekg|ecg|mri|ct|x-?rays?|biopsy|echo|bloodwork|cultures?)\b[^.!?]{0,20}\bcame back\b")

# "I could kill him" is exasperation, unless the message names a weapon or a time
WEAPON_OR_TIME = re.compile(
    r"\b(?:gun|knife|knives|rifle|pistol|weapon|machete|bat|tonight|today|right now|ready|bought|loaded)\b")

# a partner's "he'll kill me if ..." is a threat, not the idiom a parent's is
PARTNER_BEFORE = re.compile(
    r"\b(?:my ex|ex-?(?:husband|wife|boyfriend|girlfriend)|husband|boyfriend|girlfriend|partner|spouse|stepdad|stepfather|"
    r"mi ex|esposo|esposa|marido|novio|novia|pareja|padrastro)\b"
    r"[^.!?]{0,80}$")

# imminence / means markers that raise suicide or violence to CRITICAL
IMMINENT_RE = re.compile(
    r"\b(?:tonight|right now|now|today|about to|ready to|plan(?:ned)?|"
    r"have (?:a |the |my )?(?:gun|knife|rope|pills|blade)|got (?:a |the )?(?:gun|knife|rope|pills)|"
    r"loaded|goodbye|note|bridge|roof|ledge|esta noche|ahora|ahorita|tengo (?:una|un) (?:pistola|arma|cuchillo))\b"
)

# The writer's own threat to someone else ("I will put her in the hospital", "gonna pay them both a visit
# tonight", "I swear I'll bring my dad's gun", "le parto la cara"): the kind is violence (911), whatever
# else the message reads as (a partner's affair is not abuse of the writer; a gun named is not self-harm).
WRITER_THREATENS = re.compile(
    r"\b(?:i(?:'ll| will| swear i'll| swear i will| swear ill)|i'm (?:going to|gonna|about to)|im (?:going to|gonna)|"
    r"i am (?:going to|gonna)|(?<!'s )(?<! is )(?<!'re )(?<! are )(?<! was )going to|gonna|i have to)\s+(?:\w+ ){0,3}?"
    r"(?:put (?:him|her|them) in the hospital|pay (?:him|her|them)(?: both)? a visit|"
    r"(?:hurt|kill|stab|shoot|strangle|beat|choke) (?!my ?self\b|me\b)(?:him|her|them|that \w+|the \w+|my \w+|everyone|everybody|somebody|someone)|"
    r"bring (?:my |a |the |my dad's |my father's )?(?:gun|knife|bat|rifle|pistol|shotgun)|"
    r"stop (?:him|her|them) (?:first|before (?:he|she|they) (?:stops?|gets?|kills?) me))\b|"
    r"\b(?:it's|its|it is|poison's|poison is|that's|it'll|it will) (?:going|go) (?:in|into) (?:his|her|their) (?:coffee|drink|food|tea|soup|water)\b|"
    r"\bi'm (?:going to be )?waiting for (?:him|her|them) (?:in the parking lot|outside (?:his|her|their) \w+|after (?:his|her|their) shift)\b|"
    r"\b(?:he|she) (?:should|better|had better) watch (?:his|her) back\b|"
    r"\btengo ganas de (?:golpear|pegarle|matar|lastimar|ahogar|asfixiar|apunalar) a\b|"
    r"\bi'm bringing (?:my|a|the) (?:\w+ )?(?:gun|glock|pistol|rifle|shotgun|knife|bat)\b(?! (?:to|for) (?:the )?(?:range|hunting|class|repair))|"
    r"\bwith (?:the|a|my) (?:knife|gun|bat)\b[^.!?]{0,40}[.!?]?\s*i'm (?:done with|sick of|finished with) (?:him|her|them)\b|"
    r"\bcom(?:e|ing) over the counter at\b|\b(?:le|les) (?:parto|voy a partir) la (?:cara|madre)\b|"
    r"\b(?:lo|la|los) (?:mato|voy a matar|voy a apunalar)\b")

# Said to reassure: the classifier alone hears the topic ("blood sugar was 58", "a dishwasher pod") more
# than "it's 110 now and I feel normal". Read only when no rule fired (a rule's hit stands), and only
# "nothing happened" for a poisoning: feeling fine after a swallow is no reassurance (acetaminophen
# harms a day later), while "she didn't eat any" is.
NOTHING_HAPPENED_RE = re.compile(
    r"\b(?:(?:didn't|did not|hasn't|has not) (?:eat|swallow|drink|eaten|swallowed|drunk|take|taken) any|"
    r"(?:haven't|have not|hasn't|has not) (?:mixed|taken|touched) (?:anything|any|it) yet|"
    r"(?:nobody|no one) (?:was|got) hurt|not in any danger|todavia no (?:lo|la|las|los) he tomado|"
    r"caught (?:myself|it|him|her) (?:and didn't|before|in time)|(?:grabbed|took|pulled) it (?:away |out )?before (?:she|he|they) (?:could )?(?:open|opened|swallow|swallowed|eat|ate|bite|bit)|"
    r"poison control said (?:it's |its |it was |they're |that's )?(?:non-?toxic|fine|okay|ok|harmless)|none (?:are|is|were|was) missing|(?:i|he|she) only took one|not a scratch|without a scratch)\b")
# Writing fiction ("I'm writing a mystery novel where a character is poisoned with antifreeze"): a rule's
# trigger word there needs more than the classifier's topic-deep agreement; explicit phrases still stand.
FICTION_RE = re.compile(
    r"\b(?:(?:i'm|i am|im) writing (?:a|my) (?:\w+ )?(?:novel|book|story|thriller|screenplay|script|play|short story)|"
    r"(?:a|one|my|the) (?:main )?character (?:is|gets|dies|poisons|who|has|goes|takes|overdoses|attempts|tries|collapses|stops)|"
    # session 15: a film or a show watched ("a true crime doc last night about a guy who poisoned his wife")
    r"(?:watched|watching|saw|seen) (?:a|an|this|that|the) (?:\w+ ){0,2}(?:documentary|doc|movie|film|show|episode|series|podcast) (?:about|on|where)|"
    r"(?:estoy escribiendo|escribo) una (?:novela|historia|obra)|un personaje)\b")
FEELS_FINE_RE = re.compile(
    r"\b(?:(?:i|we|he|she|they|it) (?:feel|feels|felt)|(?:i'm|i am|we're|he's|she's|they're) feeling|and (?:i )?feel(?:ing)?|"
    r"(?:now|today),? (?:i )?feel(?:ing)?) (?:completely |totally |perfectly |pretty |absolutely )?(?:fine|normal|great|good|okay|ok)"
    r"(?: now| again| today)?\b(?! (?:but|except|until|so maybe|so i guess))|"
    r"\b(?:back to normal|no symptoms|doing (?:great|well|okay|ok|fine) (?:now|these days|since)|(?:i'm|i am) doing (?:okay|ok|fine|well|great)|"
    r"eating and (?:playing|drinking)|drinking and peeing|(?:playing|eating) (?:normal|normally|fine)|"
    r"settled (?:down )?(?:in|after) (?:a|about|like)|(?:went|goes) away (?:after|on its own|once)|"
    r"(?:came|come|popped|coughed (?:it|them)) (?:right |straight )?(?:out|up)\W+(?:and )?(?:i'm|i am|she's|he's|she is|he is|they're) (?:totally |completely )?fine|"
    r"(?:jugando|comiendo)(?: y (?:jugando|comiendo))? (?:bien|normal)|sin sintomas|me siento (?:bien|perfectamente)|ya no (?:me |le )?sangra)\b")
