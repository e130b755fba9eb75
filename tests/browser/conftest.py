"""A real Chromium for the browser tests: Debian's package, driven by Playwright.

Playwright's own browser download cannot reach its servers here, so `playwright install` is
never used: the browser is /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).
Without it these tests skip with the reason on a developer's machine, and fail in CI (CI=true),
where skipping them would hide that the browser tests never ran.

Every test saves screenshots of its steps in test-reports/screenshots/, and one more when it
fails.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

from tests.book.building import build_book
from tests.conftest import COURSE_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: the tests run as root in CI. The rest keeps Chromium off the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = COURSE_ROOT / "test-reports" / "screenshots"


def running_in_ci(env: Mapping[str, str] = os.environ) -> bool:
    return env.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_chromium(path: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The browser to use; skips (on a developer's machine) or fails (in CI) without one."""
    path = CHROMIUM if path is None else path
    env = os.environ if env is None else env
    if path.is_file() and os.access(path, os.X_OK):
        return path
    reason = (
        f"Chromium is not installed at {path}: run `apt-get install chromium` (the browser "
        "tests use Debian's Chromium, never `playwright install`)"
    )
    if running_in_ci(env):
        pytest.fail(f"{reason}. In CI the browser tests must run, so this fails.", pytrace=False)
    pytest.skip(reason)


# -------------------------------------------------------------------------------------- browser
# One Chromium per test file, not per session: while Playwright's sync API is open, the thread has
# a running asyncio loop, and a later test of another file that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser():
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            started = [
                child
                for child in psutil.Process().children(recursive=True)
                if child.pid not in before
            ]
            chromium.close()
    # Chromium's helper processes exit on their own after close(); wait for them (by pid).
    _, alive = psutil.wait_procs(started, timeout=15)
    for process in alive:
        process.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell that its test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def screenshot_name(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)


def screenshot_path(test_name: str, step: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{screenshot_name(test_name)}-{step}.png"


@pytest.fixture
def page(browser, request):
    """A fresh browser tab (own cookies and storage); screenshotted if the test fails."""
    # A test's screenshots are from its latest run only: a stale "failure" shot would mislead.
    for stale in SCREENSHOTS.glob(f"{screenshot_name(request.node.name)}-*.png"):
        stale.unlink()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        try:
            tab.screenshot(path=screenshot_path(request.node.name, "failure"), full_page=True)
        except Exception as error:  # noqa: BLE001 - the test's own failure matters more
            print(f"could not save the failure screenshot: {error}")
    context.close()


@pytest.fixture
def screenshot(page, request) -> Callable[[str], Path]:
    """`screenshot("02-outputs")` saves the tab as test-reports/screenshots/<test>-<step>.png.

    What is on screen, as the learner sees it (a failure's screenshot has the whole page).
    """

    def take(step: str) -> Path:
        path = screenshot_path(request.node.name, step)
        page.screenshot(path=path)
        return path

    return take


# ----------------------------------------------------------------------------------------- book
class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    """The built book, served on a free loopback port by a thread of this process."""
    html = build_book()
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
