"""What the book is expected to contain, read from the course's own folders."""

from __future__ import annotations

import re
from pathlib import Path

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

SOLUTION_START = re.compile(r"BEGIN SOLUTION")
SOLUTION_END = re.compile(r"END SOLUTION")
STUB_START = re.compile(r"BEGIN STUB")
STUB_END = re.compile(r"END STUB")
COMMENT_LEADER = re.compile(r"^(\s*)(?:#|--|//) ?")


def course_notebooks(folder: str) -> list[Path]:
    return sorted((COURSE_ROOT / folder).glob("[0-9][0-9]_*.ipynb"))


def title_of(path: Path) -> str:
    """The notebook's first `# ` heading: the page title in the book."""
    for cell in notebooks.read(path)["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^# (.+)$", notebooks.source_of(cell), re.M)
            if match:
                return match[1].strip()
    raise AssertionError(f"{path.name} has no `# ` title")


def html_page(html: Path, path: Path) -> Path:
    """The built page of a repository file: notebooks/00_welcome.ipynb -> …/00_welcome.html."""
    return html / path.relative_to(COURSE_ROOT).with_suffix(".html")


def solution_only_lines(solution: Path) -> set[str]:
    """Lines a learner must never receive: inside solution regions and nowhere else.

    A line that the following stub region also gives (uncommented), or that appears outside the
    solution regions (an import, a check), is not solution text.
    """
    inside: set[str] = set()
    elsewhere: set[str] = set()
    for cell in notebooks.read(solution)["cells"]:
        region = None
        for line in notebooks.source_of(cell).splitlines():
            if SOLUTION_START.search(line) or STUB_START.search(line):
                region = "solution" if SOLUTION_START.search(line) else "stub"
                continue
            if SOLUTION_END.search(line) or STUB_END.search(line):
                region = None
                continue
            if region == "solution":
                inside.add(line.strip())
            elif region == "stub":
                elsewhere.add(COMMENT_LEADER.sub(r"\1", line).strip())
            else:
                elsewhere.add(line.strip())
    return {line for line in inside - elsewhere if len(line) > 3}


def python_solution_regions(solution: Path) -> int:
    """Solution regions in Python cells that become a `raise NotImplementedError` stub.

    A region followed by a stub region becomes that stub instead, and in a cell that starts with
    a `%%` magic (`%%writefile`…) a region without a stub just disappears.
    """
    count = 0
    for cell in notebooks.read(solution)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and not source.lstrip().startswith("%%"):
            count += len(SOLUTION_START.findall(source)) - len(STUB_START.findall(source))
    return count


HIDDEN_OUTPUT_TAGS = {"remove-output", "remove-cell"}


def shown_output_lines(lesson: Path) -> list[str]:
    """The first line of each text stream a code cell printed, where the book shows it."""
    lines = []
    for cell in notebooks.read(lesson)["cells"]:
        if cell["cell_type"] != "code" or HIDDEN_OUTPUT_TAGS & set(notebooks.tags_of(cell)):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = (
                    output["text"] if isinstance(output["text"], str) else "".join(output["text"])
                )
                text = notebooks.strip_ansi(text).strip()
                if text:
                    lines.append(text.splitlines()[0].strip())
    return lines
