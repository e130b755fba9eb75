"""The course's own Sphinx extension for the Jupyter Book (loaded through book/_config.yml).

It keeps the lessons, solutions and templates exactly as learners see them in JupyterLab, and
adapts them for the book at read time:

- ``mermaid`` directive: ```` ```mermaid ```` fences (``myst_fence_as_directive``) become inline
  SVG, drawn at build time by the vendored ``book/_static/mermaid/mermaid.min.js`` in headless
  Chromium (``course_diagrams.py``). Each needs ``accTitle:`` and ``accDescr:`` lines.
- Code cells lose their authoring markers; task-list checkboxes, the sidebar's expanders and
  tables with an empty corner get what screen readers need; scripts load deferred, and the
  theme's style sheet and icon font are trimmed to the icons the pages use.
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

After changing what a page reads as, bump ``env_version`` in ``setup()``: Sphinx then reads
every page again instead of only the changed sources.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from docutils import nodes
from docutils.parsers.rst import directives
from markupsafe import Markup
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
import course_diagrams  # noqa: E402 - book/_ext is not a package

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
    """A Mermaid diagram, drawn at build time (see course_diagrams.py)."""


MERMAID_SCRIPT = Path(__file__).parent.parent / "_static" / "mermaid" / "mermaid.min.js"
ACC_TITLE_LINE = re.compile(r"^[ \t]*accTitle[ \t]*:[ \t]*(?P<title>.+?)[ \t]*$", re.M)


def mermaid_renderer(env) -> course_diagrams.MermaidRenderer:
    """One renderer per build (and per process of a parallel build)."""
    renderer = getattr(env.app, "course_book_mermaid", None)
    if renderer is None:
        cache = Path(env.app.doctreedir).parent / ".mermaid-cache"
        renderer = course_diagrams.MermaidRenderer(MERMAID_SCRIPT, cache)
        env.app.course_book_mermaid = renderer
    return renderer


class MermaidDirective(SphinxDirective):
    """```` ```mermaid ```` or ```` ```{mermaid} ````, with an optional ``:caption:``.

    The diagram's source must give its text alternative with Mermaid's ``accTitle:`` and
    ``accDescr:`` lines; the SVG then carries them as its <title> and <desc>.
    """

    has_content = True
    option_spec = {
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content).strip()
        if not code:
            return [self.warning("a mermaid diagram needs content")]
        missing = course_diagrams.missing_text_alternative(code)
        if missing:
            return [
                self.warning(
                    f"this mermaid diagram has no {' and no '.join(missing)} line: give every "
                    "diagram a title (accTitle: …) and a description of what it shows "
                    "(accDescr: …), its text alternative"
                )
            ]
        # Unique in the whole book, so that the one-page edition (the PDF) has no clashing ids.
        serial = self.env.new_serialno("course-mermaid")
        digest = hashlib.sha1(f"{self.env.docname}\0{serial}\0{code}".encode()).hexdigest()
        diagram_id = f"diagram-{digest[:12]}"
        self.env.note_dependency(str(MERMAID_SCRIPT))
        try:
            drawing = mermaid_renderer(self.env).draw(diagram_id, code)
        except course_diagrams.BrowserMissing as error:
            raise ExtensionError(str(error)) from error
        except course_diagrams.DiagramError as error:
            return [self.warning(f"Mermaid cannot draw this diagram: {error}")]
        title = ACC_TITLE_LINE.search(code)["title"]
        diagram = mermaid_diagram(svg=drawing.sized_svg(), title=title, code=code)
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

    def warning(self, message: str) -> nodes.system_message:
        return self.state.document.reporter.warning(message, line=self.lineno)


def visit_mermaid_html(translator, node: mermaid_diagram) -> None:
    # The wrapper scrolls sideways when the column is narrower than the diagram's smallest
    # readable size (a phone); tabindex lets a keyboard scroll it too.
    label = html.escape(f"Diagram: {node['title']}")
    translator.body.append(
        f'<div class="course-diagram" role="region" tabindex="0" aria-label="{label}">'
        f"{node['svg']}</div>\n"
    )
    raise nodes.SkipNode


def visit_mermaid_other(translator, node: mermaid_diagram) -> None:
    raise nodes.SkipNode


def close_mermaid_renderer(app: Sphinx, exception) -> None:
    renderer = getattr(app, "course_book_mermaid", None)
    if renderer is not None:
        renderer.close()


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


# ------------------------------------------------------------------------- authoring markers
def authoring_marker_lines():
    """The generator's region markers and nbval's markers: written for tools, not readers."""
    try:
        from onboarding.generator import MARKER as REGION_MARKER
        from onboarding.protocol import IGNORE_MARKER, NBVAL_MARKERS, STUB_REGION
    except ImportError as error:  # pragma: no cover - the book is built in the course's venv
        raise ExtensionError(
            f"the book needs the course's toolkit (onboarding) installed: {error}"
        ) from error
    return REGION_MARKER, IGNORE_MARKER, NBVAL_MARKERS, STUB_REGION


def without_authoring_markers(code: str) -> str:
    """A code cell as a reader should see it.

    Solution markers go (the solution's code stays); a stub region goes whole (it is the
    learner's commented-out skeleton); nbval's markers go, with the reason line that follows
    `# NBVAL_IGNORE_OUTPUT`. The notebooks keep them all: nbval and the generator need them.
    """
    region_marker, ignore_marker, nbval_markers, stub_region = authoring_marker_lines()
    kept: list[str] = []
    in_stub = skip_reason = False
    for line in code.splitlines():
        if skip_reason:
            skip_reason = False
            if line.lstrip().startswith("#"):
                continue
        region = region_marker.match(line)
        if region:
            in_stub = region["kind"] == stub_region and region["edge"] == "BEGIN"
            continue
        if in_stub:
            continue
        if line.strip() in nbval_markers:
            skip_reason = line.strip() == ignore_marker
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n")


class HideAuthoringMarkers(SphinxTransform):
    """Notebook code cells are shown without the markers of `without_authoring_markers`."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for block in list(self.document.findall(nodes.literal_block)):
            parent = block.parent
            if parent is None or "cell_input" not in parent.get("classes", []):
                continue
            code = block.astext()
            shown = without_authoring_markers(code)
            if shown != code:
                clean = nodes.literal_block(shown, shown, **block.attributes)
                block.replace_self(clean)


# ----------------------------------------------------------------------- accessibility fixes
TASK_CHECKBOX = re.compile(r"<input\b(?=[^>]*\btask-list-item-checkbox\b)")


class LabelTaskListCheckboxes(SphinxTransform):
    """A Markdown task list (``- [ ] item``) gets checkboxes with no name; name each by its item.

    Without a name a screen reader says only "checkbox, not checked" (axe: "label", critical).
    """

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for raw in list(self.document.findall(nodes.raw)):
            if not TASK_CHECKBOX.search(raw.astext()):
                continue
            item = raw.parent
            while item is not None and not isinstance(item, nodes.list_item):
                item = item.parent
            if item is None:
                continue
            words = (
                text.astext()
                for text in item.findall(nodes.Text)
                if not isinstance(text.parent, nodes.raw)
            )
            name = html.escape(" ".join(" ".join(words).split()), quote=True)
            labelled = TASK_CHECKBOX.sub(f'<input aria-label="{name}"', raw.astext(), count=1)
            raw.replace_self(nodes.raw("", labelled, format=raw.get("format", "html")))


class RowHeadersUnderAnEmptyCorner(SphinxTransform):
    """A table whose top-left header cell is empty labels its rows with its first column.

    Such a table (options down the side, properties across) is read by row; marking the first
    column as row headers lets a screen reader say which row a cell is in (axe: td-has-header).
    """

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for group in self.document.findall(nodes.tgroup):
            head = next(iter(group.findall(nodes.thead)), None)
            first_entry = next(iter(head.findall(nodes.entry)), None) if head else None
            colspecs = [child for child in group.children if isinstance(child, nodes.colspec)]
            if first_entry is None or first_entry.astext().strip() or not colspecs:
                continue
            colspecs[0]["stub"] = 1


def name_sidebar_expanders(toctree):
    """The sidebar's ▾ buttons, which show a part's pages, get a name ("summary-name", serious).

    `toctree` is what the theme's generate_toctree_html returns: a BeautifulSoup tree, changed
    in place, or (in other versions) HTML text, returned with the names added.
    """
    if isinstance(toctree, str):
        from bs4 import BeautifulSoup

        return str(name_sidebar_expanders(BeautifulSoup(toctree, "html.parser")))
    for summary in toctree.find_all("summary"):
        if summary.get("aria-label"):
            continue
        details = summary.parent
        link = details.find_previous_sibling("a") if details is not None else None
        title = " ".join(link.get_text().split()) if link is not None else ""
        summary["aria-label"] = f"Pages under {title}" if title else "Show the pages below"
    return toctree


def page_assets_and_fixes(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Per page: the sidebar's expanders get names; quiz pages load the quiz script."""
    generate = context.get("generate_toctree_html")
    if generate is not None and not getattr(generate, "course_book_named", False):

        def generate_named(*args, **kwargs):
            return name_sidebar_expanders(generate(*args, **kwargs))

        generate_named.course_book_named = True
        context["generate_toctree_html"] = generate_named
    if doctree is not None and any(
        'class="course-quiz"' in raw.astext() for raw in doctree.findall(nodes.raw)
    ):
        # Added to this page only: Sphinx resets the page's script list for every page.
        app.builder.add_js_file("course-quiz.js", defer="defer")
    if pagename != "search":  # its searchtools.js runs at once and needs doctools.js loaded
        context["script_files"][:] = [deferred(script) for script in context["script_files"]]


# Loaded as they are: the page's inline scripts read DOCUMENTATION_OPTIONS at once.
KEEP_BLOCKING = ("documentation_options.js",)


def deferred(script):
    """A script file of the page, loaded without holding up its first paint.

    Sphinx and its extensions put their scripts in <head> as blocking scripts: on a phone on a
    slow network each one held up the page's first paint by a round trip. Every one of them
    waits for the page to be parsed anyway (doctools, copybutton, togglebutton, the themes).
    """
    from sphinx.builders.html._assets import _JavaScript

    filename = getattr(script, "filename", None)
    attributes = dict(getattr(script, "attributes", {}))
    if (
        not filename
        or "://" in str(filename)
        or str(filename).endswith(KEEP_BLOCKING)
        or {"async", "defer", "type"} & set(attributes)
    ):
        return script
    attributes["defer"] = "defer"
    return _JavaScript(filename, priority=script.priority, **attributes)


def drop_script(markup: str, name: str) -> str:
    """Template filter: `markup` without the <script> whose src names `name`."""
    pattern = re.compile(
        rf'[ \t]*<script\b[^>]*\bsrc="[^"]*{re.escape(name)}(?:\?[^"]*)?"[^>]*>\s*</script>\n?'
    )
    return Markup(pattern.sub("", str(markup)))


def follow_the_readers_colour_scheme(app: Sphinx, config) -> None:
    """Light or dark as the reader's system says, said explicitly.

    Jupyter Book leaves the theme's default mode (an html_context value) empty; the theme then
    logs "Got invalid theme mode" as a console error on a reader's first visit, before falling
    back to "auto".
    """
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context


ICON_RULE = re.compile(r'(?P<selectors>(?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"[^"]*"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
THEME_STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"
TRIMMED_STYLESHEET = THEME_STYLESHEET.with_name("course-theme.css")
"""What the pages link instead of the theme's style sheet (see book/_templates/layout.html)."""


def without_unused_icons(css: str, used: set[str]) -> str:
    """The theme's style sheet without the glyph rules of Font Awesome icons no page uses.

    The theme bundles a rule for each of Font Awesome's ~1,900 icons (86 kB, a third of the file
    a phone must load before it can draw anything); the book's pages use about twenty.
    """

    def keep(match: re.Match) -> str:
        names = {name[1:].split(":", 1)[0] for name in match["selectors"].split(",") if name}
        return match[0] if names & used else ""

    return ICON_RULE.sub(keep, css)


ICON_FONT = Path("_static") / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
TRIMMED_ICON_FONT = ICON_FONT.with_name("fa-solid-900-course.woff2")
GLYPH = re.compile(r'content:"\\(?P<code>[0-9a-f]+)"')


def subset_icon_font(font: Path, subset_font: Path, css: str) -> bool:
    """Write a copy of `font` with only the glyphs `css` draws (156 kB -> 2 kB).

    False, and nothing written, where fontTools or its WOFF2 (brotli) support is missing.
    """
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib
        return False
    codes = {int(match["code"], 16) for match in GLYPH.finditer(css)}
    if not codes:
        return False
    try:
        loaded = TTFont(str(font))
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=codes)
        subsetter.subset(loaded)
        partial = subset_font.with_suffix(".partial")
        loaded.flavor = "woff2"
        loaded.save(str(partial))
        partial.replace(subset_font)
    except ImportError:  # pragma: no cover - no brotli: WOFF2 cannot be written
        return False
    return True


def trim_theme_assets(app: Sphinx, exception) -> None:
    """After the build: a copy of the theme's style sheet and icon font with what pages use.

    The theme's own files stay as Sphinx copied them; the pages link the trimmed copy.
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    stylesheet = outdir / THEME_STYLESHEET
    if not stylesheet.is_file():
        return
    used: set[str] = set()
    for page in outdir.rglob("*.html"):
        used |= set(ICON_CLASS.findall(page.read_text(encoding="utf-8", errors="ignore")))
    for script in (outdir / "_static").rglob("*.js"):
        used |= set(ICON_CLASS.findall(script.read_text(encoding="utf-8", errors="ignore")))
    css = without_unused_icons(stylesheet.read_text(encoding="utf-8"), used)
    if (outdir / ICON_FONT).is_file() and subset_icon_font(
        outdir / ICON_FONT, outdir / TRIMMED_ICON_FONT, css
    ):
        css = css.replace(f"/{ICON_FONT.name}", f"/{TRIMMED_ICON_FONT.name}")
    (outdir / TRIMMED_STYLESHEET).write_text(css, encoding="utf-8")


def replace_link(markup: str, old: str, new: str) -> str:
    """Template filter: `markup` with the style sheet link to `old` pointing at `new` instead."""
    pattern = re.compile(rf'(<link\b[^>]*\bhref="[^"]*?){re.escape(old)}(?:\?[^"]*)?"')
    return Markup(pattern.sub(lambda match: f'{match[1]}{new}"', str(markup)))


def add_template_filters(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.filters["course_drop_script"] = drop_script
        templates.environment.filters["course_replace_link"] = replace_link


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
    app.add_transform(HideAuthoringMarkers)
    app.add_transform(LabelTaskListCheckboxes)
    app.add_transform(RowHeadersUnderAnEmptyCorner)
    app.add_css_file("course-book.css")
    app.add_js_file("course-book.js", loading_method="defer")
    app.connect("config-inited", follow_the_readers_colour_scheme)
    app.connect("builder-inited", add_template_filters)
    # After the theme's own handler, which puts generate_toctree_html in the context.
    app.connect("html-page-context", page_assets_and_fixes, priority=900)
    app.connect("build-finished", close_mermaid_renderer)
    app.connect("build-finished", trim_theme_assets)
    app.connect("env-get-outdated", reread_dynamic_docs)
    app.connect("env-purge-doc", purge_dynamic_doc)
    app.connect("env-merge-info", merge_dynamic_docs)
    # env_version: bump it when a change here alters what a page reads as, so every page is
    # read again (Sphinx otherwise re-reads only the sources that changed).
    return {
        "version": "5",
        "env_version": 5,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
