"""Helpers for lesson 07 and its exercise notebook: practice checks, and trying the job."""

from __future__ import annotations

from onboarding.artefacts import dockerfile
from onboarding.checks import CheckFailed, Expectation, Given, require
from onboarding.stages.deployment import job, rollout, rules
from onboarding.stages.migrations.lesson import practise

__all__ = ["PROBES", "SERVER_COMMAND", "practise", "rehearse_job", "rename_order"]


def rehearse_job() -> None:
    """Run `python -m booking_service.migrate` on a new database in a copy of the project."""
    from onboarding import project
    from onboarding.artefacts.alembic_history import read_history
    from onboarding.checks import ArtefactError

    try:
        with project.copy_for_checking() as copy:
            history = read_history(copy)
            run = job.run_job(copy, copy / "bookings.db")
            print(f"exit code {run.code}; the database is at {run.revision or 'no revision'}")
            print(f"  {job.last_line(run.output)}")
            print(f"your newest revision is {history.head.id}")
    except (ArtefactError, project.ProjectError) as problem:
        print(problem)


# --- Practice: a command that serves the app -------------------------------------------------------


def _serves(given: Given) -> None:
    # The practice is about the CMD alone, so its image is one of uv's Python images: a CMD that
    # serves through `uv run` finds uv there (the exercise judges how a whole Dockerfile brings
    # it in). The CMD stays on line 3, as the lesson's stored output says.
    text = f"FROM ghcr.io/astral-sh/uv:python3.14-trixie-slim\nEXPOSE 8000\n{given.my_cmd}\n"
    require(rules.run_problems(dockerfile.parse_dockerfile(text), app="bookings.main:create_app"))


SERVER_COMMAND = (
    Expectation(
        "the CMD starts a server that serves bookings.main:create_app where the platform can"
        " reach it",
        _serves,
        "A factory needs --factory; a container's port is only reachable on 0.0.0.0.",
    ),
)


# --- Practice: which probe asks which question -------------------------------------------------------


def _probe(name: str, wanted: str, why: str):
    def run(given: Given) -> None:
        path = given.get(name)
        if path != wanted:
            raise CheckFailed(f"{name} is {path!r}: {why}")

    return run


PROBES = (
    Expectation(
        "the liveness probe checks nothing outside the process",
        _probe(
            "liveness_path",
            "/health/live",
            "a database outage would then restart every replica, and restarting cannot fix it",
        ),
        "Liveness answers one question: is the process stuck for good?",
    ),
    Expectation(
        "the readiness probe checks the database",
        _probe(
            "readiness_path",
            "/health/ready",
            "a replica whose volume is missing would get traffic, and answer 500",
        ),
        "Readiness answers: can this replica serve a request right now?",
    ),
)


# --- Practice: the phases of a rename, played ----------------------------------------------------------


def _safe(given: Given) -> None:
    findings = rollout.simulate(["build", "backup", *given.my_phases])
    require(findings.preparation + findings.refused + findings.misread)


def rename_order() -> tuple[Expectation, ...]:
    return (
        Expectation(
            "every phase finds the columns it needs, and no booking is misread",
            _safe,
            "The backfill waits until every running release writes both columns.",
        ),
    )
