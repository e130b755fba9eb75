"""GET and POST /rooms."""

import pytest

from bookings.testing import create_room


def test_no_rooms_at_first(client):
    """A fresh database lists no rooms."""
    response = client.get("/rooms")
    assert response.status_code == 200
    assert response.json() == []


def test_create_a_room(client):
    """POST /rooms answers 201 with the room and its new id."""
    response = client.post("/rooms", json={"name": "Ada", "capacity": 6})
    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "name": "Ada", "capacity": 6}
    assert isinstance(body["id"], int)


def test_rooms_are_listed_in_id_order(client):
    """GET /rooms returns every room created, oldest first."""
    created = [create_room(client, name=name) for name in ("Curie", "Ada", "Babbage")]
    assert client.get("/rooms").json() == created


def test_room_names_are_unique(client):
    """A second room with the same name is a 409 /problems/duplicate-room-name."""
    create_room(client, name="Ada")
    response = client.post("/rooms", json={"name": "Ada", "capacity": 3})
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/duplicate-room-name"
    assert len(client.get("/rooms").json()) == 1


def test_surrounding_spaces_do_not_make_a_new_name(client):
    """ " Ada " is stored as "Ada", so it clashes with "Ada"."""
    assert create_room(client, name=" Ada ")["name"] == "Ada"
    assert client.post("/rooms", json={"name": "Ada", "capacity": 3}).status_code == 409


def test_a_capacity_of_one_is_fine(client):
    """The smallest positive capacity is accepted."""
    assert create_room(client, capacity=1)["capacity"] == 1


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"name": "Ada", "capacity": 0}, "body.capacity"),
        ({"name": "Ada", "capacity": -3}, "body.capacity"),
        ({"name": "Ada", "capacity": 2.5}, "body.capacity"),
        ({"name": "Ada", "capacity": 10**30}, "body.capacity"),
        ({"name": "Ada"}, "body.capacity"),
        ({"name": "", "capacity": 3}, "body.name"),
        ({"name": "   ", "capacity": 3}, "body.name"),
        ({"capacity": 3}, "body.name"),
        ({"name": "Ada", "capacity": 3, "floor": 2}, "body.floor"),
    ],
)
def test_malformed_rooms_are_422(client, body, location):
    """Missing, out-of-range and unknown fields are a 422 naming the field."""
    response = client.post("/rooms", json=body)
    assert response.status_code == 422
    assert location in [error["location"] for error in response.json()["errors"]]
    assert client.get("/rooms").json() == []
