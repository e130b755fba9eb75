"""Stage 06, CI, branching and releases: the project's CI workflow, and the next version.

`review` judges a workflow as a reviewer of the team's CI would; `local_run` holds the rules by
which the course's environment runs its pull-request commands on a copy of the learner's project;
`lesson` holds the lesson's helpers. Workflows are read and simulated by
`onboarding.artefacts.workflow`, and their `run:` steps run by `onboarding.artefacts.workflow_run`.
"""

from onboarding.stages.ci.checks import EXERCISES

__all__ = ["EXERCISES"]
