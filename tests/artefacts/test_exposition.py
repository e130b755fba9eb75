"""Reading a scrape: Prometheus' text format and OpenMetrics, and text Prometheus would refuse."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from onboarding.artefacts import exposition


def registry_with_traffic() -> CollectorRegistry:
    registry = CollectorRegistry()
    requests = Counter("http_requests", "Requests.", ["route", "code"], registry=registry)
    duration = Histogram(
        "http_request_duration_seconds",
        "Latency.",
        ["route"],
        buckets=(0.1, 0.3),
        registry=registry,
    )
    requests.labels("/rooms", "201").inc(2)
    requests.labels("/rooms", "409").inc()
    duration.labels("/rooms").observe(0.2)
    return registry


@pytest.mark.parametrize(
    "render", [generate_latest, generate_openmetrics], ids=["prometheus", "openmetrics"]
)
def test_both_formats_give_the_same_families(render):
    families = exposition.parse(render(registry_with_traffic()).decode())
    counter = families["http_requests"]
    assert counter.type == "counter"
    assert counter.label_names("_total") == {"route", "code"}
    totals = {s.labels["code"]: s.value for s in counter.samples_named("_total")}
    assert totals == {"201": 2.0, "409": 1.0}
    histogram = families["http_request_duration_seconds"]
    assert histogram.type == "histogram"
    bounds = {s.labels["le"] for s in histogram.samples_named("_bucket")}
    assert bounds == {"0.1", "0.3", "+Inf"}
    assert histogram.label_names("_bucket") == {"route"}


def test_openmetrics_is_recognised_by_its_eof_line():
    assert exposition.is_openmetrics("# TYPE x counter\nx_total 1\n# EOF\n")
    assert not exposition.is_openmetrics("# TYPE x counter\nx_total 1\n")
    assert not exposition.is_openmetrics("")


def test_an_empty_scrape_has_no_families():
    assert exposition.parse("") == {}


def test_a_line_prometheus_rejects_is_named_with_its_number():
    text = "# TYPE x counter\nx_total 1\nthis is not a sample {\n"
    with pytest.raises(exposition.ExpositionError, match=r"^line 3 is not in Prometheus"):
        exposition.parse(text)


def test_html_served_at_metrics_is_rejected():
    with pytest.raises(exposition.ExpositionError, match="line 1"):
        exposition.parse("<html><body>Not found</body></html>\n")


@pytest.mark.parametrize(
    ("text", "family", "kind"),
    [
        # A counter's family drops `_total`, as prometheus_client writes it in the text format.
        ("# TYPE http_requests_total counter\nhttp_requests_total 3\n", "http_requests", "counter"),
        # Any other type, or none, keeps the whole name: a check can tell what it was.
        (
            "# TYPE http_requests_total gauge\nhttp_requests_total 3\n",
            "http_requests_total",
            "gauge",
        ),
        ("http_requests_total 3\n", "http_requests_total", "unknown"),
    ],
    ids=["counter", "gauge", "untyped"],
)
def test_a_family_is_named_as_prometheus_names_it(text, family, kind):
    families = exposition.parse(text)
    assert list(families) == [family]
    assert families[family].type == kind
