"""The recogniser's worker processes: the same answers as decoding in-process, the clinic's
roster followed, and a dead worker replaced."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from channels.voice.speech.codec import pcm8k_to_pcm16k, ulaw_to_pcm
from channels.voice.speech.decoder_pool import DecoderPool, _ping
from channels.voice.speech.embedded_stt import EmbeddedSTT
from channels.voice.speech.grammar import Provider
from channels.voice.speech.protocols import SpeechContext

from .helpers import ROSTER, clip, say_and_hear

CONTEXT = SpeechContext(call_id="CA1", clinic_id="c-pool", providers=ROSTER, patient_names=["Maria Lopez"])


@pytest.fixture(scope="module")
def pool():
    p = DecoderPool(1)
    yield p
    p.shutdown()


async def test_decodes_in_another_process_with_the_same_answer(pool, recognizer):
    assert await pool._run(_ping) != os.getpid()
    for name, question in (("yes", "yes_no"), ("book_raman", "opening"), ("next_tuesday", "date")):
        pcm = ulaw_to_pcm(clip(name))
        there = await pool.decode(CONTEXT, pcm, question)
        here = recognizer.decode(pcm8k_to_pcm16k(pcm), question)
        assert (there.text, there.accepted, there.guess) == (here.text, here.accepted, here.guess)


async def test_a_roster_change_is_followed(pool):
    pcm = ulaw_to_pcm(clip("book_raman"))
    assert "raman" in (await pool.decode(CONTEXT, pcm, "opening")).text
    others = SpeechContext(call_id="CA2", clinic_id="c-pool", providers=[Provider("Dr. Marcus Lee", "Cardiology")])
    heard = await pool.decode(others, pcm, "opening")
    assert "raman" not in heard.text and "raman" not in heard.guess      # no longer in the grammar


async def test_a_killed_worker_is_replaced(pool):
    os.kill(await pool._run(_ping), signal.SIGKILL)
    heard = await pool.decode(CONTEXT, ulaw_to_pcm(clip("yes")), "yes_no")
    assert heard.accepted and heard.text == "yes"


async def test_embedded_stt_through_the_pool(pool):
    stt = EmbeddedSTT(pool=pool)
    await stt.start(SpeechContext(call_id="CA3", clinic_id="c-pool", providers=ROSTER, question="yes_no"))
    event = await say_and_hear(stt, "yes")
    await stt.close()
    assert event.accepted and event.text == "yes"


def test_workers_leave_when_the_server_dies_without_shutting_them_down(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(
        "import asyncio, os\n"
        "from channels.voice.speech.decoder_pool import DecoderPool, _ping\n"
        "async def main():\n"
        "    pool = DecoderPool(2)\n"
        "    await pool.warm()\n"
        "    print(' '.join(str(p) for p in {await pool._run(_ping) for _ in range(8)}), flush=True)\n"
        "    os._exit(0)                       # as a SIGKILL would: no shutdown\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(script)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                         capture_output=True, text=True, timeout=60).stdout
    pids = [int(p) for p in out.split()]
    assert pids
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{p}").exists() for p in pids), "orphaned recogniser workers"


async def test_a_failed_decode_is_an_utterance_not_understood():
    class DeadPool:
        async def prepare(self, context):
            return None

        async def decode(self, context, pcm8k, question):
            from concurrent.futures.process import BrokenProcessPool
            raise BrokenProcessPool("the worker died again")

    stt = EmbeddedSTT(pool=DeadPool())
    await stt.start(SpeechContext(call_id="CA4", clinic_id="c-pool", providers=ROSTER, question="yes_no"))
    event = await say_and_hear(stt, "yes")
    await stt.close()
    assert not event.accepted and event.text == "" and not event.guess     # the call asks again
