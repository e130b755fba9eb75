"""The stage packages: what each stage's exercises expect, declared as data.

Each stage of `onboarding.course.STAGES` names a package here (`course.Stage.package`). The
package's `EXERCISES` maps every exercise id of the stage to its expectations, in the order they
are judged::

    EXERCISES = {
        "00.1": (Expectation("09:00 to 10:30 lasts 90 minutes", ..., hint="..."), ...),
    }

A check cell is one call, naming the exercise and handing over what the learner wrote::

    from onboarding.stages import check
    check("00.1", booking_minutes=booking_minutes)

or, for a cell that judges whatever the notebook defined, `check("00.1", globals())`.

The stage packages sit on top of the toolkit (`onboarding.checks`, `onboarding.artefacts`, …)
and nothing in the toolkit imports them: this module finds a stage's package by name when a
check asks for it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType
from typing import Any

from onboarding import course
from onboarding.checks import Expectation, Given, run_expectations
from onboarding.protocol import GRADING_VARIABLE, CheckResult


class UnknownExercise(KeyError):
    """A check asked for an exercise no stage declares."""

    def __str__(self) -> str:
        return str(self.args[0])


def stage_package(stage: course.Stage) -> ModuleType:
    return importlib.import_module(f"{__name__}.{stage.package}")


def declared(exercise_id: str) -> Sequence[Expectation]:
    """The expectations of one exercise, from its stage package."""
    try:
        stage = course.stage_numbered(exercise_id)
    except course.UnknownStage as error:
        raise UnknownExercise(f"no exercise {exercise_id!r}: {error.args[0]}") from None
    exercises: Mapping[str, Sequence[Expectation]] = stage_package(stage).EXERCISES
    if exercise_id not in exercises:
        raise UnknownExercise(
            f"stage {stage.number} has no exercise {exercise_id!r}; "
            f"it has {', '.join(exercises) or 'none'}"
        )
    return exercises[exercise_id]


def all_declared() -> dict[str, Sequence[Expectation]]:
    """Every exercise of every stage, by id, in course order."""
    found: dict[str, Sequence[Expectation]] = {}
    for stage in course.STAGES:
        found.update(getattr(stage_package(stage), "EXERCISES", {}))
    return found


def judge(
    exercise_id: str, namespace: Mapping[str, Any] | None = None, /, **inputs: Any
) -> CheckResult:
    """Judge one exercise: print a ✅/❌ line per expectation, publish the result, return it."""
    expectations = declared(exercise_id)
    given = Given(namespace, **inputs).computed_ahead(_started_ahead(exercise_id))
    return run_expectations(exercise_id, expectations, given)


_started: dict[str, dict[str, Future]] = {}


def _started_ahead(exercise_id: str) -> dict[str, Future]:
    """While `onboard check` grades a notebook, its stage's `AHEAD` values, started at its first
    check; elsewhere nothing.

    A stage package may declare `AHEAD = {key: make}`: costly values that a later check reads
    with `given.once(key, make)` and that depend on the learner's files alone, never on the
    notebook's names (05.3's load test of their service, for one). A graded run changes no file
    between its cells, so starting them at the first check computes the same values from the
    same files, while the checks before theirs run; a load test that mostly waits then costs
    little. In a learner's kernel, where files change between cells, nothing starts ahead.
    """
    if not os.environ.get(GRADING_VARIABLE):
        return {}
    stage = course.stage_numbered(exercise_id)
    if stage.number not in _started:
        ahead: Mapping[str, Callable[[], Any]] = getattr(stage_package(stage), "AHEAD", {})
        _started[stage.number] = {}
        if ahead:
            pool = ThreadPoolExecutor(max_workers=len(ahead), thread_name_prefix="onboard-ahead")
            _started[stage.number] = {key: pool.submit(make) for key, make in ahead.items()}
            pool.shutdown(wait=False)
    return _started[stage.number]


def check(exercise_id: str, namespace: Mapping[str, Any] | None = None, /, **inputs: Any) -> None:
    """What a check cell calls: `judge`, returning nothing so the cell shows only the lines."""
    judge(exercise_id, namespace, **inputs)
