"""The Jupyter Book: every lesson, solution and template has a page, and nothing is broken.

The book is built once per session (tests/book/building.py) with `make book`'s command, which
turns every Sphinx warning into an error; these tests then read the HTML it wrote.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from onboarding import notebooks
from onboarding.course import STAGES
from tests.book import html
from tests.book.building import BUILD_ARGUMENTS
from tests.book.course_files import (
    course_notebooks,
    html_page,
    python_solution_regions,
    shown_output_lines,
    solution_only_lines,
    title_of,
)
from tests.conftest import COURSE_ROOT

LESSONS = course_notebooks("notebooks")
SOLUTIONS = course_notebooks("solutions")
LESSONS_WITH_EXERCISES = [
    path for path in LESSONS if (COURSE_ROOT / "exercises" / path.name).exists()
]
CONFIG = COURSE_ROOT / "book" / "_config.yml"
WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "book.yml"
TIME_LINE = re.compile(
    r"\*\*Time:\*\* about (\d+) minutes for the lesson and (\d+) minutes for the exercise"
)
# Attributes whose value the browser loads or follows.
URL_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
                  "source": "src", "video": "src", "audio": "src"}  # fmt: skip


def ids(name):
    return name.name if isinstance(name, Path) else str(name)


def text_of(page: Path) -> str:
    return html.parse(page).text()


def main_content(page: Path) -> html.Element:
    article = html.parse(page).find("article", class_="bd-article")
    assert article is not None, f"{page.name} has no article"
    return article


# ------------------------------------------------------------------------------------ building
def test_makefile_builds_the_book_as_the_tests_do():
    """`make book` runs the same command as these tests, so a green test means a green build."""
    makefile = (COURSE_ROOT / "Makefile").read_text()
    recipe = re.search(r"^book:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no book target"
    assert "jupyter-book " + " ".join(BUILD_ARGUMENTS) in recipe[1]


def test_build_turns_warnings_into_errors():
    assert "-W" in BUILD_ARGUMENTS and "--keep-going" in BUILD_ARGUMENTS


def test_book_is_built(book_html):
    assert (book_html / "index.html").is_file()
    assert (book_html / "book" / "intro.html").is_file()


# ----------------------------------------------------------------------------------- the pages
@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_every_lesson_has_a_page(book_html, lesson):
    page = html_page(book_html, lesson)
    assert page.is_file(), f"{lesson.name} is not in the book: is it matched by book/_toc.yml?"
    heading = main_content(page).find("h1")
    assert title_of(lesson) in heading.text()


@pytest.mark.parametrize("lesson", LESSONS, ids=ids)
def test_lesson_shows_its_committed_outputs(book_html, lesson):
    """Outputs come from the notebook (nothing is executed): a stored stream shows up as text."""
    shown = main_content(html_page(book_html, lesson)).text()
    for line in shown_output_lines(lesson):
        assert line in shown, f"output {line!r} of {lesson.name} is not shown"


def test_every_lesson_is_in_the_navigation(book_html):
    """The sidebar of the landing page lists every lesson, in stage order."""
    sidebar = html.parse(book_html / "book" / "intro.html").find("nav", class_="bd-links")
    assert sidebar is not None
    linked = [
        unquote(a.attrs["href"]).split("#")[0]
        for a in sidebar.find_all("a", href=lambda href: "notebooks/" in href)
    ]
    expected = [f"../notebooks/{lesson.stem}.html" for lesson in LESSONS]
    assert linked == expected


@pytest.mark.parametrize("solution", SOLUTIONS, ids=ids)
def test_every_solution_has_a_clearly_marked_page(book_html, solution):
    article = main_content(html_page(book_html, solution))
    assert article.find("h1").text().startswith("Solution — ")
    banner = article.find("div", class_="solution-banner")
    assert banner is not None and "try the exercise first" in banner.text()
    first_code = article.find("div", class_="cell")
    everything = list(article.iter())
    assert everything.index(banner) < everything.index(first_code), "the banner must come first"


def test_solutions_are_in_their_own_part_of_the_navigation(book_html):
    intro = html.parse(book_html / "book" / "intro.html")
    captions = [p.text().strip() for p in intro.find_all("p", class_="caption")]
    assert any(caption.startswith("Solutions") for caption in captions), captions
    toc = yaml.safe_load((COURSE_ROOT / "book" / "_toc.yml").read_text())
    solutions_part = next(p for p in toc["parts"] if p["caption"].startswith("Solutions"))
    assert "solutions/" in str(solutions_part) and "notebooks/" not in str(solutions_part)


@pytest.mark.parametrize(
    "template",
    sorted(p for p in (COURSE_ROOT / "templates").iterdir() if p.name != "README.md"),
    ids=ids,
)
def test_every_template_has_a_page(book_html, template):
    if template.suffix == ".md":
        page = html_page(book_html, template)
    else:
        # Other files are shown by a page in book/templates/ that includes them.
        wrappers = [
            path
            for path in (COURSE_ROOT / "book" / "templates").glob("*.md")
            if f"/templates/{template.name}" in path.read_text()
        ]
        assert wrappers, f"no page in book/templates/ includes {template.name}"
        page = html_page(book_html, wrappers[0])
    assert page.is_file(), f"{template.name} is not in the book: add it to book/_toc.yml"


def test_glossary_terms_can_be_referenced(book_html):
    glossary = html.parse(book_html / "book" / "glossary.html")
    terms = {dt.attrs.get("id") for dt in glossary.find_all("dt")}
    assert {"term-PRD", "term-SLO", "term-OpenAPI", "term-check-cell"} <= terms
    intro = html.parse(book_html / "book" / "intro.html")
    assert intro.find("a", href=lambda href: href.startswith("glossary.html#term-"))


def test_stage_map_and_architecture_are_diagrams(book_html):
    for page in ("stage-map", "architecture"):
        diagrams = main_content(book_html / "book" / f"{page}.html").find_all(
            "div", class_="course-diagram"
        )
        assert diagrams, f"book/{page}.md has no diagram"
    stage_map = main_content(book_html / "book" / "stage-map.html").text()
    for stage in STAGES:
        assert stage.title in stage_map


def test_instructor_guide_times_come_from_the_lessons(book_html):
    guide = html.parse(book_html / "book" / "instructor-guide.html")
    rows = {
        cells[0]: cells
        for row in guide.find_all("tr")
        if (cells := [cell.text().strip() for cell in row.find_all("td")])
    }
    for lesson in LESSONS:
        text = "\n".join(notebooks.source_of(cell) for cell in notebooks.read(lesson)["cells"])
        minutes = TIME_LINE.search(text)
        assert minutes, f"{lesson.name} has no Time line"
        row = rows.get(lesson.name[:2])
        assert row, f"{lesson.name} is missing from the instructor guide's timing table"
        assert row[2:4] == [minutes[1], minutes[2]]
    assert "onboard checkpoint" in guide.text()


# --------------------------------------------------------------------------- exercise downloads
@pytest.mark.parametrize("lesson", LESSONS_WITH_EXERCISES, ids=ids)
def test_exercise_link_downloads_the_learner_copy(book_html, lesson):
    """The lesson's link to ../exercises/NN.ipynb is a download of the stubbed learner copy."""
    page = html_page(book_html, lesson)
    your_turn = main_content(page).find("section", id="your-turn")
    assert your_turn is not None, f"{lesson.name} has no 'Your turn' section"
    links = your_turn.find_all("a", class_="download")
    targets = [link.attrs["href"] for link in links if link.attrs["href"].endswith(lesson.name)]
    assert targets, f"the exercise link of {lesson.name} is not a download"
    downloaded = (page.parent / unquote(targets[0])).resolve()
    assert downloaded.is_relative_to(book_html / "_downloads")
    exercise = COURSE_ROOT / "exercises" / lesson.name
    assert downloaded.read_bytes() == exercise.read_bytes()

    text = downloaded.read_text(encoding="utf-8")
    solution = COURSE_ROOT / "solutions" / lesson.name
    assert text.count('NotImplementedError(\\"Exercise') == python_solution_regions(solution)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    downloaded_lines = {
        line.strip()
        for cell in json.loads(text)["cells"]
        for line in notebooks.source_of(cell).splitlines()
    }
    leaked = sorted(solution_only_lines(solution) & downloaded_lines)
    assert not leaked, f"the download contains solution code: {leaked[:3]}"


# --------------------------------------------------------------------------- links and offline
def built_pages(book_html: Path) -> list[Path]:
    """The book's pages (not the theme's template fragments in _static/, nor page sources)."""
    return sorted(
        page
        for page in book_html.rglob("*.html")
        if page.relative_to(book_html).parts[0] not in ("_static", "_sources")
    )


def article_pages(book_html: Path) -> list[Path]:
    """The pages with content of their own (not the redirecting index.html)."""
    return [
        page
        for page in built_pages(book_html)
        if html.parse(page).find("article", class_="bd-article") is not None
    ]


def test_no_broken_internal_links(book_html):
    """Every relative href and src of every page points at a file of the build (and anchor)."""
    id_cache: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in id_cache:
            id_cache[page] = {e.attrs["id"] for e in html.parse(page).iter() if "id" in e.attrs}
        return id_cache[page]

    broken = []
    for page in built_pages(book_html):
        for element in html.parse(page).iter():
            attribute = URL_ATTRIBUTES.get(element.tag)
            url = element.attrs.get(attribute or "")
            if not url:
                continue
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue  # external (http, https, mailto, data…): not ours to check here
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            if not target.exists():
                broken.append(f"{page.relative_to(book_html)}: {url}")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in ids_of(target):
                    broken.append(f"{page.relative_to(book_html)}: {url} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken[:40])


def test_nothing_is_loaded_from_another_site(book_html):
    """No CDN: every script, style sheet, image and font the pages load is in the build."""
    external = []
    for page in built_pages(book_html):
        for element in html.parse(page).iter():
            if element.tag == "a":
                continue  # a link the reader may follow is fine
            attribute = URL_ATTRIBUTES.get(element.tag)
            url = element.attrs.get(attribute or "", "")
            if url.startswith(("http:", "https:", "//")):
                external.append(f"{page.relative_to(book_html)}: <{element.tag}> {url}")
            if element.tag == "script" and re.search(r"""(import|from)\s*\(?\s*["']https?:""",
                                                     element.text()):  # fmt: skip
                external.append(f"{page.relative_to(book_html)}: a script imports from the web")
    assert not external, "\n".join(external[:20])


def mermaid_fences(path: Path) -> list[str]:
    """The source of each ```mermaid fence (or {mermaid} directive) in a page's source."""
    if path.suffix == ".ipynb":
        text = "\n".join(
            notebooks.source_of(cell)
            for cell in notebooks.read(path)["cells"]
            if cell["cell_type"] == "markdown"
        )
    else:
        text = path.read_text(encoding="utf-8")
    return [match[1] for match in MERMAID_FENCE.finditer(text)]


MERMAID_FENCE = re.compile(r"^```\{?mermaid\}?[ \t]*\n(.*?)^```", re.M | re.S)
PAGE_SOURCES = [
    *LESSONS,
    *SOLUTIONS,
    *sorted((COURSE_ROOT / "templates").glob("*.md")),
    *sorted((COURSE_ROOT / "book").glob("*.md")),
    *sorted((COURSE_ROOT / "book" / "templates").glob("*.md")),
]
DIAGRAM_SOURCES = [path for path in PAGE_SOURCES if mermaid_fences(path)]


@pytest.mark.parametrize("source", DIAGRAM_SOURCES, ids=ids)
def test_every_mermaid_block_becomes_an_svg_with_its_text_alternative(book_html, source):
    """Drawn at build time: the page has one SVG per fence, with accTitle and accDescr in it."""
    if source.name == "README.md" and source.parent.name == "book":
        pytest.skip("book/README.md is the maintainers' notes, not a page")
    fences = mermaid_fences(source)
    page = html.parse(html_page(book_html, source))
    diagrams = page.find_all("div", class_="course-diagram")
    assert len(diagrams) == len(fences), f"{source.name}: {len(fences)} fences"
    for fence, diagram in zip(fences, diagrams, strict=True):
        svg = diagram.find("svg")
        title, description = svg.find("title"), svg.find("desc")
        assert title is not None and description is not None, f"{source.name}: {fence[:60]}"
        assert svg.attrs["aria-labelledby"] == title.attrs["id"]
        assert svg.attrs["aria-describedby"] == description.attrs["id"]
        # The whole description made it through Mermaid's parser (a ";" could cut it short).
        wanted = re.search(r"^[ \t]*accDescr[ \t]*:[ \t]*(.+?)[ \t]*$", fence, re.M)
        assert wanted and " ".join(description.text().split()) == wanted[1], source.name
        assert "Syntax error" not in svg.text()


def test_no_page_loads_mermaid_or_the_heavy_theme_scripts(book_html):
    """Diagrams are SVG already; Font Awesome's script and the search index are not needed."""
    heavy = []
    for page in built_pages(book_html):
        for script in html.parse(page).find_all("script", src=lambda src: bool(src)):
            path = urlsplit(script.attrs["src"]).path
            name = path.rsplit("/", 1)[-1]
            if "mermaid" in path or name == "fontawesome.js":
                heavy.append(f"{page.relative_to(book_html)}: {path}")
            if name == "searchindex.js" and page.name != "search.html":
                heavy.append(f"{page.relative_to(book_html)}: {path}")
    assert not heavy, "\n".join(heavy[:20])
    assert (book_html / "_static" / "mermaid" / "LICENSE").is_file()
    assert not (book_html / "_static" / "mermaid" / "mermaid.min.js").exists()
    assert (
        "highlight-mermaid" not in (book_html / "notebooks" / f"{LESSONS[0].stem}.html").read_text()
    )


def test_every_plot_has_alt_text_from_its_notebook(book_html):
    """Each image output's alt text comes from its cell's mystnb.image.alt, and is real text."""
    missing = []
    for lesson in [*LESSONS, *SOLUTIONS]:
        for index, cell in enumerate(notebooks.read(lesson)["cells"]):
            images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            if images and len(alt.split()) < 8:
                missing.append(f"{lesson.name} cell {index}: set mystnb.image.alt in its metadata")
    assert not missing, "\n".join(missing)
    for page in article_pages(book_html):
        for image in main_content(page).find_all("img"):
            alt = image.attrs.get("alt", "")
            looks_like_a_path = bool(re.fullmatch(r"\S*\.(png|svg|jpe?g|gif)|\S*/\S*", alt))
            assert alt and not looks_like_a_path, (
                f"{page.name}: <img src={image.attrs['src']}> alt={alt!r}"
            )


AUTHORING_GUIDE = COURSE_ROOT / "docs" / "authoring.md"


def test_no_authoring_markers_on_any_page(book_html):
    """Solution, stub and nbval markers are for the tools; no page shows them.

    The authoring guide is the one exception: it is the page that teaches them to authors.
    """
    from onboarding.protocol import NBVAL_MARKERS, REGION_EDGES, SOLUTION_REGION, STUB_REGION

    markers = [*NBVAL_MARKERS] + [
        f"{edge} {region}" for edge in REGION_EDGES for region in (SOLUTION_REGION, STUB_REGION)
    ]
    shown = []
    for page in article_pages(book_html):
        if page == html_page(book_html, AUTHORING_GUIDE):
            continue
        text = main_content(page).text()
        shown += [f"{page.relative_to(book_html)}: {m}" for m in markers if m.lstrip("# ") in text]
    assert not shown, "\n".join(shown[:20])


QUIZ_LESSONS = [
    lesson for lesson in LESSONS
    if any("Quiz(" in notebooks.source_of(c) for c in notebooks.read(lesson)["cells"])
]  # fmt: skip


@pytest.mark.parametrize("lesson", QUIZ_LESSONS, ids=ids)
def test_quiz_works_in_the_book_without_showing_its_answers(book_html, lesson):
    """The quiz is the static HTML quiz, its source (with the answers' indexes) is hidden."""
    page = html.parse(html_page(book_html, lesson))
    quiz = main_content(html_page(book_html, lesson)).find("div", class_="course-quiz")
    assert quiz is not None, f"{lesson.name}: no quiz in the book (run the lesson to store it)"
    assert quiz.find_all("input", type="radio"), "the quiz has no choices"
    assert "Right." not in quiz.text() and "Not quite." not in quiz.text()
    assert "Question(" not in main_content(html_page(book_html, lesson)).text()
    scripts = [urlsplit(s.attrs.get("src", "")).path for s in page.find_all("script")]
    assert any(path.endswith("_static/course-quiz.js") for path in scripts)
    assert "cdn" not in " ".join(scripts).lower()


# ----------------------------------------------------------------------------- launch buttons
def test_launch_buttons_are_configured_in_one_place(book_html):
    config = yaml.safe_load(CONFIG.read_text())
    launch = config["launch_buttons"]
    assert launch["notebook_interface"] == "jupyterlab"
    hub = (launch.get("jupyterhub_url") or "").rstrip("/")
    binder = (launch.get("binderhub_url") or "").rstrip("/")
    assert hub or binder, "set jupyterhub_url or binderhub_url in book/_config.yml"
    repository = config["repository"]["url"].rstrip("/")

    # The rendered lesson pages launch on exactly these, in JupyterLab, at the lesson's path.
    lesson = LESSONS[0]
    links = [unquote(a.attrs["href"]) for a in html.parse(html_page(book_html, lesson)).find_all("a")
             if "href" in a.attrs]  # fmt: skip
    if hub:
        hub_links = [
            link for link in links if link.startswith(f"{hub}/hub/user-redirect/git-pull?")
        ]
        assert hub_links, "no JupyterHub launch link on the lesson page"
        assert f"repo={repository}" in hub_links[0]
        assert (
            f"urlpath=lab/tree/{repository.split('/')[-1]}/notebooks/{lesson.name}" in hub_links[0]
        )
    if binder:
        binder_links = [link for link in links if link.startswith(f"{binder}/v2/")]
        assert binder_links, "no Binder launch link on the lesson page"
        assert binder_links[0].endswith(f"?urlpath=lab/tree/notebooks/{lesson.name}")

    # And nothing else in the book's sources or its workflow names them.
    elsewhere = [
        path
        for path in [*(COURSE_ROOT / "book").rglob("*"), WORKFLOW]
        if path.is_file()
        and path != CONFIG
        and "_build" not in path.parts
        and path.suffix in {".md", ".py", ".yml", ".yaml", ".js", ".html"}
        and any(url and url in path.read_text(errors="ignore") for url in (hub, binder))
    ]
    assert not elsewhere, f"launch URLs must only be set in book/_config.yml: {elsewhere}"


# ------------------------------------------------------------------------------------ publishing
def test_publishing_workflow_is_a_valid_github_workflow():
    executable = Path(sys.executable).parent / "check-jsonschema"
    assert executable.exists(), "check-jsonschema is missing: install the 'dev' extra"
    result = subprocess.run(
        [str(executable), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_publishing_workflow_builds_with_make_and_deploys_to_pages():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    build_steps = jobs["build"]["steps"]
    assert any(step.get("run") == "make book" for step in build_steps)
    upload = next(s for s in build_steps if "actions/upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "book/_build/html"
    deploy = jobs["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert any("actions/deploy-pages" in s.get("uses", "") for s in deploy["steps"])
    assert workflow["permissions"] == {"contents": "read"}, "only the deploy job may write"


@pytest.mark.parametrize("lesson", QUIZ_LESSONS, ids=ids)
def test_the_stored_quiz_is_the_quiz_in_the_cell(lesson):
    """The book shows the quiz's stored HTML: edited but not run again, it would be stale."""
    from onboarding.quiz import Question, Quiz

    for cell in notebooks.read(lesson)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] != "code" or "Quiz(" not in source:
            continue
        namespace: dict = {"Quiz": Quiz, "Question": Question}
        definition = "\n".join(
            line for line in source.splitlines() if not line.rstrip().endswith(".widget()")
        )
        exec(definition, namespace)  # the lesson's own quiz definition, nothing else
        quiz = next(value for value in namespace.values() if isinstance(value, Quiz))
        stored = [
            "".join(output["data"]["text/html"])
            for output in cell.get("outputs", [])
            if "text/html" in output.get("data", {})
        ]
        assert stored == [quiz.to_html()], (
            f"{lesson.name}: the quiz's stored output is not its current HTML; run "
            f"`onboard author run notebooks/{lesson.name}`"
        )
