"""Learners taken through the whole course, as CI's proof that every stage can be passed.

- The golden learner does every stage in order in one workspace and one project: the course's
  starting files, the model answers written into the project and the notebook, `onboard check`
  after each stage, and `pytest` inside the project after each stage.
- A learner who fell behind adopts the course's project of the stage before
  (`onboard checkpoint N-1 --adopt`) and passes stage N from there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from onboarding import course, project
from tests import learner
from tests.conftest import run_onboard

STAGES = [stage.number for stage in course.STAGES]


def start(workspace: Path) -> dict[str, str]:
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
    learner.write_answers(workspace, stage)
    name = learner.notebook_of(stage)
    if name is not None:
        learner.solve_notebook(workspace, name)
        checked = run_onboard("check", stage, env=env, timeout=600)
        assert checked.returncode == 0, f"stage {stage}: onboard check\n{checked.stdout}"
    tests = learner.run_project_tests(workspace, Path(sys.executable))
    assert tests.returncode == 0, f"stage {stage}: pytest in the project\n{tests.stdout[-3000:]}"


@pytest.mark.slow
def test_the_golden_learner_passes_every_stage_in_one_project(tmp_path):
    workspace = tmp_path / "workspace"
    env = start(workspace)
    for stage in STAGES:
        do_stage(workspace, env, stage)
    # Later stages change files earlier stages judge (the capstone adds routes, an alert, a
    # revision): at the end of the course every earlier exercise still passes, because the
    # capstone updates the TSD with its routes and table (02.2, 03.2) and gives its revision a
    # plan of its own, leaving stage 03's plan to revision 0002 (03.2).
    everything = run_onboard("check", "--all", "--json", env=env, timeout=900)
    verdicts = json.loads(everything.stdout)
    failing = {
        exercise["exercise"]
        for notebook in verdicts
        for exercise in notebook["exercises"]
        if not exercise["ok"]
    }
    assert verdicts and failing == set(), (sorted(failing), everything.stderr)
    # Every stage's work is in the learner's history, after the day-one commit.
    log = project.Git(project.locate(workspace)).run("log", "--format=%s").splitlines()
    assert log[-1] == "Day one: the project skeleton from the onboarding course"
    for stage in project.stages():
        assert f"My work on stage {stage}" in log


@pytest.mark.slow
@pytest.mark.parametrize(
    "stage", [s for s in STAGES if s in project.stages() and s != project.stages()[0]]
)
def test_a_learner_who_fell_behind_adopts_and_passes_the_stage(stage, tmp_path):
    workspace = tmp_path / "workspace"
    env = start(workspace)
    # The latest earlier stage that has a project in the blueprint; with none, the learner
    # starts the stage from day one's project.
    earlier = [s for s in project.stages() if s < stage]
    if earlier:
        adopted = run_onboard("checkpoint", str(int(earlier[-1])), "--adopt", env=env)
        assert adopted.returncode == 0, adopted.stdout + adopted.stderr
        assert "your previous work is on the branch before-stage-" in adopted.stdout
    do_stage(workspace, env, stage)
