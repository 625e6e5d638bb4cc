"""The goal-driven patient suite (bench/goals, issue 16): its CI half runs through the real server against
the test database. Only the runner is held here (the fingerprint check, a verdict for every CI goal, a
report); the success target is not asserted yet."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from tests.foundation.served import Served

ROOT = Path(__file__).resolve().parents[2]
GOALS = ROOT / "bench" / "goals"


def _runner():
    spec = importlib.util.spec_from_file_location("goal_runner", GOALS / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["goal_runner"] = module
    spec.loader.exec_module(module)
    return module


run = _runner()


def test_the_suite_is_frozen_and_a_change_is_caught(tmp_path):
    assert run.frozen_fingerprint() is not None, "bench/goals/FROZEN is missing"
    assert run.is_frozen(), "goals.yaml or a clinic file changed after the freeze"
    copy = tmp_path / "goals"
    shutil.copytree(GOALS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert run.is_frozen(copy)
    text = (copy / "goals.yaml").read_text()
    (copy / "goals.yaml").write_text(text.replace("reason: checkup", "reason: check-up", 1))
    assert not run.is_frozen(copy)
    (copy / "goals.yaml").write_text(text)
    clinic = copy / "clinics" / "maple.json"
    clinic.write_text(clinic.read_text().replace('"08:30"', '"08:00"', 1))
    assert not run.is_frozen(copy)


def test_suite_counts():
    goals = run.load_goals()
    assert len(goals) >= 150
    assert len({g["id"] for g in goals}) == len(goals)
    assert {g["clinic"] for g in goals} == set(run.CLINIC_KEYS)
    ci = [g for g in goals if g.get("ci")]
    assert abs(len(ci) - len(goals) / 2) <= len({g["kind"] for g in goals})   # a balanced half


def test_ci_half_runs_and_every_goal_gets_a_verdict(database, test_env):
    server = Served(test_env)
    try:
        report = run.run_suite(env=test_env, database_url=database, base_url=server.base, ci=True,
                               log=lambda *a: None)
    finally:
        server.stop()
    ci_ids = {g["id"] for g in run.load_goals() if g.get("ci")}
    assert report.frozen
    assert {o.goal["id"] for o in report.outcomes} == ci_ids
    for o in report.outcomes:
        assert o.reason, o.goal["id"]                      # a verdict, success or a stated failure
        assert o.error is None, (o.goal["id"], o.error)    # the API answered every turn
        assert o.transcript, o.goal["id"]
    text = report.text(transcripts=False)
    assert "task success" in text and "per kind" in text
    assert "## " in report.markdown("pytest tests/goals")
    print(text)
