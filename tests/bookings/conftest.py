"""Fixtures for the booking service tests: every test gets its own database file.

Factories such as `create_room(client, ...)` live in `bookings.testing`, so the course's
notebook checks can use them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlite_utils import Database

from bookings.core.config import Settings
from bookings.core.db import open_database
from bookings.main import create_app
from bookings.migrations import upgrade


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bookings.db"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(database=db_path, log_level="INFO")


@pytest.fixture
def empty_db(db_path: Path) -> Iterator[Database]:
    """A database file with no tables yet."""
    db = open_database(db_path)
    yield db
    db.close()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database migrated to the latest version."""
    upgrade(empty_db)
    return empty_db


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client for an app on this test's database; startup migrates it."""
    with TestClient(create_app(settings)) as client:
        yield client
