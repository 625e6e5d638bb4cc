"""The published description is the contract: schemathesis (every check on) drives the served app
from its own `/openapi.json` with a real clinic's API key, and no request may get a 5xx or an
answer the description does not allow (a valid request refused, an invalid one accepted, an
undocumented status, header or method)."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.foundation.served import Served
from tests.scheduling.test_api import booking, first_slot, providers_by_last

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 12          # per operation and phase: the whole run stays well under a minute
SEED = 20261128            # fixed, so a failure here reproduces with the same command


@pytest.fixture(scope="module")
def server(test_env, database):
    # Schemathesis tries wrong keys on purpose (ignored_auth); the per-address lock-out would then
    # refuse the good key too, which is that feature working, not the contract failing.
    served = Served({**test_env, "AUTH_FAILURE_LIMIT": "1000000"})
    yield served
    served.stop()


def _schemathesis(base: str, headers: dict[str, str], *, config: Path = CONFIG,
                  only: list[str] = ()) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config),
               "run", *only, f"{base}/openapi.json", "--url", base, "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
               "--workers", "1", "--request-timeout", "10"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    # Run from a scratch folder: schemathesis leaves a cache folder in its working directory.
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=scratch)


async def test_the_api_behaves_as_its_openapi_description_says(server, make_clinic):
    clinic = await make_clinic(tier="unlimited")
    result = await asyncio.to_thread(_schemathesis, server.base,
                                     {**clinic.headers, "Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-2_000:]


async def test_an_existing_appointment_is_read_cancelled_and_rescheduled_as_described(server, make_clinic, tmp_path):
    """Random ids only ever reach the 404 branch: here every appointment operation is driven with the id
    of a real booking, so the 200/409/422 answers are checked against the description too."""
    clinic = await make_clinic(tier="unlimited")
    async with httpx.AsyncClient(base_url=server.base, timeout=20) as client:
        lee = (await providers_by_last(client, clinic))["Lee"]["id"]
        slot = await first_slot(client, clinic, lee)
        r = await client.post("/api/v1/appointments", headers=clinic.headers, json=booking(lee, slot["start"]))
        assert r.status_code == 201, r.text
        appointment_id = r.json()["id"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + f'\n[parameters]\n"path.appointment_id" = "{appointment_id}"\n')
    result = await asyncio.to_thread(_schemathesis, server.base, clinic.headers, config=config,
                                     only=["--include-path-regex", r"^/api/v1/appointments/\{appointment_id\}"])
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-2_000:]
    assert "3 selected" in result.stdout, result.stdout[-3000:]
