"""Exercise 04.1's hidden scenarios: what the service must answer, rule by rule.

Each scenario is one rule of stage 01. It stores some bookings directly in the database (no
rule is asked), then sends booking requests to the service and says what each must answer. The
❌ line shows the request that proves a rule wrong, with what was stored before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from onboarding.checks import SHOWN_PROBLEMS

DAY = "2030-01-07"
ROOMS = ({"id": 1, "name": "Oak", "capacity": 6}, {"id": 2, "name": "Elm", "capacity": 12})
INVALID = "/problems/invalid-range"
CAPACITY = "/problems/capacity"
OVERLAP = "/problems/overlap"
CREATED = 201
UNPROCESSABLE = 422
CONFLICT = 409


def at(clock: str) -> str:
    """The API's UTC timestamp for a clock time such as 09:00 on the course's fixed day."""
    return f"{DAY}T{clock}:00Z"


def clock_of(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%H:%M")


def time_of(clock: str) -> datetime:
    return datetime.fromisoformat(at(clock).replace("Z", "+00:00"))


def join(problems: Sequence[str], limit: int = SHOWN_PROBLEMS) -> str:
    shown = "; ".join(problems[:limit])
    if len(problems) > limit:
        shown += f"; and {len(problems) - limit} more"
    return shown


@dataclass(frozen=True)
class Stored:
    """A booking already in the database before the request (inserted directly, no rules)."""

    start: str
    end: str
    room: int = 1
    cancelled: bool = False

    def describe(self) -> str:
        state = "cancelled " if self.cancelled else ""
        return f"a {state}{self.start}–{self.end} booking in room {self.room}"

    def row(self) -> dict[str, Any]:
        return {
            "room_id": self.room,
            "organiser": "amara@example.com",
            "start": at(self.start),
            "end": at(self.end),
            "attendees": 2,
            "cancelled": int(self.cancelled),
            "cancelled_at": at("08:00") if self.cancelled else None,
        }


@dataclass(frozen=True)
class Attempt:
    start: str
    end: str
    expect: int
    problem: str | None = None
    """The problem type a refusal must carry, e.g. /problems/overlap."""
    attendees: int = 2
    room: int = 1
    conflicting_id: int | None = None

    def request(self) -> str:
        return (
            f"POST /rooms/{self.room}/bookings "
            f"{{start {self.start}, end {self.end}, attendees {self.attendees}}}"
        )

    def body(self) -> dict[str, Any]:
        return {
            "organiser": "bo@example.com",
            "start": at(self.start),
            "end": at(self.end),
            "attendees": self.attendees,
        }

    def expected(self) -> str:
        return f"{self.expect} ({self.problem})" if self.problem else str(self.expect)

    def problem_with(self, status: int, answer: Any, said: str) -> str | None:
        """What is wrong with an answer to this attempt, or None."""
        problem_type = answer.get("type") if isinstance(answer, dict) else None
        got = f"{status} ({problem_type})" if problem_type else str(status)
        if status != self.expect or (self.problem and problem_type != self.problem):
            return f"{said} returned {got}, expected {self.expected()}"
        if self.conflicting_id is not None:
            conflicting = answer.get("conflicting_booking_id") if isinstance(answer, dict) else None
            if conflicting != self.conflicting_id:
                return (
                    f"{said} returned {status} with conflicting_booking_id {conflicting!r}, "
                    f"expected {self.conflicting_id} (the booking in the way)"
                )
        return None


@dataclass(frozen=True)
class Scenario:
    key: str
    rule: str
    hint: str
    attempts: tuple[Attempt, ...]
    stored: tuple[Stored, ...] = ()
    asks_the_rule: bool = False
    """Ask check_no_overlap directly, with `stored` as `existing`, instead of the service: the
    course's service hands the rule only the room's own bookings, so a rule that counts other
    rooms' bookings never shows through the API."""

    def context(self) -> str:
        if not self.stored:
            return "in an empty room 1 (capacity 6)"
        if len(self.stored) == 1:
            return f"after {self.stored[0].describe()}"
        # Stored in this order, so their ids are 1, 2, …: a ❌ line naming an id can be followed.
        return "after " + " and ".join(
            f"{booking.describe()} (id {number})"
            for number, booking in enumerate(self.stored, start=1)
        )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "valid",
        "a booking that ends after it starts is accepted",
        "check_time_range should return quietly (return None) when end > start.",
        (Attempt("09:00", "10:00", CREATED),),
    ),
    Scenario(
        "zero-length",
        "a booking whose end equals its start is refused",
        "Refuse end <= start, not only end < start: raise InvalidTimeRange().",
        (Attempt("09:00", "09:00", UNPROCESSABLE, INVALID),),
    ),
    Scenario(
        "backwards",
        "a booking that ends before it starts is refused",
        "Compare the datetimes: when end <= start, raise InvalidTimeRange().",
        (Attempt("10:00", "09:00", UNPROCESSABLE, INVALID),),
    ),
    Scenario(
        "full-room",
        "a booking that exactly fills the room is accepted",
        "Exactly full is fine: refuse only when attendees > capacity.",
        (Attempt("09:00", "10:00", CREATED, attendees=6),),
    ),
    Scenario(
        "one-too-many",
        "one attendee more than the room holds is refused",
        "When attendees > capacity, raise CapacityExceeded(attendees, capacity).",
        (Attempt("09:00", "10:00", UNPROCESSABLE, CAPACITY, attendees=7),),
    ),
    Scenario(
        "overlap",
        "an overlapping booking in the same room is refused, naming the booking in the way",
        "For each live booking of the room, if overlaps(start, end, booking.start, booking.end), "
        "raise OverlapConflict(conflicting_booking_id=booking.id).",
        tuple(
            Attempt(start, end, CONFLICT, OVERLAP, conflicting_id=2)
            for start, end in (
                ("09:30", "10:30"),
                ("08:30", "09:30"),
                ("09:15", "09:45"),
                ("08:00", "11:00"),
                ("09:00", "10:00"),
            )
        ),
        # The booking in the way is the room's second (id 2), after one that touches no request:
        # an error naming the room's id (1), or the room's first booking, is then told apart.
        (Stored("07:00", "08:00"), Stored("09:00", "10:00")),
    ),
    Scenario(
        "back-to-back",
        "back-to-back bookings are allowed",
        "Two bookings overlap when a_start < b_end and b_start < a_end, with a strict <: "
        "one ending as the other starts is fine.",
        (Attempt("10:00", "11:00", CREATED), Attempt("08:00", "09:00", CREATED)),
        (Stored("09:00", "10:00"),),
    ),
    Scenario(
        "cancelled",
        "a cancelled booking does not block its slot",
        "Skip the bookings in `existing` whose `cancelled` is True.",
        (Attempt("09:00", "10:00", CREATED),),
        (Stored("09:00", "10:00", cancelled=True),),
    ),
    Scenario(
        "other-room",
        "a booking in another room does not block",
        "`existing` may hold other rooms' bookings: compare only those whose room_id equals the "
        "room_id argument.",
        (Attempt("09:00", "10:00", CREATED),),
        (Stored("09:00", "10:00", room=2),),
        asks_the_rule=True,
    ),
)


OVERLAP_CASES = (
    (("09:00", "10:00"), True, "the same slot"),
    (("09:15", "09:45"), True, "inside it"),
    (("08:00", "11:00"), True, "all around it"),
    (("08:30", "09:30"), True, "across its start"),
    (("09:30", "10:30"), True, "across its end"),
    (("08:00", "09:00"), False, "ending as it starts"),
    (("10:00", "11:00"), False, "starting as it ends"),
    (("11:00", "12:00"), False, "later"),
)


def overlap_problems(overlaps: Callable[..., Any]) -> list[str]:
    """overlaps() against 09:00–10:00 in both argument orders: each wrong answer, in words."""
    nine, ten = time_of("09:00"), time_of("10:00")
    problems = []
    for (start, end), expected, shape in OVERLAP_CASES:
        for args in (
            (time_of(start), time_of(end), nine, ten),
            (nine, ten, time_of(start), time_of(end)),
        ):
            got = overlaps(*args)
            if got is not expected:
                shown = ", ".join(clock_of(value) for value in args)
                problems.append(
                    f"overlaps({shown}) returned {got!r}, expected {expected} ({shape})"
                )
    return problems
