"""Contract test, provider side: every answer the service gives is one openapi.yaml allows.

Schemathesis reads the spec and generates requests for each operation (Hypothesis does the
generating); each response is checked against the spec. The run is bounded and repeatable:
a fixed number of examples per operation, always the same ones (`derandomize=True`).
"""

from pathlib import Path

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.contract

SPEC = Path(__file__).parents[1] / "openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The room and booking `provider_state` creates: ids 1.
KNOWN_ID = 1


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Half the generated ids name what exists, so success answers get checked too."""
    existing = strategy.map(lambda ids: {name: KNOWN_ID for name in ids} if ids else ids)
    return st.one_of(existing, strategy)


@pytest.fixture(scope="module")
def provider_state(live_server):
    """A room that fits any booking, and one booking in it, before the generated requests."""
    with httpx.Client(base_url=live_server.url) as http:
        http.post("/rooms", json={"name": "Contract", "capacity": 10_000}).raise_for_status()
        slot = {"start": "2031-01-06T09:00:00Z", "end": "2031-01-06T10:00:00Z"}
        body = {"organiser": "contract@example.com", "attendees": 2, **slot}
        http.post(f"/rooms/{KNOWN_ID}/bookings", json=body).raise_for_status()
    return live_server.url


@pytest.mark.parametrize(
    "operation",
    [result.ok() for result in schema.get_all_operations()],
    ids=lambda operation: operation.label,
)
def test_every_answer_keeps_the_promises_of_the_spec(operation, provider_state):
    with requests.Session() as session:

        @settings(
            max_examples=10,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
        )
        @given(case=operation.as_strategy())
        def answer_matches_spec(case):
            case.call_and_validate(base_url=provider_state, session=session, checks=CHECKS)

        answer_matches_spec()
