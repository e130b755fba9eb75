"""Helpers for lesson 04 and its practice cells (the exercise's "try it" cells are in `try_it`).

- `fresh_client()`: the course's reference service (`bookings`) on a new database, in-process;
- `captured_service_logs()`: the service's JSON log lines as dicts instead of stderr;
- `run_tests(folder, path, bug=...)`: pytest on a project folder in a child process, optionally
  against the course's service with a bug planted (the mechanism exercise 04.4 uses).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bookings.core.config import Settings
from bookings.core.logs import ROOT_LOGGER, JsonFormatter
from bookings.main import create_app
from onboarding import planted
from onboarding.checks import CheckFailed, Expectation, Given, evaluate
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


# --- Quick practice inside the lesson ------------------------------------------------------------


def quick_check(*expectations: Expectation, **inputs: Any) -> None:
    """Judge a lesson's practice cell at once: a ✅/❌ line each, and a line to finish.

    Nothing is published or recorded: practice in a lesson is for the learner alone.
    """
    given = Given(**inputs)
    outcomes = [
        evaluate(
            expectation.text,
            lambda expectation=expectation: expectation.run(given),
            expectation.hint,
        )
        for expectation in expectations
    ]
    for outcome in outcomes:
        print(outcome.line())
    passed = sum(outcome.passed for outcome in outcomes)
    if passed == len(outcomes):
        print("All right: on with the lesson.")
    else:
        print(
            f"{passed} of {len(outcomes)} right so far: change your answer and run both cells again."
        )


def _answered(value: Any, what: str) -> Any:
    if value is None:
        raise CheckFailed(f"{what} is still None: replace it with your answer")
    return value


STATUS_QUESTIONS = {
    "a booking that ends before it starts": (422, "/problems/invalid-range"),
    "seven people in a room for six": (422, "/problems/capacity"),
    "09:30-10:30 when 09:00-10:00 is booked": (409, "/problems/overlap"),
    "a booking for room 99, which does not exist": (404, "/problems/room-not-found"),
}


def _status_of(situation: str) -> Expectation:
    expected_status, expected_type = STATUS_QUESTIONS[situation]

    def run(given: Given) -> None:
        answer = _answered(given.answers.get(situation), f"the answer for {situation!r}")
        # A pair in square brackets is a pair too.
        if not (isinstance(answer, tuple | list) and len(answer) == 2):
            raise CheckFailed(f"{answer!r} is not a (status, problem type) pair")
        status, problem_type = answer
        if not _is_status_code(status) or status != expected_status:
            raise CheckFailed(f"the status {status!r} is not the one the service answers")
        if problem_type != expected_type:
            raise CheckFailed(f"the problem type {problem_type!r} is not the service's")

    hint = (
        "409 is a clash with what the service already holds; 422 a request that cannot succeed "
        "as sent; 404 a missing resource. Types are in errors.py."
    )
    return Expectation(situation, run, hint)


def _is_status_code(value: Any) -> bool:
    """A whole number, `HTTPStatus.CONFLICT` (an int) included; not True, which equals 1."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_statuses(answers: dict[str, Any]) -> None:
    """Practice: the status and problem type the service answers in four situations."""
    quick_check(*(_status_of(situation) for situation in STATUS_QUESTIONS), answers=answers)


def _boundary_table(given: Given) -> None:
    cases = _answered(given.cases, "cases")
    # A row written `pytest.param(7, 422, id="one too many")` holds its pair in `.values`.
    pairs = [getattr(case, "values", case) for case in cases]
    shapeless = [
        repr(pair) for pair in pairs if not (isinstance(pair, tuple | list) and len(pair) == 2)
    ]
    if shapeless:
        raise CheckFailed(f"{', '.join(shapeless)} is not an (attendees, status) pair")
    wrong = [
        f"{attendees} attendees -> {status}"
        for attendees, status in pairs
        if status != (201 if attendees <= 6 else 422)
    ]
    if wrong:
        raise CheckFailed(f"in a room for 6: {'; '.join(wrong)} is not what the rule says")
    counts = {attendees for attendees, _ in pairs}
    missing = [str(n) for n in (6, 7) if n not in counts]
    if missing:
        raise CheckFailed(
            f"no case with {' or '.join(missing)} attendees: the two sides of the boundary"
        )


def check_capacity_cases(cases: Any) -> None:
    """Practice: a parametrize table that tests the capacity rule on both sides of its boundary."""
    quick_check(
        Expectation(
            "every (attendees, status) pair is right for a room of 6, and 6 and 7 are both there",
            _boundary_table,
            hint="Exactly full (6) is a 201; one more (7) is a 422. Those two cases are the boundary.",
        ),
        cases=cases,
    )


def _in_rollout_at(bucket: int, percent: float, expected: bool) -> Expectation:
    def run(given: Given) -> None:
        got = given.in_rollout(bucket, percent)
        if got is not expected:
            raise CheckFailed(f"in_rollout({bucket}, {percent}) returned {got!r}")

    return Expectation(f"bucket {bucket:,} at {percent} % is {'in' if expected else 'out'}", run)


def check_in_rollout(in_rollout: Any) -> None:
    """Practice: which of the 10,000 buckets are in a rollout of `percent` %."""
    quick_check(
        _in_rollout_at(999, 10, True),
        _in_rollout_at(1_000, 10, False),
        _in_rollout_at(0, 0, False),
        _in_rollout_at(9_999, 100, True),
        _in_rollout_at(2_499, 25, True),
        _in_rollout_at(2_500, 25, False),
        in_rollout=in_rollout,
    )
