"""Fixtures for the workshop's tests: a cohort, a stand-in for the hub, the dashboard app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COURSE_ROOT
from tests.workshop.fakes import FakeIdentity, learner_caller
from workshop.hubauth import INSTRUCTOR_SCOPE, Caller
from workshop.service import Settings, create_app

COHORT_YAML = """\
workshop: Test cohort
starts_at: 2026-03-02T09:00:00+00:00
instructors: [grace]
learners: [ada, alan, barbara]
"""
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def cohort_file(tmp_path) -> Path:
    path = tmp_path / "cohort.yaml"
    path.write_text(COHORT_YAML)
    return path


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity(
        {
            "ada-token": learner_caller("ada"),
            "alan-token": learner_caller("alan"),
            "barbara-token": learner_caller("barbara"),
            "grace-token": Caller("grace", frozenset({INSTRUCTOR_SCOPE})),
            "stranger-token": learner_caller("mallory"),
        }
    )


@pytest.fixture
def settings(tmp_path, cohort_file) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'dashboard.db'}",
        cohort_path=cohort_file,
        course_root=COURSE_ROOT,
    )


@pytest.fixture
def clock() -> list[datetime]:
    """The service's clock, as a one-item list a test can move forward."""
    return [NOON]


@pytest.fixture
def client(settings, identity, clock) -> Iterator[TestClient]:
    app = create_app(settings, identity, clock=lambda: clock[0])
    with TestClient(app) as test_client:
        yield test_client


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """A test that asks for the rehearsal's `ui` runs in that browser's own thread."""
    ui = pyfuncitem.funcargs.get("ui")
    if ui is None:
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    ui.run(pyfuncitem.obj, **arguments)
    return True
