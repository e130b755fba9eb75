"""The lesson's practice cells: a small try with an instant check, recorded nowhere.

Each `try_*` function judges what the learner wrote in a practice cell of lesson 01 and prints
one ✅/❌ line per expectation (`onboarding.checks.practise`). Nothing reaches the ledger: the
practice is for the learner alone. The wrong answers named are the misconceptions the lesson
corrects.
"""

from __future__ import annotations

import math
from typing import Any

from onboarding.artefacts.quantities import is_measurable
from onboarding.checks import CheckFailed, Expectation, Given, practise, require
from onboarding.stages.intake.prd import split_given_when_then
from onboarding.stages.intake.roles import (
    BACKEND_ENGINEER,
    QA_SRE,
    TECH_LEAD,
    Duty,
    role_problems,
)

PRACTICE_DUTIES = (
    Duty(
        "writes the test plan",
        QA_SRE,
        "The process document gives test plans to the role that runs load and integration tests.",
    ),
    Duty(
        "decides the API design",
        TECH_LEAD,
        "The API design sits with the architecture and the data model.",
    ),
    Duty(
        "maintains the infrastructure as code",
        BACKEND_ENGINEER,
        "Read the process document's line on the people who implement the services and write "
        "their tests.",
    ),
)


def try_owners(owners: Any) -> None:
    """Practice: who owns each of three duties that the exercise does not ask about."""
    practise(
        tuple(
            Expectation(
                f"“{duty.text}” is placed with its owner",
                lambda given, duty=duty: require(role_problems(given.owners, duty)),
                hint=duty.clue,
            )
            for duty in PRACTICE_DUTIES
        ),
        Given(owners=owners),
    )


# A piece of work for the estimating practice: (optimistic, most likely, pessimistic) days.
PRACTICE_ESTIMATE = (1, 2, 6)
TOLERANCE = 0.05


def _number(value: Any, name: str) -> float:
    if value is Ellipsis:
        raise CheckFailed(f"`{name}` is not written yet: replace the ... with a number of days")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CheckFailed(f"`{name}` is {value!r}; write a number of days")
    return value


def _expected_is_right(given: Given) -> None:
    optimistic, likely, pessimistic = PRACTICE_ESTIMATE
    value = _number(given.expected, "expected")
    right = (optimistic + 4 * likely + pessimistic) / 6
    if math.isclose(value, sum(PRACTICE_ESTIMATE) / 3, abs_tol=TOLERANCE):
        raise CheckFailed(
            f"{value:g} is the plain average of the three; the most likely value counts four times"
        )
    if math.isclose(value, likely, abs_tol=TOLERANCE):
        raise CheckFailed(f"{value:g} is the most likely value alone; the other two move it")
    if not math.isclose(value, right, abs_tol=TOLERANCE):
        raise CheckFailed(f"got {value:g}")


def _spread_is_right(given: Given) -> None:
    optimistic, _, pessimistic = PRACTICE_ESTIMATE
    value = _number(given.spread, "spread")
    if not math.isclose(value, (pessimistic - optimistic) / 6, abs_tol=TOLERANCE):
        raise CheckFailed(f"got {value:g}")


def try_estimate(expected: Any, spread: Any) -> None:
    """Practice: the three-point estimate of a piece of work, O=1, M=2, P=6 days."""
    practise(
        (
            Expectation(
                "expected = (O + 4M + P) / 6",
                _expected_is_right,
                hint="(1 + 4 × 2 + 6) / 6 days.",
            ),
            Expectation("spread = (P − O) / 6", _spread_is_right, hint="(6 − 1) / 6 days."),
        ),
        Given(expected=expected, spread=spread),
    )


def _criterion_parts(given: Given) -> tuple[str, str, str]:
    text = given.criterion
    if not isinstance(text, str):
        raise CheckFailed(f"criterion is {text!r}, not text")
    parts = split_given_when_then(text)
    if parts is None:
        raise CheckFailed("it has no Given … when … then …, in that order")
    return parts


def _then_names_the_status(given: Given) -> None:
    then = _criterion_parts(given)[2]
    if "422" in then:
        return
    if "409" in then:
        raise CheckFailed(
            "409 is for a clash with what is stored; too many attendees break a rule on their "
            "own, whatever is stored"
        )
    raise CheckFailed(f"its Then part, “{then}”, names no status code")


def _metric_is_measurable(given: Given) -> None:
    metric = given.metric
    if not isinstance(metric, str) or not is_measurable(metric):
        raise CheckFailed(f"{metric!r} has no number with a unit, or a rate")


def try_criterion_and_metric(criterion: Any, metric: Any) -> None:
    """Practice: a vague capacity rule made testable, and a wish made a metric."""
    practise(
        (
            Expectation(
                "the criterion is written as Given / When / Then",
                _criterion_parts,
                hint="Given <a room and how many it seats>, when <a booking for more>, then …",
            ),
            Expectation(
                "its Then part gives the status the API answers",
                _then_names_the_status,
                hint="Which status does the service give a request that breaks a rule on its own?",
            ),
            Expectation(
                "the metric is measurable",
                _metric_is_measurable,
                hint="A number with a unit (300 ms, 99.5 %), or a rate (0 per 10,000 bookings).",
            ),
        ),
        Given(criterion=criterion, metric=metric),
    )
