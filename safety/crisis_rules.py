"""The crisis lexicons, in the order they are read: harm to self and others
(`crisis_rules_harm.py`), then a body in trouble (`crisis_rules_body.py`); which hits stand against the
classifier (`EXPLICIT`, `NEVER_VETOED`). The categories, severities and the `Rule` record are in
`crisis_kinds.py`; the context cues the rules are read with in `crisis_cues.py`.

Data, not logic: `crisis.CrisisDetector` applies them. Each rule names its category and
severity; `negatable`, `history` and `bump` say how context changes it (see `Rule`).
"""

from __future__ import annotations

from typing import List

from safety.crisis_kinds import (  # noqa: F401 (part of this module's API)
    ABUSE, CATEGORIES, DISTRESS, MEDICAL, POISONING, SUBJ, SUICIDE, VIOLENCE, Rule, Severity)
from safety.crisis_rules_body import BODY_RULES
from safety.crisis_rules_harm import HARM_RULES

RULES: List[Rule] = [*HARM_RULES, *BODY_RULES]

# Explicit phrases: the writer's own crisis, named outright ("I'm going to kill myself tonight", "he's
# got a knife", "she's not breathing"). Their hit stands unless the classifier is all but certain it is
# no crisis (`veto`); a hit by any other rule is a trigger word in context ("suicide" in a play,
# "overdose" in a mystery novel, "can't sleep" about a son's video game) and needs the classifier's
# agreement (`veto_weak`, chosen out of fold). A time or means named ("tonight", "the pills") is
# no reason alone: "now" is in "I'm doing much better now" too.
EXPLICIT = frozenset({
    "suicide_intent_now", "suicide_means", "suicide_goodbye", "suicide_ideation", "suicide_attempt", "suicide_plan_signs", "self_harm",
    "suicide_signals", "suicide_reported", "method_seeking", "suicide_passive_outright", "es_suicide_intent_now", "es_suicide_ideation", "es_suicide_signals",
    "violence_weapon_now", "violence_intent_armed", "threat_unmistakable", "intent_unmistakable", "abuse_of_dependent", "abuse_by_partner", "abuse_disclosed", "violence_against_me_now", "es_violence_now", "es_abuse_now", "es_abuse_hit", "abuse_at_the_door",
    "es_overdose_taken", "overdose_taken", "poisoning_described", "poisoning_signs", "carbon_monoxide_signs", "es_poisoning",
    *(rule.name for rule in RULES if rule.category == MEDICAL),
})
# A body in trouble now: the medical rules read negation and the past per sentence themselves, and the
# classifier never overturns them ("I have bad chest pain. Can I get a follow-up?" scores 0.008: the
# follow-up, not the pain, is what it hears). A missed anaphylaxis costs more than a flagged form.
NEVER_VETOED = (frozenset(rule.name for rule in RULES if rule.category == MEDICAL) - {"declared_emergency"}
                | {"threat_unmistakable", "intent_unmistakable", "carbon_monoxide_signs"})
assert EXPLICIT <= {rule.name for rule in RULES}
