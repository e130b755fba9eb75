"""The app factory: settings, startup migration, and one JSON log line per request."""

import json
import logging
import sqlite3
import sys
from contextlib import closing

from fastapi.testclient import TestClient

from bookings.core.config import Settings
from bookings.core.logs import JsonFormatter, configure_logging
from bookings.main import create_app
from bookings.migrations import current_revision, head, revisions
from bookings.testing import create_room


def test_building_the_app_opens_no_database(db_path):
    """create_app() alone touches no file; the database is opened at startup."""
    app = create_app(Settings(database=db_path))
    assert not db_path.exists()
    with TestClient(app):
        assert db_path.exists()


def test_startup_migrates_the_database(client, db):
    """After startup the database is at the latest version."""
    assert current_revision(db) == head()


def test_settings_default_to_the_environment(monkeypatch, tmp_path):
    """Without settings, create_app reads BOOKINGS_DATABASE."""
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("BOOKINGS_DATABASE", str(path))
    with TestClient(create_app()) as client:
        create_room(client)
    assert path.exists()


def test_each_app_has_its_own_database(tmp_path):
    """Two apps with different settings share nothing."""
    one = create_app(Settings(database=tmp_path / "one.db"))
    two = create_app(Settings(database=tmp_path / "two.db"))
    with TestClient(one) as first, TestClient(two) as second:
        create_room(first, name="Ada")
        assert second.get("/rooms").json() == []


def test_each_request_is_logged_as_one_json_line(client, caplog):
    """Method, path, status and duration, as JSON."""
    with caplog.at_level(logging.INFO, logger="bookings.access"):
        client.get("/rooms/12/bookings")
    (record,) = [r for r in caplog.records if r.name == "bookings.access"]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["method"] == "GET"
    assert entry["path"] == "/rooms/12/bookings"
    assert entry["status"] == 404
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["level"] == "INFO"


def test_a_crash_is_logged_with_status_500(settings, caplog):
    """A request that raises is still logged, as a 500."""
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    with (
        caplog.at_level(logging.INFO, logger="bookings"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        client.get("/boom")
    statuses = [r.fields["status"] for r in caplog.records if r.name == "bookings.access"]
    assert statuses == [500]


def test_exceptions_are_formatted_into_the_line():
    """A logged exception appears as one JSON field, not as extra lines."""
    try:
        raise ValueError("bad")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("bookings.test", logging.ERROR, __file__, 1, "failed", (), exc_info)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed"
    assert "ValueError: bad" in entry["exception"]


def test_configure_logging_adds_one_handler_however_often_it_is_called():
    """Building many apps does not multiply the log lines."""
    logger = configure_logging("INFO")
    configure_logging("WARNING")
    json_handlers = [h for h in logger.handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(json_handlers) == 1
    assert logger.level == logging.WARNING


def test_a_production_start_leaves_migrating_to_the_job(db_path):
    """BOOKINGS_MIGRATE_ON_START=false: the app starts without touching the schema."""
    app = create_app(Settings(database=db_path, migrate_on_start=False))
    with TestClient(app) as client:
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 503
    assert not db_path.exists()


def test_a_release_starts_on_a_database_a_newer_release_migrated(db_path, caplog):
    """A rollback starts the previous image on its successor's schema: the app starts, leaves
    the schema as it is, says so in the log, and is ready (expand/contract keeps it usable)."""
    with TestClient(create_app(Settings(database=db_path))):
        pass
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with (
        caplog.at_level(logging.WARNING),
        TestClient(create_app(Settings(database=db_path))) as client,
    ):
        ready = client.get("/health/ready")
        assert client.post("/rooms", json={"name": "Ada", "capacity": 4}).status_code == 201
    assert ready.status_code == 200, ready.json()
    assert ready.json() == {"status": "ok", "schema_version": len(revisions())}
    assert current_revision(db_path) == "0099_from_the_future"
    assert "newer than this release" in caplog.text
