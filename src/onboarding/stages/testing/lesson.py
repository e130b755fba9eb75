"""Helpers for lesson 05 and its practice cells.

The lesson's own demonstrations run the course's reference service (`bookings`): a real server
(`running_server`), schemathesis in-process (`contract_test`), Locust in a child process
(`run_load_test`). The exercise's "try it" cells, which run the learner's project on a
throwaway copy, are in `try_it`.
"""

from __future__ import annotations

import numbers
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from bookings import api as reference_api
from bookings.api.problems import install_problem_handlers
from bookings.core.config import Settings
from bookings.main import create_app, log_request
from onboarding.checks import CheckFailed, Expectation, Given
from onboarding.stages.implementation.lesson import quick_check
from onboarding.stages.testing import slo
from onboarding.stages.testing.contract import DRIFT_EXPECTATIONS, contract_test
from onboarding.stages.testing.load import percentile
from onboarding.stages.testing.server import quiet_testclient

__all__ = [
    "assemble_app",
    "check_ci_stage_expression",
    "check_p95",
    "check_routes_keep_the_spec",
    "made_up_runs",
    "slo_lines",
]

# Imported once, quietly, so that a lesson's own `from fastapi.testclient import TestClient`
# does not print Starlette's packaging warning (see server.quiet_testclient).
TestClient = quiet_testclient()


def assemble_app(
    settings: Settings | None = None,
    *,
    rooms: APIRouter | None = None,
    bookings: APIRouter | None = None,
    health: APIRouter | None = None,
) -> FastAPI:
    """The course's reference app, with any of its three routers swapped for another one.

    Built as `bookings.main.create_app` builds it (same lifespan, error format and request log),
    because FastAPI offers no public way to take routes out of an app once they are in.
    """
    reference = create_app(settings)
    app = FastAPI(
        title=reference.title,
        version=reference.version,
        lifespan=reference.router.lifespan_context,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = reference.state.settings
    app.state.rules = reference.state.rules
    app.include_router(rooms or reference_api.rooms.router)
    app.include_router(bookings or reference_api.bookings.router)
    app.include_router(health or reference_api.health.router)
    install_problem_handlers(app)
    app.middleware("http")(log_request)
    return app


def made_up_runs() -> dict[str, object]:
    """Three runs whose percentiles are known: steady, a slow tail, rare outliers."""
    return {
        "steady": slo.FAST_RUN,
        "a slow tail (10% at 400 ms)": slo.SLOW_RUN,
        "rare outliers (3% at 10 s)": slo.OUTLIER_RUN,
    }


def slo_lines(run, limits: dict[str, float] | None = None) -> list[str]:
    """The SLO's three criteria for a run, each ✅ or ❌, without the measured numbers."""
    limits = {**slo.COURSE_LIMITS, **(limits or {})}
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


# --- Quick practice inside the lesson --------------------------------------------------------

MARKED_TESTS = {
    "test_a_rule": (),
    "test_with_a_database_file": ("integration",),
    "test_against_the_spec": ("contract",),
    "test_under_load": ("load",),
}


def _selects(expression: str, markers: tuple[str, ...]) -> bool:
    from _pytest.mark.expression import Expression

    return bool(Expression.compile(expression).evaluate(lambda name, **_: name in markers))


SHELL_FORM = re.compile(r"""^\s*(?:-m\s*=?\s*)?(?P<quote>["']?)(?P<expression>.*?)(?P=quote)\s*$""")
"""The expression as typed after `pytest` in a shell: `-m "integration or contract"`."""


def _ci_stage_expression(given: Given) -> None:
    expression = given.expression
    if not isinstance(expression, str) or not expression.strip():
        raise CheckFailed('write the -m expression as a string, such as "integration"')
    # The shell's quotes (and the -m before them) are not part of what pytest parses.
    expression = SHELL_FORM.match(expression)["expression"]
    try:
        chosen = sorted(
            name for name, markers in MARKED_TESTS.items() if _selects(expression, markers)
        )
    except Exception as error:  # noqa: BLE001 - pytest's own words for a bad expression
        raise CheckFailed(f"pytest would refuse {expression!r}: {error}") from None
    wanted = ["test_against_the_spec", "test_with_a_database_file"]
    if chosen != wanted:
        raise CheckFailed(f"-m {expression!r} selects {', '.join(chosen) or 'nothing'}")


def check_ci_stage_expression(expression: Any) -> None:
    """Practice: the -m expression of CI's integration stage, on the demo's five tests."""
    quick_check(
        Expectation(
            "it selects the integration and contract tests, and nothing else",
            _ci_stage_expression,
            hint="Markers combine with `and`, `or` and `not`, as in Python.",
        ),
        expression=expression,
    )


PRACTICE_LATENCIES = (120, 80, 95, 400, 110, 90, 105, 85, 100, 130, 75, 115, 98, 88, 102, 93, 97,
                      89, 1_200, 108)  # fmt: skip


def _p95_value(given: Given) -> None:
    value = given.p95
    expected = percentile(PRACTICE_LATENCIES, 0.95)
    # numbers.Real takes numpy's numbers too (a p95 worked out with numpy); True is not one.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CheckFailed(f"{value!r} is not a number of milliseconds")
    if value != expected:
        raise CheckFailed(f"{value!r} ms is not the nearest-rank 95th percentile of the 20 values")


def check_p95(p95: Any) -> None:
    """Practice: the nearest-rank 95th percentile of twenty latencies, worked out by hand."""
    quick_check(
        Expectation(
            "p95 is the 19th of the 20 latencies, once sorted",
            _p95_value,
            hint="Sort them; 95 % of 20 is 19, so p95 is the 19th value: one request in twenty "
            "(the slowest) is slower.",
        ),
        p95=p95,
    )


def _practice_report(given: Given):
    def make():
        with tempfile.TemporaryDirectory(prefix="onboard-practice-") as folder:
            settings = Settings(database=Path(folder) / "bookings.db", log_level="CRITICAL")
            return contract_test(assemble_app(settings, bookings=given.router), max_examples=5)

    return given.once("report", make)


def _keeps_promise(check: str, text: str) -> Expectation:
    def run(given: Given) -> None:
        found = _practice_report(given).failing(check)
        if found:
            raise CheckFailed("; ".join(f"{f.operation}: {f.detail}" for f in found))

    return Expectation(text, run)


def check_routes_keep_the_spec(router: APIRouter) -> None:
    """Practice: the bookings routes of `router`, in the reference app, against the spec."""
    quick_check(
        *(
            _keeps_promise(check, text)
            for check, text, _ in DRIFT_EXPECTATIONS
            if check in ("status_code_conformance", "response_headers_conformance")
        ),
        router=router,
    )
