"""Settings read from the environment.

One image runs unchanged on a laptop, in CI and in production: what differs between them (the
database file, the log level, whether start-up migrates) comes from `BOOKING_*` environment
variables. A frozen dataclass checks its values when it is built, so a bad value stops the
service at start-up rather than on the first request that needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "BOOKING_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database: Path = Path("bookings.db")
    log_level: str = "INFO"
    migrate_on_start: bool = True
    """Run the migrations when the service starts, so a fresh checkout runs with one command. In
    production the migration job runs them before the deploy, and this is off
    (BOOKING_MIGRATE_ON_START=false): replicas starting together would race each other."""

    def __post_init__(self) -> None:
        level = self.log_level.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        object.__setattr__(self, "log_level", level)
        object.__setattr__(self, "database", Path(self.database))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from BOOKING_DATABASE, BOOKING_LOG_LEVEL and BOOKING_MIGRATE_ON_START; unset
        ones keep their defaults."""
        environ = os.environ if environ is None else environ
        return cls(
            database=Path(environ.get(f"{ENV_PREFIX}DATABASE") or cls.database),
            log_level=environ.get(f"{ENV_PREFIX}LOG_LEVEL") or cls.log_level,
            migrate_on_start=_switch(
                environ, f"{ENV_PREFIX}MIGRATE_ON_START", cls.migrate_on_start
            ),
        )


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off variable: unset or empty keeps the default; anything but a yes or a no fails."""
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS or value in FALSE_WORDS:
        return value in TRUE_WORDS
    raise ValueError(
        f"{name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, got {environ[name]!r}"
    )
