"""Exercise 05.3: the learner's `meets_slo(run, p95_limit_ms, min_rps, max_error_rate)`.

It lives in their project, `tests/load/slo.py`, where their load test asserts it. The check loads
that file from a throwaway copy and gives the function runs whose percentiles are known: each
limit used, each at its exact boundary (p95 *below* the limit, throughput *at least* `min_rps`,
*fewer* failed requests than `max_error_rate`), the 95th percentile rather than the mean or the
maximum; then one real, short load test with their own locustfile, against the course's service
with a slow overlap check planted, which must be judged a miss, as must a run that measured no
requests at all (a service too slow to answer within the run gives one).

The function gets each run as the learner's own `LoadRun` when their file defines one that can
be built from the measurements (a property of their own, `run.p95_ms`, then works), and slo.py
may import modules beside it, as tests/load/test_load.py imports slo.py itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.abc
import importlib.util
import inspect
import itertools
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from onboarding import numbers, planted
from onboarding.checks import CheckFailed, Given, limit_paused
from onboarding.learner_imports import ProjectImports, as_a_command
from onboarding.stages.implementation import judging
from onboarding.stages.testing.load import LoadRun, percentile, run_load_test
from onboarding.stages.testing.planted_bugs import SLOW_BOOKING, SLOW_DELAY_SECONDS
from onboarding.stages.testing.server import PROJECT_ENV_PREFIX, PROJECT_FACTORY, starting_server

SLO_FILE = "tests/load/slo.py"
LOCUSTFILE = "tests/load/locustfile.py"
STAGE = "05"
P95_LIMIT_MS = float(numbers.LOAD_TEST_P95_MS)
MIN_REQUESTS_PER_SECOND = float(numbers.LOAD_TEST_MIN_REQUESTS_PER_SECOND)
MAX_ERROR_RATE = numbers.LOAD_TEST_MAX_ERROR_RATE
LIMITS = ("p95_limit_ms", "min_rps", "max_error_rate")


def synthetic_run(
    fast: int = 0,
    fast_ms: float = 20.0,
    slow: int = 0,
    slow_ms: float = 400.0,
    seconds: float = 20.0,
    failures: int = 0,
) -> LoadRun:
    """A run with `fast` requests at `fast_ms` and `slow` at `slow_ms` (known percentiles)."""
    latencies = [fast_ms + (index % 30) for index in range(fast)] + [slow_ms] * slow
    return LoadRun.from_latencies(latencies, seconds=seconds, failures=failures)


# Known runs, each of 1000 requests; p95 is the 950th-fastest request.
FAST_RUN = synthetic_run(fast=1000)  # p95 about 48 ms, 50 req/s
SLOW_RUN = synthetic_run(fast=900, slow=100)  # p95 400 ms
NEAR_RUN = synthetic_run(fast=800, slow=200, slow_ms=350.0)  # p95 350 ms, just above the limit
NEAR_RUN_LIMIT_MS = 400.0  # a limit the near run meets
LOW_RATE_RUN = synthetic_run(fast=1000, seconds=200.0)  # 5 req/s
FAILING_RUN = synthetic_run(fast=1000, failures=50)  # 5% failed
OUTLIER_RUN = synthetic_run(fast=970, slow=30, slow_ms=10_000.0)  # p95 fast; mean, p99, max slow
# At the limits: every percentile method gives the same p95, since ranks 941 to 1000 are equal.
P95_AT_LIMIT = synthetic_run(fast=940, slow=60, slow_ms=P95_LIMIT_MS)
P95_UNDER_LIMIT = synthetic_run(fast=940, slow=60, slow_ms=P95_LIMIT_MS - 1)
RATE_AT_LIMIT = synthetic_run(fast=1000, seconds=1000 / MIN_REQUESTS_PER_SECOND)
RATE_UNDER_LIMIT = synthetic_run(fast=1000, seconds=1000 / MIN_REQUESTS_PER_SECOND + 1)
ERRORS_AT_LIMIT = synthetic_run(fast=1000, failures=round(1000 * MAX_ERROR_RATE))
ERRORS_UNDER_LIMIT = synthetic_run(fast=1000, failures=round(1000 * MAX_ERROR_RATE) - 1)

PLANTED_USERS = 5
PLANTED_SECONDS = 2


KERNEL_BREAKERS = ("locust", "locustfile", "gevent")
"""Modules the learner's slo.py may not import here: Locust patches the standard library with
gevent the moment it is imported (see `load`), which would break the notebook's kernel."""


class _RefuseKernelBreakers(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        # A module beside slo.py is imported as one of a private package's
        # (`slo_folder_under_check_3.locustfile`): its own name is the last part.
        breaker = next((part for part in name.split(".") if part in KERNEL_BREAKERS), None)
        if breaker is not None:
            raise ImportError(
                f"{SLO_FILE} imports {breaker}, which would import Locust into this notebook's "
                "kernel, where its gevent patches break Jupyter; keep the limits in slo.py and "
                "let locustfile.py import them from there"
            )


_LOADS = itertools.count(1)
"""Numbers each load of slo.py, so that each is a module (and a private package) of its own."""
IMPORTS = "__onboard_imports__"
"""Where a loaded slo.py keeps the imports of the modules beside it, for its later calls."""


@contextlib.contextmanager
def importable_beside(module: ModuleType) -> Iterator[None]:
    """While this lasts, the learner's slo.py imports the modules beside it, as pytest lets
    tests/load/test_load.py import slo.py (`learner_imports`: for slo.py alone, never as the
    kernel's `import helpers`), and never Locust (`KERNEL_BREAKERS`). Afterwards those modules
    are forgotten, so the next check reads them afresh."""
    refuse = _RefuseKernelBreakers()
    folder = Path(module.__file__ or SLO_FILE).parent
    with as_a_command(vars(module).get(IMPORTS), folder, module, set()):
        sys.meta_path.insert(0, refuse)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(refuse)


def load_module(path: Path) -> ModuleType:
    """A learner's .py file run afresh as a module of its own (edits always count), with the
    modules beside it importable by it."""
    number = next(_LOADS)
    module = ModuleType(f"{path.stem}_under_check_{number}")
    module.__file__ = str(path)
    imports = ProjectImports(f"{path.stem}_folder_under_check_{number}", [path.parent])
    vars(module).update({"__builtins__": imports.builtins, IMPORTS: imports})
    try:
        source = path.read_text(encoding="utf-8-sig")
        # Dataclasses (and pickling) look a class's module up by name while the module runs:
        # `as_a_command` puts it in sys.modules meanwhile.
        with importable_beside(module):
            exec(compile(source, str(path), "exec"), vars(module))  # noqa: S102 - the learner's file
    except SyntaxError as error:
        raise CheckFailed(
            f"{SLO_FILE} has a syntax error on line {error.lineno}: {error.msg}"
        ) from None
    except UnicodeDecodeError:
        raise CheckFailed(f"{SLO_FILE} is not UTF-8 text") from None
    return module


def learners_slo(given: Given) -> ModuleType:
    """The learner's tests/load/slo.py, loaded from a throwaway copy of their project.

    Its folder is copied to a temporary one that lives as long as the module does, so that
    meets_slo can still import a module beside it when it is called.
    """

    def load() -> ModuleType:
        with judging.learners_project() as copy:
            path = copy / SLO_FILE
            if not path.is_file():
                raise CheckFailed(
                    f"{SLO_FILE} does not exist yet — run the first cell of the exercise "
                    "notebook (`onboard begin 5`) to get it"
                )
            folder = tempfile.TemporaryDirectory(prefix="onboard-05-slo-")
            shutil.copytree(
                path.parent,
                folder.name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            module = load_module(Path(folder.name) / path.name)
            module.__dict__.setdefault("__onboard_folder__", folder)
            return module

    return given.once("slo module", load)


def meets_slo(given: Given) -> Callable[..., Any]:
    function = getattr(learners_slo(given), "meets_slo", None)
    if not callable(function):
        raise CheckFailed(f"{SLO_FILE} has no meets_slo function")
    return function


def asserted_limits(given: Given) -> dict[str, float]:
    """The limits the learner's load test asserts: meets_slo's defaults, by parameter name."""
    parameters = inspect.signature(meets_slo(given)).parameters
    missing = [name for name in LIMITS if name not in parameters]
    if missing:
        raise CheckFailed(f"meets_slo has no parameter {', '.join(missing)}")
    defaults = {name: parameters[name].default for name in LIMITS}
    no_default = [name for name, value in defaults.items() if value is inspect.Parameter.empty]
    if no_default:
        raise CheckFailed(
            f"meets_slo's {', '.join(no_default)} has no default: the defaults are the SLO "
            "your load test asserts"
        )
    return defaults


COURSE_LIMITS = {
    "p95_limit_ms": P95_LIMIT_MS,
    "min_rps": MIN_REQUESTS_PER_SECOND,
    "max_error_rate": MAX_ERROR_RATE,
}
"""The SLO of the course's service: every verdict passes its limits, never relying on the
function's defaults (05.4 compares those with the test plan)."""


RUN_FIELDS = {field.name for field in dataclasses.fields(LoadRun)}


def as_learners_run(module: ModuleType, run: LoadRun) -> Any:
    """`run` as the learner's own LoadRun, when slo.py defines one that takes only measurements
    this run has (latencies_ms, requests, failures, seconds…); otherwise the course's run,
    which has the same fields and properties."""
    own = getattr(module, "LoadRun", None)
    if not isinstance(own, type) or own is LoadRun:
        return run
    try:
        parameters = inspect.signature(own).parameters.values()
    except (TypeError, ValueError):
        return run
    named = [p for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    required = {p.name for p in named if p.default is inspect.Parameter.empty}
    if not required or not required <= RUN_FIELDS:
        return run
    given = {p.name: getattr(run, p.name) for p in named if p.name in RUN_FIELDS}
    try:
        return own(**given)
    except Exception:  # noqa: BLE001 - a LoadRun the check cannot build: the course's will do
        return run


def call_meets_slo(given: Given, run: LoadRun, **limits: float) -> Any:
    """The learner's meets_slo on `run`, as their own LoadRun, with modules beside it importable."""
    module = learners_slo(given)
    function = meets_slo(given)
    with importable_beside(module):
        return function(as_learners_run(module, run), **limits)


def verdict(given: Given, run: LoadRun, **limits: float) -> bool:
    result = call_meets_slo(given, run, **{**COURSE_LIMITS, **limits})
    # numpy's yes or no (`numpy.bool_`, called `numpy.bool` since numpy 2) is one too, as
    # `assert` takes it; 1, 0 and None are not.
    numpy_bool = type(result).__module__ == "numpy" and type(result).__name__ in ("bool", "bool_")
    if not isinstance(result, bool) and not numpy_bool:
        raise CheckFailed(
            f"meets_slo returned {result!r} ({type(result).__name__}); return True or False"
        )
    return bool(result)


def require_defined(given: Given) -> None:
    asserted_limits(given)


def require_depends_on_data(given: Given) -> None:
    fast, slow = verdict(given, FAST_RUN), verdict(given, SLOW_RUN)
    if fast == slow:
        raise CheckFailed(
            f"meets_slo said {fast} both for a fast run and for one whose p95 is 400 ms: "
            "compute the 95th percentile of run.latencies_ms and compare it with p95_limit_ms"
        )


def require_fast_run_meets(given: Given) -> None:
    if not verdict(given, FAST_RUN):
        raise CheckFailed("meets_slo said no to 1000 requests at 50 req/s, all under 50 ms")


def require_slow_run_fails(given: Given) -> None:
    if verdict(given, SLOW_RUN):
        raise CheckFailed(
            f"meets_slo said yes to a run whose p95 is 400 ms (limit {P95_LIMIT_MS:g} ms)"
        )


def require_p95_limit_used(given: Given) -> None:
    relaxed = verdict(given, NEAR_RUN, p95_limit_ms=NEAR_RUN_LIMIT_MS)
    strict = verdict(given, NEAR_RUN)
    if not relaxed or strict:
        raise CheckFailed(
            f"for a run with p95 = 350 ms it said {relaxed} with "
            f"p95_limit_ms={NEAR_RUN_LIMIT_MS:g} and {strict} with {P95_LIMIT_MS:g} ms; "
            "expected True, then False"
        )


def require_rate_used(given: Given) -> None:
    strict = verdict(given, LOW_RATE_RUN)
    relaxed = verdict(given, LOW_RATE_RUN, min_rps=2.0)
    if strict or not relaxed:
        raise CheckFailed(
            f"for a fast run at only 5 req/s it said {strict} with "
            f"min_rps={MIN_REQUESTS_PER_SECOND:g} and {relaxed} with min_rps=2; expected "
            "False, then True"
        )


def require_error_rate_used(given: Given) -> None:
    strict = verdict(given, FAILING_RUN)
    relaxed = verdict(given, FAILING_RUN, max_error_rate=0.1)
    if strict or not relaxed:
        raise CheckFailed(
            f"for a fast run with 5% failed requests it said {strict} with "
            f"max_error_rate={MAX_ERROR_RATE:g} and {relaxed} with 0.1; expected False, then True"
        )


def require_p95_not_mean_or_max(given: Given) -> None:
    if not verdict(given, OUTLIER_RUN):
        raise CheckFailed(
            "it said no to a run where 97% of requests are fast and 3% take 10 s: p95 is fast "
            "there, but the mean, p99 and the maximum are not"
        )


def _boundary(
    at_limit: LoadRun, inside: LoadRun, expected_at_limit: bool, said: str, rule: str
) -> Callable[[Given], None]:
    def require(given: Given) -> None:
        problems = []
        if verdict(given, at_limit) is not expected_at_limit:
            problems.append(f"it said {not expected_at_limit} to {said}")
        if not verdict(given, inside):
            problems.append("it said False to a run just inside that limit")
        if problems:
            raise CheckFailed("; ".join(problems) + f" ({rule})")

    return require


require_p95_boundary = _boundary(
    P95_AT_LIMIT,
    P95_UNDER_LIMIT,
    False,
    f"a run whose p95 is exactly {P95_LIMIT_MS:g} ms",
    "the p95 must be below the limit",
)
require_rate_boundary = _boundary(
    RATE_AT_LIMIT,
    FAST_RUN,
    True,
    f"a run of exactly {MIN_REQUESTS_PER_SECOND:g} requests a second",
    "at least min_rps is enough",
)
require_error_boundary = _boundary(
    ERRORS_AT_LIMIT,
    ERRORS_UNDER_LIMIT,
    False,
    f"a run with exactly {MAX_ERROR_RATE:.1%} of its requests failed",
    "fewer failed requests than max_error_rate",
)


SLOWED_SERVICE_RUN = "the load test of the slowed service"
"""`given.once`'s key for it; `onboard check` starts it ahead (the package's AHEAD)."""


def slowed_service_run() -> LoadRun:
    """A very short load test, with the learner's locustfile, against their own service with a
    slow overlap check planted through its seam."""
    with (
        judging.learners_project() as copy,
        tempfile.TemporaryDirectory(prefix="onboard-05-3-") as scratch,
    ):
        locustfile = copy / LOCUSTFILE
        if not locustfile.is_file():
            raise CheckFailed(f"{LOCUSTFILE} does not exist in your project")
        service = planted.write_copy(
            copy,
            Path(scratch) / "service",
            STAGE,
            course_service=False,
            learners_rules=True,
            plantable=True,
        )
        # Locust starts while the server does (both take about a second): its requests
        # wait in the server's listening socket, and the locustfile's set-up requests come
        # before its clock starts. Both children have limits of their own (the server's
        # start-up, Locust's run), so the check's limit waits: on a busy machine they may take
        # longer than it with nothing wrong.
        with (
            limit_paused(),
            starting_server(
                PROJECT_FACTORY,
                app_dir=service / "src",
                extra_env=SLOW_BOOKING.env,
                env_prefix=PROJECT_ENV_PREFIX,
            ) as server,
        ):
            return run_load_test(
                server.base_url,
                users=PLANTED_USERS,
                seconds=PLANTED_SECONDS,
                locustfile=locustfile,
                progress=False,
                while_starting=server.wait_until_ready,
            )


def planted_slow_run(given: Given) -> LoadRun:
    return given.once(SLOWED_SERVICE_RUN, slowed_service_run)


NOTHING_MEASURED = LoadRun.from_latencies([], seconds=PLANTED_SECONDS)
"""A load test that measured no request: what a service too slow to answer within the run
gives (or a locustfile whose users never reach it). It proves nothing, so it misses the SLO."""


def says_yes(given: Given, run: LoadRun) -> bool:
    """The learner's verdict on `run`. On a run of no requests, an error counts as a no: the
    percentile of no latencies cannot be computed, and test_load.py fails on the error as
    surely as on False (`statistics.quantiles`, `numpy.percentile` and the starting file's
    `percentile` all raise there)."""
    if run.requests:
        return verdict(given, run)
    try:
        return verdict(given, run)
    except CheckFailed:
        raise
    except Exception:  # noqa: BLE001 - any error of the learner's code stops the load test
        return False


def require_planted_slow_service_fails(given: Given) -> None:
    if says_yes(given, NOTHING_MEASURED):
        raise CheckFailed(
            "meets_slo said yes to a load test that measured no requests at all (0 requests "
            f"in {PLANTED_SECONDS} s), as a service too slow to answer gives: a run that measured "
            "nothing must miss the SLO; return False when run.requests is 0, or let its "
            "throughput of 0 requests a second fail it"
        )
    run = planted_slow_run(given)
    if says_yes(given, run):
        raise CheckFailed(
            "meets_slo said yes to a real run against a service whose overlap check takes "
            f"{SLOW_DELAY_SECONDS * 1000:.0f} ms longer{what_it_measured(run)}"
        )


def what_it_measured(run: LoadRun) -> str:
    """What a real run measured, for the message that quotes it. A run in which no request
    finished is named as such: Locust gives it no duration either, so a meets_slo may judge it
    otherwise than the check's own run of no requests in two seconds."""
    if not run.requests:
        return (
            f": it measured no requests at all (0 requests in {run.seconds:g} s), and a run "
            "that measured nothing must miss the SLO; return False when run.requests is 0"
        )
    if not run.latencies_ms:
        return ""
    return (
        f" (its p95 was {percentile(run.latencies_ms, 0.95):.0f} ms over {run.requests} "
        f"requests, limit {P95_LIMIT_MS:g} ms)"
    )
