"""Exercise 05.4: the test plan, `docs/test-plan.md`, checked against the project it describes.

Its structure is the company's template's; its SLO thresholds must be the numbers the load test
asserts (the defaults of `meets_slo` in tests/load/slo.py), each mismatch one line quoting both
sides; and it must say where each of the project's test folders runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from onboarding import project
from onboarding.artefacts import markdown, testplan
from onboarding.checks import CheckFailed, Given, require
from onboarding.stages.testing import slo

PLAN = "docs/test-plan.md"
TEST_FOLDERS = ("tests/integration", "tests/contract", "tests/load")
LIMIT_OF = {
    "p95 latency": ("p95_limit_ms", "p95 < {value:g} ms"),
    "throughput": ("min_rps", "at least {value:g} requests a second"),
    "failed requests": ("max_error_rate", "under {value:.2%} failed"),
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
    parameter, wording = LIMIT_OF[measure]

    def require_same(given: Given) -> None:
        found = testplan.thresholds(plan_text(given)).get(measure)
        asserted = slo.asserted_limits(given)[parameter]
        said = f"{slo.SLO_FILE} asserts {wording.format(value=asserted)} ({parameter}={asserted!r})"
        if found is None:
            raise CheckFailed(f"the SLO thresholds table has no row for {measure}, but {said}")
        if found.value is None:
            raise CheckFailed(f"“{found.quoted}” states no number, but {said}")
        if not _same(found.value, float(asserted)):
            raise CheckFailed(f"{PLAN} says “{found.quoted}”, but {said}")

    return require_same


def _same(left: float, right: float) -> bool:
    return abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))


def require_test_folders(given: Given) -> None:
    text = plan_text(given)
    missing = [
        folder
        for folder in TEST_FOLDERS
        if not re.search(rf"{re.escape(folder)}\b|-m[^|\n]*\b{folder.rpartition('/')[2]}\b", text)
    ]
    if missing:
        raise CheckFailed(f"it never names {', '.join(missing)} (nor the marker that selects it)")


require_p95_matches = _threshold_matches("p95 latency")
require_throughput_matches = _threshold_matches("throughput")
require_failures_match = _threshold_matches("failed requests")
