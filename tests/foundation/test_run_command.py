"""The README's run command: from this checkout, `./scripts/demo` serves /health/ready = 200 within
two minutes on a machine that already has PostgreSQL and Redis."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_demo_serves_ready_within_two_minutes(test_env):
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    name = f"voice_agent_demo_{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {**os.environ, **test_env, "DATABASE_URL": f"{base}/{name}", "PORT": str(port),
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(["./scripts/demo"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    started = time.monotonic()
    try:
        status = None
        while time.monotonic() - started < 120 and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code
                if status == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert status == 200, f"not ready after {time.monotonic() - started:.0f}s (exit {proc.poll()})"
        r = httpx.get(f"http://127.0.0.1:{port}/chat/lakeside", timeout=5)
        assert r.status_code == 200 and "Lakeside" in r.text
    finally:
        os.kill(proc.pid, signal.SIGTERM)          # the server alone (scripts/demo execs it), as systemd would
        try:
            output = proc.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output = proc.communicate()[0]
        left = _group_alive(proc.pid)
        if left:
            os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert '"api_key": "ar_test_' in output       # the key is printed for the user
    assert not left, "processes outlived the server (the recogniser's workers must stop with it)"
