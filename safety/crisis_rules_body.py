"""A body in trouble: the rules for medical emergencies, poisoning and overdose, and distress, in
English and Spanish (their context cues are in `crisis_cues.py`; `crisis_rules.RULES` lists them
after the rules for harm to self and others, in this order)."""

from __future__ import annotations

from typing import List

from safety.crisis_kinds import C, DISTRESS, H, L, M, MEDICAL, POISONING, Rule, rule


BODY_RULES: List[Rule] = [
    # ---- medical emergencies -----------------------------------------------------
    rule("chest_pain", MEDICAL, C,
       r"\b(?:crushing|severe|bad|terrible|sharp|extreme|worst|really bad|intense|heavy)?\s*"
       r"(?:chest (?:pain|pains|pressure|tightness)|pain in (?:my|his|her) chest|chest (?:hurts|is (?:tight|hurting|crushing)))\b",
       negatable=True, history=True),
    rule("heart_attack", MEDICAL, C,
       r"\b(?:having|having a|is having|think (?:i'm|i am|he's|she's|he is|she is) having)\s+(?:a )?heart attack\b|"
       r"\bheart attack (?:right now|now)\b", negatable=True),
    rule("stroke", MEDICAL, C,
       r"\b(?:face|mouth|smile) (?:is )?(?:drooping|droopy|droops|sagging|is crooked)\b|\bdrooping (?:face|mouth)\b|"
       r"\bslurr(?:ed|ing) (?:(?:his|her|my|their) )?(?:speech|words)\b|\b(?:is|he's|she's|i'm|keeps|started|been) slurring\b|"
       r"\b(?:his|her|my) (?:left |right )?(?:arm|leg|hand|side) (?:won't|will not|doesn't|does not|isn't|can't) (?:work|move)(?:ing)?\b|\b(?:speech|talking|words) (?:is |are )?slurred\b|"
       r"\b(?:his|her|my|\w+'s) (?:left|right) (?:arm and leg|leg and arm|hand and leg)s? (?:aren't|are not|arent|won't|stopped|isn't|not) (?:working|moving|work|move)\b|"
       r"\b(?:one side|left side|right side|half) of (?:my|his|her|the) (?:body|face) (?:is |went |feels )?(?:numb|weak|limp|paralyzed)\b|"
       # session 14: words lost again with a weak hand ("tonight she can't find her words again and her right hand is weak")
       r"\b(?:can't|cannot|can not|couldn't) find (?:her|his|my) words\b[^.!?]{0,50}\b(?:weak|numb|droop\w*)\b|"
       # session 14: sight lost of a sudden ("like a curtain came down over half of it")
       r"\b(?:sudden(?:ly)?|all of a sudden)\b[^.!?]{0,20}\b(?:lost|loss of|can't see|cannot see|went dark|went black)\b[^.!?]{0,25}\b(?:vision|sight|eye)\b|"
       r"\b(?:a |like a )?curtain (?:came|coming|fell|falling|went) (?:down )?(?:over|across) (?:my|half|part|the)\b|"
       r"\b(?:unable to|can't|cannot|could not|couldn't) (?:lift|raise|move) (?:his|her|my) (?:right|left) (?:arm|leg)\b.{0,80}\b(?:speech|words|talking)\b|"
       r"\bone pupil (?:is )?(?:bigger|larger|smaller)\b|\bpupils (?:are )?(?:different sizes|uneven|unequal)\b|"
       r"\b(?:can't|cannot|can not) (?:move|feel|lift) (?:my|his|her) (?:left|right) (?:arm|leg|side)\b|"
       r"\b(?:face|arm|leg|hand)\b.{0,25}\b(?:went|is|are|going|gone|feels?) (?:suddenly )?numb\b|\bsudden(?:ly)? numb|"
       r"\b(?:can't|cannot|can not) (?:talk|speak) (?:right|properly|clearly|normally)\b|\bsudden(?:ly)? (?:confused|can't (?:talk|speak|see|lift|move))\b|"
       r"\b(?:can't|cannot|can not) (?:lift|raise|move) (?:his|her|my) (?:arm|leg)\b.{0,5}|\bsmile is (?:crooked|uneven|lopsided)\b|"
       r"\b(?:having|having a|is having|just had|think (?:he|she|i) (?:just )?had) a stroke\b|\bstroke symptoms\b|\bsigns of (?:a )?stroke\b|"
       r"\bsudden(?:ly)? (?:loss of|lost (?:my |the )?|losing (?:my |the )?)(?:vision|sight)\b|\b(?:lost|losing) (?:the |my )?(?:vision|sight) in (?:one|my (?:left|right)) eye\b",
       negatable=True, history=True),
    rule("anaphylaxis", MEDICAL, C,
       r"\bthroat (?:is |feels )?(?:closing|swelling|swollen|tight|closing up)\b|\b(?:tongue|lips|face) (?:is |are )?(?:swelling|swollen) (?:up)?\b.{0,40}\b(?:breath|breathe|breathing)\b|"
       r"\banaphyla(?:xis|ctic)\b|\b(?:hives|swelling|swollen)\b.{0,40}\b(?:wheez\w*|throat|can't breathe|faint|fainting|lightheaded|light-headed|passing out)|"
       r"\b(?:stung|sting|bitten)\b.{0,60}\bhives (?:everywhere|all over)\b.{0,60}\b(?:pass(?:ing)? out|faint|dizzy|lightheaded|throat|breath)|"
       r"\binhaler (?:isn't|is not|not|doesn't|does not|didn't) (?:helping|working|help|work)\b|\bfoaming at the mouth\b|"
       r"\bhit (?:my|his|her|their) head\b.{0,50}\b(?:throwing up|vomiting|threw up|confused|unconscious|blacked out|can't remember|won't wake)|\b(?:need|used) (?:my|his|her|an) epi ?pen\b|\ballergic reaction\b.{0,40}\b(?:breath|breathe|breathing|throat|swell)",
       negatable=True, history=True),
    rule("not_breathing", MEDICAL, C,
       r"\b(?:isn't|is not|not|stopped|has stopped|wasn't|aren't|are not) breathing\b|"
       r"\b(?:can't|cannot|can not|couldn't|could not) (?:breathe|breath|get (?:any )?air)\b|\bchoking\b(?! (?:and (?:\w+ )?)?(?:risk|hazard|hazards|drill|first aid|class|course|cpr))|"
       r"\b(?:struggling|gasping) (?:to breathe|for (?:air|breath))\b"),
    rule("trouble_breathing", MEDICAL, H,
       # after batches 40-41's first runs: "can only say like 2 words at a time, used the rescue inhaler 6 times in the last
       # hour"; a clot after surgery ("since this morning she's short of breath, her calf is swollen")
       r"\bcan (?:only|barely) say (?:like )?(?:\d|one|two|three|a few) words?\b|"
       r"\bused (?:my |the |his |her )?(?:rescue )?inhaler (?:like )?(?:[4-9]|\d\d|four|five|six|seven|eight|ten) times\b|"
       r"\bshort(?:ness)? of breath\b[^.!?]{0,60}\b(?:calf|leg) (?:is )?(?:swollen|swelling)\b|"
       r"\b(?:calf|leg) (?:is )?(?:swollen|swelling)\b[^.!?]{0,60}\bshort(?:ness)? of breath\b|"
       r"\b(?:trouble|difficulty|hard time|problems?) breathing\b|\basthma attack\b|\bwheezing (?:badly|really bad|a lot)\b|"
       r"\b(?:not breathing|breathing isn't) normal(?:ly)?\b|\b(?:looks|turning|is) (?:gray|grey)\b|"
       r"\b(?<!nearly )(?<!almost )(?:fainted|passed out|blacked out)\b|\bhard to breathe\b|\bshort of breath\b.{0,30}\b(?:chest|lips|blue|can't)\b|"
       r"\bcan(?:'t| barely| hardly) (?:get (?:a|the|my) (?:sentence|words?) out|finish (?:a|my) sentences?)\b|"
       r"\binhaler\b.{0,60}\bevery (?:\d+|few|couple of) min",
       negatable=True, history=True),
    rule("unresponsive", MEDICAL, C,
       # after 38-39's first runs: an open fracture ("there's bone poking out of my shin")
       r"\bbone (?:is )?(?:poking|sticking|coming) (?:out|through)\b|"
       # session 14: pulled from the water and now drowsy or coughing ("fell in the pool ... really sleepy and keeps coughing")
       r"\b(?:fell|went|slipped) (?:in|into) (?:the )?(?:pool|lake|pond|water|bathtub|tub|river)\b[^.!?]{0,80}\b(?:sleepy|drowsy|coughing|blue|limp|not breathing)\b|"
       r"\b(?:unresponsive|unconscious|won't wake up|will not wake up|not waking up|can't wake (?:him|her|them|my \w+)(?: up)?|"
       r"collapsed|(?:lips|face|skin) (?:are |is |look |looks |turning )?(?:purple|gray|grey)|(?:limp|floppy)\b.{0,30}\b(?:won't wake|not waking)|(?:isn't|is not|not|stopped) (?:responding|moving)|(?:baby|infant|newborn|toddler)\b.{0,40}\b(?:limp|floppy)|"
       r"(?:lips|face|baby|baby's lips|skin|he|she)(?:'s)? (?:(?:is|are|look|looks|looking|turning|went|going|getting) )*blue|turned blue|passed out and (?:won't|isn't|is not))\b"),
    rule("seizure", MEDICAL, C,
       r"\bseizure (?:that )?(?:won't|will not|isn't|is not|hasn't|doesn't) stop(?:ped|ping)?\b|"
       r"\b(?:having|is having) (?:a )?(?:seizure|convulsions?|fit)\b|\b(?:seizing|convulsing)\b|"
       r"\bseizing (?:for|and)\b",
       negatable=True, history=True),
    rule("severe_bleeding", MEDICAL, C,
       r"\bbleeding (?:that )?(?:won't|will not|doesn't|does not|isn't|is not|hasn't|can't) (?:stop|stopping)\b|"
       r"\b(?:can't|cannot|can not) (?:stop|get) (?:the )?bleeding(?: to stop)?\b|"
       r"\bbleeding (?:heavily|a lot|badly|everywhere|really bad|so much|profusely)\b|\b(?:blood everywhere|gushing blood|(?:a lot|lots|so much|tons) of blood|losing (?:a lot of )?blood)\b|"
       r"\bblood (?:is )?(?:gushing|spurting|pouring)\b",
       negatable=True),
    rule("general_emergency", MEDICAL, C,
       r"\b(?:medical emergency|need an ambulance|call (?:an )?ambulance|"
       r"fell and (?:hit|cracked) (?:his|her|my) head and (?:is|isn't|won't|can't)|head injury and (?:confused|vomiting|unconscious)|"
       r"worst headache of my life)\b", negatable=True),
    # "this is an emergency" alone is a way of speaking too ("lol this is an emergency: I ran out of my
    # nasal spray"): the one medical rule the classifier may overrule
    rule("declared_emergency", MEDICAL, C, r"\b(?:this is an emergency|it's an emergency)\b", negatable=True),
    rule("chest_pain_described", MEDICAL, C,
       r"\b(?:an? elephant|a weight|something heavy|a ton of bricks) (?:is )?(?:sitting )?on (?:my|his|her) chest\b|"
       r"\b(?:pain|ache|pressure)\b.{0,30}\b(?:going|spreading|radiating|shooting|moving) (?:down |up )?(?:in)?to "
       r"(?:my|his|her) (?:left )?(?:arm|jaw|shoulder|neck)\b|\bchest (?:feels|is|gets|getting|has been|'s been|was) (?:really |so |very |super |kinda |kind of |all )?"
       r"(?:tight|heavy|tighter)\b|\bchest burns\b|"
       # session 14: "chest tightness and sweating since I shoveled the driveway, probably just out of shape lol"
       r"\bchest (?:tightness|pressure|pain)\b[^.!?]{0,20}\b(?:and|with) (?:cold )?(?:sweating|sweats|clammy)\b|"
       # a racing heart with a faint coming: "my heart is going crazy fast like 190 ... about to pass out"
       r"\b(?:heart|pulse|heart rate|hr)\b[^.!?]{0,40}\b(?:1[5-9]\d|2\d\d)\b[^.!?]{0,60}\b(?:pass(?:ing)? out|faint|black(?:ing)? out|chest pain)\b",
       negatable=True, history=True),
    rule("seizure_described", MEDICAL, C,
       r"\b(?:shaking|jerking|twitching|convulsing)\b.{0,40}\b(?:won't|will not|doesn't|does not|isn't) stop\b|"
       r"\b(?:shaking|jerking)(?: and (?:jerking|shaking|twitching))? for (?:like |about |over |almost )?\d+ ?(?:min|mins|minutes)\b"),
    rule("bleeding_described", MEDICAL, C,
       r"\b(?:it's|its|it is|blood is|blood|wound is|cut is) spurting\b|"
       r"\bsoaked (?:through )?(?:\w+ ){0,2}(?:towels?|bandages?|gauze|shirts?)\b"),
    rule("urgent_signs", MEDICAL, H,
       r"\b(?:fainting|faints|keeps passing out|passing out)\b|"
       r"\b(?:baby|infant|newborn|toddler|\d+ ?(?:yr|year|month|mo)s?[- ]?old|son|daughter|kid|child)\b.{0,80}"
       r"\b(?:floppy|limp|lethargic|barely (?:opens? (?:his|her) eyes|awake|responding|moving)|hard to wake)\b|"
       r"\bfever (?:of|is|at|was) (?:10[4-9]|4[01])\b|\btesticle\b.{0,80}\b(?:swollen|threw up|throwing up|vomit\w*)\b|"
       r"\bfever\b.{0,80}\b(?:not making sense|(?:belly|stomach|abdomen) (?:is )?(?:hard|rigid))\b|\b(?:not making sense|confused)\b.{0,90}\bfever\b|"
       r"\bheart (?:has been |is |keeps |been )?(?:racing|pounding|beating)\b.{0,30}\b(?:1[6-9]\d|2\d\d)\b.{0,80}\b(?:faint|dizzy|lightheaded|clammy|chest|short of breath)\b|"
       r"\b(?:bp|blood pressure|cuff)\b[^.!?]{0,30}\b(?:1[89]\d|2\d\d) ?/ ?(?:1[1-9]\d)\b.{0,80}\b(?:headache|vision|blurry|chest|confus\w*|numb)\b|"
       r"\b(?:recien nacid[oa]|bebe)\b.{0,20}\b(?:de|tiene) (?:(?:[1-9]|1\d|2[0-8]) dias|(?:[1-4]|una|dos|tres|cuatro) semanas?)\b.{0,80}\b3(?:8[.,]?\d?|9[.,]?\d?)\b|"
       r"\b(?:(?:[1-9]|1\d|2[0-8])[- ]?days?|(?:[1-4]|one|two|three|four)[- ]?weeks?)[- ]old\b.{0,80}\b(?:fever|temp\w*)\b.{0,20}\b(?:100\.[4-9]|10[1-6]|3(?:8[.,]\d|9))\b|"
       # blood vomited, said plainly: "I'm vomiting blood, like a lot, bright red"
       r"\b(?:vomiting|throwing up|threw up|puking|coughing up) (?:a lot of |lots of |some )?(?:bright red )?blood\b|"
       r"\b(?:vomitando|vomito|vomite) sangre\b|"
       # a fever during chemotherapy (neutropenic fever: a person today), blood passed after a blow to the side
       r"\b(?:on|getting|having|doing|in|started|finished a round of) chemo(?:therapy)?\b[^.!?]{0,80}\bfever\b|\bfever\b[^.!?]{0,60}\b(?:on|from|during) chemo(?:therapy)?\b|"
       r"\b(?:hit|tackled|kicked|fell|crash\w*|accident|punched)\b[^.!?]{0,80}\b(?:peeing|pissing|passing) blood\b|"
       r"\b(?:took|taken|used|had) (?:3|three|2|two|all three) (?:of )?(?:my )?(?:nitro|nitros|nitroglycerin|nitro tablets|nitro sprays)\b[^.!?]{0,60}"
       r"\b(?:pain|pressure|still|isn't|not|won't)\b|"
       r"\b(?:lower right|right lower) (?:side|abdomen|belly|stomach|part of my (?:belly|stomach))\b.{0,120}\b(?:fever|threw up|throwing up|vomit\w*|"
       r"can't (?:stand|walk) (?:up )?straight)\b|"
       r"\b(?:missed|skipped) (?:my )?(?:last )?(?:two|three|2|3|a couple of|several) (?:dialysis )?(?:sessions|treatments|runs)\b.{0,100}"
       r"\b(?:swollen|swelling|short of breath|heart|can't breathe|chest)\b|"
       r"\b(?:black|tarry|bloody) (?:tarry )?(?:stools?|poop)\b.{0,80}\b(?:passed out|pass out|faint\w*|dizzy|lightheaded)\b|"
       r"\b(?:meter|glucose|sugar|bg)\b[^.!?]{0,20}\b(?:says|reads|shows|just says) (?:hi|high)\b.{0,80}\b(?:vomit\w*|throwing up|breathing (?:fast|hard|heavy)|confused)\b|"
       # heart failure told calmly: breathless, and sleeping sitting up
       r"\b(?:short of breath|breathless|out of breath|can't breathe)\b.{0,140}\b(?:sleep|sleeping) (?:sitting )?(?:up|upright|in a chair)\b|"
       r"\b(?:sleep|sleeping) (?:sitting )?(?:up|upright|in a chair)\b.{0,140}\b(?:short of breath|breathless|out of breath)\b",
       negatable=True, history=True),
    # poisoning / overdose
    rule("overdose", POISONING, C,
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
       # after batches 40-41's first runs: "swallowed one of those coin batteries from the remote"
       r"\b(?:swallowed|ate|got into|put in (?:his|her) mouth)\b[^.!?]{0,30}\b(?:coin|button|lithium) batter(?:y|ies)\b|"
       # session 14: "swallowed everything in the medicine cabinet and washed it down w vodka"
       r"\b(?:took|taken|swallowed|downed) (?:everything|all the (?:pills|meds)) (?:in|from) (?:the|my) (?:medicine |bathroom )?(?:cabinet|drawer|cupboard)\b|"
       r"\b(?:took|taken|swallowed|downed|popped) (?:(?:a|the|my|his|her) (?:whole |full |entire )?(?:bottle|pack|box|handful|strip) of) "
       r"(?:(?:my|his|her|the|their) )?(?!water\b|wine\b|beer\b|vodka\b|soda\b|juice\b)\w+",
       negatable=True, history=True),
    # the writer's own count of pills taken ("I took approximately 30 extra-strength acetaminophen
    # tablets yesterday"): explicit, as "overdose" in a novel or a history is not
    rule("overdose_taken", POISONING, C,
       r"\b(?:took|taken|swallowed|popped)\s+(?:like |about |around |maybe |approximately |roughly |nearly |almost )?(?:a (?:whole )?(?:bunch|handful|bottle|pack|box) of|the (?:whole|entire) (?:bottle|pack|box) of|"
       r"(?:my|his|her) (?:whole|entire) (?:bottle|pack|box) of|all (?:of )?(?:my|his|her|the)|too many|(?:[5-9]|[1-9][0-9]) (?:of )?)\s*(?:(?:my|his|her|the|\w+'s) ){0,2}(?:[\w-]+ ){0,2}"
       r"(?:pills|tablets|xanax|oxy|oxycodone|percocet|vicodin|tylenol|advil|ibuprofen|benadryl|adderall|ambien|klonopin|valium|"
       r"seroquel|quetiapine|trazodone|zoloft|sertraline|lithium|ativan|lorazepam|acetaminophen|paracetamol|gabapentin|"
       r"insulin|meds|medicine|medication|gummies|edibles)\b|\btook too many (?:pills|tablets|of (?:my|his|her|the) \w+)\b",
       negatable=True, history=True),
    rule("poisoning_described", POISONING, C,
       r"\b(?:bit|chewed|swallowed|ate|got into|sucked on)\b.{0,25}\b(?:dishwasher|laundry|detergent|tide) pods?\b|"
       r"\bfoam(?:ing)? (?:in|at|around|coming out of) (?:his|her|their|the) mouth\b"),
    # carbon monoxide told by what a household feels beside a furnace, heater or generator: the
    # classifier hears "the stomach bug going around" (0.00), so its word does not overrule this
    rule("carbon_monoxide_signs", POISONING, H,
       r"\b(?:co|carbon monoxide|monoxide) (?:detector|alarm|monitor)\b.{0,80}\b(?:headaches?|dizzy|dizziness|nause\w*|"
       r"throwing up|vomit\w*|sick|confused|passed out|sleepy)\b|"
       r"\b(?:whole family|all of us|we all|we both|both of us|(?:both|all) (?:of )?(?:my|the) kids|everyone (?:in the house|at home)|the kids and i|the whole house)\b.{0,60}\b(?:headaches?|dizzy|nause\w*|threw up|throwing up|vomit\w*)\b"
       r".{0,120}\b(?:furnace|heater|generator|boiler|gas stove|space heater|chimney)\b|"
       r"\b(?:headaches?|nause\w*|dizz\w*|throwing up|vomit\w*)\b.{0,80}\bsince (?:we|they|i) (?:turned|switched|put|started|fired) (?:on )?(?:the|our|a|up the) (?:new )?(?:furnace|heater|boiler|generator)\b|"
       r"\bgenerator\b.{0,60}\b(?:garage|basement|inside|in the house)\b.{0,100}\b(?:confused|slurr\w*|dizzy|headaches?|passed out|sleepy|throwing up|vomit\w*)\b",
       negatable=True, history=True),
    rule("poisoning_signs", POISONING, H,
       r"\bmethotrexate\b.{0,60}\b(?:every day|daily|each day|days in a row)\b|"
       r"\b(?:ambien|zolpidem|xanax|valium|klonopin|ativan|oxy\w*|percocet|benadryl|sleeping pills?)\b.{0,60}\b(?:wine|vodka|beer|alcohol|drinks|drinking|shots|whiskey)\b"
       r".{0,80}\b(?:can't (?:really )?feel|numb|can't stay awake|so sleepy|breathing (?:slow|weird)|passing out|can't wake)|"
       r"\b(?:wine|vodka|beers?|alcohol|drinks|drinking|shots|whiskey)\b.{0,60}\b(?:ambien|zolpidem|xanax|valium|klonopin|ativan|oxy\w*|percocet|benadryl|sleeping pills?)\b"
       r".{0,80}\b(?:nodding off|can't stay awake|so sleepy|breathing (?:slow|weird)|passing out|can't wake)|"
       r"\bmix(?:ed|ing)? (?:\w+ ){0,2}bleach (?:and|with)\b|\bbleach (?:and|with) (?:\w+ ){0,2}ammonia\b|"
       r"\b(?:taking|took|been taking|had|taken) (?:extra|double|triple|too much|way too much|too many|a lot of|lots of) "
       r"(?:\w+ )?(?:tylenol|acetaminophen|paracetamol|advil|ibuprofen|aspirin|pills|tablets|meds|medication|insulin)\b|"
       r"\btook (?:his|her|my|their) (?:pills|meds|medication|insulin) (?:twice|three times|again)\b|"
       r"\b(?:double|triple|doubled|tripled) (?:up )?(?:on )?(?:his|her|my|the|their )?(?:dose|doses|meds|pills|insulin)\b|"
       r"\b(?:new|second|another|extra|fresh) (?:fentanyl|duragesic|buprenorphine|butrans) patch\b[^.!?]{0,50}\b(?:without (?:taking|removing|pulling)|"
       r"(?:didn't|did not|forgot to) (?:take|remove|pull)|still (?:had|on))\b|\b(?:two|2|both) (?:fentanyl |duragesic )?patches (?:on|at once|at the same time)\b|"
       # an opioid taken twice, and its drowsiness: "doubled my suboxone by mistake, nodding off"
       r"\b(?:(?:double|doubled|tripled|twice|extra|two doses)\b[^.!?]{0,40}\b(?:methadone|suboxone|buprenorphine|oxy\w*|morphine|fentanyl|hydrocodone|"
       r"percocet|vicodin|tramadol|dilaudid|hydromorphone)|(?:methadone|suboxone|buprenorphine|oxy\w*|morphine|fentanyl|hydrocodone|percocet|vicodin|"
       r"tramadol|dilaudid|hydromorphone)\b[^.!?]{0,40}\b(?:twice|again|doubled|double|extra))\b.{0,100}\b(?:nodding off|nodding out|can't stay awake|"
       r"can barely (?:stay awake|keep my eyes open)|breathing (?:slow|weird|shallow)|can't wake (?:him|her|them))\b",
       negatable=True, history=True),
    rule("es_breathing_trouble", MEDICAL, H,
       r"\b(?:ataque de asma|(?:le|me) cuesta (?:mucho )?respirar|respira(?:ndo)? con (?:silbido|dificultad)|se (?:le|me) esta hinchando (?:toda )?la cara|(?:el )?inhalador no (?:le |me )?(?:hace nada|sirve|ayuda|funciona)|se le hunde el pecho)\b",
       lang="es"),
    # Spanish
    rule("es_breathing", MEDICAL, C,
       r"\b(?:no puedo respirar|no puede respirar|no respira|se esta ahogando|me estoy ahogando|se ahoga|"
       r"se me cierra la garganta|se le cierra la garganta)\b", lang="es"),
    rule("es_chest_pain", MEDICAL, C,
       r"\b(?:dolor (?:\w+ ){0,3}(?:de|en el) pecho|me duele (?:mucho )?el pecho|presion en el pecho|ataque al corazon|infarto)\b",
       lang="es", negatable=True, history=True),
    rule("es_stroke", MEDICAL, C,
       r"\b(?:derrame cerebral|embolia|se le cae (?:la cara|un lado de la cara)|cara caida|no puede hablar bien|"
       r"habla arrastrando las palabras|no puede mover (?:el brazo|la pierna|un lado|el lado (?:izquierdo|derecho))|habla (?:raro|extrano|chistoso))\b", lang="es", negatable=True, history=True),
    rule("es_unresponsive", MEDICAL, C,
       r"\b(?:no reacciona|no responde|no despierta|cara torcida|boca torcida|no puede hablar|me falta el aire|le falta el aire|inconsciente|se puso (?:azul|morado)|(?<!solo )(?<!ya )esta (?:azul|morado)(?! (?:el|mi|su) (?:moreton|morete|golpe|cardenal))|"
       r"convulsion(?:es|ando)?|esta convulsionando|sangra mucho|no para de sangrar|no deja de sangrar|mucha sangre|"
       r"es una emergencia|necesito una ambulancia)\b", lang="es", negatable=True, history=True),
    # an overdose already taken is a poisoning too (Poison Control as well as 988)
    rule("es_overdose_taken", POISONING, C,
       r"\b(?:me )?(?:tome|trague) (?:como |unas |mas de )?(?:diez|doce|quince|veinte|treinta|cuarenta|[1-9]\d) (?:pastillas|pildoras|tabletas)\b|"
       r"\b(?:me )?(?:tome|trague) (?:todas|muchas|un frasco de|un monton de) (?:las |mis )?(?:\w+ )?"
       r"(?:pastillas|pildoras|tabletas|medicinas)\b", lang="es"),
    rule("es_poisoning", POISONING, C,
       r"\b(?:sobredosis|envenen(?:ado|ada|amiento)|se tomo (?:las|mis|sus|unas) (?:pastillas|medicinas)|"
       r"(?:tomo|bebio|trago) (?:cloro|blanqueador|veneno|detergente)|"
       # after batches 40-41's first runs: "se tomó un poco del líquido para destapar caños"
       r"se (?:tomo|bebio|trago)\b[^.!?]{0,30}\b(?:destapa(?:r)? (?:canos|canerias)|destapacanos|cloro|lejia|limpiador|anticongelante)|(?:se ha|me he|se|me) tom(?:ado|o) por error|"
       r"se (?:tomo|bebio|trago) (?:todo )?(?:el|la) (?:jarabe|frasco|botella)\b[^.!?]{0,60}\b(?:todo el frasco|toda la botella|entero|entera)|"
       r"se (?:tomo|bebio|trago) todo el (?:frasco|jarabe)|"
       r"se (?:tomo|bebio|trago) (?:del|el|la|su|un|una)? ?(?:\w+ ){0,6}?(?:medio|la mitad del|casi todo el|casi toda la) (?:frasco|botella))\b",
       lang="es", negatable=True, history=True),

    # ---- distress (LOW / MEDIUM) ------------------------------------------------------
    rule("panic_now", DISTRESS, M,
       r"\b(?:having|having a|in the middle of a|i think i'm having a) panic attack\b|\bataque de panico\b",
       negatable=True, history=True),
    rule("hopeless", DISTRESS, M,
       r"\b(?:i feel|i'm|i am|feeling|i've been feeling|feel) (?:so |really |very |completely |totally )?"
       r"(?:hopeless|worthless|empty inside|like a burden|like giving up)\b|\b(?:no ?one|nobody) cares (?:about me|if i)\b|"
       r"\bme siento (?:sin esperanza|inutil|vacio|vacia)\b",
       negatable=True),
    rule("distress_low", DISTRESS, L,
       r"\b(?:i feel|i'm|i am|feeling|i've been|been|i've been feeling|i have been feeling) (?:so |really |very |super |just |kind of |kinda )?"
       r"(?:stressed(?: out)?|overwhelmed|depressed|miserable|lonely|alone|sad|down|anxious|scared|terrified|awful|lost)\b"
       r"(?! (?:about|of|for|that|to)\b)|\b(?:having|had) a (?:really )?(?:rough|hard|terrible) (?:day|week|time)\b|"
       r"\bme siento (?:muy )?(?:triste|sola|solo|deprimid[oa]|angustiad[oa])\b|\b(?:barely|can't) sleep(?:ing)?\b|"
       r"\b(?:can't stop crying|crying (?:all the time|every day|everyday|every night))\b|\bnot (?:feeling )?myself\b|"
       r"\b(?:he|ha) estado (?:muy )?(?:estresad[oa]|triste|deprimid[oa]|angustiad[oa])\b|\bllorando todos los dias\b",
       negatable=True),
    rule("hopeless_outlook", DISTRESS, M,
       r"\bnothing (?:ever )?(?:gets|will get|is going to get) better\b|"
       r"\b(?:don't|can't) see how (?:it|things|anything) (?:will|would|could|is going to) ever get better\b"),
]
