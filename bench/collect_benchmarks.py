"""Rebuild docs/BENCHMARKS.md from the summary and each area's section in docs/benchmarks/.

Each bench script writes (or its owner updates) one file in docs/benchmarks/; this joins them so
the figures we quote live in one page:  .venv/bin/python bench/collect_benchmarks.py
"""
from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
ORDER = ["scheduling", "nlu", "intent_blind", "goals", "chat_load", "safety", "crisis_blind57", "crisis_blind56", "crisis_blind55", "crisis_blind54", "crisis_blind53", "crisis_blind52", "crisis_blind51", "crisis_blind50", "crisis_blind49", "crisis_blind48", "crisis_blind47", "crisis_blind46", "crisis_blind45", "crisis_blind44", "crisis_blind43", "crisis_blind42", "crisis_blind41", "crisis_blind40", "crisis_blind39", "crisis_blind38", "crisis_blind37", "crisis_blind36", "crisis_blind35", "crisis_blind34", "crisis_blind33", "crisis_blind32", "crisis_blind31", "crisis_blind30", "crisis_blind29", "crisis_blind28", "crisis_blind27", "crisis_blind26", "crisis_blind25", "crisis_brief", "crisis_blind24", "crisis_blind23", "crisis_blind22", "crisis_blind21", "crisis_blind20", "crisis_blind19", "crisis_blind18", "crisis_blind17", "crisis_blind16", "crisis_blind15", "crisis_blind14", "crisis_blind13", "crisis_blind12", "crisis_blind11", "crisis_blind10", "crisis_blind9", "crisis_blind8", "crisis_blind7", "crisis_blind6", "crisis_blind5", "speech", "speech_callers", "decode_stall",
         "voice"]


def main() -> None:
    parts = [(DOCS / "benchmarks" / "_summary.md").read_text().rstrip()]
    for name in ORDER:
        path = DOCS / "benchmarks" / f"{name}.md"
        if not path.exists():
            continue
        text = path.read_text().strip()
        lines = [line for line in text.splitlines() if not line.startswith("# ")]   # drop page titles
        body = "\n".join(lines).strip()
        parts.append(f"<!-- from docs/benchmarks/{name}.md -->\n{body}")
    (DOCS / "BENCHMARKS.md").write_text("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
