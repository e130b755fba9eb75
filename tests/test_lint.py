"""One linter and one formatter, ruff, over the course's code; CI runs it like any other test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import COURSE_ROOT

RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize("arguments", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(arguments):
    run = subprocess.run(
        [str(RUFF), *arguments, "src", "tests"], cwd=COURSE_ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
