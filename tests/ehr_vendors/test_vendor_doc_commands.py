"""docs/ehr_vendors.md: every shell command runs exactly as printed (in a scratch folder) and makes a
key the adapters sign with and a certificate that verifies it. docs/ehr.md: the Epic and Google
`ehr_options` examples are what the factories accept."""
from __future__ import annotations

import json
import re
import subprocess

import jwt
import pytest
from cryptography import x509

from ehr.bearer import SigningKey, smart_backend
from ehr.fhir.settings import FhirSettings
from ehr.google_calendar.settings import GoogleSettings
from tests.conftest import ROOT
from tests.ehr_contract.harness import WEEK

PAGE = (ROOT / "docs" / "ehr_vendors.md").read_text(encoding="utf-8")
SETUP = (ROOT / "docs" / "ehr.md").read_text(encoding="utf-8")


def blocks(kind: str, page: str = PAGE) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", page, re.S)


def commands() -> list[str]:
    return [line.strip() for block in blocks("bash") for line in block.splitlines() if line.strip()]


def test_the_page_has_its_commands_and_examples():
    assert len(commands()) == 2 and blocks("json") == []


def test_the_key_commands_make_a_key_the_adapter_signs_with(tmp_path):
    for command in commands():
        done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    private = (tmp_path / "receptionist-ehr.key.pem").read_text()
    certificate = x509.load_pem_x509_certificate((tmp_path / "receptionist-ehr.cert.pem").read_bytes())
    bearer = smart_backend(None, "https://ehr.example/token", "client-1", SigningKey(private, "k1"), "system/Slot.read")
    claims = jwt.decode(bearer.assertion(), certificate.public_key(), algorithms=["RS384"],
                        audience="https://ehr.example/token")
    assert claims["iss"] == claims["sub"] == "client-1" and claims["exp"] - claims["iat"] <= 300


def test_the_option_examples_are_what_the_factories_accept():
    examples = [json.loads(b) for b in blocks("json", SETUP)]
    epic = next(e for e in examples if "token_url" in e)
    google = next(e for e in examples if "patients_calendar_id" in e)
    settings = FhirSettings.from_config({**epic, "private_key_pem": "pem"}, "system/Slot.read")
    assert [e.duration_minutes for e in settings.roster] == [30, 20]
    assert settings.roster[1].accepting_new_patients is False
    g = GoogleSettings.from_config({"business_hours": WEEK, **google, "service_account": {
        "client_email": "sa@p.iam.gserviceaccount.com", "private_key": "pem"}})
    assert g.providers[0].calendar_id == "c_rivera@group.calendar.google.com"
    with pytest.raises(ValueError):
        FhirSettings.from_config(epic, "system/Slot.read")    # neither a key nor a secret
