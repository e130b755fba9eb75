"""How stage 04's checks run the learner's project: copies, child pytest runs, their results.

Every run works on a throwaway copy of the learner's project (`project.copy_for_checking`), in a
child process (`onboarding.pytest_runs`), under a time limit, so nothing a check does changes
the learner's files or git history, and a project that does not import is one ❌ line.

- `learners_service`: the course's hidden API tests against the learner's own service (04.2);
- `rules_in_reference`: the learner's rules.py (and models.py) inside the course's service (04.1);
- `learners_tests`: the learner's tests against the course's service or their own, as it is and
  with each planted bug (04.3, 04.4 and stage 05).

Results are read as data; the `require_*` helpers turn them into the ❌ lines' text.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from onboarding import planted, project
from onboarding.checks import CheckFailed, require
from onboarding.planted import PlantedBug
from onboarding.pytest_runs import ChildRun, PytestRun, Session

STAGE = "04"
SUITES = Path(__file__).parent / "suites"
TIME_LIMIT = 25.0
"""Seconds a check's child run may take on a quiet machine; it stretches with the load
(`ChildRun.over_time`), and the check's own 30 s limit is paused while the child runs."""
REFERENCE = "reference"
LEARNERS = "yours"


@contextlib.contextmanager
def learners_project() -> Iterator[Path]:
    """A throwaway copy of the learner's project; no project is a CheckFailed saying why."""
    try:
        with project.copy_for_checking() as copy:
            yield copy
    except project.ProjectError as error:
        raise CheckFailed(str(error)) from None


PLUGINS_WHEN_USED = {
    "anyio": re.compile(r"\banyio\b|\basync\s+def\b"),
    "hypothesispytest": re.compile(r"\bhypothesis\b"),
    "schemathesis": re.compile(r"\bschemathesis\b"),
}
"""pytest plugins by entry-point name, and what in a test file shows that it relies on one.

The learner's own `pytest` loads these by itself (the environment installs them), and they change
what a test means: without anyio's, an `async def` test is an error; without schemathesis's, a
`@schema.parametrize()` test has no `case` fixture. Child runs load no plugin unless named, and
loading all three into every run would cost most of a second, so a session names those its
tests refer to."""


def plugins_for(folder: Path, arguments: Sequence[str]) -> tuple[str, ...]:
    """The plugins of PLUGINS_WHEN_USED that the tests named in `arguments` (and their
    conftest.py files) refer to, so a check runs them as `pytest` in the project would."""
    sources = [*folder.glob("conftest.py"), *(folder / "tests").rglob("conftest.py")]
    for argument in arguments:
        path = folder / argument.partition("::")[0]
        if path.is_dir():
            sources.extend(path.rglob("*.py"))
        elif path.suffix == ".py" and path.is_file():
            sources.append(path)
    text = "\n".join(source.read_text(encoding="utf-8", errors="replace") for source in sources)
    return tuple(name for name, used in PLUGINS_WHEN_USED.items() if used.search(text))


def session(
    key: str,
    folder: Path,
    *arguments: str,
    bug: PlantedBug | None = None,
    course_suite: bool = False,
    stop_at_first: bool = False,
) -> Session:
    """A session in a project folder: its `src/` importable, a bug planted if one is named.

    The learner's tests get the plugins they rely on (`plugins_for`); a course suite needs none.
    """
    env: dict[str, str | None] = {planted.PLANTED_BUG_VARIABLE: bug.plant if bug else None}
    return Session(
        key,
        folder,
        (*arguments, *(["-x"] if stop_at_first else [])),
        env=env,
        python_path=(folder / "src",),
        own_config=not course_suite,
        plugins=() if course_suite else plugins_for(folder, arguments),
        forget=(planted.PACKAGE,),
    )


def run_sessions(sessions: Sequence[Session], children: int = 1) -> dict[str, PytestRun]:
    """Run the sessions in `children` child processes side by side (two cores, two children)."""
    shares = [list(sessions[number::children]) for number in range(children)]
    with contextlib.ExitStack() as stack:
        runs = [
            stack.enter_context(ChildRun(share, time_limit=TIME_LIMIT)) for share in shares if share
        ]
        return {key: result for run in runs for key, result in run.wait().items()}


def learners_service(suite: str | Path) -> PytestRun:
    """A course suite (a module of `suites/`, or a path) run against the learner's own service."""
    with learners_project() as copy:
        arguments = (str(SUITES / suite), "-p", "no:warnings")
        return run_sessions([session(LEARNERS, copy, *arguments, course_suite=True)])[LEARNERS]


def rules_in_reference(suite: str) -> PytestRun:
    """A course suite run in the course's service with the learner's rules.py in it (and their
    models.py, which their rules may rely on, when it still defines what the service imports:
    `planted.LEARNERS_OWN_IN_PLACE`)."""
    with learners_project() as copy, tempfile.TemporaryDirectory(prefix="onboard-04-") as scratch:
        hybrid = planted.write_copy(
            copy,
            Path(scratch) / "service",
            STAGE,
            course_service=True,
            learners_rules=True,
            plantable=False,
        )
        arguments = (str(SUITES / suite), "-p", "no:warnings")
        return run_sessions([session(REFERENCE, hybrid, *arguments, course_suite=True)])[REFERENCE]


def learners_tests(
    test_path: str,
    bugs: Sequence[PlantedBug],
    *,
    course_service: bool,
    stop_at_first: bool = True,
    stage: str = STAGE,
    course_suites: Sequence[tuple[str, Path]] = (),
) -> dict[str, PytestRun]:
    """The learner's `test_path`, run as it is and with each bug planted.

    With `course_service` the tests run against the course's service (key "reference", then
    each bug's key); otherwise against their own service (key "yours", then each bug planted
    in it through its own seam). Each (key, suite) of `course_suites` is a course suite run
    against their own service in the same child.
    """
    with learners_project() as copy, tempfile.TemporaryDirectory(prefix="onboard-") as scratch:
        plantable = planted.write_copy(
            copy,
            Path(scratch) / "service",
            stage,
            course_service=course_service,
            learners_rules=not course_service,
            plantable=True,
        )
        unplanted = (
            session(REFERENCE, plantable, test_path)
            if course_service
            else session(LEARNERS, copy, test_path)
        )
        sessions = [
            unplanted,
            *(
                session(bug.key, plantable, test_path, bug=bug, stop_at_first=stop_at_first)
                for bug in bugs
            ),
            *(
                session(key, copy, str(suite), "-p", "no:warnings", course_suite=True)
                for key, suite in course_suites
            ),
        ]
        return run_sessions(sessions, children=2 if len(sessions) > 1 else 1)


# ------------------------------------------------------------------------------ reading runs
def require_finished(run: PytestRun, what: str) -> None:
    if run.timed_out:
        raise CheckFailed(
            f"{what} did not finish within {TIME_LIMIT:g} s (longer on a busy machine) — is "
            "something waiting or looping?"
        )


def require_case(run: PytestRun, name: str, what: str = "the check") -> None:
    """The course's test `name` (or every test whose name starts with `name[`) passed."""
    require_finished(run, what)
    if run.collection_errors:
        raise CheckFailed(f"{what} could not start: {run.collection_errors[0]}")
    cases = [case for case in run.cases if case.name == name or case.name.startswith(name + "[")]
    if not cases:
        raise CheckFailed(f"{what} did not run ({run.counts()})")
    require([case.message or "failed" for case in cases if case.outcome != "passed"], limit=1)


def require_collected(run: PytestRun, test_path: str) -> None:
    """pytest found tests in `test_path` (a file that does not import says why)."""
    require_finished(run, f"pytest on {test_path}")
    if run.collection_errors:
        raise CheckFailed(f"pytest could not load {test_path}: {_without_path(run)}")
    if run.total == 0:
        raise CheckFailed(
            f"{test_path} has no tests; pytest collects functions whose names start with test_, "
            "at the top level of the file (or in a class named Test…)"
        )


def _without_path(run: PytestRun) -> str:
    """The first collection error, without the file name pytest puts before it."""
    return run.collection_errors[0].partition(": ")[2] or run.collection_errors[0]


def failures(run: PytestRun) -> list[str]:
    """Each failed test, as "name (why)", in the order they ran."""
    return [f"{case.name} ({case.why()})" for case in run.broken]
