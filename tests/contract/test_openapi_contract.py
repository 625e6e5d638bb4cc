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

from tests.conftest import ADMIN_TOKEN
from tests.foundation.served import Served

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


def _schemathesis(base: str, headers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(CONFIG),
               "run", f"{base}/openapi.json", "--url", base, "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
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
