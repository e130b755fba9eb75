"""The dashboard's rules, each tested exactly at its threshold."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import COURSE_ROOT
from workshop import insight, plan
from workshop.insight import ExerciseInfo
from workshop.store import StoredReport

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
EXERCISES = (
    ExerciseInfo("00.1", "00", "How long is a booking?", 4),
    ExerciseInfo("00.2", "00", "Describe the rooms", 4),
    ExerciseInfo("03.1", "03", "Migration 002", 8),
)
LEARNERS = ("ada", "alan", "barbara")
_counter = iter(range(10**6))


def report(learner, exercise="00.1", passed=4, total=4, failing=(), minutes_ago=1.0):
    when = NOW - timedelta(minutes=minutes_ago)
    return StoredReport(
        learner,
        f"r{next(_counter)}",
        exercise,
        passed,
        total,
        tuple(failing),
        1.0,
        "test",
        when,
        when,
    )


def view(reports, **options):
    return insight.build_view(LEARNERS, EXERCISES, reports, NOW, **options)


def test_the_grid_shows_each_learners_latest_attempt_and_counts_attempts():
    grid = view(
        [
            report("ada", passed=1, failing=("a", "b", "c"), minutes_ago=5),
            report("ada", passed=4, minutes_ago=2),
            report("alan", passed=2, failing=("a", "b"), minutes_ago=1),
        ]
    ).grid
    assert (grid["ada"]["00.1"].state, grid["ada"]["00.1"].attempts) == ("done", 2)
    assert (grid["alan"]["00.1"].state, grid["alan"]["00.1"].passed) == ("in progress", 2)
    assert grid["barbara"]["00.1"].state == "not started" and grid["barbara"]["00.1"].total == 4


def test_reports_from_outside_the_cohort_or_course_are_left_out_of_the_grid():
    result = view([report("mallory"), report("ada", exercise="99.9")])
    assert all(cell.attempts == 0 for row in result.grid.values() for cell in row.values())
    assert result.report_count == 2


def test_failed_expectations_are_ranked_by_how_many_learners_fail_them_now():
    stuck = view(
        [
            report("ada", "03.1", 6, 8, ("rolling back restores the schema text", "x"), 3),
            report("alan", "03.1", 7, 8, ("rolling back restores the schema text",), 2),
            report("barbara", "00.1", 3, 4, ("x",), 1),
            report("barbara", "03.1", 7, 8, ("y",), 1),
        ]
    ).stuck
    assert stuck[0].text() == "2 of 3 fail 03.1: rolling back restores the schema text"
    assert stuck[0].learners == ("ada", "alan")
    assert [line.text() for line in stuck[1:]] == [
        "1 of 3 fail 00.1: x",
        "1 of 3 fail 03.1: x",
        "1 of 3 fail 03.1: y",
    ]


def test_a_learner_who_has_since_passed_no_longer_counts_as_stuck():
    stuck = view(
        [report("ada", passed=3, failing=("a",), minutes_ago=3), report("ada", minutes_ago=1)]
    ).stuck
    assert stuck == []


def failures(learner, count, minutes_ago_first, spacing=1.0, exercise="00.1"):
    return [
        report(learner, exercise, 1, 4, ("a", "b", "c"), minutes_ago_first - i * spacing)
        for i in range(count)
    ]


def test_three_failed_attempts_within_ten_minutes_flag_a_learner():
    flags = view(failures("ada", 3, minutes_ago_first=10)).help  # the first exactly 10 min ago
    assert [(f.learner, f.reason) for f in flags] == [
        ("ada", "3 failed attempts at 00.1 in the last 10 minutes")
    ]


def test_two_failed_attempts_do_not():
    assert view(failures("ada", 2, minutes_ago_first=3)).help == []


def test_a_failure_just_over_ten_minutes_ago_does_not_count():
    assert view(failures("ada", 3, minutes_ago_first=10.02)).help == []


def test_three_failures_then_a_pass_is_not_a_call_for_help():
    reports = failures("ada", 3, minutes_ago_first=5) + [report("ada", minutes_ago=0.5)]
    assert view(reports).help == []


def test_fifteen_minutes_without_activity_flag_a_learner_and_fourteen_do_not():
    flags = view([report("ada", minutes_ago=15), report("alan", minutes_ago=14.9)]).help
    assert [(f.learner, f.reason) for f in flags] == [("ada", "no activity for 15 minutes")]


def test_activity_the_hub_saw_counts_as_activity():
    flags = view(
        [report("ada", minutes_ago=40)], hub_activity={"ada": NOW - timedelta(minutes=2)}
    ).help
    assert flags == []


def test_nobody_seen_since_a_start_fifteen_minutes_ago_is_flagged():
    started = NOW - timedelta(minutes=15)
    flags = view(
        [report("ada", minutes_ago=1), report("alan", minutes_ago=1)], starts_at=started
    ).help
    assert [(f.learner, f.reason) for f in flags] == [
        ("barbara", "no activity since the session started")
    ]
    assert view([], starts_at=NOW - timedelta(minutes=14)).help == []


def test_the_pace_is_the_lower_median_stage_of_active_learners_against_the_plan():
    session = [plan.StagePlan("00", 44, 0), plan.StagePlan("03", 106, 44)]
    result = view(
        [report("ada", "00.1"), report("alan", "03.1", 8, 8), report("barbara", "03.1", 8, 8)],
        plan=session,
        starts_at=NOW - timedelta(minutes=30),
    )
    assert (result.pace.median_stage, result.pace.planned_stage) == ("03", "00")
    assert result.pace.text() == (
        "Median stage: 03 (of 3 active learners). The plan has stage 00 now: 3 stages ahead."
    )
    two = view([report("ada", "00.1"), report("alan", "03.1", 8, 8)])
    assert two.pace.median_stage == "00"  # of 00 and 03, the lower: a stage someone is on
    assert view([]).pace.text() == "No learner has run a check yet."


def test_the_plan_comes_from_the_lessons_time_lines_with_a_quarter_added():
    minutes = plan.lesson_minutes(COURSE_ROOT / "notebooks")
    assert minutes["00"] == 35  # 20 for the lesson and 15 for the exercise
    session = plan.session_plan(COURSE_ROOT / "notebooks", ("00", "01"))
    assert [(p.stage, p.minutes, p.starts_after) for p in session] == [
        ("00", 44, 0),
        ("01", round(minutes["01"] * 1.25), 44),
    ]
    start = NOW - timedelta(minutes=44)
    assert plan.planned_stage(session, start, NOW) == "01"
    assert plan.planned_stage(session, start, NOW - timedelta(seconds=1)) == "00"
    assert plan.planned_stage(session, NOW + timedelta(minutes=1), NOW) is None


def test_the_csv_has_one_row_per_learner_and_exercise():
    text = insight.to_csv(view([report("ada", passed=3, failing=("a", "b"))]))
    lines = text.strip().split("\r\n")
    assert lines[0] == ",".join(insight.CSV_COLUMNS)
    assert len(lines) == 1 + len(LEARNERS) * len(EXERCISES)
    assert lines[1].startswith("ada,00.1,00,in progress,1,3,4,") and lines[1].endswith(",a | b")
