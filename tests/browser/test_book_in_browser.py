"""The built book in a real browser, served over HTTP with no network beyond this machine."""

from __future__ import annotations

import re

import pytest

from onboarding import notebooks
from tests.book.course_files import (
    course_notebooks,
    python_solution_regions,
    shown_output_lines,
    title_of,
)
from tests.conftest import COURSE_ROOT

pytestmark = pytest.mark.browser

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
    diagram = page.locator("pre.mermaid svg").first
    expect(diagram).to_be_visible(timeout=20_000)
    assert diagram.bounding_box()["width"] > 100
    expect(diagram).to_contain_text("Implementation")
    screenshot("stage-map")


def test_diagram_in_a_collapsed_example_is_drawn(page, book_url, screenshot):
    """The TSD template's example architecture sits in a closed <details> block."""
    from playwright.sync_api import expect

    page.goto(f"{book_url}/templates/tsd.html")
    example = page.locator("article details").filter(has=page.locator("pre.mermaid")).first
    example.locator("summary").click()
    diagram = example.locator("pre.mermaid svg")
    expect(diagram).to_be_visible(timeout=20_000)
    assert diagram.bounding_box()["width"] > 100
    example.scroll_into_view_if_needed()
    screenshot("opened")


def test_lesson_diagram_is_drawn_as_svg(page, book_url):
    """A ```mermaid fence in a notebook's Markdown cell is drawn too."""
    from playwright.sync_api import expect

    with_diagram = [
        lesson
        for lesson in LESSONS
        if any(
            "```mermaid" in notebooks.source_of(cell) for cell in notebooks.read(lesson)["cells"]
        )
    ]
    if not with_diagram:
        pytest.skip("no lesson has a diagram")
    page.goto(f"{book_url}/notebooks/{with_diagram[0].stem}.html")
    expect(page.locator("pre.mermaid svg").first).to_be_visible(timeout=20_000)


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
