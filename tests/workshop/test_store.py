"""The reports store: the same behaviour on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.workshop.postgres import temporary_postgres
from workshop.store import Store, StoredReport, StoreError, redact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def stored(learner="ada", report_id="r1", minutes=0, failing=("a",), passed=3):
    when = T0 + timedelta(minutes=minutes)
    return StoredReport(learner, report_id, "00.1", passed, 4, failing, 0.5, "test", when, when)


@pytest.fixture(scope="module")
def postgres_url():
    with temporary_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reports.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = Store(url)
    yield database
    if request.param == "postgresql":
        with database._cursor() as cursor:
            cursor.execute("DROP TABLE reports")
    database.close()


def test_a_report_round_trips(store):
    report = stored(failing=("rolling back restores the schema text", "naïve: ünïcode"))
    assert store.add(report) is True
    assert store.reports() == [report]
    assert store.count() == 1


def test_the_same_report_id_from_one_learner_is_stored_once(store):
    assert store.add(stored()) is True
    assert store.add(stored(passed=4, failing=())) is False
    assert store.add(stored(learner="alan")) is True  # ids are per learner
    assert store.count() == 2


def test_reports_come_back_in_the_order_they_were_checked(store):
    store.add(stored(report_id="late", minutes=5))
    store.add(stored(report_id="early", minutes=1))
    assert [r.report_id for r in store.reports()] == ["early", "late"]


def test_concurrent_writers_lose_nothing(store):
    def write(learner):
        for index in range(25):
            store.add(stored(learner=learner, report_id=f"{learner}-{index}", minutes=index))

    threads = [threading.Thread(target=write, args=(f"l{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 100


def test_an_unknown_database_url_is_a_clear_error():
    with pytest.raises(StoreError, match="unsupported database URL 'mysql://u:\\*\\*\\*@h/db'"):
        Store("mysql://u:secret@h/db")


def test_an_unreachable_postgresql_is_a_clear_error_without_the_password():
    from tests.workshop.servers import free_port

    with pytest.raises(StoreError) as caught:
        Store(f"postgresql://u:secret@127.0.0.1:{free_port()}/db")
    assert "cannot connect to postgresql://u:***@127.0.0.1" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_redact_keeps_urls_without_a_password():
    assert redact("sqlite:///x.db") == "sqlite:///x.db"


def test_the_dashboard_service_runs_on_postgresql(postgres_url, settings, identity):
    """What Kubernetes uses: the same app, a postgresql:// URL."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from tests.workshop.fakes import report_body
    from workshop.service import create_app

    with TestClient(create_app(replace(settings, database_url=postgres_url), identity)) as client:
        reply = client.post(
            "/services/cohort-dashboard/api/reports",
            json=report_body("00.1", 3, 4, failing=["lengths in minutes"]),
            headers={"Authorization": "token ada-token"},
        )
        assert reply.status_code == 201, reply.text
        cohort = client.get(
            "/services/cohort-dashboard/api/cohort", headers={"Authorization": "token grace-token"}
        ).json()
    assert cohort["stuck"][0]["text"] == "1 of 3 fail 00.1: lengths in minutes"
    database = Store(postgres_url)
    with database._cursor() as cursor:
        cursor.execute("DROP TABLE reports")
    database.close()
