"""Unit tests for the booking rules, then the same rules through the API."""

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from booking_app.crud import check_capacity, check_time_range, overlaps
from booking_app.errors import CapacityExceeded, InvalidTimeRange
from booking_app.models import Room

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
ROOM = Room(id=1, name="Ada", capacity=6)


def test_a_booking_that_ends_after_it_starts_is_valid():
    """check_time_range accepts end > start."""
    check_time_range(NINE, NINE + HOUR)


@pytest.mark.parametrize("end", [NINE, NINE - HOUR], ids=["zero-length", "backwards"])
def test_a_booking_must_end_after_it_starts(end):
    """check_time_range refuses end == start and end < start."""
    with pytest.raises(InvalidTimeRange):
        check_time_range(NINE, end)


def test_a_full_room_is_fine():
    """check_capacity accepts attendees == capacity."""
    check_capacity(6, ROOM)


def test_one_attendee_too_many_is_refused():
    """check_capacity refuses attendees == capacity + 1."""
    with pytest.raises(CapacityExceeded):
        check_capacity(7, ROOM)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (NINE, NINE + HOUR, True),  # the same slot
        (NINE + HOUR / 4, NINE + HOUR / 2, True),  # inside it
        (NINE - HOUR, NINE + 2 * HOUR, True),  # around it
        (NINE - HOUR / 2, NINE + HOUR / 2, True),  # across its start
        (NINE + HOUR / 2, NINE + 2 * HOUR, True),  # across its end
        (NINE - HOUR, NINE, False),  # ends as it starts: back to back
        (NINE + HOUR, NINE + 2 * HOUR, False),  # starts as it ends: back to back
        (NINE + 2 * HOUR, NINE + 3 * HOUR, False),  # later
    ],
)
def test_overlaps(start, end, expected):
    """overlaps() compared with 09:00-10:00, in both argument orders."""
    assert overlaps(start, end, NINE, NINE + HOUR) is expected
    assert overlaps(NINE, NINE + HOUR, start, end) is expected


def book(client: TestClient, room_id: int, start: str, end: str, attendees: int = 2):
    body = {"organiser": "amara@example.com", "start": start, "end": end, "attendees": attendees}
    return client.post(f"/rooms/{room_id}/bookings", json=body)


def test_the_api_refuses_a_double_booking_but_not_another_room(client):
    """An overlap in the same room is a 409 /problems/overlap; another room is fine."""
    ada = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
    curie = client.post("/rooms", json={"name": "Curie", "capacity": 6}).json()
    first = book(client, ada["id"], "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z")
    assert first.status_code == 201
    clash = book(client, ada["id"], "2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z")
    assert clash.status_code == 409
    assert clash.json()["type"] == "/problems/overlap"
    elsewhere = book(client, curie["id"], "2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z")
    assert elsewhere.status_code == 201


def test_cancelling_frees_the_slot(client):
    """After a cancel, the same slot can be booked again."""
    room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
    first = book(client, room["id"], "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z").json()
    assert client.post(f"/bookings/{first['id']}/cancel").json()["cancelled"] is True
    again = book(client, room["id"], "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z")
    assert again.status_code == 201
