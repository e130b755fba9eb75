"""The course as a learner meets it: `onboard start`, then JupyterLab in a real browser.

JupyterLab is started exactly as `make start` starts it (`onboard start`, configured through
PORT and JUPYTER_TOKEN), with the learner's workspace in a throw-away folder under the
git-ignored workspace/ (JupyterLab serves the repository root, so the workspace must be inside it
to be opened; a real learner's files there are never touched). Only JupyterLab's per-user state
(open tabs, settings, checkpoints) is redirected to a temporary folder, with autosave off, so that
running a lesson in the browser writes nothing into the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from onboarding import notebooks
from tests.conftest import BIN, COURSE_ROOT, run_onboard

pytestmark = pytest.mark.browser

WELCOME = "00_welcome.ipynb"
STARTUP_SECONDS = 120
# The test's own JupyterLab user settings: never autosave (a lesson run in the browser must not
# be written back into the repository), and render every cell, so that an output further down
# the notebook can be scrolled to and seen (by default, cells off screen are not drawn).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@dataclass
class Lab:
    url: str
    token: str
    workspace: Path
    log: Path

    def tree(self, relative: str) -> str:
        # `reset`: start from an empty layout, not the tabs an earlier test left open.
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"

    @property
    def workspace_in_lab(self) -> str:
        """The workspace's path as JupyterLab sees it (relative to the repository root)."""
        return self.workspace.relative_to(COURSE_ROOT).as_posix()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(process: subprocess.Popen, url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`onboard start` exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """Stop JupyterLab and everything it started (kernels run in sessions of their own)."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # lets the server shut its kernels down
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    _, alive = psutil.wait_procs(family, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """`onboard start` on a free port, with a fresh workspace; stopped by process group."""
    state = tmp_path_factory.mktemp("jupyterlab")
    workspace_root = COURSE_ROOT / "workspace"
    made_workspace_root = not workspace_root.exists()
    workspace = workspace_root / f"browser-test-{secrets.token_hex(4)}"
    # Checkpoints (JupyterLab makes one when it opens a notebook) go to the temporary folder too,
    # not into notebooks/.ipynb_checkpoints/ of the repository.
    (state / "config").mkdir()
    (state / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"FileCheckpoints": {"checkpoint_dir": str(state / "checkpoints")}})
    )
    for plugin, values in LAB_SETTINGS.items():
        path = state / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token, log = free_port(), secrets.token_hex(16), state / "jupyterlab.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "JUPYTER_TOKEN": token,
        "ONBOARD_WORKSPACE": str(workspace),
        "DISPLAY": "",
        "WAYLAND_DISPLAY": "",
        "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTER_CONFIG_DIR": str(state / "config"),
    }
    for name in ("ONBOARD_RECORD_TO", "HOST"):
        env.pop(name, None)
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(BIN / "onboard"), "start"],
            cwd=COURSE_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(process, url, token, log)
        yield Lab(url=url, token=token, workspace=workspace, log=log)
    finally:
        stop(process)
        shutil.rmtree(workspace, ignore_errors=True)
        if made_workspace_root:
            with contextlib.suppress(OSError):
                workspace_root.rmdir()


# ---------------------------------------------------------------------------------- the browser
def open_notebook(page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(notebook(page)).to_be_visible(timeout=60_000)
    wait_until_idle(page)


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """The kernel is up and has finished: the status bar reads 'Python 3 (ipykernel) | Idle'."""
    from playwright.sync_api import expect

    status = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem").filter(
        has_text=re.compile(r"\| Idle$")
    )
    expect(status).to_be_visible(timeout=timeout)


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-item").filter(has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item").filter(has_text="Run All Cells").first.click()


def notebook(page):
    """The notebook on screen (JupyterLab keeps other open tabs in the page, hidden)."""
    return page.locator(".jp-NotebookPanel:visible")


def output_with(page, text: str):
    return notebook(page).locator(".jp-OutputArea-output").filter(has_text=text).first


def solution_source(exercise_id: str) -> tuple[str, str]:
    """(cell id, solution code) for the Python stub of `exercise_id` in the welcome exercise."""
    stub = f'NotImplementedError("Exercise {exercise_id}'
    exercise = notebooks.read(COURSE_ROOT / "exercises" / WELCOME)
    cell_id = next(c["id"] for c in exercise["cells"] if stub in notebooks.source_of(c))
    solution = notebooks.read(COURSE_ROOT / "solutions" / WELCOME)
    source = next(notebooks.source_of(c) for c in solution["cells"] if c.get("id") == cell_id)
    lines = [line for line in source.splitlines() if "SOLUTION" not in line]
    return cell_id, "\n".join(lines)


def checkpoints(folder: Path) -> dict[str, int]:
    """The checkpoint files JupyterLab keeps beside notebooks, with their modification times."""
    return {p.name: p.stat().st_mtime_ns for p in (folder / ".ipynb_checkpoints").glob("*")}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------- tests
def test_welcome_lesson_runs_in_jupyterlab(lab, page, screenshot):
    from playwright.sync_api import expect

    lesson = COURSE_ROOT / "notebooks" / WELCOME
    before, checkpoints_before = digest(lesson), checkpoints(lesson.parent)
    open_notebook(page, lab.tree(f"notebooks/{WELCOME}"))
    screenshot("1-opened")

    run_all_cells(page)
    # The stage map's table text, and the demo check's deliberate ❌ line.
    expect(output_with(page, "Intake and Discovery")).to_be_visible(timeout=60_000)
    demo = output_with(page, "❌ 09:00 to 10:30 lasts 90 minutes")
    expect(demo).to_be_visible(timeout=60_000)
    wait_until_idle(page)
    demo.scroll_into_view_if_needed()
    screenshot("2-outputs")

    # The quiz is a live widget, not its text fallback.
    button = notebook(page).get_by_role("button", name="Check my answers")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible(timeout=30_000)
    screenshot("3-quiz-widget")
    assert digest(lesson) == before, "running the lesson in the browser changed the file"
    assert checkpoints(lesson.parent) == checkpoints_before, "JupyterLab wrote a checkpoint here"


def test_exercise_fails_then_passes_and_is_recorded(lab, page, screenshot):
    from playwright.sync_api import expect

    workspace_copy = lab.workspace / WELCOME
    assert workspace_copy.read_bytes() == (COURSE_ROOT / "exercises" / WELCOME).read_bytes()
    open_notebook(page, lab.tree(f"{lab.workspace_in_lab}/{WELCOME}"))
    screenshot("1-opened")

    # Unsolved: the check says what is wrong, with a hint.
    run_all_cells(page)
    failed = output_with(page, "❌ 09:00 to 10:30 lasts 90 minutes")
    expect(failed).to_be_visible(timeout=60_000)
    expect(failed).to_contain_text("Hint:")
    wait_until_idle(page)
    failed.scroll_into_view_if_needed()
    screenshot("2-check-fails")

    # Type the model solution into the stub's cell, as a learner would, and run it and its check.
    _, code = solution_source("00.1")
    cell = notebook(page).locator(".jp-CodeCell").filter(has_text="def booking_minutes").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    expect(cell).to_contain_text("fromisoformat")
    screenshot("3-solution-typed")
    page.keyboard.press("Shift+Enter")  # runs the cell, selects the check cell below
    wait_until_idle(page)
    page.keyboard.press("Shift+Enter")  # runs the check
    passed = output_with(page, "Exercise 00.1: all 4 checks passed.")
    expect(passed).to_be_visible(timeout=60_000)
    expect(output_with(page, "✅ 09:00 to 10:30 lasts 90 minutes")).to_be_visible()
    wait_until_idle(page)
    passed.scroll_into_view_if_needed()
    screenshot("4-check-passes")

    # The check cell recorded the attempt in the workspace, where `onboard progress` reads it.
    progress = run_onboard("progress", "--json", env={"ONBOARD_WORKSPACE": str(lab.workspace)})
    assert progress.returncode == 0, progress.stderr
    row = next(r for r in json.loads(progress.stdout) if r["exercise"] == "00.1")
    assert row["state"] == "done", row
    assert row["passed"] == row["total"] == 4
