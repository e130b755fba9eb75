-- The booking schema after migrations 001 and 002, in one place to read.
-- The migrations are what build it; tests check that this file describes the same schema.

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL CHECK (capacity > 0)
);

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    organiser TEXT NOT NULL,
    start TEXT NOT NULL,             -- UTC, e.g. 2030-01-07T09:00:00Z
    "end" TEXT NOT NULL,             -- END is an SQL keyword, hence the quotes
    attendees INTEGER NOT NULL CHECK (attendees >= 1),
    cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),  -- added by 002
    cancelled_at TEXT,                                                  -- added by 002
    CHECK ("end" > start)
);

-- Added by 002: finds one room's bookings around a time range for the overlap check.
CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end");
