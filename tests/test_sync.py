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


@pytest.mark.parametrize(
    "path", sorted((COURSE_ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name
)
def test_every_check_cell_says_what_it_verifies(path):
    """nbgrader's rule: a check cell opens with the marker, then one line saying what it checks."""
    check_cells = [c for c in notebooks.read(path)["cells"] if notebooks.is_check_cell(c)]
    assert check_cells, f"{path.name} has no check cell"
    for cell in check_cells:
        first, second, *_ = notebooks.source_of(cell).splitlines() + ["", ""]
        assert first == notebooks.CHECK_MARKER, (
            f"{path.name}: a check cell must start with {notebooks.CHECK_MARKER}"
        )
        assert second.startswith("# ") and len(second) > 20, (
            f"{path.name}: say on the second line what the check verifies, found {second!r}"
        )
