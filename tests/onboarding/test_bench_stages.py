"""The per-stage benchmark measures a solved workspace, and refuses to time a failing check."""

from __future__ import annotations

import json
import subprocess

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


def fake_check_all(failing_ids, monkeypatch):
    """`onboard check --all --json` as if the given exercises failed and every other passed."""
    verdicts = [
        {
            "notebook": "02_api_design.ipynb",
            "exercises": [
                {"exercise": exercise_id, "ok": exercise_id not in failing_ids}
                for exercise_id in ("02.1", "02.2", "08.3")
            ],
        }
    ]
    completed = subprocess.CompletedProcess([], 1, stdout=json.dumps(verdicts), stderr="")
    monkeypatch.setattr(bench_stages, "_onboard", lambda *arguments: completed)


def test_check_all_reports_the_exercises_it_found_failing(tmp_path, monkeypatch):
    fake_check_all({"02.2", "08.3"}, monkeypatch)
    elapsed, failing = bench_stages.failing_exercises(tmp_path)
    assert elapsed >= 0 and failing == {"02.2", "08.3"}


def test_check_all_times_a_workspace_where_nothing_fails(tmp_path, monkeypatch):
    fake_check_all(set(), monkeypatch)
    assert bench_stages.timed_check_all(tmp_path) >= 0


def test_check_all_refuses_to_time_any_failing_exercise(tmp_path, monkeypatch):
    # No exercise is excused: the capstone keeps 02.2's TSD and 03.2's plan passing.
    fake_check_all({"02.2"}, monkeypatch)
    with pytest.raises(RuntimeError, match=r"failed on a solved workspace: \['02.2'\]"):
        bench_stages.timed_check_all(tmp_path)


def test_output_that_is_not_json_is_a_clear_error(tmp_path, monkeypatch):
    completed = subprocess.CompletedProcess([], 2, stdout="Traceback…", stderr="no workspace")
    monkeypatch.setattr(bench_stages, "_onboard", lambda *arguments: completed)
    with pytest.raises(RuntimeError, match="printed no results:\nno workspace"):
        bench_stages.failing_exercises(tmp_path)


def test_the_report_gives_each_figure_and_its_multiple_of_the_floor():
    """The goals hold at their limits exactly: 10 s for a stage, 45 s for --all."""
    from rich.console import Console

    def report(stages: dict, every: float) -> list[str]:
        console = Console(record=True, width=140)
        bench_stages.report(console, stages, {"median_s": every}, floor_s=2.0)
        return console.export_text().splitlines()

    at_the_limits = report(
        {"05": {"median_s": 9.0, "max_s": 11.0}, "06": {"median_s": 10.0, "max_s": 12.0}}, 45.0
    )
    testing = next(line for line in at_the_limits if "05 Testing" in line)
    ci = next(line for line in at_the_limits if "06 CI" in line)
    every = next(line for line in at_the_limits if "--all" in line)
    assert "9.0 s" in testing and "4.5×" in testing and "✅" in testing
    assert "10.0 s" in ci and "5.0×" in ci and "✅" in ci
    assert "45.0 s" in every and "22.5×" in every and "✅" in every

    over = report({"06": {"median_s": 10.1, "max_s": 12.0}}, 45.1)
    assert "❌" in next(line for line in over if "06 CI" in line)
    assert "❌" in next(line for line in over if "--all" in line)
