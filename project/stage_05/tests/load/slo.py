"""The SLO the load test asserts (exercise 05.3), and what one Locust run measured.

The numbers are the service's SLO, as docs/test-plan.md states them: the latency objective at
the 95th percentile, the throughput a release must sustain (ten times the Monday-morning peak),
and no more failed requests than the availability SLO allows. `meets_slo` is the assertion
tests/load/test_load.py makes; the test plan and this file must say the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

P95_LIMIT_MS = 300.0
MIN_REQUESTS_PER_SECOND = 20.0
MAX_ERROR_RATE = 0.005


@dataclass(frozen=True)
class LoadRun:
    """What a load test measured: every request's latency, and how many requests failed."""

    latencies_ms: tuple[float, ...]
    """One entry per request, failed ones too, in milliseconds, sorted."""
    requests: int
    failures: int
    seconds: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @classmethod
    def from_locust_json(cls, entries: Sequence[Mapping]) -> LoadRun:
        """Locust's `--json-file` statistics: one entry per endpoint, with a histogram of
        response times ({milliseconds: how many requests took that long})."""
        latencies = sorted(
            float(milliseconds)
            for entry in entries
            for milliseconds, count in entry["response_times"].items()
            for _ in range(count)
        )
        measured = [entry for entry in entries if entry["num_requests"]]
        started = min((entry["start_time"] for entry in measured), default=0.0)
        ended = max((entry["last_request_timestamp"] for entry in measured), default=0.0)
        return cls(
            tuple(latencies),
            sum(entry["num_requests"] for entry in entries),
            sum(entry["num_failures"] for entry in entries),
            ended - started,
        )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def meets_slo(
    run: LoadRun,
    p95_limit_ms: float = P95_LIMIT_MS,
    min_rps: float = MIN_REQUESTS_PER_SECOND,
    max_error_rate: float = MAX_ERROR_RATE,
) -> bool:
    """Whether a run meets the SLO: p95 latency below the limit, throughput at least `min_rps`,
    and fewer than `max_error_rate` of the requests failed."""
    ### BEGIN SOLUTION 05.3
    if not run.latencies_ms:
        return False
    return (
        percentile(run.latencies_ms, 0.95) < p95_limit_ms
        and run.requests_per_second >= min_rps
        and run.error_rate < max_error_rate
    )
    ### END SOLUTION
