"""The bugs stage 05's checks plant in the course's service, to see what the learner's tests catch.

Each is a function from the correct `Rules` to `Rules` with one thing changed (see
`onboarding.planted`); none holds a correct rule of its own.

- The overlap rule no longer sees the bookings made by earlier requests: each request on its
  own looks fine, and only a second request for an overlapping slot shows the bug (05.1).
- A booking that gets as far as the capacity rule makes the service fail with a 500: a broken
  promise of the spec, which a contract test must catch (05.2).
- The overlap check takes half again the latency objective longer: a slow release, which a load
  test judged by the SLO must refuse (05.3).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from onboarding import numbers
from onboarding.planted import PlantedBug

HERE = __name__
SLOW_DELAY_SECONDS = 1.5 * numbers.LOAD_TEST_P95_MS / 1000
"""How much longer the slow overlap check takes: its p95 misses the limit by a clear margin."""


def overlap_ignores_earlier_bookings(rules: Any) -> Any:
    correct_check = rules.check_no_overlap

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        correct_check([], room_id, start, end)

    return replace(rules, check_no_overlap=check_no_overlap)


def server_error_on_booking(rules: Any) -> Any:
    def check_capacity(attendees: int, capacity: int) -> None:
        raise RuntimeError("a bug planted by the course's check")

    return replace(rules, check_capacity=check_capacity)


def slow_overlap_check(rules: Any) -> Any:
    correct_check = rules.check_no_overlap

    def check_no_overlap(existing: Any, room_id: int, start: datetime, end: datetime) -> None:
        # A stand-in for a slow query: the kind of change a load test exists to catch.
        time.sleep(SLOW_DELAY_SECONDS)
        correct_check(existing, room_id, start, end)

    return replace(rules, check_no_overlap=check_no_overlap)


OVERLAP_BUG = PlantedBug(
    "overlap-ignores-earlier-bookings",
    f"{HERE}:overlap_ignores_earlier_bookings",
    "the overlap check ignoring bookings made by earlier requests",
    "Book the same room twice for overlapping times, one request after the other, and assert "
    "that the second answer is 409.",
)
SERVER_ERROR = PlantedBug(
    "server-error-on-booking",
    f"{HERE}:server_error_on_booking",
    "a service that answers 500 to every booking of an existing room",
    "Make a room exist before the generated requests (a provider state), and use its id in "
    "half the generated paths, so POST /rooms/{room_id}/bookings gets past the 404.",
)
SLOW_BOOKING = PlantedBug(
    "slow-overlap-check",
    f"{HERE}:slow_overlap_check",
    f"a service whose overlap check takes {SLOW_DELAY_SECONDS * 1000:.0f} ms longer",
    "",
)
