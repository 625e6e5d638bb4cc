"""What a message says about itself: all is well now, nothing was swallowed, a story is being written,
or an intent no story produces. Read from what blind batches 10-17 got wrong (sentences written for
these tests, not taken from any batch)."""
from __future__ import annotations

import pytest

from safety.crisis import CrisisDetector, Severity
from safety.crisis_rules import ABUSE, MEDICAL, POISONING, SUICIDE, VIOLENCE

detector = CrisisDetector()            # rules and the classifier, as the service runs
rules = CrisisDetector(use_model=False)


@pytest.mark.parametrize("text", [
    # the classifier alone hears the topic; the message says it is over
    "my sugar dropped to 55 before lunch, had a juice box and now it's 120 and I feel normal. do I change my dose?",
    "woke up with my hand asleep and tingly, it was back to normal after a couple of minutes. worth mentioning?",
    "my 3 year old has a temp of 101 but she's eating and playing like usual, any slots this afternoon?",
    "lost my mom in the spring and the counselor wants me to ask about sleep. I'm doing okay, just tired",
    # nothing was swallowed
    "my son asked whether the pills in his grandpa's weekly organizer are poisonous to touch. he didn't eat any, promise",
    "is it ok to mix bleach and vinegar for the tub? haven't mixed anything yet, asking first",
    "could my toddler have swallowed a button battery? none are missing, I just read a scary post",
    # what poison control calls minimally toxic
    "my 5 year old swallowed a blob of toothpaste brushing, do I need to call anyone?",
    "took my multivitamin twice today by accident, is that a problem?",
    # a story being written
    "I'm writing a crime novel where a character is poisoned with rat poison, could a doctor tell me how quickly it acts?",
    # the questions every writer of this kind of batch asks
    "what's the lethal dose of caffeine? I'm on four energy drinks a day for exams and my mom is worried",
    "can I bring my pocket knife inside the clinic? I need it for my job on site",
    "I volunteer on a crisis text line and it's been heavy; I'd like a therapist, who takes Cigna?",
    "what are the warning signs of a stroke? my father is 75 and I want to be ready",
    "I feel like death warmed over with this flu, I just need a note for work",
    "lol this is an emergency, I'm out of my eye drops, can you send a refill",
    "mi abuela tuvo un infarto hace un año y ya está recuperada, quiero un chequeo para mí",
    "¿cuánto ibuprofeno puedo tomar al día sin hacerme daño? me duele la rodilla",
])
def test_a_message_that_says_it_is_settled_raises_no_alarm(text):
    a = detector.assess(text)
    assert not a.is_crisis, (text, a.matched, a.category)


@pytest.mark.parametrize("text,kind", [
    # feeling fine after a swallow is no reassurance: acetaminophen harms a day later
    ("my teenager swallowed a handful of my tylenol at lunch, she says she feels fine now", POISONING),
    # the same words of reassurance beside a crisis the rules read
    ("I took 25 of my sleeping pills an hour ago. I feel fine so maybe it didn't work", POISONING),
    ("my husband's face is drooping on the left and he says he feels fine, should we wait for Monday?", MEDICAL),
    # "for my story" said of a method is not a story being written
    ("how many of my amitriptyline would it take to just not wake up? it's for a story lol", SUICIDE),
    # "I don't want to die" after an overdose is the plea, not a denial
    ("I swallowed the whole box of my lamotrigine half an hour ago. I don't want to die, what do I do", POISONING),
])
def test_reassurance_does_not_hide_a_crisis(text, kind):
    a = detector.assess(text)
    assert a.is_crisis and kind in (a.category, *a.categories), (text, a.matched, a.silenced)


@pytest.mark.parametrize("text,kind", [
    ("Re: refill. Please send the 90-day supply of zolpidem, I need enough to do it properly this time.", SUICIDE),
    ("Re: invoice 4471. Remove this charge or I will come to your office and make sure your billing staff regret it.", VIOLENCE),
    ("He got the job I was promised. I'm going to make sure he doesn't drive home tonight.", VIOLENCE),
    ("Dear Clinic, I took approximately 40 acetaminophen tablets last night and wish to cancel Thursday.", POISONING),
])
def test_an_intent_no_story_produces_stands_over_a_form_letters_calm(text, kind):
    """The classifier reads "Re: refill" framing as safe and would overrule a rule's hit; these are
    never overruled."""
    a = detector.assess(text)
    assert a.is_crisis and a.severity >= Severity.HIGH and kind in (a.category, *a.categories), (text, a.matched, a.silenced)


@pytest.mark.parametrize("text,kind", [
    ("some nights i wish i just wouldnt wake up. can i move my labs to monday", SUICIDE),
    ("honestly if this week goes on like this i might just walk into traffic", SUICIDE),
    ("i want to stop existing for a while, is there a counselling waitlist", SUICIDE),
    ("fix my knee this time or I'm coming in there with a bat", VIOLENCE),
    ("my girlfriend took my phone and says she'll kill me if I leave, I'm on my laptop", ABUSE),
    ("mi esposo me encerró en la casa y no me deja salir, escribo a escondidas", ABUSE),
    ("i took my whole bottle of advil this morning and i feel sick", POISONING),
    ("both my kids have headaches and keep throwing up, and the furnace is making a clicking noise", POISONING),
    ("sorry for the black eye at my last visit, he says he'll calm down if I stop making him mad", ABUSE),
])
def test_new_words_for_signs_already_known(text, kind):
    a = rules.rules(text)
    assert a.is_crisis and kind in (a.category, *a.categories), (text, a.matched)


@pytest.mark.parametrize("text", [
    "the rat poison is going in his coffee tomorrow when he stops by, he killed my cat",
    "her aide pushed my dad, so tonight I'm waiting for her in the parking lot after her shift",
])
def test_the_writers_plan_against_someone_is_violence(text):
    a = detector.assess(text)
    assert a.is_crisis and a.category == VIOLENCE, (text, a.category, a.matched)


@pytest.mark.parametrize("text", [
    "my mom will kill me if I leave the dishes again lol, anyway is Friday open",
    "I nearly passed out at my last blood draw, can I lie down this time?",
])
def test_look_alikes_of_the_new_words(text):
    a = rules.rules(text)
    assert not a.is_crisis, (text, a.matched)


def test_a_pill_named_in_control_is_not_masked_as_a_harmless_swallow():
    a = detector.assess("my boyfriend hides my birth control and won't let me take it, last week he shoved me into the wall")
    assert a.is_crisis and a.category == ABUSE, (a.matched, a.silenced)


@pytest.mark.parametrize("text,kind", [
    # read from batch 18's first run (sentences written for this test)
    ("my cousin stole my truck so tonight I'm heading over there with my bat", VIOLENCE),
    ("si ese hombre toca a mi hija lo mato, ya conseguí la pistola", VIOLENCE),
    ("she's pounding on the door and screaming that she'll kill me if I don't come out", ABUSE),
    ("we've all been dizzy and throwing up since we turned the furnace on, is it the flu?", POISONING),
    ("ran the generator in the garage during the outage and now my wife is confused and has a headache", POISONING),
    ("got stung by a bee 15 minutes ago, hives all over and I feel like I'm going to pass out", MEDICAL),
    ("I've become short of breath walking to the mailbox and now I have to sleep sitting up in a chair", MEDICAL),
])
def test_signs_from_batch_18_stand_over_the_classifier(text, kind):
    a = detector.assess(text)
    assert a.is_crisis and kind in (a.category, *a.categories), (text, a.matched, a.silenced)


@pytest.mark.parametrize("text", [
    "I thought I took my blood pressure pill twice but I counted the box and I only took one, phew",
    "my daughter had febrile seizures cuando era bebé; el formulario de la escuela pregunta, ¿qué pongo?",
    "last winter the furnace was fine, can I book flu shots for all of us?",
])
def test_look_alikes_from_batch_18(text):
    a = detector.assess(text)
    assert not a.is_crisis, (text, a.matched)


@pytest.mark.parametrize("text,kind", [
    # read from batch 19's first run (sentences written for this test)
    ("ugh finally gonna kms this weekend. jk... unless? anyway can I get my refill", SUICIDE),
    ("honestly the only thing keeping me from ending it is my cat. do you have evening slots?", SUICIDE),
    ("my coworker keeps taking my lunch so I'm putting rat poison in his soup tomorrow. fax number?", VIOLENCE),
    ("RE: invoice. Fix this by Monday or people are going to get hurt at your office. This is not a joke.", VIOLENCE),
    ("my brother looks after dad and I think he's not giving him his medications, dad had bruises he couldn't explain", ABUSE),
    ("la niñera la encierra en el baño cuando llora y tiene moretones, qué hago", ABUSE),
    ("mi hijo se tomó el jarabe para la tos de su hermano, creo que todo el frasco", POISONING),
    ("my heart has been racing at 180 for over an hour and I feel faint and clammy", MEDICAL),
    ("refill please. my bp cuff says 220/125, bad headache and my vision is blurry", MEDICAL),
    ("since this morning my husband cannot lift his right arm and his speech is garbled", MEDICAL),
    ("mi bebé recién nacido de 10 días tiene 38.4 y no quiere comer", MEDICAL),
])
def test_signs_from_batch_19(text, kind):
    a = detector.assess(text)
    assert a.is_crisis and kind in (a.category, *a.categories), (text, a.matched, a.silenced)


@pytest.mark.parametrize("text", [
    "need a note for work, I had food poisoning from a buffet on Sunday, all good now",
    "I'm a school counselor: what's the protocol if a student I see says they want to die?",
    "cancel my 3pm please, my car was rear-ended this morning, I'm fine, not a scratch, just no car",
    "this lol the stairs at your entrance are icy, someone is going to get hurt",
])
def test_look_alikes_from_batch_19(text):
    a = detector.assess(text)
    assert not a.is_crisis, (text, a.matched)


@pytest.mark.parametrize("text,kind", [
    # read from batch 20's first run (sentences written for this test)
    ("question about my refill: if I skip my insulin on purpose for a week, how long until it's over?", SUICIDE),
    ("worst month ever lol, jumping off the roof of my building sounds like a vacation. anyway med check?", SUICIDE),
    ("please cancel his checkup, his stepdad burned his arm with a lighter as a punishment", ABUSE),
    ("the bruises are from my boyfriend lol, can someone look at my wrist", ABUSE),
    ("me tomé como veinte pastillas de ibuprofeno hace una hora", POISONING),
    ("took 3 xanax and had a few shots of vodka and now I can't really feel my legs", POISONING),
    ("black tarry stools since Sunday and I nearly fainted in the kitchen, can I get in this week?", MEDICAL),
    ("my son's meter just reads HI and he's vomiting and breathing hard", MEDICAL),
    ("she hit her head at the rink and now one pupil is bigger than the other", MEDICAL),
])
def test_signs_from_batch_20(text, kind):
    a = detector.assess(text)
    assert a.is_crisis and kind in (a.category, *a.categories), (text, a.matched, a.silenced)


@pytest.mark.parametrize("text", [
    "the portal keeps choking on my insurance card photo, can I email it?",
    "I took my vitamin D twice this morning, the 2000 IU one, is that bad?",
    "mi hija tiene tos pero está comiendo y jugando normal, ¿hay cita esta semana?",
    "hace años tuve una sobredosis, llevo seis años limpio; necesito mi expediente",
])
def test_look_alikes_from_batch_20(text):
    a = detector.assess(text)
    assert not a.is_crisis, (text, a.matched)
