"""Shared fixtures: each test gets its own workspace and never touches the real one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from onboarding import bench_suite, paths

COURSE_ROOT = paths.course_root()
BIN = Path(sys.executable).parent


def longest_files_first() -> list[str]:
    """The test files `tests/longest_files_first.txt` names, longest first (`make bench` reads
    the same list, and names a long file missing from it)."""
    return bench_suite.listed_first(COURSE_ROOT)


def pytest_collection_modifyitems(config, items):
    """Hand the longest test files to the workers first (why: tests/longest_files_first.txt).

    A stable sort: each file's tests stay together and in their order, and files not listed
    keep pytest's order after the listed ones. `make test` passes `--no-loadscope-reorder`, since
    pytest-xdist would otherwise reorder the files by how many tests each has, which put the
    four-test accessibility audit last.
    """
    place = {name: rank for rank, name in enumerate(longest_files_first())}

    def rank(item) -> int:
        try:
            return place.get(item.path.relative_to(config.rootpath).as_posix(), len(place))
        except ValueError:  # a test outside the course's folder, as pytester's are
            return len(place)

    items.sort(key=rank)


@pytest.fixture(autouse=True, scope="session")
def no_orphan_processes():
    """Fail the run if any kernel, server or browser outlives the tests that started it."""
    yield
    survivors = [
        child
        for child in psutil.Process().children(recursive=True)
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    ]
    for child in survivors:
        child.kill()
    assert not survivors, "processes left behind: " + ", ".join(
        " ".join(child.cmdline()[:3]) for child in survivors
    )


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """An empty folder for a learner workspace, wired into the toolkit through the environment."""
    folder = tmp_path / "workspace"
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(folder))
    monkeypatch.delenv("ONBOARD_RECORD_TO", raising=False)
    return folder


@pytest.fixture
def course(tmp_path, monkeypatch) -> Path:
    """A private copy of the course's exercises and solutions, for tests that change them."""
    root = tmp_path / "course"
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE_ROOT / folder, root / folder)
    monkeypatch.setenv("ONBOARD_COURSE_ROOT", str(root))
    return root


def run_onboard(*arguments: str, env: dict | None = None, timeout: float = 120):
    """Run the real `onboard` executable, as a learner would."""
    return subprocess.run(
        [str(BIN / "onboard"), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
