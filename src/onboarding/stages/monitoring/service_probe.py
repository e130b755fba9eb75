"""Exercise 08.1's way to the learner's service: a child process on a copy of their project.

`scrape_project()` copies the learner's project (`project.copy_for_checking()`), runs
`service_driver.py` on the copy in a child process with the project's `src/` on the path, and
turns what the child wrote back into a `Scrape`. The learner's code runs only in the child: an
import error, an exception or a loop there is one sentence here (a `CheckFailed`), and neither
the learner's files nor the grader's process are touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from onboarding.artefacts import exposition
from onboarding.checks import CheckFailed, limit_paused
from onboarding.stages.monitoring.instrumentation import BOOM, CALLS, METRICS_PATH, Scrape

DRIVER = Path(__file__).with_name("service_driver.py")
"""Run as a script: the child imports the learner's package, and of the course only its protocol."""
TIME_LIMIT_SECONDS = 25.0
"""Below the check's own time limit, so that a service that hangs is named as such."""


def scrape_project(workspace: Path | None = None) -> Scrape:
    """Drive the learner's service on a throwaway copy of their project; CheckFailed if it fails."""
    from onboarding import project

    try:
        with project.copy_for_checking(workspace) as copy:
            return scrape_copy(copy)
    except project.ProjectError as error:
        raise CheckFailed(str(error)) from None


def run_driver(copy: Path) -> dict:
    """Run the driver on a project folder; what it wrote back."""
    plan_file, result_file = copy.parent / "plan.json", copy.parent / "result.json"
    plan = {
        "project": str(copy),
        "calls": [asdict(call) for call in CALLS],
        "boom_path": BOOM,
        "metrics_path": METRICS_PATH,
    }
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    source = str(copy / "src")
    # Bytecode is written as the environment says: the copy is thrown away with its caches, and
    # FastAPI's compiled modules, kept in .venv, save the next check seconds of compiling.
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    try:
        with limit_paused():  # the probe has its own limit, TIME_LIMIT_SECONDS
            subprocess.run(
                [sys.executable, str(DRIVER), str(plan_file), str(result_file)],
                cwd=copy,
                env=environment,
                capture_output=True,
                timeout=TIME_LIMIT_SECONDS,
                check=False,
            )
    except subprocess.TimeoutExpired:
        raise CheckFailed(
            f"your service did not answer ten requests within {TIME_LIMIT_SECONDS:g} s: is a "
            "request waiting for something, or is there a loop that never ends?"
        ) from None
    if not result_file.exists():
        raise CheckFailed("your service's process stopped before it answered (it exited)")
    return json.loads(result_file.read_text(encoding="utf-8"))


def scrape_copy(copy: Path) -> Scrape:
    result = run_driver(copy)
    if result.get("error"):
        raise CheckFailed(result["error"])
    return scrape_from(result)


def scrape_from(result: dict) -> Scrape:
    """What the driver saw, read as Prometheus reads a scrape (problems are the checks' to say)."""
    scrape = Scrape(
        answered=list(result["answered"]),
        second_app=result.get("second_app", ""),
        metrics_status=result["metrics_status"],
        redirects=result.get("redirects", 0),
    )
    if scrape.metrics_status == 200:
        try:
            scrape.families = exposition.parse(result["metrics_text"])
        except exposition.ExpositionError as error:
            scrape.unreadable = str(error)
    return scrape
