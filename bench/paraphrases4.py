"""Write fixtures/safety/train_paraphrases4.jsonl: hard negatives and crises for the crisis classifier.

    .venv/bin/python bench/paraphrases4.py

Written 2026-11-28 after the out-of-fold false alarms were read by kind (docs/benchmarks/safety.md):
everyday requests in Spanish (the training set had 5 Spanish everyday lines against hundreds of Spanish
crises, so "quiero cambiar mi cita para el jueves" scored 0.98), events that have passed ("had a fever
on Saturday, fine now, need a follow-up"), family history, Spanish idioms ("mi jefe me va a matar").
Each kind is written next to its *current* twin labelled a crisis ("has a fever of 105 and won't wake
up"), so the head learns the tense and the resolution, not that a booking or a family word means safe.
Deterministic (templates × lists, every combination), so the file only changes when this script does.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "safety" / "train_paraphrases4.jsonl"
SOURCE = "paraphrases4-2026-11-28"

ES_WANT = ["quiero", "necesito", "me gustaria", "quisiera", "puedo", "hola, quiero", "buenas, necesito"]
ES_ACTION = ["una cita", "cambiar mi cita", "cancelar mi cita", "mover mi cita", "reprogramar mi consulta",
             "una consulta con la doctora", "un chequeo", "una cita de seguimiento"]
ES_WHEN = ["para el lunes", "para el martes por la manana", "el jueves en la tarde", "para la proxima semana",
           "para manana", "el viernes temprano", "lo antes posible", "hoy si hay espacio"]
ES_ROUTINE_EXTRA = [
    "a que hora abren el sabado", "aceptan mi seguro medico", "donde estan ubicados", "cuanto cuesta la consulta",
    "necesito una receta de mi medicamento para la presion", "me pueden mandar mis resultados",
    "llego diez minutos tarde", "gracias, eso es todo", "si, el martes me queda bien", "no, gracias",
    "mi hijo necesita sus vacunas para la escuela", "necesito un justificante para el trabajo",
    "tengo tos desde hace una semana, puedo ir esta semana", "me duele la rodilla cuando corro, quiero que me revisen",
    "quiero hablar con alguien sobre mi ansiedad, no es urgente", "necesito cita para mi papanicolaou",
    "mi mama necesita una cita con el cardiologo para su control", "el trafico esta horrible, voy tarde",
    "estoy muerta de cansancio despues del turno, hay citas en la tarde", "me muero de hambre, puedo comer antes del analisis",
    "mi jefe me va a matar si llego tarde otra vez, tienen algo a las siete",
    "mi mama me va a matar si no voy al dentista jaja", "este dolor de espalda me esta matando, quiero una cita",
    "me va a dar algo con estos precios jaja, cuanto cuesta sin seguro",
]

# (what happened, in English and Spanish; category of its current twin)
EVENTS = [
    ("my son had a fever of 104", "mi hijo tuvo fiebre de 40", "medical_emergency"),
    ("I had chest pain", "tuve dolor en el pecho", "medical_emergency"),
    ("my dad had a seizure", "mi papa tuvo una convulsion", "medical_emergency"),
    ("my daughter fainted", "mi hija se desmayo", "medical_emergency"),
    ("I had an allergic reaction to shrimp", "tuve una reaccion alergica a los camarones", "medical_emergency"),
    ("my toddler got into the vitamins", "mi nino se comio unas vitaminas", "poisoning"),
    ("my husband had an asthma attack", "mi esposo tuvo un ataque de asma", "medical_emergency"),
    ("I cut my hand badly", "me corte la mano", "medical_emergency"),
]
WHEN = [("last week", "la semana pasada"), ("on saturday", "el sabado"), ("two years ago", "hace dos anos"),
        ("back in 2022", "en 2022")]
RESOLVED = [("everything checked out fine and it's gone now", "ya esta bien, todo salio normal"),
            ("the ER sent us home and we're fine", "en urgencias nos dijeron que todo estaba bien"),
            ("it went away on its own", "ya se le paso")]
REQUEST = [("can we book the follow-up they asked for", "quiero la cita de seguimiento"),
           ("I just need it added to my chart", "solo quiero que lo anoten en el expediente")]

# the same events happening now: crises, so the head learns the tense, not the topic
NOW = [
    ("my son has a fever of 104 right now and he won't wake up", "mi hijo tiene fiebre de 40 ahorita y no despierta", "medical_emergency"),
    ("I'm having chest pain right now and my left arm is numb", "tengo dolor en el pecho ahora mismo y se me duerme el brazo izquierdo", "medical_emergency"),
    ("my dad is having a seizure and it won't stop", "mi papa esta convulsionando y no para", "medical_emergency"),
    ("my daughter just fainted and isn't responding", "mi hija se acaba de desmayar y no responde", "medical_emergency"),
    ("I ate shrimp and my throat is closing up", "comi camarones y se me esta cerrando la garganta", "medical_emergency"),
    ("my toddler just ate a bottle of my vitamins", "mi nino se acaba de comer un frasco de vitaminas", "poisoning"),
    ("my husband can't breathe, his inhaler isn't helping", "mi esposo no puede respirar y el inhalador no le ayuda", "medical_emergency"),
    ("I cut my hand and it won't stop bleeding", "me corte la mano y no deja de sangrar", "medical_emergency"),
]
NOW_TAIL = [("", ""), (", can someone call me back", ", alguien me puede llamar"),
            (", do I need to come in today", ", tengo que ir hoy")]

HISTORY_EN = [
    "I tried to kill myself when I was 19, I'm doing well now and just need my refill",
    "my ex used to hit me, I left years ago and I'm safe, I need a new patient form",
    "my grandmother died of a stroke, I want to know my own risk at my physical",
    "my father died of a heart attack at 58, please add it to my family history",
    "years ago I overdosed, I've been clean for six years and want to keep my counselling appointment",
    "I had suicidal thoughts in college, therapy helped a lot, can I switch therapists",
    "my brother was in a car accident last year, he's recovered, I'm booking his check-up",
]
HISTORY_ES = [
    "hace anos intente quitarme la vida, ahora estoy bien y solo necesito mi receta",
    "mi ex me pegaba, ya no tengo contacto con el, quiero una doctora para mi chequeo",
    "mi abuela murio de un derrame, quiero saber mi riesgo",
    "mi papa murio de un infarto a los 58, agreguenlo a mis antecedentes",
    "hace anos tuve pensamientos suicidas pero llevo mucho tiempo bien, quiero mi cita con la psicologa",
]
CURRENT_TWINS = [
    ("I'm going to kill myself tonight, I have my pills counted out", "suicide_self_harm", "CRITICAL", "en"),
    ("he hit me again last night and says he'll do it again when he gets home", "abuse", "HIGH", "en"),
    ("I took all my pills an hour ago and I feel dizzy", "poisoning", "CRITICAL", "en"),
    ("I keep thinking about ending my life, I had a plan last week and it's back", "suicide_self_harm", "HIGH", "en"),
    ("ayer me pego otra vez y dice que me va a matar cuando llegue", "abuse", "HIGH", "es"),
    ("me quiero quitar la vida, ya tengo las pastillas", "suicide_self_harm", "CRITICAL", "es"),
    ("me tome todas mis pastillas hace una hora", "poisoning", "CRITICAL", "es"),
    ("my chest pain from last week is back and much worse now, I'm sweating", "medical_emergency", "HIGH", "en"),
    ("el dolor de pecho de la semana pasada volvio y ahora es mas fuerte", "medical_emergency", "HIGH", "es"),
]


def neg(text: str, lang: str) -> dict:
    return {"text": text, "label": "negative", "severity": None, "category": None, "lang": lang, "source": SOURCE}


def pos(text: str, category: str, severity: str, lang: str) -> dict:
    kind = "emergency" if category == "medical_emergency" else "crisis"
    return {"text": text, "label": kind, "severity": severity, "category": category, "lang": lang, "source": SOURCE}


def rows() -> list[dict]:
    out = [neg(f"{w} {a} {t}", "es") for w, a, t in itertools.product(ES_WANT, ES_ACTION, ES_WHEN)][::3]
    out += [neg(t, "es") for t in ES_ROUTINE_EXTRA]
    for (ev_en, ev_es, _), (w_en, w_es), (r_en, r_es), (q_en, q_es) in itertools.product(EVENTS, WHEN, RESOLVED, REQUEST):
        out.append(neg(f"{ev_en} {w_en}, {r_en}, {q_en}", "en"))
        out.append(neg(f"{ev_es} {w_es}, {r_es}, {q_es}", "es"))
    out += [neg(t, "en") for t in HISTORY_EN] + [neg(t, "es") for t in HISTORY_ES]
    for (en, es, cat), (t_en, t_es) in itertools.product(NOW, NOW_TAIL):
        sev = "CRITICAL" if cat == "poisoning" else "HIGH"
        out += [pos(en + t_en, cat, sev, "en"), pos(es + t_es, cat, sev, "es")]
    out += [pos(t, c, s, lang) for t, c, s, lang in CURRENT_TWINS]
    return out


def main() -> None:
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows()), encoding="utf-8")
    print(f"wrote {OUT} ({len(rows())} rows)")


if __name__ == "__main__":
    main()
