"""Every voice route, for `voice_agent.app` (each carries its own authentication)."""
from __future__ import annotations

from starlette.routing import BaseRoute

from channels.deps import ChannelDeps
from channels.voice import media, twiml


def routes(deps: ChannelDeps) -> list[BaseRoute]:
    return [*twiml.routes(deps), *media.routes(deps)]
