"""Stage snapshots: shipped as package data, overlaid in order, never overwriting."""

import os
from importlib import resources

import pytest

from bookings.core.db import open_database
from bookings.migrations import apply_migrations, load_migrations, service_migrations
from bookings.snapshots import (
    SnapshotClashError,
    UnknownStageError,
    available_stages,
    build,
    materialise,
)

STAGE_01 = {"README.md", "acceptance_criteria.yaml", "prd.md"}
STAGE_02 = {"openapi.yaml"}
STAGE_03 = {"migrations/001_initial.py", "migrations/002_cancelled_state.py", "schema.sql"}


def relative(paths, root) -> set[str]:
    return {path.relative_to(root).as_posix() for path in paths}


def files_under(root) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_stages_one_to_three_exist():
    """There is a snapshot folder for each of stages 1 to 3 (04 on are the learner's project)."""
    assert available_stages() == [1, 2, 3]


@pytest.mark.parametrize(
    "path",
    [
        "stage_01/README.md",
        "stage_02/openapi.yaml",
        "stage_03/migrations/001_initial.py",
        "stage_03/migrations/002_cancelled_state.py",
        "stage_03/schema.sql",
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


def test_stage_one_is_just_its_own_files(tmp_path):
    """Stage 1 writes stage 1's files and returns their paths."""
    written = materialise(1, tmp_path)
    assert relative(written, tmp_path) == STAGE_01 == files_under(tmp_path)


def test_stages_build_on_each_other(tmp_path):
    """Stage 3 is the overlay of stages 1, 2 and 3, every file written with its content."""
    written = materialise(3, tmp_path)
    assert relative(written, tmp_path) == STAGE_01 | STAGE_02 | STAGE_03 == files_under(tmp_path)
    shipped = resources.files("bookings.snapshots")
    assert (tmp_path / "openapi.yaml").read_bytes() == shipped.joinpath(
        "stage_02", "openapi.yaml"
    ).read_bytes()


def test_never_overwrites_and_writes_nothing_on_a_clash(tmp_path):
    """Existing files are listed in the error, left as they were, and nothing else is written."""
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "001_initial.py").write_text("mine")
    (tmp_path / "README.md").write_text("mine too")
    with pytest.raises(SnapshotClashError) as caught:
        materialise(3, tmp_path)
    assert relative(caught.value.clashes, tmp_path) == {"README.md", "migrations/001_initial.py"}
    assert "migrations/001_initial.py" in str(caught.value).replace(os.sep, "/")
    assert "nothing was written" in str(caught.value)
    assert files_under(tmp_path) == {"README.md", "migrations/001_initial.py"}
    assert (tmp_path / "README.md").read_text() == "mine too"


def test_materialising_twice_clashes(tmp_path):
    """A second run into the same folder refuses rather than overwriting the first."""
    written = materialise(2, tmp_path)
    with pytest.raises(SnapshotClashError) as caught:
        materialise(2, tmp_path)
    assert sorted(caught.value.clashes) == sorted(written)


def test_a_file_where_a_folder_is_needed_is_a_clash(tmp_path):
    """A file named `migrations` blocks stage 3's migrations folder."""
    (tmp_path / "migrations").write_text("not a folder")
    with pytest.raises(SnapshotClashError):
        materialise(3, tmp_path)


def test_the_destination_is_created(tmp_path):
    """A destination that does not exist yet is made."""
    destination = tmp_path / "new" / "project"
    assert materialise(2, destination)
    assert (destination / "openapi.yaml").is_file()


@pytest.mark.parametrize("stage", [0, 4, 99, -1])
def test_an_unknown_stage_is_a_clear_error(tmp_path, stage):
    """The error names the stage asked for and the stages there are; nothing is written."""
    with pytest.raises(UnknownStageError, match=rf"no stage {stage}\b.*1, 2, 3"):
        materialise(stage, tmp_path)
    assert files_under(tmp_path) == set()


def test_no_bytecode_is_copied(tmp_path):
    """__pycache__ folders left by running a snapshot in place never reach a learner."""
    materialise(3, tmp_path)
    assert not [path for path in files_under(tmp_path) if "__pycache__" in path]


# --- The snapshots work --------------------------------------------------------------------


def test_stage_03_migrations_build_the_service_schema(tmp_path):
    """The learner's migration files, run by the runner, give the same schema as the service's."""
    materialise(3, tmp_path)
    learner, service = open_database(":memory:"), open_database(":memory:")
    apply_migrations(learner, load_migrations(tmp_path / "migrations"))
    apply_migrations(service, service_migrations())
    query = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert learner.execute(query).fetchall() == service.execute(query).fetchall()


def test_stage_03_schema_sql_describes_the_migrated_schema(tmp_path):
    """schema.sql, run on its own, gives the same columns, indexes and keys as the migrations."""
    materialise(3, tmp_path)
    from_file, migrated = open_database(":memory:"), open_database(":memory:")
    from_file.executescript((tmp_path / "schema.sql").read_text())
    apply_migrations(migrated)

    def shape(db):
        tables = {}
        for table in ("rooms", "bookings"):
            indexes = db.execute(f"PRAGMA index_list({table})").fetchall()
            tables[table] = (
                db.execute(f"PRAGMA table_xinfo({table})").fetchall(),
                sorted((name, unique) for _, name, unique, *_ in indexes),
                [
                    db.execute(f"PRAGMA index_info({name})").fetchall()
                    for _, name, *_ in sorted(indexes, key=lambda index: index[1])
                ],
                db.execute(f"PRAGMA foreign_key_list({table})").fetchall(),
            )
        return tables

    assert shape(from_file) == shape(migrated)
