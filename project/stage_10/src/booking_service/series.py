"""Recurring weekly bookings (the capstone): a series books one slot on N weeks in a row.

A series is all or nothing: every occurrence is checked with the booking rules (time range,
capacity, no overlap) inside one write transaction, and if one occurrence is refused, none is
stored. Cancelling a series cancels each of its live bookings.

Two functions hold the feature's own rules, so a unit test can call them directly and the
course's check can plant a bug in them: `weekly_occurrences` and `check_weeks`. The data access
below calls them by their module-level names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from .core.db import write_transaction
from .crud import get_room, to_db_time
from .errors import NotFound, RuleViolation
from .models import Booking, BookingCreate
from .rules import Rules

MIN_WEEKS = 2
MAX_WEEKS = 12
"""A series covers one quarter at most; Facilities reviews longer standing bookings by hand."""
FLAG = "BOOKING_RECURRING_BOOKINGS"
"""The feature flag: the series endpoints answer 404 unless it is on."""
FLAG_ON = {"1", "true", "on", "yes"}


class InvalidSeriesLength(RuleViolation):
    type = "/problems/series-length"
    title = "Series length out of range"

    def __init__(self, weeks: int) -> None:
        super().__init__(
            f"A series has {MIN_WEEKS} to {MAX_WEEKS} weekly occurrences, not {weeks}.",
            min_weeks=MIN_WEEKS,
            max_weeks=MAX_WEEKS,
        )


class SeriesNotFound(NotFound):
    type = "/problems/series-not-found"
    title = "Series not found"

    def __init__(self, series_id: int) -> None:
        super().__init__(f"There is no series with id {series_id}.")


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the flag is on (read per request, so turning it off needs no new release)."""
    environ = os.environ if environ is None else environ
    return environ.get(FLAG, "").strip().lower() in FLAG_ON


# --- The feature's rules ------------------------------------------------------------------


def check_weeks(weeks: int) -> None:
    """Refuse a series shorter than MIN_WEEKS or longer than MAX_WEEKS occurrences."""
    ### BEGIN SOLUTION 10.4
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise InvalidSeriesLength(weeks)
    ### END SOLUTION


def weekly_occurrences(
    start: datetime, end: datetime, weeks: int
) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each occurrence: the first slot, then the same slot 7 days later…

    Exactly `weeks` occurrences. Times are UTC, so a series keeps its UTC time across a
    daylight-saving change (the PRD says so; a local-time series is a later feature).
    """
    ### BEGIN SOLUTION 10.4
    week = timedelta(days=7)
    return [(start + week * number, end + week * number) for number in range(weeks)]
    ### END SOLUTION


# --- Data access --------------------------------------------------------------------------


def create_series(
    db: Database, room_id: int, booking: BookingCreate, weeks: int, rules: Rules
) -> dict:
    """Book every occurrence, or none: the first refused occurrence's error is raised."""
    ### BEGIN SOLUTION 10.4
    check_weeks(weeks)
    with write_transaction(db):
        room = get_room(db, room_id)
        occurrences = weekly_occurrences(booking.start, booking.end, weeks)
        rows = []
        for start, end in occurrences:
            rules.check_time_range(start, end)
            rules.check_capacity(booking.attendees, room.capacity)
            nearby = db["bookings"].rows_where(
                'room_id = ? AND start <= ? AND "end" >= ?',
                [room_id, to_db_time(end), to_db_time(start)],
            )
            rules.check_no_overlap([Booking(**row) for row in nearby], room_id, start, end)
            rows.append((start, end))
        series_id = (
            db["series"]
            .insert({"room_id": room_id, "organiser": booking.organiser, "weeks": weeks})
            .last_pk
        )
        for start, end in rows:
            db["bookings"].insert(
                {
                    "room_id": room_id,
                    "organiser": booking.organiser,
                    "start": to_db_time(start),
                    "end": to_db_time(end),
                    "attendees": booking.attendees,
                    "series_id": series_id,
                }
            )
    return get_series(db, series_id)
    ### END SOLUTION


def get_series(db: Database, series_id: int) -> dict:
    """The series and its bookings in start order (SeriesNotFound if there is none)."""
    try:
        row = db["series"].get(series_id)
    except NotFoundError:
        raise SeriesNotFound(series_id) from None
    bookings = db["bookings"].rows_where("series_id = ?", [series_id], order_by="start, id")
    members = [Booking(**booking) for booking in bookings]
    return {
        "id": row["id"],
        "room_id": row["room_id"],
        "organiser": row["organiser"],
        "weeks": row["weeks"],
        "cancelled": all(member.cancelled for member in members),
        "bookings": members,
    }


def cancel_series(db: Database, series_id: int, *, now: datetime | None = None) -> dict:
    """Cancel every live booking of the series; cancelling again changes nothing."""
    ### BEGIN SOLUTION 10.4
    with write_transaction(db):
        get_series(db, series_id)
        cancelled_at = to_db_time(now or datetime.now(UTC))
        db.execute(
            "UPDATE bookings SET cancelled = 1, cancelled_at = ? "
            "WHERE series_id = ? AND cancelled = 0",
            [cancelled_at, series_id],
        )
    return get_series(db, series_id)
    ### END SOLUTION
