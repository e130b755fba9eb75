"""The dashboard under a class's load, measured with Locust (as stage 05 of the course teaches).

    python -m workshop.loadtest --seconds 60       # what `make bench` runs

Sixty simulated learners report check results, each every 2 to 8 seconds (a real learner checks
every minute or two, so this is about ten times a workshop's rate), while an instructor's
dashboard polls the cohort view every second and downloads the CSV now and then. Afterwards
every report Locust saw accepted is counted in the database.

The dashboard runs as its own process, exactly as the hub starts it (`python -m
workshop.service`), with SQLite. The only stand-in is the hub's token lookup: a small HTTP
server answering `GET /hub/api/user` for sixty tokens (the service caches each answer, as with
a real hub, so it is asked about each token once).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

from workshop.store import Store

PREFIX = "/services/cohort-dashboard/"
SERVICE_ACCESS = "access:services!service=cohort-dashboard"
INSTRUCTOR_SCOPE = "custom:cohort:read"
GOALS = {"p99_ms": 100.0, "errors": 0}
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def learner_names(count: int) -> list[str]:
    return [f"learner-{index:02d}" for index in range(1, count + 1)]


def token_of(name: str) -> str:
    return f"token-{name}"


class _HubAPI(BaseHTTPRequestHandler):
    """`GET /hub/api/user` (who owns a token) and `GET /hub/api/users` (activity), nothing else."""

    tokens: dict[str, tuple[str, list[str]]] = {}

    def do_GET(self):  # noqa: N802 - the base class's naming
        path = self.path.split("?")[0].rstrip("/")
        if path.endswith("/hub/api/user"):
            token = self.headers.get("Authorization", "").partition(" ")[2]
            owner = self.tokens.get(token)
            if owner is None:
                self._reply(403, {"status": 403, "message": "invalid token"})
            else:
                self._reply(200, {"kind": "user", "name": owner[0], "scopes": owner[1]})
        elif path.endswith("/hub/api/users"):
            self._reply(200, [])
        else:
            self._reply(404, {"status": 404})

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class _Server(ThreadingHTTPServer):
    # A class connecting at once must queue, not be refused (the default backlog is 5).
    request_queue_size = 128


@contextmanager
def stand_in_hub(tokens: Mapping[str, tuple[str, list[str]]]) -> Iterator[str]:
    """A hub API on a free loopback port that knows `tokens` (token -> (name, scopes))."""
    handler = type("HubAPI", (_HubAPI,), {"tokens": dict(tokens)})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="stand-in-hub", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hub/api/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dashboard_process(folder: Path, hub_api: str, cohort: Path) -> Iterator[tuple[str, str]]:
    """`python -m workshop.service` as the hub would start it; yields (base URL, database URL)."""
    from onboarding import paths

    port = free_port()
    database = f"sqlite:///{folder / 'dashboard.db'}"
    env = {
        **os.environ,
        "JUPYTERHUB_API_TOKEN": "service-token",
        "JUPYTERHUB_API_URL": hub_api,
        "JUPYTERHUB_CLIENT_ID": "service-cohort-dashboard",
        "JUPYTERHUB_SERVICE_NAME": "cohort-dashboard",
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{PREFIX}oauth_callback",
        "WORKSHOP_COHORT": str(cohort),
        "WORKSHOP_DASHBOARD_DB": database,
        "ONBOARD_COURSE_ROOT": str(paths.course_root()),
    }
    log = open(folder / "dashboard.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop.service"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    "the dashboard did not start:\n"
                    + (folder / "dashboard.log").read_text()[-2000:]
                )
            try:
                with urllib.request.urlopen(f"{base}health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the dashboard did not answer within 60 s") from None
                time.sleep(0.2)
        yield base, database
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run(seconds: int = 60, learners: int = 60) -> dict[str, Any]:
    """One load test; returns its figures (latencies in ms) and the reports counted after it."""
    from onboarding.stages.testing.load import percentile, run_load_test

    names = learner_names(learners)
    tokens = {token_of(name): (name, [SERVICE_ACCESS]) for name in names}
    tokens[token_of("instructor")] = ("instructor", [SERVICE_ACCESS, INSTRUCTOR_SCOPE])
    with tempfile.TemporaryDirectory(prefix="workshop-load-") as folder_name:
        folder = Path(folder_name)
        cohort = folder / "cohort.yaml"
        cohort.write_text(
            f"workshop: Load test\ninstructors: [instructor]\nlearners: [{', '.join(names)}]\n"
        )
        with (
            stand_in_hub(tokens) as hub_api,
            dashboard_process(folder, hub_api, cohort) as (
                base,
                database,
            ),
        ):
            # The locustfile reads its settings from the environment Locust's child process
            # inherits; they are set only around its start, so no benchmark or test keeps them.
            settings = {
                "WORKSHOP_LOAD_LEARNERS": str(learners),
                "WORKSHOP_LOAD_LEDGER": str(folder / "ledger.json"),
            }
            with mock.patch.dict(os.environ, settings):
                load = run_load_test(
                    base,
                    users=learners + 1,
                    seconds=seconds,
                    # People do not all press Run at the same instant: a ten-second ramp.
                    spawn_rate=max(1, (learners + 1) / 10),
                    locustfile=LOCUSTFILE,
                    progress=False,
                )
            store = Store(database)
            stored = {report.report_id for report in store.reports()}
            store.close()
            ledger = json.loads((folder / "ledger.json").read_text())
    accepted, sent = set(ledger["accepted"]), set(ledger["sent"])
    posts = load.endpoints.get("POST api/reports")
    return {
        "learners": learners,
        "seconds": seconds,
        "requests": load.requests,
        "errors": load.failures,
        "requests_per_s": round(load.requests_per_second, 1),
        "p50_ms": percentile(load.latencies_ms, 0.50),
        "p95_ms": percentile(load.latencies_ms, 0.95),
        "p99_ms": percentile(load.latencies_ms, 0.99),
        "reports_p99_ms": percentile(posts.latencies_ms, 0.99) if posts else None,
        "reports_accepted": len(accepted),
        "reports_in_database": len(stored),
        # Accepted (201) but not stored: lost. Stored but never sent: invented. Both must be 0;
        # a report whose answer was cut off when Locust stopped may be stored without a 201.
        "reports_lost": len(accepted - stored),
        "reports_not_sent": len(stored - sent),
        "per_endpoint": {
            name: {"requests": stats.requests, "failures": stats.failures}
            for name, stats in load.endpoints.items()
        },
        "failure_reasons": ledger.get("failures", [])[:5],
    }


def meets_goals(figures: Mapping[str, Any]) -> bool:
    return (
        figures["p99_ms"] <= GOALS["p99_ms"]
        and figures["errors"] == GOALS["errors"]
        and figures["reports_lost"] == 0
        and figures["reports_not_sent"] == 0
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the run (default 60)")
    parser.add_argument("--learners", type=int, default=60, help="simulated learners (default 60)")
    options = parser.parse_args(argv)
    figures = run(options.seconds, options.learners)
    print(json.dumps(figures, indent=1))
    return 0 if meets_goals(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
