"""A workshop rehearsed in a real browser: `make workshop`, learners, an instructor, the dashboard.

The tests run in order, on one hub (a module fixture), as the issue's rehearsal does:

1. `make workshop` starts the hub for three learners and one instructor (a wrong password is
   refused on the way in);
2. two learners log in; one fails exercise 00, then passes it; the other fails it twice;
3. the instructor's dashboard, open all along, shows both live, with the failing expectation
   ranked, and passes axe;
4. a learner opening the dashboard gets 403;
5. a learner's kernel cannot read another learner's workspace;
6. when the hub stops, no process is left behind.

The learners are real Unix users made by the hub, so this needs root (CI runs as root). Their
names carry a random suffix, their homes are in a temporary folder, and they are deleted at the
end. Learners run checks as they would in a workshop: `!onboard check 00` in a notebook cell;
the solution reaches ada's workspace through the Jupyter server's contents API (the same request
JupyterLab makes when she saves), because typing it is what tests/browser/test_jupyterlab.py
already proves.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil
import pytest

from onboarding import notebooks
from tests.browser.conftest import CHROMIUM_ARGS, require_chromium, running_in_ci, screenshot_path
from tests.browser.test_jupyterlab import notebook, output_with, run_all_cells, wait_until_idle
from tests.conftest import COURSE_ROOT
from tests.workshop.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEARNER_PASSWORD = "learners-" + secrets.token_hex(4)
ADMIN_PASSWORD = "instructors-" + secrets.token_hex(16)
STARTUP_S = 600  # a fresh machine builds the learners' Python environment first
DASHBOARD = "services/cohort-dashboard/"
WELCOME = "00_welcome.ipynb"


@dataclass
class Hub:
    url: str
    process: subprocess.Popen
    log: Path
    homes: Path
    learners: list[str]
    instructor: str
    family: list[psutil.Process] = field(default_factory=list)
    pages: dict = field(default_factory=dict)

    def name(self, short: str) -> str:
        return next(n for n in [*self.learners, self.instructor] if n.startswith(short + "-"))


def require_root() -> None:
    if os.geteuid() == 0:
        return
    if running_in_ci():
        pytest.fail("the workshop rehearsal creates Unix users and must run as root in CI")
    pytest.skip("the workshop rehearsal creates Unix users: run it as root")


def wait_for_hub(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"make workshop exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        if "is ready" in log.read_text(errors="replace"):
            try:
                with urllib.request.urlopen(f"{url}{DASHBOARD}health", timeout=5) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.5)
    pytest.fail(f"the hub did not come up within {STARTUP_S} s:\n{log.read_text()[-4000:]}")


def stop_hub(hub: Hub, timeout: float = 90) -> None:
    """Ctrl+C, as an instructor stops it: SIGINT to make's process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(hub.process.pid, signal.SIGINT)
    try:
        hub.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    psutil.wait_procs([p for p in hub.family if p.is_running()], timeout=timeout)


def processes_of(names: list[str]) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in names:
            found.append(process)
    return found


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    require_chromium()
    require_root()
    suffix = secrets.token_hex(3)
    learners = [f"ada-{suffix}", f"alan-{suffix}", f"barbara-{suffix}"]
    instructor = f"grace-{suffix}"
    folder = Path(tempfile.mkdtemp(prefix="workshop-rehearsal-"))
    folder.chmod(0o755)  # learners must reach their homes inside it
    homes = folder / "homes"
    cohort = folder / "cohort.yaml"
    # The session "started" 20 minutes ago: barbara, who never logs in, needs help by now.
    started = (datetime.now(timezone.utc) - timedelta(minutes=20)).isoformat(timespec="seconds")
    cohort.write_text(
        f"workshop: Rehearsal\nstarts_at: {started}\ninstructors: [{instructor}]\n"
        f"learners: [{', '.join(learners)}]\n"
    )
    port, log = free_port(), folder / "make-workshop.log"
    env = {
        **os.environ,
        "WORKSHOP_LEARNER_PASSWORD": LEARNER_PASSWORD,
        "WORKSHOP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WORKSHOP_POLL_SECONDS": "1",
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                "make",
                "workshop",
                f"COHORT={cohort}",
                f"WORKSHOP_PORT={port}",
                f"WORKSHOP_ARGS=--state {folder / 'state'} --homes {homes}",
            ],
            cwd=COURSE_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    hub = Hub(f"http://127.0.0.1:{port}/", process, log, homes, learners, instructor)
    try:
        wait_for_hub(process, hub.url, log)
        yield hub
    finally:
        if process.poll() is None:
            stop_hub(hub)
        for leftover in [*hub.family, *processes_of([*learners, instructor])]:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        for name in [*learners, instructor]:
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


class BrowserThread:
    """Chromium driven from a thread of its own, for the whole module.

    Playwright's sync API refuses to start where an event loop already runs, and in the full
    suite the browser tests' session-wide Playwright may already run one on the main thread of
    this worker. A second thread has none. The tests run there too (see `pytest_pyfunc_call` in
    conftest.py), since Playwright's objects belong to the thread that made them.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="rehearsal-browser")

    def run(self, function, *args, **kwargs):
        return self.pool.submit(function, *args, **kwargs).result()

    def start(self) -> None:
        def launch() -> None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=str(require_chromium()), headless=True, args=CHROMIUM_ARGS
            )

        before = {child.pid for child in psutil.Process().children(recursive=True)}
        self.run(launch)
        self.family = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]

    def stop(self) -> None:
        def close() -> None:
            self.browser.close()
            self.playwright.stop()

        try:
            self.run(close)
        finally:
            self.pool.shutdown()
        # Chromium's helpers exit on their own after close(): wait for them, by pid.
        _, alive = psutil.wait_procs(self.family, timeout=15)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()


@pytest.fixture(scope="module")
def ui(hub) -> Iterator[BrowserThread]:
    """The module's browser; the hub's pages stay open from test to test."""
    browser = BrowserThread()
    browser.start()
    try:
        yield browser
    finally:
        browser.stop()


def new_page(ui: BrowserThread, hub: Hub, who: str):
    context = ui.browser.new_context(viewport={"width": 1400, "height": 950}, accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    hub.pages[who] = page
    return page


def shot(page, step: str) -> None:
    page.screenshot(path=screenshot_path("workshop_rehearsal", step))


def log_in(page, hub: Hub, name: str, password: str, next_path: str = "") -> None:
    page.goto(f"{hub.url}hub/login" + (f"?next=/{next_path}" if next_path else ""))
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")


def api(page, hub: Hub, learner: str, method: str, path: str, body: dict | None = None):
    """A Jupyter server request with the learner's browser session (cookie and XSRF token)."""
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf")
    reply = page.request.fetch(
        f"{hub.url}user/{learner}/api/{path}",
        method=method,
        data=body,
        headers={"X-XSRFToken": xsrf},
    )
    assert reply.ok, f"{method} {path}: {reply.status} {reply.text()}"
    return reply


def scratch_notebook(source: str) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "scratch",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {"kernelspec": notebooks.STANDARD_KERNELSPEC},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def run_in_notebook(page, hub: Hub, learner: str, name: str, source: str, expect_text: str):
    """Save a one-cell notebook in the learner's home, open it in JupyterLab, run it."""
    from playwright.sync_api import expect

    api(
        page,
        hub,
        learner,
        "PUT",
        f"contents/{name}",
        {"type": "notebook", "format": "json", "content": scratch_notebook(source)},
    )
    page.goto(f"{hub.url}user/{learner}/lab/tree/{name}?reset")
    expect(notebook(page)).to_be_visible(timeout=90_000)
    wait_until_idle(page, timeout=90_000)
    run_all_cells(page)
    result = output_with(page, expect_text)
    expect(result).to_be_visible(timeout=120_000)
    wait_until_idle(page, timeout=120_000)
    return result


def solved_welcome() -> dict:
    """The learner copy of exercise 00 with the model solution's code in place of the stubs."""
    solution = notebooks.read(COURSE_ROOT / "solutions" / WELCOME)
    learner = copy.deepcopy(notebooks.read(COURSE_ROOT / "exercises" / WELCOME))
    by_id = {cell["id"]: cell for cell in solution["cells"]}
    for cell in learner["cells"]:
        if cell["cell_type"] == "code" and not notebooks.is_check_cell(cell):
            cell["source"] = by_id[cell["id"]]["source"]
    return learner


def grid_cell(page, learner: str, exercise: str):
    return page.locator(f'#grid td[data-learner="{learner}"][data-exercise="{exercise}"]')


# ----------------------------------------------------------------------------------- the steps
def test_1_make_workshop_prints_the_handout_and_refuses_a_wrong_password(hub, ui):
    from playwright.sync_api import expect

    text = hub.log.read_text()
    assert "Hand this to the learners:" in text and f"Password:  {LEARNER_PASSWORD}" in text
    assert ADMIN_PASSWORD not in text  # the instructors' password is never printed
    page = new_page(ui, hub, "stranger")
    log_in(page, hub, hub.name("ada"), "not-the-password")
    expect(page.get_by_text("Invalid username or password")).to_be_visible()
    shot(page, "1-wrong-password")
    assert not processes_of(hub.learners), "a wrong password must not start a server"


def test_1b_the_learners_python_has_its_bytecode_written_once_for_them(hub):
    # The learners cannot write into root's environment: without bytecode written at launch,
    # each of their servers, kernels, checks and pytest runs compiles every module it imports.
    built = hub.homes.parent / "state" / "learner-env" / "bin" / "python"
    python = built if built.exists() else Path(sys.executable)
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util, hypothesis, jupyterlab\n"
            "print(importlib.util.cache_from_source(jupyterlab.__file__))\n"
            "print(hypothesis.__file__)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    compiled, hypothesis_package = where.stdout.split()
    assert Path(compiled).is_file()
    assert list(Path(hypothesis_package).parent.glob("__pycache__/*-pytest-*.pyc"))


def test_2_the_instructor_opens_the_dashboard_and_sees_the_cohort(hub, ui):
    from playwright.sync_api import expect

    page = new_page(ui, hub, "instructor")
    log_in(page, hub, hub.instructor, ADMIN_PASSWORD, next_path=DASHBOARD)
    expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
    for learner in hub.learners:
        expect(grid_cell(page, learner, "00.1")).to_have_text("·")
    expect(page.locator("#help")).to_contain_text(f"{hub.name('barbara')}: no activity since")
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
    shot(page, "2-dashboard-empty")


def test_3_learners_log_in_fail_and_pass_and_the_dashboard_follows_live(hub, ui):
    from playwright.sync_api import expect

    dashboard = hub.pages["instructor"]
    ada, alan = hub.name("ada"), hub.name("alan")
    for learner in (ada, alan):
        page = new_page(ui, hub, learner)
        log_in(page, hub, learner, LEARNER_PASSWORD)
        # The server starts with the course and the learner's own workspace in it.
        page.wait_for_url(re.compile(rf"/user/{learner}/lab"), timeout=240_000)
        expect(notebook(page)).to_be_visible(timeout=120_000)
        shot(page, f"3-{learner.split('-')[0]}-jupyterlab")
        assert (hub.homes / learner / "course" / "workspace" / WELCOME).is_file()

    check = "!onboard check 00"
    ada_page, alan_page = hub.pages[ada], hub.pages[alan]
    run_in_notebook(ada_page, hub, ada, "check.ipynb", check, "Fix what is listed above")
    expect(grid_cell(dashboard, ada, "00.1")).to_have_text("◐ 0/4 (1)")

    api(
        ada_page,
        hub,
        ada,
        "PUT",
        f"contents/course/workspace/{WELCOME}",
        {"type": "notebook", "format": "json", "content": solved_welcome()},
    )
    run_all_cells(ada_page)
    expect(output_with(ada_page, "Everything passes")).to_be_visible(timeout=120_000)
    wait_until_idle(ada_page, timeout=120_000)
    shot(ada_page, "3-ada-passes")

    run_in_notebook(alan_page, hub, alan, "check.ipynb", check, "Fix what is listed above")
    run_all_cells(alan_page)
    expect(output_with(alan_page, "Fix what is listed above")).to_be_visible(timeout=120_000)
    wait_until_idle(alan_page, timeout=120_000)

    # The dashboard, never reloaded, has followed: ada done after two attempts, alan failing.
    expect(grid_cell(dashboard, ada, "00.1")).to_have_text("✅ (2)", timeout=30_000)
    expect(grid_cell(dashboard, alan, "00.1")).to_have_text("◐ 0/4 (2)", timeout=30_000)
    expect(grid_cell(dashboard, hub.name("barbara"), "00.1")).to_have_text("·")
    stuck = dashboard.locator("#stuck li").first
    expect(stuck).to_have_text("1 of 3 fail 00.1: 09:00 to 10:30 lasts 90 minutes")
    assert dashboard.evaluate("window.__sameDocument === true"), "the dashboard reloaded"
    shot(dashboard, "3-dashboard-live")


def test_3b_the_dashboard_is_usable_with_a_keyboard_and_passes_axe(hub, ui):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    page = hub.pages["instructor"]
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    pause = page.locator("#pause")
    pause.focus()
    page.keyboard.press("Space")
    expect(pause).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(pause).to_have_attribute("aria-pressed", "false")
    csv = page.request.get(f"{hub.url}{DASHBOARD}export.csv")
    assert csv.ok and csv.text().startswith("learner,exercise,stage,state")
    assert f"{hub.name('alan')},00.1,00,in progress,2,0,4" in csv.text()


def test_4_a_learner_opening_the_dashboard_gets_403(hub, ui):
    from playwright.sync_api import expect

    ada, alan = hub.name("ada"), hub.name("alan")
    page = hub.pages[ada]
    reply = page.goto(f"{hub.url}{DASHBOARD}")
    assert reply.status == 403
    expect(page.get_by_role("heading", name="403: not allowed")).to_be_visible()
    shot(page, "4-learner-403")
    assert page.goto(f"{hub.url}{DASHBOARD}learners/{alan}").status == 403
    assert page.request.get(f"{hub.url}{DASHBOARD}api/cohort").status == 403
    own = page.goto(f"{hub.url}{DASHBOARD}learners/{ada}")
    assert own.status == 200
    expect(page.locator('td[data-exercise="00.1"]')).to_contain_text("done")


def test_5_a_learners_kernel_cannot_read_another_learners_workspace(hub, ui):
    ada, alan = hub.name("ada"), hub.name("alan")
    theirs = hub.homes / alan / "course" / "workspace" / WELCOME
    mine = hub.homes / ada / "course" / "workspace" / WELCOME
    source = (
        f"print('mine:', len(open({str(mine)!r}).read()) > 0)\n"
        f"try:\n    open({str(theirs)!r}).read()\n    print('READ THEIRS')\n"
        "except PermissionError as error:\n    print('refused:', type(error).__name__)"
    )
    result = run_in_notebook(hub.pages[ada], hub, ada, "peek.ipynb", source, "refused:")
    assert "mine: True" in result.inner_text() and "READ THEIRS" not in result.inner_text()
    assert theirs.is_file()


def test_6_when_the_hub_stops_no_process_is_left_behind(hub):
    hub.family = psutil.Process(hub.process.pid).children(recursive=True)
    servers = processes_of(hub.learners)
    assert len({p.username() for p in servers}) == 2, "two learners' servers should be running"
    stop_hub(hub)
    assert hub.process.returncode is not None, "make workshop did not stop"
    left = [
        p
        for p in [*hub.family, *processes_of([*hub.learners, hub.instructor])]
        if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert not left, "left behind: " + ", ".join(" ".join(p.cmdline()[:3]) for p in left)
    assert "The workshop hub has stopped." in hub.log.read_text()
