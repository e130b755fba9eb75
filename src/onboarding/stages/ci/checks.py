"""What stage 06's exercises expect: 06.1, the project's CI workflow; 06.2, the next version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from onboarding import project
from onboarding.artefacts import workflow_run
from onboarding.artefacts.workflow import Workflow, read_workflow
from onboarding.checks import CheckFailed, Expectation, Given, equal, raises, require
from onboarding.stages.ci import local_run, review

STAGE = "06"
WORKFLOW_FILE = ".github/workflows/ci.yml"
"""Where the workflow lives in the learner's project, as GitHub expects it."""


def workflow_of(given: Given) -> Workflow:
    """The project's workflow, read once per check: missing, unreadable or empty fails here."""

    def read() -> Workflow:
        project.read(WORKFLOW_FILE)  # a missing file says where to create it
        return read_workflow(project.path(WORKFLOW_FILE))

    return given.once("workflow", read)


def _judged_by(problems: Callable[[Workflow], list[str]]) -> Callable[[Given], None]:
    return lambda given: require(problems(workflow_of(given)))


def failure_of(result: workflow_run.StepResult, project_root: Path) -> str:
    """What a failed step says: when pytest was given a test path the project does not have,
    that path, in the same words whether pytest ran directly or in a `make` recipe."""
    step = result.step
    if result.returncode not in (None, 0) and not result.would_fail_because:
        folder = workflow_run.working_folder(step, project_root)
        missing = local_run.missing_test_paths(step.script, folder)
        # Only those pytest itself did not find: a step may make a folder before it tests it.
        missing = [path for path in missing if f"not found: {path}" in result.output]
        if missing:
            paths = ", ".join(f"`{path}`" for path in missing)
            return (
                f"{workflow_run.place_of(step)} failed: pytest is given {paths}, which your "
                "project does not have"
            )
    return workflow_run.failure_of(result)


def test_commands_pass(given: Given) -> None:
    """The `run:` steps of the pull-request jobs pass, each job on its own throwaway copy."""
    planned = local_run.plan(workflow_of(given))
    steps = [step for step in planned if not step.skipped]
    if not steps:
        raise CheckFailed(
            "no `run:` step of a job that pull requests start can run here, so nothing was tested"
        )
    root = project.locate()
    failures = local_run.run_jobs(steps, project.copy_for_checking, local_run.environment_for(root))
    # A failing install at the end of a job has no later step to report it (installs are
    # skipped here), yet it fails the job on GitHub.
    results = [
        failures.get(job) or local_run.failing_final_install(job_steps, root)
        for job, job_steps in workflow_run.jobs_of(planned).items()
    ]
    require([failure_of(result, root) for result in results if result is not None])


WORKFLOW = (
    Expectation(
        f"{WORKFLOW_FILE} is in your project, valid YAML with `on:` and `jobs:`",
        workflow_of,
        hint="YAML indents with spaces, two per level; start from the skeleton the stage gave you.",
        required=True,
    ),
    Expectation(
        "SchemaStore's workflow schema accepts it, and every `needs:` names a job",
        _judged_by(review.valid_workflow_problems),
        hint="Compare the named line with templates/ci-workflow.yml: key names, indentation, lists.",
    ),
    Expectation(
        "actionlint finds no problem in it",
        _judged_by(review.lint_problems),
        hint="actionlint knows GitHub's contexts, expressions and the actions' inputs; fix the "
        "named line (run `actionlint` on the file in a terminal to see it in context).",
    ),
    Expectation(
        "it starts on pull requests and on pushed `v*` tags",
        _judged_by(review.trigger_problems),
        hint='Under `on:` give `pull_request:` and `push:` with `tags: ["v*"]`.',
    ),
    Expectation(
        "a unit-test job runs on every pull request",
        _judged_by(review.unit_job_problems),
        hint="A job such as `unit:` that checks out the code, installs it, lints, then runs "
        "pytest on everything but tests/integration and tests/contract; no `if:`.",
    ),
    Expectation(
        "integration and contract tests run in a later job that `needs:` the unit tests",
        _judged_by(review.later_job_problems),
        hint="A second job, such as `integration:`, with `needs: [unit]`, running pytest on "
        "tests/integration and tests/contract.",
    ),
    Expectation(
        "an image job builds and pushes the image, only for `v*` tags, after the test jobs",
        _judged_by(review.image_job_problems),
        hint="A registry login (OIDC, or a stored secret), then docker/build-push-action with "
        "`push: true`; `needs:` both test jobs; `if: startsWith(github.ref, 'refs/tags/v')`.",
    ),
    Expectation(
        "no credential is written in the file",
        _judged_by(review.secret_problems),
        hint="Credentials come from a login step's short-lived token (`${{ steps.ID.outputs.… "
        "}}`) or from the repository's secrets (`${{ secrets.NAME }}`); the file only names them.",
    ),
    Expectation(
        "every action is pinned to a full commit SHA",
        _judged_by(review.pinning_problems),
        hint="Copy the pins of templates/ci-workflow.yml: `owner/action@<40-character SHA> # v1.2.3`.",
    ),
    Expectation(
        "the pull-request jobs' commands pass when run on a copy of your project",
        test_commands_pass,
        hint="Run the named command in your project folder (in the JupyterLab terminal) and fix "
        "what fails; installs, image builds and deploys are not run here.",
    ),
)


@dataclass(frozen=True)
class ReleaseCase:
    expectation: str
    current: str
    messages: tuple[str, ...]
    expected: str
    hint: str


RELEASE_CASES = (
    ReleaseCase(
        "a fix releases a patch: 1.4.2 -> 1.4.3",
        "1.4.2",
        ("fix: return 404 for an unknown booking id",),
        "1.4.3",
        "`fix:` bumps the last number.",
    ),
    ReleaseCase(
        "a feat releases a minor version and resets the patch: 1.4.2 -> 1.5.0",
        "1.4.2",
        ("feat: list a room's bookings for one day",),
        "1.5.0",
        "`feat:` bumps the middle number and sets the last to 0.",
    ),
    ReleaseCase(
        "a scope in brackets changes nothing: feat(api) is a feat",
        "1.4.2",
        ("feat(api): filter bookings by organiser",),
        "1.5.0",
        "The type is the word before an optional `(scope)`, `!` and the colon.",
    ),
    ReleaseCase(
        "types are case-insensitive: `Feat:` and `FIX:` count",
        "1.4.2",
        ("Feat: day view", "FIX: round durations down"),
        "1.5.0",
        "Conventional Commits compares types without regard to case: lower-case the type "
        "before you compare it.",
    ),
    ReleaseCase(
        "`!` after the type marks a breaking change: 1.4.2 -> 2.0.0",
        "1.4.2",
        ("feat(api)!: times must carry a UTC offset",),
        "2.0.0",
        "`type!:` or `type(scope)!:` is a breaking change: bump the first number, reset the others.",
    ),
    ReleaseCase(
        "a `BREAKING CHANGE:` footer marks a breaking change too",
        "1.4.2",
        ("fix: reject bookings longer than a day\n\nBREAKING CHANGE: longer bookings now get 422",),
        "2.0.0",
        "Look at the whole message, not only its first line: a footer line may start with `BREAKING CHANGE: `.",
    ),
    ReleaseCase(
        "several commits make one release: the biggest bump wins",
        "1.4.2",
        (
            "fix: round durations down",
            "feat: cancel a booking",
            "fix(api): 404 for unknown rooms",
            "feat: day view",
        ),
        "1.5.0",
        "Find the largest bump among all commits, then bump once (not once per commit).",
    ),
    ReleaseCase(
        "docs, chore, test, ci and refactor release nothing: the version stays",
        "1.4.2",
        (
            "docs: fix a typo in the README",
            "chore: update the lock file",
            "test: cover back-to-back bookings",
            "ci: cache uv",
            "refactor: split crud.py",
        ),
        "1.4.2",
        "Only fix and feat (and breaking changes) release; check the type, not words such as “fix” elsewhere in the message.",
    ),
    ReleaseCase(
        "a message that is not a conventional commit releases nothing",
        "1.4.2",
        ("Merge branch 'main' into feature/day-view", "feature: almost a feat", "WIP"),
        "1.4.2",
        "Only `type(scope)!: description` counts, with a type of letters, then `: ` and text.",
    ),
    ReleaseCase(
        "no commits since the last tag: the version stays",
        "1.4.2",
        (),
        "1.4.2",
        "Return `current` when nothing asks for a release.",
    ),
    ReleaseCase(
        "before 1.0.0 a breaking change bumps the minor version: 0.3.1 -> 0.4.0",
        "0.3.1",
        ("feat!: rename the rooms endpoint",),
        "0.4.0",
        "Under 1.0.0 the API is not stable yet, so a breaking change only bumps the middle number.",
    ),
    ReleaseCase(
        "before 1.0.0 a feat still bumps the minor version: 0.3.1 -> 0.4.0",
        "0.3.1",
        ("feat: day view",),
        "0.4.0",
        "The pre-1.0 rule only changes what a breaking change does.",
    ),
    ReleaseCase(
        "1.0.0 itself is stable: a breaking change makes 2.0.0",
        "1.0.0",
        ("feat!: rename the rooms endpoint",),
        "2.0.0",
        "The pre-1.0 rule applies below 1.0.0 only: from 1.0.0 on, a breaking change bumps the first number.",
    ),
    ReleaseCase(
        "numbers grow past 9: 1.9.9 + fix -> 1.9.10",
        "1.9.9",
        ("fix: off-by-one in the day view",),
        "1.9.10",
        "Treat each part as a number, not as a character.",
    ),
)


def _next_version(current: str, messages: tuple[str, ...]) -> Callable[[Given], object]:
    return lambda given: given.next_version(current, list(messages))


NEXT_VERSION = (
    *(
        equal(
            case.expectation, _next_version(case.current, case.messages), case.expected, case.hint
        )
        for case in RELEASE_CASES
    ),
    raises(
        "a current version that is not MAJOR.MINOR.PATCH raises ValueError",
        _next_version("1.4", ("fix: round durations down",)),
        ValueError,
        hint="Check `current` first, with a regular expression for three whole numbers.",
    ),
)

EXERCISES = {"06.1": WORKFLOW, "06.2": NEXT_VERSION}
