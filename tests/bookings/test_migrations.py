"""The migration runner and the service's migrations 001 and 002."""

import shutil
import sqlite3
from importlib import resources

import pytest

from bookings.core.db import open_database
from bookings.migrations import (
    MIGRATIONS_DIR,
    Migration,
    MigrationError,
    applied_versions,
    apply_migrations,
    current_version,
    load_migration,
    load_migrations,
    rollback,
    service_migrations,
)
from bookings.seed import seed


def schema(db) -> list[tuple[str, str, str | None]]:
    """Every table and index definition, as SQLite stores it, without the runner's table."""
    return db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name != '_migrations' ORDER BY name"
    ).fetchall()


def rows(db, table: str) -> list[tuple]:
    return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def columns(db, table: str) -> list[str]:
    return list(db[table].columns_dict)


def booking(db, **values) -> None:
    row = {
        "room_id": 1,
        "organiser": "a@example.com",
        "start": "2030-01-07T09:00:00Z",
        "end": "2030-01-07T10:00:00Z",
        "attendees": 1,
        **values,
    }
    db["bookings"].insert(row)


# --- The service's migrations --------------------------------------------------------------


def test_the_service_has_migrations_001_and_002():
    """The migration files load in version order."""
    assert [(m.version, m.name) for m in service_migrations()] == [
        (1, "initial"),
        (2, "cancelled_state"),
    ]


def test_applying_everything_to_a_fresh_database(empty_db):
    """A fresh database ends at version 2 with both tables and cancellation columns."""
    assert applied_versions(empty_db) == []
    assert apply_migrations(empty_db) == [1, 2]
    assert applied_versions(empty_db) == [1, 2]
    assert current_version(empty_db) == 2
    assert columns(empty_db, "rooms") == ["id", "name", "capacity"]
    assert columns(empty_db, "bookings") == [
        "id",
        "room_id",
        "organiser",
        "start",
        "end",
        "attendees",
        "cancelled",
        "cancelled_at",
    ]


def test_001_has_no_cancelled_state(empty_db):
    """Stopping at target=1 gives bookings without the cancellation columns."""
    assert apply_migrations(empty_db, target=1) == [1]
    assert "cancelled" not in columns(empty_db, "bookings")
    assert "cancelled_at" not in columns(empty_db, "bookings")


def test_applying_again_is_harmless(db):
    """A second run applies nothing and changes nothing."""
    before = schema(db)
    assert apply_migrations(db) == []
    assert apply_migrations(db, target=2) == []
    assert schema(db) == before
    assert applied_versions(db) == [1, 2]


def test_002_backfills_existing_bookings_as_live(empty_db):
    """Bookings made under 001 survive 002 unchanged and come out live."""
    apply_migrations(empty_db, target=1)
    seed(empty_db, rooms=3, bookings=200)
    before = rows(empty_db, "bookings")
    apply_migrations(empty_db)
    after = rows(empty_db, "bookings")
    assert [row[:6] for row in after] == before
    assert {row[6:] for row in after} == {(0, None)}


def test_002_indexes_the_overlap_query(db):
    """The (room_id, start, end) index exists and the overlap query uses it."""
    index = db.execute("PRAGMA index_info(idx_bookings_room_time)").fetchall()
    assert [name for (_, _, name) in index] == ["room_id", "start", "end"]
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM bookings WHERE room_id = ? AND cancelled = 0"
        ' AND start < ? AND "end" > ?',
        [1, "b", "a"],
    ).fetchall()
    assert "idx_bookings_room_time" in " ".join(str(step) for step in plan)


def test_002_refuses_a_cancelled_flag_other_than_0_or_1(db):
    """The CHECK constraint on cancelled holds."""
    db["rooms"].insert({"name": "Ada", "capacity": 4})
    with pytest.raises(sqlite3.IntegrityError):
        booking(db, cancelled=2)


def test_rolling_002_back_restores_schema_and_data_exactly(empty_db):
    """Seeded at 001, up to 002 and back: the same table definitions and the same rows."""
    apply_migrations(empty_db, target=1)
    seed(empty_db, rooms=3, bookings=500)
    schema_001, rooms_001, bookings_001 = (
        schema(empty_db),
        rows(empty_db, "rooms"),
        rows(empty_db, "bookings"),
    )
    apply_migrations(empty_db)
    assert schema(empty_db) != schema_001
    assert rollback(empty_db, to_version=1) == [2]
    assert applied_versions(empty_db) == [1]
    assert schema(empty_db) == schema_001
    assert rows(empty_db, "rooms") == rooms_001
    assert rows(empty_db, "bookings") == bookings_001


def test_rolling_002_back_refuses_to_lose_cancelled_bookings(db):
    """With a cancelled booking, rollback to 001 fails and leaves the database at 002."""
    db["rooms"].insert({"name": "Ada", "capacity": 4})
    booking(db, cancelled=1, cancelled_at="2030-01-06T09:00:00Z")
    before = (schema(db), rows(db, "bookings"))
    with pytest.raises(RuntimeError, match="cancelled"):
        rollback(db, to_version=1)
    assert applied_versions(db) == [1, 2]
    assert (schema(db), rows(db, "bookings")) == before


def test_rolling_everything_back_leaves_only_the_runners_table(db):
    """rollback(db, 0) undoes 002 then 001."""
    assert rollback(db, to_version=0) == [2, 1]
    assert db.table_names() == ["_migrations"]
    assert applied_versions(db) == []
    assert apply_migrations(db) == [1, 2]


# --- The runner with migrations supplied from outside --------------------------------------


def test_a_learners_migration_runs_on_a_copy_of_a_seeded_database(empty_db, db_path, tmp_path):
    """The stage 03 check: a Migration built elsewhere, applied and undone on a copy."""
    apply_migrations(empty_db, target=1)
    seed(empty_db, rooms=2, bookings=100)
    empty_db.close()
    copy = tmp_path / "copy.db"
    shutil.copy(db_path, copy)
    learners = Migration(
        version=2,
        name="cancelled_state",
        up="ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE bookings ADD COLUMN cancelled_at TEXT;",
        down="ALTER TABLE bookings DROP COLUMN cancelled_at;"
        "ALTER TABLE bookings DROP COLUMN cancelled;",
    )
    db = open_database(copy)
    migrations = [learners, service_migrations()[0]]  # out of order on purpose
    assert apply_migrations(db, migrations) == [2]
    assert db.execute("SELECT count(*) FROM bookings WHERE cancelled = 0").fetchone() == (100,)
    assert rollback(db, 1, migrations) == [2]
    assert "cancelled" not in columns(db, "bookings")
    db.close()


def test_migrations_run_in_version_order(empty_db):
    """Whatever order they are given in, versions are applied lowest first."""
    order = []

    def step(version):
        return lambda db: order.append(version)

    migrations = [Migration(v, f"m{v}", up=step(v), down=step(-v)) for v in (3, 1, 2)]
    assert apply_migrations(empty_db, migrations) == [1, 2, 3]
    assert rollback(empty_db, 0, migrations) == [3, 2, 1]
    assert order == [1, 2, 3, -3, -2, -1]


def test_a_migration_failing_halfway_changes_nothing(db):
    """A step that raises after some work is undone whole, and stays unapplied."""
    before = (schema(db), rows(db, "rooms"))

    def half_done(db):
        db.execute("CREATE TABLE floors (id INTEGER PRIMARY KEY)")
        db["rooms"].insert({"name": "Ada", "capacity": 4})
        db.execute("ALTER TABLE rooms ADD COLUMN floor INTEGER")
        raise RuntimeError("disk on fire")

    broken = Migration(3, "floors", up=half_done)
    with pytest.raises(RuntimeError, match="disk on fire"):
        apply_migrations(db, [*service_migrations(), broken])
    assert (schema(db), rows(db, "rooms")) == before
    assert applied_versions(db) == [1, 2]


def test_an_sql_migration_failing_halfway_changes_nothing(db):
    """SQL text whose second statement fails leaves no trace of the first."""
    before = schema(db)
    broken = Migration(3, "typo", up="CREATE TABLE floors (id INTEGER); CREATE TABLE oops (;")
    with pytest.raises(sqlite3.OperationalError):
        apply_migrations(db, [*service_migrations(), broken])
    assert schema(db) == before
    assert applied_versions(db) == [1, 2]


def test_a_migration_that_commits_by_itself_is_reported(empty_db):
    """A step that ends the runner's transaction is an error, and is not recorded."""

    def commits(db):
        db.execute("CREATE TABLE floors (id INTEGER)")
        db.conn.commit()

    with pytest.raises(MigrationError, match="transaction"):
        apply_migrations(empty_db, [Migration(1, "commits", up=commits)])
    assert applied_versions(empty_db) == []


@pytest.mark.parametrize(
    ("applied", "offered", "message"),
    [
        ([1, 2], [1], "lack"),  # the database is newer than the code
        ([1], [1, 2], None),  # fine: 2 is simply pending
        ([2], [1, 2], "never run"),  # 1 was skipped
    ],
)
def test_history_must_agree_with_the_migrations(empty_db, applied, offered, message):
    """Unknown applied versions and skipped versions are refused before anything runs."""
    noop = "SELECT 1"
    apply_migrations(empty_db, [Migration(v, f"m{v}", up=noop) for v in applied])
    offered_migrations = [Migration(v, f"m{v}", up=noop) for v in offered]
    if message is None:
        apply_migrations(empty_db, offered_migrations)
        assert applied_versions(empty_db) == offered
    else:
        with pytest.raises(MigrationError, match=message):
            apply_migrations(empty_db, offered_migrations)
        assert applied_versions(empty_db) == applied


def test_a_version_applied_under_another_name_is_refused(empty_db):
    """Version 1 recorded as "initial" does not match a migration 1 called "other"."""
    apply_migrations(empty_db, target=1)
    with pytest.raises(MigrationError, match="another name"):
        apply_migrations(empty_db, [Migration(1, "other", up="SELECT 1")])


def test_duplicate_versions_are_refused(empty_db):
    """Two migrations with one version number are a mistake, caught before running."""
    with pytest.raises(MigrationError, match="more than one"):
        apply_migrations(empty_db, [Migration(1, "a", up="SELECT 1"), Migration(1, "b", up="")])
    assert applied_versions(empty_db) == []


def test_a_target_below_the_current_version_points_to_rollback(db):
    """apply_migrations never goes down; it says to use rollback()."""
    with pytest.raises(MigrationError, match="rollback"):
        apply_migrations(db, target=1)


def test_an_irreversible_migration_blocks_rollback_before_anything_is_undone(empty_db):
    """If any migration on the way down has no down step, nothing is rolled back."""
    migrations = [
        Migration(1, "a", up="CREATE TABLE a (id INTEGER)"),
        Migration(2, "b", up="CREATE TABLE b (id INTEGER)", down="DROP TABLE b"),
        Migration(3, "c", up="CREATE TABLE c (id INTEGER)", down="DROP TABLE c"),
    ]
    apply_migrations(empty_db, migrations)
    with pytest.raises(MigrationError, match=r"\[1\]"):
        rollback(empty_db, 0, migrations)
    assert applied_versions(empty_db) == [1, 2, 3]
    assert rollback(empty_db, 1, migrations) == [3, 2]


def test_version_numbers_start_at_one():
    """Version 0 means "nothing applied", so no migration may have it."""
    with pytest.raises(MigrationError):
        Migration(0, "zero", up="SELECT 1")


# --- Migration files -----------------------------------------------------------------------


def test_a_migration_file_in_the_runners_format(tmp_path, empty_db):
    """NNN_name.py with `up` and `down` loads as Migration(NNN, name, up, down)."""
    path = tmp_path / "007_add_floors.py"
    path.write_text('up = "CREATE TABLE floors (id INTEGER)"\ndown = "DROP TABLE floors"\n')
    migration = load_migration(path)
    assert (migration.version, migration.name) == (7, "add_floors")
    apply_migrations(empty_db, [migration])
    assert "floors" in empty_db.table_names()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("floors.py", "up = ''", "NNN_name.py"),
        ("003_floors.py", "down = ''", "no `up`"),
    ],
)
def test_bad_migration_files_are_explained(tmp_path, name, text, message):
    """A file without a version prefix, or without `up`, is a clear MigrationError."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(MigrationError, match=message):
        load_migration(path)


def test_load_migrations_skips_other_files(tmp_path):
    """Only NNN_name.py files in the folder are migrations."""
    (tmp_path / "002_b.py").write_text("up = 'SELECT 2'")
    (tmp_path / "001_a.py").write_text("up = 'SELECT 1'")
    (tmp_path / "helpers.py").write_text("raise SystemExit('not a migration')")
    (tmp_path / "notes.md").write_text("#")
    assert [m.version for m in load_migrations(tmp_path)] == [1, 2]


def test_the_migration_files_ship_with_the_package():
    """The migration files are package data, found through importlib.resources."""
    shipped = resources.files("bookings.migrations")
    for name in ("001_initial.py", "002_cancelled_state.py", "runner.py"):
        assert shipped.joinpath(name).is_file()
    assert MIGRATIONS_DIR.name == "migrations"
