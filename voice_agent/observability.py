"""Metrics around the engine's seams, added at wiring time so the core stays free of Prometheus.

`TimedUnderstanding` observes how long understanding takes (embedded or Claude); `CountedSafety`
counts messages the safety pipeline did not let through unchanged, by stage and action. Labels
carry names of stages and engines only, never message content.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

from voice_agent.web.metrics import INTENT_SECONDS, SAFETY_BLOCKS


class TimedUnderstanding:
    def __init__(self, inner: Any, engine_name: str) -> None:
        self.inner, self.engine_name = inner, engine_name

    async def understand_async(self, text: str, ctx: Any) -> Any:
        started = time.perf_counter()
        try:
            if self.engine_name == "embedded":      # CPU work (its encoder): off the event loop
                return await asyncio.to_thread(self.inner.understand, text, ctx)
            return await self.inner.understand_async(text, ctx)
        finally:
            INTENT_SECONDS.labels(self.engine_name).observe(time.perf_counter() - started)

    def understand(self, text: str, ctx: Any) -> Any:
        return self.inner.understand(text, ctx)


class CountedSafety:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def check_input(self, text: str, ctx: Any = None) -> Any:
        verdict = self.inner.check_input(text, ctx)
        action = verdict.action.value
        if action != "continue":
            stage = "crisis" if verdict.crisis.severity is not None else "abuse" if verdict.abuse else "input"
            SAFETY_BLOCKS.labels(stage, action).inc()
        elif verdict.never_needed_found:
            SAFETY_BLOCKS.labels("pii", "redact").inc()
        return verdict

    def check_output(self, reply: str, allowed_values: Any = None, lang: str = "en") -> Any:
        verdict = self.inner.check_output(reply, allowed_values, lang)
        if not verdict.ok:
            SAFETY_BLOCKS.labels("output", "replace").inc()
        return verdict
