"""What stage 08's lesson and exercise notebooks call besides the checks.

- The lesson's **try-it cells** (`bucket_reading`, `error_budget`, `six_times_rule`,
  `blameless_rewrite`): a small question with an instant verdict, printed as ✅/❌ lines. They
  publish no result and record nothing: practice is not graded.
- The exercise's **playgrounds**: `show_metrics()` runs the learner's service as the 08.1 check
  does and prints what it serves at `/metrics`; `try_promql()` evaluates a PromQL expression over
  one of the made-up days that the 08.3 check judges alert rules on.
"""

from __future__ import annotations

import math
import os
from datetime import timedelta
from typing import Any

from onboarding import numbers, protocol
from onboarding.artefacts import exposition, promql
from onboarding.checks import CheckFailed, Expectation, Given, run_expectations
from onboarding.stages.monitoring import alerting, postmortem

NOT_ANSWERED = "not answered yet: replace the `...` with your answer"


def _answer(given: Given, name: str) -> Any:
    value = given.get(name)
    if value is Ellipsis:
        raise CheckFailed(NOT_ANSWERED)
    return value


def _close_to(name: str, expected: float, tolerance: float, what: str) -> Any:
    def run(given: Given) -> None:
        value = _answer(given, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CheckFailed(f"`{name}` is {value!r}, not a number")
        if not math.isclose(value, expected, rel_tol=0, abs_tol=tolerance):
            raise CheckFailed(f"`{name}` is {value:g}; {what}")

    return run


def practise(expectations: tuple[Expectation, ...], **answers: Any) -> None:
    """Print a try-it cell's verdict. Nothing is published or recorded: practice is free."""
    result = run_expectations("practice", expectations, Given(**answers), echo=False)
    for line in result.lines():
        print(line)
    if result.ok:
        print("Well done.")


def bucket_reading(between_100_and_300_ms: Any, share_within_objective: Any) -> None:
    """The lesson's four observations: 0.05, 0.2, 0.25 and 0.7 seconds."""
    practise(
        (
            Expectation(
                "two requests took more than 0.1 s and at most 0.3 s",
                _close_to(
                    "between_100_and_300_ms",
                    2,
                    0,
                    'buckets are cumulative: subtract le="0.1" from le="0.3"',
                ),
                hint='le="0.3" counts every request up to 0.3 s, including those up to 0.1 s.',
            ),
            Expectation(
                "three of the four, 0.75, met the 300 ms objective",
                _close_to(
                    "share_within_objective",
                    0.75,
                    1e-9,
                    'divide the le="0.3" bucket by the count (as a fraction, not %)',
                ),
                hint="The share is bucket / count: the SLI needs no percentile at all.",
            ),
        ),
        between_100_and_300_ms=between_100_and_300_ms,
        share_within_objective=share_within_objective,
    )


def error_budget(requests: int, budget_at_99_9: Any) -> None:
    """The month's failed requests allowed by an SLO of 0.999 ("three nines")."""
    expected = numbers.error_budget(requests, 0.999)
    practise(
        (
            Expectation(
                f"at an SLO of 0.999 the month's budget is about {expected:,.0f} failed requests",
                _close_to("budget_at_99_9", expected, 1.0, "the budget is (1 − SLO) × requests"),
                hint="1 − 0.999 is 0.001, a fifth of the 0.005 that 99.5% leaves.",
            ),
        ),
        budget_at_99_9=budget_at_99_9,
    )


def six_times_rule(error_rate_threshold: Any, budget_used: Any) -> None:
    """The second paging rule: 6× over 6 h and 30 min."""
    rule = numbers.BURN_RATE_ALERTS[1]
    practise(
        (
            Expectation(
                f"the {rule.burn_rate:g}× rule fires above an error rate of "
                f"{rule.error_rate_threshold():.0%}",
                _close_to(
                    "error_rate_threshold",
                    rule.error_rate_threshold(),
                    1e-9,
                    "multiply the burn rate by the budget, 1 − SLO",
                ),
                hint="burn rate × (1 − SLO) = 6 × 0.005.",
            ),
            Expectation(
                f"by the time it fires it has used {rule.budget_used:.0%} of the month's budget",
                _close_to(
                    "budget_used",
                    rule.budget_used,
                    1e-9,
                    "burn rate × long window / 30 days, as a fraction",
                ),
                hint="6 × 6 hours is 36 hours of budget out of 720.",
            ),
        ),
        error_rate_threshold=error_rate_threshold,
        budget_used=budget_used,
    )


BLAMEFUL = "Jordan forgot to batch the backfill, so every booking failed."


def blameless_rewrite(sentence: Any) -> None:
    """The lesson's blameful sentence, rewritten to say what the system allowed."""

    def judged(given: Given) -> None:
        text = _answer(given, "sentence")
        if not isinstance(text, str) or not text.strip():
            raise CheckFailed("write the sentence as a string")
        if " ".join(text.split()) == BLAMEFUL:
            raise CheckFailed("that is the original sentence")
        problems = postmortem.blame_problems(text)
        if problems:
            raise CheckFailed("still judging: " + problems[0].split(": ", 1)[1])

    practise(
        (
            Expectation(
                "the sentence says what happened without judging anyone",
                judged,
                hint="Start from the system: what ran, what it held, what nothing prevented.",
            ),
        ),
        sentence=sentence,
    )


# --------------------------------------------------------------------------- the playgrounds


def show_metrics(workspace: Any = None) -> None:
    """Run your service as the 08.1 check does, and print what GET /metrics serves after it."""
    if os.environ.get(protocol.GRADING_VARIABLE):
        # A playground is not graded: `onboard check` runs the service once, in the check.
        print("(not run while `onboard check` grades: the check below runs your service)")
        return
    try:
        scrape_text = _scrape_text(workspace)
    except CheckFailed as failure:
        print(f"Your service: {failure}")
        return
    # The counts, and the bucket the latency SLO reads; the timings differ on every run.
    lines = [
        line
        for line in scrape_text.splitlines()
        if line.startswith("http_")
        and ("_total" in line or "_count" in line or 'le="0.3"' in line)
        and "_created" not in line
    ]
    print("\n".join(lines) or "GET /metrics serves no http_ metrics yet.")


def _scrape_text(workspace: Any) -> str:
    from onboarding import project
    from onboarding.stages.monitoring import service_probe

    try:
        with project.copy_for_checking(workspace) as copy:
            result = service_probe.run_driver(copy)
    except project.ProjectError as error:
        raise CheckFailed(str(error)) from None
    if result.get("error"):
        raise CheckFailed(result["error"])
    if result["metrics_status"] != 200:
        raise CheckFailed(f"GET /metrics answers {result['metrics_status']}")
    try:
        exposition.parse(result["metrics_text"])
    except exposition.ExpositionError as error:
        raise CheckFailed(str(error)) from None
    return result["metrics_text"]


SCENARIOS = {scenario.name: scenario for scenario in alerting.SCENARIOS}


def try_promql(
    expression: str, scenario: str = "a fast burn", ago: timedelta | None = None
) -> None:
    """Evaluate a PromQL expression over one of the 08.3 check's made-up days, and print it."""
    if scenario not in SCENARIOS:
        print(f"No scenario {scenario!r}; the scenarios are: {', '.join(SCENARIOS)}")
        return
    try:
        parsed = promql.parse(expression)
        value = promql.evaluate(
            parsed, SCENARIOS[scenario].history(), time=-(ago or timedelta()).total_seconds()
        )
    except promql.PromQLError as error:
        print(f"Not valid PromQL: {error}")
        return
    except (promql.Unsupported, promql.EvaluationError) as error:
        print(f"Could not evaluate it: {error}")
        return
    if isinstance(value, float):
        print(f"{value:.6g}")
        return
    if not value:
        print("(empty: no series, so an alert with this expression would not fire)")
    for sample in value[:20]:
        labels = ", ".join(f'{name}="{text}"' for name, text in sample.labels)
        print(f"{{{labels}}} {sample.value:.6g}" if labels else f"{sample.value:.6g}")
    if len(value) > 20:
        print(f"… and {len(value) - 20} more series")
