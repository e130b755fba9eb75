"""Unit and API tests for recurring weekly bookings (the capstone).

The rule functions are tested directly; the routes through the `client` fixture with the
feature flag turned on (`monkeypatch.setenv`), and once with it off.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking_service.series import (
    FLAG,
    MAX_WEEKS,
    InvalidSeriesLength,
    check_weeks,
    weekly_occurrences,
)

### BEGIN SOLUTION 10.4
NINE = datetime(2030, 1, 7, 9, tzinfo=UTC)
TEN = datetime(2030, 1, 7, 10, tzinfo=UTC)
WEEK = timedelta(days=7)


def test_a_series_has_one_occurrence_per_week():
    occurrences = weekly_occurrences(NINE, TEN, 3)
    assert occurrences == [
        (NINE, TEN),
        (NINE + WEEK, TEN + WEEK),
        (NINE + 2 * WEEK, TEN + 2 * WEEK),
    ]


@pytest.mark.parametrize("weeks", [2, MAX_WEEKS])
def test_the_limits_are_allowed(weeks):
    check_weeks(weeks)
    assert len(weekly_occurrences(NINE, TEN, weeks)) == weeks


@pytest.mark.parametrize("weeks", [0, 1, MAX_WEEKS + 1])
def test_outside_the_limits_is_refused(weeks):
    with pytest.raises(InvalidSeriesLength):
        check_weeks(weeks)


@pytest.fixture
def flag_on(monkeypatch):
    monkeypatch.setenv(FLAG, "on")


def booking(start="2030-01-07T09:00:00Z", end="2030-01-07T10:00:00Z", **extra):
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": 2, **extra}


def test_a_series_is_booked_and_cancelled_through_the_api(client, flag_on):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"]
    created = client.post(f"/rooms/{room}/series", json=booking(weeks=4))
    assert created.status_code == 201, created.text
    starts = [item["start"] for item in created.json()["bookings"]]
    assert starts[-1].startswith("2030-01-28T09:00:00")
    listed = client.get(f"/rooms/{room}/bookings").json()
    assert len(listed) == 4
    cancelled = client.post(f"/series/{created.json()['id']}/cancel")
    assert cancelled.status_code == 200
    assert client.get(f"/rooms/{room}/bookings").json() == []


def test_one_clash_books_nothing(client, flag_on):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"]
    third_week = booking("2030-01-21T09:30:00Z", "2030-01-21T10:30:00Z")
    assert client.post(f"/rooms/{room}/bookings", json=third_week).status_code == 201
    refused = client.post(f"/rooms/{room}/series", json=booking(weeks=4))
    assert refused.status_code == 409
    assert len(client.get(f"/rooms/{room}/bookings").json()) == 1


def test_too_long_a_series_is_422(client, flag_on):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"]
    refused = client.post(f"/rooms/{room}/series", json=booking(weeks=MAX_WEEKS + 1))
    assert refused.status_code == 422
    assert client.post(f"/rooms/{room}/series", json=booking(weeks=MAX_WEEKS)).status_code == 201


def test_with_the_flag_off_there_is_no_series_endpoint(client, monkeypatch):
    monkeypatch.delenv(FLAG, raising=False)
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"]
    assert client.post(f"/rooms/{room}/series", json=booking(weeks=2)).status_code == 404
### END SOLUTION
### BEGIN STUB
# def test_...():
#     # Your tests of weekly_occurrences, check_weeks and the series routes: see exercise 10.4.
#     ...
### END STUB
