"""The application factory: `create_app(settings=None, rules=None)`; nothing is built at import.

Stage 08 adds one line: `metrics.instrument(app)`, so that the service serves its metrics at
GET /metrics for Prometheus.

STAND-IN until stage 04's service joins the course's blueprint: this factory builds the course's
reference service (the `bookings` package) and adds the stage-08 line, so that stage 08 can be
taken and checked on its own. Once the blueprint has a stage 04, this file is stage 04's
`main.py` with that line added, and `core/` here goes (tests/stages/test_monitoring_project.py
says so when it happens).
"""

from __future__ import annotations

from booking_service import metrics
from booking_service.core.config import Settings
from fastapi import FastAPI


def create_app(settings: Settings | None = None, rules: object | None = None) -> FastAPI:
    """Build the API for `settings` (default: read from the environment)."""
    from bookings.main import create_app as reference_app

    app = reference_app(settings)
    ### BEGIN SOLUTION 08.1
    metrics.instrument(app)
    ### END SOLUTION
    ### BEGIN STUB
    # # Exercise 08.1: serve the metrics of booking_service/metrics.py from here.
    ### END STUB
    return app
