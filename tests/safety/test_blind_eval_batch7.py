"""The lead scores the sealed batch 7 once with `bench/crisis_blind_eval.py --batch 7`: it must read
batch 7's two files (batch 6's format) and record the run in docs/benchmarks/crisis_blind7.md."""
from __future__ import annotations

import importlib.util
import shutil

import pytest

from safety.crisis import CrisisDetector
from tests.conftest import ROOT


def _harness():
    spec = importlib.util.spec_from_file_location("crisis_blind_eval", ROOT / "bench" / "crisis_blind_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stand_in(tmp_path, batch: int, half: int, monkeypatch):
    """The bench pointed at a scratch tree holding a stand-in for sealed batch `batch`: the first and
    last `half` messages and two conversations each end of batch 6, same format; rules alone (quick)."""
    bench = _harness()
    data = tmp_path / "fixtures" / "safety"
    data.mkdir(parents=True)
    (tmp_path / "docs" / "benchmarks").mkdir(parents=True)
    source = ROOT / "fixtures" / "safety"
    lines = (source / "blind_holdout6.jsonl").read_text(encoding="utf-8").splitlines()
    (data / f"blind_holdout{batch}.jsonl").write_text("\n".join(lines[:half] + lines[-half:]) + "\n", encoding="utf-8")
    convs = (source / "blind_multiturn6.jsonl").read_text(encoding="utf-8").splitlines()
    (data / f"blind_multiturn{batch}.jsonl").write_text("\n".join(convs[:2] + convs[-2:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(bench, "DATA", data)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr(bench, "CrisisDetector", lambda: CrisisDetector(use_model=False))
    return bench, data, source


def test_batch_7_is_read_from_its_files_and_its_run_is_written_to_its_page(tmp_path, monkeypatch, capsys):
    bench, data, source = _stand_in(tmp_path, 7, 10, monkeypatch)
    shutil.copy(source / "blind_holdout6.jsonl", data / "blind_holdout6.jsonl")

    assert bench.main(["--batch", "7", "--label", "first run"]) == 0
    page = (tmp_path / "docs" / "benchmarks" / "crisis_blind7.md").read_text(encoding="utf-8")
    assert page.startswith("## Crisis detection on blind batch 7")
    assert "#### first run" in page and "| recall, crisis + emergency |" in page and "/10 (" in page
    assert "| conversations: found / false alarms |" in page
    assert bench.main(["--batch", "7", "--label", "second run"]) == 0          # appended, not replaced
    page = (tmp_path / "docs" / "benchmarks" / "crisis_blind7.md").read_text(encoding="utf-8")
    assert page.count("## Crisis detection on blind batch 7") == 1 and "#### second run" in page


@pytest.mark.parametrize("batch", [8, 9])
def test_a_sealed_batch_is_scored_from_its_files_and_recorded_on_its_own_page(tmp_path, monkeypatch, batch):
    """The integrator scores a sealed batch (8, then 9) with `--batch N` after the head is frozen."""
    bench, _, _ = _stand_in(tmp_path, batch, 6, monkeypatch)

    assert bench.main(["--batch", str(batch), "--label", f"first run on batch {batch}"]) == 0
    page = (tmp_path / "docs" / "benchmarks" / f"crisis_blind{batch}.md").read_text(encoding="utf-8")
    assert page.startswith(f"## Crisis detection on blind batch {batch}") and f"#### first run on batch {batch}" in page
    assert "/6 (" in page and not (tmp_path / "docs" / "benchmarks" / "crisis_blind7.md").exists()


def test_crisis_blind7_is_collected_into_the_benchmarks_page():
    text = (ROOT / "bench" / "collect_benchmarks.py").read_text(encoding="utf-8")
    assert '"crisis_blind7"' in text
