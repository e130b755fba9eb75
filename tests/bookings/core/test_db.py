"""Opening the database, and the write transaction used around rule checks."""

import sqlite3
import threading
from contextlib import closing

import pytest

from bookings.core.db import open_database, write_transaction


def test_opening_creates_the_file(db_path):
    """open_database creates a missing database file."""
    open_database(db_path).close()
    assert db_path.exists()


def test_foreign_keys_are_enforced(db):
    """A booking for a room that does not exist is refused by SQLite itself."""
    (enabled,) = db.execute("PRAGMA foreign_keys").fetchone()
    assert enabled == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            'INSERT INTO bookings (room_id, organiser, start, "end", attendees)'
            " VALUES (99, 'x', '2030-01-07T09:00:00Z', '2030-01-07T10:00:00Z', 1)"
        )


def test_a_connection_can_be_used_from_another_thread(db):
    """FastAPI may use a request's connection in a different worker thread."""
    errors = []

    def use() -> None:
        try:
            db.execute("SELECT 1").fetchone()
        except Exception as exc:  # collected, then asserted in the main thread
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert errors == []


def test_write_transaction_commits(db, db_path):
    """Changes made inside write_transaction are visible to another connection."""
    with write_transaction(db):
        db["rooms"].insert({"name": "Ada", "capacity": 4})
    other = open_database(db_path)
    assert other["rooms"].count == 1
    other.close()


def test_write_transaction_rolls_back_on_error(db):
    """An exception inside write_transaction undoes its changes and propagates."""
    with pytest.raises(RuntimeError), write_transaction(db):
        db["rooms"].insert({"name": "Ada", "capacity": 4})
        raise RuntimeError("boom")
    assert db["rooms"].count == 0
    assert not db.conn.in_transaction


def test_the_file_is_in_wal_mode(db_path):
    """open_database puts the file in WAL mode, and the mode stays with the file."""
    first = open_database(db_path)
    (mode,) = first.execute("PRAGMA journal_mode").fetchone()
    first.close()
    assert mode == "wal"
    with closing(sqlite3.connect(db_path)) as plain:
        (stored,) = plain.execute("PRAGMA journal_mode").fetchone()
    assert stored == "wal"


def test_a_write_commits_while_a_reader_is_reading(db, db_path):
    """WAL: a reader's open transaction neither blocks a commit nor sees it until it ends.

    In SQLite's default rollback-journal mode the commit would wait for the reader, then fail
    with "database is locked" once the busy timeout ran out.
    """
    reader = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
    reader.execute("BEGIN")
    (before,) = reader.execute("SELECT count(*) FROM rooms").fetchone()
    writer = open_database(db_path)
    writer.conn.execute("PRAGMA busy_timeout = 100")  # fail fast if the reader blocked it
    with write_transaction(writer):
        writer["rooms"].insert({"name": "Ada", "capacity": 4})
    (during,) = reader.execute("SELECT count(*) FROM rooms").fetchone()
    reader.execute("COMMIT")
    (after,) = reader.execute("SELECT count(*) FROM rooms").fetchone()
    reader.close()
    writer.close()
    assert (before, during, after) == (0, 0, 1)


def test_an_in_memory_database_opens_without_a_journal_file():
    """WAL needs a file; a database in memory still opens, in memory mode."""
    memory = open_database(":memory:")
    assert memory.execute("PRAGMA journal_mode").fetchone() == ("memory",)
    memory.close()
