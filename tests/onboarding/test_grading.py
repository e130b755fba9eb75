"""`onboard check`: the verdict comes from the course's checks, and bad input gets a plain message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onboarding import grading, notebooks, paths, protocol
from tests.conftest import run_onboard

WELCOME = "00_welcome.ipynb"


def course_copy() -> dict:
    """The learner copy, as a fresh workspace gets it."""
    return notebooks.read(paths.exercises_dir() / WELCOME)


def solution_copy() -> dict:
    """The model solution, whose check cells hold what passing looks like."""
    return notebooks.read(paths.solutions_dir() / WELCOME)


def solved_copy() -> dict:
    """The learner copy with the solution's code cells: what a learner who got it right saves."""
    solution = solution_copy()
    learner = course_copy()
    by_id = {cell["id"]: cell for cell in solution["cells"]}
    for cell in learner["cells"]:
        if cell["cell_type"] == "code" and not notebooks.is_check_cell(cell):
            cell["source"] = by_id[cell["id"]]["source"]
    return learner


def check_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if notebooks.is_check_cell(cell)]


def replace_code(notebook: dict, needle: str, new_source: str) -> dict:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and needle in notebooks.source_of(cell):
            cell["source"] = notebooks.split_source(new_source)
            return notebook
    raise AssertionError(f"no cell contains {needle!r}")


# ----------------------------------------------------------------- restoring the course's checks
def test_a_stale_saved_run_is_replaced_by_the_expected_outputs():
    learner = course_copy()
    for cell in check_cells(learner):
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["❌ everything\n"]}]
    graded = grading.restore_course_checks(learner, solution_copy())
    expected = [c["outputs"] for c in check_cells(solution_copy())]
    assert [c["outputs"] for c in check_cells(graded)] == expected
    assert all(expected), "the solution stores what passing looks like"


def test_an_edited_check_cell_is_put_back():
    learner = course_copy()
    check_cells(learner)[0]["source"] = ["# NBVAL_CHECK_OUTPUT\n", "print('✅ trust me')\n"]
    graded = grading.restore_course_checks(learner, solution_copy())
    assert check_cells(graded)[0]["source"] == check_cells(course_copy())[0]["source"]


def test_a_deleted_check_cell_comes_back_after_the_cell_it_followed():
    learner = course_copy()
    first_check = check_cells(learner)[0]
    position = learner["cells"].index(first_check)
    del learner["cells"][position]
    graded = grading.restore_course_checks(learner, solution_copy())
    assert graded["cells"][position]["id"] == first_check["id"]


def test_a_learner_cell_cannot_make_itself_a_check():
    learner = course_copy()
    learner["cells"].append(
        {
            "cell_type": "code",
            "id": "mine",
            "metadata": {"tags": ["check"]},
            "execution_count": 3,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}],
            "source": ["# NBVAL_CHECK_OUTPUT\n", "print('hi')\n"],
        }
    )
    mine = grading.restore_course_checks(learner, solution_copy())["cells"][-1]
    assert not notebooks.looks_like_check_cell(mine)
    assert mine["outputs"] == [] and mine["execution_count"] is None


def test_a_fresh_learner_copy_shows_no_passing_output():
    for cell in check_cells(course_copy()):
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_verdict_comes_from_published_results_not_printed_lines():
    """A check cell whose printed lines say ✅ but whose published result failed does not pass."""
    solution = solution_copy()
    outcomes = []
    for cell in check_cells(solution):
        outcomes.append(
            grading.CellOutcome(
                index=0,
                cell_id=cell["id"],
                source="",
                is_check=True,
                failed=False,
                message="",
                outputs=cell["outputs"],
            )
        )
    passing = grading.summarise(WELCOME, outcomes, solution, 30)
    assert passing.ok and [e.passed for e in passing.exercises] == [4, 4]

    failing_result = protocol.CheckResult(
        "00.2", (protocol.Outcome("at least three rooms are listed", False, "1 room(s)"),)
    )
    outcomes[1] = grading.CellOutcome(
        index=1,
        cell_id=outcomes[1].cell_id,
        source="",
        is_check=True,
        failed=False,
        message="",
        # The printed text claims success; only the published data is believed.
        outputs=[
            {"output_type": "stream", "name": "stdout", "text": ["✅ everything\n"]},
            protocol.result_output(failing_result),
        ],
    )
    verdict = grading.summarise(WELCOME, outcomes, solution, 30)
    assert not verdict.ok
    rooms = verdict.exercises[1]
    assert (rooms.passed, rooms.total) == (0, 4)
    assert rooms.failures == ["❌ at least three rooms are listed — 1 room(s)."]


# -------------------------------------------------------------- the real command, with a kernel
def write_learner(workspace: Path, notebook: dict) -> Path:
    run = run_onboard("update", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert run.returncode == 0, run.stderr
    path = workspace / WELCOME
    notebooks.write(path, notebook)
    return path


def check(workspace: Path, tmp_path: Path, *extra: str):
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    run = run_onboard(
        "check", "00", *extra, env={"ONBOARD_WORKSPACE": str(workspace), "TMPDIR": str(scratch)}
    )
    assert list(scratch.iterdir()) == [], "onboard check left temporary files behind"
    return run


@pytest.mark.slow
def test_unsolved_fails_with_hints(workspace, tmp_path):
    write_learner(workspace, course_copy())
    run = check(workspace, tmp_path)
    assert run.returncode == 1
    assert "❌ Exercise 00.1 How long is a booking?: 0 of 4 checks passed" in run.stdout
    assert "not written yet (the stub still raises NotImplementedError). Hint:" in run.stdout
    assert "❌ at least three rooms are listed — 1 room(s). Hint:" in run.stdout
    assert "Traceback" not in run.stdout and "assert" not in run.stdout


@pytest.mark.slow
def test_solved_passes_and_is_recorded(workspace, tmp_path):
    write_learner(workspace, solved_copy())
    run = check(workspace, tmp_path)
    assert run.returncode == 0, run.stdout
    progress = json.loads(
        run_onboard("progress", "--json", env={"ONBOARD_WORKSPACE": str(workspace)}).stdout
    )
    welcome = [row for row in progress if row["exercise"].startswith("00.")]
    assert [(row["state"], row["passed"], row["total"]) for row in welcome] == [
        ("done", 4, 4),
        ("done", 4, 4),
    ]


@pytest.mark.slow
def test_a_stale_run_and_an_edited_check_cannot_change_the_verdict(workspace, tmp_path):
    """Solved work with ❌ outputs saved passes; unsolved work with a faked check fails."""
    solved = solved_copy()
    for cell in check_cells(solved):
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["❌ stale\n"]}]
    write_learner(workspace, solved)
    assert check(workspace, tmp_path).returncode == 0

    cheating = course_copy()
    for cell in check_cells(cheating):
        cell["source"] = ["# NBVAL_CHECK_OUTPUT\n", "pass\n"]
        cell["outputs"] = []
    write_learner(workspace, cheating)
    assert check(workspace, tmp_path).returncode == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("needle", "bad_source", "message"),
    [
        pytest.param(
            "def booking_minutes",
            "def booking_minutes(start, end)\n    return 0\n",
            "Code cell 1 raised SyntaxError: expected ':', line 1: `def booking_minutes(start, end)`",
            id="syntax-error",
        ),
        pytest.param(
            "def booking_minutes",
            "from datetime import datetime\nstart = datetime.fromisoformat('soon')\n",
            "Code cell 1 raised ValueError: Invalid isoformat string: 'soon', line 2: "
            "`start = datetime.fromisoformat('soon')`",
            id="exception",
        ),
        pytest.param(
            "def booking_minutes",
            "while True:\n    pass\n",
            "Code cell 1 took longer than 3 s — is there a loop that never ends?",
            id="endless-loop",
        ),
        pytest.param(
            "%%writefile rooms.yaml",
            "%%writefile rooms.yaml\nrooms:\n  - name: Ada\n   capacity: 4\n",
            "❌ rooms.yaml is valid YAML with a top-level `rooms:` list — rooms.yaml is not "
            "valid YAML: line 3, column 4",
            id="malformed-yaml",
        ),
    ],
)
def test_bad_input_gets_one_clear_message_and_loses_nothing(
    workspace, tmp_path, needle, bad_source, message
):
    path = write_learner(workspace, replace_code(solved_copy(), needle, bad_source))
    before = path.read_bytes()
    run = check(workspace, tmp_path, "--timeout", "3")
    assert run.returncode == 1
    assert message in " ".join(run.stdout.split()), run.stdout
    assert "Traceback" not in run.stdout
    assert path.read_bytes() == before


def test_a_malformed_notebook_gets_line_and_column(workspace, tmp_path):
    write_learner(workspace, course_copy())
    path = workspace / WELCOME
    path.write_text('{"cells": [}\n')
    run = check(workspace, tmp_path)
    assert run.returncode == 1
    assert "00_welcome.ipynb is not a valid notebook: line 1, column 12" in run.stdout
    assert path.read_text() == '{"cells": [}\n'


# ------------------------------------------------------------- several notebooks side by side
def without_durations(verdict: dict) -> dict:
    for exercise in verdict.get("exercises", []):
        exercise.pop("duration_s", None)
    return verdict


@pytest.mark.slow
def test_check_all_grades_side_by_side_and_each_verdict_is_the_one_it_gets_alone(
    workspace, tmp_path
):
    """`onboard check --all` grades notebooks in parallel: each verdict is the one it gets
    alone, the results come in the course's order, and a notebook that cannot be graded is one
    error among them, losing none of the others."""
    workspace.mkdir()
    notebooks.write(workspace / WELCOME, solved_copy())
    intake = "01_roles_and_intake.ipynb"
    notebooks.write(workspace / intake, notebooks.read(paths.exercises_dir() / intake))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"ONBOARD_WORKSPACE": str(workspace), "TMPDIR": str(scratch)}

    everything = run_onboard("check", "--all", "--json", "--jobs", "2", env=env)

    assert everything.returncode == 1
    verdicts = json.loads(everything.stdout)
    names = sorted(path.name for path in paths.exercises_dir().glob("[0-9][0-9]_*.ipynb"))
    assert [verdict["notebook"] for verdict in verdicts] == names
    by_name = {verdict["notebook"]: without_durations(verdict) for verdict in verdicts}
    # The verdict in the message: a flake once showed only `assert (False)` here.
    assert by_name[WELCOME]["ok"], by_name[WELCOME]
    assert not by_name[intake]["ok"], by_name[intake]
    for name in (WELCOME, intake):
        alone = run_onboard("check", name[:2], "--json", env=env)
        assert by_name[name] == without_durations(json.loads(alone.stdout)[0])
    for name in set(names) - {WELCOME, intake}:
        assert "does not exist" in by_name[name]["error"]
    assert list(scratch.iterdir()) == [], "onboard check left temporary files behind"


def test_check_refuses_a_number_of_jobs_below_one(workspace):
    run = run_onboard("check", "--all", "--jobs", "0", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert run.returncode == 2
    assert "Invalid value for '--jobs' / '-j': 0 is not in the range x>=1." in run.stderr


@pytest.mark.slow
def test_a_check_cell_may_outlast_the_learners_cell_limit(workspace, tmp_path):
    """A check cell limits each expectation itself; a whole cell of them that runs longer than a
    learner's cell may (06.1's, on a busy machine) is no endless loop. A learner's cell is."""
    course = solution_copy()
    first_check = check_cells(course)[0]
    source = notebooks.source_of(first_check).splitlines(keepends=True)
    first_check["source"] = [source[0], "import time\n", "time.sleep(3)\n", *source[1:]]
    course_path = tmp_path / "course" / WELCOME
    course_path.parent.mkdir()
    notebooks.write(course_path, course)
    learner_path = write_learner(workspace, solved_copy())

    verdict = grading.grade(learner_path, course_path, cell_timeout=1)
    assert verdict.ok, verdict.to_json()

    slow_learner = replace_code(
        solved_copy(), "def booking_minutes", "import time\ntime.sleep(3)\n"
    )
    notebooks.write(learner_path, slow_learner)
    verdict = grading.grade(learner_path, course_path, cell_timeout=1)
    assert "Code cell 1 took longer than 1 s" in " ".join(verdict.problems), verdict.to_json()


def test_a_check_cell_stopped_at_its_own_limit_is_not_called_an_endless_loop():
    stopped = grading.CellOutcome(3, "c", "check()", True, True, "Timeout", [], timed_out=True)
    verdict = grading.summarise(WELCOME, [stopped], solution_copy(), 30)
    assert verdict.problems == [
        f"The check in code cell 4 took longer than {grading.CHECK_CELL_TIMEOUT} s and was "
        "stopped: run `onboard check` again, and if it stops again, tell your instructor."
    ]
