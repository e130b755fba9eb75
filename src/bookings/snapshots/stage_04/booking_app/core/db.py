# Written by bookings.snapshots.build from bookings/core/db.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""Opening the SQLite database.

There is deliberately no module-level database object: the app opens one connection per
request through a FastAPI dependency, and each test points the app at its own file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path` with foreign keys enforced."""
    # FastAPI may open a request's connection in one worker thread and use it in another;
    # each connection still serves one request at a time, so the thread check only gets
    # in the way. The timeout lets a writer wait for another writer instead of failing.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
    # Plugins off: the service must not change behaviour because of what else is installed.
    db = Database(conn, execute_plugins=False)
    # SQLite leaves foreign keys off unless every connection asks for them.
    db.execute("PRAGMA foreign_keys = ON")
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a read-check-write sequence as one transaction that holds the write lock.

    BEGIN IMMEDIATE takes the write lock before the checks read anything, so two requests
    for the same slot are serialised: the second one sees the first one's booking and gets
    a conflict, instead of both passing the check (or one failing with "database is locked").
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()
