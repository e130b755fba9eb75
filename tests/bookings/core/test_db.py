"""Opening the database, and the write transaction used around rule checks."""

import sqlite3
import threading

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
