"""Exercise 06.1's judgement of a workflow: what a reviewer of the team's CI looks for.

Every `*_problems` function returns a list of plain sentences, one per problem, each saying where
the problem is (a line of ci.yml) and what to write there; an empty list means all is well. They
do not match text: they read the workflow as GitHub would (`onboarding.artefacts.workflow`),
then simulate which jobs run for a pull request, a push to main and a pushed tag `v1.2.0`. So
`github.ref_type == 'tag'` counts as much as `startsWith(github.ref, 'refs/tags/v')`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

import onboarding.stages.ci.local_run as local_run  # named in full: see below the imports
from onboarding.artefacts import makefile
from onboarding.artefacts.workflow import (
    PULL_REQUEST,
    PUSH_MAIN,
    PUSH_TAG,
    ActionReference,
    Workflow,
    actionlint_problems,
    ancestors,
    as_list,
    local_action_steps,
    needs_problems,
    runs_of,
    runs_of_every_combination,
    schema_problems,
    simulate,
    steps_of,
    triggered_by,
    uses_of,
)
from onboarding.protocol import shorten

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# local_run is named in full because this module depends on it alone, not on the package
# `onboarding.stages.ci`, whose checks import this module: `from onboarding.stages.ci import …`
# would read as a cycle (tests/onboarding/test_architecture.py).


def _words(job_id: str, job: Mapping[str, Any]) -> str:
    return f"{job_id} {job.get('name', '')}".lower()


LATER_TESTS = re.compile(r"integration|contract|schemathesis|pact", re.IGNORECASE)
LEAVES_OUT = re.compile(r"--(?:ignore|ignore-glob|deselect)(?:=|\s+)\S+")
"""pytest's options that leave tests out: a job that ignores tests/integration does not run it."""
PYTEST = re.compile(r"\b(?:pytest|py\.test)\b")
"""pytest, by either of its entry points (`py.test` still ships with it)."""
SCHEMATHESIS = re.compile(r"\bschemathesis\b")
"""Schemathesis, which runs the contract tests against the OpenAPI spec."""


def _installs(command: str) -> bool:
    """Whether a command installs packages without running one: `pipx run pytest` runs it."""
    return local_run.may_install(command) and command.split()[:2] != ["pipx", "run"]


def runs_a_tester(script: str, tester: re.Pattern[str] = PYTEST) -> bool:
    """Whether a script runs the tester (pytest by default): a command that only installs it
    (`pip install pytest schemathesis`, `uv add --dev pytest`) runs nothing yet."""
    return any(
        tester.search(command) and not _installs(command)
        for command in local_run.commands_of(script)
    )


def scripts_of(workflow: Workflow, job: Mapping[str, Any]) -> list[str]:
    """A job's `run:` scripts in each run of its matrix, each `make TARGET` followed by what the
    project's Makefile runs for it, and the `run:` steps of its local composite actions."""
    project = workflow.repository
    scripts = [script for _, script in runs_of_every_combination(job)]
    for _, uses in uses_of(job):
        scripts += [
            str(step["run"])
            for step in local_action_steps(workflow, uses)
            if isinstance(step.get("run"), str)
        ]
    return [makefile.expand(script, project) for script in scripts]


def later_test_jobs(workflow: Workflow) -> list[str]:
    """Jobs that run integration or contract tests (their name or their test command says so)."""
    found = []
    for job_id, job in workflow.jobs.items():
        commands = [
            run
            for run in scripts_of(workflow, job)
            if runs_a_tester(run) or runs_a_tester(run, SCHEMATHESIS)
        ]
        selects_later = any(
            _selects_later_tests(command, workflow.repository)
            for script in commands
            for command in local_run.commands_of(script)
            if not _installs(command)
        )
        if commands and (LATER_TESTS.search(_words(job_id, job)) or selects_later):
            found.append(job_id)
    return found


def _selects_later_tests(command: str, project: Path | None) -> bool:
    """Whether a command is aimed at the integration or contract tests: pytest running one of
    their folders and naming it (`pytest tests/integration`, `-m contract`), or schemathesis.
    A bare `pytest` runs them too, but is the unit job's mistake (`unit_scope_problems`);
    `-m "not integration"` names a folder it leaves out, and selects only the other."""
    arguments = local_run.pytest_arguments(command)
    if arguments is None:
        return bool(LATER_TESTS.search(command))
    named = LEAVES_OUT.sub("", command)
    folders = later_folders_run(arguments, project)
    if folders is None:  # an expression the check cannot read: what the command names counts
        return bool(LATER_TESTS.search(named))
    return any(re.search(PurePosixPath(folder).name, named, re.IGNORECASE) for folder in folders)


def unit_jobs(workflow: Workflow) -> list[str]:
    """Jobs that run pytest on the fast tests: named `unit`, or running pytest on other tests
    than the integration and contract ones."""
    later = set(later_test_jobs(workflow))
    found = []
    for job_id, job in workflow.jobs.items():
        commands = [run for run in scripts_of(workflow, job) if runs_a_tester(run)]
        if not commands:
            continue
        says_unit = "unit" in _words(job_id, job) or any("unit" in run for run in commands)
        if says_unit or job_id not in later:
            found.append(job_id)
    return found


# ------------------------------------------------------------- what a pytest command selects
LATER_FOLDERS = ("tests/integration", "tests/contract")
"""Where the project keeps the tests of the later job (stage 05). Its tests/conftest.py marks
each test with its folder's name (`integration`, `contract`), so `-m` selects them too."""
SAMPLE_TEST = "test_sample.py"
"""A test file inside a folder, to see whether a pattern (`--ignore-glob`) takes it."""
ROOT = "/project"
"""Where pytest runs, as `--ignore-glob` sees it: pytest makes a relative pattern absolute."""


@dataclass
class PytestSelection:
    """What one pytest command is given that says which tests run."""

    paths: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    ignore_globs: list[str] = field(default_factory=list)
    deselected: list[str] = field(default_factory=list)
    markers: str | None = None
    keywords: str | None = None


def pytest_selection(arguments: list[str], project: Path | None = None) -> PytestSelection:
    """What a pytest command's arguments select, with the `addopts` and `testpaths` of the
    project's pyproject.toml (pytest reads `addopts` before the command line: a later `-m`
    wins)."""
    addopts, testpaths = _pytest_settings(project)
    selection = PytestSelection()
    words = [*addopts, *arguments]
    while words:
        word = words.pop(0)
        name, joined, value = word.partition("=")
        if word.startswith("--") and joined:
            option = name
        elif word in local_run.PYTEST_OPTIONS_WITH_VALUE:
            option, value = word, (words.pop(0) if words else "")
        elif re.fullmatch(r"-[mk].+", word):  # `-mslow`: a short option joined to its value
            option, value = word[:2], word[2:]
        else:
            if not word.startswith("-"):
                selection.paths.append(word.split("::")[0])
            continue
        if option == "--ignore":
            selection.ignored.append(value)
        elif option == "--ignore-glob":
            selection.ignore_globs.append(value)
        elif option == "--deselect":
            selection.deselected.append(value)
        elif option == "-m":
            selection.markers = value
        elif option == "-k":
            selection.keywords = value
    if not selection.paths:
        selection.paths = list(testpaths) or ["."]
    return selection


def _pytest_settings(project: Path | None) -> tuple[list[str], list[str]]:
    """(addopts, testpaths) of the project's pyproject.toml, `[tool.pytest.ini_options]` or
    pytest 9's `[tool.pytest]`; nothing when there is no project or no such table."""
    if project is None or not (project / "pyproject.toml").is_file():
        return [], []
    try:
        data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return [], []
    tables = data.get("tool", {}).get("pytest", {})
    table = tables.get("ini_options", tables) if isinstance(tables, dict) else {}
    addopts, testpaths = table.get("addopts", []), table.get("testpaths", [])
    try:
        addopts = shlex.split(addopts) if isinstance(addopts, str) else list(map(str, addopts))
    except ValueError:
        addopts = []
    testpaths = testpaths.split() if isinstance(testpaths, str) else list(map(str, testpaths))
    return addopts, testpaths


def _parts(path: str) -> tuple[str, ...]:
    """A path's parts as pytest is given it: `./tests/integration/` is (tests, integration)."""
    path = path.removeprefix("./").rstrip("/")
    return () if path in ("", ".") else PurePosixPath(path).parts


def _holds(path: str, folder: str) -> bool:
    """Whether `path` (a folder, a file, or a shell pattern such as `tests/*`) is `folder` or
    a folder that holds it."""
    wanted, parts = _parts(path), _parts(folder)
    return len(wanted) <= len(parts) and all(map(fnmatchcase, parts, wanted))


def _covers(path: str, folder: str) -> bool:
    """Whether pytest given `path` runs tests of `folder`: it is the folder, holds it, or is in
    it (`tests/integration/test_api.py`)."""
    wanted, parts = _parts(path), _parts(folder)
    return all(map(fnmatchcase, parts, wanted))


def runs_folder(selection: PytestSelection, folder: str) -> bool | None:
    """Whether the tests of a later folder run; None when a `-m` or `-k` expression cannot be
    read."""
    if not any(_covers(path, folder) for path in selection.paths):
        return False
    if any(_holds(ignored, folder) for ignored in selection.ignored):
        return False
    absolute = f"{ROOT}/{folder}"
    for pattern in selection.ignore_globs:
        pattern = pattern if pattern.startswith("/") else f"{ROOT}/{pattern.removeprefix('./')}"
        if fnmatchcase(absolute, pattern) or fnmatchcase(f"{absolute}/{SAMPLE_TEST}", pattern):
            return False
    # pytest leaves out each test whose id starts with one of the `--deselect` prefixes.
    if any(f"{folder}/".startswith(prefix) for prefix in selection.deselected if prefix):
        return False
    marker = PurePosixPath(folder).name
    for expression, matches in (
        (selection.markers, lambda name: name == marker),
        # `-k` matches a part of a name of the test or of a folder it is in, in any case.
        (
            selection.keywords,
            lambda name: any(name.lower() in p.lower() for p in folder.split("/")),
        ),
    ):
        if expression is not None and expression.strip():
            verdict = _evaluate(expression, matches)
            if verdict is None or not verdict:
                return verdict
    return True


def later_folders_run(arguments: list[str], project: Path | None = None) -> list[str] | None:
    """The later folders (`LATER_FOLDERS`) that a pytest command runs; None when an expression
    it selects by cannot be read."""
    selection = pytest_selection(arguments, project)
    verdicts = {folder: runs_folder(selection, folder) for folder in LATER_FOLDERS}
    if None in verdicts.values():
        return None
    return [folder for folder, runs in verdicts.items() if runs]


EXPRESSION_TOKEN = re.compile(r"\s*(?:(?P<bracket>[()])|(?P<name>[\w:+\-.\[\]\\/]+))")


def _evaluate(expression: str, matches: Any) -> bool | None:
    """A `-m` or `-k` expression (`not integration and not contract`, `not (a or b)`) for one
    test, each name true when `matches(name)` is; None when it cannot be read."""
    tokens: list[str] = []
    at = 0
    while at < len(expression):
        token = EXPRESSION_TOKEN.match(expression, at)
        if token is None or token.end() == at:
            if expression[at:].strip():
                return None
            break
        tokens.append(token["bracket"] or token["name"])
        at = token.end()

    def either() -> bool:
        value = both()
        while tokens and tokens[0] == "or":
            tokens.pop(0)
            value = both() or value
        return value

    def both() -> bool:
        value = negated()
        while tokens and tokens[0] == "and":
            tokens.pop(0)
            value = negated() and value
        return value

    def negated() -> bool:
        token = tokens.pop(0)  # an IndexError when the expression stops short
        if token == "not":
            return not negated()
        if token == "(":
            value = either()
            if tokens.pop(0) != ")":
                raise ValueError(expression)
            return value
        if token in (")", "and", "or"):
            raise ValueError(expression)
        return bool(matches(token))

    try:
        value = either()
    except (IndexError, ValueError):
        return None
    return None if tokens else value


BUILD_ACTION = re.compile(
    r"^(?:docker/build-push-action|docker/bake-action|depot/build-push-action|depot/bake-action"
    r"|redhat-actions/buildah-build)@",
    re.IGNORECASE,
)
"""Actions that build an image: Docker's build-push and bake actions, Depot's drop-in versions
of them, and Red Hat's buildah action."""
PUSH_ACTION = re.compile(r"^redhat-actions/push-to-registry@", re.IGNORECASE)
"""An action that only pushes an image that an earlier step built."""
DOCKER_COMMAND = re.compile(
    r"\bdocker\s+(?:buildx\s+)?(?:build|bake|push|image\s+push)\b"
    r"|\b(?:podman|buildah)\s+(?:build|bud|build-using-dockerfile|push)\b"
)
PUSH_COMMAND = re.compile(
    r"\bdocker\s+(?:image\s+)?push\b|\s--push\b|\b(?:podman|buildah)\s+push\b"
    # buildx's exporters: `--output type=registry`, `-o type=image,name=…,push=true`.
    r"|\s(?:--output|-o)(?:=|\s+)['\"]?\S*(?:type=registry|push=true)"
)
BUILDERS_UNDERSTOOD = (
    "docker/build-push-action, docker/bake-action, Depot's versions of them, "
    "redhat-actions/buildah-build, or a `docker build`, `docker buildx build`, "
    "`docker buildx bake`, `podman build` or `buildah build` (`buildah bud`) command"
)
"""The image builders the check recognises, as its message names them when it finds none."""


def image_jobs(workflow: Workflow) -> list[str]:
    """Jobs that build an image: a build action, or docker, podman or buildah commands."""
    return [
        job_id
        for job_id, job in workflow.jobs.items()
        if any(BUILD_ACTION.match(uses) or PUSH_ACTION.match(uses) for _, uses in uses_of(job))
        or any(DOCKER_COMMAND.search(run) for _, run in runs_of(job))
    ]


def trigger_problems(workflow: Workflow) -> list[str]:
    """The workflow must start on pull requests and on pushed `v*` tags."""
    problems = []
    line = workflow.line("on")
    triggers = workflow.triggers
    if not triggered_by(workflow, PULL_REQUEST):
        if "pull_request" in triggers:
            problems.append(
                f"line {workflow.line('on', 'pull_request')}: the `pull_request` filters leave out "
                "pull requests to main: remove the filter or add `main` to `branches:`"
            )
        else:
            problems.append(f"line {line}: `on:` has no `pull_request:`; add it under `on:`")
    if not triggered_by(workflow, PUSH_TAG):
        push = triggers.get("push")
        if "push" not in triggers:
            problems.append(
                f"line {line}: `on:` has no `push:`, so pushing a version tag starts nothing"
            )
        elif not isinstance(push, dict) or "tags" not in push:
            problems.append(
                f"line {workflow.line('on', 'push')}: `push:` has no `tags:` filter, so a "
                'pushed tag v1.2.0 does not start the workflow; add `tags: ["v*"]` under `push:`'
            )
        else:
            patterns = ", ".join(map(str, as_list(push["tags"])))
            problems.append(
                f"line {workflow.line('on', 'push', 'tags')}: the tag filter ({patterns}) does "
                'not match v1.2.0; use `tags: ["v*"]`'
            )
    return problems


def unit_job_problems(workflow: Workflow) -> list[str]:
    """A unit-test job exists, and a pull request runs it."""
    units = unit_jobs(workflow)
    if not units:
        unread = unread_test_commands(workflow)
        return [
            f"line {workflow.line('jobs')}: no job runs the unit tests (pytest)"
            + (f"; {unread[0]}" if unread else "")
        ]
    if not triggered_by(workflow, PULL_REQUEST):
        return ["not checked until the workflow starts on pull requests (see above)"]
    outcomes = simulate(workflow, PULL_REQUEST)
    running = [job_id for job_id in units if outcomes[job_id].runs]
    if not running:
        return [
            f"line {workflow.line('jobs', job_id)}: on a pull request, job `{job_id}` does not "
            f"run ({outcomes[job_id].reason}); the unit tests must run on every pull request, "
            "so give the job no `if:` and no `needs:` on a job that is skipped for pull requests"
            for job_id in units
        ]
    # The job runs, but its pytest steps may not: a step's own `if:` can skip them.
    pytest_steps = [
        step
        for step in local_run.plan(workflow)
        if step.job.partition(" (")[0] in running
        and runs_a_tester(makefile.expand(step.script, workflow.repository))
    ]
    skipped = [step for step in pytest_steps if step.skipped.startswith("its `if:`")]
    if pytest_steps and len(skipped) == len(pytest_steps):
        return [
            f"line {step.line}: on a pull request, the step {step.name} of job `{step.job}` is "
            "skipped by its `if:`; the unit tests must run on every pull request, so give the "
            "step no `if:`"
            for step in dict.fromkeys(skipped)
        ]
    return (
        unit_scope_problems(workflow, running, pytest_steps)
        + lint_step_problems(workflow, running)
        + failures_ignored(workflow, running)
    )


def unit_scope_problems(
    workflow: Workflow, running: list[str], pytest_steps: list[local_run.Step]
) -> list[str]:
    """The unit job runs everything but tests/integration and tests/contract: those are the
    later job's. One running unit job whose pytest commands all leave them out is enough."""
    offending: dict[str, list[tuple[local_run.Step, str, list[str]]]] = {}
    for step in pytest_steps:
        if step.skipped.startswith("its `if:`"):
            continue
        job_id = step.job.partition(" (")[0]
        offending.setdefault(job_id, [])
        for command in local_run.commands_of(makefile.expand(step.script, workflow.repository)):
            arguments = local_run.pytest_arguments(command)
            folders = (
                None if arguments is None else later_folders_run(arguments, workflow.repository)
            )
            if folders:  # None: not pytest, or an expression the check cannot read
                offending[job_id].append((step, command, folders))
    if not offending or any(not found for found in offending.values()):
        return []
    problems = []
    for found in offending.values():
        for step, command, folders in found:
            problems.append(
                f"line {step.line}: `{shorten(command, 60)}` in job `{step.job}` runs "
                f"{' and '.join(folders)} too; the unit-test job runs the fast tests only, and "
                "the later job those: add `--ignore=tests/integration --ignore=tests/contract` "
                '(or `-m "not integration and not contract"`)'
            )
    return list(dict.fromkeys(problems))


LINTERS = ("flake8", "pylint", "pyflakes")
"""Linters that lint when run as they are; ruff lints with its `check` command."""
RUFF_OPTIONS_WITH_VALUE = {"--config"}
LINT_TASK = re.compile(r"^(?:tox|nox|just|task|poe|invoke|hatch|pdm)$")
"""Task runners whose tasks the check cannot read (`tox -e lint`): a task named lint counts."""
LINT_ACTIONS = re.compile(
    r"^(?:astral-sh/ruff-action|chartboost/ruff-action|pre-commit/action|py-actions/flake8"
    r"|wearerequired/lint-action)@",
    re.IGNORECASE,
)
"""Actions that lint: ruff's own (`ruff check` unless told otherwise), pre-commit's (on every
file), flake8's, and lint-action."""
PRE_COMMIT_ON_EVERY_FILE = {"--all-files", "-a", "--from-ref", "--source", "--files"}


def lint_verdict(command: str) -> str:
    """ "lints" when a command lints the code; otherwise why it does not, when it looks like a
    lint ("format", "staged"), or ""."""
    words = local_run.tool_words(command)
    if not words:
        return ""
    tool, rest = words[0], words[1:]
    if tool == "ruff":
        while rest and rest[0].startswith("-"):
            option = rest.pop(0)
            if option in RUFF_OPTIONS_WITH_VALUE and rest:
                rest.pop(0)
        if rest[:1] == ["check"]:
            return "lints"
        return "format" if rest[:1] == ["format"] else ""
    if tool in LINTERS:
        return "lints"
    if tool in ("pre-commit", "prek") and rest[:1] == ["run"]:
        every_file = any(word.partition("=")[0] in PRE_COMMIT_ON_EVERY_FILE for word in rest)
        return "lints" if every_file else "staged"
    if LINT_TASK.match(tool) and any("lint" in word for word in rest):
        return "lints"
    return ""


def lint_step_problems(workflow: Workflow, running: list[str]) -> list[str]:
    """A job that a pull request starts lints the code: the unit job, or a job of its own (the
    company's template has one)."""
    outcomes = simulate(workflow, PULL_REQUEST)
    verdicts = [
        lint_verdict(command)
        for step in local_run.plan(workflow)
        if not step.skipped.startswith("its `if:`")
        for command in local_run.commands_of(makefile.expand(step.script, workflow.repository))
    ]
    for job_id, job in workflow.jobs.items():
        if outcomes[job_id].runs:
            verdicts += ["lints" for _, uses in uses_of(job) if LINT_ACTIONS.match(uses)]
    if "lints" in verdicts:
        return []
    why = ""
    if "staged" in verdicts:
        why = (
            "; `pre-commit run` without `--all-files` checks only the files staged for a "
            "commit, and a runner has none"
        )
    elif "format" in verdicts:
        why = "; `ruff format --check` checks only the layout, not what the code does"
    return [
        f"line {workflow.line('jobs', running[0])}: no job lints the code on a pull request"
        f"{why}: add a step such as `uv run --with ruff ruff check .` to job `{running[0]}`, "
        "before its tests (flake8, pylint, `pre-commit run --all-files`, or a `make` target "
        "that runs one of them, count too)"
    ]


TASK_RUNNERS = re.compile(r"^(?:tox|nox|just|task|poe|invoke|hatch\s+(?:run|test)|pdm\s+run)\b")
"""Commands that run tasks written in a file of their own (tox.ini, noxfile.py, justfile…)."""
READ_INSTEAD = (
    "the check finds pytest in a `run:` step, in the recipe of a Makefile target that a step "
    "calls (`make test`), or in a composite action of the repository "
    "(`uses: ./.github/actions/NAME`)"
)


def unread_test_commands(workflow: Workflow) -> list[str]:
    """What the jobs run that may run pytest where the check cannot see it, in plain words."""
    notes = []
    project = workflow.repository
    text = makefile.read_makefile(project) if project is not None else None
    for job_id, job in workflow.jobs.items():
        for index, script in runs_of(job):
            line = workflow.line("jobs", job_id, "steps", index, "run")
            for command in local_run.commands_of(script):
                program = local_run.strip_runner(command)
                arguments = makefile.make_arguments(program)
                if arguments is not None:
                    shown = shlex.join(["make", *arguments[0]])
                    why = (
                        "the project has no Makefile to read it from"
                        if text is None
                        else f"the Makefile's recipe for `{shown}` runs no pytest"
                    )
                    notes.append(f"line {line} runs `{shown}`, but {why}")
                elif TASK_RUNNERS.match(program):
                    notes.append(
                        f"line {line} runs `{shorten(program, 40)}`, whose tasks are written in "
                        f"a file of its own that the check does not read: {READ_INSTEAD}"
                    )
        for index, uses in uses_of(job):
            if uses.startswith("./") and not local_action_steps(workflow, uses):
                line = workflow.line("jobs", job_id, "steps", index, "uses")
                notes.append(
                    f"line {line} uses `{uses}`, which is not a composite action the check can "
                    f"read (its action.yml with `runs: using: composite`): {READ_INSTEAD}"
                )
        if isinstance(job.get("uses"), str):
            notes.append(
                f"line {workflow.line('jobs', job_id, 'uses')}: job `{job_id}` calls the "
                f"reusable workflow `{job['uses']}`, which the check does not read: {READ_INSTEAD}"
            )
    return notes


def failures_ignored(workflow: Workflow, job_ids: list[str]) -> list[str]:
    """`continue-on-error: true` on a test job or its pytest step: failing tests pass the run.

    Only the literal `true`: `${{ matrix.experimental }}` lets chosen combinations fail, and
    the others must still pass.
    """
    problems = []
    for job_id in job_ids:
        job = workflow.jobs[job_id]
        if job.get("continue-on-error") is True:
            problems.append(
                f"line {workflow.line('jobs', job_id, 'continue-on-error')}: job `{job_id}` has "
                "`continue-on-error: true`, so failing tests would not fail the pull request; "
                "remove it"
            )
            continue
        for index, step in steps_of(job):
            script = makefile.expand(str(step.get("run", "")), workflow.repository)
            if step.get("continue-on-error") is True and runs_a_tester(script):
                problems.append(
                    f"line {workflow.line('jobs', job_id, 'steps', index, 'continue-on-error')}: "
                    f"the pytest step of job `{job_id}` has `continue-on-error: true`, so failing "
                    "tests would not fail the pull request; remove it"
                )
    return problems


def later_job_problems(workflow: Workflow) -> list[str]:
    """Integration and contract tests run in a separate job that needs the unit tests."""
    units, later = unit_jobs(workflow), later_test_jobs(workflow)
    if not later:
        return [f"line {workflow.line('jobs')}: no job runs integration or contract tests"]
    separate = [job_id for job_id in later if job_id not in units]
    if not separate:
        return [
            f"line {workflow.line('jobs', later[0])}: job `{later[0]}` runs the unit tests and "
            "the integration tests together: move the integration and contract tests to a job "
            "of their own with `needs:` naming the unit job, so the fast tests fail first"
        ]
    waiting = [job_id for job_id in separate if set(units) & ancestors(workflow, job_id)]
    if not waiting:
        job_id = separate[0]
        unit = units[0] if units else "unit"
        return [
            f"line {workflow.line('jobs', job_id)}: job `{job_id}` does not wait for the unit "
            f"tests; add `needs: [{unit}]` to it, beside `runs-on:`"
        ]
    if triggered_by(workflow, PULL_REQUEST):
        outcomes = simulate(workflow, PULL_REQUEST)
        if not any(outcomes[job_id].runs for job_id in waiting):
            job_id = waiting[0]
            return [
                f"line {workflow.line('jobs', job_id)}: on a pull request, job `{job_id}` does "
                f"not run ({outcomes[job_id].reason}); integration and contract tests belong to "
                "every pull request too, in the later stage"
            ]
    return failures_ignored(workflow, waiting)


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true" or "${{" in str(value)


def _pushes(job: Mapping[str, Any]) -> bool:
    for _, step in steps_of(job):
        uses = str(step.get("uses", ""))
        if PUSH_ACTION.match(uses):
            return True
        if BUILD_ACTION.match(uses):
            inputs = step.get("with") or {}
            # build-push-action's `outputs:`, or bake-action's `set: *.output=type=registry`.
            written_to = f"{inputs.get('outputs')} {inputs.get('set')}"
            if _truthy(inputs.get("push")) or re.search(
                r"push=true|output=type=registry", written_to
            ):
                return True
        if PUSH_COMMAND.search(str(step.get("run", ""))):
            return True
    return False


REGISTRY_LOGINS = re.compile(
    r"^(docker/login-action|aws-actions/amazon-ecr-login|azure/docker-login"
    r"|redhat-actions/podman-login)@",
    re.IGNORECASE,
)
LOGIN_COMMANDS = re.compile(
    r"\b(?:docker|podman|buildah)\s+login\b"
    # Each cloud's CLI can log Docker in to its registry with the identity it already has.
    r"|\bgcloud\s+auth\s+configure-docker\b|\bdocker-credential-gcr\s+configure-docker\b"
    r"|\baz\s+acr\s+login\b"
)


def _logs_in(job: Mapping[str, Any]) -> bool:
    return any(
        REGISTRY_LOGINS.match(str(step.get("uses", "")))
        or LOGIN_COMMANDS.search(str(step.get("run", "")))
        # push-to-registry logs in itself when it is given the registry's credentials.
        or (PUSH_ACTION.match(str(step.get("uses", ""))) and "password" in (step.get("with") or {}))
        for _, step in steps_of(job)
    )


def image_job_problems(workflow: Workflow) -> list[str]:
    """An image job builds and pushes, only for `v*` tags, after the unit and later test jobs."""
    images = image_jobs(workflow)
    if not images:
        return [
            f"line {workflow.line('jobs')}: no job builds the image with a builder the check "
            f"knows: use {BUILDERS_UNDERSTOOD}"
        ]
    job_id = images[0]
    job = workflow.jobs[job_id]
    line = workflow.line("jobs", job_id)
    problems = []
    if not _pushes(job):
        problems.append(
            f"line {line}: job `{job_id}` builds the image but never pushes it: give "
            "docker/build-push-action (or docker/bake-action) `push: true`, or run "
            "`docker push` (`podman push`, `buildah push`) after the build, or build with "
            "`docker buildx build --push`"
        )
    elif not _logs_in(job):
        problems.append(
            f"line {line}: job `{job_id}` pushes without logging in to the registry: add a "
            "docker/login-action step before the push, with a short-lived token from the "
            "cloud's OIDC login (or, as a fallback, `${{ secrets.… }}`)"
        )
    if "if" not in job:
        problems.append(
            f"line {line}: job `{job_id}` has no `if:`, so it would publish an image for every "
            "pull request; add `if: startsWith(github.ref, 'refs/tags/v')` beside `runs-on:`"
        )
    else:
        where = workflow.line("jobs", job_id, "if")
        for event in (PULL_REQUEST, PUSH_MAIN):
            if simulate(workflow, event)[job_id].runs:
                problems.append(
                    f"line {where}: job `{job_id}` also runs for {event.label}; its `if:` should "
                    "hold only for tags, as `startsWith(github.ref, 'refs/tags/v')` does"
                )
        if triggered_by(workflow, PUSH_TAG):
            outcome = simulate(workflow, PUSH_TAG)[job_id]
            if not outcome.runs and outcome.reason.startswith(("skipped by", "unreadable")):
                problems.append(
                    f"line {where}: job `{job_id}` does not run for a pushed tag v1.2.0 "
                    f"({outcome.reason}); write `if: startsWith(github.ref, 'refs/tags/v')`"
                )
    waits_for = ancestors(workflow, job_id)
    missing = []
    if not set(unit_jobs(workflow)) & waits_for:
        missing.append("the unit tests")
    if not (set(later_test_jobs(workflow)) - {job_id}) & waits_for:
        missing.append("the integration and contract tests")
    if missing:
        problems.append(
            f"line {line}: job `{job_id}` does not wait for {' or '.join(missing)}; add "
            "`needs:` naming those jobs, so that only a tested commit is published"
        )
    return problems


SECRET_KEY = re.compile(
    r"(^|[_-])(password|passwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)($|[_-])",
    re.IGNORECASE,
)
DESCRIBES_A_CREDENTIAL = re.compile(
    r"[_-](format|type|url|uri|name|file|path|endpoint|lifetime|duration|expiry)$|^id-token$",
    re.IGNORECASE,
)
"""Keys that name something about a credential, not the credential: `token_format`, `id-token`."""
SAFE_EXPRESSION = re.compile(
    r"\$\{\{\s*(secrets\.[A-Za-z0-9_]+|github\.token|env\.[A-Za-z0-9_]+"
    r"|steps\.[A-Za-z0-9_-]+\.outputs\.[A-Za-z0-9_-]+)\s*\}\}"
)
"""Where a credential may come from: a stored secret, the job's own token, or the output of an
earlier step (an OIDC login's short-lived token, masked by the action that made it)."""
TOKEN_SHAPES = re.compile(
    r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}|xox[abpr]-[A-Za-z0-9-]{10,})"
)
URL_CREDENTIALS = re.compile(r"://[^/\s:@]+:(?P<password>[^@\s/]+)@")
PASSWORD_FLAG = re.compile(r"(?:\s-p|\s--password)(?:\s+|=)(?P<value>\S+)")


def _literal(value: str) -> bool:
    """True when the value is written out rather than read from a secret or a variable."""
    text = value.strip().strip("'\"")
    return bool(text) and not text.startswith("$")


def secret_problems(workflow: Workflow) -> list[str]:
    """No secret is written into the file: credentials only as secrets or short-lived tokens."""
    problems: list[str] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
            return
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*path, index))
            return
        if not isinstance(node, str | int | float) or isinstance(node, bool):
            return
        text, line = str(node), workflow.line(*path)
        key = str(path[-1]) if path else ""
        # `persist-credentials: 'false'`, `mask-password: 'true'`: a switch, quoted or not.
        is_a_switch = text.strip().lower() in ("true", "false")
        if SECRET_KEY.search(key) and not DESCRIBES_A_CREDENTIAL.search(key) and not is_a_switch:
            if "${{" not in text and text.strip():
                problems.append(
                    f"line {line}: `{key}` is written out in the file; store it as a repository "
                    f"secret and write `{key}: ${{{{ secrets.{secret_name(key)} }}}}`"
                )
            elif "${{" in text and not SAFE_EXPRESSION.search(text):
                problems.append(
                    f"line {line}: `{key}` comes from `{shorten(text, 40)}`; only "
                    "`${{ secrets.NAME }}` or a login step's output is masked in logs and kept "
                    "out of the file"
                )
        if TOKEN_SHAPES.search(text):
            problems.append(
                f"line {line}: this looks like a real access token; revoke it, "
                "store the new one as a secret, and write `${{ secrets.NAME }}`"
            )
        url = URL_CREDENTIALS.search(text)
        if url and _literal(url["password"]) and "${{" not in url["password"]:
            problems.append(
                f"line {line}: a URL with a password in it; keep the whole URL in a secret, as "
                "`${{ secrets.DATABASE_URL }}`"
            )
        if key == "run":
            flag = PASSWORD_FLAG.search(" " + text)
            if flag and _literal(flag["value"]) and "${{" not in flag["value"]:
                problems.append(
                    f"line {line}: a password is passed on the command line; use "
                    "docker/login-action with a short-lived token or "
                    "`password: ${{ secrets.REGISTRY_PASSWORD }}`, or `--password-stdin`"
                )

    walk(workflow.data, ())
    return problems


def secret_name(key: str) -> str:
    """A name for the secret that should hold `key`'s value (a bare password: the registry's)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", key).upper()
    return {"PASSWORD": "REGISTRY_PASSWORD"}.get(name, name)


SHA_ADVICE = (
    "pin the full commit SHA of a release, with its version in a comment, as the template "
    "does: `{name}@<40-character SHA> # v1.2.3`"
)


def _pin_problem(workflow: Workflow, uses: str, line: int) -> str | None:
    action = ActionReference(uses)
    if action.is_local:
        return None  # an action in this repository: it changes with the commit itself
    if action.is_docker:
        if "@sha256:" in uses:
            return None
        return (
            f"line {line}: `{uses}` names the image by tag, which can be moved; pin its digest: "
            "`docker://image@sha256:…`"
        )
    advice = SHA_ADVICE.format(name=action.name)
    if not action.ref:
        return f"line {line}: `{uses}` has no version at all; {advice}"
    if action.is_commit_sha:
        return None
    if re.fullmatch(r"[0-9a-f]{7,39}", action.ref):
        return f"line {line}: `{uses}` uses a short SHA, which can become ambiguous; {advice}"
    if re.fullmatch(r"v?\d+(\.\d+){0,2}([-.][0-9A-Za-z.]+)?", action.ref):
        return f"line {line}: `{uses}` follows a tag, which can be moved to other code; {advice}"
    return f"line {line}: `{uses}` follows the branch `{action.ref}`, which changes under you; {advice}"


def pinning_problems(workflow: Workflow) -> list[str]:
    """Every action (and reusable workflow) is pinned to a full commit SHA."""
    problems = []
    for job_id, job in workflow.jobs.items():
        places = []
        if isinstance(job.get("uses"), str):
            places.append((job["uses"], workflow.line("jobs", job_id, "uses")))
        places += [
            (uses, workflow.line("jobs", job_id, "steps", index, "uses"))
            for index, uses in uses_of(job)
        ]
        for uses, line in places:
            problem = _pin_problem(workflow, uses, line)
            if problem:
                problems.append(problem)
    return problems


def valid_workflow_problems(workflow: Workflow) -> list[str]:
    """SchemaStore's schema accepts the file, and every `needs:` names a job (the schema cannot)."""
    return schema_problems(workflow) + needs_problems(workflow)


def lint_problems(workflow: Workflow) -> list[str]:
    return actionlint_problems(workflow)
