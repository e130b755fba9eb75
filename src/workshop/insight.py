"""What the instructor sees, computed from the reports: the grid, where the room is stuck, who
needs help, and the pace against the session plan.

Pure functions of (cohort, exercises, reports, now): no database, no clock, no web, so every rule
is tested exactly at its threshold.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workshop.plan import StagePlan, planned_stage
from workshop.store import StoredReport

HELP_FAILURES = 3
"""Failed attempts at one exercise..."""
HELP_WINDOW = timedelta(minutes=10)
"""...within this long flag a learner as needing help."""
IDLE_AFTER = timedelta(minutes=15)
"""No activity for this long also flags a learner."""

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"


@dataclass(frozen=True)
class ExerciseInfo:
    exercise_id: str
    stage: str
    """The stage number, "03"."""
    title: str
    total: int


@dataclass
class Cell:
    """One learner's work on one exercise."""

    state: str = NOT_STARTED
    attempts: int = 0
    passed: int = 0
    total: int = 0
    last_at: datetime | None = None
    failing: tuple[str, ...] = ()


@dataclass(frozen=True)
class StuckLine:
    exercise_id: str
    expectation: str
    failing: int
    of: int
    learners: tuple[str, ...]

    def text(self) -> str:
        return f"{self.failing} of {self.of} fail {self.exercise_id}: {self.expectation}"


@dataclass(frozen=True)
class HelpFlag:
    learner: str
    reason: str
    since: datetime | None


@dataclass(frozen=True)
class Pace:
    median_stage: str | None
    planned_stage: str | None
    active_learners: int

    def text(self) -> str:
        if self.median_stage is None:
            return "No learner has run a check yet."
        text = f"Median stage: {self.median_stage} (of {self.active_learners} active learners)."
        if self.planned_stage is None:
            return text + " No session plan to compare with (set starts_at in the cohort file)."
        difference = int(self.median_stage) - int(self.planned_stage)
        if difference == 0:
            return text + f" The plan has stage {self.planned_stage} now: on plan."
        word = "ahead" if difference > 0 else "behind"
        count = abs(difference)
        return (
            text + f" The plan has stage {self.planned_stage} now: {count} "
            f"stage{'s' if count > 1 else ''} {word}."
        )


@dataclass
class CohortView:
    learners: tuple[str, ...]
    exercises: tuple[ExerciseInfo, ...]
    grid: dict[str, dict[str, Cell]]
    stuck: list[StuckLine]
    help: list[HelpFlag]
    pace: Pace
    generated_at: datetime
    report_count: int
    last_activity: dict[str, datetime | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": _iso(self.generated_at),
            "reports": self.report_count,
            "learners": list(self.learners),
            "exercises": [
                {"id": e.exercise_id, "stage": e.stage, "title": e.title, "total": e.total}
                for e in self.exercises
            ],
            # Only the cells with an attempt: the rest are "not started" with the exercise's
            # total, and leaving them out keeps a class's grid small enough to poll each second.
            "grid": {
                learner: {
                    exercise_id: {
                        "state": cell.state,
                        "attempts": cell.attempts,
                        "passed": cell.passed,
                        "total": cell.total,
                        "last_at": _iso(cell.last_at),
                        "failing": list(cell.failing),
                    }
                    for exercise_id, cell in row.items()
                    if cell.attempts
                }
                for learner, row in self.grid.items()
            },
            "stuck": [
                {
                    "exercise": line.exercise_id,
                    "expectation": line.expectation,
                    "failing": line.failing,
                    "of": line.of,
                    "learners": list(line.learners),
                    "text": line.text(),
                }
                for line in self.stuck
            ],
            "help": [
                {"learner": flag.learner, "reason": flag.reason, "since": _iso(flag.since)}
                for flag in self.help
            ],
            "pace": {
                "median_stage": self.pace.median_stage,
                "planned_stage": self.pace.planned_stage,
                "text": self.pace.text(),
            },
            "last_activity": {name: _iso(when) for name, when in self.last_activity.items()},
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def build_view(
    learners: Sequence[str],
    exercises: Sequence[ExerciseInfo],
    reports: Iterable[StoredReport],
    now: datetime,
    *,
    plan: list[StagePlan] | None = None,
    starts_at: datetime | None = None,
    hub_activity: Mapping[str, datetime] | None = None,
) -> CohortView:
    learners = tuple(learners)
    known = {exercise.exercise_id: exercise for exercise in exercises}
    by_learner: dict[str, list[StoredReport]] = defaultdict(list)
    count = 0
    for report in reports:
        count += 1
        if report.learner in learners and report.exercise_id in known:
            by_learner[report.learner].append(report)
    for history in by_learner.values():
        history.sort(key=lambda report: report.checked_at)

    grid = {learner: _row(by_learner[learner], exercises) for learner in learners}
    last_activity = _last_activity(learners, by_learner, hub_activity or {})
    return CohortView(
        learners=learners,
        exercises=tuple(exercises),
        grid=grid,
        stuck=stuck_lines(grid, exercises, len(learners)),
        help=needs_help(learners, by_learner, last_activity, now, starts_at),
        pace=pace(by_learner, known, plan or [], starts_at, now),
        generated_at=now,
        report_count=count,
        last_activity=last_activity,
    )


def _row(history: list[StoredReport], exercises: Sequence[ExerciseInfo]) -> dict[str, Cell]:
    row = {exercise.exercise_id: Cell(total=exercise.total) for exercise in exercises}
    for report in history:  # oldest first: the last one wins
        cell = row[report.exercise_id]
        cell.attempts += 1
        cell.passed = report.passed
        cell.total = report.total
        cell.last_at = report.checked_at
        cell.state = DONE if report.ok else IN_PROGRESS
        cell.failing = () if report.ok else report.failed_expectations
    return row


def stuck_lines(
    grid: Mapping[str, Mapping[str, Cell]], exercises: Sequence[ExerciseInfo], room: int
) -> list[StuckLine]:
    """Failed expectations ranked by how many learners' latest attempt fails them now."""
    failing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for learner, row in grid.items():
        for exercise_id, cell in row.items():
            for expectation in dict.fromkeys(cell.failing):
                failing[(exercise_id, expectation)].append(learner)
    order = {exercise.exercise_id: index for index, exercise in enumerate(exercises)}
    ranked = sorted(failing.items(), key=lambda item: (-len(item[1]), order[item[0][0]], item[0]))
    return [
        StuckLine(exercise_id, expectation, len(names), room, tuple(sorted(names)))
        for (exercise_id, expectation), names in ranked
    ]


def _last_activity(
    learners: Sequence[str],
    by_learner: Mapping[str, list[StoredReport]],
    hub_activity: Mapping[str, datetime],
) -> dict[str, datetime | None]:
    activity: dict[str, datetime | None] = {}
    for learner in learners:
        moments = [report.checked_at for report in by_learner.get(learner, [])]
        if learner in hub_activity and hub_activity[learner] is not None:
            moments.append(hub_activity[learner])
        activity[learner] = max(moments) if moments else None
    return activity


def needs_help(
    learners: Sequence[str],
    by_learner: Mapping[str, list[StoredReport]],
    last_activity: Mapping[str, datetime | None],
    now: datetime,
    starts_at: datetime | None = None,
) -> list[HelpFlag]:
    """Three or more failed attempts at one exercise in ten minutes, or fifteen idle minutes.

    An exercise the learner has since passed does not count: they got there.
    """
    flags: list[HelpFlag] = []
    window_start = now - HELP_WINDOW
    for learner in learners:
        history = by_learner.get(learner, [])
        recent_failures: Counter[str] = Counter()
        first_failure: dict[str, datetime] = {}
        latest_ok: dict[str, bool] = {}
        for report in history:
            latest_ok[report.exercise_id] = report.ok
            if not report.ok and window_start <= report.checked_at <= now:
                recent_failures[report.exercise_id] += 1
                first_failure.setdefault(report.exercise_id, report.checked_at)
        for exercise_id, failures in recent_failures.items():
            if failures >= HELP_FAILURES and not latest_ok[exercise_id]:
                flags.append(
                    HelpFlag(
                        learner,
                        f"{failures} failed attempts at {exercise_id} in the last "
                        f"{int(HELP_WINDOW.total_seconds() // 60)} minutes",
                        first_failure[exercise_id],
                    )
                )
        last = last_activity.get(learner)
        if last is not None and now - last >= IDLE_AFTER:
            minutes = int((now - last).total_seconds() // 60)
            flags.append(HelpFlag(learner, f"no activity for {minutes} minutes", last))
        elif last is None and starts_at is not None and now - starts_at >= IDLE_AFTER:
            flags.append(HelpFlag(learner, "no activity since the session started", starts_at))
    return flags


def pace(
    by_learner: Mapping[str, list[StoredReport]],
    known: Mapping[str, ExerciseInfo],
    plan: list[StagePlan],
    starts_at: datetime | None,
    now: datetime,
) -> Pace:
    """The median of each active learner's stage (that of their latest check) against the plan."""
    stages = sorted(
        known[history[-1].exercise_id].stage for history in by_learner.values() if history
    )
    median = stages[(len(stages) - 1) // 2] if stages else None  # the lower median: a real stage
    return Pace(median, planned_stage(plan, starts_at, now), len(stages))


CSV_COLUMNS = (
    "learner",
    "exercise",
    "stage",
    "state",
    "attempts",
    "checks_passed",
    "checks_total",
    "last_check_utc",
    "failing_expectations",
)


def to_csv(view: CohortView) -> str:
    """One row per learner and exercise, for a spreadsheet after the session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for learner in view.learners:
        for exercise in view.exercises:
            cell = view.grid[learner][exercise.exercise_id]
            writer.writerow(
                (
                    learner,
                    exercise.exercise_id,
                    exercise.stage,
                    cell.state,
                    cell.attempts,
                    cell.passed,
                    cell.total,
                    _iso(cell.last_at) or "",
                    " | ".join(cell.failing),
                )
            )
    return buffer.getvalue()
