"""Stage 03, data design and migrations: an Alembic revision, and the documents that describe it."""

from onboarding.stages.migrations.checks import EXERCISES

__all__ = ["EXERCISES"]
