"""Every command printed in docs/safety.md runs, exactly as printed, and does what the page says."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "safety.md"


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_page_has_its_commands():
    assert len(commands()) == 4


@pytest.mark.parametrize("command", commands())
def test_each_command_runs_as_printed(command):
    generated = [ROOT / "fixtures" / "safety" / name for name in ("routine_answers.txt", "train_paraphrases4.jsonl")]
    before = [path.read_bytes() for path in generated]
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [path.read_bytes() for path in generated] == before    # the generators are deterministic: nothing to retrain
    if "--check" in command:
        assert "up to date" in done.stdout
    if "crisis_blind_eval" in command:
        assert "recall, crisis + emergency" in done.stdout and "false alarms on hard negatives" in done.stdout
