"""Helpers for lesson 05 and for the "try it" cells of its exercises.

The lesson's own demonstrations run the course's reference service (`bookings`): a real server
(`running_server`), schemathesis in-process (`contract_test`), Locust in a child process
(`run_load_test`). The exercises' cells run the learner's project, on a throwaway copy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, FastAPI

from bookings import api as reference_api
from bookings.api.problems import install_problem_handlers
from bookings.core.config import Settings
from bookings.main import create_app, log_request
from onboarding.checks import CheckFailed, Given
from onboarding.stages.implementation import judging
from onboarding.stages.implementation.lesson import graded_now, pytest_in_project
from onboarding.stages.testing import slo
from onboarding.stages.testing.load import percentile, run_load_test, summary_lines
from onboarding.stages.testing.server import (
    PROJECT_ENV_PREFIX,
    PROJECT_FACTORY,
    quiet_testclient,
    running_server,
)

__all__ = [
    "assemble_app",
    "load_test_my_service",
    "made_up_runs",
    "pytest_in_project",
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


def load_test_my_service(users: int = 10, seconds: int = 5) -> None:
    """A short load test of your service with your locustfile, judged by your meets_slo.

    Runs on a throwaway copy of your project; prints what was measured and the verdict.
    """
    if graded_now():
        return
    try:
        with (
            judging.learners_project() as copy,
            tempfile.TemporaryDirectory(prefix="onboard-05-") as scratch,
        ):
            locustfile = copy / slo.LOCUSTFILE
            database = Path(scratch) / "bookings.db"
            settings = Settings(database=database, log_level="WARNING")
            with running_server(
                PROJECT_FACTORY,
                settings,
                app_dir=copy / "src",
                env_prefix=PROJECT_ENV_PREFIX,
            ) as base_url:
                run = run_load_test(base_url, users=users, seconds=seconds, locustfile=locustfile)
            print("\n".join(summary_lines(run)))
            verdict = slo.meets_slo(Given())(run)
    except CheckFailed as problem:
        print(problem)
        return
    except NotImplementedError:
        print("meets_slo is not written yet (the stub still raises NotImplementedError)")
        return
    except Exception as error:  # noqa: BLE001 - a try-it cell says what went wrong and goes on
        print(f"{type(error).__name__}: {error}")
        return
    print("your meets_slo says:", "the run meets the SLO" if verdict else "the run misses the SLO")
