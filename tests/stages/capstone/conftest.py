"""A solved stage-10 project, made once, copied for each test that changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from onboarding import project


@pytest.fixture(scope="session")
def solved_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("capstone-solved") / "workspace"
    project.prepare("10", workspace, solved=True)
    return workspace


@pytest.fixture
def workspace(solved_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The solved project in a workspace of this test's own (the checks' default, too)."""
    copy = tmp_path / "workspace"
    shutil.copytree(solved_template, copy, symlinks=True)
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(copy))
    return copy
