"""`voice-agent ehr check` on an Epic, Oracle Health and Google Calendar clinic, against the stand-ins:
a harmless read that says `ok`, and a plain `FAILED auth` / `FAILED scope` when the vendor refuses."""
from __future__ import annotations

import uuid

import pytest

from storage.ehr_credentials import ClinicEHR
from tests.ehr_contract import backend_google
from tests.ehr_contract.harness import CLINIC_NAME, CLINIC_TZ, WEEK
from tests.ehr_contract.standins import cerner, epic
from tests.ehr_contract.standins.fhir_backend import options as fhir_options
from tests.ehr_contract.standins.keys import key_pair
from tests.ehr_contract.standins.loopback import serve
from voice_agent.ehr_cli import check


class Store:
    def __init__(self, record: ClinicEHR) -> None:
        self.record = record

    async def clinic_ehr(self, clinic_id: str) -> ClinicEHR | None:
        return self.record if clinic_id == self.record.clinic_id else None

    async def save(self, clinic_id, credentials) -> None:
        return None

    async def load(self, clinic_id):
        return None


class Refused(Exception):
    pass


async def run_check(record: ClinicEHR, capsys) -> tuple[int, str]:
    code = await check(None, record.clinic_id, Store(record), None, Refused)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("vendor,module", [("epic", epic), ("cerner", cerner)])
async def test_check_reads_a_fhir_ehr_and_names_a_refused_key(vendor, module, capsys):
    private, public = key_pair(vendor)
    standin = module.make(public)
    async with serve(standin.app()) as root:
        standin.root = root
        record = ClinicEHR(str(uuid.uuid4()), vendor, CLINIC_TZ, CLINIC_NAME, WEEK,
                           fhir_options(standin, module.CLIENT_ID), {"private_key_pem": private})
        code, out = await run_check(record, capsys)
        assert code == 0, out
        assert "ok: providers readable (2)" in out and f"ok: {vendor} answers for this clinic" in out
        assert private.splitlines()[1] not in out                    # the key is never printed
        wrong = ClinicEHR(record.clinic_id, vendor, CLINIC_TZ, CLINIC_NAME, WEEK, record.options,
                          {"private_key_pem": key_pair("someone-else")[0]})
        code, out = await run_check(wrong, capsys)
        assert code == 1 and out.splitlines()[-1].startswith("FAILED auth:"), out
        narrow = dict(record.options, scope="system/Patient.read system/Financial.read")
        code, out = await run_check(ClinicEHR(record.clinic_id, vendor, CLINIC_TZ, CLINIC_NAME, WEEK, narrow,
                                              record.credentials), capsys)
        assert code == 1 and out.splitlines()[-1].startswith("FAILED scope:"), out


async def test_check_reads_google_calendar(capsys):
    async with backend_google.make_backend(None) as b:
        private = key_pair("google")[0]
        record = ClinicEHR(b.clinic.id, "google", CLINIC_TZ, CLINIC_NAME, WEEK, backend_google.options(b.standin),
                           backend_google.service_account(b.standin, private))
        code, out = await run_check(record, capsys)
        assert code == 0 and "ok: appointments readable" in out, out
