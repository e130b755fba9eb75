"""What stage 07's exercises expect.

- 07.1: the project's Dockerfile (`rules`), read with dockerfile-parse;
- 07.2: `canary_decision()` in the notebook, on the cases of `canary`;
- 07.3: `deployment_order` in the notebook, played by `rollout`;
- 07.4: the project's migration job, run in a copy of the project (`job`), its two options,
  and the rollback step of `docs/deployment-checklist.md`, against the project's revisions.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from onboarding import project
from onboarding.artefacts import dockerfile
from onboarding.checks import CheckFailed, Expectation, Given, equal, require
from onboarding.stages.deployment import canary, job, rollout, rules
from onboarding.stages.migrations import documents
from onboarding.stages.migrations.checks import project_copy, workspace_of
from onboarding.stages.migrations.checks import project_history as history

DOCKERFILE = "Dockerfile"
CHECKLIST = "docs/deployment-checklist.md"


# --- 07.1 -----------------------------------------------------------------------------------------


def instructions(given: Given) -> list[dockerfile.Instruction]:
    return given.once(
        "dockerfile",
        lambda: dockerfile.check_dockerfile(project.read(DOCKERFILE, workspace_of(given))),
    )


# The rules that read more of the project than its Dockerfile: the files a RUN line names, a
# hashed requirements file's pins, and the build commands that name a build context (which is
# not an image to pin).
RULES_READING_THE_PROJECT = (
    rules.run_problems,
    rules.lock_file_problems,
    rules.base_image_problems,
)


def _judged_by(rule: rules.Rule) -> Callable[[Given], None]:
    def run(given: Given) -> None:
        if rule.problems in RULES_READING_THE_PROJECT:
            root = project.locate(workspace_of(given))
            require(rule.problems(instructions(given), root=root))
        else:
            require(rule.problems(instructions(given)))

    return run


IMAGE = (
    Expectation(
        "your project's Dockerfile exists and starts from a FROM",
        instructions,
        hint="onboard begin 07 hands out a starting Dockerfile; only ARG may come before the"
        " first FROM.",
        required=True,
    ),
    *(Expectation(rule.text, _judged_by(rule), rule.hint) for rule in rules.DOCKERFILE_CHECKS),
)


# --- 07.2 and 07.3 --------------------------------------------------------------------------------


def _decision(case: canary.CanaryCase) -> Callable[[Given], object]:
    def decide(given: Given) -> object:
        decision = given.canary_decision(dict(case.baseline), dict(case.canary), case.limits())
        if isinstance(decision, str):
            # A StrEnum member (or a `class Verdict(str, Enum)` one) *is* one of the strings:
            # compare its value. str() would give "Verdict.PROMOTE" for the second kind.
            return str.__str__(decision)
        if isinstance(decision, Enum) and isinstance(decision.value, str):
            # A plain Enum's member only holds the string: say so, rather than a bare mismatch.
            raise CheckFailed(
                f"expected {case.expected!r}, got {decision}, an Enum member that is not a"
                f" string; return its value ({decision.value!r}), or make"
                f" {type(decision).__name__} a StrEnum"
            )
        return decision

    return decide


CANARY = tuple(
    equal(case.expectation, _decision(case), case.expected, hint=case.hint)
    for case in canary.CANARY_CASES
)


def findings(given: Given) -> rollout.Findings:
    return given.once("rollout", lambda: rollout.simulate(given.deployment_order))


ORDER = (
    Expectation(
        "`deployment_order` lists each of the eight steps exactly once",
        lambda given: require(rollout.steps_problems(given.deployment_order)),
        hint="Use the names printed above, each once, as strings in a list.",
        required=True,
    ),
    Expectation(
        "the image is built and the database backed up before the first migration job",
        lambda given: require(findings(given).preparation),
        hint="Every job and deploy runs the image CI built; the backup comes before the schema"
        " changes.",
    ),
    Expectation(
        "every step finds the columns it needs: no migration job fails and no booking is refused",
        lambda given: require(findings(given).refused),
        hint="A release can only write columns that exist, and leave empty only columns that may"
        " be NULL.",
    ),
    Expectation(
        "no booking is misread: no running release reads columns a booking has left empty",
        lambda given: require(findings(given).misread),
        hint="Backfill once every running release writes both pairs, and before any release"
        " reads the new pair.",
    ),
)


# --- 07.4 -----------------------------------------------------------------------------------------


def job_runs(given: Given) -> job.Runs:
    return given.once("job runs", lambda: job.run_all(project_copy(given), history(given)))


def upgrades(given: Given) -> None:
    job.read_job(project_copy(given))
    require(job.upgrade_problems(project_copy(given), history(given), job_runs(given)))


JOB = (
    Expectation(
        f"`{job.COMMAND}` upgrades a new database to your newest revision, and a second run"
        " does nothing",
        upgrades,
        hint="In migrate.py, run Alembic's upgrade to head on the database of BOOKING_DATABASE.",
    ),
    Expectation(
        "when a revision fails, the job exits with an error and the database stays at the"
        " revision before",
        lambda given: require(job.failure_problems(history(given), job_runs(given))),
        hint="Let the exception end the job, or return 1 from main(): CI must not deploy after"
        " a failed migration.",
    ),
    Expectation(
        "`--database PATH` and `--downgrade-to REVISION` do what they say",
        lambda given: require(
            given.once(
                "job options",
                lambda: job.options_problems(project_copy(given), history(given), job_runs(given)),
            )
        ),
        hint="--database names the database instead of BOOKING_DATABASE, and --downgrade-to"
        " REVISION runs Alembic's downgrade to REVISION instead of the upgrade (argparse reads"
        " both).",
    ),
    Expectation(
        "the deployment checklist's rollback plan names the command that undoes your newest"
        " revision",
        lambda given: require(
            documents.downgrade_command_problems(
                project.read(CHECKLIST, workspace_of(given)),
                "Rollback plan",
                history(given),
                CHECKLIST,
            )
        ),
        hint="In the Rollback plan's database step, write the downgrade as it is typed:"
        " `alembic downgrade 0001`.",
    ),
)

EXERCISES = {"07.1": IMAGE, "07.2": CANARY, "07.3": ORDER, "07.4": JOB}
