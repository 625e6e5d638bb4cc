"""Embedded (offline) natural-language understanding for the dialogue core.

Entry points: ``EmbeddedUnderstanding.understand(text, ctx)`` (sync) and
``understand_async`` (the ``Understanding`` protocol).  See docs/nlu.md.
"""

from .embedded import EmbeddedUnderstanding
from .protocol import Understanding
from .types import Intent, NLUContext, NLUResult, RosterEntry

__all__ = ["EmbeddedUnderstanding", "Intent", "NLUContext", "NLUResult", "RosterEntry", "Understanding"]
