"""One HTTP client serves every clinic's EHR calls, so it must never carry a cookie one clinic's
vendor set into another clinic's request (a vendor's session cookie would act as that clinic's
login)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ehr.http_retry import retrying_client


class _Vendor(BaseHTTPRequestHandler):
    """Sets a session cookie on /login and echoes the Cookie header it receives on /echo."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = (self.headers.get("Cookie") or "").encode()
        self.send_response(200)
        if self.path == "/login":
            self.send_header("Set-Cookie", "vendor_session=clinic-a-secret; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def vendor():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vendor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_a_cookie_set_for_one_clinic_is_not_sent_with_the_next_request(vendor):
    async with retrying_client() as http:
        first = await http.get(f"{vendor}/login")           # clinic A's call; the vendor sets a cookie
        assert first.status_code == 200
        later = await http.get(f"{vendor}/echo")            # clinic B's call on the same client
        assert later.text == ""
        assert not http.cookies
