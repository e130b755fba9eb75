"""Helpers for lesson 04 and for the "try it" cells of its exercises.

- `fresh_client()`: the course's reference service (`bookings`) on a new database, in-process;
- `captured_service_logs()`: the service's JSON log lines as dicts instead of stderr;
- `run_tests(folder, path, bug=...)`: pytest on a project folder in a child process, optionally
  against the course's service with a bug planted (the mechanism exercise 04.4 uses);
- `pytest_in_project(...)`: the learner's own `pytest`, on a throwaway copy of their project,
  printed as counts and the failures' first lines.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bookings.core.config import Settings
from bookings.core.logs import ROOT_LOGGER, JsonFormatter
from bookings.main import create_app
from onboarding import planted, pytest_runs
from onboarding.checks import CheckFailed
from onboarding.protocol import GRADING_VARIABLE
from onboarding.pytest_runs import PytestRun
from onboarding.stages.implementation import judging
from onboarding.stages.implementation.planted_bugs import planted as planted_bug

with warnings.catch_warnings():
    # Starlette warns on import that its test client will move to httpx2; the warning names an
    # absolute path, which must not appear in a notebook's output.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@contextlib.contextmanager
def fresh_client(log_level: str = "WARNING", rules: Any = None) -> Iterator[TestClient]:
    """A TestClient for `create_app()` on a brand-new database file, deleted afterwards.

    The same idea as the `client` fixture in tests: every use starts from an empty database, so
    ids start at 1 and nothing depends on what ran before. `rules` go to the factory's seam.
    """
    with tempfile.TemporaryDirectory(prefix="bookings-") as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level=log_level)
        with TestClient(create_app(settings, rules=rules)) as client:
            yield client


@contextlib.contextmanager
def captured_service_logs() -> Iterator[list[dict[str, Any]]]:
    """Collect the service's JSON log lines as dicts instead of printing them.

    Call it after `create_app()`, which installs the JSON handler; the list fills when the block
    ends.
    """
    logger = logging.getLogger(ROOT_LOGGER)
    handlers = [
        handler
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, JsonFormatter)
    ]
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    entries: list[dict[str, Any]] = []
    try:
        yield entries
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)
        entries.extend(json.loads(line) for line in buffer.getvalue().splitlines() if line)


def run_tests(folder: str | Path, test_path: str, bug: str | None = None) -> PytestRun:
    """pytest on `test_path` of the project in `folder`, in a child process.

    With `bug` (a planted bug's key, such as "cancelled-blocks"), the tests run against the
    course's service with that bug planted, in a copy of the folder; the folder is not changed.
    """
    folder = Path(folder).resolve()
    if bug is None:
        return judging.run_sessions([judging.session("run", folder, test_path)])["run"]
    chosen = planted_bug(bug)
    with tempfile.TemporaryDirectory(prefix="onboard-lesson-") as scratch:
        copy = planted.write_copy(
            folder,
            Path(scratch) / "service",
            judging.STAGE,
            course_service=True,
            learners_rules=False,
            plantable=True,
        )
        return judging.run_sessions([judging.session("run", copy, test_path, bug=chosen)])["run"]


def graded_now() -> bool:
    """Whether `onboard check` is grading this notebook: then only the check cells count, and
    a "try it" cell says so instead of spending seconds on a run nobody reads."""
    if os.environ.get(GRADING_VARIABLE):
        print("(not run while `onboard check` grades this notebook: only the check cells count)")
        return True
    return False


def pytest_in_project(*arguments: str) -> None:
    """Run `pytest` in (a throwaway copy of) your project and print what it found."""
    if graded_now():
        return
    try:
        with judging.learners_project() as copy:
            run = pytest_runs.run(copy, *arguments, python_path=[copy / "src"])
    except CheckFailed as problem:
        print(problem)
        return
    print(f"pytest {' '.join(arguments)}: {run.counts()}".replace("pytest :", "pytest:"))
    for error in run.collection_errors:
        print(f"  could not load {error}")
    for case in run.broken:
        print(f"  {case.name}: {case.why()}")
