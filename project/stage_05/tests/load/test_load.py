"""Load test with pass/fail thresholds: nightly and before each release (`pytest -m load`).

Locust runs in a child process against the real server (`live_server`) and writes its
statistics to a JSON file; the test reads them and judges them with `meets_slo`, the SLO of
docs/test-plan.md. A short run is the default; the scheduled job sets LOAD_TEST_SECONDS=60 (and
LOAD_TEST_USERS, if it likes).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from slo import LoadRun, meets_slo, percentile

SECONDS = int(os.environ.get("LOAD_TEST_SECONDS", "10"))
USERS = int(os.environ.get("LOAD_TEST_USERS", "10"))
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def run_locust(url: str, results: Path) -> LoadRun:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s"]
    command += ["--host", url, "--only-summary", "--json-file", str(results)]
    subprocess.run(command, check=True, timeout=SECONDS + 90, capture_output=True)
    return LoadRun.from_locust_json(json.loads(results.with_suffix(".json").read_text()))


def test_the_service_meets_its_slo_under_load(live_server, tmp_path):
    run = run_locust(live_server.url, tmp_path / "results")
    assert meets_slo(run), (
        f"{run.requests} requests: p95 {percentile(run.latencies_ms, 0.95):.0f} ms, "
        f"{run.requests_per_second:.1f} req/s, {run.error_rate:.2%} failed"
    )
