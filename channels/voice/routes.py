"""Every voice route, for `voice_agent.app.public_routes()` (each carries its own authentication)."""
from __future__ import annotations

from channels.voice import media, twiml

routes = [*twiml.routes, *media.routes]
