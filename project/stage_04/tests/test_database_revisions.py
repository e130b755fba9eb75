"""The service and its database's revision, through a deploy and a rollback.

The migration job of a new release runs while the old release still serves, and a rollback
starts the old image again on the database the job moved on. Under expand/contract the newer
schema only adds what the older code can ignore, so an old release must keep serving a database
that is *ahead* of it: ready, and left as it is at start-up. A database *behind* the release (or
never migrated, or missing) is another matter: the code needs what it lacks, so it is not ready.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command

from booking_service.core.config import Settings
from booking_service.core.db import alembic_config, migrate, revisions
from booking_service.main import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about its test client's next home
    from fastapi.testclient import TestClient

FUTURE_REVISION = "0099_from_the_future"
"""A revision only a newer release knows: what its migration job leaves in alembic_version."""


def recorded_revision(database: Path) -> str | None:
    with closing(sqlite3.connect(database)) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def migrated_by_this_release(database: Path) -> Path:
    migrate(database)
    return database


def migrated_by_a_newer_release(database: Path) -> Path:
    """A database at this release's head, then marked as moved on by a newer release's job."""
    migrate(database)
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (FUTURE_REVISION,))
    return database


def behind_this_release(database: Path) -> Path:
    """A database at this release's first revision: the release needs the ones after it."""
    command.upgrade(alembic_config(database), revisions()[0])
    return database


def probe_readiness(database: Path):
    """GET /health/ready without the app's start-up, so nothing migrates the database first."""
    app = create_app(Settings(database=database, log_level="WARNING"))
    return TestClient(app).get("/health/ready")


# ------------------------------------------------------------------------------------- readiness


def test_a_database_at_this_releases_newest_revision_is_ready(tmp_path):
    ready = probe_readiness(migrated_by_this_release(tmp_path / "bookings.db"))
    assert ready.status_code == 200, ready.json()
    assert ready.json() == {"status": "ok", "schema_version": len(revisions())}


def test_a_database_a_newer_release_migrated_is_ready_with_one_warning(tmp_path, caplog):
    """While a new release's migration job runs, and after a rollback, the old one keeps serving."""
    database = migrated_by_a_newer_release(tmp_path / "bookings.db")
    with caplog.at_level(logging.WARNING, logger="booking_service"):
        ready = probe_readiness(database)
    assert ready.status_code == 200, ready.json()
    # The newest schema this release knows, which the database has, and more.
    assert ready.json() == {"status": "ok", "schema_version": len(revisions())}
    warned = [record for record in caplog.records if FUTURE_REVISION in record.getMessage()]
    assert len(warned) == 1, caplog.text
    assert warned[0].levelno == logging.WARNING


def test_a_database_behind_this_release_is_not_ready(tmp_path):
    """The code needs the revisions the database lacks: the job has not run yet."""
    database = behind_this_release(tmp_path / "bookings.db")
    ready = probe_readiness(database)
    assert ready.status_code == 503
    assert ready.json()["detail"] == (
        f"The database is at revision {revisions()[0]}; this release needs {revisions()[-1]}."
    )


def tables_without_alembic(database: Path) -> Path:
    """The service's tables made by hand: they look right, but no revision was recorded."""
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("CREATE TABLE bookings (id INTEGER PRIMARY KEY)")
    return database


def empty_database(database: Path) -> Path:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("VACUUM")
    return database


def not_a_database(database: Path) -> Path:
    database.write_text("these are not the bytes of a SQLite database\n" * 100)
    return database


def no_file(database: Path) -> Path:
    return database


@pytest.mark.parametrize(
    ("make_database", "detail"),
    [
        (no_file, "The database file does not exist; is its volume mounted?"),
        (empty_database, "The database cannot be read"),
        (not_a_database, "The database cannot be read"),
        (tables_without_alembic, "The database has no Alembic revision; run the migrations."),
    ],
    ids=["no file", "never migrated", "not a database", "tables made without Alembic"],
)
def test_a_database_that_cannot_serve_is_not_ready(tmp_path, make_database, detail):
    ready = probe_readiness(make_database(tmp_path / "bookings.db"))
    assert ready.status_code == 503
    assert ready.json()["detail"].startswith(detail)


# ------------------------------------------------------------------------------------ start-up


def test_a_release_starts_on_a_database_a_newer_release_migrated(tmp_path, caplog):
    """A rolled-back release starts, leaves the newer schema as it is, says so, and serves."""
    database = migrated_by_a_newer_release(tmp_path / "bookings.db")
    with (
        caplog.at_level(logging.WARNING, logger="booking_service"),
        TestClient(create_app(Settings(database=database, log_level="WARNING"))) as client,
    ):
        started = caplog.text
        assert client.get("/health/ready").status_code == 200
        assert client.post("/rooms", json={"name": "Ada", "capacity": 4}).status_code == 201
    assert recorded_revision(database) == FUTURE_REVISION
    assert f"{FUTURE_REVISION}, newer than this release" in started


def test_start_up_still_brings_a_database_behind_this_release_up_to_date(tmp_path):
    database = behind_this_release(tmp_path / "bookings.db")
    with TestClient(create_app(Settings(database=database, log_level="WARNING"))) as client:
        assert client.get("/health/ready").status_code == 200
    assert recorded_revision(database) == revisions()[-1]


def test_with_migrating_at_start_off_the_schema_is_left_to_the_job(tmp_path):
    """BOOKING_MIGRATE_ON_START=false, as in production: start-up touches no schema."""
    missing = tmp_path / "missing.db"
    behind = behind_this_release(tmp_path / "behind.db")
    for database in (missing, behind):
        app = create_app(Settings(database=database, log_level="WARNING", migrate_on_start=False))
        with TestClient(app) as client:
            assert client.get("/health/live").status_code == 200
            assert client.get("/health/ready").status_code == 503
    assert not missing.exists()
    assert recorded_revision(behind) == revisions()[0]


@pytest.mark.parametrize(
    ("written", "migrates"),
    [("false", False), ("0", False), ("No", False), (" off ", False), ("true", True), ("1", True),
     ("YES", True), ("on", True), ("", True), (None, True)],
)  # fmt: skip
def test_migrating_at_start_is_a_switch_that_defaults_to_on(written, migrates):
    """On unless BOOKING_MIGRATE_ON_START says otherwise, so a checkout runs with one command."""
    environ = {} if written is None else {"BOOKING_MIGRATE_ON_START": written}
    assert Settings.from_env(environ).migrate_on_start is migrates


def test_a_switch_that_is_neither_yes_nor_no_is_refused():
    """A typo does not quietly keep the default: it names the variable and the allowed words."""
    with pytest.raises(ValueError, match=r"BOOKING_MIGRATE_ON_START must be one of .*'flase'"):
        Settings.from_env({"BOOKING_MIGRATE_ON_START": "flase"})
