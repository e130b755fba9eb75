"""Exercise 10.4's hidden acceptance suite: the learner's service, through its API, flag on.

Run in a copy of the learner's project, so `booking_service` is theirs. The paths, the flag
and the limits are those project/README.md fixes for the capstone (`capstone.feature`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import onboarding.stages.capstone.feature as feature
from onboarding.stages.implementation.suites.support import attempt, body_of, learners_app

NINE, TEN = "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z"


class Api:
    def __init__(self, client: Any) -> None:
        self.client = client

    def expect(self, method: str, path: str, status: int, json: Any = None) -> Any:
        said = f"{method} {path}"
        response = attempt(lambda: self.client.request(method, path, json=json), said)
        if response.status_code != status:
            shown = " ".join(str(body_of(response)).split())[:160]
            raise AssertionError(
                f"{said} answered {response.status_code}, expected {status}: {shown}"
            )
        return body_of(response)

    def room(self, name: str = "Oak", capacity: int = 6) -> int:
        return self.expect("POST", "/rooms", 201, {"name": name, "capacity": capacity})["id"]

    def series(self, room: int, weeks: int, status: int = 201, **extra: Any) -> Any:
        body = {"organiser": "amara@example.com", "start": NINE, "end": TEN, "attendees": 2}
        return self.expect(
            "POST", f"/rooms/{room}/series", status, {**body, "weeks": weeks, **extra}
        )

    def live_bookings(self, room: int) -> list:
        return self.expect("GET", f"/rooms/{room}/bookings", 200)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    monkeypatch.setenv(feature.FLAG, "on")
    with TestClient(learners_app(tmp_path / "bookings.db")) as client:
        yield Api(client)


def _starts(series: Any) -> list[str]:
    bookings = series.get("bookings") if isinstance(series, dict) else None
    assert isinstance(bookings, list), (
        f"the series answered has no `bookings` list: {series!r:.120}"
    )
    return [str(booking.get("start", ""))[:19] for booking in bookings]


def test_a_series_books_one_slot_a_week(api: Api):
    room = api.room()
    made = api.series(room, 4)
    wanted = [
        "2030-01-07T09:00:00",
        "2030-01-14T09:00:00",
        "2030-01-21T09:00:00",
        "2030-01-28T09:00:00",
    ]
    assert _starts(made) == wanted, (
        f"a 4-week series from 2030-01-07 09:00 booked {_starts(made)}, expected {wanted}"
    )
    assert len(api.live_bookings(room)) == 4, (
        "after a 4-week series the room does not list 4 bookings"
    )


def test_the_longest_series_is_booked(api: Api):
    room = api.room()
    made = api.series(room, feature.MAX_WEEKS)
    assert len(_starts(made)) == feature.MAX_WEEKS, (
        f"a {feature.MAX_WEEKS}-week series booked {len(_starts(made))} weeks"
    )


@pytest.mark.parametrize("weeks", [feature.MAX_WEEKS + 1, 1, 0])
def test_a_series_out_of_range_is_refused(api: Api, weeks: int):
    room = api.room()
    problem = api.series(room, weeks, status=422)
    assert api.live_bookings(room) == [], f"a refused {weeks}-week series left bookings behind"
    assert isinstance(problem, dict) and problem.get("status") == 422, (
        f"the 422 is not a problem body: {problem!r:.120}"
    )


def test_one_clash_books_no_week(api: Api):
    room = api.room()
    api.expect("POST", f"/rooms/{room}/bookings", 201,
               {"organiser": "lee@example.com", "start": "2030-01-21T09:30:00Z",
                "end": "2030-01-21T10:30:00Z", "attendees": 2})  # fmt: skip
    problem = api.series(room, 4, status=409)
    left = api.live_bookings(room)
    assert len(left) == 1, (
        f"a series refused for a clash in week 3 left {len(left) - 1} of its bookings: all or nothing"
    )
    assert isinstance(problem, dict) and problem.get("type") == "/problems/overlap", (
        f"the 409 should be the overlap problem (/problems/overlap), not {problem!r:.120}"
    )


def test_every_week_follows_the_booking_rules(api: Api):
    room = api.room(capacity=3)
    api.series(room, 3, status=422, attendees=4)
    api.series(room, 3, status=422, end="2030-01-07T08:00:00Z")
    api.expect("POST", "/rooms/999/series", 404,
               {"organiser": "a@example.com", "start": NINE, "end": TEN, "attendees": 1, "weeks": 2})  # fmt: skip
    assert api.live_bookings(room) == [], "a refused series left bookings behind"


def test_a_series_is_read_and_cancelled(api: Api):
    room = api.room()
    made = api.series(room, 3)
    series_id = made.get("id") if isinstance(made, dict) else None
    assert isinstance(series_id, int), f"the series answered has no integer id: {made!r:.120}"
    read = api.expect("GET", f"/series/{series_id}", 200)
    assert _starts(read) == _starts(made), "GET /series/{id} does not list the series' bookings"
    api.expect("POST", f"/series/{series_id}/cancel", 200)
    assert api.live_bookings(room) == [], "after cancelling the series its bookings are still live"
    api.expect("POST", f"/series/{series_id}/cancel", 200)
    api.expect("GET", "/series/999", 404)
    api.expect("POST", "/series/999/cancel", 404)


def test_single_bookings_still_work(api: Api):
    room = api.room()
    api.series(room, 2)
    api.expect("POST", f"/rooms/{room}/bookings", 201,
               {"organiser": "lee@example.com", "start": "2030-01-07T10:00:00Z",
                "end": "2030-01-07T11:00:00Z", "attendees": 2})  # fmt: skip


def test_with_the_flag_off_the_series_endpoints_are_hidden(
    api: Api, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv(feature.FLAG)
    room = api.room()
    api.series(room, 2, status=404)
