"""Decoding in worker processes, so one caller's decode never stalls the other calls.

pocketsphinx holds the GIL for the whole decode: a 3.8 s utterance takes ~540 ms, ~420 ms of it in
one stretch (`bench/decode_stall.py`). Decoded in a thread, that froze the event loop, and with it
every call's outgoing audio (paced ~300 ms ahead) and every webhook. Each worker process builds a
clinic's recogniser on first use and keeps it; `prepare` warms every worker at call start, while the
greeting plays.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .codec import pcm8k_to_pcm16k
from .priority import lower_this_thread
from .grammar import ClinicVocabulary, Provider
from .protocols import SpeechContext
from .recognizer import GrammarRecognizer, Recognition

VocabKey = tuple[str, tuple[tuple[str, str | None], ...], tuple[str, ...]]

# --- inside a worker process ------------------------------------------------------------------

_recognizers: dict[VocabKey, GrammarRecognizer] = {}      # most recently used last
MAX_CLINICS_PER_WORKER = 8                                  # ~35 MB each


def _exit_with(parent: int) -> None:
    """Worker initializer: leave when the server is gone, however it went (a SIGKILL, or no
    shutdown call) instead of living on as an orphan holding its pipes; decode at background
    priority (priority.py: the server's event loop first)."""
    lower_this_thread()
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _recognizer(key: VocabKey, providers: list[Provider], patient_names: list[str]) -> GrammarRecognizer:
    rec = _recognizers.pop(key, None)
    if rec is None:
        for old in [k for k in _recognizers if k[0] == key[0]]:
            del _recognizers[old]                      # the clinic's roster changed
        while len(_recognizers) >= MAX_CLINICS_PER_WORKER:
            del _recognizers[next(iter(_recognizers))]  # the least recently used clinic
        rec = GrammarRecognizer(ClinicVocabulary(providers, patient_names))
    _recognizers[key] = rec
    return rec


def _ping() -> int:
    return os.getpid()


def _prepare(key: VocabKey, providers: list[Provider], patient_names: list[str]) -> int:
    _recognizer(key, providers, patient_names)
    return os.getpid()


def _decode(key: VocabKey, providers: list[Provider], patient_names: list[str], pcm8k: bytes,
            question: str) -> Recognition:
    return _recognizer(key, providers, patient_names).decode(pcm8k_to_pcm16k(pcm8k), question)


# --- in the server ----------------------------------------------------------------------------

def vocab_key(context: SpeechContext) -> VocabKey:
    return (context.clinic_id, tuple((p.name, p.specialty) for p in context.providers),
            tuple(context.patient_names))


def default_processes() -> int:
    return min(4, os.cpu_count() or 1)


class DecoderPool:
    """A few worker processes shared by every call in this server process."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes if processes > 0 else default_processes()
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_exit_with, initargs=(os.getpid(),))
            return self._executor

    def _reset(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    async def _run(self, fn, *args):
        loop = asyncio.get_running_loop()
        pool = self._pool()
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:                  # a worker died (OOM, killed): start afresh, once
            self._reset(pool)
            return await loop.run_in_executor(self._pool(), fn, *args)

    async def warm(self) -> None:
        """Start the workers (spawn + imports, ~1-2 s) before the first call needs them."""
        await asyncio.gather(*(self._run(_ping) for _ in range(self.processes)))

    async def prepare(self, context: SpeechContext) -> None:
        """Build the clinic's recogniser in the workers (once per worker and roster)."""
        args = (vocab_key(context), list(context.providers), list(context.patient_names))
        await asyncio.gather(*(self._run(_prepare, *args) for _ in range(self.processes)))

    async def decode(self, context: SpeechContext, pcm8k: bytes, question: str) -> Recognition:
        return await self._run(_decode, vocab_key(context), list(context.providers),
                               list(context.patient_names), pcm8k, question)

    def shutdown(self) -> None:
        """Stop the workers and wait for them (without waiting they outlived the server)."""
        with self._lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
