"""axe-core on every page of the built book, the theme included, in light and dark mode.

axe-core comes bundled with axe-playwright-python (no CDN). Every rule axe has runs, the
experimental ones too (a newer axe may promote them): a critical or serious violation fails the
test, naming the page, the rule and the elements' selectors. The phone layout is checked on a
lesson with its navigation open, since that dialog only exists on a narrow screen.
"""

from __future__ import annotations

import pytest

from tests.book.building import without_the_other_audit
from tests.browser.test_book_in_browser import LESSONS, PHONE, book_pages

pytestmark = pytest.mark.browser

BLOCKING = ("critical", "serious")
# Every rule: WCAG 2.0-2.2 A and AA, best practices, and the experimental ones.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice",
                   "experimental"],
    },
}  # fmt: skip


def blocking_violations(page, where: str) -> list[str]:
    """One line per critical or serious violation: page, rule, impact and the first selectors."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:3]) + (
            f" (and {len(targets) - 3} more)" if len(targets) > 3 else ""
        )
        lines.append(f"{where}: {violation['id']} ({violation['impact']}) at {shown}")
    return lines


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violation_on_any_page(browser, book_url, mode):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=mode)
    # The theme keeps the reader's choice in localStorage; set it before any page script runs.
    context.add_init_script(
        f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
    )
    page = context.new_page()
    found: list[str] = []
    try:
        with without_the_other_audit():
            for path in book_pages():
                page.goto(f"{book_url}/{path}", wait_until="load")
                assert page.evaluate("document.documentElement.dataset.theme") == mode
                found += blocking_violations(page, f"{path} ({mode})")
    finally:
        context.close()
    assert not found, f"{len(found)} critical or serious violations:\n" + "\n".join(found)


def test_no_serious_accessibility_violation_on_a_phone_with_the_navigation_open(browser, book_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        path = f"notebooks/{LESSONS[2].stem}.html"
        page.goto(f"{book_url}/{path}", wait_until="load")
        found = blocking_violations(page, f"{path} (390 px)")
        page.locator(".primary-toggle:visible").tap()
        page.locator("#pst-primary-sidebar-modal").wait_for(state="visible")
        found += blocking_violations(page, f"{path} (390 px, navigation open)")
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_the_audit_reports_a_violation_with_page_rule_and_selector(browser):
    """The check can fail: an unlabelled checkbox, as the task lists had, is reported."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<input type="checkbox" id="unnamed"></main></body></html>'
        )
        found = blocking_violations(page, "a test page")
    finally:
        context.close()
    assert any(line.startswith("a test page: label (critical) at #unnamed") for line in found), (
        found
    )
