"""What stage 05's exercises expect, in the order each is judged.

Every exercise judges files of the learner's project (`check("05.1")`). Their tests run in
child processes on throwaway copies (stage 04's `judging`), against their own service: as it
is, and with a bug planted through its own factory's seam (`create_app(settings, rules=...)`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from onboarding.checks import CheckFailed, Expectation, Given
from onboarding.pytest_runs import PytestRun
from onboarding.stages.implementation import judging
from onboarding.stages.testing import plan, slo
from onboarding.stages.testing.contract import DRIFT_EXPECTATIONS
from onboarding.stages.testing.planted_bugs import OVERLAP_BUG, SERVER_ERROR

STAGE = "05"
INTEGRATION = "tests/integration"
CONTRACT = "tests/contract"
PROMISES = "promises"
SUITES = Path(__file__).parent / "suites"


def _failing(run: PytestRun, where: str, against: str) -> None:
    judging.require_finished(run, f"your {where} tests")
    if run.collection_errors:
        raise CheckFailed(f"pytest could not load them: {run.collection_errors[0]}")
    if run.broken:
        listed = "; ".join(f"{case.name}: {case.why()}" for case in run.broken[:3])
        raise CheckFailed(f"they fail against {against} ({run.counts()}): {listed}")


# --- 05.1: integration tests ------------------------------------------------------------------


def integration_runs(given: Given) -> dict[str, PytestRun]:
    return given.once(
        "05.1",
        lambda: judging.learners_tests(
            INTEGRATION, [OVERLAP_BUG], course_service=False, stage=STAGE
        ),
    )


def integration_collected(given: Given) -> None:
    judging.require_collected(integration_runs(given)[judging.LEARNERS], f"{INTEGRATION}/")


def integration_pass_on_yours(given: Given) -> None:
    _failing(integration_runs(given)[judging.LEARNERS], "integration", "your service")


def _catches(runs: Callable[[Given], dict[str, PytestRun]], key: str, caught: str):
    def require_caught(given: Given) -> None:
        found = runs(given)
        if found[judging.LEARNERS].broken or found[judging.LEARNERS].collection_errors:
            raise CheckFailed("cannot tell while they fail against your service without the bug")
        if found[key].timed_out:
            raise CheckFailed("with the bug planted they did not finish in time")
        if not found[key].broken and not found[key].collection_errors:
            raise CheckFailed(caught)

    return require_caught


INTEGRATION_TESTS = (
    Expectation(
        "tests/integration/ holds at least one test",
        integration_collected,
        hint="Write a function named test_… in tests/integration/test_integration.py, taking "
        "the `client` fixture.",
        required=True,
    ),
    Expectation(
        "your integration tests pass against your service",
        integration_pass_on_yours,
        hint="Read what the service answered: the first booking must be 201 and the "
        "overlapping one 409.",
        required=True,
    ),
    Expectation(
        "they fail when your service's overlap check ignores bookings made by earlier requests",
        _catches(
            integration_runs,
            OVERLAP_BUG.key,
            "your tests pass even when the overlap check ignores earlier bookings, so they "
            "would not catch that bug",
        ),
        hint=OVERLAP_BUG.hint,
    ),
)


# --- 05.2: contract tests -----------------------------------------------------------------------


def contract_runs(given: Given) -> dict[str, PytestRun]:
    return given.once(
        "05.2",
        lambda: judging.learners_tests(
            CONTRACT,
            [SERVER_ERROR],
            course_service=False,
            stage=STAGE,
            course_suites=[(PROMISES, SUITES / "contract_promises.py")],
        ),
    )


def contract_collected(given: Given) -> None:
    judging.require_collected(contract_runs(given)[judging.LEARNERS], f"{CONTRACT}/")


def contract_pass_on_yours(given: Given) -> None:
    _failing(contract_runs(given)[judging.LEARNERS], "contract", "your service")


def _promise(check: str) -> Callable[[Given], None]:
    def require_kept(given: Given) -> None:
        run = contract_runs(given)[PROMISES]
        judging.require_case(run, "test_the_contract_test_runs", "the contract test")
        judging.require_case(run, f"test_promise[{check}]", "the contract test")

    return require_kept


CONTRACT_TESTS = (
    Expectation(
        "tests/contract/ holds at least one contract test",
        contract_collected,
        hint="Write tests/contract/test_contract.py: schemathesis reads your openapi.yaml.",
        required=True,
    ),
    Expectation(
        "your contract tests pass against your service",
        contract_pass_on_yours,
        hint="Each failure names an operation and a broken promise: fix the service, or the "
        "spec first if the change was meant (and tell its consumers).",
    ),
    Expectation(
        "they fail when your service answers 500 to a booking",
        _catches(
            contract_runs,
            SERVER_ERROR.key,
            "your contract tests pass even when every booking of an existing room is a 500, "
            "so they would not catch a server error there",
        ),
        hint=SERVER_ERROR.hint,
    ),
    *(
        Expectation(f"your service against your spec: {text}", _promise(check), hint)
        for check, text, hint in DRIFT_EXPECTATIONS
    ),
)


# --- 05.3: the SLO as code ----------------------------------------------------------------------

SLO_AS_CODE = (
    Expectation(
        "tests/load/slo.py defines meets_slo(run, p95_limit_ms, min_rps, max_error_rate), "
        "with the SLO as its defaults",
        slo.require_defined,
        hint="Keep the function and its parameters as the starting file has them.",
        required=True,
    ),
    Expectation(
        "meets_slo's answer depends on the measurements",
        slo.require_depends_on_data,
        hint="Compute the 95th percentile of run.latencies_ms and compare it with p95_limit_ms.",
        required=True,
    ),
    Expectation(
        "a run with every request under 50 ms, at 50 req/s, meets the SLO",
        slo.require_fast_run_meets,
        hint="Each criterion must hold for a good run: p95 < limit, rate >= min, errors < max.",
    ),
    Expectation(
        "a run whose p95 is 400 ms misses it",
        slo.require_slow_run_fails,
        hint="Compare p95 with p95_limit_ms: 400 is not below 300.",
    ),
    Expectation(
        "the p95 limit comes from the p95_limit_ms argument",
        slo.require_p95_limit_used,
        hint="Use the parameter p95_limit_ms, not the number 300, in the comparison.",
    ),
    Expectation(
        "the throughput must reach min_rps",
        slo.require_rate_used,
        hint="Compare run.requests_per_second with min_rps.",
    ),
    Expectation(
        "the share of failed requests must stay below max_error_rate",
        slo.require_error_rate_used,
        hint="Compare run.error_rate with max_error_rate.",
    ),
    Expectation(
        "it judges the 95th percentile, not the mean, p99 or the slowest request",
        slo.require_p95_not_mean_or_max,
        hint="percentile(run.latencies_ms, 0.95) is the 95th percentile.",
    ),
    Expectation(
        "a p95 exactly at the limit misses the SLO: the p95 must be below it",
        slo.require_p95_boundary,
        hint="Use `<`, not `<=`, for the latency.",
    ),
    Expectation(
        "a throughput of exactly min_rps meets the SLO: at least min_rps",
        slo.require_rate_boundary,
        hint="Use `>=`, not `>`, for the throughput.",
    ),
    Expectation(
        "an error rate of exactly max_error_rate misses the SLO: fewer failures than that",
        slo.require_error_boundary,
        hint="Use `<`, not `<=`, for the error rate.",
    ),
    Expectation(
        "it says no to a real load test of your service with its overlap check made slow",
        slo.require_planted_slow_service_fails,
        hint="A service whose bookings take 450 ms longer has a p95 above 300 ms.",
    ),
)


# --- 05.4: the test plan --------------------------------------------------------------------------

TEST_PLAN = (
    Expectation(
        "docs/test-plan.md is filled in: no [placeholder] of the template is left",
        plan.require_filled_in,
        hint="Replace each `[bracketed placeholder]`; the template's examples stay folded in "
        "<details>, or go.",
    ),
    Expectation(
        "it has the template's sections, from Scope to Risks",
        plan.require_sections,
        hint="Keep the template's `## ` headings; add your own sections if you need more.",
    ),
    Expectation(
        "its p95 latency threshold is the one your load test asserts",
        plan.require_p95_matches,
        hint="One number in two places: the SLO thresholds table and meets_slo's "
        "p95_limit_ms default must agree.",
    ),
    Expectation(
        "its throughput threshold is the one your load test asserts",
        plan.require_throughput_matches,
        hint="The table's throughput row and meets_slo's min_rps default must agree.",
    ),
    Expectation(
        "its failed-requests threshold is the one your load test asserts",
        plan.require_failures_match,
        hint="The table's failed-requests row (a percentage) and meets_slo's max_error_rate "
        "default (a fraction: 0.5% is 0.005) must agree.",
    ),
    Expectation(
        "it says where each of your test folders runs: tests/integration, tests/contract, "
        "tests/load",
        plan.require_test_folders,
        hint="Name the folders (or the -m markers that select them) in the levels and in "
        "*Who runs what, and when*.",
    ),
)

EXERCISES = {
    "05.1": INTEGRATION_TESTS,
    "05.2": CONTRACT_TESTS,
    "05.3": SLO_AS_CODE,
    "05.4": TEST_PLAN,
}
