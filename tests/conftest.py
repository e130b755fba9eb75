"""Shared fixtures: each test gets its own workspace and never touches the real one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from xdist.scheduler import LoadFileScheduling

from onboarding import paths

COURSE_ROOT = paths.course_root()
BIN = Path(sys.executable).parent


# ----------------------------------------------------------------------- scheduling (xdist)
# `make test` runs `pytest -n 2 --dist loadfile`: a test file's tests run on one worker, so its
# module fixtures are built once. The files below are the exceptions: each of their tests stands
# alone (no module fixture, no shared state), and they hold most of the suite's minutes, so each
# test may go to whichever worker is free.
SPREAD_OVER_WORKERS = frozenset(
    {
        "tests/test_course_notebooks.py",
        "tests/test_learner_who_fell_behind.py",
        "tests/browser/test_book_accessibility.py",
        "tests/stages/test_ci.py",
        "tests/stages/test_implementation.py",
        "tests/stages/test_testing.py",
        "tests/stages/test_monitoring_project.py",
        "tests/onboarding/test_grading.py",
    }
)


class FilesTogetherExceptSpread(LoadFileScheduling):
    """`--dist loadfile`, except that each test of a file in SPREAD_OVER_WORKERS is its own unit."""

    def _split_scope(self, nodeid: str) -> str:
        file = nodeid.split("::", 1)[0]
        return nodeid if file in SPREAD_OVER_WORKERS else file


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadfile":
        return FilesTogetherExceptSpread(config, log)
    return None


# The longest files, started first and in this order. Neither needs the book, which a fresh clone
# builds first (one worker, a minute or two) for the book and browser tests.
LONGEST_FIRST = ("tests/test_learner_journey.py", "tests/workshop/test_rehearsal.py")


def hand_out_order(item) -> int:
    """0, 1, … for LONGEST_FIRST; then the other slow tests; then the rest."""
    file = item.nodeid.split("::", 1)[0]
    if file in LONGEST_FIRST:
        return LONGEST_FIRST.index(file)
    return len(LONGEST_FIRST) + (item.get_closest_marker("slow") is None)


def pytest_collection_modifyitems(items):
    """Slow tests first: handed out last, one of them would keep a worker busy while others idle.

    With `--no-loadscope-reorder` (as `make test` runs) xdist hands out files in this order.
    """
    items.sort(key=hand_out_order)


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
