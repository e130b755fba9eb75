"""The learner's progress ledger: every check run, in SQLite, inside the workspace.

The ledger has two writers and no others: `onboard check` (after grading) and the workspace hook
in the learner's kernel (after an in-notebook check, see `onboarding.workspace_hook`). The author
API only publishes results. What an exercise needs (how many checks, in which stage) comes from
the course catalogue, so a course update that adds a check changes the totals without a migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from onboarding import catalogue, workspace
from onboarding.protocol import CheckResult


def _open(workspace_path: Path):
    import sqlite_utils

    path = workspace.ledger_path(workspace_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite_utils.Database(path)
    attempts = database["attempts"]
    if "attempts" not in database.table_names():
        attempts.create(
            {
                "id": int,
                "exercise_id": str,
                "passed": int,
                "total": int,
                "source": str,
                "attempted_at": str,
                "failed": str,
                "duration_s": float,
            },
            pk="id",
        )
        attempts.create_index(["exercise_id", "attempted_at"])
    else:
        # Ledgers written before results were data have neither column: add them in place.
        attempts.add_missing_columns([{"failed": "", "duration_s": 0.0}])
    return database


def record(workspace_path: Path, result: CheckResult, source: str) -> None:
    """Add one attempt: the result's counts, the texts of its failed expectations, its duration."""
    database = _open(workspace_path)
    try:
        database["attempts"].insert(
            {
                "exercise_id": result.exercise_id,
                "passed": result.passed,
                "total": result.total,
                "source": source,
                "attempted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "failed": json.dumps([outcome.text for outcome in result.failed]),
                "duration_s": result.duration_s,
            }
        )
    finally:
        database.close()


@dataclass(frozen=True)
class Status:
    stage: str
    exercise_id: str
    title: str
    total: int
    passed: int
    attempts: int
    last_attempt: datetime | None

    @property
    def state(self) -> str:
        if self.attempts == 0:
            return "not started"
        if self.passed >= self.total:
            return "done"
        return "in progress"


def statuses(workspace_path: Path, solutions_dir: Path | None = None) -> list[Status]:
    """One row per exercise in the course, joined with its latest attempt."""
    latest: dict[str, dict] = {}
    counts: dict[str, int] = {}
    if workspace.ledger_path(workspace_path).exists():
        database = _open(workspace_path)
        try:
            for row in database.query(
                "select exercise_id, passed, total, attempted_at from attempts order by id"
            ):
                latest[row["exercise_id"]] = row
                counts[row["exercise_id"]] = counts.get(row["exercise_id"], 0) + 1
        finally:
            database.close()
    rows = []
    for entry in catalogue.exercises(solutions_dir):
        last = latest.get(entry.exercise_id)
        rows.append(
            Status(
                stage=entry.stage,
                exercise_id=entry.exercise_id,
                title=entry.title,
                total=entry.total_checks,
                passed=min(last["passed"], entry.total_checks) if last else 0,
                attempts=counts.get(entry.exercise_id, 0),
                last_attempt=datetime.fromisoformat(last["attempted_at"]) if last else None,
            )
        )
    return rows


def render_table(rows: list[Status]):
    """A rich Table of the statuses, for the terminal."""
    from rich.table import Table

    marks = {"done": "[green]✅ done[/]", "in progress": "[yellow]◐ in progress[/]"}
    table = Table(title="Your progress", title_justify="left")
    for column in ("Stage", "Exercise", "Status", "Checks", "Last attempt"):
        table.add_column(column)
    for row in rows:
        when = row.last_attempt.astimezone().strftime("%Y-%m-%d %H:%M") if row.last_attempt else "—"
        table.add_row(
            row.stage,
            f"{row.exercise_id} {row.title}",
            marks.get(row.state, "[dim]· not started[/]"),
            f"{row.passed}/{row.total}",
            when,
        )
    done = sum(row.state == "done" for row in rows)
    table.caption = f"{done} of {len(rows)} exercises done"
    return table


def show(workspace_path: Path | None = None, solutions_dir: Path | None = None):
    """An ipywidgets view of the same table, with a progress bar, for use inside a notebook."""
    import ipywidgets as widgets

    rows = statuses(workspace_path or workspace.locate(), solutions_dir)
    done = sum(row.state == "done" for row in rows)
    bar = widgets.IntProgress(
        value=done, min=0, max=max(len(rows), 1), description="Exercises", bar_style="success"
    )
    cells = "".join(
        f"<tr><td>{row.stage}</td><td>{row.exercise_id} {row.title}</td><td>{row.state}</td>"
        f"<td>{row.passed}/{row.total}</td></tr>"
        for row in rows
    )
    table = widgets.HTML(
        "<table><thead><tr><th>Stage</th><th>Exercise</th><th>Status</th><th>Checks</th></tr>"
        f"</thead><tbody>{cells}</tbody></table>"
    )
    return widgets.VBox([bar, widgets.Label(f"{done} of {len(rows)} exercises done"), table])
