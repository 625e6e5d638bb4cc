"""Background speech work yields the CPU to the event loop.

On a 2-core box the recognisers' CPU (the grammar decoder's worker processes, Whisper's threads)
competes with the server's event loop, which sends every call's audio every 20 ms; with the load
above the core count the loop waited for a core (docs/benchmarks/voice.md, "What stalls the event
loop"). Background work runs at a lower scheduling priority (a higher nice value), so when both
want a core the loop gets it; an idle box is unaffected. Linux sets niceness per thread, and the
threads a thread starts inherit it. Lowering is always allowed; failures are ignored (a platform
without it keeps the default priority).
"""
from __future__ import annotations

import os
import threading

BACKGROUND_NICE = 10


def lower_this_thread(nice: int = BACKGROUND_NICE) -> None:
    """Run the calling thread (and the threads it starts from now on) at `nice`, if not lower already."""
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
    except (AttributeError, OSError):
        pass
