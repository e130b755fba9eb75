"""Helpers of lesson 10's practice cell: order the steps of a flagged release.

The learner lists the release's steps in the order they would run them. The check holds the
rules that make the release safe, each as its own line, so a wrong order is told which rule it
breaks and why, not only that it differs from an answer.
"""

from __future__ import annotations

from typing import Any

from onboarding.checks import CheckFailed, Expectation, Given, practise

STEPS = {
    "migrate": "the migration job runs revision 0003 (expand: it only adds)",
    "deploy-dark": "0.2.0 is deployed with the flag off",
    "canary": "the flag is turned on for 5% of the traffic",
    "watch": "the series endpoint's errors and latency are watched for an hour",
    "everyone": "the flag is on for 100%",
    "remove-flag": "a later release removes the flag and its off branch",
}
BEFORE = (
    ("migrate", "deploy-dark", "the schema comes first: 0.2.0's code expects the series table"),
    ("deploy-dark", "canary", "the code must be running before the flag can turn it on"),
    ("canary", "watch", "a canary is only worth its watching"),
    ("watch", "everyone", "go to 100% only after the canary's numbers are healthy"),
    ("everyone", "remove-flag", "the flag is the kill switch until the feature has proved itself"),
)


def _order_of(given: Given) -> list[str]:
    order = given.order
    if not isinstance(order, (list, tuple)) or not all(isinstance(step, str) for step in order):
        raise CheckFailed(f"`order` is {order!r}, not a list of step names")
    unknown = [step for step in order if step not in STEPS]
    if unknown:
        raise CheckFailed(
            f"unknown step(s): {', '.join(unknown)}; the steps are {', '.join(STEPS)}"
        )
    missing = [step for step in STEPS if step not in order]
    if missing:
        raise CheckFailed(f"missing: {', '.join(missing)}")
    return list(order)


def _before(first: str, then: str, why: str) -> Expectation:
    def run(given: Given) -> None:
        order = _order_of(given)
        if order.index(first) > order.index(then):
            raise CheckFailed(f"{then} comes before {first}: {why}")

    return Expectation(f"{first} before {then}", run, hint=why)


RELEASE_ORDER = (
    Expectation(
        "every step is named once", _order_of, hint="Use the six names above.", required=True
    ),
    *(_before(*rule) for rule in BEFORE),
)


def try_release_order(order: Any) -> None:
    """Practice: put the flagged release's six steps in an order that is safe."""
    practise(RELEASE_ORDER, Given(order=order))
