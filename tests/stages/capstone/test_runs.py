"""Stage 10's checks that run things: the migration (10.3), the service and tests (10.4), CI (10.5).

Each runs on a throwaway copy of the project; the tests change the solved project as a
learner's mistake would and assert the ❌ line, and that nothing of the learner's changes.
"""

from __future__ import annotations

import pytest

from onboarding import project
from onboarding.artefacts.alembic_history import read_history
from onboarding.stages.capstone import checks, feature
from onboarding.stages.migrations.documents import review_sql
from tests.stages.capstone.test_documents import edit, failing, judged, read, write

MIGRATION = "migrations/versions/0003_booking_series.py"


def test_the_model_migration_passes(workspace):
    result = judged("10.3", workspace)
    assert result.ok, failing(result)


def test_a_broken_down_revision_is_one_clear_line(workspace):
    edit(workspace, MIGRATION, 'down_revision = "0002"', 'down_revision = "0009"')
    lines = failing(judged("10.3", workspace))
    assert "0009" in lines[0] and "Traceback" not in lines[0]
    assert all("not checked until" in line for line in lines[1:])


def test_a_not_null_column_is_not_an_expand_step(workspace):
    edit(
        workspace,
        MIGRATION,
        'sa.Column("series_id", sa.Integer(), nullable=True)',
        'sa.Column("series_id", sa.Integer(), nullable=False, server_default="0")',
    )
    assert any(
        "bookings.series_id is NOT NULL" in line for line in failing(judged("10.3", workspace))
    )


def test_a_downgrade_that_loses_series_is_refused(workspace):
    text = read(workspace, MIGRATION)
    start = text.index("    in_series = (")
    end = text.index('    op.drop_index("idx_bookings_series"')
    write(workspace, MIGRATION, text[:start] + text[end:])
    assert any(
        "went through while a booking belongs to a series" in line
        for line in failing(judged("10.3", workspace))
    )


def test_a_plan_that_names_the_old_revision_is_refused(workspace):
    edit(
        workspace,
        feature.PLAN_FILE,
        "| `0003` (`migrations/versions/0003_booking_series.py`) |",
        "| `0002` |",
    )
    lines = failing(judged("10.3", workspace))
    assert any("it should name your revision 0003" in line for line in lines), lines


def test_another_table_name_and_column_name_pass(workspace):
    """series_bookings / booking_series_id: other names, the same change."""
    for relative in (MIGRATION, "src/booking_service/series.py"):
        text = read(workspace, relative).replace("idx_bookings_series", "idx_b_s")
        text = text.replace('"series"', '"booking_series"').replace(
            "series_id", "booking_series_id"
        )
        text = text.replace('db["series"]', 'db["booking_series"]')
        write(workspace, relative, text)
    # The plan names the table in its SQL and in its verification queries, which 10.3 runs.
    plan = read(workspace, feature.PLAN_FILE).replace(
        "CREATE TABLE series", "CREATE TABLE booking_series"
    )
    plan = plan.replace("FROM series;", "FROM booking_series;")
    plan = plan.replace("series_id", "booking_series_id").replace("idx_bookings_series", "idx_b_s")
    write(workspace, feature.PLAN_FILE, plan)
    tsd = read(workspace, feature.TSD_FILE).replace("| series |", "| booking_series |")
    write(workspace, feature.TSD_FILE, tsd.replace("| series_id |", "| booking_series_id |"))
    result = judged("10.3", workspace)
    assert result.ok, failing(result)


def test_a_series_table_that_stores_its_slot_passes(workspace):
    """A series that keeps its start, end and attendees (NOT NULL), and `created_by` for its
    organiser: the refusal is still tried, with a series row that fills every column."""
    edit(
        workspace,
        MIGRATION,
        '        sa.Column("organiser", sa.Text(), nullable=False),\n',
        '        sa.Column("created_by", sa.Text(), nullable=False),\n'
        '        sa.Column("start", sa.Text(), nullable=False),\n'
        '        sa.Column("end", sa.Text(), nullable=False),\n'
        '        sa.Column("attendees", sa.Integer(), nullable=False),\n',
    )
    edit(
        workspace,
        feature.TSD_FILE,
        "| series | organiser |",
        "| series | start | TEXT | x |\n| series | end | TEXT | x |\n"
        "| series | attendees | INTEGER | x |\n| series | created_by |",
    )
    history = read_history(project.locate(workspace))
    plan = read(workspace, feature.PLAN_FILE)
    quoted = plan[plan.index("```sql\n") + 7 : plan.index("```", plan.index("```sql\n") + 7)]
    write(workspace, feature.PLAN_FILE, plan.replace(quoted, review_sql(history, "0002:0003")))
    result = judged("10.3", workspace)
    assert result.ok, failing(result)


def test_a_series_row_the_check_cannot_store_is_one_clear_line(workspace):
    edit(
        workspace,
        MIGRATION,
        '        sa.Column("organiser", sa.Text(), nullable=False),\n',
        '        sa.Column("organiser", sa.Text(), nullable=False),\n'
        '        sa.Column("colour", sa.Text(), sa.CheckConstraint("colour = \'red\'"),'
        " nullable=False),\n",
    )
    lines = failing(judged("10.3", workspace))
    assert any(
        "not tried: the check could not store a series in your series table" in line
        for line in lines
    ), lines


def test_a_tsd_without_the_new_table_and_column_names_them(workspace):
    text = read(workspace, feature.TSD_FILE)
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("| series |", "| bookings | series_id |"))
    ]
    assert len(kept) == len(text.splitlines()) - 5
    write(workspace, feature.TSD_FILE, "".join(kept))
    [line] = failing(judged("10.3", workspace))
    assert line.startswith(
        "❌ docs/tsd.md's data model lists the tables and columns your migrations create, the new"
        " ones included — your migrations create bookings.series_id (INTEGER); the TSD's data"
        " model does not list it; your migrations create table series (id, room_id, organiser,"
        " weeks); the TSD's data model does not list it. Hint:"
    ), line


def test_a_tsd_whose_series_column_has_another_type_is_named(workspace):
    edit(workspace, feature.TSD_FILE, "| series | weeks | INTEGER |", "| series | weeks | TEXT |")
    [line] = failing(judged("10.3", workspace))
    assert "the TSD says series.weeks is TEXT; your migrations make it INTEGER" in line


def test_a_tsd_with_one_table_per_heading_passes(workspace):
    """Right but different: the series as a `### series` table of its own, in words for types."""
    text = read(workspace, feature.TSD_FILE)
    text = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("| series |")
    )
    text = text.replace(
        "\n## API summary",
        "\n### series\n\n| Column | Type |\n| --- | --- |\n| weeks | integer |\n"
        "| organiser | text |\n| room_id | integer |\n| id | integer |\n\n## API summary",
    )
    write(workspace, feature.TSD_FILE, text)
    result = judged("10.3", workspace)
    assert result.ok, failing(result)


# --- 10.4 (slow: child pytest runs) -------------------------------------------------------------


@pytest.mark.slow
def test_the_model_implementation_passes(workspace):
    result = judged("10.4", workspace)
    assert result.ok, failing(result)


@pytest.mark.slow
def test_tests_that_miss_the_limit_let_a_planted_bug_through(workspace):
    text = read(workspace, feature.TEST_FILE)
    start = text.index('@pytest.mark.parametrize("weeks", [0, 1, MAX_WEEKS + 1])')
    end = text.index("@pytest.fixture")
    text = text[:start] + text[end:]
    text = text.replace(
        '    assert client.post(f"/rooms/{room}/series", json=booking(weeks=MAX_WEEKS + 1)).status_code == 422\n',
        "",
    )
    start = text.index("def test_too_long_a_series_is_422")
    end = text.index("def test_with_the_flag_off")
    write(workspace, feature.TEST_FILE, text[:start] + text[end:])
    lines = failing(judged("10.4", workspace))
    assert lines == [
        "❌ your tests catch a 13-week series accepted — every test of tests/test_series.py passed"
        " with a 13-week series accepted planted. Hint: Test the limit on both sides: 12 weeks"
        " pass, 13 are refused."
    ], lines


@pytest.mark.slow
def test_a_series_that_is_not_all_or_nothing_fails_the_acceptance_suite(workspace):
    # Store the weeks as they are checked: a clash in week 3 leaves weeks 1 and 2 behind.
    edit(
        workspace,
        "src/booking_service/series.py",
        "    with write_transaction(db):\n        room = get_room(db, room_id)",
        "    if True:\n        room = get_room(db, room_id)",
    )
    edit(
        workspace,
        "src/booking_service/series.py",
        "            rows.append((start, end))\n",
        "            rows.append((start, end))\n"
        '            db["bookings"].insert({"room_id": room_id, "organiser": "x", "attendees": 1,'
        ' "start": to_db_time(start), "end": to_db_time(end)})\n'
        "            db.conn.commit()\n",
    )
    lines = failing(judged("10.4", workspace))
    assert any("one clash refuses the whole series" in line for line in lines), lines


CLASS_TESTS = '''"""Series tests as a class with fixtures, reading a private helper of series.py."""

from datetime import UTC, datetime, timedelta

import pytest

from booking_service import series
from booking_service.series import _ONE_WEEK, check_weeks, weekly_occurrences

NINE = datetime(2030, 1, 7, 9, tzinfo=UTC)
TEN = datetime(2030, 1, 7, 10, tzinfo=UTC)


class TestWeeklyRules:
    @pytest.fixture
    def four_weeks(self):
        return weekly_occurrences(NINE, TEN, 4)

    def test_one_occurrence_a_week(self, four_weeks):
        assert [start for start, _ in four_weeks] == [NINE + n * _ONE_WEEK for n in range(4)]

    def test_each_lasts_as_long_as_the_first(self, four_weeks):
        assert all(end - start == timedelta(hours=1) for start, end in four_weeks)

    @pytest.mark.parametrize("weeks", [1, series.MAX_WEEKS + 1])
    def test_outside_the_limits_is_refused(self, weeks):
        with pytest.raises(series.InvalidSeriesLength):
            check_weeks(weeks)

    def test_the_longest_is_allowed(self):
        check_weeks(series.MAX_WEEKS)
'''


@pytest.mark.slow
def test_tests_as_a_class_that_import_a_private_name_catch_the_planted_bugs(workspace):
    """A private helper, and an `__all__` without the rules: the planted runs import them too."""
    edit(
        workspace,
        "src/booking_service/series.py",
        "\ndef check_weeks(",
        "\n_ONE_WEEK = timedelta(days=7)\n"
        '__all__ = ["create_series", "get_series", "cancel_series"]\n\n\ndef check_weeks(',
    )
    write(workspace, feature.TEST_FILE, CLASS_TESTS)
    result = judged("10.4", workspace)
    assert result.ok, failing(result)


@pytest.mark.slow
def test_a_service_that_does_not_import_is_one_line(workspace):
    write(workspace, "src/booking_service/series.py", "def broken(:\n")
    lines = failing(judged("10.4", workspace))
    assert "syntax error" in lines[0] and "series.py" in lines[0], lines[0]
    assert all("not checked until" in line for line in lines[1:])
    assert read(workspace, "src/booking_service/series.py") == "def broken(:\n"


# --- 10.5 -----------------------------------------------------------------------------------------


def test_a_workflow_that_ignores_the_new_tests_is_refused(workspace):
    edit(
        workspace,
        ".github/workflows/ci.yml",
        "--ignore=tests/integration --ignore=tests/contract",
        "--ignore=tests/integration --ignore=tests/contract --ignore=tests/test_series.py",
    )
    lines = failing(judged("10.5", workspace))
    assert lines[0].startswith(
        "❌ a pytest step of a pull-request job runs tests/test_series.py — no pytest step"
    ), lines


@pytest.mark.parametrize(
    ("command", "selects"),
    [
        ("pytest ./tests/", True),
        ("pytest tests/test_*.py", True),
        ("python -m pytest -q --cov src/booking_service", True),
        ("pytest --junitxml reports/junit.xml -k 'not slow'", True),
        ("pytest tests/test_series.py::TestRules tests/test_api.py", True),
        ("pytest --deselect tests/test_series.py::test_one -q", True),
        ("pytest -q && echo tests/unit", True),
        ("uv sync --locked && .venv/bin/pytest -q", True),
        ("py.test tests", True),
        ("uv run --with pytest py.test -x", True),
        ("./.venv/bin/python -m pytest tests/test_series.py", True),
        ("echo pytest tests/unit", False),
        (".venv/bin/pytest tests/unit", False),
        ("pytest tests/unit", False),
        ("pytest --rootdir . tests/unit", False),
        ("pytest --ignore tests/test_series.py", False),
        ("pytest --ignore-glob=tests/test_s*.py", False),
        ("pytest --deselect ./tests/test_series.py", False),
    ],
)
def test_which_pytest_commands_select_the_new_tests(command, selects):
    assert checks._covers(command) is selects


def test_a_step_with_option_values_and_dot_paths_passes(workspace):
    """`--junitxml reports/junit.xml`, `--ignore ./tests/integration`, `./tests/`: all pytest's."""
    edit(
        workspace,
        ".github/workflows/ci.yml",
        "pytest -q --ignore=tests/integration --ignore=tests/contract",
        "pytest -q --junitxml reports/junit.xml --ignore ./tests/integration"
        " --ignore=tests/contract ./tests/",
    )
    result = judged("10.5", workspace)
    assert result.ok, failing(result)


def test_a_step_that_runs_pytest_from_the_synced_venv_passes(workspace):
    """`uv sync`, then `.venv/bin/py.test`: the same tests, called by another of their names."""
    edit(
        workspace,
        ".github/workflows/ci.yml",
        "uv run --with pytest pytest -q --ignore=tests/integration",
        ".venv/bin/py.test -q --ignore=tests/integration",
    )
    result = judged("10.5", workspace)
    assert result.ok, failing(result)


def test_a_deleted_workflow_is_one_line(workspace):
    project.path(".github/workflows/ci.yml", workspace).unlink()
    lines = failing(judged("10.5", workspace))
    assert ".github/workflows/ci.yml" in lines[0] and "Traceback" not in lines[0]
