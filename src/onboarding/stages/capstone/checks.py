"""What stage 10 expects: the capstone's change, reviewed artefact by artefact.

One exercise per artefact, in the order a reviewer reads the change, so `onboard check 10` is
one review with a section each (the notebook's headings): 10.1 the PRD and its examples, 10.2
the spec and the TSD's API summary, 10.3 the migration, its plan and the TSD's data model, 10.4
the implementation and tests, 10.5 CI, 10.6 the deployment checklist, 10.7 the SLO, alert and
runbook, 10.8 the release note and version.

Every check reads the learner's project (`project.read`) or runs a throwaway copy of it, and
reuses the stage that taught the artefact: stage 01's PRD rules, stage 02's compatibility
differ and TSD rules, stage 03's Alembic scenarios, plan and data-model rules, stage 04's
runner, stage 06's local run of the workflow, stage 07's rollback rule, stage 08's alert-rule
and runbook rules. Tests may hand over `workspace=` (where the project is).
"""

from __future__ import annotations

import fnmatch
import re
import sqlite3
from collections.abc import Callable
from typing import Any

import tomllib

from onboarding import project
from onboarding.artefacts import openapi_compatibility, workflow_run
from onboarding.artefacts.alembic_history import History, read_history
from onboarding.artefacts.markdown import pipe_tables, section, sections, setext_as_atx
from onboarding.artefacts.quantities import is_measurable, with_digits
from onboarding.checks import (
    ArtefactError,
    CheckFailed,
    Expectation,
    Given,
    advised_by,
    judged_by,
    require,
)
from onboarding.protocol import shorten
from onboarding.pytest_runs import PytestRun
from onboarding.stages.api_design import tsd
from onboarding.stages.capstone import (
    baseline,
    examples,
    feature,
    flag_words,
    judging,
    planted_bugs,
    release,
)
from onboarding.stages.ci import checks as ci_checks
from onboarding.stages.ci import local_run
from onboarding.stages.implementation import judging as runs_of_stage_04
from onboarding.stages.intake import acceptance, prd
from onboarding.stages.intake import checks as stage_01
from onboarding.stages.migrations import documents, scenarios
from onboarding.stages.migrations.checks import against_the_history, project_copy, workspace_of
from onboarding.stages.migrations.schema import Snapshot, differences, snapshot
from onboarding.stages.monitoring import alerting, runbook

SEEDED_BOOKINGS = 500
"""Bookings in the database the migration is tried on: enough to show rows survive, and fast."""


def read(given: Given, relative: str) -> str:
    """A file of the project, read once per check; a missing file is one clear line."""
    return given.once(f"file {relative}", lambda: project.read(relative, workspace_of(given)))


def load_yaml(given: Given, relative: str) -> Any:
    return given.once(f"yaml {relative}", lambda: project.load_yaml(relative, workspace_of(given)))


# --- 10.1: the PRD and its examples -----------------------------------------------------------


def prd_of(given: Given) -> str:
    return read(given, feature.PRD_FILE)


def states_the_longest_series(text: str) -> bool:
    """Whether a text names the longest series, in digits or in words ("12", "twelve", "a
    dozen"), and not only inside a longer number ("120", "twelve hundred")."""
    return bool(re.search(rf"(?<![\w.,]){feature.MAX_WEEKS}(?![.,]?\d)", with_digits(text)))


def prd_names_the_feature(given: Given) -> None:
    text = prd_of(given).lower()
    if not re.search(r"\b(recurring|weekly|series|repeat)", text):
        raise CheckFailed(f"{feature.PRD_FILE} never says recurring, weekly, series or repeat")
    if not states_the_longest_series(text):
        raise CheckFailed(
            f"{feature.PRD_FILE} does not state the longest series ({feature.MAX_WEEKS} weeks, "
            "as Facilities agreed)"
        )


def examples_of(given: Given) -> list[Any]:
    return given.once(
        "examples", lambda: acceptance.examples_in(load_yaml(given, feature.EXAMPLES_FILE))
    )


PRD = (
    Expectation(
        f"{feature.PRD_FILE} exists, from the PRD template",
        prd_of,
        hint=f"Copy templates/prd.md to {feature.PRD_FILE} (onboard begin 10 does) and fill it "
        "in for the feature.",
        required=True,
    ),
    Expectation(
        "the template's ten `## ` headings are there, once each",
        advised_by(prd.heading_problems, prd.heading_advice, prd_of),
        hint="Keep the template's headings exactly; add your own sections if you need them.",
    ),
    Expectation(
        "nothing is left of the template: no placeholder, guidance or example",
        judged_by(prd.placeholder_problems, prd_of),
        hint="Replace every [bracketed placeholder] and delete the `>` guidance and examples.",
    ),
    Expectation(
        "the PRD is about recurring weekly bookings and states the longest series",
        prd_names_the_feature,
        hint=f"Say what a series is, and its limit: {feature.MIN_WEEKS} to {feature.MAX_WEEKS} "
        "weeks.",
    ),
    *stage_01.prd_content(prd_of, '"0 per 1,000 series"'),
    Expectation(
        f"{feature.EXAMPLES_FILE} is valid YAML with a top-level `examples:` list",
        examples_of,
        hint="The same shape as docs/acceptance_criteria.yaml, with `weeks` in `when` and "
        "`bookings` in `then`.",
        required=True,
    ),
    Expectation(
        "every example has a known behaviour and its given, when (with weeks) and then",
        judged_by(examples.structure_problems, examples_of),
        hint="Behaviours: " + ", ".join(examples.BEHAVIOURS) + ".",
    ),
    Expectation(
        "each of the four behaviours has an example",
        judged_by(examples.coverage_problems, examples_of),
        hint="One example each: " + ", ".join(examples.BEHAVIOURS) + ".",
    ),
    Expectation(
        "every example's `then` is what the service answers, all or nothing",
        judged_by(examples.answer_problems, examples_of),
        hint=f"201 with one booking a week; 409 or 422 with none stored; {feature.MAX_WEEKS} "
        f"weeks is the longest, {feature.MAX_WEEKS + 1} too long.",
    ),
)


# --- 10.2: the spec -----------------------------------------------------------------------------


def spec_of(given: Given) -> dict:
    spec = load_yaml(given, feature.SPEC_FILE)
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
        raise CheckFailed(f"{feature.SPEC_FILE} holds no OpenAPI document with `paths:`")
    return spec


def before_of(given: Given) -> tuple[dict, str]:
    return given.once("spec before", lambda: baseline.spec_before(workspace_of(given)))


def compatible(given: Given) -> None:
    before, source = before_of(given)
    changes = openapi_compatibility.breaking_changes(before, spec_of(given))
    require([f"{change.description} (compared with {source})" for change in changes])


OPERATIONS = (
    ("post", feature.SERIES_PATH),
    ("get", feature.SERIES_ITEM_PATH),
    ("post", feature.CANCEL_PATH),
)


def _template(path: str) -> str:
    """`/series/{id}` and `/series/{series_id}` are one path: OpenAPI matches by position."""
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def operation_of(spec: dict, method: str, path: str) -> dict | None:
    """The operation at `path` (whatever its parameters are called), or None."""
    for written, item in spec["paths"].items():
        if _template(str(written)) == _template(path):
            item = _resolved(spec, item)
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                return item[method]
    return None


def operations_added(given: Given) -> None:
    spec = spec_of(given)
    require(
        [
            f"{method.upper()} {path} is not in {feature.SPEC_FILE}"
            for method, path in OPERATIONS
            if operation_of(spec, method, path) is None
        ]
    )


def _resolved(spec: dict, node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < 12:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            raise CheckFailed(f"{ref} is outside {feature.SPEC_FILE}; keep the spec in one file")
        node = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")  # JSON Pointer escapes
            node = node.get(part) if isinstance(node, dict) else None
        depth += 1
    return node


def _object_schema(spec: dict, node: Any, depth: int = 0) -> tuple[dict, set[str]]:
    """The properties and required names of a schema, its `allOf` parts merged in.

    `allOf: [BookingCreate, {weeks}]` is how OpenAPI says "the booking's fields plus weeks".
    """
    schema = _resolved(spec, node)
    if not isinstance(schema, dict) or depth > 12:
        return {}, set()
    properties = dict(schema.get("properties") or {})
    required = {str(name) for name in schema.get("required") or []}
    for part in schema.get("allOf") or []:
        more, needed = _object_schema(spec, part, depth + 1)
        properties = {**more, **properties}
        required |= needed
    return properties, required


def _json_media(content: Any) -> dict:
    """The JSON media type of a body (`application/json`, with parameters or `+json`)."""
    for media, value in (content or {}).items() if isinstance(content, dict) else ():
        kind = str(media).split(";")[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json"):
            return value if isinstance(value, dict) else {}
    return {}


def _is_integer(schema: Any) -> bool:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    return kinds == "integer" or isinstance(kinds, list) and "integer" in kinds


def series_request(given: Given) -> None:
    spec = spec_of(given)
    operation = operation_of(spec, "post", feature.SERIES_PATH) or {}
    body = _resolved(spec, operation.get("requestBody")) or {}
    media = _json_media(body.get("content") if isinstance(body, dict) else None)
    properties, required = _object_schema(spec, media.get("schema"))
    if not _is_integer(_resolved(spec, properties.get("weeks"))):
        raise CheckFailed(f"POST {feature.SERIES_PATH}'s JSON body has no integer `weeks` property")
    missing = [name for name in ("start", "end", "attendees", "weeks") if name not in required]
    require([f"the series body does not require `{name}`" for name in missing])
    answers = {str(code) for code in (operation.get("responses") or {})}
    require(
        [
            f"POST {feature.SERIES_PATH} does not document {code} ({why})"
            for code, why in (("201", "created"), ("404", "unknown room"),
                              ("409", "an occurrence overlaps"), ("422", "out of range"))
            if code not in answers
        ]
    )  # fmt: skip


def tsd_of(given: Given) -> str:
    return read(given, feature.TSD_FILE)


def tsd_lists_the_spec(given: Given) -> None:
    """Stage 02's rule, on the grown spec: the TSD's API summary lists exactly its operations."""
    require(tsd.endpoint_problems(tsd_of(given), tsd.operations_of(spec_of(given))))


SPEC = (
    Expectation(
        f"{feature.SPEC_FILE} is valid YAML with `paths:`",
        spec_of,
        hint="YAML indents with spaces; validate it as in stage 02.",
        required=True,
    ),
    Expectation(
        "the change is backwards compatible with your spec as it was when the capstone began",
        compatible,
        hint="Only add: new paths, new optional fields. Put back what the old spec had; a "
        "client of 0.1.0 must keep working.",
    ),
    Expectation(
        "the spec adds the series operations: "
        + ", ".join(f"{method.upper()} {path}" for method, path in OPERATIONS),
        operations_added,
        hint="Add the three paths, as project/README.md and the lesson name them.",
    ),
    Expectation(
        "POST /rooms/{room_id}/series takes `weeks` and documents 201, 404, 409 and 422",
        series_request,
        hint="A SeriesCreate schema: the booking's fields plus an integer `weeks`; the "
        "responses of creating a booking plus the series' own.",
    ),
    Expectation(
        f"{feature.TSD_FILE}'s API summary lists exactly the operations of {feature.SPEC_FILE},"
        " the series ones included",
        tsd_lists_the_spec,
        hint="The design changes with the feature: add a row per new operation to the TSD's API"
        " summary table, `| POST | /rooms/{room_id}/series | … |`, as in stage 02.",
    ),
)


# --- 10.3: the migration and its plan -----------------------------------------------------------


def history(given: Given) -> History:
    def make() -> History:
        try:
            return read_history(project_copy(given))
        except ArtefactError as error:
            raise CheckFailed(str(error)) from None

    return given.once("history", make)


def stage_03_head(given: Given) -> str:
    """The revision before the feature's: the head's down_revision."""
    found = history(given)
    if len(found.revisions) < 2 or found.head.down_revision is None:
        raise CheckFailed(
            f"your migrations have only {found.as_text()}; add a revision after it for the series"
        )
    return found.head.down_revision


def seeded(given: Given) -> sqlite3.Connection:
    """A database at the revision before the feature's, with rooms and bookings."""

    def make() -> sqlite3.Connection:
        found = history(given)
        source = scenarios.seeded_database(found, SEEDED_BOOKINGS)
        db = scenarios.open_copy(source)
        try:
            scenarios.run_alembic(found, db, "upgrade", stage_03_head(given))
        except CheckFailed:
            raise
        except Exception as error:  # noqa: BLE001 - the learner's earlier revisions
            raise CheckFailed(
                f"your revisions up to {stage_03_head(given)} fail: {_error(error)}"
            ) from None
        return db

    return given.once("seeded", make)


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {shorten(str(error), 110)}"


def migrated(given: Given) -> sqlite3.Connection:
    """A read-only copy of the seeded database upgraded to the head: the schema the feature
    runs on, and where the plan's verification queries are tried."""

    def make() -> sqlite3.Connection:
        with scenarios.copy_of(seeded(given)) as db:
            try:
                scenarios.run_alembic(history(given), db, "upgrade", "head")
            except NotImplementedError:
                raise CheckFailed(
                    f"{history(given).head.path}: upgrade() is not written yet"
                ) from None
            except Exception as error:  # noqa: BLE001 - the finding is which error
                raise CheckFailed(f"`alembic upgrade head` fails: {_error(error)}") from None
            return documents.open_read_only(db)

    return given.once("migrated to head", make)


def upgraded(given: Given) -> tuple[Snapshot, Snapshot]:
    return given.once("upgraded", lambda: (snapshot(seeded(given)), snapshot(migrated(given))))


def expands(given: Given) -> None:
    before, after = upgraded(given)
    series = [name for name in after.tables if name not in before.tables and "series" in name]
    if not series:
        raise CheckFailed(
            f"{history(given).head.path} adds no table for the series (new tables: "
            f"{', '.join(sorted(set(after.tables) - set(before.tables))) or 'none'})"
        )
    bookings = after.tables.get("bookings")
    added = [
        column
        for column in (bookings.columns if bookings else ())
        if "series" in column.name and before.tables["bookings"].column(column.name) is None
    ]
    if not added:
        raise CheckFailed("bookings gains no column naming its series (such as series_id)")
    if any(column.notnull for column in added):
        raise CheckFailed(
            f"bookings.{added[0].name} is NOT NULL: the bookings made one at a time have no "
            "series, and the running release does not fill it in — expand with a nullable column"
        )


def nothing_removed(given: Given) -> None:
    """Expand only: every table, column and row before the change is still there, unchanged."""
    before, after = upgraded(given)
    problems = []
    for name, table in before.tables.items():
        now = after.tables.get(name)
        if now is None:
            problems.append(f"the table {name} is gone after the upgrade: that is a contract step")
            continue
        for column in table.columns:
            if now.column(column.name) is None:
                problems.append(
                    f"{name}.{column.name} is gone after the upgrade: the running release still reads it"
                )
        kept = [row[: len(table.row_columns)] for row in now.rows.values()]
        if table.rows and sorted(map(repr, table.rows.values())) != sorted(map(repr, kept)):
            problems.append(f"rows of {name} changed in the upgrade: an expand step only adds")
    require(problems)


def rolls_back(given: Given) -> None:
    target = stage_03_head(given)
    with scenarios.copy_of(seeded(given)) as db:
        before = snapshot(db)
        try:
            scenarios.run_alembic(history(given), db, "upgrade", "head")
            scenarios.run_alembic(history(given), db, "downgrade", target)
        except NotImplementedError:
            raise CheckFailed(
                f"{history(given).head.path}: downgrade() is not written yet"
            ) from None
        except Exception as error:  # noqa: BLE001 - the finding is which error
            raise CheckFailed(
                f"`alembic downgrade {target}` fails on bookings made one at a time: {_error(error)}"
            ) from None
        require(differences(before, snapshot(db), f"`alembic downgrade {target}`"))


SERIES_VALUES = {"room_id": None, "organiser": "amara@example.com", "weeks": 2}
"""The series row the refusal is tried with; None stands for the room of a seeded booking."""


def _series_row(db: sqlite3.Connection, table: str, room: int) -> dict[str, Any]:
    """A row for the learner's series table: the usual columns, and a value for every other
    column it requires (a series may store its slot, attendees, or its organiser by another
    name), chosen by the column's name and type."""
    row: dict[str, Any] = {}
    for _, name, kind, notnull, default, primary in db.execute(f'PRAGMA table_info("{table}")'):
        if name in SERIES_VALUES:
            row[name] = SERIES_VALUES[name] or room
        elif notnull and default is None and not primary:
            kind = str(kind).upper()
            if "room" in name.lower():
                row[name] = room
            elif "BOOL" in kind:
                row[name] = 1
            elif any(word in kind for word in ("INT", "NUM", "REAL", "FLOA", "DOUB")):
                row[name] = 2
            elif any(word in name.lower() for word in ("start", "end", "_at", "time", "date")):
                row[name] = "2030-01-07T09:00:00+00:00"
            else:
                row[name] = "amara@example.com"
    return row


def refuses_with_a_series(given: Given) -> None:
    target = stage_03_head(given)
    _, after = upgraded(given)
    table = next(name for name in after.tables if "series" in name and name != "bookings")
    column = next(c.name for c in after.tables["bookings"].columns if "series" in c.name)
    with scenarios.copy_of(seeded(given)) as db:
        scenarios.run_alembic(history(given), db, "upgrade", "head")
        with db:
            room = db.execute("SELECT room_id FROM bookings ORDER BY id LIMIT 1").fetchone()[0]
            values = _series_row(db, table, room)
            names = ", ".join(f'"{name}"' for name in values)
            try:
                cursor = db.execute(
                    f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in values)})',
                    list(values.values()),
                )
            except sqlite3.Error as error:
                raise CheckFailed(
                    f"not tried: the check could not store a series in your {table} table "
                    f"({_error(error)}); give the columns it requires beyond room, organiser "
                    "and weeks a server default"
                ) from None
            db.execute(
                f"UPDATE bookings SET {column} = ? WHERE id = (SELECT min(id) FROM bookings)",
                [cursor.lastrowid],
            )
        before = snapshot(db)
        try:
            scenarios.run_alembic(history(given), db, "downgrade", target)
        except NotImplementedError:
            raise CheckFailed(
                f"{history(given).head.path}: downgrade() is not written yet"
            ) from None
        except Exception:  # noqa: BLE001 - refusing in any way is what we want
            require(differences(before, snapshot(db), "the refused downgrade"))
            return
    raise CheckFailed(
        f"`alembic downgrade {target}` went through while a booking belongs to a series: the "
        "series is lost and its bookings can no longer be cancelled together — make "
        "downgrade() raise while any booking has a series"
    )


def plan_of(given: Given) -> str:
    return read(given, feature.PLAN_FILE)


def against_the_plan(
    problems: Callable[..., list[str]],
) -> Callable[[Given], None]:
    """Stage 03's rule `problems(plan, history, file)`, on the capstone's plan and every
    revision. Its messages name the capstone's plan: stage 03's own, `docs/db-migration-plan.md`,
    still describes revision 0002."""
    return against_the_history(
        lambda plan, revisions: problems(plan, revisions, feature.PLAN_FILE), plan_of, history
    )


def plan_sql(given: Given) -> None:
    """The plan's SQL, as stage 03 judges it: what `alembic upgrade --sql` prints for the
    revision, and verification queries that give, on the migrated database, what they expect."""
    require(
        documents.review_sql_problems(plan_of(given), history(given), feature.PLAN_FILE)
        + documents.query_problems(plan_of(given), migrated(given), feature.PLAN_FILE)
    )


def tsd_matches_the_schema(given: Given) -> None:
    """Stage 03's rule, after the new revision: the TSD's data model is the schema at the head."""
    require(documents.data_model_problems(tsd_of(given), upgraded(given)[1]))


MIGRATION = (
    Expectation(
        "your Alembic history reads, with a new revision after the stage-03 ones",
        stage_03_head,
        hint='`alembic revision -m "booking series"` writes one; its down_revision is your '
        "newest stage-03 revision.",
        required=True,
    ),
    Expectation(
        f"`alembic upgrade head` on a copy with {SEEDED_BOOKINGS} bookings adds a series table "
        "and a nullable series column to bookings",
        expands,
        hint='op.create_table("series", …); op.add_column("bookings", sa.Column("series_id", '
        "sa.Integer(), nullable=True)).",
        required=True,
    ),
    Expectation(
        "it is an expand step: no table, column or row is removed or changed",
        nothing_removed,
        hint="The running release must keep working on the new schema: only add.",
    ),
    Expectation(
        "the downgrade restores the schema and every row exactly",
        rolls_back,
        hint="In downgrade(), drop the index, the column, then the table: exactly what "
        "upgrade() added, in reverse.",
    ),
    Expectation(
        "the downgrade is refused while a booking belongs to a series, and changes nothing",
        refuses_with_a_series,
        hint="Count the bookings with a series first, and raise if there are any.",
    ),
    Expectation(
        f"{feature.TSD_FILE}'s data model lists the tables and columns your migrations create,"
        " the new ones included",
        tsd_matches_the_schema,
        hint="Add the series table's columns and the bookings column to the TSD's Data model"
        " table, `| series | weeks | INTEGER | … |`, as in stage 03.",
    ),
    Expectation(
        f"{feature.PLAN_FILE} names your new revision in its Migration id(s)",
        against_the_plan(documents.revision_id_problems),
        hint="Write the revision's id in the plan's header table.",
        required=True,
    ),
    Expectation(
        "the plan's Rollback plan gives the downgrade that undoes your new revision",
        against_the_plan(documents.rollback_problems),
        hint="`alembic downgrade <the revision before yours>`, as it is typed.",
    ),
    Expectation(
        "the plan quotes what `alembic upgrade --sql` prints for your revision",
        plan_sql,
        hint="Run `alembic upgrade <before>:<yours> --sql` in your project and paste it in a "
        "```sql block. Under Verification queries, each row is a read-only query in backticks "
        "and what it gives on the migrated database (0, `ok`, no rows…).",
    ),
)


# --- 10.4: the implementation and its tests -----------------------------------------------------


def runs(given: Given) -> dict[str, PytestRun]:
    return given.once("runs", judging.runs)


def _hidden(name: str):
    return lambda given: runs_of_stage_04.require_case(
        runs(given)[judging.HIDDEN], name, "the acceptance suite"
    )


def learners_tests_pass(given: Given) -> None:
    run = runs(given)[runs_of_stage_04.LEARNERS]
    runs_of_stage_04.require_collected(run, feature.TEST_FILE)
    require(runs_of_stage_04.failures(run), limit=2)


def catches(bug) -> Any:
    def run(given: Given) -> None:
        result = runs(given)[bug.key]
        runs_of_stage_04.require_finished(result, f"your tests with {bug.bug}")
        if result.collection_errors or result.total == 0:
            raise CheckFailed("not tried: your tests did not run (see above)")
        if not result.broken:
            raise CheckFailed(f"every test of {feature.TEST_FILE} passed with {bug.bug} planted")

    return run


HIDDEN_CASES = (
    ("test_a_series_books_one_slot_a_week", "a 4-week series books one slot a week"),
    ("test_the_longest_series_is_booked", f"a {feature.MAX_WEEKS}-week series is booked"),
    ("test_a_series_out_of_range_is_refused",
     f"{feature.MAX_WEEKS + 1}, 1 and 0 weeks are refused with 422, nothing stored"),
    ("test_one_clash_books_no_week", "one clash refuses the whole series with 409: all or nothing"),
    ("test_every_week_follows_the_booking_rules",
     "every week follows the booking rules: capacity, time range, unknown room"),
    ("test_a_series_is_read_and_cancelled", "a series is read, cancelled, and cancelled again"),
    ("test_single_bookings_still_work", "single bookings still work beside a series"),
    ("test_with_the_flag_off_the_series_endpoints_are_hidden",
     f"with {feature.FLAG} off, the series endpoints answer 404"),
)  # fmt: skip

IMPLEMENTATION = (
    Expectation(
        f"your service starts with {feature.FLAG} on, in a copy of your project",
        _hidden("test_single_bookings_still_work"),
        hint="Run your tests with pytest in the project; the message names the line that fails.",
        required=True,
    ),
    *(
        Expectation(f"acceptance: {text}", _hidden(name), hint="See the PRD's acceptance criteria.")
        for name, text in HIDDEN_CASES[:-2] + HIDDEN_CASES[-1:]
    ),
    Expectation(
        f"your {feature.TEST_FILE} passes on your service",
        learners_tests_pass,
        hint="Run `pytest tests/test_series.py` in your project.",
        required=True,
    ),
    *(
        Expectation(f"your tests catch {bug.bug}", catches(bug), hint=bug.hint)
        for bug in planted_bugs.BUGS
    ),
)


# --- 10.5: CI -------------------------------------------------------------------------------------


LEAVE_OUT = ("--ignore", "--ignore-glob", "--deselect")


def _selects(pattern: str) -> bool:
    """Whether a path pytest is given (`tests`, `./tests/`, `tests/test_*.py`) holds the file."""
    path = pattern.split("::")[0].removeprefix("./").rstrip("/") or "."
    return (
        path == "."
        or feature.TEST_FILE.startswith(path + "/")
        or fnmatch.fnmatchcase(feature.TEST_FILE, path)
    )


def _pytest_commands(line: str) -> list[list[str]]:
    """The arguments of each command of a script line that runs pytest, however it is called
    (`pytest`, `py.test`, `.venv/bin/pytest`, `python -m pytest`, behind `uv run`)."""
    found = (local_run.pytest_arguments(command) for command in local_run.commands_of(line))
    return [arguments for arguments in found if arguments is not None]


def _covers(line: str) -> bool:
    """Whether a script line runs pytest on a selection that holds tests/test_series.py."""
    return any(_selects_the_new_tests(arguments) for arguments in _pytest_commands(line))


def _selects_the_new_tests(arguments: list[str]) -> bool:
    paths, option = [], None
    for word in arguments:
        if option is not None:
            name, option = option, None
            if name in LEAVE_OUT and "::" not in word and _selects(word):
                return False
            continue
        if word.startswith("-"):
            name, joined, value = word.partition("=")
            if name in LEAVE_OUT and joined and "::" not in value and _selects(value):
                return False
            if name in local_run.PYTEST_OPTIONS_WITH_VALUE and not joined:
                option = name
            continue
        if "/" in word or word in ("tests", ".") or word.endswith(".py"):
            paths.append(word)
    return not paths or any(_selects(path) for path in paths)


def series_steps(given: Given) -> list[workflow_run.Step]:
    """The steps of pull-request jobs with a pytest command that selects tests/test_series.py."""

    def find() -> list[workflow_run.Step]:
        steps = [step for step in local_run.plan(ci_checks.workflow_of(given)) if not step.skipped]
        found = [
            step
            for step in steps
            if any(_covers(line) for line in workflow_run.logical_lines(step.script))
        ]
        if not found:
            commands = [
                f"`{shorten(line, 60)}`"
                for step in steps
                for line in workflow_run.logical_lines(step.script)
                if _pytest_commands(line)
            ]
            raise CheckFailed(
                f"no pytest step of a pull-request job runs {feature.TEST_FILE}: "
                + ("; ".join(commands) or "the workflow runs no pytest")
            )
        return found

    return given.once("series steps", find)


def series_steps_pass(given: Given) -> None:
    """Those steps pass on a throwaway copy, as stage 06 runs them (one job's steps in order)."""
    failures = []
    with project.copy_for_checking(workspace_of(given)) as copy:
        for step in series_steps(given):
            result = local_run.run_step(step, copy)
            if not result.passed:
                failures.append(workflow_run.failure_of(result))
    require(failures)


CI = (
    Expectation(
        f"{ci_checks.WORKFLOW_FILE} is in your project, valid YAML with `on:` and `jobs:`",
        ci_checks.workflow_of,
        hint="Stage 06 wrote it; keep it.",
        required=True,
    ),
    Expectation(
        f"a pytest step of a pull-request job runs {feature.TEST_FILE}",
        series_steps,
        hint="`pytest` with no path runs every test under tests/; do not --ignore the new file.",
        required=True,
    ),
    Expectation(
        "that step passes when run here, on a copy of your project, with your new tests",
        series_steps_pass,
        hint="Run the same commands in your project's folder; the message names the failing step.",
    ),
)


# --- 10.6: the deployment checklist ---------------------------------------------------------------


def checklist_of(given: Given) -> str:
    return read(given, feature.CHECKLIST_FILE)


def _titled(text: str, word: str) -> str | None:
    """The body of the first section whose title holds `word` ("Roll-out steps", "3. Rollout")."""
    found = [
        (re.sub(r"[\W_]", "", re.sub(r"^[\d.)\s]+", "", title.casefold())), body)
        for title, body in sections(text)
    ]
    # "Rollout steps" before "Monitoring checks during rollout", whatever their order.
    return next((body for key, body in found if key.startswith(word)), None) or next(
        (body for key, body in found if word in key), None
    )


def _rollout(text: str) -> str:
    body = _titled(text, "rollout")
    if body is None:
        raise CheckFailed(f"{feature.CHECKLIST_FILE} has no `## Rollout steps` section")
    return body


def names_the_flag(given: Given) -> None:
    text = checklist_of(given)
    if feature.FLAG not in text:
        raise CheckFailed(f"{feature.CHECKLIST_FILE} never names the flag `{feature.FLAG}`")
    steps = _steps(_rollout(text))
    if not any(flag_words.turns_the_flag_on(step) for step in steps):
        # Naming the flag is not enough: "deploy with the flag off" and a canary of the
        # deployment alone would leave the series endpoints answering 404 for everyone.
        raise CheckFailed(
            "the Rollout steps never turn the flag on: no step says the flag is on, or gives "
            f"its share, such as “turn {feature.FLAG} on for 5% of the traffic”"
        )


def canary_steps(given: Given) -> None:
    rollout = _rollout(checklist_of(given))
    # A canary by its name, or by what it is: the flag on for a share below 100% first.
    if "canary" not in rollout.lower() and not any(
        0 < share < 100 for step in _steps(rollout) for share in flag_words.flag_on_shares(step)
    ):
        raise CheckFailed(
            "the Rollout steps have no canary step: turn the flag on for a share below 100% "
            "first, such as 5% of the traffic"
        )
    # "five percent" and "one hundred per cent" are shares too; "errors under 1%" is not one.
    shares = [share for step in _steps(rollout) for share in flag_words.audience_shares(step)]
    # 0% is the flag off: it serves no one, so it is where a rollout starts, not a canary.
    first = next((share for share in shares if 0 < share < 100), None)
    if first is None:
        raise CheckFailed(
            "the Rollout steps give no share below 100% for the canary (and above 0%, which "
            "serves no one): "
            + (", ".join(f"{share:g}%" for share in shares) or "no percentage at all")
        )
    if 100 not in shares and not any(_reaches_everyone(step) for step in _steps(rollout)):
        raise CheckFailed(f"the Rollout steps start at {first:g}% but never reach 100%")


WHOLE_AUDIENCE = re.compile(
    r"(?i)\b(?:all\s+(?:of\s+)?(?:the\s+|our\s+)?(?:traffic|users|requests|clients|customers)"
    r"|every\s+(?:user|request|client|customer)|everyone|everybody"
    r"|(?:the\s+)?whole\s+(?:of\s+the\s+)?traffic)\b"
)
"""Words for 100% of the traffic: all traffic, all users, everyone, the whole traffic. Only
whole phrases: "all beta users" and "most traffic" are a share, not everyone."""
TURNED_ON = re.compile(r"(?i)\b(?:on|enabled?|roll(?:ed)?\s*out|serves?|released?|live)\b")
FULL_ROLLOUT = re.compile(
    r"(?i)\bfull(?:y)?[\s-]+roll(?:ed)?[\s-]*out\b|\broll(?:ed)?\s*out\s+fully\b"
)
NEGATED = re.compile(r"(?i)\b(?:not|never)\b|n't\b")
CLAUSE_END = re.compile(r"(?i);|\.(?:\s|$)|\b(?:if|then|unless|otherwise)\b")
"""Where a step's clause ends: "the flag is on for everyone; turn it off if errors rise" turns
it on for everyone, and only then says when it goes off."""


def _steps(body: str) -> list[str]:
    """The steps of a section: each list item with its continuation lines, each paragraph."""
    steps: list[str] = []
    after_blank = True
    for line in body.splitlines():
        if not line.strip():
            after_blank = True
            continue
        if after_blank or re.match(r"\s*(?:[-*+]|\d+[.)])\s", line):
            steps.append(line.strip())
        else:
            steps[-1] += " " + line.strip()
        after_blank = False
    return steps


def _reaches_everyone(step: str) -> bool:
    """A step that turns the feature on for all the traffic in words ("all traffic: the flag is
    on", "full rollout"), not one that turns it off for everyone or says it is not yet. Only a
    statement that the flag or the feature goes off is one (`flag_words`): "all users: the flag
    is on, off-peak first" reaches everyone."""
    return any(
        not NEGATED.search(clause)
        and not flag_words.turns_the_feature_off(clause)
        and bool(
            FULL_ROLLOUT.search(clause)
            or (WHOLE_AUDIENCE.search(clause) and TURNED_ON.search(clause))
        )
        for clause in CLAUSE_END.split(step)
    )


def _frames_the_plan(step: str) -> bool:
    """A labelled bullet such as "Decision maker: …" or "Steps:" frames the plan; "Step 1: …"
    and "Kill switch: turn the flag off" are actions all the same."""
    return bool(
        re.match(r"[\w ]{1,20}:(\s|$)", step)
        and not re.match(r"(?i)step\s*\d", step)
        and not flag_words.turns_the_flag_off(step)
    )


def flag_off_first(given: Given) -> None:
    text = checklist_of(given)
    body = section(text, "Rollback plan")
    body = _titled(text, "rollback") if body is None else body
    if body is None:
        raise CheckFailed(f"{feature.CHECKLIST_FILE} has no `## Rollback plan` section")
    steps = re.findall(r"^\s*(?:\d+[.)]|[-*+])\s+(?:\[[ xX]\]\s+)?(.*)$", body, re.MULTILINE)
    actions = [step for step in steps if not _frames_the_plan(step)]
    first = next((step for step in actions if step.strip()), "")
    if not flag_words.turns_the_flag_off(first):
        raise CheckFailed(
            f"the Rollback plan's first step is “{shorten(first, 70)}”; turning {feature.FLAG} "
            "off comes first: it takes seconds and needs no redeploy"
        )


def watches_the_series(given: Given) -> None:
    text = checklist_of(given)
    body = _titled(text, "monitoring") or ""
    if feature.SERIES_PATH not in body and "series" not in body.lower():
        raise CheckFailed(
            f"the checklist's monitoring checks do not watch {feature.SERIES_PATH}, the "
            "endpoint the canary turns on"
        )


CHECKLIST = (
    Expectation(
        f"{feature.CHECKLIST_FILE} exists",
        checklist_of,
        hint="Stage 07 wrote it; update it for this release.",
        required=True,
    ),
    Expectation(
        f"it names the feature flag `{feature.FLAG}` and turns it on in the rollout",
        names_the_flag,
        hint="Deploy with the flag off, then turn it on for the canary.",
    ),
    Expectation(
        "the rollout is a canary: a share below 100% first, then up to 100%",
        canary_steps,
        hint="For example 5%, then 25%, 50%, 100%, each held while the checks stay healthy.",
    ),
    Expectation(
        "the monitoring checks watch the series endpoint",
        watches_the_series,
        hint=f"Add a row for {feature.SERIES_PATH}: its errors and latency, and when to roll back.",
    ),
    Expectation(
        "the Rollback plan turns the flag off first",
        flag_off_first,
        hint="Step 1: turn the flag off. Redeploying and downgrading come after, if at all.",
    ),
    Expectation(
        "the Rollback plan names the command that undoes your new revision",
        lambda given: require(
            documents.downgrade_command_problems(
                checklist_of(given), "Rollback plan", history(given), feature.CHECKLIST_FILE
            )
        ),
        hint="`alembic downgrade <the revision before yours>`, as it is typed.",
    ),
)


# --- 10.7: SLO, alert and runbook -----------------------------------------------------------------


def rules_of(given: Given):
    return given.once("rules", lambda: alerting.read_rules(read(given, feature.RULES_FILE)))


OTHER_ROUTES = tuple(route.route for route in alerting.ROUTES) + tuple(
    path for _, path, _ in alerting.PROBES
)
"""The routes the service served before the capstone: an alert on the series selects none."""


def isolates_the_series(alert) -> bool:
    """Whether a selector of the alert takes the series route and no route the service had
    before: `route="…"`, or a regular expression (`route=~"/rooms/.*/series"`, which may take the
    feature's other routes too). `route=~".*"` takes every route: the series would not show."""
    return any(
        selector.selects("route", feature.SERIES_PATH)
        and not any(selector.selects("route", route) for route in OTHER_ROUTES)
        for selector in alert.selectors()
    )


def series_alerts(given: Given) -> list:
    alerts = rules_of(given).alerts
    found = [alert for alert in alerts if isolates_the_series(alert)]
    if not found:
        widest = next(
            (
                (alert.name, route)
                for alert in alerts
                for selector in alert.selectors()
                # A selector that picks routes (`=`, `=~`) tried to pick the series; one that
                # only leaves some out (`route!~"/health/.+"`) is an alert on the whole API.
                if any(m.name == "route" and m.op in ("=", "=~") for m in selector.matchers)
                and selector.selects("route", feature.SERIES_PATH)
                for route in OTHER_ROUTES
                if selector.selects("route", route)
            ),
            None,
        )
        raise CheckFailed(
            f'no alert of {feature.RULES_FILE} selects route="{feature.SERIES_PATH}"'
            + (
                f" alone: `{widest[0]}` also selects {widest[1]}, so the series' own errors or "
                "latency would not show"
                if widest
                else ""
            )
        )
    return found


def runbook_of(given: Given) -> str:
    return read(given, feature.RUNBOOK_FILE)


def entry_cells(text: str, entry: runbook.Entry) -> list[str]:
    """Every cell of the Alerts table's row that is the entry: an `Objective` or `SLO` column
    too, which `runbook.entries` reads no part of. Nothing for an entry written as a
    subsection, whose whole text is its meaning and its actions already."""
    body = section(setext_as_atx(text), "Alerts") or ""
    said = [part for part in (entry.meaning, entry.actions) if part]
    for table in pipe_tables(body):
        for row in table.rows:
            cells = [cell.strip() for cell in row]
            # The row that gave the entry its parts, and names it: not another alert's row
            # that says "as for SeriesSlow".
            if all(part in cells for part in said) and any(
                re.search(rf"(?<!\w){re.escape(entry.name)}(?!\w)", cell) for cell in cells
            ):
                return cells
    return []


def _action_steps(text: str) -> list[str]:
    """The steps of a cell of actions: "1. Check the lock. 2. If users complain, turn the flag
    off" gives "Check the lock." and "If users complain, turn the flag off"."""
    steps = re.split(r"(?i)<br\s*/?>|\n|(?:^|\s)(?:\d+[.)]|[-*+])\s", text)
    return [step for step in steps if step.strip()]


def _clauses(text: str) -> list[str]:
    """The clauses of each step of a text: "1. Check the lock. 2. If users complain, turn the
    flag off" gives "Check the lock", "users complain, turn the flag off" and the rest."""
    return [
        clause
        for step in _action_steps(text)
        for clause in CLAUSE_END.split(step)
        if clause.strip()
    ]


def states_an_objective(given: Given) -> None:
    """The series alert's entry states its objective, in any of its cells or the alert's
    summary or description, and among its actions turns the flag off (stage 10.6's words)."""
    text = runbook_of(given)
    entries = {entry.name: entry for entry in runbook.entries(text)}
    problems = []
    for alert in series_alerts(given):
        entry = entries.get(alert.name)
        if entry is None:
            continue  # the runbook expectation says so
        cells = entry_cells(text, entry) or [entry.meaning, entry.actions]
        annotations = [alert.annotations.get(name, "") for name in ("summary", "description")]
        # A share of the flag (0% is off, 5% a canary) is the rollout's, not the objective: a
        # clause that names the flag states none.
        said = " ".join(
            clause
            for clause in _clauses(" ".join([*cells, *annotations]))
            if not flag_words.names_the_flag(clause)
        )
        if not re.search(r"(?i)%|\bper\s?cent", said) or not is_measurable(said):
            problems.append(
                f"the runbook entry for {alert.name} states no objective: “{shorten(entry.meaning, 70)}”"
            )
        # A row's "What it means" describes the alert; every other part may act. A subsection
        # is one text, its meaning and actions alike, and an entry with no actions is all said.
        described = entry.meaning if entry.actions not in ("", entry.meaning) else None
        acting = [cell for cell in cells if cell != described]
        if not any(
            flag_words.turns_the_flag_off(step) for step in _action_steps("\n".join(acting))
        ):
            problems.append(
                f"the runbook entry for {alert.name} never turns {feature.FLAG} off: its first "
                f"actions are “{shorten(entry.actions or ' '.join(acting), 70)}”; add “turn {feature.FLAG} off”, "
                "which stops new series in seconds, with no redeploy"
            )
    require(problems)


OBSERVABILITY = (
    Expectation(
        f"{feature.RULES_FILE} is a valid Prometheus rule file",
        rules_of,
        hint="Stage 08 wrote it; add a rule, keep the file valid (promtool's format).",
        required=True,
    ),
    Expectation(
        f'an alert selects the series endpoint: route="{feature.SERIES_PATH}"',
        series_alerts,
        hint="Its latency or its errors, against the SLO your PRD states.",
    ),
    Expectation(
        "every alert has a severity (page or ticket) and a runbook annotation",
        lambda given: require(alerting.labelling_problems(rules_of(given))),
        hint="labels: {severity: ticket}; annotations: {runbook_url: docs/runbook.md#alerts}.",
    ),
    Expectation(
        f"{feature.RUNBOOK_FILE} has an entry for every alert, with its severity",
        lambda given: require(
            runbook.missing_entry_problems(runbook_of(given), rules_of(given))
            + runbook.severity_problems(runbook_of(given), rules_of(given))
        ),
        hint="One row of the Alerts table per alert, named exactly as in the rules.",
    ),
    Expectation(
        "the series alert's runbook entry states its objective, as a percentage",
        states_an_objective,
        hint="For example: 95% of series booked within 0.3 s, over 30 days. Among the first "
        f"actions: turn {feature.FLAG} off.",
    ),
)


# --- 10.8: the release note and the version ------------------------------------------------------


def changelog_of(given: Given) -> str:
    return read(given, feature.CHANGELOG_FILE)


def released_version(given: Given) -> str:
    version = release.newest_heading(changelog_of(given))
    if version is None:
        raise CheckFailed(f"{feature.CHANGELOG_FILE} has no `## 1.2.3` heading for the release")
    return version


def the_next_version(given: Given) -> None:
    before, source = baseline.version_before(workspace_of(given))
    wanted = release.next_version(before, ["feat: recurring weekly bookings"])
    version = released_version(given)
    if version != wanted:
        raise CheckFailed(
            f"the release is {version}; from {before} ({source}) a backwards-compatible feature "
            f"(feat:) makes {wanted}"
        )


def versions_agree(given: Given) -> None:
    version = released_version(given)
    problems = []
    try:
        metadata = tomllib.loads(read(given, "pyproject.toml"))
        declared = str(metadata["project"]["version"])
    except (tomllib.TOMLDecodeError, KeyError):
        declared = "(unreadable)"
    if declared != version:
        problems.append(f"pyproject.toml says {declared}, the release note {version}")
    package = release.package_version(read(given, "src/booking_service/__init__.py"))
    if package is None:
        problems.append(
            f'src/booking_service/__init__.py sets no `__version__ = "…"`; the release note says'
            f" {version}"
        )
    elif package != version:
        problems.append(
            f"src/booking_service/__init__.py says {package}, the release note {version}"
        )
    require(problems)


def note_describes_the_feature(given: Given) -> None:
    entry = release.entry_of(changelog_of(given), released_version(given))
    problems = []
    if not release.has_added_section(entry):
        problems.append("the release's entry has no `### Added` section")
    if not re.search(r"(?i)series|recurring|weekly", entry):
        problems.append("the release's entry does not mention the series")
    if feature.FLAG not in entry:
        problems.append(f"the release's entry does not name the flag {feature.FLAG}")
    require(problems)


RELEASE = (
    Expectation(
        f"{feature.CHANGELOG_FILE} has a heading for the new release",
        released_version,
        hint="## 0.2.0 - 2030-03-16, above the older entries.",
        required=True,
    ),
    Expectation(
        "the version is the next one after the capstone began, for a feature",
        the_next_version,
        hint="feat: bumps the minor version and resets the patch (stage 06).",
    ),
    Expectation(
        "pyproject.toml and booking_service.__version__ say the same version",
        versions_agree,
        hint="Change both: tests/test_project.py checks that they agree.",
    ),
    Expectation(
        "the entry says what is added, and names the flag",
        note_describes_the_feature,
        hint="### Added: the series endpoints, and the flag that turns them on.",
    ),
)

EXERCISES = {
    "10.1": PRD,
    "10.2": SPEC,
    "10.3": MIGRATION,
    "10.4": IMPLEMENTATION,
    "10.5": CI,
    "10.6": CHECKLIST,
    "10.7": OBSERVABILITY,
    "10.8": RELEASE,
}
