"""`make bench`, the suite: how long `make test` takes, and where that time goes.

The goal (issue 12) is `make test` in at most 150 s on the course's two-core machines, with no
test dropped or weakened. A wall-clock figure alone cannot say whether that is a question of
scheduling or of the work itself, so each run also writes pytest's JUnit report, and the bench
sums the tests' own times per test file:

- the files that cost most are the proofs a decision about the goal is about;
- the sum of every test's time, divided by the suite's workers, is the least any schedule can
  take, since a worker runs one test at a time and no test is split between workers. When that
  floor is above the goal, only less work can meet it.

Tests' times leave out collection and start-up, so the wall-clock figure is always the larger.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

WORKERS = 2
"""`make test` runs `pytest -n 2`: one worker per core of the course's machines."""
SHOWN_FILES = 12
BAR_WIDTH = 16


def make_test(root: Path) -> list[str]:
    return ["make", "-C", str(root), "test"]


def seconds_by_file(report: Path) -> dict[str, float]:
    """Each test file's summed test time in a JUnit report written with `junit_family=xunit1`."""
    try:
        tree = ElementTree.parse(report)
    except (OSError, ElementTree.ParseError) as error:
        raise RuntimeError(f"pytest's JUnit report {report} could not be read: {error}") from None
    totals: dict[str, float] = defaultdict(float)
    for case in tree.iter("testcase"):
        # xunit1 names the file; without it, the dotted class name is the best there is.
        where = case.get("file") or case.get("classname") or "(no file named)"
        totals[where] += float(case.get("time") or 0.0)
    return dict(totals)


def timed_run(command: Sequence[str], report: Path) -> float:
    """Seconds of one run of `command`, which must run pytest; its JUnit report goes to `report`."""
    addopts = f"--junitxml={report} -o junit_family=xunit1"
    earlier = os.environ.get("PYTEST_ADDOPTS", "")
    environment = {**os.environ, "PYTEST_ADDOPTS": f"{earlier} {addopts}".strip()}
    started = time.perf_counter()
    run = subprocess.run(list(command), capture_output=True, text=True, env=environment)
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        last_lines = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        raise RuntimeError(
            f"{' '.join(command)} exited {run.returncode}, so its time means nothing:\n{last_lines}"
        )
    return elapsed


def bench_suite(command: Sequence[str], runs: int, progress: Callable[[], None]) -> dict:
    """`runs` timed runs; per file, the median over the runs of its tests' summed time."""
    durations: list[float] = []
    by_run: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="onboard-bench-suite-") as folder:
        for number in range(runs):
            report = Path(folder) / f"run-{number}.xml"
            durations.append(timed_run(command, report))
            by_run.append(seconds_by_file(report))
            progress()
    files = {name for run in by_run for name in run}
    by_file = {name: statistics.median(run.get(name, 0.0) for run in by_run) for name in files}
    test_seconds = statistics.median(sum(run.values()) for run in by_run)
    return {
        "median_s": round(statistics.median(durations), 1),
        "all_s": [round(duration, 1) for duration in durations],
        "runs": runs,
        "test_seconds_s": round(test_seconds, 1),
        "workers": WORKERS,
        "schedule_floor_s": round(test_seconds / WORKERS, 1),
        "by_file": [
            [name, round(seconds, 1)]
            for name, seconds in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def floor_verdict(floor_s: float, goal_s: float) -> str:
    if floor_s <= goal_s:
        return f"a perfect schedule could meet the goal of {goal_s:g} s"
    return f"no schedule can meet the goal of {goal_s:g} s: only less work can"


def report(console, figure: dict, goal_s: float) -> None:
    """The files that cost most, as a table with bars, and the floor any schedule has."""
    from rich.table import Table

    total = figure["test_seconds_s"] or 1.0
    largest = figure["by_file"][0][1] if figure["by_file"] else 1.0
    table = Table(
        title=f"Where make test's time goes (each file's tests summed; median of "
        f"{figure['runs']} run{'s' if figure['runs'] != 1 else ''})",
    )
    # A long name folds onto a second line rather than losing its end, which names the file.
    table.add_column("Test file", overflow="fold")
    table.add_column("Seconds", justify="right", no_wrap=True)
    table.add_column("Share", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
    shown, rest = figure["by_file"][:SHOWN_FILES], figure["by_file"][SHOWN_FILES:]
    for name, seconds in shown:
        bar = "█" * max(1, round(BAR_WIDTH * seconds / largest)) if seconds else ""
        table.add_row(name, f"{seconds:g}", f"{seconds / total:.0%}", bar)
    if rest:
        rest_seconds = round(sum(seconds for _, seconds in rest), 1)
        share = f"{rest_seconds / total:.0%}"
        table.add_row(f"{len(rest)} other files", f"{rest_seconds:g}", share, "")
    console.print(table)
    console.print(
        f"All tests: {figure['test_seconds_s']:g} s on {figure['workers']} workers, so no "
        f"schedule finishes in under {figure['schedule_floor_s']:g} s; "
        f"{floor_verdict(figure['schedule_floor_s'], goal_s)}."
    )
