"""Locust scenario for `workshop.loadtest`: a class reporting checks, an instructor watching.

Run by `python -m workshop.loadtest` (never imported by the course: Locust patches the standard
library with gevent when it is imported).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import datetime, timezone

from locust import HttpUser, between, constant, events, task

# Exercise ids and their number of checks, as the course has them.
EXERCISES = [("00.1", 4), ("00.2", 4), ("01.1", 10), ("02.1", 8), ("03.1", 8), ("04.1", 11)]
LEARNERS = int(os.environ.get("WORKSHOP_LOAD_LEARNERS", "60"))
_next_learner = itertools.count(1)
# Every report id sent, and those the service answered 201 for: the load test then checks that
# the database holds all of the second and nothing outside the first.
SENT: list[str] = []
ACCEPTED: list[str] = []
# Why each failed request failed, so that a failing load test says so (Locust's statistics
# keep only counts).
FAILURES: list[str] = []


@events.request.add_listener
def remember_failure(request_type, name, exception=None, **_) -> None:
    if exception is not None:
        FAILURES.append(f"{name}: {type(exception).__name__}: {str(exception)[:200]}")


@events.quitting.add_listener
def write_ledger(environment, **_) -> None:
    path = os.environ.get("WORKSHOP_LOAD_LEDGER")
    if path:
        with open(path, "w", encoding="utf-8") as ledger:
            json.dump({"sent": SENT, "accepted": ACCEPTED, "failures": FAILURES}, ledger)


def body(exercise: str, total: int, passed: int) -> dict:
    outcomes = [
        {"text": f"expectation {i + 1} of {exercise}", "passed": i < passed} for i in range(total)
    ]
    return {
        "report_id": uuid.uuid4().hex,
        "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": "load test",
        "result": {
            "exercise": exercise,
            "passed": passed,
            "total": total,
            "outcomes": outcomes,
            "duration_s": round(random.uniform(0.2, 3.0), 3),
        },
    }


class Learner(HttpUser):
    """Runs a check every 2 to 8 s: about ten times as often as a learner in a workshop."""

    wait_time = between(2, 8)

    def on_start(self) -> None:
        number = next(_next_learner)
        self.name = f"learner-{min(number, LEARNERS):02d}"
        self.headers = {"Authorization": f"token token-{self.name}"}

    @task
    def report(self) -> None:
        exercise, total = random.choice(EXERCISES)
        report = body(exercise, total, random.randint(0, total))
        SENT.append(report["report_id"])
        with self.client.post(
            "api/reports",
            json=report,
            headers=self.headers,
            name="POST api/reports",
            catch_response=True,
        ) as reply:
            if reply.status_code == 201:
                ACCEPTED.append(report["report_id"])
            else:
                reply.failure(f"expected 201, got {reply.status_code}: {reply.text[:200]}")


class Instructor(HttpUser):
    """The dashboard on the projector: the cohort view every second, the CSV now and then."""

    fixed_count = 1
    wait_time = constant(1)
    headers = {"Authorization": "token token-instructor"}

    @task(10)
    def cohort(self) -> None:
        self.client.get("api/cohort", headers=self.headers, name="GET api/cohort")

    @task(1)
    def export(self) -> None:
        self.client.get("export.csv", headers=self.headers, name="GET export.csv")
