"""Opening the SQLite database, writing safely, and bringing its schema up to date.

There is no module-level database object: the app opens one connection per request through a
FastAPI dependency, and each test points the app at a file of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlite_utils import Database

# How long a writer waits for another writer's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 5.0

SCHEMA_VERSION = 3
"""The schema this code needs: rooms, bookings that can be cancelled, and series of bookings."""

# The schema of the model answer to stage 03 (its two revisions applied), created in one step.
# Stage 03 builds the same schema with Alembic revisions in migrations/; migrate() runs them
# there. Times are UTC ISO 8601 text of one fixed width, so comparing the text compares the
# times; "end" is quoted because END is an SQL keyword.
SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL CHECK (capacity > 0)
);
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    organiser TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    attendees INTEGER NOT NULL CHECK (attendees >= 1),
    cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    cancelled_at TEXT,
    CHECK ("end" > start)
);
CREATE INDEX IF NOT EXISTS idx_bookings_room_time ON bookings (room_id, start, "end");
"""

# Revision 0003 (recurring weekly bookings), for a database at version 2 or created above: the
# same table, column and index as migrations/versions/0003_booking_series.py makes.
SERIES = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    organiser TEXT NOT NULL,
    weeks INTEGER NOT NULL CHECK (weeks >= 1)
);
ALTER TABLE bookings ADD COLUMN series_id INTEGER;
CREATE INDEX IF NOT EXISTS idx_bookings_series ON bookings (series_id);
"""


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


def schema_version(db: Database) -> int:
    """The schema version the database says it has (0 for a new file)."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(database: str | Path) -> int:
    """Bring the database at `database` to the newest schema; return its version.

    Safe to run again: a database already up to date is left as it is. The tests and the app's
    start-up call it, and so does the migration job of stage 07.
    """
    with closing(open_database(database)) as db:
        version = schema_version(db)
        if version < SCHEMA_VERSION:
            with db.conn:
                if version < 2:
                    db.conn.executescript(SCHEMA)
                db.conn.executescript(SERIES)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return schema_version(db)


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
