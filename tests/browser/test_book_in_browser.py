"""The built book in a real browser, served over HTTP with no network beyond this machine."""

from __future__ import annotations

import re
import sys

import pytest

from tests.book.building import build_book
from tests.book.course_files import (
    course_notebooks,
    python_solution_regions,
    shown_output_lines,
    title_of,
)
from tests.browser.conftest import screenshot_path
from tests.conftest import COURSE_ROOT

pytestmark = pytest.mark.browser
# The diagram module's MIN_LABEL_PX is the limit the phone test measures against.
sys.path.insert(0, str(COURSE_ROOT / "book" / "_ext"))

LESSONS = course_notebooks("notebooks")
LESSONS_WITH_EXERCISES = [p for p in LESSONS if (COURSE_ROOT / "exercises" / p.name).exists()]


def test_landing_page_loads(page, book_url, screenshot):
    from playwright.sync_api import expect

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{book_url}/")
    page.wait_for_url(re.compile(r"/book/intro\.html$"))
    expect(page.locator("article h1")).to_have_text(re.compile("How we build Python services"))
    expect(page.get_by_role("heading", name=re.compile("How to take it"))).to_be_visible()
    screenshot("landing")
    assert not errors, errors


def test_every_lesson_is_reachable_through_the_navigation(page, book_url, screenshot):
    from playwright.sync_api import expect

    page.goto(f"{book_url}/book/intro.html")
    sidebar = page.locator("nav.bd-links")
    for lesson in LESSONS:
        title = title_of(lesson)
        sidebar.get_by_role("link", name=title, exact=True).click()
        page.wait_for_url(
            re.compile(rf"/notebooks/{lesson.stem}\.html$"), wait_until="domcontentloaded"
        )
        expect(page.locator("article h1")).to_contain_text(title)
        screenshot(f"lesson-{lesson.stem}")


def test_search_finds_a_word_from_a_lesson(page, book_url, screenshot):
    from playwright.sync_api import expect

    lesson = LESSONS[0]
    word = lesson.stem.split("_")[1]  # 00_welcome -> "welcome"
    page.goto(f"{book_url}/book/intro.html")
    # The reader's way in: the theme's search dialog (Ctrl+K), then Enter.
    page.keyboard.press("Control+k")
    field = page.locator("input[name=q]:visible").first
    field.fill(word)
    field.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q="))
    results = page.locator("#search-results ul.search li a")
    expect(results.filter(has=page.locator(f"xpath=self::*[contains(@href, '{lesson.stem}')]"))
           .first).to_be_visible()  # fmt: skip
    screenshot("results")


def test_mermaid_diagram_is_drawn_as_svg(page, book_url, screenshot):
    from playwright.sync_api import expect

    page.goto(f"{book_url}/book/stage-map.html")
    diagram = page.locator("div.course-diagram svg").first
    expect(diagram).to_be_visible()
    assert diagram.bounding_box()["width"] > 100
    expect(diagram).to_contain_text("Implementation")
    screenshot("stage-map")


def test_diagram_in_a_collapsed_example_is_drawn(page, book_url, screenshot):
    """The TSD template's example architecture sits in a closed <details> block."""
    from playwright.sync_api import expect

    page.goto(f"{book_url}/templates/tsd.html")
    example = page.locator("article details").filter(has=page.locator(".course-diagram")).first
    example.locator("summary").click()
    diagram = example.locator(".course-diagram svg")
    expect(diagram).to_be_visible()
    assert diagram.bounding_box()["width"] > 100
    expect(diagram).to_contain_text("Load balancer")
    example.scroll_into_view_if_needed()
    screenshot("opened")


def test_code_cell_output_is_visible(page, book_url, screenshot):
    from playwright.sync_api import expect

    lesson = LESSONS[0]
    lines = shown_output_lines(lesson)
    if not lines:
        pytest.skip(f"{lesson.name} prints nothing")
    line = lines[0]
    page.goto(f"{book_url}/notebooks/{lesson.stem}.html")
    output = page.locator(".cell_output").filter(has_text=line.strip()).first
    output.scroll_into_view_if_needed()
    expect(output).to_be_visible()
    screenshot("output")


def test_exercise_link_downloads_the_learner_copy(page, book_url, screenshot, tmp_path):
    """One lesson in the browser; tests/book checks every lesson's link in the HTML."""
    if not LESSONS_WITH_EXERCISES:
        pytest.skip("no lesson has an exercise yet")
    lesson = LESSONS_WITH_EXERCISES[0]
    page.goto(f"{book_url}/notebooks/{lesson.stem}.html")
    link = page.locator("section#your-turn a.download", has_text=lesson.name).first
    link.scroll_into_view_if_needed()
    screenshot("your-turn")
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == lesson.name
    assert saved.read_bytes() == (COURSE_ROOT / "exercises" / lesson.name).read_bytes()
    text = saved.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    stubs = python_solution_regions(COURSE_ROOT / "solutions" / lesson.name)
    assert text.count('NotImplementedError(\\"Exercise') == stubs


# ------------------------------------------------------------------------- every page, a phone
PHONE = {"width": 390, "height": 844}
# Effective size, in CSS pixels, of the smallest text in each diagram of the page: the font size
# times the scale at which its SVG (or the foreignObject holding an HTML label) is drawn.
SMALLEST_LABELS = """
() => Array.from(document.querySelectorAll(".course-diagram svg")).map((svg) => {
  let smallest = Infinity, text = "";
  for (const element of svg.querySelectorAll("*")) {
    const own = Array.from(element.childNodes).some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== "");
    if (!own || element.closest("title, desc") || element.getClientRects().length === 0) continue;
    const matrix = (element.closest("foreignObject") || element).getScreenCTM();
    const size = parseFloat(getComputedStyle(element).fontSize) * Math.hypot(matrix.a, matrix.b);
    if (size < smallest) { smallest = size; text = element.textContent.trim(); }
  }
  return { title: svg.querySelector("title")?.textContent || "(no title)", smallest, text };
})
"""
MERMAID_ERROR = re.compile(r"Syntax error|Parse error|Lexical error", re.I)


def book_pages() -> list[str]:
    """Every page of the built book, as a path below the book's root."""
    html = build_book()
    return sorted(
        page.relative_to(html).as_posix()
        for page in html.rglob("*.html")
        if page.relative_to(html).parts[0] not in ("_static", "_sources")
        and page.relative_to(html).as_posix() != "index.html"  # it only redirects to the intro
    )


def test_every_page_loads_without_errors_and_draws_every_diagram(browser, book_url):
    """No page error, no console error, no failed request, no diagram showing Mermaid's error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    current = {"page": ""}
    page.on("pageerror", lambda error: problems.append(f"{current['page']}: page error {error}"))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and problems.append(f"{current['page']}: console error {message.text}")
        ),
    )
    page.on(
        "requestfailed",
        lambda request: problems.append(f"{current['page']}: request failed {request.url}"),
    )
    try:
        for path in book_pages():
            current["page"] = path
            page.goto(f"{book_url}/{path}", wait_until="load")
            for svg_text in page.locator(".course-diagram svg").all_text_contents():
                if MERMAID_ERROR.search(svg_text):
                    problems.append(f"{path}: a diagram shows Mermaid's error: {svg_text[:80]}")
            leftovers = page.locator("pre.mermaid, .mermaid-diagram").count()
            if leftovers:
                problems.append(f"{path}: {leftovers} diagram(s) left as Mermaid source")
    finally:
        context.close()
    assert not problems, "\n".join(problems[:30])


def test_every_diagram_label_is_at_least_12_px_on_a_phone(browser, book_url):
    from course_diagrams import MIN_LABEL_PX

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    too_small, measured = [], 0
    try:
        for path in book_pages():
            page.goto(f"{book_url}/{path}", wait_until="load")
            # Closed <details> are not laid out: open them so their diagrams are measured too.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            for diagram in page.evaluate(SMALLEST_LABELS):
                measured += 1
                if diagram["smallest"] < MIN_LABEL_PX:
                    too_small.append(
                        f"{path}: {diagram['title']}: {diagram['text']!r} at "
                        f"{diagram['smallest']:.2f} px"
                    )
    finally:
        context.close()
    assert measured >= 18, f"only {measured} diagrams were measured"
    assert not too_small, "labels under 12 px at 390 px wide:\n" + "\n".join(too_small)


@pytest.mark.parametrize("width", [PHONE["width"], 700])
def test_phone_navigation_opens_and_closes(browser, book_url, request, width):
    """Tapping ☰ opens the site navigation, and it closes again; same for the page contents.

    At 390 px (a phone) and 700 px (a small tablet), where both used to do nothing.
    """
    from playwright.sync_api import expect

    viewport = {"width": width, "height": PHONE["height"]}
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{book_url}/notebooks/{LESSONS[1].stem}.html")
        for toggle, dialog, inside in (
            (".primary-toggle", "#pst-primary-sidebar-modal", "nav.bd-links"),
            (".secondary-toggle", "#pst-secondary-sidebar-modal", "#pst-page-toc-nav"),
        ):
            button = page.locator(f"{toggle}:visible")
            expect(button).to_have_count(1)
            modal = page.locator(dialog)
            expect(modal).not_to_be_visible()
            button.tap()
            expect(modal).to_be_visible()
            expect(modal.locator(inside).first).to_be_visible()
            page.screenshot(path=screenshot_path(request.node.name, f"{dialog[1:]}-open"))
            page.keyboard.press("Escape")
            expect(modal).not_to_be_visible()
            # And by tapping beside the panel, as a phone reader would.
            button.tap()
            expect(modal).to_be_visible()
            box = modal.bounding_box()
            beside = box["x"] + box["width"] + 10 if box["x"] < 50 else box["x"] - 10
            page.mouse.click(beside, viewport["height"] // 2)
            expect(modal).not_to_be_visible()
    finally:
        context.close()


def test_quiz_shows_feedback_for_the_chosen_answer_only(page, book_url, screenshot):
    from playwright.sync_api import expect

    from onboarding.quiz import NOT_QUITE, RIGHT

    page.goto(f"{book_url}/notebooks/{LESSONS[0].stem}.html")
    question = page.locator(".course-quiz fieldset").first
    question.scroll_into_view_if_needed()
    feedback = question.locator(".course-quiz-feedback")
    expect(feedback).to_be_hidden()
    expect(page.locator(".course-quiz")).not_to_contain_text(RIGHT)
    options = question.locator("input[type=radio]")
    verdicts = [options.nth(i).get_attribute("data-feedback") for i in range(options.count())]
    right = [i for i, verdict in enumerate(verdicts) if verdict.startswith(RIGHT)]
    assert len(right) == 1, verdicts
    wrong = next(i for i in range(len(verdicts)) if i != right[0])
    question.locator("label").nth(wrong).click()
    expect(feedback).to_be_visible()
    expect(feedback).to_have_text(verdicts[wrong])
    assert verdicts[wrong].startswith(NOT_QUITE)
    question.locator("label").nth(right[0]).click()
    expect(feedback).to_have_text(verdicts[right[0]])
    expect(feedback).to_have_attribute("role", "status")
    # The other questions still show nothing.
    expect(page.locator(".course-quiz-feedback:visible")).to_have_count(1)
    screenshot("answered")
