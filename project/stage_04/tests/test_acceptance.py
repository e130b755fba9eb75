"""The acceptance criteria of stage 01, kept: each example in docs/acceptance_criteria.yaml is a test.

Stage 01 promised that the criteria would become tests. The examples are read from the file, so
a new example is a new test without a line of code, and the test's id is the example's
behaviour: `pytest -k overlap` runs one.
"""

from pathlib import Path

import pytest
import yaml

CRITERIA = Path(__file__).resolve().parents[1] / "docs" / "acceptance_criteria.yaml"
EXAMPLES = yaml.safe_load(CRITERIA.read_text(encoding="utf-8"))["examples"]
UNKNOWN_ROOM_ID = 999_999
"""The id a request uses for a room the example does not give (none has it)."""


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_acceptance_criterion(client, example):
    ### BEGIN SOLUTION 04.3
    given, when, then = example["given"], example["when"], example["then"]
    # Given: the rooms (their ids by name) and the bookings already made.
    room_ids = {}
    for room in given.get("rooms") or []:
        created = client.post("/rooms", json={"name": room["name"], "capacity": room["capacity"]})
        assert created.status_code == 201, created.text
        room_ids[room["name"]] = created.json()["id"]
    for booking in given.get("bookings") or []:
        body = {
            "organiser": "someone@example.com",
            "start": booking["start"],
            "end": booking["end"],
            "attendees": booking["attendees"],
        }
        made = client.post(f"/rooms/{room_ids[booking['room']]}/bookings", json=body)
        assert made.status_code == 201, made.text
    # When: the request of the example.
    room_id = room_ids.get(when["room"], UNKNOWN_ROOM_ID)
    body = {
        "organiser": "amara@example.com",
        "start": when["start"],
        "end": when["end"],
        "attendees": when["attendees"],
    }
    response = client.post(f"/rooms/{room_id}/bookings", json=body)
    # Then: the status the example promises.
    assert response.status_code == then["status"], then.get("reason", response.text)
    ### END SOLUTION
