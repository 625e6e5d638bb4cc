"""The app as uvicorn's worker processes load it (`voice_agent.asgi:make_app`, factory=True): each
worker reads the settings, builds its own services in its lifespan and drains calls on SIGTERM.
Nothing a conversation needs lives in a worker's memory, so any worker may take any turn."""
from __future__ import annotations

from starlette.applications import Starlette

from voice_agent.app import create_app
from voice_agent.web.logs import configure_logging
from voice_agent.web.settings import Settings, load_settings

HTTP_GRACE_SECONDS = 5      # after the calls: requests still running, then the lifespan's shutdown


def served_app(settings: Settings) -> Starlette:
    """The app `voice-agent serve` runs: logging configured, SIGTERM handled gracefully."""
    configure_logging(settings.log_level, json_lines=settings.is_production)
    return create_app(settings, graceful_shutdown=True)


def make_app() -> Starlette:
    return served_app(load_settings())
