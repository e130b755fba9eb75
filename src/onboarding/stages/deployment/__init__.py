"""Stage 07, deployment: the project's image and migration job, a canary gate, a deploy's order."""

from onboarding.stages.deployment.checks import EXERCISES
from onboarding.stages.deployment.rules import DOCKERFILE_CHECKS

__all__ = ["DOCKERFILE_CHECKS", "EXERCISES"]
