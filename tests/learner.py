"""A learner, as the tests play one: solving notebooks and writing their project's files.

The answers are the course's own: the model solutions' code cells, and the model files of the
project blueprint.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from onboarding import execution, paths, project


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
