"""Exercise 04.1's hidden tests: the learner's rules.py inside the course's service.

The check runs this module with pytest in a copy of the learner's project whose service is the
course's model, except `rules.py`, which is the learner's. So every answer below depends on the
rules alone: a wrong status is a wrong rule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from onboarding.stages.implementation import scenarios
from onboarding.stages.implementation.scenarios import SCENARIOS, Scenario
from onboarding.stages.implementation.suites.support import attempt, body_of, describe

RULE_NAMES = ("check_time_range", "check_capacity", "overlaps", "check_no_overlap")


def learners_rules():
    try:
        from booking_service import rules
    except Exception as error:  # noqa: BLE001 - a file that does not import is the finding
        raise AssertionError(
            f"src/booking_service/rules.py does not import: {describe(error)}"
        ) from None
    return rules


def test_the_rules_are_defined():
    rules = learners_rules()
    missing = [name for name in RULE_NAMES if not callable(getattr(rules, name, None))]
    if missing:
        raise AssertionError(
            f"not defined in src/booking_service/rules.py: {', '.join(missing)} — keep the four "
            "functions, with these names, at the top level of the file"
        )
    problem = models_problem()
    if problem:
        raise AssertionError(
            "src/booking_service/models.py does not fit the course's service, which runs your "
            f"rules with your models: {problem}; keep the classes and fields of the starting "
            "models.py, and add yours beside them"
        )


NINE, TEN = "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z"
STORED_BOOKING = {
    "id": 1,
    "room_id": 1,
    "organiser": "amara@example.com",
    "start": NINE,
    "end": TEN,
    "attendees": 2,
    "cancelled": 0,
    "cancelled_at": None,
}
"""A row of the bookings table, as the course's data access reads it."""
WHAT_THE_SERVICE_BUILDS = (
    ("Booking", STORED_BOOKING, ("id", "room_id", "start", "end", "attendees", "cancelled")),
    ("Room", {"id": 1, "name": "Oak", "capacity": 6}, ("id", "capacity")),
    (
        "BookingCreate",
        {"organiser": "amara@example.com", "start": NINE, "end": TEN, "attendees": 2},
        ("organiser", "start", "end", "attendees"),
    ),
    ("RoomCreate", {"name": "Oak", "capacity": 6}, ("name", "capacity")),
)
"""The models the course's service makes from a row or a request body, and what it reads."""


def models_problem() -> str | None:
    """What of WHAT_THE_SERVICE_BUILDS the models in the service do not do, said in a line.

    With the learner's rules, the models are theirs when theirs define the names the course's
    modules import: a property of their own on Booking is then there for their rules.
    """
    try:
        from booking_service import models
    except Exception as error:  # noqa: BLE001 - a file that does not import is the finding
        return f"it does not import: {describe(error)}"
    for name, values, read in WHAT_THE_SERVICE_BUILDS:
        shown = f"{name}({', '.join(values)})"
        try:
            made = getattr(models, name)(**values)
            for attribute in read:
                getattr(made, attribute)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            return f"{shown} raised {_said(error)}"
    return None


def _said(error: BaseException) -> str:
    """One line for `error`: a validation error as each field's problem, not pydantic's page."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        try:
            fields = [
                f"{'.'.join(str(part) for part in found['loc']) or 'the model'}: {found['msg']}"
                for found in errors()
            ]
        except Exception:  # noqa: BLE001 - not pydantic's: say it as any other
            fields = []
        if fields:
            return f"{type(error).__name__} ({'; '.join(fields)})"
    return describe(error).removeprefix("your code raised ")


def test_overlaps():
    overlaps = learners_rules().overlaps
    problems = attempt(lambda: scenarios.overlap_problems(overlaps), "overlaps()")
    if problems:
        raise AssertionError(scenarios.join(problems))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[object, Path]]:
    from booking_service.core.config import Settings
    from booking_service.core.db import migrate
    from booking_service.main import create_app
    from fastapi.testclient import TestClient

    database = tmp_path / "bookings.db"
    migrate(database)
    # CRITICAL: a learner's exception must not print a log line here.
    app = create_app(Settings(database=database, log_level="CRITICAL"))
    with TestClient(app) as client:
        yield client, database


def store(database: Path, scenario: Scenario) -> None:
    with closing(sqlite3.connect(database)) as db, db:
        db.executemany(
            "INSERT INTO rooms (id, name, capacity) VALUES (:id, :name, :capacity)",
            scenarios.ROOMS,
        )
        db.executemany(
            'INSERT INTO bookings (room_id, organiser, start, "end", attendees, cancelled, '
            "cancelled_at) VALUES (:room_id, :organiser, :start, :end, :attendees, :cancelled, "
            ":cancelled_at)",
            [booking.row() for booking in scenario.stored],
        )


def ask_the_rule(scenario: Scenario) -> None:
    """Call check_no_overlap with the scenario's stored bookings as `existing`."""
    from booking_service.errors import BookingServiceError
    from booking_service.models import Booking

    existing = [
        Booking(id=number, **{**booking.row(), "cancelled": booking.cancelled})
        for number, booking in enumerate(scenario.stored, start=1)
    ]
    stored = " and ".join(booking.describe() for booking in scenario.stored)
    for request in scenario.attempts:
        said = (
            f"check_no_overlap(existing, {request.room}, {request.start}, {request.end}) with "
            f"only {stored} in `existing`"
        )
        try:
            learners_rules().check_no_overlap(
                existing,
                request.room,
                scenarios.time_of(request.start),
                scenarios.time_of(request.end),
            )
        except BookingServiceError as refusal:
            raise AssertionError(
                f"{said} raised {type(refusal).__name__}, expected no error (a {request.expect})"
            ) from None
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            raise AssertionError(f"{said}: {describe(error)}") from None


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.key for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, service):
    if scenario.asks_the_rule:
        ask_the_rule(scenario)
        return
    client, database = service
    store(database, scenario)
    for request in scenario.attempts:
        said = f"{request.request()} {scenario.context()}"
        try:
            response = client.post(f"/rooms/{request.room}/bookings", json=request.body())
        except sqlite3.IntegrityError:
            raise AssertionError(
                f"{said} reached the database, whose CHECK constraint refused it (a 500), "
                f"expected {request.expected()}: the rule functions let it through"
            ) from None
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            raise AssertionError(f"{said}: {describe(error)}") from None
        body = body_of(response)
        problem = request.problem_with(response.status_code, body, said)
        if problem:
            raise AssertionError(problem)
        if request.problem == scenarios.CAPACITY:
            require_the_rooms_capacity(body, request.room, said)


CAPACITIES = {room["id"]: room["capacity"] for room in scenarios.ROOMS}


def require_the_rooms_capacity(body: object, room: int, said: str) -> None:
    """The capacity problem names the room's capacity, not the attendees: CapacityExceeded's
    arguments in the wrong order still refuse, but tell the client the wrong numbers."""
    named = body.get("capacity") if isinstance(body, dict) else None
    if named != CAPACITIES[room]:
        raise AssertionError(
            f"{said} returned 422 naming capacity {named!r}, expected {CAPACITIES[room]} (the "
            "room's): CapacityExceeded takes the attendees first, then the capacity"
        )
