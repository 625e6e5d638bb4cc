"""Channels use the engine only through its public methods; the clinic directory, the session
store and the audit log come to them as ports (channels/ports.py), never through the engine."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSIDE = re.compile(r"\bengine\.(directory|sessions|audit|calendar|understanding|safety|turn_lock|notifier|handoffs"
                    r"|phrasing|_\w+)\b")


def test_no_channel_reaches_into_the_engine():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in sorted((ROOT / "channels").rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if INSIDE.search(line)]
    assert found == []


def test_the_check_would_see_one():
    assert INSIDE.search("clinic = await deps.engine.directory.by_slug(slug)")
    assert INSIDE.search("session = await self.engine.sessions.find_active(clinic.id, 'voice', sid)")
    assert not INSIDE.search("reply = await engine.process(clinic.id, 'sms', text)")
