"""Stage snapshots: shipped as package data, overlaid in order, never overwriting.

Stages 01 to 03 are in the project blueprint (`project/`, tested in tests/onboarding/); the
snapshots left are those of stages 04 and 05.
"""

import os
import subprocess
import sys
from importlib import resources
from pathlib import PurePosixPath

import pytest

from bookings.snapshots import (
    SnapshotClashError,
    UnknownStageError,
    available_stages,
    build,
    materialise,
    stage_files,
)



def relative(paths, root) -> set[str]:
    return {path.relative_to(root).as_posix() for path in paths}


def files_under(root) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_stages_four_and_five_exist():
    """Stages 01 to 03 moved to the project blueprint (project/stage_NN); 04 and 05 follow."""
    assert available_stages() == [4, 5]


@pytest.mark.parametrize(
    "path",
    [
        "stage_04/booking_app/main.py",
        "stage_04/booking_app/migrations/versions/0002_cancelled_state.py",
        "stage_04/conftest.py",
        "stage_04/tests/test_rules.py",
        "stage_05/README.md",
    ],
)
def test_snapshot_files_are_package_data(path):
    """Each snapshot file is reachable through importlib.resources, as in an installed wheel."""
    entry = resources.files("bookings.snapshots").joinpath(*path.split("/"))
    assert entry.is_file()
    assert entry.read_bytes().strip()


def test_the_generated_copies_are_in_sync_with_the_service():
    """Running `python -m bookings.snapshots.build` would change nothing."""
    assert build.out_of_sync() == []
    assert build.main(["--check"]) == 0


# --- materialise -----------------------------------------------------------------------------


def test_the_first_stage_is_just_its_own_files(tmp_path):
    """Stage 4, the first snapshot, writes stage 4's files and returns their paths."""
    written = materialise(4, tmp_path)
    stage_04 = {path.as_posix() for path in stage_files(4)}
    assert relative(written, tmp_path) == stage_04 == files_under(tmp_path)


def test_stages_build_on_each_other(tmp_path):
    """Stage 5 is the overlay of stages 4 and 5, every file written with its content."""
    written = materialise(5, tmp_path)
    stage_04 = {path.as_posix() for path in stage_files(4)}
    assert stage_04 <= relative(written, tmp_path) == files_under(tmp_path)
    shipped = resources.files("bookings.snapshots")
    assert (tmp_path / "booking_app" / "main.py").read_bytes() == shipped.joinpath(
        "stage_04", "booking_app", "main.py"
    ).read_bytes()


def test_a_later_stage_replaces_an_earlier_version_of_a_file(tmp_path):
    """conftest.py is in stages 4 and 5: stage 5's version wins in the overlay."""
    shipped = resources.files("bookings.snapshots")
    stage_04 = shipped.joinpath("stage_04", "conftest.py").read_text()
    stage_05 = shipped.joinpath("stage_05", "conftest.py").read_text()
    assert stage_04 != stage_05
    assert stage_files(4)[PurePosixPath("conftest.py")].read_text() == stage_04
    materialise(5, tmp_path)
    assert (tmp_path / "conftest.py").read_text() == stage_05


def test_never_overwrites_and_writes_nothing_on_a_clash(tmp_path):
    """Existing files are listed in the error, left as they were, and nothing else is written."""
    (tmp_path / "booking_app").mkdir()
    (tmp_path / "booking_app" / "main.py").write_text("mine")
    (tmp_path / "conftest.py").write_text("mine too")
    with pytest.raises(SnapshotClashError) as caught:
        materialise(4, tmp_path)
    assert relative(caught.value.clashes, tmp_path) == {"conftest.py", "booking_app/main.py"}
    assert "booking_app/main.py" in str(caught.value).replace(os.sep, "/")
    assert "nothing was written" in str(caught.value)
    assert files_under(tmp_path) == {"conftest.py", "booking_app/main.py"}
    assert (tmp_path / "conftest.py").read_text() == "mine too"


def test_materialising_twice_clashes(tmp_path):
    """A second run into the same folder refuses rather than overwriting the first."""
    written = materialise(4, tmp_path)
    with pytest.raises(SnapshotClashError) as caught:
        materialise(4, tmp_path)
    assert sorted(caught.value.clashes) == sorted(written)


def test_a_file_where_a_folder_is_needed_is_a_clash(tmp_path):
    """A file named `booking_app` blocks stage 4's package folder."""
    (tmp_path / "booking_app").write_text("not a folder")
    with pytest.raises(SnapshotClashError):
        materialise(4, tmp_path)


def test_the_destination_is_created(tmp_path):
    """A destination that does not exist yet is made."""
    destination = tmp_path / "new" / "project"
    assert materialise(4, destination)
    assert (destination / "conftest.py").is_file()


@pytest.mark.parametrize("stage", [0, 1, 2, 3, 6, 99, -1])
def test_an_unknown_stage_is_a_clear_error(tmp_path, stage):
    """The error names the stage asked for and the stages there are; nothing is written."""
    with pytest.raises(UnknownStageError, match=rf"no stage {stage}\b.*4, 5"):
        materialise(stage, tmp_path)
    assert files_under(tmp_path) == set()


def test_no_bytecode_is_copied(tmp_path):
    """__pycache__ folders left by running a snapshot in place never reach a learner."""
    materialise(4, tmp_path)
    assert not [path for path in files_under(tmp_path) if "__pycache__" in path]


# --- The snapshots work --------------------------------------------------------------------


def test_stage_04_app_and_its_tests_run_from_the_learners_folder(tmp_path):
    """With only the materialised folder on sys.path, the stage 04 tests pass."""
    materialise(4, tmp_path)
    # Other installed pytest plugins are not part of a learner's project, and cost seconds.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "booking_app" in (tmp_path / "tests" / "test_rules.py").read_text()
