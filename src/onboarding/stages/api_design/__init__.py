"""Stage 02, API design: the learner's `openapi.yaml` and technical solution design (TSD).

- `spec`: what exercise 02.1 asks of the spec beyond valid OpenAPI 3.1 (reading and validating
  it is `onboarding.artefacts.openapi`);
- `tsd`: exercise 02.2, `docs/tsd.md`, and its consistency with the spec;
- `checks`: what each exercise expects, as data;
- `lesson`: the lesson's demonstrations and practice cells.
"""

from onboarding.stages.api_design.checks import EXERCISES

__all__ = ["EXERCISES"]
