"""Stage 08 in the learner's project: the blueprint, 08.1 end to end, bad input, nothing changed.

08.1 runs the learner's service in a child process on a copy of their project; these tests give
it projects that are right in other ways, and wrong in the ways learners are, and check that the
learner's files and history are the same afterwards.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import project
from onboarding.checks import Given, run_expectations
from onboarding.stages.monitoring import service_probe
from onboarding.stages.monitoring.checks import EXERCISES
from tests.conftest import COURSE_ROOT

BLUEPRINT = COURSE_ROOT / "project" / "stage_08"
STAND_INS = ("src/booking_service/core/__init__.py", "src/booking_service/core/config.py")
METRICS = "src/booking_service/metrics.py"
TEXTS = [expectation.text for expectation in EXERCISES["08.1"]]

pytestmark = pytest.mark.slow


@pytest.fixture
def solved(tmp_path, monkeypatch) -> Path:
    """A learner's workspace whose project is the model answer of stage 08."""
    workspace = tmp_path / "workspace"
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    project.prepare("08", workspace, solved=True)
    return workspace


def judge_metrics(workspace: Path) -> dict[str, str]:
    result = run_expectations("08.1", EXERCISES["08.1"], Given(), echo=False)
    return {outcome.text: outcome.found for outcome in result.outcomes if not outcome.passed}


def write(workspace: Path, relative: str, text: str) -> None:
    project.path(relative, workspace).write_text(text, encoding="utf-8")


# --- the blueprint -------------------------------------------------------------------------------


def test_the_stand_ins_for_stage_04_go_when_stage_04_joins_the_blueprint():
    """Until stage 04's service is in the blueprint, stage 08 brings a stand-in of it."""
    main = (BLUEPRINT / "src" / "booking_service" / "main.py").read_text(encoding="utf-8")
    if "04" in project.stages():
        leftovers = [path for path in STAND_INS if (BLUEPRINT / path).exists()]
        assert not leftovers and "from bookings" not in main, (
            "stage 04 is in the blueprint now: delete project/stage_08's stand-ins "
            f"({', '.join(leftovers)}) and make project/stage_08/src/booking_service/main.py "
            "stage 04's main.py with the 08.1 region `metrics.instrument(app)` added"
        )
    else:
        assert "STAND-IN" in main
        for path in STAND_INS:
            assert "STAND-IN" in (BLUEPRINT / path).read_text(encoding="utf-8")


def test_stage_08_hands_out_the_runbook_template_and_stubbed_code():
    starting = project.starting("08")
    template = (COURSE_ROOT / "templates" / "runbook.md").read_text(encoding="utf-8")
    assert starting["docs/runbook.md"] == template
    assert 'raise NotImplementedError("Exercise 08.1' in starting[METRICS]
    call = "\n    metrics.instrument(app)\n"
    assert call not in starting["src/booking_service/main.py"]
    assert call in project.reference("08")["src/booking_service/main.py"]
    assert "TODO" in starting["monitoring/alerts.yaml"]


def test_the_model_projects_own_tests_pass(solved):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project.locate(solved),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]


# --- 08.1 end to end -----------------------------------------------------------------------------


def test_the_model_project_passes_08_1(solved):
    assert judge_metrics(solved) == {}


def test_a_begun_project_is_told_to_serve_metrics(tmp_path, monkeypatch):
    workspace = tmp_path / "workspace"
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    project.prepare("08", workspace, solved=False)
    found = judge_metrics(workspace)
    assert found[TEXTS[0]] == (
        "GET /metrics answers 404: serve your metrics there, from create_app() in main.py"
    )
    assert set(found) == set(TEXTS)


def test_a_stub_reached_from_create_app_is_not_written_yet(solved):
    model = project.path(METRICS, solved).read_text(encoding="utf-8")
    write(
        solved,
        METRICS,
        model.replace(
            "    requests = Counter(",
            '    raise NotImplementedError("Exercise 08.1: replace this line with your code")\n'
            "    requests = Counter(",
        ),
    )
    found = judge_metrics(solved)
    assert found[TEXTS[0]].startswith(
        "create_app(): not written yet (NotImplementedError (src/booking_service/metrics.py, line "
    )


def test_a_project_that_does_not_import_is_one_line(solved):
    write(solved, METRICS, "def instrument(app:\n")
    found = judge_metrics(solved)
    assert found[TEXTS[0]].startswith(
        "importing booking_service.main: a syntax error in src/booking_service/metrics.py, line 1"
    )
    assert "Traceback" not in found[TEXTS[0]]


def test_metrics_on_the_global_registry_clash_in_a_second_app(solved):
    model = project.path(METRICS, solved).read_text(encoding="utf-8")
    write(
        solved,
        METRICS,
        model.replace(
            "registry = CollectorRegistry() if registry is None else registry",
            "from prometheus_client import REGISTRY\n    registry = REGISTRY",
        ),
    )
    found = judge_metrics(solved)
    assert list(found) == [TEXTS[1]]
    assert "Duplicated timeseries" in found[TEXTS[1]]


MODULE_LEVEL = '''\
"""Metrics created once, at import, on the global registry: one app per process is fine."""

import time

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("http_requests", "Requests.", ["method", "route", "code"])
DURATION = Histogram(
    "http_request_duration_seconds", "Latency.", ["method", "route"],
    buckets=(0.01, 0.1, 0.3, 1, 3),
)


def instrument(app, registry=None):
    @app.middleware("http")
    async def measure(request: Request, call_next):
        started, code = time.perf_counter(), 500
        try:
            response = await call_next(request)
            code = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "other")
            REQUESTS.labels(request.method, route, str(code)).inc()
            DURATION.labels(request.method, route).observe(time.perf_counter() - started)

    @app.get("/metrics", include_in_schema=False)
    def metrics():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
'''

MOUNTED = '''\
"""A pure ASGI middleware, and prometheus_client's own app mounted at /metrics."""

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, make_asgi_app


class Metrics:
    def __init__(self, app, registry):
        self.app = app
        self.requests = Counter("http_requests", "Requests.", ["method", "route", "code"],
                                registry=registry)
        self.duration = Histogram("http_request_duration_seconds", "Latency.",
                                  ["method", "route"], buckets=(0.1, 0.3, 1.0), registry=registry)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def remember(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.duration.labels(scope["method"], route).observe(time.perf_counter() - started)


def instrument(app, registry=None):
    registry = registry or CollectorRegistry()
    app.add_middleware(Metrics, registry=registry)
    app.mount("/metrics", make_asgi_app(registry))
    return registry
'''


BASE_HTTP_MIDDLEWARE = '''\
"""Starlette's BaseHTTPMiddleware, labels by keyword, and the scrape served as plain text."""

import time

from fastapi.responses import PlainTextResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware


class Metrics(BaseHTTPMiddleware):
    def __init__(self, app, registry):
        super().__init__(app)
        self.requests = Counter("http_requests_total", "Requests.", ["route", "method", "code"],
                                registry=registry)
        self.duration = Histogram("http_request_duration_seconds", "Latency.",
                                  ["route", "method"], buckets=[0.05, 0.3, 2.0],
                                  registry=registry)

    async def dispatch(self, request, call_next):
        started, code = time.perf_counter(), 500
        try:
            response = await call_next(request)
            code = response.status_code
            return response
        finally:
            matched = request.scope.get("route")
            route = matched.path_format if matched else "none"
            self.requests.labels(method=request.method, route=route, code=code).inc()
            self.duration.labels(method=request.method, route=route).observe(
                time.perf_counter() - started
            )


def instrument(app, registry=None):
    registry = registry or CollectorRegistry()
    app.add_middleware(Metrics, registry=registry)

    @app.get("/metrics", include_in_schema=False)
    def metrics():
        return PlainTextResponse(generate_latest(registry).decode())

    return registry
'''


@pytest.mark.parametrize(
    "module",
    [MODULE_LEVEL, MOUNTED, BASE_HTTP_MIDDLEWARE],
    ids=["module-level", "mounted", "base-http-middleware"],
)
def test_other_right_ways_to_serve_metrics_pass(solved, module):
    write(solved, METRICS, module)
    assert judge_metrics(solved) == {}


def test_route_names_instead_of_templates_are_named(solved):
    model = project.path(METRICS, solved).read_text(encoding="utf-8")
    write(
        solved,
        METRICS,
        model.replace(
            'route = getattr(request.scope.get("route"), "path", None) or UNMATCHED',
            'route = getattr(request.scope.get("route"), "name", None) or UNMATCHED',
        ),
    )
    found = judge_metrics(solved)
    assert found[TEXTS[4]].startswith("route values that are no route's path template: ")


def test_a_service_that_hangs_is_stopped_and_named(solved, monkeypatch):
    monkeypatch.setattr(service_probe, "TIME_LIMIT_SECONDS", 3.0)
    write(solved, METRICS, "import time\n\ntime.sleep(60)\n")
    found = judge_metrics(solved)
    assert found[TEXTS[0]] == (
        "your service did not answer ten requests within 3 s: is a request waiting for "
        "something, or is there a loop that never ends?"
    )


def test_html_at_metrics_is_named(solved):
    write(
        solved,
        METRICS,
        """\
from fastapi.responses import HTMLResponse


def instrument(app, registry=None):
    app.add_api_route("/metrics", lambda: HTMLResponse("<h1>metrics</h1>"))
""",
    )
    assert judge_metrics(solved)[TEXTS[0]].startswith(
        "GET /metrics: line 1 is not in Prometheus' text format: <h1>metrics</h1>"
    )


def test_a_project_without_the_service_is_told_where_it_comes_from(solved):
    project.path("src/booking_service/main.py", solved).unlink()
    assert judge_metrics(solved)[TEXTS[0]] == (
        "src/booking_service/main.py does not exist yet: your service is written in stage 04 "
        "(`onboard checkpoint 7 --adopt` catches up with the course's project)"
    )


def test_no_project_at_all_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(tmp_path / "workspace"))
    found = judge_metrics(tmp_path / "workspace")
    assert (
        found[TEXTS[0]] == "there is no project in service/ yet: run `onboard start` to create it"
    )


# --- nothing the checks do changes the learner's project --------------------------------------


def fingerprint(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.parts
    }


def test_checking_changes_no_file_and_no_commit(solved):
    root = project.locate(solved)
    git = project.Git(root)
    before = (fingerprint(root), git.head(), git.run("status", "--porcelain"))
    for exercise in ("08.1", "08.3", "08.4"):
        result = run_expectations(exercise, EXERCISES[exercise], Given(), echo=False)
        assert result.ok, result.lines()
    assert (fingerprint(root), git.head(), git.run("status", "--porcelain")) == before


def test_begin_adds_nothing_while_onboard_check_grades(solved, monkeypatch):
    project.path("docs/runbook.md", solved).unlink()
    monkeypatch.setenv("ONBOARD_GRADING", "1")
    assert project.begin("08", solved).written == []
    assert not project.path("docs/runbook.md", solved).exists()
    monkeypatch.delenv("ONBOARD_GRADING")
    assert project.begin("08", solved).written == ["docs/runbook.md"]
