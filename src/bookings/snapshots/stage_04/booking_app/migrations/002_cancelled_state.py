# Written by bookings.snapshots.build from bookings/migrations/002_cancelled_state.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""002: let a booking be cancelled, and index the overlap query.

Written as a pair of functions, because the down step has a decision to make first.
"""

from sqlite_utils import Database


def up(db: Database) -> None:
    # ADD COLUMN with a constant default gives every existing row that value, so this one
    # statement is also the backfill: all bookings made before 002 are live.
    db.execute(
        "ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0"
        " CHECK (cancelled IN (0, 1))"
    )
    db.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")
    # The overlap check asks for one room's bookings around a time range.
    db.execute('CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end")')


def down(db: Database) -> None:
    # Schema 001 cannot say "cancelled": dropping those rows would lose them, and keeping
    # them would bring them back as live bookings that may double-book a room. Refuse, and
    # the runner's transaction leaves the database untouched.
    (cancelled,) = db.execute("SELECT count(*) FROM bookings WHERE cancelled = 1").fetchone()
    if cancelled:
        raise RuntimeError(
            f"{cancelled} cancelled booking(s) cannot be represented before migration 002"
        )
    db.execute("DROP INDEX idx_bookings_room_time")
    # DROP COLUMN (SQLite 3.35+) removes exactly the text ADD COLUMN inserted, so the table
    # definition reads as 001 wrote it.
    db.execute("ALTER TABLE bookings DROP COLUMN cancelled_at")
    db.execute("ALTER TABLE bookings DROP COLUMN cancelled")
