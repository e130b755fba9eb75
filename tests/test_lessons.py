"""Every lesson has the same skeleton, and names the process-document sections it teaches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

LESSONS = sorted((COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OPENING = ["Overview", "Prerequisites", "Imports"]
CLOSING = ["Key points", "Your turn", "What's next"]
# The section titles of the company's process document, "How we work — Python".
PROCESS_SECTIONS = [
    "Purpose",
    "Roles & responsibilities",
    "Project stages",
    "Essential documents",
    "Testing & CI",
    "Branching & Releases",
    "Deployment patterns",
    "Operational practices",
    "Where to put these documents",
    "Tech-specific notes",
    "Next steps / templates",
]
COVERS = re.compile(
    r"\*\*Process document sections covered:\*\*(?P<list>[^\n]+(?:\n(?!\n)[^\n]+)*)"
)


def sections(path: Path) -> list[tuple[str, list[dict]]]:
    """The lesson's `## ` sections, each with the cells under it."""
    result: list[tuple[str, list[dict]]] = []
    for cell in notebooks.read(path)["cells"]:
        source = notebooks.source_of(cell)
        heading = re.match(r"## (.+)", source) if cell["cell_type"] == "markdown" else None
        if heading:
            result.append((heading[1].strip(), [cell]))
        elif result:
            result[-1][1].append(cell)
    return result


def text_of(cells: list[dict]) -> str:
    return "\n".join(notebooks.source_of(cell) for cell in cells)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_skeleton_order(path):
    titles = [title for title, _ in sections(path)]
    assert titles[:3] == OPENING, titles
    assert titles[-3:] == CLOSING, titles
    assert len(titles) > len(OPENING) + len(CLOSING), (
        "a lesson needs at least one section of its own"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_overview_states_objectives_and_process_sections(path):
    overview = text_of(dict(sections(path))["Overview"])
    assert "**Learning objectives.**" in overview
    assert COVERS.search(overview), "say which sections of the process document the lesson covers"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_prerequisites_give_a_time_estimate(path):
    prerequisites = text_of(dict(sections(path))["Prerequisites"])
    assert re.search(
        r"\*\*Time:\*\* about \d+ minutes for the lesson and \d+ minutes for the exercise",
        prerequisites,
    ), "state the lesson and exercise time as in stage 00"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_imports_come_first_in_code(path):
    cells = notebooks.read(path)["cells"]
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    assert first_code in dict(sections(path))["Imports"], (
        "the first code cell belongs under Imports"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_your_turn_links_to_the_matching_exercise(path):
    your_turn = text_of(dict(sections(path))["Your turn"])
    exercise = COURSE_ROOT / "exercises" / path.name
    if exercise.exists():
        assert f"(../exercises/{path.name})" in your_turn
        assert f"workspace/{path.name}" in your_turn


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_named_process_sections_exist(path):
    overview = text_of(dict(sections(path))["Overview"])
    named = COVERS.search(overview)["list"]
    mentioned = re.findall(r"\*([^*]+)\*", named)
    assert mentioned, "name the sections in *italics*"
    for name in mentioned:
        assert name in PROCESS_SECTIONS, f"{name!r} is not a section of the process document"


def test_lesson_links_point_to_files_that_exist():
    for path in LESSONS:
        for cell in notebooks.read(path)["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(
                r"\]\((?!https?:|#|mailto:)([^)#\s]+)", notebooks.source_of(cell)
            ):
                assert (path.parent / target).exists(), f"{path.name}: broken link {target}"


def covered_sections(path: Path) -> list[str]:
    overview = text_of(dict(sections(path))["Overview"])
    return re.findall(r"\*([^*]+)\*", COVERS.search(overview)["list"])


def test_every_section_of_the_process_document_is_taught():
    taught = {name for path in LESSONS for name in covered_sections(path)}
    missing = [name for name in PROCESS_SECTIONS if name not in taught]
    assert not missing, f"no lesson covers: {missing}"


def test_every_stage_on_the_map_has_its_lesson_and_exercise():
    from onboarding.course import STAGES

    lesson_numbers = [path.name[:2] for path in LESSONS]
    assert lesson_numbers == [stage.number for stage in STAGES]
    for stage in STAGES:
        assert list((COURSE_ROOT / "solutions").glob(f"{stage.number}_*.ipynb")), stage.number
