"""The safety pipeline's latency on one source tree, for paired comparisons on a busy machine.

    PYTHONPATH=/path/to/tree .venv/bin/python bench/safety_latency.py /path/to/tree

Runs check_input (with the two previous messages as the crisis window) and check_output on every
labelled message of that tree's fixtures/safety/messages.jsonl and prints p50 / p95 and the load
average. Alternate two trees (A B A B) under the same load to compare them; the absolute figure is
`bench/safety_eval.py`'s, on a quiet machine.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time


def main(root: str) -> None:
    sys.path.insert(0, root)
    from safety import crisis_model
    from safety.pipeline import SafetyPipeline
    crisis_model.load(required=True)
    pipe = SafetyPipeline()
    msgs = [json.loads(line)["text"] for line in open(os.path.join(root, "fixtures/safety/messages.jsonl"))
            if line.strip()]
    for m in msgs[:20]:
        pipe.check_input(m)
    times = []
    for i, m in enumerate(msgs):
        t0 = time.perf_counter()
        pipe.check_input(m, {"recent": msgs[max(0, i - 2):i]})
        pipe.check_output("You're booked with Dr. Patel on Tuesday at 2:30 PM. We'll text 555-123-4567.",
                          ["555-123-4567"])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"{root}: p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times))]:.1f} ms, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
