"""Stage 05's helpers and checks: each kind of mistake gets its verdict and its message.

The server and load-test helpers start real child processes; every test that does so also
proves that none is left behind. Runs that cost seconds (pytest in a child process, Locust)
are made once per module and shared.
"""

from __future__ import annotations

import json
import statistics
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from onboarding.stages.testing_load import LoadRun, expand_histogram, load_test_seconds
from onboarding.stages.testing_server import ServerDidNotStart

from onboarding.checks import CheckFailed, evaluate
from onboarding.stages import testing


def children() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    ]


def message(check) -> str:
    """The ❌ text a check cell would print for this expectation (empty when it passes)."""
    result = evaluate("expectation", check)
    return "" if result.passed else result.found


# --- running_server ---------------------------------------------------------------------------


def test_running_server_serves_over_http_and_stops_afterwards():
    """Inside the block a child uvicorn is ready; afterwards no child, no listener."""
    before = {child.pid for child in children()}
    with testing.running_server() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/health/ready").json() == {"status": "ok", "schema_version": 2}
        started = [child for child in children() if child.pid not in before]
        assert any("uvicorn" in " ".join(child.cmdline()) for child in started)
    assert not testing.answers(base_url)
    assert {child.pid for child in children()} == before


def test_running_server_stops_even_when_the_body_raises():
    """An exception in the block still stops the server, and the exception gets through."""
    before = {child.pid for child in children()}
    with pytest.raises(RuntimeError, match="a test failed"):
        with testing.running_server() as base_url:
            raise RuntimeError("a test failed")
    assert not testing.answers(base_url)
    assert {child.pid for child in children()} == before


def test_a_server_that_cannot_start_is_reported_with_its_output():
    """A factory that does not import: ServerDidNotStart quoting uvicorn, and no child left."""
    before = {child.pid for child in children()}
    with pytest.raises(ServerDidNotStart, match="Could not import module"):
        with testing.running_server("no_such_module:create_app"):
            pytest.fail("the block must not run")
    assert {child.pid for child in children()} == before


# --- run_pytest -----------------------------------------------------------------------------


def test_run_pytest_counts_what_a_marker_expression_selects(tmp_path):
    """Markers select tests; the counts come back as pytest words them."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers\nmarkers =\n    load: slow\n"
    )
    (tmp_path / "test_demo.py").write_text(
        textwrap.dedent(
            """\
            import pytest

            def test_fast():
                assert True

            def test_wrong():
                assert 1 == 2

            @pytest.mark.load
            def test_slow():
                assert True
            """
        )
    )
    outcome = testing.run_pytest(tmp_path, "-m", "not load")
    assert (outcome.passed, outcome.failed, outcome.deselected) == (1, 1, 1)
    assert outcome.counts() == "1 passed, 1 failed, 1 deselected"
    assert outcome.summary() == "1 passed, 1 failed, 1 deselected: assert 1 == 2"


# --- Exercise 05.1 ----------------------------------------------------------------------------

BOOKING = (
    '{"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z", '
    '"end": "2030-01-07T10:00:00Z", "attendees": 2}'
)
TEST_FILES = {
    "good": f"""
        def test_overlap_across_requests(client):
            room = client.post("/rooms", json={{"name": "Ada", "capacity": 4}}).json()
            body = {BOOKING}
            assert client.post(f"/rooms/{{room['id']}}/bookings", json=body).status_code == 201
            later = {{**body, "start": "2030-01-07T09:30:00Z", "end": "2030-01-07T10:30:00Z"}}
            assert client.post(f"/rooms/{{room['id']}}/bookings", json=later).status_code == 409
        """,
    "passes_on_the_bug": f"""
        def test_one_booking(client):
            room = client.post("/rooms", json={{"name": "Ada", "capacity": 4}}).json()
            body = {BOOKING}
            assert client.post(f"/rooms/{{room['id']}}/bookings", json=body).status_code == 201
        """,
    "fails_on_correct_code": f"""
        def test_wrong_status(client):
            room = client.post("/rooms", json={{"name": "Ada", "capacity": 4}}).json()
            body = {BOOKING}
            assert client.post(f"/rooms/{{room['id']}}/bookings", json=body).status_code == 200
        """,
}


@pytest.fixture(scope="module")
def integration_checks(tmp_path_factory) -> dict[str, testing.IntegrationTestCheck]:
    """The three runnable test files, each run against the service and the bug, in parallel."""
    folder = tmp_path_factory.mktemp("exercise-05-1")
    checks = {}
    for name, source in TEST_FILES.items():
        path = folder / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        checks[name] = testing.IntegrationTestCheck(path)
    with ThreadPoolExecutor(max_workers=len(checks)) as pool:
        list(pool.map(lambda check: check.outcomes, checks.values()))
    return checks


def test_a_good_integration_test_passes_every_expectation(integration_checks):
    """201 then 409 across two requests: passes on the service, fails on the planted bug."""
    check = integration_checks["good"]
    for expectation in (
        check.require_tests,
        check.require_assertions,
        check.require_pass_on_reference,
        check.require_fail_on_planted_bug,
    ):
        assert message(expectation) == ""


def test_a_test_that_passes_on_the_buggy_variant_is_named(integration_checks):
    """One booking only: green on the bug too, so it would not catch it."""
    check = integration_checks["passes_on_the_bug"]
    assert message(check.require_pass_on_reference) == ""
    assert message(check.require_fail_on_planted_bug) == (
        "your test passes even when the overlap check ignores earlier bookings, "
        "so it would not catch that bug"
    )


def test_a_test_that_fails_on_correct_code_quotes_its_failure(integration_checks):
    """Expecting 200 for a new booking: fails on the real service, with pytest's E line."""
    found = message(integration_checks["fails_on_correct_code"].require_pass_on_reference)
    assert found.startswith("your test fails against the correct service (1 failed): ")
    assert "assert 201 == 200" in found


def write(tmp_path: Path, source: str) -> testing.IntegrationTestCheck:
    path = tmp_path / "test_integration.py"
    path.write_text(textwrap.dedent(source))
    return testing.IntegrationTestCheck(path)


def test_a_test_without_assertions_is_named(tmp_path):
    """Requests but no assert: the test's name and why that cannot catch anything."""
    check = write(
        tmp_path,
        """
        def test_overlap(client):
            client.post("/rooms", json={"name": "Ada", "capacity": 4})
        """,
    )
    assert message(check.require_tests) == ""
    assert message(check.require_assertions) == (
        "test_overlap has no assert, so it passes whatever the service answers"
    )


def test_pytest_raises_counts_as_an_assertion(tmp_path):
    """A test may fail through pytest.raises or pytest.fail as well as through assert."""
    check = write(
        tmp_path,
        """
        import pytest

        def test_refused(client):
            with pytest.raises(KeyError):
                {}["x"]
        """,
    )
    assert message(check.require_assertions) == ""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def test_x(client)\n    pass\n", "test_integration.py is not valid Python: line 1:"),
        ("x = 1\n", "test_integration.py has no test function"),
    ],
    ids=["syntax-error", "no-test-function"],
)
def test_a_file_that_is_not_a_test_is_named_before_anything_runs(tmp_path, source, expected):
    check = write(tmp_path, source)
    assert message(check.require_tests).startswith(expected)


def test_a_missing_test_file_says_which_cell_to_run(tmp_path):
    check = testing.IntegrationTestCheck(tmp_path / "test_integration.py")
    assert message(check.require_tests) == (
        "test_integration.py does not exist yet — run the %%writefile cell that creates it"
    )


def test_the_planted_bug_is_undone_afterwards(tmp_path):
    """overlap_check_ignores_earlier_bookings restores the real rule when the block ends."""
    from bookings import crud

    original = crud.check_no_overlap
    with testing.overlap_check_ignores_earlier_bookings():
        assert crud.check_no_overlap is not original
    assert crud.check_no_overlap is original


# --- Exercise 05.2 ----------------------------------------------------------------------------


def solution_app_source() -> str:
    """drifted_app.py as the solution notebook writes it (fixed), and as the exercise (drifted)."""
    from onboarding import notebooks
    from tests.conftest import COURSE_ROOT

    solution = notebooks.read(COURSE_ROOT / "solutions" / "05_testing.ipynb")
    for cell in solution["cells"]:
        source = notebooks.source_of(cell)
        if source.startswith("%%writefile drifted_app.py"):
            return source.split("\n", 1)[1]
    raise AssertionError("the solution has no drifted_app.py cell")


@pytest.fixture(scope="module")
def app_files(tmp_path_factory) -> dict[str, Path]:
    from onboarding.generator import stub_for

    folder = tmp_path_factory.mktemp("exercise-05-2")
    fixed = solution_app_source()
    drifted = stub_for("%%writefile drifted_app.py\n" + fixed, "05.2", "test").split("\n", 1)[1]
    crashing = fixed.replace(
        "    return crud.get_booking(db, booking_id)",
        "    return crud.get_booking(db, booking_id // 0)",
    )
    files = {"fixed": fixed, "drifted": drifted, "crashing": crashing}
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}_app.py"
        paths[name].write_text(text)
    return paths


def drift_messages(path: Path) -> dict[str, str]:
    check = testing.DriftCheck(path)
    assert message(check.require_report) == ""
    return {name: message(check.require_check(name)) for name, _, _ in testing.DRIFT_EXPECTATIONS}


def test_the_fixed_app_keeps_every_promise(app_files):
    assert set(drift_messages(app_files["fixed"]).values()) == {""}


def test_each_drift_left_unfixed_is_named_in_plain_words(app_files):
    """The exercise's app: a 200 for a new booking, and a booking without cancelled_at."""
    found = drift_messages(app_files["drifted"])
    assert found["status_code_conformance"] == (
        "schemathesis found: POST /rooms/{room_id}/bookings: answered 200, "
        "but the spec documents only 201, 404, 409, 422"
    )
    assert found["response_schema_conformance"] == (
        "schemathesis found: GET /bookings/{booking_id}: a 200 response breaks its schema "
        'at the body: "cancelled_at" is a required property'
    )
    others = {"not_a_server_error", "content_type_conformance", "response_headers_conformance"}
    assert all(found[name] == "" for name in others)


def test_a_crash_is_reported_as_a_server_error(app_files):
    """Code that raises answers 500: named as a server error and as an undocumented status."""
    found = drift_messages(app_files["crashing"])
    assert found["not_a_server_error"] == (
        "schemathesis found: GET /bookings/{booking_id}: the service failed with 500"
    )
    assert "answered 500" in found["status_code_conformance"]


def test_an_app_file_without_create_app_is_named(tmp_path):
    path = tmp_path / "drifted_app.py"
    path.write_text("x = 1\n")
    assert message(testing.DriftCheck(path).require_report) == (
        "drifted_app.py has no create_app(settings) function"
    )


def test_a_missing_app_file_says_which_cell_to_run(tmp_path):
    check = testing.DriftCheck(tmp_path / "drifted_app.py")
    assert message(check.require_report) == (
        "drifted_app.py does not exist yet — run the %%writefile cell that creates it"
    )
    assert message(check.require_check("status_code_conformance")) == (
        "the contract test did not run"
    )


# --- Exercise 05.3 ----------------------------------------------------------------------------


def p95(values):
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def correct(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return (
        p95(run.latencies_ms) < p95_limit_ms
        and run.requests_per_second >= min_rps
        and run.error_rate < max_error_rate
    )


def always_true(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return True


def always_false(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return False


def fixed_threshold(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return p95(run.latencies_ms) < 300 and run.requests_per_second >= min_rps


def latency_only(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return p95(run.latencies_ms) < p95_limit_ms


def by_the_mean(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return (
        statistics.mean(run.latencies_ms) < p95_limit_ms
        and run.requests_per_second >= min_rps
        and run.error_rate < max_error_rate
    )


def by_the_maximum(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    return (
        max(run.latencies_ms) < p95_limit_ms
        and run.requests_per_second >= min_rps
        and run.error_rate < max_error_rate
    )


def returns_nothing(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
    p95(run.latencies_ms)


@pytest.fixture(scope="module")
def slow_run() -> LoadRun:
    """One real, very short load test against the planted slow endpoint, for every test."""
    return testing.planted_slow_run()


@pytest.fixture
def slo_check(slow_run, monkeypatch):
    monkeypatch.setattr(testing, "planted_slow_run", lambda: slow_run)
    return testing.SloCheck


def test_the_planted_slow_endpoint_is_measured_as_slow(slow_run):
    """The variant's busiest endpoint sleeps 450 ms, so p95 is at least that; no failures."""
    assert slow_run.requests > 0
    assert testing.percentile(slow_run.latencies_ms, 0.95) >= 450
    assert slow_run.failures == 0
    assert not children()


def test_a_correct_slo_function_passes_every_expectation(slo_check):
    check = slo_check(correct)
    for name in dir(check):
        if name.startswith("require_"):
            assert message(getattr(check, name)) == "", name


@pytest.mark.parametrize("constant", [always_true, always_false], ids=lambda f: f.__name__)
def test_a_constant_slo_function_is_named(slo_check, constant):
    expected = "True" if constant is always_true else "False"
    assert message(slo_check(constant).require_depends_on_data) == (
        f"meets_slo said {expected} both for a fast run and for one whose p95 is 400 ms: "
        "compute the 95th percentile of run.latencies_ms and compare it with p95_limit_ms"
    )


def test_an_slo_function_that_ignores_the_threshold_is_named(slo_check):
    check = slo_check(fixed_threshold)
    assert message(check.require_depends_on_data) == ""
    assert message(check.require_p95_limit_used) == (
        "for a run with p95 = 350 ms it said False with p95_limit_ms=400 and False with the "
        "default 300 ms; expected True, then False"
    )


def test_an_slo_function_that_ignores_rate_and_errors_is_named(slo_check):
    check = slo_check(latency_only)
    assert message(check.require_rate_used).startswith(
        "for a fast run at only 5 req/s it said True with the default min_rps=20"
    )
    assert message(check.require_error_rate_used).startswith(
        "for a fast run with 5% failed requests it said True"
    )
    # Latency alone is enough to say no to the planted slow endpoint.
    assert message(check.require_planted_slow_endpoint_fails) == ""


@pytest.mark.parametrize("judge", [by_the_mean, by_the_maximum], ids=lambda f: f.__name__)
def test_judging_by_the_mean_or_the_maximum_is_named(slo_check, judge):
    """Rare 10 s outliers: p95 is fast, but the mean and the maximum are not."""
    assert message(slo_check(judge).require_p95_not_mean_or_max).startswith(
        "it said no to a run where 97% of requests are fast and 3% take 10 s"
    )


def test_a_function_that_says_yes_to_the_slow_endpoint_is_named(slo_check):
    """Only the real run catches a function that passes everything with generous limits."""

    def generous(run, p95_limit_ms=300.0, min_rps=20.0, max_error_rate=0.005):
        return correct(run, p95_limit_ms, min_rps, max_error_rate) or run.requests < 500

    assert message(slo_check(generous).require_planted_slow_endpoint_fails) == (
        "meets_slo said yes to a real run against a service whose busiest endpoint takes 450 ms "
        "longer"
    )


def test_a_function_that_returns_nothing_is_told_to_return_a_bool(slo_check):
    assert message(slo_check(returns_nothing).require_depends_on_data) == (
        "meets_slo returned None (NoneType); return True or False"
    )


# --- LoadRun and friends --------------------------------------------------------------------


def test_a_load_run_reads_locusts_json():
    """Histograms become one latency per request; seconds, rate and errors follow."""
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
    assert run.per_second == (1, 1, 2)
    assert list(run.endpoints) == ["GET /a", "POST /b"]
    assert testing.summary_lines(run)[0] == "4 requests in 4.0 s: 1.0 req/s, 25.00% failed"


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert testing.percentile(values, 0.95) == 95
    assert testing.percentile(values, 0.5) == 50
    assert testing.percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        testing.percentile([], 0.95)


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


def test_slo_lines_name_each_criterion_without_numbers_measured():
    assert testing.slo_lines(testing.SLOW_RUN) == [
        "❌ p95 latency under 300 ms",
        "✅ at least 20 requests a second",
        "✅ under 0.5% failed",
    ]


def test_check_failed_is_what_the_checks_raise():
    """The check cells rely on CheckFailed for their ❌ lines, not on AssertionError text."""
    with pytest.raises(CheckFailed):
        testing.SloCheck(always_true).require_slow_run_fails()
