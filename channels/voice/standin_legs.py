"""What the Twilio stand-in does with a call once the REST API has it: run its TwiML like Twilio.

A `Leg` is one call (the simulated caller's inbound call, or the front desk's outbound one). Its
TwiML runs verb by verb: `<Say>` is printed as what that side hears, `<Play>` as hold music,
`<Gather>` presses the key the desk's mode chooses and posts the action, `<Dial><Conference>` joins
a `Conference` (waitUrl while it has not started, statusCallback events, startConferenceOnEnter /
endConferenceOnExit), `<Connect><Stream>` reconnects the simulated caller's Media Stream, and
`<Hangup/>` or the end of the document ends the call. A REST update replaces whatever the leg was
doing, as it does on Twilio. Every request to the server is signed (X-Twilio-Signature).
"""
from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from xml.etree import ElementTree

DESK_MODES = ("answer", "decline", "no-answer")


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass
class DeskPhone:
    """How the simulated front desk behaves: `answer` presses 1 after the whisper, `decline` presses 2,
    `no-answer` lets it ring out. `before_press(standin)` (tests) runs just before the key."""
    mode: str = "answer"
    ring_seconds: float = 1.0
    before_press: Callable[[Any], Awaitable[None]] | None = None

    def key(self) -> str:
        return "1" if self.mode == "answer" else "2"


@dataclass
class Conference:
    name: str
    sid: str = field(default_factory=lambda: sid("CF"))
    started: bool = False
    ended: bool = False
    participants: dict[str, dict[str, str]] = field(default_factory=dict)   # call sid -> attributes
    callback: str | None = None
    events: set[str] = field(default_factory=set)
    waiting: dict[str, asyncio.Event] = field(default_factory=dict)        # until the conference starts / they leave


class Leg:
    """`standin` is the `TwilioStandIn` (twilio_standin.py) the leg belongs to."""

    def __init__(self, standin: Any, call_sid: str, *, who: str, to: str, from_: str,
                 direction: str, status_callback: str | None = None, events: tuple[str, ...] = ()) -> None:
        self.standin, self.sid, self.who = standin, call_sid, who
        self.to, self.from_, self.direction = to, from_, direction
        self.status = "queued"
        self.status_callback, self.events = status_callback, set(events)
        self.task: asyncio.Task | None = None
        self.conference: Conference | None = None
        self.ended = asyncio.Event()
        self.seq = 0
        self.pending_twiml: str | None = None      # a REST update while it rings: run when answered

    def params(self) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": self.standin.account_sid, "From": self.from_, "To": self.to,
                "CallStatus": self.status, "Direction": self.direction, "ApiVersion": "2010-04-01"}

    def hear(self, text: str) -> None:
        self.standin.heard.setdefault(self.who, []).append(text)
        self.standin.log(f"[{self.who} hears] {text}")

    async def progress(self, status: str, event: str) -> None:
        """A call-progress status callback (initiated, ringing, answered, completed)."""
        self.status = status
        if self.status_callback and event in self.events:
            self.seq += 1
            extra = {"CallbackSource": "call-progress-events", "SequenceNumber": str(self.seq - 1),
                     "Timestamp": self.standin.timestamp()}
            await self.standin.post(self.status_callback, {**self.params(), **extra})

    def run(self, twiml: str) -> None:
        """Replace what the leg is doing with this TwiML (a REST update or the first document)."""
        old = self.task
        if old is not None and not old.done() and old is not asyncio.current_task():
            old.cancel()
        self.task = asyncio.create_task(self._after(old, twiml), name=f"standin-{self.who}")

    async def _after(self, old: asyncio.Task | None, twiml: str) -> None:
        if old is not None and old is not asyncio.current_task():
            with contextlib.suppress(BaseException):
                await old
        await self._leave_conference()
        await self.execute(twiml)

    async def fetch(self, url: str, extra: dict[str, str] | None = None) -> str:
        response = await self.standin.post(url, {**self.params(), **(extra or {})})
        return response.text if response is not None and response.status_code == 200 else ""

    async def execute(self, twiml: str) -> None:
        try:
            root = ElementTree.fromstring(twiml)
        except ElementTree.ParseError:
            self.hear("(an application error has occurred)")
            return await self.hang_up()
        for verb in root:
            if self.ended.is_set():
                return
            if verb.tag == "Say":
                self.hear(verb.text or "")
            elif verb.tag == "Play":
                self.hear("(hold music)")
            elif verb.tag == "Pause":
                await asyncio.sleep(float(verb.get("length", "1")) / self.standin.speed)
            elif verb.tag == "Gather":
                for said in verb.iter("Say"):
                    self.hear(said.text or "")
                digits = await self.standin.press_key(self)
                if digits or verb.get("actionOnEmptyResult") == "true":
                    return await self.execute(await self.fetch(verb.get("action", ""), {"Digits": digits}))
            elif verb.tag == "Dial" and verb.find("Conference") is not None:
                await self.join(verb.find("Conference"))
            elif verb.tag == "Connect" and verb.find("Stream") is not None:
                await self.standin.reconnect_stream(self, verb.find("Stream"), verb.get("action", ""))
                return
            elif verb.tag == "Redirect":
                return await self.execute(await self.fetch(verb.text or ""))
            elif verb.tag == "Hangup":
                break
        await self.hang_up()

    # --- conferences ---------------------------------------------------------------------------------

    async def join(self, node: ElementTree.Element) -> None:
        conf = self.standin.conference(node.text or "")
        attrs = dict(node.attrib)
        if conf.callback is None and attrs.get("statusCallback"):
            conf.callback, conf.events = attrs["statusCallback"], set(attrs.get("statusCallbackEvent", "").split())
        conf.participants[self.sid] = attrs
        self.conference = conf
        left = conf.waiting[self.sid] = asyncio.Event()
        await self.standin.conference_event(conf, "participant-join", self)
        if attrs.get("startConferenceOnEnter", "true") == "true" and not conf.started:
            conf.started = True
            await self.standin.conference_event(conf, "conference-start", None)
            for other in conf.participants:
                if other != self.sid:
                    self.standin.legs[other].hear("(the conference starts)")
        elif not conf.started and attrs.get("waitUrl"):
            await self.execute_wait(await self.fetch(attrs["waitUrl"], {"ConferenceSid": conf.sid}))
        if conf.started:
            self.standin.in_conference(conf)
        await left.wait()               # in the conference until it ends or the leg is moved

    async def execute_wait(self, twiml: str) -> None:
        with contextlib.suppress(ElementTree.ParseError):
            for verb in ElementTree.fromstring(twiml):
                if verb.tag == "Say":
                    self.hear(verb.text or "")
                elif verb.tag == "Play":
                    self.hear("(hold music)")

    async def _leave_conference(self) -> None:
        conf, self.conference = self.conference, None
        if conf is None or self.sid not in conf.participants:
            return
        attrs = conf.participants.pop(self.sid)
        conf.waiting.pop(self.sid, asyncio.Event()).set()
        await self.standin.conference_event(conf, "participant-leave", self)
        if conf.ended:
            return
        if attrs.get("endConferenceOnExit") == "true" or not conf.participants:
            conf.ended = True
            for other in list(conf.participants):
                conf.waiting.get(other, asyncio.Event()).set()      # the others' <Dial> ends
            await self.standin.conference_event(conf, "conference-end", None)

    async def hang_up(self) -> None:
        if self.ended.is_set():
            return
        await self._leave_conference()
        self.ended.set()
        if self.status in ("queued", "ringing"):
            return
        await self.progress("completed", "completed")
