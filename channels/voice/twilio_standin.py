"""A stand-in for Twilio's REST API on loopback: the simulator's front desk (`voice-agent call --front-desk`).

The server started with TWILIO_API_BASE_URL pointing here sends every REST call of the Twilio SDK to
it. It answers what the server uses, in Twilio's JSON (API 2010-04-01, form-encoded requests, HTTP
Basic auth with the account SID and auth token, errors as {"code", "message", "more_info", "status"}):

    POST /2010-04-01/Accounts/{AC}/Calls.json                       create a call (the desk leg)
    GET|POST /2010-04-01/Accounts/{AC}/Calls/{CA}.json              fetch / update (Twiml, Url, Status)
    GET  /2010-04-01/Accounts/{AC}/Conferences.json                 list (FriendlyName, Status)
    GET  /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json
    POST /2010-04-01/Accounts/{AC}/Messages.json                    an SMS (recorded, not sent)

and then behaves like Twilio with those calls (standin_legs.py): it rings the desk, fetches each
leg's TwiML, presses the desk's key, joins conferences, posts signed status callbacks, and when the
caller's leg is sent back to `<Connect><Stream>` reconnects the simulated caller's Media Stream.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
from email.utils import formatdate
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from channels.voice.security import sign
from channels.voice.standin_legs import Conference, DeskPhone, Leg, sid

API = "/2010-04-01/Accounts/{account}"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):        # the simulator (or test) owns the signals
        yield


class TwilioStandIn:
    def __init__(self, *, auth_token: str, server_url: str, public_url: str, desk: DeskPhone | None = None,
                 speed: float = 1.0, log: Callable[[str], None] | None = None) -> None:
        self.auth_token, self.server_url, self.public_url = auth_token, server_url.rstrip("/"), public_url.rstrip("/")
        self.desk, self.speed = desk or DeskPhone(), speed
        self.log = log or (lambda line: None)
        self.account_sid = "AC" + "0" * 32
        self.legs: dict[str, Leg] = {}
        self.conferences: dict[str, Conference] = {}
        self.messages: list[dict[str, str]] = []
        self.desk_calls = 0                                          # calls created (the desk rung)
        self.heard: dict[str, list[str]] = {}
        self.callbacks: list[tuple[str, dict[str, str], str]] = []   # (public url, form, signature)
        self.caller: Any = None                                      # the SimulatedCaller
        self.caller_leg: Leg | None = None
        self.settled = asyncio.Event()          # after a transfer: the caller talks to the desk, assistant or nobody
        self.outcome = ""                       # "connected", "stream" or "ended"
        self._server: _Server | None = None
        self._serving: asyncio.Task | None = None
        self._desk_tasks: set[asyncio.Task] = set()
        self._stopping: asyncio.Task | None = None     # the caller's old stream being stopped

    # --- serving ---------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route(API + "/Calls.json", self._create_call, methods=["POST"]),
            Route(API + "/Calls/{call}.json", self._call, methods=["GET", "POST"]),
            Route(API + "/Conferences.json", self._conferences, methods=["GET"]),
            Route(API + "/Conferences/{conference}/Participants.json", self._participants, methods=["GET"]),
            Route(API + "/Messages.json", self._message, methods=["POST"]),
        ])

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (port 0: any free one) and return the base URL."""
        config = uvicorn.Config(self.app(), host=host, port=port, log_config=None, lifespan="off")
        self._server = _Server(config)
        self._serving = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._serving.done():
                self._serving.result()               # raises why it could not listen
            await asyncio.sleep(0.01)
        bound = self._server.servers[0].sockets[0].getsockname()
        return f"http://{bound[0]}:{bound[1]}"

    async def calls_ended(self, timeout: float) -> bool:
        """Wait until every call leg has ended (the desk's whisper and key take a moment)."""
        try:
            await asyncio.wait_for(asyncio.gather(*(leg.ended.wait() for leg in list(self.legs.values()))), timeout)
            return True
        except (TimeoutError, asyncio.TimeoutError):
            return False

    async def stop(self) -> None:
        for leg in self.legs.values():
            if leg.task is not None:
                leg.task.cancel()
        for task in [*self._desk_tasks, *([self._stopping] if self._stopping else [])]:
            task.cancel()
        if self._server is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._serving, 5)

    # --- REST ------------------------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message, "status": status,
                             "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status_code=status)

    def _authorised(self, request: Request) -> bool:
        account = request.path_params["account"]
        expected = "Basic " + base64.b64encode(f"{account}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") == expected and account.startswith("AC") and len(account) == 34:
            self.account_sid = account
            return True
        return False

    def _call_json(self, leg: Leg) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{leg.sid}"
        now = self.timestamp()
        return {"sid": leg.sid, "account_sid": self.account_sid, "to": leg.to, "to_formatted": leg.to,
                "from": leg.from_, "from_formatted": leg.from_, "status": leg.status, "direction": leg.direction,
                "api_version": "2010-04-01", "date_created": now, "date_updated": now, "start_time": None,
                "end_time": None, "duration": None, "parent_call_sid": None, "price": None, "price_unit": "USD",
                "answered_by": None, "caller_name": None, "forwarded_from": None, "group_sid": None,
                "phone_number_sid": None, "queue_time": "0", "trunk_sid": None, "annotation": None,
                "uri": uri + ".json", "subresource_uris": {"notifications": uri + "/Notifications.json",
                                                          "recordings": uri + "/Recordings.json"}}

    async def _form(self, request: Request) -> dict[str, list[str]]:
        return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)

    async def _create_call(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        form = await self._form(request)
        one = {k: v[0] for k, v in form.items()}
        if not one.get("To") or not one.get("From"):
            return self._error(400, 21201, "No 'To' or 'From' number is specified")
        if not one.get("Url") and not one.get("Twiml"):
            return self._error(400, 21205, "Url parameter is required.")
        leg = Leg(self, sid("CA"), who="front desk", to=one["To"], from_=one["From"], direction="outbound-api",
                  status_callback=one.get("StatusCallback"), events=tuple(form.get("StatusCallbackEvent", [])))
        self.legs[leg.sid] = leg
        self.desk_calls += 1
        timeout = float(one.get("Timeout", "60"))
        task = asyncio.create_task(self._ring_desk(leg, one.get("Url"), one.get("Twiml"), timeout))
        self._desk_tasks.add(task)
        task.add_done_callback(self._desk_tasks.discard)
        self.log(f"[twilio] dialling the front desk {leg.to} (rings up to {timeout:.0f} s)")
        return JSONResponse(self._call_json(leg), status_code=201)

    async def _call(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        leg = self.legs.get(request.path_params["call"])
        if leg is None:
            return self._error(404, 20404, f"The requested resource {request.url.path} was not found")
        if request.method == "GET":
            return JSONResponse(self._call_json(leg))
        one = {k: v[0] for k, v in (await self._form(request)).items()}
        if leg.ended.is_set():
            return self._error(400, 21220, "Call is not in-progress. Cannot redirect.")
        if one.get("Status") == "canceled":
            if leg.status in ("queued", "ringing"):            # canceling an answered call does nothing
                leg.ended.set()
                self.log(f"[twilio] the call to the {leg.who} was canceled")
                await leg.progress("canceled", "completed")
            return JSONResponse(self._call_json(leg))
        if one.get("Status") == "completed":
            if leg.task is not None:
                leg.task.cancel()
            await leg.hang_up()
            return JSONResponse(self._call_json(leg))
        twiml = one.get("Twiml")
        if twiml is None and one.get("Url"):
            twiml = await leg.fetch(one["Url"])
        if twiml is None:
            return self._error(400, 21205, "Url parameter is required.")
        if leg is self.caller_leg:
            await self._stop_stream()
        if leg.status in ("queued", "ringing"):
            leg.pending_twiml = twiml                 # used when the desk answers
        else:
            leg.run(twiml)
        return JSONResponse(self._call_json(leg))

    async def _conferences(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        name, status = request.query_params.get("FriendlyName"), request.query_params.get("Status")
        found = [c for c in self.conferences.values() if (name is None or c.name == name) and
                 (status is None or status == ("completed" if c.ended else "in-progress" if c.started else "init"))]
        base = f"/2010-04-01/Accounts/{self.account_sid}/Conferences"
        items = [{"sid": c.sid, "account_sid": self.account_sid, "friendly_name": c.name,
                  "status": "completed" if c.ended else "in-progress" if c.started else "init",
                  "uri": f"{base}/{c.sid}.json"} for c in found]
        return JSONResponse({"conferences": items, "page": 0, "page_size": 50, "start": 0, "end": len(items) - 1,
                             "first_page_uri": base + ".json?PageSize=50&Page=0", "next_page_uri": None,
                             "previous_page_uri": None, "uri": base + ".json"})

    async def _participants(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        conf = next((c for c in self.conferences.values() if c.sid == request.path_params["conference"]), None)
        if conf is None:
            return self._error(404, 20404, "The requested resource was not found")
        base = f"/2010-04-01/Accounts/{self.account_sid}/Conferences/{conf.sid}/Participants"
        items = [{"call_sid": s, "conference_sid": conf.sid, "account_sid": self.account_sid,
                  "label": a.get("participantLabel"), "status": "connected", "muted": False, "hold": False,
                  "start_conference_on_enter": a.get("startConferenceOnEnter", "true") == "true",
                  "end_conference_on_exit": a.get("endConferenceOnExit") == "true", "uri": f"{base}/{s}.json"}
                 for s, a in conf.participants.items()]
        return JSONResponse({"participants": items, "page": 0, "page_size": 50, "start": 0,
                             "end": len(items) - 1, "first_page_uri": base + ".json?PageSize=50&Page=0",
                             "next_page_uri": None, "previous_page_uri": None, "uri": base + ".json"})

    async def _message(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        one = {k: v[0] for k, v in (await self._form(request)).items()}
        if not one.get("To") or not one.get("Body"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        message_sid = sid("SM")
        self.messages.append({"sid": message_sid, "to": one["To"], "body": one["Body"]})
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}"
        now = self.timestamp()
        return JSONResponse({"sid": message_sid, "account_sid": self.account_sid, "to": one["To"],
                             "from": one.get("From"), "body": one["Body"], "status": "queued", "num_segments": "1",
                             "num_media": "0", "direction": "outbound-api", "api_version": "2010-04-01",
                             "date_created": now, "date_updated": now, "date_sent": None, "error_code": None,
                             "error_message": None, "price": None, "price_unit": "USD",
                             "messaging_service_sid": one.get("MessagingServiceSid"), "uri": uri + ".json",
                             "subresource_uris": {"media": uri + "/Media.json"}}, status_code=201)

    # --- what Twilio does with the calls ---------------------------------------------------------------

    def timestamp(self) -> str:
        return formatdate(usegmt=True).replace("GMT", "+0000")

    async def post(self, public: str, params: dict[str, str]) -> httpx.Response | None:
        """A signed request to the server, as Twilio makes them (the signature covers the public URL)."""
        parts = urlsplit(public)
        local = self.server_url + parts.path + (f"?{parts.query}" if parts.query else "")
        signature = sign(self.auth_token, public, params)
        self.callbacks.append((public, dict(params), signature))
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                return await client.post(local, data=params, headers={"X-Twilio-Signature": signature})
        except httpx.HTTPError as exc:
            self.log(f"[twilio] request to {parts.path} failed: {type(exc).__name__}")
            return None

    async def _ring_desk(self, leg: Leg, url: str | None, twiml: str | None, timeout: float) -> None:
        await leg.progress("queued", "initiated")
        if leg.ended.is_set():
            return
        await leg.progress("ringing", "ringing")
        if self.desk.mode == "no-answer" or self.desk.ring_seconds >= timeout:
            await asyncio.sleep(timeout / self.speed)
            if leg.status == "ringing" and not leg.ended.is_set():
                self.log("[twilio] the front desk did not answer")
                leg.ended.set()
                await leg.progress("no-answer", "completed")
            return
        await asyncio.sleep(self.desk.ring_seconds / self.speed)
        if leg.status != "ringing" or leg.ended.is_set():
            return
        self.log("[twilio] the front desk answered")
        await leg.progress("in-progress", "answered")
        pending = getattr(leg, "pending_twiml", None)
        leg.run(pending or twiml or await leg.fetch(url or ""))

    async def press_key(self, leg: Leg) -> str:
        if leg.who != "front desk":
            return ""
        if self.desk.before_press is not None:
            await self.desk.before_press(self)
        key = self.desk.key()
        self.log(f"[front desk presses] {key}")
        return key

    def conference(self, name: str) -> Conference:
        conf = self.conferences.get(name)
        if conf is None or conf.ended:
            conf = self.conferences[name] = Conference(name)
        return conf

    def in_conference(self, conf: Conference) -> None:
        """A started conference: the caller in it with the desk means the transfer connected."""
        if self.caller_leg is not None and self.caller_leg.sid in conf.participants and len(conf.participants) > 1:
            self.log(f"[conference] {' and '.join(self.who_is(s) for s in conf.participants)} are talking")
            self._settle("connected")

    def who_is(self, call_sid: str) -> str:
        leg = self.legs.get(call_sid)
        return leg.who if leg is not None else call_sid

    async def conference_event(self, conf: Conference, event: str, leg: Leg | None) -> None:
        if conf.callback is None or event.split("-")[-1] not in conf.events:
            return
        params = {"AccountSid": self.account_sid, "ConferenceSid": conf.sid, "FriendlyName": conf.name,
                  "StatusCallbackEvent": event, "Timestamp": self.timestamp(), "SequenceNumber": "0"}
        if leg is not None:
            attrs = conf.participants.get(leg.sid, {})
            params.update(CallSid=leg.sid, Muted="false", Hold="false", Coaching="false",
                          EndConferenceOnExit=attrs.get("endConferenceOnExit", "false"),
                          StartConferenceOnEnter=attrs.get("startConferenceOnEnter", "true"))
            if attrs.get("participantLabel"):
                params["ParticipantLabel"] = attrs["participantLabel"]
        await self.post(conf.callback, params)

    # --- the simulated caller's leg -------------------------------------------------------------------

    def attach_caller(self, caller: Any) -> None:
        """The simulated caller's inbound call, so the server can update it by its CallSid."""
        self.caller = caller
        self.caller_leg = Leg(self, caller.call_sid, who="caller", to=caller.clinic_phone, from_=caller.from_phone,
                              direction="inbound")
        self.caller_leg.status = "in-progress"
        self.legs[caller.call_sid] = self.caller_leg

    def _settle(self, outcome: str) -> None:
        self.outcome = outcome
        self.settled.set()

    async def _stop_stream(self) -> None:
        """A REST update ends the caller's `<Connect><Stream>`: Twilio sends `stop` and closes the socket."""
        caller = self.caller
        if caller is not None and caller.ws is not None and not caller._closed.is_set():
            self.settled.clear()
            caller.redirected = True
            caller.moves += 1
            self.log("[twilio] the caller's call is updated: their media stream stops")
            self._stopping = asyncio.create_task(caller.hangup())      # the REST answer does not wait for it

    async def reconnect_stream(self, leg: Leg, stream: ElementTree.Element, action: str) -> None:
        if leg is not self.caller_leg or self.caller is None:
            return await leg.hang_up()
        params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
        if self._stopping is not None:               # the old stream is closed before the new one opens
            with contextlib.suppress(Exception):
                await self._stopping
        self.log("[twilio] the caller is back on a media stream with the assistant")
        await self.caller.reconnect(stream.get("url", ""), params, action)
        self._settle("stream")

    async def hangup_caller(self) -> None:
        """The simulated caller hangs up wherever their leg is (stream, hold or the call)."""
        leg = self.caller_leg
        if leg is None or leg.ended.is_set():
            return
        if leg.task is not None and not leg.task.done():
            leg.task.cancel()
            with contextlib.suppress(BaseException):
                await leg.task
        await leg.hang_up()
        self._settle("ended")
