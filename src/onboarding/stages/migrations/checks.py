"""What stage 03's exercises expect, judged on the learner's project.

- 03.1: the learner's Alembic revision (`migrations/versions/`), upgraded and downgraded on
  copies of a database with 10,000 bookings (`scenarios`);
- 03.2: the migration plan and the TSD's data model, checked against the project
  (`documents`).

Everything runs on a throwaway copy of the project, so a check changes none of the learner's
files and no database of theirs. A check cell hands over nothing (`check("03.1")`); tests may
hand over `workspace=` (where the project is) and `bookings=` (a smaller database).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from onboarding import project
from onboarding.artefacts.alembic_history import History, read_history
from onboarding.checks import ArtefactError, CheckFailed, Expectation, Given, judged_by, require
from onboarding.stages.migrations import documents, scenarios
from onboarding.stages.migrations.schema import Snapshot, snapshot

T = TypeVar("T")


def workspace_of(given: Given) -> Path | None:
    return given.get("workspace") if given.has("workspace") else None


# Stage 03's revision is the one that follows the base (0001). Later stages add their own (the
# capstone's 0003); stage 03 still judges its own, so they are left out of its throwaway copy.
STAGE_REVISIONS = 2


def leave_out_later_revisions(copy: Path) -> None:
    """Delete, in the check's copy, the revision files that come after stage 03's revision."""
    try:
        history = read_history(copy)
    except ArtefactError:
        return  # the first expectation reads the history again and says what is wrong
    for revision in history.revisions[STAGE_REVISIONS:]:
        (copy / revision.path).unlink(missing_ok=True)


def _new_copy(given: Given) -> Path:
    """A copy of the learner's project, removed when the check is done."""
    before_any_check(given)
    stack = contextlib.ExitStack()
    try:
        copy = stack.enter_context(project.copy_for_checking(workspace_of(given)))
    except project.ProjectError as error:
        raise CheckFailed(str(error)) from None
    weakref.finalize(given, stack.close)
    return copy


def project_copy(given: Given) -> Path:
    """A copy of the whole project for this check, every revision included."""
    return given.once("project copy", lambda: _new_copy(given))


def project_history(given: Given) -> History:
    """Every revision of the project, as the migration job runs them (stage 07, the capstone)."""
    return given.once("project history", lambda: read_history(project_copy(given)))


def history(given: Given) -> History:
    """Stage 03's revisions: the base and the learner's own, on a copy without the later ones."""

    def read() -> History:
        # A copy of its own: project_copy() keeps every revision for the head's schema (03.2).
        copy = given.once("stage 03 copy", lambda: _new_copy(given))
        leave_out_later_revisions(copy)
        return read_history(copy)

    return given.once("history", read)


def bookings(given: Given) -> int:
    return given.get("bookings") if given.has("bookings") else scenarios.SEEDED_BOOKINGS


def source(given: Given) -> sqlite3.Connection:
    return given.once("seeded", lambda: scenarios.seeded_database(history(given), bookings(given)))


def outcome(given: Given) -> scenarios.Applied:
    return given.once("applied", lambda: scenarios.applied(history(given), source(given)))


def migrated(given: Given) -> sqlite3.Connection:
    """A read-only copy of the seeded database, upgraded to the learner's newest revision."""

    def make() -> sqlite3.Connection:
        with scenarios.copy_of(source(given)) as db:
            scenarios.run_alembic(history(given), db, "upgrade", "head")
            return documents.open_read_only(db)

    return given.once("migrated", make)


# --- The learner's files stay as they were -------------------------------------------------------


def project_fingerprint(workspace: Path | None) -> str:
    root = project.locate(workspace)
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and ".git" not in path.relative_to(root).parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def before_any_check(given: Given) -> str:
    return given.once("fingerprint", lambda: project_fingerprint(workspace_of(given)))


def files_unchanged(given: Given) -> None:
    if project_fingerprint(workspace_of(given)) != before_any_check(given):
        raise CheckFailed("a file of your project changed while the check ran")


# --- 03.1: the revision ---------------------------------------------------------------------------


def applies(given: Given) -> None:
    require(scenarios.applies_problems(history(given), outcome(given)))


def on_the_seeded_database(
    problems: Callable[[History, sqlite3.Connection], list[str]],
) -> Callable[[Given], None]:
    """A `run` that tries the learner's revisions on copies of the seeded database."""
    return lambda given: require(problems(history(given), source(given)))


REVISION = (
    Expectation(
        "`alembic upgrade head` applies your revision to a copy of a database at revision 0001"
        " with 10,000 bookings",
        applies,
        hint="Write upgrade() and downgrade() in migrations/versions/0002_cancelled_state.py;"
        " when upgrade() raises, the line named is in your revision.",
        required=True,
    ),
    Expectation(
        "the schema is as your revision must leave it: cancelled, cancelled_at and an index"
        " the overlap query uses, nothing else changed",
        judged_by(scenarios.schema_problems, outcome),
        hint="op.add_column() adds a column and keeps the rest of the table;"
        ' op.create_index(…, "bookings", ["room_id", "start", "end"]) adds the index.',
    ),
    Expectation(
        "every room and booking keeps its values, and bookings made before the revision are"
        " live (cancelled = 0, cancelled_at NULL)",
        judged_by(scenarios.row_problems, outcome),
        hint='A column added with nullable=False and server_default=sa.text("0") gives every'
        " existing row that value: that is the backfill.",
    ),
    Expectation(
        "`alembic downgrade 0001` restores the schema and every row exactly",
        on_the_seeded_database(scenarios.rollback_problems),
        hint="In downgrade(), drop the index first, then op.drop_column() each new column: that"
        " removes exactly what upgrade() added.",
    ),
    Expectation(
        "the downgrade is refused while a booking is cancelled, and changes nothing",
        on_the_seeded_database(scenarios.refusal_problems),
        hint="Start downgrade() by counting the cancelled bookings"
        " (op.get_bind().execute(sa.text(…)).scalar_one()) and raise if there are any.",
    ),
    Expectation(
        "upgrading twice is harmless, and upgrade → downgrade → upgrade ends as the first"
        " upgrade did",
        on_the_seeded_database(scenarios.rerun_problems),
        hint="downgrade() must remove everything upgrade() adds (columns and index), so that"
        " upgrade() can run again.",
    ),
    Expectation(
        "an upgrade that fails halfway leaves the database exactly as it was",
        on_the_seeded_database(scenarios.failure_problems),
        hint="Leave the transaction to Alembic: no sqlite3 executescript() (it commits first), no"
        ' op.execute("COMMIT"), no autocommit_block(), no connection of your own.',
    ),
    Expectation(
        "your project is byte for byte as before: every check ran on a copy",
        files_unchanged,
        hint="Nothing to do: the check never writes into your project.",
    ),
)


# --- 03.2: the documents --------------------------------------------------------------------------


def plan(given: Given) -> str:
    return given.once("plan", lambda: project.read(documents.PLAN, workspace_of(given)))


def written(given: Given, needs: Callable[[Given], T]) -> T:
    """What a document is compared with, once the learner's revision runs.

    Without this, the revision's unsolved stub would read as if the document were not written.
    """
    try:
        return needs(given)
    except NotImplementedError:
        raise CheckFailed(
            f"not checked until your revision {history(given).head.id} is written (exercise"
            " 03.1): its stub still raises NotImplementedError"
        ) from None


def head_schema(given: Given) -> Snapshot | None:
    """The schema at the head of every revision, when later stages added some (the capstone).

    None when there are none, or when a later revision does not run yet (the capstone's stub):
    then stage 03's own schema is the one the TSD is held to, and that stage's check names the
    broken revision.
    """

    def make() -> Snapshot | None:
        try:
            whole = project_history(given)
        except ArtefactError:
            return None
        if len(whole.revisions) <= len(history(given).revisions):
            return None
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            try:
                scenarios.run_alembic(whole, db, "upgrade", "head")
            except Exception:  # noqa: BLE001 - a later stage's revision; its own check judges it
                return None
            return snapshot(db)

    return given.once("head schema", make)


def tsd_data_model(given: Given) -> None:
    """The TSD's data model is the schema of stage 03's revision, or of the project's head.

    A team updates its TSD with each feature, so after the capstone's revision the data model
    lists the series too; a TSD still at stage 03's schema is right for this exercise as well
    (the capstone's check asks for the update). When neither matches, the head's differences
    are the ones named: the TSD describes the service as it is now.
    """
    tsd = project.read(documents.TSD, workspace_of(given))
    at_stage_03 = documents.data_model_problems(tsd, written(given, outcome).after)
    if not at_stage_03:
        return
    head = head_schema(given)
    require(at_stage_03 if head is None else documents.data_model_problems(tsd, head))


def against_the_history(
    problems: Callable[[str, History], list[str]],
    read_plan: Callable[[Given], str] = plan,
    read_history: Callable[[Given], History] = history,
) -> Callable[[Given], None]:
    """A `run` that judges a migration plan against the revisions it describes (03.2, 10.3)."""
    return lambda given: require(problems(read_plan(given), read_history(given)))


def plan_and_history(given: Given) -> None:
    plan(given)
    history(given)


DOCUMENTS = (
    Expectation(
        "docs/db-migration-plan.md exists, and your migrations load",
        plan_and_history,
        hint="onboard begin 03 puts the company's template in docs/; fill it in for your revision.",
        required=True,
    ),
    Expectation(
        "the plan names your revision's id",
        against_the_history(documents.revision_id_problems),
        hint="Put the id of your revision (its `revision = …`) in the Migration id(s) row.",
    ),
    Expectation(
        "its rollback plan gives the command that undoes your revision",
        against_the_history(documents.rollback_problems),
        hint="Under Rollback plan, write the downgrade as it is typed: `alembic downgrade 0001`.",
    ),
    Expectation(
        "its verification queries give, on your migrated database, the results it expects",
        lambda given: require(documents.query_problems(plan(given), written(given, migrated))),
        hint="Each row: a read-only query in backticks, and the result it must give (0, `ok`,"
        " no rows…). Try them on a migrated database first.",
    ),
    Expectation(
        "its SQL for review is what `alembic upgrade 0001:<your revision> --sql` prints",
        against_the_history(documents.review_sql_problems),
        hint="Run review_sql() (the cell under the exercise) or the command in the project"
        " folder, and paste what it prints into a code block under SQL for review.",
    ),
    Expectation(
        "docs/tsd.md's data model lists the tables and columns your migrations create",
        tsd_data_model,
        hint="Keep the TSD's Data model table (Table | Column | Type | Notes) in step with the"
        " schema: one row per column.",
    ),
)

EXERCISES = {"03.1": REVISION, "03.2": DOCUMENTS}
