"""Every command printed in docs/nlu.md runs, exactly as printed, and does what the page says."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "nlu.md"


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_page_has_its_commands():
    assert commands() == [".venv/bin/python bench/train_intent_head.py --check",
                          ".venv/bin/python bench/intent_eval.py --set fixtures/nlu/intent_dev.jsonl"]


@pytest.mark.parametrize("command", commands())
def test_each_command_runs_as_printed(command):
    head = ROOT / "dialogue" / "nlu" / "intent_head.npz"
    before = head.read_bytes()
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert head.read_bytes() == before
    if "--check" in command:
        assert "up to date" in done.stdout      # the shipped head was trained on the files in the repository
    else:
        found = re.search(r"\| intent accuracy \| ([\d.]+)%", done.stdout)
        assert found and float(found.group(1)) >= 85.0, done.stdout
        assert "understanding: rules + classifier" in done.stdout
