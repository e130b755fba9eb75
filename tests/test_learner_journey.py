"""The golden learner, taken through the whole course: CI's proof that every stage can be passed.

It does every stage in order in one workspace and one project: the course's starting files, the
model answers written into the project and the notebook, `onboard check` after each stage, and
`pytest` inside the project after each stage. (A learner who fell behind is in
`test_learner_who_fell_behind.py`: a file of its own, so that the two run on different workers.)
"""

from __future__ import annotations

import json

import pytest

from onboarding import course, project
from tests.conftest import run_onboard
from tests.learner import do_stage, start

STAGES = [stage.number for stage in course.STAGES]


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
