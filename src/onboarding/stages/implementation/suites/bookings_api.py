"""Exercise 04.2's hidden tests: the learner's own service, through its API.

The check runs this module with pytest in a copy of the learner's project, so `booking_service`
is theirs: their routes, their data access and their rules. Each test is one behaviour of the
API that project/README.md fixes; its first failed assertion is the ❌ line.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from onboarding.stages.implementation.suites.support import (
    attempt,
    body_of,
    describe,
    learners_app,
)

EIGHT, NINE = "2030-01-07T08:00:00Z", "2030-01-07T09:00:00Z"
TEN, ELEVEN = "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z"
TIMES = ("start", "end", "cancelled_at")
"""A booking's times: RFC 3339 allows `Z` or `+00:00` for UTC, so they are compared as instants."""


class Api:
    """The learner's service in-process, with every answer checked the same way."""

    def __init__(self, client: Any, database: Path) -> None:
        self.client = client
        self.database = database

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


def utc_instant(value: Any) -> datetime | None:
    """A time the API answered, when it is one in UTC (`Z` or `+00:00`); else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() == timedelta(0) else None


def same_value(name: str, got: Any, expected: Any) -> bool:
    """Whether a booking's field `name` is `expected`; a time may be written either UTC way."""
    if name in TIMES and isinstance(expected, str):
        instant = utc_instant(got)
        return instant is not None and instant == utc_instant(expected)
    if isinstance(expected, bool):
        return got is expected  # JSON's false, not 0, which Python counts as equal to False
    return got == expected


def _differences(got: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """The fields of the booking `got` that are not as `expected`, with what they were."""
    if not isinstance(got, dict):
        return dict.fromkeys(expected, "(no booking)")
    return {
        name: got.get(name, "(missing)")
        for name, value in expected.items()
        if not same_value(name, got.get(name, "(missing)"), value)
    }


def _shown(differences: dict[str, Any], expected: dict[str, Any]) -> str:
    return ", ".join(
        f"{name} {value!r} (expected {expected[name]!r})" for name, value in differences.items()
    )


def _short(value: Any, width: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    database = tmp_path / "bookings.db"
    with TestClient(learners_app(database)) as client:
        yield Api(client, database)


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
    wrong = _differences(booking, expected)
    if wrong:
        raise AssertionError(f"{said} answered a booking with {_shown(wrong, expected)}")
    if not isinstance(booking.get("id"), int):
        raise AssertionError(f"{said} answered a booking without an integer id")
    location = response.headers.get("location", "")
    # A client resolves a relative Location against the request's URL (RFC 9110, 10.2.2), so
    # "/bookings/7" and "http://testserver/bookings/7" name the booking; "7" or
    # "/rooms/1/bookings/7" do not.
    named = urlsplit(urljoin(str(response.url), location)).path
    if named != f"/bookings/{booking['id']}":
        resolved = f" (the path {named!r})" if named != location else ""
        raise AssertionError(
            f"{said} answered with Location {location!r}{resolved}, expected "
            f"/bookings/{booking['id']} (request.url_for('get_booking', booking_id=…))"
        )
    # Touching is not overlapping: the slots just before and just after are free too.
    for start, end, side in (
        (TEN, ELEVEN, "starting as the 09:00 to 10:00 booking ends"),
        (EIGHT, NINE, "ending as the 09:00 to 10:00 booking starts"),
    ):
        neighbour = api.send(
            "POST",
            f"/rooms/{room}/bookings",
            {"organiser": "bo@example.com", "start": start, "end": end, "attendees": 2},
        )
        if neighbour.status_code != 201:
            raise AssertionError(
                f"POST /rooms/{room}/bookings for {start[11:16]} to {end[11:16]} UTC, {side}, "
                f"answered {neighbour.status_code}, expected 201: {_short(body_of(neighbour))} "
                "(back to back is not an overlap)"
            )


def test_a_booking_is_read_back(api: Api):
    room = api.room()
    made = api.book(room)
    assert isinstance(made, dict) and "id" in made, (
        f"POST /rooms/{room}/bookings answered {_short(made)}, not a booking with an id"
    )
    got = api.expect("GET", f"/bookings/{made['id']}", 200)
    wrong = _differences(got, made)
    assert not wrong, (
        f"GET /bookings/{made['id']} answered a booking with {_shown(wrong, made)}, not the "
        "booking made"
    )
    extra = sorted(set(got) - set(made))
    assert not extra, (
        f"GET /bookings/{made['id']} answered fields the booking made has not: {', '.join(extra)}"
    )
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
    # Both requests may fall within one second, so a second cancel that stamps cancelled_at
    # again could look unchanged: give the stored stamp a time no request can write.
    stamped = _stamp_cancelled_at(api.database, made["id"], LONG_AGO)
    expected = {**first, "cancelled_at": LONG_AGO} if stamped else first
    second = api.expect("POST", path, 200)
    wrong = _differences(second, expected)
    if stamped and "cancelled_at" in wrong:
        raise AssertionError(
            f"a second POST {path} changed cancelled_at to {wrong['cancelled_at']!r} (the check "
            f"had stored {LONG_AGO} there after the first one): cancelling again changes nothing"
        )
    assert not wrong, (
        f"a second POST {path} answered a booking with {_shown(wrong, expected)}: cancelling "
        "again changes nothing"
    )
    api.expect("POST", "/bookings/999/cancel", 404)


LONG_AGO = "2020-01-01T00:00:00Z"


def _stamp_cancelled_at(database: Path, booking_id: int, when: str) -> bool:
    """Set a stored booking's cancelled_at behind the service's back; whether it was set."""
    try:
        with closing(sqlite3.connect(database)) as db, db:
            changed = db.execute(
                "UPDATE bookings SET cancelled_at = ? WHERE id = ?", (when, booking_id)
            ).rowcount
    except sqlite3.Error:
        return False  # a database of another shape: compare the two answers as they are
    return changed == 1


IN_THE_WAY = "a 09:00 to 10:00 booking"


@pytest.mark.parametrize(
    ("what", "room", "start", "end", "attendees", "status", "problem"),
    [
        ("an unknown room", 999, NINE, TEN, 2, 404, "/problems/room-not-found"),
        # Every way to overlap the booking in the way: data access that narrows the bookings
        # it hands the rule may miss some of them.
        (f"09:30 to 10:30 (across the end of {IN_THE_WAY})", None, "2030-01-07T09:30:00Z",
         "2030-01-07T10:30:00Z", 2, 409, "/problems/overlap"),
        (f"08:30 to 09:30 (across the start of {IN_THE_WAY})", None, "2030-01-07T08:30:00Z",
         "2030-01-07T09:30:00Z", 2, 409, "/problems/overlap"),
        (f"09:15 to 09:45 (inside {IN_THE_WAY})", None, "2030-01-07T09:15:00Z",
         "2030-01-07T09:45:00Z", 2, 409, "/problems/overlap"),
        (f"08:00 to 11:00 (all around {IN_THE_WAY})", None, EIGHT, ELEVEN, 2, 409,
         "/problems/overlap"),
        (f"09:00 to 10:00 (the slot of {IN_THE_WAY})", None, NINE, TEN, 2, 409,
         "/problems/overlap"),
        ("an end before the start", None, TEN, NINE, 2, 422, "/problems/invalid-range"),
        ("7 attendees in a room for 6", None, ELEVEN, "2030-01-07T12:00:00Z", 7, 422,
         "/problems/capacity"),
    ],
    ids=[
        "unknown-room",
        "overlap",
        "overlap-across-its-start",
        "overlap-inside",
        "overlap-around",
        "overlap-same-slot",
        "invalid-range",
        "capacity",
    ],
)  # fmt: skip
def test_a_refusal_is_a_problem(api: Api, what, room, start, end, attendees, status, problem):
    oak = api.room(capacity=6)
    # An earlier booking that no request touches comes first, so the one in the way has id 2,
    # not the room's id (1) nor the room's first booking's: a 409 naming either is told apart.
    api.book(oak, "2030-01-07T06:00:00Z", "2030-01-07T07:00:00Z")
    first = api.book(oak)
    target = oak if room is None else room
    said = f"POST /rooms/{target}/bookings for {what}"
    booking = {"organiser": "bo@example.com", "start": start, "end": end, "attendees": attendees}
    response = api.send("POST", f"/rooms/{target}/bookings", booking)
    body = body_of(response)
    if response.status_code != status:
        raise AssertionError(
            f"{said} answered {response.status_code}, expected {status}: {_short(body)}"
        )
    assert isinstance(body, dict) and body.get("type") == problem, (
        f"{said} answered {status} with {_short(body)}, expected the problem type {problem}"
    )
    if problem == "/problems/overlap":
        assert body.get("conflicting_booking_id") == first["id"], (
            f"{said} answered 409 with conflicting_booking_id {body.get('conflicting_booking_id')!r}, "
            f"expected {first['id']} (the booking in the way)"
        )


# --- Two requests for one slot ---------------------------------------------------------------


class RacingRules:
    """The learner's rules, with a second writer that books the same slot, on a connection of
    its own, right after the first overlap check passes: between the check and the insert.

    No thread and no sleep: the rival's connection waits for no lock (timeout 0), so it finds
    the database locked exactly when create_booking holds the write lock, as
    `with write_transaction(db):` does from before the checks until the insert is committed.
    """

    def __init__(self, rules: Any, database: Path) -> None:
        self._rules = rules
        self._database = database
        self.rival: str | None = None
        """"locked", "booked", or None while the rule has not been asked (or the rival's row
        does not fit the learner's table)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rules, name)

    def check_no_overlap(self, existing: Any, room_id: int, start: datetime, end: datetime):
        self._rules.check_no_overlap(existing, room_id, start, end)
        if self.rival is None:
            self.rival = _book_behind_the_service(self._database, room_id, start, end)


def _db_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _book_behind_the_service(database: Path, room_id: int, start: datetime, end: datetime):
    """Book [start, end) in the room as another request would, waiting for no lock."""
    try:
        with closing(sqlite3.connect(database, timeout=0)) as db, db:
            db.execute(
                'INSERT INTO bookings (room_id, organiser, start, "end", attendees) '
                "VALUES (?, ?, ?, ?, ?)",
                (room_id, "rival@example.com", _db_time(start), _db_time(end), 2),
            )
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return "locked"
        return None  # a table of another shape: the race cannot be run this way
    except sqlite3.Error:
        return None
    return "booked"


def test_two_requests_for_one_slot_take_turns(tmp_path: Path):
    from fastapi.testclient import TestClient

    try:
        from booking_service.rules import RULES
    except Exception:  # noqa: BLE001 - the other tests say why the service does not start
        return
    database = tmp_path / "bookings.db"
    racing = RacingRules(RULES, database)
    with TestClient(learners_app(database, rules=racing)) as client:
        api = Api(client, database)
        room = api.room()
        said = f"POST /rooms/{room}/bookings for 09:00 to 10:00"
        body = {"organiser": "amara@example.com", "start": NINE, "end": TEN, "attendees": 2}
        try:
            response = client.post(f"/rooms/{room}/bookings", json=body)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            response, failure = None, describe(error)
    if racing.rival != "booked":
        # The write lock kept the rival out (it will book after, and see this booking); or
        # create_booking did not ask rules.check_no_overlap, and the race cannot be run.
        return
    race = (
        f"{said}: the check booked the same slot from a second connection after your "
        "create_booking had checked for overlaps and before it inserted, as a second request "
        "can"
    )
    if response is None:
        raise AssertionError(
            f"{race}, and then {failure} (expected 409): a transaction that takes the write "
            "lock only when it inserts finds the slot taken too late; `with "
            "write_transaction(db):` around the checks and the insert takes it before them"
        )
    if response.status_code == 201:
        raise AssertionError(
            f"{race}, and your service booked the slot a second time (201, expected 409): "
            "do the checks and the insert inside one `with write_transaction(db):`, so the "
            "second request waits for the first and then sees its booking"
        )
    if response.status_code != 409:
        raise AssertionError(
            f"{race}, and your service answered {response.status_code}: "
            f"{_short(body_of(response))} (expected 409); `with write_transaction(db):` around "
            "the checks and the insert makes the second request wait for the first"
        )
