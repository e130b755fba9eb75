"""The booking routes: create, read, list, cancel, and each rule through HTTP."""

import pytest

from bookings.testing import booking_payload, create_booking, create_room

NINE, TEN, ELEVEN = "2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z"


@pytest.fixture
def room(client):
    return create_room(client, capacity=6)


def book(client, room_id, start=NINE, end=TEN, **overrides):
    return client.post(
        f"/rooms/{room_id}/bookings", json=booking_payload(start=start, end=end, **overrides)
    )


# --- Creating and reading ---------------------------------------------------------------


def test_create_a_booking(client, room):
    """POST answers 201 with the live booking and a Location that serves it."""
    response = book(client, room["id"], organiser="bo@example.com", attendees=3)
    assert response.status_code == 201
    booking = response.json()
    assert booking == {
        "id": booking["id"],
        "room_id": room["id"],
        "organiser": "bo@example.com",
        "start": NINE,
        "end": TEN,
        "attendees": 3,
        "cancelled": False,
        "cancelled_at": None,
    }
    location = response.headers["location"]
    assert location.endswith(f"/bookings/{booking['id']}")
    assert client.get(location).json() == booking


def test_times_are_returned_in_utc(client, room):
    """An offset in the request is converted: 10:00+01:00 is 09:00Z."""
    booking = create_booking(
        client, room["id"], start="2030-01-07T10:00:00+01:00", end="2030-01-07T11:00:00+01:00"
    )
    assert (booking["start"], booking["end"]) == (NINE, TEN)


def test_get_a_booking(client, room):
    """GET /bookings/{id} returns the booking."""
    booking = create_booking(client, room["id"])
    response = client.get(f"/bookings/{booking['id']}")
    assert response.status_code == 200
    assert response.json() == booking


def test_an_unknown_booking_is_404(client):
    """GET /bookings/{id} for a missing id is a 404 /problems/booking-not-found."""
    response = client.get("/bookings/999")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/booking-not-found"


def test_booking_an_unknown_room_is_404(client):
    """POST to a missing room is a 404 /problems/room-not-found, even if the body is fine."""
    response = book(client, 999)
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/room-not-found"


def test_listing_an_unknown_room_is_404(client):
    """GET bookings of a missing room is a 404, not an empty list."""
    response = client.get("/rooms/999/bookings")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/room-not-found"


# --- The rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("end", [NINE, "2030-01-07T08:00:00Z"], ids=["equal", "before"])
def test_the_end_must_come_after_the_start(client, room, end):
    """end == start and end < start are 422 /problems/invalid-range: the request itself is wrong."""
    response = book(client, room["id"], start=NINE, end=end)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-range"


def test_a_full_room_is_fine(client, room):
    """attendees == capacity is accepted."""
    assert book(client, room["id"], attendees=6).status_code == 201


def test_one_attendee_over_capacity_is_422(client, room):
    """attendees == capacity + 1 is a 422 /problems/capacity that names the capacity."""
    response = book(client, room["id"], attendees=7)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/capacity"
    assert response.json()["capacity"] == 6


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (NINE, TEN),  # the same slot
        ("2030-01-07T09:15:00Z", "2030-01-07T09:45:00Z"),  # inside
        ("2030-01-07T08:00:00Z", ELEVEN),  # around
        ("2030-01-07T08:30:00Z", "2030-01-07T09:30:00Z"),  # across the start
        ("2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z"),  # across the end
        ("2030-01-07T09:59:59Z", ELEVEN),  # one second of overlap
        ("2030-01-07T10:30:00+01:00", "2030-01-07T11:30:00+01:00"),  # same instant, other zone
    ],
)
def test_overlapping_bookings_are_409(client, room, start, end):
    """Any overlap with a live booking of the room is a 409 /problems/overlap: a state conflict."""
    first = create_booking(client, room["id"])
    response = book(client, room["id"], start=start, end=end)
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/overlap"
    assert response.json()["conflicting_booking_id"] == first["id"]


@pytest.mark.parametrize(
    ("start", "end"), [("2030-01-07T08:00:00Z", NINE), (TEN, ELEVEN)], ids=["before", "after"]
)
def test_back_to_back_bookings_are_fine(client, room, start, end):
    """A booking ending as another starts, or starting as it ends, is accepted."""
    create_booking(client, room["id"])
    assert book(client, room["id"], start=start, end=end).status_code == 201


def test_other_rooms_never_conflict(client, room):
    """The same slot in another room is accepted."""
    create_booking(client, room["id"])
    other = create_room(client)
    assert book(client, other["id"]).status_code == 201


def test_cancelling_frees_the_slot(client, room):
    """Once a booking is cancelled, an overlapping booking is accepted."""
    first = create_booking(client, room["id"])
    assert book(client, room["id"]).status_code == 409
    client.post(f"/bookings/{first['id']}/cancel")
    assert book(client, room["id"], start="2030-01-07T09:30:00Z").status_code == 201


# --- Cancelling -------------------------------------------------------------------------


def test_cancel_a_booking(client, room):
    """POST .../cancel answers 200 with cancelled true and a cancellation time."""
    booking = create_booking(client, room["id"])
    response = client.post(f"/bookings/{booking['id']}/cancel")
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["cancelled"] is True
    assert cancelled["cancelled_at"].endswith("Z")
    assert {**cancelled, "cancelled": False, "cancelled_at": None} == booking
    assert client.get(f"/bookings/{booking['id']}").json() == cancelled


def test_cancelling_twice_is_harmless(client, room):
    """A second cancel answers 200 with the booking unchanged, first cancel time kept."""
    booking = create_booking(client, room["id"])
    first = client.post(f"/bookings/{booking['id']}/cancel").json()
    second = client.post(f"/bookings/{booking['id']}/cancel")
    assert second.status_code == 200
    assert second.json() == first


def test_cancelling_an_unknown_booking_is_404(client):
    """POST .../cancel for a missing id is a 404 /problems/booking-not-found."""
    response = client.post("/bookings/999/cancel")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/booking-not-found"


# --- Listing ----------------------------------------------------------------------------


def test_list_hides_cancelled_bookings_unless_asked(client, room):
    """Cancelled bookings are left out by default and included with include_cancelled."""
    kept = create_booking(client, room["id"])
    dropped = create_booking(client, room["id"], start=TEN, end=ELEVEN)
    dropped = client.post(f"/bookings/{dropped['id']}/cancel").json()
    url = f"/rooms/{room['id']}/bookings"
    assert client.get(url).json() == [kept]
    assert client.get(url, params={"include_cancelled": "false"}).json() == [kept]
    assert client.get(url, params={"include_cancelled": "true"}).json() == [kept, dropped]


def test_list_is_in_start_order_and_only_this_room(client, room):
    """Bookings come earliest first, whatever order they were made in."""
    late = create_booking(client, room["id"], start=TEN, end=ELEVEN)
    early = create_booking(client, room["id"])
    create_booking(client, create_room(client)["id"])
    assert client.get(f"/rooms/{room['id']}/bookings").json() == [early, late]


def test_list_pages_with_limit_and_offset(client, room):
    """limit and offset walk through the bookings without gaps or repeats."""
    made = [
        create_booking(
            client,
            room["id"],
            start=f"2030-01-07T{hour:02d}:00:00Z",
            end=f"2030-01-07T{hour:02d}:30:00Z",
        )
        for hour in range(8, 15)
    ]
    url = f"/rooms/{room['id']}/bookings"
    pages = [client.get(url, params={"limit": 3, "offset": offset}).json() for offset in (0, 3, 6)]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [booking for page in pages for booking in page] == made
    assert client.get(url, params={"offset": 7}).json() == []


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"include_cancelled": "maybe"}, "query.include_cancelled"),
    ],
)
def test_bad_paging_is_422(client, room, params, location):
    """Out-of-range paging parameters are a 422 naming the parameter."""
    response = client.get(f"/rooms/{room['id']}/bookings", params=params)
    assert response.status_code == 422
    assert [error["location"] for error in response.json()["errors"]] == [location]


def test_an_offset_past_sqlites_largest_integer_is_malformed_not_a_server_error(client, room):
    """SQLite cannot bind 2**63: such an offset used to answer 500; the spec bounds it (422)."""
    url = f"/rooms/{room['id']}/bookings"
    assert client.get(url, params={"offset": 2**63 - 1}).json() == []
    response = client.get(url, params={"offset": 2**63})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["location"] for error in response.json()["errors"]] == ["query.offset"]


# --- Malformed input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "location"),
    [
        ({"start": "2030-01-07T09:00:00"}, "body.start"),  # no offset
        ({"end": "tomorrow"}, "body.end"),
        ({"start": "2030-01-07T09:00:00.500Z"}, "body.start"),  # not whole seconds
        ({"attendees": 0}, "body.attendees"),
        ({"attendees": "many"}, "body.attendees"),
        ({"organiser": ""}, "body.organiser"),
        ({"room": 3}, "body.room"),  # unknown field
    ],
)
def test_malformed_bookings_are_422(client, room, overrides, location):
    """Bad field values are a 422 naming the field, and nothing is booked."""
    response = book(client, room["id"], **overrides)
    assert response.status_code == 422
    assert location in [error["location"] for error in response.json()["errors"]]
    assert client.get(f"/rooms/{room['id']}/bookings").json() == []


def test_a_missing_field_is_422(client, room):
    """A body without attendees is a 422 at body.attendees."""
    body = booking_payload()
    del body["attendees"]
    response = client.post(f"/rooms/{room['id']}/bookings", json=body)
    assert response.status_code == 422
    assert [error["location"] for error in response.json()["errors"]] == ["body.attendees"]


def test_a_body_that_is_not_json_is_422(client, room):
    """Broken JSON is a 422 in the same problem format."""
    response = client.post(
        f"/rooms/{room['id']}/bookings",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/validation"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/bookings/abc"), ("post", "/bookings/abc/cancel"), ("get", "/rooms/x/bookings")],
)
def test_a_non_numeric_id_is_422(client, method, path):
    """An id that is not an integer is a 422 at path.<name>."""
    response = client.request(method.upper(), path)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"].startswith("path.")


@pytest.mark.parametrize("path", ["/bookings/{id}", "/rooms/{id}/bookings"])
@pytest.mark.parametrize("bad_id", [0, 2**63])
def test_an_id_no_row_can_have_is_malformed_not_a_server_error(client, path, bad_id):
    """Found by stage 05's contract test: ids past SQLite's 64 bits used to answer 500."""
    response = client.get(path.format(id=bad_id))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
