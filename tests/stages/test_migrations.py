"""Stage 03, exercise 03.1: each kind of wrong Alembic revision gets its own specific finding."""

from __future__ import annotations

import sqlite3
import textwrap
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from onboarding import project
from onboarding.checks import Given, evaluate
from onboarding.protocol import Outcome
from onboarding.stages.migrations import checks, scenarios, schema
from onboarding.stages.migrations.checks import REVISION

# The scenarios do not depend on the size; a small database keeps the tests fast. One test
# runs the real size.
BOOKINGS = 300
KEYS = ["applies", "schema", "rows", "rollback", "refusal", "rerun", "failure", "own_files"]
LEARNERS = "migrations/versions/0002_cancelled_state.py"

REF_UP = """
op.add_column(
    "bookings",
    sa.Column("cancelled", sa.Integer(),
              sa.CheckConstraint("cancelled IN (0, 1)", name="ck_bookings_cancelled"),
              nullable=False, server_default=sa.text("0")),
)
op.add_column("bookings", sa.Column("cancelled_at", sa.Text(), nullable=True))
op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
"""
REF_DOWN = """
cancelled = op.get_bind().execute(
    sa.text("SELECT count(*) FROM bookings WHERE cancelled = 1")).scalar_one()
if cancelled:
    raise RuntimeError(f"{cancelled} cancelled booking(s)")
op.drop_index("idx_bookings_room_time", table_name="bookings")
op.drop_column("bookings", "cancelled_at")
op.drop_column("bookings", "cancelled")
"""
ADD_COLUMNS = """
op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=False,
                                    server_default=sa.text("0")))
op.add_column("bookings", sa.Column("cancelled_at", sa.Text()))
"""


def revision(upgrade: str, downgrade: str = REF_DOWN, revision_id: str = "0002") -> str:
    def body(code: str) -> str:
        return textwrap.indent(textwrap.dedent(code).strip() or "pass", "    ")

    return (
        '"""The learner\'s revision."""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "{revision_id}"\ndown_revision = "0001"\n\n\n'
        f"def upgrade():\n{body(upgrade)}\n\n\ndef downgrade():\n{body(downgrade)}\n"
    )


def workspace_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A workspace whose project is the course's at the end of stage 03, with `files` changed."""
    workspace = tmp_path / "workspace"
    root = project.locate(workspace)
    project.write_files(root, {**project.reference("03"), **files}, overwrite=True)
    return workspace


def verdicts(
    tmp_path: Path, upgrade: str = REF_UP, downgrade: str = REF_DOWN, bookings: int = BOOKINGS
) -> dict[str, Outcome]:
    """Every expectation of 03.1, each judged on its own (none blocks another)."""
    workspace = workspace_with(tmp_path, {LEARNERS: revision(upgrade, downgrade)})
    given = Given(workspace=workspace, bookings=bookings)
    return {
        key: evaluate(expectation.text, lambda e=expectation: e.run(given), expectation.hint)
        for key, expectation in zip(KEYS, REVISION, strict=True)
    }


def failed(results: dict[str, Outcome]) -> dict[str, str]:
    return {key: result.found for key, result in results.items() if not result.passed}


# --- The model answer, and other right answers -----------------------------------------------------


def test_the_model_revision_passes_every_expectation_on_10000_bookings(tmp_path):
    workspace = workspace_with(tmp_path, {})
    given = Given(workspace=workspace)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in REVISION]
    assert [r.found for r in results if not r.passed] == []
    assert "10,000 bookings" in results[0].text


def test_a_later_stages_revision_leaves_stage_03s_verdict_as_it_was(tmp_path):
    """The capstone adds 0003 after the learner's 0002; 03.1 still judges 0002 alone."""
    workspace = tmp_path / "workspace"
    root = project.locate(workspace)
    project.write_files(root, project.reference("10"), overwrite=True)
    assert (root / "migrations" / "versions" / "0003_booking_series.py").is_file()
    given = Given(workspace=workspace)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in REVISION]
    assert [r.found for r in results if not r.passed] == []
    assert (root / "migrations" / "versions" / "0003_booking_series.py").is_file()


def test_batch_operations_and_a_partial_index_pass_too(tmp_path):
    """render_as_batch's style, and an index that leaves cancelled bookings out."""
    upgrade = """
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("cancelled", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
    op.create_index("ix_live_bookings", "bookings", ["room_id", "start", "end"],
                    sqlite_where=sa.text("cancelled = 0"))
    """
    downgrade = """
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM bookings WHERE cancelled = 1 LIMIT 1")).first():
        raise ValueError("cancelled bookings exist")
    op.drop_index("ix_live_bookings", table_name="bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("cancelled")
    """
    assert failed(verdicts(tmp_path, upgrade, downgrade)) == {}


def test_a_batch_rebuild_of_the_whole_table_passes(tmp_path):
    """`recreate="always"` copies bookings into a new table with its constraints (03.2 then
    holds the plan to the rebuild's SQL, which `--sql` alone cannot print)."""
    upgrade = """
    with op.batch_alter_table("bookings", recreate="always") as batch:
        batch.add_column(sa.Column("cancelled", sa.Integer(), nullable=False,
                                   server_default=sa.text("0")))
        batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """
    assert failed(verdicts(tmp_path, upgrade)) == {}


@pytest.mark.parametrize(
    "columns",
    [
        '["room_id", "cancelled", "start", "end"]',
        '["room_id", "start", "end", "cancelled"]',
        '["room_id", "start"]',
        # The other half of the time test: a jump to the room's bookings that end after the
        # slot starts narrows the search as much as one to those that start before it ends.
        '["room_id", "end", "start"]',
        '["room_id", "end"]',
    ],
)
def test_any_index_the_overlap_query_searches_by_room_then_time_passes(tmp_path, columns):
    """Judged by EXPLAIN QUERY PLAN: room_id=? and then start<?, whatever else it holds."""
    upgrade = ADD_COLUMNS + f'op.create_index("ix_overlap", "bookings", {columns})\n'
    downgrade = REF_DOWN.replace("idx_bookings_room_time", "ix_overlap")
    assert failed(verdicts(tmp_path, upgrade, downgrade)) == {}


def test_raw_sql_with_a_separate_backfill_passes(tmp_path):
    upgrade = """
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")
    op.execute("UPDATE bookings SET cancelled = 0 WHERE cancelled IS NOT 0")
    op.execute('CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end")')
    """
    assert failed(verdicts(tmp_path, upgrade)) == {}


@pytest.mark.parametrize(
    ("cancelled_type", "cancelled_at_type"),
    [
        ("sa.SmallInteger()", "sa.String()"),
        ("sa.BigInteger()", "sa.String(length=32)"),
        # SQLite stores a boolean as the integer 0 or 1; SQLAlchemy declares it BOOLEAN.
        ("sa.Boolean()", "sa.Unicode(32)"),
    ],
)
def test_types_sqlite_stores_as_integer_and_as_text_pass(
    tmp_path, cancelled_type, cancelled_at_type
):
    """SQLite gives a column its storage by the words of its type: INT…, and CHAR/CLOB/TEXT."""
    upgrade = REF_UP.replace("sa.Integer()", cancelled_type).replace("sa.Text()", cancelled_at_type)
    assert failed(verdicts(tmp_path, upgrade)) == {}


@pytest.mark.parametrize(
    "cancelled_at",
    [
        'sa.Column("cancelled_at", sa.Text(), nullable=True, server_default=sa.text("NULL"))',
        'sa.Column("cancelled_at", sa.Text(), server_default=sa.null())',
    ],
)
def test_an_explicit_default_null_for_cancelled_at_passes(tmp_path, cancelled_at):
    """DEFAULT NULL gives a new booking NULL, as no default does."""
    upgrade = REF_UP.replace('sa.Column("cancelled_at", sa.Text(), nullable=True)', cancelled_at)
    assert failed(verdicts(tmp_path, upgrade)) == {}


def test_an_explicit_default_null_in_raw_sql_passes(tmp_path):
    upgrade = """
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT DEFAULT NULL")
    op.execute('CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end")')
    """
    assert failed(verdicts(tmp_path, upgrade)) == {}


REFUSE_WHILE_CANCELLED = """
if op.get_bind().execute(sa.text("SELECT count(*) FROM bookings WHERE cancelled")).scalar_one():
    raise RuntimeError("cancelled bookings exist")
"""
INDEX = 'op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])\n'


@pytest.mark.parametrize(
    ("upgrade", "downgrade"),
    [
        pytest.param(REF_UP.replace('sa.text("0")', "sa.false()"), REF_DOWN, id="default-sa-false"),
        pytest.param(
            REF_UP.replace('name="ck_bookings_cancelled"', 'name=op.f("ck_bookings_cancelled")'),
            REF_DOWN,
            id="check-constraint-named-with-op-f",
        ),
        pytest.param(
            REF_UP.replace(
                'sa.Integer(),\n              sa.CheckConstraint("cancelled IN (0, 1)",'
                ' name="ck_bookings_cancelled"),',
                'sa.Boolean(create_constraint=True, name="ck_bookings_cancelled"),',
            ).replace('sa.text("0")', "sa.false()"),
            REF_DOWN,
            id="boolean-with-its-constraint",
        ),
        pytest.param(
            """
            with op.batch_alter_table("bookings") as batch:
                batch.add_column(sa.Column("cancelled", sa.Integer(), nullable=False,
                                           server_default=sa.text("0")))
                batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
                batch.create_check_constraint("ck_bookings_cancelled", "cancelled IN (0, 1)")
            """
            + INDEX,
            REFUSE_WHILE_CANCELLED
            + textwrap.dedent("""
            op.drop_index("idx_bookings_room_time", table_name="bookings")
            with op.batch_alter_table("bookings") as batch:
                batch.drop_constraint("ck_bookings_cancelled", type_="check")
                batch.drop_column("cancelled_at")
                batch.drop_column("cancelled")
            """),
            id="create-check-constraint-in-batch-mode",
        ),
        pytest.param(
            """
            op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=False,
                                                server_default=sa.text("0")))
            op.add_column("bookings", sa.Column(
                "cancelled_at", sa.Text(),
                sa.CheckConstraint("cancelled = 1 OR cancelled_at IS NULL", name="ck_cancelled_at"),
            ))
            """
            + INDEX,
            REF_DOWN,
            id="a-check-that-ties-cancelled-at-to-cancelled",
        ),
        pytest.param(
            """
            op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=True))
            op.add_column("bookings", sa.Column("cancelled_at", sa.Text()))
            op.execute("UPDATE bookings SET cancelled = 0")
            with op.batch_alter_table("bookings") as batch:
                batch.alter_column("cancelled", existing_type=sa.Integer(), nullable=False,
                                   server_default=sa.text("0"))
            """
            + INDEX,
            REF_DOWN,
            id="nullable-backfill-then-not-null",
        ),
        pytest.param(
            """
            with op.batch_alter_table("bookings") as batch:
                batch.add_column(sa.Column("cancelled", sa.Integer(), nullable=False,
                                           server_default="0"))
                batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
                batch.create_index("idx_bookings_room_time", ["room_id", "start", "end"])
            """,
            REFUSE_WHILE_CANCELLED
            + textwrap.dedent("""
            with op.batch_alter_table("bookings") as batch:
                batch.drop_index("idx_bookings_room_time")
                batch.drop_column("cancelled_at")
                batch.drop_column("cancelled")
            """),
            id="index-in-batch-mode",
        ),
        pytest.param(
            ADD_COLUMNS
            + 'op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"],'
            " if_not_exists=True)\n",
            REF_DOWN.replace('table_name="bookings")', 'table_name="bookings", if_exists=True)'),
            id="if-not-exists-and-if-exists",
        ),
        pytest.param(
            ADD_COLUMNS + 'op.create_index("idx_bookings_room_time", "bookings",'
            ' ["room_id", "start", sa.text(\'"end" DESC\')])\n',
            REF_DOWN,
            id="index-with-a-descending-column",
        ),
        pytest.param(
            REF_UP,
            """
            if op.get_bind().execute(
                sa.text("SELECT EXISTS (SELECT 1 FROM bookings WHERE cancelled <> 0)")
            ).scalar():
                raise RuntimeError("cancelled bookings exist")
            op.execute(sa.text("DROP INDEX IF EXISTS idx_bookings_room_time"))
            op.execute("ALTER TABLE bookings DROP COLUMN cancelled_at")
            op.execute("ALTER TABLE bookings DROP COLUMN cancelled")
            """,
            id="downgrade-in-raw-sql",
        ),
        pytest.param(
            ADD_COLUMNS + INDEX,
            """
            bookings = sa.table("bookings", sa.column("cancelled"), sa.column("cancelled_at"))
            cancelled = op.get_bind().execute(
                sa.select(sa.func.count()).select_from(bookings).where(
                    sa.or_(bookings.c.cancelled == 1, bookings.c.cancelled_at.is_not(None)))
            ).scalar()
            if cancelled:
                raise Exception(f"{cancelled} cancelled bookings")
            op.drop_index(op.f("idx_bookings_room_time"), table_name="bookings")
            with op.batch_alter_table("bookings", recreate="always") as batch:
                batch.drop_column("cancelled_at")
                batch.drop_column("cancelled")
            """,
            id="downgrade-by-a-table-rebuild",
        ),
        pytest.param(
            """
            with op.batch_alter_table("bookings", recreate="always") as batch:
                batch.add_column(sa.Column("cancelled", sa.Integer(),
                                           sa.CheckConstraint("cancelled IN (0, 1)",
                                                              name="ck_bookings_cancelled"),
                                           nullable=False, server_default=sa.false()))
                batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
                batch.create_index("idx_bookings_room_time", ["room_id", "start", "end"])
            """,
            REFUSE_WHILE_CANCELLED
            + textwrap.dedent("""
            op.drop_index("idx_bookings_room_time", table_name="bookings")
            with op.batch_alter_table("bookings", recreate="always") as batch:
                # A rebuild keeps a named CHECK, so it must go before the column it names.
                batch.drop_constraint("ck_bookings_cancelled", type_="check")
                batch.drop_column("cancelled_at")
                batch.drop_column("cancelled")
            """),
            id="both-ways-by-a-table-rebuild-with-the-check",
        ),
    ],
)
def test_other_ways_of_writing_the_revision_pass(tmp_path, upgrade, downgrade):
    assert failed(verdicts(tmp_path, upgrade, downgrade)) == {}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda text: text.replace('revision = "0002"', 'revision = "a1b2c3d4e5f6"'), id="hex-id"
        ),
        pytest.param(
            lambda text: text.replace('down_revision = "0001"', 'down_revision = ("0001",)'),
            id="down-revision-as-a-tuple-of-one",
        ),
        pytest.param(
            # Alembic's own script template (1.13 and later) annotates the identifiers.
            lambda text: text.replace(
                'revision = "0002"\ndown_revision = "0001"',
                'revision: str = "0002"\n'
                'down_revision: Union[str, Sequence[str], None] = "0001"\n'
                "branch_labels: Union[str, Sequence[str], None] = None",
            ).replace("import sqlalchemy", "from typing import Sequence, Union\nimport sqlalchemy"),
            id="annotated-identifiers",
        ),
    ],
)
def test_revision_identifiers_of_other_styles_pass(tmp_path, change):
    text = change(revision(REF_UP, REF_DOWN))
    assert text != revision(REF_UP, REF_DOWN)
    workspace = workspace_with(tmp_path, {LEARNERS: text})
    given = Given(workspace=workspace, bookings=BOOKINGS)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in REVISION]
    assert [r.found for r in results if not r.passed] == []


# --- Schema mistakes ----------------------------------------------------------------------------


def test_a_missing_column_is_named(tmp_path):
    upgrade = """
    op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=False,
                                        server_default=sa.text("0")))
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"] == "column cancelled_at is missing"
    assert problems["rows"] == "column cancelled_at is missing, so its backfill cannot be checked"


def test_a_nullable_column_is_named(tmp_path):
    upgrade = REF_UP.replace("nullable=False", "nullable=True")
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"] == "column cancelled allows NULL — expected NOT NULL DEFAULT 0"
    assert "rows" not in problems


def test_a_wrong_default_is_named_and_the_backfill_too(tmp_path):
    upgrade = REF_UP.replace('sa.text("0")', 'sa.text("1")')
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"].startswith(
        "column cancelled has DEFAULT 1, so a new booking gets 1 — expected DEFAULT 0"
    )
    assert problems["rows"].startswith(
        f"cancelled is 1 in {BOOKINGS} bookings made before the revision (booking 1 is the"
        " first) — expected 0"
    )


@pytest.mark.parametrize("default", ["'0'", "FALSE", "(0)"])
def test_a_default_spelled_as_text_or_false_still_gives_0(tmp_path, default):
    upgrade = REF_UP.replace('sa.text("0")', f'sa.text("{default}")')
    assert failed(verdicts(tmp_path, upgrade)) == {}


def test_no_default_with_an_update_backfill_is_nullable_and_has_no_default(tmp_path):
    upgrade = """
    op.add_column("bookings", sa.Column("cancelled", sa.Integer()))
    op.add_column("bookings", sa.Column("cancelled_at", sa.Text()))
    op.execute("UPDATE bookings SET cancelled = 0")
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"] == (
        "column cancelled allows NULL — expected NOT NULL DEFAULT 0; "
        "column cancelled has no DEFAULT — expected DEFAULT 0"
    )
    assert "rows" not in problems


def test_no_backfill_at_all_leaves_null_in_every_booking(tmp_path):
    upgrade = """
    op.add_column("bookings", sa.Column("cancelled", sa.Integer()))
    op.add_column("bookings", sa.Column("cancelled_at", sa.Text()))
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["rows"].startswith(
        f"cancelled is NULL in {BOOKINGS} bookings made before the revision (booking 1 is the"
        " first)"
    )


def test_wrong_types_and_a_not_null_cancelled_at_are_named(tmp_path):
    upgrade = """
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled TEXT NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT NOT NULL DEFAULT ''")
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"] == (
        "column cancelled has type TEXT — expected INTEGER; "
        "column cancelled has DEFAULT 0, so a new booking gets '0' — expected DEFAULT 0: a"
        " booking is live until someone cancels it; "
        "column cancelled_at is NOT NULL — expected it to allow NULL: a live booking has no"
        " cancellation time; and 1 more"
    )
    assert problems["rows"].startswith(
        f"cancelled is '0' in {BOOKINGS} bookings made before the revision (booking 1 is the"
        " first) — expected 0: every booking made before it is live; cancelled_at is ''"
    )


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        ("sa.Integer()", "sa.Float()", "column cancelled has type FLOAT — expected INTEGER"),
        ("sa.Integer()", "sa.Numeric()", "column cancelled has type NUMERIC — expected INTEGER"),
        (
            "sa.Text()",
            "sa.DateTime()",
            "column cancelled_at has type DATETIME — expected TEXT (UTC ISO 8601 text, like"
            " start and end)",
        ),
        (
            "sa.Text()",
            "sa.Integer()",
            "column cancelled_at has type INTEGER — expected TEXT (UTC ISO 8601 text, like"
            " start and end)",
        ),
    ],
)
def test_types_sqlite_stores_otherwise_are_named(tmp_path, old, new, finding):
    problems = failed(verdicts(tmp_path, REF_UP.replace(old, new)))
    assert problems["schema"].startswith(finding)


def test_a_default_other_than_null_for_cancelled_at_is_named(tmp_path):
    upgrade = REF_UP.replace(
        'sa.Column("cancelled_at", sa.Text(), nullable=True)',
        'sa.Column("cancelled_at", sa.Text(), server_default=sa.text("\'NULL\'"))',
    )
    assert failed(verdicts(tmp_path, upgrade))["schema"] == (
        "column cancelled_at has DEFAULT 'NULL' — expected no default, so that a new booking"
        " gets NULL"
    )


@pytest.mark.parametrize(
    "check",
    [
        "cancelled BETWEEN 0 AND 1",
        "cancelled = 0 OR cancelled = 1",
        "cancelled >= 0",
        "cancelled IN (FALSE, TRUE)",
        "typeof(cancelled) = 'integer' AND cancelled IN (0, 1)",
    ],
)
def test_any_check_that_admits_live_and_cancelled_bookings_passes(tmp_path, check):
    upgrade = REF_UP.replace('"cancelled IN (0, 1)"', f'"{check}"')
    assert failed(verdicts(tmp_path, upgrade)) == {}


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        (
            '"cancelled IN (0, 1)"',
            '"cancelled IN (0)"',
            "IntegrityError: CHECK constraint failed: ck_bookings_cancelled",
        ),
        (
            'sa.Column("cancelled_at", sa.Text(), nullable=True)',
            'sa.Column("cancelled_at", sa.Text(),'
            ' sa.CheckConstraint("cancelled_at IS NULL", name="ck_bookings_cancelled_at"))',
            "IntegrityError: CHECK constraint failed: ck_bookings_cancelled_at",
        ),
    ],
    ids=["cancelled-can-only-be-0", "cancelled-at-can-only-be-null"],
)
def test_a_check_that_refuses_to_cancel_a_booking_is_named(tmp_path, old, new, refused):
    problems = failed(verdicts(tmp_path, REF_UP.replace(old, new)))
    assert problems["schema"] == (
        "a booking cannot be cancelled: setting cancelled = 1 and cancelled_at to its time is"
        f" refused ({refused}) — a CHECK on the new columns must admit a cancelled booking as"
        " well as a live one"
    )
    assert problems["refusal"] == "not checked: a booking cannot be cancelled (see above)"


RAW_COLUMNS = """
op.execute("ALTER TABLE bookings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0{check}")
op.execute("ALTER TABLE bookings ADD COLUMN cancelled_at TEXT")
"""


def unnamed_check(check: str, column: str = "cancelled") -> str:
    """What the schema expectation says of a CHECK that upgrade() adds without a name."""
    return (
        f"upgrade() adds `{check}` without a name; name it (`CONSTRAINT ck_bookings_{column}"
        " CHECK (…)` in SQL, `name=` on sa.CheckConstraint or sa.Boolean, the first argument of"
        " create_check_constraint()): a later revision in batch mode rebuilds bookings and"
        " leaves an unnamed CHECK out"
    )


@pytest.mark.parametrize(
    "name",
    [
        "ck_bookings_cancelled",
        '"ck bookings cancelled"',
        "[ck_bookings_cancelled]",
        "`ck_bookings_cancelled`",
        "'ck_bookings_cancelled'",
        "ck_bookings_cancelled_ÿ",
    ],
    ids=["bare", "double-quoted", "bracketed", "backticked", "single-quoted", "non-ascii"],
)
@pytest.mark.parametrize(
    "constraint",
    [
        "CONSTRAINT {name} CHECK (cancelled IN (0, 1))",
        "constraint {name}\\n check(cancelled IN (0,1))",
    ],
    ids=["as-written", "lower-case-on-two-lines"],
)
def test_a_check_named_in_raw_sql_passes(tmp_path, name, constraint):
    """Any way SQLite lets a constraint be named: the name is what a batch rebuild reads back."""
    check = " " + constraint.format(name=name.replace('"', '\\"'))
    assert failed(verdicts(tmp_path, RAW_COLUMNS.format(check=check) + INDEX)) == {}


def test_a_check_named_by_the_naming_convention_of_env_pys_metadata_passes(tmp_path):
    """op.add_column() names an unnamed CheckConstraint by the naming convention of
    `target_metadata` in env.py: the check judges the schema the revision leaves."""
    env = project.reference("03")["migrations/env.py"]
    configure = "    context.configure(\n        connection=connection,\n"
    assert env.count(configure) == 1
    env = env.replace(
        configure,
        configure + "        target_metadata=sa.MetaData(naming_convention={'ck':"
        " 'ck_%(table_name)s_%(column_0_name)s'}),\n",
    ).replace(
        "from alembic import context\n", "from alembic import context\nimport sqlalchemy as sa\n"
    )
    upgrade = REF_UP.replace(', name="ck_bookings_cancelled"', "")
    files = {LEARNERS: revision(upgrade), "migrations/env.py": env}
    given = Given(workspace=workspace_with(tmp_path, files), bookings=BOOKINGS)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in REVISION]
    assert [r.found for r in results if not r.passed] == []


@pytest.mark.parametrize(
    ("upgrade", "finding"),
    [
        pytest.param(
            RAW_COLUMNS.format(check=" CHECK (cancelled IN (0, 1))") + INDEX,
            unnamed_check("CHECK (cancelled IN (0, 1))"),
            id="raw-sql",
        ),
        pytest.param(
            REF_UP.replace(', name="ck_bookings_cancelled"', ""),
            unnamed_check("CHECK (cancelled IN (0, 1))"),
            id="check-constraint-without-a-name",
        ),
        pytest.param(
            # A comment between the name and CHECK: SQLAlchemy no longer reads the name back.
            RAW_COLUMNS.format(check=" CONSTRAINT ck /* why */ CHECK (cancelled IN (0, 1))")
            + INDEX,
            unnamed_check("CHECK (cancelled IN (0, 1))"),
            id="a-name-sqlalchemy-cannot-read-back",
        ),
        pytest.param(
            """
            op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=False,
                                                server_default=sa.text("0")))
            op.add_column("bookings", sa.Column(
                "cancelled_at", sa.Text(),
                sa.CheckConstraint("cancelled_at IS NULL OR length(cancelled_at) = 20"),
            ))
            """
            + INDEX,
            unnamed_check(
                "CHECK (cancelled_at IS NULL OR length(cancelled_at) = 20)", "cancelled_at"
            ),
            id="a-check-on-cancelled-at",
        ),
        pytest.param(
            """
            with op.batch_alter_table("bookings", recreate="always") as batch:
                batch.add_column(sa.Column("cancelled", sa.Boolean(create_constraint=True),
                                           nullable=False, server_default=sa.false()))
                batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))
            """
            + INDEX,
            unnamed_check("CHECK (cancelled IN (0, 1))"),
            id="a-boolean-in-a-batch-rebuild",
        ),
    ],
)
def test_a_check_that_upgrade_adds_without_a_name_is_named(tmp_path, upgrade, finding):
    """The exercise asks for a name: a later batch rebuild of bookings would drop the CHECK."""
    assert failed(verdicts(tmp_path, upgrade))["schema"] == finding


@pytest.mark.parametrize(
    ("column", "kept"),
    [
        ("x INTEGER CHECK (x > 0)", False),
        ("x INTEGER CONSTRAINT ck_x CHECK (x > 0)", True),
        ('x INTEGER CONSTRAINT "ck x" CHECK (x > 0)', True),
        ("x INTEGER CONSTRAINT [ck x] CHECK (x > 0)", True),
        ("x INTEGER CONSTRAINT `ck x` CHECK (x > 0)", True),
        ("x INTEGER CONSTRAINT 'ck x' CHECK (x > 0)", True),
        ("x INTEGER constraint ck_x\n check(x > 0)", True),
        ("x INTEGER CONSTRAINT ck_x /* why */ CHECK (x > 0)", False),
        ("x INTEGER CONSTRAINT pk_x PRIMARY KEY CHECK (x > 0)", False),
    ],
)
def test_a_check_counts_as_named_when_a_batch_rebuild_keeps_it(column, kept):
    """The rule follows what it guards against: Alembic's batch mode rebuilds a table from what
    SQLAlchemy reads back, and leaves out each CHECK it reads without a name."""
    sql = f"CREATE TABLE t (id INTEGER, {column})"
    assert (schema.unnamed_checks(sql) == []) is kept
    with sa.create_engine("sqlite://").begin() as connection:
        connection.exec_driver_sql(sql)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Alembic warns that it leaves an unnamed CHECK out
            batch = Operations(MigrationContext.configure(connection)).batch_alter_table
            with batch("t", recreate="always") as table:
                table.add_column(sa.Column("y", sa.Integer()))
        rebuilt = connection.exec_driver_sql("SELECT sql FROM sqlite_master").scalar_one()
    assert len(schema.check_constraints(rebuilt)) == (1 if kept else 0)


def test_a_missing_index_is_named(tmp_path):
    problems = failed(verdicts(tmp_path, ADD_COLUMNS))
    assert problems["schema"] == "index on bookings(room_id, start, end) is missing"


def test_an_index_with_its_columns_in_the_wrong_order_is_named(tmp_path):
    upgrade = ADD_COLUMNS + 'op.create_index("idx_x", "bookings", ["start", "room_id", "end"])\n'
    problems = failed(
        verdicts(tmp_path, upgrade, REF_DOWN.replace("idx_bookings_room_time", "idx_x"))
    )
    assert problems["schema"].startswith(
        "index idx_x is on bookings(start, room_id, end) — expected the columns in the order"
        " (room_id, start, end)"
    )


def test_an_index_on_the_room_alone_is_named_with_its_plan(tmp_path):
    upgrade = ADD_COLUMNS + 'op.create_index("idx_room", "bookings", ["room_id"])\n'
    problems = failed(
        verdicts(tmp_path, upgrade, REF_DOWN.replace("idx_bookings_room_time", "idx_room"))
    )
    assert problems["schema"] == (
        "index idx_room covers only bookings(room_id), so the overlap query (`SEARCH bookings"
        " USING INDEX idx_room (room_id=?)`) still reads every booking of the room — expected"
        " bookings(room_id, start, end)"
    )


def test_a_partial_index_the_query_cannot_use_is_named(tmp_path):
    upgrade = ADD_COLUMNS + (
        'op.create_index("idx_c", "bookings", ["room_id", "start", "end"],'
        ' sqlite_where=sa.text("cancelled = 1"))\n'
    )
    problems = failed(
        verdicts(tmp_path, upgrade, REF_DOWN.replace("idx_bookings_room_time", "idx_c"))
    )
    assert problems["schema"].startswith(
        "index idx_c has a WHERE clause (cancelled = 1) that the overlap query's `cancelled = 0`"
        " does not imply"
    )


@pytest.mark.parametrize("where", ["NOT cancelled", "cancelled = FALSE", "cancelled IS 0"])
def test_a_partial_index_sqlite_cannot_match_to_cancelled_0_is_named(tmp_path, where):
    """SQLite uses a partial index only when the query's WHERE contains the index's terms as
    written: `NOT cancelled` means the same for 0 and 1, but the overlap query cannot use it."""
    upgrade = ADD_COLUMNS + (
        f'op.create_index("idx_c", "bookings", ["room_id", "start", "end"],'
        f' sqlite_where=sa.text("{where}"))\n'
    )
    problems = failed(
        verdicts(tmp_path, upgrade, REF_DOWN.replace("idx_bookings_room_time", "idx_c"))
    )
    assert problems["schema"].startswith(
        f"index idx_c has a WHERE clause ({where}) that the overlap query's `cancelled = 0`"
        " does not imply"
    )


def test_a_unique_index_and_an_extra_index_are_named(tmp_path):
    upgrade = ADD_COLUMNS + (
        'op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"],'
        " unique=True)\n"
        'op.create_index("idx_organiser", "bookings", ["organiser"])\n'
    )
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["schema"].startswith(
        "index idx_bookings_room_time is UNIQUE — expected a plain index"
    )
    assert "unexpected index idx_organiser on bookings(organiser)" in problems["schema"]


def test_two_indexes_for_the_overlap_query_are_named(tmp_path):
    upgrade = REF_UP + 'op.create_index("idx_again", "bookings", ["room_id", "start"])\n'
    problems = failed(verdicts(tmp_path, upgrade))
    assert "repeats index" in problems["schema"]


def test_a_table_rebuild_that_changes_a_column_is_named_with_the_row_it_changed(tmp_path):
    upgrade = REF_UP + (
        'with op.batch_alter_table("bookings") as batch:\n'
        '    batch.alter_column("attendees", type_=sa.Text())\n'
    )
    problems = failed(verdicts(tmp_path, upgrade))
    assert "upgrade() changed column bookings.attendees: type INTEGER → TEXT" in problems["schema"]
    assert problems["rows"].startswith("upgrade() changed booking 1: attendees ")
    assert f"(and {BOOKINGS - 1} more bookings)" in problems["rows"]


def test_an_extra_column_and_an_extra_table_are_named(tmp_path):
    upgrade = REF_UP + (
        'op.add_column("bookings", sa.Column("reason", sa.Text()))\n'
        'op.create_table("cancellations", sa.Column("id", sa.Integer(), primary_key=True))\n'
    )
    problems = failed(verdicts(tmp_path, upgrade))
    assert "unexpected column bookings.reason" in problems["schema"]
    assert "unexpected table cancellations — the revision adds no table" in problems["schema"]


# --- Row mistakes -----------------------------------------------------------------------------


def test_an_upgrade_that_deletes_rows_is_named_with_their_ids(tmp_path):
    upgrade = REF_UP + 'op.execute("DELETE FROM bookings WHERE id IN (5, 6, 7, 8)")\n'
    assert (
        failed(verdicts(tmp_path, upgrade))["rows"] == "upgrade() lost 4 bookings (ids 5, 6, 7, …)"
    )


def test_an_upgrade_that_changes_a_value_is_named_with_old_and_new_value(tmp_path):
    upgrade = REF_UP + 'op.execute("UPDATE bookings SET attendees = attendees + 1 WHERE id = 7")\n'
    problems = failed(verdicts(tmp_path, upgrade))
    assert problems["rows"].startswith("upgrade() changed booking 7: attendees ")


# --- Downgrade mistakes ----------------------------------------------------------------------


def test_a_downgrade_that_does_nothing_is_named_three_times(tmp_path):
    problems = failed(verdicts(tmp_path, REF_UP, "pass"))
    assert problems["rollback"].startswith("the downgrade left column bookings.cancelled in place")
    assert "the downgrade left index idx_bookings_room_time on" in problems["rollback"]
    assert problems["refusal"].startswith("the downgrade went through with booking 42 cancelled")
    assert problems["rerun"].startswith(
        "upgrade() failed when run again after a downgrade: OperationalError:"
    )
    assert "duplicate column name: cancelled" in problems["rerun"]


def test_a_downgrade_that_forgets_the_index_is_named(tmp_path):
    downgrade = """
    op.drop_column("bookings", "cancelled_at")
    op.drop_column("bookings", "cancelled")
    """
    problems = failed(verdicts(tmp_path, REF_UP, downgrade))
    assert problems["rollback"] == (
        "the downgrade left index idx_bookings_room_time on bookings(room_id, start, end) in place"
    )


def test_a_downgrade_that_loses_data_is_named(tmp_path):
    downgrade = """
    op.drop_table("bookings")
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("organiser", sa.Text(), nullable=False),
        sa.Column("start", sa.Text(), nullable=False),
        sa.Column("end", sa.Text(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_bookings_room_id_rooms"),
        sa.CheckConstraint("attendees >= 1", name="ck_bookings_attendees_at_least_one"),
        sa.CheckConstraint('"end" > start', name="ck_bookings_end_after_start"),
    )
    """
    problems = failed(verdicts(tmp_path, REF_UP, downgrade))
    assert problems["rollback"] == f"the downgrade lost {BOOKINGS} bookings (ids 1, 2, 3, …)"
    assert problems["refusal"] == (
        "the downgrade deleted cancelled booking 42: a downgrade must not lose data — make"
        " downgrade() raise while any booking is cancelled"
    )


def test_a_downgrade_that_deletes_cancelled_bookings_is_refused_as_data_loss(tmp_path):
    downgrade = 'op.execute("DELETE FROM bookings WHERE cancelled = 1")\n' + (
        'op.drop_index("idx_bookings_room_time", table_name="bookings")\n'
        'op.drop_column("bookings", "cancelled_at")\n'
        'op.drop_column("bookings", "cancelled")\n'
    )
    problems = failed(verdicts(tmp_path, REF_UP, downgrade))
    assert list(problems) == ["refusal"]
    assert problems["refusal"].startswith("the downgrade deleted cancelled booking 42")


def test_a_batch_rebuild_that_drops_an_unnamed_check_is_named(tmp_path):
    """A rebuilt table keeps only the constraints it is given: losing one is a finding."""
    downgrade = """
    op.drop_index("idx_bookings_room_time", table_name="bookings")
    op.execute(
        'CREATE TABLE bookings_new (id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL'
        ' REFERENCES rooms (id), organiser TEXT NOT NULL, start TEXT NOT NULL,'
        ' "end" TEXT NOT NULL, attendees INTEGER NOT NULL CHECK (attendees >= 1))'
    )
    op.execute(
        'INSERT INTO bookings_new SELECT id, room_id, organiser, start, "end", attendees'
        ' FROM bookings'
    )
    op.execute("DROP TABLE bookings")
    op.execute("ALTER TABLE bookings_new RENAME TO bookings")
    """
    problems = failed(verdicts(tmp_path, REF_UP, downgrade))
    assert problems["rollback"] == (
        'the downgrade dropped `CHECK ("end" > start)` from table bookings: a booking with'
        " start = '2030-01-01T09:00:00Z' and end = '2030-01-01T09:00:00Z' is now admitted"
    )


def _rebuild_upgrade(*checks: str) -> str:
    """An upgrade() that rebuilds bookings by hand, with its CHECKs worded its own way (each
    an expression, or a whole `CONSTRAINT name CHECK (…)`)."""
    clauses = "".join(
        f", {check}" if check.startswith("CONSTRAINT ") else f", CHECK ({check})"
        for check in checks
    )
    return f"""
    op.execute(
        'CREATE TABLE bookings_new (id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL'
        ' REFERENCES rooms (id), organiser TEXT NOT NULL, start TEXT NOT NULL,'
        ' "end" TEXT NOT NULL, attendees INTEGER NOT NULL, cancelled INTEGER NOT NULL'
        ' DEFAULT 0, cancelled_at TEXT{clauses})'
    )
    op.execute(
        'INSERT INTO bookings_new (id, room_id, organiser, start, "end", attendees)'
        ' SELECT id, room_id, organiser, start, "end", attendees FROM bookings'
    )
    op.execute("DROP TABLE bookings")
    op.execute("ALTER TABLE bookings_new RENAME TO bookings")
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    """


@pytest.mark.parametrize(
    ("attendees_check", "times_check"),
    [
        ("attendees >= 1", '"end" > start'),
        ("attendees > 0", 'start < "end"'),
        ("(attendees) >= (1)", '(("end" > start))'),
        ("NOT (attendees < 1)", 'NOT (start >= "end")'),
    ],
    ids=["as-written", "mirrored-and-integer-bound", "extra-parentheses", "negated"],
)
def test_a_hand_written_rebuild_with_checks_worded_otherwise_passes(
    tmp_path, attendees_check, times_check
):
    """A CHECK is compared by the rows it admits, not by its text (upgrade and rollback both)."""
    upgrade = _rebuild_upgrade(attendees_check, times_check)
    assert failed(verdicts(tmp_path, upgrade)) == {}


@pytest.mark.parametrize(
    "checks",
    [('attendees >= 1 AND "end" > start',), ('start < "end" AND NOT attendees < 1',)],
    ids=["merged", "merged-and-reworded"],
)
def test_a_rebuild_with_the_checks_merged_passes(tmp_path, checks):
    """`CHECK (a AND b)` is the rule `CHECK (a)` and `CHECK (b)` make together (upgrade and
    rollback both)."""
    assert failed(verdicts(tmp_path, _rebuild_upgrade(*checks))) == {}


@pytest.mark.parametrize(
    "checks",
    [
        ("attendees >= 1", '"end" > start', "attendees IS NOT NULL"),
        ('attendees >= 1 AND "end" > start AND room_id IS NOT NULL',),
        ('"end" > start AND attendees >= 1 AND length(organiser) >= 0',),
        ('(attendees > 0 AND ("end" > start)) AND organiser IS NOT NULL',),
        ("attendees >= 1", 'start < "end" OR attendees = 0'),
    ],
    ids=[
        "a-check-the-not-null-already-makes",
        "merged-with-a-not-null-column",
        "merged-with-a-part-every-booking-passes",
        "merged-in-parentheses",
        "an-or-whose-other-side-no-booking-meets",
    ],
)
def test_a_rebuild_with_checks_that_add_nothing_to_the_table_passes(tmp_path, checks):
    """A CHECK that refuses only what the columns' NOT NULL already refuses is no new rule, and
    a merged CHECK naming four columns is judged part by part (its top-level ANDs)."""
    assert failed(verdicts(tmp_path, _rebuild_upgrade(*checks))) == {}


@pytest.mark.parametrize(
    "checks",
    [
        (
            'CONSTRAINT ck_bookings CHECK (attendees >= 1 AND "end" > start'
            " AND cancelled IN (0, 1))",
        ),
        ('start < "end" AND attendees > 0', "CONSTRAINT ck_cancelled CHECK (cancelled IN (0, 1))"),
        (
            "attendees >= 1",
            '"end" > start',
            "CONSTRAINT ck_cancelled CHECK"
            " (cancelled IN (0, 1) AND (cancelled = 1) = (cancelled_at IS NOT NULL))",
        ),
    ],
    ids=[
        "merged-with-the-new-check",
        "merged-beside-the-new-check",
        "cancelled-and-its-time-kept-in-step",
    ],
)
def test_a_rebuild_with_a_check_on_the_new_column_passes_the_schema(tmp_path, checks):
    """The new column holds its default in every booking written as before: 0 IN (0, 1).
    (REF_DOWN's drop_column cannot drop a column a table CHECK names: only the schema counts.)"""
    problems = failed(verdicts(tmp_path, _rebuild_upgrade(*checks)))
    assert "schema" not in problems and "rows" not in problems


def test_a_rebuild_may_re_create_the_rules_of_0001_without_their_names(tmp_path):
    """Only the CHECK on the new columns must have a name: that is what the revision adds."""
    upgrade = _rebuild_upgrade(
        "attendees > 0", 'start < "end"', "CONSTRAINT ck_cancelled CHECK (cancelled IN (0, 1))"
    )
    assert "schema" not in failed(verdicts(tmp_path, upgrade))


@pytest.mark.parametrize(
    ("checks", "unnamed"),
    [
        (("attendees >= 1", '"end" > start', "cancelled IN (0, 1)"), "CHECK (cancelled IN (0, 1))"),
        (
            ('attendees >= 1 AND "end" > start AND cancelled IN (0, 1)',),
            'CHECK (attendees >= 1 AND "end" > start AND cancelled IN (0, 1))',
        ),
    ],
    ids=["beside-the-rules-of-0001", "merged-with-the-rules-of-0001"],
)
def test_a_rebuild_whose_check_on_the_new_column_has_no_name_is_named(tmp_path, checks, unnamed):
    problems = failed(verdicts(tmp_path, _rebuild_upgrade(*checks)))
    assert problems["schema"] == unnamed_check(unnamed)


@pytest.mark.parametrize(
    ("checks", "finding"),
    [
        (
            ('attendees >= 0 AND "end" > start',),
            "upgrade() dropped `CHECK (attendees >= 1)` from table bookings",
        ),
        (
            ('attendees >= 1 AND "end" >= start',),
            'upgrade() dropped `CHECK ("end" > start)` from table bookings',
        ),
        (
            ("attendees >= 1", '"end" > start', "attendees <= 100"),
            "upgrade() added `CHECK (attendees <= 100)` to table bookings, which refuses a"
            " booking revision 0001 accepts",
        ),
        (
            ('attendees BETWEEN 1 AND 1000 AND "end" > start AND cancelled IN (0, 1)',),
            'upgrade() added `CHECK (attendees BETWEEN 1 AND 1000 AND "end" > start AND'
            " cancelled IN (0, 1))` to table bookings, which refuses a booking revision 0001"
            " accepts",
        ),
        (
            ("attendees >= 1", '"end" > start', "attendees <= 1000 AND cancelled IN (0, 1)"),
            "upgrade() added `CHECK (attendees <= 1000 AND cancelled IN (0, 1))` to table"
            " bookings, which refuses a booking revision 0001 accepts",
        ),
        (
            ("attendees >= 1", '"end" > start', "attendees IS NOT NULL AND attendees <= 100"),
            "upgrade() added `CHECK (attendees IS NOT NULL AND attendees <= 100)` to table"
            " bookings, which refuses a booking revision 0001 accepts (attendees = 101)",
        ),
        (
            ('attendees >= 1 AND "end" > start AND length(organiser) > 0',),
            'upgrade() added `CHECK (attendees >= 1 AND "end" > start AND length(organiser) > 0)`'
            " to table bookings, which refuses a booking revision 0001 accepts (organiser = '')",
        ),
        (
            ('attendees >= 0 AND "end" > start AND room_id IS NOT NULL',),
            "upgrade() dropped `CHECK (attendees >= 1)` from table bookings: a booking with"
            " attendees = 0 is now admitted",
        ),
    ],
    ids=[
        "merged-and-weaker",
        "merged-and-equal-times-allowed",
        "an-extra-rule-on-an-old-column",
        "merged-and-stronger",
        "a-stronger-rule-beside-a-new-check",
        "not-null-and-stronger",
        "merged-with-a-fourth-column-and-stronger",
        "merged-with-a-fourth-column-and-weaker",
    ],
)
def test_a_rebuild_whose_checks_together_admit_other_bookings_is_named(tmp_path, checks, finding):
    assert finding in failed(verdicts(tmp_path, _rebuild_upgrade(*checks)))["schema"]


@pytest.mark.parametrize(
    ("checks", "finding"),
    [
        (
            ('attendees >= 0 AND "end" > start',),
            "upgrade() dropped `CHECK (attendees >= 1)` from table bookings: a booking with"
            " attendees = 0 is now admitted",
        ),
        (
            ('attendees >= 1 AND "end" >= start',),
            'upgrade() dropped `CHECK ("end" > start)` from table bookings: a booking with'
            " start = '2030-01-01T09:00:00Z' and end = '2030-01-01T09:00:00Z' is now admitted",
        ),
    ],
    ids=["attendees-weaker", "times-weaker"],
)
def test_a_weaker_merged_check_names_only_the_rule_it_no_longer_enforces(tmp_path, checks, finding):
    """The other CHECK, still enforced inside the merged one, is not said to be dropped."""
    assert failed(verdicts(tmp_path, _rebuild_upgrade(*checks)))["schema"] == finding


@pytest.mark.parametrize(
    ("attendees_check", "times_check", "dropped"),
    [
        ("attendees >= 0", '"end" > start', "CHECK (attendees >= 1)"),
        ("attendees >= 1", 'start <= "end"', 'CHECK ("end" > start)'),
        ("attendees >= 1", 'start < "end" OR attendees = 1', 'CHECK ("end" > start)'),
    ],
    ids=["no-attendees-allowed", "equal-times-allowed", "an-or-that-lets-more-in"],
)
def test_a_hand_written_rebuild_with_another_check_is_named(
    tmp_path, attendees_check, times_check, dropped
):
    problems = failed(verdicts(tmp_path, _rebuild_upgrade(attendees_check, times_check)))
    assert f"upgrade() dropped `{dropped}` from table bookings" in problems["schema"]


def _table(name: str, *columns: tuple[str, str], sql: str = "") -> schema.Table:
    return schema.Table(
        name,
        sql,
        tuple(schema.Column(column, kind, True, None, False) for column, kind in columns),
        frozenset(),
    )


ROOMS = _table("rooms", ("id", "INTEGER"), ("name", "TEXT"), ("capacity", "INTEGER"))
BOOKINGS_TABLE = _table(
    "bookings", ("start", "TEXT"), ("end", "TEXT"), ("attendees", "INTEGER"), ("price", "REAL")
)


@pytest.mark.parametrize(
    ("table", "first", "second", "same"),
    [
        (ROOMS, "capacity > 0", "capacity >= 1", True),
        (ROOMS, "capacity > 0", "0 < capacity", True),
        (ROOMS, "capacity > 0", "((capacity > 0))", True),
        (ROOMS, "capacity > 0", "capacity IS NULL OR capacity > 0", True),
        (ROOMS, "length(name) > 3", "length(name) >= 4", True),
        (BOOKINGS_TABLE, '"end" > start', 'start < "end"', True),
        (BOOKINGS_TABLE, '"end" > start AND attendees >= 1', 'attendees > 0 AND start < "end"', True),
        (BOOKINGS_TABLE, "price > 0", "price >= 0.5", False),
        (ROOMS, "capacity > 1", "capacity >= 1", False),
        (ROOMS, "capacity > 0", "capacity > 0 AND capacity <> 57", False),
        (ROOMS, "length(name) > 3", "length(name) > 4", False),
        (BOOKINGS_TABLE, '"end" > start AND attendees >= 1', '"end" > start', False),
        (BOOKINGS_TABLE, 'start <= "end"', 'start < "end"', False),
        (ROOMS, "capacity > 0", "capacity > 1e999", False),
        (ROOMS, "capacity > 0", "no_such_function(capacity) > 0", False),
    ],
)  # fmt: skip
def test_checks_are_the_same_when_they_admit_the_same_rows(table, first, second, same):
    assert schema.same_check(f"CHECK ({first})", f"CHECK ({second})", table, table) is same
    assert schema.same_check(f"CHECK ({second})", f"CHECK ({first})", table, table) is same


@pytest.mark.parametrize(
    ("declared", "first", "second", "same"),
    [
        ("INTEGER", "0", "'0'", True),
        ("INTEGER", "0", "(0)", True),
        ("INTEGER", "0", "FALSE", True),
        ("INTEGER", "'0'", "false", True),
        ("INTEGER", "0", "0.0", True),
        ("INTEGER", None, "NULL", True),
        ("TEXT", "0", "'0'", True),
        ("TEXT", "CURRENT_TIMESTAMP", "current_timestamp", True),
        ("INTEGER", "0", "1", False),
        ("INTEGER", None, "0", False),
        ("INTEGER", "FALSE", "TRUE", False),
        ("TEXT", "0", "0.0", False),
        ("BLOB", "0", "'0'", False),
        ("TEXT", "CURRENT_TIMESTAMP", "CURRENT_DATE", False),
        ("TEXT", "CURRENT_TIMESTAMP", "(datetime('now'))", False),
    ],
)
def test_defaults_are_the_same_when_sqlite_stores_the_same_value(declared, first, second, same):
    """Compared by what a row written without the column gets: its value and its type."""
    one, other = (schema.Column("c", declared, True, default, False) for default in (first, second))
    assert (one.differences(other) == []) is same
    assert (other.differences(one) == []) is same


SEPARATE = (
    'CREATE TABLE bookings (start TEXT, "end" TEXT, attendees INTEGER, price REAL,'
    ' CHECK (attendees >= 1), CHECK ("end" > start))'
)


@pytest.mark.parametrize(
    ("checks", "same"),
    [
        ('CHECK (attendees >= 1 AND "end" > start)', True),
        ('CHECK (start < "end" AND NOT attendees < 1)', True),
        ('CHECK (attendees > 0) CHECK (attendees >= 1) CHECK ("end" > start)', True),
        ('CHECK (attendees >= 0 AND "end" > start)', False),
        ('CHECK (attendees >= 1 AND "end" > start AND price > 0)', False),
        ('CHECK (attendees >= 1 OR "end" > start)', False),
        ("CHECK (attendees >= 1)", False),
    ],
    ids=["merged", "merged-reworded", "repeated", "weaker", "stronger", "or", "one-lost"],
)
def test_checks_merged_or_split_are_the_same_rule_when_they_admit_the_same_rows(checks, same):
    """Compared as a whole: a row is refused when any CHECK of the table is false."""
    split = _table(
        "bookings",
        ("start", "TEXT"),
        ("end", "TEXT"),
        ("attendees", "INTEGER"),
        ("price", "REAL"),
        sql=SEPARATE,
    )
    merged = schema.Table(split.name, f"CREATE TABLE bookings (…, {checks})", split.columns,
                          frozenset())  # fmt: skip
    for before, after in ((split, merged), (merged, split)):
        assert (schema.table_differences(before, after, "the downgrade") == []) is same


def test_a_check_that_admits_other_rows_is_named_with_a_row_it_refuses():
    before = _table("rooms", ("capacity", "INTEGER"), sql="CREATE TABLE rooms (capacity INTEGER"
                    " CONSTRAINT ck CHECK (capacity >= 1))")  # fmt: skip
    reworded = _table("rooms", ("capacity", "INTEGER"), sql="CREATE TABLE rooms (capacity INTEGER"
                      " CHECK (0 < capacity))")  # fmt: skip
    wrong = _table("rooms", ("capacity", "INTEGER"), sql="CREATE TABLE rooms (capacity INTEGER"
                   " CHECK (capacity > 1))")  # fmt: skip
    assert schema.table_differences(before, reworded, "the downgrade") == []
    assert schema.table_differences(before, wrong, "the downgrade") == [
        "the downgrade added `CHECK (capacity > 1)` to table rooms, which refuses a room with"
        " capacity = 1",
    ]


@pytest.mark.parametrize(
    ("not_null", "finding"),
    [
        (True, []),
        (
            False,
            [
                "the downgrade added `CHECK (capacity IS NOT NULL)` to table rooms, which refuses"
                " a room with capacity = NULL"
            ],
        ),
    ],
    ids=["on-a-not-null-column-adds-nothing", "on-a-nullable-column-is-stricter"],
)
def test_a_not_null_check_is_judged_with_the_columns_own_not_null(not_null, finding):
    """The rows a table admits are those its NOT NULL columns and its CHECKs all admit."""
    columns = (schema.Column("capacity", "INTEGER", not_null, None, False),)
    sql = "CREATE TABLE rooms (capacity INTEGER, CHECK (capacity >= 1))"
    before = schema.Table("rooms", sql, columns, frozenset())
    after = schema.Table(
        "rooms", sql[:-1] + ", CHECK (capacity IS NOT NULL))", columns, frozenset()
    )
    assert schema.table_differences(before, after, "the downgrade") == finding
    dropped = (
        "the downgrade dropped `CHECK (capacity IS NOT NULL)` from table rooms: a room with"
        " capacity = NULL is now admitted"
    )
    assert schema.table_differences(after, before, "the downgrade") == (
        [] if not_null else [dropped]
    )


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        (
            'length(organiser || start || "end") BETWEEN 3 AND 300',
            "(with the rules it meets, on organiser, start, end) has more combinations of values"
            " than the check can try — write each rule as a CHECK of its own, or join rules with"
            " AND so that each part names one or two columns",
        ),
        (
            "attendees < 1e999",
            "holds a number too large to try the values around it — compare with a smaller one",
        ),
        (
            "no_such_function(attendees) > 0",
            "cannot be tried here (SQLite says: no such function: no_such_function) — use"
            " SQLite's own functions and operators only",
        ),
    ],
    ids=["too-many-combinations", "a-huge-number", "an-unknown-function"],
)
def test_a_check_the_probes_cannot_try_is_refused_and_says_how_to_write_it(check, reason):
    columns = tuple(
        schema.Column(name, kind, True, None, False)
        for name, kind in (("organiser", "TEXT"), ("start", "TEXT"), ("end", "TEXT"),
                           ("attendees", "INTEGER"))
    )  # fmt: skip
    before = schema.Table("bookings", SEPARATE, columns, frozenset())
    after = schema.Table("bookings", f"{SEPARATE[:-1]}, CHECK ({check}))", columns, frozenset())
    assert schema.table_differences(before, after, "upgrade()") == [
        "upgrade() changed the CHECKs of table bookings in a way the check cannot compare:"
        f" `CHECK ({check})` {reason}"
    ]


@pytest.mark.parametrize(
    ("expression", "parts"),
    [
        ('attendees >= 1 AND "end" > start', ["attendees >= 1", '"end" > start']),
        ("(a AND (b)) AND NOT (c AND d)", ["a", "b", "NOT (c AND d)"]),
        ("x BETWEEN 1 AND 9 AND y NOT BETWEEN 1 AND 9", ["x BETWEEN 1 AND 9", "y NOT BETWEEN 1 AND 9"]),
        ("x = 'a AND b' AND \"and\" > 1", ["x = 'a AND b'", '"and" > 1']),
        ("(a) OR (b)", ["(a) OR (b)"]),
        ("a OR b AND c", ["a OR b AND c"]),
        ("CASE WHEN a AND b THEN 1 END AND c", ["CASE WHEN a AND b THEN 1 END AND c"]),
    ],
    ids=["two", "nested", "between", "quoted", "or", "or-binds-looser", "case"],
)  # fmt: skip
def test_a_check_is_split_only_on_its_top_level_and(expression, parts):
    """A row must pass every part; an OR or a CASE keeps the expression whole."""
    assert schema.conjuncts(expression) == parts


def test_a_downgrade_that_always_raises_fails_the_rollback_with_the_error(tmp_path):
    results = verdicts(tmp_path, REF_UP, 'raise RuntimeError("not today")')
    assert results["rollback"].found == "your code raised RuntimeError: not today"
    assert results["refusal"].passed
    assert results["rerun"].found == (
        "upgrade → downgrade → upgrade not tried: the downgrade raised RuntimeError: not today"
    )


# --- Failures halfway, and transactions ----------------------------------------------------------


def test_an_upgrade_that_raises_halfway_fails_the_first_expectation_with_its_error(tmp_path):
    upgrade = ADD_COLUMNS + 'op.create_index("idx", "bookings", ["room_id", "start", "ends"])\n'
    results = verdicts(tmp_path, upgrade)
    assert results["applies"].found.startswith("your code raised OperationalError:")
    assert "no such column: ends" in results["applies"].found
    # Alembic rolled the copy back, so the failure scenario finds nothing left behind.
    assert results["failure"].passed


@pytest.mark.parametrize(
    "commit",
    [
        'op.execute("COMMIT")',
        "op.get_context().autocommit_block().__enter__()",
        # A learner used to sqlite3 reaches for executescript(), which commits before it runs.
        'op.get_bind().connection.executescript("SELECT 1;")',
    ],
)
def test_committing_in_the_middle_is_caught_by_the_injected_failure(tmp_path, commit):
    upgrade = (
        'op.add_column("bookings", sa.Column("cancelled", sa.Integer(), nullable=False,'
        ' server_default=sa.text("0")))\n'
        f"{commit}\n"
        'op.add_column("bookings", sa.Column("cancelled_at", sa.Text()))\n'
        'op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])\n'
    )
    problems = failed(verdicts(tmp_path, upgrade))
    assert list(problems) == ["failure"]
    assert problems["failure"] == (
        "when the upgrade failed right after your first change (`ALTER TABLE bookings ADD"
        " COLUMN cancelled INTEGER…`), the failed upgrade left column bookings.cancelled in"
        " place; when the upgrade failed after upgrade() returned, the failed upgrade left"
        " column bookings.cancelled in place: something in upgrade() committed before the end:"
        ' sqlite3\'s executescript() commits first, and so do op.execute("COMMIT"),'
        " autocommit_block() and a connection of its own"
    )


def test_the_injected_failure_refuses_the_second_change_whatever_sends_it():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a INTEGER)")
    seen = scenarios.Statements()
    with scenarios.failing(db, 1, seen):
        db.execute("ALTER TABLE t ADD COLUMN b TEXT")
        for send in (
            lambda: db.execute("ALTER TABLE t ADD COLUMN c TEXT"),
            lambda: db.cursor().execute("UPDATE t SET a = 2"),
        ):
            with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
                send()
        assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert [scenarios.first_keyword(sql) for sql in seen.writes] == ["ALTER"]


# --- The learner's project ----------------------------------------------------------------------


def test_an_unsolved_stub_says_so(tmp_path):
    problems = failed(verdicts(tmp_path, 'raise NotImplementedError("Exercise 03.1: …")'))
    assert problems["applies"] == "not written yet (the stub still raises NotImplementedError)"


def test_a_broken_down_revision_is_one_clear_line(tmp_path):
    text = revision(REF_UP).replace('down_revision = "0001"', 'down_revision = "0009"')
    workspace = workspace_with(tmp_path, {LEARNERS: text})
    given = Given(workspace=workspace, bookings=BOOKINGS)
    first = evaluate(REVISION[0].text, lambda: REVISION[0].run(given))
    assert first.found == (
        f"{LEARNERS} says down_revision = '0009', but no revision has that id (the revisions"
        " are 0001, 0002)"
    )


def test_a_revision_that_does_not_load_names_its_line(tmp_path):
    text = revision(REF_UP).replace("def upgrade():", "def upgrade(:")
    workspace = workspace_with(tmp_path, {LEARNERS: text})
    first = evaluate(REVISION[0].text, lambda: REVISION[0].run(Given(workspace=workspace)))
    assert first.found.startswith(f"{LEARNERS} does not load: SyntaxError on line 9")


def test_no_project_yet_says_how_to_make_one(tmp_path):
    given = Given(workspace=tmp_path / "nothing-here")
    first = evaluate(REVISION[0].text, lambda: REVISION[0].run(given))
    assert first.found == "there is no project in service/ yet: run `onboard start` to create it"


def test_the_learners_project_and_database_are_never_modified(tmp_path):
    workspace = workspace_with(tmp_path, {})
    root = project.locate(workspace)
    own = root / "bookings.db"
    own.write_bytes(b"the learner's own database")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    given = Given(workspace=workspace, bookings=BOOKINGS)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in REVISION]
    assert all(result.passed for result in results)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_change_to_the_project_during_the_check_is_reported(tmp_path):
    workspace = workspace_with(tmp_path, {})
    given = Given(workspace=workspace)
    checks.before_any_check(given)
    (project.locate(workspace) / "README.md").write_text("changed")
    last = REVISION[-1]
    assert evaluate(last.text, lambda: last.run(given)).found == (
        "a file of your project changed while the check ran"
    )


# --- The seeded database ----------------------------------------------------------------------


def test_the_seeded_database_is_at_0001_made_once_and_refuses_writes(tmp_path):
    given = Given(workspace=workspace_with(tmp_path, {}))  # the copy lives as long as it does
    history = checks.history(given)
    source = scenarios.seeded_database(history, BOOKINGS)
    assert scenarios.seeded_database(history, BOOKINGS) is source
    assert source.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert source.execute("SELECT count(*) FROM bookings").fetchone() == (BOOKINGS,)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        source.execute("DELETE FROM bookings")


def test_the_default_seeded_database_has_10000_bookings_in_8_rooms(tmp_path):
    given = Given(workspace=workspace_with(tmp_path, {}))
    history = checks.history(given)
    source = scenarios.seeded_database(history)
    assert source.execute("SELECT count(*) FROM bookings").fetchone() == (10_000,)
    assert source.execute("SELECT count(*) FROM rooms").fetchone() == (8,)


def test_the_overlap_plan_test_reads_searches_only():
    assert scenarios.serves_overlap(
        "SEARCH bookings USING INDEX ix (room_id=? AND cancelled=? AND start<?)"
    )
    assert scenarios.serves_overlap(
        "SEARCH bookings USING COVERING INDEX ix (room_id=? AND start<?)"
    )
    assert scenarios.serves_overlap("SEARCH bookings USING INDEX ix (room_id=? AND end>?)")
    assert not scenarios.serves_overlap("SEARCH bookings USING INDEX ix (room_id=?)")
    assert not scenarios.serves_overlap("SEARCH bookings USING INDEX ix (end>?)")
    assert not scenarios.serves_overlap("SCAN bookings")
