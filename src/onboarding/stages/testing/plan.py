"""Exercise 05.4: the test plan, `docs/test-plan.md`, checked against the project it describes.

Its structure is the company's template's; its SLO thresholds must be the numbers the load test
asserts (the defaults of `meets_slo` in tests/load/slo.py), each mismatch one line quoting both
sides; and it must say where each of the project's test folders runs.

A threshold is also the same comparison: when the plan's words say whether a value exactly at
the limit passes ("under 300 ms" no, "at most 300 ms" yes), meets_slo must say the same of a run
exactly at its own default limit, which the check gives it. Where the words do not say
("p95: 300 ms"), or meets_slo's verdict there cannot be told, either is accepted.

max_error_rate is a fraction, as run.error_rate is (0.005 is 0.5%): a plan and a meets_slo a
factor of 100 apart are told so, and a max_error_rate of 0.1 or more (one request in ten may
fail: 0.1 meant as 0.1%) is refused even when the plan says the same (`NO_SLO_ERROR_RATE`), as
is one of 0 that meets_slo compares as "fewer than": no run can meet it. So are a p95_limit_ms
of 0, which no run meets, and a min_rps of 0, which every run meets (`NO_SLO_AT_ZERO`).
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


TEMPLATE = "templates/test-plan.md"


def require_filled_in(given: Given) -> None:
    # The template's examples stay folded; a block the writer folded is judged as their text.
    opened = markdown.writers_details_opened(plan_text(given), markdown.course_template(TEMPLATE))
    left = testplan.placeholders(opened)
    require([f"{placeholder} is still a placeholder" for placeholder in dict.fromkeys(left)])


def require_sections(given: Given) -> None:
    missing = testplan.missing_sections(plan_text(given))
    if missing:
        raise CheckFailed(f"no `## ` section {', '.join(missing)}")


def _threshold_matches(measure: str) -> Callable[[Given], None]:
    parameter = LIMIT_OF[measure]

    def require_same(given: Given) -> None:
        found = testplan.thresholds(plan_text(given)).get(measure)
        asserted = _limit_asserted(given, parameter)
        if found is None or found.value is None or not _same(found.value, float(asserted)):
            code_inclusive = _passes_at_limit(given, measure)
            unknown, strict, inclusive = ASSERTS[measure]
            stated = {None: unknown, False: strict, True: inclusive}[code_inclusive]
            said = (
                f"{SLO_FILE} asserts {stated.format(value=_as_written(measure, asserted))} "
                f"({parameter}={asserted!r})"
            )
            if found is None:
                # Rows, list items and sentences are all read: say so, whichever the plan used.
                raise CheckFailed(
                    f"{PLAN} states no {measure} threshold: no table row, list item or "
                    f"sentence of `## {testplan.THRESHOLDS_SECTION}` gives its limit, but {said}"
                )
            if found.value is None:
                raise CheckFailed(f"“{found.quoted}” states no number, but {said}")
            unit = _unit_confusion(measure, found, float(asserted))
            raise CheckFailed(f"{PLAN} says “{found.quoted}”, but {said}{unit}")
        if measure == "failed requests" and float(asserted) >= NO_SLO_ERROR_RATE:
            raise CheckFailed(
                f"{PLAN} says “{found.quoted}” and {SLO_FILE} asserts "
                f"max_error_rate={asserted!r}, which {_lets_fail(float(asserted))}, more than "
                f"any availability SLO allows: {FRACTION} "
                f"({_as_written(measure, float(asserted) / 100)} is "
                f"max_error_rate={float(asserted) / 100:g}); write the share you mean in both"
            )
        if measure == "failed requests" and _refuses_a_run_without_failures(given):
            raise CheckFailed(
                f"{PLAN} says “{found.quoted}” and {SLO_FILE} asserts "
                f"max_error_rate={asserted!r}, but meets_slo says no even to a run in which no "
                "request failed (fewer failures than none cannot happen), so your load test can "
                "never pass; allow the share of failures your availability SLO does (99.5% "
                "allows 0.5%, max_error_rate=0.005) in both"
            )
        if measure in NO_SLO_AT_ZERO and float(asserted) <= 0:
            raise CheckFailed(
                f"{PLAN} says “{found.quoted}” and {SLO_FILE} asserts "
                f"{parameter}={asserted!r}, {NO_SLO_AT_ZERO[measure]}"
            )
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


NO_SLO_ERROR_RATE = 0.1
"""A max_error_rate that lets one request in ten fail, or more, is no SLO, even when the plan
says the same. The load test proves the availability SLO before a release (the lesson's 99.5%
allows 0.5%), and an availability SLO of a service people book rooms with has two nines or
more (99%, 1%); a loose one may have 95% (5%), but none has 90%. A value from 0.1 up is a
percentage written where a fraction belongs: 0.1 meant as 0.1%, the budget of the commonest
SLO, 99.9%, or 0.5 as 0.5%."""
NO_SLO_AT_ZERO = {
    "p95 latency": (
        "but every request takes some time, so no run has a p95 latency of 0 ms or less and "
        "your load test can never pass; write the latency your SLO allows (the lesson's 300 ms, "
        "p95_limit_ms=300) in both"
    ),
    "throughput": (
        "which any run meets, however few requests it served, so your load test asserts no "
        "throughput at all; write the rate a release must sustain (the lesson's 20 requests a "
        "second, min_rps=20) in both"
    ),
}
"""A limit of 0 or less on the latency, which no run meets, or on the throughput, which every
run meets, whichever way meets_slo compares: no SLO, even when the plan says the same. (Any
limit above 0 is one, however tight or loose.)"""
FRACTION = "max_error_rate is a fraction of the requests, as run.error_rate is, not a percentage"


def _unit_confusion(measure: str, found: testplan.Threshold, asserted: float) -> str:
    """What to add to a mismatch of the failed requests that is a factor of 100 apart: one side
    wrote a percentage where a fraction belongs; "" for any other mismatch."""
    if measure != "failed requests" or not found.value or not asserted:
        return ""
    if _same(found.value * 100, asserted):
        return (
            f": {FRACTION}, so the plan's {_as_written(measure, found.value)} is "
            f"max_error_rate={found.value:g}"
        )
    if _same(found.value, asserted * 100) and not testplan.UNITS[measure].search(found.quoted):
        return (
            f": the plan's {found.value:g} has no unit, so it reads as a fraction of the "
            f"requests, {_as_written(measure, found.value)}; write "
            f"“{_as_written(measure, asserted)}”"
        )
    if asserted >= NO_SLO_ERROR_RATE:
        return f": {FRACTION}, and max_error_rate={asserted:g} {_lets_fail(asserted)}"
    return ""


def _lets_fail(max_error_rate: float) -> str:
    share = (
        "every request"
        if max_error_rate >= 1
        else f"{_as_written('failed requests', max_error_rate)} of the requests"
    )
    return f"lets {share} fail"


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


STARTING_DEFAULTS = {
    "p95_limit_ms": "P95_LIMIT_MS",
    "min_rps": "MIN_REQUESTS_PER_SECOND",
    "max_error_rate": "MAX_ERROR_RATE",
}
"""Each limit's default as the starting file writes it: the constant that holds the SLO."""


def _limit_asserted(given: Given, parameter: str) -> object:
    """meets_slo's default for `parameter`, the limit its load test asserts. A default that is
    no number (`None`, with the SLO filled in inside the function) is named here, where the
    plan needs a number to compare, rather than failing the comparison."""
    asserted = asserted_limits(given)[parameter]
    if _as_number(asserted) is None:
        raise CheckFailed(
            f"meets_slo's {parameter} defaults to {asserted!r}, so {SLO_FILE} states no limit "
            "to compare the plan with: write the SLO as the default, as the starting file does "
            f"(`{parameter}: float = {STARTING_DEFAULTS[parameter]}`)"
        )
    return asserted


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type] - the learner's default, of any type
    except (TypeError, ValueError):
        return None


def _numeric_limits(given: Given) -> dict[str, float] | None:
    """Every limit meets_slo asserts, as a number; None when one of its defaults is none."""
    limits = {name: _as_number(value) for name, value in asserted_limits(given).items()}
    numeric = {name: value for name, value in limits.items() if value is not None}
    return numeric if len(numeric) == len(limits) else None


def _passes_at_limit(given: Given, measure: str) -> bool | None:
    """Whether meets_slo says yes to a run exactly at its own default limit of `measure`, every
    other measure well inside its limit; None when it says no to a run well inside all three
    (or fails), or when no run of whole requests sits exactly at that limit, or a limit is no
    number."""
    limits = _numeric_limits(given)
    if limits is None:
        return None
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


def _refuses_a_run_without_failures(given: Given) -> bool:
    """Whether meets_slo, with a max_error_rate of 0 or less, says no to a run in which no
    request failed and every other measure is well inside its limit: a load test that can
    never pass. ("No request may fail" is an SLO when meets_slo lets 0 failures pass, `<=`.)"""
    limits = _numeric_limits(given)
    if limits is None:
        return False
    p95_limit, min_rps, max_errors = (limits[name] for name in slo.LIMITS)
    if max_errors > 0 or p95_limit <= 0:
        return False
    quick = REQUESTS / (2 * min_rps) if min_rps > 0 else 10.0  # twice the rate asked
    flawless = LoadRun.from_latencies([p95_limit / 2] * REQUESTS, seconds=quick)
    try:
        return not slo.verdict(given, flawless, **limits)
    except Exception:  # noqa: BLE001 - 05.3 names what is wrong with meets_slo itself
        return False


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
