"""Stage 04, implementation: the learner's service, its acceptance and unit tests, and a flag.

- 04.1: the booking rules in the learner's `rules.py`, run inside the course's service;
- 04.2: the learner's routes and data access, through the API of their own service;
- 04.3: their acceptance criteria of stage 01 as parametrized tests, against their service;
- 04.4: their unit tests, judged by the bugs they catch in the course's service;
- 04.5: a feature flag with a percentage rollout and a kill switch.
"""

from onboarding.stages.implementation.checks import EXERCISES

__all__ = ["EXERCISES"]
