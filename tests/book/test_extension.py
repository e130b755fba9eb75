"""book/_ext/course_book.py on a tiny Sphinx project, so each behaviour is tested on purpose.

The real book only shows what today's lessons happen to contain; this project has each case:
an exercise link, a link to a stage not written yet, a misspelt link to a stage that exists, a
solution page, a diagram and a lesson without its time estimate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.book import html
from tests.conftest import COURSE_ROOT

EXTENSION_DIR = COURSE_ROOT / "book" / "_ext"
CONF = f"""
import sys
sys.path.insert(0, {str(EXTENSION_DIR)!r})
extensions = ["myst_nb", "course_book"]
nb_execution_mode = "off"
myst_fence_as_directive = ["mermaid"]
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


def notebook(*markdown: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    return json.dumps({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    })  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The tiny project's HTML folder and Sphinx's warnings."""
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
            "## A diagram\n\n```mermaid\nflowchart LR\n    a[A<br/>x] --> b\n```",
        ),
        "notebooks/01_roles.ipynb": notebook("# Stage 01 — Roles\n\nNo time estimate here."),
        "exercises/00_welcome.ipynb": notebook("# Stage 00 exercises\n\nraise NotImplementedError"),
        "solutions/00_welcome.ipynb": notebook("# Stage 00 exercises\n\n## Exercise 00.1: x"),
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


def test_mermaid_fence_becomes_a_diagram_drawn_by_the_vendored_script(built):
    out, _ = built
    page = html.parse(out / "notebooks" / "00_welcome.html")
    diagram = page.find("pre", class_="mermaid")
    assert diagram.text() == "flowchart LR\n    a[A<br/>x] --> b"
    scripts = [script.attrs.get("src", "") for script in page.find_all("script")]
    assert any("_static/mermaid/mermaid.min.js" in src for src in scripts)
    assert not html.parse(out / "notebooks" / "01_roles.html").find(
        "script", src=lambda src: "mermaid" in src
    ), "pages without a diagram do not load Mermaid"


def test_lesson_timings_table_and_a_missing_estimate(built):
    out, stderr = built
    rows = [
        [cell.text().strip() for cell in row.find_all("td")]
        for row in html.parse(out / "index.html").find_all("tr")
    ]
    assert ["00", "Stage 00 — Welcome", "5", "10", "15", "15 min"] in rows
    assert [w for w in warnings(stderr) if "01_roles.ipynb has no '**Time:**" in w]
    assert len(warnings(stderr)) == 2, stderr
