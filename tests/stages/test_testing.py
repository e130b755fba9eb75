"""Stage 05's helpers and checks on the learner's project: each mistake, its verdict and message.

Check tests write the course's model project at the end of stage 05 into a throwaway workspace,
change what a learner might get wrong, and judge the exercise as `check("05.N")` does. Server
helpers start real child processes; each test that starts one also proves none is left behind.
"""

from __future__ import annotations

import json
import re
import sys

import httpx
import numpy
import psutil
import pytest

from onboarding import project
from onboarding.artefacts import testplan
from onboarding.stages import judge
from onboarding.stages.testing import lesson as testing_lesson
from onboarding.stages.testing import slo
from onboarding.stages.testing.lesson import PRACTICE_LATENCIES
from onboarding.stages.testing.load import (
    LoadRun,
    expand_histogram,
    load_test_seconds,
    percentile,
    run_load_test,
    summary_lines,
)
from onboarding.stages.testing.server import (
    ServerDidNotStart,
    answers,
    running_server,
    starting_server,
)
from tests.stages.project_checks import change, failed, verdicts

INTEGRATION = "tests/integration/test_integration.py"
SLO = "tests/load/slo.py"
PLAN = "docs/test-plan.md"


def children() -> set[int]:
    return {
        child.pid
        for child in psutil.Process().children(recursive=True)
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    }


@pytest.fixture
def service(workspace):
    """The learner's project, solved to the end of stage 05 (the model's files)."""
    return project.prepare("05", workspace, solved=True)


# --- running_server -------------------------------------------------------------------------------


def test_running_server_serves_over_http_and_stops_afterwards():
    before = children()
    with running_server() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/health/ready").json()["status"] == "ok"
        assert children() - before
    assert not answers(base_url)
    assert children() == before


def test_running_server_stops_even_when_the_body_raises():
    before = children()
    with pytest.raises(RuntimeError, match="a test failed"):
        with running_server() as base_url:
            raise RuntimeError("a test failed")
    assert not answers(base_url)
    assert children() == before


def test_a_server_that_cannot_start_is_reported_with_its_output():
    before = children()
    with pytest.raises(ServerDidNotStart, match="Could not import module"):
        with running_server("no_such_module:create_app"):
            pytest.fail("the block must not run")
    assert children() == before


def test_a_request_sent_while_the_server_starts_waits_and_is_answered():
    """Why Locust may start with the server: the socket listens before the process is up."""
    before = children()
    with starting_server() as server:
        answered = httpx.get(f"{server.base_url}/health/ready", timeout=30)
        assert answered.status_code == 200
        server.wait_until_ready()
    assert not answers(server.base_url)
    assert children() == before


def test_a_load_test_on_a_server_that_cannot_start_reports_the_servers_output_and_stops_locust():
    before = children()
    with pytest.raises(ServerDidNotStart, match="Could not import module"):
        with starting_server("no_such_module:create_app") as server:
            run_load_test(
                server.base_url,
                users=1,
                seconds=1,
                progress=False,
                while_starting=server.wait_until_ready,
            )
    assert children() == before


# --- Locust's numbers -----------------------------------------------------------------------------


def test_a_load_run_reads_locusts_json():
    entries = [
        {
            "name": "GET /a",
            "num_requests": 3,
            "num_failures": 1,
            "start_time": 100.0,
            "last_request_timestamp": 104.0,
            "response_times": {"10": 2, "300": 1},
            "num_reqs_per_sec": {"100": 1, "102": 2},
        },
        {
            "name": "POST /b",
            "num_requests": 1,
            "num_failures": 0,
            "start_time": 101.0,
            "last_request_timestamp": 102.0,
            "response_times": {"20": 1},
            "num_reqs_per_sec": {"101": 1},
        },
    ]
    run = LoadRun.from_locust_json(json.loads(json.dumps(entries)), users=2)
    assert run.latencies_ms == (10.0, 10.0, 20.0, 300.0)
    assert (run.requests, run.failures, run.seconds) == (4, 1, 4.0)
    assert run.requests_per_second == 1.0
    assert run.error_rate == 0.25
    assert summary_lines(run)[0] == "4 requests in 4.0 s: 1.0 req/s, 25.00% failed"


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.5) == 50
    assert percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.95)


def test_expand_histogram_keeps_every_request():
    assert expand_histogram({"5": 2, "1": 1}) == (1.0, 5.0, 5.0)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 5), ("60", 60), ("0", 5), ("soon", 5), (" 12 ", 12)]
)
def test_load_test_seconds_come_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("LOAD_TEST_SECONDS", raising=False)
    else:
        monkeypatch.setenv("LOAD_TEST_SECONDS", value)
    assert load_test_seconds() == expected


# --- The lesson's practice cells -------------------------------------------------------------------


@pytest.mark.parametrize(
    "p95",
    [
        400,
        400.0,
        # Worked out with numpy: numpy's numbers are numbers too.
        numpy.sort(numpy.array(PRACTICE_LATENCIES))[18],
        numpy.percentile(PRACTICE_LATENCIES, 95, method="inverted_cdf"),
    ],
    ids=["int", "float", "numpy-int64", "numpy-nearest-rank"],
)
def test_the_practice_p95_is_right_whatever_kind_of_number(capsys, p95):
    testing_lesson.check_p95(p95)
    assert capsys.readouterr().out.splitlines()[-1] == "All right: on with the lesson."


@pytest.mark.parametrize(
    "p95", [440.0, numpy.percentile(PRACTICE_LATENCIES, 95), "400", True], ids=str
)
def test_a_wrong_practice_p95_is_still_wrong(capsys, p95):
    testing_lesson.check_p95(p95)
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize(
    "expression",
    [
        "integration or contract",
        "(contract or integration) and not load",
        # As typed in a shell: the quotes, and the -m before them, are the shell's.
        '"integration or contract"',
        "-m 'integration or contract'",
    ],
    ids=["plain", "another-order", "shell-quotes", "with-the-option"],
)
def test_the_ci_stage_expression_is_right_however_it_is_written(capsys, expression):
    testing_lesson.check_ci_stage_expression(expression)
    assert capsys.readouterr().out.splitlines()[-1] == "All right: on with the lesson."


@pytest.mark.parametrize(
    "expression", ["not load", '"not load"', "-m contract", '"integration or contract'], ids=str
)
def test_a_wrong_ci_stage_expression_is_still_wrong(capsys, expression):
    testing_lesson.check_ci_stage_expression(expression)
    assert "❌" in capsys.readouterr().out


# --- The model passes -----------------------------------------------------------------------------


def test_the_model_project_passes_every_exercise_of_stage_05(service):
    for exercise in ("05.1", "05.2", "05.3", "05.4"):
        result = judge(exercise)
        assert result.failed == (), (exercise, result.lines())


# --- 05.1: integration tests ----------------------------------------------------------------------


ONE_BOOKING_TEST = (
    "def test_a_room_can_be_booked(client):\n"
    '    room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()\n'
    '    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",\n'
    '            "end": "2030-01-07T10:00:00Z", "attendees": 2}\n'
    "    assert client.post(f\"/rooms/{room['id']}/bookings\", json=body).status_code == 201\n"
)
EITHER_ANSWER_TEST = (
    "def test_a_second_overlapping_booking_is_answered(client):\n"
    '    room = client.post("/rooms", json={"name": "Ada", "capacity": 6}).json()\n'
    "    url = f\"/rooms/{room['id']}/bookings\"\n"
    '    body = {"organiser": "a@example.com", "attendees": 2}\n'
    '    slot = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z"}\n'
    "    assert client.post(url, json={**body, **slot}).status_code == 201\n"
    '    slot = {"start": "2030-01-07T09:30:00Z", "end": "2030-01-07T10:30:00Z"}\n'
    "    assert client.post(url, json={**body, **slot}).status_code in (201, 409)\n"
)


# Tests that look right and pass on the buggy service too: one booking only; or a second,
# overlapping one that may be accepted.
@pytest.mark.parametrize(
    "source", [ONE_BOOKING_TEST, EITHER_ANSWER_TEST], ids=["one-booking", "either-answer"]
)
def test_integration_tests_that_miss_the_overlap_bug_are_named(service, source):
    (service / INTEGRATION).write_text(source, encoding="utf-8")
    found = verdicts(judge("05.1"))
    missed = "they fail when your service's overlap check ignores bookings made by earlier requests"
    assert failed(found) == [missed]
    assert "would not catch that bug" in found[missed]


def test_a_surprising_status_shows_the_response_body(service):
    (service / INTEGRATION).write_text(
        "def test_an_unknown_room_is_booked(client):\n"
        '    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",\n'
        '            "end": "2030-01-07T10:00:00Z", "attendees": 2}\n'
        '    response = client.post("/rooms/42/bookings", json=body)\n'
        "    assert response.status_code == 201\n",
        encoding="utf-8",
    )
    found = verdicts(judge("05.1"))
    problem = found["your integration tests pass against your service"]
    assert "test_an_unknown_room_is_booked" in problem
    assert "404" in problem
    assert "/problems/" in problem, problem  # the body the service answered, not only the code


NO_PROVIDER_STATE_CONTRACT_TEST = """
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from booking_service.core.config import Settings
from booking_service.main import create_app

schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "openapi.yaml")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(
        Settings(database=tmp_path_factory.mktemp("c") / "b.db", log_level="WARNING")
    )
    with TestClient(application):  # migrates; but no room is made
        yield application


@pytest.mark.parametrize(
    "operation", [result.ok() for result in schema.get_all_operations()], ids=lambda op: op.label
)
def test_every_answer_keeps_the_spec(operation, app):
    @settings(max_examples=10, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate(app=app, checks=[not_a_server_error, status_code_conformance])

    check()
"""


def test_contract_tests_without_a_provider_state_are_named(service):
    """Every booking request then meets a room that does not exist: a 404, before the bug."""
    (service / "tests/contract/test_contract.py").write_text(
        NO_PROVIDER_STATE_CONTRACT_TEST, encoding="utf-8"
    )
    found = verdicts(judge("05.2"))
    missed = "they fail when your service answers 500 to a booking"
    assert failed(found) == [missed], found
    assert "would not catch a server error there" in found[missed]


def test_no_integration_test_is_one_line(service):
    (service / INTEGRATION).write_text("# nothing yet\n", encoding="utf-8")
    result = judge("05.1")
    assert not result.outcomes[0].passed
    assert "tests/integration/" in result.outcomes[0].found
    assert all("not checked until" in outcome.found for outcome in result.outcomes[1:])


# --- 05.1 and 05.2 written another way: what the learner's own `pytest` accepts ----------------

ASYNC_INTEGRATION_TEST = """
import contextlib

import httpx
import pytest

from booking_service.core.config import Settings
from booking_service.main import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@contextlib.asynccontextmanager
async def service(database):
    app = create_app(Settings(database=database, log_level="WARNING"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_second_overlapping_booking_is_refused(tmp_path):
    async with service(tmp_path / "bookings.db") as api:
        room = (await api.post("/rooms", json={"name": "Ada", "capacity": 6})).json()
        body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
                "end": "2030-01-07T10:00:00Z", "attendees": 2}
        first = await api.post(f"/rooms/{room['id']}/bookings", json=body)
        assert first.status_code == 201, first.text
        body.update(start="2030-01-07T09:30:00Z", end="2030-01-07T10:30:00Z")
        second = await api.post(f"/rooms/{room['id']}/bookings", json=body)
        assert second.status_code == 409, second.text
"""

SCHEMATHESIS_PARAMETRIZE_CONTRACT_TEST = """
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from booking_service.core.config import Settings
from booking_service.main import create_app

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    database = tmp_path_factory.mktemp("contract") / "bookings.db"
    application = create_app(Settings(database=database, log_level="WARNING"))
    with TestClient(application) as client:
        client.post("/rooms", json={"name": "Contract", "capacity": 10_000}).raise_for_status()
        yield application


@schema.hook
def before_generate_path_parameters(context, strategy):
    def the_room_made(parameters):
        return {**parameters, "room_id": 1} if parameters and "room_id" in parameters else parameters

    return st.one_of(strategy.map(the_room_made), strategy)


@schema.parametrize()
@settings(max_examples=10, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_keeps_the_spec(case, app):
    case.call_and_validate(app=app, checks=CHECKS)
"""


@pytest.mark.parametrize(
    ("exercise", "relative", "source"),
    [
        # httpx.AsyncClient through ASGITransport, run by anyio's pytest plugin.
        ("05.1", INTEGRATION, ASYNC_INTEGRATION_TEST),
        # schemathesis's own pytest integration: `@schema.parametrize()` gives the `case`.
        ("05.2", "tests/contract/test_contract.py", SCHEMATHESIS_PARAMETRIZE_CONTRACT_TEST),
    ],
    ids=["async-client-with-anyio", "schemathesis-parametrize"],
)
def test_tests_that_need_a_plugin_pytest_loads_by_itself_are_accepted(
    service, exercise, relative, source
):
    (service / relative).write_text(source, encoding="utf-8")
    result = judge(exercise)
    assert result.failed == (), result.lines()


ASYNC_CLIENT_FIXTURE_TEST = """
import httpx
import pytest

from booking_service.core.config import Settings
from booking_service.main import create_app


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def api(tmp_path):
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.anyio
async def test_a_second_overlapping_booking_is_refused(api):
    room = (await api.post("/rooms", json={"name": "Ada", "capacity": 6})).json()
    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T10:00:00Z", "attendees": 2}
    assert (await api.post(f"/rooms/{room['id']}/bookings", json=body)).status_code == 201
    body.update(start="2030-01-07T09:30:00Z", end="2030-01-07T10:30:00Z")
    assert (await api.post(f"/rooms/{room['id']}/bookings", json=body)).status_code == 409
"""


def test_an_async_client_given_as_a_fixture_is_accepted(service):
    """The check listens to each test's HTTP clients to quote what they were answered; an
    httpx.AsyncClient awaits its hooks, and once failed with “object NoneType can't be used in
    'await' expression”."""
    (service / INTEGRATION).write_text(ASYNC_CLIENT_FIXTURE_TEST, encoding="utf-8")
    result = judge("05.1")
    assert result.failed == (), result.lines()


# --- 05.3: the SLO as code, each limit at its boundary -------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        (
            "percentile(run.latencies_ms, 0.95) < p95_limit_ms",
            "percentile(run.latencies_ms, 0.95) <= p95_limit_ms",
            "a p95 exactly at the limit misses the SLO: the p95 must be below it",
        ),
        (
            "run.requests_per_second >= min_rps",
            "run.requests_per_second > min_rps",
            "a throughput of exactly min_rps meets the SLO: at least min_rps",
        ),
        (
            "run.error_rate < max_error_rate",
            "run.error_rate <= max_error_rate",
            "an error rate of exactly max_error_rate misses the SLO: fewer failures than that",
        ),
        (
            "percentile(run.latencies_ms, 0.95) < p95_limit_ms",
            "max(run.latencies_ms) < p95_limit_ms",
            "it judges the 95th percentile, not the mean, p99 or the slowest request",
        ),
        (
            # The mean of a run whose p95 is 400 ms is under 300 ms: the function then says
            # yes to every run, which the required expectation names before anything else.
            "percentile(run.latencies_ms, 0.95) < p95_limit_ms",
            "sum(run.latencies_ms) / len(run.latencies_ms) < p95_limit_ms",
            "meets_slo's answer depends on the measurements",
        ),
    ],
    ids=["p95-at-limit", "rate-at-limit", "errors-at-limit", "maximum", "mean"],
)
def test_each_slo_mistake_is_named(service, monkeypatch, old, new, named):
    # The real load test of a slowed service is judged in the model test above; here a
    # recorded slow run stands in for it, so each boundary costs no load test.
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, old, new)
    found = verdicts(judge("05.3"))
    assert found[named], found
    first_wrong = [text for text in failed(found) if "not checked until" not in found[text]][0]
    assert first_wrong == named


MODEL_MEETS_SLO = """    if not run.latencies_ms:
        return False
    return (
        percentile(run.latencies_ms, 0.95) < p95_limit_ms
        and run.requests_per_second >= min_rps
        and run.error_rate < max_error_rate
    )"""


@pytest.mark.parametrize(
    "body",
    [
        # numpy's comparison gives numpy's own yes or no (numpy.bool), which `assert` takes.
        "    import numpy as np\n\n"
        "    p95 = np.percentile(run.latencies_ms, 95)\n"
        "    ok = run.requests_per_second >= min_rps and run.error_rate < max_error_rate\n"
        "    return ok and p95 < p95_limit_ms",
        "    import statistics\n\n"
        "    p95 = statistics.quantiles(run.latencies_ms, n=20)[-1]\n"
        "    return all([p95 < p95_limit_ms, run.requests_per_second >= min_rps,\n"
        "                run.error_rate < max_error_rate])",
        "    ordered = sorted(run.latencies_ms)\n"
        "    misses = {\n"
        '        "latency": ordered[int(0.95 * len(ordered))] >= p95_limit_ms,\n'
        '        "throughput": run.requests / run.seconds < min_rps,\n'
        '        "failures": run.failures / run.requests >= max_error_rate,\n'
        "    }\n"
        "    return not any(misses.values())",
        # Early returns, each limit on its own line, the percentile's nearest rank by hand.
        "    if not run.latencies_ms:\n"
        "        return False\n"
        "    ordered = sorted(run.latencies_ms)\n"
        "    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]\n"
        "    if p95 >= p95_limit_ms:\n"
        "        return False\n"
        "    if run.requests_per_second < min_rps:\n"
        "        return False\n"
        "    return run.error_rate < max_error_rate",
        # The same limits told the other way: successes above 1 - max_error_rate, the requests
        # a run of that length must reach, percentages and seconds.
        "    p95_seconds = percentile(run.latencies_ms, 0.95) / 1000\n"
        "    succeeded = 1 - run.error_rate\n"
        "    return (p95_seconds < p95_limit_ms / 1000\n"
        "            and run.requests >= min_rps * run.seconds\n"
        "            and succeeded * 100 > (1 - max_error_rate) * 100)",
        # Counts instead of rates: fewer failed requests than the share allows.
        "    return (percentile(run.latencies_ms, 0.95) < p95_limit_ms\n"
        "            and len(run.latencies_ms) / run.seconds >= min_rps\n"
        "            and run.failures < max_error_rate * run.requests)",
        # numpy's own nearest-rank method, and not-any over the misses.
        "    import numpy as np\n\n"
        '    p95 = float(np.quantile(run.latencies_ms, 0.95, method="inverted_cdf"))\n'
        "    return not (p95 >= p95_limit_ms or run.requests_per_second < min_rps\n"
        "                or run.error_rate >= max_error_rate)",
        # A class of its own that holds the limits; meets_slo hands the run to it.
        "    return Objective(p95_limit_ms, min_rps, max_error_rate).met_by(run)\n\n\n"
        "@dataclass(frozen=True)\n"
        "class Objective:\n"
        "    p95_limit_ms: float\n"
        "    min_rps: float\n"
        "    max_error_rate: float\n\n"
        "    def met_by(self, run):\n"
        "        return (percentile(run.latencies_ms, 0.95) < self.p95_limit_ms\n"
        "                and run.requests_per_second >= self.min_rps\n"
        "                and run.error_rate < self.max_error_rate)",
        # A run that measured nothing: a guard of its own, the throughput ahead of the
        # percentile, or no guard at all (the percentile of no latencies raises, and the load
        # test fails on the error as surely as on False).
        "    if run.requests == 0:\n"
        "        return False\n"
        "    return (percentile(run.latencies_ms, 0.95) < p95_limit_ms\n"
        "            and run.requests_per_second >= min_rps\n"
        "            and run.error_rate < max_error_rate)",
        "    return (run.requests_per_second >= min_rps\n"
        "            and percentile(run.latencies_ms, 0.95) < p95_limit_ms\n"
        "            and run.error_rate < max_error_rate)",
        "    return (percentile(run.latencies_ms, 0.95) < p95_limit_ms\n"
        "            and run.requests_per_second >= min_rps\n"
        "            and run.error_rate < max_error_rate)",
    ],
    ids=[
        "numpy",
        "statistics-quantiles",
        "misses-by-name",
        "early-returns",
        "successes-percent-and-seconds",
        "counts-not-rates",
        "numpy-inverted-cdf-not-any",
        "own-class",
        "guard-on-no-requests",
        "throughput-ahead-of-the-percentile",
        "no-guard-the-percentile-raises",
    ],
)
def test_a_meets_slo_written_another_way_is_accepted(service, monkeypatch, body):
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, MODEL_MEETS_SLO, body)
    result = judge("05.3")
    assert result.failed == (), result.lines()


SLOWED_CHECK = "it says no to a real load test of your service with its overlap check made slow"


@pytest.mark.parametrize(
    "guard",
    [
        "    if not run.latencies_ms:\n        return True\n",
        # "Nothing failed": a run of no requests has an error rate of 0.
        "    if run.requests == 0:\n        return run.error_rate < max_error_rate\n",
    ],
    ids=["no-latencies-pass", "no-requests-judged-by-errors-alone"],
)
def test_a_meets_slo_that_passes_a_run_that_measured_nothing_is_named(service, monkeypatch, guard):
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, MODEL_MEETS_SLO, guard + MODEL_MEETS_SLO.partition("False\n")[2])
    found = verdicts(judge("05.3"))
    assert failed(found) == [SLOWED_CHECK], found
    assert "a load test that measured no requests at all" in found[SLOWED_CHECK]


NOTHING_FINISHED = (
    # Locust's statistics when no request of the slowed service came back: no requests, and
    # no time between a first and a last one.
    LoadRun((), 0, 0, 0.0),
    # Users that ran for the whole two seconds without an answer.
    LoadRun.from_latencies([], seconds=slo.PLANTED_SECONDS),
)


@pytest.mark.parametrize("run", NOTHING_FINISHED, ids=["no-duration", "two-seconds"])
def test_a_slowed_run_in_which_no_request_finished_is_refused(service, monkeypatch, run):
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: run)
    result = judge("05.3")
    assert result.failed == (), result.lines()


@pytest.mark.parametrize("run", NOTHING_FINISHED, ids=["no-duration", "two-seconds"])
def test_a_meets_slo_that_passes_a_slowed_run_of_no_requests_says_it_measured_nothing(
    service, monkeypatch, run
):
    # Says no to the check's own run of no requests, whose two seconds it reads as a rate of
    # zero, but yes when the run has no duration either: the real run's message says why.
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: run)
    change(
        service,
        SLO,
        MODEL_MEETS_SLO,
        "    if run.seconds == 0:\n        return True\n" + MODEL_MEETS_SLO,
    )
    found = verdicts(judge("05.3"))
    if run.seconds:
        assert failed(found) == [], found
    else:
        assert failed(found) == [SLOWED_CHECK], found
        assert found[SLOWED_CHECK].endswith(
            "takes 450 ms longer: it measured no requests at all (0 requests in 0 s), and a "
            "run that measured nothing must miss the SLO; return False when run.requests is 0"
        ), found[SLOWED_CHECK]


def test_a_slow_real_run_said_yes_to_is_quoted_with_its_p95():
    assert slo.what_it_measured(slo.SLOW_RUN) == (
        " (its p95 was 400 ms over 1000 requests, limit 300 ms)"
    )


@pytest.mark.parametrize(
    "guard",
    [
        "    if run.requests == 0:\n        return False\n",
        "    if run.seconds <= 0:\n        return False\n",
    ],
    ids=["no-requests", "no-duration"],
)
def test_a_run_of_exactly_min_rps_meets_the_slo_whatever_guards_an_empty_run(
    service, monkeypatch, guard
):
    assert slo.RATE_AT_LIMIT.requests_per_second == slo.MIN_REQUESTS_PER_SECOND
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, MODEL_MEETS_SLO, guard + MODEL_MEETS_SLO)
    found = verdicts(judge("05.3"))
    assert failed(found) == [], found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    run: LoadRun,\n", "    run: LoadRun,\n    *,\n"),
        ("max_error_rate: float = MAX_ERROR_RATE", "max_error_rate: float = 0.5 / 100"),
        ("min_rps: float = MIN_REQUESTS_PER_SECOND", "min_rps: float = 1200 / 60"),
    ],
    ids=["keyword-only-limits", "error-rate-as-a-sum", "rate-per-minute-as-a-sum"],
)
def test_a_meets_slo_signature_written_another_way_is_accepted(service, monkeypatch, old, new):
    """05.4 reads the same defaults: 0.5 / 100 is the plan's 0.5%, 1200 / 60 its 20 a second."""
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, old, new)
    for exercise in ("05.3", "05.4"):
        result = judge(exercise)
        assert result.failed == (), result.lines()


NONE_DEFAULTS = (
    "    p95_limit_ms: float | None = None,\n"
    "    min_rps: float | None = None,\n"
    "    max_error_rate: float | None = None,\n"
)
FILL_IN_THE_SLO = (
    "    p95_limit_ms = P95_LIMIT_MS if p95_limit_ms is None else p95_limit_ms\n"
    "    min_rps = MIN_REQUESTS_PER_SECOND if min_rps is None else min_rps\n"
    "    max_error_rate = MAX_ERROR_RATE if max_error_rate is None else max_error_rate\n"
)


def test_a_meets_slo_whose_defaults_are_none_is_told_to_default_to_the_slo(service, monkeypatch):
    """`None` defaults filled in inside: 05.3 judges what it does; 05.4 has no number to compare
    with the plan, and says so for each limit, rather than failing on the comparison."""
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(
        service,
        SLO,
        "    p95_limit_ms: float = P95_LIMIT_MS,\n"
        "    min_rps: float = MIN_REQUESTS_PER_SECOND,\n"
        "    max_error_rate: float = MAX_ERROR_RATE,\n",
        NONE_DEFAULTS,
    )
    change(service, SLO, MODEL_MEETS_SLO, FILL_IN_THE_SLO + MODEL_MEETS_SLO)
    assert judge("05.3").failed == ()
    found = verdicts(judge("05.4"))
    thresholds = [text for text in found if "threshold is the one your load test asserts" in text]
    assert failed(found) == thresholds, found
    for text, parameter, constant in zip(
        thresholds,
        ("p95_limit_ms", "min_rps", "max_error_rate"),
        ("P95_LIMIT_MS", "MIN_REQUESTS_PER_SECOND", "MAX_ERROR_RATE"),
        strict=True,
    ):
        assert found[text] == (
            f"meets_slo's {parameter} defaults to None, so tests/load/slo.py states no limit to "
            "compare the plan with: write the SLO as the default, as the starting file does "
            f"(`{parameter}: float = {constant}`)"
        )


def test_one_default_of_none_leaves_the_other_limits_compared(service, monkeypatch):
    """Only the limit without a number is named; the plan's other rows are still compared, and
    a wrong one is still refused."""
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, "min_rps: float = MIN_REQUESTS_PER_SECOND", "min_rps: float | None = None")
    change(service, PLAN, "| p95 latency | under 300 ms |", "| p95 latency | under 200 ms |")
    found = verdicts(judge("05.4"))
    assert failed(found) == [
        "its p95 latency threshold is the one your load test asserts",
        "its throughput threshold is the one your load test asserts",
    ], found
    # meets_slo cannot be asked how it compares without a number for every limit.
    assert "asserts a p95 limit of 300 ms (p95_limit_ms=300.0)" in found[failed(found)[0]]
    assert found[failed(found)[1]].startswith("meets_slo's min_rps defaults to None")


OWN_LOAD_RUN_PROPERTY = (
    "    @property\n"
    "    def p95_ms(self) -> float:\n"
    "        return percentile(self.latencies_ms, 0.95)\n\n"
    "    @classmethod\n"
    "    def from_locust_json"
)


@pytest.mark.parametrize(
    ("files", "body"),
    [
        # A measure of the learner's own LoadRun: the check's runs must be their LoadRun too.
        (
            {SLO: ("    @classmethod\n    def from_locust_json", OWN_LOAD_RUN_PROPERTY)},
            "    return (run.p95_ms < p95_limit_ms and run.requests_per_second >= min_rps\n"
            "            and run.error_rate < max_error_rate)",
        ),
        # A helper module beside slo.py, imported as test_load.py imports slo (pytest puts
        # tests/load/ on sys.path).
        (
            {
                "tests/load/thresholds.py": (
                    None,
                    "def below(value, limit):\n    return value < limit\n",
                )
            },
            "    from thresholds import below\n\n"
            "    return (below(percentile(run.latencies_ms, 0.95), p95_limit_ms)\n"
            "            and not below(run.requests_per_second, min_rps)\n"
            "            and below(run.error_rate, max_error_rate))",
        ),
    ],
    ids=["own-load-run-property", "helper-module-beside-it"],
)
def test_a_meets_slo_with_helpers_of_its_own_is_accepted(service, monkeypatch, files, body):
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    for relative, (old, new) in files.items():
        if old is None:
            (service / relative).write_text(new, encoding="utf-8")
        else:
            change(service, relative, old, new)
    change(service, SLO, MODEL_MEETS_SLO, body)
    result = judge("05.3")
    assert result.failed == (), result.lines()


def test_a_module_beside_slo_py_is_slo_py_s_alone(service, monkeypatch):
    # The kernel and the checks share one sys.modules: the learner's `thresholds` (or
    # `secrets`, or `statistics`) must never become everyone's `import thresholds`.
    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    (service / "tests/load/thresholds.py").write_text(
        "def below(value, limit):\n    return value < limit\n", encoding="utf-8"
    )
    change(
        service,
        SLO,
        MODEL_MEETS_SLO,
        "    import sys\n\n    from thresholds import below\n\n"
        "    if 'thresholds' in sys.modules:\n"
        "        raise RuntimeError('thresholds.py is the whole kernel\\'s')\n"
        "    return (below(percentile(run.latencies_ms, 0.95), p95_limit_ms)\n"
        "            and not below(run.requests_per_second, min_rps)\n"
        "            and below(run.error_rate, max_error_rate))",
    )
    result = judge("05.3")
    assert result.failed == (), result.lines()
    assert not [name for name in sys.modules if "under_check" in name]


def test_a_meets_slo_that_imports_the_locustfile_is_named_and_the_kernel_keeps_its_socket(
    service, monkeypatch
):
    """Importing locustfile.py would import Locust, whose gevent patches break a kernel."""
    import socket

    monkeypatch.setattr(slo, "planted_slow_run", lambda given: slo.SLOW_RUN)
    change(service, SLO, MODEL_MEETS_SLO, "    from locustfile import Booker\n\n" + MODEL_MEETS_SLO)
    plain_socket = socket.socket
    result = judge("05.3")
    assert socket.socket is plain_socket
    assert "locust" not in sys.modules
    found = " ".join(outcome.found for outcome in result.failed)
    assert "slo.py imports locustfile, which would import Locust into this notebook's kernel" in (
        found
    ), result.lines()


SHAPED_LOCUSTFILE = '''
import itertools
from datetime import UTC, datetime, timedelta

from locust import HttpUser, LoadTestShape, between, task


class Booker(HttpUser):
    wait_time = between(0.05, 0.1)

    def on_start(self):
        made = self.client.post("/rooms", json={"name": f"Load {id(self)}", "capacity": 10})
        self.room_id = made.json()["id"]
        self.hours = itertools.count()

    @task(3)
    def look(self):
        self.client.get(f"/rooms/{self.room_id}/bookings", name="GET bookings")

    @task
    def book(self):
        start = datetime(2030, 1, 7, tzinfo=UTC) + timedelta(hours=next(self.hours))
        body = {"organiser": "load@example.com", "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(), "attendees": 2}
        self.client.post(f"/rooms/{self.room_id}/bookings", json=body, name="POST bookings")


class StepUp(LoadTestShape):
    """Two users, then five, for a minute: the check's --run-time still ends it."""

    def tick(self):
        if self.get_run_time() > 60:
            return None
        return (2, 2) if self.get_run_time() < 1 else (5, 5)
'''


def test_a_locustfile_with_weights_waits_on_start_and_a_shape_is_judged_on_a_real_run(service):
    """Locust's other ways to write a scenario still give the check a run to judge."""
    (service / "tests/load/locustfile.py").write_text(SHAPED_LOCUSTFILE, encoding="utf-8")
    found = verdicts(judge("05.3"))
    assert failed(found) == [], found


def test_a_locustfile_of_fast_http_users_is_judged_on_a_real_run(service, monkeypatch):
    """Locust's other HTTP client, geventhttpclient's FastHttpUser, gives the same statistics."""
    locustfile = "tests/load/locustfile.py"
    change(service, locustfile, "import HttpUser,", "import FastHttpUser,")
    change(service, locustfile, "class Booker(HttpUser):", "class Booker(FastHttpUser):")
    runs = []
    measured = slo.slowed_service_run
    monkeypatch.setattr(slo, "slowed_service_run", lambda: runs.append(measured()) or runs[-1])
    found = verdicts(judge("05.3"))
    assert failed(found) == [], found
    # Judged a miss for being slow, not for measuring nothing.
    (run,) = runs
    assert run.requests > 0 and run.error_rate < 0.5, run
    assert percentile(run.latencies_ms, 0.95) > slo.P95_LIMIT_MS


def test_a_run_is_the_learners_own_load_run_only_when_it_can_be_built_from_the_measurements():
    import dataclasses
    import types

    @dataclasses.dataclass
    class Measured:
        latencies_ms: tuple
        requests: int
        failures: int
        seconds: float

    @dataclasses.dataclass
    class FromHistogram:
        histogram: dict
        seconds: float

    own = slo.as_learners_run(types.SimpleNamespace(LoadRun=Measured), slo.SLOW_RUN)
    assert isinstance(own, Measured) and own.latencies_ms == slo.SLOW_RUN.latencies_ms
    other = types.SimpleNamespace(LoadRun=FromHistogram)
    assert slo.as_learners_run(other, slo.SLOW_RUN) is slo.SLOW_RUN
    assert slo.as_learners_run(types.SimpleNamespace(), slo.SLOW_RUN) is slo.SLOW_RUN


# --- 05.4: the test plan agrees with the load test ------------------------------------------------


def test_a_plan_that_contradicts_the_load_test_quotes_both(service):
    change(service, PLAN, "| p95 latency | under 300 ms |", "| p95 latency | under 200 ms |")
    found = verdicts(judge("05.4"))
    p95 = "its p95 latency threshold is the one your load test asserts"
    assert failed(found) == [p95]
    assert found[p95] == (
        "docs/test-plan.md says “p95 latency | under 200 ms | all requests”, but "
        "tests/load/slo.py asserts p95 < 300 ms (p95_limit_ms=300.0)"
    )


def test_a_plan_in_words_and_another_order_is_accepted(service):
    change(
        service, PLAN, "| failed requests | under 0.5% |", "| failed requests | below 0.5 percent |"
    )
    change(
        service,
        PLAN,
        "| throughput | at least 20 requests a second |",
        "| throughput | at least twenty requests a second |",
    )
    assert judge("05.4").failed == ()


def test_a_plan_with_numbered_headings_and_its_thresholds_as_a_list_is_accepted(service):
    text = (service / PLAN).read_text(encoding="utf-8")
    for number, name in enumerate(testplan.SECTIONS, start=1):
        text = text.replace(f"## {name}\n", f"## {number}. {name.replace(' and ', ' & ')}\n")
    table = (
        "| Measure | Threshold | Applies to |\n| --- | --- | --- |\n"
        "| p95 latency | under 300 ms | all requests |\n"
        "| throughput | at least 20 requests a second | all requests |\n"
        "| failed requests | under 0.5% | all requests |\n"
    )
    listed = (
        "- Latency: 95th percentile under 300 ms, for all requests\n"
        "- Throughput: at least 1,200 requests a minute\n"
        "- Failed requests: under 0.5 per cent\n"
    )
    assert table in text
    (service / PLAN).write_text(text.replace(table, listed), encoding="utf-8")
    result = judge("05.4")
    assert result.failed == (), result.lines()


P95_ROW, RATE_ROW, ERRORS_ROW = (
    "| p95 latency | under 300 ms |",
    "| throughput | at least 20 requests a second |",
    "| failed requests | under 0.5% |",
)
P95_PASSES_AT_LIMIT = (
    "percentile(run.latencies_ms, 0.95) < p95_limit_ms",
    "percentile(run.latencies_ms, 0.95) <= p95_limit_ms",
)
ERRORS_PASS_AT_LIMIT = ("run.error_rate < max_error_rate", "run.error_rate <= max_error_rate")


def errors_default(value: str) -> tuple[str, str]:
    """meets_slo's max_error_rate default changed to `value`, as written in the code."""
    return ("max_error_rate: float = MAX_ERROR_RATE", f"max_error_rate: float = {value}")


def p95_default(value: str) -> tuple[str, str]:
    """meets_slo's p95_limit_ms default changed to `value`, as written in the code."""
    return ("p95_limit_ms: float = P95_LIMIT_MS", f"p95_limit_ms: float = {value}")


def rate_default(value: str) -> tuple[str, str]:
    """meets_slo's min_rps default changed to `value`, as written in the code."""
    return ("min_rps: float = MIN_REQUESTS_PER_SECOND", f"min_rps: float = {value}")


RATE_FAILS_AT_LIMIT = ("run.requests_per_second >= min_rps", "run.requests_per_second > min_rps")
SIDEWAYS = (
    "| Measure | Threshold | Applies to |\n| --- | --- | --- |\n"
    f"{P95_ROW} all requests |\n{RATE_ROW} all requests |\n{ERRORS_ROW} all requests |\n",
    "| p95 latency | Throughput | Failed requests |\n| --- | --- | --- |\n"
    "| under 300 ms | at least 20 req/s | under 0.5% |\n",
)
"""The model's thresholds table turned sideways: a column per measure."""
PROSE_THRESHOLDS = (
    "The p95 latency stays under 300 ms, the service serves at least twenty requests a second,"
    " and fewer than 0.5% of requests fail.\n"
)
BULLETED_THRESHOLDS = (
    "- p95 latency stays under 300 ms\n"
    "- Throughput: at least twenty requests a second\n"
    "- Fewer than half a percent of requests fail\n"
)


SPLIT_THRESHOLDS = (
    "We measure the p95 latency. It stays under 300 ms.\n\n"
    "Throughput is counted over the whole run. It is at least 20 requests a second.\n\n"
    "We count failed requests. They stay under 0.5%.\n"
)
"""Each measure named in one sentence, its limit in the next: "It stays under 300 ms"."""


# The plan's comparison and meets_slo's, exactly at the limit: the same, or one side silent.
@pytest.mark.parametrize(
    ("plan_rows", "code"),
    [
        ([], []),  # the model: under, at least, under; and <, >=, <
        ([(P95_ROW, "| p95 latency | ≤ 300 ms |")], [P95_PASSES_AT_LIMIT]),
        ([(P95_ROW, "| p95 latency | at most 300 ms |")], [P95_PASSES_AT_LIMIT]),
        ([(P95_ROW, "| p95 latency | 300 ms or less |")], [P95_PASSES_AT_LIMIT]),
        ([(RATE_ROW, "| throughput | more than 20 requests a second |")], [RATE_FAILS_AT_LIMIT]),
        ([(ERRORS_ROW, "| failed requests | no more than 0.5% |")], [ERRORS_PASS_AT_LIMIT]),
        # Words that do not say: either comparison in the code.
        ([(P95_ROW, "| p95 latency | 300 ms |")], []),
        ([(P95_ROW, "| p95 latency | 300 ms |")], [P95_PASSES_AT_LIMIT]),
        ([(P95_ROW, "| p95 latency | max 300 ms |")], [P95_PASSES_AT_LIMIT]),
        ([(RATE_ROW, "| throughput | 20 req/s |")], [RATE_FAILS_AT_LIMIT]),
        # A success rate for the failed requests: more than 99.5% succeed is under 0.5% failed.
        ([(ERRORS_ROW, "| success rate | above 99.5% |")], []),
        ([(ERRORS_ROW, "| successful requests | at least 99.5% |")], [ERRORS_PASS_AT_LIMIT]),
        # An availability SLO counted in requests, as a fraction: the same share told again.
        ([(ERRORS_ROW, "| availability | above 0.995 |")], []),
        ([(ERRORS_ROW, "| availability | ≥ 99.5% |")], [ERRORS_PASS_AT_LIMIT]),
        # meets_slo's own parameter names for labels.
        (
            [
                (P95_ROW, "| `p95_limit_ms` | < 300 |"),
                (RATE_ROW, "| `min_rps` | >= 20 |"),
                (ERRORS_ROW, "| `max_error_rate` | < 0.005 |"),
            ],
            [],
        ),
        ([SIDEWAYS], []),
        # The failed requests as a bare fraction, as max_error_rate is, or a percentage spaced.
        ([(ERRORS_ROW, "| failed requests | under 0.005 |")], []),
        ([(ERRORS_ROW, "| failed requests | under 0.5 % |")], []),
        # The thresholds in sentences, or in bullets without labels, instead of a table.
        ([(SIDEWAYS[0], PROSE_THRESHOLDS)], []),
        ([(SIDEWAYS[0], BULLETED_THRESHOLDS)], []),
        ([(SIDEWAYS[0], SPLIT_THRESHOLDS)], []),
        # Another SLO than the course's, the same in both: 99% or 95% of requests succeed.
        ([(ERRORS_ROW, "| failed requests | under 1% |")], [errors_default("0.01")]),
        ([(ERRORS_ROW, "| availability | above 99% |")], [errors_default("0.01")]),
        ([(ERRORS_ROW, "| failed requests | under 5% |")], [errors_default("0.05")]),
        ([(ERRORS_ROW, "| failed requests | under five percent |")], [errors_default("5 / 100")]),
        ([(ERRORS_ROW, "| failed requests | under 9.9% |")], [errors_default("0.099")]),
        # No request may fail, when meets_slo lets a run without failures pass.
        ([(ERRORS_ROW, "| failed requests | 0% |")], [errors_default("0"), ERRORS_PASS_AT_LIMIT]),
        (
            [(ERRORS_ROW, "| failed requests | at most 0% |")],
            [errors_default("0.0"), ERRORS_PASS_AT_LIMIT],
        ),
        # The tightest latency and the loosest throughput above 0 are still limits.
        ([(P95_ROW, "| p95 latency | under 1 ms |")], [p95_default("1.0")]),
        ([(RATE_ROW, "| throughput | at least 1 request a minute |")], [rate_default("1 / 60")]),
    ],
    ids=[
        "model",
        "at-most-as-a-sign-and-code-inclusive",
        "at-most-and-code-inclusive",
        "or-less-and-code-inclusive",
        "more-than-and-code-strict",
        "no-more-than-and-code-inclusive",
        "bare-number-and-code-strict",
        "bare-number-and-code-inclusive",
        "max-and-code-inclusive",
        "bare-rate-and-code-strict",
        "success-rate-above",
        "success-rate-at-least-and-code-inclusive",
        "availability-as-a-fraction",
        "availability-at-least-and-code-inclusive",
        "meets-slo-parameter-names",
        "table-turned-sideways",
        "errors-as-a-bare-fraction",
        "errors-as-a-spaced-percentage",
        "thresholds-as-sentences",
        "thresholds-as-bullets-without-labels",
        "thresholds-across-two-sentences",
        "another-slo-of-1-percent",
        "another-slo-as-99-percent-available",
        "another-slo-of-5-percent",
        "another-slo-of-five-percent-in-words",
        "another-slo-just-inside-the-loosest",
        "no-failure-allowed-and-code-inclusive",
        "at-most-no-failure-and-code-inclusive",
        "a-p95-of-1-ms",
        "a-throughput-of-1-request-a-minute",
    ],
)
def test_a_plan_whose_comparison_agrees_with_the_load_test_is_accepted(service, plan_rows, code):
    for old, new in plan_rows:
        change(service, PLAN, old, new)
    for old, new in code:
        change(service, SLO, old, new)
    result = judge("05.4")
    assert result.failed == (), result.lines()


P95_CHECK = "its p95 latency threshold is the one your load test asserts"
RATE_CHECK = "its throughput threshold is the one your load test asserts"
ERRORS_CHECK = "its failed-requests threshold is the one your load test asserts"
HALF_FAILING = ("max_error_rate: float = MAX_ERROR_RATE", "max_error_rate: float = 0.5")


@pytest.mark.parametrize(
    ("plan_rows", "code", "named", "message"),
    [
        (
            [(P95_ROW, "| p95 latency | ≤ 300 ms |")],
            [],
            P95_CHECK,
            "docs/test-plan.md says “p95 latency | ≤ 300 ms | all requests”, so a p95 of exactly"
            " 300 ms meets the SLO, but meets_slo in tests/load/slo.py says it misses it; write"
            " “under 300 ms” in the plan, or change meets_slo's comparison",
        ),
        ([(P95_ROW, "| p95 latency | at most 300 ms |")], [], P95_CHECK, "write “under 300 ms”"),
        ([], [P95_PASSES_AT_LIMIT], P95_CHECK, "write “at most 300 ms”"),
        (
            [(RATE_ROW, "| throughput | more than 20 requests a second |")],
            [],
            RATE_CHECK,
            "so exactly 20 requests a second misses the SLO, but meets_slo in tests/load/slo.py"
            " says it meets it; write “at least 20 requests a second”",
        ),
        ([], [RATE_FAILS_AT_LIMIT], RATE_CHECK, "write “more than 20 requests a second”"),
        (
            [(ERRORS_ROW, "| failed requests | at most 0.5% |")],
            [],
            ERRORS_CHECK,
            "so exactly 0.5% failed meets the SLO",
        ),
        ([], [ERRORS_PASS_AT_LIMIT], ERRORS_CHECK, "write “at most 0.5%”"),
        # At least 99.5% succeeding lets exactly 0.5% fail.
        ([(ERRORS_ROW, "| success rate | ≥ 99.5% |")], [], ERRORS_CHECK, "write “under 0.5%”"),
        # Another number is still another number, whichever way it is told.
        (
            [(ERRORS_ROW, "| success rate | above 99% |")],
            [],
            ERRORS_CHECK,
            "docs/test-plan.md says “success rate | above 99% | all requests”, but",
        ),
        # Another number: the message tells the limit as meets_slo compares, not as the model.
        (
            [(P95_ROW, "| p95 latency | under 200 ms |")],
            [P95_PASSES_AT_LIMIT],
            P95_CHECK,
            "but tests/load/slo.py asserts p95 ≤ 300 ms (p95_limit_ms=300.0)",
        ),
        (
            [(RATE_ROW, "| throughput | at least 10 requests a second |")],
            [RATE_FAILS_AT_LIMIT],
            RATE_CHECK,
            "but tests/load/slo.py asserts more than 20 requests a second (min_rps=20.0)",
        ),
        (
            [(ERRORS_ROW, "| failed requests | under 1% |")],
            [ERRORS_PASS_AT_LIMIT],
            ERRORS_CHECK,
            "but tests/load/slo.py asserts at most 0.5% failed (max_error_rate=0.005)",
        ),
        # A percentage with the digits it needs: 0.00125 is 0.125%, not a rounded 0.12%.
        (
            [],
            [("max_error_rate: float = MAX_ERROR_RATE", "max_error_rate: float = 0.00125")],
            ERRORS_CHECK,
            "but tests/load/slo.py asserts under 0.125% failed (max_error_rate=0.00125)",
        ),
        # A percentage where a fraction belongs: 0.5 lets half the requests fail.
        (
            [],
            [HALF_FAILING],
            ERRORS_CHECK,
            "but tests/load/slo.py asserts under 50% failed (max_error_rate=0.5): "
            "max_error_rate is a fraction of the requests, as run.error_rate is, not a "
            "percentage, so the plan's 0.5% is max_error_rate=0.005",
        ),
        (
            [(ERRORS_ROW, "| failed requests | under 0.5 |")],
            [HALF_FAILING],
            ERRORS_CHECK,
            "docs/test-plan.md says “failed requests | under 0.5 | all requests” and "
            "tests/load/slo.py asserts max_error_rate=0.5, which lets 50% of the requests "
            "fail, more than any availability SLO allows: max_error_rate is a fraction of the "
            "requests, as run.error_rate is, not a percentage (0.5% is max_error_rate=0.005); "
            "write the share you mean in both",
        ),
        (
            [(ERRORS_ROW, "| failed requests | under 50% |")],
            [HALF_FAILING],
            ERRORS_CHECK,
            "which lets 50% of the requests fail",
        ),
        (
            [(ERRORS_ROW, "| failed requests | under 0.5 |")],
            [],
            ERRORS_CHECK,
            "the plan's 0.5 has no unit, so it reads as a fraction of the requests, 50%; "
            "write “0.5%”",
        ),
        # One request in ten failing is no availability SLO, even when the plan says the same:
        # 0.1 is the most common slip, 99.9%'s budget of 0.1% written as a fraction.
        (
            [(ERRORS_ROW, "| failed requests | under 0.1 |")],
            [errors_default("0.1")],
            ERRORS_CHECK,
            "docs/test-plan.md says “failed requests | under 0.1 | all requests” and "
            "tests/load/slo.py asserts max_error_rate=0.1, which lets 10% of the requests "
            "fail",
        ),
        (
            [(ERRORS_ROW, "| failed requests | under 10% |")],
            [errors_default("0.1")],
            ERRORS_CHECK,
            "which lets 10% of the requests fail",
        ),
        (
            [(ERRORS_ROW, "| availability | above 90% |")],
            [errors_default("0.1")],
            ERRORS_CHECK,
            "which lets 10% of the requests fail",
        ),
        (
            [(ERRORS_ROW, "| failed requests | below 20% |")],
            [errors_default("0.2")],
            ERRORS_CHECK,
            "which lets 20% of the requests fail",
        ),
        # No failure allowed, compared as fewer than none: no run can ever pass.
        (
            [(ERRORS_ROW, "| failed requests | 0% |")],
            [errors_default("0.0")],
            ERRORS_CHECK,
            "docs/test-plan.md says “failed requests | 0% | all requests” and tests/load/slo.py "
            "asserts max_error_rate=0.0, but meets_slo says no even to a run in which no "
            "request failed (fewer failures than none cannot happen), so your load test can "
            "never pass; allow the share of failures your availability SLO does (99.5% allows "
            "0.5%, max_error_rate=0.005) in both",
        ),
        (
            [(ERRORS_ROW, "| failed requests | at most 0% |")],
            [errors_default("0")],
            ERRORS_CHECK,
            "so your load test can never pass",
        ),
        # A latency limit of 0 no run meets; a throughput of 0 every run meets.
        (
            [(P95_ROW, "| p95 latency | under 0 ms |")],
            [p95_default("0.0")],
            P95_CHECK,
            "docs/test-plan.md says “p95 latency | under 0 ms | all requests” and "
            "tests/load/slo.py asserts p95_limit_ms=0.0, but every request takes some time, so "
            "no run has a p95 latency of 0 ms or less and your load test can never pass; write "
            "the latency your SLO allows (the lesson's 300 ms, p95_limit_ms=300) in both",
        ),
        (
            [(P95_ROW, "| p95 latency | at most 0 ms |")],
            [p95_default("0"), P95_PASSES_AT_LIMIT],
            P95_CHECK,
            "so no run has a p95 latency of 0 ms or less",
        ),
        (
            [(RATE_ROW, "| throughput | at least 0 requests a second |")],
            [rate_default("0.0")],
            RATE_CHECK,
            "docs/test-plan.md says “throughput | at least 0 requests a second | all requests” "
            "and tests/load/slo.py asserts min_rps=0.0, which any run meets, however few "
            "requests it served, so your load test asserts no throughput at all; write the rate "
            "a release must sustain (the lesson's 20 requests a second, min_rps=20) in both",
        ),
        (
            [(RATE_ROW, "| throughput | more than zero requests a second |")],
            [rate_default("0"), RATE_FAILS_AT_LIMIT],
            RATE_CHECK,
            "so your load test asserts no throughput at all",
        ),
        # A thresholds sentence of the p99 states no p95.
        (
            [(SIDEWAYS[0], PROSE_THRESHOLDS.replace("p95", "p99"))],
            [],
            P95_CHECK,
            "docs/test-plan.md states no p95 latency threshold: no table row, list item or "
            "sentence of `## SLO thresholds for load tests` gives its limit, but "
            "tests/load/slo.py asserts p95 < 300 ms (p95_limit_ms=300.0)",
        ),
        # "It" in the next sentence is the measure named before: its number, compared so.
        (
            [(SIDEWAYS[0], SPLIT_THRESHOLDS.replace("under 300 ms", "under 200 ms"))],
            [],
            P95_CHECK,
            "docs/test-plan.md says “We measure the p95 latency. It stays under 200 ms.”, but",
        ),
        (
            [(SIDEWAYS[0], SPLIT_THRESHOLDS.replace("under 300 ms", "at most 300 ms"))],
            [],
            P95_CHECK,
            "write “under 300 ms”",
        ),
        # A number in another measure's unit is not the latency's limit, whatever "it" is.
        (
            [(SIDEWAYS[0], SPLIT_THRESHOLDS.replace("under 300 ms", "under 0.5%"))],
            [],
            P95_CHECK,
            "states no p95 latency threshold",
        ),
        # The limit of another thing, or a bound the other way, is not the latency's limit.
        (
            [
                (
                    SIDEWAYS[0],
                    SPLIT_THRESHOLDS.replace(
                        "It stays under 300 ms.", "The limit of the warm-up is 300 ms."
                    ),
                )
            ],
            [],
            P95_CHECK,
            "states no p95 latency threshold",
        ),
        (
            [(SIDEWAYS[0], SPLIT_THRESHOLDS.replace("It stays under", "The minimum is"))],
            [],
            P95_CHECK,
            "states no p95 latency threshold",
        ),
        # What "it" takes: a fraction of a second is the latency's (another one is named), a
        # minute the run's (no limit at all).
        (
            [
                (
                    SIDEWAYS[0],
                    SPLIT_THRESHOLDS.replace(
                        "We measure the p95 latency. It stays under 300 ms.",
                        "The load test measures the p95 latency. It takes under 0.5 s.",
                    ),
                )
            ],
            [],
            P95_CHECK,
            "docs/test-plan.md says “The load test measures the p95 latency. It takes under "
            "0.5 s.”, but",
        ),
        (
            [(SIDEWAYS[0], SPLIT_THRESHOLDS.replace("It stays under 300 ms.", "It takes 60 s."))],
            [],
            P95_CHECK,
            "states no p95 latency threshold",
        ),
    ],
    ids=[
        "at-most-as-a-sign-and-code-strict",
        "at-most-and-code-strict",
        "under-and-code-inclusive",
        "more-than-and-code-inclusive",
        "at-least-and-code-strict",
        "errors-at-most-and-code-strict",
        "errors-under-and-code-inclusive",
        "success-at-least-and-code-strict",
        "success-rate-of-another-number",
        "another-p95-and-code-inclusive",
        "another-rate-and-code-strict",
        "another-error-rate-and-code-inclusive",
        "error-rate-of-three-decimals",
        "percent-in-the-plan-and-code",
        "the-same-bare-half-in-both",
        "half-failing-in-both",
        "a-bare-half-in-the-plan",
        "a-bare-tenth-in-both",
        "ten-percent-in-both",
        "ninety-percent-available-in-both",
        "twenty-percent-in-both",
        "no-failure-allowed-and-code-strict",
        "at-most-no-failure-and-code-strict",
        "a-p95-of-0-ms-in-both",
        "at-most-0-ms-and-code-inclusive",
        "a-throughput-of-0-in-both",
        "more-than-zero-requests-and-code-strict",
        "a-sentence-of-the-p99",
        "another-p95-in-the-next-sentence",
        "at-most-in-the-next-sentence-and-code-strict",
        "a-percentage-in-the-next-sentence",
        "the-limit-of-the-warm-up-in-the-next-sentence",
        "a-minimum-in-the-next-sentence",
        "it-takes-another-fraction-of-a-second-after-the-test",
        "it-takes-a-minute-and-no-limit",
    ],
)
def test_a_plan_whose_comparison_contradicts_the_load_test_is_named(
    service, plan_rows, code, named, message
):
    for old, new in plan_rows:
        change(service, PLAN, old, new)
    for old, new in code:
        change(service, SLO, old, new)
    found = verdicts(judge("05.4"))
    assert failed(found) == [named], found
    assert message in found[named], found[named]


FOLDERS_CHECK = (
    "it says where each of your test folders runs: tests/integration, tests/contract, tests/load"
)


def plan_naming_the_folders_only_as(service, words: str) -> None:
    """The model's plan with every folder path and `-m` command said otherwise, then `words`
    at the start of *Who runs what, and when*."""
    text = (service / PLAN).read_text(encoding="utf-8")
    text = re.sub(r"`?tests/(integration|contract|load)[^`\s|]*`?", r"the \1 tests", text)
    text = re.sub(r"`[^`\n]*-m [^`\n]*`", "the usual command", text)
    heading = "## Who runs what, and when\n\n"
    assert heading in text
    (service / PLAN).write_text(text.replace(heading, f"{heading}{words}\n\n"), encoding="utf-8")


@pytest.mark.parametrize(
    "words",
    [
        "`pytest -m integration`, `pytest -m contract` and `pytest -m load`.",
        # A shell's brace expansion names each folder.
        "CI runs `pytest tests/{integration,contract}`; the nightly job `pytest tests/load`.",
        # The markers as the tests carry them.
        "Tests marked `@pytest.mark.integration` or `@pytest.mark.contract` run in CI, "
        "`@pytest.mark.load` nightly.",
    ],
    ids=["markers-selected", "brace-expansion", "markers-as-marked"],
)
def test_a_plan_naming_its_test_folders_another_way_is_accepted(service, words):
    plan_naming_the_folders_only_as(service, words)
    found = verdicts(judge("05.4"))
    assert found[FOLDERS_CHECK] == "", found


@pytest.mark.parametrize(
    ("words", "missing"),
    [
        ("Every test runs in CI.", "tests/integration, tests/contract, tests/load"),
        # `-m "not load"` runs everything but the load test: it does not say where that runs.
        (
            '`pytest -m "not load"` on every pull request; `pytest tests/integration` too.',
            "tests/contract, tests/load",
        ),
    ],
    ids=["none", "only-excluded"],
)
def test_a_plan_that_never_says_where_a_test_folder_runs_is_named(service, words, missing):
    plan_naming_the_folders_only_as(service, words)
    found = verdicts(judge("05.4"))
    assert failed(found) == [FOLDERS_CHECK], found
    assert found[FOLDERS_CHECK] == f"it never names {missing} (nor the marker that selects it)"


FILLED_IN_CHECK = "docs/test-plan.md is filled in: no [placeholder] of the template is left"
ACCEPTANCE_ROW = "| every example, one request at a time | acceptance, through the API |"


@pytest.mark.parametrize(
    "words",
    [
        # A parametrised test's id, without backticks: its brackets are pytest's.
        f"{ACCEPTANCE_ROW} tests/test_acceptance.py::test_acceptance_criterion[overlap] |",
        # A GitHub alert: Markdown's own brackets.
        f"> [!NOTE]\n> The thresholds are agreed with SRE before the run.\n\n{ACCEPTANCE_ROW} x |",
        # A block the writer folded is their text, read as the rest of the plan is.
        f"<details>\n<summary>Who agrees the thresholds</summary>\n\nSRE, before the run.\n\n"
        f"</details>\n\n{ACCEPTANCE_ROW} x |",
    ],
    ids=["bare-test-id", "github-alert", "writers-folded-block"],
)
def test_a_plan_with_brackets_of_its_own_is_filled_in(service, words):
    text = (service / PLAN).read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(ACCEPTANCE_ROW))
    (service / PLAN).write_text(text.replace(row, words), encoding="utf-8")
    found = verdicts(judge("05.4"))
    assert found[FILLED_IN_CHECK] == "", found


@pytest.mark.parametrize(
    ("words", "left"),
    [
        (f"{ACCEPTANCE_ROW} [test id] |", "[test id]"),
        (
            f"> [!NOTE]\n> [who agrees the thresholds]\n\n{ACCEPTANCE_ROW} x |",
            "[who agrees the thresholds]",
        ),
        (
            f"<details>\n<summary>Who agrees the thresholds</summary>\n\n[team name]\n\n"
            f"</details>\n\n{ACCEPTANCE_ROW} x |",
            "[team name]",
        ),
    ],
    ids=["after-a-space", "inside-an-alert", "inside-the-writers-folded-block"],
)
def test_a_placeholder_beside_brackets_of_the_writers_is_still_named(service, words, left):
    text = (service / PLAN).read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(ACCEPTANCE_ROW))
    (service / PLAN).write_text(text.replace(row, words), encoding="utf-8")
    found = verdicts(judge("05.4"))
    assert failed(found) == [FILLED_IN_CHECK], found
    assert found[FILLED_IN_CHECK] == f"{left} is still a placeholder"


def test_a_deleted_plan_is_one_clear_line_and_nothing_changes(service):
    (service / PLAN).unlink()
    before = sorted(
        path.relative_to(service) for path in service.rglob("*") if ".git" not in path.parts
    )
    result = judge("05.4")
    assert "test-plan.md does not exist yet" in result.outcomes[0].found
    assert "Traceback" not in " ".join(result.lines())
    after = sorted(
        path.relative_to(service) for path in service.rglob("*") if ".git" not in path.parts
    )
    assert after == before


@pytest.mark.parametrize(
    ("threshold", "value"),
    [
        ("at least twenty requests a second", 20),
        ("at least one thousand two hundred requests a minute", 20),
        # Every word of the number: twenty-five is not the model's twenty.
        ("at least twenty-five requests a second", 25),
    ],
)
def test_the_plan_parser_reads_numbers_in_words(threshold, value):
    text = (
        "## SLO thresholds for load tests\n\n| Measure | Threshold |\n| --- | --- |\n"
        f"| throughput | {threshold} |\n"
    )
    assert testplan.thresholds(text)["throughput"].value == pytest.approx(value)


def prose_thresholds(sentences: str) -> dict[str, float | None]:
    section = f"## SLO thresholds for load tests\n\n{sentences}\n"
    return {measure: found.value for measure, found in testplan.thresholds(section).items()}


# "It" is the measure named in the sentence before when the number is in its unit, or in none;
# not when it is the test, the users or the budget, whose numbers count something else.
@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ("We measure the p95 latency. It stays under 300 ms.", {"p95 latency": 300}),
        ("We measure the p95 latency. That must not exceed 300.", {"p95 latency": 300}),
        ("We count failed requests. They stay under 0.5%.", {"failed requests": 0.005}),
        # The test's "it", in a sentence whose own unit names the measure it keeps.
        (
            "We run the test for 10 minutes. It must keep 50 requests per second.",
            {"throughput": 50},
        ),
        (
            "The load test runs 10 minutes. It keeps the p95 latency under 300 ms.",
            {"p95 latency": 300},
        ),
        ("We measure the throughput. It ramps up within 30 s.", {}),
        # The budget's "it": the budget's own sentence states the failures allowed.
        ("The error budget is 1%. It resets monthly.", {"failed requests": 0.01}),
        (
            "We measure the p95 latency. It must stay under 300 ms for 10 minutes.",
            {"p95 latency": 300},
        ),
        (
            "The load test measures the p95 latency. It runs for up to 10 minutes.",
            {},
        ),
        (
            "We measure the p95 latency. This takes at most 10 minutes.",
            {},
        ),
        (
            "We measure the p95 latency. It uses no more than 50 users.",
            {},
        ),
        (
            "We measure the throughput. This runs for at least 10 minutes.",
            {},
        ),
        (
            "We count failed requests. They are retried up to 3 times.",
            {},
        ),
        ("We track the error budget. It resets within 30 days.", {}),
        # "the one" is no number; "its limit" states one.
        pytest.param(
            "The p95 latency is the one that matters. It stays under 300 ms.",
            {"p95 latency": 300},
        ),
        (
            "We measure the p95 latency. Its limit is 300 ms.",
            {"p95 latency": 300},
        ),
        # A link or the run's circumstance before "it"; "the limit" as "its limit".
        ("We count failed requests. Then they stay under 0.5%.", {"failed requests": 0.005}),
        (
            "We count failed requests. In each run, they stay under 0.5%.",
            {"failed requests": 0.005},
        ),
        ("We measure the p95 latency. The limit is 300 ms.", {"p95 latency": 300}),
        # The test's limit, in minutes, is no latency's.
        ("We measure the p95 latency. The test limit is 10 minutes.", {}),
        ("We measure the p95 latency. The limit is 10 minutes.", {}),
        ("We measure the p95 latency. Then it runs for up to 10 minutes.", {}),
        # The limit in each run, or a bound the measure's way, is its limit; not another thing's.
        (
            "We measure the p95 latency. The upper limit in each run is 300 ms.",
            {"p95 latency": 300},
        ),
        ("We track the error rate. The maximum is 0.5%.", {"failed requests": 0.005}),
        ("We need throughput. The minimum is twenty.", {"throughput": 20}),
        ("We measure the p95 latency. The target of the warm-up is 2 minutes.", {}),
        ("We measure the p95 latency. The limit of the ramp-up is 50 users.", {}),
        ("We measure the p95 latency. The minimum is 300 ms.", {}),
    ],
    ids=[
        "it-the-latency",
        "that-the-latency",
        "they-the-failures",
        "it-the-test-keeping-a-rate",
        "it-the-test-keeping-the-latency",
        "it-the-throughput-ramping-up-in-seconds",
        "it-the-error-budget",
        "it-the-latency-for-minutes",
        "it-the-test-running-minutes",
        "this-the-test-taking-minutes",
        "it-the-test-using-users",
        "this-the-test-running-minutes-after-the-throughput",
        "they-the-failures-retried-times",
        "it-the-budget-resetting-in-days",
        "the-one-that-matters",
        "its-limit-is",
        "then-they-the-failures",
        "in-each-run-they-the-failures",
        "the-limit-is",
        "the-test-limit-in-minutes",
        "the-limit-in-minutes",
        "then-it-the-test-running-minutes",
        "the-upper-limit-in-each-run",
        "the-maximum-of-the-error-rate",
        "the-minimum-of-the-throughput",
        "the-target-of-the-warm-up-in-minutes",
        "the-limit-of-the-ramp-up-in-users",
        "the-minimum-of-the-latency",
    ],
)
def test_a_sentence_after_a_measure_gives_it_only_a_number_it_can_have(sentences, expected):
    assert prose_thresholds(sentences) == pytest.approx(expected)


@pytest.mark.parametrize(
    "prose",
    [
        SPLIT_THRESHOLDS.replace(
            "It stays under 300 ms.", "It runs for up to 10 minutes. It stays under 300 ms."
        ),
        SPLIT_THRESHOLDS.replace(
            "We measure the p95 latency. It stays under 300 ms.",
            "We measure the p95 latency. Its limit is 300 ms.",
        ),
        SPLIT_THRESHOLDS.replace("They stay", "Then they stay").replace(
            "It stays under 300 ms.", "The limit is 300 ms."
        ),
        SPLIT_THRESHOLDS.replace(
            "It stays under 300 ms.", "The upper limit in each run is 300 ms."
        ).replace("They stay under 0.5%.", "The maximum is 0.5%."),
        # The test's length in seconds, a latency's unit, is no latency limit.
        SPLIT_THRESHOLDS.replace(
            "It stays under 300 ms.", "It runs for up to 60 s. It stays under 300 ms."
        ),
        SPLIT_THRESHOLDS.replace("It stays under 300 ms.", "The SLO is 300 ms.").replace(
            "They stay under 0.5%.", "The limit, of course, is 0.5%."
        ),
        # What "it" takes: a minute is the run's, a fraction of a second a request's.
        SPLIT_THRESHOLDS.replace(
            "It stays under 300 ms.", "It takes up to 60 s. It stays under 300 ms."
        ),
        SPLIT_THRESHOLDS.replace(
            "We measure the p95 latency. It stays under 300 ms.",
            "The load test measures the p95 latency. It takes under 0.3 s.",
        ),
    ],
    ids=[
        "the-test-runs-for-minutes-between",
        "its-limit-is",
        "then-they-and-the-limit-is",
        "the-upper-limit-in-each-run-and-the-maximum",
        "the-test-runs-for-seconds-between",
        "the-slo-is-and-the-limit-of-course",
        "it-takes-a-minute-between",
        "it-takes-a-fraction-of-a-second-after-the-test",
    ],
)
def test_a_plan_whose_it_is_the_test_is_accepted(service, prose):
    change(service, PLAN, SIDEWAYS[0], prose)
    result = judge("05.4")
    assert result.failed == (), result.lines()


# --- Other correct answers: tests in classes, own fixtures, another contract tool --------------

CLASS_WITH_OWN_CLIENT_TEST = """
import pytest
from fastapi.testclient import TestClient

from booking_service.core.config import Settings
from booking_service.main import create_app

NINE_TO_TEN = ("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z")


class TestOverlapAcrossRequests:
    @pytest.mark.parametrize(
        "second",
        [("2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z"), NINE_TO_TEN],
        ids=["half-overlapping", "the-same-slot"],
    )
    def test_a_second_booking_in_the_way_is_refused(self, tmp_path, second):
        app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
        with TestClient(app) as api:
            room = api.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
            url = f"/rooms/{room['id']}/bookings"
            body = {"organiser": "a@example.com", "attendees": 2}
            first = api.post(url, json={**body, "start": NINE_TO_TEN[0], "end": NINE_TO_TEN[1]})
            assert first.status_code == 201, first.text
            again = api.post(url, json={**body, "start": second[0], "end": second[1]})
            assert again.status_code == 409, again.text
"""

OWN_CONFTEST_FIXTURE = """
import pytest
from fastapi.testclient import TestClient

from booking_service.core.config import Settings
from booking_service.main import create_app


@pytest.fixture
def room(tmp_path):
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app) as api:
        made = api.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
        yield api, f"/rooms/{made['id']}/bookings"
"""

OWN_CONFTEST_FIXTURE_TEST = """
def test_an_overlap_in_a_later_request_is_refused(room):
    api, url = room
    body = {"organiser": "a@example.com", "attendees": 2}
    slot = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z"}
    assert api.post(url, json={**body, **slot}).status_code == 201
    slot = {"start": "2030-01-07T09:30:00Z", "end": "2030-01-07T10:30:00Z"}
    assert api.post(url, json={**body, **slot}).status_code == 409
"""

JSONSCHEMA_CONTRACT_TEST = """
from pathlib import Path

import jsonschema
import pytest
import yaml
from fastapi.testclient import TestClient
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from booking_service.core.config import Settings
from booking_service.main import create_app

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
REGISTRY = Registry().with_resource("spec.yaml", DRAFT202012.create_resource(SPEC))


def keeps_the_spec(path, method, response):
    documented = SPEC["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, (response.status_code, response.text)
    promised = documented[str(response.status_code)]
    while "$ref" in promised:
        promised = SPEC["components"]["responses"][promised["$ref"].rpartition("/")[2]]
    media_type = response.headers["content-type"].partition(";")[0]
    schema = promised["content"][media_type]["schema"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": "spec.yaml" + schema["$ref"]}, registry=REGISTRY
    )
    validator.validate(response.json())


@pytest.fixture
def api(tmp_path):
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="WARNING"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("attendees", [2, 6, 7], ids=["fits", "full", "too-many"])
def test_a_booking_is_answered_as_the_spec_says(api, attendees):
    room = api.post("/rooms", json={"name": "Ada", "capacity": 6})
    keeps_the_spec("/rooms", "post", room)
    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T10:00:00Z", "attendees": attendees}
    booked = api.post(f"/rooms/{room.json()['id']}/bookings", json=body)
    keeps_the_spec("/rooms/{room_id}/bookings", "post", booked)
"""

LIVE_SERVER_CONTRACT_TEST = """
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, status_code_conformance

schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "openapi.yaml")


@pytest.fixture(scope="module")
def room_id(live_server):
    import httpx

    made = httpx.post(f"{live_server.url}/rooms", json={"name": "Contract", "capacity": 10_000})
    return made.json()["id"]


# The operations that change something: the learner's choice of what to run over the network.
CHANGES = [result.ok() for result in schema.get_all_operations() if result.ok().method == "post"]


@pytest.mark.parametrize("operation", CHANGES, ids=lambda operation: operation.label)
def test_every_answer_keeps_the_spec(operation, live_server, room_id):
    def in_the_room(case):
        if case.path_parameters and "room_id" in case.path_parameters:
            case.path_parameters = {**case.path_parameters, "room_id": room_id}
        return case

    strategy = operation.as_strategy()

    @settings(max_examples=10, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategy, strategy.map(in_the_room)))
    def check(case):
        case.call_and_validate(
            base_url=live_server.url, checks=[not_a_server_error, status_code_conformance]
        )

    check()
"""


SCHEMATHESIS_CLI_CONTRACT_TEST = """
import subprocess
import sys
from pathlib import Path

import httpx

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_schemathesis_finds_no_broken_promise(live_server):
    room = {"name": "Contract (CLI)", "capacity": 10_000}
    httpx.post(f"{live_server.url}/rooms", json=room).raise_for_status()
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(SPEC), "--url", live_server.url,
        "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
        "--include-method", "POST", "--mode", "positive", "--phases", "examples,fuzzing",
        "--max-examples", "10", "--generation-deterministic",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
"""


REQUESTS_LIVE_SERVER_TEST = """
import uuid

import requests


def test_an_overlap_booked_in_a_later_request_is_refused(live_server):
    with requests.Session() as http:
        name = f"Ada {uuid.uuid4().hex[:8]}"
        room = http.post(f"{live_server.url}/rooms", json={"name": name, "capacity": 6}).json()
        url = f"{live_server.url}/rooms/{room['id']}/bookings"
        body = {"organiser": "a@example.com", "attendees": 2}
        slot = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z"}
        assert http.post(url, json={**body, **slot}).status_code == 201
        slot = {"start": "2030-01-07T09:30:00Z", "end": "2030-01-07T10:30:00Z"}
        second = http.post(url, json={**body, **slot})
        assert second.status_code == 409, second.text
        assert second.json()["type"] == "/problems/overlap"
"""

HTTPX_CLIENT_LIVE_SERVER_TEST = """
import uuid

import httpx


def test_an_overlap_booked_in_a_later_request_is_refused(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        room = http.post("/rooms", json={"name": f"Ada {uuid.uuid4().hex[:8]}", "capacity": 6})
        url = f"/rooms/{room.json()['id']}/bookings"
        body = {"organiser": "a@example.com", "attendees": 2}
        first = http.post(url, json={**body, "start": "2030-01-07T09:00:00Z",
                                     "end": "2030-01-07T10:00:00Z"})
        second = http.post(url, json={**body, "start": "2030-01-07T09:30:00Z",
                                      "end": "2030-01-07T10:30:00Z"})
    assert (first.status_code, second.status_code) == (201, 409), second.text
"""

UNITTEST_CASE_TEST = """
import unittest

from fastapi.testclient import TestClient

from booking_service.core.config import Settings
from booking_service.main import create_app


class OverlapAcrossRequests(unittest.TestCase):
    def setUp(self):
        import tempfile
        from pathlib import Path

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        app = create_app(Settings(database=Path(folder.name) / "bookings.db", log_level="WARNING"))
        self.api = self.enterContext(TestClient(app))

    def test_a_second_overlapping_booking_is_refused(self):
        room = self.api.post("/rooms", json={"name": "Ada", "capacity": 6}).json()
        url = f"/rooms/{room['id']}/bookings"
        body = {"organiser": "a@example.com", "attendees": 2}
        first = self.api.post(url, json={**body, "start": "2030-01-07T09:00:00Z",
                                         "end": "2030-01-07T10:00:00Z"})
        self.assertEqual(first.status_code, 201, first.text)
        second = self.api.post(url, json={**body, "start": "2030-01-07T09:30:00Z",
                                          "end": "2030-01-07T10:30:00Z"})
        self.assertEqual(second.status_code, 409, second.text)
"""

SCHEMATHESIS_CALL_THEN_VALIDATE_CONTRACT_TEST = """
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from booking_service.core.config import Settings
from booking_service.main import create_app

schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "openapi.yaml")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    app = create_app(Settings(database=tmp_path_factory.mktemp("c") / "b.db", log_level="WARNING"))
    with TestClient(app) as client:
        room = client.post("/rooms", json={"name": "Contract", "capacity": 10_000}).json()
        yield app, room["id"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_the_service_answers_as_the_spec_says(operation, state):
    app, room_id = state

    def in_the_room(case):
        if case.path_parameters and "room_id" in case.path_parameters:
            case.path_parameters = {**case.path_parameters, "room_id": room_id}
        return case

    strategy = operation.as_strategy()

    @settings(max_examples=10, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategy, strategy.map(in_the_room)))
    def answered_as_promised(case):
        # Sent, then judged, in two steps.
        response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    answered_as_promised()
"""

REQUESTS_OPENAPI_VALIDATOR_CONTRACT_TEST = """
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from openapi_schema_validator import OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
REGISTRY = Registry().with_resource("spec", DRAFT202012.create_resource(SPEC))


def promised(path, method, status):
    answers = SPEC["paths"][path][method]["responses"]
    assert str(status) in answers, f"{method.upper()} {path} may not answer {status}"
    answer = answers[str(status)]
    while "$ref" in answer:
        answer = SPEC["components"]["responses"][answer["$ref"].rpartition("/")[2]]
    return answer


def keeps_the_spec(path, method, response):
    answer = promised(path, method, response.status_code)
    for header in answer.get("headers", {}):
        assert header in response.headers, f"no {header} header"
    if "content" not in answer:
        return
    media_type = response.headers["content-type"].partition(";")[0]
    schema = answer["content"][media_type]["schema"]
    OAS31Validator({"$ref": "spec" + schema["$ref"]}, registry=REGISTRY).validate(response.json())


@pytest.mark.parametrize("attendees", [2, 10_001], ids=["fits", "too-many"])
def test_a_booking_is_answered_as_the_spec_says(live_server, attendees):
    with requests.Session() as http:
        room = http.post(f"{live_server.url}/rooms",
                         json={"name": f"Contract {uuid.uuid4().hex[:8]}", "capacity": 10_000})
        keeps_the_spec("/rooms", "post", room)
        body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
                "end": "2030-01-07T10:00:00Z", "attendees": attendees}
        booked = http.post(f"{live_server.url}/rooms/{room.json()['id']}/bookings", json=body)
        keeps_the_spec("/rooms/{room_id}/bookings", "post", booked)
"""


@pytest.mark.parametrize(
    ("exercise", "files"),
    [
        # A test class, parametrised with ids, each test making its own TestClient (a context
        # manager: the app's start-up migrates) on a database file in tmp_path.
        ("05.1", {INTEGRATION: CLASS_WITH_OWN_CLIENT_TEST}),
        # A fixture of its own, in tests/integration/conftest.py.
        (
            "05.1",
            {
                "tests/integration/conftest.py": OWN_CONFTEST_FIXTURE,
                INTEGRATION: OWN_CONFTEST_FIXTURE_TEST,
            },
        ),
        # Another tool: each answer checked against the spec's schemas with jsonschema.
        ("05.2", {"tests/contract/test_contract.py": JSONSCHEMA_CONTRACT_TEST}),
        # What the exercise's text suggests: schemathesis sends to the real server (live_server).
        ("05.2", {"tests/contract/test_contract.py": LIVE_SERVER_CONTRACT_TEST}),
        # Schemathesis's command line, run by a test against the real server.
        ("05.2", {"tests/contract/test_contract.py": SCHEMATHESIS_CLI_CONTRACT_TEST}),
        # Other clients over a real socket: requests, httpx.Client; and unittest's TestCase.
        ("05.1", {INTEGRATION: REQUESTS_LIVE_SERVER_TEST}),
        ("05.1", {INTEGRATION: HTTPX_CLIENT_LIVE_SERVER_TEST}),
        ("05.1", {INTEGRATION: UNITTEST_CASE_TEST}),
        # Schemathesis sending and judging in two steps, with every check it has.
        (
            "05.2",
            {"tests/contract/test_contract.py": SCHEMATHESIS_CALL_THEN_VALIDATE_CONTRACT_TEST},
        ),
        # Hand-written, with requests against the real server and openapi-schema-validator.
        ("05.2", {"tests/contract/test_contract.py": REQUESTS_OPENAPI_VALIDATOR_CONTRACT_TEST}),
    ],
    ids=[
        "class-parametrised-own-client",
        "own-conftest-fixture",
        "jsonschema",
        "live-server",
        "schemathesis-cli",
        "requests-live-server",
        "httpx-client-live-server",
        "unittest-test-case",
        "schemathesis-call-then-validate",
        "requests-openapi-schema-validator",
    ],
)
def test_tests_organised_another_way_are_accepted(service, exercise, files):
    for relative, source in files.items():
        (service / relative).write_text(source, encoding="utf-8")
    result = judge(exercise)
    assert result.failed == (), result.lines()
