"""Exercise 04.2's hidden tests: the learner's own service, through its API.

The check runs this module with pytest in a copy of the learner's project, so `booking_service`
is theirs: their routes, their data access and their rules. Each test is one behaviour of the
API that project/README.md fixes; its first failed assertion is the ❌ line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onboarding.stages.implementation.suites.support import attempt, body_of, learners_app

NINE, TEN, ELEVEN = "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z"


class Api:
    """The learner's service in-process, with every answer checked the same way."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, method: str, path: str, json: Any = None, params: Any = None) -> Any:
        said = f"{method} {path}"
        return attempt(lambda: self.client.request(method, path, json=json, params=params), said)

    def expect(self, method: str, path: str, status: int, json: Any = None, **params: Any) -> Any:
        """Send a request and fail unless the status is `status`; return the JSON body."""
        response = self.send(method, path, json, params or None)
        if response.status_code != status:
            shown = f"{method} {path}" + (f"?{_query(params)}" if params else "")
            raise AssertionError(
                f"{shown} answered {response.status_code}, expected {status}: "
                f"{_short(body_of(response))}"
            )
        return body_of(response)

    def room(self, name: str = "Oak", capacity: int = 6) -> int:
        return self.expect("POST", "/rooms", 201, {"name": name, "capacity": capacity})["id"]

    def book(self, room_id: int, start: str = NINE, end: str = TEN, status: int = 201, **extra):
        body = {"organiser": "amara@example.com", "start": start, "end": end, "attendees": 2}
        return self.expect("POST", f"/rooms/{room_id}/bookings", status, {**body, **extra})


def _query(params: dict[str, Any]) -> str:
    return "&".join(f"{name}={str(value).lower()}" for name, value in params.items())


def _short(value: Any, width: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    with TestClient(learners_app(tmp_path / "bookings.db")) as client:
        yield Api(client)


def test_the_service_starts(api: Api):
    api.expect("GET", "/health/live", 200)
    assert api.expect("GET", "/rooms", 200) == [], "GET /rooms on a new database is not []"


def test_a_free_slot_is_booked(api: Api):
    room = api.room()
    response = api.send(
        "POST",
        f"/rooms/{room}/bookings",
        {"organiser": "amara@example.com", "start": "2030-01-07T10:00:00+01:00", "end": TEN,
         "attendees": 4},
    )  # fmt: skip
    said = f"POST /rooms/{room}/bookings (09:00 to 10:00 UTC, written as 10:00+01:00)"
    if response.status_code != 201:
        raise AssertionError(
            f"{said} answered {response.status_code}, expected 201: {_short(body_of(response))}"
        )
    booking = body_of(response)
    expected = {
        "room_id": room,
        "organiser": "amara@example.com",
        "start": NINE,
        "end": TEN,
        "attendees": 4,
        "cancelled": False,
        "cancelled_at": None,
    }
    wrong = {
        name: booking.get(name, "(missing)")
        for name, value in expected.items()
        if not isinstance(booking, dict) or booking.get(name, "(missing)") != value
    }
    if wrong:
        shown = ", ".join(
            f"{name} {value!r} (expected {expected[name]!r})" for name, value in wrong.items()
        )
        raise AssertionError(f"{said} answered a booking with {shown}")
    if not isinstance(booking.get("id"), int):
        raise AssertionError(f"{said} answered a booking without an integer id")
    location = response.headers.get("location", "")
    if not location.endswith(f"/bookings/{booking['id']}"):
        raise AssertionError(
            f"{said} answered with Location {location!r}, expected one ending in "
            f"/bookings/{booking['id']} (request.url_for('get_booking', booking_id=…))"
        )


def test_a_booking_is_read_back(api: Api):
    room = api.room()
    made = api.book(room)
    got = api.expect("GET", f"/bookings/{made['id']}", 200)
    assert got == made, f"GET /bookings/{made['id']} answered {_short(got)}, not the booking made"
    missing = api.expect("GET", "/bookings/999", 404)
    assert isinstance(missing, dict) and missing.get("type") == "/problems/booking-not-found", (
        f"GET /bookings/999 answered 404 with {_short(missing)}, expected the problem type "
        "/problems/booking-not-found (raise BookingNotFound)"
    )


def test_a_rooms_bookings_are_listed(api: Api):
    room, other = api.room("Oak"), api.room("Elm")
    late = api.book(room, TEN, ELEVEN)
    early = api.book(room, NINE, TEN)
    api.book(other, NINE, TEN)
    cancelled = api.book(room, "2030-01-07T12:00:00Z", "2030-01-07T13:00:00Z")
    api.expect("POST", f"/bookings/{cancelled['id']}/cancel", 200)
    path = f"/rooms/{room}/bookings"

    def ids(**params: Any) -> list[int]:
        return [booking["id"] for booking in api.expect("GET", path, 200, **params)]

    listed = ids()
    assert listed == [early["id"], late["id"]], (
        f"GET {path} listed bookings {listed}, expected {[early['id'], late['id']]}: the room's "
        "live bookings only, in start order"
    )
    everything = ids(include_cancelled=True)
    assert everything == [early["id"], late["id"], cancelled["id"]], (
        f"GET {path}?include_cancelled=true listed {everything}, expected "
        f"{[early['id'], late['id'], cancelled['id']]}"
    )
    page = ids(limit=1, offset=1)
    assert page == [late["id"]], (
        f"GET {path}?limit=1&offset=1 listed {page}, expected [{late['id']}]: skip `offset` "
        "bookings, then return at most `limit`"
    )
    unknown = api.expect("GET", "/rooms/999/bookings", 404)
    assert isinstance(unknown, dict) and unknown.get("type") == "/problems/room-not-found", (
        f"GET /rooms/999/bookings answered 404 with {_short(unknown)}, expected the problem type "
        "/problems/room-not-found"
    )


def test_cancelling_frees_the_slot_once(api: Api):
    room = api.room()
    made = api.book(room)
    path = f"/bookings/{made['id']}/cancel"
    first = api.expect("POST", path, 200)
    assert (
        isinstance(first, dict) and first.get("cancelled") is True and first.get("cancelled_at")
    ), (
        f"POST {path} answered {_short(first)}, expected the booking with cancelled true "
        "and cancelled_at set"
    )
    api.book(room)  # the slot is free again
    second = api.expect("POST", path, 200)
    assert second == first, (
        f"a second POST {path} answered {_short(second)}, expected the same booking as the "
        f"first time ({_short(first)}): cancelling again changes nothing"
    )
    api.expect("POST", "/bookings/999/cancel", 404)


@pytest.mark.parametrize(
    ("what", "room", "start", "end", "attendees", "status", "problem"),
    [
        ("an unknown room", 999, NINE, TEN, 2, 404, "/problems/room-not-found"),
        ("an overlap", None, "2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z", 2, 409,
         "/problems/overlap"),
        ("an end before the start", None, TEN, NINE, 2, 422, "/problems/invalid-range"),
        ("too many attendees", None, ELEVEN, "2030-01-07T12:00:00Z", 7, 422,
         "/problems/capacity"),
    ],
    ids=["unknown-room", "overlap", "invalid-range", "capacity"],
)  # fmt: skip
def test_a_refusal_is_a_problem(api: Api, what, room, start, end, attendees, status, problem):
    oak = api.room(capacity=6)
    first = api.book(oak)
    target = oak if room is None else room
    body = api.book(target, start, end, status=status, attendees=attendees)
    said = f"POST /rooms/{target}/bookings for {what}"
    assert isinstance(body, dict) and body.get("type") == problem, (
        f"{said} answered {status} with {_short(body)}, expected the problem type {problem}"
    )
    if problem == "/problems/overlap":
        assert body.get("conflicting_booking_id") == first["id"], (
            f"{said} answered 409 with conflicting_booking_id {body.get('conflicting_booking_id')!r}, "
            f"expected {first['id']} (the booking in the way)"
        )
