"""The learner's progress ledger: every check run, in SQLite, inside the workspace.

The ledger only records; what an exercise needs (how many checks, in which stage) comes from the
course catalogue, so a course update that adds a check changes the totals without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from onboarding import catalogue

LEDGER_NAME = Path(".onboard") / "progress.db"


def ledger_path(workspace: Path) -> Path:
    return Path(workspace) / LEDGER_NAME


def _open(workspace: Path):
    import sqlite_utils

    path = ledger_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite_utils.Database(path)
    if "attempts" not in database.table_names():
        database["attempts"].create(
            {
                "id": int,
                "exercise_id": str,
                "passed": int,
                "total": int,
                "source": str,
                "attempted_at": str,
            },
            pk="id",
        )
        database["attempts"].create_index(["exercise_id", "attempted_at"])
    return database


def record(workspace: Path, exercise_id: str, passed: int, total: int, source: str) -> None:
    database = _open(workspace)
    try:
        database["attempts"].insert(
            {
                "exercise_id": exercise_id,
                "passed": passed,
                "total": total,
                "source": source,
                "attempted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
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


def statuses(workspace: Path, course_exercises: Path) -> list[Status]:
    """One row per exercise in the course, joined with its latest attempt."""
    latest: dict[str, dict] = {}
    counts: dict[str, int] = {}
    if ledger_path(workspace).exists():
        database = _open(workspace)
        try:
            for row in database.query(
                "select exercise_id, passed, total, attempted_at from attempts order by id"
            ):
                latest[row["exercise_id"]] = row
                counts[row["exercise_id"]] = counts.get(row["exercise_id"], 0) + 1
        finally:
            database.close()
    rows = []
    for entry in catalogue.exercises(course_exercises):
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


def show(workspace: Path | None = None, course_exercises: Path | None = None):
    """An ipywidgets view of the same table, with a progress bar, for use inside a notebook."""
    import ipywidgets as widgets

    from onboarding import paths

    workspace = workspace or paths.workspace_dir()
    course_exercises = course_exercises or paths.exercises_dir()
    rows = statuses(workspace, course_exercises)
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
