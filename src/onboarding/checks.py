"""The authors' API for check cells, and the learner's feedback.

A check cell looks like this::

    # NBVAL_CHECK_OUTPUT
    # Checks that booking_minutes() measures a booking and refuses an empty one.
    from onboarding.checks import Exercise

    with Exercise("00.1") as exercise:
        exercise.equal("a 09:00–10:30 booking lasts 90 minutes",
                       lambda: booking_minutes("2026-01-05T09:00", "2026-01-05T10:30"), 90,
                       hint="Subtract the two datetimes and divide the seconds by 60.")

        @exercise.expect("end == start is refused with ValueError",
                         hint="Raise ValueError when end is not after start.")
        def _():
            ...  # plain asserts; the assertion message says what was found

Each expectation prints one line, ✅ or ❌, and the block ends with one summary line. The
printed text is the same on every run and every machine, because nbval compares it with the
solution's stored output: that comparison is the grade.
"""

from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
import signal
import sysconfig
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from onboarding import protocol
from onboarding.protocol import FAIL_MARK, PASS_MARK, CheckResult, Outcome

__all__ = [
    "FAIL_MARK",
    "PASS_MARK",
    "Advice",
    "ArtefactError",
    "CheckFailed",
    "Exercise",
    "Expectation",
    "Given",
    "advise",
    "equal",
    "evaluate",
    "judged_by",
    "load_json",
    "load_yaml",
    "parse_yaml",
    "practise",
    "raises",
    "read_artefact",
    "require",
    "run_expectations",
    "true",
]

DEFAULT_TIME_LIMIT = 30.0


def time_limit_seconds() -> float:
    """The per-check time limit; `ONBOARD_CHECK_TIME_LIMIT` overrides it (tests use a short one)."""
    return float(os.environ.get("ONBOARD_CHECK_TIME_LIMIT", DEFAULT_TIME_LIMIT))


class CheckFailed(Exception):
    """Raised inside an expectation to say what was found instead."""


class CheckTimeout(Exception):
    pass


@dataclass(frozen=True)
class Advice:
    """What an expectation's `run` returns to pass with a word of advice under its ✅ line.

    For what is worth saying but is not a rule (the template's order of sections): the advice is
    shown to the learner and published with the result, but never compared by nbval, so it can
    never fail a check.
    """

    text: str


SHOWN_PROBLEMS = 3
"""How many problems one ❌ line names before it says "and N more"."""


def require(problems: Sequence[str], limit: int = SHOWN_PROBLEMS) -> None:
    """Raise CheckFailed naming the first `limit` problems; do nothing when there are none.

    For expectations that collect every problem they find (a spec, a Dockerfile, a document)
    and report them on one line.
    """
    if not problems:
        return
    shown = "; ".join(problems[:limit])
    if len(problems) > limit:
        shown += f"; and {len(problems) - limit} more"
    raise CheckFailed(shown)


def judged_by(problems: Callable[[Any], Sequence[str]], read: Callable[[Given], Any]):
    """A `run` that reads what it judges (`read(given)`) and requires `problems` of it to be empty."""
    return lambda given: require(problems(read(given)))


def advised_by(
    problems: Callable[[Any], Sequence[str]],
    advice: Callable[[Any], str | None],
    read: Callable[[Given], Any],
):
    """Like `judged_by`, then passes with `advice` on what it read, if there is any."""

    def run(given: Given) -> Advice | None:
        found = read(given)
        return advise(problems(found), advice(found))

    return run


def advise(problems: Sequence[str], advice: str | None) -> Advice | None:
    """Require no problems, then pass with the advice, if there is any."""
    require(problems)
    return Advice(advice) if advice else None


# ------------------------------------------------------------------------- expectations as data
class Given:
    """What a check cell hands to an exercise's expectations: the learner's names and values.

    `given.booking_minutes` is the learner's function. A name the learner has not defined yet
    fails the expectation with advice to run the cell that defines it, instead of a NameError in
    the check cell. `given.once(key, make)` computes a value the first time an expectation asks
    for it (a parsed file, a migrated database) and shares it with the later ones.
    """

    def __init__(self, namespace: Mapping[str, Any] | None = None, **inputs: Any) -> None:
        self._names: dict[str, Any] = {**(namespace or {}), **inputs}
        self._shared: dict[str, Any] = {}
        self._ahead: dict[str, Future] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def get(self, name: str) -> Any:
        if name not in self._names:
            raise CheckFailed(
                f"`{name}` is not defined — run the cell that defines it "
                "(and fix any error it shows) before this check"
            )
        return self._names[name]

    def has(self, name: str) -> bool:
        return name in self._names

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._shared:
            started = self._ahead.pop(key, None)
            # A value started ahead is the same computation on the same files, begun earlier;
            # its error, if any, is raised here as `make()` would raise it.
            self._shared[key] = started.result() if started is not None else make()
        return self._shared[key]

    def computed_ahead(self, started: dict[str, Future]) -> Given:
        """Let `once(key, …)` take `started[key]`, already running, instead of starting it.

        Each started value is taken from `started` once: the first check that asks for it uses
        it, and any other computes its own.
        """
        self._ahead = started
        return self


@dataclass(frozen=True)
class Expectation:
    """One thing an exercise expects, as data: what, how it is judged, and what to try.

    `run(given)` returns when the expectation holds and raises `CheckFailed` (or an
    `AssertionError`) saying what was found when it does not. With `required=True`, a failure
    stops the later expectations: they would only repeat the same problem.
    """

    text: str
    run: Callable[[Given], Any]
    hint: str = ""
    required: bool = False


def equal(
    text: str,
    actual: Callable[[Given], Any],
    expected: Any,
    hint: str = "",
    exact_type: bool = True,
) -> Expectation:
    """Holds when `actual(given) == expected`; with `exact_type`, `90.0` is not the int 90."""

    def run(given: Given) -> None:
        value = actual(given)
        same_type = not exact_type or type(value) is type(expected)
        if value != expected or not same_type:
            shown = f"{value!r}" if same_type else f"{value!r} ({type(value).__name__})"
            raise CheckFailed(f"expected {expected!r}, got {shown}")

    return Expectation(text, run, hint)


def true(
    text: str,
    predicate: Callable[[Given], Any],
    found: str | Callable[[Given], str],
    hint: str = "",
) -> Expectation:
    """Holds when `predicate(given)` is truthy; `found` says what was seen when it is not."""

    def run(given: Given) -> None:
        if not predicate(given):
            raise CheckFailed(found(given) if callable(found) else found)

    return Expectation(text, run, hint)


def raises(
    text: str, action: Callable[[Given], Any], error: type[BaseException], hint: str = ""
) -> Expectation:
    """Holds when `action(given)` raises `error`."""
    return Expectation(text, lambda given: _expect_raise(lambda: action(given), error), hint)


def _expect_raise(action: Callable[[], Any], error: type[BaseException]) -> None:
    try:
        action()
    except error:
        return
    except NotImplementedError:
        raise
    except CheckFailed:
        raise
    except Exception as other:  # noqa: BLE001 - any other error is the finding
        raise CheckFailed(
            f"expected {error.__name__}, got {type(other).__name__}: {other}"
        ) from None
    raise CheckFailed(f"expected {error.__name__}, but nothing was raised")


def run_expectations(
    exercise_id: str, expectations: Iterable[Expectation], given: Given, echo: bool = True
) -> CheckResult:
    """Judge every expectation in order, print a line for each, then publish the result."""
    exercise = Exercise(exercise_id, echo=echo)
    for expectation in expectations:
        exercise.expect(expectation.text, expectation.hint, expectation.required)(
            lambda expectation=expectation: expectation.run(given)
        )
    return exercise.finish()


NOT_TRIED = "✏️ Not tried yet: replace each `...` in the cell above, then run it again."


def practise(expectations: Iterable[Expectation], given: Given) -> None:
    """A lesson's practice cell: judge and print the ✅/❌ lines at once, and record nothing.

    Unlike a check cell, nothing is published: the result never reaches the ledger, the grader
    or the catalogue, so a learner can try a practice cell as often as they like. A value the
    learner has not filled in yet (`...`) gets one friendly line instead of a column of ❌.
    (It returns nothing, so that the cell shows only the lines.)
    """
    if any(value is Ellipsis for value in given._names.values()):
        print(NOT_TRIED)
        return
    result = run_expectations("practice", expectations, given, echo=False)
    for line in result.lines():
        print(line)
    if result.ok:
        print(f"All {result.total} right.")
    else:
        print(f"{result.passed} of {result.total} right: change the cell and run it again.")


# ----------------------------------------------------------------------------------- the runner
Result = Outcome  # the name stage modules and tests used before the protocol module existed


@dataclass
class Exercise:
    """One exercise's expectations, printed as they run and published as one result at the end.

    Check cells call a stage's `check()`, which builds one of these from the stage's declared
    expectations; the context-manager form remains for tests and for checks written inline.
    """

    exercise_id: str
    results: list[Outcome] = field(default_factory=list)
    echo: bool = True
    blocked_by: str | None = None
    """Set when a `required` expectation failed: later ones are reported as not checked."""
    started: float = field(default_factory=time.perf_counter)

    def __enter__(self) -> Exercise:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if exc is not None and not isinstance(exc, KeyboardInterrupt):
            # A mistake in the check cell itself is the course's bug, not the learner's.
            self._record(Outcome("the check itself ran", False, describe_exception(exc), ""))
            self.finish()
            return True
        self.finish()
        return False

    def expect(
        self, expectation: str, hint: str = "", required: bool = False
    ) -> Callable[[Callable[[], Any]], Outcome]:
        """Decorator: run the function now; it passes unless it raises."""

        def run(test: Callable[[], Any]) -> Outcome:
            return self._record(self._evaluate(expectation, test, hint), required)

        return run

    def equal(
        self, expectation: str, actual: Callable[[], Any], expected: Any, hint: str = ""
    ) -> Outcome:
        def test() -> None:
            value = actual()
            if value != expected:
                raise CheckFailed(f"expected {expected!r}, got {value!r}")

        return self._record(self._evaluate(expectation, test, hint))

    def true(
        self, expectation: str, predicate: Callable[[], Any], found: str, hint: str = ""
    ) -> Outcome:
        """Passes when the predicate is truthy; `found` says what was seen when it is not."""

        def test() -> None:
            if not predicate():
                raise CheckFailed(found)

        return self._record(self._evaluate(expectation, test, hint))

    def raises(
        self,
        expectation: str,
        action: Callable[[], Any],
        error: type[BaseException],
        hint: str = "",
    ) -> Outcome:
        return self._record(self._evaluate(expectation, lambda: _expect_raise(action, error), hint))

    def _evaluate(self, expectation: str, test: Callable[[], Any], hint: str) -> Outcome:
        if self.blocked_by is not None:
            return Outcome(expectation, False, f"not checked until “{self.blocked_by}” passes")
        return evaluate(expectation, test, hint)

    def _record(self, result: Outcome, required: bool = False) -> Outcome:
        if required and not result.passed and self.blocked_by is None:
            self.blocked_by = result.text
        self.results.append(result)
        if self.echo:
            print(result.line())
        return result

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    def result(self) -> CheckResult:
        return CheckResult(
            self.exercise_id, tuple(self.results), time.perf_counter() - self.started
        )

    def finish(self) -> CheckResult:
        """Publish the result: the summary line for people, the data for programs."""
        result = self.result()
        if self.echo:
            protocol.publish(result)
        return result

    def summary(self) -> str:
        return self.result().summary()


def evaluate(expectation: str, test: Callable[[], Any], hint: str = "") -> Outcome:
    """Run one expectation under the time limit and turn whatever happens into a Result."""
    # What learner code prints (a debug print, a warning) would join the check's output, which
    # nbval compares with the solution's: swallow it so that only the verdict lines are compared.
    swallowed = io.StringIO()
    try:
        with (
            contextlib.redirect_stdout(swallowed),
            contextlib.redirect_stderr(swallowed),
            warnings.catch_warnings(),
            time_limit(time_limit_seconds()),
        ):
            warnings.simplefilter("ignore")
            returned = test()
    except CheckFailed as failure:
        return Outcome(expectation, False, str(failure), hint)
    except AssertionError as failure:
        return Outcome(expectation, False, str(failure) or "an assertion did not hold", hint)
    except CheckTimeout:
        limit = time_limit_seconds()
        return Outcome(
            expectation,
            False,
            f"took longer than {limit:g} s — is there a loop that never ends?",
            hint,
        )
    except NotImplementedError:
        return Outcome(
            expectation, False, "not written yet (the stub still raises NotImplementedError)", hint
        )
    except ArtefactError as error:
        return Outcome(expectation, False, str(error), hint)
    except Exception as error:  # noqa: BLE001 - learner code may raise anything
        return Outcome(expectation, False, describe_exception(error), hint)
    if isinstance(returned, Advice) and returned.text:
        return Outcome(expectation, True, advice=returned.text)
    return Outcome(expectation, True)


def describe_exception(error: BaseException) -> str:
    """One plain line: the exception and the learner's line that raised it."""
    if isinstance(error, NameError) and getattr(error, "name", None):
        return (
            f"`{error.name}` is not defined — run the cell that defines it "
            "(and fix any error it shows) before this check"
        )
    frame = learner_frame(error.__traceback__)
    if frame is None and raised_by_the_course(error.__traceback__):
        # A reader of the course's met an answer it did not foresee (a YAML merge key once):
        # saying "your code raised" would send the learner hunting for a bug of the course's.
        return (
            f"the check itself failed on your answer with {type(error).__name__}: {error} — "
            "that is a gap in the course's check, not a verdict on your answer: tell your "
            "instructor or the course's authors, with the answer that caused it"
        )
    message = f"your code raised {type(error).__name__}: {error}"
    if frame is not None:
        filename, lineno = frame
        text = linecache.getline(filename, lineno).strip()
        message += f" (line {lineno} of your cell" + (f": `{text}`)" if text else ")")
    return message


COURSE_PACKAGE = Path(__file__).resolve().parent
"""The toolkit's and the stages' code: a frame here is the course's, never the learner's."""
LIBRARY_FOLDERS = ("site-packages", "dist-packages")


def raised_by_the_course(tb: TracebackType | None) -> bool:
    """Whether the innermost frame that is neither a library's nor Python's own is the course's.

    Libraries are skipped because the course's readers call them with the learner's text (a
    YAML parser); a learner's module (a migration, their service) is neither, so an error that
    passes through one of theirs stays theirs.
    """
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    for frame in reversed(traceback.extract_tb(tb)):
        path = Path(frame.filename)
        if not path.is_absolute():
            continue  # "<string>", "<frozen …>": code with no file of its own
        resolved = path.resolve()
        if resolved.is_relative_to(COURSE_PACKAGE):
            return True  # checked first: installed from a wheel, the course is a library too
        if any(part in LIBRARY_FOLDERS for part in resolved.parts) or resolved.is_relative_to(
            stdlib
        ):
            continue
        return False
    return False


def learner_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost frame of the learner's own cells.

    The first notebook frame in the chain is the check cell that called the learner's code; a
    line there would point the learner at the course's code, so only a frame from another cell
    counts.
    """
    notebook_frames = [
        (frame.filename, frame.lineno or 0)
        for frame in traceback.extract_tb(tb)
        if _is_notebook_code(frame.filename)
    ]
    if not notebook_frames:
        return None
    check_cell = notebook_frames[0][0]
    learner_frames = [frame for frame in notebook_frames if frame[0] != check_cell]
    return learner_frames[-1] if learner_frames else None


def _is_notebook_code(filename: str) -> bool:
    # IPython compiles each cell into a file named after the kernel's temp folder
    # ("/tmp/ipykernel_123/456.py") or "<ipython-input-...>"; plain scripts use "<string>".
    return (
        "ipykernel_" in filename
        or filename.startswith("<ipython-input")
        or filename.startswith("<cell")
    )


_limit_running = False
"""Whether an expectation's time limit is counting, so that only it is ever paused."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with CheckTimeout (main thread only, like IPython)."""
    global _limit_running
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise CheckTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _limit_running = True
    try:
        yield
    finally:
        _limit_running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def limit_paused() -> Iterator[None]:
    """While a child process that has a time limit of its own runs, the check's limit waits.

    The check's limit is for code in this process: a learner's loop that never ends. A child
    that runs the learner's tests or a workflow's steps is stopped by its own limit, and on a
    loaded machine it can take longer than the check's limit with nothing wrong: a workshop's
    shared cores, or a suite run with 4 workers on 2 cores, where stage 06's correct workflow
    ran past 30 s. What is left of the check's limit counts again afterwards.
    """
    global _limit_running
    if not _limit_running or threading.current_thread() is not threading.main_thread():
        yield  # no limit counting, or already paused by an outer call
        return
    left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    _limit_running = False
    try:
        yield
    finally:
        _limit_running = True
        # An alarm that was due as the pause began still comes, at once.
        signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


class ArtefactError(Exception):
    """An artefact (YAML, JSON, …) the learner wrote cannot be parsed; says where."""


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML artefact; a syntax error becomes ArtefactError with line and column."""
    return parse_yaml(read_artefact(path), Path(path).name)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text already read (from the learner's project, say), named `name` in errors."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = error.problem or error.context or "a syntax error"
        raise ArtefactError(f"{name} is not valid YAML: {where}: {problem}") from None
    except yaml.YAMLError as error:
        raise ArtefactError(f"{name} is not valid YAML: {error}") from None


def load_json(path: str | Path) -> Any:
    text = read_artefact(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ArtefactError(
            f"{Path(path).name} is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None


WRITTEN_BY_CELL = "run the %%writefile cell that creates it"


def read_artefact(path: str | Path, how_to_create: str = WRITTEN_BY_CELL) -> str:
    """The text of a file the learner writes; a missing one says how to create it.

    The one loader every check uses, so that a missing file always reads the same way. A byte
    order mark at the start (some Windows editors write one) is taken off, as Python, Docker and
    PyYAML take it off; left on, it would hide a Markdown file's first heading and stop
    `json.loads`.
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ArtefactError(f"{Path(path).name} does not exist yet — {how_to_create}") from None
    except IsADirectoryError:
        raise ArtefactError(f"{Path(path).name} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ArtefactError(f"{Path(path).name} is not UTF-8 text") from None
