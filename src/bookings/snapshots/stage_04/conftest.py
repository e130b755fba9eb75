"""Fixtures shared by the tests.

This file sits at the project root, so pytest puts the root on sys.path before importing
it: that is what lets the tests `import booking_app` when you run plain `pytest`.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from booking_app.core.config import Settings
from booking_app.main import create_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An app with its own empty database, migrated at startup."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client
