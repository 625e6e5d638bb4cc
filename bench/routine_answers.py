"""Write fixtures/safety/routine_answers.txt: the short answers a booking conversation gets.

    .venv/bin/python bench/routine_answers.py

Negatives for the crisis classifier. Without them it had never seen a bare "sore throat" (the
reason for a visit) or "Monday" after two booking turns, and scored them as emergencies: a
sentence encoder puts a lone symptom word next to the emergencies that name it. Deterministic
(templates × lists, no randomness), so the file only changes when this script does.
"""
from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "safety" / "routine_answers.txt"

REASONS = [
    "sore throat", "a rash", "rash on my arm", "cough", "a cough for a week", "the flu", "flu shot", "a physical",
    "annual physical", "check-up", "back pain", "lower back pain", "knee pain", "my knee", "ear infection",
    "ear pain", "sinus infection", "a cold", "headaches", "migraines", "allergies", "pink eye", "a sprained ankle",
    "blood pressure check", "diabetes follow-up", "cholesterol", "a refill", "medication refill", "vaccines",
    "school vaccines", "sports physical", "well child visit", "stomach ache", "heartburn", "acid reflux",
    "trouble sleeping", "anxiety", "depression follow-up", "med check", "a mole", "skin check", "acne", "warts",
    "hip pain", "shoulder pain", "wrist pain", "a UTI", "bladder infection", "fever", "mild fever", "nausea",
    "diarrhea", "constipation", "dizziness", "fatigue", "tiredness", "weight check", "prenatal visit", "pap smear",
    "birth control", "STD test", "lab results", "blood work", "x-ray results", "follow up", "a follow-up visit",
    "asthma follow-up", "inhaler refill", "eczema", "toothache", "eye exam", "chest cold", "bronchitis",
    "swollen glands", "neck pain", "a splinter", "a cut that needs stitches removed", "stitches out",
    "cast check", "physical therapy referral", "a referral", "covid test", "strep test", "tb test",
    "dolor de garganta", "tos", "gripe", "un chequeo", "dolor de espalda", "fiebre", "alergias", "vacunas",
]
REASON_FRAMES = ["{r}", "for {r}", "it's for {r}", "just {r}", "{r} please", "i have {r}", "my son has {r}",
                 "my daughter has {r}", "{r} for a few days", "I'd like to come in for {r}", "need an appt for {r}"]
ANSWERS = [
    "yes", "yep", "yeah", "ya", "sure", "ok", "okay", "no", "nope", "no thanks", "that works", "perfect",
    "sounds good", "the first one", "the second one", "the later one", "option 2", "1", "2", "3", "either",
    "anyone is fine", "any doctor", "whoever is available", "morning", "afternoon", "evening", "mornings",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "tomorrow", "today", "next week",
    "next Tuesday", "this Friday", "Monday morning", "Friday afternoon", "as soon as possible", "the earliest",
    "9 am", "10:30", "2 pm", "3:15", "noon", "after 4", "before lunch", "March 4 1985", "03/04/1985",
    "3125550123", "my cell", "same number", "Maria Garcia", "John Smith", "it's for my son", "for me",
    "I'm a new patient", "returning patient", "cancel it", "cancel my appointment", "reschedule please",
    "move it to Thursday", "what time do you open", "where are you located", "do you take my insurance",
    "thanks", "thank you", "bye", "goodbye", "that's all", "nothing else", "hello", "hi", "hi there",
    "can I talk to a person", "can I speak to someone", "repeat that please", "sorry what", "I'm not sure",
    "hmm", "wait", "actually no", "never mind", "sí", "no gracias", "el lunes", "por la mañana", "gracias",
]


# details a patient gives when asked (the classifier reads them with the values redacted)
DETAILS = [
    "my name is Maria Garcia", "my name is John Nobody", "it's Ana Lopez", "this is Sam Lee calling",
    "my phone is 312-555-0123", "my number is 3125550123", "call me at 773 555 0142", "text me at 312.555.0199",
    "my ssn is 123-45-6789", "my social is 123-45-6789", "my ssn is 123-45-6789 and my phone is 555-123-4567",
    "my date of birth is 03/04/1985", "dob 3/4/85", "born March 4 1985", "my birthday is 4/12/1990",
    "my email is ana@example.com", "email me at sam.lee@example.org", "my card is 4111 1111 1111 1111",
    "my insurance id is XJH123456789", "member id 998877665", "my mrn is 12345678",
    "Maria Garcia, 03/04/1985", "John Smith born 1/2/1970 phone 312-555-0100",
]


def lines() -> list[str]:
    out = [frame.format(r=reason) for reason in REASONS for frame in REASON_FRAMES] + ANSWERS + DETAILS
    return sorted(set(out))


if __name__ == "__main__":
    OUT.write_text("\n".join(lines()) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(lines())} lines)")
