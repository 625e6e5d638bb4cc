"""`voice-agent serve --workers 2`, exactly as docs/operations.md prints it: two worker processes
share the port, a conversation books across them, and SIGTERM stops them all."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.foundation.served import Served
from tests.scaleout.conftest import CHAT_ONLY, FleetChat
from tests.scaleout.test_instances import BOOKING


def printed_command() -> str:
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```bash\n(.*?)```", page, re.S) if "--workers" in b]
    assert len(blocks) == 1, blocks
    return blocks[0]


def workers_of(pid: int) -> list[int]:
    """The server's child processes that are uvicorn workers (spawned Python processes)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and b"spawn_main" in cmdline:
            out.append(int(status.parent.name))
    return out


@pytest.fixture(scope="module")
def two_workers(test_env, database):
    served = Served({**test_env, **CHAT_ONLY}, command=printed_command())
    yield served
    served.stop()


def test_the_page_prints_the_command():
    assert printed_command() == "voice-agent serve --workers 2"


async def test_two_workers_serve_and_book(two_workers, make_clinic):
    assert len(workers_of(two_workers.proc.pid)) == 2, two_workers.log_text()[-2000:]
    clinic = await make_clinic()
    async with httpx.AsyncClient(timeout=30) as client:
        chat = FleetChat(client, clinic, [two_workers.base])
        for line in BOOKING:
            reply = await chat.say(line, 0)
    assert reply["state"] == "booked" and reply["booking_id"]


def test_sigterm_stops_every_worker(two_workers):
    workers = workers_of(two_workers.proc.pid)
    two_workers.proc.send_signal(signal.SIGTERM)
    two_workers.proc.wait(timeout=20)
    assert all(not Path(f"/proc/{pid}").exists() or "Z" in (Path(f"/proc/{pid}/stat").read_text().split()[2])
               for pid in workers)
