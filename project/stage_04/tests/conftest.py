"""Fixtures and settings shared by every test of the project.

- `client`: the service in-process (FastAPI's TestClient), on a new database file per test, so
  no test depends on what another left behind.
- `live_server`: the service as a real server (uvicorn, in a child process) on a free port of
  127.0.0.1, with its own database file; one per test module, always stopped afterwards.
  Stage 05's integration, contract and load tests use it.
- Markers: a test under tests/integration/, tests/contract/ or tests/load/ is marked
  `integration`, `contract` or `load` by its folder, so `pytest -m "not integration"` selects by
  level. Load tests are slow: they run only when selected (`pytest -m load`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette 1.x suggests its httpx2 package for the test client; httpx works just as well.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from booking_service.core.config import ENV_PREFIX, Settings
from booking_service.main import create_app

PROJECT = Path(__file__).resolve().parents[1]
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


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The service on this test's own, empty database (migrated at start-up)."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client


class LiveServer(NamedTuple):
    url: str
    database: Path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service under uvicorn on 127.0.0.1, on a port the operating system picked."""
    database = tmp_path_factory.mktemp("live") / "bookings.db"
    # Bind the socket here and hand it to uvicorn (--fd): the port is ours before the server
    # starts, so two test runs side by side never race for one.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {
        **os.environ,
        f"{ENV_PREFIX}DATABASE": str(database),
        f"{ENV_PREFIX}LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "booking_service.main:create_app"]
    command += ["--fd", str(sock.fileno()), "--app-dir", str(PROJECT / "src")]
    command += ["--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, pass_fds=[sock.fileno()], env=env)
    sock.close()
    try:
        wait_until_ready(server, url)
        yield LiveServer(url, database)
    finally:
        # Always stop it, even when a test failed: a server left running holds its port.
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_ready(server: subprocess.Popen, url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with code {server.returncode} before it answered")
        try:
            # Ready, not only alive: the database answers, so the first test's request can too.
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.05)
    pytest.fail(f"the server was not ready (GET /health/ready) within {timeout} s")
