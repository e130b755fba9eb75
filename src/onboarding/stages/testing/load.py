"""Stage 05: run a load test with Locust, and read what it measured.

Locust patches the standard library with gevent the moment it is imported, which breaks a
Jupyter kernel, so it always runs here in a child process: `python -m locust --headless …`.
It writes its final statistics to a JSON file once, at the end (`--json-file`); its CSV files
are rewritten once a second while it runs, so their last second can be missing. The JSON file
holds, per endpoint, a histogram of response times and the number of requests in each second:
`LoadRun` turns that into latencies, throughput and error rate.

Run a longer test from a terminal (it starts the service, runs Locust, prints a summary):

    python -m onboarding.stages.testing.load --users 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from onboarding import timing

# The environment variable a lesson reads for the length of its load test, in seconds.
SECONDS_ENV = "LOAD_TEST_SECONDS"
DEFAULT_SECONDS = 5
DEFAULT_USERS = 10
DEFAULT_USER_RATE = 5.0
# Locust needs a few seconds to start and to stop on top of the run itself.
OVERHEAD_TIMEOUT = 90
RUN_TIME_GRACE = 12
"""Seconds past the run's length after which Locust is interrupted (Ctrl+C's SIGINT, on which
it stops its users and still writes its statistics; while a shape runs it has no handler for
SIGTERM yet): a locustfile with a `LoadTestShape` runs for as long as its shape says, whatever
--run-time asks."""


def load_test_seconds(default: int = DEFAULT_SECONDS) -> int:
    """How long the lesson's load test runs: LOAD_TEST_SECONDS, or a few seconds."""
    value = os.environ.get(SECONDS_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


LOCUSTFILE = "tests/load/locustfile.py"


def write_reference_locustfile(folder: Path) -> Path:
    """The course's load scenario (the model project's tests/load/locustfile.py), in `folder`."""
    from onboarding import project

    path = Path(folder) / "locustfile.py"
    path.write_text(project.reference("05")[LOCUSTFILE], encoding="utf-8")
    return path


@dataclass(frozen=True)
class EndpointStats:
    requests: int
    failures: int
    latencies_ms: tuple[float, ...]


@dataclass(frozen=True)
class LoadRun:
    """What one load test measured.

    `latencies_ms` has one entry per request (failed ones too), in milliseconds, sorted;
    `per_second` counts the requests completed in each second of the run.
    """

    latencies_ms: tuple[float, ...]
    requests: int
    failures: int
    seconds: float
    per_second: tuple[int, ...] = ()
    endpoints: Mapping[str, EndpointStats] = field(default_factory=dict)
    users: int = 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @classmethod
    def from_latencies(
        cls, latencies_ms: Iterable[float], seconds: float, failures: int = 0
    ) -> LoadRun:
        """A run made of known numbers, e.g. to test an SLO function without a load test."""
        latencies = tuple(sorted(float(value) for value in latencies_ms))
        return cls(latencies, len(latencies), failures, float(seconds))

    @classmethod
    def from_locust_json(cls, entries: Sequence[Mapping], users: int = 0) -> LoadRun:
        """Read Locust's `--json-file` output: one entry per endpoint."""
        endpoints: dict[str, EndpointStats] = {}
        all_latencies: list[float] = []
        counts: dict[int, int] = {}
        starts, ends = [], []
        for entry in entries:
            latencies = expand_histogram(entry.get("response_times", {}))
            endpoints[entry["name"]] = EndpointStats(
                int(entry["num_requests"]), int(entry["num_failures"]), latencies
            )
            all_latencies.extend(latencies)
            for second, count in entry.get("num_reqs_per_sec", {}).items():
                counts[int(second)] = counts.get(int(second), 0) + int(count)
            if entry.get("num_requests"):
                starts.append(float(entry["start_time"]))
                ends.append(float(entry["last_request_timestamp"]))
        requests = sum(stats.requests for stats in endpoints.values())
        failures = sum(stats.failures for stats in endpoints.values())
        seconds = max(ends) - min(starts) if starts else 0.0
        per_second = (
            tuple(counts.get(second, 0) for second in range(min(counts), max(counts) + 1))
            if counts
            else ()
        )
        return cls(
            tuple(sorted(all_latencies)),
            requests,
            failures,
            seconds,
            per_second,
            dict(sorted(endpoints.items())),
            users,
        )


def expand_histogram(histogram: Mapping[str, int]) -> tuple[float, ...]:
    """Locust's {rounded milliseconds: count} histogram as one value per request, sorted."""
    values: list[float] = []
    for milliseconds, count in histogram.items():
        values.extend([float(milliseconds)] * int(count))
    return tuple(sorted(values))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of values at or below it."""
    if not values:
        raise ValueError("no values: the load test made no requests")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def locust_command(
    locustfile: Path,
    base_url: str,
    users: int,
    seconds: int,
    spawn_rate: float,
    output: Path,
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{seconds}s",
        "--host",
        base_url,
        "--only-summary",
        "--json-file",
        str(output),
        "--loglevel",
        "WARNING",
        # Let requests in flight finish rather than count them as failures at the end.
        "--stop-timeout",
        "2",
    ]


class LoadTestFailed(RuntimeError):
    """Locust could not run, or wrote no statistics; the message has its last output."""


def run_load_test(
    base_url: str,
    *,
    users: int = DEFAULT_USERS,
    seconds: int = DEFAULT_SECONDS,
    spawn_rate: float | None = None,
    user_rate: float = DEFAULT_USER_RATE,
    locustfile: str | Path | None = None,
    progress: bool = True,
    while_starting: Callable[[], None] | None = None,
) -> LoadRun:
    """Run Locust against `base_url` for `seconds`, in a child process; return what it measured.

    With `progress`, a progress bar counts the seconds while the child runs. `while_starting`
    runs once Locust's process is started (e.g. waiting for a server started at the same
    time); if it raises, Locust is stopped and the error passes on.
    """
    with tempfile.TemporaryDirectory(prefix="locust-") as folder:
        locustfile = Path(locustfile) if locustfile else write_reference_locustfile(Path(folder))
        output = Path(folder) / "results"
        command = locust_command(locustfile, base_url, users, seconds, spawn_rate or users, output)
        env = {
            **os.environ,
            "LOAD_USER_RATE": f"{user_rate:g}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        with open(Path(folder) / "locust.log", "w+b") as log:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
            try:
                if while_starting is not None:
                    while_starting()
                wait_with_progress(process, seconds, progress)
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
            log.seek(0)
            output_text = log.read().decode("utf-8", errors="replace")
        results = output.with_suffix(".json")
        if not results.is_file():
            tail = "\n".join(output_text.splitlines()[-15:])
            raise LoadTestFailed(
                f"locust exited with code {process.returncode} and wrote no results:\n{tail}"
            )
        entries = json.loads(results.read_text(encoding="utf-8"))
    return LoadRun.from_locust_json(entries, users=users)


def wait_with_progress(process: subprocess.Popen, seconds: int, progress: bool) -> None:
    """Wait for the child; with `progress`, show a bar over the run's seconds."""
    deadline = time.monotonic() + seconds + OVERHEAD_TIMEOUT
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=seconds, unit="s", desc="load test", leave=False)
    started = time.monotonic()
    asked_to_stop = False
    try:
        while process.poll() is None:
            if time.monotonic() > deadline:
                raise LoadTestFailed(f"locust did not finish within {seconds + OVERHEAD_TIMEOUT} s")
            # On a busy machine (a workshop checking at once) Locust starts slower: the grace
            # stretches with the load, so a run that is only slow is not cut short.
            grace = RUN_TIME_GRACE * timing.load_stretch()
            if not asked_to_stop and time.monotonic() - started > seconds + grace:
                # Locust ignores --run-time when a LoadTestShape sets the pace: end it here.
                process.send_signal(signal.SIGINT)
                asked_to_stop = True
            if bar is not None:
                bar.n = min(seconds, int(time.monotonic() - started))
                bar.refresh()
            time.sleep(0.2)
    finally:
        if bar is not None:
            bar.n = seconds
            bar.close()


def summary_lines(run: LoadRun) -> list[str]:
    """A table of what one run measured: throughput, and latency percentiles per endpoint."""
    lines = [
        f"{run.requests} requests in {run.seconds:.1f} s: {run.requests_per_second:.1f} req/s, "
        f"{run.error_rate:.2%} failed",
        f"{'endpoint':<34} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    rows = [
        *run.endpoints.items(),
        ("all requests", EndpointStats(run.requests, run.failures, run.latencies_ms)),
    ]
    for name, stats in rows:
        if not stats.latencies_ms:
            continue
        p50, p95, p99 = (percentile(stats.latencies_ms, q) for q in (0.50, 0.95, 0.99))
        lines.append(f"{name:<34} {stats.requests:>8} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Start the service on a free loopback port, load it, print what was measured."""
    from bookings.core.config import Settings

    from .server import running_server

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--user-rate",
        type=float,
        default=DEFAULT_USER_RATE,
        help="requests per second per user; 0 sends as fast as the service answers",
    )
    parser.add_argument("--log-level", default="INFO", help="the service's log level")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level=args.log_level)
        with running_server(settings=settings) as base_url:
            run = run_load_test(
                base_url,
                users=args.users,
                seconds=args.seconds,
                user_rate=args.user_rate,
                progress=sys.stderr.isatty(),
            )
    print(f"{args.users} users, {args.user_rate:g} req/s each (0 = no pause), {args.seconds} s")
    print("\n".join(summary_lines(run)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
