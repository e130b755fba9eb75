"""Every error is one shape: RFC 9457 problem details, served as application/problem+json."""

import pytest
from fastapi.testclient import TestClient

from bookings.main import create_app
from bookings.testing import booking_payload, create_booking, create_room

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, type_: str, extra: set[str] = frozenset()) -> dict:
    """The response is a problem with exactly the standard members plus `extra`."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS | extra
    assert body["status"] == status
    assert body["type"] == type_
    assert body["instance"] == response.request.url.path
    assert body["title"] and body["detail"]
    return body


def test_404_room(client):
    """A missing room."""
    assert_problem(client.get("/rooms/42/bookings"), 404, "/problems/room-not-found")


def test_404_booking(client):
    """A missing booking."""
    body = assert_problem(client.get("/bookings/42"), 404, "/problems/booking-not-found")
    assert "42" in body["detail"]


def test_404_unknown_path(client):
    """A path the API does not have is a problem too, of type about:blank."""
    body = assert_problem(client.get("/nowhere"), 404, "about:blank")
    assert body["title"] == "Not Found"


def test_405_keeps_the_allow_header(client):
    """A wrong method is a problem, and the Allow header still lists the right ones."""
    response = client.delete("/rooms")
    assert_problem(response, 405, "about:blank")
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


@pytest.mark.parametrize(
    ("overrides", "status", "type_", "extra"),
    [
        ({}, 409, "/problems/overlap", {"conflicting_booking_id"}),
        (
            {"start": "2030-01-07T12:00:00Z", "end": "2030-01-07T11:00:00Z"},
            422,
            "/problems/invalid-range",
            set(),
        ),
        (
            {"start": "2030-01-07T12:00:00Z", "end": "2030-01-07T13:00:00Z", "attendees": 5},
            422,
            "/problems/capacity",
            {"capacity"},
        ),
    ],
)
def test_rule_violations(client, overrides, status, type_, extra):
    """Each rule has its own stable type; extension members say what was in the way.

    RFC 9110: 422 when the request can never succeed as sent (the content is wrong), 409 when
    it clashes with the current state (another booking holds the slot).
    """
    room = create_room(client, capacity=4)
    create_booking(client, room["id"])
    response = client.post(f"/rooms/{room['id']}/bookings", json=booking_payload(**overrides))
    assert_problem(response, status, type_, extra)


def test_409_duplicate_room(client):
    """A duplicate room name."""
    create_room(client, name="Ada")
    response = client.post("/rooms", json={"name": "Ada", "capacity": 2})
    assert_problem(response, 409, "/problems/duplicate-room-name")


def test_422_lists_every_invalid_field(client):
    """A validation problem has an errors list, one location and message per field."""
    room = create_room(client)
    body = booking_payload(start="soon", attendees=0)
    response = client.post(f"/rooms/{room['id']}/bookings", json=body)
    problem = assert_problem(response, 422, "/problems/validation", {"errors"})
    assert [error["location"] for error in problem["errors"]] == ["body.start", "body.attendees"]
    for error in problem["errors"]:
        assert set(error) == {"location", "message"}
        assert error["message"]


def test_500_hides_the_cause(settings):
    """An unexpected error is a bare 500 problem that leaks nothing about the cause."""
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = assert_problem(response, 500, "about:blank")
    assert "secret" not in response.text
    assert body["title"] == "Internal Server Error"
