"""The stage 05 snapshot: the files the lesson writes, and a project in which they all pass."""

import os
import re
import subprocess
import sys
from importlib import resources

import pytest

from bookings.snapshots import materialise
from onboarding import notebooks
from tests.conftest import COURSE_ROOT

LESSON = COURSE_ROOT / "notebooks" / "05_testing.ipynb"
WRITES = "%%writefile stage05-project/"
SNAPSHOT = resources.files("bookings.snapshots").joinpath("stage_05")


def lesson_files() -> dict[str, str]:
    """Each project file a `%%writefile stage05-project/…` cell of the lesson writes."""
    files = {}
    for cell in notebooks.read(LESSON)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and source.startswith(WRITES):
            first_line, _, body = source.partition("\n")
            files[first_line.removeprefix(WRITES).strip()] = body
    return files


def test_the_lesson_writes_the_snapshot_files_unchanged():
    """What the lesson teaches is what a learner who runs `onboard checkpoint 5` gets."""
    written = lesson_files()
    assert {"pytest.ini", "conftest.py", "tests/test_integration.py", "locustfile.py"} <= set(
        written
    )
    for relative, body in written.items():
        shipped = SNAPSHOT.joinpath(*relative.split("/")).read_text(encoding="utf-8")
        assert body.rstrip("\n") == shipped.rstrip("\n"), f"{relative} differs from the snapshot"


def run_project_tests(folder, *arguments, **extra_env):
    # Installed pytest plugins are not part of a learner's project, and cost seconds.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_every_stage_05_test_passes_in_the_learners_folder(tmp_path):
    """Unit, integration and contract tests, then a short load test, all from the snapshot."""
    materialise(5, tmp_path)
    pull_request = run_project_tests(
        tmp_path, "-m", "not integration and not contract and not load"
    )
    assert pull_request.returncode == 0, pull_request.stdout + pull_request.stderr
    ci_stage = run_project_tests(tmp_path, "-m", "integration or contract")
    assert ci_stage.returncode == 0, ci_stage.stdout + ci_stage.stderr
    # 4 integration tests, 8 schemathesis operations and 2 pact tests.
    assert re.search(r"\b14 passed", ci_stage.stdout), ci_stage.stdout
    nightly = run_project_tests(tmp_path, "-m", "load", LOAD_TEST_SECONDS="3", LOAD_TEST_USERS="5")
    assert nightly.returncode == 0, nightly.stdout + nightly.stderr
    assert re.search(r"\b1 passed", nightly.stdout), nightly.stdout


def test_the_committed_pact_is_what_the_consumer_test_writes(tmp_path):
    """The consumer side writes pacts/…json; the shipped copy must hold the same interactions."""
    pytest.importorskip("pact")
    import json

    materialise(5, tmp_path)
    shipped = json.loads((tmp_path / "pacts" / "calendar-plugin-booking-service.json").read_text())
    result = run_project_tests(
        tmp_path, "tests/test_pact.py::test_the_calendar_plugin_gets_what_it_expects"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = json.loads((tmp_path / "pacts" / "calendar-plugin-booking-service.json").read_text())
    assert written["interactions"] == shipped["interactions"]
