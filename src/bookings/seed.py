"""Deterministic demo data: the same `seed` always gives the same rooms and bookings.

Bookings are laid out room by room along a working calendar (08:00-18:00 UTC, Monday to
Friday), each one starting at or after the previous one's end, so they never overlap; some
are back to back on purpose. The database must be migrated and empty.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from .crud import to_db_time

FIRST_DAY = datetime(2030, 1, 7, tzinfo=timezone.utc)  # a Monday, safely in the future
DAY_START, DAY_END = 8, 18
DURATIONS = (15, 30, 45, 60, 90, 120)  # minutes
GAPS = (0, 0, 15, 30, 60)  # minutes; 0 makes back-to-back bookings
CAPACITIES = (2, 4, 6, 8, 10, 12, 20)
CANCELLED_SHARE = 0.05
ROOM_NAMES = ("Ada", "Babbage", "Curie", "Darwin", "Euler", "Franklin", "Gauss", "Hopper")
PEOPLE = ("amara", "bo", "chen", "dana", "eli", "farah", "goran", "hana", "ivo", "jun")


@dataclass(frozen=True)
class SeedSummary:
    rooms: int
    bookings: int
    cancelled: int


def seed(db: Database, rooms: int = 8, bookings: int = 10_000, seed: int = 42) -> SeedSummary:
    """Add `rooms` rooms and `bookings` valid, non-overlapping bookings to an empty database."""
    if rooms < 1 or bookings < 0:
        raise ValueError("seed needs at least one room and a non-negative number of bookings")
    if db["rooms"].count or db["bookings"].count:
        raise ValueError("seed expects an empty database")
    rng = random.Random(seed)
    room_rows = [
        {"id": number, "name": _room_name(number), "capacity": rng.choice(CAPACITIES)}
        for number in range(1, rooms + 1)
    ]
    # Schema 001 has no cancelled state; cancel some bookings only where it exists.
    can_cancel = "cancelled" in db["bookings"].columns_dict
    next_free = {room["id"]: FIRST_DAY.replace(hour=DAY_START) for room in room_rows}
    booking_rows = []
    for _ in range(bookings):
        room = rng.choice(room_rows)
        start = _working_time(next_free[room["id"]] + timedelta(minutes=rng.choice(GAPS)))
        duration = timedelta(minutes=rng.choice(DURATIONS))
        if start + duration > start.replace(hour=DAY_END, minute=0):
            start = _next_working_morning(start)
        end = start + duration
        next_free[room["id"]] = end
        row = {
            "room_id": room["id"],
            "organiser": f"{rng.choice(PEOPLE)}@example.com",
            "start": to_db_time(start),
            "end": to_db_time(end),
            "attendees": rng.randint(1, room["capacity"]),
        }
        # Drawn whatever the schema, so one seed lays out the same bookings at 001 and 002.
        cancelled = rng.random() < CANCELLED_SHARE
        if can_cancel:
            row["cancelled"] = int(cancelled)
            # Cancelled a day ahead: a fixed offset keeps the data free of the clock.
            row["cancelled_at"] = to_db_time(start - timedelta(days=1)) if cancelled else None
        booking_rows.append(row)
    with db.atomic():
        db["rooms"].insert_all(room_rows)
        db["bookings"].insert_all(booking_rows, batch_size=1000)
    cancelled_count = sum(row.get("cancelled", 0) for row in booking_rows)
    return SeedSummary(rooms=rooms, bookings=bookings, cancelled=cancelled_count)


def _room_name(number: int) -> str:
    name = ROOM_NAMES[(number - 1) % len(ROOM_NAMES)]
    lap = (number - 1) // len(ROOM_NAMES)
    return name if lap == 0 else f"{name} {lap + 1}"


def _working_time(moment: datetime) -> datetime:
    """`moment`, or the next working morning if it is outside working hours."""
    if moment.weekday() >= 5 or moment.hour >= DAY_END:
        return _next_working_morning(moment)
    return moment


def _next_working_morning(moment: datetime) -> datetime:
    day = moment.replace(hour=DAY_START, minute=0) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
