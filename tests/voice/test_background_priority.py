"""The recognisers' background CPU yields to the server's event loop: the grammar decoder's worker
processes and Whisper's threads run at a lower scheduling priority (a higher nice value), so on a
loaded 2-core box the loop that sends every call's audio gets a core first."""
from __future__ import annotations

import os
import threading

from channels.voice.speech.decoder_pool import DecoderPool, _ping
from channels.voice.speech.priority import BACKGROUND_NICE, lower_this_thread


def test_the_decoder_workers_run_at_background_priority():
    pool = DecoderPool(1)
    try:
        pid = pool._pool().submit(_ping).result(timeout=60)
        assert os.getpriority(os.PRIO_PROCESS, pid) >= BACKGROUND_NICE
        assert os.getpriority(os.PRIO_PROCESS, os.getpid()) < BACKGROUND_NICE     # the server is not lowered
    finally:
        pool.shutdown()


def test_a_lowered_thread_and_the_threads_it_starts_run_at_background_priority():
    seen: dict[str, int] = {}

    def work() -> None:
        lower_this_thread()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        child = threading.Thread(target=lambda: seen.setdefault(
            "child", os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        child.start()
        child.join()
    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == {"thread": BACKGROUND_NICE, "child": BACKGROUND_NICE}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < BACKGROUND_NICE
