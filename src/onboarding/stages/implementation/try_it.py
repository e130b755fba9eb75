"""The "try it" cells of the exercise notebooks: run the learner's project, print what happened.

While `onboard check` grades a notebook, a "try it" cell says so and does nothing (only the
check cells count). This module is kept apart from `lesson.py`, whose lesson helpers import the
course's reference service: a second of imports that a graded run, where these cells are the
only callers, never needs.
"""

from __future__ import annotations

import os

from onboarding import pytest_runs
from onboarding.checks import CheckFailed
from onboarding.protocol import GRADING_VARIABLE
from onboarding.stages.implementation import judging


def graded_now() -> bool:
    """Whether `onboard check` is grading this notebook: then only the check cells count, and
    a "try it" cell says so instead of spending seconds on a run nobody reads."""
    if os.environ.get(GRADING_VARIABLE):
        print("(not run while `onboard check` grades this notebook: only the check cells count)")
        return True
    return False


def pytest_in_project(*arguments: str) -> None:
    """Run `pytest` in (a throwaway copy of) your project and print what it found: the counts,
    and each failure's first line."""
    if graded_now():
        return
    try:
        with judging.learners_project() as copy:
            # The plugins a check would load for these tests, so this cell and the check agree.
            plugins = judging.plugins_for(copy, arguments)
            run = pytest_runs.run(copy, *arguments, python_path=[copy / "src"], plugins=plugins)
    except CheckFailed as problem:
        print(problem)
        return
    print(f"pytest {' '.join(arguments)}: {run.counts()}".replace("pytest :", "pytest:"))
    for error in run.collection_errors:
        print(f"  could not load {error}")
    for case in run.broken:
        print(f"  {case.name}: {case.why()}")
