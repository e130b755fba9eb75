"""Stage 03's check: each kind of wrong migration 002 gets its own specific finding."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlite_utils import Database

from bookings.migrations import (
    MIGRATIONS_DIR,
    Migration,
    applied_versions,
    load_migration,
    service_migrations,
)
from onboarding.checks import Exercise, Result, evaluate
from onboarding.stages import migrations as m03

# The scenarios do not depend on the size; a small database keeps the tests fast. One test
# runs the real size.
BOOKINGS = 300
LINE = 'bookings (room_id, start, "end")'


def reference() -> Migration:
    return service_migrations()[1]


def verdicts(up, down=None, *, bookings: int = BOOKINGS, own_file="practice.db") -> dict:
    """Every expectation of the check, run on its own (none blocks another)."""
    migration = Migration(2, "cancelled_state", up, reference().down if down is None else down)
    return {
        step.key: evaluate(step.text, step.run, step.hint)
        for step in m03.steps(lambda: migration, own_file=own_file, bookings=bookings)
    }


def failed(results: dict[str, Result]) -> dict[str, str]:
    return {key: result.found for key, result in results.items() if not result.passed}


def ref_up(db: Database) -> None:
    reference().up(db)


def add_columns(db: Database, cancelled: str = "INTEGER NOT NULL DEFAULT 0") -> None:
    db.execute(f"ALTER TABLE bookings ADD COLUMN cancelled {cancelled}")
    db.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")


def add_index(db: Database, columns: str = 'room_id, start, "end"') -> None:
    db.execute(f"CREATE INDEX idx_bookings_room_time ON bookings ({columns})")


# --- The reference, and other right answers -------------------------------------------------------


def test_the_reference_migration_passes_every_expectation_on_10000_bookings(tmp_path):
    results = verdicts(reference().up, bookings=m03.SEEDED_BOOKINGS, own_file=tmp_path / "x.db")
    assert failed(results) == {}
    assert list(results) == [
        "applies",
        "schema",
        "rows",
        "rollback",
        "refusal",
        "rerun",
        "failure",
        "own_file",
    ]
    assert "10,000 bookings" in results["applies"].text


def test_the_reference_migration_file_passes_when_loaded_with_load_migration():
    migration = load_migration(MIGRATIONS_DIR / "002_cancelled_state.py")
    results = {
        step.key: evaluate(step.text, step.run)
        for step in m03.steps(lambda: migration, bookings=BOOKINGS)
    }
    assert failed(results) == {}


def test_sqlite_utils_methods_and_drop_column_pass_too():
    def up(db):
        db["bookings"].add_column("cancelled", int, not_null_default=0)
        db["bookings"].add_column("cancelled_at", str)
        db["bookings"].create_index(["room_id", "start", "end"])

    def down(db):
        (cancelled,) = db.execute("SELECT count(*) FROM bookings WHERE cancelled").fetchone()
        if cancelled:
            raise RuntimeError("cancelled bookings exist")
        db["bookings"].drop_index("idx_bookings_room_id_start_end")
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled_at")
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled")

    assert failed(verdicts(up, down)) == {}


def test_sql_text_steps_pass_and_a_separate_backfill_is_fine():
    up = (
        "ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE bookings ADD COLUMN cancelled_at TEXT;"
        "UPDATE bookings SET cancelled = 0 WHERE cancelled IS NOT 0;"
        f"CREATE INDEX idx_bookings_room_time ON {LINE};"
    )
    assert failed(verdicts(up)) == {}


# --- Schema mistakes ----------------------------------------------------------------------------


def test_a_missing_column_is_named():
    def up(db):
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
        add_index(db)

    problems = failed(verdicts(up))
    assert problems["schema"] == "column cancelled_at is missing"
    assert problems["rows"] == "column cancelled_at is missing, so its backfill cannot be checked"


def test_a_nullable_column_is_named():
    def up(db):
        add_columns(db, "INTEGER DEFAULT 0")
        add_index(db)

    problems = failed(verdicts(up))
    assert problems["schema"] == "column cancelled allows NULL — expected NOT NULL DEFAULT 0"
    assert "rows" not in problems


def test_a_wrong_default_is_named_and_the_backfill_too():
    def up(db):
        add_columns(db, "INTEGER NOT NULL DEFAULT 1")
        add_index(db)

    problems = failed(verdicts(up))
    assert problems["schema"].startswith(
        "column cancelled has DEFAULT 1, so a new booking gets 1 — expected DEFAULT 0"
    )
    assert problems["rows"].startswith(
        f"cancelled is 1 in {BOOKINGS} bookings made before 002 (booking 1 is the first)"
        " — expected 0"
    )


def test_a_default_spelled_as_text_or_false_still_gives_0():
    for default in ("'0'", "FALSE", "(0)"):

        def up(db, default=default):
            add_columns(db, f"INTEGER NOT NULL DEFAULT {default}")
            add_index(db)

        assert failed(verdicts(up)) == {}, default


def test_no_default_with_an_update_backfill_is_nullable_and_has_no_default():
    def up(db):
        add_columns(db, "INTEGER")
        db.execute("UPDATE bookings SET cancelled = 0")
        add_index(db)

    problems = failed(verdicts(up))
    assert problems["schema"] == (
        "column cancelled allows NULL — expected NOT NULL DEFAULT 0; "
        "column cancelled has no DEFAULT — expected DEFAULT 0"
    )
    assert "rows" not in problems


def test_no_backfill_at_all_leaves_null_in_every_booking():
    def up(db):
        add_columns(db, "INTEGER")
        add_index(db)

    problems = failed(verdicts(up))
    assert problems["rows"].startswith(
        f"cancelled is NULL in {BOOKINGS} bookings made before 002 (booking 1 is the first)"
    )


def test_wrong_types_and_a_not_null_cancelled_at_are_named():
    def up(db):
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled TEXT NOT NULL DEFAULT 0")
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT NOT NULL DEFAULT ''")
        add_index(db)

    outcome = m03.applied(Migration(2, "cancelled_state", up), m03.seeded_database(BOOKINGS))
    assert m03.schema_problems(outcome) == [
        "column cancelled has type TEXT — expected INTEGER",
        "column cancelled has DEFAULT 0, so a new booking gets '0' — expected DEFAULT 0: a"
        " booking is live until someone cancels it",
        "column cancelled_at is NOT NULL — expected it to allow NULL: a live booking has no"
        " cancellation time",
        "column cancelled_at has DEFAULT '' — expected no default, so that a new booking gets NULL",
    ]
    assert m03.row_problems(outcome) == [
        f"cancelled is '0' in {BOOKINGS} bookings made before 002 (booking 1 is the first)"
        " — expected 0: every booking made before 002 is live",
        f"cancelled_at is '' in {BOOKINGS} bookings made before 002 (booking 1 is the first)"
        " — expected NULL: every booking made before 002 is live",
    ]


def test_a_missing_index_is_named():
    problems = failed(verdicts(add_columns))
    assert problems["schema"] == "index on bookings(room_id, start, end) is missing"


def test_an_index_with_its_columns_in_the_wrong_order_is_named():
    def up(db):
        add_columns(db)
        add_index(db, 'start, room_id, "end"')

    problems = failed(verdicts(up))
    assert problems["schema"].startswith(
        "index idx_bookings_room_time is on bookings(start, room_id, end) — expected the columns in the"
        " order (room_id, start, end)"
    )


def test_an_index_missing_its_last_column_is_named():
    def up(db):
        add_columns(db)
        add_index(db, "room_id, start")

    problems = failed(verdicts(up))
    assert problems["schema"] == (
        "index idx_bookings_room_time covers only bookings(room_id, start) — expected"
        " bookings(room_id, start, end)"
    )


def test_a_unique_index_and_an_extra_index_are_named():
    def up(db):
        add_columns(db)
        db.execute(f"CREATE UNIQUE INDEX idx_bookings_room_time ON {LINE}")
        db.execute("CREATE INDEX idx_organiser ON bookings (organiser)")

    problems = failed(verdicts(up))
    assert problems["schema"].startswith(
        "index idx_bookings_room_time is UNIQUE — expected a plain index"
    )
    assert "unexpected index idx_organiser on bookings(organiser)" in problems["schema"]


def test_a_table_rebuild_that_changes_a_column_is_named_with_the_row_it_changed():
    def up(db):
        add_columns(db)
        add_index(db)
        db["bookings"].transform(types={"attendees": str})

    problems = failed(verdicts(up))
    assert "up() changed column bookings.attendees: type INTEGER → TEXT" in problems["schema"]
    assert problems["rows"].startswith("up() changed booking 1: attendees ")
    assert f"(and {BOOKINGS - 1} more bookings)" in problems["rows"]


def test_an_extra_column_and_an_extra_table_are_named():
    def up(db):
        ref_up(db)
        db.execute("ALTER TABLE bookings ADD COLUMN reason TEXT")
        db.execute("CREATE TABLE cancellations (id INTEGER PRIMARY KEY)")

    problems = failed(verdicts(up))
    assert "unexpected column bookings.reason" in problems["schema"]
    assert "unexpected table cancellations — 002 adds no table" in problems["schema"]


# --- Row mistakes -----------------------------------------------------------------------------


def test_an_up_that_deletes_rows_is_named_with_their_ids():
    def up(db):
        ref_up(db)
        db.execute("DELETE FROM bookings WHERE id IN (5, 6, 7, 8)")

    problems = failed(verdicts(up))
    assert problems["rows"] == "up() lost 4 bookings (ids 5, 6, 7, …)"


def test_an_up_that_changes_a_value_is_named_with_old_and_new_value():
    def up(db):
        ref_up(db)
        db.execute("UPDATE bookings SET attendees = attendees + 1 WHERE id = 7")

    problems = failed(verdicts(up))
    (was,) = (
        m03.seeded_database(BOOKINGS)
        .execute("SELECT attendees FROM bookings WHERE id = 7")
        .fetchone()
    )
    assert problems["rows"] == f"up() changed booking 7: attendees {was} → {was + 1}"


# --- Rollback mistakes -------------------------------------------------------------------------


def test_a_down_that_does_nothing_is_named_three_times():
    problems = failed(verdicts(ref_up, lambda db: None))
    assert problems["rollback"].startswith("rollback left column bookings.cancelled in place")
    assert "rollback left index idx_bookings_room_time on" in problems["rollback"]
    assert problems["refusal"].startswith("rollback went through with booking 42 cancelled")
    assert problems["rerun"] == (
        "up() failed when run again after a rollback: OperationalError: duplicate column"
        " name: cancelled — so down() left part of what up() added"
    )


def test_a_down_that_forgets_the_index_is_named():
    def down(db):
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled_at")
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled")

    problems = failed(verdicts(ref_up, down))
    assert problems["rollback"] == (
        "rollback left index idx_bookings_room_time on bookings(room_id, start, end) in place"
    )


def test_a_down_that_loses_data_is_named():
    create_bookings = service_migrations()[0].up.split("CREATE TABLE bookings")[1]

    def down(db):
        db.execute("DROP TABLE bookings")
        db.execute("CREATE TABLE bookings" + create_bookings)

    problems = failed(verdicts(ref_up, down))
    assert problems["rollback"] == f"rollback lost {BOOKINGS} bookings (ids 1, 2, 3, …)"
    assert problems["refusal"] == (
        "rollback deleted cancelled booking 42: a rollback must not lose data — make down()"
        " raise while any booking is cancelled"
    )


def test_a_down_that_deletes_cancelled_bookings_is_refused_as_data_loss():
    def down(db):
        db.execute("DELETE FROM bookings WHERE cancelled = 1")
        db.execute("DROP INDEX idx_bookings_room_time")
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled_at")
        db.execute("ALTER TABLE bookings DROP COLUMN cancelled")

    problems = failed(verdicts(ref_up, down))
    assert list(problems) == ["refusal"]
    assert problems["refusal"].startswith("rollback deleted cancelled booking 42")


def test_a_down_that_rebuilds_the_table_is_named_for_the_text_it_rewrote():
    def down(db):
        db.execute("DROP INDEX idx_bookings_room_time")
        db["bookings"].transform(drop={"cancelled", "cancelled_at"})

    problems = failed(verdicts(ref_up, down))
    assert problems["rollback"].startswith(
        "rollback rewrote the CREATE TABLE text of bookings (`CREATE TABLE bookings (` became"
        ' `CREATE TABLE "bookings" (`)'
    )
    assert "refusal" in problems


def test_a_missing_down_is_named():
    migration = Migration(2, "cancelled_state", ref_up, None)
    problems = m03.rollback_problems(migration, m03.seeded_database(BOOKINGS))
    assert problems == [
        "the runner cannot roll back: migrations [2] have no down step — write down() as the"
        " undo of up()"
    ]


def test_a_down_that_always_raises_fails_the_rollback_with_the_error():
    def down(db):
        raise RuntimeError("not today")

    results = verdicts(ref_up, down)
    assert results["rollback"].found == "your code raised RuntimeError: not today"
    assert results["refusal"].passed
    assert results["rerun"].found == (
        "up → down → up not tried: rollback raised RuntimeError: not today"
    )


# --- Failures halfway, and transactions ----------------------------------------------------------


def test_an_up_that_raises_halfway_fails_the_first_expectation_with_its_error():
    def up(db):
        add_columns(db)
        db.execute("CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, ends)")

    results = verdicts(up)
    assert results["applies"].found == "your code raised OperationalError: no such column: ends"
    # The runner rolled the copy back, so the failure scenario finds nothing left behind.
    assert results["failure"].passed


def test_committing_in_the_middle_is_caught_by_the_injected_failure():
    def up(db):
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
        db.conn.commit()
        # sqlite3 opens a new transaction before an UPDATE, so the runner sees one at the end
        # and cannot tell that the first one was committed.
        db.conn.execute("UPDATE bookings SET cancelled = 0")
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")
        add_index(db)

    problems = failed(verdicts(up))
    assert list(problems) == ["failure"]
    assert problems["failure"] == (
        "when the migration failed right after your first change (`ALTER TABLE bookings ADD"
        " COLUMN cancelled INTEGER…`), the failed migration left column bookings.cancelled in"
        " place; when the migration failed after up() returned, the failed migration left"
        " column bookings.cancelled in place: something in up() committed before the end"
        " (db.conn.commit(), `with db.conn:`, sqlite3's executescript())"
    )


def test_committing_at_the_end_is_refused_by_the_runner():
    def up(db):
        ref_up(db)
        db.conn.commit()

    problems = failed(verdicts(up))
    assert problems["applies"] == (
        "the runner refused the migration: a migration step ended the runner's transaction"
        " (COMMIT?)"
    )


@pytest.mark.parametrize("trick", ["with_conn", "executescript"])
def test_other_ways_of_committing_are_caught(trick):
    def up(db):
        if trick == "with_conn":
            with db.conn:
                db.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
        else:
            db.conn.executescript(
                "ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0"
            )
        db.conn.execute("UPDATE bookings SET cancelled = 0")
        db.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")
        add_index(db)

    problems = failed(verdicts(up))
    assert list(problems) == ["failure"]
    assert "left column bookings.cancelled in place" in problems["failure"]


def test_a_commit_followed_by_sqlite_utils_writes_is_refused_by_the_runner():
    def up(db):
        add_columns(db)
        db.conn.commit()
        # sqlite-utils commits a write made outside a transaction, so none is open at the end.
        db.execute("UPDATE bookings SET cancelled = 0")
        add_index(db)

    assert failed(verdicts(up))["applies"].startswith("the runner refused the migration:")


def test_the_injected_failure_refuses_the_second_change_whatever_api_sends_it():
    source = m03.seeded_database(BOOKINGS)
    db = m03.open_copy(source)
    seen = m03._Statements()
    with m03._failing_after(db, 1, seen):
        db["bookings"].add_column("cancelled", int, not_null_default=0)
        for send in (
            lambda: db.execute("ALTER TABLE bookings ADD COLUMN a TEXT"),
            lambda: db.conn.execute("ALTER TABLE bookings ADD COLUMN b TEXT"),
            lambda: db.conn.cursor().execute("UPDATE bookings SET attendees = 2"),
        ):
            with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
                send()
        # Reading still works, so the runner can look and roll back.
        assert db.execute("SELECT count(*) FROM bookings").fetchone() == (BOOKINGS,)
    assert [m03._first_keyword(sql) for sql in seen.writes] == ["ALTER"]
    db.close()


# --- The learner's own names and files -----------------------------------------------------------


def test_an_unsolved_stub_and_an_undefined_name_say_so():
    def up(db):
        raise NotImplementedError("Exercise 03.1: replace this line with your code")

    assert failed(verdicts(up))["applies"] == (
        "not written yet (the stub still raises NotImplementedError)"
    )

    def undefined():
        return migration_002  # noqa: F821 - the learner has not run the cell yet

    first = m03.steps(undefined, bookings=BOOKINGS)[0]
    assert evaluate(first.text, first.run).found.startswith("`migration_002` is not defined")


def test_a_wrong_object_or_version_is_named():
    first = m03.steps(lambda: "up", bookings=BOOKINGS)[0]
    assert evaluate(first.text, first.run).found.startswith("migration_002 is str, not a Migration")
    first = m03.steps(lambda: Migration(3, "x", ref_up), bookings=BOOKINGS)[0]
    assert evaluate(first.text, first.run).found == "migration_002 has version 3 — expected 2"


def test_a_failed_first_expectation_blocks_the_others():
    def up(db):
        raise ValueError("oops")

    migration = Migration(2, "cancelled_state", up, reference().down)
    exercise = Exercise("03.1", echo=False)
    for step in m03.steps(lambda: migration, bookings=BOOKINGS):
        exercise.expect(step.text, hint=step.hint, required=step.required)(step.run)
    assert [result.passed for result in exercise.results] == [False] * 8
    assert exercise.results[1].found.startswith("not checked until")


def test_the_learners_own_database_file_is_never_modified(tmp_path):
    own = tmp_path / "practice.db"
    db = Database(own)
    m03.apply_migrations(db, [m03.migration_001()])
    db.close()
    before = own.read_bytes()
    stamp = os.stat(own).st_mtime_ns
    results = verdicts(ref_up, own_file=own)
    assert failed(results) == {}
    assert own.read_bytes() == before
    assert os.stat(own).st_mtime_ns == stamp
    with Database(own) as db:
        assert applied_versions(db) == [1]


def test_a_change_to_the_own_file_during_the_check_is_reported(tmp_path):
    own = tmp_path / "practice.db"
    own.write_bytes(b"one")
    step = m03.steps(reference, own_file=own, bookings=BOOKINGS)[-1]
    own.write_bytes(b"two")
    assert evaluate(step.text, step.run).found == "practice.db changed while the check ran"


# --- The seeded database ----------------------------------------------------------------------


def test_the_seeded_database_is_at_001_made_once_and_refuses_writes():
    source = m03.seeded_database(BOOKINGS)
    assert m03.seeded_database(BOOKINGS) is source
    db = Database(source)
    assert applied_versions(db) == [1]
    assert db["bookings"].count == BOOKINGS
    assert "cancelled" not in db["bookings"].columns_dict
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        source.execute("DELETE FROM bookings")
    changes = source.total_changes
    verdicts(ref_up)
    assert source.total_changes == changes


def test_the_default_seeded_database_has_10000_bookings_and_survives_the_seed_at_001():
    db = Database(m03.seeded_database())
    assert db["bookings"].count == 10_000
    assert db["rooms"].count == 8


def test_check_constraints_are_found_with_nested_parentheses():
    sql = 'CREATE TABLE t (a INTEGER CHECK (a IN (0, 1)), b TEXT, CHECK ("b" > a))'
    assert m03.check_constraints(sql) == ["CHECK (a IN (0, 1))", 'CHECK ("b" > a)']


def test_first_keyword_skips_comments():
    # SQLite traces its own nested statements as comments: they are not the learner's changes.
    assert m03._first_keyword("-- PRAGMA 'main'.quick_check='bookings'") == ""
    assert m03._first_keyword("-- a note\nUPDATE t SET a = 1") == "UPDATE"
    assert m03._first_keyword("/* x */ alter table t") == "ALTER"
