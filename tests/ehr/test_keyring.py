"""EHR credentials at rest: sealed with the first key, opened with any, re-sealed by `rekey`, and a
key dropped too early is named rather than yielding garbage."""
from __future__ import annotations

import pytest

from storage.credentials_keyring import Keyring, KeyringError
from storage.ehr_credentials import EHRCredentialStore

SECRET = "test-secret-key-for-the-suite-0123456789"
CREDS = {"client_id": "cid", "client_secret": "very-secret-value", "refresh_token": "rt-123"}


def test_seal_open_and_rotation():
    k1, k2 = Keyring.new_key(), Keyring.new_key()
    old = Keyring.from_settings(f"k1:{k1}", SECRET)
    sealed = old.seal(CREDS)
    assert sealed["kid"] == "k1" and "very-secret-value" not in sealed["token"]
    both = Keyring.from_settings(f"k2:{k2},k1:{k1}", SECRET)
    assert both.open(sealed) == CREDS and both.seal(CREDS)["kid"] == "k2"
    with pytest.raises(KeyringError, match="k1"):
        Keyring.from_settings(f"k2:{k2}", SECRET).open(sealed)
    default = Keyring.from_settings(None, SECRET)
    assert default.current == "s0" and both.open(default.seal(CREDS)) == CREDS   # the derived key stays readable
    with pytest.raises(KeyringError):
        Keyring.from_settings(f"k1:{k2}", SECRET).open(sealed)    # a different key under the same id: refused


@pytest.mark.parametrize("spec", ["nocolon", "k1:", "k1:not-base64!!", "k1:c2hvcnQ="])
def test_bad_key_specs_are_refused(spec):
    with pytest.raises(KeyringError):
        Keyring.from_settings(spec, SECRET)


async def test_rekey_reseals_every_clinic(pool, make_clinic):
    clinic = await make_clinic()
    k1, k2 = Keyring.new_key(), Keyring.new_key()
    first = EHRCredentialStore(pool, Keyring.from_settings(f"k1:{k1}", SECRET))
    await first.set_ehr(clinic.id, "drchrono", {"base_url": "https://x.test"}, CREDS)
    rotated = EHRCredentialStore(pool, Keyring.from_settings(f"k2:{k2},k1:{k1}", SECRET))
    done, current = await rotated.rekey(clinic.id)     # scoped: other tests' clinics are left alone
    assert (done, current) == (1, 0)
    only_new = EHRCredentialStore(pool, Keyring.from_settings(f"k2:{k2}", SECRET))
    record = await only_new.clinic_ehr(clinic.id)
    assert record.credentials == CREDS and record.provider == "drchrono"
    assert "very-secret-value" not in repr(record)
    assert await rotated.rekey(clinic.id) == (0, 1)
    await only_new.set_ehr(clinic.id, "builtin", None, None)
    assert (await only_new.clinic_ehr(clinic.id)).credentials is None
