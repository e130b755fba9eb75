"""Every committed notebook is proven by nbval, in both directions for exercises.

- Lessons pass strict nbval: every stored output is reproduced (sanitized where it must vary).
- Solutions pass lax nbval: every check cell prints what is stored.
- Exercises, unsolved, fail every one of their check cells, and fail nowhere else but in stubs.

Each notebook runs in its own nbval process. A failing run's report is kept in test-reports/ so
that a red CI build can be read afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import grading, notebooks, paths, project
from tests.conftest import COURSE_ROOT

REPORTS = COURSE_ROOT / "test-reports"
FAILED_CELL = re.compile(r"^FAILED \S+::Cell (\d+)", re.MULTILINE)


def notebooks_in(folder: str) -> list[Path]:
    return sorted((COURSE_ROOT / folder).glob("[0-9][0-9]_*.ipynb"))


def run_nbval(
    path: Path, mode: str, scratch: Path, timeout: int = 900, solved: bool | None = None
) -> subprocess.CompletedProcess:
    """nbval on a copy in a scratch folder, so files the notebook writes stay out of the repo.

    The scratch folder is the learner's workspace: with `solved` set, it holds the learner's
    project as a learner on time has it for this stage, solved or just begun.
    """
    if solved is not None:
        project.prepare(project.stage_of_notebook(path.name), scratch, solved=solved)
    path = Path(shutil.copy2(path, scratch / path.name))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(path),
            mode,
            # Before nbval, which imports jsonschema: 1.4 s less per notebook where
            # rfc3987-syntax is installed (conda's environment), and the same verdicts.
            "-p",
            "onboarding.uri_grammar",
            "-p",
            "nbval",
            "-p",
            "no:cacheprovider",
            "--nbval-current-env",
            f"--nbval-sanitize-with={paths.sanitize_file()}",
            "--nbval-cell-timeout=300",
            "-q",
            "-rf",
            "--color=no",
            f"--rootdir={path.parent}",
            "-c",
            os.devnull,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=path.parent,
        # Installed pytest plugins (schemathesis, hypothesis, …) are not needed to run a notebook.
        env={
            **os.environ,
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "ONBOARD_WORKSPACE": str(scratch),
        },
    )
    return run


def keep_report(path: Path, kind: str, run: subprocess.CompletedProcess) -> Path:
    REPORTS.mkdir(exist_ok=True)
    report = REPORTS / f"{kind}-{path.stem}.txt"
    report.write_text(run.stdout + run.stderr)
    return report


@pytest.mark.parametrize("path", notebooks_in("notebooks"), ids=lambda p: p.name)
def test_lesson_reproduces_its_outputs(path, tmp_path):
    run = run_nbval(path, "--nbval", tmp_path)
    if run.returncode != 0:
        pytest.fail(
            f"{path.name} failed strict nbval; report: {keep_report(path, 'lesson', run)}\n"
            + run.stdout[-3000:]
        )


@pytest.mark.parametrize("path", notebooks_in("solutions"), ids=lambda p: p.name)
def test_solution_passes_its_checks(path, tmp_path):
    run = run_nbval(path, "--nbval-lax", tmp_path, solved=True)
    if run.returncode != 0:
        pytest.fail(
            f"{path.name} failed its own checks; report: {keep_report(path, 'solution', run)}\n"
            + run.stdout[-3000:]
        )


@pytest.mark.parametrize("path", notebooks_in("exercises"), ids=lambda p: p.name)
def test_unsolved_exercise_fails_every_check_and_only_there(path, tmp_path):
    # Graded as `onboard check` grades it: with the solution's check cells and their outputs.
    graded = grading.restore_course_checks(
        notebooks.read(path), notebooks.read(COURSE_ROOT / "solutions" / path.name)
    )
    unsolved = tmp_path / "graded" / path.name
    unsolved.parent.mkdir()
    notebooks.write(unsolved, graded)
    run = run_nbval(unsolved, "--nbval-lax", tmp_path, solved=False)
    assert run.returncode == 1, f"{path.name} passed unsolved:\n{run.stdout[-3000:]}"
    code_cells = [c for c in notebooks.read(path)["cells"] if c["cell_type"] == "code"]
    failed = {int(number) for number in FAILED_CELL.findall(run.stdout)}
    check_cells = {i for i, cell in enumerate(code_cells) if notebooks.is_check_cell(cell)}
    stub_cells = {
        i
        for i, cell in enumerate(code_cells)
        if 'raise NotImplementedError("Exercise' in notebooks.source_of(cell)
    }
    assert check_cells, f"{path.name} has no check cells"
    assert check_cells <= failed, f"check cells that pass unsolved: {sorted(check_cells - failed)}"
    unexpected = failed - check_cells - stub_cells
    assert not unexpected, (
        f"cells other than checks and stubs fail in {path.name}: {sorted(unexpected)}; "
        f"report: {keep_report(path, 'exercise', run)}"
    )
