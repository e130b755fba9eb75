"""Fixtures and settings shared by every test of the project.

- `client`: the service in-process (FastAPI's TestClient), on a new database file per test, so
  no test depends on what another left behind. Each is a copy of one database the session
  migrated with Alembic (`migrated_database`): running the revisions takes tens of
  milliseconds, copying a migrated file well under one.
- `live_server`: the service as a real server (uvicorn, in a thread) on a free port of
  127.0.0.1, with its own database file; one for the test session, always stopped afterwards.
  Stage 05's integration, contract and load tests use it.
- Markers: a test under tests/integration/, tests/contract/ or tests/load/ is marked
  `integration`, `contract` or `load` by its folder, so `pytest -m "not integration"` selects by
  level. Load tests are slow: they run only when selected (`pytest -m load`).
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
import uvicorn

with warnings.catch_warnings():
    # Starlette 1.x suggests its httpx2 package for the test client; httpx works just as well.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from booking_service.core.config import Settings
from booking_service.core.db import migrate
from booking_service.main import create_app

LEVELS = {
    "integration": "the service with a real database file, in-process or as a real server",
    "contract": "the service against its OpenAPI spec",
    "load": "a load test with pass/fail thresholds; slow, so only when selected (-m load)",
}


def pytest_configure(config: pytest.Config) -> None:
    for marker, meaning in LEVELS.items():
        config.addinivalue_line("markers", f"{marker}: {meaning}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = config.getoption("markexpr", "")
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in LEVELS:
            item.add_marker(folder)
        if folder == "load" and "load" not in selected:
            item.add_marker(pytest.mark.skip(reason="a load test: run it with `pytest -m load`"))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest revision, made once per test session to be copied."""
    database = tmp_path_factory.mktemp("migrated") / "bookings.db"
    migrate(database)
    return database


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database through SQLite's backup API, its WAL file's pages included."""
    original = contextlib.closing(sqlite3.connect(source))
    copy = contextlib.closing(sqlite3.connect(target))
    with original as original_db, copy as copy_db:
        original_db.backup(copy_db)


@pytest.fixture
def client(tmp_path: Path, migrated_database: Path) -> Iterator[TestClient]:
    """The service on this test's own, empty database, at the newest revision.

    The app's start-up migrates too; on a copy of a migrated database that changes nothing.
    """
    database = tmp_path / "bookings.db"
    copy_database(migrated_database, database)
    app = create_app(Settings(database=database, log_level="WARNING"))
    with TestClient(app) as client:
        yield client


class LiveServer(NamedTuple):
    url: str
    database: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service under uvicorn on 127.0.0.1, on a port the operating system picked.

    A real server: a socket, HTTP, requests served side by side. It runs in a thread of the
    test process, so it starts in a moment; one serves the whole test session, so a test
    that uses it makes its own rooms (with names no other test uses) rather than expecting an
    empty database.
    """
    database = tmp_path_factory.mktemp("live") / "bookings.db"
    app = create_app(Settings(database=database, log_level="WARNING"))
    # Bind the socket here: the port is ours before the server starts, so two test runs side
    # by side never race for one.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until_ready(server, thread, url)
        yield LiveServer(url, database)
    finally:
        # Always stop it, even when a test failed: a server left running holds its port.
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def wait_until_ready(
    server: uvicorn.Server, thread: threading.Thread, url: str, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail("the server stopped before it answered; its log says why")
        if server.started:
            # Ready, not only alive: the database answers, so the first test's request can too.
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    return
        time.sleep(0.02)
    pytest.fail(f"the server was not ready (GET /health/ready) within {timeout} s")
