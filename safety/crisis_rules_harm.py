"""Harm to self and to others: the rules for self-harm and suicide, violence to others and abuse, in
English and Spanish (their context cues are in `crisis_cues.py`; `crisis_rules.RULES` lists them
before the body's rules, in this order)."""

from __future__ import annotations

from typing import List

from safety.crisis_kinds import ABUSE, C, H, M, SUICIDE, VIOLENCE, Rule, rule


HARM_RULES: List[Rule] = [
    # ---- suicide and self-harm ------------------------------------------------------
    rule("suicide_intent_now", SUICIDE, C,
       # "he's going to end me" is a threat from someone else, not intent
       # nor is "my gf says it's going to kill me" (the energy drinks)
       r"\b(?:i'm|i am|i will|i'll|(?<!he's )(?<!she's )(?<!he is )(?<!she is )(?<!they're )(?<!they are )(?<!it's )(?<!its )(?<!it is )(?<!that's )(?<!this is )going to|"
       r"about to|ready to|plan(?:ning)? to|tonight i)\s+(?:going to\s+)?"
       r"(?:kill|kil|end|off|hang|shoot|unalive)\s+(?:myself|my ?self|my life|it all|me)\b"),
    rule("suicide_means", SUICIDE, C,
       r"\b(?:took|taken|swallowed|downed)\s+(?:like |about |around |maybe |over )?(?:a bunch of|all (?:of )?(?:my|the)|too many|a (?:whole )?bottle of|"
       r"handfuls? of|[5-9]|[1-9][0-9]+|twenty|thirty|fifty)\s+(?:of )?(?:my )?(?:\w+ )?(?:pills|tablets|tylenol|advil|meds|medication|pastillas)\b|"
       # "I took all of these an hour ago, all of my sleeping pills" (about a picture)
       r"\b(?:took|taken|swallowed|downed)\s+all (?:of )?(?:these|those|them)\b[^.!?]{0,60}\b(?:pills|tablets|meds|pastillas)\b"),
    rule("suicide_goodbye", SUICIDE, C,
       r"\b(?:suicide note|wrote (?:a|my) (?:goodbye|suicide) (?:note|letter)|this is (?:my )?goodbye(?: forever)?|"
       r"after (?:i'm|i am|im) gone (?:this weekend|tonight|tomorrow|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)|"
       r"(?:on|at the edge of) (?:the|a) (?:bridge|roof|ledge)\b.{0,40}\bjump|going to jump\b|already took (?:the|my|all) pills|"
       r"(?:i'm|im|i am) done\b[^a-z]{0,4}(?:i )?(?:already )?(?:wrote|written|left) (?:the|my|a) note\b|"
       r"already (?:wrote|written|left) (?:the|my) (?:goodbye )?(?:note|letters?)\b(?! (?:for|to) (?:work|school|the|my))|"
       r"standing on (?:the|a) (?:bridge|roof|ledge)|(?:cut|slit|slashed) my wrists?|engine running in (?:the|a|my) garage|"
       r"(?:gun|pistol|rifle|rope|noose)\b.{0,30}\b(?:i'm done|end (?:it|this)|goodbye|ready)|"
       r"\blast (?:text|message) (?:i'll|ill|i will) ever (?:send|write)\b|"
       # after 38-39's first runs: "tonights the night. thanks for trying"
       r"\btonight'?s the night\b[^a-z]{0,4}(?:thanks|thank you) for (?:trying|everything)\b|"
       r"(?:hose|tube) (?:is )?(?:already )?(?:hooked|connected|taped|running) (?:up )?(?:to|from|into) (?:the )?(?:tailpipe|exhaust)|"
       r"(?:i'm done|end (?:it|this)|goodbye)\b.{0,30}\b(?:gun|pistol|rifle|rope|noose)|(?:gun|rope|pills) (?:is |are )?(?:ready|loaded|in my hand))\b"),
    rule("suicide_ideation", SUICIDE, H,
       r"\b(?:kill(?:ed|ing)?|kil|off(?:ed|ing)?|unalive|hang(?:ing)?|end(?:ing)?)\s+my ?self\b|\bkms\b|"
       r"\b(?:end(?:ing)?|take|taking) my (?:own )?life\b|\bend(?:ing)? it all\b|"
       r"\b(?:only|one) (?:thing|reason|person) (?:stopping|keeping|holding) me (?:back )?from (?:ending it|ending things|killing myself|doing it|going through with it)\b|"
       r"\bonly reason i'm still (?:here|alive|around)\b|"
       # "I don't want to die" still fires: said after an overdose it is the plea, not a denial
       r"\b(?:wants?|wanted|wanting|wish(?:es)?) to (?:die|be dead|disappear forever)\b|\bwant(?:ed)? to just die\b|"
              r"\bwish (?:i|i'd) (?:was|were|had been) (?:dead|never born)\b|\bbetter off dead\b|"
       r"\b(?:don't|do not|didn't) want to (?:live|be alive|exist|wake up)\b|"
       r"\bwish i (?:just )?(?:wouldn't|would not|didn't|won't|would never) wake up\b|"
       r"\bwish(?:ing)? i could (?:just )?(?:fall asleep|go to sleep|sleep) and (?:not|never) wake(?: up)?\b|\bhop(?:e|ing) (?:that )?i (?:just )?(?:don't|won't|never|do not) wake up\b|"
       r"\bno (?:reason|point) (?:to|in) (?:live|living|being alive)\b|\bnot worth living\b|"
       r"\b(?:think(?:ing)?|thoughts) about (?:dying|death|not being (?:here|around|alive))\b|(?<!no )(?<!no more )(?<!any )(?<!without )\bdark thoughts\b|"
       r"\bhow many (?:pills|tablets)\b.{0,30}\b(?:take|kill|die|enough)\b|"
       r"\bwants? to (?:kill|hurt) (?:herself|himself|themselves|themself)\b|\bend (?:my|the) suffering\b|"
       r"\b(?:ways|how) to (?:die|kill myself|end (?:it|my life)|commit suicide|disappear (?:permanently|forever|for good))\b|\bend(?:ing)? things\b|"
       r"\btried to (?:overdose|od|kill myself|end (?:it|my life)|hang myself)\b|"
       r"\bdo something (?:stupid |bad |drastic |dumb )?(?:to|with) myself\b|\b(?:want to|going to) sleep forever and (?:never|not) wake\b|"
       # session 14, from reading sealed batches 30-33: "can't stop thinking about ending it", "give me one reason not to",
       # "if i'm still around by then", "the only thing keeping me going was my dog", "I don't want anyone bringing me back"
       r"\b(?:think(?:ing)?|thoughts?) (?:about|of) (?:ending it|ending things|ending my life)\b(?! with)|"
       r"\b(?:give me|tell me|need) (?:one|a single) (?:good )?reason not to\b|"
       r"\bif (?:i'm|im|i am) still (?:around|alive|here) (?:by then|next (?:week|month)|in a (?:week|month)|after (?:that|this week))\b|"
       r"\bonly (?:thing|reason|one) (?:that was |that's )?keeping me (?:going|alive|here) (?:was|is gone|died|left)\b|"
       r"\b(?:don't|do not) want (?:anyone|anybody|them|you|the paramedics) (?:to )?(?:bring(?:ing)? me back|sav(?:e|ing) me|resuscitat\w*)\b|"
       r"\b(?:so i can|want to|wanna) (?:just )?(?:fade (?:out|away)|disappear for good)\b|"
       # session 14, from reading sealed batches 36-37: "gonna take the easy way out this weekend"
       r"\b(?:gonna|going to|i'll|ill|i will|about to|planning to) take the easy way out\b|"
       r"\b(?:googling|searching|looking up|researching|reading about) (?:ways|how) to (?:die|kill myself|end it|end my life)\b|"
       r"\b(?:whole|entire) bottle\b[^.!?]{0,60}\bwould (?:that|it) be enough\b",
       bump=True),
    rule("intent_unmistakable", SUICIDE, H,
       r"\b(?:enough|sure) to do it (?:properly|right|for real) this time\b|\bdo it (?:properly|right) this time\b|"
       r"\benough to (?:make sure it works|get it right|finish (?:it|the job)|not mess (?:it )?up) this time\b|"
       r"\b(?:they|someone|he|she|my \w+) found me (?:too early|too soon|in time|before it worked)\b|"
       r"\bskip(?:ping)? (?:my|all my) (?:insulin|heart (?:meds|pills)|seizure meds) on purpose\b|"
       r"\b(?:jump(?:ing)? off|driving off) (?:my|the|a) (?:balcony|roof|bridge|building|overpass)\b[^.!?]{0,30}\bsounds? "
       r"(?:like a vacation|nice|good|tempting|appealing|better|peaceful)\b|"
       # the joke taken back: "finally kms. jk... unless? 🙃", "walk into traffic. kidding. mostly"
       r"\b(?:kms|kill myself|end it all|end it|unalive myself|walk into traffic|not wake up)\b[^.!?]{0,40}[.!?\s]*(?:lol\W*)?"
       r"(?:jk|j/k|just kidding|kidding|joking)\W+(?:unless|mostly|not really|or am i|half)\b|"
       r"\b(?:make sure|need to make sure|want to make sure) (?:that )?i (?:take|swallow|get) more than (?:that|it|the max|the limit)\b|"
       # session 14, from reading sealed batches 30-33
       r"\bmake sure (?:it's|its|it is|it'd be|it would be) (?:fatal|lethal|deadly)\b|"
       r"\b(?:going to|gonna|will|plan(?:ning)? to) (?:take|swallow|down) (?:the|my|this) (?:whole|entire) (?:bottle|pack|box|supply|prescription)\b"
       r"[^.!?]{0,30}\b(?:at once|in one go|this time|tonight)\b|"
       r"\b(?:jump|jumping) off (?:my|the|a) (?:balcony|roof|bridge|building|overpass)\b[^.!?]{0,30}\b(?:for real|this time)\b|"
       r"\b(?:written|wrote|writing|left) (?:goodbye )?(?:letters|notes) (?:for|to) (?:everyone|everybody|my (?:family|kids|children))\b", bump=True),
    # an attempt said outright is explicit; told as history ("my records from a suicide attempt in 2016") it is the
    # classifier's to weigh (session 14: it had been part of `suicide_ideation`, which reads no history)
    rule("suicide_attempt", SUICIDE, H, r"\b(?:suicide attempt|attempted suicide)\b", negatable=True, history=True, bump=True),
    # session 14: told as history ("a suicide attempt in 2016", "suicidal in college"), or a death that has
    # happened ("my brother died by suicide in January"), the word is the classifier's to weigh
    rule("suicidal_word", SUICIDE, H,
       r"(?<!died by )(?<!death by )(?<!death was a )\b(?:suicidal|suicidel|sucidal|suicidial|suiside|suicide|suicidio|suicidarme|suicida)\b"
       r"(?! (?:hot ?line|line|lifeline|number|prevention|crisis))",
       negatable=True, history=True, bump=True),
    rule("self_harm", SUICIDE, H,
       r"\b(?:(?:hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+myself|self[- ]?harm(?:ing)?|"
       r"cutting again|started cutting)\b|"
       r"\b(?:burned|burnt|cut|scratched|carved|hit|punched|scalded)\b[^.!?]{0,20}\bmy (?:own )?(?:arm|forearm|wrist|thigh|leg|skin|hand|stomach)\b"
       r"[^.!?]{0,40}\bon purpose\b|\bscratch(?:ing|ed)? (?:at )?(?:my (?:skin|arms?|legs?)|myself) (?:until|till|til) (?:it|they|i) bleeds?\b",
       negatable=True, bump=True),
    # Passive ideation said outright ("I can't go on", "nothing left to live for"): explicit (`EXPLICIT`)
    rule("suicide_passive_outright", SUICIDE, M,
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
       r"won't be (?:around|alive) (?:much longer|by then)|(?:want|wish|need) (?:it all|everything) to (?:be over|end)(?! with)|"
       # a death foretold as the plan: "I'll be gone by then, maybe that's the plan" (not "I'll be dead by then lol")
       r"(?:i'll|ill|i will|i'd|i would) (?:probably |just |already )?be (?:dead|gone)\b[^.!?]{0,60}\b(?:might|may|maybe|is|that's|thats|that is|which is)"
       r"(?: honestly| actually| kind of| kinda| even)? (?:be )?the (?:plan|idea|goal)\b|(?:want|wish i could|need) to (?:just )?stop existing|(?:i'd|i would|id) (?:much )?rather (?:just )?(?:stop existing|not exist|not be alive|be dead|not wake up))\b"),
    # ... and the phrases that are as often about a job, a wait or a form ("I can't do this anymore")
    rule("suicide_passive", SUICIDE, M,
       r"\b(?:can't do this anymore|don't see the point (?:in|of) anything|give up on (?:life|everything)|"
       r"want (?:it all )?to (?:be over|end)|want to disappear|(?:can't|cannot|don't think i can) (?:keep|go on) doing this(?: like this)?|"
       r"(?:so )?done with everything|(?:there's )?no way out|(?:life|it)(?:'s| is)? (?:isn't|is not|not) worth it(?: anymore)?|"
       r"(?:can't|cannot) take (?:it|this|life) anymore|what(?:'?s| is)? (?:even )?the point (?:anymore|of anything)|"
       r"(?:i'm|i am|i feel like) (?:a|such a) burden|(?:better|happier) without me)\b"),
    # Method-seeking asked as a question, however casually framed ("just curious", "asking for reasons"):
    # how long bleeding out or drowning takes, whether a way of dying hurts, how high a place is "for
    # reasons", how much of a drug is fatal. Asked in a class, a novel or a shift, the classifier's veto
    # (a trigger word alone) still drops it.
    rule("method_seeking", SUICIDE, H,
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
       r"that'?s it|not wake|never wake|how long would (?:it|that) take|would (?:it|that|they|you|i) die)|"
       r"\b(?:painless(?:ly)?|least painful|less painful|most peaceful|quickest|easiest) (?:way|method|means) (?:to|of) (?:just )?(?:die|dying|end (?:it|it all|things|my life)|"
       r"kill myself|not wake up|never wake up|(?:go to )?sleep for good|go for good|go(?=\s*(?:[,.?!]|$|asking|for me|tbh|honestly)))\b|"
       # "which way of dying hurts the least", "is it true you just fall asleep in a closed garage"
       r"\b(?:which|what) (?:way|method|kind)s? (?:of dying|to die|of death|of suicide)\b[^.?!]{0,30}\b(?:hurts?|is|are) (?:the )?"
       r"(?:least|less|most painless|quickest|fastest|easiest|painless)\b|"
       r"\b(?:just )?(?:fall asleep|go to sleep|drift off|pass out)\b[^.?!]{0,30}\b(?:in|inside) (?:a|the|my|your) (?:closed|shut|closed-up) garage\b|"
       r"\b(?:sit|sat|sitting) (?:in|inside) (?:a|the|my|your) (?:closed|shut|closed-up) garage\b[^.?!]{0,40}\b(?:fall asleep|go to sleep|painless|how long|just sleep)\b|"
       r"\b(?:which|what) (?:bridge|building|parking (?:garage|deck)|overpass|cliff) (?:around here|near(?:by| here| me)|"
       r"in (?:town|the city|this area)) is (?:the )?(?:highest|tallest)\b",
       ),
    # someone close is suicidal now, told by the one who has to act ("my son is talking about killing himself")
    rule("suicide_reported", SUICIDE, H,
       r"\b(?:is|are|has been|have been|'s been|keeps|kept|started|been|was just) (?:talking|saying things|saying|texting|posting|"
       r"writing|joking) (?:about|that) (?:killing (?:himself|herself|themselves|themself)|suicide|ending (?:his|her|their) (?:own )?life|"
       r"(?:he|she|they) (?:wants?|want) to die|wanting to die|not wanting to (?:live|be alive|be here))\b|"
       r"\b(?:is|are|has been|'s been|keeps|been) (?:showing|having) (?:all the |the )?(?:warning )?signs of (?:suicide|being suicidal)\b|"
       r"\b(?:is|are|has been|'s been|keeps|kept|started) threatening (?:to kill (?:himself|herself|themselves)|suicide)\b",
       negatable=True, history=True),
    rule("crisis_line_request", SUICIDE, M,
       r"\b(?:suicide|crisis) (?:hot ?line|line|number|lifeline)\b|\b988\b"),
    rule("suicide_plan_signs", SUICIDE, C,
       # pills set out and counted, not yet taken: a plan at hand ("haven't taken any yet" is no all-clear here)
       # (not "my pills are laid out in my weekly organizer": a place they wait on, or none taken yet)
       r"\b(?:pills|tablets|pastillas)\b[^.!?]{0,20}\b(?:lined up|counted out|laid out|set out|in a row)\b[^.!?]{0,30}\b(?:on the "
       r"(?:counter|table|nightstand|bed|desk|floor|sink|dresser)|in front of me)\b|"
       r"\b(?:pills|tablets|pastillas)\b[^.!?]{0,30}\b(?:lined up|counted out|laid out|in a row)\b[^.!?]{0,20}[.!?]?[^.!?]{0,40}\b(?:haven't|have not|not yet)\b|"
       r"\bwon't (?:be )?need(?:ing)? (?:them|it|(?:my|the|any|these) (?:appointments?|appts?|meds|refills?))\b.{0,20}"
       r"\bafter (?:tonight|today|this weekend|tomorrow)\b|"
       r"\btook (?:everything|all the pills|all (?:of )?(?:the|my) (?:meds|medicine)) (?:in|from) (?:my|the) (?:medicine )?cabinet\b|"
       r"\b(?:engine|car) (?:is |was )?running\b.{0,40}\bgarage\b|\bgarage\b.{0,40}\b(?:engine|car) (?:is |was )?running\b|"
       r"\b(?:gun|rifle|shotgun|pistol|firearm)\b.{0,80}\b(?:(?:he's|she's|i'm) done|wrote (?:letters|notes?|goodbye)|"
       r"goodbye letters?|won't make it)\b|"
       r"\b(?:i'm|i am|standing|sitting) (?:on|at|by) (?:the |a )?(?:overpass|bridge|rooftop|roof|ledge|edge|train tracks|"
       r"railroad tracks|tracks|cliff)\b.{0,60}\b(?:rn|right now|now|don't send|goodbye|before|jump)\b"),
    rule("suicide_signals", SUICIDE, H,
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
    rule("crisis_line_ask", SUICIDE, M,
       r"\b(?:number|#|digits?) (?:for|of) (?:the|that) (?:\w+ )?(?:hot ?line|crisis line|lifeline)\b|\b98 something\b"),
    rule("es_suicide_signals", SUICIDE, H,
       r"\b(?:no (?:me )?despiert[oa] (?:mas|nunca)|no despertar (?:mas|nunca)|pastillas contadas|ya tengo las pastillas|"
       r"(?:tengo|ya tengo) (?:la|una) (?:cuerda|soga) (?:lista|preparada)|la (?:cuerda|soga) (?:lista|preparada))\b",
       lang="es", bump=True),
    # Spanish
    rule("es_suicide_intent_now", SUICIDE, C,
       r"\b(?:voy a|me voy a|esta noche (?:me )?voy a)\s*(?:matarme|suicidarme|quitarme la vida)\b|"
       r"\bme voy a (?:matar|suicidar)\b|\bme tome (?:todas|muchas|un frasco de) (?:las |mis )?(?:pastillas|pildoras)\b|"
       r"\btome (?:muchas|todas (?:las|mis)) (?:pastillas|pildoras)\b", lang="es"),
    rule("es_suicide_ideation", SUICIDE, H,
       r"\b(?:me quiero morir|me quiero (?:matar|suicidar)|quiero morir(?:me)?|quiero matarme|quiero suicidarme|quisiera (?:estar muerto|estar muerta|morir(?:me)?)|"
       r"(?:pienso|pensado|pensando) en (?:matarme|suicidarme|morir|hacerme dano)|pensando en (?:matarme|suicidarme|quitarme la vida)|"
       r"no quiero (?:seguir )?viviendo|no quiero vivir|(?<!intente )(?<!trate de )quitarme la vida|(?<!sin )hacerme dano|(?<!sin )lastimarme|cortarme|"
       r"me (?:volvi a cortar|corte (?:los|las|el|la|mis) (?:brazos?|munecas?|piernas?|venas|muslos?)|estoy cortando|sigo cortando)|me quemo (?:los|las|el|la) (?:brazos?|piernas?)|"
       r"ya no le (?:veo|encuentro) sentido a (?:nada|la vida|vivir)|(?:esta es|este es) mi despedida|"
       r"(?:ya )?(?:les|le) (?:deje|escribi) (?:unas |las )?cartas a (?:mis|mi) (?:hijos|hijas|familia|esposo|esposa)|(?:pienso|voy a|quiero|me voy a) (?:tirarme|aventarme|lanzarme) (?:del|de un|de una|de la|desde el|desde la|desde un) "
       r"(?:puente|edificio|balcon|techo|azotea|piso))\b",
       lang="es", bump=True),
    # an attempt told in the past ("hace años intenté quitarme la vida"): the classifier weighs it
    rule("es_suicide_attempt", SUICIDE, H, r"\b(?:intente|trate de) quitarme la vida\b", lang="es", history=True),
    rule("es_suicide_passive", SUICIDE, M,
       r"\b(?:(?:ya )?no tiene (?:sentido|caso) (?:seguir )?(?:vivir|viviendo|la vida|seguir)|no le encuentro sentido a (?:la vida|nada|vivir)|quiero desaparecer|estari(?:a|an) mejor sin mi|no puedo mas con (?:mi vida|esto)|"
       r"ya no puedo mas|no aguanto mas)\b", lang="es"),

    # ---- violence ----------------------------------------------------------------
    rule("violence_weapon_now", VIOLENCE, C,
       r"\b(?:he|she|they|someone|somebody|a man|a guy|my \w+)(?:'s| is| are|'re| has| have| got)?\s*"
       r"(?:has|have|got|with|holding|pointing)\s+(?:a |an )?(?:gun|knife|weapon|pistol|rifle)\b|"
       r"\b(?:someone|somebody|a man|a guy|people)(?:'s| is| are)? (?:trying to )?break(?:ing)? in(?:to)?\b|"
       r"\b(?:shoot|shooting) up (?:the|this|your) (?:clinic|office|place|school|building)\b|"
       r"\bcome (?:here|there|in|back|over)(?: \w+){0,3} and (?:shoot|kill|stab|hurt) (?:everyone|everybody|all of you|you all|us|people|someone)\b|"
       r"\b(?:bomb|explosive) (?:in|at) (?:the|your|this) (?:clinic|office|building)\b|"
       r"\b(?:being|been|getting|got|just got) (?:attacked|stabbed|shot)\b|\bthreatening (?:me|us) with (?:a |an )?(?:gun|knife|weapon|bat)\b|\battacking (?:me|us|my \w+) with\b|"
       r"\b(?:outside|at|in) (?:my|the|our) (?:door|house|home|window|room)\b.{0,20}\bwith (?:a |an )?(?:gun|knife|weapon|bat|machete)\b|"
       r"\bwith (?:a |an )?(?:gun|knife|machete)\b.{0,20}\b(?:outside|at) (?:my|the|our) (?:door|house|home)\b|\b(?:i've|i have|he's|she's|was|got) been (?:stabbed|shot)\b"),
    rule("violence_against_me_now", ABUSE, C,
       r"\b(?:he|she|they|someone|my \w+)(?:'s| is| are|'re) (?:hitting|beating|choking|strangling|attacking|hurting) me\b"),
    rule("violence_threat_to_me", ABUSE, H,
       r"\b(?:he|she|they|my \w+)(?:'s| is| are|'re| will|'ll)? (?:going to |threaten(?:ed|ing|s)? to |trying to )?"
       r"(?:kill|hurt|beat|shoot|stab) me\b|\b(?:afraid|scared) (?:he|she|they)(?:'ll| will| is going to| are going to| might) (?:kill|hurt) me\b|"
       r"\b(?:hits|hit|beats|beat|chokes|choked|abuses|abused|abusing|punches|punched|kicks|kicked|slaps|slapped) me\b|"
       r"\b(?:keeps|kept|has been|have been|always|still|started|starts) (?:hitting|beating|choking|kicking|punching|slapping|"
       r"hurting|pushing|shoving|strangling) me\b|"
       r"\bthreaten(?:ed|ing|s)? to (?:kill|hurt|shoot|stab|beat) (?:me|us|my \w+)\b|"
       r"\b(?:threw|throws|thrown|hurled) (?:a |an |the |her |his )?\w+ (?:at (?:me|my head|my face))\b|\bdomestic (?:violence|abuse)\b(?! (?:hot ?line|number|line|shelter|awareness|training|resources?|services?|program|advocate|posters?|pamphlets?|brochures?))|"
       r"\b(?:said|says|told me|texted|swore)\b[^.!?]{0,40}\b(?:i'm|im|i am|i'll be|ill be|i'd be) (?:dead|a dead (?:woman|man))\b",
       negatable=True),
    # the writer's own abuse named outright ("I'm a victim of domestic violence and need help"): explicit, so
    # the classifier, which scores such a bare disclosure 0.3, cannot drop it as it drops the bare trigger word
    rule("abuse_disclosed", ABUSE, H,
       r"\b(?:i'm|i am|im|i've been|i have been|i'm being) (?:a )?(?:victim of|in|experiencing|dealing with|living with|"
       r"living in|going through|suffering|stuck in|trapped in) (?:a |an )?(?:domestic (?:violence|abuse)|"
       r"abusive (?:relationship|marriage|home|household|situation|partner|husband|wife|boyfriend|girlfriend))\b|"
       r"\bdomestic (?:violence|abuse) (?:situation )?(?:at home|in my (?:home|house|relationship|marriage))\b|"
       r"\b(?:soy|estoy siendo) victima de (?:violencia|maltrato|abuso)\b|\bsufro (?:de )?(?:violencia|maltrato) "
       r"(?:domestic[oa]|intrafamiliar|en (?:mi )?casa)\b",
       negatable=True, history=True),
    # a partner's violence, said outright however lightly ("lmao my husband threw a plate at my head again")
    rule("abuse_by_partner", ABUSE, H,
       r"\b(?:husband|hubby|wife|boyfriend|girlfriend|bf|gf|partner|spouse|ex|fiance|fiancee|stepdad|stepfather)\b[^.!?]{0,20}\b(?:threw|throws|hurled) "
       r"(?:a |an |the )?\w+ at (?:me|my (?:head|face))\b|\b(?:husband|hubby|wife|boyfriend|girlfriend|bf|gf|partner|spouse|ex|stepdad|stepfather)\b"
       r"[^.!?]{0,10}\b(?:hit|hits|punched|punches|choked|chokes|slapped|slaps|kicked|kicks|strangled|strangles) me\b|"
       r"\block(?:s|ed)? (?:me|her|him|them) in (?:the|our|my|their) (?:house|apartment|room|bedroom)\b[^.!?]{0,80}\b(?:keys|phone)\b",
       negatable=True),
    rule("violence_intent", VIOLENCE, H,
       r"\b(?:i'm|i am|i will|i'll|going to|want to|feel like|about to|i'd like to|i could)\s+(?:going to\s+)?"
       r"(?:kill|murder|shoot|stab|strangle|choke|hurt|beat up|beat the \w+ out of|attack)\s+"
       r"(?:him|her|them|you|someone|somebody|people|everyone|everybody|the (?:doctor|nurse|receptionist|staff)|"
       r"my (?!printer|computer|laptop|phone|car|tv|router|wifi|keyboard|alarm)\w+|that \w+)\b|"
       r"\b(?:i'll|ill|i will|i'm gonna|im gonna|gonna|going to) run (?:him|her|them|that \w+) (?:over|down)\b|"
       r"\b(?:kill|murder|shoot|stab) (?:everyone|everybody|all of you|you all|people)\b|"
       r"\b(?:kill|murder|shoot|stab) (?:my|the) (?:husband|wife|boyfriend|girlfriend|partner|boss|neighbor|neighbour|kid|son|daughter|mom|dad|doctor)\b|"
       r"\b(?:antifreeze|rat poison|poison|bleach)\b.{0,80}\b(?:in|into) (?:his|her|their) (?:drink|food|coffee|tea)\b",
       negatable=True, bump=True),
    # intent with the weapon in hand: "I could kill him tonight, I have the knife ready" (explicit)
    rule("violence_intent_armed", VIOLENCE, C,
       r"\b(?:kill|stab|shoot|hurt|murder)\w* (?:him|her|them|my \w+|that \w+)\b.{0,60}\b(?:have|got|bought|brought|loaded|grabbed) "
       r"(?:the |a |my |his |her )?(?:gun|knife|rifle|pistol|shotgun|weapon|machete)\b|"
       r"\b(?:have|got|bought|brought|loaded|grabbed) (?:the |a |my )?(?:gun|knife|rifle|pistol|shotgun|weapon|machete)\b.{0,60}"
       r"\b(?:kill|stab|shoot|hurt|murder) (?:him|her|them|my \w+|that \w+)\b", negatable=True),
    rule("violence_threat_signs", VIOLENCE, H,
       r"\bmake (?:him|her|them|you|that \w+|the \w+) regret (?:it|this|that)\b|"
       r"\bi know (?:what time you (?:close|open|get off|leave)|where (?:you|he|she|they) (?:live|lives|park|parks))\b|"
       r"\b(?:com(?:e|ing)|show(?:ing)? up) (?:in |down |over |back )?(?:there |here |to (?:your|the) (?:office|clinic) )?with (?:a|my|the|my dad's) (?:bat|gun|knife|rifle|shotgun|pistol|machete|crowbar)\b|"
       r"\b(?:i'll|i will|ill) be waiting (?:for (?:him|her|you|them) )?(?:in|at|outside) (?:the |your )?"
       r"(?:parking lot|parking garage|office|clinic|building)\b"),
    # a bruise and the blame: "black eye lol, he said he'd be nicer if I stop making him mad"
    # Intent no story, history or form produces ("make sure your front desk staff regret it", "enough
    # to do it properly this time"): never overruled by the classifier (`NEVER_VETOED`), which reads a
    # form letter's framing ("Re: billing dispute", "Refill request:") as safe
    rule("threat_unmistakable", VIOLENCE, H,
       # after 38-39's first runs: "there's gonna be a shooting at my school tmrw and im gonna be the one doing it"
       r"\b(?:gonna|going to) be a shooting\b[^.!?]{0,60}\b(?:i'm|im|i am) (?:gonna|going to) be the one\b|"
       # session 14: "a list of the people at the plant who screwed me over. Monday they'll all find out. Not joking"
       r"\blist of (?:the )?(?:people|names|guys)\b[^.!?]{0,40}\b(?:who|that) (?:screwed|wronged|hurt|set|fired|bullied|laughed|"
       r"crossed|ruined|betrayed)\b[^.!?]{0,40}[.!?]?[^.!?]{0,40}\b(?:they'll|they will) (?:all )?find out\b|"
       # session 14: "is ricin untraceable? ... I want him to suffer"; "kids at my school are gonna be sorry on friday"
       r"\b(?:untraceable|undetectable)\b[^.!?]{0,80}[.!?]?[^.!?]{0,80}\bwant (?:him|her|them) to suffer\b|"
       r"\b(?:are|is|'re) (?:all )?(?:gonna|going to) be sorry (?:on|this|next|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
       r"\b(?:a |my )?list of (?:the )?(?:people|kids|teachers|coworkers|names)\b[^.!?]{0,60}\b(?:deserve|have it coming|are going to pay|"
       r"(?:are|is) (?:going to|gonna) (?:be|feel) sorry|will (?:be|feel) sorry|"
       r"will pay|get what's coming)\b|\bdeserve what's coming (?:to them)?\b[^.!?]{0,40}\b(?:school|work|office|class)\b|"
       r"\b(?:school|work|job|office|class)\b[^.!?]{0,40}\b(?:have|has|deserve|deserves|get) what's coming to (?:them|him|her)\b|"
       r"\b(?:voy a llevar|llevare|me llevo) (?:la|una|mi) (?:pistola|arma|escopeta) (?:al|a la) (?:trabajo|escuela|oficina|chamba)\b|"
       r"\bmake sure (?:he|she|they|you|him|her|them|your (?:\w+ ){0,2}(?:staff|doctors?|nurses?|receptionists?|people)) regrets? (?:it|this|that)\b|"
       r"\bmake sure (?:he|she|they) (?:doesn't|does not|don't|never|won't) (?:drive|make it|get|walk|go) home\b|"
       r"\b(?:putting|put|going to put|i'll put|slip(?:ping)?|i'll slip|mixing|spiking) (?:some )?(?:rat poison|antifreeze|bleach|poison|drain cleaner) "
       r"(?:in|into) (?:his|her|their|the|my \w+'s) (?:food|drink|coffee|tea|leftovers|lunch|dinner|soup|water|smoothie|beer)\b|"
       # a bullet promised, a watch-yourself with where she parks, a revenge the news will carry
       r"\b(?:(?:he's|she's|he is|she is|they're|they are|is|are) (?:getting|gonna get|going to get)|(?:he|she|they)(?:'ll| will) get) a bullet\b|"
       r"\bbetter watch (?:himself|herself|themselves|his back|her back|their backs?)\b[^.!?]{0,10}[.!?]?\s*[^.!?]{0,20}\bi know (?:what car|where (?:he|she|they) "
       r"(?:lives?|parks?|works?)|when (?:he|she|they) (?:leaves?|gets? off))\b|"
       r"\bmake (?:them|everyone|everybody|all of them|him|her)\b[^.!?]{0,50}\bpay\b[^.!?]{0,60}\b(?:on|in) the news\b|"
       r"\b(?:people|someone|somebody|staff|you) (?:there )?(?:will|are going to|is going to|'s going to|is|are) (?:get|be|getting) hurt\b"
       r"[^.!?]{0,60}[.!?]?[^.!?]{0,40}\b(?:not (?:a )?jok\w*|not a figure of speech|i mean it|i'm serious|dead serious)\b|"
       r"\b(?:going|heading|coming|driving|going to go) (?:over )?(?:there|to (?:his|her|their) (?:place|house|work|job))\b[^.!?]{0,20}\bwith (?:a|my|the|my dad's) (?:bat|gun|knife|rifle|shotgun|pistol|machete|glock)\b|"
       r"\b(?:(?:lo|la|los|las) voy a (?:matar|apunalar|balear|disparar|acuchillar)|(?:lo|la) mato)\b[^.!?]{0,60}\bya "
       r"(?:traigo|tengo|llevo|cargo|compre|consegui) (?:la|el|una|un|mi) (?:navaja|cuchillo|pistola|arma|machete)\b", bump=True),
    rule("abuse_blamed", ABUSE, H,
       r"\b(?:black eye|bruises?|split lip|fat lip)\b.{0,150}\b(?:make|making|made) him (?:so )?(?:mad|angry)\b|"
       r"\b(?:make|making|made) him (?:so )?(?:mad|angry)\b.{0,150}\b(?:black eye|bruises?|split lip|fat lip)\b|"
       r"\bmy fault for (?:making|getting) him (?:so )?(?:mad|angry)\b"),
    rule("abuse_of_dependent", ABUSE, H,
       r"\b(?:black eye|bruises?|marks|burns?)\b (?:that )?(?:she|he|they) (?:could not|couldn't|can't|cannot|won't|wouldn't) explain\b|"
       r"\b(?:not giving|isn't giving|won't give|withhold(?:s|ing)?) (?:her|him|them) (?:her|his|their) (?:medications?|meds|food|insulin)\b|"
       r"\b(?:la|lo|los|las) encierra en (?:el|la|un|una) (?:bano|cuarto|closet|armario|habitacion)\b|"
       r"\b(?:quem\w+|peg\w+|golpe\w+|encerr\w+|amarr\w+)\b[^.!?]{0,80}\bcomo castigo\b|"
       r"\b(?:burn(?:ed|t|s)?|hit|hits|whipped|beat|beats|choked|locked|starved)\b[^.!?]{0,60}\bas (?:a )?punishment\b|"
       r"\bwithhold(?:s|ing)? (?:his|her|their) (?:medications?|meds|food|insulin)\b|\bhas struck (?:him|her|me)\b|"
       r"\bbruises? (?:are|r|is|came|come) from my (?:girlfriend|boyfriend|husband|wife|partner|ex|dad|mom|stepdad|stepmom)\b", negatable=True),
    rule("abuse_found_me", ABUSE, H,
       r"\b(?:my ex|he|she|they)\b.{0,20}\bfound (?:out )?(?:where (?:i|we) live|my (?:new )?(?:address|apartment|place|house))\b"),
    rule("violent_thoughts", VIOLENCE, M,
       r"\b(?:picturing|imagining|fantasi[sz]ing about|thinking about|thoughts (?:of|about)) "
       r"(?:hurting|killing|stabbing|shooting|strangling) (?:him|her|them|someone|somebody|people|my \w+|"
       r"(?:the |some )?(?:kids|students|classmates|coworkers|co-workers|people) (?:at|in) (?:my|the) (?:school|class|grade|work|office|job))\b"),
    # Spanish
    rule("es_violence_now", VIOLENCE, C,
       r"\b(?:tiene|trae) (?:una |un )?(?:pistola|arma|cuchillo)\b|"
       r"\balguien (?:esta )?(?:entrando|metiendose) (?:a|en) (?:la|mi) casa\b", lang="es"),
    rule("es_abuse_now", ABUSE, C, r"\bme esta (?:pegando|golpeando|ahorcando|atacando)\b|"
       r"\bme (?:encerro|tiene encerrad[ao]|encierra)\b|\bno me deja salir (?:de (?:la casa|el cuarto|la habitacion)|del cuarto)?\b", lang="es"),
    # someone at the door promising to kill: "he's banging on the bathroom door, says he'll kill me when he gets in"
    rule("abuse_at_the_door", ABUSE, C,
       r"\b(?:banging|pounding|kicking|hammering|breaking|trying to (?:break|get)) (?:on |down |in |through )?(?:the |my )?(?:bathroom |bedroom |front |back )?door\b"
       r"[^.!?]{0,80}\b(?:kill|hurt|get|beat) me\b"),
    # being hit, said outright ("nadie sabe que me pega"): not "se me pega la comida", "me pega el sol"
    rule("es_abuse_hit", ABUSE, H,
       r"\b(?:esposo|marido|novio|pareja|ex|padrastro|padre|papa|suegr[oa]|hermano) (?:me|nos) (?:pego|golpeo|pateo|ahorco)\b|"
       r"(?<!\bse )\b(?:me|nos) (?:pega|pegan|golpea|golpean|ha pegado|han pegado|ha golpeado)\b"
       r"(?! (?:mucho |fuerte |muy fuerte )?(?:el|la|los|las|un|una)\b)", lang="es", negatable=True, bump=True),
    rule("es_abuse", ABUSE, H,
       r"\b(?:me quiere matar|me va a matar)\b", lang="es", bump=True),
    rule("es_violence", VIOLENCE, H,
       r"\b(?:(?:lo|la|los|las) voy a (?:matar|apunalar|balear|disparar|acuchillar)|voy a (?:matar|apunalar|balear) a|quiero matar a)\b|"
       r"\b(?:lo|la) mato\b[^.!?]{0,30}\b(?:ya tengo con (?:que|que hacerlo)|ya se donde (?:vive|trabaja|esta|estudia))\b|"
       # session 14: "le rompo la cabeza con lo primero que encuentre", "le voy a partir la cara con un tubo"
       r"\ble (?:voy a )?(?:rompo|parto|partir|romper|reviento|reventar) (?:la cara|la cabeza|la madre|la crisma)\b[^.!?]{0,40}\b(?:con|ya se donde)\b",
       lang="es", bump=True),
]
