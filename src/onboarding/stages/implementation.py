"""Stage 04's lesson helpers and checks: the booking rules, tests judged by the bugs they catch,
and a feature flag.

- Exercise 04.1: the learner's four rule functions are plugged into the reference service
  (`mutants.plugged_in`) and a hidden suite of API scenarios runs against it through
  TestClient, each on a fresh database. Each scenario is one rule; its ❌ line shows the request.
- Exercise 04.2: the learner's test file runs with pytest in a subprocess, first against the
  correct rules (every test must pass), then once for each planted bug in `mutants.MUTANTS`
  (some test must fail). Feedback names the bug in words, never its code.
- Exercise 04.3: properties of the learner's `is_enabled(flag_name, user_id, rollout_percent,
  killed=False)`: stable answers, the share of users, no randomness, independent flags, a
  rollout that only adds users, and a kill switch.

Every `require_*` function raises CheckFailed (or AssertionError) with a plain sentence, and
returns quietly when all is well. Nothing printed here depends on time, paths or ports.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import logging
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bookings.core.config import Settings
from bookings.core.logs import ROOT_LOGGER, JsonFormatter
from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from bookings.main import create_app
from onboarding.checks import SHOWN_PROBLEMS, CheckFailed, CheckTimeout, describe_exception
from onboarding.stages import mutants
from onboarding.stages.mutants import MUTANTS, RULE_NAMES, Mutant, Rules

with warnings.catch_warnings():
    # Starlette warns on import that its test client will move to httpx2; the warning names an
    # absolute path, which must not appear in a check's output.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DAY = "2030-01-07"


def at(clock: str) -> str:
    """The API's UTC timestamp for a clock time such as 09:00 on the course's fixed day."""
    return f"{DAY}T{clock}:00Z"


def clock_of(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%H:%M")


def _join(problems: Sequence[str], limit: int = SHOWN_PROBLEMS) -> str:
    shown = "; ".join(problems[:limit])
    if len(problems) > limit:
        shown += f"; and {len(problems) - limit} more"
    return shown


# --- Lesson helpers ----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_client(log_level: str = "WARNING") -> Iterator[TestClient]:
    """A TestClient for `create_app()` on a brand-new database file, deleted afterwards.

    The same idea as the `client` fixture in tests: every use starts from an empty database, so
    ids start at 1 and nothing depends on what ran before.
    """
    with tempfile.TemporaryDirectory(prefix="bookings-") as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level=log_level)
        with TestClient(create_app(settings)) as client:
            yield client


@contextlib.contextmanager
def captured_service_logs() -> Iterator[list[dict[str, Any]]]:
    """Collect the service's JSON log lines as dicts instead of printing them.

    Call it after `create_app()`, which installs the JSON handler; the list fills when the
    block ends.
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


# --- Running pytest in a subprocess ------------------------------------------------------------


@dataclass
class PytestRun:
    """What one pytest run found, read from its JUnit XML report (no timings kept)."""

    returncode: int | None
    """None when the run was stopped for taking too long."""
    passed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(test name, first line of why) for each failure or error."""
    skipped: int = 0
    collection_errors: list[str] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def total(self) -> int:
        return self.passed + len(self.failed) + self.skipped

    def summary(self) -> str:
        """Counts in pytest's order, e.g. "1 failed, 3 passed"; never a timing."""
        if self.timed_out:
            return "stopped: took too long"
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.passed:
            parts.append(f"{self.passed} passed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.collection_errors:
            count = len(self.collection_errors)
            parts.append(f"{count} error{'s' if count > 1 else ''}")
        return ", ".join(parts) or "no tests ran"


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def clean(text: str, folder: Path) -> str:
    """Remove what changes between runs: the temporary folder and memory addresses."""
    text = text.replace(f"{folder}{os.sep}", "").replace(str(folder), ".")
    return ADDRESS.sub("", text)


def read_junit(report: Path, folder: Path) -> PytestRun:
    run = PytestRun(returncode=0)
    if not report.is_file():
        return run
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if case.find("skipped") is not None:
            run.skipped += 1
        elif problem is None:
            run.passed += 1
        elif problem.get("message") == "collection failure":
            run.collection_errors.append(clean(_last_error_line(problem.text or ""), folder))
        else:
            why = (problem.get("message") or "").strip().splitlines()
            # pytest words the same failed assert with or without this prefix.
            first = why[0].removeprefix("AssertionError: ") if why else "failed"
            run.failed.append((case.get("name", "?"), clean(first, folder)))
    return run


def _last_error_line(text: str) -> str:
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return lines[-1] if lines else (text.strip().splitlines() or ["an error"])[-1]


def pytest_environment() -> dict[str, str]:
    """The environment for a child pytest: no outside plugins, options or planted bug."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    # Installed plugins (schemathesis, hypothesis, xdist…) cost start-up time and change nothing.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # No __pycache__ written into the learner's folder, or raced for by two runs.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop(mutants.MUTANT_VARIABLE, None)
    return env


class VariantRun:
    """One child Python that runs a test file against some variants of the rules, in turn.

    Started at once and waited for later, so two of them can run side by side.
    """

    def __init__(
        self, folder: Path, test_file: str, keys: Sequence[str], *, stop_at_first: bool = False
    ) -> None:
        self.folder = folder
        self.keys = list(keys)
        # Reports live outside `folder`, which may be a folder of the repository.
        self.reports = Path(tempfile.mkdtemp(prefix="onboard-pytest-"))
        self.log = (self.reports / "output.txt").open("w+", encoding="utf-8")
        command = [
            sys.executable,
            "-c",
            "from onboarding.stages.mutants import main; main()",
            test_file,
            str(self.reports),
            *(["-x"] if stop_at_first else []),
            *self.keys,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=folder,
            env=pytest_environment(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group, so a stuck run is stopped with everything it started.
            start_new_session=True,
        )
        self.results: dict[str, PytestRun] | None = None

    def wait(self, deadline: float) -> dict[str, PytestRun]:
        """Results by key; variants not finished by `deadline` (time.monotonic) are timed out."""
        if self.results is None:
            try:
                self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self.stop()
            self.results = {key: self._result(key) for key in self.keys}
        return self.results

    def _result(self, key: str) -> PytestRun:
        rc_file = self.reports / f"{key}.rc"
        if not rc_file.is_file():
            return PytestRun(returncode=None)
        run = read_junit(self.reports / f"{key}.xml", self.folder)
        run.returncode = int(rc_file.read_text(encoding="utf-8"))
        return run

    def output(self) -> str:
        self.log.seek(0)
        return clean(self.log.read(), self.folder)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        """Stop the run if it is still going and remove its reports."""
        self.stop()
        self.log.close()
        shutil.rmtree(self.reports, ignore_errors=True)


def run_pytest(
    folder: Path | str, test_file: str, *, mutant: str | None = None, timeout: float = 60.0
) -> PytestRun:
    """Run one test file with pytest in a subprocess, with a planted bug if `mutant` names one."""
    folder = Path(folder).resolve()
    key = mutant or mutants.REFERENCE_KEY
    run = VariantRun(folder, test_file, [key])
    try:
        return run.wait(time.monotonic() + timeout)[key]
    finally:
        run.close()


# --- Exercise 04.1: the booking rules, plugged into the service ---------------------------------

ROOMS = ({"id": 1, "name": "Oak", "capacity": 6}, {"id": 2, "name": "Elm", "capacity": 12})


@dataclass(frozen=True)
class Stored:
    """A booking already in the database before the request (inserted directly, no rules)."""

    start: str
    end: str
    room: int = 1
    cancelled: bool = False

    def describe(self) -> str:
        state = "cancelled " if self.cancelled else ""
        return f"a {state}{self.start}–{self.end} booking in room {self.room}"


@dataclass(frozen=True)
class Attempt:
    start: str
    end: str
    expect: int
    problem: str | None = None
    """The problem type a refusal must carry, e.g. /problems/overlap."""
    attendees: int = 2
    room: int = 1
    conflicting_id: int | None = None

    def request(self) -> str:
        return (
            f"POST /rooms/{self.room}/bookings "
            f"{{start {self.start}, end {self.end}, attendees {self.attendees}}}"
        )

    def expected(self) -> str:
        return f"{self.expect} ({self.problem})" if self.problem else str(self.expect)


@dataclass(frozen=True)
class Scenario:
    rule: str
    hint: str
    attempts: tuple[Attempt, ...]
    stored: tuple[Stored, ...] = ()

    def context(self) -> str:
        if not self.stored:
            return "in an empty room 1 (capacity 6)"
        return "after " + " and ".join(booking.describe() for booking in self.stored)


INVALID = "/problems/invalid-range"
CAPACITY = "/problems/capacity"
OVERLAP = "/problems/overlap"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "a booking that ends after it starts is accepted",
        "check_time_range should return quietly (return None) when end > start.",
        (Attempt("09:00", "10:00", 201),),
    ),
    Scenario(
        "a booking whose end equals its start is refused",
        "Refuse end <= start, not only end < start: raise InvalidTimeRange().",
        (Attempt("09:00", "09:00", InvalidTimeRange.status, INVALID),),
    ),
    Scenario(
        "a booking that ends before it starts is refused",
        "Compare the datetimes: when end <= start, raise InvalidTimeRange().",
        (Attempt("10:00", "09:00", InvalidTimeRange.status, INVALID),),
    ),
    Scenario(
        "a booking that exactly fills the room is accepted",
        "Exactly full is fine: refuse only when attendees > capacity.",
        (Attempt("09:00", "10:00", 201, attendees=6),),
    ),
    Scenario(
        "one attendee more than the room holds is refused",
        "When attendees > capacity, raise CapacityExceeded(attendees, capacity).",
        (Attempt("09:00", "10:00", CapacityExceeded.status, CAPACITY, attendees=7),),
    ),
    Scenario(
        "an overlapping booking in the same room is refused, naming the booking in the way",
        "For each live booking of the room, if overlaps(start, end, booking.start, booking.end), "
        "raise OverlapConflict(conflicting_booking_id=booking.id).",
        tuple(
            Attempt(start, end, OverlapConflict.status, OVERLAP, conflicting_id=1)
            for start, end in (
                ("09:30", "10:30"),
                ("08:30", "09:30"),
                ("09:15", "09:45"),
                ("08:00", "11:00"),
                ("09:00", "10:00"),
            )
        ),
        (Stored("09:00", "10:00"),),
    ),
    Scenario(
        "back-to-back bookings are allowed",
        "Two bookings overlap when a_start < b_end and b_start < a_end, with a strict <: "
        "one ending as the other starts is fine.",
        (Attempt("10:00", "11:00", 201), Attempt("08:00", "09:00", 201)),
        (Stored("09:00", "10:00"),),
    ),
    Scenario(
        "a cancelled booking does not block its slot",
        "Skip the bookings in `existing` whose `cancelled` is True.",
        (Attempt("09:00", "10:00", 201),),
        (Stored("09:00", "10:00", cancelled=True),),
    ),
    Scenario(
        "a booking in another room does not block",
        "`existing` holds every room's bookings: compare only those whose room_id equals the "
        "room_id argument.",
        (Attempt("09:00", "10:00", 201),),
        (Stored("09:00", "10:00", room=2),),
    ),
)


def learner_rules(namespace: Mapping[str, Any]) -> Rules | None:
    """The four rules from the learner's notebook, or None if any is missing."""
    functions = [namespace.get(name) for name in RULE_NAMES]
    if not all(callable(function) for function in functions):
        return None
    return Rules(*functions)


def require_rules(namespace: Mapping[str, Any]) -> None:
    missing = [name for name in RULE_NAMES if not callable(namespace.get(name))]
    if missing:
        raise CheckFailed(
            f"not defined: {', '.join(missing)} — run the cell that defines them "
            "(and fix any error it shows)"
        )


OVERLAP_CASES = (
    (("09:00", "10:00"), True, "the same slot"),
    (("09:15", "09:45"), True, "inside it"),
    (("08:00", "11:00"), True, "all around it"),
    (("08:30", "09:30"), True, "across its start"),
    (("09:30", "10:30"), True, "across its end"),
    (("08:00", "09:00"), False, "ending as it starts"),
    (("10:00", "11:00"), False, "starting as it ends"),
    (("11:00", "12:00"), False, "later"),
)


def _time(clock: str) -> datetime:
    return datetime.fromisoformat(at(clock).replace("Z", "+00:00"))


def require_overlaps(overlaps: Callable[..., Any]) -> None:
    """overlaps() against 09:00–10:00 in both argument orders."""
    nine, ten = _time("09:00"), _time("10:00")
    problems = []
    for (start, end), expected, shape in OVERLAP_CASES:
        for args in ((_time(start), _time(end), nine, ten), (nine, ten, _time(start), _time(end))):
            got = overlaps(*args)
            if got is not expected:
                shown = ", ".join(clock_of(value) for value in args)
                problems.append(
                    f"overlaps({shown}) returned {got!r}, expected {expected} ({shape})"
                )
    if problems:
        raise CheckFailed(_join(problems))


def run_scenario(scenario: Scenario, rules: Rules) -> None:
    """Send the scenario's requests to the service enforcing `rules`; raise on the first miss."""
    with tempfile.TemporaryDirectory(prefix="bookings-04-1-") as folder:
        # CRITICAL: a learner's exception must not print a log line (with a timestamp) here.
        settings = Settings(database=Path(folder) / "bookings.db", log_level="CRITICAL")
        with mutants.plugged_in(rules), TestClient(create_app(settings)) as client:
            _store(settings.database, scenario.stored)
            for attempt in scenario.attempts:
                problem = _attempt_problem(client, attempt, scenario.context())
                if problem:
                    raise CheckFailed(problem)


def _store(path: Path, stored: Sequence[Stored]) -> None:
    from bookings.core.db import open_database

    db = open_database(path)
    try:
        db["rooms"].insert_all(ROOMS)
        db["bookings"].insert_all(
            {
                "room_id": booking.room,
                "organiser": "amara@example.com",
                "start": at(booking.start),
                "end": at(booking.end),
                "attendees": 2,
                "cancelled": int(booking.cancelled),
                "cancelled_at": at("08:00") if booking.cancelled else None,
            }
            for booking in stored
        )
    finally:
        db.close()


def _attempt_problem(client: TestClient, attempt: Attempt, context: str) -> str | None:
    body = {
        "organiser": "bo@example.com",
        "start": at(attempt.start),
        "end": at(attempt.end),
        "attendees": attempt.attendees,
    }
    said = f"{attempt.request()} {context}"
    try:
        response = client.post(f"/rooms/{attempt.room}/bookings", json=body)
    except (NotImplementedError, CheckTimeout):
        raise
    except sqlite3.IntegrityError:
        return (
            f"{said} reached the database, whose CHECK constraint refused it (a 500), "
            f"expected {attempt.expected()}: the rule functions let it through"
        )
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        return f"{said}: {describe_exception(error)}"
    answer = response.json() if response.headers.get("content-type", "").endswith("json") else {}
    problem_type = answer.get("type") if isinstance(answer, dict) else None
    got = f"{response.status_code} ({problem_type})" if problem_type else str(response.status_code)
    if response.status_code != attempt.expect or (
        attempt.problem and problem_type != attempt.problem
    ):
        return f"{said} returned {got}, expected {attempt.expected()}"
    if attempt.conflicting_id is not None:
        conflicting = answer.get("conflicting_booking_id")
        if conflicting != attempt.conflicting_id:
            return (
                f"{said} returned {response.status_code} with conflicting_booking_id {conflicting!r}, "
                f"expected {attempt.conflicting_id} (the booking in the way)"
            )
    return None


# --- Exercise 04.2: tests judged by the bugs they catch -----------------------------------------

TEST_FILE = "test_booking_rules.py"

CONFTEST = '''\
"""Written by the 04.2 check: the `client` fixture your tests may use."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bookings.core.config import Settings
from bookings.main import create_app
from fastapi.testclient import TestClient


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client for the booking service on its own, empty database."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client
'''

BOOKING_RULES = '''\
"""Written by the 04.2 check: the four booking rules under test, correct or with a bug planted."""

from onboarding.stages.mutants import active_rules, make_booking

_rules = active_rules()
check_time_range = _rules.check_time_range
check_capacity = _rules.check_capacity
overlaps = _rules.overlaps
check_no_overlap = _rules.check_no_overlap

__all__ = ["check_capacity", "check_no_overlap", "check_time_range", "make_booking", "overlaps"]
'''

REFERENCE_BUDGET = 20.0
MUTANTS_BUDGET = 25.0


def test_functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions pytest would collect: test_* at the top level or in a Test* class."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            found.append(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found.extend(
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and item.name.startswith("test")
            )
    return found


def _checks_something(node: ast.AST) -> bool:
    """An assert, or a call of something named raises (pytest.raises, raises)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call):
            function = child.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name in ("raises", "fail"):
                return True
    return False


def _does_something(function: ast.AST) -> bool:
    return _checks_something(function) or any(
        isinstance(child, ast.Call) for child in ast.walk(function)
    )


class SuiteJudge:
    """Judges one test file: it must test something, pass on the correct rules, and fail for
    each planted bug.

    The first run starts two child processes side by side, one for the correct rules and one
    for every planted bug in turn; `close()` stops them and removes their folder.
    """

    def __init__(self, path: str | Path = TEST_FILE) -> None:
        self.path = Path(path)
        self._tree: ast.Module | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self._reference: VariantRun | None = None
        self._mutants: VariantRun | None = None
        self._started = 0.0

    def __enter__(self) -> SuiteJudge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Static checks: read the file, never run it.

    def tree(self) -> ast.Module:
        if self._tree is None:
            if not self.path.is_file():
                raise CheckFailed(
                    f"{self.path.name} does not exist yet — run the %%writefile cell that creates it"
                )
            source = self.path.read_text(encoding="utf-8")
            try:
                self._tree = ast.parse(source, filename=self.path.name)
            except SyntaxError as error:
                raise CheckFailed(
                    f"{self.path.name} has a syntax error on line {error.lineno}: {error.msg}"
                ) from None
        return self._tree

    def require_tests(self) -> None:
        if not test_functions(self.tree()):
            raise CheckFailed(
                f"{self.path.name} has no test functions; pytest collects functions whose names "
                "start with test_, at the top level of the file (or in a class named Test…)"
            )

    def require_assertions(self) -> None:
        tree = self.tree()
        if not _checks_something(tree):
            raise CheckFailed(
                "there is no assert statement and no pytest.raises in the file, so every test "
                "passes whatever the code does"
            )
        idle = [function.name for function in test_functions(tree) if not _does_something(function)]
        if idle:
            raise CheckFailed(
                f"{_join(idle)} {'does' if len(idle) == 1 else 'do'} nothing: no call and no assert"
            )

    # Runs.

    def start(self) -> None:
        if self._folder is not None:
            return
        self.tree()  # the file must exist and parse before it is run
        self._folder = tempfile.TemporaryDirectory(prefix="onboard-04-2-")
        project = Path(self._folder.name).resolve()
        (project / "conftest.py").write_text(CONFTEST, encoding="utf-8")
        (project / "booking_rules.py").write_text(BOOKING_RULES, encoding="utf-8")
        shutil.copyfile(self.path, project / TEST_FILE)
        self._started = time.monotonic()
        self._reference = VariantRun(project, TEST_FILE, [mutants.REFERENCE_KEY])
        self._mutants = VariantRun(project, TEST_FILE, [m.key for m in MUTANTS], stop_at_first=True)

    def close(self) -> None:
        for run in (self._reference, self._mutants):
            if run is not None:
                run.close()
        if self._folder is not None:
            self._folder.cleanup()

    def reference(self) -> PytestRun:
        self.start()
        assert self._reference is not None
        return self._reference.wait(self._started + REFERENCE_BUDGET)[mutants.REFERENCE_KEY]

    def require_passing_on_reference(self) -> None:
        run = self.reference()
        if run.timed_out:
            raise CheckFailed(
                f"your tests did not finish within {REFERENCE_BUDGET:g} s on the correct rules "
                "— is a test waiting or looping?"
            )
        if run.collection_errors:
            raise CheckFailed(
                f"pytest could not load {self.path.name}: {_join(run.collection_errors, 1)}"
            )
        if run.failed:
            failures = [f"{name} ({why})" for name, why in run.failed]
            raise CheckFailed(
                f"{len(run.failed)} of {run.total} test(s) fail on the correct rules, so they "
                f"expect something the rules do not say: {_join(failures)}"
            )
        if run.returncode == 5 or run.total == 0:
            raise CheckFailed(f"pytest collected no tests from {self.path.name}")
        if run.returncode != 0:
            assert self._reference is not None
            raise CheckFailed(
                f"pytest stopped with exit code {run.returncode}: {_tail(self._reference.output())}"
            )
        if run.passed == 0:
            raise CheckFailed("every test was skipped, so nothing was tested")

    def mutant_runs(self) -> dict[str, PytestRun]:
        self.start()
        assert self._mutants is not None
        return self._mutants.wait(self._started + MUTANTS_BUDGET)

    def require_caught(self, mutant: Mutant) -> None:
        run = self.mutant_runs()[mutant.key]
        if run.timed_out:
            raise CheckFailed(
                "the tests did not finish in time with this bug planted, so it was not caught "
                "— is a test waiting or looping?"
            )
        if run.returncode not in (1, 2):
            raise CheckFailed("no test failed when that bug was planted")


def _tail(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


# --- Exercise 04.3: a flag with a percentage rollout --------------------------------------------

USERS = tuple(f"user-{number}" for number in range(10_000))
TARGET_PERCENT = 10
TOLERANCE = 1.5


def require_function(namespace: Mapping[str, Any], name: str = "is_enabled") -> Callable[..., Any]:
    function = namespace.get(name)
    if not callable(function):
        raise CheckFailed(f"`{name}` is not defined — run the cell that defines it")
    return function


def enabled_users(
    is_enabled: Callable[..., Any],
    flag_name: str,
    percent: float,
    killed: bool = False,
    users: Sequence[str] = USERS,
) -> frozenset[str]:
    return frozenset(user for user in users if is_enabled(flag_name, user, percent, killed=killed))


def require_stable_answers(is_enabled: Callable[..., Any]) -> None:
    for user in USERS[:20]:
        answers = [is_enabled("recurring_bookings", user, TARGET_PERCENT) for _ in range(100)]
        kinds = sorted({type(answer).__name__ for answer in answers})
        if kinds != ["bool"]:
            raise CheckFailed(f"is_enabled returned {'/'.join(kinds)}, expected True or False")
        if len(set(answers)) > 1:
            raise CheckFailed(
                f"{user!r} got {answers.count(True)} True and {answers.count(False)} False "
                "in 100 calls"
            )


def require_share(is_enabled: Callable[..., Any]) -> None:
    count = len(enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT))
    share = 100 * count / len(USERS)
    if abs(share - TARGET_PERCENT) > TOLERANCE:
        raise CheckFailed(
            f"{count:,} of {len(USERS):,} users ({share:.1f} %) were enabled, expected "
            f"{TARGET_PERCENT - TOLERANCE:g}–{TARGET_PERCENT + TOLERANCE:g} %"
        )


def require_bounds(is_enabled: Callable[..., Any]) -> None:
    users = USERS[:2000]
    at_zero = len(enabled_users(is_enabled, "recurring_bookings", 0, users=users))
    at_hundred = len(enabled_users(is_enabled, "recurring_bookings", 100, users=users))
    problems = []
    if at_zero:
        problems.append(f"{at_zero} of {len(users):,} users were enabled at 0 %")
    if at_hundred != len(users):
        problems.append(f"{len(users) - at_hundred} of {len(users):,} users were left out at 100 %")
    if problems:
        raise CheckFailed(_join(problems))


@contextlib.contextmanager
def another_process() -> Iterator[None]:
    """Act like a fresh interpreter: a differently salted hash() and a differently seeded random."""
    real_hash = builtins.hash
    state = random.getstate()
    builtins.hash = lambda value: real_hash(("a new process", value))
    random.seed(20_300_107)
    try:
        yield
    finally:
        builtins.hash = real_hash
        random.setstate(state)


def require_same_after_restart(is_enabled: Callable[..., Any]) -> None:
    users = USERS[:2000]
    here = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT, users=users)
    with another_process():
        there = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT, users=users)
    changed = len(here ^ there)
    if changed:
        raise CheckFailed(
            f"{changed} of {len(users):,} users got a different answer in a new process; Python's "
            "hash() is salted differently in every process, and random is random"
        )


def require_independent_flags(is_enabled: Callable[..., Any]) -> None:
    first = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT)
    second = enabled_users(is_enabled, "lobby_screens", TARGET_PERCENT)
    both = len(first & second)
    smaller = min(len(first), len(second))
    if smaller and both >= smaller / 2:
        raise CheckFailed(
            f"{both:,} users have both flags out of {smaller:,}: the flags picked (almost) "
            "the same users, so every early adopter gets every experiment"
        )


def require_rollout_only_adds(is_enabled: Callable[..., Any]) -> None:
    before = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT)
    after = enabled_users(is_enabled, "recurring_bookings", 50)
    lost = len(before - after)
    if lost:
        raise CheckFailed(
            f"{lost:,} of the {len(before):,} users who had the flag at 10 % lost it at 50 %"
        )


def require_kill_switch(is_enabled: Callable[..., Any]) -> None:
    still_on = [
        percent
        for percent in (TARGET_PERCENT, 100)
        if enabled_users(is_enabled, "recurring_bookings", percent, killed=True, users=USERS[:2000])
    ]
    if still_on:
        shown = " and ".join(f"{percent} %" for percent in still_on)
        raise CheckFailed(f"with killed=True some users were still enabled at {shown}")


FLAG_EXPECTATIONS: tuple[tuple[str, Callable[[Callable[..., Any]], None], str], ...] = (
    (
        "the same user gets the same answer 100 times in a row",
        require_stable_answers,
        "Derive the answer from the flag name and the user id only: hash them, do not draw a "
        "random number.",
    ),
    (
        "about 10 % of 10,000 users are enabled at rollout_percent=10 (8.5–11.5 %)",
        require_share,
        "Turn the hash into a bucket from 0 to 9,999 (int.from_bytes(digest[:8], 'big') "
        "% 10_000) and enable the buckets below rollout_percent * 100.",
    ),
    (
        "0 % enables nobody and 100 % enables everybody",
        require_bounds,
        "With buckets 0–9,999, `bucket < rollout_percent * 100` gives exactly that.",
    ),
    (
        "the same users are enabled in a new process",
        require_same_after_restart,
        "Use hashlib.sha256(f'{flag_name}:{user_id}'.encode()), not hash() or random.",
    ),
    (
        "two flags at 10 % pick different users",
        require_independent_flags,
        "Put the flag's name into what you hash, so each flag gets its own buckets.",
    ),
    (
        "raising the rollout from 10 % to 50 % keeps everyone who had it",
        require_rollout_only_adds,
        "Compare a fixed bucket with a threshold: a user below 10 % is then below 50 % too.",
    ),
    (
        "the kill switch turns the flag off for everybody, even at 100 %",
        require_kill_switch,
        "Check `killed` first and return False.",
    ),
)
