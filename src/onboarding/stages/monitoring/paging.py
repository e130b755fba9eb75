"""Exercise 08.2: `burn_rate()` and `should_page()`, judged on the lesson's scenarios.

The SLO, the thresholds and the traffic guard are the course's (`onboarding.numbers`); each case
says in its text the numbers it computes, and a test holds the text to the arithmetic. Every
threshold the prompt states is tried at its limit: a burn rate exactly at the threshold does not
page (only above does), exactly `min_requests` requests are enough, and an SLO of exactly 0 or 1
is refused, as is a negative one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from onboarding import numbers
from onboarding.checks import CheckFailed, Expectation, Given, raises

SLO = numbers.AVAILABILITY_SLO
FAST = numbers.FAST_BURN.burn_rate
MEDIUM = numbers.BURN_RATE_ALERTS[1].burn_rate
MIN_REQUESTS = numbers.MIN_REQUESTS_TO_PAGE
SLO_PERCENT = f"{SLO:.1%}"


class Window(NamedTuple):
    """What happened in one alert window: how many requests failed, out of how many."""

    errors: int
    requests: int


def _rate(window: Window, slo: float = SLO) -> str:
    """A window's burn rate as a case's text names it ("14.6")."""
    return f"{window.errors / window.requests / (1 - slo):.3g}"


@dataclass(frozen=True)
class BurnCase:
    text: str
    errors: int
    requests: int
    slo: float
    expected: float
    hint: str

    def run(self, burn_rate: Callable[[int, int, float], Any]) -> Any:
        return burn_rate(self.errors, self.requests, self.slo)


def _budget_errors(burn: float, requests: int = 1000) -> int:
    """How many of `requests` fail when the budget burns at `burn` (72 of 1,000 at 14.4×)."""
    return round(burn * (1 - SLO) * requests)


BURN_CASES = (
    BurnCase(
        f"5 errors in 1,000 requests at a {SLO_PERCENT} SLO burn the budget at 1×",
        _budget_errors(1.0),
        1000,
        SLO,
        1.0,
        "The burn rate is the error rate divided by the error budget, 1 − SLO.",
    ),
    BurnCase(
        f"{_budget_errors(FAST)} errors in 1,000 requests at {SLO_PERCENT} burn at {FAST:g}×",
        _budget_errors(FAST),
        1000,
        SLO,
        FAST,
        f"Error rate {_budget_errors(FAST) / 1000:g}, budget {1 - SLO:.3g}: "
        f"{_budget_errors(FAST) / 1000:g} / {1 - SLO:.3g}.",
    ),
    BurnCase(
        "100 errors in 1,000 requests at a 99% SLO burn at 10×",
        100,
        1000,
        0.99,
        10.0,
        "The SLO is a fraction (0.99), not a percentage (99).",
    ),
    BurnCase(
        "no requests at all burn nothing (0.0), without dividing by zero",
        0,
        0,
        SLO,
        0.0,
        "With no requests nothing failed: return 0.0 before dividing.",
    ),
)

TOLERANCE = 1e-6


def burn_case(case: BurnCase) -> Expectation:
    """The learner's burn_rate() gives the case's number, as a float (the prompt says float)."""

    def run(given: Given) -> None:
        value = case.run(given.burn_rate)
        # bool is an int in Python, and an int is not the float the prompt asks for.
        if not isinstance(value, float):
            raise CheckFailed(f"expected {case.expected!r}, got {value!r} ({type(value).__name__})")
        if abs(value - case.expected) > TOLERANCE:
            raise CheckFailed(f"expected {case.expected:g}, got {value:.6g}")

    return Expectation(case.text, run, case.hint)


SLO_LIMITS = (
    (
        (1.0,),
        "an SLO of 1.0 (100%) raises ValueError: it leaves no budget",
        "Check that 0 < slo < 1 before dividing by 1 − slo.",
    ),
    (
        # The prompt refuses an SLO "of zero or less": a check for 0 alone lets -0.5 through,
        # and its budget of 1.5 would make every burn rate look smaller than it is.
        (0.0, -0.5),
        "an SLO of 0 raises ValueError: it is no objective at all",
        "The SLO must be above 0 and below 1: refuse 0 and every negative SLO.",
    ),
    (
        (SLO * 100,),
        f"an SLO of {SLO * 100:g} (a percentage) raises ValueError",
        f"{SLO * 100:g} is more than 1: the SLO is a fraction, so refuse it rather than compute "
        "a negative budget.",
    ),
)
"""Each impossible SLO an expectation tries, its text, and its hint."""


def slo_limit(slos: tuple[float, ...], text: str, hint: str) -> Expectation:
    """burn_rate() refuses each of `slos` with a ValueError; the first it accepts is named."""

    def run(given: Given) -> None:
        for slo in slos:
            refusal = raises(text, lambda given, slo=slo: given.burn_rate(1, 100, slo), ValueError)
            try:
                refusal.run(given)
            except CheckFailed as failed:
                raise CheckFailed(f"burn_rate(1, 100, {slo:g}): {failed}") from None

    return Expectation(text, run, hint)


@dataclass(frozen=True)
class PageCase:
    text: str
    long: Window
    short: Window
    expected: bool
    hint: str
    slo: float = SLO
    threshold: float | None = None

    def run(self, should_page: Callable[..., Any]) -> Any:
        if self.threshold is None:
            return should_page(self.long, self.short, self.slo)
        return should_page(self.long, self.short, self.slo, threshold=self.threshold)


def _page_cases() -> tuple[PageCase, ...]:
    fast_long, fast_short = Window(900, 10_000), Window(80, 800)
    just_above, just_below = Window(73, 1000), Window(71, 1000)
    blip_long, blip_short = Window(60, 10_000), Window(60, 800)
    leak_long, leak_short = Window(150, 10_000), Window(12, 800)
    medium = Window(400, 10_000), Window(32, 800)
    # At a 75% SLO the budget is exactly 0.25, so 2× is exactly 2.0 in floating point too.
    exact = Window(50, 100), Window(25, 50)
    short_of_traffic = Window(MIN_REQUESTS - 1, MIN_REQUESTS - 1), Window(5, 5)
    enough_traffic = Window(MIN_REQUESTS // 2, MIN_REQUESTS), Window(5, 10)
    return (
        PageCase(
            f"a fast burn ({_rate(fast_long)}× over 1 h, {_rate(fast_short)}× over 5 min) pages",
            fast_long,
            fast_short,
            True,
            "Page when the burn rate is above the threshold in both windows.",
        ),
        PageCase(
            f"after the fix ({_rate(fast_long)}× over 1 h, nothing failing over 5 min) it does "
            "not page",
            fast_long,
            Window(0, 850),
            False,
            "Both windows must burn fast: the short one stops the page soon after a fix.",
        ),
        PageCase(
            f"a 5-minute blip ({_rate(blip_short)}× over 5 min, {_rate(blip_long)}× over 1 h) "
            "does not page",
            blip_long,
            blip_short,
            False,
            "The long window must burn fast too, or every blip wakes someone up.",
        ),
        PageCase(
            f"a slow leak ({_rate(leak_long)}× in both windows) does not page at the {FAST:g}× "
            "threshold",
            leak_long,
            leak_short,
            False,
            "A slow leak is a ticket for working hours, not a page.",
        ),
        PageCase(
            f"{_rate(medium[0])}× in both windows pages with threshold={MEDIUM:g} (the 6 h / "
            "30 min rule)",
            *medium,
            True,
            f"Use the `threshold` argument instead of a fixed {FAST:g}.",
            threshold=MEDIUM,
        ),
        PageCase(
            f"just above the threshold ({_rate(just_above)}× over 1 h, {_rate(Window(8, 100))}× "
            "over 5 min) pages",
            just_above,
            Window(8, 100),
            True,
            f"Compare with >: {_rate(just_above)} is above {FAST:g}.",
        ),
        PageCase(
            f"just below the threshold ({_rate(just_below)}× over 1 h) does not page",
            just_below,
            Window(8, 100),
            False,
            f"{_rate(just_below)} is below {FAST:g}: only above the threshold pages.",
        ),
        PageCase(
            "exactly at the threshold (2× in both windows at a 75% SLO, threshold=2) does not page",
            *exact,
            False,
            "Only a burn rate above the threshold pages: compare with >, not >=.",
            slo=0.75,
            threshold=2,
        ),
        PageCase(
            f"at night, 10 failures in 20 requests do not page (fewer than {MIN_REQUESTS} "
            "requests)",
            Window(10, 20),
            Window(5, 5),
            False,
            "Below `min_requests` requests in the long window, the ratio means little: do not "
            "page.",
        ),
        PageCase(
            f"{MIN_REQUESTS - 1} requests, all failing, do not page: fewer than "
            f"{MIN_REQUESTS} in the long window",
            *short_of_traffic,
            False,
            f"The rule is at least `min_requests` requests: {MIN_REQUESTS - 1} is one short.",
        ),
        PageCase(
            f"{MIN_REQUESTS} requests are enough: {MIN_REQUESTS // 2} failures in "
            f"{MIN_REQUESTS} page",
            *enough_traffic,
            True,
            "The rule is at least `min_requests` requests, so exactly that many counts.",
        ),
        PageCase(
            "no traffic at all does not page, and raises nothing",
            Window(0, 0),
            Window(0, 0),
            False,
            "No requests: burn rate 0, and fewer than `min_requests`.",
        ),
    )


PAGE_CASES = _page_cases()


def as_truth(value: Any) -> bool | None:
    """`value` as True or False when it is one, else None.

    1 and 0 are not: an int is a count, not an answer. NumPy's own True and False (what
    `numpy.all()` returns) are, without importing NumPy to know them.
    """
    if type(value) is bool:
        return value
    kind = type(value)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return bool(value)
    return None


def page_case(case: PageCase) -> Expectation:
    """The learner's should_page() answers True or False, a bool, as the case expects."""

    def run(given: Given) -> None:
        value = case.run(given.should_page)
        answer = as_truth(value)
        if answer is None:
            raise CheckFailed(
                f"expected {case.expected}, got {value!r} ({type(value).__name__}): return "
                "True or False"
            )
        if answer is not case.expected:
            raise CheckFailed(f"expected {case.expected}, got {answer}")

    return Expectation(case.text, run, case.hint)


EXPECTATIONS = (
    *(burn_case(case) for case in BURN_CASES),
    *(slo_limit(*limit) for limit in SLO_LIMITS),
    *(page_case(case) for case in PAGE_CASES),
)
