"""A throw-away PostgreSQL server for the store's tests: initdb in a temporary folder.

Debian's `postgresql` package provides initdb and pg_ctl (.ci/run installs it). PostgreSQL
refuses to run as root, so as root the cluster belongs to the `postgres` system user. Without
the package the tests that need it skip on a developer's machine and fail in CI.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import running_in_ci
from tests.workshop.servers import free_port


def postgres_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def require_postgres() -> Path:
    path = postgres_bin()
    if path is not None:
        return path
    reason = "PostgreSQL is not installed (apt-get install postgresql)"
    if running_in_ci():
        pytest.fail(f"{reason}; CI must test the PostgreSQL store.", pytrace=False)
    pytest.skip(reason)


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a cluster on a free loopback port; yields its URL; stops and deletes it after."""
    binaries = require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    run = lambda *args: subprocess.run(  # noqa: E731 - a local shorthand
        [*as_user, *args], check=True, capture_output=True, text=True, timeout=120
    )
    try:
        run(
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        run(
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
