"""The TwiML of a warm transfer, one function a document, and the words the front desk hears first.

    caller leg (REST update)   <Dial><Conference waitUrl=hold startConferenceOnEnter=false>NAME   (on hold)
    desk leg (Calls.create)    Url=whisper: <Gather numDigits=1 actionOnEmptyResult> the whisper, "press 1"
    desk presses 1             desk: <Dial><Conference startConferenceOnEnter endConferenceOnExit>NAME
                               caller (REST update): <Say>Connecting you…</Say> + the same conference
    nobody takes it            caller (REST update): <Connect><Stream> again, on the same conversation

The conference name is derived from the handoff with the server's secret (HMAC), so it cannot be
guessed from anything a caller or the desk sees.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Connect, Dial, Gather, Stream, VoiceResponse

from channels.voice.security import media_stream_url, stream_token

VOICE = "Polly.Joanna"
HOLD_MUSIC = "https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
PLEASE_HOLD = "Please hold while I connect you with our front desk."
CONNECTING = "Connecting you to the front desk now."
PRESS_1 = "Press 1 to take the call, or any other key to send the caller back to the assistant."
CALLER_LEFT = "Sorry, the caller has left. Goodbye."
TAKEN = "This call has already been taken. Goodbye."
DECLINED = "Okay. The assistant will take a message from the caller. Goodbye."
WHISPER_GATHER_SECONDS = 10
PATH = "/webhooks/twilio/voice/transfer"
CONFERENCE_EVENTS = "start end join leave"
# A date (03/04/1985, 1985-03-04) or a run of 7+ digits (a phone number, a date of birth typed as
# digits), with the separators people and recognisers put in them.
_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")
_DIGITS = re.compile(r"\+?\d(?:[\s().-]*\d){6,}")
REASONS = {"caller_request": "they asked for a person", "asked_for_person": "they asked for a person",
           "keypad_zero": "they pressed 0 for a person", "crisis": "a safety concern: take this call first",
           "emergency": "a possible emergency: take this call first", "escalate": "a safety concern"}


def conference_name(secret_key: str, handoff_id: str) -> str:
    digest = hmac.new(secret_key.encode(), f"warm-transfer:{handoff_id}".encode(), hashlib.sha256).hexdigest()
    return f"desk-{digest[:32]}"


@dataclass(frozen=True)
class TransferUrls:
    """The absolute (public) URLs Twilio requests for one transfer; each names the clinic and handoff."""
    base: str
    clinic_id: str
    handoff_id: str

    def _url(self, leaf: str) -> str:
        return f"{self.base.rstrip('/')}{PATH}/{leaf}?{urlencode({'c': self.clinic_id, 'h': self.handoff_id})}"

    @property
    def hold(self) -> str:
        return self._url("hold")

    @property
    def whisper(self) -> str:
        return self._url("whisper")

    @property
    def choice(self) -> str:
        return self._url("choice")

    @property
    def desk_status(self) -> str:
        return self._url("desk-status")

    @property
    def conference(self) -> str:
        return self._url("conference")


def _xml(response: VoiceResponse) -> str:
    return str(response)


def _join(dial_to: Dial, name: str, urls: TransferUrls, *, label: str, wait: bool) -> None:
    extra = {"wait_url": urls.hold, "wait_method": "POST"} if wait else {}
    dial_to.conference(name, beep=False, start_conference_on_enter=not wait, end_conference_on_exit=not wait,
                       status_callback=urls.conference, status_callback_method="POST",
                       status_callback_event=CONFERENCE_EVENTS, participant_label=label, **extra)


def caller_on_hold(name: str, urls: TransferUrls) -> str:
    """The caller waits in the conference (hold audio from waitUrl) until the desk joins. Leaving it
    does not end the conference: the caller may be moved back to the assistant or into the call."""
    response = VoiceResponse()
    dial = Dial()
    _join(dial, name, urls, label="caller", wait=True)
    response.append(dial)
    return _xml(response)


def caller_connected(name: str, urls: TransferUrls) -> str:
    response = VoiceResponse()
    response.say(CONNECTING, voice=VOICE)
    dial = Dial()
    _join(dial, name, urls, label="caller", wait=False)
    response.append(dial)
    return _xml(response)


def hold_audio() -> str:
    """waitUrl: what the caller hears until the conference starts."""
    response = VoiceResponse()
    response.say(PLEASE_HOLD, voice=VOICE)
    response.play(HOLD_MUSIC, loop=0)
    return _xml(response)


def whisper(text: str, urls: TransferUrls) -> str:
    """The desk leg's first document: the summary, then one key (nothing pressed also goes to the action)."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, timeout=WHISPER_GATHER_SECONDS, action=urls.choice, method="POST",
                    action_on_empty_result=True)
    gather.say(f"{text} {PRESS_1}", voice=VOICE)
    response.append(gather)
    response.say(DECLINED, voice=VOICE)
    response.hangup()
    return _xml(response)


def desk_joins(name: str, urls: TransferUrls) -> str:
    response = VoiceResponse()
    dial = Dial()
    _join(dial, name, urls, label="desk", wait=False)
    response.append(dial)
    return _xml(response)


def say_and_hang_up(text: str) -> str:
    response = VoiceResponse()
    response.say(text, voice=VOICE)
    response.hangup()
    return _xml(response)


def back_to_assistant(base_url: str, secret_key: str, clinic_id: str, call_sid: str) -> str:
    """The caller's leg after a missed transfer: a new Media Stream on the same CallSid, so the same
    conversation; `transfer=missed` asks the assistant to offer a call-back or take a message."""
    response = VoiceResponse()
    connect = Connect(action=f"{base_url.rstrip('/')}/webhooks/twilio/voice/after", method="POST")
    stream = Stream(url=media_stream_url(base_url), name=f"receptionist-{call_sid}"[:64])
    stream.parameter(name="clinic", value=clinic_id)
    stream.parameter(name="token", value=stream_token(secret_key, clinic_id, call_sid))
    stream.parameter(name="transfer", value="missed")
    connect.append(stream)
    response.append(connect)
    return _xml(response)


def scrub_numbers(text: str) -> str:
    """No date of birth and no full phone number reaches the desk's ear."""
    return _DIGITS.sub("a number", _DATE.sub("a date", text)).strip()


def whisper_text(summary: str, *, patient_name: str | None, reason: str | None) -> str:
    """Who is calling, what they wanted and what was done (`summary`, from the conversation), and why
    the assistant handed over."""
    parts = []
    if patient_name and patient_name.lower() not in summary.lower():
        parts.append(f"The caller is {patient_name}.")
    parts.append(summary)
    if reason:
        why = REASONS.get(reason.strip().lower(), reason.replace("_", " ").strip().rstrip("."))
        parts.append(f"Handed over because {why}.")
    return scrub_numbers(" ".join(p for p in parts if p))
