"""GET /health/live and GET /health/ready: liveness checks nothing, readiness checks the database."""

from __future__ import annotations

import shutil
from contextlib import closing

import pytest
from fastapi.testclient import TestClient

from bookings.core.config import Settings
from bookings.core.db import open_database
from bookings.main import create_app
from bookings.migrations import downgrade

NOT_READY = "/problems/not-ready"


def test_liveness_says_ok(client):
    """/health/live answers 200 {"status": "ok"}."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_says_ok_with_the_schema_version(client):
    """A migrated database: 200, with the version the readiness query read."""
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "schema_version": 2}


@pytest.fixture
def started(tmp_path) -> TestClient:
    """A started app (its database migrated) whose database a test may then break."""
    folder = tmp_path / "volume"
    folder.mkdir()
    app = create_app(Settings(database=folder / "bookings.db", log_level="CRITICAL"))
    with TestClient(app) as client:
        yield client


def break_by(client: TestClient, how: str) -> None:
    database = client.app.state.settings.database
    if how == "volume gone":
        shutil.rmtree(database.parent)  # as if the volume were unmounted
    elif how == "not a database":
        for path in database.parent.iterdir():
            path.unlink()
        database.write_bytes(b"this is not an SQLite database" * 100)
    elif how == "schema too old":
        with closing(open_database(database)) as db:
            downgrade(db, "0001")


@pytest.mark.parametrize(
    ("how", "detail"),
    [
        ("volume gone", "The database file does not exist; is its volume mounted?"),
        ("not a database", "The database cannot be read: file is not a database."),
        ("schema too old", "The database schema is at version 1; this release needs 2."),
    ],
)
def test_readiness_is_503_when_the_database_cannot_serve(started, how, detail):
    """Unreachable, unreadable or unmigrated: a 503 problem body naming the reason."""
    break_by(started, how)
    response = started.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": NOT_READY,
        "title": "Service not ready",
        "status": 503,
        "detail": detail,
        "instance": "/health/ready",
    }


@pytest.mark.parametrize("how", ["volume gone", "not a database", "schema too old"])
def test_liveness_stays_ok_when_the_database_cannot_serve(started, how):
    """A restart cannot fix the database, so liveness never looks at it."""
    break_by(started, how)
    assert started.get("/health/live").status_code == 200


def test_readiness_does_not_create_a_missing_database(started):
    """Probing must not leave an empty file behind for a later probe to find 'ready'."""
    database = started.app.state.settings.database
    break_by(started, "volume gone")
    database.parent.mkdir()
    assert started.get("/health/ready").status_code == 503
    assert not database.exists()


def test_the_old_health_path_is_gone(client):
    """One meaning per path: /health no longer answers for both probes."""
    assert client.get("/health").status_code == 404
