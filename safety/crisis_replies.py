"""What the receptionist says for a crisis: one script per category and severity, in English and Spanish.

Scripts name their help lines only as ``{placeholders}`` filled from `resources.RESOURCES`, the same
table the output privacy check allows, so no reply can carry a number that check would remove.
Imminent risk (CRITICAL) always names 911 first. Categories route to their own lines: self-harm to
988 and 741741, violence to others to 911, abuse to the Domestic Violence Hotline, poisoning to
Poison Control, medical emergencies to 911.
"""

from __future__ import annotations

from typing import Mapping, Optional, Protocol

from safety import resources
from safety.crisis_rules import ABUSE, DISTRESS, MEDICAL, POISONING, SUICIDE, VIOLENCE, Severity


class Assessment(Protocol):
    severity: Optional[Severity]
    category: Optional[str]
    categories: list[str]
    lang: str


SCRIPTS: Mapping[str, Mapping[tuple[str, str], str]] = {
    "en": {
        (SUICIDE, "CRITICAL"): (
            "Your safety matters most right now. If you might act on these thoughts or you are in danger, "
            "please call {emergency} now. You can also call or text {crisis_line}, the Suicide and Crisis Lifeline, "
            "or text HOME to {crisis_text}. I'm getting a person from our staff for you right now."),
        (SUICIDE, "HIGH"): (
            "I'm so sorry you're going through this, and I'm glad you told me. "
            "Please call or text {crisis_line}, the Suicide and Crisis Lifeline, any time, or text HOME to {crisis_text}. "
            "If you're in immediate danger, call {emergency}. I'm connecting you with a person from our staff now."),
        (SUICIDE, "MEDIUM"): (
            "That sounds really hard, and you don't have to face it alone. "
            "You can call or text {crisis_line} any time, day or night, or text HOME to {crisis_text}. "
            "Would you like me to connect you with someone from our staff? We can also keep going with your appointment."),
        (DISTRESS, "MEDIUM"): (
            "I'm sorry you're feeling this way. If it would help to talk to someone right now, you can call or text "
            "{crisis_line} any time, or text HOME to {crisis_text}. Would you like me to connect you with someone from "
            "our staff, or keep going with your appointment?"),
        (DISTRESS, "LOW"): "I'm sorry you're dealing with that. ",
        (VIOLENCE, "CRITICAL"): (
            "Your safety comes first. If you or anyone else is in danger, please call {emergency} right now. "
            "I'm alerting our staff."),
        (VIOLENCE, "HIGH"): (
            "I'm concerned for everyone's safety. If anyone is in danger, please call {emergency} now. "
            "I'm connecting you with a person from our staff."),
        (VIOLENCE, "MEDIUM"): (
            "Thank you for telling me. If you feel you might hurt someone, or anyone is in danger, please call "
            "{emergency}. You can also call or text {crisis_line} to talk with someone right now. "
            "Would you like me to connect you with someone from our staff?"),
        (ABUSE, "CRITICAL"): (
            "Your safety comes first. If you are in danger now, please call {emergency}. When it is safe, the National "
            "Domestic Violence Hotline is {dv_hotline}, day and night. I'm alerting our staff."),
        (ABUSE, "HIGH"): (
            "I'm so sorry this is happening to you. If you are in danger, please call {emergency}. The National Domestic "
            "Violence Hotline is {dv_hotline}, any time, day or night. I'm connecting you with a person from our staff."),
        (ABUSE, "MEDIUM"): (
            "Thank you for telling me. The National Domestic Violence Hotline is {dv_hotline}, any time, day or night; "
            "if you are in danger, call {emergency}. Would you like me to connect you with someone from our staff?"),
        (MEDICAL, "CRITICAL"): (
            "This sounds like a medical emergency. Please hang up and call {emergency} right now, "
            "or have someone near you call. Don't wait for an appointment."),
        (MEDICAL, "HIGH"): (
            "That could be serious. If it's getting worse or you're struggling to breathe, please call {emergency} now. "
            "I'm connecting you with a person from our staff right away."),
        (POISONING, "CRITICAL"): (
            "This could be a poisoning emergency. If the person is hard to wake, having trouble breathing, or having "
            "a seizure, call {emergency} right now. Otherwise call Poison Control at {poison_control} right away; "
            "they answer day and night."),
        (POISONING, "HIGH"): (
            "That could be a poisoning. Please call Poison Control at {poison_control} now; they answer day and night. "
            "If the person is hard to wake, having trouble breathing, or having a seizure, call {emergency}. "
            "I'm connecting you with a person from our staff."),
    },
    "es": {
        (SUICIDE, "CRITICAL"): (
            "Su seguridad es lo más importante ahora. Si podría actuar según estos pensamientos o está en peligro, "
            "llame al {emergency} ahora. También puede llamar o enviar un mensaje de texto al {crisis_line}, la Línea "
            "de Prevención del Suicidio y Crisis; oprima 2 para español. O envíe HOME al {crisis_text}. "
            "Voy a comunicarle con una persona de nuestro personal ahora mismo."),
        (SUICIDE, "HIGH"): (
            "Siento mucho que esté pasando por esto, y me alegra que me lo haya dicho. "
            "Llame o envíe un mensaje de texto al {crisis_line} en cualquier momento; oprima 2 para español. "
            "O envíe HOME al {crisis_text}. Si está en peligro inmediato, llame al {emergency}. "
            "Le comunico con una persona de nuestro personal."),
        (SUICIDE, "MEDIUM"): (
            "Eso suena muy difícil, y no tiene que enfrentarlo a solas. Puede llamar o enviar un mensaje de texto al "
            "{crisis_line} a cualquier hora; oprima 2 para español. O envíe HOME al {crisis_text}. "
            "¿Quiere que le comunique con alguien de nuestro personal? También podemos seguir con su cita."),
        (DISTRESS, "MEDIUM"): (
            "Siento que se sienta así. Si le ayuda hablar con alguien ahora, puede llamar o enviar un mensaje al "
            "{crisis_line}; oprima 2 para español. O envíe HOME al {crisis_text}. ¿Quiere que le comunique con alguien "
            "de nuestro personal, o seguimos con su cita?"),
        (DISTRESS, "LOW"): "Siento mucho que esté pasando por eso. ",
        (VIOLENCE, "CRITICAL"): (
            "Su seguridad es lo primero. Si usted o alguien más está en peligro, llame al {emergency} ahora mismo. "
            "Estoy avisando a nuestro personal."),
        (VIOLENCE, "HIGH"): (
            "Me preocupa la seguridad de todos. Si alguien está en peligro, llame al {emergency} ahora. "
            "Le comunico con una persona de nuestro personal."),
        (VIOLENCE, "MEDIUM"): (
            "Gracias por decírmelo. Si siente que podría hacerle daño a alguien, o alguien está en peligro, llame al "
            "{emergency}. También puede llamar o enviar un mensaje al {crisis_line} para hablar con alguien ahora; "
            "oprima 2 para español. ¿Quiere que le comunique con alguien de nuestro personal?"),
        (ABUSE, "CRITICAL"): (
            "Su seguridad es lo primero. Si está en peligro ahora, llame al {emergency}. Cuando pueda hacerlo con "
            "seguridad, la Línea Nacional contra la Violencia Doméstica es el {dv_hotline}, día y noche. "
            "Estoy avisando a nuestro personal."),
        (ABUSE, "HIGH"): (
            "Siento mucho que le esté pasando esto. Si está en peligro, llame al {emergency}. La Línea Nacional contra "
            "la Violencia Doméstica es el {dv_hotline}, a cualquier hora. Le comunico con una persona de nuestro personal."),
        (ABUSE, "MEDIUM"): (
            "Gracias por decírmelo. La Línea Nacional contra la Violencia Doméstica es el {dv_hotline}, a cualquier hora; "
            "si está en peligro, llame al {emergency}. ¿Quiere que le comunique con alguien de nuestro personal?"),
        (MEDICAL, "CRITICAL"): (
            "Esto parece una emergencia médica. Por favor cuelgue y llame al {emergency} ahora mismo, "
            "o pida a alguien cerca que llame. No espere una cita."),
        (MEDICAL, "HIGH"): (
            "Eso podría ser grave. Si empeora o le cuesta respirar, llame al {emergency} ahora. "
            "Le comunico con una persona de nuestro personal de inmediato."),
        (POISONING, "CRITICAL"): (
            "Esto podría ser una intoxicación. Si la persona no despierta bien, le cuesta respirar o tiene convulsiones, "
            "llame al {emergency} ahora mismo. Si no, llame al Centro de Toxicología al {poison_control} de inmediato; "
            "atienden día y noche."),
        (POISONING, "HIGH"): (
            "Eso podría ser una intoxicación. Llame ahora al Centro de Toxicología al {poison_control}; atienden día y "
            "noche. Si la persona no despierta bien, le cuesta respirar o tiene convulsiones, llame al {emergency}. "
            "Le comunico con una persona de nuestro personal."),
    },
}

# Lines added when a message is more than one thing: an intentional overdose is poisoning and self-harm.
EXTRA = {
    "en": {POISONING: "Poison Control is {poison_control}.",
           SUICIDE: "You can also call or text {crisis_line}, or text HOME to {crisis_text}.",
           ABUSE: "If someone is hurting you, the National Domestic Violence Hotline is {dv_hotline}.",
           "emergency": "If anyone is in immediate danger, call {emergency}."},
    "es": {POISONING: "El Centro de Toxicología es el {poison_control}.",
           SUICIDE: "También puede llamar o enviar un mensaje al {crisis_line}, o enviar HOME al {crisis_text}.",
           ABUSE: "Si alguien le hace daño, la Línea Nacional contra la Violencia Doméstica es el {dv_hotline}.",
           "emergency": "Si hay peligro inmediato, llame al {emergency}."},
}
LADDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def script_for(lang: str, category: str, severity: Severity) -> str:
    """The template for a category at a severity, stepping down the ladder when there is none at it."""
    table = SCRIPTS[lang]
    for name in LADDER:
        if Severity[name] <= severity and (category, name) in table:
            return table[(category, name)]
    return table[(MEDICAL, "CRITICAL")] if severity >= Severity.HIGH else table[(DISTRESS, "MEDIUM")]


def crisis_response(assessment: Assessment, *, spoken: bool = False) -> Optional[str]:
    """What to say for this assessment (None when there is no crisis). ``spoken`` reads numbers digit
    by digit, for a call."""
    if assessment.severity is None:
        return None
    lang = assessment.lang if assessment.lang in SCRIPTS else "en"
    category = assessment.category if any(c == assessment.category for c, _ in SCRIPTS[lang]) else DISTRESS
    if category == DISTRESS and assessment.severity >= Severity.HIGH:
        category = SUICIDE          # distress that needs a person now gets the crisis lines and 911
    parts = [script_for(lang, category, assessment.severity).strip()]
    urgent = assessment.severity >= Severity.HIGH
    for other in (POISONING, SUICIDE, ABUSE):
        if other in assessment.categories and other != category and (urgent or other == POISONING):
            parts.append(EXTRA[lang][other])
    if urgent and "{emergency}" not in parts[0]:
        parts.append(EXTRA[lang]["emergency"])
    return " ".join(parts).format(**resources.numbers(spoken))
