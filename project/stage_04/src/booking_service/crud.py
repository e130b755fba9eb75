"""Data access: rooms and bookings in SQLite (exercise 04.2 writes the bookings part).

Every function takes the database as its first argument and returns models, never rows, so the
routes never see SQL. Errors are the service's own (`errors.py`); the routes' problem handler
turns each into its status and problem type.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from .core.db import write_transaction
from .errors import BookingNotFound, DuplicateRoomName, RoomNotFound
from .models import Booking, BookingCreate, Room, RoomCreate
from .rules import Rules

DEFAULT_PAGE_SIZE = 50


def to_db_time(value: datetime) -> str:
    """An aware datetime as stored: UTC, whole seconds, one fixed width (2030-01-07T09:00:00Z)."""
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


# --- Rooms: written for you, as an example ----------------------------------------------


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


# --- Bookings ------------------------------------------------------------------------------


def create_booking(db: Database, room_id: int, booking: BookingCreate, rules: Rules) -> Booking:
    """Store `booking` in room `room_id` if it breaks none of `rules`; return it as stored.

    Check the room exists (RoomNotFound), then the rules in order: the time range, the capacity,
    then no overlap with the room's stored bookings. The checks and the insert are one write
    transaction, so two requests for one slot cannot both pass the overlap check.
    """
    ### BEGIN SOLUTION 04.2
    with write_transaction(db):
        room = get_room(db, room_id)
        rules.check_time_range(booking.start, booking.end)
        rules.check_capacity(booking.attendees, room.capacity)
        # The room's bookings that overlap the new one or touch it, live or cancelled: the
        # (room_id, start, end) index finds them, and the rule decides which are in the way.
        nearby = db["bookings"].rows_where(
            'room_id = ? AND start <= ? AND "end" >= ?',
            [room_id, to_db_time(booking.end), to_db_time(booking.start)],
            order_by="start, id",
        )
        existing = [Booking(**row) for row in nearby]
        rules.check_no_overlap(existing, room_id, booking.start, booking.end)
        row = {
            "room_id": room_id,
            "organiser": booking.organiser,
            "start": to_db_time(booking.start),
            "end": to_db_time(booking.end),
            "attendees": booking.attendees,
        }
        booking_id = db["bookings"].insert(row).last_pk
    return get_booking(db, booking_id)
    ### END SOLUTION


def get_booking(db: Database, booking_id: int) -> Booking:
    """The booking with id `booking_id`, cancelled or not (BookingNotFound if there is none)."""
    ### BEGIN SOLUTION 04.2
    try:
        return Booking(**db["bookings"].get(booking_id))
    except NotFoundError:
        raise BookingNotFound(booking_id) from None
    ### END SOLUTION


def list_room_bookings(
    db: Database,
    room_id: int,
    *,
    include_cancelled: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[Booking]:
    """A room's bookings in start order, one page at a time; live ones only unless asked.

    An unknown room is RoomNotFound, not an empty list.
    """
    ### BEGIN SOLUTION 04.2
    get_room(db, room_id)
    where = "room_id = ?" if include_cancelled else "room_id = ? AND cancelled = 0"
    rows = db["bookings"].rows_where(
        where, [room_id], order_by="start, id", limit=limit, offset=offset
    )
    return [Booking(**row) for row in rows]
    ### END SOLUTION


def cancel_booking(db: Database, booking_id: int, *, now: datetime | None = None) -> Booking:
    """Cancel a booking, freeing its slot, and return it. Cancelling twice changes nothing.

    Set `cancelled` and record `cancelled_at` (now, in UTC) the first time only.
    """
    ### BEGIN SOLUTION 04.2
    with write_transaction(db):
        booking = get_booking(db, booking_id)
        if not booking.cancelled:
            cancelled_at = to_db_time(now or datetime.now(timezone.utc))
            db["bookings"].update(booking_id, {"cancelled": 1, "cancelled_at": cancelled_at})
    return get_booking(db, booking_id)
    ### END SOLUTION
