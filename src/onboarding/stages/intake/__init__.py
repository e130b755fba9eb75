"""Stage 01, roles and intake: who owns what, acceptance criteria as examples, and the PRD.

- `roles`: exercise 01.1, the five roles and the duties each one owns;
- `acceptance`: exercise 01.2, `docs/acceptance_criteria.yaml` (the format stage 04 runs as tests);
- `prd`: exercise 01.3, `docs/prd.md` from the company's template;
- `checks`: what each exercise expects, as data;
- `lesson`: the lesson's practice cells.
"""

from onboarding.stages.intake.checks import EXERCISES

__all__ = ["EXERCISES"]
