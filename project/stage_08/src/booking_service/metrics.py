"""The service's metrics, for Prometheus to scrape at GET /metrics.

The RED metrics of every request: a counter by method, route template and status code (its
Rate and its Errors), and a latency histogram by method and route template (its Duration), with
a bucket boundary at the latency objective, 0.3 s, so that Prometheus can count the bookings
answered within it. Each app gets its own registry: the tests build an app per test, and two
apps registering the same metric on the global registry would clash.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "unmatched"
"""The route label of a request that matched no route: one series, whatever the path."""


def instrument(app: FastAPI, registry: CollectorRegistry | None = None) -> CollectorRegistry:
    """Count and time every request of `app`, and serve the numbers at GET /metrics."""
    registry = CollectorRegistry() if registry is None else registry
    ### BEGIN SOLUTION 08.1
    requests = Counter(
        "http_requests",
        "HTTP requests answered, by method, route template and status code.",
        ["method", "route", "code"],
        registry=registry,
    )
    duration = Histogram(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by method and route template.",
        ["method", "route"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )

    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        # If the route raises, the client gets a 500 from further out: count it as one.
        code = 500
        try:
            response = await call_next(request)
            code = response.status_code
            return response
        finally:
            # The router puts the matched route in the scope during call_next.
            route = getattr(request.scope.get("route"), "path", None) or UNMATCHED
            requests.labels(request.method, route, str(code)).inc()
            duration.labels(request.method, route).observe(time.perf_counter() - started)

    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.middleware("http")(measure)
    # Not part of the API contract, so it stays out of the OpenAPI document.
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    ### END SOLUTION
    return registry
