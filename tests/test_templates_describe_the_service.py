"""The templates describe the course's real API, not another one.

They once named `POST /bookings` (the service books with `POST /rooms/{room_id}/bookings`), gave
cancel a "409 already cancelled" (cancel is idempotent), counted the health probes in an SLO rule
whose SLI leaves them out, and measured "bookings within 300 ms" over every POST. Each test below
fails on one of those, wherever a template (or lesson 08's dashboard) says it again.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from importlib import resources

import pytest
import yaml

from onboarding import notebooks
from tests.conftest import COURSE_ROOT
from tests.course_text import sentences

TEMPLATES = COURSE_ROOT / "templates"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
# Served by the service when monitoring is on (bookings.observability), outside the API's spec.
EXTRA_PATHS = {"/metrics"}


def service_spec() -> dict:
    text = resources.files("bookings").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


SPEC = service_spec()
SERVICE_SEGMENTS = {path.split("/")[1] for path in SPEC["paths"]} | {"metrics"}


def spec_path_for(path: str) -> str | None:
    """The spec's path template that `path` names (`/rooms/3/bookings` is `/rooms/{room_id}/bookings`)."""
    path = path.split("?", 1)[0].rstrip(".:")
    for template in [*SPEC["paths"], *EXTRA_PATHS]:
        pattern = re.sub(r"\\\{[^}]+\\\}", r"(?:\\{[a-z_]+\\}|\\d+|…)", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    return None


OPERATION = re.compile(rf"\b({'|'.join(METHODS)})\b`?\s*(?:\|\s*)?`?(/[^\s`|,;)'\"]*)")
PATH_IN_CONTEXT = re.compile(
    r"`(/[^\s`]*)`"  # `code`
    r"|route!?=~?\"([^\"]+)\""  # a Prometheus label
    r"|\b(?:instance|path):\s*(/[^\s,}]+)"  # a problem's instance, a probe's path
    r"|https?://[\w.-]+(?::\d+)?(/[^\s'\"`]*)"  # a URL
)


def template_texts() -> list[tuple[str, str]]:
    return [
        (path.name, path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES.iterdir())
        if path.is_file() and path.name != "README.md"
    ]


def named_paths(text: str) -> list[str]:
    """Every URL path the text names for the service: after a method, or in an HTTP context."""
    found = [path for _, path in OPERATION.findall(text)]
    for match in PATH_IN_CONTEXT.finditer(text):
        path = next(group for group in match.groups() if group)
        for alternative in path.split("|"):  # a Prometheus regex names several routes
            alternative = alternative.replace("\\", "")
            segment = alternative.split("/")[1] if alternative.startswith("/") else ""
            if segment in SERVICE_SEGMENTS:
                found.append(alternative)
    return found


def unknown_paths(texts) -> list[str]:
    problems = []
    for name, text in texts:
        for path in named_paths(text):
            if ".+" in path or ".*" in path:
                continue  # a regex over routes, not a route
            if spec_path_for(path) is None:
                problems.append(f"{name}: {path}")
    return sorted(set(problems))


def test_every_path_a_template_names_is_one_the_service_serves():
    assert unknown_paths(template_texts()) == []


# --- status codes, per operation -----------------------------------------------------------------

HTTP_CODES = {str(status.value) for status in HTTPStatus}
# A three-digit number that is a status code, not a duration, a share or part of a bigger number.
STATUS = re.compile(r"(?<![\d.,])([1-5]\d\d)(?![\d%]|[.,]\d|\s*(?:ms|s\b|%|minutes|requests))")


def declared(method: str, path: str) -> set[str] | None:
    template = spec_path_for(path)
    operation = SPEC["paths"].get(template, {}).get(method.lower()) if template else None
    return None if operation is None else {str(code) for code in operation["responses"]}


def units(text: str):
    """Table rows and sentences (wrapped lines joined) of Markdown; lines of anything else."""
    return sentences(text)


def wrong_status_codes(texts) -> list[str]:
    """A sentence or table row about one operation gives it a status the spec does not declare."""
    problems = []
    for name, text in texts:
        for unit in units(text):
            operations = {(m, p) for m, p in OPERATION.findall(unit)}
            if len(operations) != 1:
                continue
            ((method, path),) = operations
            codes = {code for code in STATUS.findall(unit) if code in HTTP_CODES}
            allowed = declared(method, path)
            if allowed is None:
                continue  # an unknown path: the test above names it
            for code in sorted(codes - allowed):
                problems.append(f"{name}: {method} {path} given {code}: {unit[:120]!r}")
    return problems


def test_every_status_a_template_gives_an_operation_is_declared_by_the_spec():
    assert wrong_status_codes(template_texts()) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("| POST | /bookings | Create a booking | 201 | 404 |", "unknown"),
        (
            "| POST | /bookings/{booking_id}/cancel | Cancel | 200 | 404, 409 (already cancelled) |",
            "409",
        ),
        ("Cancel with `POST /bookings/7/cancel`; a second cancel answers 409.", "409"),
        ("A Locust scenario: 80% `GET /bookings?room_id=…`.", "unknown"),
        ("| `POST /rooms/{room_id}/bookings` p95 latency | < 300 ms | > 600 ms |", None),
        ("| POST | /rooms/{room_id}/bookings | Book | 201 | 404, 409, 422 |", None),
    ],
)
def test_the_api_checks_catch_another_api(text, problem):
    texts = [("example.md", text + "\n")]
    found = unknown_paths(texts) + wrong_status_codes(texts)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and (problem == "unknown" or problem in found[0]), found


# --- PromQL: what the SLIs count -------------------------------------------------------------------

# A selector's matchers are read whole, quoted values included: a route such as
# "/rooms/{room_id}/bookings" has braces of its own.
SELECTOR = re.compile(
    r'\b(http_request\w*)\{((?:\s*\w+\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*,?)*)\}'
)
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')


def selects(matchers: str, labels: dict[str, str]) -> bool:
    """Whether a Prometheus label selector (`a="b",c!~"x|y"`) matches a series with `labels`."""
    for name, op, value in MATCHER.findall(matchers.replace("\\|", "|")):
        actual = labels.get(name, "")
        if op == "=" and actual != value:
            return False
        if op == "!=" and actual == value:
            return False
        if op == "=~" and not re.fullmatch(value, actual):
            return False
        if op == "!~" and re.fullmatch(value, actual):
            return False
    return True


PROBES_AND_SCRAPES = ("/health/live", "/health/ready", "/metrics")
BOOK = {"route": "/rooms/{room_id}/bookings", "method": "POST"}
NOT_BOOKING = (
    {"route": "/rooms", "method": "POST"},
    {"route": "/bookings/{booking_id}/cancel", "method": "POST"},
    {"route": "/rooms/{room_id}/bookings", "method": "GET"},
)


def lesson_08_dashboard() -> str:
    lesson = COURSE_ROOT / "notebooks" / "08_monitoring.ipynb"
    cells = notebooks.read(lesson)["cells"]
    return "\n".join(
        notebooks.source_of(c) for c in cells if "### What Grafana shows" in "".join(c["source"])
    )


def availability_selectors() -> list[tuple[str, str]]:
    """Request-count selectors of the availability SLO: its rule and SLI, and the 5xx panel."""
    slo = (TEMPLATES / "slo-and-alerts.md").read_text(encoding="utf-8")
    found = [
        ("slo-and-alerts.md", m)
        for name, m in SELECTOR.findall(slo)
        if name == "http_requests_total"
    ]
    for row in lesson_08_dashboard().splitlines():
        if "5xx" in row:
            found += [
                ("lesson 08 dashboard", m)
                for name, m in SELECTOR.findall(row)
                if name == "http_requests_total"
            ]
    return found


def latency_selectors() -> list[tuple[str, str]]:
    """Duration selectors that measure booking latency: the SLI, its alert, the panels."""
    slo = (TEMPLATES / "slo-and-alerts.md").read_text(encoding="utf-8")
    found = []
    for where, text in (("slo-and-alerts.md", slo), ("lesson 08 dashboard", lesson_08_dashboard())):
        found += [
            (where, m)
            for name, m in SELECTOR.findall(text)
            if name.startswith("http_request_duration")
        ]
    return found


def test_the_availability_rule_counts_what_its_sli_counts():
    """The SLI leaves out the probes and /metrics, so every selector of the rule must too."""
    selectors = availability_selectors()
    assert len(selectors) >= 6, selectors
    for where, matchers in selectors:
        for route in PROBES_AND_SCRAPES:
            assert not selects(matchers, {"route": route, "code": "500"}), (where, matchers, route)
        assert selects(matchers, {**BOOK, "code": "500", "job": "bookings"}), (where, matchers)


def test_booking_latency_is_measured_on_booking_requests_only():
    """'Bookings within 300 ms' once divided by every POST: rooms and cancels included."""
    selectors = latency_selectors()
    assert len(selectors) >= 3, selectors
    for where, matchers in selectors:
        assert selects(matchers, {**BOOK, "le": "0.3"}), (where, matchers)
        for other in NOT_BOOKING:
            assert not selects(matchers, {**other, "le": "0.3"}), (where, matchers, other)


@pytest.mark.parametrize(
    ("matchers", "labels", "expected"),
    [
        ('job="bookings"', {"job": "bookings", "route": "/health/live"}, True),
        ('route!~"/health/.+|/metrics"', {"route": "/health/live"}, False),
        ('route!~"/health/.+\\|/metrics"', {"route": "/metrics"}, False),
        ('route!~"/health/.+|/metrics"', {"route": "/rooms"}, True),
        ('le="0.3",method="POST"', {"route": "/rooms", "method": "POST", "le": "0.3"}, True),
        ('code=~"5.."', {"code": "503"}, True),
        ('code=~"5.."', {"code": "1503"}, False),
    ],
)
def test_the_selector_reader_agrees_with_prometheus(matchers, labels, expected):
    assert selects(matchers, labels) is expected


TEST_ID = re.compile(r"`((?:[\w-]+/)*test_\w+\.py)::(test_\w+)`")


def named_tests(texts) -> list[tuple[str, str, str]]:
    """(template, file, test) for every `file.py::test_name` a template names."""
    return [(name, *found) for name, text in texts for found in TEST_ID.findall(text)]


def missing_tests(named, tests_folder) -> list[str]:
    missing = []
    for template, file, test in named:
        path = tests_folder / file
        if not path.is_file() or not re.search(rf"^def {test}\(", path.read_text(), re.M):
            missing.append(f"{template}: {file}::{test}")
    return missing


def test_every_test_a_template_names_is_one_of_the_services_tests():
    """The test plan's example points at real tests of the booking service (tests/bookings/)."""
    named = named_tests(template_texts())
    assert named, "no template names a test any more"
    assert missing_tests(named, COURSE_ROOT / "tests" / "bookings") == []


def test_a_test_a_template_names_that_does_not_exist_is_reported():
    texts = [("test-plan.md", "`test_crud.py::test_capacity`, `api/test_bookings.py::test_gone`")]
    assert missing_tests(named_tests(texts), COURSE_ROOT / "tests" / "bookings") == [
        "test-plan.md: api/test_bookings.py::test_gone"
    ]
