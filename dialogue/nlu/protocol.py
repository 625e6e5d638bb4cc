"""The ``Understanding`` protocol the Engine depends on.

Implementations are async because the production one (Claude) does network I/O.
``EmbeddedUnderstanding`` implements it via ``understand_async`` and also offers a
synchronous ``understand`` for tests and benchmarks.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .types import NLUContext, NLUResult


@runtime_checkable
class Understanding(Protocol):
    """Turns one user message into an intent and slots."""

    async def understand_async(self, text: str, ctx: NLUContext) -> NLUResult:
        """Understand ``text`` given what the agent just asked (``ctx.expecting``)."""
        ...
