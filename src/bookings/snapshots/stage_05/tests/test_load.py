"""Load test with pass/fail thresholds: nightly and before each release (`pytest -m load`).

Locust runs in a child process against a real server and writes its statistics to a JSON
file; the test reads them and compares them with the SLO in test-plan.md. A short run is the
default; the scheduled job sets LOAD_TEST_SECONDS=60 (and LOAD_TEST_USERS, if it likes).
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.load

ROOT = Path(__file__).parents[1]
SECONDS = int(os.environ.get("LOAD_TEST_SECONDS", "10"))
USERS = int(os.environ.get("LOAD_TEST_USERS", "10"))
# The SLO (test-plan.md): p95 under 300 ms while serving at least 20 requests a second,
# with under 0.5% of requests failing.
P95_LIMIT_MS = 300
MIN_REQUESTS_PER_SECOND = 20
MAX_ERROR_RATE = 0.005


def run_locust(url: str, results: Path) -> list[dict]:
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "locustfile.py"), "--headless"]
    command += ["--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s"]
    command += ["--host", url, "--only-summary", "--json-file", str(results)]
    subprocess.run(command, check=True, timeout=SECONDS + 90, capture_output=True)
    return json.loads(results.with_suffix(".json").read_text())


def test_the_service_meets_its_slo_under_load(live_server, tmp_path):
    endpoints = run_locust(live_server.url, tmp_path / "results")
    # Locust keeps a histogram per endpoint: {milliseconds: how many requests took that long}.
    latencies = sorted(
        float(ms) for e in endpoints for ms, n in e["response_times"].items() for _ in range(n)
    )
    requests = sum(e["num_requests"] for e in endpoints)
    failures = sum(e["num_failures"] for e in endpoints)
    started = min(e["start_time"] for e in endpoints if e["num_requests"])
    ended = max(e["last_request_timestamp"] for e in endpoints if e["num_requests"])
    p95 = latencies[math.ceil(0.95 * len(latencies)) - 1]

    assert p95 < P95_LIMIT_MS, f"p95 latency {p95:.0f} ms"
    assert requests / (ended - started) >= MIN_REQUESTS_PER_SECOND, f"{requests} requests"
    assert failures / requests < MAX_ERROR_RATE, f"{failures} of {requests} requests failed"
