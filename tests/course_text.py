"""Every piece of text the course shows a learner, for tests that check one fact everywhere.

Lessons, solutions and exercises contribute each cell's source and its stored text output;
templates, the book's pages, the reference spec and the project blueprint contribute whole files.
Tests that check one fact across the course (a status code, an SLO number) read from here, so
a new place that states the fact is checked without anyone remembering to add it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

NOTEBOOK_FOLDERS = ("notebooks", "solutions", "exercises")
# Course text outside the notebooks. Vendored files (mermaid) are not the course's words.
TEXT_FILES = (
    "README.md",
    "templates/*",
    "book/*.md",
    "book/templates/*.md",
    "src/bookings/openapi.yaml",
    "project/stage_*/**/*",
)
TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".py", ".json", ".sql", ".ini", ".toml", ""}


@dataclass(frozen=True)
class Text:
    where: str
    text: str
    prose: bool
    """Markdown, read as sentences; otherwise code or output, read line by line."""

    def units(self) -> Iterator[str]:
        """Sentences and table rows of prose (wrapped lines joined); lines of code."""
        return sentences(self.text) if self.prose else iter(self.text.splitlines())


def cell_texts(path: Path) -> Iterator[Text]:
    """Each cell's source, then each of its text outputs, named `file, cell id`."""
    relative = path.relative_to(COURSE_ROOT).as_posix()
    for number, cell in enumerate(notebooks.read(path)["cells"]):
        where = f"{relative}, cell {cell.get('id', number)}"
        yield Text(where, notebooks.source_of(cell), cell["cell_type"] == "markdown")
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            if text:
                yield Text(f"{where} (output)", "".join(text), prose=False)


def course_texts() -> Iterator[Text]:
    for folder in NOTEBOOK_FOLDERS:
        for path in sorted((COURSE_ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            yield from cell_texts(path)
    seen: set[Path] = set()
    for pattern in TEXT_FILES:
        for path in sorted(COURSE_ROOT.glob(pattern)):
            if path in seen or not path.is_file() or path.suffix not in TEXT_SUFFIXES:
                continue
            seen.add(path)
            text = path.read_text(encoding="utf-8")
            yield Text(path.relative_to(COURSE_ROOT).as_posix(), text, path.suffix == ".md")


LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+\.)\s")


def sentences(markdown: str) -> Iterator[str]:
    """The sentences of Markdown prose, each table row, and each line of a fenced code block.

    Wrapped lines are joined first, so a sentence that spans three lines is one unit; a list
    item starts a new paragraph.
    """
    paragraph: list[str] = []
    fenced = False

    def flush() -> Iterator[str]:
        joined = " ".join(paragraph)
        paragraph.clear()
        yield from (part for part in re.split(r"(?<=[.?!])\s+", joined) if part.strip())

    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            yield from flush()
            fenced = not fenced
            continue
        if fenced or stripped.startswith(("|", "#", "<")):
            yield from flush()
            if stripped:
                yield stripped
            continue
        if not stripped or LIST_ITEM.match(line):
            yield from flush()
        if stripped:
            paragraph.append(stripped)
    yield from flush()
