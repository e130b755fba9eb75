"""Snapshots of a SQLite database, and the differences between two of them, said in words.

Stage 03's check compares the database before and after a learner's revision, and after the
downgrade. Two databases count as the same schema when their tables have the same columns (in
the same order, with the same types, NOT NULL, defaults and keys), the same CHECK constraints,
foreign keys and unique constraints, and the same indexes. The text of a CREATE TABLE may differ:
Alembic's batch mode rebuilds a table, and writes its definition its own way.
"""

from __future__ import annotations

import itertools
import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from onboarding.protocol import shorten

VERSION_TABLE = "alembic_version"
NOUNS = {"bookings": ("booking", "bookings"), "rooms": ("room", "rooms")}


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
        if not same_default(self, other):
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

    @property
    def where(self) -> str | None:
        """The WHERE clause of a partial index, as written."""
        match = re.search(r"\bWHERE\b(.*)$", self.sql or "", re.IGNORECASE | re.DOTALL)
        return " ".join(match[1].split()) if match else None


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
    revision: str | None


def snapshot(db: sqlite3.Connection, row_tables: Sequence[str] = ("rooms", "bookings")) -> Snapshot:
    """The schema, every row of `row_tables` and the Alembic revision of `db`."""
    tables: dict[str, Table] = {}
    indexes: dict[str, Index] = {}
    objects = db.execute(
        "SELECT type, name, sql FROM sqlite_master"
        f" WHERE name NOT LIKE 'sqlite_%' AND name != '{VERSION_TABLE}' ORDER BY name"
    ).fetchall()
    for kind, name, sql in objects:
        if kind != "table":
            continue
        columns = tuple(
            Column(
                row[1],
                (row[2] or "").upper(),
                # An INTEGER PRIMARY KEY is the rowid: it can never be NULL, said or not.
                bool(row[3]) or (bool(row[5]) and (row[2] or "").upper() == "INTEGER"),
                row[4],
                bool(row[5]),
            )
            for row in db.execute(f"PRAGMA table_info({quote(name)})").fetchall()
        )
        foreign_keys = frozenset(
            (row[3], row[2], row[4] or "")
            for row in db.execute(f"PRAGMA foreign_key_list({quote(name)})").fetchall()
        )
        row_columns: tuple[str, ...] = ()
        rows: dict[Any, tuple] = {}
        if name in row_tables:
            cursor = db.execute(f"SELECT * FROM {quote(name)} ORDER BY rowid")
            row_columns = tuple(description[0] for description in cursor.description)
            key = row_columns.index("id") if "id" in row_columns else None
            for position, row in enumerate(cursor.fetchall()):
                rows[row[key] if key is not None else position] = row
        tables[name] = Table(name, sql or "", columns, foreign_keys, row_columns, rows)
    for table in tables:
        for _seq, name, unique, origin, partial in db.execute(
            f"PRAGMA index_list({quote(table)})"
        ).fetchall():
            info = db.execute(f"PRAGMA index_xinfo({quote(name)})").fetchall()
            keys = [row for row in info if row[5]]  # the key columns, not the rowid
            columns = tuple(row[2] if row[2] is not None else "<expression>" for row in keys)
            if origin in ("u", "pk"):
                # SQLite names these itself (sqlite_autoindex_rooms_1), and a rebuilt table
                # numbers them afresh: key them by what they are.
                name = f"{'UNIQUE' if origin == 'u' else 'PRIMARY KEY'} ({', '.join(columns)})"
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
            indexes[name] = Index(
                name=name,
                table=table,
                columns=columns,
                unique=bool(unique),
                partial=bool(partial),
                descending=tuple(row[2] or "<expression>" for row in keys if row[3]),
                sql=sql[0] if sql else None,
            )
    return Snapshot(tables, indexes, read_revision(db))


def read_revision(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def show(value: Any) -> str:
    return "NULL" if value is None else repr(value)


def ids(keys: Sequence[Any], limit: int = 3) -> str:
    shown = ", ".join(str(key) for key in keys[:limit])
    return shown + (", …" if len(keys) > limit else "")


def count(number: int, table: str) -> str:
    one, many = NOUNS.get(table, ("row", "rows"))
    return f"{number:,} {one if number == 1 else many}"


def normalise(text: str) -> str:
    """SQL compared without quotes, case or spacing: `"end" > start` is `end>start`."""
    return re.sub(r"\s+", "", re.sub(r'["`\[\]]', "", text)).lower()


def same_default(first: Column, second: Column) -> bool:
    """Whether a row written without the column gets the same value in both: `DEFAULT 0`,
    `DEFAULT (0)`, `DEFAULT '0'` and `DEFAULT FALSE` all give an INTEGER column the integer 0.
    """
    if first.default == second.default and first.type == second.type:
        return True
    stored = stored_default(first.type, first.default), stored_default(second.type, second.default)
    if None in stored:  # SQLite cannot say: the same text is the same default
        return _default(first.default) == _default(second.default)
    return stored[0] == stored[1]


@lru_cache(maxsize=256)
def stored_default(declared: str, default: str | None) -> tuple[str, Any] | None:
    """What SQLite stores, as (its type, the value), in a row written without a column of this
    declared type and DEFAULT; None when SQLite refuses the default, or when it depends on
    the time (`CURRENT_TIMESTAMP`, `(datetime('now'))`), so that two runs may differ."""
    if default is not None and re.search(r"(?i)\bcurrent_|\w\s*\(", default):
        return None
    db = sqlite3.connect(":memory:")
    try:
        written = "" if default is None else f" DEFAULT {default}"
        db.execute(f"CREATE TABLE probe (id INTEGER PRIMARY KEY, value {declared}{written})")
        db.execute("INSERT INTO probe (id) VALUES (1)")
        return db.execute("SELECT typeof(value), value FROM probe").fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()


def _default(text: str | None) -> str | None:
    return None if text is None else normalise(text).strip("()'")


def check_constraints(sql: str) -> list[str]:
    """The `CHECK (…)` clauses of a CREATE TABLE statement, as written (names left out)."""
    return [_check_clause(sql, match.start()) for match in re.finditer(r"\bCHECK\s*\(", sql, re.I)]


def _check_clause(sql: str, start: int) -> str:
    """The `CHECK (…)` clause that starts at `start`, up to its closing parenthesis."""
    depth, opening = 0, sql.index("(", start)
    position = opening
    for position in range(opening, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[position], 0)
        if depth == 0:
            break
    return " ".join(sql[start : position + 1].split())


NAMED_CHECK = re.compile(
    r"""(?<![A-Za-z0-9_])
    (?:CONSTRAINT\s+
        (?P<name>"(?:[^"]|"")+"|'(?:[^']|'')+'|\[(?:[^\]]|\]\])+\]|`(?:[^`]|``)+`|\S+)
        \s+)?
    (?P<check>CHECK)\s*\(""",
    re.IGNORECASE | re.VERBOSE,
)
"""A CHECK and its constraint name, read as SQLAlchemy's SQLite dialect reads them back
(`get_check_constraints`), which is what Alembic's batch mode rebuilds a table from: a name is
`CONSTRAINT name` right before the CHECK, the name bare or quoted in any of SQLite's four ways."""


def unnamed_checks(sql: str) -> list[str]:
    """The `CHECK (…)` clauses of a CREATE TABLE statement that have no constraint name.

    Alembic's batch mode rebuilds a table from what it reads back, and leaves an unnamed CHECK
    out of the new table: "Unnamed CHECK constraints continue to be silently omitted from the
    table recreate operation" (https://alembic.sqlalchemy.org/en/latest/batch.html, "Including
    CHECK constraints"); since Alembic 1.20 it warns, and still leaves it out. So a later
    revision in batch mode would drop it.
    """
    return [
        _check_clause(sql, match.start("check"))
        for match in NAMED_CHECK.finditer(sql)
        if match["name"] is None
    ]


def unnamed_new_checks(before: Table, after: Table) -> list[tuple[str, str]]:
    """Each unnamed CHECK of `after` that names a column only `after` has, with that column.

    Those are the ones the revision that added the columns wrote. An unnamed CHECK on the old
    columns alone re-creates (or tightens, which is judged on its own) the rules `before` had,
    as a hand-written rebuild of the table does; its name is not what the revision adds.
    """
    old = {column.name for column in before.columns}
    columns = tuple((column.name, column.type) for column in after.columns)
    found = []
    for check in unnamed_checks(after.sql):
        new = [name for name in _named_columns(_expression(check), columns) if name not in old]
        if new:
            found.append((check, new[0]))
    return found


def differences(before: Snapshot, after: Snapshot, actor: str) -> list[str]:
    """Everything that differs between two snapshots, each said as what `actor` did."""
    problems: list[str] = []
    for name in sorted(after.tables.keys() - before.tables.keys()):
        problems.append(f"{actor} left table {name} in place")
    for name in sorted(before.tables.keys() - after.tables.keys()):
        problems.append(f"{actor} dropped table {name}")
    for name in sorted(before.tables.keys() & after.tables.keys()):
        problems += table_differences(before.tables[name], after.tables[name], actor)
    for name in sorted(after.indexes.keys() - before.indexes.keys()):
        problems.append(f"{actor} left index {name} on {after.indexes[name].shown} in place")
    for name in sorted(before.indexes.keys() - after.indexes.keys()):
        problems.append(f"{actor} dropped index {name} on {before.indexes[name].shown}")
    for name in sorted(before.indexes.keys() & after.indexes.keys()):
        if _index_key(before.indexes[name]) != _index_key(after.indexes[name]):
            problems.append(
                f"{actor} changed index {name}: {before.indexes[name].shown}"
                f" → {after.indexes[name].shown}"
            )
    if before.revision != after.revision:
        problems.append(
            f"{actor} left alembic_version at {after.revision or 'no revision'}"
            f" — expected {before.revision or 'no revision'}"
        )
    for name in sorted(before.tables.keys() & after.tables.keys()):
        problems += row_differences(before.tables[name], after.tables[name], actor)
    return problems


def _index_key(index: Index) -> tuple:
    return (
        index.table,
        index.columns,
        index.unique,
        index.descending,
        normalise(index.where or ""),
    )


def table_differences(before: Table, after: Table, actor: str) -> list[str]:
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
    problems = [f"{actor} {change}" for change in lost_constraints(before, after)]
    problems += [f"{actor} {change}" for change in added_checks(before, after)]
    if not problems and [c.name for c in before.columns] != [c.name for c in after.columns]:
        problems.append(f"{actor} changed the order of the columns of {before.name}")
    return problems


def lost_constraints(before: Table, after: Table) -> list[str]:
    """The CHECKs of `before` that `after` no longer enforces, and its lost foreign keys.

    A CHECK is lost when the rules of `after`, all together, admit a row it refuses: the message
    shows that row. A merged `CHECK (a AND b)` that weakens `b` loses `CHECK (b)` only.
    """
    lost = []
    if not same_rules(before, after):
        noun = NOUNS.get(before.name, ("row", "rows"))[0]
        for check in check_constraints(before.sql):
            found = _refusal(after, _expression(check), before, after)
            if found is None:
                continue
            if found.unjudged:
                lost.append(unjudged(before.name, check, found.unjudged))
            else:
                lost.append(
                    f"dropped `{check}` from table {before.name}: a {noun} with"
                    f" {found.shown} is now admitted"
                )
    for column, table, target in sorted(before.foreign_keys - after.foreign_keys):
        lost.append(f"dropped the foreign key {before.name}.{column} → {table}({target})")
    return lost


def added_checks(before: Table, after: Table) -> list[str]:
    """Each CHECK of `after` that refuses a row `before` admits, said with that row."""
    noun = NOUNS.get(before.name, ("row", "rows"))[0]
    return [
        unjudged(before.name, check, found.unjudged)
        if found.unjudged
        else f"added `{check}` to table {before.name}, which refuses a {noun} with {found.shown}"
        for check, found in stricter_checks(before, after)
    ]


def stricter_checks(before: Table, after: Table) -> list[tuple[str, Refusal]]:
    """The CHECKs of `after` that refuse a row `before` admits, its new columns at their
    defaults (a row written as before the change, naming only the old columns), each with such
    a row, or with why the probes could not tell.

    A CHECK on a new column (`cancelled IN (0, 1)`) admits every such row, so it is not one; nor
    is `CHECK (attendees IS NOT NULL)` on a column that is NOT NULL already.
    """
    if same_rules(before, after):
        return []
    found = [
        (check, _refusal(before, _expression(check), before, after))
        for check in check_constraints(after.sql)
    ]
    return [(check, refusal) for check, refusal in found if refusal is not None]


def same_rules(before: Table, after: Table) -> bool:
    """Whether two versions of a table, their CHECKs and NOT NULL columns taken together, admit
    the same rows.

    One `CHECK (a AND b)` is the same rule as `CHECK (a)` and `CHECK (b)`: a row is refused
    when any of them is false. A column only `after` has takes its default, as it does in a row
    written without it.
    """
    had, has = check_constraints(before.sql), check_constraints(after.sql)
    if sorted(map(normalise, had)) == sorted(map(normalise, has)):
        return True
    held = {name for name, _ in _probe_columns(before, after)[1]}
    return all(
        _refusal(admitting, part, before, after) is None
        for admitting, other in ((before, after), (after, before))
        for part in _rule_parts(other, held)
    )


@dataclass(frozen=True)
class Refusal:
    """A probe row that one version of a table admits and a CHECK refuses, or why the probes
    could not run (`unjudged`)."""

    row: tuple[tuple[str, Any], ...] = ()
    unjudged: str | None = None

    @property
    def shown(self) -> str:
        """`attendees = 0`, `start = '…' and end = '…'`; `any values` when no column matters."""
        return " and ".join(f"{name} = {show(value)}" for name, value in self.row) or "any values"


def unjudged(table: str, check: str, reason: str) -> str:
    """A CHECK the probes could not judge, said with what to write instead (`reason`)."""
    return (
        f"changed the CHECKs of table {table} in a way the check cannot compare: `{check}` {reason}"
    )


def _refusal(admitting: Table, expression: str, before: Table, after: Table) -> Refusal | None:
    """A probe row that the rules of `admitting` (one of `before`, `after`) admit and the CHECK
    `expression` refuses; None when there is none.

    The expression is judged part by part (its top-level ANDs: it refuses a row when one part
    is false), each part against only the rules that name its columns, or a column linked to
    them by another rule: the rules that name none of its columns cannot change its verdict,
    and leaving them out keeps the probe rows few (see the notes below).
    """
    columns, fixed = _probe_columns(before, after)
    held = {name for name, _ in fixed}
    rules = _rule_parts(admitting, held)
    said = {normalise(rule) for rule in rules}
    untried = None
    for part in conjuncts(expression):
        if normalise(part) in said:
            continue
        premise = _linked(rules, _named_columns(part, columns, held), columns, held)
        found = _probe(after.name, _conjunction(premise), part, columns, fixed, "implies")
        if found is not None and found.unjudged is None:
            return found
        untried = untried or found
    return untried


def _rule_parts(table: Table, held: set[str]) -> list[str]:
    """Every rule a row of `table` must pass: the parts of its CHECKs, and `x IS NOT NULL` for
    each NOT NULL column (but those in `held`, which hold their default)."""
    parts = [
        part for check in check_constraints(table.sql) for part in conjuncts(_expression(check))
    ]
    parts += [
        f"{quote(column.name)} IS NOT NULL"
        for column in table.columns
        if column.notnull and column.name not in held
    ]
    return parts


def _linked(
    rules: Sequence[str],
    named: Sequence[str],
    columns: tuple[tuple[str, str], ...],
    held: set[str],
) -> list[str]:
    """The rules that name a column of `named`, or one linked to it through other rules, and
    those that name no probed column at all (a column in `held` holds its default)."""
    reached = set(named)
    chosen: list[str] = []
    waiting = {rule: set(_named_columns(rule, columns, held)) for rule in rules}
    while True:
        joining = [rule for rule, names in waiting.items() if not names or names & reached]
        if not joining:
            return chosen
        for rule in joining:
            reached |= waiting.pop(rule)
            chosen.append(rule)


def _conjunction(parts: Sequence[str]) -> str:
    return " AND ".join(f"({part})" for part in parts) or "1"


def _probe_columns(
    before: Table, after: Table
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(name, declared type) of every column, and (name, default) of those only `after` has."""
    columns = {column.name: column.type for column in (*after.columns, *before.columns)}
    old = {column.name for column in before.columns}
    fixed = tuple(
        (column.name, column.default if column.default is not None else "NULL")
        for column in after.columns
        if column.name not in old
    )
    return tuple(columns.items()), fixed


CONJUNCT_TOKEN = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_$]*|[()]"""
)
"""What splitting on AND must see: strings and quoted names whole, words, parentheses."""


def conjuncts(expression: str) -> list[str]:
    """The operands of an expression's top-level ANDs, each split again: `a AND (b AND c)` gives
    a, b and c. A CHECK refuses a row when its expression is false, so when any one of them is.

    The AND of `x BETWEEN 1 AND 9` is BETWEEN's own. An expression with a top-level OR stays
    whole (AND binds tighter: `a OR b AND c` is `a OR (b AND c)`), and so does one with a CASE,
    whose WHEN may hold an AND of its own.
    """
    text = expression.strip()
    tokens = list(CONJUNCT_TOKEN.finditer(text))
    if tokens and tokens[0][0] == "(" and _closes_at_end(tokens):
        return conjuncts(text[1:-1])
    depth, betweens, cuts = 0, 0, []
    for token in tokens:
        word = token[0].upper()
        if word == "CASE":
            return [text]
        if word in ("(", ")"):
            depth += 1 if word == "(" else -1
        elif depth:
            continue
        elif word == "OR":
            return [text]
        elif word == "BETWEEN":
            betweens += 1
        elif word == "AND":
            if betweens:
                betweens -= 1
            else:
                cuts.append(token)
    if not cuts:
        return [text]
    pieces = [
        text[start:end]
        for start, end in zip(
            [0, *(cut.end() for cut in cuts)],
            [*(cut.start() for cut in cuts), len(text)],
            strict=True,
        )
    ]
    if not all(piece.strip() for piece in pieces):
        return [text]
    return [part for piece in pieces for part in conjuncts(piece)]


def _closes_at_end(tokens: list[re.Match[str]]) -> bool:
    """Whether the first parenthesis closes the whole text: `(a AND b)`, not `(a) AND (b)`."""
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token[0], 0)
        if depth == 0:
            return token is tokens[-1] and token.end() == len(token.string.rstrip())
    return False


# --- CHECK constraints compared by meaning ---------------------------------------------------
#
# A hand-written rebuild may word a CHECK its own way: `start < "end"` for `"end" > start`,
# `capacity >= 1` for `capacity > 0`, extra parentheses, the operands of an AND swapped. Rules
# that rewrite one wording into another would each cover one habit and miss the next (NOT,
# BETWEEN, IN, mirrored operands inside an OR…), so SQLite is asked instead: two CHECKs are the
# same when they admit and refuse the same rows among probe rows that cover the boundaries the
# expressions draw. Each column either expression names takes, in turn, NULL, every constant of
# both expressions with its negation and their neighbours (±1; for REAL also ±0.5 and the
# nearest reals either side), typical values of its type, and text of each small length; the
# rows are the cross product, so two columns compared with each other are seen less than, equal
# to and greater than each other. Both expressions run on a table with the real column types,
# so SQLite's own affinity and comparison rules apply. A row passes as it would in the table: a
# CHECK refuses a row only when its expression is false, and NULL lets it in.
#
# The simplification: values between the probes are assumed to behave as the probes around
# them, and an INTEGER column is probed with integers only (what the course's columns hold), so
# that `capacity > 0` is `capacity >= 1` although SQLite's loose typing would let 0.5 into such
# a column. A REAL column is probed with numbers, any other column with numbers and text.
#
# A table's rules are also compared together (`same_rules`), since a row must pass every one:
# its CHECKs, and its NOT NULL columns, so that `CHECK (attendees IS NOT NULL)` on a NOT NULL
# column adds no rule. `CHECK (a AND b)` is `CHECK (a)` with `CHECK (b)`, merged or split: each
# CHECK is cut at its top-level ANDs (`conjuncts`), and each part is judged against only the
# rules linked to it by the columns they name. That keeps the probe rows few: their number is
# the product of the values of each column probed together, so a merged CHECK naming four
# columns would be too many rows, while its parts name one or two each. A column that only the
# newer table has is not probed but holds its default, as in a row written without it; that is
# how `stricter_checks` tells a CHECK on a new column (`cancelled IN (0, 1)`, which every such
# row passes) from one that refuses rows the older table admitted. A rule found weaker or
# stricter is named with the first probe row that shows it (`attendees = 0`).
#
# When the probes cannot run (an unknown function, a huge constant, too many rows even part by
# part), only the same text (`normalise`) is the same CHECK, and the message says why the check
# could not compare it and how to write it so that it can.

TOKEN = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]"""
    r"|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_$]*"
)
"""The pieces of an SQL expression the probes need: strings, quoted and bare names, numbers."""
MAX_PROBE_ROWS = 50_000
MAX_PROBE_STEPS = 100_000
"""How many times (each 1,000 SQLite instructions) the probe query may run before it gives up."""
TYPICAL_INTEGERS = (-2, -1, 0, 1, 2, 10, 100)
TYPICAL_REALS = (-1.5, -0.5, 0.5, 1.5, 2.5)
TYPICAL_TEXTS = (
    "",
    " ",
    "0",
    "1",
    "a",
    "b",
    "ab",
    "B",
    "2030-01-01T09:00:00Z",
    "2030-01-01T10:00:00Z",
)


def same_check(first: str, second: str, before: Table, after: Table) -> bool:
    """Whether two `CHECK (…)` clauses of one table admit the same rows (see above)."""
    if normalise(first) == normalise(second):
        return True
    columns = {column.name: column.type for column in (*after.columns, *before.columns)}
    return _same_verdicts(
        before.name, _expression(first), _expression(second), tuple(columns.items())
    )


def _expression(check: str) -> str:
    """`CHECK ("end" > start)` without the CHECK and its parentheses: `"end" > start`."""
    return check[check.index("(") + 1 : check.rindex(")")]


def _affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (section 3.1 of its datatype page)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not declared or "BLOB" in declared:
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _same_verdicts(
    table: str, first: str, second: str, columns: tuple[tuple[str, str], ...]
) -> bool:
    """Whether two CHECK expressions of `table`, whose columns are (name, declared type), let
    the same probe rows in."""
    return _probe(table, first, second, columns, (), "differ") is None


def _named_columns(
    expression: str, columns: tuple[tuple[str, str], ...], held: set[str] = frozenset()
) -> list[str]:
    """The columns an expression names, in the table's order, but those in `held`."""
    names = {name.lower(): name for name, _ in columns}
    named = set()
    for token in TOKEN.findall(expression):
        if token[0] in '"`[':
            token = token[1:-1].replace(token[0] * 2, token[0]) if token[0] != "[" else token[1:-1]
        elif token[0] == "'" or token[0].isdigit() or token[0] == ".":
            continue
        if token.lower() in names and names[token.lower()] not in held:
            named.add(names[token.lower()])
    return [name for name, _ in columns if name in named]


@lru_cache(maxsize=1024)
def _probe(
    table: str,
    first: str,
    second: str,
    columns: tuple[tuple[str, str], ...],
    fixed: tuple[tuple[str, str], ...],
    how: str,
) -> Refusal | None:
    """The first probe row that two CHECK expressions of `table` judge differently
    (`how="differ"`), or that `first` admits and `second` refuses (`how="implies"`), with the
    value of each probed column; None when there is none, and a `Refusal` saying why when the
    probes cannot run.

    `columns` are (name, declared type); the columns in `fixed`, (name, default), are not
    probed: each row holds their default.
    """
    defaults = dict(fixed)
    numbers: set[float] = set()
    texts: set[str] = set()
    for token in TOKEN.findall(f"{first} {second}"):
        if token.startswith("'"):
            texts.add(token[1:-1].replace("''", "'"))
        elif token[0].isdigit() or token[0] == ".":
            numbers.add(float(int(token, 16)) if token[:2].lower() == "0x" else float(token))
    if not all(math.isfinite(number) and abs(number) < 2**53 for number in numbers):
        return Refusal(
            unjudged="holds a number too large to try the values around it — compare with a"
            " smaller one"
        )
    used = _named_columns(f"{first} {second}", columns, set(defaults))
    types = dict(columns)
    values = [_probe_values(_affinity(types[name]), numbers, texts) for name in used]
    if math.prod(len(each) for each in values) > MAX_PROBE_ROWS:
        return Refusal(
            unjudged=f"(with the rules it meets, on {', '.join(used)}) has more combinations of"
            " values than the check can try — write each rule as a CHECK of its own, or join"
            " rules with AND so that each part names one or two columns"
        )
    passes = "CASE WHEN ({0}) THEN 1 WHEN ({0}) IS NULL THEN 1 ELSE 0 END"
    db = sqlite3.connect(":memory:")
    steps = iter(range(MAX_PROBE_STEPS))
    db.set_progress_handler(lambda: next(steps, None) is None, 1_000)
    try:
        db.execute(
            f"CREATE TABLE {quote(table)} ("
            + ", ".join(
                f"{quote(name)} {declared}"
                + (f" DEFAULT ({defaults[name]})" if name in defaults else "")
                for name, declared in columns
            )
            + ")"
        )
        if used:
            db.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, used))})"
                f" VALUES ({', '.join('?' for _ in used)})",
                itertools.product(*values),
            )
        else:
            db.execute(f"INSERT INTO {quote(table)} DEFAULT VALUES")
        verdicts = f"({passes.format(first)})", f"({passes.format(second)})"
        counted = (
            " <> ".join(verdicts) if how == "differ" else "{} = 1 AND {} = 0".format(*verdicts)
        )
        # The row as a message shows it: the probed columns, and those at their default.
        shown = _named_columns(f"{first} {second}", columns)
        row = db.execute(
            f"SELECT {', '.join(map(quote, shown)) or 1} FROM {quote(table)} WHERE {counted}"
            " ORDER BY rowid LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError as error:
        if str(error) == "interrupted":  # the progress handler stopped it
            return Refusal(
                unjudged="takes too long to try on every combination of values — write each"
                " rule as a CHECK of its own"
            )
        return Refusal(
            unjudged=f"cannot be tried here (SQLite says: {error}) — use SQLite's own functions"
            " and operators only"
        )
    except (sqlite3.Error, OverflowError, ValueError) as error:
        return Refusal(unjudged=f"cannot be tried here ({type(error).__name__}: {error})")
    finally:
        db.close()
    return None if row is None else Refusal(tuple(zip(shown, row, strict=False)))


def _probe_values(affinity: str, numbers: set[float], texts: set[str]) -> list[Any]:
    """The values one column takes in the probe rows, NULL first."""
    around = {sign * number + step for number in numbers for sign in (1, -1) for step in (-1, 0, 1)}
    integers = set(TYPICAL_INTEGERS)
    integers |= {int(bound(value)) for value in around for bound in (math.floor, math.ceil)}
    reals = {float(value) for value in integers} | set(TYPICAL_REALS)
    reals |= {value + step for value in around for step in (-0.5, 0.5)}
    # The reals just either side of each constant: `price > 0` is not `price >= 0.5`.
    reals |= {
        math.nextafter(sign * number, towards)
        for number in numbers
        for sign in (1, -1)
        for towards in (-math.inf, math.inf)
    }
    strings = set(TYPICAL_TEXTS) | texts
    strings |= {text + "a" for text in texts} | {text[:-1] for text in texts if text}
    # Lengths: `length(name) > 3` needs names of 2, 3 and 4 characters.
    strings |= {"x" * size for size in integers if 0 <= size <= 64}
    if affinity == "INTEGER":
        chosen: list[Any] = sorted(integers)
    elif affinity == "REAL":
        chosen = sorted(integers | reals)
    elif affinity == "TEXT":
        # Longest first: the first row a rule refuses is the one a message shows, and
        # `start = '2030-01-01T10:00:00Z'` reads better than `start = '-2'`.
        chosen = sorted(strings, key=lambda text: (-len(text), text)) + sorted(integers | reals)
    else:
        chosen = sorted(integers | reals) + sorted(strings)
    return [None, *chosen]


def row_differences(before: Table, after: Table, actor: str) -> list[str]:
    """Rows lost, added or changed, compared on the columns both versions of the table have."""
    if not before.row_columns or not after.row_columns:
        return []
    problems = []
    lost = [key for key in before.rows if key not in after.rows]
    added = [key for key in after.rows if key not in before.rows]
    if lost:
        problems.append(f"{actor} lost {count(len(lost), before.name)} (ids {ids(lost)})")
    if added:
        problems.append(f"{actor} added {count(len(added), before.name)} (ids {ids(added)})")
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
        one, many = NOUNS.get(before.name, ("row", "rows"))
        line = f"{actor} changed {one} {key}: {name} {show(was)} → {show(now)}"
        if len(changed) > 1:
            line += f" (and {len(changed) - 1:,} more {many})"
        problems.append(line)
    return problems


def first_statement(sql: str, width: int = 50) -> str:
    return shorten(sql, width)
