"""Factories for tests and notebook checks: valid request bodies, and created resources.

They live in the package, not under tests/, so the course's notebook checks can use them too.
Each factory takes keyword overrides, so a test states only what it is about.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

# Unique room names per process; each test has a fresh database, so these only need to
# differ within one test.
_room_numbers = itertools.count(1)


def room_payload(**overrides: Any) -> dict[str, Any]:
    return {"name": f"Room {next(_room_numbers)}", "capacity": 8, **overrides}


def booking_payload(
    start: str = "2030-01-07T09:00:00Z", end: str = "2030-01-07T10:00:00Z", **overrides: Any
) -> dict[str, Any]:
    return {
        "organiser": "amara@example.com",
        "start": start,
        "end": end,
        "attendees": 2,
        **overrides,
    }


def create_room(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """Create a room through the API and return it; fail loudly if the API refuses."""
    response = client.post("/rooms", json=room_payload(**overrides))
    if response.status_code != 201:
        raise AssertionError(f"creating a room gave {response.status_code}: {response.text}")
    return response.json()


def create_booking(client: TestClient, room_id: int, **overrides: Any) -> dict[str, Any]:
    """Book `room_id` through the API and return the booking; fail loudly if refused."""
    response = client.post(f"/rooms/{room_id}/bookings", json=booking_payload(**overrides))
    if response.status_code != 201:
        raise AssertionError(f"booking gave {response.status_code}: {response.text}")
    return response.json()
