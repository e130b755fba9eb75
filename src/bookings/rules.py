"""The booking rules, as plain functions, and `Rules`: the set a service enforces.

Each `check_*` function returns quietly when its rule holds and raises the error from
`errors.py` that names the rule when it does not; `overlaps` answers a question. They take plain
values (times, numbers, stored bookings), so a unit test calls them without HTTP or a database.

`Rules` bundles the four. `create_app(settings, rules=...)` hands a set to the service, which
passes it to `crud.create_booking`: the app factory is the seam through which a test runs the
service with other rules, for instance with a bug planted on purpose to see whether the tests
catch it. The learner's project (`booking_service.rules`) has the same interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from .models import Booking


def check_time_range(start: datetime, end: datetime) -> None:
    """A booking must end after it starts; a zero-length booking is invalid too."""
    if end <= start:
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    """The attendees must fit in the room; exactly full is fine."""
    if attendees > capacity:
        raise CapacityExceeded(attendees, capacity)


# The arguments are named as stage 04's exercise names them, so a learner's test that passes them
# by name runs against this service as it does against the learner's own.
def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two bookings overlap. Back to back (one ends as the other starts) is not."""
    return a_start < b_end and b_start < a_end


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    """No live booking of the same room may overlap [start, end); cancelled ones don't count.

    `existing` may hold bookings of any room, cancelled or not: the rule itself decides which
    ones count, so it stays right whatever query found them.
    """
    for booking in existing:
        if booking.room_id == room_id and not booking.cancelled:
            if overlaps(start, end, booking.start, booking.end):
                raise OverlapConflict(conflicting_booking_id=booking.id)


@dataclass(frozen=True)
class Rules:
    """The booking rules a service enforces."""

    check_time_range: Callable[[datetime, datetime], None]
    check_capacity: Callable[[int, int], None]
    overlaps: Callable[[datetime, datetime, datetime, datetime], bool]
    check_no_overlap: Callable[[Sequence[Booking], int, datetime, datetime], None]


RULES = Rules(check_time_range, check_capacity, overlaps, check_no_overlap)
"""The rules the service enforces unless `create_app` is given others."""
