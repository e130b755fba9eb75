"""Structured logging: one JSON object per line, through the standard library.

JSON lines because log collectors parse them without a custom pattern; the stdlib because a
service this size needs no logging dependency.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

# The package's top-level logger, whatever the package is called (the stage 04 snapshot
# copies this file into a package with another name).
ROOT_LOGGER = __name__.partition(".")[0]


class JsonFormatter(logging.Formatter):
    """Format a record as JSON, with the fields passed as `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
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
    # Each create_app() calls this; one handler, not one per app.
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    return logger
