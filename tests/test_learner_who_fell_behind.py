"""A learner who fell behind adopts the course's project of the stage before
(`onboard checkpoint N-1 --adopt`) and passes stage N from there, for every stage."""

from __future__ import annotations

import pytest

from onboarding import course, project
from tests.conftest import run_onboard
from tests.learner import do_stage, start

STAGES = [stage.number for stage in course.STAGES]


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
