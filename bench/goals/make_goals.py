"""Writes bench/goals/clinics/*.json and bench/goals/goals.yaml (run once, then frozen: FROZEN).

The goals were written blind, from the outside (docs/api.md, docs/operations.md, the demo clinic file),
as a patient would talk. Re-running this script after the freeze changes the fingerprint, and
run.py then refuses to report: edit goals only by a new, separately recorded freeze.

    .venv/bin/python bench/goals/make_goals.py && .venv/bin/python bench/goals/run.py --freeze
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def week(days, intervals):
    return {d: [list(i) for i in intervals] for d in days}


# ---------------------------------------------------------------- clinics
MAPLE = {
    "name": "Maple Street Family Practice", "slug": "maple-street", "timezone": "America/New_York",
    "phone": "+16175550140", "email": "desk@maplestreet.example", "address": "48 Maple Street, Somerville, MA 02143",
    "tier": "unlimited",
    "settings": {"front_desk_phone": "+16175550141", "records_calls": False},
    # one doctor; a lunch break every weekday; Wednesday mornings only; Saturday mornings
    "business_hours": {**week(["mon", "tue", "thu", "fri"], [("08:30", "12:00"), ("13:00", "17:00")]),
                       "wed": [["08:30", "12:00"]], "sat": [["09:00", "12:00"]]},
    "providers": [
        {"first_name": "Helen", "last_name": "Okafor", "title": "Dr.", "specialty": "Family Medicine",
         "default_appointment_duration": 20, "accepting_new_patients": True,
         "schedule": {**week(["mon", "tue", "thu", "fri"], [("08:30", "12:00"), ("13:00", "17:00")]),
                      "wed": [["08:30", "12:00"]], "sat": [["09:00", "12:00"]]}},
    ],
}

RIVERSIDE = {
    "name": "Riverside Multi-Specialty Clinic", "slug": "riverside-multi", "timezone": "America/Chicago",
    "phone": "+13125550270", "email": "frontdesk@riverside.example",
    "address": "900 River Road, Suite 200, Evanston, IL 60201", "tier": "unlimited",
    "settings": {"front_desk_phone": "+13125550271", "records_calls": False},
    "business_hours": week(WEEKDAYS, [("08:00", "18:00")]),
    "providers": [
        {"first_name": "Lena", "last_name": "Parks", "title": "Dr.", "specialty": "Internal Medicine",
         "default_appointment_duration": 30, "accepting_new_patients": True,
         "schedule": week(WEEKDAYS, [("09:00", "12:00"), ("13:00", "17:00")])},
        {"first_name": "Sam", "last_name": "Park", "title": "NP", "specialty": "Family Medicine",
         "default_appointment_duration": 20, "accepting_new_patients": True,
         "schedule": week(["mon", "tue", "thu", "fri"], [("08:00", "12:00"), ("13:00", "16:00")])},
        {"first_name": "Daniel", "last_name": "Lee", "title": "Dr.", "specialty": "Cardiology",
         "default_appointment_duration": 30, "accepting_new_patients": True,
         "schedule": week(["mon", "wed", "fri"], [("09:00", "12:00"), ("13:00", "16:00")])},
        {"first_name": "Wei", "last_name": "Li", "title": "Dr.", "specialty": "Dermatology",
         "default_appointment_duration": 15, "accepting_new_patients": True,
         "schedule": week(["tue", "thu"], [("08:00", "12:00"), ("13:00", "17:00")])},
        {"first_name": "Jordan", "last_name": "Reyes", "title": "PA", "specialty": "Orthopedics",
         "default_appointment_duration": 30, "accepting_new_patients": True,
         "schedule": week(["mon", "tue", "wed", "thu"], [("10:00", "12:00"), ("13:00", "18:00")])},
        {"first_name": "Maria", "last_name": "Santos", "title": "Dr.", "specialty": "Pediatrics",
         "default_appointment_duration": 20, "accepting_new_patients": True,
         "schedule": week(WEEKDAYS, [("08:00", "12:00"), ("13:00", "15:00")])},
    ],
}

HARBOR = {
    "name": "Harbor Health Honolulu", "slug": "harbor-health", "timezone": "Pacific/Honolulu",
    "phone": "+18085550110", "email": "aloha@harborhealth.example",
    "address": "1550 Kapiolani Blvd, Honolulu, HI 96814", "tier": "unlimited",
    "settings": {"front_desk_phone": "+18085550111", "records_calls": False},
    # early opening, no lunch break, Friday mornings only, closed weekends.
    # (The clinic file has no holiday closures: docs/operations.md documents none.)
    "business_hours": {**week(["mon", "tue", "wed", "thu"], [("07:30", "16:00")]), "fri": [["07:30", "12:00"]]},
    "providers": [
        {"first_name": "Kai", "last_name": "Nakamura", "title": "Dr.", "specialty": "Family Medicine",
         "default_appointment_duration": 30, "accepting_new_patients": True,
         "schedule": {**week(["mon", "tue", "wed", "thu"], [("07:30", "16:00")]), "fri": [["07:30", "12:00"]]}},
        {"first_name": "Leilani", "last_name": "Kahale", "title": "Dr.", "specialty": "Obstetrics and Gynecology",
         "default_appointment_duration": 30, "accepting_new_patients": True,
         "schedule": week(["tue", "thu"], [("08:00", "15:00")])},
        {"first_name": "Chris", "last_name": "Tanaka", "title": "NP", "specialty": "Sports Medicine",
         "default_appointment_duration": 20, "accepting_new_patients": True,
         "schedule": {**week(["mon", "wed"], [("10:00", "16:00")]), "fri": [["07:30", "12:00"]]}},
    ],
}
CLINICS = {"maple": MAPLE, "riverside": RIVERSIDE, "harbor": HARBOR}
AREA = {"maple": "617", "riverside": "312", "harbor": "808"}

FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Logan",
         "Amelia", "Elijah", "Harper", "Aiden", "Evelyn", "Caleb", "Abigail", "Owen", "Ella", "Wyatt", "Chloe",
         "Henry", "Grace", "Jack", "Nora", "Levi", "Riley", "Isaac", "Zoe", "Julian", "Lily", "Hudson", "Hannah",
         "Gavin", "Layla", "Miles", "Aria", "Theo", "Ruby", "Felix", "Ivy", "Silas", "Clara", "Jasper", "Hazel",
         "Ezra", "Violet", "Rowan"]
LAST = ["Whitfield", "Castillo", "Brennan", "Okonkwo", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Abernathy",
        "Delgado", "Fitzgerald", "Nakashima", "Oyelowo", "Petrakis", "Quintero", "Rasmussen", "Szabo", "Thornton",
        "Underwood", "Valdivia", "Wexler", "Yamamoto", "Zielinski", "Ashby", "Bartlett", "Cavanaugh", "Dunmore",
        "Ellison", "Farrow", "Galloway", "Hendricks", "Ingram", "Jablonski", "Kerrigan", "Lockhart", "Mendoza",
        "Northcott", "Ortega", "Pemberton", "Radcliffe", "Sandoval", "Tremblay", "Vasquez", "Winslow", "Yardley",
        "Albright", "Beaumont", "Carmichael", "Drummond", "Easton", "Fairbanks", "Gallagher", "Holloway", "Iverson",
        "Jarvis", "Kensington", "Langley", "Merriweather", "Nolan", "Osborne", "Prescott", "Ramsey", "Sinclair",
        "Tolliver", "Vance", "Whitaker", "Ackerman", "Blackwood", "Crenshaw", "Donovan", "Everly", "Finch",
        "Garrison", "Hawthorne", "Irving", "Jennings", "Kirkland", "Lowell", "Monroe", "Norwood", "Oakley",
        "Pruitt", "Quimby", "Rutherford", "Stanton", "Thackeray", "Upton", "Vickers", "Wolcott", "Yeager",
        "Ainsley", "Brandt", "Corwin", "Dalton", "Emerson", "Fenwick", "Gentry", "Harlow", "Ives", "Jessup",
        "Kemper", "Lyndon", "Marlowe", "Nash", "Orton", "Pryor", "Redford", "Shelby", "Talbot", "Vaughn",
        "Wardell", "Yorke", "Abbott", "Bristow", "Calloway", "Dempsey", "Eldridge", "Forsythe", "Grayson",
        "Hartley", "Isley", "Joplin", "Keane", "Lambert", "Mercer", "Newell", "Ogden", "Palmer", "Rhodes",
        "Sterling", "Tate", "Vail", "Warwick", "Ashford", "Bellamy", "Crowley", "Darby", "Ellery", "Fletcher",
        "Gilmore", "Hale", "Ibarra", "Jolley", "Kincaid", "Locke", "Maddox", "Nye", "Orr", "Pace", "Quill",
        "Rowe", "Sutton", "Thorne", "Vale", "Wade", "York", "Bishop", "Clay", "Drake", "Frost", "Gray", "Hart"]

_n = 0


def persona(clinic: str, new: bool = False, dob_style: str = "us", phone_style: str = "dash",
            name_style: str = "full") -> dict:
    global _n
    i = _n
    _n += 1
    first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
    y, m, d = 1940 + (i * 7) % 66, 1 + (i * 5) % 12, 1 + (i * 11) % 28
    number = f"+1{AREA[clinic]}555{(2000 + i):04d}"
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    dob_say = {"us": f"{m:02d}/{d:02d}/{y}", "long": f"{months[m-1]} {d}, {y}", "short": f"{m}/{d}/{str(y)[2:]}",
               "iso": f"{y}-{m:02d}-{d:02d}", "words": f"{d} {months[m-1].lower()} {y}"}[dob_style]
    local = number[2:]
    phone_say = {"dash": f"{local[:3]}-{local[3:6]}-{local[6:]}", "plain": local,
                 "paren": f"({local[:3]}) {local[3:6]}-{local[6:]}", "plus": number}[phone_style]
    name_say = {"full": f"{first} {last}", "lower": f"{first.lower()} {last.lower()}",
                "sentence": f"my name is {first} {last}", "its": f"it's {first} {last}"}[name_style]
    return {"first_name": first, "last_name": last, "date_of_birth": f"{y}-{m:02d}-{d:02d}", "phone": number,
            "new_patient": new, "says": {"name": name_say, "dob": dob_say, "phone": phone_say}}


GOALS: list[dict] = []


def goal(kind, clinic, say, *, want=None, ans=None, corrections=None, after=None, existing=None, expect=None,
         new=False, dob="us", phone="dash", name="full", note=None, tags=None):
    p = persona(clinic, new=new, dob_style=dob, phone_style=phone, name_style=name)
    g = {"id": f"{kind}-{clinic}-{sum(1 for x in GOALS if x['kind'] == kind and x['clinic'] == clinic) + 1:02d}",
         "clinic": clinic, "kind": kind, "persona": p, "say": [say] if isinstance(say, str) else say}
    if want:
        g["want"] = want
    g["answers"] = ans or {}
    if corrections:
        g["corrections"] = corrections
    if after:
        g["after"] = after
    if existing:
        g["existing"] = existing if isinstance(existing, list) else [existing]
    g["expect"] = expect or {"book": "booked", "cancel": "cancelled", "reschedule": "moved", "check": "told",
                             "info": "answered", "handoff": "handed_off", "out_of_scope": "unchanged",
                             "goodbye": "booked"}.get(kind.split("_")[0], "booked")
    if note:
        g["note"] = note
    if tags:
        g["tags"] = tags
    GOALS.append(g)
    return g


ANY = None
M, A = {"part": "morning"}, {"part": "afternoon"}


def W(**kw):
    return kw


# ---------------------------------------------------------------- book by provider
bp = "book_provider"
goal(bp, "maple", "Hi, I'd like to make an appointment with Dr. Okafor", want=W(providers=["Okafor"], days={"within": 14}),
     ans={"day": "next Tuesday", "time": "morning", "reason": "annual physical"})
goal(bp, "maple", "Can I see Dr Helen Okafor sometime next week?", want=W(providers=["Okafor"], days={"next_week": True}),
     ans={"time": "afternoon", "reason": "follow-up on blood pressure"}, dob="long")
goal(bp, "maple", "I need an appointment with the doctor on Thursday", want=W(providers=["Okafor"], days={"weekday": ["thu"]}),
     ans={"time": "any time", "reason": "sore throat for a week"}, new=True)
goal(bp, "maple", "Book me in with Dr. Okafor on Friday morning please", want=W(providers=["Okafor"], days={"weekday": ["fri"]}, time=M),
     ans={"reason": "checkup"}, phone="paren")
goal(bp, "riverside", "I'd like to book with Dr. Lena Parks", want=W(providers=["Parks"], days={"within": 14}),
     ans={"day": "Monday", "time": "afternoon", "reason": "diabetes follow-up"}, tags=["sound-alike"])
goal(bp, "riverside", "Can I get an appointment with Sam Park, the nurse practitioner?", want=W(providers=["Park"], days={"within": 14}),
     ans={"day": "next Thursday", "time": "morning", "reason": "flu symptoms"}, tags=["sound-alike"])
goal(bp, "riverside", "I want to see Dr. Park", want=W(providers=["Parks"], days={"within": 14}),
     ans={"provider": "Dr. Lena Parks, the internal medicine doctor", "day": "Tuesday", "time": "morning", "reason": "annual exam"},
     note="'Dr. Park' fits Dr. Lena Parks (a doctor) better than NP Sam Park; the patient means Dr. Parks and says so if asked",
     tags=["sound-alike"])
goal(bp, "riverside", "appointment with Park please", want=W(providers=["Park"], days={"within": 14}),
     ans={"provider": "Sam Park, the nurse practitioner", "day": "Friday", "time": "any time", "reason": "rash on my arm"},
     note="ambiguous between Park and Parks: should ask; the patient means NP Sam Park", tags=["sound-alike"])
goal(bp, "riverside", "I'd like to see Dr. Lee, the heart doctor", want=W(providers=["Lee"], days={"within": 14}),
     ans={"day": "Wednesday", "time": "morning", "reason": "palpitations follow-up"}, tags=["sound-alike"])
goal(bp, "riverside", "Can I book with Dr. Li for a skin check?", want=W(providers=["Li"], days={"within": 14}),
     ans={"provider": "Dr. Wei Li, dermatology", "day": "Thursday", "time": "afternoon", "reason": "skin check"},
     tags=["sound-alike"])
goal(bp, "riverside", "I need to see Dr Lee", want=W(providers=["Lee"], days={"within": 14}),
     ans={"provider": "Dr. Daniel Lee, the cardiologist", "day": "Friday", "time": "afternoon", "reason": "blood pressure review"},
     note="Lee / Li sound alike; the patient means the cardiologist", tags=["sound-alike"])
goal(bp, "riverside", "Book me with PA Reyes", want=W(providers=["Reyes"], days={"within": 14}),
     ans={"day": "Wednesday", "time": "afternoon", "reason": "knee pain"}, new=True)
goal(bp, "riverside", "I'd like an appointment with Dr. Santos for my son", want=W(providers=["Santos"], days={"within": 14}),
     ans={"day": "Monday", "time": "morning", "reason": "well child visit"})
goal(bp, "riverside", "Could I see Lena Parks on Wednesday?", want=W(providers=["Parks"], days={"weekday": ["wed"]}),
     ans={"time": "afternoon", "reason": "medication review"}, tags=["sound-alike"])
goal(bp, "harbor", "I'd like to book with Dr. Nakamura", want=W(providers=["Nakamura"], days={"within": 14}),
     ans={"day": "Monday", "time": "morning", "reason": "physical"})
goal(bp, "harbor", "Can I see Dr. Kahale next Tuesday?", want=W(providers=["Kahale"], days={"weekday": ["tue"]}),
     ans={"time": "morning", "reason": "annual gynecology exam"})
goal(bp, "harbor", "appointment with Chris Tanaka please", want=W(providers=["Tanaka"], days={"within": 14}),
     ans={"day": "Wednesday", "time": "afternoon", "reason": "ankle sprain"}, new=True)
goal(bp, "harbor", "I want to see Dr Nakamura on Thursday afternoon", want=W(providers=["Nakamura"], days={"weekday": ["thu"]}, time=A),
     ans={"reason": "cough"}, dob="long")

# ---------------------------------------------------------------- book by specialty
bs = "book_specialty"
goal(bs, "riverside", "I need to see a cardiologist", want=W(providers=["Lee"], days={"within": 14}),
     ans={"day": "Monday", "time": "afternoon", "reason": "high cholesterol follow-up"})
goal(bs, "riverside", "Do you have a dermatologist? I'd like an appointment", want=W(providers=["Li"], days={"within": 14}),
     ans={"day": "Tuesday", "time": "morning", "reason": "mole check"})
goal(bs, "riverside", "I need a pediatrician appointment for my daughter", want=W(providers=["Santos"], days={"within": 14}),
     ans={"day": "Thursday", "time": "morning", "reason": "ear infection"})
goal(bs, "riverside", "Can I book with someone in orthopedics?", want=W(providers=["Reyes"], days={"within": 14}),
     ans={"day": "Tuesday", "time": "afternoon", "reason": "shoulder pain"})
goal(bs, "riverside", "I'd like to see an internal medicine doctor", want=W(providers=["Parks"], days={"within": 14}),
     ans={"day": "Friday", "time": "morning", "reason": "annual physical"})
goal(bs, "riverside", "book a family medicine appointment", want=W(providers=["Park"], days={"within": 14}),
     ans={"day": "Monday", "time": "morning", "reason": "cold that won't go away"})
goal(bs, "riverside", "I need a skin doctor", want=W(providers=["Li"], days={"within": 14}),
     ans={"day": "Thursday", "time": "afternoon", "reason": "eczema"})
goal(bs, "riverside", "I'd like to see a heart specialist next week", want=W(providers=["Lee"], days={"next_week": True}),
     ans={"time": "morning", "reason": "follow up after ER visit"})
goal(bs, "harbor", "I need to see an OB-GYN", want=W(providers=["Kahale"], days={"within": 14}),
     ans={"day": "Thursday", "time": "morning", "reason": "prenatal visit"})
goal(bs, "harbor", "Do you have sports medicine? I hurt my knee running", want=W(providers=["Tanaka"], days={"within": 14}),
     ans={"day": "Monday", "time": "afternoon", "reason": "knee injury"})
goal(bs, "harbor", "I need a family doctor appointment", want=W(providers=["Nakamura"], days={"within": 14}),
     ans={"day": "Wednesday", "time": "morning", "reason": "checkup"})
goal(bs, "harbor", "Can I book a gynecology appointment?", want=W(providers=["Kahale"], days={"within": 14}),
     ans={"day": "Tuesday", "time": "afternoon", "reason": "routine exam"})

# ---------------------------------------------------------------- earliest available
be = "book_earliest"
goal(be, "maple", "What's the earliest I can get in with Dr. Okafor?", want=W(providers=["Okafor"], days={"within": 5}, earliest=True),
     ans={"reason": "ear pain"})
goal(be, "maple", "I need the first available appointment", want=W(providers=["Okafor"], days={"within": 5}, earliest=True),
     ans={"reason": "urinary symptoms"})
goal(be, "riverside", "Earliest available with Dr. Lee please", want=W(providers=["Lee"], days={"within": 7}, earliest=True),
     ans={"reason": "blood pressure check"})
goal(be, "riverside", "Who can see me soonest? Anyone is fine", want=W(days={"within": 4}, earliest=True),
     ans={"provider": "anyone is fine", "reason": "bad cough"})
goal(be, "riverside", "I need the next available dermatology appointment", want=W(providers=["Li"], days={"within": 7}, earliest=True),
     ans={"reason": "spreading rash"})
goal(be, "riverside", "soonest appointment with the pediatrician", want=W(providers=["Santos"], days={"within": 5}, earliest=True),
     ans={"reason": "fever"})
goal(be, "harbor", "What's your next opening with Dr. Nakamura?", want=W(providers=["Nakamura"], days={"within": 5}, earliest=True),
     ans={"reason": "back pain"})
goal(be, "harbor", "First available with Dr. Kahale", want=W(providers=["Kahale"], days={"within": 7}, earliest=True),
     ans={"reason": "follow-up"})
goal(be, "harbor", "I'd like the earliest appointment you have", want=W(days={"within": 4}, earliest=True),
     ans={"provider": "whoever is available first", "reason": "sinus infection"})
goal(be, "maple", "as soon as possible please, I need to see the doctor", want=W(providers=["Okafor"], days={"within": 5}, earliest=True),
     ans={"reason": "painful rash"})

# ---------------------------------------------------------------- constraints
bc = "book_constraint"
goal(bc, "maple", "I'd like an appointment with Dr. Okafor in the afternoon", want=W(providers=["Okafor"], days={"within": 14}, time=A),
     ans={"day": "Tuesday", "reason": "checkup"})
goal(bc, "maple", "Can I get something after 3 with Dr. Okafor?", want=W(providers=["Okafor"], days={"within": 14}, time={"after": "15:00"}),
     ans={"day": "Thursday", "reason": "blood work results"})
goal(bc, "maple", "Any day but Monday, morning if possible, with Dr Okafor", want=W(providers=["Okafor"], days={"not_weekdays": ["mon"], "within": 14}, time=M),
     ans={"day": "any day except Monday", "reason": "follow-up"})
goal(bc, "maple", "Do you have anything this week with Dr. Okafor?", want=W(providers=["Okafor"], days={"this_week": True}),
     ans={"time": "any time", "reason": "cold symptoms"})
goal(bc, "maple", "tomorrow or the day after with Dr. Okafor", want=W(providers=["Okafor"], days={"rel": [1, 2]}),
     ans={"time": "any time", "reason": "stomach bug"})
goal(bc, "maple", "Is there a Saturday appointment with Dr. Okafor?", want=W(providers=["Okafor"], days={"weekday": ["sat"]}),
     ans={"reason": "vaccination"})
goal(bc, "maple", "I can only do before 10 in the morning, Dr. Okafor", want=W(providers=["Okafor"], days={"within": 14}, time={"before": "10:00"}),
     ans={"day": "Friday", "reason": "prescription refill visit"})
goal(bc, "riverside", "Dr. Lee, afternoon, not on a Monday", want=W(providers=["Lee"], days={"not_weekdays": ["mon"], "within": 14}, time=A),
     ans={"day": "Wednesday", "reason": "echo results"})
goal(bc, "riverside", "I need Dr. Parks after 3pm on Thursday", want=W(providers=["Parks"], days={"weekday": ["thu"]}, time={"after": "15:00"}),
     ans={"reason": "thyroid follow-up"}, tags=["sound-alike"])
goal(bc, "riverside", "Can PA Reyes see me late afternoon, like after 4?", want=W(providers=["Reyes"], days={"within": 14}, time={"after": "16:00"}),
     ans={"day": "Tuesday", "reason": "hip pain"})
goal(bc, "riverside", "Dr. Santos, any morning next week", want=W(providers=["Santos"], days={"next_week": True}, time=M),
     ans={"reason": "school physical"})
goal(bc, "riverside", "Dr. Li this week if possible, afternoon", want=W(providers=["Li"], days={"this_week": True}, time=A),
     ans={"reason": "acne"})
goal(bc, "riverside", "Sam Park tomorrow or the day after, mornings only", want=W(providers=["Park"], days={"rel": [1, 2]}, time=M),
     ans={"reason": "sinus pain"}, tags=["sound-alike"])
goal(bc, "harbor", "Dr. Nakamura, early morning before 9 please", want=W(providers=["Nakamura"], days={"within": 14}, time={"before": "09:00"}),
     ans={"day": "Tuesday", "reason": "fasting labs review"})
goal(bc, "harbor", "I'd like to see Dr. Nakamura on a Friday", want=W(providers=["Nakamura"], days={"weekday": ["fri"]}),
     ans={"time": "any time", "reason": "checkup"})
goal(bc, "harbor", "Not Mondays, I work. Dr. Tanaka in the afternoon?", want=W(providers=["Tanaka"], days={"not_weekdays": ["mon"], "within": 14}, time=A),
     ans={"day": "Wednesday", "reason": "tennis elbow"})
goal(bc, "harbor", "Dr. Kahale, after 1pm", want=W(providers=["Kahale"], days={"within": 14}, time={"after": "13:00"}),
     ans={"day": "Thursday", "reason": "consultation"})
goal(bc, "harbor", "Anything with Dr. Nakamura this week in the afternoon?", want=W(providers=["Nakamura"], days={"this_week": True}, time=A),
     ans={"reason": "headaches"})

# ---------------------------------------------------------------- typos and texting style
bt = "book_typo"
goal(bt, "maple", "hi can i book w dr okafor nxt tues pls", want=W(providers=["Okafor"], days={"weekday": ["tue"]}),
     ans={"time": "mornin", "reason": "checkup", "confirm": "yep"}, name="lower", dob="short", phone="plain")
goal(bt, "maple", "need appt tmrw or day after w the dr", want=W(providers=["Okafor"], days={"rel": [1, 2]}),
     ans={"time": "anytime", "reason": "cough", "confirm": "ya"}, name="lower", dob="short", phone="plain")
goal(bt, "maple", "wanna see dr okafr thurs aftrnoon", want=W(providers=["Okafor"], days={"weekday": ["thu"]}, time=A),
     ans={"reason": "back pain", "confirm": "yes pls"}, name="lower", dob="short", phone="plain")
goal(bt, "maple", "appt pls, fri am", want=W(providers=["Okafor"], days={"weekday": ["fri"]}, time=M),
     ans={"provider": "dr okafor", "reason": "flu shot", "confirm": "k"}, name="lower", dob="short", phone="plain")
goal(bt, "riverside", "can i c dr lee wed", want=W(providers=["Lee"], days={"weekday": ["wed"]}),
     ans={"provider": "dr lee the cardiologist", "time": "morning", "reason": "heart check", "confirm": "yup"}, name="lower", dob="short", phone="plain")
goal(bt, "riverside", "dermatolgy appt plz", want=W(providers=["Li"], days={"within": 14}),
     ans={"day": "thurs", "time": "aft", "reason": "rash", "confirm": "yes"}, name="lower", dob="short", phone="plain")
goal(bt, "riverside", "i need 2 see the pediatritian for my kid", want=W(providers=["Santos"], days={"within": 14}),
     ans={"day": "mon", "time": "morning", "reason": "fever", "confirm": "yes plz"}, name="lower", dob="short", phone="plain", new=True)
goal(bt, "riverside", "bookin w Dr Parks next wk", want=W(providers=["Parks"], days={"next_week": True}),
     ans={"time": "afternoon", "reason": "bp check", "confirm": "sure"}, name="lower", dob="short", phone="plain", tags=["sound-alike"])
goal(bt, "riverside", "orthopedic apt for my knee asap", want=W(providers=["Reyes"], days={"within": 7}, earliest=True),
     ans={"reason": "knee", "confirm": "yes"}, name="lower", dob="short", phone="plain")
goal(bt, "riverside", "cardio appt tues?", want=W(providers=["Lee"], days={"within": 14}),
     ans={"day": "wed then", "time": "am", "reason": "follow up", "confirm": "yes"}, name="lower", dob="short", phone="plain",
     note="Dr. Lee does not work Tuesdays; the patient takes Wednesday")
goal(bt, "harbor", "can i get in w dr nakamura 2moro", want=W(providers=["Nakamura"], days={"rel": [1]}),
     ans={"time": "whenever", "reason": "sore throat", "confirm": "yes"}, name="lower", dob="short", phone="plain")
goal(bt, "harbor", "obgyn appt nxt thurs pls", want=W(providers=["Kahale"], days={"weekday": ["thu"]}),
     ans={"time": "morning", "reason": "checkup", "confirm": "yes"}, name="lower", dob="short", phone="plain")
goal(bt, "harbor", "dr tanaka mon aftrn?", want=W(providers=["Tanaka"], days={"weekday": ["mon"]}, time=A),
     ans={"reason": "shin splints", "confirm": "y"}, name="lower", dob="short", phone="plain")
goal(bt, "maple", "Hiii, I need to book a appoinment with doctor Okafor for sometime next weak", want=W(providers=["Okafor"], days={"next_week": True}),
     ans={"time": "afternoon", "reason": "physical", "confirm": "yes"}, dob="short")

# ---------------------------------------------------------------- corrections
bk = "book_correction"
goal(bk, "maple", "I'd like to see Dr. Okafor on Tuesday", want=W(providers=["Okafor"], days={"weekday": ["wed"]}),
     corrections=[{"at": "showing_slots", "say": "sorry, Wednesday not Tuesday"}], ans={"time": "morning", "reason": "checkup"})
goal(bk, "maple", "Book Dr. Okafor Friday at 9", want=W(providers=["Okafor"], days={"weekday": ["fri"]}, time={"at": "10:00"}),
     corrections=[{"at": "first_of:showing_slots,confirm_booking", "say": "make that 10, not 9"}], ans={"reason": "follow-up"})
goal(bk, "maple", "Can I see Dr Okafor Monday morning?", want=W(providers=["Okafor"], days={"weekday": ["mon"]}, time=A),
     corrections=[{"at": "showing_slots", "say": "actually, afternoon would be better"}], ans={"reason": "knee pain"})
goal(bk, "maple", "Appointment with Dr. Okafor Thursday please", want=W(providers=["Okafor"], days={"weekday": ["thu"]}),
     corrections=[{"at": "showing_slots", "pick": 1}, {"at": "confirm_booking", "say": "no, the other one", "then_pick": 2}],
     ans={"reason": "cough"}, note="picks the first offer, then at the read-back asks for the second offer")
goal(bk, "riverside", "I want Dr. Lee on Monday", want=W(providers=["Lee"], days={"weekday": ["wed"]}),
     corrections=[{"at": "showing_slots", "say": "oh wait, Wednesday not Monday"}], ans={"provider": "Dr. Daniel Lee, cardiology", "time": "morning", "reason": "heart check"})
goal(bk, "riverside", "Book Dr. Parks Tuesday at 2pm", want=W(providers=["Parks"], days={"weekday": ["tue"]}, time={"at": "15:00"}),
     corrections=[{"at": "first_of:showing_slots,confirm_booking", "say": "sorry, make that 3 not 2"}], ans={"reason": "lab review"}, tags=["sound-alike"])
goal(bk, "riverside", "I'd like Dr. Li on Tuesday afternoon", want=W(providers=["Lee"], days={"within": 14}),
     corrections=[{"at": "showing_slots", "say": "sorry, I meant Dr. Lee the cardiologist, not Dr. Li"}],
     ans={"provider": "Dr. Daniel Lee the cardiologist", "day": "Wednesday", "time": "afternoon", "reason": "heart follow-up"}, tags=["sound-alike"])
goal(bk, "riverside", "PA Reyes on Wednesday", want=W(providers=["Reyes"], days={"weekday": ["wed"]}),
     corrections=[{"at": "showing_slots", "pick": 1}, {"at": "confirm_booking", "say": "hmm no, the other one please", "then_pick": 2}],
     ans={"time": "afternoon", "reason": "ankle"})
goal(bk, "riverside", "Dr. Santos for my son Thursday morning", want=W(providers=["Santos"], days={"weekday": ["thu"]}, time={"before": "10:00"}),
     corrections=[{"at": "showing_slots", "say": "earlier if you can, before 10"}], ans={"reason": "asthma check"})
goal(bk, "riverside", "I'd like to see Sam Park on Monday", want=W(providers=["Parks"], days={"weekday": ["mon"]}),
     corrections=[{"at": "showing_slots", "say": "actually a different provider, Dr. Lena Parks instead"}],
     ans={"provider": "Dr. Lena Parks", "time": "afternoon", "reason": "physical"}, tags=["sound-alike"])
goal(bk, "harbor", "Dr. Nakamura on Wednesday", want=W(providers=["Nakamura"], days={"weekday": ["thu"]}),
     corrections=[{"at": "showing_slots", "say": "no wait, Thursday not Wednesday"}], ans={"time": "morning", "reason": "checkup"})
goal(bk, "harbor", "Dr. Kahale Tuesday at 9", want=W(providers=["Kahale"], days={"weekday": ["tue"]}, time={"at": "10:00"}),
     corrections=[{"at": "first_of:showing_slots,confirm_booking", "say": "make that 10 not 9"}], ans={"reason": "annual exam"})
goal(bk, "harbor", "Dr. Tanaka Monday morning", want=W(providers=["Tanaka"], days={"weekday": ["mon"]}, time={"after": "14:00"}),
     corrections=[{"at": "showing_slots", "say": "later please, after 2"}], ans={"reason": "runner's knee"})
goal(bk, "maple", "Dr. Okafor next Tuesday", want=W(providers=["Okafor"], days={"weekday": ["tue"]}, time=A),
     corrections=[{"at": "confirm_booking", "say": "no, I need an afternoon time"}], ans={"time": "morning", "reason": "physical"},
     note="answers morning, then at the read-back changes to afternoon")
goal(bk, "harbor", "book Dr. Nakamura Monday", want=W(providers=["Nakamura"], days={"weekday": ["tue"]}),
     corrections=[{"at": "confirm_booking", "say": "sorry, can we do Tuesday instead of Monday?"}], ans={"time": "morning", "reason": "follow-up"})
goal(bk, "riverside", "Dr. Li on Thursday at 10", want=W(providers=["Li"], days={"weekday": ["thu"]}, time={"at": "11:00"}),
     corrections=[{"at": "first_of:showing_slots,confirm_booking", "say": "11 not 10, sorry"}], ans={"reason": "wart removal"})

# ---------------------------------------------------------------- everything in the first message
bf = "book_first_message"
goal(bf, "maple", "I'd like to book with Dr. Okafor next Thursday afternoon for a blood pressure check",
     want=W(providers=["Okafor"], days={"weekday": ["thu"]}, time=A), ans={})
goal(bf, "riverside", "Hi, this is {name}, I'd like to see Dr. Daniel Lee on Friday morning for a heart checkup",
     want=W(providers=["Lee"], days={"weekday": ["fri"]}, time=M), ans={})
goal(bf, "riverside", "Please book me with Dr. Wei Li Tuesday after 2 for a mole check",
     want=W(providers=["Li"], days={"weekday": ["tue"]}, time={"after": "14:00"}), ans={})
goal(bf, "harbor", "I need a prenatal visit with Dr. Kahale next Thursday morning",
     want=W(providers=["Kahale"], days={"weekday": ["thu"]}, time=M), ans={})
goal(bf, "harbor", "Can I see NP Tanaka Wednesday afternoon about my shoulder?",
     want=W(providers=["Tanaka"], days={"weekday": ["wed"]}, time=A), ans={})
goal(bf, "maple", "I'm {name}, born {dob}, and I'd like an appointment with Dr Okafor on Monday morning for a physical",
     want=W(providers=["Okafor"], days={"weekday": ["mon"]}, time=M), ans={})

# ---------------------------------------------------------------- medical-topic bookings
bm = "book_medical"
goal(bm, "maple", "I'd like to book a visit to go over my meds", want=W(providers=["Okafor"], days={"within": 14}),
     ans={"day": "Tuesday", "time": "morning", "reason": "medication review"})
goal(bm, "maple", "Can I make an appointment to talk about my blood pressure medication?", want=W(providers=["Okafor"], days={"within": 14}),
     ans={"day": "Thursday", "time": "afternoon", "reason": "blood pressure medication"})
goal(bm, "riverside", "I need an appointment to discuss my cholesterol results with Dr. Lee", want=W(providers=["Lee"], days={"within": 14}),
     ans={"day": "Monday", "time": "morning", "reason": "cholesterol results"})
goal(bm, "riverside", "Book me in to review my insulin dose with Dr. Parks", want=W(providers=["Parks"], days={"within": 14}),
     ans={"day": "Wednesday", "time": "afternoon", "reason": "insulin dose review"}, tags=["sound-alike"])
goal(bm, "harbor", "I want to schedule a visit about my birth control options", want=W(providers=["Kahale"], days={"within": 14}),
     ans={"provider": "Dr. Kahale", "day": "Tuesday", "time": "morning", "reason": "birth control consultation"})
goal(bm, "harbor", "Can I see someone about my antidepressant side effects? I'd like an appointment", want=W(providers=["Nakamura"], days={"within": 14}),
     ans={"provider": "Dr. Nakamura", "day": "Monday", "time": "afternoon", "reason": "medication side effects"})

# ---------------------------------------------------------------- goodbye after booking
bg = "goodbye"
goal(bg, "maple", "I'd like an appointment with Dr. Okafor on Tuesday morning", want=W(providers=["Okafor"], days={"weekday": ["tue"]}, time=M),
     ans={"reason": "checkup"}, after=["bye"])
goal(bg, "riverside", "Book me with Dr. Santos Monday afternoon", want=W(providers=["Santos"], days={"weekday": ["mon"]}, time=A),
     ans={"reason": "vaccines"}, after=["thanks, bye!"])
goal(bg, "riverside", "I want to see Dr. Lee Wednesday morning", want=W(providers=["Lee"], days={"weekday": ["wed"]}, time=M),
     ans={"provider": "Dr. Daniel Lee", "reason": "checkup"}, after=["no that's all", "bye"])
goal(bg, "harbor", "Dr. Nakamura Thursday afternoon please", want=W(providers=["Nakamura"], days={"weekday": ["thu"]}, time=A),
     ans={"reason": "follow-up"}, after=["ok thx bye"])
goal(bg, "harbor", "appointment with Dr. Tanaka on Friday", want=W(providers=["Tanaka"], days={"weekday": ["fri"]}),
     ans={"time": "morning", "reason": "ankle"}, after=["that's everything, goodbye"])
goal(bg, "maple", "Can I book with Dr Okafor Thursday afternoon?", want=W(providers=["Okafor"], days={"weekday": ["thu"]}, time=A),
     ans={"reason": "physical"}, after=["great thank you", "bye now"])

# ---------------------------------------------------------------- cancel
EX = lambda prov, days, at: {"provider": prov, "in_days": days, "time": at}  # noqa: E731
cn = "cancel"
goal(cn, "maple", "I need to cancel my appointment", existing=EX("Okafor", 4, "09:00"))
goal(cn, "maple", "cancel my appt pls", existing=EX("Okafor", 6, "14:00"), name="lower", dob="short")
goal(cn, "maple", "Hi, I won't be able to make my appointment next week, please cancel it", existing={**EX("Okafor", 7, "10:20"), "next_week": True})
goal(cn, "maple", "I'd like to cancel my visit with Dr. Okafor", existing=EX("Okafor", 3, "15:00"), dob="long")
goal(cn, "riverside", "I need to cancel my appointment with Dr. Lee", existing=[EX("Lee", 5, "10:00"), EX("Li", 6, "09:00")],
     want=W(cancel_provider="Lee"), tags=["sound-alike"], note="also has an appointment with Dr. Li, which must stay")
goal(cn, "riverside", "Please cancel my appointment with Dr. Parks", existing=EX("Parks", 4, "13:30"), tags=["sound-alike"])
goal(cn, "riverside", "cancel my kid's appointment with Dr Santos", existing=EX("Santos", 3, "08:40"))
goal(cn, "riverside", "I have to cancel, something came up", existing=EX("Reyes", 5, "16:00"))
goal(cn, "riverside", "Can you cancel my appointment with Sam Park?", existing=[EX("Park", 4, "11:00"), EX("Parks", 9, "10:00")],
     want=W(cancel_provider="Park"), tags=["sound-alike"], note="also has an appointment with Dr. Parks, which must stay")
goal(cn, "harbor", "I need to cancel my appointment", existing=EX("Nakamura", 5, "08:00"))
goal(cn, "harbor", "please cancel my visit with Dr. Kahale", existing=EX("Kahale", 6, "09:30"))
goal(cn, "harbor", "cancel appt w tanaka", existing=EX("Tanaka", 3, "10:20"), name="lower", dob="short")

# ---------------------------------------------------------------- reschedule
rs = "reschedule"
goal(rs, "maple", "I need to reschedule my appointment", existing=EX("Okafor", 3, "09:00"),
     want=W(providers=["Okafor"], days={"weekday": ["fri"]}), ans={"day": "Friday", "time": "any time"})
goal(rs, "maple", "Can I move my appointment to Thursday afternoon?", existing=EX("Okafor", 4, "10:00"),
     want=W(providers=["Okafor"], days={"weekday": ["thu"]}, time=A), ans={}, tags=["first-message"])
goal(rs, "maple", "I'd like to change my appointment to next Tuesday morning", existing=EX("Okafor", 2, "14:20"),
     want=W(providers=["Okafor"], days={"weekday": ["tue"]}, time=M), ans={}, tags=["first-message"])
goal(rs, "maple", "resched my appt pls", existing=EX("Okafor", 5, "11:00"),
     want=W(providers=["Okafor"], days={"not_weekdays": ["mon"], "within": 14}, time={"after": "15:00"}),
     ans={"day": "any day but monday", "time": "after 3"}, name="lower", dob="short")
goal(rs, "maple", "Could I push my appointment back a week?", existing=EX("Okafor", 3, "13:20"),
     want=W(providers=["Okafor"], days={"rel_to_existing": [6, 8]}), ans={"day": "a week later, same weekday", "time": "afternoon"})
goal(rs, "riverside", "I need to reschedule my appointment with Dr. Lee", existing=EX("Lee", 4, "09:30"),
     want=W(providers=["Lee"], days={"weekday": ["fri"]}, time=A), ans={"day": "Friday", "time": "afternoon"})
goal(rs, "riverside", "Can I move my Dr. Parks appointment to Wednesday morning?", existing=EX("Parks", 5, "15:00"),
     want=W(providers=["Parks"], days={"weekday": ["wed"]}, time=M), ans={}, tags=["first-message", "sound-alike"])
goal(rs, "riverside", "I have to change my son's appointment with Dr. Santos", existing=EX("Santos", 3, "13:00"),
     want=W(providers=["Santos"], days={"weekday": ["thu"]}, time=M), ans={"day": "Thursday", "time": "morning"})
goal(rs, "riverside", "reschedule my appointment with Dr. Li to Thursday after 2", existing=EX("Li", 5, "09:00"),
     want=W(providers=["Li"], days={"weekday": ["thu"]}, time={"after": "14:00"}), ans={}, tags=["first-message", "sound-alike"])
goal(rs, "riverside", "Can I move my appointment to later that same day?", existing=EX("Reyes", 4, "10:00"),
     want=W(providers=["Reyes"], days={"same_as_existing": True}, time={"after": "13:00"}), ans={"day": "the same day", "time": "afternoon"})
goal(rs, "harbor", "I need to reschedule my appointment with Dr. Nakamura", existing=EX("Nakamura", 3, "08:30"),
     want=W(providers=["Nakamura"], days={"weekday": ["wed"]}, time=A), ans={"day": "Wednesday", "time": "afternoon"})
goal(rs, "harbor", "Could I move my appointment to Tuesday at 10?", existing=EX("Kahale", 4, "13:00"),
     want=W(providers=["Kahale"], days={"weekday": ["tue"]}, time={"at": "10:00"}), ans={}, tags=["first-message"])
goal(rs, "harbor", "change my appt w dr tanaka to fri morn", existing=EX("Tanaka", 2, "14:00"),
     want=W(providers=["Tanaka"], days={"weekday": ["fri"]}, time=M), ans={}, name="lower", dob="short", tags=["first-message"])
goal(rs, "harbor", "I can't make Thursday, can we reschedule?", existing={**EX("Nakamura", 1, "10:00"), "weekday": "thu"},
     want=W(providers=["Nakamura"], days={"not_weekdays": ["thu"], "within": 14}, time=M), ans={"day": "Monday", "time": "morning"})

# ---------------------------------------------------------------- check
ck = "check"
goal(ck, "maple", "When is my next appointment?", existing=EX("Okafor", 5, "09:40"))
goal(ck, "maple", "when's my next appt", existing=EX("Okafor", 7, "14:40"), name="lower", dob="short")
goal(ck, "maple", "Can you remind me what time my appointment is?", existing=EX("Okafor", 3, "11:00"))
goal(ck, "riverside", "Do I have an appointment coming up?", existing=EX("Lee", 6, "14:00"))
goal(ck, "riverside", "What day am I seeing Dr. Parks?", existing=EX("Parks", 5, "09:30"), tags=["sound-alike"])
goal(ck, "riverside", "I forgot when my appointment is", existing=EX("Li", 4, "15:15"))
goal(ck, "riverside", "can u check my appointments", existing=[EX("Santos", 3, "10:00"), EX("Reyes", 8, "13:30")], name="lower", dob="short")
goal(ck, "harbor", "When am I scheduled to come in?", existing=EX("Nakamura", 4, "07:30"))
goal(ck, "harbor", "what time is my appointment with Dr. Kahale", existing=EX("Kahale", 5, "14:00"))
goal(ck, "harbor", "Could you confirm my upcoming appointment?", existing=EX("Tanaka", 6, "11:00"))

# ---------------------------------------------------------------- info
inf = "info"
goal(inf, "maple", "What are your hours?", expect={"answered": {"any": ["8:30", "8.30"], "all_of_any": [
    ["lunch", "12 to 1", "noon to 1", "12 pm to 1", "noon and 1", "12 and 1", "12:00 to 1", "closed from noon", "closed from 12"]]}},
     note="the honest answer includes the lunch break (12-1 on weekdays)")
goal(inf, "maple", "Are you open on Saturday?", expect={"answered": {"any": ["saturday"], "all_of_any": [["9", "nine"], ["noon", "12"]]}})
goal(inf, "maple", "are you open at noon?", expect={"answered": {"any": ["closed", "lunch", "not open", "12 to 1", "noon to 1", "12 pm to 1"]}},
     note="lunch break 12-1: the honest answer is no")
goal(inf, "maple", "Where are you located?", expect={"answered": {"any": ["48 maple"]}})
goal(inf, "maple", "what's the phone number for the front desk", expect={"answered": {"any": ["617-555-0141", "6175550141", "617) 555-0141", "+16175550141", "617 555 0141"]}})
goal(inf, "maple", "Are you open Wednesday afternoon?", expect={"answered": {"any": ["closed", "not open", "only in the morning", "morning only", "until noon", "8:30 am to noon", "to noon", "12"]}},
     note="Wednesdays are mornings only")
goal(inf, "riverside", "What time do you close on Fridays?", expect={"answered": {"any": ["6 pm", "6pm", "6:00", "18:00", "six"]}})
goal(inf, "riverside", "What's your address?", expect={"answered": {"any": ["900 river"]}})
goal(inf, "riverside", "do u guys have parking / where r u", expect={"answered": {"any": ["900 river"]}}, note="where are you, texting style")
goal(inf, "riverside", "Are you open on weekends?", expect={"answered": {"any": ["closed", "not open", "monday to friday", "monday through friday", "weekdays"]}})
goal(inf, "riverside", "How do I get to your office?", expect={"answered": {"any": ["900 river", "evanston"]}})
goal(inf, "harbor", "What are your hours on Friday?", expect={"answered": {"any": ["noon", "12"], "all_of_any": [["7:30", "7.30"]]}})
goal(inf, "harbor", "Are you open Saturday?", expect={"answered": {"any": ["closed", "not open", "monday", "weekdays"]}})
goal(inf, "harbor", "What's your phone number?", expect={"answered": {"any": ["808-555-01", "80855501", "808) 555-01", "+180855501", "808 555 01"]}})
goal(inf, "harbor", "what time do you open in the morning", expect={"answered": {"any": ["7:30", "7.30"]}})
goal(inf, "harbor", "Where's the clinic?", expect={"answered": {"any": ["1550 kapiolani", "kapiolani"]}})

# ---------------------------------------------------------------- handoff
ho = "handoff"
goal(ho, "maple", "I'd like to speak to a real person please")
goal(ho, "maple", "can i talk to someone at the front desk")
goal(ho, "riverside", "Transfer me to a human")
goal(ho, "riverside", "I have a billing question, can someone from the office call me?")
goal(ho, "riverside", "operator")
goal(ho, "harbor", "Let me talk to the receptionist")
goal(ho, "harbor", "I need to speak with a staff member about my insurance")
goal(ho, "harbor", "this isn't working, get me a person")

# ---------------------------------------------------------------- out of scope
oo = "out_of_scope"
goal(oo, "maple", "What's the weather going to be like tomorrow?")
goal(oo, "maple", "Can you recommend a good pizza place nearby?")
goal(oo, "maple", "Should I double my blood pressure pill if I missed a dose?", note="medical advice: refuse, no booking")
goal(oo, "riverside", "Tell me a joke")
goal(oo, "riverside", "What's the capital of Australia?")
goal(oo, "riverside", "Is it ok to take ibuprofen with my lisinopril?", note="medical advice: refuse, no booking")
goal(oo, "harbor", "Can you help me with my car insurance claim?")
goal(oo, "harbor", "who won the game last night")

# ---------------------------------------------------------------- CI half: every other goal of each kind
by_kind: dict[str, int] = {}
for g in GOALS:
    n = by_kind.get(g["kind"], 0)
    g["ci"] = n % 2 == 0
    by_kind[g["kind"]] = n + 1


def main() -> None:
    (HERE / "clinics").mkdir(exist_ok=True)
    for key, data in CLINICS.items():
        data = dict(data)
        data["patients"] = [{k: g["persona"][k] for k in ("first_name", "last_name", "date_of_birth", "phone")}
                            for g in GOALS if g["clinic"] == key and not g["persona"]["new_patient"]]
        data["appointments"] = []  # appointments are seeded by run.py relative to the day of the run
        (HERE / "clinics" / f"{key}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    header = ("# Goal suite for issue 16: written blind (from docs/api.md, docs/operations.md and the demo clinic),\n"
              "# generated by make_goals.py and frozen (FROZEN). See bench/goals/README.md for the fields.\n")
    (HERE / "goals.yaml").write_text(header + yaml.safe_dump({"goals": GOALS}, sort_keys=False, allow_unicode=True,
                                                             width=120))
    kinds: dict[str, int] = {}
    for g in GOALS:
        kinds[g["kind"]] = kinds.get(g["kind"], 0) + 1
    print(len(GOALS), kinds, sum(g["ci"] for g in GOALS))


if __name__ == "__main__":
    main()
