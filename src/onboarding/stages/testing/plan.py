"""Exercise 05.4: the test plan, `docs/test-plan.md`, checked against the project it describes.

Its structure is the company's template's; its SLO thresholds must be the numbers the load test
asserts (the defaults of `meets_slo` in tests/load/slo.py), each mismatch one line quoting both
sides; and it must say where each of the project's test folders runs.

A threshold is also the same comparison: when the plan's words say whether a value exactly at
the limit passes ("under 300 ms" no, "at most 300 ms" yes), meets_slo must say the same of a run
exactly at its own default limit, which the check gives it. Where the words do not say
("p95: 300 ms"), or meets_slo's verdict there cannot be told, either is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

import onboarding.stages.testing.slo as slo
from onboarding import project
from onboarding.artefacts import markdown, testplan
from onboarding.checks import CheckFailed, Given, require
from onboarding.stages.testing.load import LoadRun
from onboarding.stages.testing.slo import SLO_FILE, asserted_limits

PLAN = "docs/test-plan.md"
TEST_FOLDERS = ("tests/integration", "tests/contract", "tests/load")
LIMIT_OF = {
    "p95 latency": "p95_limit_ms",
    "throughput": "min_rps",
    "failed requests": "max_error_rate",
}
"""The parameter of meets_slo whose default is each measure's limit."""
ASSERTS = {
    # (comparison unknown, strict, inclusive): what meets_slo asserts, told as it compares, so
    # that a meets_slo letting 300 ms pass is not quoted as asserting "p95 < 300 ms".
    "p95 latency": ("a p95 limit of {value} ms", "p95 < {value} ms", "p95 ≤ {value} ms"),
    "throughput": (
        "a limit of {value} requests a second",
        "more than {value} requests a second",
        "at least {value} requests a second",
    ),
    "failed requests": (
        "a limit of {value} failed",
        "under {value} failed",
        "at most {value} failed",
    ),
}


def plan_text(given: Given) -> str:
    def read() -> str:
        project.read(PLAN)  # a missing file says where it belongs
        return markdown.read_document(project.path(PLAN))

    return given.once("plan", read)


def require_filled_in(given: Given) -> None:
    left = testplan.placeholders(plan_text(given))
    require([f"{placeholder} is still a placeholder" for placeholder in dict.fromkeys(left)])


def require_sections(given: Given) -> None:
    missing = testplan.missing_sections(plan_text(given))
    if missing:
        raise CheckFailed(f"no `## ` section {', '.join(missing)}")


def _threshold_matches(measure: str) -> Callable[[Given], None]:
    parameter = LIMIT_OF[measure]

    def require_same(given: Given) -> None:
        found = testplan.thresholds(plan_text(given)).get(measure)
        asserted = asserted_limits(given)[parameter]
        if found is None or found.value is None or not _same(found.value, float(asserted)):
            code_inclusive = _passes_at_limit(given, measure)
            unknown, strict, inclusive = ASSERTS[measure]
            stated = {None: unknown, False: strict, True: inclusive}[code_inclusive]
            said = (
                f"{SLO_FILE} asserts {stated.format(value=_as_written(measure, asserted))} "
                f"({parameter}={asserted!r})"
            )
            if found is None:
                raise CheckFailed(f"the SLO thresholds table has no row for {measure}, but {said}")
            if found.value is None:
                raise CheckFailed(f"“{found.quoted}” states no number, but {said}")
            raise CheckFailed(f"{PLAN} says “{found.quoted}”, but {said}")
        if found.inclusive is None:
            return
        code_inclusive = _passes_at_limit(given, measure)
        if code_inclusive is not None and code_inclusive != found.inclusive:
            value = _as_written(measure, asserted)
            at_limit = AT_LIMIT[measure].format(value=value)
            raise CheckFailed(
                f"{PLAN} says “{found.quoted}”, so {at_limit} "
                f"{'meets' if found.inclusive else 'misses'} the SLO, but meets_slo in {SLO_FILE} "
                f"says it {'meets' if code_inclusive else 'misses'} it; write "
                f"“{WORDS[measure][code_inclusive].format(value=value)}” "
                "in the plan, or change meets_slo's comparison"
            )

    return require_same


AT_LIMIT = {
    "p95 latency": "a p95 of exactly {value} ms",
    "throughput": "exactly {value} requests a second",
    "failed requests": "exactly {value} failed",
}
WORDS = {
    # (strict, inclusive), indexed by whether the limit itself passes: how the plan says
    # meets_slo's comparison, each {value} as `_as_written` has it.
    "p95 latency": ("under {value} ms", "at most {value} ms"),
    "throughput": ("more than {value} requests a second", "at least {value} requests a second"),
    "failed requests": ("under {value}", "at most {value}"),
}
REQUESTS = 1000


def _passes_at_limit(given: Given, measure: str) -> bool | None:
    """Whether meets_slo says yes to a run exactly at its own default limit of `measure`, every
    other measure well inside its limit; None when it says no to a run well inside all three
    (or fails), or when no run of whole requests sits exactly at that limit."""
    limits = {name: float(value) for name, value in asserted_limits(given).items()}
    p95_limit, min_rps, max_errors = (limits[name] for name in slo.LIMITS)
    if p95_limit <= 0 or max_errors <= 0:
        return None
    fast = [p95_limit / 2] * REQUESTS
    quick = REQUESTS / (2 * min_rps) if min_rps > 0 else 10.0  # twice the rate asked
    inside = LoadRun.from_latencies(fast, seconds=quick)
    if measure == "p95 latency":
        # Ranks 941 to 1000 at the limit: every percentile method gives it as the p95.
        slow = [p95_limit] * (REQUESTS * 6 // 100)
        at_limit = LoadRun.from_latencies(fast[len(slow) :] + slow, seconds=quick)
    elif measure == "throughput":
        at_limit = LoadRun.from_latencies(fast, seconds=REQUESTS / min_rps if min_rps > 0 else 0)
        if at_limit.requests_per_second != min_rps:
            return None
    else:
        share = Fraction(max_errors).limit_denominator(REQUESTS * 100)
        requests = share.denominator * -(-REQUESTS // share.denominator)
        failures = share.numerator * requests // share.denominator
        seconds = requests / (2 * min_rps) if min_rps > 0 else 10.0
        at_limit = LoadRun.from_latencies(
            [p95_limit / 2] * requests, seconds=seconds, failures=failures
        )
        if at_limit.error_rate != max_errors:
            return None
    try:
        if not slo.verdict(given, inside, **limits):
            return None
        return slo.verdict(given, at_limit, **limits)
    except Exception:  # noqa: BLE001 - 05.3 names what is wrong with meets_slo itself
        return None


def _as_written(measure: str, value: float) -> str:
    """A limit as the plan would write it: 300 (ms), 20 (a second), a fraction as a percentage
    with the digits it needs (0.005 is "0.5%", 0.00125 "0.125%")."""
    if measure == "failed requests":
        return f"{float(value) * 100:.6g}%"
    return f"{float(value):g}"


def _same(left: float, right: float) -> bool:
    return abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))


_BRACES = re.compile(r"(?P<parent>[\w./-]*/)\{(?P<names>[\w.-]+(?:,[\w.-]+)+)\}")
"""A shell's brace expansion: `tests/{integration,contract}` names both folders."""


def _names_folder(text: str, folder: str) -> bool:
    """Whether the plan names a test folder: its path, or its marker as `-m` selects it (not
    `-m "not load"`, which runs every folder but that one) or as the tests mark themselves
    (`pytest.mark.load`)."""
    marker = re.escape(folder.rpartition("/")[2])
    return bool(
        re.search(
            rf"{re.escape(folder)}\b|-m[^|\n]*(?<!\bnot\s)\b{marker}\b|\bmark\.{marker}\b", text
        )
    )


def require_test_folders(given: Given) -> None:
    text = _BRACES.sub(
        lambda found: " ".join(found["parent"] + name for name in found["names"].split(",")),
        plan_text(given),
    )
    missing = [folder for folder in TEST_FOLDERS if not _names_folder(text, folder)]
    if missing:
        raise CheckFailed(f"it never names {', '.join(missing)} (nor the marker that selects it)")


require_p95_matches = _threshold_matches("p95 latency")
require_throughput_matches = _threshold_matches("throughput")
require_failures_match = _threshold_matches("failed requests")
