"""A learner, as the tests play one: solving notebooks and writing their project's files.

The answers are the course's own: the model solutions' code cells, and the model files of the
project blueprint.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from onboarding import execution, paths, project
from tests.conftest import run_onboard


def solve_notebook(workspace: Path, name: str) -> None:
    """Put the model solution's code into the learner's copy of a notebook, as a learner would."""
    execution.solve(workspace, name)


def write_answers(workspace: Path, stage: str) -> list[str]:
    """Write the model answer of every project file the stage asks for, and commit the work."""
    written = [entry.path for entry in project.stage_blueprint(stage)]
    project.write_files(
        project.locate(workspace),
        {entry.path: entry.model for entry in project.stage_blueprint(stage)},
        overwrite=True,
    )
    if written:
        project.Git(project.locate(workspace)).commit_all(f"My work on stage {stage}")
    return written


def notebook_of(stage: str) -> str | None:
    """The exercise notebook of a stage, by its number."""
    found = sorted(paths.exercises_dir().glob(f"{stage}_*.ipynb"))
    return found[0].name if found else None


def run_project_tests(workspace: Path, python: Path) -> subprocess.CompletedProcess:
    """`pytest` in the project folder, exactly as the learner types it in a terminal."""
    return subprocess.run(
        [str(python.with_name("pytest")), "-q"],
        cwd=project.locate(workspace),
        capture_output=True,
        text=True,
        timeout=600,
    )


def start(workspace: Path) -> dict[str, str]:
    """`onboard start` in a fresh workspace, as a new learner runs it; the environment to reuse."""
    env = {"ONBOARD_WORKSPACE": str(workspace)}
    started = run_onboard("start", "--dry-run", "--no-browser", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    assert (project.locate(workspace) / ".git").is_dir()
    return env


def do_stage(workspace: Path, env: dict[str, str], stage: str) -> None:
    """One stage, as a learner on time does it; fails naming the stage and what went wrong."""
    if stage in project.stages():
        begun = run_onboard("begin", stage, env=env)
        assert begun.returncode == 0, f"stage {stage}: onboard begin\n{begun.stdout}{begun.stderr}"
    write_answers(workspace, stage)
    name = notebook_of(stage)
    if name is not None:
        solve_notebook(workspace, name)
        checked = run_onboard("check", stage, env=env, timeout=600)
        assert checked.returncode == 0, f"stage {stage}: onboard check\n{checked.stdout}"
    tests = run_project_tests(workspace, Path(sys.executable))
    assert tests.returncode == 0, f"stage {stage}: pytest in the project\n{tests.stdout[-3000:]}"
