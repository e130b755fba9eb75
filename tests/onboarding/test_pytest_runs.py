"""The one child-pytest runner: results as data, a time limit, no process left behind."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import psutil
import pytest

from onboarding import pytest_runs, timing
from onboarding.pytest_runs import ChildRun, PytestRun, Session

SUITE = """
import pytest


@pytest.fixture
def client():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.get("/room")
    def room():
        return {"name": "Oak"}

    with TestClient(app) as client:
        yield client


def test_passes():
    assert 1 + 1 == 2


def test_fails():
    assert 1 == 2


def test_a_status_surprises(client):
    assert client.get("/room").status_code == 201


def test_does_not_raise():
    class CapacityExceeded(Exception):
        pass

    with pytest.raises(CapacityExceeded):
        pass


@pytest.mark.skip(reason="later")
def test_skipped():
    pass


@pytest.fixture
def broken():
    raise RuntimeError("boom")


def test_errors(broken):
    pass


class TestInAClass:
    def test_through_a_helper(self):
        check(3)


def check(value):
    assert value == 4, f"{value} is not 4"
"""


def children() -> set[int]:
    return {
        child.pid
        for child in psutil.Process().children(recursive=True)
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    }


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory) -> tuple[Path, PytestRun]:
    folder = tmp_path_factory.mktemp("suite")
    (folder / "test_suite.py").write_text(SUITE)
    return folder, pytest_runs.run(folder)


def test_every_test_s_outcome_and_why_come_back_as_data(suite_run):
    _, run = suite_run
    outcomes = {case.name: (case.outcome, case.message) for case in run.cases}
    assert outcomes == {
        "test_passes": ("passed", ""),
        "test_fails": ("failed", "assert 1 == 2"),
        "test_a_status_surprises": ("failed", "assert 200 == 201"),
        "test_does_not_raise": ("failed", "Failed: DID NOT RAISE CapacityExceeded"),
        "test_skipped": ("skipped", "later"),
        "test_errors": ("error", "RuntimeError: boom"),
        "test_through_a_helper": ("failed", "3 is not 4"),
    }
    assert run.returncode == 1
    assert run.counts() == "4 failed, 1 passed, 1 skipped, 1 error"


def test_a_failed_test_quotes_the_last_response_its_client_got(suite_run):
    _, run = suite_run
    case = run.case("test_a_status_surprises")
    assert case.response == '200 {"name":"Oak"}'
    assert case.why() == 'assert 200 == 201 (the service answered 200 {"name":"Oak"})'
    assert run.case("test_fails").response == ""


def test_a_run_writes_nothing_into_the_folder(suite_run):
    folder, _ = suite_run
    assert sorted(path.name for path in folder.iterdir()) == ["test_suite.py"]


def test_a_file_that_does_not_import_is_one_collection_error(tmp_path):
    (tmp_path / "test_broken.py").write_text("import no_such_module\n")
    run = pytest_runs.run(tmp_path)
    assert run.collection_errors == (
        "test_broken.py: ModuleNotFoundError: No module named 'no_such_module'",
    )
    assert run.counts() == "1 error"
    assert not run.ok


def test_deselected_tests_are_counted(tmp_path):
    (tmp_path / "test_marks.py").write_text(
        textwrap.dedent(
            """
            import pytest

            def test_unit():
                assert True

            @pytest.mark.slow
            def test_slow():
                assert True
            """
        )
    )
    run = pytest_runs.run(tmp_path, "-m", "not slow", "-p", "no:warnings")
    assert run.counts() == "1 passed, 1 deselected"
    assert run.summary() == "1 passed, 1 deselected"


@pytest.mark.parametrize("warm", [False, True], ids=["fresh child", "warm worker"])
def test_a_hanging_run_is_stopped_at_its_limit_with_everything_it_started(
    tmp_path, warm, monkeypatch
):
    monkeypatch.setattr(timing, "load_stretch", lambda: 1.0)  # the limit as written
    (tmp_path / "test_hangs.py").write_text(
        "import subprocess, sys, time\n\n"
        "def test_waits():\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "    time.sleep(120)\n"
    )
    before = children()
    started = time.monotonic()
    with ChildRun([Session("hangs", tmp_path)], time_limit=4, warm=warm) as child:
        run = child.result("hangs")
    assert time.monotonic() - started < 30
    assert run.timed_out and run.counts() == "stopped: took too long"
    deadline = time.monotonic() + 5
    while children() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children() - before == set()


def test_sessions_in_one_child_import_the_same_package_afresh(tmp_path):
    """Two folders with a package of one name: each session sees its own."""
    for name, answer in (("first", 1), ("second", 2)):
        folder = tmp_path / name
        (folder / "src" / "service").mkdir(parents=True)
        (folder / "src" / "service" / "__init__.py").write_text(f"ANSWER = {answer}\n")
        (folder / "test_answer.py").write_text(
            "import os\nfrom service import ANSWER\n\n"
            "def test_answer():\n"
            "    assert ANSWER == int(os.environ['EXPECTED'])\n"
        )
    sessions = [
        Session(
            name,
            tmp_path / name,
            env={"EXPECTED": str(answer)},
            python_path=(tmp_path / name / "src",),
            forget=("service",),
        )
        for name, answer in (("first", 1), ("second", 2))
    ]
    with ChildRun(sessions, time_limit=60) as child:
        results = child.wait()
    assert {key: run.counts() for key, run in results.items()} == {
        "first": "1 passed",
        "second": "1 passed",
    }


def test_a_warm_worker_gives_the_same_results_as_a_fresh_child(tmp_path):
    (tmp_path / "test_suite.py").write_text(SUITE)
    cold = ChildRun([Session("run", tmp_path)], warm=False)
    with cold:
        fresh = cold.result("run")
    try:
        for _ in range(2):  # the second run reuses the worker
            with ChildRun([Session("run", tmp_path)], warm=True) as child:
                warm = child.result("run")
            assert warm.cases == fresh.cases
            assert warm.counts() == fresh.counts()
    finally:
        pytest_runs.Worker.stop_all()


def test_prewarmed_workers_run_the_next_runs_and_no_new_process_starts(tmp_path):
    """A stage's notebook starts the workers as it opens; its checks then reuse them."""
    (tmp_path / "test_suite.py").write_text(SUITE)
    try:
        pytest_runs.Worker.prewarm()
        pytest_runs.Worker.prewarm()  # a second call starts nothing more
        started = {worker.process.pid for worker in pytest_runs.Worker._idle}
        assert len(started) == pytest_runs.Worker.POOL
        with (
            ChildRun([Session("one", tmp_path)], warm=True) as one,
            ChildRun([Session("two", tmp_path)], warm=True) as two,
        ):
            assert {one.process.pid, two.process.pid} == started
            expected = "4 failed, 1 passed, 1 skipped, 1 error"
            assert one.result("one").counts() == two.result("two").counts() == expected
    finally:
        pytest_runs.Worker.stop_all()


def test_a_session_needs_a_key_of_its_own(tmp_path):
    with pytest.raises(ValueError, match="keys must differ"):
        ChildRun([Session("a", tmp_path), Session("a", tmp_path)])
    with pytest.raises(ValueError, match="at least one session"):
        ChildRun([])


def test_paths_and_addresses_are_cleaned_from_what_a_run_says(tmp_path):
    text = f"{tmp_path}/test_x.py:3 <object at 0x7f00aa11> in {tmp_path}"
    assert pytest_runs.clean(text, tmp_path) == "test_x.py:3 <object> in ."


def test_the_child_does_not_autoload_plugins_or_inherit_pytest_settings(monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x")
    environment = pytest_runs.child_environment()
    assert environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    assert "PYTEST_ADDOPTS" not in environment


ASYNC_SUITE = """
import httpx
import pytest
from fastapi import FastAPI

app = FastAPI()


@app.get("/room")
def room():
    return {"name": "Oak"}


@pytest.fixture
async def client():
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        yield client


@pytest.mark.anyio
async def test_a_status_surprises(client):
    assert (await client.get("/room")).status_code == 201


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def test_an_async_clients_last_response_is_quoted_too(tmp_path):
    """An httpx.AsyncClient awaits its hooks: the recorder gives it a coroutine."""
    (tmp_path / "test_async.py").write_text(ASYNC_SUITE)
    run = pytest_runs.run(tmp_path, plugins=("anyio",))
    case = run.case("test_a_status_surprises")
    assert (case.outcome, case.response) == ("failed", '200 {"name":"Oak"}'), case


@pytest.mark.parametrize("warm", [False, True], ids=["fresh child", "warm worker"])
@pytest.mark.parametrize(("stretch", "finishes"), [(1.0, False), (6.0, True)])
def test_a_runs_limit_stretches_with_the_machines_load(
    tmp_path, monkeypatch, warm, stretch, finishes
):
    """A room of learners checking at once slows a run: on a busy machine (a load of six per
    core, say) it gets six times its limit, and is not called a hang."""
    (tmp_path / "test_slow.py").write_text("import time\n\ndef test_slow():\n    time.sleep(2)\n")
    monkeypatch.setattr(timing, "load_stretch", lambda: stretch)
    try:
        with ChildRun([Session("slow", tmp_path)], time_limit=1, warm=warm) as child:
            run = child.result("slow")
    finally:
        pytest_runs.Worker.stop_all()  # a warm worker that finished goes back to the pool
    assert run.timed_out is not finishes
    if finishes:
        assert run.counts() == "1 passed"
