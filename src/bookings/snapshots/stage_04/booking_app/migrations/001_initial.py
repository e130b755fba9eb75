# Written by bookings.snapshots.build from bookings/migrations/001_initial.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""001: create rooms and bookings.

Bookings cannot be cancelled yet; migration 002 adds that. This migration is written as SQL
text: the runner executes `up` to apply it and `down` to undo it.
"""

# "end" is quoted because END is an SQL keyword. Times are UTC ISO 8601 text of one fixed
# width, so comparing the text compares the times.
up = """
CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL CHECK (capacity > 0)
);

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    organiser TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    attendees INTEGER NOT NULL CHECK (attendees >= 1),
    CHECK ("end" > start)
);
"""

down = """
DROP TABLE bookings;
DROP TABLE rooms;
"""
