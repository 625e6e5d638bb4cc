"""A stand-in for the Anthropic Messages API on loopback, for a real server process to call through
`ANTHROPIC_BASE_URL`: it answers every request 529 overloaded (the product then falls back to its
embedded understanding and its templates), except that once armed it holds the next phrasing
request open, so a test knows the server is in the middle of that turn."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OVERLOADED = (Path(__file__).resolve().parents[2] / "fixtures" / "anthropic" / "error_overloaded_529.json").read_bytes()


class ClaudeStandIn:
    def __init__(self) -> None:
        self.armed = threading.Event()
        self.holding = threading.Event()       # set while a phrasing request is held open
        self.release = threading.Event()
        self.requests: list[dict] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:          # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                stand_in.requests.append(body)
                system = body.get("system") or ""
                if not isinstance(system, str):
                    system = " ".join(block.get("text", "") for block in system)
                if "Rephrase" in system and stand_in.armed.is_set():
                    stand_in.armed.clear()
                    stand_in.holding.set()
                    stand_in.release.wait(30)
                try:
                    self.send_response(529)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(OVERLOADED)))
                    self.end_headers()
                    self.wfile.write(OVERLOADED)
                except OSError:
                    pass                         # the caller is gone (the worker was killed)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
