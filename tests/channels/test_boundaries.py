"""channels/ is a thin adapter layer: it never reaches storage, the database or Redis directly."""
from __future__ import annotations

import ast
from pathlib import Path

CHANNELS = Path(__file__).resolve().parents[2] / "channels"
FORBIDDEN = ("storage", "psycopg", "psycopg_pool", "redis")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.append(str(node.args[0].value))
    return names


def test_channels_never_import_storage_psycopg_or_redis():
    modules = sorted(CHANNELS.rglob("*.py"))
    assert len(modules) >= 5
    offenders = [(str(p.relative_to(CHANNELS)), name) for p in modules for name in _imports(p)
                 if name.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_the_check_itself_catches_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import redis.asyncio as r\nfrom storage.consent import X\n"
                   "def f():\n    import psycopg\n    __import__('psycopg_pool')\n")
    assert [n.split(".")[0] for n in _imports(bad)] == ["redis", "storage", "psycopg", "psycopg_pool"]
