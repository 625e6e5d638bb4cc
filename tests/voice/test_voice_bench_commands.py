"""The bench commands printed in docs/benchmarks/voice.md are the benches' current options.

Running them takes minutes and a migrated database (40 simulated calls, a server child with 4
callers), so CI does not run them; it checks that each printed command, exactly as printed, is
accepted by the bench it names (a renamed or dropped option fails here, not in front of a reader)."""
from __future__ import annotations

import importlib.util
import re
import shlex
import sys

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "benchmarks" / "voice.md"


def commands() -> list[str]:
    blocks = re.findall(r"```\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith(".venv/bin/python bench/voice_")]


def test_the_page_prints_this_sessions_commands():
    found = commands()
    assert ".venv/bin/python bench/voice_bookings.py --calls 10 --stt combined" in found
    assert (".venv/bin/python bench/voice_latency.py --embedded --stt combined --callers 1,4 --turns 6"
            " --stall-stacks") in found


@pytest.mark.parametrize("command", commands())
def test_each_printed_command_is_accepted_by_its_bench(command):
    argv = shlex.split(command)
    assert argv[0] == ".venv/bin/python" and (ROOT / argv[1]).exists()
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(f"doc_{ROOT.joinpath(argv[1]).stem}", ROOT / argv[1])
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module                     # its dataclasses look themselves up there
        spec.loader.exec_module(module)
        module.build_parser().parse_args(argv[2:])          # SystemExit on an unknown option
    finally:
        sys.path.remove(str(ROOT / "bench"))
        sys.modules.pop(f"doc_{ROOT.joinpath(argv[1]).stem}", None)
