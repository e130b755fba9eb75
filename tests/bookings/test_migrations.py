"""The service's Alembic migrations: revisions 0001 and 0002, and how they are run."""

import sqlite3

import pytest
import sqlalchemy.exc

from bookings.core.db import open_database
from bookings.migrations import (
    MigrationError,
    current_revision,
    downgrade,
    head,
    revisions,
    schema_version,
    sql_for_review,
    upgrade,
)
from bookings.seed import seed


def schema(db) -> list[tuple[str, str, str | None]]:
    """Every table and index definition, as SQLite stores it, without Alembic's own table."""
    return db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name != 'alembic_version' ORDER BY name"
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


# --- The revisions ------------------------------------------------------------------------


def test_the_service_has_revisions_0001_and_0002_in_order():
    assert revisions() == ("0001", "0002")
    assert head() == "0002"
    assert [schema_version(r) for r in (None, "0001", "0002")] == [0, 1, 2]


def test_an_unknown_revision_has_no_schema_version():
    with pytest.raises(MigrationError, match="revision 0099, which these migrations do not know"):
        schema_version("0099")


def test_upgrading_a_fresh_database(empty_db):
    """A fresh database ends at 0002 with both tables and the cancellation columns."""
    assert current_revision(empty_db) is None
    moved = upgrade(empty_db)
    assert (moved.before, moved.after) == (None, "0002")
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


def test_a_file_path_works_as_well_as_an_open_database(db_path):
    assert upgrade(db_path).after == "0002"
    assert current_revision(db_path) == "0002"
    assert current_revision(db_path.with_name("missing.db")) is None


def test_0001_has_no_cancelled_state(empty_db):
    assert upgrade(empty_db, "0001").after == "0001"
    assert "cancelled" not in columns(empty_db, "bookings")


def test_upgrading_again_is_harmless(db):
    before = schema(db)
    moved = upgrade(db)
    assert moved.before == moved.after == "0002"
    assert schema(db) == before


def test_0001_keeps_bad_rows_out(empty_db):
    upgrade(empty_db, "0001")
    empty_db["rooms"].insert({"name": "Ada", "capacity": 4})
    for bad in ({"attendees": 0}, {"end": "2030-01-07T08:00:00Z"}, {"room_id": 9}):
        with pytest.raises(sqlite3.IntegrityError):
            booking(empty_db, **bad)
    with pytest.raises(sqlite3.IntegrityError):
        empty_db["rooms"].insert({"name": "Ada", "capacity": 6})


def test_0002_backfills_existing_bookings_as_live(empty_db):
    upgrade(empty_db, "0001")
    seed(empty_db, rooms=3, bookings=200)
    before = rows(empty_db, "bookings")
    upgrade(empty_db)
    after = rows(empty_db, "bookings")
    assert [row[:6] for row in after] == before
    assert {row[6:] for row in after} == {(0, None)}


def test_0002_indexes_the_overlap_query(db):
    index = db.execute("PRAGMA index_info(idx_bookings_room_time)").fetchall()
    assert [name for (_, _, name) in index] == ["room_id", "start", "end"]
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM bookings WHERE room_id = ? AND cancelled = 0"
        ' AND start < ? AND "end" > ?',
        [1, "b", "a"],
    ).fetchall()
    assert "idx_bookings_room_time" in " ".join(str(step) for step in plan)


def test_0002_refuses_a_cancelled_flag_other_than_0_or_1(db):
    db["rooms"].insert({"name": "Ada", "capacity": 4})
    with pytest.raises(sqlite3.IntegrityError):
        booking(db, cancelled=2)


def test_downgrading_0002_restores_schema_and_data_exactly(empty_db):
    """Seeded at 0001, up to 0002 and back: the same table definitions and the same rows."""
    upgrade(empty_db, "0001")
    seed(empty_db, rooms=3, bookings=500)
    schema_0001 = schema(empty_db)
    rows_0001 = rows(empty_db, "rooms"), rows(empty_db, "bookings")
    upgrade(empty_db)
    assert schema(empty_db) != schema_0001
    moved = downgrade(empty_db, "0001")
    assert (moved.before, moved.after) == ("0002", "0001")
    assert schema(empty_db) == schema_0001
    assert (rows(empty_db, "rooms"), rows(empty_db, "bookings")) == rows_0001


def test_downgrading_0002_refuses_to_lose_cancelled_bookings(db):
    db["rooms"].insert({"name": "Ada", "capacity": 4})
    booking(db, cancelled=1, cancelled_at="2030-01-06T09:00:00Z")
    before = (schema(db), rows(db, "bookings"))
    with pytest.raises(RuntimeError, match="1 cancelled booking"):
        downgrade(db, "0001")
    assert current_revision(db) == "0002"
    assert (schema(db), rows(db, "bookings")) == before


def test_downgrading_to_base_leaves_only_alembics_table(db):
    assert downgrade(db, "base").after is None
    assert db.table_names() == ["alembic_version"]
    assert upgrade(db).after == "0002"


def test_a_revision_that_fails_halfway_leaves_the_revision_before(tmp_path, monkeypatch):
    """Each revision commits with its alembic_version row, so a failure undoes all of it."""
    import bookings.migrations as migrations

    versions = tmp_path / "versions"
    versions.mkdir()
    for name in ("0001_initial.py", "0002_cancelled_state.py"):
        (versions / name).write_text((migrations.MIGRATIONS_DIR / "versions" / name).read_text())
    (versions / "0003_broken.py").write_text(
        'revision = "0003"\ndown_revision = "0002"\nfrom alembic import op\n'
        "def upgrade():\n"
        '    op.execute("ALTER TABLE bookings ADD COLUMN notes TEXT")\n'
        "    op.execute(\"INSERT INTO audit_log (message) VALUES ('notes added')\")\n"
    )
    for name in ("env.py", "script.py.mako"):
        (tmp_path / name).write_text((migrations.MIGRATIONS_DIR / name).read_text())
    original = migrations.alembic_config
    monkeypatch.setattr(migrations, "alembic_config", lambda *_: original(tmp_path))
    db = open_database(":memory:")
    with pytest.raises(sqlalchemy.exc.OperationalError, match="no such table: audit_log"):
        migrations.upgrade(db)
    assert current_revision(db) == "0002"
    assert "notes" not in columns(db, "bookings")


def test_the_sql_for_review_is_what_0002_runs():
    sql = sql_for_review("0001:0002")
    assert "ALTER TABLE bookings ADD COLUMN cancelled INTEGER DEFAULT 0 NOT NULL" in sql
    assert 'CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end")' in sql
    assert sql.count("BEGIN;") == sql.count("COMMIT;") == 1


def test_an_open_database_is_left_open_with_its_own_transaction_mode(empty_db):
    mode = empty_db.conn.isolation_level
    upgrade(empty_db)
    assert empty_db.conn.isolation_level == mode
    assert empty_db.execute("SELECT count(*) FROM rooms").fetchone() == (0,)
