"""Generate learner copies (`exercises/`) from their single source (`solutions/`).

In a solution notebook:

- `### BEGIN SOLUTION` … `### END SOLUTION` marks what the learner must write. The marker uses the
  cell's comment syntax (`#`, `--` or `//`). In a Python cell the region becomes a
  `raise NotImplementedError(...)` naming the exercise; in an artefact cell (`%%writefile`) it
  becomes nothing, or the starting skeleton below.
- `### BEGIN STUB` … `### END STUB` holds that skeleton, commented out so the solution still runs;
  the learner copy gets it uncommented.
- Every cell of the learner copy starts without outputs, check cells included: a fresh exercise
  must not show "all checks passed" under unsolved code. What passing looks like (the check
  cells' stored outputs, which nbval compares) stays in the solution, and `onboard check` puts it
  back on a temporary copy before grading.
- The exercise a region belongs to is the latest markdown heading `Exercise NN.N: title`.

The output depends only on the input, so regenerating changes no byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from onboarding import notebooks
from onboarding.protocol import EXERCISE_HEADING

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)(?P<leader>#+|--|//)[ \t]*(?P<edge>BEGIN|END)[ \t]+(?P<kind>SOLUTION|STUB)"
    r"(?:[ \t]+(?P<exercise>\d\d\.\d+))?[ \t]*$"
)
"""A region marker; `### BEGIN SOLUTION 04.1` may name its exercise (project files do)."""
COMMENT_LEADER = re.compile(r"^(?P<indent>[ \t]*)(#|--|//) ?")
GENERATED_NOTE = "Generated from {source} by `make exercises`; edit the solution, not this file."


class GeneratorError(ValueError):
    """A solution notebook the generator cannot turn into an exercise, with where and why."""


@dataclass(frozen=True)
class Region:
    kind: str
    start: int
    end: int


RegionWriter = Callable[[re.Match[str], list[str], list[str], int], list[str]]
"""Given a region's BEGIN marker, its body, all lines and the END's index: what replaces it."""


def _rewrite_regions(source: str, where: str, rewrite: RegionWriter) -> str:
    """Walk the lines, handing each marked region to `rewrite`; other lines stay as they are."""
    lines = source.splitlines(keepends=True)
    output: list[str] = []
    index = 0
    while index < len(lines):
        match = MARKER.match(lines[index].rstrip("\r\n"))
        if match is None:
            output.append(lines[index])
            index += 1
            continue
        if match["edge"] != "BEGIN":
            raise GeneratorError(f"{where}: `{match['edge']} {match['kind']}` without a BEGIN.")
        end = _find_end(lines, index, match["kind"], where)
        output.extend(rewrite(match, lines[index + 1 : end], lines, end))
        index = end + 1
    return "".join(output)


def stub_for(source: str, exercise_id: str | None, where: str, artefact: bool | None = None) -> str:
    """Replace the solution regions of one cell's (or file's) source with their stubs.

    In Python a region without a stub becomes `raise NotImplementedError`; in an artefact (a
    `%%writefile` cell, or a file that is not Python) it becomes nothing.
    """
    is_artefact = source.lstrip().startswith("%%") if artefact is None else artefact

    def stub(match: re.Match[str], body: list[str], lines: list[str], end: int) -> list[str]:
        if match["kind"] == "STUB":
            return [_uncomment(line) for line in body]
        region_exercise = match["exercise"] or exercise_id
        if _stub_region_at(lines, end + 1) or is_artefact:
            return []
        if region_exercise is None:
            raise GeneratorError(f"{where}: a solution region before any 'Exercise NN.N' heading.")
        return [
            f"{match['indent']}raise NotImplementedError("
            f'"Exercise {region_exercise}: replace this line with your code")\n'
        ]

    return _rewrite_regions(source, where, stub)


def model_of(source: str, where: str) -> str:
    """The finished text: solution regions kept without their markers, stub regions dropped."""

    def keep_solutions(match: re.Match[str], body: list[str], lines: list[str], end: int):
        return body if match["kind"] == "SOLUTION" else []

    return _rewrite_regions(source, where, keep_solutions)


def _find_end(lines: list[str], begin: int, kind: str, where: str) -> int:
    for index in range(begin + 1, len(lines)):
        match = MARKER.match(lines[index].rstrip("\r\n"))
        if match is None:
            continue
        if match["edge"] == "END" and match["kind"] == kind:
            return index
        raise GeneratorError(
            f"{where}: `BEGIN {kind}` on line {begin + 1} is not closed before line {index + 1}."
        )
    raise GeneratorError(f"{where}: `BEGIN {kind}` on line {begin + 1} has no `END {kind}`.")


def _stub_region_at(lines: list[str], index: int) -> bool:
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return False
    match = MARKER.match(lines[index].rstrip("\r\n"))
    return bool(match and match["edge"] == "BEGIN" and match["kind"] == "STUB")


def _uncomment(line: str) -> str:
    return COMMENT_LEADER.sub(lambda match: match["indent"], line, count=1)


def has_regions(source: str) -> bool:
    return any(MARKER.match(line) for line in source.splitlines())


def generate(solution: notebooks.Notebook, source_name: str) -> notebooks.Notebook:
    """The learner copy of one solution notebook."""
    exercise_id: str | None = None
    cells = []
    for index, cell in enumerate(solution["cells"]):
        source = notebooks.source_of(cell)
        where = f"{source_name}, cell {index + 1}"
        copy = {
            key: value for key, value in cell.items() if key not in ("outputs", "execution_count")
        }
        if cell["cell_type"] == "markdown":
            heading = EXERCISE_HEADING.search(source)
            if heading:
                exercise_id = heading["id"]
        elif cell["cell_type"] == "code":
            if notebooks.is_check_cell(cell):
                if has_regions(source):
                    raise GeneratorError(f"{where}: a check cell cannot hold a solution region.")
                if not cell.get("outputs") or cell.get("execution_count") is None:
                    raise GeneratorError(
                        f"{where}: the check cell has no stored output. Run the solution "
                        "(`onboard author run`): its output is what `onboard check` compares with."
                    )
            elif has_regions(source):
                copy["source"] = notebooks.split_source(stub_for(source, exercise_id, where))
            copy["outputs"] = []
            copy["execution_count"] = None
        cells.append(copy)
    metadata = dict(solution.get("metadata", {}))
    metadata["onboard"] = {"generated": GENERATED_NOTE.format(source=source_name)}
    learner_copy = {**solution, "cells": cells, "metadata": metadata}
    return notebooks.normalise(learner_copy)


def generate_all(solutions_dir: Path, exercises_dir: Path) -> list[Path]:
    """Regenerate every exercise; remove learner copies whose solution is gone. Returns changes."""
    exercises_dir.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    expected: set[str] = set()
    for solution_path in sorted(solutions_dir.glob("[0-9][0-9]_*.ipynb")):
        expected.add(solution_path.name)
        text = notebooks.dumps(
            generate(notebooks.read(solution_path), f"solutions/{solution_path.name}")
        )
        target = exercises_dir / solution_path.name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    for stale in sorted(exercises_dir.glob("[0-9][0-9]_*.ipynb")):
        if stale.name not in expected:
            stale.unlink()
            changed.append(stale)
    return changed
