"""A stand-in for Twilio's REST API on loopback, reached through TWILIO_API_BASE_URL.

It answers `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form fields To, From, Body; HTTP
Basic auth with the account SID and auth token) the way Twilio documents: 201 and the Message
resource as JSON; and `GET` of the same path (the message list, newest first, filtered by To and
From, one page of PageSize) with the list envelope (`messages` plus paging fields). Errors use Twilio's error body ({"code", "message", "more_info", "status"}).
Every accepted message is recorded, so a test can count what a real account would have sent.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")


class TwilioStandIn:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict[str, str]] = []
        self.resources: list[dict[str, Any]] = []           # the Message resources, as the list returns them
        self.requests: list[tuple[str, str]] = []          # (method, path) of every request seen
        self.fail_status: int | None = None                # answer every Messages.create with this status
        self.fail_after_accepting = False                  # record the message, then answer fail_status
        self.delay = 0.0                                    # seconds between creating a message and answering
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "TwilioStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _error(self, status: int, code: int, message: str) -> None:
                self._send(status, {"code": code, "message": message, "status": status,
                                    "more_info": f"https://www.twilio.com/docs/errors/{code}"})

            def _authorised(self, match: re.Match) -> bool:
                expected = "Basic " + base64.b64encode(
                    f"{standin.account_sid}:{standin.auth_token}".encode()).decode()
                return self.headers.get("Authorization") == expected and match.group(1) == standin.account_sid

            def do_GET(self) -> None:  # noqa: N802
                path, _, query = self.path.partition("?")
                with standin.lock:
                    standin.requests.append(("GET", path))
                match = MESSAGES.match(path)
                if not match:
                    return self._error(404, 20404, "The requested resource was not found")
                if not self._authorised(match):
                    return self._error(401, 20003, "Authenticate")
                args = {k: v[0] for k, v in parse_qs(query).items()}
                size = int(args.get("PageSize", "50"))
                with standin.lock:
                    found = [m for m in reversed(standin.resources)
                             if m["to"] == args.get("To", m["to"]) and m["from"] == args.get("From", m["from"])]
                self._send(200, {"messages": found[:size], "end": min(size, len(found)) - 1,
                                 "first_page_uri": self.path, "next_page_uri": None, "page": 0, "page_size": size,
                                 "previous_page_uri": None, "start": 0, "uri": self.path})

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with standin.lock:
                    standin.requests.append(("POST", self.path))
                match = MESSAGES.match(self.path)
                if not match:
                    return self._error(404, 20404, "The requested resource was not found")
                if not self._authorised(match):
                    return self._error(401, 20003, "Authenticate")
                if not form.get("To") or not (form.get("From") or form.get("MessagingServiceSid")):
                    return self._error(400, 21604, "A 'To' phone number is required.")
                if not form.get("Body") and not form.get("MediaUrl"):
                    return self._error(400, 21602, "Message body is required.")
                if standin.fail_status and not standin.fail_after_accepting:
                    return self._error(standin.fail_status, 20500, "Internal Server Error")
                sid = "SM" + uuid.uuid4().hex
                now = formatdate(usegmt=True).replace("GMT", "+0000")
                uri = f"/2010-04-01/Accounts/{standin.account_sid}/Messages/{sid}"
                message = {
                    "account_sid": standin.account_sid, "api_version": "2010-04-01", "body": form.get("Body"),
                    "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
                    "error_code": None, "error_message": None, "from": form.get("From"),
                    "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": "0",
                    "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
                    "subresource_uris": {"media": uri + "/Media.json"}, "to": form["To"], "uri": uri + ".json",
                }
                with standin.lock:
                    standin.resources.append(message)
                    standin.messages.append({"sid": sid, "to": form["To"], "from": form.get("From", ""),
                                             "body": form.get("Body", ""),
                                             "status_callback": form.get("StatusCallback", "")})
                if standin.delay:                           # created, but the answer is late
                    time.sleep(standin.delay)
                if standin.fail_status:
                    return self._error(standin.fail_status, 20500, "Internal Server Error")
                self._send(201, message)

        return Handler
