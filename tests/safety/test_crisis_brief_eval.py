"""`bench/crisis_brief_eval.py` scores the training batches written from the blind brief, one row
a file and a round together, and appends the run to the page it is given (rules alone here: quick)."""
from __future__ import annotations

import importlib.util
import re
import subprocess

from safety.crisis import CrisisDetector
from tests.conftest import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("crisis_brief_eval", ROOT / "bench" / "crisis_brief_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_file_and_all_four_are_scored_and_the_run_is_appended(tmp_path, monkeypatch, capsys):
    bench = _bench()
    monkeypatch.setattr(bench, "CrisisDetector", lambda: CrisisDetector(use_model=False))
    page = tmp_path / "crisis_brief.md"
    page.write_text("## header\n", encoding="utf-8")
    assert bench.main(["--only", "1", "2", "3", "4", "--label", "rules alone", "--append", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("## header\n") and "#### rules alone" in text
    for n in (1, 2, 3, 4):
        assert f"| train_brief{n}.jsonl | " in text and "/150 (" in text
    total = next(line for line in text.splitlines() if line.startswith("| all four |"))
    assert "/600 (" in total
    found = int(total.split("|")[2].split("/")[0])
    assert 150 < found < 550          # rules alone find the crises said outright, not every one
    assert "#### rules alone" in capsys.readouterr().out


def test_a_round_is_scored_alone_when_asked(tmp_path, monkeypatch, capsys):
    bench = _bench()
    monkeypatch.setattr(bench, "CrisisDetector", lambda: CrisisDetector(use_model=False))
    assert bench.main(["--only", "2", "3", "--label", "two files"]) == 0
    out = capsys.readouterr().out
    assert "| train_brief2.jsonl |" in out and "| train_brief3.jsonl |" in out and "| all 2 |" in out
    assert "train_brief1.jsonl" not in out and "train_brief4.jsonl" not in out


def test_the_page_command_runs_as_printed():
    """docs/benchmarks/crisis_brief.md's command, exactly as printed: all twelve files, the shipped detector."""
    page = (ROOT / "docs" / "benchmarks" / "crisis_brief.md").read_text(encoding="utf-8")
    (command,) = [line.strip() for block in re.findall(r"```bash\n(.*?)```", page, re.S)
                  for line in block.splitlines() if line.strip()]
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| train_brief12.jsonl |" in done.stdout and "| all 12 |" in done.stdout and "/1800 (" in done.stdout
    assert page == (ROOT / "docs" / "benchmarks" / "crisis_brief.md").read_text(encoding="utf-8")   # printed, not appended
