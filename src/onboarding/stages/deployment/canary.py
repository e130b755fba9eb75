"""Exercise 07.2: the cases a canary decision must get right, written around the thresholds.

The thresholds are the course's numbers (`onboarding.numbers.canary_thresholds()`): fewer canary
requests than `min_requests` is too little evidence either way; the canary's error rate may be
at most `max_error_rate_increase` above the baseline's, and its p95 latency at most
`max_p95_ratio` times the baseline's. The canary is compared with the baseline, not with fixed
numbers, because a busy hour slows both. Each limit is tested below, at and above it; the
numbers are chosen so that the limits are exact in floating point (a rate at the limit equals
it, however it is computed).

The p95 limit is probed above a baseline p95 that is a power of two (256 ms): multiplying by it
is exact, so `p95 > base * ratio`, `p95 / base > ratio` and `p95 - base > base * (ratio - 1)`
all see the canary's p95 exactly at the limit (with a baseline of 200 ms, 1.2 - 1 rounds down
and the last form would roll back a canary exactly at it). A rule with `>=` still rolls it back.

So does a rule in Decimals made from the floats (`Decimal(1.2)`, the float's 1.1999…): Decimal
rounds what it computes to 28 digits, and the canary at the limit comes out above it. That is
the rule's arithmetic, not the limit's (Decimals made from strings, and Fractions, are exact),
so the case keeps its verdict and its hint names the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from onboarding import numbers

PROMOTE, HOLD, ROLLBACK = "promote", "hold", "rollback"
THRESHOLDS = numbers.canary_thresholds()
BINARY_BASELINE_P95_MS = 256.0
"""The baseline p95 the p95 limit is probed above: see the module's docstring."""
LOOSER_THRESHOLDS = {"min_requests": 100, "max_error_rate_increase": 0.01, "max_p95_ratio": 1.5}
"""Another service's thresholds, looser than the course's in each of the three: the case that
checks the function reads them from its argument."""


def metrics(requests: int, errors: int, p95_ms: float) -> dict:
    return {"requests": requests, "errors": errors, "p95_ms": p95_ms}


@dataclass(frozen=True)
class CanaryCase:
    expectation: str
    baseline: dict
    canary: dict
    expected: str
    hint: str
    thresholds: dict | None = None

    def limits(self) -> dict:
        return dict(self.thresholds or THRESHOLDS)


def cases(limits: dict = THRESHOLDS) -> tuple[CanaryCase, ...]:
    least = int(limits["min_requests"])
    increase = limits["max_error_rate_increase"]
    ratio = limits["max_p95_ratio"]
    baseline = metrics(20_000, 40, 200.0)  # 0.2 % errors, p95 200 ms
    clean = metrics(20_000, 0, 200.0)
    at_limit = round(increase * 1_000)  # errors in 1,000 canary requests, exactly at the limit
    # A power of two: base * ratio, base * (ratio - 1) and p95 / base are then all exact.
    binary_baseline = metrics(20_000, 40, BINARY_BASELINE_P95_MS)
    return (
        CanaryCase(
            "a canary as good as the baseline is promoted",
            baseline,
            metrics(1_000, 2, 205.0),
            PROMOTE,
            "Promote when there is enough traffic and neither error rate nor p95 is too high.",
        ),
        CanaryCase(
            f"{least - 1} canary requests (below min_requests) means hold",
            baseline,
            metrics(least - 1, 0, 190.0),
            HOLD,
            "Before anything else: fewer than thresholds['min_requests'] canary requests is too"
            " little evidence.",
        ),
        CanaryCase(
            "too little traffic means hold, even when the errors look bad",
            baseline,
            metrics(100, 30, 900.0),
            HOLD,
            "The traffic rule comes first: decide nothing on a handful of requests.",
        ),
        CanaryCase(
            f"exactly min_requests ({least}) is enough to decide",
            baseline,
            metrics(least, 1, 200.0),
            PROMOTE,
            "At least min_requests means `>=`: only fewer requests than that holds.",
        ),
        CanaryCase(
            f"an error rate {increase * 100:g} points above the baseline's (exactly the limit)"
            " is promoted",
            clean,
            metrics(1_000, at_limit, 200.0),
            PROMOTE,
            "Compare error *rates* (errors / requests); only more than the allowed increase"
            " rolls back.",
        ),
        CanaryCase(
            "one error more than the limit rolls back",
            clean,
            metrics(1_000, at_limit + 1, 200.0),
            ROLLBACK,
            "canary rate > baseline rate + max_error_rate_increase means rollback.",
        ),
        CanaryCase(
            "exactly at the limit above a baseline that has errors too is promoted",
            metrics(20_000, 100, 200.0),
            metrics(1_000, 10, 200.0),
            PROMOTE,
            "The limit is the baseline's rate plus the allowed increase, not the increase alone.",
        ),
        CanaryCase(
            "60 errors against the baseline's 50, on the same traffic, is within the limit",
            metrics(5_000, 50, 200.0),
            metrics(5_000, 60, 200.0),
            PROMOTE,
            "1.2 % against 1 % is within 0.5 points: compare errors / requests, not error counts.",
        ),
        CanaryCase(
            f"a p95 exactly {ratio:g} times the baseline's is promoted",
            binary_baseline,
            metrics(1_000, 2, BINARY_BASELINE_P95_MS * ratio),
            PROMOTE,
            # Decimal(1.2) is the float's 1.1999…, and Decimal rounds what it computes to 28
            # digits, so a canary at the limit comes out above it.
            "Only a p95 above baseline p95 × max_p95_ratio rolls back. With Decimal, build each"
            " from a string, `Decimal(str(x))`: `Decimal(1.2)` keeps the float's binary error.",
        ),
        CanaryCase(
            "a p95 one millisecond above that limit rolls back",
            binary_baseline,
            metrics(1_000, 2, BINARY_BASELINE_P95_MS * ratio + 1),
            ROLLBACK,
            "canary p95 > baseline p95 × max_p95_ratio means rollback.",
        ),
        CanaryCase(
            f"a slow canary (p95 above {ratio:g} times the baseline's) rolls back, even with no"
            " errors",
            baseline,
            metrics(1_000, 0, 260.0),
            ROLLBACK,
            "Check latency as well as errors.",
        ),
        CanaryCase(
            "in a busy hour, a canary as slow as its slow baseline is promoted",
            metrics(20_000, 40, 500.0),
            metrics(1_000, 2, 550.0),
            PROMOTE,
            "Compare with the baseline's p95 of the same moment, not with a fixed number of"
            " milliseconds.",
        ),
        CanaryCase(
            "a canary better than the baseline is promoted",
            baseline,
            metrics(1_000, 0, 150.0),
            PROMOTE,
            "Only worse-than-allowed metrics roll back.",
        ),
        CanaryCase(
            "the thresholds come from the argument, not from fixed numbers",
            baseline,
            # Within each of the looser limits and beyond each of the course's: fewer requests
            # than the course's minimum, 0.8 points more errors than the baseline, and 1.4 times
            # its p95. So any one of the course's numbers fixed in the code holds or rolls back
            # this canary, not only a fixed min_requests.
            metrics(200, 2, 280.0),
            PROMOTE,
            "Read min_requests, max_error_rate_increase and max_p95_ratio from `thresholds`.",
            thresholds=LOOSER_THRESHOLDS,
        ),
    )


CANARY_CASES = cases()
