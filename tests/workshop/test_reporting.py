"""The learner's side: a check result reaches the dashboard, or waits in the ledger until it can."""

from __future__ import annotations

import sqlite3
import time

import pytest

from onboarding import reporting
from onboarding.workspace import ledger_path
from tests.workshop.fakes import result
from tests.workshop.servers import free_port, serving
from workshop.service import create_app


@pytest.fixture
def hub_env(monkeypatch):
    """The environment a learner's server has under the workshop hub, pointed at `url`."""

    def point_at(url: str, token: str = "ada-token") -> None:
        monkeypatch.setenv(reporting.DASHBOARD_ENV, url)
        monkeypatch.setenv(reporting.TOKEN_ENV, token)

    return point_at


def stored(settings) -> list[tuple]:
    database = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
    try:
        return database.execute(
            "select learner, exercise_id, passed, total from reports"
        ).fetchall()
    finally:
        database.close()


def test_without_a_hub_nothing_is_sent_and_nothing_is_queued(workspace, monkeypatch):
    monkeypatch.delenv(reporting.DASHBOARD_ENV, raising=False)
    monkeypatch.delenv(reporting.TOKEN_ENV, raising=False)
    reporting.report(workspace, result("00.1", 4, 4), "onboard check")
    assert not ledger_path(workspace).exists()
    assert reporting.flush(workspace) == 0


def test_a_token_alone_is_not_a_hub(workspace, monkeypatch):
    """A learner with a hub token from elsewhere but no workshop dashboard sends nothing."""
    monkeypatch.delenv(reporting.DASHBOARD_ENV, raising=False)
    monkeypatch.setenv(reporting.TOKEN_ENV, "some-token")
    assert reporting.dashboard_target() is None


def test_a_report_reaches_the_dashboard_under_the_learners_name(
    workspace, settings, identity, hub_env
):
    with serving(create_app(settings, identity)) as url:
        hub_env(url)
        reporting.report(workspace, result("00.1", 3, 4, ("lengths in minutes",)), "onboard check")
    assert stored(settings) == [("ada", "00.1", 3, 4)]
    assert reporting.queued(workspace) == []


def test_what_is_sent_leaves_out_found_values_and_hints():
    body = reporting.envelope(result("00.1", 3, 4, ("lengths in minutes",)), "notebook")
    failed = [o for o in body["result"]["outcomes"] if not o["passed"]]
    assert failed == [{"text": "lengths in minutes", "passed": False}]
    assert body["result"]["exercise"] == "00.1" and body["result"]["duration_s"] == 0.25
    assert len(body["report_id"]) == 32 and body["source"] == "notebook"


def test_an_unreachable_service_costs_under_two_seconds_and_the_report_waits(workspace, hub_env):
    hub_env(f"http://127.0.0.1:{free_port()}/services/cohort-dashboard/")
    started = time.monotonic()
    reporting.report(workspace, result("00.1", 1, 4, ("x",)), "onboard check")
    assert time.monotonic() - started < 2.5
    waiting = reporting.queued(workspace)
    assert [body["result"]["exercise"] for body in waiting] == ["00.1"]
    assert "could not be reached" in waiting[0]["last_error"]


def test_a_service_that_never_answers_holds_the_check_up_at_most_two_seconds(workspace, hub_env):
    import socket

    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hub_env(f"http://127.0.0.1:{silent.getsockname()[1]}/services/cohort-dashboard/")
        started = time.monotonic()
        reporting.report(workspace, result("00.1", 1, 4, ("x",)), "onboard check")
        assert time.monotonic() - started < reporting.REPORT_BUDGET_S + 0.5
    assert len(reporting.queued(workspace)) == 1


def test_the_service_restarted_mid_workshop_gets_every_queued_report(
    workspace, settings, identity, hub_env
):
    port = free_port()
    with serving(create_app(settings, identity), port) as url:
        hub_env(url)
        reporting.report(workspace, result("00.1", 1, 4, ("a",)), "onboard check")
    # The service is down: three checks later, all three wait in the ledger, in order.
    for passed in (2, 3, 4):
        reporting.report(workspace, result("00.1", passed, 4, ("a",) * (4 - passed)), "notebook")
    assert [body["result"]["passed"] for body in reporting.queued(workspace)] == [2, 3, 4]
    assert len(stored(settings)) == 1
    # Back up (same database): the next check delivers the queue first, then itself.
    with serving(create_app(settings, identity), port):
        reporting.report(workspace, result("00.2", 4, 4), "notebook")
        assert reporting.queued(workspace) == []
    assert stored(settings) == [("ada", "00.1", p, 4) for p in (1, 2, 3, 4)] + [
        ("ada", "00.2", 4, 4)
    ]


def test_flush_delivers_the_queue_and_counts_what_arrived(workspace, settings, identity, hub_env):
    port = free_port()
    hub_env(f"http://127.0.0.1:{port}/services/cohort-dashboard/")
    for passed in (1, 2):
        reporting.report(workspace, result("00.1", passed, 4, ("a",) * (4 - passed)), "notebook")
    with serving(create_app(settings, identity), port):
        assert reporting.flush(workspace) == 2
        assert reporting.flush(workspace) == 0
    assert len(stored(settings)) == 2


def test_a_report_the_service_refuses_is_kept_with_the_reason_and_not_resent(
    workspace, settings, identity, hub_env, capsys
):
    with serving(create_app(settings, identity)) as url:
        hub_env(url)
        reporting.report(workspace, result("99.9", 1, 1), "notebook")
        assert "does not exist" in capsys.readouterr().err
        reporting.report(workspace, result("00.1", 4, 4), "notebook")  # the queue is not blocked
    rejected = reporting.queued(workspace, reporting.REJECTED)
    assert len(rejected) == 1 and "'99.9' does not exist" in rejected[0]["last_error"]
    assert stored(settings) == [("ada", "00.1", 4, 4)]


def test_another_learners_token_files_the_report_under_that_learner_not_a_forged_name(
    workspace, settings, identity, hub_env
):
    """The name always comes from the token: a body naming someone else is refused, and kept."""
    with serving(create_app(settings, identity)) as url:
        hub_env(url, token="alan-token")
        body = reporting.envelope(result("00.1", 4, 4), "notebook")
        body["learner"] = "ada"
        reporting.queue(workspace, body)
        assert reporting.flush(workspace) == 0
    assert stored(settings) == []
    assert "belongs to alan" in reporting.queued(workspace, reporting.REJECTED)[0]["last_error"]


def test_the_queue_lives_in_the_ledger_beside_the_attempts(workspace, hub_env):
    from onboarding import progress

    hub_env(f"http://127.0.0.1:{free_port()}/")
    progress.record(workspace, result("00.1", 1, 4, ("a",)), "onboard check")
    reporting.report(workspace, result("00.1", 1, 4, ("a",)), "onboard check")
    database = sqlite3.connect(ledger_path(workspace))
    tables = {
        name for (name,) in database.execute("select name from sqlite_master where type='table'")
    }
    database.close()
    assert {"attempts", "report_queue"} <= tables


def test_a_published_result_is_reported_through_the_subscriber(
    workspace, settings, identity, hub_env
):
    """What the workspace hook does in a learner's kernel: subscribe, then every check reports."""
    from onboarding import protocol

    send = reporting.subscriber(workspace)
    protocol.subscribe(send)
    try:
        with serving(create_app(settings, identity)) as url:
            hub_env(url)
            protocol.publish(result("00.2", 3, 4, ("at least three rooms are listed",)))
    finally:
        protocol.unsubscribe(send)
    assert stored(settings) == [("ada", "00.2", 3, 4)]


def test_onboard_check_reports_its_verdict_under_a_hub(workspace, settings, identity, hub_env):
    """The real `onboard check`, with a hub's environment: the dashboard hears of it."""
    from tests.conftest import run_onboard

    assert run_onboard("update", env={"ONBOARD_WORKSPACE": str(workspace)}).returncode == 0
    with serving(create_app(settings, identity)) as url:
        checked = run_onboard(
            "check",
            "00",
            env={
                "ONBOARD_WORKSPACE": str(workspace),
                reporting.DASHBOARD_ENV: url,
                reporting.TOKEN_ENV: "barbara-token",
            },
        )
    assert checked.returncode == 1, checked.stderr  # the unsolved exercise fails
    rows = stored(settings)
    assert ("barbara", "00.1", 0, 4) in rows and len(rows) == 2


def test_an_in_notebook_check_reports_through_the_workspace_hook(
    workspace, settings, identity, hub_env, monkeypatch
):
    """In a learner's kernel under the hub: the hook records the result and reports it."""
    from onboarding import protocol, workspace_hook
    from onboarding import workspace as workspaces
    from tests.conftest import COURSE_ROOT

    workspaces.create(workspace, COURSE_ROOT / "exercises")
    monkeypatch.chdir(workspace)  # the notebook runs inside the workspace
    monkeypatch.delenv(protocol.GRADING_VARIABLE, raising=False)
    with serving(create_app(settings, identity)) as url:
        hub_env(url)
        workspace_hook.record_result(result("00.1", 2, 4, ("a", "b")))
    assert stored(settings) == [("ada", "00.1", 2, 4)]
