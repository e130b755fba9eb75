"""The `onboard` command line: every command documented, and `start` as `make start` runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import click
import pytest
from click.testing import CliRunner

from onboarding.cli import LAB_NOTIFICATIONS, QUIET_NOTIFICATIONS, cli, write_lab_overrides
from tests.conftest import BIN, run_onboard


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


COMMANDS = list(all_commands())


@pytest.mark.parametrize(
    ("words", "command"),
    COMMANDS,
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_every_command_has_help_and_a_docstring(words, command):
    assert command.help and len(command.help.strip()) > 20, (
        f"onboard {' '.join(words)} needs help text"
    )
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()) in " ".join(result.output.split())
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"onboard {' '.join(words)} {parameter.opts[0]} needs help text"


def test_every_learner_command_is_in_the_readme():
    from tests.conftest import COURSE_ROOT

    readme = (COURSE_ROOT / "README.md").read_text()
    for words, _ in COMMANDS:
        if words[0] != "author":
            assert f"onboard {' '.join(words)}" in readme, (
                f"README does not mention onboard {' '.join(words)}"
            )


def dry_run(workspace, env: dict[str, str]):
    return run_onboard("start", "--dry-run", env={"ONBOARD_WORKSPACE": str(workspace), **env})


def test_start_creates_the_workspace_and_honours_port(workspace):
    run = dry_run(workspace, {"PORT": "9123", "DISPLAY": ""})
    assert run.returncode == 0, run.stderr
    assert "--ServerApp.port=9123" in run.stdout
    assert "--ServerApp.port_retries=0" in run.stdout
    assert "http://127.0.0.1:9123/lab/tree/notebooks/00_welcome.ipynb?token=" in run.stdout
    assert (workspace / "00_welcome.ipynb").exists()


def test_start_opens_no_browser_without_a_display(workspace):
    run = dry_run(workspace, {"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert "--no-browser" in run.stdout
    assert "No display found" in run.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="the root case needs root")
def test_start_as_root_passes_allow_root_and_says_why(workspace):
    run = dry_run(workspace, {})
    assert "--allow-root" in run.stdout
    assert "Running as root" in run.stdout


def test_start_never_overwrites_the_learners_work(workspace):
    dry_run(workspace, {})
    (workspace / "00_welcome.ipynb").write_text("my work")
    dry_run(workspace, {})
    assert (workspace / "00_welcome.ipynb").read_text() == "my work"


def overrides_of(prefix) -> object:
    return json.loads((prefix / "share/jupyter/lab/settings/overrides.json").read_text())


def test_start_turns_off_jupyterlabs_news_and_keeps_the_other_settings(tmp_path):
    settings = tmp_path / "share/jupyter/lab/settings"
    settings.mkdir(parents=True)
    theme = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    (settings / "overrides.json").write_text(json.dumps(theme))
    write_lab_overrides(tmp_path)
    assert overrides_of(tmp_path) == {**theme, LAB_NOTIFICATIONS: QUIET_NOTIFICATIONS}
    assert [path.name for path in settings.iterdir()] == ["overrides.json"]


def test_the_settings_file_is_replaced_whole_never_rewritten_in_place(tmp_path, monkeypatch):
    # Two `onboard start`s at once (a workshop, the suite's two workers) read each other's file:
    # until the new one replaces it, the old one must stay whole.
    write_lab_overrides(tmp_path)
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.write_text('{"other": 1}')
    seen_while_replacing = []
    real_replace = os.replace

    def replace(source, target):
        seen_while_replacing.append(path.read_text())
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    write_lab_overrides(tmp_path)
    assert seen_while_replacing == ['{"other": 1}']
    assert overrides_of(tmp_path) == {"other": 1, LAB_NOTIFICATIONS: QUIET_NOTIFICATIONS}
    # Once the settings are there, nothing is written at all.
    write_lab_overrides(tmp_path)
    assert len(seen_while_replacing) == 1


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", "\udcff".encode("utf-8", "surrogatepass")],
    ids=["not JSON", "a list", "not UTF-8"],
)
def test_a_settings_file_that_is_not_a_json_object_is_left_as_it_is(tmp_path, capsys, content):
    settings = tmp_path / "share/jupyter/lab/settings"
    settings.mkdir(parents=True)
    path = settings / "overrides.json"
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    assert write_lab_overrides(tmp_path) == path
    assert path.read_bytes() == before
    warning = capsys.readouterr().err
    assert f"Left JupyterLab's settings file {path} as it is" in warning
    assert "delete it to have onboard write it" in warning


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_start_serves_jupyterlab_on_the_port(workspace, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "ONBOARD_WORKSPACE": str(workspace),
        "PORT": str(port),
        "JUPYTER_TOKEN": "test-token",
        "DISPLAY": "",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
    }
    server = subprocess.Popen(
        [str(BIN / "onboard"), "start"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token=test-token"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = json.load(response)
                    break
            except OSError:
                time.sleep(0.5)
        assert status is not None, "JupyterLab did not answer on the port"
        assert "started" in status
        page = (
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/lab/tree/notebooks/00_welcome.ipynb?token=test-token",
                timeout=5,
            )
            .read()
            .decode()
        )
        assert "JupyterLab" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_start_on_a_busy_port_says_how_to_choose_another(workspace):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = run_onboard("start", env={"ONBOARD_WORKSPACE": str(workspace), "PORT": str(port)})
    assert run.returncode == 1
    assert f"port {port} is already in use" in run.stderr and f"PORT={port + 1}" in run.stderr


def test_check_rejects_an_unknown_exercise(workspace):
    run = run_onboard("check", "77", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert run.returncode == 2
    assert "no exercise called '77'" in run.stderr


def test_progress_lists_every_exercise_as_not_started(workspace):
    run = run_onboard("progress", "--json", env={"ONBOARD_WORKSPACE": str(workspace)})
    rows = json.loads(run.stdout)
    assert rows and all(row["state"] == "not started" for row in rows)
    assert {"00.1", "00.2"} <= {row["exercise"] for row in rows}


def test_progress_table_renders(workspace):
    run = run_onboard("progress", env={"ONBOARD_WORKSPACE": str(workspace), "COLUMNS": "120"})
    assert run.returncode == 0
    assert "Your progress" in run.stdout and "00.1 How long is a booking?" in run.stdout


def test_reset_and_update_report_what_they_did(workspace):
    assert run_onboard("update", env={"ONBOARD_WORKSPACE": str(workspace)}).stdout.startswith(
        "new: "
    )
    (workspace / "00_welcome.ipynb").write_text("mine")
    run = run_onboard("reset", "00", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert "backed up 00_welcome.ipynb to .onboard/backups/00_welcome-" in run.stdout
    again = run_onboard("update", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert again.stdout.strip() == "Your workspace is up to date."


def test_normalise_check_flags_a_dirty_notebook(tmp_path):
    dirty = tmp_path / "x.ipynb"
    dirty.write_text(
        '{"cells": [], "metadata": {"widgets": {}}, "nbformat": 4, "nbformat_minor": 4}'
    )
    run = run_onboard("author", "normalise", "--check", str(dirty))
    assert run.returncode == 1 and "needs normalising" in run.stdout
    assert run_onboard("author", "normalise", str(dirty)).returncode == 0
    assert run_onboard("author", "normalise", "--check", str(dirty)).returncode == 0


def test_checkpoint_puts_the_stage_beside_the_work_and_never_over_it(workspace):
    env = {"ONBOARD_WORKSPACE": str(workspace)}
    first = run_onboard("checkpoint", "3", env=env)
    assert first.returncode == 0, first.stderr
    folder = workspace / "checkpoints" / "stage_03"
    revision = folder / "migrations" / "versions" / "0002_cancelled_state.py"
    assert (folder / "alembic.ini").exists() and revision.exists()
    revision.write_text("# my notes")
    again = run_onboard("checkpoint", "3", env=env)
    assert again.returncode == 1 and "nothing was written" in again.stderr
    assert revision.read_text() == "# my notes"


def test_checkpoint_of_an_unknown_stage_lists_the_stages(workspace):
    run = run_onboard("checkpoint", "42", env={"ONBOARD_WORKSPACE": str(workspace)})
    assert run.returncode == 1 and "there is no stage 42; available stages: 1," in run.stderr


def test_long_lines_are_not_wrapped_mid_sentence_when_output_is_a_pipe(workspace):
    """Piped output has no terminal width: a check line must stay one line (it once broke at 80)."""
    from onboarding.cli import _console

    console = _console()
    with console.capture() as captured:
        console.print("❌ " + "a long expectation " * 10 + "— 4 of 5 checks passed")
    assert captured.get().count("\n") == 1
