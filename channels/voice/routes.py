"""Every voice route, for `voice_agent.app` (each carries its own authentication)."""
from __future__ import annotations

from starlette.routing import BaseRoute

from channels.voice.deps import VoiceDeps
from channels.voice import media, transfer_routes, twiml


def routes(deps: VoiceDeps) -> list[BaseRoute]:
    return [*twiml.routes(deps), *transfer_routes.routes(deps), *media.routes(deps)]
