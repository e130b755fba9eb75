"""`onboarding.early_kernel`: the grader's kernel starts first, and nbval uses it as its own."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from onboarding import early_kernel, grading, notebooks, paths


def code_notebook(*sources: str) -> dict:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child that nobody has reaped yet is a zombie: it no longer runs.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_the_command_is_ipykernels_own_kernel_spec(tmp_path):
    import ipykernel.kernelspec

    connection = tmp_path / "kernel.json"
    spec = ipykernel.kernelspec.get_kernel_dict()["argv"]
    expected = [str(connection) if part == "{connection_file}" else part for part in spec]
    assert early_kernel.kernel_command(connection) == expected


def test_five_different_free_ports():
    ports = early_kernel.free_ports(5)
    assert len(set(ports)) == 5 and all(1024 <= port <= 65535 for port in ports)


@pytest.mark.slow
def test_nbval_runs_the_notebook_in_the_kernel_started_before_it(tmp_path):
    notebook = tmp_path / "probe.ipynb"
    notebooks.write(notebook, code_notebook("import os\nprint(os.getpid())"))
    with early_kernel.EarlyKernel(cwd=tmp_path, env=dict(os.environ)) as kernel:
        exit_code, collector = grading.run_nbval(notebook, kernel=kernel)
        kernel_pid = kernel.process.pid
        assert not kernel.is_alive(), "nbval's teardown stops the adopted kernel"
    assert exit_code == 0
    printed = collector.outcomes[0].outputs[0]["text"]
    # The cell ran in the kernel started before nbval, not in one nbval started.
    assert int(printed) == kernel_pid
    assert not process_exists(kernel_pid)
    assert not kernel.connection_file.exists()


@pytest.mark.slow
def test_stopping_it_ends_everything_the_kernel_started(tmp_path):
    notebook = tmp_path / "spawns.ipynb"
    started = tmp_path / "sleeper.pid"
    notebooks.write(
        notebook,
        code_notebook(
            "import subprocess\n"
            "sleeper = subprocess.Popen(['sleep', '300'])\n"
            f"open({str(started)!r}, 'w').write(str(sleeper.pid))"
        ),
    )
    with early_kernel.EarlyKernel(cwd=tmp_path, env=dict(os.environ)) as kernel:
        exit_code, _ = grading.run_nbval(notebook, kernel=kernel)
    assert exit_code == 0
    sleeper = int(started.read_text())
    deadline = time.monotonic() + 10
    while process_exists(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_exists(sleeper), "the kernel's child outlived the check"


@pytest.mark.slow
def test_an_endless_cell_is_interrupted_and_the_next_cell_still_runs(tmp_path):
    notebook = tmp_path / "endless.ipynb"
    notebooks.write(notebook, code_notebook("while True:\n    pass", "print('after')"))
    with early_kernel.EarlyKernel(cwd=tmp_path, env=dict(os.environ)) as kernel:
        exit_code, collector = grading.run_nbval(notebook, cell_timeout=2, kernel=kernel)
    assert exit_code == 1
    endless, after = collector.outcomes
    assert endless.failed and endless.timed_out
    assert any(output.get("ename") == "KeyboardInterrupt" for output in endless.outputs)
    assert not after.failed and after.outputs[0]["text"] == "after\n"


def with_launcher(tmp_path: Path, source: str) -> dict[str, str]:
    """An environment whose `ipykernel_launcher` is this source: a module of the same name
    earlier on the path stands in for a broken installation."""
    folder = tmp_path / "stand_in"
    folder.mkdir()
    (folder / "ipykernel_launcher.py").write_text(source)
    return {**os.environ, "PYTHONPATH": str(folder)}


def wait_for(kernel: early_kernel.EarlyKernel, timeout: float) -> None:
    client = kernel.connected_client()
    try:
        kernel.wait_until_ready(client, timeout=timeout)
    finally:
        client.stop_channels()


def test_a_kernel_that_dies_as_it_starts_is_reported_at_once(tmp_path):
    environment = with_launcher(tmp_path, "raise SystemExit(3)\n")
    with early_kernel.EarlyKernel(cwd=tmp_path, env=environment) as kernel:
        with pytest.raises(RuntimeError, match=r"stopped as it started \(exit code 3\)"):
            wait_for(kernel, timeout=60)


def test_a_kernel_that_never_answers_is_given_up_at_the_timeout(tmp_path):
    environment = with_launcher(tmp_path, "import time\ntime.sleep(300)\n")
    with early_kernel.EarlyKernel(cwd=tmp_path, env=environment) as kernel:
        with pytest.raises(RuntimeError, match="did not answer within 1 s"):
            wait_for(kernel, timeout=1)
    assert not kernel.is_alive()


def test_a_notebook_that_cannot_be_read_leaves_no_kernel_behind(tmp_path, monkeypatch):
    started: list[early_kernel.EarlyKernel] = []

    class Recorded(early_kernel.EarlyKernel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            started.append(self)

    monkeypatch.setattr(grading, "EarlyKernel", Recorded)
    broken = tmp_path / "00_welcome.ipynb"
    broken.write_text('{"cells": [}\n')
    with pytest.raises(grading.GradingError, match="not a valid notebook"):
        grading.grade(broken, paths.solutions_dir() / "00_welcome.ipynb")
    [kernel] = started
    assert not kernel.is_alive()
    assert not kernel.connection_file.exists()


def test_a_kernel_that_cannot_be_started_leaves_no_connection_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(early_kernel.tempfile, "tempdir", None)  # read TMPDIR afresh
    with pytest.raises(FileNotFoundError):
        early_kernel.EarlyKernel(cwd=tmp_path / "no such folder", env=dict(os.environ))
    assert list(tmp_path.iterdir()) == []


def test_stopping_twice_signals_once(tmp_path, monkeypatch):
    kernel = early_kernel.EarlyKernel(cwd=tmp_path, env=dict(os.environ))
    sent: list[int] = []
    real_signal = kernel.signal
    monkeypatch.setattr(kernel, "signal", lambda signum: (sent.append(signum), real_signal(signum)))
    kernel.stop()
    kernel.stop()
    assert sent == [signal.SIGKILL]
