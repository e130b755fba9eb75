"""Integration tests (exercise 05.1): the whole service, a real database file, rules that span requests.

A unit test of check_no_overlap() proves the rule; it cannot prove that the route calls it, that
the first booking was committed to the file, or that the second request reads what the first
wrote. These tests drive the service as a client does, through HTTP requests.
"""

import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import httpx

NINE_TO_TEN = ("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z")
HALF_NINE_TO_HALF_TEN = ("2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z")


def booking(slot, attendees=2):
    start, end = slot
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": attendees}


### BEGIN SOLUTION 05.1
def test_a_booking_made_in_one_request_blocks_an_overlap_in_the_next(client):
    """Two requests, one after the other: 201, then 409 naming the booking in the way."""
    room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
    first = client.post(f"/rooms/{room['id']}/bookings", json=booking(NINE_TO_TEN))
    assert first.status_code == 201, first.text
    second = client.post(f"/rooms/{room['id']}/bookings", json=booking(HALF_NINE_TO_HALF_TEN))
    assert second.status_code == 409, second.text
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["type"] == "/problems/overlap"
    assert second.json()["conflicting_booking_id"] == first.json()["id"]


def test_what_the_api_says_is_what_the_database_file_holds(client, tmp_path):
    """A created and then cancelled booking is in the SQLite file, cancelled, in UTC."""
    room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
    created = client.post(f"/rooms/{room['id']}/bookings", json=booking(NINE_TO_TEN)).json()
    client.post(f"/bookings/{created['id']}/cancel")
    # The `client` fixture put the database in this test's tmp_path.
    with closing(sqlite3.connect(tmp_path / "bookings.db")) as db:
        row = db.execute(
            'SELECT start, "end", cancelled FROM bookings WHERE id = ?', [created["id"]]
        ).fetchone()
    assert row == ("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z", 1)


def test_twenty_clients_racing_for_one_slot_get_one_booking(live_server):
    """Twenty requests for the same slot at once, over a real socket: one 201, nineteen 409s."""
    with httpx.Client(base_url=live_server.url) as http:
        name = f"Contested {uuid.uuid4().hex[:8]}"
        room = http.post("/rooms", json={"name": name, "capacity": 4}).json()

    def try_to_book(_):
        with httpx.Client(base_url=live_server.url, timeout=30) as racer:
            return racer.post(f"/rooms/{room['id']}/bookings", json=booking(NINE_TO_TEN))

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(response.status_code for response in pool.map(try_to_book, range(20)))
    assert statuses == [201] + [409] * 19
### END SOLUTION
### BEGIN STUB
# def test_a_booking_made_in_one_request_blocks_an_overlap_in_the_next(client):
#     room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
#     # Book the room from 09:00 to 10:00, then, in a second request, from 09:30 to 10:30, and
#     # assert each answer's status code.
#     raise NotImplementedError("Exercise 05.1: write this test")
### END STUB
