"""Metrics, traces and log correlation added from outside the service by bookings.observability."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from bookings import observability, testing
from bookings.core.config import Settings
from bookings.main import create_app

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def observed_app(settings: Settings):
    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    return app, observability.observe(app, id_generator=observability.SequentialIds())


@pytest.fixture
def client(observed_app) -> Iterator[TestClient]:
    app, _ = observed_app
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def observed(observed_app) -> observability.Observability:
    return observed_app[1]


def test_requests_are_counted_by_route_template_and_code(client, observed):
    room = testing.create_room(client)
    booking = testing.create_booking(client, room["id"])
    client.get(f"/bookings/{booking['id']}")
    client.get("/bookings/999")
    client.get("/no/such/path")
    lines = observability.stable_series(observed.exposition(), ["http_requests_total"])
    assert lines == [
        'http_requests_total{code="201",method="POST",route="/rooms"} 1.0',
        'http_requests_total{code="201",method="POST",route="/rooms/{room_id}/bookings"} 1.0',
        'http_requests_total{code="200",method="GET",route="/bookings/{booking_id}"} 1.0',
        'http_requests_total{code="404",method="GET",route="/bookings/{booking_id}"} 1.0',
        'http_requests_total{code="404",method="GET",route="unmatched"} 1.0',
    ]


def test_a_route_that_raises_is_counted_as_a_500_and_marks_its_span(client, observed):
    assert client.get("/boom").status_code == 500
    assert 'http_requests_total{code="500",method="GET",route="/boom"} 1.0' in (
        observed.exposition()
    )
    (span,) = observed.spans()
    assert span.name == "GET /boom"
    assert span.status.status_code is trace.StatusCode.ERROR


def test_the_histogram_has_the_slo_bucket_and_stable_lines_drop_timings(client, observed):
    client.get("/health/live")
    text = observed.exposition()
    assert (
        'http_request_duration_seconds_bucket{le="0.3",method="GET",route="/health/live"}' in text
    )
    stable = observability.stable_series(text)
    assert not [line for line in stable if "_sum" in line or "_created" in line]
    assert [line for line in stable if "_bucket" in line] == [
        'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health/live"} 1.0'
    ]


def test_a_booking_is_one_tree_under_the_callers_trace(client, observed):
    room = testing.create_room(client)
    observed.exporter.clear()
    response = client.post(
        f"/rooms/{room['id']}/bookings",
        json=testing.booking_payload(),
        headers={"traceparent": CALLER},
    )
    assert response.status_code == 201
    assert response.headers[observability.REQUEST_ID_HEADER] == CALLER_TRACE
    assert observability.span_tree(observed.spans()) == [
        "POST /rooms/{room_id}/bookings",
        "    create_booking",
        "        SELECT rooms",
        "        SELECT bookings",
        "        INSERT bookings",
        "        SELECT bookings",
    ]
    spans = {span.name: span for span in observed.spans()}
    server = spans["POST /rooms/{room_id}/bookings"]
    assert {trace.format_trace_id(span.context.trace_id) for span in observed.spans()} == {
        CALLER_TRACE
    }
    assert trace.format_span_id(server.parent.span_id) == "00f067aa0ba902b7"
    assert server.attributes["http.route"] == "/rooms/{room_id}/bookings"
    assert server.attributes["http.response.status_code"] == 201


def test_no_span_outlives_its_parent(client, observed):
    room = testing.create_room(client)
    testing.create_booking(client, room["id"])
    by_id = {span.context.span_id: span for span in observed.spans()}
    for span in observed.spans():
        parent = by_id.get(span.parent.span_id) if span.parent else None
        if parent is not None:
            assert span.end_time <= parent.end_time, (span.name, parent.name)


def test_query_spans_record_the_statement_but_not_its_values(client, observed):
    room = testing.create_room(client, name="Secret room")
    testing.create_booking(client, room["id"], organiser="amara@example.com")
    texts = [span.attributes.get("db.query.text", "") for span in observed.spans()]
    assert any(text.startswith("INSERT INTO") for text in texts)
    assert not [text for text in texts if "amara" in text or "Secret" in text]


def test_log_lines_carry_the_trace_id(settings):
    app = create_app(settings)
    observability.observe(app, id_generator=observability.SequentialIds())
    with observability.captured_logs() as lines, TestClient(app) as client:
        response = client.get("/health/live")
    (line,) = [line for line in lines if line["logger"] == "bookings.access"]
    assert line["trace_id"] == response.headers[observability.REQUEST_ID_HEADER]
    assert line["span_id"] == "0000000000000001"


def test_log_lines_outside_a_span_are_unchanged(settings):
    app = create_app(settings)
    observability.observe(app)
    with observability.captured_logs() as lines:
        logging.getLogger("bookings.test").warning("no request here")
    assert "trace_id" not in lines[0]


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ('SELECT * FROM "rooms" WHERE id = ?', "SELECT rooms"),
        ("INSERT INTO [bookings] (room_id) VALUES (?)", "INSERT bookings"),
        ("UPDATE bookings SET cancelled = 1", "UPDATE bookings"),
        ("select name from sqlite_master where type = 'table'", None),
        ("PRAGMA table_xinfo([rooms])", None),
        ('SAVEPOINT "sqlite_utils_query"', None),
        ("SELECT 1", "SELECT"),
    ],
)
def test_statement_span_names(sql, name):
    assert observability.statement_span_name(sql) == name


def test_sequential_ids_count_from_one():
    ids = observability.SequentialIds()
    assert [ids.generate_trace_id(), ids.generate_trace_id()] == [1, 2]
    assert [ids.generate_span_id(), ids.generate_span_id()] == [1, 2]


def test_each_observed_app_has_its_own_registry(settings, tmp_path):
    first, second = create_app(settings), create_app(Settings(database=tmp_path / "other.db"))
    one, two = observability.observe(first), observability.observe(second)
    with TestClient(first) as client:
        client.get("/health/live")
    assert "http_requests_total{" in one.exposition()
    assert "http_requests_total{" not in two.exposition()


def test_metrics_are_served_for_prometheus_to_scrape(client):
    client.get("/health/live")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'http_requests_total{code="200",method="GET",route="/health/live"} 1.0' in response.text
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
