"""Data access: rooms and bookings in SQLite.

`create_booking` enforces the booking rules it is given (`rules.Rules`, by default
`rules.RULES`), in order, inside one write transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from .core.db import write_transaction
from .errors import BookingNotFound, DuplicateRoomName, RoomNotFound
from .models import Booking, BookingCreate, Room, RoomCreate
from .rules import RULES, Rules

DEFAULT_PAGE_SIZE = 50


def to_db_time(value: datetime) -> str:
    """Format an aware datetime as stored: UTC, whole seconds, e.g. 2025-01-06T09:00:00Z."""
    # One fixed width for every stored time, so comparing the text compares the times.
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


# --- What the overlap rule looks at ------------------------------------------------------


def bookings_around(db: Database, room_id: int, start: datetime, end: datetime) -> list[Booking]:
    """The room's bookings that overlap [start, end) or touch it, live or cancelled.

    The (room_id, start, end) index finds them without reading the whole table. The rule
    (`Rules.check_no_overlap`) decides which of them are in the way; bookings that only touch
    are included so that a rule which wrongly counts them shows up through the API too.
    """
    rows = db["bookings"].rows_where(
        'room_id = ? AND start <= ? AND "end" >= ?',
        [room_id, to_db_time(end), to_db_time(start)],
        order_by="start, id",
    )
    return [Booking(**row) for row in rows]


# --- Rooms -----------------------------------------------------------------------------


def create_room(db: Database, room: RoomCreate) -> Room:
    try:
        room_id = db["rooms"].insert(room.model_dump()).last_pk
    except sqlite3.IntegrityError:
        # The UNIQUE constraint decides, so two requests racing for one name cannot both win.
        raise DuplicateRoomName(room.name) from None
    return get_room(db, room_id)


def list_rooms(db: Database) -> list[Room]:
    return [Room(**row) for row in db["rooms"].rows_where(order_by="id")]


def get_room(db: Database, room_id: int) -> Room:
    try:
        return Room(**db["rooms"].get(room_id))
    except NotFoundError:
        raise RoomNotFound(room_id) from None


# --- Bookings --------------------------------------------------------------------------


def create_booking(
    db: Database, room_id: int, booking: BookingCreate, rules: Rules = RULES
) -> Booking:
    """Store a booking if it breaks none of `rules`; the checks and the insert are one step."""
    with write_transaction(db):
        room = get_room(db, room_id)
        rules.check_time_range(booking.start, booking.end)
        rules.check_capacity(booking.attendees, room.capacity)
        around = bookings_around(db, room_id, booking.start, booking.end)
        rules.check_no_overlap(around, room_id, booking.start, booking.end)
        row = {
            "room_id": room_id,
            "organiser": booking.organiser,
            "start": to_db_time(booking.start),
            "end": to_db_time(booking.end),
            "attendees": booking.attendees,
        }
        booking_id = db["bookings"].insert(row).last_pk
    return get_booking(db, booking_id)


def get_booking(db: Database, booking_id: int) -> Booking:
    try:
        return Booking(**db["bookings"].get(booking_id))
    except NotFoundError:
        raise BookingNotFound(booking_id) from None


def list_room_bookings(
    db: Database,
    room_id: int,
    *,
    include_cancelled: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[Booking]:
    """A room's bookings in start order, one page at a time."""
    get_room(db, room_id)
    where = "room_id = ?" if include_cancelled else "room_id = ? AND cancelled = 0"
    rows = db["bookings"].rows_where(
        where, [room_id], order_by="start, id", limit=limit, offset=offset
    )
    return [Booking(**row) for row in rows]


def cancel_booking(db: Database, booking_id: int, *, now: datetime | None = None) -> Booking:
    """Cancel a booking, freeing its slot. Cancelling twice changes nothing the second time."""
    with write_transaction(db):
        booking = get_booking(db, booking_id)
        if not booking.cancelled:
            cancelled_at = to_db_time(now or datetime.now(timezone.utc))
            db["bookings"].update(booking_id, {"cancelled": 1, "cancelled_at": cancelled_at})
    return get_booking(db, booking_id)
