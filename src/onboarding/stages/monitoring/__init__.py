"""Stage 08, monitoring and support: metrics, burn-rate paging, alert rules, runbook, postmortem.

`Window` is the input type of exercise 08.2's `should_page()`, for the learner's notebook.
"""

from onboarding.stages.monitoring.checks import EXERCISES
from onboarding.stages.monitoring.paging import Window

__all__ = ["EXERCISES", "Window"]
