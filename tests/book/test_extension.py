"""book/_ext/course_book.py on a tiny Sphinx project, so each behaviour is tested on purpose.

The real book only shows what today's lessons happen to contain; this project has each case:
an exercise link, a link to a stage not written yet, a misspelt link to a stage that exists, a
solution page, diagrams (a good one, a broken one, one without a text alternative), a task list,
code cells with authoring markers, and a lesson without its time estimate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.book import html
from tests.browser.conftest import require_chromium
from tests.conftest import COURSE_ROOT

EXTENSION_DIR = COURSE_ROOT / "book" / "_ext"
sys.path.insert(0, str(EXTENSION_DIR))
from course_book import name_sidebar_expanders, without_authoring_markers  # noqa: E402
from course_diagrams import Drawing, missing_text_alternative  # noqa: E402

CONF = f"""
import sys
sys.path.insert(0, {str(EXTENSION_DIR)!r})
extensions = ["myst_nb", "course_book"]
nb_execution_mode = "off"
myst_fence_as_directive = ["mermaid"]
myst_enable_extensions = ["tasklist"]
exclude_patterns = ["_build", "exercises"]
root_doc = "index"
"""
INDEX = """# Course

```{toctree}
notebooks/00_welcome
notebooks/01_roles
solutions/00_welcome
```

```{lesson-timings}
```
"""


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "execution_count": None,
            "outputs": []}  # fmt: skip


def notebook(*cells: str | dict) -> str:
    cells = [
        cell
        if isinstance(cell, dict)
        else {"cell_type": "markdown", "metadata": {}, "source": cell}
        for cell in cells
    ]
    return json.dumps({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    })  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The tiny project's HTML folder and Sphinx's warnings (diagrams need Chromium)."""
    require_chromium()
    source = tmp_path_factory.mktemp("project")
    files = {
        "conf.py": CONF,
        "index.md": INDEX,
        "notebooks/00_welcome.ipynb": notebook(
            "# Stage 00 — Welcome\n\n**Time:** about 5 minutes for the lesson and 10 minutes "
            "for the exercise.",
            "## Your turn\n\nThe original is [exercises/00_welcome.ipynb](../exercises/00_welcome.ipynb).",
            "## What's next\n\n[Stage 07 — Deployment](07_deployment.ipynb), and a typo: "
            "[Stage 01](01_rolse.ipynb).",
            "## A diagram\n\n```mermaid\nflowchart LR\n    accTitle: A to B\n"
            "    accDescr: A leads to B.\n    a[A<br/>x] --> b\n```",
            "## Broken\n\n```mermaid\nsequenceDiagram\n    accTitle: t\n    accDescr: d\n"
            "    A->>B: one; two + three\n```",
            "## Unlabelled\n\n```mermaid\nflowchart LR\n    a --> b\n```",
            "## Checklist\n\n- [ ] The release is *tagged*\n- [x] CI is green",
            code_cell("# NBVAL_IGNORE_OUTPUT\n# timings vary\nprint('hello')"),
        ),
        "notebooks/01_roles.ipynb": notebook("# Stage 01 — Roles\n\nNo time estimate here."),
        "exercises/00_welcome.ipynb": notebook("# Stage 00 exercises\n\nraise NotImplementedError"),
        "solutions/00_welcome.ipynb": notebook(
            "# Stage 00 exercises\n\n## Exercise 00.1: x",
            code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        ),
    }
    for name, text in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-q",
            "--keep-going",
            str(source),
            str(source / "_build"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return source / "_build", run.stderr


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "WARNING" in line]


def test_exercise_link_becomes_a_download_of_the_exercise(built):
    out, _ = built
    page = html.parse(out / "notebooks" / "00_welcome.html")
    link = page.find("a", class_="download")
    assert link is not None and link.attrs["href"].startswith("../_downloads/")
    assert link.text() == "exercises/00_welcome.ipynb"
    downloaded = (out / "notebooks" / link.attrs["href"]).resolve()
    assert "NotImplementedError" in downloaded.read_text()


def test_link_to_an_unwritten_stage_says_coming_soon(built):
    out, stderr = built
    page = html.parse(out / "notebooks" / "00_welcome.html")
    soon = page.find("span", class_="unpublished-lesson")
    assert soon is not None and soon.text() == "Stage 07 — Deployment (coming soon)"
    assert not [w for w in warnings(stderr) if "07_deployment" in w]


def test_misspelt_link_to_a_written_stage_still_fails(built):
    _, stderr = built
    assert [w for w in warnings(stderr) if "01_rolse.ipynb" in w], stderr


def test_solution_page_is_marked(built):
    out, _ = built
    page = html.parse(out / "solutions" / "00_welcome.html")
    assert page.find("h1").text().startswith("Solution — Stage 00 exercises")
    banner = page.find("div", class_="solution-banner")
    assert "try the exercise first" in banner.text()
    assert banner.find("a", class_="download"), "the banner offers the exercise"
    assert banner.find("a", href=lambda href: "notebooks/00_welcome.html" in href)


def test_mermaid_fence_becomes_an_svg_drawn_at_build_time(built):
    out, _ = built
    page = html.parse(out / "notebooks" / "00_welcome.html")
    diagram = page.find("div", class_="course-diagram")
    assert diagram.attrs["tabindex"] == "0" and diagram.attrs["aria-label"] == "Diagram: A to B"
    svg = diagram.find("svg")
    assert svg.find("title").text() == "A to B" and svg.find("desc").text() == "A leads to B."
    assert "B" in svg.text() and "A" in svg.text()
    assert "min-width:" in svg.attrs["style"] and svg.attrs["width"] == "100%"
    assert not page.find("script", src=lambda src: "mermaid" in src), "nothing runs in the page"


def test_a_diagram_mermaid_cannot_draw_fails_the_build_with_mermaids_message(built):
    _, stderr = built
    broken = [w for w in warnings(stderr) if "Mermaid cannot draw this diagram" in w]
    assert len(broken) == 1 and "00_welcome.ipynb" in broken[0], stderr
    assert "Parse error" in broken[0]


def test_a_diagram_without_a_text_alternative_fails_the_build(built):
    _, stderr = built
    missing = [w for w in warnings(stderr) if "has no accTitle and no accDescr line" in w]
    assert len(missing) == 1, stderr


def test_task_list_checkboxes_are_named_by_their_item(built):
    out, _ = built
    boxes = html.parse(out / "notebooks" / "00_welcome.html").find_all("input", type="checkbox")
    assert [box.attrs.get("aria-label") for box in boxes] == [
        "The release is tagged",
        "CI is green",
    ]
    assert "checked" in boxes[1].attrs


def test_code_cells_are_shown_without_authoring_markers(built):
    out, _ = built
    lesson = html.parse(out / "notebooks" / "00_welcome.html").text()
    assert "print('hello')" in lesson
    assert "NBVAL" not in lesson and "timings vary" not in lesson
    solution = html.parse(out / "solutions" / "00_welcome.html").text()
    assert "return 1" in solution and "SOLUTION" not in solution


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("# NBVAL_CHECK_OUTPUT\n# Checks f().\ncheck()", "# Checks f().\ncheck()"),
        ("# NBVAL_IGNORE_OUTPUT\n# a widget\nquiz.widget()", "quiz.widget()"),
        ("# NBVAL_IGNORE_OUTPUT\nx = 1", "x = 1"),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "def f():\n    return 1"),
        ("%%writefile a.sql\n-- BEGIN SOLUTION\nSELECT 1;\n-- END SOLUTION", "%%writefile a.sql\nSELECT 1;"),
        ("%%writefile r.yaml\n### BEGIN SOLUTION\nrooms: []\n### END SOLUTION\n"
         "### BEGIN STUB\n# rooms:\n### END STUB", "%%writefile r.yaml\nrooms: []"),
        ("# BEGIN SOLUTION is how a region starts", "# BEGIN SOLUTION is how a region starts"),
    ],
)  # fmt: skip
def test_authoring_markers_are_taken_out_of_code(code, shown):
    assert without_authoring_markers(code) == shown


@pytest.mark.parametrize(
    ("code", "missing"),
    [
        ("flowchart LR\n  accTitle: T\n  accDescr: D\n  a --> b", []),
        ("flowchart LR\n  accTitle: T\n  accDescr {\n    D\n  }\n  a --> b", []),
        ("flowchart LR\n  accDescr: D\n  a --> b", ["accTitle"]),
        ("flowchart LR\n  accTitle:\n  a --> b", ["accTitle", "accDescr"]),
    ],
)
def test_a_diagram_needs_a_title_and_a_description(code, missing):
    assert missing_text_alternative(code) == missing


@pytest.mark.parametrize(
    ("width", "smallest", "min_width"),
    [(800, 16, 600), (800, 12, 800), (500, 10, 600), (801, 16, 601)],
)
def test_a_diagram_never_shrinks_below_12_px_labels(width, smallest, min_width):
    drawing = Drawing(svg='<svg viewBox="0 0 1 1" style="max-width: 9px;"></svg>', width=width,
                      smallest_label_px=smallest)  # fmt: skip
    assert drawing.min_width == min_width
    assert f"min-width: {min_width}px; max-width: {max(width, min_width)}px" in drawing.sized_svg()


def test_sidebar_expanders_are_named_after_their_part():
    toctree = (
        '<li><a class="reference internal" href="t.html">Templates &amp; more</a>'
        "<details><summary><span></span></summary><ul></ul></details></li>"
    )
    assert '<summary aria-label="Pages under Templates &amp; more">' in name_sidebar_expanders(
        toctree
    )


def test_lesson_timings_table_and_a_missing_estimate(built):
    out, stderr = built
    rows = [
        [cell.text().strip() for cell in row.find_all("td")]
        for row in html.parse(out / "index.html").find_all("tr")
    ]
    assert ["00", "Stage 00 — Welcome", "5", "10", "15", "15 min"] in rows
    assert [w for w in warnings(stderr) if "01_roles.ipynb has no '**Time:**" in w]
    # The misspelt link, the missing estimate, the broken and the unlabelled diagram.
    assert len(warnings(stderr)) == 4, stderr
