"""Stage 05: the provider side of contract testing, with schemathesis.

`contract_test(app)` reads the OpenAPI spec, lets schemathesis generate requests for every
operation from it (Hypothesis underneath), sends them to the app in-process, and checks that
every response is one the spec allows. It returns the findings instead of raising, so a lesson
can print a verdict and a check can name each broken promise in plain words.

Runs are bounded and repeatable: a fixed number of examples per operation, and
`derandomize=True`, so the same app gets the same requests and the same verdict every time.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .server import quiet_testclient

if TYPE_CHECKING:  # the kernel imports this module for every stage-05 check: FastAPI costs 0.3 s
    from fastapi import FastAPI

# The checks that compare a response with the spec. Schemathesis has more (for instance
# whether the service accepts every request the spec calls valid); these five are the
# "does every answer keep the spec's promises" part, the part the exercises are about.
CHECKS: dict[str, str] = {
    "not_a_server_error": "no server errors (5xx)",
    "status_code_conformance": "status codes the spec documents",
    "content_type_conformance": "content types the spec documents",
    "response_headers_conformance": "response headers the spec documents",
    "response_schema_conformance": "response bodies that match the spec's schemas",
}
DEFAULT_EXAMPLES = 25
TESTSERVER = "http://testserver"


def reference_spec() -> Path:
    """The booking service's OpenAPI spec, as shipped with the package."""
    return Path(str(resources.files("bookings").joinpath("openapi.yaml")))


@dataclass(frozen=True)
class Finding:
    """One way an operation broke the spec, as found by one check."""

    operation: str
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.operation}: {CHECKS.get(self.check, self.check)} — {self.detail}"


@dataclass
class ContractReport:
    operations: list[str] = field(default_factory=list)
    requests: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    def failing(self, check: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.check == check]

    def verdict(self) -> str:
        if self.passed:
            return (
                f"✅ all {len(self.operations)} operations kept the spec's promises "
                f"({len(CHECKS)} checks on every response)"
            )
        return f"❌ {len(self.findings)} broken promise(s):\n" + "\n".join(
            f"   - {finding.line()}" for finding in self.findings
        )


def seed_provider_state(client) -> None:
    """Give generated requests something to find: a room (id 1) and two bookings (ids 1, 2).

    The room is as big as the spec allows, so any generated attendee count fits; booking 2 is
    cancelled, so both shapes of a booking (live and cancelled) appear in responses.
    """
    room = client.post("/rooms", json={"name": "Contract room", "capacity": 10_000})
    room.raise_for_status()
    room_id = room.json()["id"]
    for start, end in (("2031-01-06T09:00:00Z", "2031-01-06T10:00:00Z"),
                       ("2031-01-06T11:00:00Z", "2031-01-06T12:00:00Z")):  # fmt: skip
        body = {"organiser": "contract@example.com", "start": start, "end": end, "attendees": 2}
        client.post(f"/rooms/{room_id}/bookings", json=body).raise_for_status()
    client.post("/bookings/2/cancel").raise_for_status()


# The ids `seed_provider_state` creates, by path parameter name.
KNOWN_IDS = {"room_id": (1,), "booking_id": (1, 2)}


def known_ids(parameters: dict[str, Any] | None):
    """A strategy for `parameters` with each id replaced by one the provider state created."""
    from hypothesis import strategies as st

    if not parameters:
        return st.just(parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from(KNOWN_IDS[name]) if name in KNOWN_IDS else st.just(value)
            for name, value in parameters.items()
        }
    )


def contract_test(
    app: FastAPI,
    *,
    spec: str | Path | None = None,
    max_examples: int = DEFAULT_EXAMPLES,
    seed: Callable[[Any], None] | None = seed_provider_state,
) -> ContractReport:
    """Check `app` against `spec` (default: the reference spec); return what broke, per check.

    Each operation gets `max_examples` generated requests (plus the spec's own examples). The
    app runs in-process through Starlette's TestClient with server errors turned into 500
    responses, exactly what a client would see.
    """
    import schemathesis
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_path(str(spec or reference_spec()))

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        # Half the generated ids name what `seed` created, so operations also reach their
        # success paths (201, 200) instead of answering 404 to every random id.
        return st.one_of(strategy.flatmap(known_ids), strategy)

    report = ContractReport()
    with quiet_service_logs(), quiet_testclient()(app, raise_server_exceptions=False) as client:
        if seed is not None:
            seed(client)
        for result in schema.get_all_operations():
            check_operation(result.ok(), client, report, max_examples)
    return report


@contextlib.contextmanager
def quiet_service_logs() -> Iterator[None]:
    """Silence the service's own logs: a 500's traceback would bury the findings."""
    logger = logging.getLogger("bookings")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def check_operation(operation, client, report: ContractReport, max_examples: int) -> None:
    """Send the operation's documented and generated requests; record the first failure per check."""
    from hypothesis import HealthCheck, Phase, example, given, settings
    from schemathesis import checks as builtin_checks

    label = operation.label
    report.operations.append(label)
    check_functions = {name: getattr(builtin_checks, name) for name in CHECKS}

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def send(case) -> None:
        response = client.request(**request_arguments(case))
        report.requests += 1
        for name, check in list(check_functions.items()):
            failure = first_failure(case, response, check)
            if failure is not None:
                # One finding per check and operation: the first example says what broke.
                del check_functions[name]
                report.findings.append(Finding(label, name, failure))

    for case in documented_cases(operation):
        send = example(case=case)(send)
    send()


def documented_cases(operation) -> list:
    """The spec's own request examples, sent to the seeded resources.

    Generated requests rarely hit an existing room with a valid booking, so these make sure
    the documented success answers (a 201 for the example booking, a 200 for booking 1) are
    always among the requests.
    """
    path_parameters = {
        parameter.name: KNOWN_IDS.get(parameter.name, (1,))[0]
        for parameter in operation.path_parameters
    }
    body = operation.definition.raw.get("requestBody", {})
    examples = body.get("content", {}).get("application/json", {}).get("examples", {})
    if not examples:
        return [operation.Case(path_parameters=path_parameters)]
    return [
        operation.Case(
            path_parameters=path_parameters, body=example["value"], media_type="application/json"
        )
        for example in examples.values()
        if "value" in example
    ]


def request_arguments(case) -> dict[str, Any]:
    """A schemathesis case as arguments for an httpx (TestClient) request."""
    prepared = case.as_transport_kwargs(base_url=TESTSERVER)
    arguments: dict[str, Any] = {
        "method": prepared["method"],
        "url": prepared["url"],
        "headers": prepared.get("headers") or {},
        "params": prepared.get("params") or None,
    }
    if "json" in prepared:
        arguments["json"] = prepared["json"]
    elif prepared.get("data") is not None:
        arguments["content"] = prepared["data"]
    return arguments


def first_failure(case, response, check) -> str | None:
    """Run one check on one response; a plain-words description of what failed, or None."""
    from schemathesis.core.failures import Failure, FailureGroup

    try:
        case.validate_response(response, checks=[check])
    except FailureGroup as group:
        return describe(group.exceptions[0], response)
    except Failure as failure:
        return describe(failure, response)
    return None


def describe(failure, response) -> str:
    """What a schemathesis failure means, in one short sentence without volatile details."""
    kind = type(failure).__name__
    status = response.status_code
    if kind == "UndefinedStatusCode":
        documented = ", ".join(str(code) for code in failure.defined_status_codes)
        return f"answered {status}, but the spec documents only {documented}"
    if kind == "JsonSchemaError":
        where = "/".join(str(part) for part in failure.instance_path) or "the body"
        message = _one_line(failure.validation_message or failure.title)
        return f"a {status} response breaks its schema at {where}: {message}"
    if kind == "UndefinedContentType":
        documented = ", ".join(failure.defined_content_types)
        return f"answered {status} as {failure.content_type}, but the spec documents {documented}"
    if kind == "MissingHeaders":
        return f"a {status} response lacks the header(s) {', '.join(failure.missing_headers)}"
    if kind in ("ServerError", "ContentTypeServerError"):
        return f"the service failed with {status}"
    return f"{_one_line(failure.title)} (status {status})"


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    # Schemathesis quotes long instances in full; the first sentence is the finding.
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0][:160]


# One expectation per check, with the hint for the drift it usually means (exercise 05.2).
DRIFT_EXPECTATIONS: tuple[tuple[str, str, str], ...] = (
    (
        "not_a_server_error",
        "no request makes the service fail with a 5xx",
        "A 500 means the code raised: `pytest tests/contract` in your project shows the request.",
    ),
    (
        "status_code_conformance",
        "every status code is one the spec documents for its operation",
        "Compare each route's status_code= (and the errors it raises) with the responses the "
        "spec lists for that operation.",
    ),
    (
        "content_type_conformance",
        "every response has a content type the spec documents",
        "Successful answers are application/json; errors are application/problem+json.",
    ),
    (
        "response_headers_conformance",
        "every response has the headers the spec documents",
        "The spec's `headers:` under a response name what must be sent (Location on a 201).",
    ),
    (
        "response_schema_conformance",
        "every response body matches its schema in the spec",
        "A field the spec lists as required must be in every response, even when it is null: "
        "look for what drops None values from a response.",
    ),
)
