"""Stage 05: run a booking service as a real server on a free loopback port, and always stop it.

`running_server()` starts uvicorn in a child process, the way the service runs in production, so
integration, contract and load tests talk to it over real HTTP. The listening socket is bound
here, before the child starts, and handed to uvicorn with `--fd`: the port is known and free
before the server runs, so two runs in parallel can never race for one port. The server is
stopped in a `finally`, so a failing test (or a learner's exception) never leaves it behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bookings.core.config import ENV_PREFIX, Settings
from onboarding.pytest_runs import stop_with_parent

REFERENCE_FACTORY = "bookings.main:create_app"
PROJECT_FACTORY = "booking_service.main:create_app"
PROJECT_ENV_PREFIX = "BOOKING_"
"""The learner's service reads BOOKING_* variables; the course's reference service BOOKINGS_*."""
LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Ready, not only alive: the database answers, so the first request of a test can succeed.
READINESS_PATH = "/health/ready"
# Shown when the server fails to start: the end of its own output says why.
LOG_TAIL_LINES = 15


class ServerDidNotStart(RuntimeError):
    """The server exited or was not ready in time; the message has its last output."""


def bound_loopback_socket() -> socket.socket:
    """A listening TCP socket on a free loopback port, chosen by the operating system."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(128)
    return sock


def server_environment(
    settings: Settings, extra: Mapping[str, str] | None = None, env_prefix: str = ENV_PREFIX
) -> dict[str, str]:
    """The child's environment: ours, plus the variables the service reads its settings from."""
    environment = {
        **os.environ,
        f"{env_prefix}DATABASE": str(Path(settings.database).resolve()),
        f"{env_prefix}LOG_LEVEL": settings.log_level,
        # The child must not write .pyc files into a learner's folder.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.update(extra or {})
    return environment


@contextlib.contextmanager
def running_server(
    factory: str = REFERENCE_FACTORY, settings: Settings | None = None, **options: Any
) -> Iterator[str]:
    """Run `factory` (a "module:function" app factory) under uvicorn; yield its base URL.

    The server answers by the time the URL is yielded, and is stopped when the block ends,
    however it ends. `settings` and the keyword `options` are `starting_server`'s.
    """
    with starting_server(factory, settings, **options) as server:
        server.wait_until_ready()
        yield server.base_url


@dataclass
class StartingServer:
    """A server whose socket already listens, while its process may still be starting.

    Connections made now wait in the socket's queue until the server accepts them, so a client
    may be started at once; `wait_until_ready()` returns when it answers, or raises
    `ServerDidNotStart` with its last output.
    """

    base_url: str
    process: subprocess.Popen
    log: Any
    startup_timeout: float

    def wait_until_ready(self) -> None:
        wait_until_healthy(self.process, self.base_url, self.log, self.startup_timeout)


@contextlib.contextmanager
def starting_server(
    factory: str = REFERENCE_FACTORY,
    settings: Settings | None = None,
    *,
    app_dir: str | Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
    env_prefix: str = ENV_PREFIX,
) -> Iterator[StartingServer]:
    """Start `factory` under uvicorn; yield as soon as the process is started, not answering yet.

    `settings` choose the database file and log level (default: a fresh database in a temporary
    folder, removed afterwards). `app_dir` is put on the child's import path, for a factory in a
    learner's own file or project (with `env_prefix` the variables its settings come from).
    Starting Python and importing a web framework takes about a second; a client that needs as
    long to start (a load generator) can start meanwhile. Stopped when the block ends.
    """
    with contextlib.ExitStack() as stack:
        if settings is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bookings-")))
            settings = Settings(database=folder / "bookings.db", log_level="WARNING")
        log = stack.enter_context(tempfile.TemporaryFile(prefix="uvicorn-", suffix=".log"))
        sock = bound_loopback_socket()
        host, port = sock.getsockname()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--fd",
            str(sock.fileno()),
            "--log-level",
            "warning",
            # The service logs each request itself, as JSON; uvicorn's own line would repeat it.
            "--no-access-log",
        ]
        if app_dir is not None:
            command += ["--app-dir", str(Path(app_dir).resolve())]
        try:
            process = subprocess.Popen(
                command,
                pass_fds=[sock.fileno()],
                env=server_environment(settings, extra_env, env_prefix),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=stop_with_parent(signal.SIGTERM),
            )
        finally:
            # The child has its own copy of the socket now; ours would keep the port open.
            sock.close()
        try:
            yield StartingServer(f"http://{host}:{port}", process, log, startup_timeout)
        finally:
            stop(process)


def wait_until_healthy(
    process: subprocess.Popen, base_url: str, log, timeout: float = STARTUP_TIMEOUT
) -> None:
    """Poll GET /health/ready until it answers 200; fail early if the server exits."""
    import httpx  # here, not at the top: a check cell imports this module, and most never poll

    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise ServerDidNotStart(
                    f"the server exited with code {process.returncode} before answering; "
                    f"its last output:\n{log_tail(log)}"
                )
            try:
                if client.get(READINESS_PATH).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"the server did not answer GET {READINESS_PATH} within {timeout:g} s; "
                    f"its last output:\n{log_tail(log)}"
                )
            time.sleep(0.05)


def log_tail(log, lines: int = LOG_TAIL_LINES) -> str:
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:]) or "(nothing)"


def stop(process: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Ask the server to shut down (SIGTERM); kill it if it has not stopped in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    # Reap it, so no zombie is left in the process table either.
    process.wait()


def answers(base_url: str) -> bool:
    """Whether anything still accepts connections at `base_url` (False once a server stopped)."""
    host, _, port = base_url.removeprefix("http://").partition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except OSError:
        return False


def quiet_testclient() -> type:
    """FastAPI's TestClient class, imported without Starlette's warning about httpx.

    Starlette 1.x prefers the `httpx2` package and warns, once per process, when it finds only
    httpx. The warning is about packaging, not about the course's code, and it would make the
    notebooks' output depend on whether it was shown before.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    return TestClient
