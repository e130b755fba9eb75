"""The bugs exercise 04.4 plants in the course's service, one at a time, to judge unit tests.

These are the mistakes real code makes at the rules' boundaries: in the time range, in the
capacity, in what counts as an overlap, and in which stored bookings count at all. Each is a
function from the correct `Rules` to `Rules` with that one mistake, built around the correct
functions it is given, so no correct rule is written here (see `onboarding.planted`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from onboarding.planted import PlantedBug, errors_of

HERE = __name__


class SeenAs:
    """A stored booking as a planted bug sees it: `changes` over the booking's own attributes.

    The correct rules only read `id`, `room_id`, `start`, `end` and `cancelled`, so a unit test
    may hand them a `Booking`, a dataclass, a `SimpleNamespace` or a `Mock`. A bug must work on
    any of them, or a test would fail, or pass, for the wrong reason: pydantic's `model_copy`
    does not exist on a dataclass or a namespace, and on a `Mock` it gives a `Mock` whose every
    attribute is another `Mock`.
    """

    def __init__(self, booking: Any, **changes: Any) -> None:
        self._booking = booking
        self._changes = changes

    def __getattr__(self, name: str) -> Any:
        if name in self._changes:
            return self._changes[name]
        return getattr(self._booking, name)


def zero_length_accepted(rules: Any) -> Any:
    correct = rules.check_time_range

    def check_time_range(start: datetime, end: datetime) -> None:
        if end != start:
            correct(start, end)

    return replace(rules, check_time_range=check_time_range)


def full_room_refused(rules: Any) -> Any:
    correct, errors = rules.check_capacity, errors_of(rules)

    def check_capacity(attendees: int, capacity: int) -> None:
        if attendees == capacity:
            raise errors.CapacityExceeded(attendees, capacity)
        correct(attendees, capacity)

    return replace(rules, check_capacity=check_capacity)


def one_too_many_accepted(rules: Any) -> Any:
    correct = rules.check_capacity

    def check_capacity(attendees: int, capacity: int) -> None:
        if attendees != capacity + 1:
            correct(attendees, capacity)

    return replace(rules, check_capacity=check_capacity)


def back_to_back_refused(rules: Any) -> Any:
    correct_overlaps, correct_check, errors = (
        rules.overlaps,
        rules.check_no_overlap,
        errors_of(rules),
    )

    def touching(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
        return a_end == b_start or b_end == a_start

    def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
        return touching(a_start, a_end, b_start, b_end) or correct_overlaps(
            a_start, a_end, b_start, b_end
        )

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        existing = list(existing)  # read twice below; a generator would be empty the second time
        for booking in existing:
            live_here = booking.room_id == room_id and not booking.cancelled
            if live_here and touching(start, end, booking.start, booking.end):
                raise errors.OverlapConflict(conflicting_booking_id=booking.id)
        correct_check(existing, room_id, start, end)

    return replace(rules, overlaps=overlaps, check_no_overlap=check_no_overlap)


def earlier_start_missed(rules: Any) -> Any:
    correct_check = rules.check_no_overlap

    def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
        # Only "the new booking starts inside the other one" is seen.
        return b_start <= a_start < b_end

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        seen = [booking for booking in existing if booking.start <= start]
        correct_check(seen, room_id, start, end)

    return replace(rules, overlaps=overlaps, check_no_overlap=check_no_overlap)


def cancelled_blocks(rules: Any) -> Any:
    correct_check = rules.check_no_overlap

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        live = [SeenAs(booking, cancelled=False) for booking in existing]
        correct_check(live, room_id, start, end)

    return replace(rules, check_no_overlap=check_no_overlap)


def other_room_blocks(rules: Any) -> Any:
    correct_check = rules.check_no_overlap

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        here = [SeenAs(booking, room_id=room_id) for booking in existing]
        correct_check(here, room_id, start, end)

    return replace(rules, check_no_overlap=check_no_overlap)


def accepts_everything(rules: Any) -> Any:
    """Every rule holds for every booking: the service refuses nothing but unknown rooms."""

    def allow(*_arguments: Any) -> None:
        return None

    return replace(
        rules,
        check_time_range=allow,
        check_capacity=allow,
        overlaps=lambda *_arguments: False,
        check_no_overlap=allow,
    )


def _bug(function: Any, bug: str, hint: str) -> PlantedBug:
    return PlantedBug(function.__name__.replace("_", "-"), f"{HERE}:{function.__name__}", bug, hint)


BUGS: tuple[PlantedBug, ...] = (
    _bug(
        zero_length_accepted,
        "a booking whose end equals its start being accepted",
        "Add a test that books 09:00–09:00 and expects a refusal "
        "(InvalidTimeRange, or a 422 from the API).",
    ),
    _bug(
        full_room_refused,
        "a booking that exactly fills the room being refused",
        "Add a test that books as many attendees as the room's capacity and expects success.",
    ),
    _bug(
        one_too_many_accepted,
        "one attendee more than the room holds being accepted",
        "Add a test that books capacity + 1 attendees and expects CapacityExceeded "
        "(a 422 from the API).",
    ),
    _bug(
        back_to_back_refused,
        "back-to-back bookings being refused as an overlap",
        "Book 09:00–10:00, then 10:00–11:00 in the same room, and expect the second to succeed "
        "(or assert that overlaps() is False for bookings that only touch).",
    ),
    _bug(
        earlier_start_missed,
        "a booking that starts earlier and runs into an existing one being accepted",
        "After a 09:00–10:00 booking, request 08:30–09:30 (and 08:00–11:00, all around it) "
        "and expect a refusal.",
    ),
    _bug(
        cancelled_blocks,
        "a cancelled booking still blocking its slot",
        "Book a slot, cancel it (POST /bookings/{id}/cancel), book the same slot again and "
        "expect success.",
    ),
    _bug(
        other_room_blocks,
        "a booking in another room blocking the slot",
        # A test through the API cannot catch it: the service hands the rule only the room's
        # own bookings, so "book Elm, then Oak at the same time" passes with the bug planted.
        "The service hands check_no_overlap only the room's own bookings, so no request through "
        "the API shows this bug: call check_no_overlap with a booking of room 2 in `existing` "
        "and room_id 1, and expect no error.",
    ),
)
ACCEPTS_EVERYTHING = _bug(accepts_everything, "a service that accepts every booking", "")


def planted(key: str) -> PlantedBug:
    """The bug called `key`; a KeyError lists the known keys."""
    for bug in BUGS:
        if bug.key == key:
            return bug
    raise KeyError(f"no planted bug {key!r}; known: {', '.join(bug.key for bug in BUGS)}")
