"""docs/ehr.md: every command runs exactly as printed (a real `voice-agent` process against its own
database and the DrChrono stand-in), and `voice-agent ehr check` names what is wrong."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from storage.db import to_conninfo
from storage.migrate import migrate
from tests.conftest import ROOT, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.ehr_contract.backend_drchrono import seed

PAGE = ROOT / "docs" / "ehr.md"
DOC_DB = TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/voice_agent_test_ehrdoc_{os.getpid()}"


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def example_clinic() -> dict:
    return json.loads(re.findall(r"```json\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)[0])


def _admin_run(sql: str) -> None:
    with psycopg.connect(to_conninfo(DOC_DB).rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
async def doc_db():
    name = urlparse(DOC_DB).path.lstrip("/")
    _admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_run(f'CREATE DATABASE "{name}"')
    await migrate(to_conninfo(DOC_DB))
    yield DOC_DB
    _admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Shell:
    def __init__(self, cwd: Path, database: str) -> None:
        self.cwd = cwd
        self.env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": database, "REDIS_URL": TEST_REDIS_URL,
                    "SECRET_KEY": "doc-test-secret-key-0123456789abcdef", "PYTHONPATH": str(ROOT),
                    "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        self.env.pop("EHR_CREDENTIALS_KEYS", None)

    def run(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, shell=True, cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=120)

    def write(self, name: str, value: dict) -> None:
        (self.cwd / name).write_text(json.dumps(value))


def test_the_page_has_its_commands():
    assert commands() == [
        "voice-agent clinic import drchrono-clinic.json",
        'voice-agent clinic set-ehr "$CLINIC_ID" --provider drchrono --credentials drchrono-credentials.json '
        "--options drchrono-options.json",
        'voice-agent ehr check "$CLINIC_ID"',
        "voice-agent ehr new-key",
        "voice-agent ehr rekey --dry-run",
        "voice-agent ehr rekey",
    ]


async def test_every_command_runs_as_printed(doc_db, standin, tmp_path):
    world = seed(standin)
    creds = world["credentials"]
    sh = Shell(tmp_path, doc_db)
    clinic = example_clinic()
    clinic["ehr_credentials"] = {**creds}
    clinic["ehr_options"]["base_url"] = standin.url
    sh.write("drchrono-clinic.json", clinic)
    imp, set_ehr, check, new_key, dry, rekey = commands()

    done = sh.run(imp)
    assert done.returncode == 0, done.stderr
    for secret in (creds["client_secret"], creds["refresh_token"], creds["webhook_secret"]):
        assert secret not in done.stdout + done.stderr
    sh.env["CLINIC_ID"] = json.loads(done.stdout)["clinic_id"]

    done = sh.run(check)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: providers readable (2)" in done.stdout and "ok: clock within" in done.stdout

    # the import's refresh token was rotated by the check and stored; set-ehr stores a fresh grant
    sh.write("drchrono-credentials.json", {**creds, "refresh_token": standin.grant(creds["client_id"], "contract")})
    sh.write("drchrono-options.json", {"base_url": standin.url})
    done = sh.run(set_ehr)
    assert done.returncode == 0 and json.loads(done.stdout) == {"clinic_id": sh.env["CLINIC_ID"],
                                                                 "ehr_provider": "drchrono"}, done.stderr
    assert sh.run(check).returncode == 0

    done = sh.run(new_key)
    assert done.returncode == 0
    sh.env["EHR_CREDENTIALS_KEYS"] = f"k1:{done.stdout.strip()}"
    done = sh.run(dry)
    assert done.returncode == 0 and json.loads(done.stdout)["would_reseal"] == 1, done.stderr
    done = sh.run(rekey)
    assert done.returncode == 0 and json.loads(done.stdout) == {"resealed": 1, "already_current": 0, "key": "k1"}
    assert sh.run(check).returncode == 0                     # opened with k1 now
    sh.env["EHR_CREDENTIALS_KEYS"] = f"k2:{sh.run(new_key).stdout.strip()}"   # k1 dropped too early
    done = sh.run(check)
    assert done.returncode == 1 and "FAILED credentials" in done.stdout and "k1" in done.stdout


async def test_ehr_check_says_what_is_wrong(doc_db, standin, tmp_path):
    world = seed(standin)
    creds = world["credentials"]
    sh = Shell(tmp_path, doc_db)
    clinic = example_clinic()
    clinic.update(slug=f"check-{os.getpid()}", ehr_credentials=creds,
                  ehr_options={"base_url": standin.url})
    sh.write("c.json", clinic)
    done = sh.run("voice-agent clinic import c.json")
    assert done.returncode == 0, done.stderr
    sh.env["CLINIC_ID"] = json.loads(done.stdout)["clinic_id"]

    def set_grant(scope: str | None = None, base_url: str | None = None) -> None:
        grant = standin.grant(creds["client_id"], "contract", **({"scope": scope} if scope else {}))
        sh.write("creds.json", {**creds, "refresh_token": grant})
        sh.write("opts.json", {"base_url": base_url or standin.url})
        assert sh.run('voice-agent clinic set-ehr "$CLINIC_ID" --provider drchrono --credentials creds.json '
                      "--options opts.json").returncode == 0

    def check() -> subprocess.CompletedProcess:
        return sh.run('voice-agent ehr check "$CLINIC_ID"')

    standin.refresh_tokens.clear()                                   # the practice disconnected the app
    done = check()
    assert done.returncode == 1 and "FAILED auth" in done.stdout and "invalid_grant" in done.stdout

    set_grant(scope="user:read patients:read")
    done = check()
    assert done.returncode == 1 and "FAILED scope: reading appointments" in done.stdout

    set_grant()
    standin.date_skew = -900                                        # this machine is 15 minutes fast
    done = check()
    assert done.returncode == 1 and "FAILED clock" in done.stdout and re.search(r"\+(899|900|901) s", done.stdout)
    standin.date_skew = 0

    set_grant()
    standin.mode = "down"
    done = check()
    assert done.returncode == 1 and "FAILED service" in done.stdout
    standin.mode = "up"

    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    set_grant(base_url=f"http://127.0.0.1:{closed}")
    done = check()
    assert done.returncode == 1 and "FAILED network" in done.stdout

    assert sh.run('voice-agent ehr check 00000000-0000-0000-0000-000000000000').returncode == 1
    for secret in (creds["client_secret"], creds["webhook_secret"]):
        assert secret not in done.stdout + done.stderr


async def test_ehr_check_on_the_builtin_calendar(doc_db, tmp_path):
    sh = Shell(tmp_path, doc_db)
    clinic = {k: v for k, v in example_clinic().items() if not k.startswith("ehr_")}
    clinic["slug"] = f"builtin-{os.getpid()}"
    sh.write("b.json", clinic)
    done = sh.run("voice-agent clinic import b.json")
    assert done.returncode == 0, done.stderr
    sh.env["CLINIC_ID"] = json.loads(done.stdout)["clinic_id"]
    done = sh.run('voice-agent ehr check "$CLINIC_ID"')
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ehr_provider builtin" in done.stdout and "ok: the built-in calendar answers" in done.stdout
