"""TWILIO_API_BASE_URL: every REST call the Twilio SDK makes goes to that base URL instead of
https://*.twilio.com (a stand-in on loopback here); a non-http(s) value stops start-up."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.reminders.twilio_standin import TwilioStandIn
from voice_agent import wiring
from voice_agent.twilio_http import rebase
from voice_agent.web.settings import SettingsError, load_settings

SID, TOKEN = "AC" + "1" * 32, "stand-in-token"


def test_messages_create_reaches_the_stand_in_through_the_sdk():
    with TwilioStandIn(SID, TOKEN) as standin:
        settings = load_settings({"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN,
                                  "TWILIO_API_BASE_URL": standin.base_url + "/"}, env_file=None)
        client = wiring.twilio_client(settings)
        message = client.messages.create(to="+13125550100", from_="+13125550199", body="See you Tuesday")
    assert message.sid.startswith("SM") and message.status == "queued" and message.to == "+13125550100"
    assert standin.messages == [{"sid": message.sid, "to": "+13125550100", "from": "+13125550199",
                                 "body": "See you Tuesday", "status_callback": ""}]
    assert standin.requests == [("POST", f"/2010-04-01/Accounts/{SID}/Messages.json")]


def test_a_twilio_error_from_the_base_url_surfaces_as_the_sdks_exception():
    from twilio.base.exceptions import TwilioRestException
    with TwilioStandIn(SID, TOKEN) as standin:
        standin.fail_status = 503
        settings = load_settings({"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN,
                                  "TWILIO_API_BASE_URL": standin.base_url}, env_file=None)
        with pytest.raises(TwilioRestException) as err:
            wiring.twilio_client(settings).messages.create(to="+13125550100", from_="+13125550199", body="x")
    assert err.value.status == 503 and standin.messages == []


@pytest.mark.parametrize("url,expected", [
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json",
     "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Calls.json"),
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Conferences/CF1/Participants.json?PageSize=50",
     "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Conferences/CF1/Participants.json?PageSize=50"),
    ("https://messaging.twilio.com/v1/Services", "http://127.0.0.1:9/v1/Services"),
    ("https://example.com/not-twilio", "https://example.com/not-twilio"),
    ("https://twilio.com.evil.example/x", "https://twilio.com.evil.example/x"),
])
def test_every_twilio_host_is_rebased_and_nothing_else(url, expected):
    assert rebase(url, "http://127.0.0.1:9") == expected


def test_a_base_url_with_a_path_prefix_keeps_it():
    assert (rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "https://proxy.internal/twilio/")
            == "https://proxy.internal/twilio/2010-04-01/Accounts/AC1/Messages.json")


@pytest.mark.parametrize("raw", ["ftp://127.0.0.1:9999", "127.0.0.1:9999", "ws://127.0.0.1:9999",
                                 "http://127.0.0.1:9999/?x=1"])
def test_a_non_http_base_url_is_refused_by_name(raw):
    with pytest.raises(SettingsError) as err:
        load_settings({"TWILIO_API_BASE_URL": raw}, env_file=None)
    assert "TWILIO_API_BASE_URL" in str(err.value)


def test_the_cli_refuses_it_at_start_up_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "voice_agent.cli", "migrate"],
                          env={"TWILIO_API_BASE_URL": "ftp://127.0.0.1:9999", "PATH": ""},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "configuration error: TWILIO_API_BASE_URL must be a http/https URL, got 'ftp://127.0.0.1:9999'"]
