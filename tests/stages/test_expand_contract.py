"""Expand and contract is stated once (onboarding.stages.migrations.expand_contract) and told the same way everywhere."""

import re

from onboarding.artefacts.markdown import DETAILS_BLOCK, section, tables
from onboarding.stages.migrations.expand_contract import SEQUENCE, table
from tests.conftest import COURSE_ROOT


def test_the_sequence_is_the_one_issue_9_gives():
    assert [phase.key for phase in SEQUENCE] == [
        "expand",
        "dual_write",
        "backfill",
        "switch_reads",
        "stop_writing",
        "contract",
    ]


def test_the_migration_plan_template_lists_the_phases_in_that_order():
    text = (COURSE_ROOT / "templates" / "db-migration-plan.md").read_text()
    body = section(text, "Expand and contract (zero-downtime)")
    guidance = re.findall(r"^> \d\. \*\*(.+?):\*\*", body, re.MULTILINE)
    assert guidance == [phase.name for phase in SEQUENCE]
    for rows in (tables(DETAILS_BLOCK.sub("", body)), tables(body)[-1:]):
        assert [row["Phase"] for row in rows[0]] == [phase.name for phase in SEQUENCE]


def test_the_table_a_lesson_prints_names_both_columns():
    rows = table("organiser", "organiser_email")
    assert rows[0][0] == "1. Expand"
    assert rows[0][2] == "add organiser_email, NULL allowed, and let organiser be NULL"
    assert len(rows) == len(SEQUENCE)
