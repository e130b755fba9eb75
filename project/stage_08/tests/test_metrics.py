"""The service's metrics, read as Prometheus reads them (stage 08)."""

from __future__ import annotations

import warnings

from booking_service.core.config import Settings
from booking_service.main import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about its test client's next home
    from fastapi.testclient import TestClient


def scrape_after(tmp_path, *paths: str):
    """GET each path from a fresh app, then GET /metrics."""
    app = create_app(Settings(database=tmp_path / "bookings.db"))
    with TestClient(app) as client:
        for path in paths:
            client.get(path)
        return client.get("/metrics")


def test_metrics_are_served_for_prometheus(tmp_path):
    scraped = scrape_after(tmp_path)
    assert scraped.status_code == 200
    assert "# TYPE" in scraped.text


def test_a_request_is_counted_under_its_route_template_not_its_path(tmp_path):
    text = scrape_after(tmp_path, "/bookings/12345").text
    assert 'route="/bookings/{booking_id}"' in text
    # The raw path must never become a label value. (A bare "12345" can turn up in a sample's
    # float, such as the process start time, so the test looks for it as a label.)
    assert '"/bookings/12345"' not in text
