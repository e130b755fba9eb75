"""Stage 00, welcome: the two warm-up exercises that teach the feedback loop."""

from onboarding.stages.welcome.checks import EXERCISES

__all__ = ["EXERCISES"]
