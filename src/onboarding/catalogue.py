"""What the course asks of a learner: its exercises, read from the model solutions.

An exercise's id and number of checks come from the result its check cells published when the
model solution was run (stored in `solutions/`, see `onboarding.protocol`), so the catalogue can
never disagree with what `onboard check` grades against. Stage titles come from the course map.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onboarding import course, notebooks, paths, protocol


@dataclass(frozen=True)
class CatalogueEntry:
    notebook: str
    stage: str
    exercise_id: str
    title: str
    total_checks: int
    check_cell_ids: tuple[str, ...]


def stage_of(notebook_name: str) -> str:
    """'03_data_design' -> '03 Data design and migrations', the stage's title on the course map."""
    number, _, slug = Path(notebook_name).stem.partition("_")
    try:
        title = course.stage_numbered(number).title
    except course.UnknownStage:
        title = slug.replace("_", " ").capitalize()
    return f"{number} {title}".strip()


def exercises_in(path: Path) -> list[CatalogueEntry]:
    return exercises_in_notebook(notebooks.read(path), path.name)


def exercises_in_notebook(notebook: notebooks.Notebook, name: str = "") -> list[CatalogueEntry]:
    titles: dict[str, str] = {}
    totals: dict[str, int] = {}
    cell_ids: dict[str, list[str]] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for match in protocol.EXERCISE_HEADING.finditer(notebooks.source_of(cell)):
                titles.setdefault(match["id"], match["title"].strip())
        if not notebooks.is_check_cell(cell):
            continue
        for result in protocol.results_in(cell.get("outputs", [])):
            totals[result.exercise_id] = totals.get(result.exercise_id, 0) + result.total
            cell_ids.setdefault(result.exercise_id, []).append(cell.get("id", ""))
    return [
        CatalogueEntry(
            notebook=name,
            stage=stage_of(name) if name else "",
            exercise_id=exercise_id,
            title=titles.get(exercise_id, ""),
            total_checks=total,
            check_cell_ids=tuple(cell_ids[exercise_id]),
        )
        for exercise_id, total in totals.items()
    ]


def exercises(solutions_dir: Path | None = None) -> list[CatalogueEntry]:
    """Every exercise of the course, in stage order (the model solutions by default)."""
    folder = Path(solutions_dir) if solutions_dir is not None else paths.solutions_dir()
    entries: list[CatalogueEntry] = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        entries.extend(exercises_in(path))
    return entries
