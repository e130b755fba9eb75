"""What the course asks of a learner: its exercises, read from the generated learner copies.

An exercise's id and number of checks come from the stored output of its check cells (the solution's
✅ lines), so the catalogue can never disagree with what nbval grades against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from onboarding import notebooks
from onboarding.checks import PASS_MARK, SUMMARY_PREFIX

SUMMARY_LINE = re.compile(rf"^{SUMMARY_PREFIX}(?P<id>\d\d\.\d+):", re.MULTILINE)
EXERCISE_HEADING = re.compile(
    r"^#+\s*Exercise\s+(?P<id>\d\d\.\d+)\s*[:—–-]?\s*(?P<title>.*)$", re.M
)


@dataclass(frozen=True)
class CatalogueEntry:
    notebook: str
    stage: str
    exercise_id: str
    title: str
    total_checks: int
    check_cell_ids: tuple[str, ...]


def stage_of(notebook_name: str) -> str:
    """'03_data_design' -> '03 Data design'."""
    number, _, slug = Path(notebook_name).stem.partition("_")
    return f"{number} {slug.replace('_', ' ').capitalize()}".strip()


def exercises_in(path: Path) -> list[CatalogueEntry]:
    return exercises_in_notebook(notebooks.read(path), path.name)


def exercises_in_notebook(notebook: notebooks.Notebook, name: str = "") -> list[CatalogueEntry]:
    titles: dict[str, str] = {}
    totals: dict[str, int] = {}
    cell_ids: dict[str, list[str]] = {}
    order: list[str] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for match in EXERCISE_HEADING.finditer(notebooks.source_of(cell)):
                titles.setdefault(match["id"], match["title"].strip())
        if not notebooks.is_check_cell(cell):
            continue
        text = notebooks.output_text(cell.get("outputs", []))
        for match in SUMMARY_LINE.finditer(text):
            exercise_id = match["id"]
            if exercise_id not in totals:
                order.append(exercise_id)
                totals[exercise_id] = 0
                cell_ids[exercise_id] = []
            totals[exercise_id] += sum(line.startswith(PASS_MARK) for line in text.splitlines())
            cell_ids[exercise_id].append(cell.get("id", ""))
    return [
        CatalogueEntry(
            notebook=name,
            stage=stage_of(name) if name else "",
            exercise_id=exercise_id,
            title=titles.get(exercise_id, ""),
            total_checks=totals[exercise_id],
            check_cell_ids=tuple(cell_ids[exercise_id]),
        )
        for exercise_id in order
    ]


def exercises(exercises_dir: Path) -> list[CatalogueEntry]:
    entries: list[CatalogueEntry] = []
    for path in sorted(Path(exercises_dir).glob("[0-9][0-9]_*.ipynb")):
        entries.extend(exercises_in(path))
    return entries
