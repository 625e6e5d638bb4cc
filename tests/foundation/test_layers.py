"""The layers of DESIGN.md hold, checked by import-linter with the contracts in pyproject.toml, and
those contracts would catch an import that goes up, a cycle, or a module nobody placed."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("voice_agent", "channels", "dialogue", "safety", "ehr", "storage")
LOWER = ["channels", "dialogue", "safety | ehr", "storage", "voice_agent.web"]


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=300)


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert sorted(config["root_packages"]) == sorted(PACKAGES)
    return {c["id"]: c for c in config["contracts"]}


def root_modules() -> set[str]:
    """Every module and sub-package of voice_agent/ but the bottom layer: the composition root."""
    here = ROOT / "voice_agent"
    found = {p.stem for p in here.glob("*.py") if p.stem != "__init__"}
    found |= {p.name for p in here.iterdir() if (p / "__init__.py").is_file()}
    return found - {"web"}


def test_the_contracts_hold():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_the_contracts_name_every_package_and_every_module_of_the_root():
    found = contracts()
    layers = found["layers"]["layers"]
    assert {m.strip().removeprefix("voice_agent.") for m in layers[0].split(":")} == root_modules()
    assert layers[1:] == LOWER
    assert {m.strip() for m in found["root"]["layers"][0].split(":")} == root_modules()
    assert found["root"]["layers"][1:] == ["web"] and found["root"]["exhaustive"] is True
    assert sorted(found["acyclic"]["ancestors"]) == sorted(PACKAGES)
    packaged = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert sorted(p.rstrip("*") for p in packaged["include"]) == sorted(PACKAGES)


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=lambda d, names: [n for n in names if not n.endswith(".py") and "." in n])
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_copy_the_next_test_breaks_is_itself_clean(tmp_path):
    done = lint(copy_of_the_code(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module, line, broken", [
    ("channels/chat_api.py", "from voice_agent import wiring", "An import goes down"),        # up into the root
    ("voice_agent/web/errors.py", "import storage.keys", "An import goes down"),              # the bottom reaching up
    ("dialogue/engine.py", "import channels.sms", "An import goes down"),                     # the core calling a channel
    ("ehr/types.py", "import safety.consent", "An import goes down"),                         # safety and ehr independent
    ("storage/keys.py", "import storage.sessions", "No two modules"),                         # a cycle in one package
    ("voice_agent/anything.py", "", "voice_agent holds the composition root"),                # a module nobody placed
])
def test_a_bad_import_is_caught(tmp_path, module, line, broken):
    code = copy_of_the_code(tmp_path)
    target = code / module
    target.write_text((target.read_text() if target.exists() else "") + f"\n{line}\n")
    done = lint(code)
    assert done.returncode != 0, done.stdout
    assert broken in done.stdout and "BROKEN" in done.stdout, done.stdout


def doc_commands() -> list[str]:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", page, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_architecture_page_has_its_command():
    assert doc_commands() == [".venv/bin/lint-imports --no-cache"]


@pytest.mark.parametrize("command", doc_commands())
def test_each_command_of_the_architecture_page_runs_as_printed(command):
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout
