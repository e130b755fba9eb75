"""Fixtures shared by the tests.

This file sits at the project root, so pytest puts the root on sys.path before importing
it: that is what lets the tests `import booking_app` when you run plain `pytest`.

- `client`: the app in-process, on a fresh database file for each test.
- `live_server`: the app as a real server (uvicorn, in a child process) on a free loopback
  port, with its own database file; one per test module, always stopped afterwards.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient

from booking_app.core.config import Settings
from booking_app.main import create_app

ROOT = Path(__file__).parent


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An app with its own empty database, migrated at startup."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client


class LiveServer(NamedTuple):
    url: str
    database: Path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app under uvicorn on 127.0.0.1, on a port the operating system picked."""
    database = tmp_path_factory.mktemp("live") / "bookings.db"
    # Bind the socket here and hand it to uvicorn (--fd): the port is ours before the
    # server starts, so parallel test runs never race for one.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {**os.environ, "BOOKINGS_DATABASE": str(database), "BOOKINGS_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "booking_app.main:create_app"]
    command += ["--fd", str(sock.fileno()), "--app-dir", str(ROOT), "--log-level", "warning"]
    server = subprocess.Popen(command, pass_fds=[sock.fileno()], env=env)
    sock.close()
    try:
        wait_until_healthy(server, url)
        yield LiveServer(url, database)
    finally:
        # Always stop it, even when a test failed: a server left running holds its port.
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_healthy(server: subprocess.Popen, url: str, timeout: float = 30) -> None:
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
