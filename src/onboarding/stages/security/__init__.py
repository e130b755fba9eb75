"""Stage 09, packaging and security: the project's lock file, a secret scanner, secrets moved out.

`locking` resolves the project's lock from the course's uv.lock and judges a requirements file
against it (read by `onboarding.artefacts.requirements`); `codebase` is the export job with its
planted secrets; `scanning` judges a scanner, scans the learner's repository and a fixed
settings module.
"""

from onboarding.stages.security.checks import EXERCISES

__all__ = ["EXERCISES"]
