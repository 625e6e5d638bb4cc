"""Every `voice-agent audit` command printed in docs/operations.md runs, exactly as printed, as an
operator would, and does what the page says it does."""
from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.foundation.audit_cli import fresh, operator_env, run_shell  # noqa: F401 (fresh is a fixture)

PAGE = ROOT / "docs" / "operations.md"


def audit_blocks() -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks
            if "voice-agent audit" in block]


DAILY, RECOVER, RESTORED = audit_blocks()


def test_the_page_prints_these_commands():
    assert (DAILY, RECOVER, RESTORED) == (["voice-agent audit verify"],
                                          ["voice-agent audit anchor", "voice-agent audit verify"],
                                          ["voice-agent audit anchor --force"])


async def test_the_daily_check_prints_what_the_page_shows(fresh):
    await fresh.clinic()
    run = run_shell(DAILY[0], operator_env(fresh.env))
    assert run.code == 0, run
    assert run.lines == [{"ok": True, "clinics": 1, "rows": 4, "tampered": 0, "unanchored": 0}]


async def test_after_a_lost_anchor_the_printed_commands_anchor_and_verify(fresh):
    lost, kept = await fresh.clinic(), await fresh.clinic()
    await fresh.lose_anchor(lost)
    env = operator_env(fresh.env)
    daily = run_shell(DAILY[0], env)
    assert daily.code == 3 and daily.about(lost)["status"] == "unanchored", daily
    anchor, verify = (run_shell(line, env) for line in RECOVER)
    assert anchor.code == 0 and [a["clinic_id"] for a in anchor.lines[-1]["anchored"]] == [lost], anchor
    assert verify.code == 0 and verify.lines[-1]["ok"] is True, verify


async def test_after_a_restore_only_the_forced_anchor_accepts_the_table(fresh):
    clinic = await fresh.clinic()
    await fresh.delete_newest(clinic)          # what a restore from an older backup looks like
    env = operator_env(fresh.env)
    assert run_shell(DAILY[0], env).about(clinic)["status"] == "tampered"
    refused = run_shell(RECOVER[0], env)
    assert refused.code == 1 and "--force" in refused.stderr, refused
    forced = run_shell(RESTORED[0], env)
    assert forced.code == 0 and forced.lines[-1]["anchored"][0]["clinic_id"] == clinic, forced
    assert run_shell(DAILY[0], env).code == 0
