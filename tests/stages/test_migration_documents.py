"""Stage 03, exercise 03.2: the migration plan and the TSD, checked against the project."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from onboarding import project
from onboarding.checks import Given, evaluate
from onboarding.stages.migrations.checks import DOCUMENTS
from tests.conftest import COURSE_ROOT

KEYS = ["exists", "ids", "rollback", "queries", "sql", "tsd"]
PLAN = "docs/db-migration-plan.md"
TSD = "docs/tsd.md"
REVISION = "migrations/versions/0002_cancelled_state.py"
MODEL = project.reference("03")
MODEL_SQL_BLOCK = MODEL[PLAN][
    MODEL[PLAN].index("```sql\n") : MODEL[PLAN].index("```\n", MODEL[PLAN].index("```sql\n") + 3)
    + 3
]
"""The model plan's SQL for review, fences included."""


def workspace_with(tmp_path: Path, files: dict[str, str]) -> Path:
    workspace = tmp_path / "workspace"
    project.write_files(project.locate(workspace), {**MODEL, **files}, overwrite=True)
    return workspace


def verdicts(
    tmp_path: Path, revision: str | None = None, **changes: tuple[str, str]
) -> dict[str, str]:
    """The findings of 03.2 with each document edited: `plan=(old, new)`, `tsd=(old, new)`;
    `revision` is the text of the learner's revision file, when not the model's."""
    files = {} if revision is None else {REVISION: revision}
    for name, (old, new) in changes.items():
        path = PLAN if name == "plan" else TSD
        assert old in MODEL[path], old
        files[path] = MODEL[path].replace(old, new)
    given = Given(workspace=workspace_with(tmp_path, files), bookings=300)
    results = {
        key: evaluate(e.text, lambda e=e: e.run(given), e.hint)
        for key, e in zip(KEYS, DOCUMENTS, strict=True)
    }
    return {key: result.found for key, result in results.items() if not result.passed}


def test_the_model_documents_pass(tmp_path):
    assert verdicts(tmp_path) == {}


def test_the_ids_may_be_written_as_file_names(tmp_path):
    plan = (
        "| Migration id(s) | `0002` (`migrations/versions/0002_cancelled_state.py`) |",
        "| Migration id(s) | 0002_cancelled_state |",
    )
    assert verdicts(tmp_path, plan=plan) == {}


MIGRATION_ID = "| Migration id(s) | `0002` (`migrations/versions/0002_cancelled_state.py`) |"


@pytest.mark.parametrize(
    "row",
    [
        "| Migration id(s) | 0002 (cancelled state) |",
        "| Migration id(s) | 0002 — adds the cancelled state |",
        "| Migration id(s) | revision 0002 |",
        "| **Migration id(s)** | `0002` |",
        "| `Migration ID` | 0002 |",
    ],
)
def test_the_id_may_come_with_words_about_it(tmp_path, row):
    """Words beside an id, outside backticks, describe it: only an id-like word names one."""
    assert verdicts(tmp_path, plan=(MIGRATION_ID, row)) == {}


@pytest.mark.parametrize(
    "header",
    [
        "- **Migration id(s):** 0002",
        "**Migration IDs:** `0002`",
        "| Migration ID(s) | 0002, 0002_cancelled_state.py |",
    ],
)
def test_the_id_may_be_given_in_a_list_or_another_spelling(tmp_path, header):
    assert verdicts(tmp_path, plan=(MIGRATION_ID, header)) == {}


@pytest.mark.parametrize(
    "row",
    [
        "| Migration id(s) | **0002** |",
        "| Migration id(s) | _0002_ |",
        "| Migration id(s) | *0002* |",
    ],
)
def test_the_id_may_be_written_in_bold_or_italics(tmp_path, row):
    """Emphasis is Markdown around the id, not part of it."""
    assert verdicts(tmp_path, plan=(MIGRATION_ID, row)) == {}


def test_an_unknown_id_in_bold_is_named_without_its_emphasis(tmp_path):
    row = "| Migration id(s) | **0003** |"
    assert verdicts(tmp_path, plan=(MIGRATION_ID, row))["ids"] == (
        "the plan names revision `0003`, but your migrations/versions/ has only 0001, 0002; "
        "the plan's Migration id(s) is “**0003**”; it should name your revision"
        " 0002 (migrations/versions/0002_cancelled_state.py)"
    )


def test_an_unknown_id_among_words_is_still_named(tmp_path):
    row = "| Migration id(s) | 0003 (cancelled state) |"
    assert verdicts(tmp_path, plan=(MIGRATION_ID, row))["ids"] == (
        "the plan names revision `0003`, but your migrations/versions/ has only 0001, 0002; "
        "the plan's Migration id(s) is “0003 (cancelled state)”; it should name your revision"
        " 0002 (migrations/versions/0002_cancelled_state.py)"
    )


def test_a_plan_naming_another_revision_quotes_both_sides(tmp_path):
    plan = (
        "| Migration id(s) | `0002` (`migrations/versions/0002_cancelled_state.py`) |",
        "| Migration id(s) | `0003` |",
    )
    assert verdicts(tmp_path, plan=plan)["ids"] == (
        "the plan names revision `0003`, but your migrations/versions/ has only 0001, 0002; "
        "the plan's Migration id(s) is “0003”; it should name your revision 0002"
        " (migrations/versions/0002_cancelled_state.py)"
    )


@pytest.mark.parametrize(
    "command",
    [
        "alembic downgrade -1",
        "alembic -x database=x.db downgrade 0001",
        "python -m booking_service.migrate --downgrade-to 0001",
        "python3.14 -m booking_service.migrate --downgrade-to 0001",
        "uv run python -m alembic downgrade 0001",
        # Alembic counts from a named revision too.
        "alembic downgrade head-1",
        "alembic downgrade 0002-1",
        "alembic downgrade base+1",
        # The shell takes the quotes off: the target is 0001.
        "alembic downgrade '0001'",
        'alembic downgrade "0001"',
        "alembic downgrade -- -1",
        "alembic -c alembic.ini downgrade 0001",
        "python -m booking_service.migrate --downgrade=0001",
    ],
)
def test_every_way_of_typing_the_downgrade_passes(tmp_path, command):
    plan = ("- Schema rollback: `alembic downgrade 0001`", f"- Schema rollback: `{command}`")
    assert verdicts(tmp_path, plan=plan) == {}


ROLLBACK_LINE = "- Schema rollback: `alembic downgrade 0001`"


@pytest.mark.parametrize(
    "written",
    [
        "- Schema rollback: run alembic downgrade 0001.",
        "- Schema rollback (alembic downgrade 0001)",
        "- Schema rollback:\n\n  ```bash\n  alembic downgrade 0001\n  ```\n",
        "- Schema rollback:\n\n```console\n$ alembic downgrade -1\n```\n",
    ],
)
def test_the_downgrade_may_be_written_in_prose_or_in_a_code_block(tmp_path, written):
    assert verdicts(tmp_path, plan=(ROLLBACK_LINE, written)) == {}


@pytest.mark.parametrize(
    "heading",
    ["## Rollback", "## Rolling back", "## Undoing the change\n\n### Rollback plan"],
)
def test_the_rollback_plan_may_have_another_heading(tmp_path, heading):
    assert verdicts(tmp_path, plan=("## Rollback plan", heading)) == {}


def setext(text: str) -> str:
    """A document with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


def setext_findings(tmp_path: Path, plan: str = MODEL[PLAN], tsd: str = MODEL[TSD]) -> dict:
    """The findings of 03.2 with both documents' headings written as Setext headings."""
    files = {PLAN: setext(plan), TSD: setext(tsd)}
    assert "\n## " not in files[PLAN] + files[TSD]
    given = Given(workspace=workspace_with(tmp_path, files), bookings=300)
    results = {
        key: evaluate(e.text, lambda e=e: e.run(given))
        for key, e in zip(KEYS, DOCUMENTS, strict=True)
    }
    return {key: result.found for key, result in results.items() if not result.passed}


@pytest.mark.parametrize(
    ("document", "old", "new"),
    [
        (PLAN, "## Rollback plan", "## Rollback plan"),
        (PLAN, "## Rollback plan", "## Rolling back"),
        (PLAN, "## Verification queries", "## Verifying the run"),
        (PLAN, "## SQL for review", "## The SQL, for review"),
        # A number the section's key keeps: the heading still names the section.
        (TSD, "## Data model", "## 3 - Data model"),
    ],
    ids=["the-model", "rolling-back", "verifying", "sql-for-review", "numbered-data-model"],
)
def test_setext_headings_are_the_sections_under_any_name(tmp_path, document, old, new):
    """`Rolling back` underlined with `---` is CommonMark's other way to write `## Rolling back`."""
    assert old in MODEL[document]
    documents = {PLAN: MODEL[PLAN], TSD: MODEL[TSD], document: MODEL[document].replace(old, new)}
    assert setext_findings(tmp_path, documents[PLAN], documents[TSD]) == {}


def test_a_setext_section_ends_the_subsection_above_it(tmp_path):
    """`### Rollback plan` ends at the next `---` heading: a downgrade there is not its."""
    plan = MODEL[PLAN].replace(
        "## Rollback plan\n",
        "## Undoing the change\n\n### Rollback plan\n\n- Code rollback: redeploy 1.0.0.\n\n"
        "## Data recovery\n",
    )
    assert setext_findings(tmp_path, plan=plan)["rollback"] == (
        "the Rollback plan gives no downgrade command; undoing your revision 0002 is"
        " `alembic downgrade 0001` (or `alembic downgrade -1`)"
    )


def test_a_thematic_break_under_a_blank_line_makes_no_section(tmp_path):
    plan = setext(MODEL[PLAN]).replace("Rollback plan\n-------------\n", "Rolling back\n\n---\n")
    assert "Rolling back\n\n---\n" in plan
    assert verdicts(tmp_path, plan=(MODEL[PLAN], plan))["rollback"] == (
        "docs/db-migration-plan.md has no `## Rollback plan` section; undoing your revision 0002"
        " is `alembic downgrade 0001` (or `alembic downgrade -1`)"
    )


CODE_HOLDING_A_HEADING = {
    # A longer fence holds a ``` line; a ```sql line does not close a ``` block.
    "longer-fence": "````markdown\n```\n## Notes\n````\n",
    "info-does-not-close": "```text\nPaged the on-call.\n```sql\n## Notes\n```\n",
}
ROLLBACK_HEADINGS = {
    "section": "## Rollback plan",
    "subsection": "## Undoing the change\n\n### Rollback plan",
}
NO_DOWNGRADE = (
    "the Rollback plan gives no downgrade command; undoing your revision 0002 is"
    " `alembic downgrade 0001` (or `alembic downgrade -1`)"
)


@pytest.mark.parametrize("heading", ROLLBACK_HEADINGS.values(), ids=ROLLBACK_HEADINGS.keys())
@pytest.mark.parametrize("code", CODE_HOLDING_A_HEADING.values(), ids=CODE_HOLDING_A_HEADING.keys())
def test_a_heading_inside_a_code_block_does_not_end_the_rollback_plan(tmp_path, heading, code):
    """Where code ends is CommonMark's decision, for sections at every level."""
    assert verdicts(tmp_path, plan=("## Rollback plan\n", f"{heading}\n\n{code}\n")) == {}


@pytest.mark.parametrize("heading", ROLLBACK_HEADINGS.values(), ids=ROLLBACK_HEADINGS.keys())
def test_a_heading_after_a_code_block_ends_the_rollback_plan(tmp_path, heading):
    code = "```text\nPaged the on-call.\n```\n\n## Notes\n"
    plan = ("## Rollback plan\n", f"{heading}\n\n{code}\n")
    assert verdicts(tmp_path, plan=plan)["rollback"] == NO_DOWNGRADE


@pytest.mark.parametrize(
    ("command", "finding"),
    [
        (
            "alembic downgrade head-2",
            "the Rollback plan says `alembic downgrade head-2`, which undoes revisions 0001,"
            " 0002 (every table dropped); undoing your revision 0002 is `alembic downgrade 0001`"
            " (or `alembic downgrade -1`)",
        ),
        (
            "alembic downgrade 0001+1",
            "the Rollback plan says `alembic downgrade 0001+1`, which undoes nothing; undoing"
            " your revision 0002 is `alembic downgrade 0001` (or `alembic downgrade -1`)",
        ),
        (
            "alembic downgrade head-3",
            "the Rollback plan says `alembic downgrade head-3`: head-3 goes below the first"
            " revision",
        ),
    ],
)
def test_a_relative_downgrade_to_the_wrong_revision_is_named(tmp_path, command, finding):
    plan = (ROLLBACK_LINE, f"- Schema rollback: `{command}`")
    assert verdicts(tmp_path, plan=plan)["rollback"] == finding


@pytest.mark.parametrize(
    ("command", "finding"),
    [
        (
            "alembic downgrade base",
            "the Rollback plan says `alembic downgrade base`, which undoes"
            " revisions 0001, 0002 (every table dropped); undoing your revision 0002 is"
            " `alembic downgrade 0001` (or `alembic downgrade -1`)",
        ),
        (
            "alembic downgrade 0007",
            "the Rollback plan says `alembic downgrade 0007`: no revision"
            " '0007'; the revisions are 0001, 0002",
        ),
        (
            "restore the backup",
            "the Rollback plan gives no downgrade command; undoing your"
            " revision 0002 is `alembic downgrade 0001` (or `alembic downgrade -1`)",
        ),
    ],
)
def test_a_wrong_or_missing_downgrade_is_named(tmp_path, command, finding):
    plan = ("- Schema rollback: `alembic downgrade 0001`", f"- Schema rollback: `{command}`")
    assert verdicts(tmp_path, plan=plan)["rollback"] == finding


def _folded(summary: str, content: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{content}\n\n</details>\n"


ROLLBACK_TEMPLATE = (COURSE_ROOT / "templates" / "db-migration-plan.md").read_text(encoding="utf-8")
TEMPLATES_ROLLBACK_EXAMPLE = re.findall(r"(?s)<details>.*?</details>", ROLLBACK_TEMPLATE)[-2]
"""The template's collapsed example of a rollback plan, which names another project's 0006."""
NO_COMMAND = (
    "the Rollback plan gives no downgrade command; undoing your revision 0002 is"
    " `alembic downgrade 0001` (or `alembic downgrade -1`)"
)


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(
            "- Schema rollback: folded below.\n\n"
            + _folded("The command, and why 0001", "`alembic downgrade 0001`, run by the job."),
            id="in-the-writers-folded-block",
        ),
        pytest.param(
            "> [!WARNING]\n> Schema rollback: `alembic downgrade 0001`, only while no booking is"
            " cancelled.\n",
            id="in-a-github-alert",
        ),
    ],
)
def test_the_downgrade_may_be_in_the_writers_own_markdown(tmp_path, written):
    assert verdicts(tmp_path, plan=(ROLLBACK_LINE, written)) == {}


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(TEMPLATES_ROLLBACK_EXAMPLE, id="the-templates-example"),
        pytest.param(
            TEMPLATES_ROLLBACK_EXAMPLE.replace("Example: booking service", "By phase"),
            id="the-templates-example-renamed",
        ),
        pytest.param(
            _folded("The command", "[the downgrade as it is typed]"),
            id="a-placeholder-in-the-writers-folded-block",
        ),
        pytest.param(
            "> [!NOTE]\n> [the downgrade as it is typed]\n", id="a-placeholder-in-an-alert"
        ),
    ],
)
def test_the_templates_rollback_in_the_writers_markdown_is_no_downgrade(tmp_path, written):
    assert verdicts(tmp_path, plan=(ROLLBACK_LINE, written))["rollback"] == NO_COMMAND


QUERY_TABLE_HEAD = "| Check | Query | Expected |\n| --- | --- | --- |\n"
QUERY_TABLE = MODEL[PLAN][
    MODEL[PLAN].index(QUERY_TABLE_HEAD) : MODEL[PLAN].index("\n\n## Rollback plan") + 1
]
"""The model plan's table of verification queries."""


def test_the_verification_queries_may_be_folded_by_the_writer(tmp_path):
    plan = (QUERY_TABLE, _folded("Run in staging, then in production", QUERY_TABLE))
    assert verdicts(tmp_path, plan=plan) == {}


def test_a_bracket_after_a_name_in_a_query_is_sql_not_a_placeholder(tmp_path):
    row = (
        "| A JSON path reads | `SELECT json_extract(json_object('a', json_array(7)), '$.a[0]');`"
        " | 7 |\n"
    )
    assert verdicts(tmp_path, plan=(QUERY_TABLE_HEAD, QUERY_TABLE_HEAD + row)) == {}


TEMPLATES_QUERY_ROW = "| [check] | [SQL] | [result] |\n"


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(QUERY_TABLE + TEMPLATES_QUERY_ROW, id="open"),
        pytest.param(
            _folded("Queries", QUERY_TABLE + TEMPLATES_QUERY_ROW),
            id="in-the-writers-folded-block",
        ),
    ],
)
def test_the_templates_query_row_is_named_wherever_it_is_left(tmp_path, table):
    assert verdicts(tmp_path, plan=(QUERY_TABLE, table))["queries"] == (
        "the Verification queries table still has the template's row `[SQL]`"
    )


def test_the_templates_migration_id_is_still_named(tmp_path):
    plan = (MIGRATION_ID, "| Migration id(s) | [the Alembic revision id(s), e.g. `0007`] |")
    assert verdicts(tmp_path, plan=plan)["ids"].startswith(
        "the plan's Migration id(s) is still “[the Alembic revision id(s), e.g. 0007]”"
    )


def test_a_query_giving_another_result_quotes_both_sides(tmp_path):
    plan = (
        "WHERE name = 'idx_bookings_room_time';` | 1 |",
        "WHERE name = 'idx_bookings_room_time';` | 2 |",
    )
    assert verdicts(tmp_path, plan=plan)["queries"] == (
        "`SELECT count(*) FROM pragma_index_list('bookings') WHERE na…` returned 1;"
        " the plan expects 2"
    )


@pytest.mark.parametrize(
    "expected", ["`0002` (this revision)", "0002 (head)", "'0002'", '`"0002"`', "0002."]
)
def test_an_expected_text_may_come_with_words_about_it(tmp_path, expected):
    plan = ("`SELECT version_num FROM alembic_version;` | `0002` |",
            f"`SELECT version_num FROM alembic_version;` | {expected} |")  # fmt: skip
    assert verdicts(tmp_path, plan=plan) == {}


@pytest.mark.parametrize(
    "expected", ["`0002`: the head", "0002 — this revision", "0002 - the head", "`0002`: head."]
)
def test_an_expected_text_may_come_with_a_note_after_a_colon_or_a_dash(tmp_path, expected):
    plan = ("`SELECT version_num FROM alembic_version;` | `0002` |",
            f"`SELECT version_num FROM alembic_version;` | {expected} |")  # fmt: skip
    assert verdicts(tmp_path, plan=plan) == {}


@pytest.mark.parametrize(
    "expected", ["`0001`", "0001 (this revision)", "0002x", "ok", "0001: the head", "0001 — head"]
)
def test_an_expected_text_that_differs_is_named(tmp_path, expected):
    plan = ("`SELECT version_num FROM alembic_version;` | `0002` |",
            f"`SELECT version_num FROM alembic_version;` | {expected} |")  # fmt: skip
    assert verdicts(tmp_path, plan=plan)["queries"] == (
        f"`SELECT version_num FROM alembic_version;` returned '0002'; the plan expects {expected}"
    )


@pytest.mark.parametrize("expected", ["zero", "0 (none)", "`0`", "none", "0."])
def test_expected_results_may_be_written_as_people_write_them(tmp_path, expected):
    plan = ("cancelled NOT IN (0, 1);` | 0 |", f"cancelled NOT IN (0, 1);` | {expected} |")
    assert verdicts(tmp_path, plan=plan) == {}


@pytest.mark.parametrize(
    "expected", ["0: every booking is live", "zero: none is cancelled", "`0` — all live"]
)
def test_a_number_may_come_with_a_note_after_a_colon_or_a_dash(tmp_path, expected):
    plan = ("cancelled NOT IN (0, 1);` | 0 |", f"cancelled NOT IN (0, 1);` | {expected} |")
    assert verdicts(tmp_path, plan=plan) == {}


FOREIGN_KEYS = "`PRAGMA foreign_key_check;` | no rows |"
LIVE = "`SELECT count(*) FROM bookings WHERE cancelled IS NULL OR cancelled NOT IN (0, 1);` | 0 |"


@pytest.mark.parametrize(
    "row",
    [
        "`PRAGMA foreign_key_check;` | 0 rows |",
        "`PRAGMA foreign_key_check;` | zero rows |",
        "`PRAGMA foreign_key_check;` | no rows returned |",
        "`PRAGMA foreign_key_check;` | (empty result) |",
        "`PRAGMA foreign_key_check;` | empty result set |",
        "`PRAGMA foreign_key_check;` | no output |",
    ],
)
def test_no_rows_may_be_said_as_people_say_it(tmp_path, row):
    assert verdicts(tmp_path, plan=(FOREIGN_KEYS, row)) == {}


@pytest.mark.parametrize(
    "row",
    [
        "`SELECT count(*) = 0 FROM bookings WHERE cancelled NOT IN (0, 1);` | true |",
        "`SELECT count(*) > 0 FROM bookings WHERE cancelled NOT IN (0, 1);` | `FALSE` |",
        "`SELECT id FROM bookings WHERE cancelled = 0 ORDER BY id LIMIT 3;` | 3 rows |",
        "`SELECT name FROM pragma_index_list('bookings') WHERE name LIKE 'idx%';` | one row |",
    ],
)
def test_truth_values_and_row_counts_may_be_expected(tmp_path, row):
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


@pytest.mark.parametrize(
    "row",
    [
        "`SELECT EXISTS (SELECT 1 FROM bookings WHERE cancelled = 1);` | no |",
        "`SELECT EXISTS (SELECT 1 FROM bookings WHERE cancelled = 0);` | Yes |",
        "`SELECT count(*) = 0 FROM bookings WHERE cancelled = 1;` | true (1) |",
    ],
)
def test_yes_and_no_and_a_truth_value_with_a_note_may_be_expected(tmp_path, row):
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


@pytest.mark.parametrize(
    ("row", "finding"),
    [
        (
            "`SELECT EXISTS (SELECT 1 FROM bookings WHERE cancelled = 1);` | yes |",
            "`SELECT EXISTS (SELECT 1 FROM bookings WHERE cancelled = 1);` returned 0; the plan"
            " expects yes",
        ),
        (
            "`SELECT count(*) = 0 FROM bookings WHERE cancelled = 0;` | true (1) |",
            "`SELECT count(*) = 0 FROM bookings WHERE cancelled = 0;` returned 0; the plan"
            " expects true (1)",
        ),
    ],
)
def test_a_yes_or_a_truth_value_with_a_note_that_does_not_hold_is_named(tmp_path, row, finding):
    assert verdicts(tmp_path, plan=(LIVE, row))["queries"] == finding


@pytest.mark.parametrize(
    "row",
    [
        "`SELECT min(cancelled), max(cancelled) FROM bookings;` | (0, 0) |",
        "`SELECT min(cancelled), max(cancelled) FROM bookings;` | `0, 0` |",
        "`SELECT cancelled, count(*) FROM bookings GROUP BY cancelled;` | `0 \\| 300` |",
        "`SELECT max(cancelled_at), count(*) FROM bookings;` | (NULL, 300) |",
    ],
)
def test_one_row_of_several_values_may_be_expected_as_written(tmp_path, row):
    """As the sqlite3 shell prints a row (`0|300`, its pipe escaped in a table) or as a tuple."""
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


def test_one_row_of_several_values_that_differs_is_named(tmp_path):
    row = "`SELECT min(cancelled), max(cancelled) FROM bookings;` | (0, 1) |"
    assert verdicts(tmp_path, plan=(LIVE, row))["queries"] == (
        "`SELECT min(cancelled), max(cancelled) FROM bookings;` returned 1 row ((0, 0)); the plan"
        " expects (0, 1)"
    )


OVERLAP_PLAN = (
    "EXPLAIN QUERY PLAN SELECT id FROM bookings WHERE room_id = 3 AND cancelled = 0"
    " AND start < '2030-03-04T11:00:00Z' AND \"end\" > '2030-03-04T10:00:00Z';"
)


def _overlap_plan_detail() -> str:
    """What this SQLite says of the overlap query on the model's schema (its wording changes
    between SQLite versions: `SEARCH TABLE bookings` before 3.36)."""
    db = sqlite3.connect(":memory:")
    db.execute(
        'CREATE TABLE bookings (id INTEGER PRIMARY KEY, room_id INTEGER, start TEXT, "end" TEXT,'
        " cancelled INTEGER)"
    )
    db.execute('CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end")')
    (detail,) = [row[-1] for row in db.execute(OVERLAP_PLAN).fetchall()]
    db.close()
    return detail


def test_a_query_plan_may_be_expected_as_its_detail(tmp_path):
    """EXPLAIN QUERY PLAN's rows are (id, parent, notused, detail): people quote the detail."""
    row = f"`{OVERLAP_PLAN}` | `{_overlap_plan_detail()}` |"
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


def test_a_query_plan_using_another_index_is_named(tmp_path):
    detail = _overlap_plan_detail()
    wrong = detail.replace("idx_bookings_room_time", "idx_bookings_start")
    finding = verdicts(tmp_path, plan=(LIVE, f"`{OVERLAP_PLAN}` | `{wrong}` |"))["queries"]
    assert f"returned {detail!r}; the plan expects `{wrong}`" in finding


@pytest.mark.parametrize(
    "expected", ["300", "`300`", "300 bookings", "three hundred", "Three hundred bookings"]
)
def test_a_count_may_be_expected_in_digits_or_in_words(tmp_path, expected):
    """The migrated copy holds 300 bookings: "three hundred" is that number, not 3."""
    row = f"`SELECT count(*) FROM bookings;` | {expected} |"
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


@pytest.mark.parametrize(
    ("expected", "limit"), [("twelve rows", 12), ("a dozen rows", 12), ("one row", 1)]
)
def test_a_row_count_may_be_written_in_words(tmp_path, expected, limit):
    row = f"`SELECT id FROM bookings ORDER BY id LIMIT {limit};` | {expected} |"
    assert verdicts(tmp_path, plan=(LIVE, row)) == {}


@pytest.mark.parametrize(
    ("sql", "expected", "returned"),
    [
        ("SELECT count(*) FROM bookings;", "three", "300"),
        ("SELECT count(*) FROM bookings;", "three hundred and one", "300"),
        ("SELECT id FROM bookings ORDER BY id LIMIT 12;", "eleven rows", "12 rows"),
    ],
)
def test_a_number_in_words_is_all_its_words(tmp_path, sql, expected, returned):
    """Three is not the 300 of "three hundred", nor is 300 "three hundred and one"."""
    finding = verdicts(tmp_path, plan=(LIVE, f"`{sql}` | {expected} |"))["queries"]
    assert f"returned {returned}" in finding and f"the plan expects {expected}" in finding


@pytest.mark.parametrize(
    ("row", "finding"),
    [
        (
            "`PRAGMA foreign_key_check;` | 1 row |",
            "`PRAGMA foreign_key_check;` returned no rows; the plan expects 1 row",
        ),
        (
            "`SELECT count(*) = 1 FROM bookings WHERE cancelled = 1;` | true |",
            "`SELECT count(*) = 1 FROM bookings WHERE cancelled = 1;` returned 0; the plan"
            " expects true",
        ),
        # A count is one row whatever it counts: its value is what the plan must expect.
        (
            "`SELECT count(*) FROM bookings WHERE cancelled = 1;` | 1 row |",
            "`SELECT count(*) FROM bookings WHERE cancelled = 1;` returned 0; the plan expects"
            " 1 row",
        ),
        (
            "`SELECT id FROM bookings ORDER BY id LIMIT 3;` | 2 rows |",
            "`SELECT id FROM bookings ORDER BY id LIMIT 3;` returned 3 rows ((1,), (2,), (3,));"
            " the plan expects 2 rows",
        ),
    ],
)
def test_a_row_count_or_truth_value_that_does_not_hold_is_named(tmp_path, row, finding):
    assert verdicts(tmp_path, plan=(FOREIGN_KEYS, row))["queries"] == finding


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("| Check | Query | Expected |", "| Check | Query | Result |"),
        ("| Check | Query | Expected |", "| Check | SQL | Should return |"),
        ("## Verification queries", "## After the run\n\n### Verification queries"),
    ],
)
def test_the_queries_table_may_have_other_headers(tmp_path, old, new):
    assert verdicts(tmp_path, plan=(old, new)) == {}


def test_a_query_with_an_escaped_pipe_runs_as_the_reader_sees_it(tmp_path):
    """A pipe table needs `\\|` for `|`, even in code: `||` joins text in SQL."""
    row = "`SELECT version_num \\|\\| '' FROM alembic_version;` | `0002` |"
    plan = ("`SELECT version_num FROM alembic_version;` | `0002` |", row)
    assert verdicts(tmp_path, plan=plan) == {}


def test_a_query_that_writes_or_fails_is_named(tmp_path):
    plan = (
        "`PRAGMA integrity_check;` | `ok` |",
        "`PRAGMA integrity_check;` | `ok` |\n| Oops | `DELETE FROM bookings;` | 0 |\n"
        "| Typo | `SELECT count(*) FROM booking;` | 0 |",
    )
    assert verdicts(tmp_path, plan=plan)["queries"] == (
        "`DELETE FROM bookings;` changes the database: a verification query only reads; "
        "`SELECT count(*) FROM booking;` fails on your migrated database: no such table: booking"
    )


def test_the_sql_for_review_must_match_what_alembic_prints(tmp_path):
    plan = (
        "ALTER TABLE bookings ADD COLUMN cancelled_at TEXT;",
        "ALTER TABLE bookings ADD COLUMN cancelled_on TEXT;",
    )
    assert verdicts(tmp_path, plan=plan)["sql"] == (
        "the plan's SQL lacks `ALTER TABLE bookings ADD COLUMN cancelled_at TEXT`, which `alembic"
        " upgrade 0001:0002 --sql` prints; the plan quotes `ALTER TABLE bookings ADD COLUMN"
        " cancelled_on TEXT`, which your revisions do not run: paste what `alembic upgrade"
        " 0001:0002 --sql` prints now"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # What the exercise notebook's review_sql() prints, pasted whole.
        ("```sql\nBEGIN;", "```sql\n$ alembic upgrade 0001:0002 --sql\nBEGIN;"),
        # What the terminal shows: Alembic logs to stderr beside the SQL.
        (
            "```sql\nBEGIN;",
            "```sql\nINFO  [alembic.runtime.migration] Context impl SQLiteImpl.\n"
            "INFO  [alembic.runtime.migration] Will assume transactional DDL.\nBEGIN;",
        ),
        ("```sql\nBEGIN;", "```sqlite\nBEGIN;"),
        # The language tag is the writer's choice: the template's own example says ```text.
        ("```sql\nBEGIN;", "```text\nBEGIN;"),
        ("```sql\nBEGIN;", "```\nBEGIN;"),
        (MODEL_SQL_BLOCK, MODEL_SQL_BLOCK.replace("```sql", "~~~").replace("```", "~~~")),
        ("```sql\nBEGIN;", "```console\n$ alembic upgrade 0001:0002 --sql\nBEGIN;"),
        ("```sql\nBEGIN;", "```SQL\nBEGIN;"),
        # A fence longer than three backticks, or one in a quotation, is a fence all the same.
        (MODEL_SQL_BLOCK, "````text" + MODEL_SQL_BLOCK.removeprefix("```sql")[:-3] + "````"),
        (MODEL_SQL_BLOCK, re.sub("(?m)^", "> ", MODEL_SQL_BLOCK.replace("```sql", "```text"))),
        # Beside it, the command in a shell block, and notes in a text block, are not the SQL.
        (
            "`alembic upgrade 0001:0002 --sql`:\n",
            "```bash\nalembic upgrade 0001:0002 --sql > review.sql\n```\n\n"
            "```text\nReviewed by Sam on Monday.\n```\n",
        ),
        # SQL elsewhere in the plan (a backfill, a query to try) is not the SQL for review.
        (
            "## Verification queries\n",
            "## Verification queries\n\n```sql\nSELECT count(*) FROM bookings;\n```\n",
        ),
        # The template's collapsed example, left in place, is not the writer's SQL.
        (
            "## Backfill plan\n",
            "<details>\n<summary>Example</summary>\n\n```text\n"
            "ALTER TABLE bookings ADD COLUMN starts_at TEXT;\n```\n\n</details>\n\n"
            "## Backfill plan\n",
        ),
    ],
    ids=[
        "with-the-command",
        "with-alembics-log",
        "sqlite-tag",
        "text-tag",
        "bare-fence",
        "tilde-fence",
        "console-tag",
        "upper-case-tag",
        "longer-fence",
        "in-a-quotation",
        "shell-and-notes-beside",
        "sql-in-another-section",
        "template-example-kept",
    ],
)
def test_the_sql_may_be_pasted_with_the_command_or_in_another_block(tmp_path, old, new):
    assert verdicts(tmp_path, plan=(old, new)) == {}


DOWNGRADE_BLOCK = """```sql
BEGIN;

DROP INDEX idx_bookings_room_time;

ALTER TABLE bookings DROP COLUMN cancelled_at;

ALTER TABLE bookings DROP COLUMN cancelled;

UPDATE alembic_version SET version_num='0001' WHERE alembic_version.version_num = '0002';

COMMIT;
```"""
"""What `alembic downgrade 0002:0001 --sql` would print for the model revision."""


def test_the_rollbacks_sql_may_be_quoted_for_review_too(tmp_path):
    """Reviewers read the downgrade's SQL as well: it is SQL the revisions run."""
    both = f"{MODEL_SQL_BLOCK}\n\nAnd the rollback's, for review:\n\n{DOWNGRADE_BLOCK}"
    assert verdicts(tmp_path, plan=(MODEL_SQL_BLOCK, both)) == {}


def test_the_rollbacks_sql_alone_is_not_the_review(tmp_path):
    found = verdicts(tmp_path, plan=(MODEL_SQL_BLOCK, DOWNGRADE_BLOCK))["sql"]
    assert found.startswith(
        "the plan's SQL lacks `ALTER TABLE bookings ADD COLUMN cancelled INTEGER DEFAULT 0"
    )
    assert "which your revisions do not run" not in found


def test_no_sql_block_at_all_says_which_command_to_run(tmp_path):
    expected = (
        f"{PLAN} quotes no SQL in a code block; paste what `alembic upgrade 0001:0002 --sql`"
        " prints, for review, under `## SQL for review`"
    )
    assert verdicts(tmp_path, plan=(MODEL_SQL_BLOCK, "Nothing to review yet."))["sql"] == expected
    # A block that is not SQL (the command alone, in a text block) is no review either.
    command = "```text\nalembic upgrade 0001:0002 --sql\n```"
    assert verdicts(tmp_path, plan=(MODEL_SQL_BLOCK, command))["sql"] == expected


@pytest.mark.parametrize("fence", ["```text", "```", "```console"])
def test_other_sql_in_a_block_of_another_tag_is_still_compared(tmp_path, fence):
    plan = (
        "```sql\nBEGIN;\n\n-- Running upgrade 0001 -> 0002\n\n"
        "ALTER TABLE bookings ADD COLUMN cancelled INTEGER",
        f"{fence}\nBEGIN;\n\n-- Running upgrade 0001 -> 0002\n\n"
        "ALTER TABLE bookings ADD COLUMN cancelled_on INTEGER",
    )
    found = verdicts(tmp_path, plan=plan)["sql"]
    assert found.startswith("the plan's SQL lacks `ALTER TABLE bookings ADD COLUMN cancelled")
    assert "the plan quotes `ALTER TABLE bookings ADD COLUMN cancelled_on INTEGER" in found


REBUILT_BOOKINGS = """```sql
BEGIN;

CREATE TABLE _alembic_tmp_bookings (
    id INTEGER NOT NULL,
    room_id INTEGER NOT NULL,
    organiser TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    attendees INTEGER NOT NULL,
    cancelled INTEGER DEFAULT 0 NOT NULL CONSTRAINT ck_bookings_cancelled_0_or_1 CHECK (cancelled IN (0, 1)),
    cancelled_at TEXT,
    PRIMARY KEY (id),
    CONSTRAINT fk_bookings_room_id_rooms FOREIGN KEY(room_id) REFERENCES rooms (id),
    CONSTRAINT ck_bookings_attendees_at_least_one CHECK (attendees >= 1),
    CONSTRAINT ck_bookings_end_after_start CHECK ("end" > start)
);

INSERT INTO _alembic_tmp_bookings (id, room_id, organiser, start, "end", attendees)
SELECT bookings.id, bookings.room_id, bookings.organiser, bookings.start, bookings."end",
bookings.attendees FROM bookings;

DROP TABLE bookings;

ALTER TABLE _alembic_tmp_bookings RENAME TO bookings;

CREATE INDEX idx_bookings_room_time ON bookings (room_id, start, "end");

COMMIT;
```"""
"""What a rebuild of bookings in batch mode runs, constraints in the order they were declared."""
REBUILDING_REVISION = (
    MODEL[REVISION]
    .replace(
        '    op.add_column(\n        "bookings",\n',
        '    with op.batch_alter_table("bookings", recreate="always") as batch:\n'
        "        batch.add_column(\n",
    )
    .replace(
        '    op.add_column("bookings", sa.Column("cancelled_at", sa.Text(), nullable=True))',
        '        batch.add_column(sa.Column("cancelled_at", sa.Text(), nullable=True))',
    )
)


def test_a_batch_rebuild_that_alembic_cannot_print_offline_passes(tmp_path):
    """`recreate="always"` passes 03.1; `--sql` alone cannot print it (batch mode reads the
    table back first), so its SQL is what it runs on a database at the revision before."""
    assert 'recreate="always"' in REBUILDING_REVISION
    assert REBUILDING_REVISION.count("batch.add_column(") == 2
    plan = (MODEL_SQL_BLOCK, REBUILT_BOOKINGS)
    assert verdicts(tmp_path, REBUILDING_REVISION, plan=plan) == {}


def test_a_batch_rebuild_quoted_as_an_add_column_is_named(tmp_path):
    found = verdicts(tmp_path, REBUILDING_REVISION)["sql"]
    assert found.startswith(
        "the plan's SQL lacks `CREATE TABLE _alembic_tmp_bookings ( id INTEGER NOT NULL,"
    )
    # `alembic upgrade --sql` fails for this revision: the finding says where its SQL comes from.
    assert "…`, which your revision runs (review_sql() prints it);" in found
    assert "the plan's SQL lacks `DROP TABLE bookings`" in found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    cancelled_at TEXT,\n", ""),
        (
            "    cancelled INTEGER DEFAULT 0 NOT NULL CONSTRAINT ck_bookings_cancelled_0_or_1"
            " CHECK (cancelled IN (0, 1)),\n"
            "    cancelled_at TEXT,\n",
            "    cancelled_at TEXT,\n"
            "    cancelled INTEGER DEFAULT 0 NOT NULL CONSTRAINT ck_bookings_cancelled_0_or_1"
            " CHECK (cancelled IN (0, 1)),\n",
        ),
        ("    CONSTRAINT ck_bookings_attendees_at_least_one CHECK (attendees >= 1),\n", ""),
    ],
    ids=["a-column-left-out", "columns-in-another-order", "a-constraint-left-out"],
)
def test_a_rebuild_quoted_with_another_table_is_named(tmp_path, old, new):
    """Constraints may come in any order (SQLAlchemy's changes between runs); columns may not."""
    assert old in REBUILT_BOOKINGS
    plan = (MODEL_SQL_BLOCK, REBUILT_BOOKINGS.replace(old, new))
    found = verdicts(tmp_path, REBUILDING_REVISION, plan=plan)["sql"]
    assert found.startswith("the plan's SQL lacks `CREATE TABLE _alembic_tmp_bookings (")


def _numbered(text: str) -> str:
    """Every `## ` and `### ` heading numbered: `## 3. SQL for review`, `### 8.1 Before`."""
    count = iter(range(1, 100))
    return re.sub(r"(?m)^(##+) ", lambda m: f"{m[1]} {next(count)}. ", text)


def test_numbered_headings_in_the_plan_and_the_tsd_pass(tmp_path):
    files = {PLAN: _numbered(MODEL[PLAN]), TSD: _numbered(MODEL[TSD])}
    assert "## 3. SQL for review" in files[PLAN] and "## 3. Data model" in files[TSD]
    workspace = workspace_with(tmp_path, files)
    given = Given(workspace=workspace, bookings=300)
    results = [evaluate(e.text, lambda e=e: e.run(given)) for e in DOCUMENTS]
    assert [result.found for result in results if not result.passed] == []


def _reordered(text: str, *titles: str) -> str:
    """The document with its `## ` sections in another order: `titles` first, then the rest."""
    parts = re.split(r"(?m)^(?=## )", text)
    head, rest = parts[0], parts[1:]
    first = [part for title in titles for part in rest if part.startswith(f"## {title}\n")]
    assert len(first) == len(titles), titles
    moved = [part if part.endswith("\n\n") else part + "\n" for part in first]
    return head + "".join(moved + [part for part in rest if part not in first])


@pytest.mark.parametrize(
    "titles",
    [
        ("Rollback plan", "Verification queries"),
        ("Verification queries", "Checklist", "Rollback plan", "SQL for review"),
        ("Checklist", "Expand and contract (zero-downtime)", "Backfill plan", "SQL for review"),
    ],
    ids=["rollback-first", "queries-and-checklist-first", "sql-for-review-last"],
)
def test_the_plans_sections_may_come_in_another_order(tmp_path, titles):
    plan = _reordered(MODEL[PLAN], *titles)
    assert plan != MODEL[PLAN]
    assert verdicts(tmp_path, plan=(MODEL[PLAN], plan)) == {}


@pytest.mark.parametrize(
    "style",
    [
        lambda n, title: f"## {n}) {title}",
        lambda n, title: f"## {n} - {title}",
        lambda n, title: f"## Step {n}: {title}",
        lambda n, title: f"## {n}.1 {title.upper()}",
        lambda n, title: f"## {title}:",
    ],
    ids=["parenthesis", "dash", "step-n", "sub-number-upper-case", "colon"],
)
def test_headings_numbered_or_written_otherwise_pass(tmp_path, style):
    count = iter(range(1, 100))
    plan = re.sub(r"(?m)^## (.+)$", lambda m: style(next(count), m[1]), MODEL[PLAN])
    assert "## Rollback plan\n" not in plan
    assert verdicts(tmp_path, plan=(MODEL[PLAN], plan)) == {}


DATA_MODEL_TABLE = MODEL[TSD][
    MODEL[TSD].index("| Table | Column | Type | Notes |") : MODEL[TSD].index("\n\n- An index")
]
PER_TABLE = """### bookings

| Column | Type | Notes |
| --- | --- | --- |
| `cancelled_at` | TIMESTAMP | null while live |
| `cancelled` | BOOLEAN (0/1) | default 0 |
| `attendees` | int | at least 1 |
| "end" | datetime | after start |
| start | ISO 8601 text | UTC |
| organiser | varchar(254) | |
| bookings.room_id | Integer | foreign key |
| id | INTEGER | primary key |

### rooms

| Column | Type |
| --- | --- |
| capacity | INTEGER |
| name | string |
| id | INTEGER |

### Indexes

| Index | Table | Column |
| --- | --- | --- |
| idx_bookings_room_time | bookings | room_id, start, end |"""
LISTED = """- rooms: id INTEGER, name TEXT, capacity INTEGER
- bookings: id, room_id, organiser, start, end, attendees, cancelled INTEGER, cancelled_at TEXT"""


@pytest.mark.parametrize(
    "data_model", [PER_TABLE, LISTED], ids=["a-table-per-table-in-any-order", "a-list"]
)
def test_the_tsds_data_model_may_be_written_in_other_shapes(tmp_path, data_model):
    assert verdicts(tmp_path, tsd=(DATA_MODEL_TABLE, data_model)) == {}


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "| `cancelled` | BOOLEAN (0/1) | default 0 |\n",
            "",
            "your migrations create bookings.cancelled (INTEGER); the TSD's data model does not"
            " list it",
        ),
        (
            "| `cancelled` | BOOLEAN (0/1) |",
            "| `cancelled` | TEXT |",
            "the TSD says bookings.cancelled is TEXT; your migrations make it INTEGER",
        ),
        (
            "| idx_bookings_room_time | bookings | room_id, start, end |",
            "| idx_bookings_room_time | bookings | room_id, start, end |\n\n### bookings\n\n"
            "| Column | Type |\n| --- | --- |\n| reason | TEXT |",
            "the TSD lists bookings.reason, which your migrations do not create",
        ),
    ],
    ids=["a-new-column-left-out", "another-type", "a-column-not-created"],
)
def test_a_tsd_in_another_shape_that_contradicts_the_schema_is_named(tmp_path, old, new, finding):
    assert old in PER_TABLE
    found = verdicts(tmp_path, tsd=(DATA_MODEL_TABLE, PER_TABLE.replace(old, new)))["tsd"]
    assert found.startswith(finding)


def test_a_tsd_that_contradicts_the_schema_quotes_both_sides(tmp_path):
    tsd = (
        "| bookings | cancelled_at | TEXT | null while the booking is live |\n",
        "| bookings | cancelled_on | TEXT | when |\n| bookings | attendees2 | TEXT | |\n",
    )
    found = verdicts(tmp_path, tsd=tsd)["tsd"]
    assert found == (
        "your migrations create bookings.cancelled_at (TEXT); the TSD's data model does not"
        " list it; the TSD lists bookings.cancelled_on, which your migrations do not create"
        " (bookings has id, room_id, organiser, start, end, attendees, cancelled, cancelled_at);"
        " the TSD lists bookings.attendees2, which your migrations do not create (bookings has"
        " id, room_id, organiser, start, end, attendees, cancelled, cancelled_at)"
    )


def test_a_tsd_type_that_disagrees_is_named_and_words_for_types_pass(tmp_path):
    wrong = ("| bookings | attendees | INTEGER |", "| bookings | attendees | TEXT |")
    assert verdicts(tmp_path, tsd=wrong)["tsd"] == (
        "the TSD says bookings.attendees is TEXT; your migrations make it INTEGER"
    )
    words = ("| bookings | cancelled | INTEGER |", "| bookings | cancelled | boolean |")
    assert verdicts(tmp_path, tsd=words) == {}


def test_a_tsd_that_also_lists_alembics_own_table_passes(tmp_path):
    """Alembic creates alembic_version in the same database; listing it is accurate."""
    row = "| bookings | cancelled_at | TEXT | null while the booking is live |\n"
    version = "| alembic_version | version_num | VARCHAR(32) | the revision applied last |\n"
    assert verdicts(tmp_path, tsd=(row, row + version)) == {}


def test_a_tsd_listing_a_column_alembics_table_lacks_is_named(tmp_path):
    row = "| bookings | cancelled_at | TEXT | null while the booking is live |\n"
    version = "| alembic_version | applied_at | TEXT | |\n"
    assert verdicts(tmp_path, tsd=(row, row + version))["tsd"] == (
        "your migrations create alembic_version.version_num (VARCHAR(32)); the TSD's data model"
        " does not list it; the TSD lists alembic_version.applied_at, which your migrations do"
        " not create (alembic_version has version_num)"
    )


def test_a_deleted_document_is_one_clear_line_and_blocks_the_rest(tmp_path):
    workspace = workspace_with(tmp_path, {})
    (project.locate(workspace) / PLAN).unlink()
    first = DOCUMENTS[0]
    found = evaluate(first.text, lambda: first.run(Given(workspace=workspace))).found
    assert found == (
        "db-migration-plan.md does not exist yet — create it in your project folder,"
        " service/docs/ in your workspace"
    )


def test_a_missing_tsd_is_one_clear_line(tmp_path):
    workspace = workspace_with(tmp_path, {})
    (project.locate(workspace) / TSD).unlink()
    last = DOCUMENTS[-1]
    given = Given(workspace=workspace, bookings=300)
    assert evaluate(last.text, lambda: last.run(given)).found.startswith(
        "tsd.md does not exist yet — create it in your project folder"
    )


def test_model_documents_beside_an_unsolved_revision_blame_the_revision_not_the_documents(
    tmp_path,
):
    revision = "migrations/versions/0002_cancelled_state.py"
    workspace = workspace_with(tmp_path, {revision: project.starting("03")[revision]})
    given = Given(workspace=workspace, bookings=300)
    results = {
        key: evaluate(e.text, lambda e=e: e.run(given))
        for key, e in zip(KEYS, DOCUMENTS, strict=True)
    }
    found = {key: result.found for key, result in results.items() if not result.passed}
    waiting = (
        "not checked until your revision 0002 is written (exercise 03.1): its stub still raises"
        " NotImplementedError"
    )
    assert found["queries"] == found["tsd"] == waiting
    assert found["sql"].startswith("`alembic upgrade 0001:0002 --sql` fails for your revision:")
    # The documents' own findings, which need no run of the revision, still pass.
    assert sorted(found) == ["queries", "sql", "tsd"]


# --- After the capstone: its revision 0003 adds a series table and bookings.series_id ----------

AT_THE_END = project.reference("10")
SERIES_ROWS = (
    "| bookings | series_id | INTEGER | null for a booking made on its own; the series it"
    " belongs to (0003) |\n"
)


def tsd_findings_at_the_end(tmp_path: Path, files: dict[str, str]) -> str | None:
    """03.2's TSD finding in the course's final project, with `files` changed (None: it passes)."""
    workspace = tmp_path / "workspace"
    project.write_files(project.locate(workspace), {**AT_THE_END, **files}, overwrite=True)
    given = Given(workspace=workspace, bookings=300)
    last = DOCUMENTS[-1]
    result = evaluate(last.text, lambda: last.run(given))
    return None if result.passed else result.found


def test_after_the_capstone_the_updated_tsd_passes(tmp_path):
    assert "| series | weeks | INTEGER |" in AT_THE_END[TSD]
    assert tsd_findings_at_the_end(tmp_path, {}) is None


def test_after_the_capstone_a_tsd_still_at_stage_03s_schema_passes(tmp_path):
    # 03.2 judges stage 03's revision; 10.3 is the check that asks for the update.
    assert tsd_findings_at_the_end(tmp_path, {TSD: MODEL[TSD]}) is None


def test_after_the_capstone_a_half_updated_tsd_is_held_to_the_head(tmp_path):
    tsd = AT_THE_END[TSD]
    assert SERIES_ROWS in tsd
    found = tsd_findings_at_the_end(tmp_path, {TSD: tsd.replace(SERIES_ROWS, "")})
    assert found == (
        "your migrations create bookings.series_id (INTEGER); the TSD's data model does not list it"
    )


def test_a_tsd_ahead_of_an_unwritten_later_revision_is_held_to_stage_03s_schema(tmp_path):
    # The capstone's revision is still its stub: the head cannot be built, so the series the
    # TSD lists are named as not created yet (10.3 names the stub).
    revision = "migrations/versions/0003_booking_series.py"
    found = tsd_findings_at_the_end(tmp_path, {revision: project.starting("10")[revision]})
    assert found is not None
    assert "the TSD lists bookings.series_id, which your migrations do not create" in found
    assert found.endswith("the TSD lists table series, which your migrations do not create")
