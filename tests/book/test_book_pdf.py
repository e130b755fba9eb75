"""The printed book: `make book-pdf` gives one PDF of the whole book, diagrams and outputs in it.

The PDF is built once per session as `make book-pdf` builds it (tests/book/building.py), then
read with pypdfium2: its text, its images, and its pages drawn as pictures.
"""

from __future__ import annotations

import re

import pytest

from onboarding import notebooks
from onboarding.protocol import NBVAL_MARKERS, REGION_EDGES, SOLUTION_REGION
from tests.book.building import PRINT_SCRIPT, SINGLEHTML_ARGUMENTS, build_pdf
from tests.book.course_files import course_notebooks, shown_output_lines, title_of
from tests.browser.conftest import require_chromium
from tests.conftest import COURSE_ROOT

pytestmark = pytest.mark.slow
LESSONS = course_notebooks("notebooks")
# Mermaid's default theme fills a flowchart's boxes with this lavender (#ECECFF).
DIAGRAM_BOX_FILL = (236, 236, 255)


@pytest.fixture(scope="module")
def pdf():
    require_chromium()
    import pypdfium2

    document = pypdfium2.PdfDocument(str(build_pdf()))
    yield document
    document.close()


@pytest.fixture(scope="module")
def page_texts(pdf) -> list[str]:
    return [pdf[index].get_textpage().get_text_range() for index in range(len(pdf))]


def test_makefile_prints_the_book_as_the_tests_do():
    makefile = (COURSE_ROOT / "Makefile").read_text()
    recipe = re.search(r"^book-pdf:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no book-pdf target"
    assert "jupyter-book " + " ".join(SINGLEHTML_ARGUMENTS) in recipe[1]
    assert str(PRINT_SCRIPT.relative_to(COURSE_ROOT)) in recipe[1]
    assert re.search(r"^book-pdf:.*## ", makefile, re.M), "make help must list book-pdf"


def test_the_pdf_is_the_whole_book(pdf, page_texts):
    whole = "\n".join(page_texts)
    assert len(pdf) >= 100, f"only {len(pdf)} pages"
    for lesson in LESSONS:
        assert title_of(lesson) in whole, f"{lesson.name} is not in the PDF"
    assert "Solution — " in whole and "Glossary" in whole


def test_the_pdf_has_the_lessons_outputs_and_no_authoring_markers(page_texts):
    # Compared without spaces: the PDF breaks long output lines where the page ends.
    whole = "".join("".join(text.split()) for text in page_texts)
    lines = [line for line in shown_output_lines(LESSONS[0]) if line.isascii()]
    assert lines, "the first lesson prints nothing to look for"
    for line in lines[:5]:
        assert "".join(line.split()) in whole, f"output {line!r} is not in the PDF"
    markers = [*NBVAL_MARKERS, *(f"{edge} {SOLUTION_REGION}" for edge in REGION_EDGES)]
    # The authoring guide teaches the markers; every other chapter comes before it.
    before_the_guide = whole.split("Authoringguide:addingalesson")[0]
    assert len(before_the_guide) < len(whole), "the authoring guide is not in the PDF"
    assert not [m for m in markers if m.lstrip("# ") in before_the_guide]


def test_quizzes_print_their_questions_but_not_their_answers(page_texts):
    whole = "\n".join(page_texts)
    assert "Stage 00 self-check" in whole
    assert "Where do you write your answers to an exercise?" in whole
    assert "✅ Right." not in whole and "Not quite." not in whole


def test_diagrams_are_drawn_on_their_pages(pdf, page_texts):
    """The page with lesson 02's review loop shows the diagram's boxes, not blank space."""
    page_index = next(
        index for index, text in enumerate(page_texts) if "consumers" in text and "review" in text
    )
    image = pdf[page_index].render(scale=1).to_pil().convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height)
    ink = sum(count for count, colour in colours if colour != (255, 255, 255))
    boxes = sum(
        count
        for count, colour in colours
        if all(abs(a - b) <= 3 for a, b in zip(colour, DIAGRAM_BOX_FILL, strict=True))
    )
    assert ink > image.width * image.height * 0.03, "the diagram's page is nearly blank"
    assert boxes > 2_000, "no Mermaid boxes drawn on the diagram's page"


def test_plots_are_in_the_pdf(pdf):
    import pypdfium2.raw as pdfium_c

    images = sum(
        len(list(pdf[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])))
        for index in range(len(pdf))
    )
    plots = sum(
        1
        for lesson in LESSONS
        for cell in notebooks.read(lesson)["cells"]
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    )
    assert plots >= 5 and images >= plots, f"{images} images in the PDF for {plots} plots"
