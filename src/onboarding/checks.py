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
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

PASS_MARK = "✅"
FAIL_MARK = "❌"
DEFAULT_TIME_LIMIT = 30.0
SUMMARY_PREFIX = "Exercise "


def time_limit_seconds() -> float:
    """The per-check time limit; `ONBOARD_CHECK_TIME_LIMIT` overrides it (tests use a short one)."""
    return float(os.environ.get("ONBOARD_CHECK_TIME_LIMIT", DEFAULT_TIME_LIMIT))


class CheckFailed(Exception):
    """Raised inside an expectation to say what was found instead."""


class CheckTimeout(Exception):
    pass


# How many problems one ❌ line names before it says "and N more".
SHOWN_PROBLEMS = 3


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


@dataclass
class Result:
    expectation: str
    passed: bool
    found: str = ""
    hint: str = ""

    def line(self) -> str:
        if self.passed:
            return f"{PASS_MARK} {self.expectation}"
        line = f"{FAIL_MARK} {self.expectation} — {self.found.rstrip('.')}."
        if self.hint:
            line += f" Hint: {self.hint}"
        return line


@dataclass
class Exercise:
    """One exercise's expectations, printed as they run and summed up at the end."""

    exercise_id: str
    results: list[Result] = field(default_factory=list)
    echo: bool = True
    blocked_by: str | None = None
    """Set when a `required` expectation failed: later ones are reported as not checked."""

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
            self._record(Result("the check itself ran", False, describe_exception(exc), ""))
            self.summary()
            return True
        self.summary()
        return False

    def expect(
        self, expectation: str, hint: str = "", required: bool = False
    ) -> Callable[[Callable[[], Any]], Result]:
        """Decorator: run the function now; it passes unless it raises.

        With `required=True`, a failure stops the later expectations from running: they would
        only repeat the same problem (a file that does not parse, a function that is missing).
        """

        def run(test: Callable[[], Any]) -> Result:
            return self._record(self._evaluate(expectation, test, hint), required)

        return run

    def equal(
        self, expectation: str, actual: Callable[[], Any], expected: Any, hint: str = ""
    ) -> Result:
        def test() -> None:
            value = actual()
            if value != expected:
                raise CheckFailed(f"expected {expected!r}, got {value!r}")

        return self._record(self._evaluate(expectation, test, hint))

    def true(
        self, expectation: str, predicate: Callable[[], Any], found: str, hint: str = ""
    ) -> Result:
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
    ) -> Result:
        def test() -> None:
            try:
                action()
            except error:
                return
            except NotImplementedError:
                raise
            except Exception as other:  # noqa: BLE001 - any other error is the finding
                raise CheckFailed(
                    f"expected {error.__name__}, got {type(other).__name__}: {other}"
                ) from None
            raise CheckFailed(f"expected {error.__name__}, but nothing was raised")

        return self._record(self._evaluate(expectation, test, hint))

    def _evaluate(self, expectation: str, test: Callable[[], Any], hint: str) -> Result:
        if self.blocked_by is not None:
            return Result(expectation, False, f"not checked until “{self.blocked_by}” passes")
        return evaluate(expectation, test, hint)

    def _record(self, result: Result, required: bool = False) -> Result:
        if required and not result.passed and self.blocked_by is None:
            self.blocked_by = result.expectation
        self.results.append(result)
        if self.echo:
            print(result.line())
        return result

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    def summary(self) -> str:
        total = len(self.results)
        if self.passed == total:
            line = f"{SUMMARY_PREFIX}{self.exercise_id}: all {total} checks passed."
        else:
            line = (
                f"{SUMMARY_PREFIX}{self.exercise_id}: {self.passed} of {total} checks passed. "
                "Fix the ❌ lines above and run this cell again."
            )
        if self.echo:
            print(line)
        record_in_workspace(self.exercise_id, self.passed, total)
        return line


def evaluate(expectation: str, test: Callable[[], Any], hint: str = "") -> Result:
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
            test()
    except CheckFailed as failure:
        return Result(expectation, False, str(failure), hint)
    except AssertionError as failure:
        return Result(expectation, False, str(failure) or "an assertion did not hold", hint)
    except CheckTimeout:
        limit = time_limit_seconds()
        return Result(
            expectation,
            False,
            f"took longer than {limit:g} s — is there a loop that never ends?",
            hint,
        )
    except NotImplementedError:
        return Result(
            expectation, False, "not written yet (the stub still raises NotImplementedError)", hint
        )
    except ArtefactError as error:
        return Result(expectation, False, str(error), hint)
    except Exception as error:  # noqa: BLE001 - learner code may raise anything
        return Result(expectation, False, describe_exception(error), hint)
    return Result(expectation, True)


def describe_exception(error: BaseException) -> str:
    """One plain line: the exception and the learner's line that raised it."""
    if isinstance(error, NameError) and getattr(error, "name", None):
        return (
            f"`{error.name}` is not defined — run the cell that defines it "
            "(and fix any error it shows) before this check"
        )
    message = f"your code raised {type(error).__name__}: {error}"
    frame = learner_frame(error.__traceback__)
    if frame is not None:
        filename, lineno = frame
        text = linecache.getline(filename, lineno).strip()
        message += f" (line {lineno} of your cell" + (f": `{text}`)" if text else ")")
    return message


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


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with CheckTimeout (main thread only, like IPython)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise CheckTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ArtefactError(Exception):
    """An artefact (YAML, JSON, …) the learner wrote cannot be parsed; says where."""


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML artefact; a syntax error becomes ArtefactError with line and column."""
    import yaml

    text = _read_artefact(path)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = error.problem or error.context or "a syntax error"
        raise ArtefactError(f"{Path(path).name} is not valid YAML: {where}: {problem}") from None
    except yaml.YAMLError as error:
        raise ArtefactError(f"{Path(path).name} is not valid YAML: {error}") from None


def load_json(path: str | Path) -> Any:
    text = _read_artefact(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ArtefactError(
            f"{Path(path).name} is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None


def _read_artefact(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtefactError(
            f"{Path(path).name} does not exist yet — run the %%writefile cell that creates it"
        ) from None


WORKSPACE_MARKER = Path(".onboard") / "manifest.json"


def find_workspace(start: Path | None = None) -> Path | None:
    """The learner's workspace this code runs in, if any (a folder holding .onboard/)."""
    override = os.environ.get("ONBOARD_RECORD_TO")
    if override:
        return Path(override)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_MARKER).is_file():
            return folder
    return None


def record_in_workspace(exercise_id: str, passed: int, total: int) -> None:
    """Record an in-notebook check run in the learner's progress ledger, when in a workspace."""
    workspace = find_workspace()
    if workspace is None:
        return
    try:
        from onboarding import progress

        progress.record(workspace, exercise_id, passed, total, source="notebook")
    except Exception as error:  # noqa: BLE001 - feedback matters more than bookkeeping
        print(f"(progress not saved: {error})", file=sys.stderr)
