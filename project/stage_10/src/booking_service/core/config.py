"""Settings read from the environment.

One image runs unchanged on a laptop, in CI and in production: what differs between them (the
database file, the log level) comes from `BOOKING_*` environment variables. A frozen dataclass
checks its values when it is built, so a bad value stops the service at start-up rather than
on the first request that needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "BOOKING_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database: Path = Path("bookings.db")
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        level = self.log_level.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        object.__setattr__(self, "log_level", level)
        object.__setattr__(self, "database", Path(self.database))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from BOOKING_DATABASE and BOOKING_LOG_LEVEL; unset ones keep their defaults."""
        environ = os.environ if environ is None else environ
        return cls(
            database=Path(environ.get(f"{ENV_PREFIX}DATABASE") or cls.database),
            log_level=environ.get(f"{ENV_PREFIX}LOG_LEVEL") or cls.log_level,
        )
