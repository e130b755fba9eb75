"""What stage 01's exercises expect: 01.1 the role map, 01.2 and 01.3 files of the project.

01.1 judges a dict the learner writes in the notebook. 01.2 and 01.3 judge the learner's own
project, `docs/acceptance_criteria.yaml` and `docs/prd.md`, read with `project.read`: a learner
who only edited the files gets the same verdict as one who worked in the notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onboarding import project
from onboarding.checks import Expectation, Given, advised_by, judged_by, require
from onboarding.stages.intake import acceptance, prd
from onboarding.stages.intake.roles import DUTIES, Duty, role_problems


def _placed(duty: Duty):
    return lambda given: require(role_problems(given.responsibilities, duty))


ROLE_MAP = tuple(
    Expectation(f"“{duty.text}” is placed with its owner", _placed(duty), hint=duty.clue)
    for duty in DUTIES
)


def examples_of(given: Given) -> list[Any]:
    """The examples of the project's acceptance criteria, read once per check."""
    return given.once(
        acceptance.FILE, lambda: acceptance.examples_in(project.load_yaml(acceptance.FILE))
    )


ACCEPTANCE_CRITERIA = (
    Expectation(
        f"{acceptance.FILE} is valid YAML with a top-level `examples:` list",
        examples_of,
        hint="Start the file with `examples:` and put each example under it as `- behaviour: …`.",
        required=True,
    ),
    Expectation(
        "every example has a known `behaviour` and its `given`, `when` and `then` parts",
        judged_by(acceptance.structure_problems, examples_of),
        hint="Follow the shape in the exercise's description; `bookings: []` when there are none.",
    ),
    Expectation(
        "each of the six behaviours has an example",
        judged_by(acceptance.coverage_problems, examples_of),
        hint="The six: happy-path, overlap, back-to-back, capacity, invalid-range, unknown-room.",
    ),
    Expectation(
        "every value is concrete: room names, whole numbers, times with an offset",
        judged_by(acceptance.value_problems, examples_of),
        hint='Replace each TODO; write times in quotes, as "2030-01-07T09:00:00Z".',
    ),
    Expectation(
        "every `then.status` is what the service answers, with a `reason` for an error",
        judged_by(acceptance.status_problems, examples_of),
        hint="201 when the booking is made, 404 for an unknown room, 422 for a rule the request "
        "breaks on its own, 409 for an overlap.",
    ),
    Expectation(
        "every example shows the behaviour it names",
        judged_by(acceptance.consistency_problems, examples_of),
        hint="Check each request against its given rooms and bookings, one rule at a time.",
    ),
)


def prd_of(given: Given) -> str:
    """The text of the project's PRD, read once per check."""
    return given.once(prd.FILE, lambda: prd.read_prd())


def prd_content(read_prd: Callable[[Given], str], metric_examples: str) -> tuple[Expectation, ...]:
    """The PRD rules every PRD answers to, on the PRD `read_prd` reads (stage 01's, the capstone's).

    `metric_examples` are the measurable targets the hint quotes, in the PRD's own terms.
    """
    return (
        Expectation(
            "at least six acceptance criteria, each written as Given / When / Then",
            judged_by(prd.acceptance_criteria_problems, read_prd),
            hint="One criterion each (a bullet, a gherkin scenario or a table row): Given <the state "
            "before>, when <one action>, then <what anyone can observe>.",
        ),
        Expectation(
            "every success metric is measurable",
            judged_by(prd.success_metric_problems, read_prd),
            hint=f"Give each target a number with a unit, or a rate: {metric_examples}.",
        ),
    )


PRD = (
    Expectation(
        f"{prd.FILE} exists and has text",
        prd_of,
        hint="Open docs/prd.md in your project (it starts as the company's template) and fill "
        "it in.",
        required=True,
    ),
    Expectation(
        "the template's ten `## ` headings are there, once each",
        advised_by(prd.heading_problems, prd.heading_advice, prd_of),
        hint="Copy the headings from templates/prd.md exactly; add your own sections if you need "
        "them.",
    ),
    Expectation(
        "nothing is left of the template: no placeholder, guidance, example or empty section",
        judged_by(prd.placeholder_problems, prd_of),
        hint="Replace every [bracketed placeholder], delete the `>` guidance, the collapsed "
        "examples and “How to use this template”; a section that does not apply says None and "
        "why.",
    ),
    *prd_content(prd_of, '"p95 under 300 ms", "0 per 10,000 bookings"'),
)

EXERCISES = {"01.1": ROLE_MAP, "01.2": ACCEPTANCE_CRITERIA, "01.3": PRD}
