"""The "try it" cells of exercise notebook 05: the learner's tests and a load test of their service.

Kept apart from `lesson.py`, which imports the course's reference service and FastAPI for the
lesson's demonstrations: a graded run of the exercise, where these cells only say that they are
not run, would spend a second importing them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bookings.core.config import Settings
from onboarding.checks import CheckFailed, Given
from onboarding.stages.implementation import judging
from onboarding.stages.implementation.try_it import graded_now, pytest_in_project
from onboarding.stages.testing import slo
from onboarding.stages.testing.load import run_load_test, summary_lines
from onboarding.stages.testing.server import PROJECT_ENV_PREFIX, PROJECT_FACTORY, running_server

__all__ = ["load_test_my_service", "pytest_in_project"]


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
            verdict = slo.call_meets_slo(Given(), run)
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
