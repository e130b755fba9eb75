"""`make bench`, the suite: how long `make test` takes, and where that time goes.

The goal (issue 12) is `make test` in at most 150 s on the course's two-core machines, with no
test dropped or weakened. A wall-clock figure alone cannot say whether that is a question of
scheduling or of the work itself, so each run also writes pytest's JUnit report, and the bench
sums the tests' own times per test file:

- the files that cost most are the proofs a decision about the goal is about;
- the sum of every test's time, divided by the suite's workers, is the least any schedule on
  that many workers can take, since a worker runs one test at a time and no test is split;
- a test's time is not all work: a test can wait (for a server, a browser, a lock). So the bench
  also reads how many CPU-seconds the machine's processors spent during each run, from the
  kernel's counters (every process counts, a browser's included). Divided by the cores, that is
  the least any schedule can take with any number of workers. When it is above the goal, only
  less work can meet it; when only the first floor is, more workers could.

Tests' times leave out collection and start-up, so the wall-clock figure is always the larger.
The CPU figure counts everything the machine ran meanwhile: measure on a quiet machine.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from onboarding import timing

WORKERS = 2
"""`make test` runs `pytest -n 2`: one worker per core of the course's machines."""
SHOWN_FILES = 12
BAR_WIDTH = 16


ORDER_FILE = Path("tests") / "longest_files_first.txt"
"""The files `make test` hands its workers first; the suite's conftest reads it."""
LISTED_FROM_S = 30.0
"""A file whose tests take this long or longer belongs in ORDER_FILE."""


def listed_first(root: Path) -> list[str]:
    """The test files ORDER_FILE names, longest first; none if the course has no such file."""
    try:
        lines = (root / ORDER_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def long_files_not_listed(by_file: Sequence[Sequence], listed: Sequence[str]) -> list[str]:
    """Files that took LISTED_FROM_S or longer but are not in ORDER_FILE, longest first.

    Only missing files are named, not a different order among listed ones: two files of
    similar length trade places from run to run, and which goes first hardly matters.
    """
    return [name for name, seconds in by_file if seconds >= LISTED_FROM_S and name not in listed]


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


def timed_run(command: Sequence[str], report: Path) -> tuple[float, float | None]:
    """Seconds of one run of `command`, which must run pytest, and the machine's CPU-seconds.

    Its JUnit report goes to `report`. The CPU figure is None where the machine does not say.
    """
    addopts = f"--junitxml={report} -o junit_family=xunit1"
    earlier = os.environ.get("PYTEST_ADDOPTS", "")
    busy_before = timing.busy_cpu_seconds()
    seconds = timing.timed(command, env={"PYTEST_ADDOPTS": f"{earlier} {addopts}".strip()})
    busy_after = timing.busy_cpu_seconds()
    if busy_before is None or busy_after is None:
        return seconds, None
    return seconds, busy_after - busy_before


def bench_suite(command: Sequence[str], runs: int, progress: Callable[[], None]) -> dict:
    """`runs` timed runs; per file, the median over the runs of its tests' summed time."""
    durations: list[float] = []
    cpu_seconds: list[float | None] = []
    by_run: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="onboard-bench-suite-") as folder:
        for number in range(runs):
            report = Path(folder) / f"run-{number}.xml"
            seconds, cpu = timed_run(command, report)
            durations.append(seconds)
            cpu_seconds.append(cpu)
            by_run.append(seconds_by_file(report))
            progress()
    files = {name for run in by_run for name in run}
    by_file = {name: statistics.median(run.get(name, 0.0) for run in by_run) for name in files}
    test_seconds = statistics.median(sum(run.values()) for run in by_run)
    median_s = statistics.median(durations)
    cores = os.cpu_count() or 1
    known_cpu = [cpu for cpu in cpu_seconds if cpu is not None]
    cpu_s = statistics.median(known_cpu) if known_cpu else None
    return {
        "median_s": round(median_s, 1),
        "all_s": [round(duration, 1) for duration in durations],
        "runs": runs,
        "test_seconds_s": round(test_seconds, 1),
        "workers": WORKERS,
        "schedule_floor_s": round(test_seconds / WORKERS, 1),
        "cpu_s": None if cpu_s is None else round(cpu_s, 1),
        "cores": cores,
        "cpu_floor_s": None if cpu_s is None else round(cpu_s / cores, 1),
        "busy_share": None if cpu_s is None else round(cpu_s / (median_s * cores), 2),
        "by_file": [
            [name, round(seconds, 1)]
            for name, seconds in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def floor_verdict(
    schedule_floor_s: float, cpu_floor_s: float | None, goal_s: float, workers: int = WORKERS
) -> str:
    """What the two floors say about the goal: the work's own, then the workers'."""
    if cpu_floor_s is not None and cpu_floor_s > goal_s:
        return f"no schedule can meet the goal of {goal_s:g} s: only less work can"
    if schedule_floor_s > goal_s:
        return (
            f"no schedule on {workers} workers can meet the goal of {goal_s:g} s: "
            "more workers, overlapping the tests' waiting, might"
        )
    return f"a perfect schedule could meet the goal of {goal_s:g} s"


def report(console, figure: dict, goal_s: float, listed: Sequence[str] = ()) -> None:
    """The files that cost most, as a table with bars, and the floor any schedule has.

    `listed` is the suite's order (ORDER_FILE): a long file missing from it starts late, and
    the report says so.
    """
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
        f"schedule on {figure['workers']} workers finishes in under "
        f"{figure['schedule_floor_s']:g} s."
    )
    cpu_floor = figure.get("cpu_floor_s")
    if cpu_floor is not None:
        console.print(
            f"The processors were busy for {figure['cpu_s']:g} CPU-seconds "
            f"({figure['busy_share']:.0%} of {figure['cores']} cores' time), so no "
            f"schedule on {figure['cores']} cores finishes in under {cpu_floor:g} s."
        )
    verdict = floor_verdict(figure["schedule_floor_s"], cpu_floor, goal_s, figure["workers"])
    console.print(f"So {verdict}.")
    if listed:
        missing = long_files_not_listed(figure["by_file"], listed)
        if missing:
            console.print(
                f"Took {LISTED_FROM_S:g} s or more but not in {ORDER_FILE.as_posix()}, so "
                f"handed out after the listed files: {', '.join(missing)}. Add them by their "
                "time, so that they start early.",
                style="yellow",
            )
