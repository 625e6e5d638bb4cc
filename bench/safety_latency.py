"""The safety pipeline's latency on one source tree, for paired comparisons on a busy machine.

    PYTHONPATH=/path/to/tree .venv/bin/python bench/safety_latency.py /path/to/tree [--turn]

Runs check_input (with the two previous messages as the crisis window) and check_output on every
labelled message of that tree's fixtures/safety/messages.jsonl and prints p50 / p95 and the load
average. ``--turn``: a chat turn's share of the sentence encoder, as the engine spends it: the safety
pipeline, then the intent classifier on the same message with the same (shared) encoder. Alternate
two trees (A B A B) under the same load to compare them; the absolute figure is
`bench/safety_eval.py`'s, on a quiet machine.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time


def main(root: str, turn: bool = False) -> None:
    sys.path.insert(0, root)
    from safety import crisis_model
    from safety.pipeline import SafetyPipeline
    state = crisis_model.load(required=True)
    intent = None
    if turn:
        from dialogue.nlu.intent_model import IntentClassifier, IntentHead
        intent = IntentClassifier(state.model.encoder, IntentHead())
    pipe = SafetyPipeline()
    msgs = [json.loads(line)["text"] for line in open(os.path.join(root, "fixtures/safety/messages.jsonl"))
            if line.strip()]
    for m in msgs[:20]:
        pipe.check_input(m)
    times = []
    for i, m in enumerate(msgs):
        t0 = time.perf_counter()
        verdict = pipe.check_input(m, {"recent": msgs[max(0, i - 2):i]})
        if intent is not None:
            intent.score(verdict.text_clean)
        pipe.check_output("You're booked with Dr. Patel on Tuesday at 2:30 PM. We'll text 555-123-4567.",
                          ["555-123-4567"])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    what = "safety + intent classifier" if turn else "safety"
    print(f"{root} ({what}): p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times))]:.1f} ms, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "--turn" in sys.argv[1:])
