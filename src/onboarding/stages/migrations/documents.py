"""Stage 03's documents, checked against the learner's project.

- `docs/db-migration-plan.md` names the real revision ids, the command that undoes the
  revision, verification queries that really give the results it states, and the SQL that
  `alembic upgrade --sql` prints for the revision, quoted for review;
- `docs/tsd.md`'s data model (written in stage 02) lists the tables and columns the migrations
  create.

Each function returns one sentence per mismatch, quoting both sides, and an empty list when the
document agrees with the project.
"""

from __future__ import annotations

import io
import re
import sqlite3
from dataclasses import dataclass

from onboarding.artefacts.alembic_history import History
from onboarding.artefacts.data_model import family, read_data_model
from onboarding.artefacts.markdown import (
    BRACKET_PLACEHOLDER,
    code_fences,
    course_template,
    fenced_blocks,
    lines_with_code,
    markdown_lines,
    section_source,
    tables,
    without_template_examples,
)
from onboarding.artefacts.quantities import with_digits
from onboarding.protocol import shorten
from onboarding.stages.migrations.schema import VERSION_TABLE, Column, Snapshot, Table

PLAN = "docs/db-migration-plan.md"
TSD = "docs/tsd.md"
ROLLBACK_SECTION = "Rollback plan"
QUERIES_SECTION = "Verification queries"
REVIEW_SECTION = "SQL for review"
SQL_FENCES = ("sql", "sqlite", "sqlite3")
SQL_KEYWORDS = frozenset(
    "ALTER ANALYZE ATTACH BEGIN COMMIT CREATE DELETE DETACH DROP END INSERT PRAGMA REINDEX"
    " RELEASE REPLACE ROLLBACK SAVEPOINT SELECT UPDATE VACUUM WITH".split()
)
"""The words an SQL statement starts with in SQLite."""
DOWNGRADE = re.compile(
    r"(?P<command>(?:alembic\b[^`\n]*?\bdowngrade|python(?:3(?:\.\d+)?)? -m \w+\.migrate\b[^`\n]*?"
    r"--downgrade(?:-to)?)[ =](?:--\s+)?(?P<target>[^\s`]+))"
)
NO_ROWS = {"no rows", "no row", "none", "empty", "nothing", "no results"}
NO_ROWS_SAID = re.compile(
    r"^(?:(?:no|zero|0)\s+(?:rows?|results?|records?|output|lines?)|empty|nothing)\b"
)
"""Other ways of saying that a query returns nothing: `0 rows`, `no rows returned`, `empty set`."""
ROW_COUNT = re.compile(r"^(?P<count>\d[\d,]*)\s+rows?\b")
"""`3 rows`, `one row`: how many rows the query returns, whatever they hold."""
TRUTH_VALUES = {"true": 1, "false": 0, "yes": 1, "no": 0}
"""SQLite answers a comparison (`SELECT count(*) = 0 …`) or an `EXISTS (…)` with 1 or 0."""
NOTE_AFTER_VALUE = re.compile(r"\s*(?::\s|\s[—–-]\s).*$|\s*\([^()]*\)$")
"""A note after the value an expected result names: `0002: the head`, `0 — all live`,
`true (1)`."""
EXPLAIN_QUERY_PLAN = re.compile(r"(?i)^\s*EXPLAIN\s+QUERY\s+PLAN\b")
ALSO_TITLED = {
    "rollback plan": re.compile(r"\broll(?:ing)?[ -]?back\b", re.IGNORECASE),
    "verification queries": re.compile(r"\bverif", re.IGNORECASE),
    "sql for review": re.compile(r"\bsql\b", re.IGNORECASE),
}
"""Other headings a section goes by, when no heading says its template name."""
ALEMBIC_VERSION = Table(
    VERSION_TABLE, "", (Column("version_num", "VARCHAR(32)", True, None, True),), frozenset()
)
"""The table Alembic records the database's revision in, as it creates it."""
ANY_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


TEMPLATES = ("templates/db-migration-plan.md", "templates/deployment-checklist.md")
"""The templates of the documents read here: their collapsed examples are not the writer's."""


def _templates() -> str:
    return "\n".join(course_template(template) for template in TEMPLATES)


# --- The migration plan ---------------------------------------------------------------------------


def revision_id_problems(plan: str, history: History, file: str = PLAN) -> list[str]:
    """The plan's `Migration id(s)` field names the project's newest revision, and only real ones."""
    value = _header_field(plan, "migration id")
    yours = history.head.id
    if value is None:
        return [
            f"{file} has no `Migration id(s)` row in its header table; your revision is {yours}"
        ]
    if BRACKET_PLACEHOLDER.search(value) or not value.strip():
        shown = shorten(value.replace("`", ""), 40)
        return [f"the plan's Migration id(s) is still “{shown}”; your revision is {yours}"]
    quoted = "`" in value
    tokens = [token for token in _tokens(value) if _names_an_id(token, quoted)]
    named = [_revision_named(token, history) for token in tokens]
    problems = [
        f"the plan names revision `{token}`, but your migrations/versions/ has only "
        f"{', '.join(history.ids)}"
        for token, found in zip(tokens, named, strict=True)
        if found is None
    ]
    if yours not in named:
        problems.append(
            f"the plan's Migration id(s) is “{shorten(value.replace('`', ''), 40)}”; it should"
            f" name your revision"
            f" {yours} ({history.head.path})"
        )
    return problems


def _header_field(text: str, label: str) -> str | None:
    """The value of the header table's row `label` (`**Migration id(s)**` too), or of a line
    `Migration id(s): …` when the header is a list."""
    for rows in tables(text):
        for row in rows:
            cells = list(row.values())
            if len(cells) >= 2 and cells[0].strip("*_` ").lower().startswith(label):
                return cells[1]
    for line in markdown_lines(text):
        written = re.match(
            rf"^\s*(?:[-*+]\s+)?[*_`]*{re.escape(label)}[^:|\n]*?:[*_`]*\s*(?P<value>.+)$",
            line,
            re.IGNORECASE,
        )
        if written:
            return written["value"].strip()
    return None


def _tokens(value: str) -> list[str]:
    quoted = re.findall(r"`([^`]+)`", value)
    words = quoted or re.split(r"[,;\s]+(?:and\s+)?", value)
    return [_unwrapped(word) for word in words if _unwrapped(word)]


def _unwrapped(word: str) -> str:
    """A word without the punctuation or emphasis around it: `(0002)`, `0002.`, `0002,` and
    `**0002**` are 0002."""
    return word.strip().strip(".,;:()[]{}\"'*_~")


def _names_an_id(token: str, quoted: bool) -> bool:
    """Whether a token of the Migration id(s) field is meant as a revision id.

    In backticks, it is. Outside them, words around an id describe it (`0002 (cancelled
    state)`, `revision 0002`): only a word with a digit in it, as generated ids have, is taken
    as an id.
    """
    return quoted or re.search(r"\d", token) is not None


def _revision_named(token: str, history: History) -> str | None:
    """The revision a token names: its id, or its file name (`0002_cancelled_state.py`)."""
    token = token.removesuffix(".py").rsplit("/", 1)[-1]
    for revision_id in history.ids:
        if token == revision_id or token.startswith(f"{revision_id}_"):
            return revision_id
    return None


def rollback_problems(plan: str, history: History, file: str = PLAN) -> list[str]:
    """The rollback plan gives a command that undoes the newest revision, and only it."""
    return downgrade_command_problems(plan, ROLLBACK_SECTION, history, file)


def downgrade_command_problems(
    text: str, heading: str, history: History, document: str
) -> list[str]:
    """A section of a document names the command that undoes the project's newest revision.

    `alembic downgrade 0001`, `alembic downgrade -1` and the migration job's own option
    (`python -m booking_service.migrate --downgrade 0001`) all count.
    """
    # A command is often written in a code block: read the section's blocks too.
    body = _section_like(text, heading, with_code=True)
    if body is not None:
        # The template's examples and placeholders name commands of another project; a block
        # the writer folded is their own text.
        body = BRACKET_PLACEHOLDER.sub("", without_template_examples(body, _templates()))
    head = history.head
    wanted = head.down_revision
    undo = f"`alembic downgrade {wanted or 'base'}` (or `alembic downgrade -1`)"
    if body is None:
        return [
            f"{document} has no `## {heading}` section; undoing your revision {head.id} is {undo}"
        ]
    commands = DOWNGRADE.findall(body)
    if not commands:
        return [
            f"the {heading} gives no downgrade command; undoing your revision {head.id} is {undo}"
        ]
    problems = []
    for written, written_target in commands:
        # A command at the end of a sentence: `… alembic downgrade 0001.` targets 0001.
        target = written_target.strip(".,;:)]\"'")
        command = written[: len(written) - len(written_target)] + target
        try:
            lands_on = history.resolve(target, current=head.id)
        except ValueError as error:
            problems.append(f"the {heading} says `{shorten(command, 60)}`: {error}")
            continue
        if lands_on == wanted:
            return []
        undone = history.ids[history.ids.index(lands_on) + 1 :] if lands_on else history.ids
        what = "nothing" if lands_on == head.id else "revisions " + ", ".join(undone)
        extra = " (every table dropped)" if lands_on is None else ""
        problems.append(
            f"the {heading} says `{shorten(command, 60)}`, which undoes {what}{extra}; undoing"
            f" your revision {head.id} is {undo}"
        )
    return problems[:1]


def _section_like(text: str, heading: str, with_code: bool = False) -> str | None:
    """The body of a document's section `heading`, however its heading is written.

    `## heading` first; else a heading of level 2 to 6 that contains its name (`### Rollback
    plan` under another section) or another name it goes by (`## Rolling back`), level 2
    first. Code blocks are left out unless `with_code`.
    """
    found = section_source(text, heading)
    if found is None:
        wanted = heading.lower()
        also = ALSO_TITLED.get(wanted)
        matching = [
            (level != 2, position, body)
            for position, (level, title, body) in enumerate(_sections_at_every_level(text))
            if level >= 2 and (wanted in title.lower() or (also and also.search(title)))
        ]
        found = min(matching)[2] if matching else None
    if found is None or with_code:
        return found
    return "\n".join(markdown_lines(found))


def _sections_at_every_level(text: str) -> list[tuple[int, str, str]]:
    """(level, title, body with its code blocks) of every heading outside code blocks; a body
    runs to the next heading of the same level or above. A Setext heading (`Rolling back` over
    `---`) is a heading as its `## ` form is."""
    read = lines_with_code(text)
    lines = [line for line, _ in read]
    headings = []
    for position, (line, in_code) in enumerate(read):
        heading = None if in_code else ANY_HEADING.match(line)
        if heading:
            headings.append((position, len(heading["marks"]), heading["title"]))
    found = []
    for number, (position, level, title) in enumerate(headings):
        end = next((at for at, deeper, _ in headings[number + 1 :] if deeper <= level), len(lines))
        found.append((level, title, "\n".join(lines[position + 1 : end])))
    return found


@dataclass(frozen=True)
class Query:
    sql: str
    expected: str


def verification_queries(plan: str, file: str = PLAN) -> list[Query] | str:
    """The plan's verification queries; a string says why there are none to run."""
    body = _section_like(plan, QUERIES_SECTION)
    if body is None:
        return f"{file} has no `## {QUERIES_SECTION}` section"
    queries = []
    for rows in tables(without_template_examples(body, _templates())):
        headers = {header.lower(): header for header in (rows[0] if rows else {})}
        sql_header = next((h for k, h in headers.items() if "query" in k or "sql" in k), None)
        expected_header = next((h for k, h in headers.items() if "expect" in k), None) or next(
            (
                h
                for k, h in headers.items()
                if h != sql_header and re.search(r"result|return|output|should", k)
            ),
            None,
        )
        if sql_header is None or expected_header is None:
            continue
        for row in rows:
            # A pipe in a table cell is written `\|`, in code too; the reader sees `|`.
            cell, expected = (
                row[header].replace("\\|", "|") for header in (sql_header, expected_header)
            )
            sql = " ".join(re.findall(r"`([^`]+)`", cell)) or cell
            queries.append(Query(sql.strip(), expected.strip()))
    if not queries:
        return f"the {QUERIES_SECTION} section has no table with a Query and an Expected column"
    return queries


def query_problems(plan: str, migrated: sqlite3.Connection, file: str = PLAN) -> list[str]:
    """Each verification query runs on the migrated database and gives what the plan expects."""
    queries = verification_queries(plan, file)
    if isinstance(queries, str):
        return [queries]
    problems = []
    for query in queries:
        if BRACKET_PLACEHOLDER.search(query.sql) or BRACKET_PLACEHOLDER.search(query.expected):
            problems.append(
                f"the {QUERIES_SECTION} table still has the template's row `{shorten(query.sql, 30)}`"
            )
            continue
        shown = f"`{shorten(query.sql, 60)}`"
        try:
            rows = migrated.execute(query.sql).fetchall()
            if EXPLAIN_QUERY_PLAN.match(query.sql):
                # A plan's row is (id, parent, notused, detail): people quote the detail.
                rows = [(row[-1],) for row in rows]
        except sqlite3.OperationalError as error:
            if "readonly" in str(error):
                problems.append(f"{shown} changes the database: a verification query only reads")
            else:
                problems.append(f"{shown} fails on your migrated database: {error}")
            continue
        except sqlite3.Error as error:
            problems.append(f"{shown} fails on your migrated database: {error}")
            continue
        if not _as_expected(rows, query.expected) and not (
            EXPLAIN_QUERY_PLAN.match(query.sql)
            and any(_as_expected([row], query.expected) for row in rows)
        ):
            problems.append(f"{shown} returned {_shown(rows)}; the plan expects {query.expected}")
    return problems


def _as_expected(rows: list[tuple], expected: str) -> bool:
    """Whether the rows are what the expected text says, with or without the note after the
    value it names (`true (1)`, `0: every booking is live`, `` `0002` — the head ``)."""
    whole = " ".join(expected.replace("`", "").split()).strip().rstrip(".")
    said = [whole]
    without_note = NOTE_AFTER_VALUE.sub("", whole).strip()
    if without_note and without_note != whole:
        said.append(without_note)
    return any(_said(rows, text, expected) for text in said)


def _said(rows: list[tuple], text: str, expected: str) -> bool:
    """Whether the rows are what one reading of the expected text (`text`) says."""
    text = text.lower()
    values = [value for row in rows for value in row]
    if len(values) == 1 and str(values[0]).lower() in _texts_said(expected) | _texts_said(text):
        return True
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    # "two hundred", "one row", "zero rows": a number in words is the same number.
    text = with_digits(text)
    if text in NO_ROWS or NO_ROWS_SAID.match(text):
        return not rows or values in ([0], [None])
    counted = ROW_COUNT.match(text)
    # One number in one row is a count or a sum: "1 row" says nothing about it, so its value is
    # what the plan must expect.
    an_aggregate = len(values) == 1 and isinstance(values[0], int | float)
    if counted and not an_aggregate:
        return len(rows) == int(counted["count"].replace(",", ""))
    if text in TRUTH_VALUES:
        return len(values) == 1 and isinstance(values[0], int) and values[0] == TRUTH_VALUES[text]
    if len(rows) == 1 and len(rows[0]) > 1:
        # One row of several values, written as the sqlite3 shell prints it (`0|10000`) or as a
        # tuple (`(0, 10000)`): a comma inside a number (10,000) has no space after it.
        parts = re.split(r"\s*\|\s*" if "|" in text else r",\s+", text)
        return len(parts) == len(rows[0]) and all(
            _value_said(value, part) for value, part in zip(rows[0], parts, strict=True)
        )
    first = text.split(" ")[0].rstrip(",;:")
    if re.fullmatch(r"-?\d+(\.\d+)?", first.replace(",", "")):
        number = float(first.replace(",", ""))
        return len(values) == 1 and isinstance(values[0], int | float) and values[0] == number
    return len(values) == 1 and str(values[0]).lower() == text.strip("'\"")


def _value_said(value: object, part: str) -> bool:
    """Whether one value of a row is the text written for it: `0`, `'ok'`, `null`, `10,000`."""
    part = part.strip().strip("'\"")
    if value is None:
        return part in ("null", "none")
    if isinstance(value, int | float) and re.fullmatch(r"-?\d[\d,]*(\.\d+)?", part):
        return value == float(part.replace(",", ""))
    return str(value).lower() == part


def _texts_said(expected: str) -> set[str]:
    """The values an expected result names: all of it (`ok`), or the part before a note in
    brackets (`` `0002` (this revision) ``, `0002 (head)`), in any case and without the quotes
    around it."""
    whole = " ".join(expected.replace("`", "").split()).strip().rstrip(".")
    said = {whole, re.sub(r"\s*\([^()]*\)$", "", whole)}
    return {text.strip().rstrip(".").strip("'\"").lower() for text in said}


def _shown(rows: list[tuple]) -> str:
    if not rows:
        return "no rows"
    if len(rows) == 1 and len(rows[0]) == 1:
        return repr(rows[0][0])
    shown = ", ".join(repr(tuple(row)) for row in rows[:3])
    return f"{len(rows)} {'row' if len(rows) == 1 else 'rows'} ({shown}{', …' if len(rows) > 3 else ''})"


def open_read_only(source: sqlite3.Connection) -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:")
    source.backup(copy)
    copy.execute("PRAGMA query_only = ON")
    return copy


# --- The SQL for review ---------------------------------------------------------------------------


def review_sql(history: History, revisions: str, direction: str = "upgrade") -> str:
    """What `alembic upgrade REVISIONS --sql` prints for the learner's project (or `alembic
    downgrade`, with `direction="downgrade"` and REVISIONS such as `0002:0001`).

    Some correct revisions cannot be printed without a database: batch mode rebuilding a table
    (`batch_alter_table(…, recreate="always")`, or a change SQLite cannot make in place) reads
    the table back first, and a revision may read data to decide what to do (the downgrade that
    refuses while a booking is cancelled). For those, the SQL is what the revisions run on an
    empty database at the revision they start from: the same statements `--sql` prints when it
    can (`copy_from=` gives batch mode the table instead of a database).
    """
    from alembic import command

    config = history.config()
    config.attributes["configure_logger"] = False
    config.output_buffer = io.StringIO()
    try:
        getattr(command, direction)(config, revisions, sql=True)
    except Exception:  # noqa: BLE001 - the revision may need a database; the run below says
        return sql_run_on_a_database(history, revisions, direction)
    return config.output_buffer.getvalue()


NEEDS_A_DATABASE = "-- Run on a database: "
"""How `sql_run_on_a_database` starts what it prints, so that a reader can tell."""


def sql_run_on_a_database(history: History, revisions: str, direction: str = "upgrade") -> str:
    """The statements that change something, as `alembic DIRECTION` over REVISIONS (`A:B`, or
    `B` from nothing) runs them on an empty in-memory database, in the shape `--sql` prints.

    An error of the learner's revision propagates, as it would from `alembic upgrade`.
    """
    from onboarding.stages.migrations.scenarios import WRITES, first_keyword, run_alembic

    start, _, end = revisions.rpartition(":")
    ran: list[str] = []

    def keep(sql: str) -> None:
        # Reading the table back (SELECT, PRAGMA table_info) and BEGIN/COMMIT are not the change.
        if first_keyword(sql) in WRITES:
            ran.append(sql.strip().rstrip(";"))

    db = sqlite3.connect(":memory:")
    try:
        if start and start != "base":
            run_alembic(history, db, "upgrade", start)
        db.set_trace_callback(keep)
        run_alembic(history, db, direction, end)
    finally:
        db.close()
    note = (
        f"{NEEDS_A_DATABASE}`alembic {direction} {revisions} --sql` cannot print this SQL alone:"
        "\n-- the revision reads the database (batch mode reads back the table it rebuilds, or a"
        f"\n-- query decides what to do). This is what it runs on an empty database at"
        f" {start or 'base'}."
    )
    body = "".join(f"{statement};\n\n" for statement in ran)
    return f"{note}\n\nBEGIN;\n\n{body}COMMIT;\n"


def statements(sql: str) -> list[str]:
    """The statements of an SQL text, normalised, without transactions and Alembic's own table."""
    text = re.sub(r"--[^\n]*", "", sql)
    # Pasted from a terminal or the notebook's review_sql(): the command typed, and the lines
    # Alembic logs beside the SQL, are not SQL.
    text = re.sub(r"(?m)^\s*(?:\$ .*|INFO\s+\[alembic[^\n]*)$", "", text)
    found = []
    for statement in text.split(";"):
        flat = " ".join(statement.split())
        if not flat or re.fullmatch(r"(?i)(begin|commit)( transaction)?", flat):
            continue
        if "alembic_version" in flat.lower():
            continue
        found.append(flat)
    return found


def _review_blocks(plan: str) -> list[str]:
    """The SQL the plan quotes for review: the code blocks of its SQL for review section, or,
    when that section quotes none, of the whole plan.

    A block marked as SQL (```sql, SQLite's own ```sqlite / ```sqlite3) counts whatever it
    holds. The language tag is the writer's choice, so a block marked otherwise, or not at all
    (```text, as the template's example is), counts when all it holds is SQL: a block of shell
    commands or of notes is not the review. The template's collapsed examples are not the
    writer's SQL.
    """
    section = _section_like(plan, REVIEW_SECTION, with_code=True)
    for text in (section, plan):
        blocks = _sql_blocks(text or "")
        if blocks:
            return blocks
    return []


def _sql_blocks(text: str) -> list[str]:
    marked = [block for language in SQL_FENCES for block in fenced_blocks(text, language)]
    unmarked = [
        block
        for fence in code_fences(without_template_examples(text, _templates()))
        if fence.language not in SQL_FENCES and _only_sql(block := "\n".join(fence.lines))
    ]
    return marked + unmarked


def _only_sql(block: str) -> bool:
    found = statements(block)
    return bool(found) and all(
        re.match(r"[A-Za-z]+", statement) and statement.split()[0].upper() in SQL_KEYWORDS
        for statement in found
    )


TABLE_CONSTRAINT = re.compile(r"(?i)(constraint|primary\s+key|foreign\s+key|unique|check)\b")
"""The start of a table constraint in CREATE TABLE, as opposed to a column."""


def _comparable(statement: str) -> str:
    """A statement as the comparison sees it: in any letter case, quotes or not, and with a
    CREATE TABLE's constraints in any order.

    Batch mode rebuilds a table with its constraints in the order SQLAlchemy finds them in a
    set, which changes from one run to the next; SQLite does not care about their order.
    """
    text = " ".join(statement.lower().replace('"', "").split())
    table = re.fullmatch(r"(create (?:temp(?:orary)? )?table [^(]+)\((.*)\)(.*)", text)
    if table is None:
        return text
    items = [item.strip() for item in _top_level_items(table[2])]
    columns = [item for item in items if not TABLE_CONSTRAINT.match(item)]
    constraints = sorted(item for item in items if TABLE_CONSTRAINT.match(item))
    return f"{table[1].strip()} ({', '.join(columns + constraints)}){table[3]}"


def _top_level_items(body: str) -> list[str]:
    """The comma-separated parts of a text, outside brackets and quotes."""
    items, current, depth, quote = [], [], 0, None
    for character in body:
        if quote:
            quote = None if character == quote else quote
        elif character in "'`[":
            quote = "]" if character == "[" else character
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(character)
    items.append("".join(current))
    return items


def review_sql_problems(plan: str, history: History, file: str = PLAN) -> list[str]:
    """The plan quotes, in an ```sql block, what `alembic upgrade --sql` prints for the revision."""
    head = history.head
    revisions = f"{head.down_revision}:{head.id}" if head.down_revision else head.id
    command = f"alembic upgrade {revisions} --sql"
    try:
        printed = review_sql(history, revisions)
        expected = statements(printed)
        everything = statements(review_sql(history, f"base:{head.id}"))
    except Exception as error:  # noqa: BLE001 - the learner's revision may fail offline
        return [
            f"`{command}` fails for your revision: {type(error).__name__}: {shorten(str(error), 100)}"
        ]
    quoted = [s for block in _review_blocks(plan) for s in statements(block)]
    if not quoted:
        return [
            f"{file} quotes no SQL in a code block; paste what `{command}` prints, for review,"
            f" under `## {REVIEW_SECTION}`"
        ]
    have = {_comparable(statement) for statement in quoted}
    known = {_comparable(statement) for statement in everything + _undoing(history)}
    # A revision that reads the database cannot be printed by the command alone: say where the
    # SQL comes from, so that the learner does not run a command that fails.
    source = (
        "your revision runs (review_sql() prints it)"
        if printed.startswith(NEEDS_A_DATABASE)
        else f"`{command}` prints"
    )
    problems = [
        f"the plan's SQL lacks `{shorten(statement, 70)}`, which {source}"
        for statement in expected
        if _comparable(statement) not in have
    ]
    problems += [
        f"the plan quotes `{shorten(statement, 70)}`, which your revisions do not run: paste"
        f" what `{command}` prints now"
        for statement in quoted
        if _comparable(statement) not in known
    ]
    return problems


def _undoing(history: History) -> list[str]:
    """What the downgrades print (`alembic downgrade HEAD:base --sql`): a plan may quote its
    rollback's SQL for review too. [] when a downgrade cannot run: the rollback's check says so.
    """
    try:
        return statements(review_sql(history, f"{history.head.id}:base", "downgrade"))
    except Exception:  # noqa: BLE001 - the learner's downgrade may raise anything
        return []


# --- The TSD's data model -------------------------------------------------------------------------


def data_model_problems(tsd: str, schema: Snapshot) -> list[str]:
    """The TSD's data model lists every table and column the migrations create, with their types."""
    body = _section_like(tsd, "Data model")
    if body is None:
        return [f"{TSD} has no `## Data model` section"]
    documented = read_data_model(body)
    if not documented:
        return [
            "the TSD's Data model section lists no tables and columns (a table with Table,"
            " Column and Type headers, as in templates/tsd.md)"
        ]
    problems = []
    built = {name: table for name, table in schema.tables.items()}
    if _lookup(documented, VERSION_TABLE) is not None:
        # Alembic's own table is in the same database; a TSD may list it, but need not.
        built[VERSION_TABLE] = ALEMBIC_VERSION
    for name, table in built.items():
        listed = _lookup(documented, name)
        if listed is None:
            columns = ", ".join(column.name for column in table.columns)
            problems.append(
                f"your migrations create table {name} ({columns}); the TSD's data model does not"
                " list it"
            )
            continue
        for column in table.columns:
            described = _lookup(listed, column.name)
            if described is None:
                problems.append(
                    f"your migrations create {name}.{column.name} ({column.type}); the TSD's data"
                    " model does not list it"
                )
            elif described and family(described) and family(described) != family(column.type):
                problems.append(
                    f"the TSD says {name}.{column.name} is {described}; your migrations make it"
                    f" {column.type}"
                )
        for column in listed:
            if (
                table.column(column) is None
                and _lookup({c.name: 1 for c in table.columns}, column) is None
            ):
                problems.append(
                    f"the TSD lists {name}.{column}, which your migrations do not create"
                    f" ({name} has {', '.join(c.name for c in table.columns)})"
                )
    for name in documented:
        if _lookup(built, name) is None:
            problems.append(f"the TSD lists table {name}, which your migrations do not create")
    return problems


def _lookup(mapping: dict, name: str):
    return next((value for key, value in mapping.items() if key.lower() == name.lower()), None)
