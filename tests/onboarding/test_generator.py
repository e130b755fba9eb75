"""The solutions -> exercises generator: golden files, determinism and clear authoring errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding import generator, notebooks
from onboarding.generator import GeneratorError

GOLDEN = Path(__file__).parents[1] / "golden"
SOURCE_NAME = "tests/golden/generator-solution.ipynb"


def generated_text() -> str:
    solution = notebooks.read(GOLDEN / "generator-solution.ipynb")
    return notebooks.dumps(generator.generate(solution, SOURCE_NAME))


def test_matches_the_golden_learner_copy():
    expected = (GOLDEN / "generator-exercise-correct.ipynb").read_text(encoding="utf-8")
    assert generated_text() == expected


def test_is_deterministic():
    assert generated_text() == generated_text()


def test_marks_its_output_as_generated():
    learner_copy = notebooks.read(GOLDEN / "generator-exercise-correct.ipynb")
    assert "edit the solution, not this file" in learner_copy["metadata"]["onboard"]["generated"]


def test_clears_every_output_so_a_fresh_copy_shows_nothing_passing():
    solution = notebooks.read(GOLDEN / "generator-solution.ipynb")
    assert any(cell.get("outputs") for cell in solution["cells"] if notebooks.is_check_cell(cell))
    learner_copy = notebooks.read(GOLDEN / "generator-exercise-correct.ipynb")
    code_cells = [cell for cell in learner_copy["cells"] if cell["cell_type"] == "code"]
    assert any(notebooks.is_check_cell(cell) for cell in code_cells)
    for cell in code_cells:
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_no_solution_text_reaches_the_learner():
    text = generated_text()
    for solution_only in ("width * height", "TOP_LEVEL", "/rooms: {}", "CREATE INDEX", "return 1"):
        assert solution_only not in text
    assert "BEGIN SOLUTION" not in text and "BEGIN STUB" not in text


def stub(source: str, exercise_id: str | None = "01.1") -> str:
    return generator.stub_for(source, exercise_id, "solutions/01_x.ipynb, cell 3")


def test_python_region_becomes_a_named_not_implemented_error_at_its_indentation():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    assert stub(source) == (
        'def f():\n    raise NotImplementedError("Exercise 01.1: replace this line with your code")\n'
    )


def test_stub_lines_are_uncommented_keeping_their_indentation():
    source = (
        "%%writefile a.yaml\n### BEGIN SOLUTION\nx: 1\n### END SOLUTION\n"
        "### BEGIN STUB\n# x:\n#   - todo\n#\n### END STUB\n"
    )
    assert stub(source) == "%%writefile a.yaml\nx:\n  - todo\n\n"


def test_sql_comment_markers_work():
    source = "%%writefile m.sql\n-- BEGIN SOLUTION\nSELECT 1;\n-- END SOLUTION\n-- BEGIN STUB\n-- SELECT ...;\n-- END STUB\n"
    assert stub(source) == "%%writefile m.sql\nSELECT ...;\n"


@pytest.mark.parametrize(
    ("source", "exercise_id", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1\n", "01.1", "`BEGIN SOLUTION` on line 1 has no `END SOLUTION`"),
        ("### END SOLUTION\n", "01.1", "`END SOLUTION` without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN STUB\n", "01.1", "is not closed before line 2"),
        (
            "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",
            None,
            "before any 'Exercise NN.N' heading",
        ),
    ],
)
def test_authoring_mistakes_name_the_cell_and_line(source, exercise_id, message):
    with pytest.raises(GeneratorError) as error:
        stub(source, exercise_id)
    assert message in str(error.value)
    assert str(error.value).startswith("solutions/01_x.ipynb, cell 3")


def test_a_check_cell_without_stored_output_is_refused():
    solution = notebooks.read(GOLDEN / "generator-solution.ipynb")
    for cell in solution["cells"]:
        if notebooks.is_check_cell(cell):
            cell["outputs"], cell["execution_count"] = [], None
    with pytest.raises(GeneratorError, match="the check cell has no stored output"):
        generator.generate(solution, SOURCE_NAME)


def test_generate_all_writes_only_changes_and_removes_orphans(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "42_golden.ipynb").write_bytes((GOLDEN / "generator-solution.ipynb").read_bytes())
    exercises.mkdir()
    (exercises / "99_removed.ipynb").write_text("{}")

    changed = generator.generate_all(solutions, exercises)
    assert sorted(path.name for path in changed) == ["42_golden.ipynb", "99_removed.ipynb"]
    assert not (exercises / "99_removed.ipynb").exists()
    assert generator.generate_all(solutions, exercises) == []
