"""`make bench`, per stage: how long `onboard check NN` takes, and `onboard check --all`.

The learner's view of speed is the time from typing `onboard check 05` to the verdict, kernel
start included. Each stage is measured in a workspace where the learner did everything right:
the model project of that stage, and the model solution's code in the notebook, so every check
runs to the end (a failing check can stop early and look faster than it is).

Goals (issue 9): every stage at most 10 s median, `--all` at most 45 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from onboarding import course, execution, paths, project

STAGE_GOAL_S = 10.0
ALL_GOAL_S = 45.0


def _onboard(workspace: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("onboard")), *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "ONBOARD_WORKSPACE": str(workspace)},
    )


def solved_workspace(folder: Path, stage: str) -> Path:
    """A workspace with every exercise notebook, stage `stage`'s solved, and its model project."""
    updated = _onboard(folder, "update")
    if updated.returncode != 0:
        raise RuntimeError(f"onboard update failed:\n{updated.stdout}{updated.stderr}")
    project.prepare(stage, folder, solved=True)
    for path in sorted(paths.exercises_dir().glob(f"{stage}_*.ipynb")):
        execution.solve(folder, path.name)
    return folder


def timed_check(workspace: Path, *arguments: str) -> float:
    started = time.perf_counter()
    run = _onboard(workspace, "check", *arguments)
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(
            f"onboard check {' '.join(arguments)} failed on a solved workspace:\n{run.stdout}"
        )
    return elapsed


def stages_with_exercises() -> list[str]:
    return [
        stage.number
        for stage in course.STAGES
        if any(paths.exercises_dir().glob(f"{stage.number}_*.ipynb"))
    ]


def bench_stages(runs: int, progress: Callable[[], None]) -> dict:
    """Median seconds of `onboard check NN` for every stage, then of `--all` once solved."""
    figures: dict[str, dict] = {}
    for stage in stages_with_exercises():
        with tempfile.TemporaryDirectory(prefix="onboard-bench-") as folder:
            workspace = solved_workspace(Path(folder) / "workspace", stage)
            durations = [timed_check(workspace, stage) for _ in range(runs)]
        figures[stage] = {
            "median_s": round(statistics.median(durations), 2),
            "max_s": round(max(durations), 2),
            "runs": runs,
        }
        progress()
    return figures


def failing_exercises(workspace: Path) -> tuple[float, set[str]]:
    """Seconds of `onboard check --all --json`, and the exercises it found failing."""
    started = time.perf_counter()
    run = _onboard(workspace, "check", "--all", "--json")
    elapsed = time.perf_counter() - started
    try:
        verdicts = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"onboard check --all printed no results:\n{run.stderr}") from None
    failing = {
        exercise["exercise"]
        for notebook in verdicts
        for exercise in notebook["exercises"]
        if not exercise["ok"]
    }
    return elapsed, failing


def timed_check_all(workspace: Path) -> float:
    """Seconds of `onboard check --all`; a failing exercise stops the benchmark, naming it.

    Every stage is solved, the capstone included, and the capstone updates the documents earlier
    stages judge (the TSD, a plan of its own for its revision), so nothing may fail.
    """
    elapsed, failing = failing_exercises(workspace)
    if failing:
        raise RuntimeError(f"onboard check --all failed on a solved workspace: {sorted(failing)}")
    return elapsed


def bench_all(runs: int, progress: Callable[[], None]) -> dict:
    """`onboard check --all` in a workspace where every stage is solved."""
    stages = stages_with_exercises()
    with tempfile.TemporaryDirectory(prefix="onboard-bench-") as folder:
        workspace = solved_workspace(Path(folder) / "workspace", stages[-1])
        for stage in stages:
            for path in sorted(paths.exercises_dir().glob(f"{stage}_*.ipynb")):
                execution.solve(workspace, path.name)
        durations = []
        for _ in range(runs):
            durations.append(timed_check_all(workspace))
            progress()
    return {"median_s": round(statistics.median(durations), 1), "runs": runs}


def report(console, stage_figures: dict, all_figure: dict, floor_s: float) -> None:
    """The table of `make bench`; `floor_s` is the bare nbclient run measured in the same run,
    so each figure also reads as a multiple of the least any out-of-process check can cost."""
    from rich.table import Table

    table = Table(title="onboard check, per stage (solved workspace, kernel start included)")
    for column in ("Stage", "Median", "Max", "÷ floor", f"Goal ≤ {STAGE_GOAL_S:g} s"):
        table.add_column(column)
    for stage, figure in stage_figures.items():
        ok = figure["median_s"] <= STAGE_GOAL_S
        table.add_row(
            f"{stage} {course.stage_numbered(stage).title}",
            f"{figure['median_s']} s",
            f"{figure['max_s']} s",
            f"{figure['median_s'] / floor_s:.1f}×",
            "✅" if ok else "❌",
        )
    all_ok = all_figure["median_s"] <= ALL_GOAL_S
    table.add_row(
        "--all",
        f"{all_figure['median_s']} s",
        "",
        f"{all_figure['median_s'] / floor_s:.1f}×",
        f"≤ {ALL_GOAL_S:g} s {'✅' if all_ok else '❌'}",
    )
    console.print(table)
