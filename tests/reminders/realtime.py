"""Running `voice-agent reminders run` as a real process against the suite's database, on the real
clock, with every Twilio REST call going to a stand-in through TWILIO_API_BASE_URL."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import ROOT
from tests.reminders.conftest import SID


def quiet_hours_away_from_now(timezone: str) -> str:
    """A one-minute quiet window six hours from now in the clinic's zone: these tests run at any
    hour, and the real quiet hours must not decide whether they send."""
    start = datetime.now(ZoneInfo(timezone)) + timedelta(hours=6)
    return f"{start:%H:%M}-{start + timedelta(minutes=1):%H:%M}"


def command_env(test_env: dict[str, str], standin, timezone: str, **extra: str) -> dict[str, str]:
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, **test_env, "TWILIO_ACCOUNT_SID": SID, "TWILIO_API_BASE_URL": standin.base_url,
            "REMINDER_QUIET_HOURS": quiet_hours_away_from_now(timezone), "PYTHONPATH": str(ROOT),
            "PATH": scripts + os.pathsep + os.environ.get("PATH", ""), **extra}


def voice_agent() -> str:
    found = shutil.which("voice-agent", path=str(Path(sys.executable).parent)) or shutil.which("voice-agent")
    assert found, "the voice-agent console script is not installed"
    return found


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([voice_agent(), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
