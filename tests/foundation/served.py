"""A real `voice-agent serve` process for the tests that need the server as deployed: its sockets,
uvicorn's HTTP parser, its memory."""
from __future__ import annotations

import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, env: dict[str, str], *, until: str = "/health/ready", command: str | None = None) -> None:
        """Start and wait until `until` answers 200 (`/health/live` for a server whose database is down).
        `command`: a command line as an operator types it (`voice-agent serve --workers 2`), run
        with the virtualenv's commands on PATH; by default `python -m voice_agent.cli serve`."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full = {**os.environ, **env, "PORT": str(self.port), "VOICE_DECODER_PROCESSES": "1"}
        argv = [sys.executable, "-m", "voice_agent.cli", "serve"]
        if command is not None:
            argv = shlex.split(command)
            full.update(PYTHONPATH=str(ROOT), PATH=f"{Path(sys.executable).parent}:{full.get('PATH', '')}")
        # The log goes to a file: an unread pipe fills after ~64 KB and then blocks the server mid-request.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=full, stdout=subprocess.DEVNULL, stderr=self.log,
                                     text=True, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(self.base + until, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"server did not start: {self.log.read()[-2000:]}")

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def log_text(self) -> str:
        """The server's log so far (read without moving the offset the server writes at)."""
        return os.pread(self.log.fileno(), 1 << 24, 0).decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)     # the recogniser's worker, if it outlived the server
        except ProcessLookupError:
            pass
        self.log.close()


def upload_chunked(port: int, path: str, headers: dict[str, str], total: int,
                   chunk: int = 65_536) -> tuple[int, bytes, int]:
    """POST a chunked body of up to `total` bytes, stopping as soon as the server answers.
    Returns (status, the response as received, bytes of body sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    piece = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
    pending, sent, answer = piece, 0, b""
    try:
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                answer += sock.recv(65_536)
                break                                   # the server has answered: stop sending
            if not writable:
                break                                   # neither reading nor answering
            pending = pending[sock.send(pending):]
            if not pending:
                sent += chunk
                pending = piece
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        while b"\r\n\r\n" not in answer or b"}" not in answer:
            data = sock.recv(65_536)
            if not data:
                break
            answer += data
    except OSError:
        pass
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer, sent
