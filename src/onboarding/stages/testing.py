"""Stage 05's lesson helpers and exercise checks: integration, contract and load tests.

The helpers live in sibling modules and are re-exported here, so a notebook imports one name:

- `running_server` (testing_server): the service under uvicorn on a free loopback port;
- `contract_test` (testing_contract): schemathesis against the OpenAPI spec;
- `run_load_test`, `LoadRun` (testing_load): Locust in a child process, and what it measured;
- planted variants (testing_variants): the bugs the exercises' tests must catch.

Each exercise has a small class whose `require_*` methods raise `CheckFailed` with a plain
sentence; a check cell hands them to `Exercise.expect`. Nothing here prints.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from bookings.core.config import Settings
from onboarding import numbers
from onboarding.checks import CheckFailed

from .testing_contract import CHECKS, ContractReport, contract_test, reference_spec
from .testing_load import (
    LoadRun,
    load_test_seconds,
    percentile,
    reference_locustfile,
    run_load_test,
    summary_lines,
)
from .testing_server import answers, quiet_testclient, running_server
from .testing_variants import (
    OVERLAP_BUG,
    PLANTED_BUG_ENV,
    SLOW_DELAY_SECONDS,
    app_with_bookings_router,
    assemble_app,
    create_slow_app,
    overlap_check_ignores_earlier_bookings,
)

# Imported once, quietly, so that a lesson's own `from fastapi.testclient import TestClient`
# does not print Starlette's packaging warning (see testing_server.quiet_testclient).
TestClient = quiet_testclient()

__all__ = [
    "CHECKS",
    "ContractReport",
    "DriftCheck",
    "IntegrationTestCheck",
    "LoadRun",
    "PytestOutcome",
    "SloCheck",
    "TestClient",
    "answers",
    "app_with_bookings_router",
    "assemble_app",
    "contract_test",
    "create_slow_app",
    "load_test_seconds",
    "overlap_check_ignores_earlier_bookings",
    "percentile",
    "reference_locustfile",
    "reference_spec",
    "run_load_test",
    "run_pytest",
    "running_server",
    "summary_lines",
]

PYTEST_TIMEOUT = 120


# --- Running pytest in a child process --------------------------------------------------------


@dataclass(frozen=True)
class PytestOutcome:
    """What a pytest run did: counts, and the first failure's message if any."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    deselected: int = 0
    first_failure: str = ""
    output: str = field(default="", repr=False)

    @property
    def collected(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def counts(self) -> str:
        """The counts as pytest words them, e.g. "3 passed, 1 deselected"."""
        parts = [
            f"{number} {word}"
            for number, word in (
                (self.passed, "passed"),
                (self.failed, "failed"),
                (self.errors, "error" if self.errors == 1 else "errors"),
                (self.skipped, "skipped"),
                (self.deselected, "deselected"),
            )
            if number
        ]
        return ", ".join(parts) or "no tests ran"

    def summary(self) -> str:
        """The counts, and the first failure's message when there is one."""
        if self.first_failure and (self.failed or self.errors):
            return f"{self.counts()}: {self.first_failure}"
        return self.counts()


def pytest_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: no plugin autoloading, no bytecode, no Pact telemetry."""
    environment = {
        **os.environ,
        # Installed plugins (nbval, schemathesis, locust's, …) cost seconds to load and are not
        # what these runs are about; a test that needs one loads it with -p.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PACT_DO_NOT_TRACK": "true",
    }
    environment.update(extra or {})
    return environment


def pytest_command(folder: Path, arguments: Sequence[str], report: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--color=no",
        f"--junitxml={report}",
        "-o",
        "junit_family=xunit2",
        f"--rootdir={folder}",
        *arguments,
    ]


def run_pytest(
    folder: str | Path, *arguments: str, env: dict[str, str] | None = None
) -> PytestOutcome:
    """Run pytest in `folder`, in a child process, and read its JUnit report."""
    folder = Path(folder).resolve()
    with tempfile.TemporaryDirectory(prefix="pytest-report-") as reports:
        report = Path(reports) / "report.xml"
        result = subprocess.run(
            pytest_command(folder, arguments, report),
            cwd=folder,
            env=pytest_environment(env),
            capture_output=True,
            text=True,
            timeout=PYTEST_TIMEOUT,
        )
        return read_outcome(report, result.stdout + result.stderr)


def start_pytest(folder: Path, arguments: Sequence[str], report: Path, env: dict[str, str]):
    """Like run_pytest, but return the running process, so two runs can overlap."""
    return subprocess.Popen(
        pytest_command(folder, arguments, report),
        cwd=folder,
        env=pytest_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_outcome(report: Path, output: str) -> PytestOutcome:
    deselected = re.search(r"(\d+) deselected", output)
    counts = {"deselected": int(deselected[1]) if deselected else 0}
    if not report.is_file():
        # pytest stopped before writing a report (a usage error): the output says why.
        return PytestOutcome(errors=1, first_failure=last_line(output), output=output, **counts)
    suite = ElementTree.parse(report).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    failed = errors = skipped = 0
    first_failure = ""
    for case in suite.iter("testcase"):
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                if child.tag == "failure":
                    failed += 1
                elif child.tag == "error":
                    errors += 1
                else:
                    skipped += 1
                if child.tag != "skipped" and not first_failure:
                    first_failure = failure_message(child)
                break
    total = len(list(suite.iter("testcase")))
    return PytestOutcome(
        passed=total - failed - errors - skipped,
        failed=failed,
        errors=errors,
        skipped=skipped,
        first_failure=first_failure,
        output=output,
        **counts,
    )


def failure_message(element: ElementTree.Element) -> str:
    """The most telling line of a JUnit failure: pytest's `E   …` line, or its message."""
    text = element.text or ""
    explanations = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    if explanations:
        return explanations[0]
    return " ".join((element.get("message") or last_line(text)).split())


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def shorten(text: str, width: int = 140) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder="…")


# --- Exercise 05.1: an integration test that catches a bug across requests ---------------------

EXERCISE_TEST_FILE = "test_integration.py"

# The fixture the learner's test uses; the planted-bug switch is only in the check's copy.
CLIENT_FIXTURE = '''\
import pytest
from fastapi.testclient import TestClient

from bookings.core.config import Settings
from bookings.main import create_app


@pytest.fixture
def client(tmp_path):
    """The booking service on a fresh SQLite file; every test gets its own."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client
'''

CHECK_CONFTEST = '''\
"""Written by the exercise 05.1 check: the `client` fixture, and the planted bug."""

import os

import pytest
from fastapi.testclient import TestClient

from bookings.core.config import Settings
from bookings.main import create_app
from onboarding.stages.testing_variants import (
    OVERLAP_BUG,
    PLANTED_BUG_ENV,
    overlap_check_ignores_earlier_bookings,
)


@pytest.fixture
def client(tmp_path):
    """The booking service on a fresh SQLite file; every test gets its own."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as client:
        yield client


@pytest.fixture(autouse=True)
def planted_bug():
    """When the check asks for it, the overlap rule ignores earlier bookings."""
    if os.environ.get(PLANTED_BUG_ENV) == OVERLAP_BUG:
        with overlap_check_ignores_earlier_bookings():
            yield
    else:
        yield
'''
CHECK_PYTEST_ARGUMENTS = ("-p", "no:warnings", EXERCISE_TEST_FILE)


def prepare_test_folder(test_file: Path, folder: Path) -> None:
    """Copy the learner's test file beside the check's conftest."""
    shutil.copyfile(test_file, folder / EXERCISE_TEST_FILE)
    (folder / "conftest.py").write_text(CHECK_CONFTEST, encoding="utf-8")


def run_against_reference(test_file: str | Path = EXERCISE_TEST_FILE) -> PytestOutcome:
    """Run the learner's test file against the reference service (for the learner's own tries)."""
    with tempfile.TemporaryDirectory(prefix="exercise-05-1-") as folder:
        prepare_test_folder(Path(test_file), Path(folder))
        return run_pytest(folder, *CHECK_PYTEST_ARGUMENTS)


class IntegrationTestCheck:
    """Exercise 05.1: the learner's test passes on the service and fails on the planted bug."""

    def __init__(self, test_file: str | Path = EXERCISE_TEST_FILE) -> None:
        self.test_file = Path(test_file)

    @cached_property
    def tree(self) -> ast.Module:
        if not self.test_file.is_file():
            raise CheckFailed(
                f"{self.test_file.name} does not exist yet — run the %%writefile cell that creates it"
            )
        source = self.test_file.read_text(encoding="utf-8")
        try:
            return ast.parse(source, filename=self.test_file.name)
        except SyntaxError as error:
            raise CheckFailed(
                f"{self.test_file.name} is not valid Python: line {error.lineno}: {error.msg}"
            ) from None

    def test_functions(self) -> list[ast.FunctionDef]:
        return [
            node
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
        ]

    def require_tests(self) -> None:
        if not self.test_functions():
            raise CheckFailed(
                f"{self.test_file.name} has no test function (a top-level `def test_…(client):`)"
            )

    def require_assertions(self) -> None:
        empty = [test.name for test in self.test_functions() if not asserts_something(test)]
        if empty:
            raise CheckFailed(
                f"{', '.join(empty)} has no assert, so it passes whatever the service answers"
            )

    @cached_property
    def outcomes(self) -> tuple[PytestOutcome, PytestOutcome]:
        """The learner's tests against the reference, and against the planted bug (in parallel)."""
        with tempfile.TemporaryDirectory(prefix="exercise-05-1-") as scratch:
            runs = []
            try:
                for name, bug in (("reference", ""), ("planted", OVERLAP_BUG)):
                    folder = Path(scratch) / name
                    folder.mkdir()
                    prepare_test_folder(self.test_file, folder)
                    report = folder / "report.xml"
                    process = start_pytest(
                        folder, CHECK_PYTEST_ARGUMENTS, report, {PLANTED_BUG_ENV: bug}
                    )
                    runs.append((process, report))
                outcomes = [
                    read_outcome(report, process.communicate(timeout=PYTEST_TIMEOUT)[0])
                    for process, report in runs
                ]
            finally:
                # Also when the check's time limit interrupts the wait: no run is left behind.
                for process, _ in runs:
                    if process.poll() is None:
                        process.kill()
                    process.wait()
        return outcomes[0], outcomes[1]

    def require_pass_on_reference(self) -> None:
        reference, _ = self.outcomes
        if reference.collected == 0:
            raise CheckFailed(
                f"pytest collected no test from {self.test_file.name}: "
                f"{shorten(reference.first_failure or last_line(reference.output))}"
            )
        if reference.failed or reference.errors:
            raise CheckFailed(
                f"your test fails against the correct service ({reference.counts()}): "
                f"{shorten(reference.first_failure)}"
            )

    def require_fail_on_planted_bug(self) -> None:
        _, planted = self.outcomes
        if not (planted.failed or planted.errors):
            raise CheckFailed(
                "your test passes even when the overlap check ignores earlier bookings, "
                "so it would not catch that bug"
            )


def asserts_something(function: ast.FunctionDef) -> bool:
    """Whether a test can fail on a wrong answer: an assert, pytest.raises or pytest.fail."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name.endswith(("raises", ".fail", "raise_for_status")):
                return True
    return False


# --- Exercise 05.2: fix the drift that schemathesis finds ---------------------------------------

EXERCISE_APP_FILE = "drifted_app.py"
DRIFT_EXAMPLES = 10
# One expectation per schemathesis check, with the hint for the drift it usually means.
DRIFT_EXPECTATIONS: tuple[tuple[str, str, str], ...] = (
    (
        "not_a_server_error",
        "no request makes the service fail with a 5xx",
        "A 500 means the code raised; run the contract test cell and read the operation it names.",
    ),
    (
        "status_code_conformance",
        "every status code is one the spec documents for its operation",
        "Compare each route's status_code= with the responses the spec lists for that operation.",
    ),
    (
        "content_type_conformance",
        "every response has a content type the spec documents",
        "Successful answers are application/json; errors are application/problem+json.",
    ),
    (
        "response_headers_conformance",
        "every response has the headers the spec documents",
        "The spec's `headers:` under a response name what must be sent.",
    ),
    (
        "response_schema_conformance",
        "every response body matches its schema in the spec",
        "A field the spec lists as required must be in every response, even when it is null: "
        "look for what drops None values from a response.",
    ),
)


def load_module(path: str | Path) -> ModuleType:
    """Import a learner's .py file afresh (a new module each time, so edits always count)."""
    path = Path(path)
    if not path.is_file():
        raise CheckFailed(
            f"{path.name} does not exist yet — run the %%writefile cell that creates it"
        )
    name = f"{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contract_test_file(
    path: str | Path = EXERCISE_APP_FILE, max_examples: int = DRIFT_EXAMPLES
) -> ContractReport:
    """Build the app in `path` (its `create_app(settings)`) and run the contract test on it."""
    module = load_module(path)
    factory: Callable[..., Any] | None = getattr(module, "create_app", None)
    if not callable(factory):
        raise CheckFailed(f"{Path(path).name} has no create_app(settings) function")
    with tempfile.TemporaryDirectory(prefix="exercise-05-2-") as folder:
        app = factory(Settings(database=Path(folder) / "bookings.db", log_level="WARNING"))
        return contract_test(app, max_examples=max_examples)


class DriftCheck:
    """Exercise 05.2: the learner's fixed app keeps every promise of the spec."""

    def __init__(self, app_file: str | Path = EXERCISE_APP_FILE) -> None:
        self.app_file = Path(app_file)
        self._report: ContractReport | None = None

    def require_report(self) -> None:
        self._report = contract_test_file(self.app_file)

    def require_check(self, check: str) -> Callable[[], None]:
        def test() -> None:
            if self._report is None:
                raise CheckFailed("the contract test did not run")
            failing = self._report.failing(check)
            if failing:
                found = "; ".join(f"{f.operation}: {f.detail}" for f in failing)
                raise CheckFailed(f"schemathesis found: {found}")

        return test


# --- Exercise 05.3: an SLO assertion computed from a load test ----------------------------------

# The load test proves the SLO, so its defaults are the course's numbers (onboarding.numbers):
# p95 under 300 ms, at least 20 requests a second, under 0.5 % failed.
P95_LIMIT_MS = float(numbers.LOAD_TEST_P95_MS)
MIN_REQUESTS_PER_SECOND = float(numbers.LOAD_TEST_MIN_REQUESTS_PER_SECOND)
MAX_ERROR_RATE = numbers.LOAD_TEST_MAX_ERROR_RATE


def synthetic_run(
    fast: int = 0,
    fast_ms: float = 20.0,
    slow: int = 0,
    slow_ms: float = 400.0,
    seconds: float = 20.0,
    failures: int = 0,
) -> LoadRun:
    """A run with `fast` requests at `fast_ms` and `slow` at `slow_ms` (known percentiles)."""
    latencies = [fast_ms + (index % 30) for index in range(fast)] + [slow_ms] * slow
    return LoadRun.from_latencies(latencies, seconds=seconds, failures=failures)


# Known runs, each 1000 requests. p95 is the 950th-fastest request.
FAST_RUN = synthetic_run(fast=1000)  # p95 about 48 ms, 50 req/s
SLOW_RUN = synthetic_run(fast=900, slow=100)  # p95 400 ms
NEAR_RUN = synthetic_run(fast=800, slow=200, slow_ms=350.0)  # p95 350 ms, just above the limit
NEAR_RUN_LIMIT_MS = 400.0  # a limit the near run meets
LOW_RATE_RUN = synthetic_run(fast=1000, seconds=200.0)  # 5 req/s
FAILING_RUN = synthetic_run(fast=1000, failures=50)  # 5% failed
OUTLIER_RUN = synthetic_run(fast=970, slow=30, slow_ms=10_000.0)  # p95 fast; mean, p99, max slow

PLANTED_USERS = 5
PLANTED_SECONDS = 2


def planted_slow_run() -> LoadRun:
    """A very short load test against the variant whose list of bookings is slow."""
    with running_server("onboarding.stages.testing_variants:create_slow_app") as base_url:
        return run_load_test(base_url, users=PLANTED_USERS, seconds=PLANTED_SECONDS, progress=False)


class SloCheck:
    """Exercise 05.3: `meets_slo(run, p95_limit_ms, min_rps, max_error_rate)` judges the data."""

    def __init__(self, meets_slo: Callable[..., Any]) -> None:
        self.meets_slo = meets_slo

    def verdict(self, run: LoadRun, **limits: float) -> bool:
        result = self.meets_slo(run, **limits)
        if not isinstance(result, bool) and type(result).__name__ != "bool_":
            raise CheckFailed(
                f"meets_slo returned {result!r} ({type(result).__name__}); return True or False"
            )
        return bool(result)

    def require_depends_on_data(self) -> None:
        fast, slow = self.verdict(FAST_RUN), self.verdict(SLOW_RUN)
        if fast == slow:
            raise CheckFailed(
                f"meets_slo said {fast} both for a fast run and for one whose p95 is 400 ms: "
                "compute the 95th percentile of run.latencies_ms and compare it with p95_limit_ms"
            )

    def require_fast_run_meets(self) -> None:
        if not self.verdict(FAST_RUN):
            raise CheckFailed("meets_slo said no to 1000 requests at 50 req/s, all under 50 ms")

    def require_slow_run_fails(self) -> None:
        if self.verdict(SLOW_RUN):
            raise CheckFailed(
                f"meets_slo said yes to a run whose p95 is 400 ms (limit {P95_LIMIT_MS:g} ms)"
            )

    def require_p95_limit_used(self) -> None:
        relaxed = self.verdict(NEAR_RUN, p95_limit_ms=NEAR_RUN_LIMIT_MS)
        strict = self.verdict(NEAR_RUN)
        if not relaxed or strict:
            raise CheckFailed(
                f"for a run with p95 = 350 ms it said {relaxed} with "
                f"p95_limit_ms={NEAR_RUN_LIMIT_MS:g} and {strict} with the default "
                f"{P95_LIMIT_MS:g} ms; expected True, then False"
            )

    def require_rate_used(self) -> None:
        strict = self.verdict(LOW_RATE_RUN)
        relaxed = self.verdict(LOW_RATE_RUN, min_rps=2.0)
        if strict or not relaxed:
            raise CheckFailed(
                f"for a fast run at only 5 req/s it said {strict} with the default "
                f"min_rps={MIN_REQUESTS_PER_SECOND:g} "
                f"and {relaxed} with min_rps=2; expected False, then True"
            )

    def require_error_rate_used(self) -> None:
        strict = self.verdict(FAILING_RUN)
        relaxed = self.verdict(FAILING_RUN, max_error_rate=0.1)
        if strict or not relaxed:
            raise CheckFailed(
                f"for a fast run with 5% failed requests it said {strict} with the default "
                f"max_error_rate={MAX_ERROR_RATE:g} and {relaxed} with 0.1; expected False, then True"
            )

    def require_p95_not_mean_or_max(self) -> None:
        if not self.verdict(OUTLIER_RUN):
            raise CheckFailed(
                "it said no to a run where 97% of requests are fast and 3% take 10 s: p95 is "
                "fast there, but the mean, p99 and the maximum are not"
            )

    def require_planted_slow_endpoint_fails(self) -> None:
        if self.verdict(planted_slow_run()):
            raise CheckFailed(
                f"meets_slo said yes to a real run against a service whose busiest endpoint "
                f"takes {SLOW_DELAY_SECONDS * 1000:.0f} ms longer"
            )


def slo_lines(run: LoadRun, limits: dict[str, float] | None = None) -> list[str]:
    """The SLO's three criteria for a run, each ✅ or ❌, without the measured numbers."""
    limits = {
        "p95_limit_ms": P95_LIMIT_MS,
        "min_rps": MIN_REQUESTS_PER_SECOND,
        "max_error_rate": MAX_ERROR_RATE,
        **(limits or {}),
    }
    p95 = percentile(run.latencies_ms, 0.95)
    checks = (
        (p95 < limits["p95_limit_ms"], f"p95 latency under {limits['p95_limit_ms']:g} ms"),
        (
            run.requests_per_second >= limits["min_rps"],
            f"at least {limits['min_rps']:g} requests a second",
        ),
        (
            run.error_rate < limits["max_error_rate"],
            f"under {limits['max_error_rate'] * 100:g}% failed",
        ),
    )
    return [f"{'✅' if ok else '❌'} {text}" for ok, text in checks]
