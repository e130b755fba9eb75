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

# How long a writer waits for another writer's lock before "database is locked" (busy_timeout).
BUSY_TIMEOUT_SECONDS = 5.0


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path`: WAL mode, foreign keys enforced.

    WAL (write-ahead logging) lets readers keep reading while a writer commits, which is what
    lets two versions of the service share the file during a blue/green switch on one node.
    WAL and SQLite's locks rely on every process being on the same machine with the file on a
    local filesystem: a local block volume, never a network file share (NFS, SMB, cloud file
    storage), where locking is unreliable and WAL does not work. Writers still take turns.
    """
    # FastAPI may open a request's connection in one worker thread and use it in another;
    # each connection still serves one request at a time, so the thread check only gets
    # in the way. The timeout lets a writer wait for another writer instead of failing.
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    # Plugins off: the service must not change behaviour because of what else is installed.
    db = Database(conn, execute_plugins=False)
    # The journal mode is stored in the file, so this changes it once and is a no-op afterwards.
    # An in-memory database has no file to log beside and stays in "memory" mode.
    db.execute("PRAGMA journal_mode = WAL")
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
