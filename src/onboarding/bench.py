"""`make bench`: measure the course's speed goals and save the figures.

Absolute seconds depend on the machine, so the goal for `onboard check` is a ratio: its time
against the floor of any notebook check here, a bare nbclient run of a one-cell notebook (Python
start-up, imports, a kernel), measured in the same run and interleaved with it so that both see the
same machine load.

    python -m onboarding.bench               # everything, several runs each
    python -m onboarding.bench --quick       # fewer runs, and no full `make test`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from onboarding import execution, notebooks, paths
from onboarding.timing import timed

RESULTS = Path("benchmarks") / "results"
TINY_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "tiny",
            "metadata": {},
            "outputs": [],
            "source": ["1 + 1"],
        }
    ],
    "metadata": {"kernelspec": notebooks.STANDARD_KERNELSPEC},
    "nbformat": 4,
    "nbformat_minor": 5,
}
BARE_NBCLIENT = (
    "import sys, nbformat, nbclient\n"
    "notebook = nbformat.read(sys.argv[1], as_version=4)\n"
    "nbclient.NotebookClient(notebook, kernel_name='python3').execute()\n"
)
GOALS = {"check_call_s": 1.0, "onboard_check_ratio": 1.1, "make_test_s": 150.0}


def solved_workspace(folder: Path) -> Path:
    """A workspace whose stage-00 exercise holds the model solution's code."""
    bin_dir = Path(sys.executable).parent
    env = {"ONBOARD_WORKSPACE": str(folder)}
    subprocess.run(
        [str(bin_dir / "onboard"), "update"],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    execution.solve(folder, "00_welcome.ipynb")
    return folder


def bench_onboard_check(runs: int, progress: Callable[[], None]) -> dict:
    bin_dir = Path(sys.executable).parent
    floor, check = [], []
    with tempfile.TemporaryDirectory(prefix="onboard-bench-") as folder:
        tiny = Path(folder) / "tiny.ipynb"
        notebooks.write(tiny, TINY_NOTEBOOK)
        workspace = solved_workspace(Path(folder) / "workspace")
        for _ in range(runs):
            floor.append(timed([sys.executable, "-c", BARE_NBCLIENT, str(tiny)]))
            check.append(
                timed(
                    [str(bin_dir / "onboard"), "check", "00"],
                    env={"ONBOARD_WORKSPACE": str(workspace)},
                )
            )
            progress()
    floor_median, check_median = statistics.median(floor), statistics.median(check)
    return {
        "bare_nbclient_floor_s": round(floor_median, 3),
        "onboard_check_s": round(check_median, 3),
        "onboard_check_ratio": round(check_median / floor_median, 3),
        "runs": runs,
    }


def bench_check_call(runs: int, progress: Callable[[], None]) -> dict:
    """Time each check cell of the stage-00 solution inside a kernel, from nbclient's timings."""
    import nbclient
    import nbformat

    durations = []
    for _ in range(runs):
        notebook = nbformat.read(paths.solutions_dir() / "00_welcome.ipynb", as_version=4)
        with tempfile.TemporaryDirectory(prefix="onboard-bench-") as folder:
            nbclient.NotebookClient(
                notebook,
                kernel_name="python3",
                record_timing=True,
                resources={"metadata": {"path": folder}},
            ).execute(stderr=subprocess.DEVNULL)  # the kernel's start-up chatter
        for cell in notebook.cells:
            if notebooks.is_check_cell(cell):
                timing = cell.metadata["execution"]
                started = datetime.fromisoformat(
                    timing["iopub.execute_input"].replace("Z", "+00:00")
                )
                ended = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
                durations.append((ended - started).total_seconds())
        progress()
    return {
        "check_call_s": round(statistics.median(durations), 3),
        "check_call_max_s": round(max(durations), 3),
        "samples": len(durations),
    }


def bench_command(command: list[str], runs: int, progress: Callable[[], None]) -> dict:
    durations = []
    for _ in range(runs):
        durations.append(timed(command))
        progress()
    return {
        "median_s": round(statistics.median(durations), 1),
        "all_s": [round(d, 1) for d in durations],
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 runs of the fast figures, 1 of the notebook validation, no make test",
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of each fast figure (default 7)")
    options = parser.parse_args(argv)
    fast_runs = 3 if options.quick else options.runs
    slow_runs = 1 if options.quick else 3

    from rich.console import Console
    from rich.progress import Progress

    console = Console()
    root = paths.course_root()
    validation = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-n",
        "2",
        "--dist",
        "loadfile",
        str(root / "tests" / "test_course_notebooks.py"),
    ]
    from onboarding import bench_stages, bench_suite

    plan = [
        ("onboard check vs bare nbclient", fast_runs),
        ("in-notebook check call", fast_runs),
        ("onboard check NN, every stage", len(bench_stages.stages_with_exercises())),
        ("onboard check --all", slow_runs),
        ("full notebook validation", slow_runs),
    ]
    if not options.quick:
        plan.append(("make test (warm .venv)", slow_runs))

    results: dict = {}
    with Progress(console=console) as bar:
        tasks = {name: bar.add_task(name, total=runs) for name, runs in plan}

        def step(name: str) -> Callable[[], None]:
            return lambda: bar.advance(tasks[name])

        results["onboard_check"] = bench_onboard_check(fast_runs, step(plan[0][0]))
        results["check_call"] = bench_check_call(fast_runs, step(plan[1][0]))
        results["stages"] = bench_stages.bench_stages(slow_runs, step(plan[2][0]))
        results["check_all"] = bench_stages.bench_all(slow_runs, step(plan[3][0]))
        results["notebook_validation"] = bench_command(validation, slow_runs, step(plan[4][0]))
        # Saved as each long part begins (make test, then the workshop's hub): a part that fails
        # stops the bench, but never loses the minutes measured before it.
        save(root, results)
        if not options.quick:
            try:
                results["make_test_warm"] = bench_suite.bench_suite(
                    bench_suite.make_test(root), slow_runs, step(plan[5][0])
                )
            except RuntimeError as error:
                bar.stop()
                console.print(str(error), style="red", markup=False, highlight=False)
                console.print(f"The figures measured before it are in {RESULTS / 'latest.json'}.")
                return 1

    save(root, results)
    from workshop import bench as workshop_bench  # the workshop hub's load and capacity figures

    results["workshop"] = workshop_bench.run(console, quick=options.quick)

    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    results["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    # Saved before anything is printed: minutes of measuring are never lost to a report's bug.
    save(root, results)
    report(console, results)
    bench_stages.report(
        console,
        results["stages"],
        results["check_all"],
        results["onboard_check"]["bare_nbclient_floor_s"],
    )
    if "make_test_warm" in results:
        bench_suite.report(
            console,
            results["make_test_warm"],
            GOALS["make_test_s"],
            listed=bench_suite.listed_first(root),
        )
    workshop_bench.report(console, results["workshop"])
    # The book on a phone: Lighthouse's scores for three pages (onboarding/bench_book.py).
    from onboarding import bench_book

    results["book_lighthouse"] = bench_book.run_and_report(console, root)
    save(root, results)
    console.print(f"Saved to {RESULTS / 'latest.json'}")
    return 0


def save(root: Path, results: dict) -> None:
    folder = root / RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "latest.json").write_text(json.dumps(results, indent=1) + "\n")


def report(console, results: dict) -> None:
    from rich.table import Table

    table = Table(title="Course benchmarks (medians)")
    for column in ("What", "Figure", "Goal"):
        table.add_column(column)
    check = results["onboard_check"]
    call = results["check_call"]
    table.add_row(
        "bare nbclient, one-cell notebook (the floor)", f"{check['bare_nbclient_floor_s']} s", ""
    )
    table.add_row("onboard check 00, kernel start included", f"{check['onboard_check_s']} s", "")
    ratio_ok = check["onboard_check_ratio"] <= GOALS["onboard_check_ratio"]
    table.add_row(
        "onboard check ÷ floor",
        f"{check['onboard_check_ratio']}×",
        f"≤ {GOALS['onboard_check_ratio']}× {'✅' if ratio_ok else '❌'}",
    )
    call_ok = call["check_call_s"] <= GOALS["check_call_s"]
    table.add_row(
        "in-notebook check call",
        f"{call['check_call_s']} s (max {call['check_call_max_s']} s)",
        f"≤ {GOALS['check_call_s']} s {'✅' if call_ok else '❌'}",
    )
    table.add_row(
        "validation of all notebooks", f"{results['notebook_validation']['median_s']} s", ""
    )
    if "make_test_warm" in results:
        make_test = results["make_test_warm"]["median_s"]
        make_test_ok = make_test <= GOALS["make_test_s"]
        table.add_row(
            "make test, warm .venv",
            f"{make_test} s",
            f"≤ {GOALS['make_test_s']:g} s {'✅' if make_test_ok else '❌'}",
        )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
