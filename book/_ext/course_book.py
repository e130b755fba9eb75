"""The course's own Sphinx extension for the Jupyter Book (loaded through book/_config.yml).

It keeps the lessons, solutions and templates exactly as learners see them in JupyterLab, and
adapts them for the book at read time:

- ``mermaid`` directive: ```` ```mermaid ```` fences (``myst_fence_as_directive``) become a
  ``<pre class="mermaid">`` that the vendored ``book/_static/mermaid/mermaid.min.js`` draws in
  the browser. Nothing is fetched from a CDN, at build time or when the book is read.
- Exercise links: a lesson's ``[exercises/NN_slug.ipynb](../exercises/NN_slug.ipynb)`` becomes a
  download of that generated learner copy (the exercises are not pages of the book).
- Links to lessons not written yet (``[Stage 06 …](06_ci.ipynb)`` while no ``notebooks/06_*``
  exists) are shown as text marked "coming soon", so the course can be published stage by
  stage. A misspelt link to a stage that does exist still fails the build.
- Solution pages (``solutions/NN_slug.ipynb``) get "Solution — " before their title and a
  banner asking the reader to try the exercise first.
- ``stage-table`` and ``lesson-timings`` directives: tables built from the course's stage list
  (``onboarding.course.STAGES``) and from each lesson's ``**Time:** about N minutes…`` line.

Jupyter Book 2 (MyST-MD) draws Mermaid itself; the rest of this file is what a move would have
to replace (see book/README.md).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

LESSON_DOC = re.compile(r"notebooks/(?P<number>\d\d)_[A-Za-z0-9_]+")
EXERCISE_DOC = re.compile(r"exercises/(?P<number>\d\d)_[A-Za-z0-9_]+")
SOLUTION_DOC = re.compile(r"solutions/(?P<number>\d\d)_[A-Za-z0-9_]+")
TIME_LINE = re.compile(
    r"\*\*Time:\*\* about (?P<lesson>\d+) minutes for the lesson"
    r" and (?P<exercise>\d+) minutes for the exercise"
)
SOLUTION_PREFIX = "Solution — "
COMING_SOON = "coming soon"


# ------------------------------------------------------------------------------------ mermaid
class mermaid_diagram(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A Mermaid diagram, drawn in the browser."""


class MermaidDirective(SphinxDirective):
    """```` ```mermaid ```` or ```` ```{mermaid} ````, with optional ``:caption:`` and ``:alt:``."""

    has_content = True
    option_spec = {
        "caption": directives.unchanged,
        "alt": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content).strip()
        if not code:
            return [
                self.state.document.reporter.warning(
                    "a mermaid diagram needs content", line=self.lineno
                )
            ]
        diagram = mermaid_diagram(code=code, alt=self.options.get("alt", ""))
        self.set_source_info(diagram)
        if "caption" not in self.options:
            self.add_name(diagram)
            return [diagram]
        figure = nodes.figure("", diagram, classes=["mermaid-figure"])
        caption_nodes, _ = self.state.inline_text(self.options["caption"], self.lineno)
        figure += nodes.caption(self.options["caption"], "", *caption_nodes)
        self.set_source_info(figure)
        self.add_name(figure)
        return [figure]


def visit_mermaid_html(translator, node: mermaid_diagram) -> None:
    # Mermaid reads the element's text, so the escaped source comes back exactly as written.
    label = f' aria-label="{html.escape(node["alt"])}"' if node.get("alt") else ""
    translator.body.append(
        f'<div class="mermaid-diagram"><pre class="mermaid"{label}>'
        f"{html.escape(node['code'])}</pre></div>\n"
    )
    raise nodes.SkipNode


def visit_mermaid_other(translator, node: mermaid_diagram) -> None:
    raise nodes.SkipNode


def add_mermaid_script(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Load the vendored Mermaid only on pages that have a diagram (it is 3.5 MB)."""
    if doctree is None or next(doctree.findall(mermaid_diagram), None) is None:
        return
    # Added to this page only: Sphinx resets the page's script list for every page.
    app.builder.add_js_file("mermaid/mermaid.min.js")
    app.builder.add_js_file("mermaid/mermaid-init.js")


# --------------------------------------------------------------------------- the course's files
@dataclass(frozen=True)
class Lesson:
    number: str
    docname: str
    path: Path
    title: str
    lesson_minutes: int | None
    exercise_minutes: int | None


def notebook_text(path: Path) -> list[str]:
    """The Markdown cells of a notebook, as text."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in cells
        if cell["cell_type"] == "markdown"
    ]


def lessons(srcdir: Path) -> list[Lesson]:
    found = []
    for path in sorted((srcdir / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        markdown = notebook_text(path)
        title = next(
            (m[1].strip() for text in markdown if (m := re.search(r"^# (.+)$", text, re.M))),
            path.stem,
        )
        times = next((m for text in markdown if (m := TIME_LINE.search(text))), None)
        found.append(
            Lesson(
                number=path.name[:2],
                docname=f"notebooks/{path.stem}",
                path=path,
                title=title,
                lesson_minutes=int(times["lesson"]) if times else None,
                exercise_minutes=int(times["exercise"]) if times else None,
            )
        )
    return found


def stage_numbers() -> set[str]:
    """Stage numbers of the whole course, written or not (from the toolkit's stage list)."""
    try:
        from onboarding.course import STAGES
    except ImportError:  # the book can be built without the toolkit installed
        return {f"{n:02d}" for n in range(100)}
    return {stage.number for stage in STAGES}


# ------------------------------------------------------------------------------- link rewriting
def doc_link(docname: str, refdoc: str, text: str | None = None) -> addnodes.pending_xref:
    """A link to another page of the book, titled with that page's title unless `text`."""
    ref = addnodes.pending_xref(
        "",
        nodes.inline(text or "", text or ""),
        refdomain="std",
        reftype="doc",
        reftarget=f"/{docname}",
        refexplicit=text is not None,
        refdoc=refdoc,
        refwarn=True,
    )
    return ref


def download_link(path: str, refdoc: str, *children: nodes.Node) -> addnodes.download_reference:
    """A download of a repository file; Sphinx copies it into _downloads/ at build time."""
    return addnodes.download_reference(
        "",
        "",
        *children,
        refdomain=None,
        reftype="download",
        reftarget=f"/{path}",
        refexplicit=True,
        refdoc=refdoc,
        classes=["course-download"],
    )


class ExerciseLinksBecomeDownloads(SphinxTransform):
    """``[…](../exercises/NN_slug.ipynb)`` → a download of the generated learner copy."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for ref in list(self.document.findall(addnodes.pending_xref)):
            if ref.get("reftype") != "myst" or ref.get("refdomain") != "doc":
                continue
            target = ref["reftarget"]
            if not EXERCISE_DOC.fullmatch(target) or target in self.env.found_docs:
                continue
            if ref.get("reftargetid"):
                logger.warning(
                    "an exercise link cannot point into the notebook (#%s): it is a download",
                    ref["reftargetid"],
                    location=ref,
                )
            ref.replace_self(download_link(f"{target}.ipynb", self.env.docname, *ref.children))


class UnpublishedLessonLinks(SphinxTransform):
    """A link to a stage whose lesson is not written yet becomes text marked "coming soon"."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        srcdir = Path(self.env.srcdir)
        stages = stage_numbers()
        for ref in list(self.document.findall(addnodes.pending_xref)):
            if ref.get("reftype") != "myst" or ref.get("refdomain"):
                continue
            path = ref["reftarget"].split("#", 1)[0]
            if not path.endswith(".ipynb"):
                continue
            relative, absolute = self.env.relfn2path(path, self.env.docname)
            match = LESSON_DOC.fullmatch(str(PurePosixPath(relative).with_suffix("")))
            if not match or Path(absolute).exists() or match["number"] not in stages:
                continue
            if any((srcdir / "notebooks").glob(f"{match['number']}_*.ipynb")):
                continue  # that stage exists: a wrong name must stay a broken link
            # Read this page again on every build until the lesson exists.
            self.env.note_dependency(relative)
            text = nodes.inline("", "", *ref.children, classes=["unpublished-lesson"])
            text += nodes.emphasis(f" ({COMING_SOON})", f" ({COMING_SOON})")
            ref.replace_self(text)
            logger.info(
                "%s: %s is not written yet; shown as %s", self.env.docname, path, COMING_SOON
            )


class SolutionBanner(SphinxTransform):
    """Mark a model-solution page as such, before the reader sees any of it."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        docname = self.env.docname
        match = SOLUTION_DOC.fullmatch(docname)
        section = next(self.document.findall(nodes.section), None)
        if not match or section is None or not isinstance(section[0], nodes.title):
            return
        title = section[0]
        title.insert(0, nodes.Text(SOLUTION_PREFIX))
        slug = docname.split("/", 1)[1]
        banner = nodes.admonition(classes=["warning", "solution-banner"])
        banner += nodes.title("", "Solution — try the exercise first")
        text = nodes.paragraph()
        text += nodes.Text("This page is the model solution of the stage ")
        text += nodes.Text(f"{match['number']} exercises. Do them first in your own copy, ")
        text += nodes.literal(f"workspace/{slug}.ipynb", f"workspace/{slug}.ipynb")
        exercise = Path(self.env.srcdir) / "exercises" / f"{slug}.ipynb"
        if exercise.exists():
            text += nodes.Text(" (or ")
            text += download_link(
                f"exercises/{slug}.ipynb", docname, nodes.inline("", "download the exercise")
            )
            text += nodes.Text(")")
        text += nodes.Text(", until every check shows ✅; then compare your work with this page.")
        banner += text
        lesson = f"notebooks/{slug}"
        if lesson in self.env.found_docs:
            back = nodes.paragraph()
            back += nodes.Text("The lesson: ")
            back += doc_link(lesson, docname)
            back += nodes.Text(".")
            banner += back
        section.insert(1, banner)


# ------------------------------------------------------------------------------------- tables
def table(headers: list[str], rows: list[list], widths: list[int] | None = None) -> nodes.table:
    """A docutils table; a cell is a string or a list of inline nodes."""
    group = nodes.tgroup(cols=len(headers))
    for width in widths or [1] * len(headers):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(headers)
    group += head
    body = nodes.tbody()
    for row in rows:
        body += _row(row)
    group += body
    result = nodes.table(classes=["course-table"])
    result += group
    return result


def _row(cells: list) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        paragraph = nodes.paragraph()
        if isinstance(cell, str):
            paragraph += nodes.Text(cell)
        else:
            paragraph.extend(cell)
        entry += paragraph
        row += entry
    return row


class DynamicDirective(SphinxDirective):
    """A directive whose output depends on the lessons folder: its page is read on every build."""

    def note_dynamic(self) -> None:
        self.env.course_book_dynamic_docs = getattr(self.env, "course_book_dynamic_docs", set())
        self.env.course_book_dynamic_docs.add(self.env.docname)

    def lesson_cell(self, lesson: Lesson | None, title: str) -> list[nodes.Node]:
        if lesson is None:
            return [nodes.Text(f"{title} "), nodes.emphasis("", f"({COMING_SOON})")]
        return [doc_link(lesson.docname, self.env.docname, title)]


class StageTable(DynamicDirective):
    """Every stage of the course, what it produces, and its lesson (or "coming soon")."""

    def run(self) -> list[nodes.Node]:
        self.note_dynamic()
        from onboarding.course import STAGES

        written = {lesson.number: lesson for lesson in lessons(Path(self.env.srcdir))}
        rows = [
            [
                stage.number,
                self.lesson_cell(written.get(stage.number), stage.title),
                stage.process_stage or "(cross-cutting)",
                ", ".join(stage.produces),
            ]
            for stage in STAGES
        ]
        headers = ["Stage", "Lesson", "Process stage", "What the team has at the end"]
        return [table(headers, rows, [1, 4, 3, 5])]


class LessonTimings(DynamicDirective):
    """Minutes for each written lesson and its exercise, read from the lesson's Time line."""

    def run(self) -> list[nodes.Node]:
        self.note_dynamic()
        rows, total = [], 0
        for lesson in lessons(Path(self.env.srcdir)):
            if lesson.lesson_minutes is None or lesson.exercise_minutes is None:
                logger.warning(
                    "%s has no '**Time:** about N minutes for the lesson and M minutes for the "
                    "exercise' line",
                    lesson.path.name,
                    location=(self.env.docname, self.lineno),
                )
                continue
            minutes = lesson.lesson_minutes + lesson.exercise_minutes
            total += minutes
            rows.append(
                [
                    lesson.number,
                    self.lesson_cell(lesson, lesson.title),
                    str(lesson.lesson_minutes),
                    str(lesson.exercise_minutes),
                    str(minutes),
                    duration(total),
                ]
            )
        headers = ["Stage", "Lesson", "Lesson (min)", "Exercise (min)", "Stage (min)", "Running"]
        return [table(headers, rows, [1, 6, 2, 2, 2, 2])]


def duration(minutes: int) -> str:
    """75 -> '1 h 15 min'; 35 -> '35 min'."""
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def reread_dynamic_docs(app: Sphinx, env, added, changed, removed) -> list[str]:
    return sorted(getattr(env, "course_book_dynamic_docs", set()) & env.found_docs)


def purge_dynamic_doc(app: Sphinx, env, docname: str) -> None:
    getattr(env, "course_book_dynamic_docs", set()).discard(docname)


def merge_dynamic_docs(app: Sphinx, env, docnames, other) -> None:
    env.course_book_dynamic_docs = getattr(env, "course_book_dynamic_docs", set()) | (
        getattr(other, "course_book_dynamic_docs", set()) & set(docnames)
    )


def setup(app: Sphinx) -> dict:
    app.add_node(
        mermaid_diagram,
        html=(visit_mermaid_html, None),
        latex=(visit_mermaid_other, None),
        text=(visit_mermaid_other, None),
        man=(visit_mermaid_other, None),
        texinfo=(visit_mermaid_other, None),
    )
    app.add_directive("mermaid", MermaidDirective)
    app.add_directive("stage-table", StageTable)
    app.add_directive("lesson-timings", LessonTimings)
    app.add_transform(ExerciseLinksBecomeDownloads)
    app.add_transform(UnpublishedLessonLinks)
    app.add_transform(SolutionBanner)
    app.connect("html-page-context", add_mermaid_script)
    app.connect("env-get-outdated", reread_dynamic_docs)
    app.connect("env-purge-doc", purge_dynamic_doc)
    app.connect("env-merge-info", merge_dynamic_docs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
