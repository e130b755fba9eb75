"""The booking rules (exercise 04.1): plain functions, so a unit test can call them directly.

Each `check_*` function returns None when its rule holds, and raises the error from `errors.py`
that names the rule when it does not. `overlaps` answers a question. The times are
timezone-aware datetimes.

`Rules` bundles the four functions. `main.create_app(settings, rules=...)` hands a set of rules
to the service, which passes it on to `crud.create_booking`: a test can run the whole service
with other rules (say, with a bug planted on purpose) without patching anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from .models import Booking


def check_time_range(start: datetime, end: datetime) -> None:
    """Refuse a booking that does not end after it starts: 09:00 to 09:00 is refused too."""
    ### BEGIN SOLUTION 04.1
    if end <= start:
        raise InvalidTimeRange()
    ### END SOLUTION


def check_capacity(attendees: int, capacity: int) -> None:
    """Refuse more attendees than the room holds; exactly full is fine."""
    ### BEGIN SOLUTION 04.1
    if attendees > capacity:
        raise CapacityExceeded(attendees, capacity)
    ### END SOLUTION


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two bookings overlap; back to back (one ends as the other starts) is not."""
    ### BEGIN SOLUTION 04.1
    return a_start < b_end and b_start < a_end
    ### END SOLUTION


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    """Refuse [start, end) when a live booking of the same room overlaps it.

    `existing` may hold bookings of any room, cancelled or not: this rule decides which count.
    The error names the booking in the way: `OverlapConflict(conflicting_booking_id=...)`.
    """
    ### BEGIN SOLUTION 04.1
    for booking in existing:
        if booking.room_id != room_id or booking.cancelled:
            continue
        if overlaps(start, end, booking.start, booking.end):
            raise OverlapConflict(conflicting_booking_id=booking.id)
    ### END SOLUTION


@dataclass(frozen=True)
class Rules:
    """The booking rules a service enforces."""

    check_time_range: Callable[[datetime, datetime], None]
    check_capacity: Callable[[int, int], None]
    overlaps: Callable[[datetime, datetime, datetime, datetime], bool]
    check_no_overlap: Callable[[Sequence[Booking], int, datetime, datetime], None]


RULES = Rules(check_time_range, check_capacity, overlaps, check_no_overlap)
"""The rules the service enforces unless `create_app` is given others."""
