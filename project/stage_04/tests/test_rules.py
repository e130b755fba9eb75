"""Unit tests for the booking rules: one behaviour per test, both sides of every boundary.

The rules are plain functions, so most tests call them directly: quick, and precise about what
broke. The behaviours that need stored bookings (cancelling frees a slot) go through the API,
with the `client` fixture of conftest.py.
"""

from datetime import datetime, timedelta, timezone

import pytest

from booking_service.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from booking_service.models import Booking
from booking_service.rules import check_capacity, check_no_overlap, check_time_range, overlaps

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def stored(start, end, *, room_id=1, cancelled=False, booking_id=1):
    """A booking as check_no_overlap receives it from the database."""
    return Booking(
        id=booking_id,
        room_id=room_id,
        organiser="amara@example.com",
        start=start,
        end=end,
        attendees=2,
        cancelled=cancelled,
    )


def booking_body(start="2030-01-07T09:00:00Z", end="2030-01-07T10:00:00Z", attendees=2):
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": attendees}


def test_a_booking_that_ends_after_it_starts_is_valid():
    check_time_range(NINE, NINE + HOUR)  # if it raises, the test fails


### BEGIN SOLUTION 04.4
@pytest.mark.parametrize("end", [NINE, NINE - HOUR], ids=["zero-length", "backwards"])
def test_a_booking_must_end_after_it_starts(end):
    with pytest.raises(InvalidTimeRange):
        check_time_range(NINE, end)


# --- Capacity: exactly full is fine, one more is not -------------------------------------


@pytest.mark.parametrize("attendees", [1, 6])
def test_attendees_up_to_the_capacity_fit(attendees):
    check_capacity(attendees, 6)


def test_one_attendee_too_many_is_refused():
    with pytest.raises(CapacityExceeded):
        check_capacity(7, 6)


# --- Overlaps: compared with 09:00-10:00, in both argument orders --------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (NINE, NINE + HOUR, True),  # the same slot
        (NINE + HOUR / 4, NINE + HOUR / 2, True),  # inside it
        (NINE - HOUR, NINE + 2 * HOUR, True),  # all around it
        (NINE - HOUR / 2, NINE + HOUR / 2, True),  # across its start
        (NINE + HOUR / 2, NINE + 2 * HOUR, True),  # across its end
        (NINE - HOUR, NINE, False),  # ends as it starts: back to back
        (NINE + HOUR, NINE + 2 * HOUR, False),  # starts as it ends: back to back
    ],
)
def test_overlaps(start, end, expected):
    assert overlaps(start, end, NINE, NINE + HOUR) is expected
    assert overlaps(NINE, NINE + HOUR, start, end) is expected


# --- check_no_overlap: only live bookings of the same room count ---------------------------


def test_a_live_booking_of_the_same_room_blocks_and_is_named():
    existing = [stored(NINE, NINE + HOUR, booking_id=7)]
    with pytest.raises(OverlapConflict) as caught:
        check_no_overlap(existing, 1, NINE - HOUR / 2, NINE + HOUR / 2)
    assert caught.value.extensions == {"conflicting_booking_id": 7}


def test_cancelled_bookings_and_other_rooms_do_not_block():
    existing = [
        stored(NINE, NINE + HOUR, cancelled=True, booking_id=1),
        stored(NINE, NINE + HOUR, room_id=2, booking_id=2),
    ]
    check_no_overlap(existing, 1, NINE, NINE + HOUR)


# --- The same rules through the API ---------------------------------------------------------


def test_back_to_back_bookings_are_allowed(client):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()
    first = booking_body("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z")
    second = booking_body("2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z")
    assert client.post(f"/rooms/{room['id']}/bookings", json=first).status_code == 201
    assert client.post(f"/rooms/{room['id']}/bookings", json=second).status_code == 201


def test_cancelling_frees_the_slot(client):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()
    first = client.post(f"/rooms/{room['id']}/bookings", json=booking_body()).json()
    assert client.post(f"/bookings/{first['id']}/cancel").status_code == 200
    assert client.post(f"/rooms/{room['id']}/bookings", json=booking_body()).status_code == 201


def test_an_overlap_is_a_409_problem(client):
    room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()
    client.post(f"/rooms/{room['id']}/bookings", json=booking_body())
    clash = booking_body("2030-01-07T08:30:00Z", "2030-01-07T09:30:00Z")
    response = client.post(f"/rooms/{room['id']}/bookings", json=clash)
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/overlap"
### END SOLUTION
### BEGIN STUB
# # Your tests here: one behaviour per test, and both sides of every boundary.
### END STUB
