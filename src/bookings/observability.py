"""Metrics, traces and trace-correlated logs for the booking service, added from outside.

``observe(app)`` takes an app from ``create_app()`` and adds, without changing the service:

- **metrics** on a prometheus_client registry, served at ``/metrics``: ``http_requests_total`` counted by method, route
  template and status code, and the ``http_request_duration_seconds`` histogram by method and
  route, with a bucket at 0.3 s because the latency SLO counts bookings answered within 300 ms;
- **traces** through an OpenTelemetry tracer provider: a server span per request named after its
  route (joining the caller's trace when a ``traceparent`` header comes in), a span for the
  operation the route runs, and a client span per SQL statement it sends;
- **correlation**: the response's ``X-Request-Id`` header is the trace id, and the service's JSON
  log lines carry ``trace_id`` and ``span_id`` fields.

Nothing here talks to a network: Prometheus would scrape ``/metrics`` (the course reads it with a
test client), and the spans go to whatever exporter the tracer provider has (the course uses the
in-memory one; production sends them to a collector over OTLP).
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from .api.deps import SettingsDep, get_db
from .core.db import open_database
from .core.logs import ROOT_LOGGER, JsonFormatter

REQUESTS = "http_requests"
"""The counter's name; prometheus_client exposes it as ``http_requests_total``."""
DURATION = "http_request_duration_seconds"
# 0.3 s is the latency SLO's threshold: without a bucket boundary there, the share of bookings
# answered within 300 ms cannot be read from the histogram.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "unmatched"
"""The route label of a request that matched no route: one series, whatever the path."""
REQUEST_ID_HEADER = "X-Request-Id"
INSTRUMENTATION_NAME = "bookings"
TRACED_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def route_template(request: Request) -> str:
    """The route a request matched, as its template (``/bookings/{booking_id}``), never the path.

    The router stores the matched route in the ASGI scope, so this is only known once the request
    has been routed: call it after ``call_next``.
    """
    route = request.scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


# --- Metrics ------------------------------------------------------------------------------


def add_metrics(app: FastAPI, registry: CollectorRegistry) -> None:
    """Count and time every request on `registry`, labelled by method and route template."""
    requests = Counter(
        REQUESTS,
        "HTTP requests answered, by method, route template and status code.",
        ["method", "route", "code"],
        registry=registry,
    )
    duration = Histogram(
        DURATION,
        "Time to answer an HTTP request, by method and route template.",
        ["method", "route"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )

    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        # An exception becomes a 500 further out; it must be counted, or the availability SLI
        # would never see the errors it exists to count.
        code = 500
        try:
            response = await call_next(request)
            code = response.status_code
            return response
        finally:
            route = route_template(request)
            requests.labels(request.method, route, str(code)).inc()
            duration.labels(request.method, route).observe(time.perf_counter() - started)

    app.middleware("http")(measure)


def add_metrics_endpoint(app: FastAPI, registry: CollectorRegistry, path: str = "/metrics") -> None:
    """Serve `registry` at `path` in Prometheus' text format, for Prometheus to scrape."""

    def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # Not part of the API contract: left out of the OpenAPI document.
    app.add_api_route(path, metrics, methods=["GET"], include_in_schema=False)


def exposition(registry: CollectorRegistry) -> str:
    """The registry in Prometheus' text format, as a scrape of ``/metrics`` would return it."""
    return generate_latest(registry).decode("utf-8")


def stable_series(text: str, names: Sequence[str] = ()) -> list[str]:
    """The exposition lines that are the same on every run: counts, not times or timestamps.

    Keeps counter totals, histogram ``_count`` lines and the ``+Inf`` bucket; drops ``_sum``,
    ``_created`` and the finite buckets, which depend on how fast this machine is. With `names`,
    keeps only series whose name starts with one of them.
    """
    kept = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if names and not name.startswith(tuple(names)):
            continue
        if name.endswith(("_sum", "_created")):
            continue
        if name.endswith("_bucket") and 'le="+Inf"' not in line:
            continue
        kept.append(line)
    return kept


# --- Traces -------------------------------------------------------------------------------


class SequentialIds(IdGenerator):
    """Trace and span ids 1, 2, 3…: readable and repeatable, for lessons and tests only.

    Real ids must be random, so that ids from different services never collide.
    """

    def __init__(self) -> None:
        self._traces = itertools.count(1)
        self._spans = itertools.count(1)

    def generate_trace_id(self) -> int:
        return next(self._traces)

    def generate_span_id(self) -> int:
        return next(self._spans)


def in_memory_tracer_provider(
    id_generator: IdGenerator | None = None,
) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A tracer provider that keeps finished spans in memory, and its exporter to read them."""
    provider = TracerProvider(id_generator=id_generator) if id_generator else TracerProvider()
    exporter = InMemorySpanExporter()
    # Simple, not batched: each span is exported as it ends, so it can be read at once.
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def add_tracing(app: FastAPI, tracer_provider: TracerProvider) -> None:
    """Trace each request: a server span, an operation span, and a span per SQL statement."""
    tracer = tracer_provider.get_tracer(INSTRUMENTATION_NAME)

    async def trace_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # A caller that is itself traced sends a W3C `traceparent` header; continuing its trace
        # is what makes tracing distributed.
        parent = propagate.extract(request.headers)
        with tracer.start_as_current_span(
            request.method,
            context=parent,
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": request.method, "url.path": request.url.path},
        ) as span:
            code = 500
            try:
                response = await call_next(request)
                code = response.status_code
                response.headers[REQUEST_ID_HEADER] = format_trace_id(
                    span.get_span_context().trace_id
                )
                return response
            finally:
                # FastAPI tears the dependency down after the response has gone; the operation
                # is over by now, and a child span should not outlive its parent.
                _end(getattr(request.state, "operation_span", None))
                route = route_template(request)
                # The span is named after the route template, like the metrics and for the same
                # reason: one name per route, not one per booking id.
                span.update_name(f"{request.method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", code)
                if code >= 500:
                    span.set_status(trace.StatusCode.ERROR)

    def traced_db(settings: SettingsDep, request: Request) -> Iterator[Any]:
        # Every route that touches the database depends on get_db, so replacing it is a way in
        # without changing the service: its span covers the operation the route runs.
        route = request.scope.get("route")
        operation = getattr(route, "name", None) or "request"
        # Started, not made current: a dependency's setup and teardown may run in different
        # threads, and a current span must be entered and left in the same one.
        span = tracer.start_span(operation)
        request.state.operation_span = span
        db = open_database(settings.database)
        db.conn = TracedConnection(db.conn, tracer, span)
        try:
            yield db
        finally:
            db.close()
            _end(span)

    app.middleware("http")(trace_request)
    app.dependency_overrides[get_db] = traced_db
    install_log_correlation()


def _end(span: Any) -> None:
    if span is not None and span.is_recording():
        span.end()


def format_trace_id(trace_id: int) -> str:
    return trace.format_trace_id(trace_id)


_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+[\[\"`]?(\w+)", re.IGNORECASE)


def statement_span_name(sql: str) -> str | None:
    """``SELECT rooms`` for a query on the service's tables; None for anything else.

    Transaction control (BEGIN, SAVEPOINT…), PRAGMAs and sqlite-utils' look-ups in the schema
    tables are left out: they would bury the queries that matter.
    """
    words = sql.split(None, 1)
    verb = words[0].upper() if words else ""
    if verb not in TRACED_STATEMENTS:
        return None
    table = _TABLE.search(sql)
    if table is None:
        return verb
    if table[1].lower().startswith("sqlite_"):
        return None
    return f"{verb} {table[1]}"


class TracedConnection:
    """A sqlite3 connection that reports each query as a span under the operation's span.

    The route runs in a worker thread that does not share the dependency's context, so the
    parent span is passed in rather than read from the current context.
    """

    def __init__(self, connection: sqlite3.Connection, tracer: trace.Tracer, parent: Any) -> None:
        object.__setattr__(self, "_connection", connection)
        object.__setattr__(self, "_tracer", tracer)
        object.__setattr__(self, "_parent", trace.set_span_in_context(parent))

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        name = statement_span_name(sql)
        if name is None:
            return self._connection.execute(sql, *args)
        with self._tracer.start_as_current_span(
            name,
            context=self._parent,
            kind=trace.SpanKind.CLIENT,
            # The statement text, never its parameters: those hold people's data.
            attributes={"db.system.name": "sqlite", "db.query.text": sql},
        ):
            return self._connection.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)


def span_tree(spans: Sequence[ReadableSpan]) -> list[str]:
    """One line per span, indented under its parent, children in the order they started."""
    ids = {span.context.span_id for span in spans}
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in spans:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        children.setdefault(parent, []).append(span)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            lines.append("    " * depth + span.name)
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return lines


# --- Logs ---------------------------------------------------------------------------------


class TraceContextFilter(logging.Filter):
    """Adds the current trace and span ids to each log record's JSON fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.fields = {
                **getattr(record, "fields", {}),
                "trace_id": trace.format_trace_id(context.trace_id),
                "span_id": trace.format_span_id(context.span_id),
            }
        return True


def json_handlers() -> list[logging.Handler]:
    """The handlers that write the service's JSON log lines (``create_app()`` adds one)."""
    return [
        handler
        for handler in logging.getLogger(ROOT_LOGGER).handlers
        if isinstance(handler.formatter, JsonFormatter)
    ]


def install_log_correlation() -> None:
    """Give the service's JSON log lines the trace ids; safe to call more than once."""
    for handler in json_handlers():
        if not any(isinstance(f, TraceContextFilter) for f in handler.filters):
            handler.addFilter(TraceContextFilter())


@contextmanager
def captured_logs() -> Iterator[list[dict[str, Any]]]:
    """Collect the service's JSON log lines, parsed, instead of printing them to stderr."""
    handlers = [h for h in json_handlers() if isinstance(h, logging.StreamHandler)]
    if not handlers:
        raise RuntimeError("the service has not set up its logging yet: call create_app() first")
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    records: list[dict[str, Any]] = []
    try:
        yield records
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            if stream is not None:
                handler.setStream(stream)
        records.extend(json.loads(line) for line in buffer.getvalue().splitlines() if line)


# --- Everything at once -------------------------------------------------------------------


@dataclass
class Observability:
    """What ``observe()`` added to an app, and where to read what it recorded."""

    registry: CollectorRegistry
    tracer_provider: TracerProvider
    exporter: InMemorySpanExporter

    def exposition(self) -> str:
        return exposition(self.registry)

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()


def observe(app: FastAPI, *, id_generator: IdGenerator | None = None) -> Observability:
    """Add metrics, tracing and log correlation to `app`, each with private state."""
    registry = CollectorRegistry()
    provider, exporter = in_memory_tracer_provider(id_generator)
    add_metrics(app, registry)
    add_metrics_endpoint(app, registry)
    # Added last, so it is the outermost middleware: the metrics and the service's access log
    # run inside the request's span, and the log line gets its trace id.
    add_tracing(app, provider)
    return Observability(registry, provider, exporter)
