"""`onboard check`: grade a learner's notebook with nbval and say plainly what to fix.

nbval is the grader, exactly as in CI. Two things happen first, on a temporary copy so the
learner's file is never touched:

- the course's check cells (source *and* expected outputs) are put back, so neither a saved run
  full of ❌ nor an edited check cell can change the verdict;
- nothing else the learner wrote is marked for comparison, so only the course's checks judge.

Then nbval runs in this process (no second Python start-up), and a small pytest plugin keeps what
each cell printed, which becomes the plain summary instead of pytest's diffs. nbval's kernel is
started before all of this, and boots on another core while the notebooks are read and pytest
loads (`early_kernel`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboarding import notebooks, paths, protocol, uri_grammar
from onboarding.early_kernel import EarlyKernel
from onboarding.protocol import CheckResult

DEFAULT_CELL_TIMEOUT = 30
CHECK_CELL_TIMEOUT = 600
"""Seconds a check cell may run. The learner's cells keep `cell_timeout`, which stops a loop that
never ends; a check cell is the course's own code, which limits each expectation itself
(`checks.time_limit`, paused while a child process with a limit of its own runs). A whole cell of
expectations that run tests or CI jobs can outlast the learner's limit on a busy machine: 06.1's
took over 30 s on two cores shared with other work, and was called an endless loop."""


@dataclass
class CellOutcome:
    index: int
    cell_id: str
    source: str
    is_check: bool
    failed: bool
    message: str
    outputs: list[dict[str, Any]]
    timed_out: bool = False


@dataclass
class ExerciseResult:
    """One exercise of the graded notebook: the published result, against the catalogue."""

    exercise_id: str
    total: int
    """How many checks the model solution publishes: a check that never ran still counts."""
    title: str = ""
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return min(sum(result.passed for result in self.results), self.total)

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def failures(self) -> list[str]:
        return [outcome.line() for result in self.results for outcome in result.failed]

    @property
    def advice(self) -> list[str]:
        """Advice under passing expectations: said, never counted against the learner."""
        return [
            f"{protocol.ADVICE_MARK} {outcome.advice}"
            for result in self.results
            for outcome in result.outcomes
            if outcome.passed and outcome.advice
        ]

    def as_result(self) -> CheckResult:
        """One result for the ledger and the workshop service, whatever number of cells ran."""
        outcomes = tuple(outcome for result in self.results for outcome in result.outcomes)
        missing = self.total - len(outcomes)
        if missing > 0:
            outcomes += tuple(
                protocol.Outcome(
                    "the rest of the checks ran", False, "the check cell stopped early"
                )
                for _ in range(missing)
            )
        durations = [result.duration_s for result in self.results if result.duration_s is not None]
        return CheckResult(self.exercise_id, outcomes, sum(durations) if durations else None)


@dataclass
class Verdict:
    """The one verdict on a notebook: every exercise in it published a full, passing result."""

    notebook: str
    exercises: list[ExerciseResult]
    problems: list[str]
    """Plain sentences about cells that broke before the checks could judge."""

    @property
    def ok(self) -> bool:
        return bool(self.exercises) and all(result.ok for result in self.exercises)

    def to_json(self) -> dict[str, Any]:
        return {
            "notebook": self.notebook,
            "ok": self.ok,
            "problems": list(self.problems),
            "exercises": [
                {**exercise.as_result().to_json(), "title": exercise.title, "ok": exercise.ok}
                for exercise in self.exercises
            ],
        }


class GradingError(Exception):
    """The notebook could not be graded at all (missing, not a notebook…)."""


def restore_course_checks(
    learner: notebooks.Notebook, course: notebooks.Notebook
) -> notebooks.Notebook:
    """The learner's notebook with every check cell exactly as the course ships it."""
    course_checks = {
        cell.get("id"): cell for cell in course["cells"] if notebooks.is_check_cell(cell)
    }
    cells: list[dict[str, Any]] = []
    placed: set[str] = set()
    for cell in learner["cells"]:
        cell_id = cell.get("id")
        if cell_id in course_checks:
            cells.append(course_checks[cell_id])
            placed.add(cell_id)
        elif notebooks.looks_like_check_cell(cell):
            cells.append(_without_check_markers(cell))
        else:
            cells.append(_without_outputs(cell))
    # A check cell the learner deleted goes back after the cell it followed in the course copy.
    course_order = [cell.get("id") for cell in course["cells"]]
    for position, cell_id in enumerate(course_order):
        if cell_id not in course_checks or cell_id in placed:
            continue
        anchor_ids = set(course_order[:position])
        insert_at = 0
        for index, cell in enumerate(cells):
            if cell.get("id") in anchor_ids:
                insert_at = index + 1
        cells.insert(insert_at, course_checks[cell_id])
        placed.add(cell_id)
    return {**learner, "cells": cells, "metadata": course.get("metadata", {})}


def _without_outputs(cell: dict[str, Any]) -> dict[str, Any]:
    if cell.get("cell_type") != "code":
        return cell
    return {**cell, "outputs": [], "execution_count": None}


def _without_check_markers(cell: dict[str, Any]) -> dict[str, Any]:
    source = notebooks.source_of(cell).replace(notebooks.CHECK_MARKER, "# (learner cell)")
    metadata = dict(cell.get("metadata", {}))
    metadata["tags"] = [tag for tag in metadata.get("tags", []) if tag != notebooks.CHECK_TAG]
    return _without_outputs(
        {**cell, "source": notebooks.split_source(source), "metadata": metadata}
    )


class _OutcomeCollector:
    """pytest plugin: remember each nbval cell's outputs and failure message, and give check
    cells their own time limit."""

    def __init__(self, check_cell_timeout: int = CHECK_CELL_TIMEOUT) -> None:
        self.outcomes: list[CellOutcome] = []
        self.collection_errors: list[str] = []
        self.check_cell_timeout = check_cell_timeout
        self._learner_cell_timeout: Any = None

    # nbval reads its one cell timeout as each cell runs: a check cell's is set around it.
    def pytest_runtest_setup(self, item: Any) -> None:
        cell = getattr(item, "cell", None)
        if cell is not None and notebooks.is_check_cell(cell):
            self._learner_cell_timeout = item.config.option.nbval_cell_timeout
            item.config.option.nbval_cell_timeout = self.check_cell_timeout

    def pytest_runtest_teardown(self, item: Any) -> None:
        if self._learner_cell_timeout is not None:
            item.config.option.nbval_cell_timeout = self._learner_cell_timeout
            self._learner_cell_timeout = None

    def pytest_runtest_makereport(self, item: Any, call: Any) -> None:
        if call.when != "call":
            return
        cell = getattr(item, "cell", None)
        if cell is None:
            return
        error = call.excinfo.value if call.excinfo else None
        message = str(error) if error is not None else ""
        self.outcomes.append(
            CellOutcome(
                index=item.cell_num,
                cell_id=cell.get("id", ""),
                source=notebooks.source_of(cell),
                is_check=notebooks.is_check_cell(cell),
                failed=error is not None,
                message=message,
                outputs=list(getattr(item, "test_outputs", None) or []),
                timed_out="Timeout" in message or "timed out" in message.lower(),
            )
        )

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collection_errors.append(str(report.longrepr))


# Other installed plugins (schemathesis, hypothesis, anyio…) only slow the start-up here, and
# the kernel (which inherits this environment) must leave the ledger to `onboard check`.
GRADING_ENVIRONMENT = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", protocol.GRADING_VARIABLE: "1"}


def run_nbval(
    notebook_path: Path,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    lax: bool = True,
    kernel: EarlyKernel | None = None,
) -> tuple[int, _OutcomeCollector]:
    """Run nbval in this process on one notebook; return pytest's exit code and the outcomes.

    With `kernel`, nbval uses that already started kernel instead of starting its own.
    """
    uri_grammar.skip()
    import pytest

    collector = _OutcomeCollector(max(cell_timeout, CHECK_CELL_TIMEOUT))
    arguments = [
        str(notebook_path),
        "--nbval-lax" if lax else "--nbval",
        "--nbval-current-env",
        f"--nbval-cell-timeout={cell_timeout}",
        f"--nbval-sanitize-with={paths.sanitize_file()}",
        "-p",
        "nbval",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-q",
        f"--rootdir={notebook_path.parent}",
        "-c",
        os.devnull,
    ]
    adopted = kernel.adopted_by_nbval() if kernel else contextlib.nullcontext()
    with _environment(**GRADING_ENVIRONMENT), adopted:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exit_code = pytest.main(arguments, plugins=[collector])
    return int(exit_code), collector


@contextlib.contextmanager
def _environment(**values: str):
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def grade(
    learner_path: Path,
    course_path: Path,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
) -> Verdict:
    """Grade the learner's notebook against the model solution of the same exercise.

    `course_path` is the solution notebook: its check cells, with the outputs they stored, are
    what the learner's copy is graded with.
    """
    if not learner_path.exists():
        raise GradingError(f"{learner_path} does not exist. Run `onboard start` to create it.")
    with tempfile.TemporaryDirectory(prefix="onboard-check-") as folder:
        # The kernel starts first, and boots on another core while the notebooks are read and
        # pytest and nbval load; nbval then uses it (early_kernel.py says why).
        environment = {**os.environ, **GRADING_ENVIRONMENT}
        with EarlyKernel(cwd=Path(folder), env=environment) as kernel:
            try:
                learner = notebooks.read(learner_path)
            except notebooks.NotebookFormatError as error:
                raise GradingError(str(error)) from None
            course = notebooks.read(course_path)
            graded = restore_course_checks(learner, course)
            target = Path(folder) / learner_path.name
            notebooks.write(target, graded)
            exit_code, collector = run_nbval(target, cell_timeout=cell_timeout, kernel=kernel)

    if collector.collection_errors:
        raise GradingError(
            "nbval could not read the notebook:\n" + "\n".join(collector.collection_errors)
        )
    if exit_code not in (0, 1):
        raise GradingError(f"nbval stopped unexpectedly (pytest exit code {exit_code}).")
    return summarise(learner_path.name, collector.outcomes, course, cell_timeout)


def default_jobs() -> int:
    """How many notebooks `onboard check --all` grades side by side: one per core, up to four.

    Each notebook runs in its own kernel and the heavier stages start child processes of their
    own, so more notebooks than cores would only make every one of them slower.
    """
    return max(1, min(4, os.cpu_count() or 1))


def grade_many(
    pairs: Sequence[tuple[Path, Path]],
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    jobs: int | None = None,
) -> Iterator[tuple[Path, Verdict | GradingError]]:
    """Grade several notebooks, `jobs` at a time; yield (learner's path, verdict or error) as
    each ends.

    Every notebook is graded exactly as `grade` grades it alone: its own temporary copy, its
    own kernel, its own nbval run, in a process of its own (pytest runs once per process at a
    time). Nothing is shared between them but the machine. The last stages are started first:
    they take longest, and the short early stages then fill the end of the run.
    """
    jobs = max(1, jobs or default_jobs())
    if jobs == 1 or len(pairs) < 2:
        for learner_path, course_path in pairs:
            yield learner_path, _grade_or_error(learner_path, course_path, cell_timeout)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # A fresh interpreter per worker: forking the CLI (with its spinner thread) is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(pairs)), mp_context=context) as pool:
        pending = {
            pool.submit(_grade_or_error, learner_path, course_path, cell_timeout): learner_path
            for learner_path, course_path in sorted(
                pairs, key=lambda pair: pair[0].name, reverse=True
            )
        }
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


def _grade_or_error(
    learner_path: Path, course_path: Path, cell_timeout: int
) -> Verdict | GradingError:
    try:
        return grade(learner_path, course_path, cell_timeout=cell_timeout)
    except GradingError as error:
        return error


# IPython names a cell's compiled file ("(3082242038.py, line 1)"): meaningless to a learner.
COMPILED_NAME = re.compile(r" \(\d+\.py, line \d+\)")
CELL_LINE = re.compile(r"(?:Cell In\[\d+\]|File \S+), line (?P<line>\d+)")


def summarise(
    name: str,
    outcomes: list[CellOutcome],
    course: notebooks.Notebook,
    cell_timeout: int,
) -> Verdict:
    """Join the results the check cells published with the catalogue of the course's copy."""
    from onboarding.catalogue import exercises_in_notebook

    results: dict[str, ExerciseResult] = {
        entry.exercise_id: ExerciseResult(entry.exercise_id, entry.total_checks, entry.title)
        for entry in exercises_in_notebook(course)
    }
    problems: list[str] = []
    for outcome in outcomes:
        if outcome.is_check:
            for result in protocol.results_in(outcome.outputs):
                if result.exercise_id in results:
                    results[result.exercise_id].results.append(result)
            if outcome.timed_out:
                problems.append(_check_timeout_sentence(outcome, cell_timeout))
            elif outcome.failed and not protocol.results_in(outcome.outputs):
                # The check cell itself broke before it could judge: say why, credit nothing.
                problems.append(_problem_sentence(outcome, cell_timeout))
        elif outcome.failed:
            problems.append(_problem_sentence(outcome, cell_timeout))
    return Verdict(name, list(results.values()), problems)


def _learner_line(outcome: CellOutcome) -> str:
    traceback_text = ""
    for output in outcome.outputs:
        if output.get("output_type") == "error":
            traceback_text = notebooks.strip_ansi("\n".join(output.get("traceback", [])))
    matches = list(CELL_LINE.finditer(traceback_text))
    if not matches:
        return ""
    line_number = int(matches[-1]["line"])
    source_lines = outcome.source.splitlines()
    if 1 <= line_number <= len(source_lines):
        return f", line {line_number}: `{source_lines[line_number - 1].strip()}`"
    return f", line {line_number}"


def _problem_sentence(outcome: CellOutcome, cell_timeout: int) -> str:
    where = f"Code cell {outcome.index + 1}"
    if outcome.timed_out:
        return _timeout_sentence(outcome, cell_timeout)
    for output in outcome.outputs:
        if output.get("output_type") == "error":
            name, value = output.get("ename", "Error"), output.get("evalue", "")
            value = COMPILED_NAME.sub("", value)
            if name == "NotImplementedError":
                return (
                    f"{where} is not written yet: {value or 'it still raises NotImplementedError'}."
                )
            return f"{where} raised {name}: {value}{_learner_line(outcome)}."
    return f"{where} failed: {outcome.message.splitlines()[0] if outcome.message else 'no detail'}."


def _check_timeout_sentence(outcome: CellOutcome, cell_timeout: int) -> str:
    return (
        f"The check in code cell {outcome.index + 1} took longer than "
        f"{max(cell_timeout, CHECK_CELL_TIMEOUT)} s and was stopped: run `onboard check` again, "
        "and if it stops again, tell your instructor."
    )


def _timeout_sentence(outcome: CellOutcome, cell_timeout: int) -> str:
    return (
        f"Code cell {outcome.index + 1} took longer than {cell_timeout} s — "
        "is there a loop that never ends? The cells after it were not run."
    )
