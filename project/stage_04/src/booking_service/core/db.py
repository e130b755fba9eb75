"""Opening the SQLite database, writing safely, and bringing its schema up to date.

There is no module-level database object: the app opens one connection per request through a
FastAPI dependency, and each test points the app at a file of its own.

The schema has one source, the project's Alembic revisions in migrations/: `migrate()` runs
them, as the migration job of stage 07 does, so a database the service created and one the job
upgraded are the same, `alembic_version` table included. `migrate_at_start()` is the start-up's
variant: it leaves a database a newer release migrated as it is.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlite_utils import Database

# How long a writer waits for another writer's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 5.0

# The project's folder: src/booking_service/core/db.py is three folders below it.
PROJECT = Path(__file__).resolve().parents[3]

logger = logging.getLogger(__name__)


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path`: WAL mode, foreign keys enforced.

    WAL lets readers go on reading while a writer commits. It relies on every process using
    the file on one machine's local disk: never put the file on a network share.
    """
    # FastAPI may open a request's connection in one worker thread and use it in another; each
    # connection still serves one request at a time, so the thread check only gets in the way.
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    db = Database(connection, execute_plugins=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def alembic_config(database: str | Path | None = None) -> Config:
    """Alembic's settings from the project's alembic.ini, aimed at `database` if given.

    alembic.ini is in the project folder (a checkout), or in the folder the service starts in
    (the image, where the package is installed and alembic.ini sits in /app).
    """
    for folder in (PROJECT, Path.cwd()):
        if (folder / "alembic.ini").is_file():
            break
    else:
        raise RuntimeError("alembic.ini not found: start the service in the folder that holds it")
    # `-x database=PATH`, as on the command line: migrations/env.py prefers it to the variable.
    options = argparse.Namespace(x=[f"database={database}"] if database else [])
    config = Config(str(folder / "alembic.ini"), cmd_opts=options)
    # Quiet: env.py leaves the service's logging as it is, instead of logging each revision.
    config.attributes["configure_logger"] = False
    return config


@cache
def revisions() -> tuple[str, ...]:
    """The ids of the project's revisions, oldest first; the last one is the head."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([script.revision for script in scripts.walk_revisions()]))


def current_revision(db: Database) -> str | None:
    """The revision Alembic recorded in the database; None if it was never migrated."""
    if not db["alembic_version"].exists():
        return None
    row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def is_ahead_of_this_release(revision: str | None) -> bool:
    """Whether a newer release migrated the database: its revision is not one of this release's.

    That is what an old release finds while a new release's migration job runs, and after a
    rollback. Under expand/contract the newer revisions only add what this code can ignore, so
    the old release can still serve the database.
    """
    return revision is not None and revision not in revisions()


def migrate(database: str | Path) -> str | None:
    """Bring the database at `database` to the newest revision (`alembic upgrade head`).

    Return the revision it is at. Safe to run again: a database already at the head is left as
    it is. The tests and the app's start-up call it; the migration job of stage 07 runs the same
    revisions.
    """
    command.upgrade(alembic_config(database), "head")
    with closing(open_database(database)) as db:
        return current_revision(db)


def migrate_at_start(database: str | Path) -> str | None:
    """`migrate()` for the service's start-up: a database ahead of this release is left as it is.

    A rolled-back release starts on the database its successor's job moved on. Alembic cannot
    upgrade from a revision it does not know, and start-up must never downgrade, so it logs a
    warning and serves the database as it is. Return the revision the database is at.
    """
    if Path(database).is_file():
        with closing(open_database(database)) as db:
            revision = current_revision(db)
        if is_ahead_of_this_release(revision):
            logger.warning(
                "database at revision %s, newer than this release's %s: not migrating",
                revision,
                revisions()[-1],
            )
            return revision
    return migrate(database)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a read-check-write sequence as one transaction that holds the write lock.

    BEGIN IMMEDIATE takes the lock before the checks read anything, so two requests for the
    same slot take turns: the second sees the first one's booking and gets a conflict.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()
