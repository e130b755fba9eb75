"""Stage 03's check: a learner's migration 002, run against copies of a seeded database.

The learner writes `up(db)` and `down(db)` for migration 002 (the cancelled state and the index
the overlap query needs). Every scenario here starts from a fresh in-memory copy of one database
at schema 001 with 10,000 seeded bookings, made once per session and kept in memory, so a
learner's own database file is never opened:

- `applied` runs 001 + the learner's 002 through the course's runner, as a deploy would;
- `schema_problems` compares the new schema with what 002 must add, naming each difference;
- `row_problems` compares every row before and after (the backfill included);
- `rollback_problems`, `refusal_problems`, `rerun_problems` and `failure_problems` roll back,
  roll back with a cancelled booking, apply twice, and make the migration fail halfway.

Each `*_problems` function returns plain sentences, one per problem, and an empty list when all is
well. An exception from the learner's own code is left to propagate, so that the check cell can
name the learner's line. `steps()` packs the scenarios as the check cell's expectations.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bookings.migrations import Migration, MigrationError, apply_migrations, rollback
from bookings.migrations import service_migrations as _service_migrations
from bookings.seed import seed
from onboarding.checks import SHOWN_PROBLEMS, CheckFailed, require  # noqa: F401 - notebooks and tests call it through this module

SEEDED_BOOKINGS = 10_000
# The booking the refusal scenario cancels before it tries to roll back.
CANCELLED_BOOKING = 42

INDEX_COLUMNS = ("room_id", "start", "end")
INDEX_TEXT = "bookings(room_id, start, end)"
NEW_COLUMNS = ("cancelled", "cancelled_at")
# Statements that change something; everything else (SELECT, PRAGMA, SAVEPOINT…) only reads.
WRITES = {"ALTER", "CREATE", "DROP", "INSERT", "UPDATE", "DELETE", "REPLACE"}
NOUNS = {"bookings": ("booking", "bookings"), "rooms": ("room", "rooms")}
# A booking the default-value probe inserts, naming only the columns schema 001 has.
PROBE = {
    "room_id": 1,
    "organiser": "probe@example.com",
    "start": "2040-01-02T09:00:00Z",
    "end": "2040-01-02T10:00:00Z",
    "attendees": 1,
}


def migration_001() -> Migration:
    """The service's own migration 001: the learner's 002 is applied on top of it."""
    return _service_migrations()[0]


# --- The seeded database, made once per session ------------------------------------------------

_seeded: dict[int, sqlite3.Connection] = {}


def seeded_database(bookings: int = SEEDED_BOOKINGS) -> sqlite3.Connection:
    """A database at schema 001 with `bookings` seeded bookings, made once per session.

    It is kept in memory, not in a temporary file: nbval stops a kernel with SIGKILL, so no
    clean-up would run and every check run would leave a file behind. `PRAGMA query_only` makes
    it refuse every write; the scenarios work on copies (`open_copy`).
    """
    source = _seeded.get(bookings)
    if source is None:
        # check_same_thread off: only ever read, and JupyterLab may run a cell in another thread.
        source = sqlite3.connect(":memory:", check_same_thread=False)
        db = Database(source, execute_plugins=False)
        apply_migrations(db, [migration_001()])
        seed(db, bookings=bookings)
        source.execute("PRAGMA query_only = ON")
        _seeded[bookings] = source
    return source


def open_copy(source: sqlite3.Connection) -> Database:
    """An in-memory copy of `source`, opened as the service opens its database."""
    # No statement cache: the failure scenario's authorizer must see every statement prepared.
    copy = sqlite3.connect(":memory:", cached_statements=0)
    source.backup(copy)
    db = Database(copy, execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def fingerprint(path: str | Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Snapshots of a database --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    notnull: bool
    default: str | None
    pk: bool

    def differences(self, other: Column) -> list[str]:
        changes = []
        if self.type != other.type:
            changes.append(f"type {self.type or 'none'} → {other.type or 'none'}")
        if self.notnull != other.notnull:
            changes.append("NOT NULL → nullable" if self.notnull else "nullable → NOT NULL")
        if self.default != other.default:
            changes.append(f"DEFAULT {self.default or 'none'} → {other.default or 'none'}")
        if self.pk != other.pk:
            changes.append("lost its PRIMARY KEY" if self.pk else "became a PRIMARY KEY")
        return changes


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool
    partial: bool
    descending: tuple[str, ...]
    sql: str | None

    @property
    def shown(self) -> str:
        return f"{self.table}({', '.join(self.columns)})"


@dataclass(frozen=True)
class Table:
    name: str
    sql: str
    columns: tuple[Column, ...]
    foreign_keys: frozenset[tuple[str, str, str]]
    row_columns: tuple[str, ...] = ()
    rows: dict[Any, tuple] = field(default_factory=dict)

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, Table]
    indexes: dict[str, Index]
    versions: tuple[tuple[int, str], ...]


def snapshot(db: Database, row_tables: Sequence[str] = ("rooms", "bookings")) -> Snapshot:
    """The schema, every row of `row_tables` and the applied versions of `db`."""
    tables: dict[str, Table] = {}
    indexes: dict[str, Index] = {}
    objects = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' AND name != '_migrations' ORDER BY name"
    ).fetchall()
    for kind, name, _table, sql in objects:
        if kind != "table":
            continue
        columns = tuple(
            Column(row[1], (row[2] or "").upper(), bool(row[3]), row[4], bool(row[5]))
            for row in db.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        )
        foreign_keys = frozenset(
            (row[3], row[2], row[4] or "")
            for row in db.execute(f"PRAGMA foreign_key_list({_quote(name)})").fetchall()
        )
        row_columns: tuple[str, ...] = ()
        rows: dict[Any, tuple] = {}
        if name in row_tables:
            cursor = db.execute(f"SELECT * FROM {_quote(name)} ORDER BY rowid")
            row_columns = tuple(description[0] for description in cursor.description)
            key = row_columns.index("id") if "id" in row_columns else None
            for position, row in enumerate(cursor.fetchall()):
                rows[row[key] if key is not None else position] = row
        tables[name] = Table(name, sql, columns, foreign_keys, row_columns, rows)
    for table in tables:
        for _seq, name, unique, _origin, partial in db.execute(
            f"PRAGMA index_list({_quote(table)})"
        ).fetchall():
            info = db.execute(f"PRAGMA index_xinfo({_quote(name)})").fetchall()
            # index_xinfo lists the key columns first (key = 1), then the rowid.
            keys = [row for row in info if row[5]]
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
            indexes[name] = Index(
                name=name,
                table=table,
                columns=tuple(row[2] if row[2] is not None else "<expression>" for row in keys),
                unique=bool(unique),
                partial=bool(partial),
                descending=tuple(row[2] or "<expression>" for row in keys if row[3]),
                sql=sql[0] if sql else None,
            )
    versions: tuple[tuple[int, str], ...] = ()
    if db["_migrations"].exists():
        versions = tuple(
            db.execute("SELECT version, name FROM _migrations ORDER BY version").fetchall()
        )
    return Snapshot(tables, indexes, versions)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _show(value: Any) -> str:
    return "NULL" if value is None else repr(value)


def _ids(keys: Sequence[Any], limit: int = 3) -> str:
    shown = ", ".join(str(key) for key in keys[:limit])
    return shown + (", …" if len(keys) > limit else "")


def _count(number: int, table: str) -> str:
    one, many = NOUNS.get(table, ("row", "rows"))
    return f"{number:,} {one if number == 1 else many}"


def _shorten(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# Constraints are compared without quotes, case or spacing: `"end" > start` is `end>start`.
def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r'["`\[\]]', "", text)).lower()


def check_constraints(sql: str) -> list[str]:
    """The `CHECK (…)` clauses of a CREATE TABLE statement, as written."""
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, position = 0, match.end() - 1
        for position in range(match.end() - 1, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[position], 0)
            if depth == 0:
                break
        found.append(" ".join(sql[match.start() : position + 1].split()))
    return found


# --- Differences between two snapshots ------------------------------------------------------------


def differences(before: Snapshot, after: Snapshot, actor: str) -> list[str]:
    """Everything that differs between two snapshots, each said as what `actor` did."""
    problems: list[str] = []
    for name in sorted(after.tables.keys() - before.tables.keys()):
        problems.append(f"{actor} left table {name} in place")
    for name in sorted(before.tables.keys() - after.tables.keys()):
        problems.append(f"{actor} dropped table {name}")
    for name in sorted(before.tables.keys() & after.tables.keys()):
        problems += _table_differences(before.tables[name], after.tables[name], actor)
    for name in sorted(after.indexes.keys() - before.indexes.keys()):
        problems.append(f"{actor} left index {name} on {after.indexes[name].shown} in place")
    for name in sorted(before.indexes.keys() - after.indexes.keys()):
        problems.append(f"{actor} dropped index {name} on {before.indexes[name].shown}")
    for name in sorted(before.indexes.keys() & after.indexes.keys()):
        if before.indexes[name] != after.indexes[name]:
            problems.append(
                f"{actor} changed index {name}: {before.indexes[name].shown}"
                f" → {after.indexes[name].shown}"
            )
    if before.versions != after.versions:
        problems.append(
            f"{actor} left _migrations at versions {[v for v, _ in after.versions]}"
            f" — expected {[v for v, _ in before.versions]}"
        )
    for name in sorted(before.tables.keys() & after.tables.keys()):
        problems += row_differences(before.tables[name], after.tables[name], actor)
    return problems


def _table_differences(before: Table, after: Table, actor: str) -> list[str]:
    problems = []
    old = {column.name: column for column in before.columns}
    new = {column.name: column for column in after.columns}
    for name in (name for name in new if name not in old):
        problems.append(f"{actor} left column {before.name}.{name} in place")
    for name in (name for name in old if name not in new):
        problems.append(f"{actor} dropped column {before.name}.{name}")
    for name in (name for name in old if name in new):
        changes = old[name].differences(new[name])
        if changes:
            problems.append(f"{actor} changed column {before.name}.{name}: {', '.join(changes)}")
    if problems:
        return problems
    lost = _lost_constraints(before, after)
    if lost:
        return [f"{actor} {change}" for change in lost]
    if [c.name for c in before.columns] != [c.name for c in after.columns]:
        return [f"{actor} changed the order of the columns of {before.name}"]
    if before.sql != after.sql:
        was, now = _first_difference(before.sql, after.sql)
        return [
            f"{actor} rewrote the CREATE TABLE text of {before.name} (`{was}` became `{now}`)"
            " — at one version every database should have exactly the same schema"
        ]
    return []


def _lost_constraints(before: Table, after: Table) -> list[str]:
    lost = []
    kept = {_normalise(check) for check in check_constraints(after.sql)}
    for check in check_constraints(before.sql):
        if _normalise(check) not in kept:
            lost.append(f"dropped `{check}` from table {before.name}")
    for column, table, target in sorted(before.foreign_keys - after.foreign_keys):
        lost.append(f"dropped the foreign key {before.name}.{column} → {table}({target})")
    return lost


def _first_difference(before: str, after: str) -> tuple[str, str]:
    old, new = before.splitlines(), after.splitlines()
    for was, now in zip(old, new, strict=False):
        if was != now:
            return _shorten(was.strip(), 40), _shorten(now.strip(), 40)
    return (
        _shorten(" ".join(old[len(new) :]) or "(end)", 40),
        _shorten(" ".join(new[len(old) :]) or "(end)", 40),
    )


def row_differences(before: Table, after: Table, actor: str) -> list[str]:
    """Rows lost, added or changed, compared on the columns both versions of the table have."""
    if not before.row_columns or not after.row_columns:
        return []
    problems = []
    lost = [key for key in before.rows if key not in after.rows]
    added = [key for key in after.rows if key not in before.rows]
    if lost:
        problems.append(f"{actor} lost {_count(len(lost), before.name)} (ids {_ids(lost)})")
    if added:
        problems.append(f"{actor} added {_count(len(added), before.name)} (ids {_ids(added)})")
    shared = [name for name in before.row_columns if name in after.row_columns]
    old_at = [before.row_columns.index(name) for name in shared]
    new_at = [after.row_columns.index(name) for name in shared]
    changed = []
    for key, row in before.rows.items():
        other = after.rows.get(key)
        if other is None:
            continue
        for name, i, j in zip(shared, old_at, new_at, strict=True):
            # `is` and type() too: 4 and '4' and 4.0 must not count as the same value.
            if row[i] != other[j] or type(row[i]) is not type(other[j]):
                changed.append((key, name, row[i], other[j]))
                break
    if changed:
        key, name, was, now = changed[0]
        one, _ = NOUNS.get(before.name, ("row", "rows"))
        line = f"{actor} changed {one} {key}: {name} {_show(was)} → {_show(now)}"
        if len(changed) > 1:
            _, many = NOUNS.get(before.name, ("row", "rows"))
            line += f" (and {len(changed) - 1:,} more {many})"
        problems.append(line)
    return problems


# --- The scenarios --------------------------------------------------------------------------------


@dataclass
class Applied:
    """The outcome of applying 001 + the learner's 002 to a copy of the seeded database."""

    before: Snapshot
    after: Snapshot
    probe: dict[str, Any] | str
    """What a booking inserted without the new columns gets, or why inserting it failed."""


def _migrations(migration: Migration) -> list[Migration]:
    return [migration_001(), migration]


def _check_migration(migration: Any) -> Migration:
    if not isinstance(migration, Migration):
        raise CheckFailed(
            f"migration_002 is {type(migration).__name__}, not a Migration — run the cell that "
            "defines up() and down() as it was given"
        )
    if migration.version != 2:
        raise CheckFailed(f"migration_002 has version {migration.version} — expected 2")
    return migration


def _apply(db: Database, migration: Migration) -> None:
    try:
        apply_migrations(db, _migrations(migration))
    except MigrationError as error:
        raise CheckFailed(f"the runner refused the migration: {error}") from None


def applied(migration: Migration, source: sqlite3.Connection | None = None) -> Applied:
    """Apply 001 + `migration` to a copy of the seeded database; errors in up() propagate."""
    migration = _check_migration(migration)
    source = source or seeded_database()
    db = open_copy(source)
    try:
        before = snapshot(db)
        _apply(db, migration)
        after = snapshot(db)
        return Applied(before, after, _probe_defaults(db))
    finally:
        db.close()


def _probe_defaults(db: Database) -> dict[str, Any] | str:
    columns = db["bookings"].columns_dict
    values = {name: value for name, value in PROBE.items() if name in columns}
    names = ", ".join(_quote(name) for name in values)
    marks = ", ".join("?" for _ in values)
    db.execute("BEGIN")
    try:
        cursor = db.conn.execute(
            f"INSERT INTO bookings ({names}) VALUES ({marks})", list(values.values())
        )
        row = db.conn.execute(
            "SELECT * FROM bookings WHERE rowid = ?", [cursor.lastrowid]
        ).fetchone()
        return dict(zip(columns, row, strict=False))
    except sqlite3.Error as error:
        return f"{type(error).__name__}: {error}"
    finally:
        db.conn.rollback()


def applies_problems(outcome: Applied) -> list[str]:
    """The runner recorded version 2 (the runner raises on most other failures first)."""
    versions = [version for version, _ in outcome.after.versions]
    if versions != [1, 2]:
        return [f"after applying, _migrations holds versions {versions} — expected [1, 2]"]
    return []


def schema_problems(outcome: Applied) -> list[str]:
    """The two new columns, the index, and nothing else changed in the schema."""
    before, after = outcome.before, outcome.after
    problems = []
    bookings = after.tables.get("bookings")
    if bookings is None:
        return ["table bookings is gone"]
    problems += _new_column_problems(bookings, outcome.probe)
    old = before.tables["bookings"]
    for column in old.columns:
        now = bookings.column(column.name)
        if now is None:
            problems.append(f"up() dropped column bookings.{column.name}")
        elif column.differences(now):
            changes = ", ".join(column.differences(now))
            problems.append(f"up() changed column bookings.{column.name}: {changes}")
    expected_order = [c.name for c in old.columns]
    found_order = [c.name for c in bookings.columns if c.name in expected_order]
    if found_order != expected_order and len(found_order) == len(expected_order):
        problems.append("up() changed the order of the existing columns of bookings")
    problems += [f"up() {change}" for change in _lost_constraints(old, bookings)]
    known = set(expected_order) | set(NEW_COLUMNS)
    for column in bookings.columns:
        if column.name not in known:
            problems.append(
                f"unexpected column bookings.{column.name} — 002 adds only cancelled and"
                " cancelled_at"
            )
    for name in sorted(after.tables.keys() - before.tables.keys()):
        problems.append(f"unexpected table {name} — 002 adds no table")
    for name in sorted(before.tables.keys() - after.tables.keys()):
        problems.append(f"up() dropped table {name}")
    for name in sorted(before.tables.keys() & after.tables.keys() - {"bookings"}):
        problems += _table_differences(before.tables[name], after.tables[name], "up()")
    problems += _index_problems(before, after)
    return problems


def _new_column_problems(bookings: Table, probe: dict[str, Any] | str) -> list[str]:
    problems = []
    cancelled = bookings.column("cancelled")
    if cancelled is None:
        problems.append("column cancelled is missing")
    else:
        if cancelled.type != "INTEGER":
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
                f" {_show(probe.get('cancelled'))} — expected DEFAULT 0: a booking is live"
                " until someone cancels it"
            )
    cancelled_at = bookings.column("cancelled_at")
    if cancelled_at is None:
        problems.append("column cancelled_at is missing")
    else:
        if cancelled_at.type != "TEXT":
            problems.append(
                f"column cancelled_at has type {cancelled_at.type or 'none'} — expected TEXT"
                " (UTC ISO 8601 text, like start and end)"
            )
        if cancelled_at.notnull:
            problems.append(
                "column cancelled_at is NOT NULL — expected it to allow NULL: a live booking"
                " has no cancellation time"
            )
        if cancelled_at.default is not None:
            problems.append(
                f"column cancelled_at has DEFAULT {cancelled_at.default} — expected no default,"
                " so that a new booking gets NULL"
            )
    return problems


def _index_problems(before: Snapshot, after: Snapshot) -> list[str]:
    new = [index for name, index in sorted(after.indexes.items()) if name not in before.indexes]
    problems = []
    matching = [index for index in new if index.columns == INDEX_COLUMNS]
    explained = set()
    if matching:
        index = matching[0]
        explained.add(index.name)
        if index.unique:
            problems.append(
                f"index {index.name} is UNIQUE — expected a plain index: it is there to find"
                " bookings fast, not to add a rule"
            )
        if index.partial:
            problems.append(
                f"index {index.name} has a WHERE clause — expected it to cover every booking"
            )
        if index.descending:
            problems.append(
                f"index {index.name} sorts {', '.join(index.descending)} descending — expected"
                " ascending"
            )
    else:
        same_set = [
            index
            for index in new
            if index.table == "bookings" and sorted(index.columns) == sorted(INDEX_COLUMNS)
        ]
        prefix = [
            index
            for index in new
            if index.table == "bookings"
            and index.columns
            and INDEX_COLUMNS[: len(index.columns)] == index.columns
        ]
        if same_set:
            index = same_set[0]
            explained.add(index.name)
            problems.append(
                f"index {index.name} is on {index.shown} — expected the columns in the order"
                " (room_id, start, end): the equality test on room_id first, then the range"
                " on start"
            )
        elif prefix:
            index = prefix[0]
            explained.add(index.name)
            problems.append(f"index {index.name} covers only {index.shown} — expected {INDEX_TEXT}")
        else:
            problems.append(f"index on {INDEX_TEXT} is missing")
    for index in new:
        if index.name not in explained and index not in matching[1:]:
            problems.append(
                f"unexpected index {index.name} on {index.shown} — 002 adds only the index on"
                f" {INDEX_TEXT}"
            )
    for index in matching[1:]:
        problems.append(f"index {index.name} repeats index {matching[0].name}")
    for name in sorted(before.indexes.keys() - after.indexes.keys()):
        problems.append(f"up() dropped index {name}")
    return problems


def row_problems(outcome: Applied) -> list[str]:
    """Every row survives unchanged, and every booking made before 002 is live."""
    before, after = outcome.before, outcome.after
    problems = []
    for name in ("rooms", "bookings"):
        if name in before.tables and name in after.tables:
            problems += row_differences(before.tables[name], after.tables[name], "up()")
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
                f"{name} is {_show(value)} in {_count(len(wrong), 'bookings')} made before 002"
                f" (booking {key} is the first) — expected {_show(expected)}: every booking"
                " made before 002 is live"
            )
    return problems


def rollback_problems(migration: Migration, source: sqlite3.Connection | None = None) -> list[str]:
    """Apply, then roll back to 001: the schema text and every row must be as before."""
    migration = _check_migration(migration)
    db = open_copy(source or seeded_database())
    try:
        before = snapshot(db)
        _apply(db, migration)
        try:
            rollback(db, 1, _migrations(migration))
        except MigrationError as error:
            return [f"the runner cannot roll back: {error} — write down() as the undo of up()"]
        return differences(before, snapshot(db), "rollback")
    finally:
        db.close()


def refusal_problems(migration: Migration, source: sqlite3.Connection | None = None) -> list[str]:
    """With a cancelled booking, a rollback must refuse and change nothing."""
    migration = _check_migration(migration)
    db = open_copy(source or seeded_database())
    try:
        _apply(db, migration)
        columns = db["bookings"].columns_dict
        if not set(NEW_COLUMNS) <= columns.keys():
            return ["not checked: the new columns are missing (see above)"]
        db.execute(
            "UPDATE bookings SET cancelled = 1, cancelled_at = '2030-01-01T12:00:00Z' WHERE id = ?",
            [CANCELLED_BOOKING],
        )
        before = snapshot(db)
        try:
            rollback(db, 1, _migrations(migration))
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001 - refusing in any way is what we want
            return differences(before, snapshot(db), "the refused rollback")
        bookings = snapshot(db).tables.get("bookings")
        if bookings is not None and CANCELLED_BOOKING not in bookings.rows:
            return [
                f"rollback deleted cancelled booking {CANCELLED_BOOKING}: a rollback must not"
                " lose data — make down() raise while any booking is cancelled"
            ]
        return [
            f"rollback went through with booking {CANCELLED_BOOKING} cancelled: schema 001"
            f" cannot say so, and booking {CANCELLED_BOOKING} is live again and may double-book"
            " its room — make down() raise while any booking is cancelled"
        ]
    finally:
        db.close()


def rerun_problems(migration: Migration, source: sqlite3.Connection | None = None) -> list[str]:
    """Apply twice (the runner skips 002), then up → down → up ends as the first up did."""
    migration = _check_migration(migration)
    db = open_copy(source or seeded_database())
    try:
        _apply(db, migration)
        first = snapshot(db)
        again = apply_migrations(db, _migrations(migration))
        problems = []
        if again:
            problems.append(f"the second apply_migrations() ran versions {again} again")
        problems += differences(first, snapshot(db), "the second apply_migrations()")
        try:
            rollback(db, 1, _migrations(migration))
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - reported by the rollback expectation
            return [*problems, f"up → down → up not tried: rollback raised {_error(error)}"]
        try:
            apply_migrations(db, _migrations(migration))
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the finding is which error
            return [
                *problems,
                f"up() failed when run again after a rollback: {_error(error)} — so down()"
                " left part of what up() added",
            ]
        problems += differences(first, snapshot(db), "up → down → up")
        return problems
    finally:
        db.close()


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class InjectedFailure(Exception):
    """The failure the check makes happen inside a migration."""


@dataclass
class _Statements:
    """The changes a migration made while the check watched: each statement's SQL."""

    writes: list[str] = field(default_factory=list)


def _first_keyword(sql: str) -> str:
    text = re.sub(r"^(\s|;|--[^\n]*\n?|/\*.*?\*/)*", "", sql, flags=re.S)
    match = re.match(r"[A-Za-z]+", text)
    return match[0].upper() if match else ""


@contextmanager
def _failing_after(db: Database, writes: int | None, seen: _Statements) -> Iterator[None]:
    """Make SQLite refuse every change after the first `writes` (None: never) while in the block.

    The trace callback sees each statement as it runs, whichever API sent it; the authorizer is
    asked while a statement is prepared, and SQLITE_DENY makes that statement fail with
    "not authorized". Reading, transactions and savepoints stay allowed, so the runner can
    still roll back.
    """
    allowed = {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
        sqlite3.SQLITE_PRAGMA,
        sqlite3.SQLITE_FUNCTION,
    }

    def trace(sql: str) -> None:
        if _first_keyword(sql) in WRITES:
            seen.writes.append(sql)

    def authorize(action: int, *_: Any) -> int:
        if writes is not None and len(seen.writes) >= writes and action not in allowed:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    db.conn.set_trace_callback(trace)
    db.conn.set_authorizer(authorize)
    try:
        yield
    finally:
        db.conn.set_authorizer(None)
        db.conn.set_trace_callback(None)


def _failing_copy(migration: Migration, writes: int | None, seen: _Statements) -> Migration:
    """`migration`, made to fail after its first `writes` changes, or after its up() returns."""

    def up(db: Database) -> None:
        with _failing_after(db, writes, seen):
            if isinstance(migration.up, str):
                db.executescript(migration.up)
            else:
                migration.up(db)
        raise InjectedFailure("the check made this migration fail")

    return Migration(migration.version, migration.name, up, migration.down)


def failure_problems(migration: Migration, source: sqlite3.Connection | None = None) -> list[str]:
    """A failure after the first change, and one after the last: nothing may be left behind."""
    migration = _check_migration(migration)
    source = source or seeded_database()
    problems = []
    for writes, when in ((1, "right after your first change"), (None, "after up() returned")):
        db = open_copy(source)
        seen = _Statements()
        try:
            before = snapshot(db)
            try:
                apply_migrations(db, _migrations(_failing_copy(migration, writes, seen)))
            except NotImplementedError:
                raise
            except Exception:  # noqa: BLE001 - the injected failure, or what it caused
                pass
            changes = differences(before, snapshot(db), "the failed migration")
            if changes:
                first = f" (`{_shorten(seen.writes[0], 50)}`)" if seen.writes and writes else ""
                problems.append(f"when the migration failed {when}{first}, {changes[0]}")
        finally:
            db.close()
    if problems:
        problems[-1] += (
            ": something in up() committed before the end (db.conn.commit(), `with db.conn:`,"
            " sqlite3's executescript())"
        )
    return problems


def own_file_problems(path: str | Path, before: str | None) -> list[str]:
    """The learner's own database file has the same bytes as before the check."""
    if fingerprint(path) != before:
        return [f"{Path(path).name} changed while the check ran"]
    return []


# --- The check cell's expectations ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    text: str
    run: Callable[[], None]
    hint: str
    required: bool = False


def steps(
    get_migration: Callable[[], Any],
    own_file: str | Path = "practice.db",
    bookings: int = SEEDED_BOOKINGS,
) -> list[Step]:
    """The check cell's expectations for exercise 03.1, in order.

    `get_migration` is called by the first expectation, so that an undefined name is reported
    there, as a failed expectation, rather than crashing the check cell.
    """
    own_before = fingerprint(own_file)
    state: dict[str, Any] = {}

    def migration() -> Migration:
        if "migration" not in state:
            state["migration"] = _check_migration(get_migration())
        return state["migration"]

    def outcome() -> Applied:
        if "outcome" not in state:
            state["outcome"] = applied(migration(), seeded_database(bookings))
        return state["outcome"]

    def source() -> sqlite3.Connection:
        return seeded_database(bookings)

    shown = Path(own_file).name
    return [
        Step(
            "applies",
            f"up() applies to a copy of a database at schema 001 with {bookings:,} bookings",
            lambda: require(applies_problems(outcome())),
            "Write up() and down() in the cell above and run it; when up() raises, the line"
            " named is in your up().",
            required=True,
        ),
        Step(
            "schema",
            "the schema is as 002 must leave it: cancelled, cancelled_at and the"
            " overlap index, nothing else changed",
            lambda: require(schema_problems(outcome())),
            "ALTER TABLE bookings ADD COLUMN … adds a column and keeps the rest of the table;"
            ' CREATE INDEX … ON bookings (room_id, start, "end") adds the index.',
        ),
        Step(
            "rows",
            "every room and booking keeps its values, and bookings made before 002 are live"
            " (cancelled = 0, cancelled_at NULL)",
            lambda: require(row_problems(outcome())),
            "A column added with NOT NULL DEFAULT 0 gives every existing row that value: that"
            " is the backfill.",
        ),
        Step(
            "rollback",
            "rolling back to 001 restores the schema text and every row exactly",
            lambda: require(rollback_problems(migration(), source())),
            "In down(), drop the index first, then ALTER TABLE bookings DROP COLUMN each new"
            " column: that removes exactly what ADD COLUMN added.",
        ),
        Step(
            "refusal",
            "rolling back is refused while a booking is cancelled, and changes nothing",
            lambda: require(refusal_problems(migration(), source())),
            "Start down() by counting the cancelled bookings and raise an exception if there"
            " are any; the runner's transaction keeps the database as it was.",
        ),
        Step(
            "rerun",
            "applying twice is harmless: the runner skips 002, and up → down → up ends as"
            " the first up did",
            lambda: require(rerun_problems(migration(), source())),
            "down() must remove everything up() adds (columns and index), so that up() can"
            " run again.",
        ),
        Step(
            "failure",
            "a migration that fails halfway leaves the database exactly as it was",
            lambda: require(failure_problems(migration(), source())),
            "Let the runner own the transaction: never commit inside up() (no db.conn.commit(),"
            " no `with db.conn:`, no sqlite3 executescript()).",
        ),
        Step(
            "own_file",
            f"your own {shown} is byte for byte as before: every check ran on copies",
            lambda: require(own_file_problems(own_file, own_before)),
            "Nothing to do: the check never opens your file.",
        ),
    ]
