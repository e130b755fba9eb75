"""The session plan: when the room should reach each stage, from the lessons' own timings.

The instructor guide's timing table comes from each lesson's Prerequisites line ("**Time:** about
N minutes for the lesson and M minutes for the exercise") and tells instructors to add a quarter
for questions and the debrief in a workshop. The dashboard's pace uses the same figures and the
same allowance, so it can never disagree with the guide.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

TIME_LINE = re.compile(
    r"\*\*Time:\*\* about (?P<lesson>\d+) minutes for the lesson"
    r" and (?P<exercise>\d+) minutes for the exercise"
)
WORKSHOP_ALLOWANCE = 1.25
"""The guide's "add about a quarter for questions and the debrief"."""


@dataclass(frozen=True)
class StagePlan:
    stage: str
    minutes: int
    """Lesson plus exercise, with the workshop allowance."""
    starts_after: int
    """Minutes from the start of the session."""


def lesson_minutes(lessons_dir: Path) -> dict[str, int]:
    """Stage number -> lesson plus exercise minutes, for every lesson with a Time line."""
    minutes: dict[str, int] = {}
    for path in sorted(Path(lessons_dir).glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            match = TIME_LINE.search("".join(source) if isinstance(source, list) else source)
            if match:
                minutes[path.name[:2]] = int(match["lesson"]) + int(match["exercise"])
                break
    return minutes


def session_plan(lessons_dir: Path, stages: tuple[str, ...] = ()) -> list[StagePlan]:
    """The stages of the session in order, each with when it should start."""
    minutes = lesson_minutes(lessons_dir)
    chosen = [stage for stage in (stages or tuple(sorted(minutes))) if stage in minutes]
    plan, elapsed = [], 0
    for stage in chosen:
        length = round(minutes[stage] * WORKSHOP_ALLOWANCE)
        plan.append(StagePlan(stage, length, elapsed))
        elapsed += length
    return plan


def planned_stage(plan: list[StagePlan], starts_at: datetime | None, now: datetime) -> str | None:
    """The stage the plan has the room on at `now`; None before the start or without a plan."""
    if starts_at is None or not plan or now < starts_at:
        return None
    elapsed = (now - starts_at).total_seconds() / 60
    current = plan[0].stage
    for entry in plan:
        if elapsed >= entry.starts_after:
            current = entry.stage
    return current
