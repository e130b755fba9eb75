"""Consumer-driven contract: what the calendar plug-in relies on, verified against this service.

Two sides, which in real life live in two repositories:

1. The consumer (the calendar plug-in team) tests its own client against a mock server that
   Pact runs from their expectations, and publishes the result: a pact file.
2. The provider (us) replays every interaction in that file against the real service, after
   putting it in the state each interaction is `given`. If we change something the plug-in
   relies on, our build fails, not their production.

Here the pact file is written to pacts/ (a Pact Broker would hold it between the teams).
"""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

# Pact's core would otherwise report anonymous usage statistics over the network.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
pact = pytest.importorskip("pact", reason="pact-python 4 needs Python 3.11 or later")

pytestmark = pytest.mark.contract

PACTS = Path(__file__).parents[1] / "pacts"
CONSUMER, PROVIDER = "calendar-plugin", "booking-service"
NINE_TO_TEN = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z"}
HALF_NINE_TO_HALF_TEN = {"start": "2030-01-07T09:30:00Z", "end": "2030-01-07T10:30:00Z"}


class CalendarClient:
    """The plug-in's code that talks to us: the part of it the pact is about."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def book(self, room_id: int, start: str, end: str, attendees: int) -> dict:
        body = {
            "organiser": "plugin@example.com",
            "start": start,
            "end": end,
            "attendees": attendees,
        }
        response = httpx.post(f"{self.base_url}/rooms/{room_id}/bookings", json=body)
        if response.status_code == 409 and response.json()["type"] == "/problems/overlap":
            return {"clash_with": response.json()["conflicting_booking_id"]}
        response.raise_for_status()
        return response.json()


def calendar_plugin_pact():
    """The consumer's expectations: only the fields and values the plug-in reads."""
    match = pact.match
    expected = pact.Pact(CONSUMER, PROVIDER).with_specification("V4")
    free_slot = {"organiser": "plugin@example.com", **NINE_TO_TEN, "attendees": 4}
    taken_slot = {"organiser": "plugin@example.com", **HALF_NINE_TO_HALF_TEN, "attendees": 4}
    (
        expected.upon_receiving("a booking for a free slot")
        .given("room 1 exists and is free")
        .with_request("POST", "/rooms/1/bookings")
        .with_body(free_slot, content_type="application/json")
        .will_respond_with(201)
        .with_body(
            {
                "id": match.int(1),
                "room_id": 1,
                "start": match.datetime("2030-01-07T09:00:00Z", format="%Y-%m-%dT%H:%M:%SZ"),
                "end": match.datetime("2030-01-07T10:00:00Z", format="%Y-%m-%dT%H:%M:%SZ"),
                "cancelled": False,
            },
            content_type="application/json",
        )
    )
    (
        expected.upon_receiving("a booking that overlaps another")
        .given("room 1 is booked from 09:00 to 10:00")
        .with_request("POST", "/rooms/1/bookings")
        .with_body(taken_slot, content_type="application/json")
        .will_respond_with(409)
        .with_body(
            {"type": "/problems/overlap", "conflicting_booking_id": match.int(1)},
            content_type="application/problem+json",
        )
    )
    return expected


def test_the_calendar_plugin_gets_what_it_expects():
    """Consumer side: the plug-in's client against Pact's mock server; writes the pact file."""
    expected = calendar_plugin_pact()
    with expected.serve() as mock:
        client = CalendarClient(str(mock.url))
        booked = client.book(1, attendees=4, **NINE_TO_TEN)
        clash = client.book(1, attendees=4, **HALF_NINE_TO_HALF_TEN)
    assert booked["cancelled"] is False
    assert clash == {"clash_with": 1}
    expected.write_file(PACTS, overwrite=True)


def test_the_service_honours_the_calendar_plugins_pact(live_server):
    """Provider side: replay the published pact against the real server."""

    problems = []

    def provider_state(state: str, action: str, parameters: dict | None) -> None:
        if action != "setup":
            return
        try:
            # Each interaction starts from an empty database, then gets what it is `given`.
            with closing(sqlite3.connect(live_server.database)) as db:
                db.executescript("DELETE FROM bookings; DELETE FROM rooms;")
            with httpx.Client(base_url=live_server.url) as http:
                http.post("/rooms", json={"name": "Ada", "capacity": 6}).raise_for_status()
                if state == "room 1 is booked from 09:00 to 10:00":
                    body = {"organiser": "someone@example.com", **NINE_TO_TEN, "attendees": 2}
                    http.post("/rooms/1/bookings", json=body).raise_for_status()
        except Exception as error:  # noqa: BLE001 - reported below
            # Pact retries a failing state handler for minutes; fail the interaction instead.
            problems.append(f"setting up {state!r}: {error}")

    verifier = (
        pact.Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=live_server.url)
        .add_source(PACTS)
        .state_handler(provider_state, teardown=False)
    )
    try:
        verifier.verify()
    except RuntimeError:
        report = "\n".join([*problems, verifier.output(strip_ansi=True)])
        pytest.fail(f"the service broke the pact:\n{report}")
