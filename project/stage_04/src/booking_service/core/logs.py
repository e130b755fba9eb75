"""Logging: one JSON object per line on stderr, through the standard library."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

ROOT_LOGGER = "booking_service"


class JsonFormatter(logging.Formatter):
    """A record as JSON, with the fields passed as `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> logging.Logger:
    """Send the service's logs to stderr as JSON lines; safe to call more than once."""
    logger = logging.getLogger(ROOT_LOGGER)
    logger.setLevel(level)
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    return logger
