"""`voice-agent clinic import`: every error reported with its JSON path; nothing written unless valid."""
from __future__ import annotations

import asyncio
import json

from tests.conftest import demo_clinic_data
from voice_agent.cli import main as cli_main


async def _count(pool, slug):
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM clinics WHERE slug = %s", (slug,))
        return (await cur.fetchone())["n"]


async def test_import_reports_all_three_errors_and_writes_nothing(tmp_path, pool, monkeypatch, test_env, capsys):
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    data = demo_clinic_data()
    data["timezone"] = "Mars/Olympus_Mons"                    # 1
    data["providers"][1]["schedule"]["mon"][0] = ["9am", "17:00"]  # 2
    data["patients"][0]["date_of_birth"] = "1985-13-45"       # 3
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(data))
    code = await asyncio.to_thread(cli_main, ["clinic", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "3 error(s)" in err
    assert "$.timezone" in err
    assert "$.providers[1].schedule.mon[0]" in err
    assert "$.patients[0].date_of_birth" in err
    assert await _count(pool, data["slug"]) == 0


async def test_import_valid_file_prints_key_and_serves(tmp_path, client, monkeypatch, test_env, capsys):
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    data = demo_clinic_data()
    data["appointments"] = [{"provider_last_name": "Raman",
                             "patient": {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04"},
                             "start": "2030-03-04T09:00:00-06:00", "reason": "checkup"}]
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(data))
    assert await asyncio.to_thread(cli_main, ["clinic", "import", str(path)]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["api_key"].startswith("ar_live_")
    r = await client.get("/api/v1/clinic", headers={"X-API-Key": last["api_key"], "X-Tenant-ID": last["clinic_id"]})
    assert r.status_code == 200 and r.json()["timezone"] == "America/Chicago"


async def test_import_overlapping_appointments_writes_nothing(tmp_path, pool, monkeypatch, test_env, capsys):
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    data = demo_clinic_data()
    patient = {"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1985-03-04"}
    data["appointments"] = [
        {"provider_last_name": "Lee", "patient": patient, "start": "2030-03-04T09:00:00-06:00"},
        {"provider_last_name": "Lee", "patient": patient, "start": "2030-03-04T09:15:00-06:00"},
    ]
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(data))
    assert await asyncio.to_thread(cli_main, ["clinic", "import", str(path)]) == 1
    assert "$.appointments[1]" in capsys.readouterr().err
    assert await _count(pool, data["slug"]) == 0


async def test_clinic_create_prints_json_line(monkeypatch, test_env, capsys, client):
    for k, v in test_env.items():
        monkeypatch.setenv(k, v)
    import uuid
    name = f"North Clinic {uuid.uuid4().hex[:6]}"
    assert await asyncio.to_thread(cli_main, ["clinic", "create", "--name", name, "--timezone",
                                              "America/New_York", "--tier", "free"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    r = await client.get("/api/v1/clinic", headers={"X-API-Key": last["api_key"], "X-Tenant-ID": last["clinic_id"]})
    assert r.json()["name"] == name and r.json()["rate_limit_tier"] == "free"
