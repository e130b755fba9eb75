"""The booking service's schema migrations, run by Alembic.

The revisions are in `versions/` (`0001_initial.py`, `0002_cancelled_state.py`); `env.py` tells
Alembic how to reach the database. This module runs them from Python, for the service's
start-up, its migration job (`python -m bookings.migrations`), the tests and the lessons:

    upgrade("bookings.db")            # to the newest revision ("head")
    downgrade("bookings.db", "0001")  # back to revision 0001
    current_revision("bookings.db")   # "0002", or None for a database never migrated

Each accepts a file path, or an open sqlite-utils `Database` (an in-memory one included), which
Alembic then uses as it is. Each revision runs in one transaction together with its
`alembic_version` row: a revision that fails halfway leaves the database at the revision
before it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlite_utils import Database

MIGRATIONS_DIR = Path(__file__).parent
logger = logging.getLogger(__name__)
DATABASE_VARIABLE = "BOOKINGS_DATABASE"
"""The service's setting for its database file (see `bookings.core.config`)."""
VERSION_TABLE = "alembic_version"

Target = str | Path | Database


class MigrationError(Exception):
    """The database's revision is not one these migrations know."""


@dataclass(frozen=True)
class Moved:
    """What a migration command did: the revision before and after (None: never migrated)."""

    before: str | None
    after: str | None


def alembic_config(script_location: Path = MIGRATIONS_DIR) -> Config:
    """Alembic's configuration for a folder of migrations, without an alembic.ini file."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


@cache
def revisions() -> tuple[str, ...]:
    """The revision ids, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([script.revision for script in scripts.walk_revisions()]))


def head() -> str:
    return revisions()[-1]


def schema_version(revision: str | None) -> int:
    """A revision's place in the history: 0 for none, 1 for the first, and so on."""
    if revision is None:
        return 0
    if revision not in revisions():
        raise MigrationError(
            f"the database is at revision {revision}, which these migrations do not know"
        )
    return revisions().index(revision) + 1


def is_ahead_of_this_release(revision: str | None) -> bool:
    """Whether the database was migrated by a newer release: its revision is not one of ours.

    Under expand/contract a newer release's revisions only add what this one can ignore, so a
    database ahead of the code is one this release can still serve, and the one it meets when
    the deploy is rolled back.
    """
    return revision is not None and revision not in revisions()


def upgrade_at_start(target: Target) -> Moved | None:
    """`upgrade()` for the app's start-up: nothing when the database is ahead of this release.

    A rolled-back release starts on the database its successor's migration job moved on; Alembic
    cannot upgrade from a revision it does not know, and must not downgrade, so it leaves it.
    """
    revision = current_revision(target)
    if is_ahead_of_this_release(revision):
        logger.warning(
            "database at revision %s, newer than this release's %s: not migrating", revision, head()
        )
        return None
    return upgrade(target)


def current_revision(target: Target) -> str | None:
    """The revision recorded in the database; None if it was never migrated."""
    if isinstance(target, Database):
        return _read_revision(target.conn)
    path = Path(target)
    if not path.is_file():
        return None
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return _read_revision(connection)


def _read_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):  # never migrated
            return None
        raise
    return row[0] if row else None


def upgrade(target: Target, revision: str = "head", location: Path = MIGRATIONS_DIR) -> Moved:
    """Apply the revisions up to `revision` (default: all).

    `location` is another folder of migrations (a lesson's, with revisions of its own).
    """
    return _run(target, location, lambda config: command.upgrade(config, revision))


def downgrade(target: Target, revision: str, location: Path = MIGRATIONS_DIR) -> Moved:
    """Undo the revisions newer than `revision` ("base" undoes them all), newest first."""
    return _run(target, location, lambda config: command.downgrade(config, revision))


def sql_for_review(revisions_range: str = "base:head") -> str:
    """The SQL `alembic upgrade RANGE --sql` prints, to be read in a review, not run."""
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", "sqlite://")
    config.output_buffer = io.StringIO()
    command.upgrade(config, revisions_range, sql=True)
    return config.output_buffer.getvalue()


def _run(target: Target, location: Path, action) -> Moved:
    before = current_revision(target)
    with connected(target) as connection:
        config = alembic_config(location)
        config.attributes["connection"] = connection
        action(config)
    return Moved(before, current_revision(target))


@contextlib.contextmanager
def connected(target: Target) -> Iterator[Connection]:
    """A SQLAlchemy connection to `target` whose transactions include schema changes."""
    if isinstance(target, Database):
        raw = target.conn
        previous = raw.isolation_level
        engine = transactional_engine("sqlite://", creator=lambda: _Borrowed(raw))
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            raw.isolation_level = previous
    else:
        engine = transactional_engine(f"sqlite:///{Path(target)}")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


def transactional_engine(url: str, **options: Any) -> Engine:
    """An engine whose transactions include ALTER, CREATE and DROP.

    Python's sqlite3 module, in its default (legacy) transaction handling, opens a transaction
    only before INSERT, UPDATE or DELETE, so an ALTER TABLE would commit on its own and a
    revision that failed halfway would leave its first changes behind. This engine turns that off and lets
    SQLAlchemy send BEGIN itself, so each revision commits with its alembic_version row, or not
    at all.
    """
    if "creator" in options:
        options["poolclass"] = StaticPool
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def leave_transactions_to_sqlalchemy(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


class _Borrowed:
    """A connection the caller owns: SQLAlchemy may use it, but must not close it."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    def close(self) -> None:
        """Left open: the caller closes it."""
