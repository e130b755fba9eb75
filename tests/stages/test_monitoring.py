"""Stage 08's checks: each mistake gets its verdict and its message; the model answers pass."""

from __future__ import annotations

import re
import time

import pytest
from prometheus_client import Counter, Histogram, Summary

from onboarding import notebooks
from onboarding.checks import CheckFailed, Exercise
from onboarding.stages import monitoring
from onboarding.stages.monitoring import Window
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
                matched = getattr(request.scope.get("route"), "path", None) or unmatched
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


CHECKS = {
    "counter": monitoring.counter_problems,
    "histogram": monitoring.histogram_problems,
    "routes": monitoring.route_label_problems,
    "counts": monitoring.count_problems,
    "errors": monitoring.error_count_problems,
    "observations": monitoring.histogram_count_problems,
}


def scrape_of(instrument) -> monitoring.Scrape:
    scrape = monitoring.Scrape()
    scrape.take(instrument)
    return scrape


def test_the_model_instrumentation_passes_every_check():
    scrape = scrape_of(make_instrument())
    assert {name: check(scrape) for name, check in CHECKS.items()} == dict.fromkeys(CHECKS, [])


def test_the_solution_notebooks_instrument_passes():
    namespace: dict = {}
    source = cell_source("def instrument(")
    exec(compile(source, "solution", "exec"), namespace)
    scrape = scrape_of(namespace["instrument"])
    assert all(not check(scrape) for check in CHECKS.values())


@pytest.mark.parametrize(
    ("mistake", "failing", "message"),
    [
        (dict(labels=("method", "route", "status")), "counter", "called `status`; name it `code`"),
        (dict(labels=("method", "code")), "counter", "missing label(s): `route`"),
        (dict(name="requests"), "counter", "no metric called `http_requests_total`"),
        (dict(buckets=(0.1, 0.25, 0.5)), "histogram", "no bucket boundary at 0.3 s"),
        (dict(histogram=False), "histogram", "no metric called `http_request_duration_seconds`"),
        (dict(summary=True), "histogram", "is a summary, not a histogram"),
        (dict(route="path"), "routes", 'raw paths as labels: route="/rooms/1/bookings"'),
        (dict(route="path"), "routes", 'route="/no/such/path" comes from a request'),
        (dict(survives_errors=False), "errors", "GET /boom answered 500 but was not counted"),
        (dict(increment=2), "counts", "POST /rooms 201: expected 1, counted 2"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_each_instrumentation_mistake_is_named(mistake, failing, message):
    scrape = scrape_of(make_instrument(**mistake))
    problems = CHECKS[failing](scrape)
    assert any(message in problem for problem in problems), problems


def test_raw_paths_are_still_counted_under_their_template():
    """A raw-path mistake is reported once, by the route check, not again by the counts."""
    scrape = scrape_of(make_instrument(route="path"))
    assert monitoring.count_problems(scrape) == []


def test_metrics_on_another_registry_stop_the_check():
    def forgets_the_registry(app, registry):
        pass

    with pytest.raises(CheckFailed, match="has no metrics after ten requests"):
        scrape_of(forgets_the_registry)


# --- 08.2: burn_rate() and should_page() --------------------------------------------------------


def model_burn_rate(errors, requests, slo):
    if not 0 < slo < 1:
        raise ValueError("no budget")
    return 0.0 if requests == 0 else errors / requests / (1 - slo)


def model_should_page(long, short, slo, threshold=14.4, min_requests=50):
    if long.requests < min_requests:
        return False
    return model_burn_rate(*long, slo) > threshold and model_burn_rate(*short, slo) > threshold


def failing_cases(burn_rate, should_page) -> list[str]:
    exercise = Exercise("test", echo=False)
    for case in monitoring.BURN_CASES:
        exercise.equal(case.text, lambda case=case: case.run(burn_rate), case.expected, case.hint)
    for case in monitoring.PAGE_CASES:
        exercise.equal(case.text, lambda case=case: case.run(should_page), case.expected, case.hint)
    return [result.line() for result in exercise.results if not result.passed]


def test_the_model_burn_rate_and_paging_pass_every_case():
    assert failing_cases(model_burn_rate, model_should_page) == []


def test_the_solution_notebooks_functions_pass_every_case():
    namespace: dict = {}
    exec(compile(cell_source("def burn_rate("), "solution", "exec"), namespace)
    assert failing_cases(namespace["burn_rate"], namespace["should_page"]) == []
    with pytest.raises(ValueError):
        namespace["burn_rate"](1, 100, 1.0)


def unguarded(errors, requests, slo):
    return errors / requests / (1 - slo)


def percent_slo(errors, requests, slo):
    return 0.0 if requests == 0 else errors / requests / (1 - slo / 100)


def long_window_only(long, short, slo, threshold=14.4, min_requests=50):
    return long.requests >= min_requests and model_burn_rate(*long, slo) > threshold


def no_traffic_guard(long, short, slo, threshold=14.4, min_requests=50):
    return model_burn_rate(*long, slo) > threshold and model_burn_rate(*short, slo) > threshold


def strictly_more_requests(long, short, slo, threshold=14.4, min_requests=50):
    return long.requests > min_requests and model_should_page(long, short, slo, threshold)


def fixed_threshold(long, short, slo, threshold=14.4, min_requests=50):
    return model_should_page(long, short, slo, 14.4, min_requests)


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
        (model_burn_rate, long_window_only, "❌ after the fix (18× over 1 h"),
        (model_burn_rate, no_traffic_guard, "❌ at night, 10 failures in 20 requests do not page"),
        (model_burn_rate, strictly_more_requests, "❌ 50 requests are enough"),
        (model_burn_rate, fixed_threshold, "❌ 8× in both windows pages with threshold=6"),
    ],
    ids=["zero-division", "percent", "one-window", "no-min-traffic", "off-by-one", "fixed-14.4"],
)
def test_each_burn_rate_mistake_fails_its_case(burn_rate, should_page, expected):
    failures = failing_cases(burn_rate, should_page)
    assert any(line.startswith(expected) for line in failures), failures


def test_the_page_cases_say_what_they_compute():
    """The burn rates named in each case's text are those of its windows (or a threshold)."""
    for case in monitoring.PAGE_CASES:
        actual = {f"{model_burn_rate(*window, case.slo):g}" for window in (case.long, case.short)}
        for rate in re.findall(r"(\d+(?:\.\d+)?)×", case.text):
            assert rate in actual | {"14.4", "6"}, (case.text, actual)


# --- 08.3: the postmortem -----------------------------------------------------------------------


def cell_source(start: str) -> str:
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and start in source:
            return source
    raise AssertionError(f"no cell with {start!r} in {SOLUTION.name}")


@pytest.fixture(scope="module")
def postmortem() -> str:
    source = cell_source("%%writefile postmortem.md")
    return source.split("\n", 1)[1]


POSTMORTEM_CHECKS = {
    "headings": monitoring.postmortem_heading_problems,
    "placeholders": monitoring.postmortem_placeholder_problems,
    "timeline": monitoring.timeline_problems,
    "actions": monitoring.action_item_problems,
    "blame": monitoring.blame_problems,
}


def test_the_model_postmortem_passes_every_check(postmortem):
    assert {name: check(postmortem) for name, check in POSTMORTEM_CHECKS.items()} == dict.fromkeys(
        POSTMORTEM_CHECKS, []
    )


def test_the_required_headings_are_the_templates():
    template = (COURSE_ROOT / "templates" / "postmortem.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", template, flags=re.MULTILINE)
    assert tuple(h for h in headings if h not in monitoring.TEMPLATE_ONLY_HEADINGS) == (
        monitoring.POSTMORTEM_HEADINGS
    )


def test_the_unsolved_skeleton_fails(postmortem):
    skeleton = "\n".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in postmortem.split("### BEGIN STUB\n", 1)[1]
        .split("### END STUB", 1)[0]
        .splitlines()
    )
    assert monitoring.postmortem_heading_problems(skeleton) == []
    assert monitoring.postmortem_placeholder_problems(skeleton)
    assert monitoring.timeline_problems(skeleton)
    assert monitoring.action_item_problems(skeleton)


@pytest.mark.parametrize(
    ("old", "new", "failing", "message"),
    [
        ("## Where we got lucky", "## Luck", "headings", "missing: `## Where we got lucky`"),
        (
            "## Root cause",
            "## Root Cause",
            "headings",
            "write `## Root Cause` exactly as `## Root cause`",
        ),
        (
            "## Summary",
            "## How to use this template\n\nFill it in.\n\n## Summary",
            "headings",
            "`## How to use this template` is the template's guidance; delete it",
        ),
        (
            "## Summary\n",
            "## Impact\n\nSee below.\n\n## Summary\n",
            "headings",
            "`## Impact` appears 2 times",
        ),
        (
            "- Users affected: everyone",
            "- Users affected: [who]",
            "placeholders",
            "placeholder `[who]`",
        ),
        (
            "## What went badly\n",
            "## What went badly\n\n> What went badly?\n",
            "placeholders",
            "still has the template's `>` guidance",
        ),
        (
            "\n- The backfill was stopped before it finished: committing would have held the lock for several\n  more minutes.\n",
            "\n",
            "placeholders",
            "`## Where we got lucky` is empty",
        ),
        (
            "| 10:09 | Facilities calls",
            "| 10:29 | Facilities calls",
            "timeline",
            "comes after a later time",
        ),
        ("| Time (UTC) | Event |", "| Time | Event |", "timeline", "no time zone"),
        (
            "| 10:12 | The page",
            "| Soon after | The page",
            "timeline",
            "has no time (HH:MM) at its start",
        ),
        (
            "| Tech lead | 2030-03-08 |",
            "| everyone | 2030-03-08 |",
            "actions",
            "has no single owner (found “everyone”)",
        ),
        (
            "| SRE | 2030-03-13 |",
            "| SRE and DevOps | 2030-03-13 |",
            "actions",
            "has several owners",
        ),
        ("| SRE | 2030-03-13 |", "| SRE | ASAP |", "actions", "has no due date (found “ASAP”)"),
        ("| SRE | 2030-03-13 |", "| Lee/Sam | 2030-03-13 |", "actions", "has several owners"),
        ("| Owner | Due |", "| Who | Due |", "actions", "has no Owner column"),
        (
            "- Trigger: a data backfill",
            "- Trigger: human error. A data backfill",
            "blame",
            "“human error”",
        ),
        (
            "| 10:24 | The backfill is mentioned",
            "| 10:24 | Jordan forgot to mention the backfill",
            "blame",
            "“Jordan forgot”",
        ),
        (
            "- The runbook had no entry",
            "- Priya was slow to find the runbook, which had no entry",
            "blame",
            "“Priya was slow”",
        ),
        (
            "- Nobody on call knew",
            "- It was Sam's fault that nobody on call knew",
            "blame",
            "“Sam's fault”",
        ),
    ],
    ids=lambda value: str(value)[:30],
)
def test_each_postmortem_mistake_is_named(postmortem, old, new, failing, message):
    assert old in postmortem, old
    problems = POSTMORTEM_CHECKS[failing](postmortem.replace(old, new, 1))
    assert any(message in problem for problem in problems), problems


def test_fewer_than_three_action_items_are_counted(postmortem):
    rows = [line for line in postmortem.splitlines() if line.startswith("| ") and "BOOK-20" in line]
    text = postmortem
    for row in rows[2:]:
        text = text.replace(row + "\n", "")
    assert "2 action item(s); write at least 3" in " ".join(monitoring.action_item_problems(text))


@pytest.mark.parametrize(
    "sentence",
    [
        "Priya acknowledged the page and saw the error rate.",
        "Jordan mentioned the backfill in the channel.",
        "Nobody was at fault: the system allowed a long write during office hours.",
        "The blameless review took an hour.",
    ],
)
def test_neutral_sentences_are_not_blame(sentence):
    assert monitoring.blame_problems(sentence) == []


def test_a_multi_day_timeline_needs_dates_to_go_back_in_time():
    body = (
        "## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n"
        "| 2030-03-01 16:10 | Release. |\n| 2030-03-04 08:41 | First clash. |\n"
        "| 09:02 | Report. |\n| 09:05 | Query. |\n| 09:28 | Rollback. |\n"
    )
    assert monitoring.timeline_problems(body) == []
    assert "comes after a later time" in " ".join(
        monitoring.timeline_problems(body.replace("2030-03-04 08:41", "08:41"))
    )


def test_require_shows_three_problems_and_counts_the_rest():
    with pytest.raises(CheckFailed, match=r"^a; b; c; and 2 more$"):
        monitoring.require(["a", "b", "c", "d", "e"])
    monitoring.require([])


def test_window_is_errors_then_requests():
    assert Window(3, 100) == Window(errors=3, requests=100)


def test_qa_sre_is_one_owner(postmortem):
    text = postmortem.replace("| SRE | 2030-03-13 |", "| QA / SRE | 2030-03-13 |")
    assert monitoring.action_item_problems(text) == []
