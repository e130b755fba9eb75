"""Helpers for lesson 03 and its exercise notebook: practice checks, and trying a revision.

The practice checks (`practise`) print ✅/❌ lines like a check cell, but publish nothing: they
are for learning inside a lesson, so they never reach the progress ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from onboarding import checks
from onboarding.checks import CheckFailed, Expectation, Given


def practise(expectations: Iterable[Expectation], **answers: Any) -> None:
    """`checks.practise` with the answers as keywords: the ✅/❌ lines, published nowhere."""
    checks.practise(expectations, Given(**answers))


# --- Practice 1: constraints that keep bad rooms out ----------------------------------------------

GOOD_ROOM = {"id": 1, "name": "Ada", "capacity": 4}


def _rooms(given: Given) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    try:
        db.execute(given.rooms_sql)
    except sqlite3.Error as error:
        raise CheckFailed(f"SQLite refuses the statement: {error}") from None
    return db


def _insert(db: sqlite3.Connection, row: dict) -> str | None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    try:
        db.execute(f"INSERT INTO rooms ({names}) VALUES ({marks})", list(row.values()))
    except sqlite3.IntegrityError as error:
        return str(error)
    return None


def _refuses(row: dict, with_good_room: bool = False) -> Callable[[Given], None]:
    def run(given: Given) -> None:
        db = _rooms(given)
        if with_good_room:
            _insert(db, GOOD_ROOM)
        if _insert(db, row) is None:
            raise CheckFailed(f"{row} was stored")

    return run


def _accepts_a_good_room(given: Given) -> None:
    refused = _insert(_rooms(given), GOOD_ROOM)
    if refused:
        raise CheckFailed(f"{GOOD_ROOM} was refused: {refused}")


ROOMS_TABLE = (
    Expectation("a good room is stored", _accepts_a_good_room, "Keep the three columns."),
    Expectation(
        "a room with capacity 0 is refused",
        _refuses({"id": 2, "name": "Tiny", "capacity": 0}),
        "A column constraint: `capacity INTEGER NOT NULL CHECK (capacity > 0)`.",
    ),
    Expectation(
        "a room without a capacity is refused",
        _refuses({"id": 3, "name": "Vague"}),
        "NOT NULL: SQLite stores NULL in a column nobody mentions.",
    ),
    Expectation(
        "a second room named Ada is refused",
        _refuses({"id": 4, "name": "Ada", "capacity": 6}, with_good_room=True),
        "`name TEXT NOT NULL UNIQUE`: the table refuses a taken name, as the API does.",
    ),
)


# --- Practice 2: the index the overlap query uses ---------------------------------------------------


def index_plan(db: Any, columns: list[str], query: str, values: dict) -> str:
    """The overlap query's plan with an index on `columns` (dropped again afterwards)."""
    quoted = ", ".join(f'"{column}"' for column in columns)
    db.execute(f"CREATE INDEX practice_index ON bookings ({quoted})")
    # INDEXED BY: judge this index, not another one the database may already have.
    forced = query.replace("FROM bookings", "FROM bookings INDEXED BY practice_index", 1)
    try:
        rows = db.execute("EXPLAIN QUERY PLAN " + forced, values).fetchall()
    except sqlite3.Error:  # "no query solution": the index cannot serve the query at all
        return "no plan uses the index"
    finally:
        db.execute("DROP INDEX practice_index")
    return " ".join(row[3] for row in rows)


def index_order(db: Any, query: str, values: dict) -> tuple[Expectation, ...]:
    from onboarding.stages.migrations.scenarios import serves_overlap

    def jumps_to_the_room_then_the_time(given: Given) -> None:
        plan = index_plan(db, list(given.index_columns), query, values)
        if not serves_overlap(plan):
            raise CheckFailed(f"the plan is `{plan}`")

    return (
        Expectation(
            "the overlap query jumps to the room (room_id=?), then to the times (start<?)",
            jumps_to_the_room_then_the_time,
            "Columns tested with = first, then the one tested with a range.",
        ),
    )


# --- Practice 3: a revision that adds a column to a table with rows ---------------------------------


def adding_floor(db_factory: Callable[[], Any]) -> tuple[Expectation, ...]:
    """Expectations for `add_floor(op)`, run with Alembic's operations on a seeded database."""

    def applied(given: Given) -> Any:
        def make() -> Any:
            import sqlalchemy.exc
            from alembic.migration import MigrationContext
            from alembic.operations import Operations

            from bookings import migrations

            db = db_factory()
            try:
                with migrations.connected(db) as connection, connection.begin():
                    given.add_floor(Operations(MigrationContext.configure(connection)))
            except sqlalchemy.exc.DBAPIError as error:
                raise CheckFailed(f"SQLite refused it: {error.orig}") from None
            return db

        return given.once("db", make)

    def has_floor(given: Given) -> None:
        columns = {row[1]: row for row in applied(given).execute("PRAGMA table_info(rooms)")}
        if "floor" not in columns:
            raise CheckFailed(f"rooms has {', '.join(columns)}")
        if columns["floor"][2].upper() != "INTEGER":
            raise CheckFailed(f"floor has type {columns['floor'][2] or 'none'}")

    def rooms_kept(given: Given) -> None:
        (count,) = applied(given).execute("SELECT count(*) FROM rooms").fetchone()
        if count != 8:
            raise CheckFailed(f"{count} rooms")

    return (
        Expectation(
            "add_floor() runs on a table that already has rooms",
            applied,
            "A NOT NULL column needs a server_default for the rows already there, or NULL allowed.",
            required=True,
        ),
        Expectation(
            "rooms get an INTEGER column floor", has_floor, "sa.Column('floor', sa.Integer())"
        ),
        Expectation("all 8 rooms are still there", rooms_kept, "Only add: drop nothing."),
    )


REVISION = '''"""{message}"""

from alembic import op

revision = {revision!r}
down_revision = {down!r}


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def migrations_with(folder: Any, *revisions: tuple[str, str, list[str], list[str]]) -> Any:
    """A copy of the service's migrations in `folder`, with more revisions on top.

    Each revision is (id, message, upgrade SQL statements, downgrade SQL statements); each
    statement becomes an `op.execute(…)`. Returns the folder to pass as `location=`.
    """
    import shutil
    from pathlib import Path

    from bookings.migrations import MIGRATIONS_DIR
    from bookings.migrations import revisions as service_revisions

    location = Path(folder) / "migrations"
    shutil.copytree(MIGRATIONS_DIR, location, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    down = service_revisions()[-1]
    for revision, message, up, back in revisions:

        def body(statements: list[str]) -> str:
            return "\n".join(f"    op.execute({sql!r})" for sql in statements) or "    pass"

        text = REVISION.format(
            message=message, revision=revision, down=down, upgrade=body(up), downgrade=body(back)
        )
        (location / "versions" / f"{revision}_lesson.py").write_text(text, encoding="utf-8")
        down = revision
    return location


# --- The exercise notebook: trying the learner's revision -------------------------------------------


def rehearse(bookings: int = 200) -> None:
    """Upgrade and downgrade a copy of the project's database, printing what happens.

    Everything runs on copies: the project's files and any database of the learner's stay as
    they are.
    """
    from onboarding import project
    from onboarding.artefacts.alembic_history import read_history
    from onboarding.checks import ArtefactError
    from onboarding.stages.migrations import scenarios

    try:
        with project.copy_for_checking() as copy:
            history = read_history(copy)
            print("revisions:", history.as_text())
            with scenarios.copy_of(scenarios.seeded_database(history, bookings)) as db:
                for command, target in (("upgrade", "head"), ("downgrade", history.base.id)):
                    scenarios.run_alembic(history, db, command, target)
                    columns = [row[1] for row in db.execute("PRAGMA table_info(bookings)")]
                    indexes = [row[1] for row in db.execute("PRAGMA index_list(bookings)")]
                    print(
                        f"after `alembic {command} {target}`: bookings has {', '.join(columns)};"
                        f" indexes: {', '.join(indexes) or 'none'}"
                    )
    except (ArtefactError, CheckFailed, project.ProjectError) as problem:
        print(problem)
    except Exception as error:  # noqa: BLE001 - the learner's revision may raise anything
        print(f"your revision raised {scenarios.error_line(error, 160)}")


def review_sql() -> None:
    """Print what `alembic upgrade <before>:<newest> --sql` prints for the project's revision."""
    from onboarding import project
    from onboarding.artefacts.alembic_history import read_history
    from onboarding.checks import ArtefactError
    from onboarding.stages.migrations import documents, scenarios

    try:
        with project.copy_for_checking() as copy:
            history = read_history(copy)
            head = history.head
            span = f"{head.down_revision}:{head.id}" if head.down_revision else head.id
            print(f"$ alembic upgrade {span} --sql")
            print(documents.review_sql(history, span).strip())
    except (ArtefactError, project.ProjectError) as problem:
        print(problem)
    except Exception as error:  # noqa: BLE001 - the learner's revision may raise anything
        print(f"your revision raised {scenarios.error_line(error, 160)}")
