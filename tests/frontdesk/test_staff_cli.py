"""`voice-agent staff add`: refuses a short password, an unknown clinic and a second account with the
same email, with a clear message and a non-zero exit; the account it makes can sign in."""
from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid

from storage.staff import StaffAccounts
from tests.conftest import ROOT


async def _cli(args: list[str], stdin: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "voice_agent.cli", "staff", "add", *args,
                                                "--password-stdin", cwd=ROOT, env=env,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 60)
    return proc.returncode, out.decode(), err.decode()


async def test_staff_add_and_its_refusals(make_clinic, pool, test_env):
    clinic = await make_clinic()
    env = {**os.environ, **test_env, "PYTHONPATH": str(ROOT)}
    email = f"sam-{uuid.uuid4().hex[:6]}@clinic.test"
    code, _, err = await _cli(["--clinic", clinic.id, "--email", email], "short\n", env)
    assert code == 1 and "at least 12 characters" in err
    code, _, err = await _cli(["--clinic", str(uuid.uuid4()), "--email", email], "long enough password\n", env)
    assert code == 1 and "no clinic" in err
    code, _, err = await _cli(["--clinic", clinic.id, "--email", "not-an-email"], "long enough password\n", env)
    assert code == 1 and "not an email" in err
    code, out, _ = await _cli(["--clinic", clinic.id, "--email", email], "long enough password\n", env)
    assert code == 0 and json.loads(out)["clinic_id"] == clinic.id
    code, _, err = await _cli(["--clinic", clinic.id, "--email", email.upper()], "long enough password\n", env)
    assert code == 1 and "already exists" in err
    account = await StaffAccounts(pool).by_email(email)
    assert account.password_hash.startswith("$argon2id$") and "long enough" not in account.password_hash
