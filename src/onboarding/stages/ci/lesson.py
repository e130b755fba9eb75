"""Lesson 06's helpers: its practice cells, and what the exercise's check will run."""

from __future__ import annotations

import re
from typing import Any

from onboarding import paths, project
from onboarding.artefacts.workflow import (
    PUSH_MAIN,
    ActionReference,
    Workflow,
    parse_workflow,
    read_workflow,
    simulate,
)
from onboarding.checks import CheckFailed, Expectation, Given, practise
from onboarding.stages.ci import local_run
from onboarding.stages.ci.checks import WORKFLOW_FILE

CONVENTIONAL = re.compile(
    r"^(?P<type>[a-z]+)(\((?P<scope>[^)]+)\))?(?P<breaking>!)?: ", re.IGNORECASE
)
"""The first line of a conventional commit; its type is compared without regard to case."""


def template() -> Workflow:
    """The company's CI workflow template, read as GitHub reads it."""
    return read_workflow(paths.course_root() / "templates" / "ci-workflow.yml")


def bump_for(message: str) -> str:
    """What one commit's first line asks of the next release."""
    match = CONVENTIONAL.match(message)
    if match is None:
        return "none (not a conventional commit)"
    if match["breaking"]:
        return "major"
    return {"feat": "minor", "fix": "patch"}.get(match["type"].lower(), "none")


# --------------------------------------------------------------------------- practice cells
def _jobs_on_main(given: Given) -> None:
    expected = {job for job, outcome in simulate(template(), PUSH_MAIN).items() if outcome.runs}
    guess = given.runs_on_main
    if not isinstance(guess, (set, list, tuple, frozenset)):
        raise CheckFailed(f"runs_on_main is {type(guess).__name__}; write a set of job ids")
    guess = {str(job) for job in guess}
    if guess != expected:
        parts = []
        if guess - expected:
            parts.append(f"not run on main: {', '.join(sorted(guess - expected))}")
        if expected - guess:
            parts.append(f"run on main too: {', '.join(sorted(expected - guess))}")
        raise CheckFailed("; ".join(parts))


def check_jobs_on_main(runs_on_main: Any) -> None:
    """Practice: which of the template's jobs run for a push to main?"""
    practise(
        (
            Expectation(
                "you predicted the jobs that a push to main runs",
                _jobs_on_main,
                hint="A job whose `needs:` did not run is skipped too, whatever its own `if:`.",
            ),
        ),
        Given(runs_on_main=runs_on_main),
    )


def _pinned(given: Given) -> None:
    text = str(given.pinned_checkout).strip()
    if text.startswith("uses:"):
        text = text.removeprefix("uses:").strip()
    uses, _, comment = text.partition("#")
    action = ActionReference(uses.strip())
    if action.name != "actions/checkout":
        raise CheckFailed(f"`{action.name}` is not actions/checkout")
    if not action.is_commit_sha:
        raise CheckFailed(f"`@{action.ref}` is not a full 40-character commit SHA")
    if not re.search(r"v\d+", comment):
        raise CheckFailed("there is no `# v6.0.2` comment saying which release the SHA is")


def check_pinned_checkout(pinned_checkout: Any) -> None:
    """Practice: pin actions/checkout the way the template does."""
    practise(
        (
            Expectation(
                "actions/checkout is pinned to a full commit SHA, with its version in a comment",
                _pinned,
                hint="Copy the SHA from templates/ci-workflow.yml and end the line with `# v6.0.2`.",
            ),
        ),
        Given(pinned_checkout=pinned_checkout),
    )


BUMP_MESSAGES = (
    "Feat(rooms): show the capacity in the room list",
    "docs: the overlap rule, with an example",
    "fix!: a booking's end is now exclusive",
)
BUMP_ANSWERS = ("minor", "none", "major")


def check_bumps(bumps: Any) -> None:
    """Practice: what each of three commits asks of the next release."""

    def matches(given: Given) -> None:
        answer = given.bumps
        if not isinstance(answer, (list, tuple)) or len(answer) != len(BUMP_MESSAGES):
            raise CheckFailed(f"write a list of {len(BUMP_MESSAGES)} answers, one per message")
        wrong = [
            f"`{message}` asks for {want}, not {got}"
            for message, want, got in zip(BUMP_MESSAGES, BUMP_ANSWERS, answer, strict=True)
            if str(got).lower() != want
        ]
        if wrong:
            raise CheckFailed("; ".join(wrong))

    practise(
        (
            Expectation(
                "each commit's bump is right",
                matches,
                hint="The type is case-insensitive (`Feat` is `feat`), and `!` makes any type major.",
            ),
        ),
        Given(bumps=bumps),
    )


# ---------------------------------------------------------------------- the exercise's helper
def show_local_run() -> None:
    """Print what exercise 06.1's check will run from the project's workflow, and what it skips."""
    try:
        project.read(WORKFLOW_FILE)
        workflow = read_workflow(project.path(WORKFLOW_FILE))
    except Exception as error:  # noqa: BLE001 - the learner's file may be anything
        print(f"Cannot read {WORKFLOW_FILE} yet: {error}")
        return
    steps = local_run.plan(workflow)
    if not steps:
        print("No `run:` step of a job that pull requests start: the check would run nothing.")
    for step in steps:
        print(step.describe())


def parse(text: str) -> Workflow:
    """A workflow written in a lesson cell."""
    return parse_workflow(text)
