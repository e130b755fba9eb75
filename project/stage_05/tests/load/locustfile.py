"""Load test: people looking at a room's bookings, and now and then booking it.

Run it against a running service (never against production without telling anyone):

    python -m locust -f tests/load/locustfile.py --headless -u 20 -r 20 -t 60s \
        --host http://127.0.0.1:8000 --json-file results

Each simulated user has a room of its own, created before the clock starts, and sends about
LOAD_USER_RATE requests a second (default 5; 0 means no pause): four looks at the room's bookings for each new
booking. The scenario, the rate and the thresholds it is judged by are in docs/test-plan.md.
"""

import itertools
import os
from datetime import datetime, timedelta, timezone

import gevent
import requests
from locust import HttpUser, constant, constant_throughput, events, task

USER_RATE = float(os.environ.get("LOAD_USER_RATE", "5"))
# Filled by prepare() before the users start; each user takes the next one.
ROOM_IDS: list[int] = []
_next_room = itertools.count()


@events.init.add_listener
def prepare(environment, **_kwargs):
    """Test data first: one room per user, through the API, outside the measured requests."""
    create_rooms(environment)
    # The --run-time timer is a gevent timer, and gevent's clock only moves when its loop runs.
    # It has not run while Locust started up and the rooms were made, so without this the
    # timer would count from a stale time and stop a short run early.
    gevent.get_hub().loop.update_now()


def create_rooms(environment):
    users = environment.parsed_options.num_users if environment.parsed_options else 1
    run = datetime.now(timezone.utc).strftime("%H%M%S%f")
    with requests.Session() as session:
        for number in range(max(users, 1)):
            room = {"name": f"Load test {run}-{number}", "capacity": 10}
            response = session.post(f"{environment.host}/rooms", json=room, timeout=10)
            response.raise_for_status()
            ROOM_IDS.append(response.json()["id"])


class Booker(HttpUser):
    # LOAD_USER_RATE=0 sends as fast as the service answers: a test of capacity, not of the SLO.
    wait_time = constant_throughput(USER_RATE) if USER_RATE > 0 else constant(0)

    def on_start(self):
        self.room_id = ROOM_IDS[next(_next_room) % len(ROOM_IDS)]
        # Each user books hour after hour from its own start, so bookings rarely overlap.
        self.hours = itertools.count()
        self.first_slot = datetime(2030, 1, 7, tzinfo=timezone.utc)

    @task(4)
    def look_at_bookings(self):
        self.client.get(
            f"/rooms/{self.room_id}/bookings?limit=20", name="GET /rooms/{room_id}/bookings"
        )

    @task(1)
    def book(self):
        start = self.first_slot + timedelta(hours=next(self.hours))
        body = {
            "organiser": "load-test@example.com",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "attendees": 2,
        }
        with self.client.post(
            f"/rooms/{self.room_id}/bookings",
            json=body,
            name="POST /rooms/{room_id}/bookings",
            catch_response=True,
        ) as response:
            # Two users may share a room when there are more users than rooms: a 409 for an
            # overlap is then the right answer, not a failure.
            if response.status_code in (201, 409):
                response.success()
