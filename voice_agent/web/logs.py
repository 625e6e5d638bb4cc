"""Logging: JSON lines in production, readable lines in development.

Log records carry request_id and clinic_id from the request context. Callers never pass message
bodies, names, phone numbers or dates of birth; `safe_extra` keeps only whitelisted fields.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from voice_agent.web.context import clinic_id_var, request_id_var

SAFE_FIELDS = ("processing_time_ms", "method", "route", "status", "event", "channel", "state", "intent",
               "component", "error_type", "count", "tier")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.clinic_id = clinic_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "clinic_id": getattr(record, "clinic_id", None),
        }
        for name in SAFE_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["error_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extras = " ".join(f"{n}={getattr(record, n)}" for n in SAFE_FIELDS if hasattr(record, n))
        rid = getattr(record, "request_id", None)
        return f"{base}{' rid=' + rid if rid else ''}{' ' + extras if extras else ''}"


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if json_lines else
                         TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("presidio-analyzer", "presidio-anonymizer", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
