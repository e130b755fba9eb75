"""Generated files match their source, and committed notebooks carry no volatile metadata."""

from __future__ import annotations

import pytest

from onboarding import generator, notebooks
from onboarding.cli import committed_notebooks
from tests.conftest import COURSE_ROOT


def test_exercises_are_in_sync_with_solutions(tmp_path):
    """`make exercises` would change nothing (the nbdev rule: regenerate, then diff)."""
    generator.generate_all(COURSE_ROOT / "solutions", tmp_path)
    generated = {path.name: path.read_bytes() for path in tmp_path.glob("*.ipynb")}
    committed = {
        path.name: path.read_bytes() for path in (COURSE_ROOT / "exercises").glob("*.ipynb")
    }
    assert sorted(generated) == sorted(committed), "run `make exercises` and commit the result"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert not stale, f"out of date, run `make exercises`: {stale}"


def test_every_solution_has_a_lesson_and_every_exercise_a_solution():
    lessons = {path.name[:2] for path in (COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    solutions = {path.name[:2] for path in (COURSE_ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")}
    assert solutions <= lessons


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_notebook_is_normalised(path):
    assert notebooks.is_normalised(path), (
        f"run `onboard author normalise {path.relative_to(COURSE_ROOT)}`"
    )
