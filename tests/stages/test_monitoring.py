"""Stage 08's checks of 08.1 and 08.2: each mistake gets its verdict and its message.

08.1's problem functions are fed scrapes of the course's reference service, instrumented in this
process in the ways a learner might (right, and wrong); the end-to-end runs of a learner's own
project in a child process are in test_monitoring_project.py.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
import re
import time
from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Summary,
    generate_latest,
)
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from bookings.core.config import Settings
from bookings.main import create_app
from onboarding import notebooks
from onboarding.artefacts import exposition
from onboarding.checks import CheckFailed, Given, require, run_expectations
from onboarding.stages import monitoring
from onboarding.stages.monitoring import instrumentation, paging, service_driver, service_probe
from onboarding.stages.monitoring.checks import EXERCISES
from onboarding.stages.monitoring.instrumentation import BOOM, CALLS, METRICS_PATH, Scrape
from onboarding.stages.monitoring.paging import Window
from tests.conftest import COURSE_ROOT

SOLUTION = COURSE_ROOT / "solutions" / "08_monitoring.ipynb"


# --- 08.1: instrument() ------------------------------------------------------------------------


def make_instrument(
    *,
    labels=("method", "route", "code"),
    name="http_requests",
    buckets=(0.05, 0.1, 0.3, 1.0),
    histogram=True,
    summary=False,
    route="template",
    unmatched="unmatched",
    survives_errors=True,
    increment=1,
    template_as_declared=lambda template: template,
):
    """A learner's instrument(), right by default, wrong in the ways the arguments say."""

    def instrument(app, registry):
        requests = Counter(name, "Requests.", list(labels), registry=registry)
        if summary:
            duration = Summary(
                "http_request_duration_seconds", "Latency.", ["method", "route"], registry=registry
            )
        elif histogram:
            duration = Histogram(
                "http_request_duration_seconds",
                "Latency.",
                ["method", "route"],
                buckets=buckets,
                registry=registry,
            )

        def record(request, code, started):
            if route == "template":
                declared = getattr(request.scope.get("route"), "path", None)
                matched = template_as_declared(declared) if declared else unmatched
            else:
                matched = request.url.path
            values = {"method": request.method, "route": matched, "code": str(code)}
            values["status"] = values["code"]
            requests.labels(*(values[label] for label in labels)).inc(increment)
            if histogram or summary:
                duration.labels(request.method, matched).observe(time.perf_counter() - started)

        @app.middleware("http")
        async def measure(request, call_next):
            started = time.perf_counter()
            if not survives_errors:
                response = await call_next(request)
                record(request, response.status_code, started)
                return response
            code = 500
            try:
                response = await call_next(request)
                code = response.status_code
                return response
            finally:
                record(request, code, started)

    return instrument


def serve(registry, render=generate_latest):
    from fastapi import Response

    def metrics():
        return Response(render(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


def scrape_of(instrument, tmp_path: Path, render=generate_latest) -> Scrape:
    """Instrument a reference app, drive it as the check's driver does, and read /metrics."""
    app = create_app(Settings(database=tmp_path / "bookings.db", log_level="CRITICAL"))
    registry = CollectorRegistry()
    instrument(app, registry)
    app.add_api_route(METRICS_PATH, serve(registry, render), methods=["GET"])

    def boom():
        raise RuntimeError("a bug in a route")

    app.add_api_route(BOOM, boom)
    plan = {"calls": [asdict(call) for call in CALLS], "metrics_path": METRICS_PATH}
    return service_probe.scrape_from(asyncio.run(service_driver.drive(app, tmp_path, plan)))


CHECKS = {
    "answers": instrumentation.answer_problems,
    "counter": instrumentation.counter_problems,
    "histogram": instrumentation.histogram_problems,
    "routes": instrumentation.route_label_problems,
    "counts": instrumentation.count_problems,
    "errors": instrumentation.error_count_problems,
    "observations": instrumentation.histogram_count_problems,
}


def test_the_model_instrumentation_passes_every_check(tmp_path):
    scrape = scrape_of(make_instrument(), tmp_path)
    assert scrape.answered == [call.code for call in CALLS]
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_openmetrics_output_passes_too(tmp_path):
    scrape = scrape_of(make_instrument(), tmp_path, render=generate_openmetrics)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_other_buckets_and_another_unmatched_label_are_right_too(tmp_path):
    instrument = make_instrument(buckets=(0.025, 0.3, 2.5), unmatched="(none)")
    scrape = scrape_of(instrument, tmp_path)
    assert all(not check(scrape) for check in CHECKS.values())


@pytest.mark.parametrize(
    "choices",
    [
        dict(labels=("route", "code", "method")),
        # prometheus_client takes `_total` off a counter's name and serves it back on.
        dict(name="http_requests_total"),
        # An empty label is how Prometheus writes "no value": still one fixed value.
        dict(unmatched=""),
        dict(buckets=(0.1, 3e-1, 1)),
    ],
    ids=["labels-in-another-order", "counter-named-with-total", "empty-unmatched", "bucket-3e-1"],
)
def test_right_instrumentations_written_other_ways_pass(choices, tmp_path):
    scrape = scrape_of(make_instrument(**choices), tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


@pytest.mark.parametrize(
    "buckets",
    [
        # The library's default buckets with the objective added.
        tuple(sorted({*Histogram.DEFAULT_BUCKETS, 0.3})),
        # +Inf written out, as prometheus_client allows.
        (0.1, 0.3, 1.0, float("inf")),
        # 300 ms given as a fraction that is exactly 0.3.
        (0.1, 300 / 1000, 1.0),
    ],
    ids=["default-buckets-plus-0.3", "explicit-inf", "300-over-1000"],
)
def test_buckets_written_other_ways_with_exactly_0_3_pass(buckets, tmp_path):
    scrape = scrape_of(make_instrument(buckets=buckets), tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_a_boundary_that_is_only_nearly_0_3_is_named(tmp_path):
    """Buckets made by arithmetic, `i * 0.1`, give 0.30000000000000004: Prometheus serves it as
    `le="0.30000000000000004"`, a bucket the SLO's `le="0.3"` never selects."""
    buckets = tuple(step * 0.1 for step in range(1, 11))
    assert 0.3 not in buckets
    scrape = scrape_of(make_instrument(buckets=buckets), tmp_path)
    assert instrumentation.histogram_problems(scrape) == [
        "the bucket boundary is 0.30000000000000004, not exactly 0.3: floating-point arithmetic "
        'such as `3 * 0.1` gives it, and the latency SLO selects `le="0.3"`; write 0.3 itself '
        "in `buckets=(…)`"
    ]


def test_a_counter_and_histogram_named_through_namespace_and_unit_are_right(tmp_path):
    """prometheus_client builds the names from parts: namespace `http` and name `requests`
    serve `http_requests_total`; unit `seconds` ends the histogram's name with `_seconds`."""

    def instrument(app, registry):
        requests = Counter(
            "requests",
            "Requests.",
            ["method", "route", "code"],
            namespace="http",
            registry=registry,
        )
        duration = Histogram(
            "request_duration",
            "Latency.",
            ["method", "route"],
            namespace="http",
            unit="seconds",
            buckets=(0.1, 0.3, 1),
            registry=registry,
        )

        @app.middleware("http")
        async def measure(request, call_next):
            started, code = time.perf_counter(), "500"
            try:
                response = await call_next(request)
                code = str(response.status_code)
                return response
            finally:
                matched = request.scope.get("route")
                route = matched.path if matched else "unmatched"
                requests.labels(request.method, route, code).inc()
                duration.labels(request.method, route).observe(time.perf_counter() - started)

    scrape = scrape_of(instrument, tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_a_base_http_middleware_class_with_keyword_labels_is_right(tmp_path):
    """Starlette's BaseHTTPMiddleware, the route's `path_format`, labels given by keyword in
    another order, and the status code left an int for prometheus_client to write as text."""
    from starlette.middleware.base import BaseHTTPMiddleware

    def instrument(app, registry):
        requests = Counter(
            "http_requests", "Requests.", ["method", "route", "code"], registry=registry
        )
        duration = Histogram(
            "http_request_duration_seconds",
            "Latency.",
            ["method", "route"],
            buckets=(0.1, 0.3, 1),
            registry=registry,
        )

        class Metrics(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                started, code = time.perf_counter(), 500
                try:
                    response = await call_next(request)
                    code = response.status_code
                    return response
                finally:
                    matched = request.scope.get("route")
                    route = matched.path_format if matched else "unmatched"
                    requests.labels(code=code, route=route, method=request.method).inc()
                    duration.labels(route=route, method=request.method).observe(
                        time.perf_counter() - started
                    )

        app.add_middleware(Metrics)

    scrape = scrape_of(instrument, tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


@pytest.mark.parametrize(
    "template_as_declared",
    [
        lambda template: re.sub(r"\{(\w+_id)\}", r"{\1:int}", template),
        lambda template: re.sub(r"\{\w+_id\}", "{id}", template),
    ],
    ids=["with-converters", "other-parameter-names"],
)
def test_route_templates_as_the_learners_routes_declare_them_are_right(
    template_as_declared, tmp_path
):
    """A service whose routes say `/bookings/{booking_id:int}` or `/bookings/{id}` labels its
    requests with those templates: still one value per route, never a raw path."""
    scrape = scrape_of(make_instrument(template_as_declared=template_as_declared), tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


class AsgiMetrics:
    """A learner's middleware written as a pure ASGI class rather than a function: it reads the
    status from the `http.response.start` message and the route from the scope the router
    fills in, and times with time.monotonic()."""

    def __init__(self, app, requests, duration):
        self.app, self.requests, self.duration = app, requests, duration

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.monotonic(), 500

        async def send_and_note(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.duration.labels(scope["method"], route, str(status)).observe(
                time.monotonic() - started
            )


def test_a_pure_asgi_middleware_class_with_a_code_on_the_histogram_is_right(tmp_path):
    """The histogram may carry more labels than method and route: the check adds them up."""

    def instrument(app, registry):
        requests = Counter(
            "http_requests", "Requests.", ["method", "route", "code"], registry=registry
        )
        duration = Histogram(
            "http_request_duration_seconds",
            "Latency.",
            ["method", "route", "code"],
            buckets=(0.01, 0.1, 0.3, 1, 5),
            registry=registry,
        )
        app.add_middleware(AsgiMetrics, requests=requests, duration=duration)

    scrape = scrape_of(instrument, tmp_path)
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_the_project_models_metrics_module_is_the_one_the_solution_runs():
    """The model answer lives in the project blueprint, not in the stage package."""
    model = COURSE_ROOT / "project" / "stage_08" / "src" / "booking_service" / "metrics.py"
    assert "### BEGIN SOLUTION 08.1" in model.read_text(encoding="utf-8")
    for name in ("instrument", "burn_rate", "should_page"):
        assert not hasattr(monitoring, name)
        assert not any(hasattr(module, name) for module in (instrumentation, paging))


@pytest.mark.parametrize(
    ("mistake", "failing", "message"),
    [
        (dict(labels=("method", "route", "status")), "counter", "called `status`; name it `code`"),
        (dict(labels=("method", "code")), "counter", "missing label(s): `route`"),
        (dict(name="requests"), "counter", "no metric called `http_requests_total`"),
        (dict(buckets=(0.1, 0.25, 0.5)), "histogram", "no bucket boundary at 0.3 s"),
        (
            dict(buckets=(100, 300, 1000)),
            "histogram",
            "300 looks like milliseconds, but the metric's name says seconds",
        ),
        (
            # Each route's function name rather than its path template.
            dict(template_as_declared=lambda template: template.strip("/").replace("/", "_")),
            "routes",
            'route values that are no route\'s path template: route="rooms"',
        ),
        (dict(histogram=False), "histogram", "no metric called `http_request_duration_seconds`"),
        (dict(summary=True), "histogram", "is a summary, not a histogram"),
        (dict(route="path"), "routes", 'raw paths as labels: route="/rooms/1/bookings"'),
        (dict(route="path"), "routes", 'route="/no/such/path" comes from a request'),
        (dict(survives_errors=False), "errors", "GET /boom answered 500 but was not counted"),
        (dict(increment=2), "counts", "POST /rooms 201: expected 1, counted 2"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_each_instrumentation_mistake_is_named(mistake, failing, message, tmp_path):
    scrape = scrape_of(make_instrument(**mistake), tmp_path)
    problems = CHECKS[failing](scrape)
    assert any(message in problem for problem in problems), problems


def test_a_gauge_named_like_the_counter_is_named_as_a_gauge(tmp_path):
    """A gauge keeps `_total` in its family's name: say what it is, not that it is missing."""

    def instrument(app, registry):
        Gauge("http_requests_total", "Requests.", ["method", "route", "code"], registry=registry)

    scrape = scrape_of(instrument, tmp_path)
    assert instrumentation.counter_problems(scrape) == [
        "`http_requests_total` is a gauge, not a counter: create it with Counter(…), which only "
        "goes up, so that rate() can read it"
    ]


def test_an_untyped_counter_is_named_as_untyped():
    """A scrape written by hand, with no `# TYPE` line: Prometheus reads it as untyped."""
    scrape = Scrape(exposition.parse('http_requests_total{method="GET"} 3\n'), [])
    assert instrumentation.counter_problems(scrape)[0].startswith(
        "`http_requests_total` is an untyped metric, not a counter"
    )


def test_the_metrics_found_leave_out_the_created_timestamps(tmp_path):
    scrape = scrape_of(make_instrument(name="requests"), tmp_path)
    assert instrumentation.counter_problems(scrape) == [
        "no metric called `http_requests_total`; /metrics has "
        "`http_request_duration_seconds` (histogram), `requests` (counter)"
    ]


def test_raw_paths_are_still_counted_under_their_template(tmp_path):
    """A raw-path mistake is reported once, by the route check, not again by the counts."""
    scrape = scrape_of(make_instrument(route="path"), tmp_path)
    assert instrumentation.count_problems(scrape) == []


def test_metrics_on_another_registry_are_an_empty_scrape(tmp_path):
    def forgets_the_registry(app, registry):
        pass

    scrape = scrape_of(forgets_the_registry, tmp_path)
    assert "serves no metrics at all after ten requests" in " ".join(
        instrumentation.answer_problems(scrape)
    )


def test_a_middleware_that_loses_the_response_is_named(tmp_path):
    def swallows(app, registry):
        Counter("http_requests", "Requests.", ["method", "route", "code"], registry=registry)

        @app.middleware("http")
        async def measure(request, call_next):
            await call_next(request)  # and returns nothing

    scrape = scrape_of(swallows, tmp_path)
    problems = " ".join(instrumentation.answer_problems(scrape))
    assert "POST /rooms answered 500, expected 201" in problems
    assert "must return the response it gets from call_next" in problems


def test_counts_follow_what_the_service_answered_not_what_the_course_expects():
    """A stage-04 difference (a 422 where the API says 201) is not held against 08.1's counts."""
    answered = [422, *[call.code for call in CALLS[1:]]]
    lines = [
        f'http_requests_total{{method="{call.method}",route="{route}",code="{code}"}} 1'
        for call, code in zip(CALLS, answered, strict=True)
        for route in [call.route if call.route != instrumentation.UNMATCHED else "unmatched"]
    ]
    family = exposition.parse("# TYPE http_requests_total counter\n" + "\n".join(lines) + "\n")
    assert instrumentation.count_problems(Scrape(family, answered)) == []
    assert "POST /rooms answered 422, expected 201" in " ".join(
        instrumentation.answer_problems(Scrape(family, answered))
    )


def test_a_second_app_that_clashes_is_named():
    scrape = Scrape({}, [], second_app="ValueError: Duplicated timeseries in CollectorRegistry")
    assert (
        "give each app its own CollectorRegistry" in instrumentation.second_app_problems(scrape)[0]
    )
    assert instrumentation.second_app_problems(Scrape()) == []


# --- 08.2: burn_rate() and should_page() --------------------------------------------------------


def model_burn_rate(errors, requests, slo):
    if not 0 < slo < 1:
        raise ValueError("no budget")
    return 0.0 if requests == 0 else errors / requests / (1 - slo)


def model_should_page(long, short, slo, threshold=14.4, min_requests=50):
    if long.requests < min_requests:
        return False
    return model_burn_rate(*long, slo) > threshold and model_burn_rate(*short, slo) > threshold


def judged(burn_rate, should_page) -> list[str]:
    """The ❌ lines of 08.2 for these two functions."""
    result = run_expectations(
        "08.2",
        EXERCISES["08.2"],
        Given(burn_rate=burn_rate, should_page=should_page),
        echo=False,
    )
    return [outcome.line() for outcome in result.outcomes if not outcome.passed]


def test_the_model_burn_rate_and_paging_pass_every_case():
    assert judged(model_burn_rate, model_should_page) == []


def cell_source(start: str) -> str:
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and start in source:
            return source
    raise AssertionError(f"no cell with {start!r} in {SOLUTION.name}")


def test_the_solution_notebooks_functions_pass_every_case():
    namespace: dict = {}
    exec(compile(cell_source("def burn_rate("), "solution", "exec"), namespace)
    assert judged(namespace["burn_rate"], namespace["should_page"]) == []


def multiplying(errors, requests, slo):
    """Right, written another way: errors over the budget's share of the requests."""
    if slo <= 0 or slo >= 1:
        raise ValueError(slo)
    if not requests:
        return 0.0
    return errors / (requests * (1 - slo))


def with_a_helper(long, short, slo, threshold=14.4, min_requests=50):
    """Right, written another way: a helper for each window, and any order of the tests."""

    def burns(window):
        return multiplying(window.errors, window.requests, slo) > threshold

    return all((burns(short), burns(long), long.requests >= min_requests))


def test_right_answers_written_differently_pass():
    assert judged(multiplying, with_a_helper) == []


def ratio_against_the_budget(long, short, slo, threshold=14.4, min_requests=50):
    """Right without burn_rate(): each window's error ratio against threshold × the budget,
    the form the alert rules of 08.3 take; unpacks each Window as (errors, requests)."""
    allowed = threshold * (1 - slo)
    (long_errors, long_requests), (short_errors, short_requests) = long, short
    if long_requests < min_requests or short_requests == 0:
        return False
    return long_errors / long_requests > allowed and short_errors / short_requests > allowed


def test_comparing_error_ratios_with_the_allowed_ratio_passes():
    assert judged(multiplying, ratio_against_the_budget) == []


class PagingPolicy:
    """Right, written as a class: the notebook binds its methods to the two names."""

    @staticmethod
    def burn_rate(errors, requests, slo):
        return model_burn_rate(errors, requests, slo)

    @classmethod
    def should_page(cls, long, short, slo, threshold=14.4, min_requests=50):
        burning = all(cls.burn_rate(*window, slo) > threshold for window in (long, short))
        return long.requests >= min_requests and burning


def exact_burn_rate(errors, requests, slo):
    """Right with exact arithmetic: Fractions inside, a float out, as the prompt asks."""
    budget = 1 - Fraction(str(slo))
    if not 0 < budget < 1:
        raise ValueError(f"an SLO of {slo} leaves no budget")
    return float(Fraction(errors, requests) / budget) if requests else 0.0


def exact_should_page(long, short, slo, threshold=14.4, min_requests=50):
    budget, limit = 1 - Fraction(str(slo)), Fraction(str(threshold))
    if long.requests < min_requests:
        return False
    return all(
        window.requests and Fraction(window.errors, window.requests) / budget > limit
        for window in (long, short)
    )


def decimal_burn_rate(errors, requests, slo):
    if not 0 < slo < 1:
        raise ValueError(slo)
    if requests == 0:
        return 0.0
    return float(Decimal(errors) / Decimal(requests) / (1 - Decimal(str(slo))))


def isclose_at_the_limit(long, short, slo, threshold=14.4, min_requests=50):
    """Right: a burn rate within rounding of the threshold counts as at it, so it does not page."""

    def above(window):
        rate = model_burn_rate(*window, slo)
        return rate > threshold and not math.isclose(rate, threshold)

    return long.requests >= min_requests and above(long) and above(short)


def cross_multiplied(long, short, slo, threshold=14.4, min_requests=50):
    """Right without dividing: errors against threshold × budget × requests."""
    allowed = threshold * (1 - slo)
    return (
        long.requests >= min_requests
        and long.errors > allowed * long.requests
        and short.errors > allowed * short.requests
    )


class NoBudget(ValueError):
    """A learner's own error for an impossible SLO: a ValueError, as the prompt asks."""


def raises_its_own_value_error(errors, requests, slo):
    if not 0 < slo < 1:
        raise NoBudget(f"an SLO of {slo} leaves no error budget")
    return model_burn_rate(errors, requests, slo)


def keyword_only_settings(long, short, slo, *, threshold=14.4, min_requests=50):
    return model_should_page(long, short, slo, threshold, min_requests)


def numpy_all(long, short, slo, threshold=14.4, min_requests=50):
    """Right: numpy.all() answers with NumPy's own True or False."""
    import numpy

    rates = numpy.array([model_burn_rate(*window, slo) for window in (long, short)])
    return numpy.all(rates > threshold) & (long.requests >= min_requests)


def numpy_float_burn_rate(errors, requests, slo):
    """Right: NumPy's float64 is a float."""
    import numpy

    if not 0 < slo < 1:
        raise ValueError(slo)
    return numpy.float64(0.0) if requests == 0 else numpy.divide(errors, requests) / (1 - slo)


def slowest_window_by_keyword(long, short, slo, threshold=14.4, min_requests=50):
    """Right: the slower of the two windows above the threshold, burn_rate() called by keyword
    with each Window's fields."""
    if not long.requests >= min_requests:
        return False
    slowest = min(model_burn_rate(**window._asdict(), slo=slo) for window in (long, short))
    return slowest > threshold


@pytest.mark.parametrize(
    ("burn_rate", "should_page"),
    [
        (PagingPolicy.burn_rate, PagingPolicy.should_page),
        (exact_burn_rate, exact_should_page),
        (decimal_burn_rate, model_should_page),
        (model_burn_rate, isclose_at_the_limit),
        (model_burn_rate, cross_multiplied),
        (raises_its_own_value_error, model_should_page),
        (model_burn_rate, keyword_only_settings),
        (model_burn_rate, slowest_window_by_keyword),
        pytest.param(
            numpy_float_burn_rate,
            model_should_page,
            marks=pytest.mark.skipif(
                importlib.util.find_spec("numpy") is None, reason="needs NumPy"
            ),
        ),
        pytest.param(
            model_burn_rate,
            numpy_all,
            marks=pytest.mark.skipif(
                importlib.util.find_spec("numpy") is None, reason="needs NumPy"
            ),
        ),
    ],
    ids=[
        "class-methods",
        "fractions",
        "decimals",
        "math-isclose",
        "cross-multiplied",
        "value-error-subclass",
        "keyword-only-settings",
        "slowest-window-by-keyword",
        "numpy-float64",
        "numpy-bool",
    ],
)
def test_more_right_answers_written_differently_pass(burn_rate, should_page):
    assert judged(burn_rate, should_page) == []


def unguarded(errors, requests, slo):
    return errors / requests / (1 - slo)


def percent_slo(errors, requests, slo):
    return 0.0 if requests == 0 else errors / requests / (1 - slo / 100)


def returns_an_int_for_no_traffic(errors, requests, slo):
    if not 0 < slo < 1:
        raise ValueError(slo)
    return 0 if requests == 0 else errors / requests / (1 - slo)


def accepts_a_zero_slo(errors, requests, slo):
    if slo >= 1:
        raise ValueError(slo)
    return 0.0 if requests == 0 else errors / requests / (1 - slo)


def refuses_only_zero_and_one(errors, requests, slo):
    """Wrong: the prompt refuses an SLO of zero *or less*; -0.5 would leave a budget of 1.5."""
    if slo == 0 or slo >= 1:
        raise ValueError(slo)
    return 0.0 if requests == 0 else errors / requests / (1 - slo)


def long_window_only(long, short, slo, threshold=14.4, min_requests=50):
    return long.requests >= min_requests and model_burn_rate(*long, slo) > threshold


def no_traffic_guard(long, short, slo, threshold=14.4, min_requests=50):
    return model_burn_rate(*long, slo) > threshold and model_burn_rate(*short, slo) > threshold


def strictly_more_requests(long, short, slo, threshold=14.4, min_requests=50):
    return long.requests > min_requests and model_should_page(long, short, slo, threshold)


def fixed_threshold(long, short, slo, threshold=14.4, min_requests=50):
    return model_should_page(long, short, slo, 14.4, min_requests)


def at_or_above(long, short, slo, threshold=14.4, min_requests=50):
    if long.requests < min_requests:
        return False
    return model_burn_rate(*long, slo) >= threshold and model_burn_rate(*short, slo) >= threshold


def truthy_not_bool(long, short, slo, threshold=14.4, min_requests=50):
    return 1 if model_should_page(long, short, slo, threshold, min_requests) else 0


def returns_a_fraction(errors, requests, slo):
    if not 0 < slo < 1:
        raise ValueError(slo)
    return Fraction(errors, requests) / (1 - Fraction(str(slo))) if requests else Fraction(0)


def as_a_percentage(errors, requests, slo):
    """Wrong: the burn rate is a multiple of the budget (14.4×), not a percentage (1440)."""
    return 100 * model_burn_rate(errors, requests, slo)


def converts_a_percentage(errors, requests, slo):
    return model_burn_rate(errors, requests, slo / 100 if slo > 1 else slo)


def min_requests_in_both_windows(long, short, slo, threshold=14.4, min_requests=50):
    return short.requests >= min_requests and model_should_page(
        long, short, slo, threshold, min_requests
    )


@pytest.mark.parametrize(
    ("burn_rate", "should_page", "expected"),
    [
        (
            unguarded,
            model_should_page,
            "❌ no requests at all burn nothing (0.0), without dividing by zero — your code raised "
            "ZeroDivisionError",
        ),
        (percent_slo, model_should_page, "❌ 5 errors in 1,000 requests at a 99.5% SLO burn"),
        (
            returns_an_int_for_no_traffic,
            model_should_page,
            "❌ no requests at all burn nothing (0.0), without dividing by zero — expected 0.0, "
            "got 0 (int)",
        ),
        (accepts_a_zero_slo, model_should_page, "❌ an SLO of 0 raises ValueError"),
        (
            refuses_only_zero_and_one,
            model_should_page,
            "❌ an SLO of 0 raises ValueError: it is no objective at all — burn_rate(1, 100, -0.5): "
            "expected ValueError, but nothing was raised",
        ),
        (model_burn_rate, long_window_only, "❌ after the fix (18× over 1 h"),
        (model_burn_rate, no_traffic_guard, "❌ at night, 10 failures in 20 requests do not page"),
        (model_burn_rate, no_traffic_guard, "❌ 49 requests, all failing, do not page"),
        (model_burn_rate, strictly_more_requests, "❌ 50 requests are enough"),
        (model_burn_rate, fixed_threshold, "❌ 8× in both windows pages with threshold=6"),
        (model_burn_rate, at_or_above, "❌ exactly at the threshold (2× in both windows"),
        (
            model_burn_rate,
            truthy_not_bool,
            "❌ a fast burn (18× over 1 h, 20× over 5 min) pages "
            "— expected True, got 1 (int): return True or False",
        ),
        (
            returns_a_fraction,
            model_should_page,
            "❌ 5 errors in 1,000 requests at a 99.5% SLO burn the budget at 1× — expected 1.0, "
            "got Fraction(1, 1) (Fraction)",
        ),
        (converts_a_percentage, model_should_page, "❌ an SLO of 99.5 (a percentage) raises"),
        (model_burn_rate, min_requests_in_both_windows, "❌ 50 requests are enough"),
        (
            as_a_percentage,
            model_should_page,
            "❌ 5 errors in 1,000 requests at a 99.5% SLO burn the budget at 1× — expected 1, "
            "got 100",
        ),
    ],
    ids=[
        "zero-division",
        "percent",
        "int-not-float",
        "zero-slo",
        "negative-slo",
        "one-window",
        "no-min-traffic",
        "below-the-limit",
        "off-by-one",
        "fixed-14.4",
        "at-the-limit",
        "int-not-bool",
        "fraction-not-float",
        "percentage-converted",
        "min-requests-in-the-short-window",
        "burn-rate-as-a-percentage",
    ],
)
def test_each_burn_rate_mistake_fails_its_case(burn_rate, should_page, expected):
    failures = judged(burn_rate, should_page)
    assert any(line.startswith(expected) for line in failures), failures


def test_the_page_cases_say_what_they_compute():
    """The burn rates named in each case's text are those of its windows (or a threshold)."""
    for case in paging.PAGE_CASES:
        actual = {f"{model_burn_rate(*window, case.slo):g}" for window in (case.long, case.short)}
        for rate in re.findall(r"(\d+(?:\.\d+)?)×", case.text):
            assert rate in actual | {"14.4", "6"}, (case.text, actual)


def test_the_cases_use_the_courses_numbers():
    from onboarding import numbers

    assert paging.SLO == numbers.AVAILABILITY_SLO
    assert paging.FAST == numbers.FAST_BURN.burn_rate == 14.4
    assert paging.MIN_REQUESTS == numbers.MIN_REQUESTS_TO_PAGE
    limits = [case for case in paging.PAGE_CASES if case.long.requests in (49, 50)]
    assert {case.long.requests: case.expected for case in limits} == {49: False, 50: True}


def test_the_exact_limit_case_is_exact_in_floating_point():
    """At a 75% SLO the budget is 0.25: 50 of 100 failing is a burn rate of exactly 2.0."""
    case = next(case for case in paging.PAGE_CASES if case.text.startswith("exactly"))
    assert model_burn_rate(*case.long, case.slo) == case.threshold
    assert model_burn_rate(*case.short, case.slo) == case.threshold


def test_window_is_errors_then_requests():
    assert Window(3, 100) == Window(errors=3, requests=100)


def test_require_shows_three_problems_and_counts_the_rest():
    with pytest.raises(CheckFailed, match=r"^a; b; c; and 2 more$"):
        require(["a", "b", "c", "d", "e"])
    require([])


# --- 08.4: runbooks written other ways ------------------------------------------------------------
# The runbook's own tests are in test_monitoring_runbook.py; these are right runbooks that differ
# from the model in the ways a careful writer's might.

RUNBOOK_HEADER = "| Alert | Severity | What it means | First actions |"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The message template filled in and written at the margin, under its introduction.
        ("  > ", "> "),
        (RUNBOOK_HEADER, "| Alert | Severity | Meaning | Remediation |"),
        (RUNBOOK_HEADER, "| Alert | Severity | Description | Mitigation |"),
        (RUNBOOK_HEADER, "| Alert | Severity | What it means | How to respond |"),
        (RUNBOOK_HEADER, "| Alert | Sev | Impact | First actions |"),
        (RUNBOOK_HEADER, "| Alert | Priority | Symptoms | Triage |"),
    ],
    ids=[
        "message-template-at-the-margin",
        "meaning-remediation",
        "description-mitigation",
        "how-to-respond",
        "sev-impact",
        "priority-symptoms-triage",
    ],
)
def test_right_runbooks_written_other_ways_pass(old, new, tmp_path, monkeypatch):
    from tests.stages.test_monitoring_runbook import MODEL as RUNBOOK_MODEL
    from tests.stages.test_monitoring_runbook import failing as runbook_failing

    assert old in RUNBOOK_MODEL
    assert runbook_failing(RUNBOOK_MODEL.replace(old, new), tmp_path, monkeypatch) == {}
