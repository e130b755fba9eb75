"""Stage 03's scenarios: the learner's Alembic revisions, run on copies of a seeded database.

The learner's project holds the course's first revision (rooms and bookings, as the first
release shipped them) and the learner's own: the cancelled state and the index the overlap query
needs. Every scenario starts from a fresh in-memory copy of one database at the first revision
with 10,000 seeded bookings, made once per kernel for a given first revision, so neither the
learner's project nor any database of theirs is ever written:

- `applied` upgrades to the head, as the migration job of a deploy would;
- `schema_problems` compares the new schema with what the revision must add, naming each
  difference and each CHECK it adds without a name, and judges the index by the overlap
  query's `EXPLAIN QUERY PLAN`;
- `row_problems` compares every row before and after (the backfill included);
- `rollback_problems`, `refusal_problems`, `rerun_problems` and `failure_problems` downgrade,
  downgrade with a cancelled booking, upgrade twice, and make the upgrade fail halfway.

Each `*_problems` function returns plain sentences, one per problem, and an empty list when all
is well. An exception from the learner's own revision is left to propagate, so that the check
names the learner's line.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from bookings import migrations as service_migrations
from bookings.seed import seed
from onboarding.artefacts.alembic_history import History
from onboarding.checks import CheckFailed
from onboarding.protocol import shorten
from onboarding.stages.migrations.schema import (
    Index,
    Snapshot,
    Table,
    count,
    differences,
    lost_constraints,
    quote,
    show,
    snapshot,
    stricter_checks,
    table_differences,
    unjudged,
    unnamed_new_checks,
)

SEEDED_BOOKINGS = 10_000
CANCELLED_BOOKING = 42
"""The booking the refusal scenario cancels before it tries to downgrade."""
CANCEL = "UPDATE bookings SET cancelled = 1, cancelled_at = '2030-01-01T12:00:00Z' WHERE id = ?"
"""What the service does to cancel a booking."""
NEW_COLUMNS = ("cancelled", "cancelled_at")
OVERLAP = 'SELECT id FROM bookings{indexed} WHERE room_id = ?{live} AND start < ? AND "end" > ?'
"""The service's overlap query: one room's live bookings that meet a time range."""
OVERLAP_VALUES = (3, "2030-03-04T11:00:00Z", "2030-03-04T10:00:00Z")
INDEX_TEXT = "bookings(room_id, start, end)"
WRITES = {"ALTER", "CREATE", "DROP", "INSERT", "UPDATE", "DELETE", "REPLACE"}
"""Statements that change something; everything else (SELECT, PRAGMA, BEGIN…) only reads."""
PROBE = {
    "room_id": 1,
    "organiser": "probe@example.com",
    "start": "2040-01-02T09:00:00Z",
    "end": "2040-01-02T10:00:00Z",
    "attendees": 1,
}
"""A booking inserted naming only the first revision's columns: what do the new ones get?"""


# --- Running Alembic on a connection --------------------------------------------------------------


def run_alembic(history: History, db: sqlite3.Connection, command: str, target: str) -> None:
    """`alembic upgrade|downgrade TARGET` with the learner's project, on an open connection."""
    from alembic import command as commands

    config = history.config()
    config.attributes["configure_logger"] = False
    with service_migrations.connected(Database(db, execute_plugins=False)) as connection:
        config.attributes["connection"] = connection
        getattr(commands, command)(config, target)


# --- The seeded database, made once per kernel ----------------------------------------------------

_seeded: dict[tuple[int, str], sqlite3.Connection] = {}


def seeded_database(history: History, bookings: int = SEEDED_BOOKINGS) -> sqlite3.Connection:
    """A database at the project's first revision with `bookings` seeded bookings.

    Kept in memory, not in a temporary file: nbval stops a kernel with SIGKILL, so no clean-up
    would run. It is made again whenever the first revision's file or env.py changes, and
    `PRAGMA query_only` makes it refuse every write; the scenarios work on copies.
    """
    key = (bookings, _fingerprint(history))
    source = _seeded.get(key)
    if source is None:
        # check_same_thread off: only ever read, and JupyterLab may run a cell in another thread.
        source = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            run_alembic(history, source, "upgrade", history.base.id)
            seed(Database(source, execute_plugins=False), bookings=bookings)
        except Exception as error:  # noqa: BLE001 - the course's revision, as the learner has it
            raise CheckFailed(
                f"the first revision ({history.base.path}) does not build the schema the course "
                f"seeds: {type(error).__name__}: {shorten(str(error), 120)} — put back the "
                "course's file (onboard checkpoint 3 has it)"
            ) from None
        source.execute("PRAGMA query_only = ON")
        _seeded[key] = source
    return source


def _fingerprint(history: History) -> str:
    digest = hashlib.sha256()
    for path in (history.root / history.base.path, history.script_location / "env.py"):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def open_copy(source: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory copy of `source`."""
    # No statement cache: the failure scenario's authorizer must see every statement prepared.
    copy = sqlite3.connect(":memory:", cached_statements=0)
    source.backup(copy)
    return copy


@contextlib.contextmanager
def copy_of(source: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    copy = open_copy(source)
    try:
        yield copy
    finally:
        copy.close()


# --- Applying the revision ----------------------------------------------------------------------


@dataclass
class Applied:
    """The outcome of upgrading a copy of the seeded database to the project's head."""

    before: Snapshot
    after: Snapshot
    probe: dict[str, Any] | str
    """What a booking inserted without the new columns gets, or why inserting it failed."""
    plans: dict[str, str] = field(default_factory=dict)
    """For each new index on bookings: the overlap query's plan when it must use that index."""
    cancelling: str | None = None
    """Why the new schema refuses to cancel a booking, as the service does (None: it accepts)."""


def applied(history: History, source: sqlite3.Connection) -> Applied:
    """Upgrade a copy of the seeded database to the head; errors in the revision propagate."""
    with copy_of(source) as db:
        before = snapshot(db)
        run_alembic(history, db, "upgrade", "head")
        after = snapshot(db)
        return Applied(
            before, after, _probe_defaults(db), _plans(db, before, after), _probe_cancelling(db)
        )


def _probe_cancelling(db: sqlite3.Connection) -> str | None:
    """Cancel the first booking, as the service does, and undo it: the error, if refused."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(bookings)").fetchall()}
    first = db.execute("SELECT min(id) FROM bookings").fetchone()[0]
    if not set(NEW_COLUMNS) <= columns or first is None:
        return None  # the missing columns are named on their own
    db.execute("SAVEPOINT cancelling")
    try:
        db.execute(CANCEL, [first])
        return None
    except sqlite3.IntegrityError as error:
        return f"{type(error).__name__}: {error}"
    finally:
        db.execute("ROLLBACK TO cancelling")
        db.execute("RELEASE cancelling")


def _probe_defaults(db: sqlite3.Connection) -> dict[str, Any] | str:
    columns = [row[1] for row in db.execute("PRAGMA table_info(bookings)").fetchall()]
    values = {name: value for name, value in PROBE.items() if name in columns}
    names = ", ".join(quote(name) for name in values)
    marks = ", ".join("?" for _ in values)
    db.execute("SAVEPOINT probe")
    try:
        cursor = db.execute(
            f"INSERT INTO bookings ({names}) VALUES ({marks})", list(values.values())
        )
        row = db.execute("SELECT * FROM bookings WHERE rowid = ?", [cursor.lastrowid]).fetchone()
        return dict(zip(columns, row, strict=False))
    except sqlite3.Error as error:
        return f"{type(error).__name__}: {error}"
    finally:
        db.execute("ROLLBACK TO probe")
        db.execute("RELEASE probe")


def overlap_query(live: bool, index: str | None = None) -> str:
    indexed = f" INDEXED BY {quote(index)}" if index else ""
    return OVERLAP.format(indexed=indexed, live=" AND cancelled = 0" if live else "")


def _plans(db: sqlite3.Connection, before: Snapshot, after: Snapshot) -> dict[str, str]:
    bookings = after.tables.get("bookings")
    if bookings is None:
        return {}
    live = bookings.column("cancelled") is not None
    plans = {}
    for name, index in sorted(after.indexes.items()):
        if name in before.indexes or index.table != "bookings" or name.startswith("UNIQUE ("):
            continue
        try:
            rows = db.execute(
                "EXPLAIN QUERY PLAN " + overlap_query(live, name), OVERLAP_VALUES
            ).fetchall()
            plans[name] = " ".join(row[3] for row in rows)
        except sqlite3.Error:
            # "no query solution": the index cannot serve this query at all.
            plans[name] = ""
    return plans


# --- What the revision must leave -----------------------------------------------------------------


def applies_problems(history: History, outcome: Applied) -> list[str]:
    """Alembic recorded the head revision."""
    if outcome.after.revision != history.head.id:
        return [
            f"after upgrading, alembic_version holds {outcome.after.revision or 'nothing'} —"
            f" expected {history.head.id}, your newest revision"
        ]
    return []


def schema_problems(outcome: Applied) -> list[str]:
    """The two new columns, an index the overlap query uses, and nothing else changed.

    A CHECK the revision adds must have a name (the exercise asks for one): SQLite cannot alter
    a constraint, so a later revision in batch mode rebuilds bookings, and leaves an unnamed
    CHECK out of the new table (`schema.unnamed_checks`).
    """
    before, after = outcome.before, outcome.after
    bookings = after.tables.get("bookings")
    if bookings is None:
        return ["table bookings is gone"]
    problems = _new_column_problems(bookings, outcome.probe)
    if outcome.cancelling:
        problems.append(
            "a booking cannot be cancelled: setting cancelled = 1 and cancelled_at to its time"
            f" is refused ({outcome.cancelling}) — a CHECK on the new columns must admit a"
            " cancelled booking as well as a live one"
        )
    old = before.tables["bookings"]
    for column in old.columns:
        now = bookings.column(column.name)
        if now is None:
            problems.append(f"upgrade() dropped column bookings.{column.name}")
        elif column.differences(now):
            changes = ", ".join(column.differences(now))
            problems.append(f"upgrade() changed column bookings.{column.name}: {changes}")
    expected_order = [c.name for c in old.columns]
    found_order = [c.name for c in bookings.columns if c.name in expected_order]
    if found_order != expected_order and len(found_order) == len(expected_order):
        problems.append("upgrade() changed the order of the existing columns of bookings")
    problems += [f"upgrade() {change}" for change in lost_constraints(old, bookings)]
    for check, refusal in stricter_checks(old, bookings):
        if refusal.unjudged:
            problems.append(f"upgrade() {unjudged('bookings', check, refusal.unjudged)}")
        else:
            problems.append(
                f"upgrade() added `{check}` to table bookings, which refuses a booking revision"
                f" 0001 accepts ({refusal.shown})"
            )
    for check, column in unnamed_new_checks(old, bookings):
        problems.append(
            f"upgrade() adds `{check}` without a name; name it (`CONSTRAINT"
            f" ck_bookings_{column} CHECK (…)` in SQL, `name=` on sa.CheckConstraint or"
            " sa.Boolean, the first argument of create_check_constraint()): a later revision"
            " in batch mode rebuilds bookings and leaves an unnamed CHECK out"
        )
    known = set(expected_order) | set(NEW_COLUMNS)
    for column in bookings.columns:
        if column.name not in known:
            problems.append(
                f"unexpected column bookings.{column.name} — the revision adds only cancelled"
                " and cancelled_at"
            )
    for name in sorted(after.tables.keys() - before.tables.keys()):
        problems.append(f"unexpected table {name} — the revision adds no table")
    for name in sorted(before.tables.keys() - after.tables.keys()):
        problems.append(f"upgrade() dropped table {name}")
    for name in sorted(before.tables.keys() & after.tables.keys() - {"bookings"}):
        problems += table_differences(before.tables[name], after.tables[name], "upgrade()")
    problems += index_problems(outcome)
    return problems


def _new_column_problems(bookings: Table, probe: dict[str, Any] | str) -> list[str]:
    problems = []
    cancelled = bookings.column("cancelled")
    if cancelled is None:
        problems.append("column cancelled is missing")
    else:
        if not stores_integers(cancelled.type):
            problems.append(
                f"column cancelled has type {cancelled.type or 'none'} — expected INTEGER"
            )
        if not cancelled.notnull:
            problems.append("column cancelled allows NULL — expected NOT NULL DEFAULT 0")
        if cancelled.default is None:
            problems.append("column cancelled has no DEFAULT — expected DEFAULT 0")
        elif isinstance(probe, str):
            problems.append(f"a booking inserted without cancelled is refused ({probe})")
        elif type(probe.get("cancelled")) is not int or probe.get("cancelled") != 0:
            problems.append(
                f"column cancelled has DEFAULT {cancelled.default}, so a new booking gets"
                f" {show(probe.get('cancelled'))} — expected DEFAULT 0: a booking is live"
                " until someone cancels it"
            )
    cancelled_at = bookings.column("cancelled_at")
    if cancelled_at is None:
        problems.append("column cancelled_at is missing")
    else:
        if not stores_text(cancelled_at.type):
            problems.append(
                f"column cancelled_at has type {cancelled_at.type or 'none'} — expected TEXT"
                " (UTC ISO 8601 text, like start and end)"
            )
        if cancelled_at.notnull:
            problems.append(
                "column cancelled_at is NOT NULL — expected it to allow NULL: a live booking"
                " has no cancellation time"
            )
        if cancelled_at.default is not None and not is_null(cancelled_at.default):
            problems.append(
                f"column cancelled_at has DEFAULT {cancelled_at.default} — expected no default,"
                " so that a new booking gets NULL"
            )
    return problems


def stores_integers(declared: str) -> bool:
    """Whether SQLite stores a column of this declared type as INTEGER does.

    SQLite reads a column's storage from the words of its type: any type with INT in it is
    INTEGER (SMALLINT, BIGINT…). BOOLEAN is NUMERIC, which stores 0 and 1 exactly as INTEGER
    does; SQLite has no boolean of its own, and SQLAlchemy's Boolean declares that word.
    """
    return "INT" in declared.upper() or declared.upper() in ("BOOLEAN", "BOOL")


def stores_text(declared: str) -> bool:
    """Whether SQLite stores a column of this declared type as TEXT: CHAR, CLOB or TEXT in it."""
    words = declared.upper()
    return "INT" not in words and any(word in words for word in ("CHAR", "CLOB", "TEXT"))


def is_null(default: str) -> bool:
    """`DEFAULT NULL` (or `(NULL)`): a new row gets NULL, exactly as with no default."""
    return default.strip().strip("()").strip().upper() == "NULL"


def serves_overlap(plan: str) -> bool:
    """Whether a plan jumps to the room (`room_id=?`) and then to the times.

    The overlap query tests `start < ?` and `"end" > ?`: a range on either narrows the room's
    bookings to one side of the slot (`start<?` or `end>?` in the plan).
    """
    used = re.search(r"USING (?:COVERING )?INDEX \S+ \((?P<terms>[^)]*)\)", plan)
    if not used:
        return False
    terms = used["terms"]
    return "room_id=?" in terms and re.search(r"\b(?:start<|end>)\?", terms) is not None


def index_problems(outcome: Applied) -> list[str]:
    """Judge the new indexes by what the overlap query's plan does with each."""
    after, plans = outcome.after, outcome.plans
    new = [after.indexes[name] for name in plans]
    serving = [index for index in new if serves_overlap(plans[index.name])]
    problems = []
    described: str | None = None
    if serving:
        for index in serving:
            if index.unique:
                problems.append(
                    f"index {index.name} is UNIQUE — expected a plain index: it is there to find"
                    " bookings fast, not to add a rule (a UNIQUE one refuses to book a slot"
                    " again once its booking is cancelled)"
                )
        for index in serving[1:]:
            problems.append(
                f"index {index.name} repeats index {serving[0].name}: both serve the overlap query"
            )
    else:
        message, described = _why_no_index_serves(new, plans)
        problems.append(message)
    for index in new:
        if index not in serving and index.name != described:
            problems.append(
                f"unexpected index {index.name} on {index.shown} — the revision adds only the"
                " index for the overlap query"
            )
    for name in sorted(outcome.before.indexes.keys() - after.indexes.keys()):
        problems.append(f"upgrade() dropped index {name}")
    return problems


def _why_no_index_serves(new: list[Index], plans: dict[str, str]) -> tuple[str, str | None]:
    """Why none of the new indexes serves the overlap query, and which index that is about."""
    if not new:
        return f"index on {INDEX_TEXT} is missing", None
    for index in new:
        if {"room_id", "start"} <= set(index.columns) and index.columns[:1] != ("room_id",):
            return (
                f"index {index.name} is on {index.shown} — expected the columns in the order"
                " (room_id, start, end): the equality test on room_id first, then the range"
                " on start",
                index.name,
            )
    for index in new:
        if index.columns[:1] == ("room_id",):
            if index.partial and not plans[index.name]:
                return (
                    f"index {index.name} has a WHERE clause ({index.where}) that the overlap"
                    " query's `cancelled = 0` does not imply, so SQLite cannot use it",
                    index.name,
                )
            return (
                f"index {index.name} covers only {index.shown}, so the overlap query"
                f" (`{plans[index.name] or 'no plan'}`) still reads every booking of the room"
                f" — expected {INDEX_TEXT}",
                index.name,
            )
    return f"index on {INDEX_TEXT} is missing", None


def row_problems(outcome: Applied) -> list[str]:
    """Every row survives unchanged, and every booking made before the revision is live."""
    from onboarding.stages.migrations.schema import row_differences

    before, after = outcome.before, outcome.after
    problems = []
    for name in ("rooms", "bookings"):
        if name in before.tables and name in after.tables:
            problems += row_differences(before.tables[name], after.tables[name], "upgrade()")
    bookings = after.tables.get("bookings")
    if bookings is None:
        return problems
    for name, expected in (("cancelled", 0), ("cancelled_at", None)):
        if name not in bookings.row_columns:
            problems.append(f"column {name} is missing, so its backfill cannot be checked")
            continue
        at = bookings.row_columns.index(name)
        wrong = [
            (key, row[at])
            for key, row in bookings.rows.items()
            if key in before.tables["bookings"].rows
            and (row[at] != expected or type(row[at]) is not type(expected))
        ]
        if wrong:
            key, value = wrong[0]
            problems.append(
                f"{name} is {show(value)} in {count(len(wrong), 'bookings')} made before the"
                f" revision (booking {key} is the first) — expected {show(expected)}: every"
                " booking made before it is live"
            )
    return problems


# --- Downgrading, twice, and failing halfway -----------------------------------------------------


def error_line(error: BaseException, width: int = 120) -> str:
    """An exception as one line: its type, then its message shortened to `width`."""
    return f"{type(error).__name__}: {shorten(str(error), width)}"


def rollback_problems(history: History, source: sqlite3.Connection) -> list[str]:
    """Upgrade, then downgrade to the first revision: the schema and every row as before."""
    with copy_of(source) as db:
        before = snapshot(db)
        run_alembic(history, db, "upgrade", "head")
        run_alembic(history, db, "downgrade", history.base.id)
        return differences(before, snapshot(db), "the downgrade")


def refusal_problems(history: History, source: sqlite3.Connection) -> list[str]:
    """With a cancelled booking, the downgrade must refuse and change nothing."""
    with copy_of(source) as db:
        run_alembic(history, db, "upgrade", "head")
        columns = [row[1] for row in db.execute("PRAGMA table_info(bookings)").fetchall()]
        if not set(NEW_COLUMNS) <= set(columns):
            return ["not checked: the new columns are missing (see above)"]
        with db:
            try:
                db.execute(CANCEL, [CANCELLED_BOOKING])
            except sqlite3.IntegrityError:
                return ["not checked: a booking cannot be cancelled (see above)"]
        before = snapshot(db)
        try:
            run_alembic(history, db, "downgrade", history.base.id)
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001 - refusing in any way is what we want
            return differences(before, snapshot(db), "the refused downgrade")
        bookings = snapshot(db).tables.get("bookings")
        if bookings is not None and CANCELLED_BOOKING not in bookings.rows:
            return [
                f"the downgrade deleted cancelled booking {CANCELLED_BOOKING}: a downgrade must"
                " not lose data — make downgrade() raise while any booking is cancelled"
            ]
        return [
            f"the downgrade went through with booking {CANCELLED_BOOKING} cancelled: the first"
            f" revision cannot say so, and booking {CANCELLED_BOOKING} is live again and may"
            " double-book its room — make downgrade() raise while any booking is cancelled"
        ]


def rerun_problems(history: History, source: sqlite3.Connection) -> list[str]:
    """Upgrade twice (Alembic skips the second), then upgrade → downgrade → upgrade."""
    with copy_of(source) as db:
        run_alembic(history, db, "upgrade", "head")
        first = snapshot(db)
        run_alembic(history, db, "upgrade", "head")
        problems = differences(first, snapshot(db), "the second upgrade")
        try:
            run_alembic(history, db, "downgrade", history.base.id)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - reported by the rollback expectation
            return [
                *problems,
                f"upgrade → downgrade → upgrade not tried: the downgrade raised {error_line(error)}",
            ]
        try:
            run_alembic(history, db, "upgrade", "head")
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the finding is which error
            return [
                *problems,
                f"upgrade() failed when run again after a downgrade: {error_line(error)} — so"
                " downgrade() left part of what upgrade() added",
            ]
        return problems + differences(first, snapshot(db), "upgrade → downgrade → upgrade")


class InjectedFailure(Exception):
    """The failure the check makes happen inside a migration."""


@dataclass
class Statements:
    """The changes a migration made while the check watched: each statement's SQL."""

    writes: list[str] = field(default_factory=list)


def first_keyword(sql: str) -> str:
    text = re.sub(r"^(\s|;|--[^\n]*\n?|/\*.*?\*/)*", "", sql, flags=re.S)
    match = re.match(r"[A-Za-z]+", text)
    return match[0].upper() if match else ""


READ_ONLY = {
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_TRANSACTION,
    sqlite3.SQLITE_SAVEPOINT,
    sqlite3.SQLITE_PRAGMA,
    sqlite3.SQLITE_FUNCTION,
}
STAMPS = {sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}


@contextlib.contextmanager
def failing(db: sqlite3.Connection, after_writes: int | None, seen: Statements) -> Iterator[None]:
    """Make SQLite refuse changes while in the block.

    With `after_writes`, every change after the first `after_writes` statements that wrote
    something; with None, only Alembic's own record of the new revision (the last thing it
    writes, after the revision's upgrade() returned). The trace callback sees each statement as
    it runs, whichever API sent it; the authorizer is asked while a statement is prepared, and
    SQLITE_DENY makes it fail with "not authorized". Reading and transactions stay allowed, so
    Alembic can still roll back.
    """

    def trace(sql: str) -> None:
        if first_keyword(sql) in WRITES:
            seen.writes.append(sql)

    def authorize(action: int, table: str | None, *_: Any) -> int:
        if action in READ_ONLY:
            return sqlite3.SQLITE_OK
        if after_writes is None:
            stamping = action in STAMPS and table == "alembic_version"
            return sqlite3.SQLITE_DENY if stamping else sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY if len(seen.writes) >= after_writes else sqlite3.SQLITE_OK

    db.set_trace_callback(trace)
    db.set_authorizer(authorize)
    try:
        yield
    finally:
        db.set_authorizer(None)
        db.set_trace_callback(None)


def failure_problems(history: History, source: sqlite3.Connection) -> list[str]:
    """A failure after the first change, and one after upgrade() returned: nothing left behind."""
    problems = []
    for writes, when in ((1, "right after your first change"), (None, "after upgrade() returned")):
        with copy_of(source) as db:
            seen = Statements()
            before = snapshot(db)
            try:
                with failing(db, writes, seen):
                    run_alembic(history, db, "upgrade", "head")
            except NotImplementedError:
                raise
            except Exception:  # noqa: BLE001 - the injected failure, or what it caused
                pass
            changes = differences(before, snapshot(db), "the failed upgrade")
            if changes:
                first = f" (`{shorten(seen.writes[0], 50)}`)" if seen.writes and writes else ""
                problems.append(f"when the upgrade failed {when}{first}, {changes[0]}")
    if problems:
        problems[-1] += (
            ": something in upgrade() committed before the end: sqlite3's executescript()"
            ' commits first, and so do op.execute("COMMIT"), autocommit_block() and a'
            " connection of its own"
        )
    return problems
