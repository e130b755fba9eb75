"""The course's one way to run pytest in a child process, and to read what it found as data.

Checks run learners' tests (and the course's own test modules against learners' services) in a
child Python, never in the kernel: a test may hang, leak threads, or import a package under a
name the kernel already holds. Every run here

- starts pytest with **plugin autoloading off** (the course's environment holds nbval,
  schemathesis's, Locust's and Pact's plugins, which cost seconds to load and change nothing);
  a session names the plugins it needs with `plugins=`;
- has a **time limit**, after which the child and everything it started (its process group)
  are killed: no process is left behind, even when the waiting is interrupted;
- reports its results **as data**: a small plugin in the child records each test's outcome, its
  first line of why, collection errors, and the last HTTP response a failed test saw, as JSON.
  Nothing parses pytest's terminal output.

Several sessions can share one child (`ChildRun` with many `Session`s): starting Python and
importing a web framework costs more than running a few tests, so a check that runs the same
tests against several variants of a service runs them in turn, in one process. Between
sessions the child forgets the modules it imported from the sessions' folders (and any package
named in `forget`), so each session imports its own files afresh.

Lessons use `run(folder, *arguments)`; checks use `ChildRun` directly to start two runs side
by side.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from onboarding.protocol import shorten

DEFAULT_TIME_LIMIT = 60.0
RESPONSE_WIDTH = 160
"""How much of a response body a failure message quotes."""

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_OUTCOME_WORDS = (("passed", "passed"), ("failed", "failed"), ("errors", "error"))


# ------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class CaseResult:
    """One test as pytest judged it."""

    nodeid: str
    outcome: str
    """"passed", "failed", "error" (in a fixture) or "skipped"."""
    message: str = ""
    """The first line of why it failed, errored or was skipped; "" when it passed."""
    response: str = ""
    """When it failed: the last HTTP response its client fixtures received ("" if none)."""

    @property
    def name(self) -> str:
        """The test's name with its parameters, e.g. `test_overlaps[inside]`."""
        return self.nodeid.rpartition("::")[2]

    def why(self) -> str:
        """The message, and the response the test saw when it has one."""
        if self.response:
            return f"{self.message} (the service answered {self.response})"
        return self.message


@dataclass(frozen=True)
class PytestRun:
    """Everything one pytest session found, without timings, paths or addresses."""

    returncode: int | None
    """pytest's exit code; None when the run was stopped at its time limit."""
    cases: tuple[CaseResult, ...] = ()
    collection_errors: tuple[str, ...] = ()
    """One line per file pytest could not import (the error, and where)."""
    deselected: int = 0
    output: str = field(default="", repr=False)
    seconds: float | None = field(default=None, compare=False)
    """How long the session took (data for benchmarks; never part of a verdict)."""

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def _with(self, outcome: str) -> tuple[CaseResult, ...]:
        return tuple(case for case in self.cases if case.outcome == outcome)

    @property
    def passed(self) -> tuple[CaseResult, ...]:
        return self._with("passed")

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        return self._with("failed")

    @property
    def errors(self) -> tuple[CaseResult, ...]:
        return self._with("error")

    @property
    def skipped(self) -> tuple[CaseResult, ...]:
        return self._with("skipped")

    @property
    def broken(self) -> tuple[CaseResult, ...]:
        """The tests that failed or errored, in the order they ran."""
        return tuple(case for case in self.cases if case.outcome in ("failed", "error"))

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def ok(self) -> bool:
        """Every collected test passed (or was skipped), and there was at least one."""
        return self.returncode == 0 and not self.collection_errors and bool(self.cases)

    def case(self, name: str) -> CaseResult | None:
        """The test whose name (with parameters) is `name`, if it ran."""
        return next((case for case in self.cases if case.name == name), None)

    def counts(self) -> str:
        """The counts as pytest words them, e.g. "1 failed, 3 passed, 2 deselected"."""
        if self.timed_out:
            return "stopped: took too long"
        parts = [
            f"{len(self.failed)} failed" if self.failed else "",
            f"{len(self.passed)} passed" if self.passed else "",
            f"{len(self.skipped)} skipped" if self.skipped else "",
            f"{self.deselected} deselected" if self.deselected else "",
        ]
        errors = len(self.errors) + len(self.collection_errors)
        if errors:
            parts.append(f"{errors} error{'s' if errors > 1 else ''}")
        return ", ".join(part for part in parts if part) or "no tests ran"

    def first_problem(self) -> str:
        """The first collection error, or the first failure's why; "" when there is none."""
        if self.collection_errors:
            return self.collection_errors[0]
        broken = self.broken
        return f"{broken[0].name}: {broken[0].why()}" if broken else ""

    def summary(self) -> str:
        """The counts, and the first problem when there is one."""
        problem = self.first_problem()
        return f"{self.counts()}: {problem}" if problem else self.counts()

    @classmethod
    def from_json(cls, returncode: int | None, data: Mapping[str, Any], output: str) -> PytestRun:
        return cls(
            returncode,
            tuple(CaseResult(**case) for case in data.get("cases", ())),
            tuple(data.get("collection_errors", ())),
            int(data.get("deselected", 0)),
            output,
        )


# ----------------------------------------------------------------------------------- sessions
@dataclass(frozen=True)
class Session:
    """One pytest session: where it runs, what it is given, and what it changes for itself."""

    key: str
    folder: Path
    """The working folder and pytest's rootdir."""
    arguments: tuple[str, ...] = ()
    """Test paths, `-m`/`-k` expressions and other options, as on pytest's command line."""
    env: Mapping[str, str | None] = field(default_factory=dict)
    """Environment variables for this session only; None unsets one."""
    python_path: tuple[Path, ...] = ()
    """Folders put first on sys.path for this session (a project's `src/`, say)."""
    own_config: bool = True
    """Use the folder's pytest configuration (pyproject.toml, pytest.ini), as `pytest` there
    would; False ignores it, for the course's own test modules."""
    plugins: tuple[str, ...] = ()
    """Plugins to load with `-p`, since autoloading is off."""
    forget: tuple[str, ...] = ()
    """Packages to import afresh in this session (a service that another session also has)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "folder": str(Path(self.folder).resolve()),
            "arguments": list(self.arguments),
            "env": dict(self.env),
            "python_path": [str(Path(entry).resolve()) for entry in self.python_path],
            "own_config": self.own_config,
            "plugins": list(self.plugins),
            "forget": list(self.forget),
        }


def hypothesis_storage() -> Path:
    """Where child runs keep Hypothesis's storage: one folder per machine and user.

    Hypothesis (under schemathesis) works out tables of Unicode characters, and the constants in
    the code under test, seconds of work it keeps in its storage folder. One folder per machine,
    not one per throwaway copy of a project, keeps that work from being redone at every run.
    Those tables depend on the Python version and the source files only. Outside CI, Hypothesis
    also keeps there the examples that made a test fail, and tries them first next time, as it
    does in a developer's own `.hypothesis/`: a bug found once is found again.
    """
    return Path(tempfile.gettempdir()) / f"onboard-hypothesis-{os.getuid()}"


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: ours, without pytest's own settings, and no plugin autoload."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update(
        {
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            # No __pycache__ in a learner's folder, and none raced for by two runs.
            "PYTHONDONTWRITEBYTECODE": "1",
            # Pact's core would report usage statistics over the network.
            "PACT_DO_NOT_TRACK": "true",
            # The child's output is read as UTF-8 whatever the locale.
            "PYTHONIOENCODING": "utf-8",
            "HYPOTHESIS_STORAGE_DIRECTORY": str(hypothesis_storage()),
        }
    )
    environment.update(extra or {})
    return environment


class ChildRun:
    """One or more sessions run in turn in a child Python; start now, wait later.

    The child is a fresh process, or, with `warm`, a worker kept from an earlier run of this
    process (see `Worker`): the same interpreter with pytest and the web framework already
    imported, which saves seconds per run. Either way the results are computed now; only
    imported libraries are reused, never an earlier run's result.

    Use it as a context manager, or call `close()`: either stops the run (and whatever it
    started) if it is still going, and removes its reports.
    """

    def __init__(
        self,
        sessions: Sequence[Session],
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        env: Mapping[str, str] | None = None,
        warm: bool | None = None,
    ) -> None:
        if not sessions:
            raise ValueError("a run needs at least one session")
        keys = [session.key for session in sessions]
        if len(set(keys)) != len(keys):
            raise ValueError(f"session keys must differ: {keys}")
        self.sessions = list(sessions)
        self.started = time.monotonic()
        self.time_limit = time_limit
        """Seconds on a quiet machine; on a busy one it stretches with the load (`over_time`)."""
        # Reports live outside every session's folder, which may be a learner's project.
        self.reports = Path(tempfile.mkdtemp(prefix="onboard-pytest-"))
        self.done = self.reports / "done"
        plan = self.reports / "plan.json"
        plan.write_text(
            json.dumps(
                {
                    "sessions": [s.to_json() for s in self.sessions],
                    "env": child_environment(env),
                    "done": str(self.done),
                }
            ),
            encoding="utf-8",
        )
        self.worker = Worker.acquire() if (in_a_kernel() if warm is None else warm) else None
        if self.worker is not None:
            self.worker.submit(plan)
            self.process = self.worker.process
        else:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onboarding.pytest_runs", str(plan)],
                cwd=self.sessions[0].folder,
                env=child_environment(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=(self.reports / "child.log").open("wb"),
                # Its own process group, so a stuck run is stopped with everything it started.
                start_new_session=True,
            )
        self._results: dict[str, PytestRun] | None = None

    def __enter__(self) -> ChildRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def wait(self) -> dict[str, PytestRun]:
        """Results by session key; a session not finished by the time limit is `timed_out`."""
        if self._results is None:
            # Imported here: the child process that imports this module needs none of it.
            from onboarding.checks import limit_paused

            finished = False
            try:
                with limit_paused():  # the run has its own limit, `time_limit`
                    finished = self._wait_until_done()
            finally:
                if self.worker is not None and finished:
                    Worker.release(self.worker)
                    self.worker = None
                else:
                    self.stop()
            self._results = {session.key: self._result(session) for session in self.sessions}
        return self._results

    def over_time(self) -> bool:
        """Whether the run has had its time: `time_limit` times the machine's load per core, read
        afresh each time, so a room of learners checking at once slows a run without failing it."""
        from onboarding import timing

        elapsed = time.monotonic() - self.started
        return elapsed >= self.time_limit * timing.load_stretch()

    def _wait_until_done(self) -> bool:
        if self.worker is None:
            while True:
                try:
                    self.process.wait(timeout=0.5)
                    return True
                except subprocess.TimeoutExpired:
                    if self.over_time():
                        return False
        while not self.over_time():
            if self.done.exists():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def result(self, key: str) -> PytestRun:
        return self.wait()[key]

    def _result(self, session: Session) -> PytestRun:
        output = self._read(f"{session.key}.log", session.folder)
        rc_file = self.reports / f"{session.key}.rc"
        if not rc_file.is_file():
            crash = self._read("child.log", session.folder)
            return PytestRun(None, output=output + crash)
        data = json.loads(self._read(f"{session.key}.json", session.folder) or "{}")
        run = PytestRun.from_json(int(rc_file.read_text(encoding="utf-8")), data, output)
        seconds = self.reports / f"{session.key}.seconds"
        if seconds.is_file():
            run = dataclasses.replace(run, seconds=float(seconds.read_text()))
        return run

    def _read(self, name: str, folder: Path) -> str:
        path = self.reports / name
        if not path.is_file():
            return ""
        return clean(path.read_text(encoding="utf-8", errors="replace"), folder, self.reports)

    def stop(self) -> None:
        """Kill the child (a worker too) and its process group if it still runs, and reap it."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
            return
        _kill_group(self.process)

    def close(self) -> None:
        if self._results is None:
            self.stop()
        shutil.rmtree(self.reports, ignore_errors=True)


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # The child is gone; what it started in its group must not outlive it either.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def in_a_kernel() -> bool:
    """Whether this process is a Jupyter kernel (where check cells run)."""
    shell_module = sys.modules.get("IPython")
    shell = shell_module.get_ipython() if shell_module is not None else None
    return shell is not None and hasattr(shell, "kernel")


class Worker:
    """A child Python that stays up between runs, with pytest and the web stack imported.

    A kernel runs one check cell after another, each with its own child run. Starting Python
    and importing pytest, FastAPI and friends costs more than most runs, so the kernel keeps up
    to `POOL` workers: each takes one plan at a time (its path on stdin), runs it exactly as a
    fresh child would, and marks it done. A worker that overran its time limit is killed, never
    reused. Workers stop when the kernel exits, or with it if it is killed.
    """

    POOL = 2
    _idle: ClassVar[list[Worker]] = []

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile(prefix="onboard-worker-")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onboarding.pytest_runs", "--serve"],
            env=child_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
            preexec_fn=stop_with_parent(),
        )

    @classmethod
    def acquire(cls) -> Worker:
        while cls._idle:
            worker = cls._idle.pop()
            if worker.process.poll() is None:
                return worker
        return cls._started()

    @classmethod
    def prewarm(cls) -> None:
        """Start the pool's workers now, in the background, and return at once.

        A stage whose checks run pytest calls this as its notebook opens: by its first check
        cell the workers have imported what they need, so no check waits for that. They hold
        no results, only imported libraries.
        """
        while len(cls._idle) < cls.POOL:
            cls._idle.append(cls._started())

    @classmethod
    def _started(cls) -> Worker:
        if not _workers_started:
            atexit.register(cls.stop_all)
            _workers_started.append(True)
        return cls()

    @classmethod
    def release(cls, worker: Worker) -> None:
        if worker.process.poll() is None and len(cls._idle) < cls.POOL:
            cls._idle.append(worker)
        else:
            worker.stop()

    @classmethod
    def stop_all(cls) -> None:
        while cls._idle:
            cls._idle.pop().stop()

    def submit(self, plan: Path) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{plan}\n".encode())
        self.process.stdin.flush()

    def stop(self) -> None:
        _kill_group(self.process)
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        self.log.close()


_workers_started: list[bool] = []


def stop_with_parent(signal_number: int = signal.SIGKILL):
    """On Linux, a function for the child to run before exec: stop when the parent dies.

    If the parent (a notebook kernel, a test) is killed it cannot run `finally`; Linux can still
    stop the child for us. libc is loaded here, in the parent, so the child only makes one
    system call between fork and exec (importing or loading anything there could deadlock on a
    lock another thread held at the fork). The signal follows the thread that started the child.
    """
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_signal() -> None:  # pragma: no cover - runs in the child
        prctl(pr_set_pdeathsig, int(signal_number))

    return set_signal


def run(
    folder: str | Path,
    *arguments: str,
    env: Mapping[str, str | None] | None = None,
    python_path: Iterable[Path] = (),
    own_config: bool = True,
    plugins: Iterable[str] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> PytestRun:
    """Run pytest once in `folder` (its own configuration, plain `pytest` there), as data."""
    session = Session(
        "run",
        Path(folder),
        tuple(arguments),
        dict(env or {}),
        tuple(python_path),
        own_config,
        tuple(plugins),
    )
    with ChildRun([session], time_limit=time_limit) as child:
        return child.result("run")


def clean(text: str, *folders: Path) -> str:
    """Remove what changes between runs: the folders' paths and memory addresses."""
    for folder in folders:
        for form in {str(folder), str(Path(folder).resolve())}:
            text = text.replace(form + os.sep, "").replace(form, ".")
    return _ADDRESS.sub("", text)


# ------------------------------------------------------------------------ inside the child
def results_recorder(path: Path) -> Any:
    """The pytest plugin the child registers: it writes the session's results as JSON.

    Built in a function so that the kernel, which only starts runs and reads their results,
    never imports pytest.
    """
    import pytest

    class ResultsRecorder:
        def __init__(self) -> None:
            self.cases: dict[str, dict[str, str]] = {}
            self.collection_errors: list[str] = []
            self.deselected = 0
            self.responses: dict[str, str] = {}

        def pytest_collectreport(self, report: Any) -> None:
            if report.failed:
                where = report.nodeid or "the tests"
                self.collection_errors.append(f"{where}: {_collection_error(report)}")

        def pytest_deselected(self, items: Sequence[Any]) -> None:
            self.deselected += len(items)

        @pytest.hookimpl(hookwrapper=True)
        def pytest_pyfunc_call(self, pyfuncitem: Any) -> Iterator[None]:
            """Listen to the HTTP clients the test was given, to quote what they were answered."""
            listening = []
            httpx = sys.modules.get("httpx")
            for value in getattr(pyfuncitem, "funcargs", {}).values():
                hooks = getattr(value, "event_hooks", None)
                if isinstance(hooks, dict):
                    # An httpx.AsyncClient awaits its hooks: it gets a coroutine of its own.
                    asynchronous = httpx is not None and isinstance(value, httpx.AsyncClient)
                    record = self._recorder(pyfuncitem.nodeid, asynchronous)
                    value.event_hooks = {**hooks, "response": [*hooks.get("response", []), record]}
                    listening.append((value, record))
            try:
                yield
            finally:
                for client, record in listening:
                    hooks = client.event_hooks
                    client.event_hooks = {
                        **hooks,
                        "response": [
                            hook for hook in hooks.get("response", []) if hook is not record
                        ],
                    }

        def _recorder(self, nodeid: str, asynchronous: bool = False):
            def keep(response: Any) -> None:
                text = response.text
                body = shorten(text, RESPONSE_WIDTH) if text else "no body"
                self.responses[nodeid] = f"{response.status_code} {body}"

            def record(response: Any) -> None:
                with contextlib.suppress(Exception):
                    response.read()
                    keep(response)

            async def record_awaited(response: Any) -> None:
                with contextlib.suppress(Exception):
                    await response.aread()
                    keep(response)

            return record_awaited if asynchronous else record

        def pytest_runtest_logreport(self, report: Any) -> None:
            nodeid = report.nodeid
            if report.when == "call" or (report.when == "setup" and not report.passed):
                if report.passed:
                    outcome, message = "passed", ""
                elif report.skipped:
                    outcome, message = "skipped", _skip_reason(report)
                elif report.when == "setup":
                    outcome, message = "error", _failure_line(report)
                else:
                    outcome, message = "failed", _failure_line(report)
                self.cases[nodeid] = {"nodeid": nodeid, "outcome": outcome, "message": message}
                if outcome in ("failed", "error") and nodeid in self.responses:
                    self.cases[nodeid]["response"] = self.responses[nodeid]
            elif report.when == "teardown" and report.failed and nodeid in self.cases:
                case = self.cases[nodeid]
                if case["outcome"] == "passed":
                    case.update(outcome="error", message=_failure_line(report))

        def pytest_sessionfinish(self, session: Any) -> None:
            data = {
                "cases": list(self.cases.values()),
                "collection_errors": self.collection_errors,
                "deselected": self.deselected,
            }
            path.write_text(json.dumps(data), encoding="utf-8")

    return ResultsRecorder()


def _failure_line(report: Any) -> str:
    """The first line of why a test failed: pytest's crash message, without its prefix."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = getattr(crash, "message", "") or str(getattr(report, "longrepr", "") or "failed")
    first = text.strip().splitlines()[0] if text.strip() else "failed"
    # pytest words the same failed assert with or without this prefix.
    return first.removeprefix("AssertionError: ").strip() or "assert failed"


def _skip_reason(report: Any) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _collection_error(report: Any) -> str:
    """The most telling line of a collection error: pytest's last `E   …` line."""
    text = str(getattr(report, "longrepr", "") or "")
    explained = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    if explained:
        return explained[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "could not be collected"


def _forget(prefixes: Iterable[str], folders: Iterable[Path]) -> None:
    """Drop modules imported from `folders`, or named with a prefix, so they import afresh."""
    import importlib

    roots = tuple(
        {form + os.sep for folder in folders for form in (str(folder), str(Path(folder).resolve()))}
    )
    prefixes = tuple(prefixes)
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None) or ""
        named = any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
        # conftest and test modules are imported by their bare names: always afresh.
        if named or name == "conftest" or (location and location.startswith(roots)):
            del sys.modules[name]
    importlib.invalidate_caches()


@contextlib.contextmanager
def _output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors too) to `path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _run_session(session: Mapping[str, Any], reports: Path, seen_folders: list[Path]) -> None:
    import pytest

    key, folder = session["key"], Path(session["folder"])
    for name, value in session["env"].items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    seen_folders.append(folder)
    _forget(session["forget"], seen_folders)
    added = [entry for entry in session["python_path"] if entry not in sys.path]
    sys.path[:0] = added
    os.chdir(folder)
    arguments = [
        *session["arguments"],
        "-q",
        "--color=no",
        "-p",
        "no:cacheprovider",
        # It collects garbage five times over at the end of every session: seconds in a
        # worker that holds many modules, to turn unraisable exceptions into warnings.
        "-p",
        "no:unraisableexception",
        f"--rootdir={folder}",
        f"--basetemp={reports / (key + '-tmp')}",
    ]
    for plugin in session["plugins"]:
        arguments += ["-p", plugin]
    if not session["own_config"]:
        arguments += ["-c", os.devnull]
    recorder = results_recorder(reports / f"{key}.json")
    started = time.perf_counter()
    try:
        with _output_to(reports / f"{key}.log"):
            returncode = pytest.main(arguments, plugins=[recorder])
    finally:
        for entry in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
    (reports / f"{key}.rc").write_text(str(int(returncode)), encoding="utf-8")
    # Data only, for benchmarks: never part of a verdict or a message.
    (reports / f"{key}.seconds").write_text(f"{time.perf_counter() - started:.3f}")


WARM_IMPORTS = ("pytest", "httpx", "fastapi", "fastapi.testclient", "sqlite_utils", "yaml")


def run_plan(plan_path: Path, seen: list[Path]) -> None:
    """Run every session of a plan in turn, then mark it done."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    for session in plan["sessions"]:
        os.environ.clear()
        os.environ.update(plan["env"])
        _run_session(session, plan_path.parent, seen)
    Path(plan["done"]).write_text("done", encoding="utf-8")


def serve() -> int:
    """Take plan paths on stdin, one a line, and run each; stop at the end of input."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in WARM_IMPORTS:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
    home = os.getcwd()
    seen: list[Path] = []
    for line in sys.stdin:
        if line.strip():
            run_plan(Path(line.strip()), seen)
            os.chdir(home)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m onboarding.pytest_runs PLAN.json` runs a plan; `--serve` runs many."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--serve"]:
        return serve()
    if len(arguments) != 1:
        print("usage: python -m onboarding.pytest_runs PLAN.json | --serve", file=sys.stderr)
        return 2
    run_plan(Path(arguments[0]), [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
