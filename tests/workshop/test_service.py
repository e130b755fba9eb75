"""The dashboard service: who may do what, what a report must look like, what comes back."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.workshop.fakes import report_body
from workshop.hubauth import STATE_COOKIE, TOKEN_COOKIE

PREFIX = "/services/cohort-dashboard"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def browser_signed_in(client, token: str):
    """The client as a browser holding the dashboard's cookie for `token`.

    Set on the client, as a browser keeps it: httpx deprecates cookies passed per request.
    """
    client.cookies.set(TOKEN_COOKIE, token)
    return client


def post(client, token, body):
    return client.post(f"{PREFIX}/api/reports", json=body, headers=auth(token))


# ------------------------------------------------------------------------------------ reports
def test_a_learners_report_is_stored_under_the_tokens_owner(client):
    reply = post(client, "ada-token", report_body("00.1", 2, 4, failing=["a", "b"]))
    assert reply.status_code == 201, reply.text
    assert reply.json() == {"stored": True, "learner": "ada", "exercise": "00.1"}
    row = client.get(f"{PREFIX}/api/cohort", headers=auth("grace-token")).json()["grid"]["ada"]
    assert row["00.1"] == {
        "state": "in progress",
        "attempts": 1,
        "passed": 2,
        "total": 4,
        "last_at": row["00.1"]["last_at"],
        "failing": ["a", "b"],
    }


def test_the_same_report_delivered_twice_is_stored_once(client):
    body = report_body()
    assert post(client, "ada-token", body).status_code == 201
    again = post(client, "ada-token", body)
    assert again.status_code == 200 and again.json()["stored"] is False
    assert client.get(f"{PREFIX}/health").json()["reports"] == 1


def test_a_forged_learner_in_the_body_is_refused_and_nothing_is_stored(client):
    reply = post(client, "ada-token", report_body(learner="alan"))
    assert reply.status_code == 403
    assert "belongs to ada" in reply.json()["detail"] and "alan" in reply.json()["detail"]
    assert client.get(f"{PREFIX}/health").json()["reports"] == 0


def test_naming_yourself_in_the_body_is_allowed(client):
    assert post(client, "ada-token", report_body(learner="ada")).status_code == 201


def test_a_report_for_an_exercise_that_does_not_exist_is_refused(client):
    reply = post(client, "ada-token", report_body("99.9", 1, 1))
    assert reply.status_code == 422
    assert "'99.9' does not exist" in reply.json()["detail"]
    assert "00.1" in reply.json()["detail"]  # it says which exist


@pytest.mark.parametrize(
    "result, message",
    [
        ({"exercise": "00.1"}, "Not a check result"),
        ({"exercise": "00.1", "outcomes": []}, "at least one outcome"),
        ({"exercise": "00.1", "outcomes": [{"text": "x" * 501, "passed": False}]}, "500"),
        (
            {"exercise": "00.1", "outcomes": [{"text": "t", "passed": True}] * 201},
            "at most 200",
        ),
    ],
)
def test_a_malformed_result_is_refused_with_the_reason(client, result, message):
    reply = post(client, "ada-token", {**report_body(), "result": result})
    assert reply.status_code == 422 and message in reply.json()["detail"]


def test_an_outcome_text_of_exactly_500_characters_is_accepted(client):
    body = {
        **report_body(),
        "result": {"exercise": "00.1", "outcomes": [{"text": "x" * 500, "passed": False}]},
    }
    assert post(client, "ada-token", body).status_code == 201


def test_a_report_without_a_token_or_with_an_unknown_one_is_401(client):
    assert client.post(f"{PREFIX}/api/reports", json=report_body()).status_code == 401
    assert post(client, "no-such-token", report_body()).status_code == 401


def test_someone_outside_the_cohort_cannot_report(client):
    reply = post(client, "stranger-token", report_body())
    assert reply.status_code == 403 and "not in this workshop" in reply.json()["detail"]


def test_a_check_time_in_the_future_is_clamped_to_the_services_clock(client, clock):
    body = report_body(checked_at=(clock[0] + timedelta(hours=3)).isoformat())
    post(client, "ada-token", body)
    cell = client.get(f"{PREFIX}/api/cohort", headers=auth("grace-token")).json()["grid"]["ada"]
    assert cell["00.1"]["last_at"] <= (clock[0] + timedelta(minutes=5)).isoformat()


def test_nothing_but_the_expectations_text_is_kept(client, settings):
    """Privacy: found values and hints (which can quote a learner's code) are never stored."""
    post(client, "ada-token", report_body("00.1", 3, 4, failing=["lengths in minutes"]))
    import sqlite3

    database = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
    stored = " ".join(
        str(value) for row in database.execute("select * from reports") for value in row
    )
    database.close()
    assert "lengths in minutes" in stored
    assert "found x" not in stored and "try y" not in stored


# --------------------------------------------------------------------------------- who sees what
def test_only_instructors_see_the_cohort(client):
    assert client.get(f"{PREFIX}/api/cohort", headers=auth("grace-token")).status_code == 200
    reply = client.get(f"{PREFIX}/api/cohort", headers=auth("ada-token"))
    assert reply.status_code == 403
    assert "Only the instructors group" in reply.json()["detail"]
    assert client.get(f"{PREFIX}/export.csv", headers=auth("ada-token")).status_code == 403


def test_a_learner_sees_their_own_page_and_nobody_elses(client):
    post(client, "ada-token", report_body("00.1", 4, 4))
    own = client.get(f"{PREFIX}/api/learners/ada", headers=auth("ada-token"))
    assert own.status_code == 200 and own.json()["row"]["00.1"]["state"] == "done"
    other = client.get(f"{PREFIX}/api/learners/ada", headers=auth("alan-token"))
    assert other.status_code == 403
    assert "signed in as alan" in other.json()["detail"]
    html = browser_signed_in(client, "alan-token").get(f"{PREFIX}/learners/ada")
    assert html.status_code == 403 and "signed in as <strong>alan</strong>" in html.text


def test_an_instructor_may_open_any_learners_page(client):
    assert client.get(f"{PREFIX}/api/learners/ada", headers=auth("grace-token")).status_code == 200
    assert (
        client.get(f"{PREFIX}/api/learners/nobody", headers=auth("grace-token")).status_code == 404
    )


def test_a_learner_opening_the_dashboard_gets_403_with_a_link_to_their_page(client):
    reply = browser_signed_in(client, "barbara-token").get(f"{PREFIX}/")
    assert reply.status_code == 403
    assert f'href="{PREFIX}/learners/barbara"' in reply.text


def test_me_sends_each_caller_to_their_own_page(client):
    reply = browser_signed_in(client, "alan-token").get(f"{PREFIX}/me", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == f"{PREFIX}/learners/alan"


def test_the_instructor_gets_the_live_page(client):
    reply = browser_signed_in(client, "grace-token").get(f"{PREFIX}/")
    assert reply.status_code == 200
    assert 'data-mode="cohort"' in reply.text and "Where the room is stuck" in reply.text
    assert client.get(f"{PREFIX}/static/dashboard.js").status_code == 200
    assert client.get(f"{PREFIX}/static/secrets.txt").status_code == 404


# ------------------------------------------------------------------------------------- OAuth
def test_a_browser_without_a_token_is_sent_to_the_hub_and_back(client, identity):
    start = client.get(f"{PREFIX}/", follow_redirects=False)
    assert start.status_code == 302
    assert start.headers["location"].startswith("/hub/api/oauth2/authorize")
    state = client.cookies.get(STATE_COOKIE)
    assert state and f"state={state}" in start.headers["location"]

    identity.codes["the-code"] = "grace-token"
    back = client.get(
        f"{PREFIX}/oauth_callback",
        params={"code": "the-code", "state": state},
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == f"{PREFIX}/"
    assert client.cookies.get(TOKEN_COOKIE) == "grace-token"
    assert client.get(f"{PREFIX}/").status_code == 200


def test_a_callback_with_a_state_that_was_not_started_here_is_refused(client, identity):
    identity.codes["the-code"] = "grace-token"
    reply = client.get(f"{PREFIX}/oauth_callback", params={"code": "the-code", "state": "forged"})
    assert reply.status_code == 400 and "stale" in reply.json()["detail"]
    assert TOKEN_COOKIE not in client.cookies


# ------------------------------------------------------------------------------------ export
def test_the_csv_export_has_a_row_per_learner_and_exercise(client):
    post(client, "ada-token", report_body("00.1", 3, 4, failing=["lengths in minutes"]))
    reply = client.get(f"{PREFIX}/export.csv", headers=auth("grace-token"))
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    exercises = client.get(f"{PREFIX}/api/cohort", headers=auth("grace-token")).json()["exercises"]
    assert len(rows) == 3 * len(exercises)
    ada = next(row for row in rows if row["learner"] == "ada" and row["exercise"] == "00.1")
    assert ada["state"] == "in progress" and ada["checks_passed"] == "3"
    assert ada["failing_expectations"] == "lengths in minutes"


def test_the_hubs_activity_is_read_and_an_absent_hub_leaves_it_empty():
    from tests.workshop import aio
    from tests.workshop.servers import free_port
    from workshop.loadtest import stand_in_hub
    from workshop.service import hub_activity_source

    with stand_in_hub({}) as api_url:
        assert aio.run(hub_activity_source(api_url, "service-token")) == {}
    absent = hub_activity_source(f"http://127.0.0.1:{free_port()}/hub/api/", "service-token")
    assert aio.run(absent) == {}
