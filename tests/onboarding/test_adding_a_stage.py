"""The recipe in docs/authoring.md ("Adding a stage"), followed for a stage 11.

The test works on a copy of the course, source included, and puts the copy first on the Python
path, so the `onboard` command and the kernels it starts see the new stage exactly as they would
after an author followed the recipe in the real tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

STAGE_ENTRY = '    Stage("11", "Room feedback", "", ("a feedback form",), "feedback"),\n'
CHECKS = '''\
"""What exercise 11.1 expects: a rating function."""

from onboarding.checks import equal, raises

EXERCISES = {
    "11.1": (
        equal("five stars is 5", lambda given: given.stars("*****"), 5, hint="Count the stars."),
        raises("an empty rating is refused", lambda given: given.stars(""), ValueError,
               hint="Raise ValueError for no stars."),
    ),
}
'''
SOLUTION_CELLS = [
    ("markdown", "11-00", [], "# Stage 11 exercises\n\n## Exercise 11.1: Rate a room\n"),
    (
        "code",
        "11-01",
        [],
        "def stars(text):\n    ### BEGIN SOLUTION\n    if not text:\n"
        "        raise ValueError('no stars')\n    return text.count('*')\n    ### END SOLUTION\n",
    ),
    (
        "code",
        "11-02",
        ["check"],
        "# NBVAL_CHECK_OUTPUT\n# Checks stars(): counts the stars, refuses an empty rating.\n"
        'from onboarding.stages import check\n\ncheck("11.1", globals())\n',
    ),
]


def onboard(course: Path, workspace: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(course / "src"),
        "ONBOARD_COURSE_ROOT": str(course),
        "ONBOARD_WORKSPACE": str(workspace),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "onboarding.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=course,
        timeout=300,
    )


@pytest.mark.slow
def test_a_new_stage_checks_grades_and_shows_in_progress(tmp_path):
    course = tmp_path / "course"
    for folder in ("src", "exercises", "solutions", "project", "templates"):
        shutil.copytree(
            COURSE_ROOT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__")
        )

    # 1. The stage joins the course map.
    course_py = course / "src" / "onboarding" / "course.py"
    text = course_py.read_text()
    text, count = re.subn(
        r"\n\)\n\n\ndef stage_map_rows", f"\n{STAGE_ENTRY})\n\n\ndef stage_map_rows", text
    )
    assert count == 1, "the recipe's step 1 no longer matches course.py"
    course_py.write_text(text)

    # 2. Its package declares the exercise.
    package = course / "src" / "onboarding" / "stages" / "feedback"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from .checks import EXERCISES\n\n__all__ = ['EXERCISES']\n"
    )
    (package / "checks.py").write_text(CHECKS)

    # 3. The solution notebook, run by the author tool; then the learner copy is generated.
    solution = {
        "cells": [
            {
                "cell_type": kind,
                "id": cell_id,
                "metadata": {"tags": tags} if tags else {},
                "source": notebooks.split_source(source),
                **({"execution_count": None, "outputs": []} if kind == "code" else {}),
            }
            for kind, cell_id, tags, source in SOLUTION_CELLS
        ],
        "metadata": {"kernelspec": notebooks.STANDARD_KERNELSPEC},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    solution_path = course / "solutions" / "11_feedback.ipynb"
    notebooks.write(solution_path, solution)
    workspace = tmp_path / "workspace"
    ran = onboard(course, workspace, "author", "run", str(solution_path))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    generated = onboard(course, workspace, "author", "generate")
    assert "exercises/11_feedback.ipynb" in generated.stdout, generated.stdout + generated.stderr

    # The learner gets the exercise, fails it unsolved, passes it solved.
    assert onboard(course, workspace, "update").returncode == 0
    unsolved = onboard(course, workspace, "check", "11")
    assert unsolved.returncode == 1, unsolved.stdout + unsolved.stderr
    assert "0 of 2 checks passed" in unsolved.stdout

    learner = notebooks.read(workspace / "11_feedback.ipynb")
    learner["cells"][1]["source"] = notebooks.split_source(
        "def stars(text):\n    if text == '':\n        raise ValueError\n    return len(text)\n"
    )
    notebooks.write(workspace / "11_feedback.ipynb", learner)
    solved = onboard(course, workspace, "check", "11")
    assert solved.returncode == 0, solved.stdout + solved.stderr

    progress = json.loads(onboard(course, workspace, "progress", "--json").stdout)
    row = next(row for row in progress if row["exercise"] == "11.1")
    assert (row["stage"], row["title"], row["state"]) == ("11 Room feedback", "Rate a room", "done")
