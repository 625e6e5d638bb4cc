"""Reply templates: short, warm, professional and speakable (no markdown, no symbols, no lists
with bullets). Every fact in a reply (times, names, hours) comes from the engine's data.
On SMS and web chat, options are numbered so "2" picks the second.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialogue.ports import Clinic
from dialogue.speech_format import join_words, say_date, say_hours, say_time, say_when
from ehr.types import Appointment, TimeSlot

QUESTIONS = {
    "provider": "Which doctor would you like to see? You can also tell me the kind of doctor, like family medicine or cardiology.",
    "date": "What day works best for you?",
    "time": "Do you prefer the morning or the afternoon? Or tell me a time.",
    "patient_name": "May I have the patient's first and last name?",
    "date_of_birth": "What is the patient's date of birth?",
    "phone": "What is the best phone number to reach you?",
    "reason": "Briefly, what is the reason for the visit?",
    "handoff_offer": "I'm having trouble with that. Would you like me to connect you with someone at our front desk?",
}
VOICE_QUESTIONS = {
    "date_of_birth": "Please key in the patient's date of birth on your phone's keypad, as eight digits: "
                     "month, day and year.",
    "phone": "And the patient's phone number, ten digits on the keypad.",
}


def confirm_identity(first_name: str, booking: bool = True) -> str:
    """On a call, the record the keyed date of birth and phone found, confirmed by yes or no."""
    if booking:
        return f"Thank you. Is this appointment for {first_name}?"
    return f"Thank you. Am I speaking with {first_name}, or about {first_name}'s appointments?"


def question(key: str, channel: str) -> str:
    if channel == "voice" and key in VOICE_QUESTIONS:
        return VOICE_QUESTIONS[key]
    return QUESTIONS.get(key, "How can I help you today?")


def greeting(clinic: Clinic) -> str:
    return (f"Hi, thanks for contacting {clinic.name}. I can help you book, cancel or reschedule an "
            f"appointment, or answer questions about the clinic. How can I help?")


def capabilities(clinic: Clinic) -> str:
    return ("I can help you book, cancel or reschedule an appointment, check your upcoming appointments, "
            f"or tell you {clinic.name}'s hours and address.")


def out_of_scope(clinic: Clinic) -> str:
    return f"I'm sorry, I can't help with that. {capabilities(clinic)}"


def goodbye(clinic: Clinic) -> str:
    return f"Thank you for contacting {clinic.name}. Take care, goodbye!"


def handoff(clinic: Clinic, channel: str) -> str:
    if channel == "voice":
        return "Of course. Please hold while I connect you with our front desk."
    phone = clinic.settings.get("front_desk_phone") or clinic.phone
    reach = f" You can also call us at {phone}." if phone else ""
    return f"I've asked a member of our front desk team to follow up with you.{reach}"


def handoff_pending(clinic: Clinic, resuming: bool) -> str:
    """After a handoff: the request stands, and the conversation can go on here meanwhile."""
    then = "In the meantime, we can finish this here." if resuming else "Is there anything else I can help with?"
    return f"Our front desk team has your request and will be in touch. {then}"


def info(clinic: Clinic, topic: str, providers: list[str]) -> str:
    """Address, phone and providers; hours are `dialogue.hours_answer` (they depend on the question)."""
    if topic == "hours":
        return f"Our hours are {say_hours(clinic.business_hours or {})}."
    if topic == "address":
        return f"We're at {clinic.address}." if clinic.address else "I don't have our address on file, sorry."
    if topic == "phone":
        desk = clinic.settings.get("front_desk_phone")
        if not clinic.phone:
            return f"Our front desk's number is {desk}." if desk else "I don't have our phone number on file."
        extra = f", and the front desk's direct line is {desk}" if desk and desk != clinic.phone else ""
        return f"Our phone number is {clinic.phone}{extra}."
    if topic == "providers":
        return f"Our providers are {join_words(providers)}." if providers else "I don't have our providers on file."
    return capabilities(clinic)


def slot_options(slots: list[TimeSlot], tz: ZoneInfo, channel: str, same_provider: bool,
                 lead: str | None = None) -> str:
    """The offered slots as one sentence. `lead` opens it, with `{who}` where " with Dr. X" goes when
    every slot is that provider's ("The next afternoon openings{who} are"); by default "I have"."""
    parts = []
    for i, slot in enumerate(slots, 1):
        when = say_when(slot.start.astimezone(tz))
        label = when if same_provider else f"{when} with {slot.provider_name}"
        parts.append(f"{i}) {label}" if channel in ("sms", "web") else label)
    who = f" with {slots[0].provider_name}" if same_provider and slots else ""
    opener = lead.format(who=who) if lead else (f"With {slots[0].provider_name}, I have" if who else "I have")
    if channel in ("sms", "web"):
        return f"{opener} " + "; ".join(parts) + ". Which one works for you? You can reply with the number."
    return f"{opener} " + join_words(parts, "or") + ". Which one works for you?"


def slots_intro(slots: list[TimeSlot], provider_name: str | None) -> str:
    return f"Here are the next openings with {provider_name}." if provider_name else "Here are the next openings."


def no_slots(provider_name: str | None, wishes: str = "") -> str:
    """Nothing fits: what was asked for is named, so the patient knows what to change."""
    who = f" with {provider_name}" if provider_name else ""
    if wishes:
        return (f"I'm sorry, I don't see any openings{who}{wishes} in the next few weeks. "
                "Would another time of day or another day work?")
    return f"I'm sorry, I don't see any openings{who} then. Is there another day that works?"


def no_specialty(specialty: str, providers: list[str]) -> str:
    return (f"I'm sorry, we don't have {specialty.lower()} here. "
            f"Our providers are {join_words(providers, 'and')}.")


def read_back_booking(slot: TimeSlot, tz: ZoneInfo, reason: str | None) -> str:
    when = say_when(slot.start.astimezone(tz))
    for_what = f" for {reason}" if reason else ""
    return f"To confirm: {slot.provider_name} on {when}{for_what}. Shall I book it?"


def booked(slot: TimeSlot, tz: ZoneInfo, channel: str) -> str:
    when = say_when(slot.start.astimezone(tz))
    extra = " You'll get a text confirmation." if channel in ("sms", "voice") else ""
    return f"You're all set with {slot.provider_name} on {when}.{extra} Is there anything else I can help with?"


def slot_taken() -> str:
    return "I'm sorry, that time was just taken by someone else."


def appointment_label(a: Appointment, tz: ZoneInfo) -> str:
    return f"{a.provider_name} on {say_when(a.start.astimezone(tz))}"


def appointment_options(appts: list[Appointment], tz: ZoneInfo, channel: str, verb: str) -> str:
    labels = [appointment_label(a, tz) for a in appts]
    if channel in ("sms", "web"):
        listed = "; ".join(f"{i}) {label}" for i, label in enumerate(labels, 1))
        return f"I see these upcoming appointments: {listed}. Which one would you like to {verb}?"
    return f"I see appointments with {join_words(labels, 'and')}. Which one would you like to {verb}?"


def read_back_cancel(a: Appointment, tz: ZoneInfo) -> str:
    return f"Just to confirm, you'd like to cancel your appointment with {appointment_label(a, tz)}?"


def cancelled(a: Appointment, tz: ZoneInfo) -> str:
    return (f"Your appointment with {appointment_label(a, tz)} is cancelled. "
            "Is there anything else I can help with?")


def read_back_reschedule(a: Appointment, slot: TimeSlot, tz: ZoneInfo) -> str:
    return (f"To confirm: move your appointment from {say_when(a.start.astimezone(tz))} to "
            f"{say_when(slot.start.astimezone(tz))} with {slot.provider_name}. Shall I make the change?")


def rescheduled(slot: TimeSlot, tz: ZoneInfo) -> str:
    return (f"Done. Your appointment is now with {slot.provider_name} on {say_when(slot.start.astimezone(tz))}. "
            "Is there anything else I can help with?")


def upcoming_list(appts: list[Appointment], tz: ZoneInfo) -> str:
    if not appts:
        return "I don't see any upcoming appointments for you. Would you like to book one?"
    labels = [appointment_label(a, tz) for a in appts]
    noun = "appointment" if len(appts) == 1 else f"{len(appts)} appointments"
    return f"You have {noun}: {join_words(labels)}. Is there anything else I can help with?"


def no_upcoming(verb: str) -> str:
    return f"I don't see any upcoming appointments to {verb}. Is there anything else I can help with?"


def patient_not_found() -> str:
    return "I couldn't find a patient record with that name and date of birth. Let's try again."


def not_accepting(provider_name: str) -> str:
    return (f"{provider_name} isn't accepting new patients right now. "
            "Would you like to see another doctor? Tell me a name or a kind of doctor.")


def ambiguous_provider(names: list[str]) -> str:
    return f"We have {join_words(names, 'and')}. Which one would you like?"


def did_not_understand(prompt: str) -> str:
    return f"Sorry, I didn't catch that. {prompt}"


def leave_as_is() -> str:
    return "No problem, I'll leave it as it is. Is there anything else I can help with?"


def error() -> str:
    return ("I'm sorry, I'm having trouble reaching our scheduling system right now. "
            "Please try again in a few minutes, or I can connect you with our front desk.")


def schedule_unreachable(clinic: Clinic, channel: str) -> str:
    """The calendar or EHR cannot be reached: say so, book nothing, and offer a person or a message
    (a yes hands the conversation to the front desk: a transfer on a call, a follow-up elsewhere)."""
    head = ("I'm sorry, I can't reach our appointment schedule right now, so I can't book or change "
            "appointments at the moment.")
    if channel == "voice":
        return f"{head} Would you like me to connect you with someone at our front desk, who can also take a message?"
    phone = clinic.settings.get("front_desk_phone") or clinic.phone
    reach = f" You can also call us at {phone}." if phone else ""
    return (f"{head} Would you like me to take a message for our front desk, so someone can get back to you?"
            f"{reach}")


def busy() -> str:
    return "Sorry, I'm still working on your previous message. Please send that again in a moment."


def when_phrase(dt: datetime, tz: ZoneInfo) -> str:
    local = dt.astimezone(tz)
    return f"{say_date(local)} at {say_time(local)}"
