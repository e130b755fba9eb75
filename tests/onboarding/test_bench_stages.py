"""The per-stage benchmark measures a solved workspace, and refuses to time a failing check."""

from __future__ import annotations

import pytest

from onboarding import bench_stages, execution, notebooks


@pytest.mark.slow
def test_a_solved_stage_is_timed_and_an_unsolved_one_is_refused(tmp_path):
    workspace = bench_stages.solved_workspace(tmp_path / "workspace", "00")
    assert bench_stages.timed_check(workspace, "00") > 0

    learner = notebooks.read(workspace / "00_welcome.ipynb")
    for cell in learner["cells"]:
        if "def booking_minutes" in notebooks.source_of(cell):
            cell["source"] = ["def booking_minutes(start, end):\n", "    return 0\n"]
    notebooks.write(workspace / "00_welcome.ipynb", learner)
    with pytest.raises(RuntimeError, match="failed on a solved workspace"):
        bench_stages.timed_check(workspace, "00")
    execution.solve(workspace, "00_welcome.ipynb")
    assert bench_stages.timed_check(workspace, "00") > 0


def test_every_stage_with_an_exercise_is_measured():
    assert bench_stages.stages_with_exercises()[:2] == ["00", "01"]
