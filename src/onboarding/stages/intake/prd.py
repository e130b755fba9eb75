"""Exercise 01.3: the PRD, `docs/prd.md`, written from the company's template.

Every `*_problems` function takes the document's text and returns plain sentences, one per
problem, and an empty list when all is well. What the check asks, and what it leaves to the
writer:

- the template's ten `## ` headings are there, each once. Their order is the template's advice,
  not a rule (a PRD in another order is still a PRD: `heading_advice` says so, without failing),
  and other sections may be added;
- nothing is left of the template: its placeholders, its `>` guidance, its collapsed examples, its
  "How to use this template" section. A quotation of the request (`> From: Facilities…`) is the
  writer's own and stays;
- at least six acceptance criteria written as Given / When / Then;
- every success metric measurable: a number with a unit or a rate, in digits or in words.
"""

from __future__ import annotations

import re

from onboarding.artefacts import markdown
from onboarding.artefacts.markdown import DETAILS_BLOCK, LIST_ITEM, section
from onboarding.artefacts.quantities import is_measurable
from onboarding.checks import CheckFailed
from onboarding.protocol import shorten
from onboarding.stages.intake.acceptance import BEHAVIOURS

FILE = "docs/prd.md"
"""Where the PRD lives in the learner's project."""
TEMPLATE = "templates/prd.md"

GWT = ("given", "when", "then")
# Each keyword as a word of its own: not inside "forgiven", but also when emphasis written with
# underscores touches it ("_Given_ …"), where `\b` would see no edge.
GIVEN_WHEN_THEN = re.compile(
    r"(?<![^\W_])given(?![^\W_])(?P<given>.+?)"
    r"(?<![^\W_])when(?![^\W_])(?P<when>.+?)"
    r"(?<![^\W_])then(?![^\W_])(?P<then>.+)",
    re.IGNORECASE | re.DOTALL,
)


def split_given_when_then(text: str) -> tuple[str, str, str] | None:
    """The Given, When and Then parts of a criterion written in prose, or None."""
    match = GIVEN_WHEN_THEN.search(text)
    if match is None:
        return None
    parts = tuple(" ".join(match[part].strip(" ,.;:*_").split()) for part in GWT)
    return parts if all(parts) else None  # type: ignore[return-value]


# The template's required `## ` headings, in its order: the one list (templates/prd.md names them
# in its top comment, and tests/stages/test_intake.py proves the two agree).
PRD_HEADINGS = (
    "Problem",
    "Goals",
    "Non-goals",
    "Users and stakeholders",
    "Requirements",
    "Acceptance criteria",
    "Success metrics",
    "Dependencies",
    "Risks and open questions",
    "Estimate",
)
MIN_ACCEPTANCE_CRITERIA = len(BEHAVIOURS)


def heading_problems(text: str) -> list[str]:
    """The ten required `## ` headings (in any letter case), each once; other headings are the
    writer's own."""
    return markdown.heading_report(titles(text), PRD_HEADINGS)[0]


def heading_advice(text: str) -> str | None:
    """Advice (never a failure) when the required headings are not in the template's order."""
    _, advice = markdown.heading_report(titles(text), PRD_HEADINGS)
    return advice


def titles(text: str) -> list[str]:
    """The `## ` headings, the template's ones as the template writes them."""
    return markdown.template_titles(text, PRD_HEADINGS)


def placeholder_problems(text: str) -> list[str]:
    """No section is empty or still holds a placeholder, TODO, or the template's guidance."""
    return markdown.leftover_problems(text, markdown.course_template_guidance(TEMPLATE))


def list_items(body: str) -> list[str]:
    """The top-level list items of a section, each with its continuation lines and its nested
    items joined: a criterion written as a bullet with Given, When and Then as sub-bullets is
    one criterion, as a reader sees it."""
    items: list[str] = []
    own_indent: int | None = None  # the indentation of the list's own items; deeper is nested
    continues = False  # whether a plain line goes on with the last item
    for line in DETAILS_BLOCK.sub("", body).splitlines():
        item = LIST_ITEM.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if item and own_indent is not None and indent > own_indent:
            items[-1] += " " + item["text"].strip()
            continues = True
        elif item:
            items.append(item["text"].strip())
            own_indent, continues = indent, True
        elif not line.strip():
            continues = False  # a blank line: an indented item after it is still nested
        elif continues and not line.lstrip().startswith(("|", "#")):
            items[-1] += " " + line.strip()
        else:
            own_indent, continues = None, False  # a paragraph, table or heading ends the list
    return items


def acceptance_criteria_problems(text: str) -> list[str]:
    """Enough criteria, and every bullet under `## Acceptance criteria` is Given/When/Then."""
    body = section(text, "Acceptance criteria")
    if body is None:
        return ["there is no `## Acceptance criteria` section"]
    items = list_items(body)
    problems = [
        f"criterion {number} is not written as Given / When / Then: “{shorten(item, 50)}”"
        for number, item in enumerate(items, start=1)
        if split_given_when_then(item) is None
    ]
    written = sum(split_given_when_then(item) is not None for item in items)
    if written < MIN_ACCEPTANCE_CRITERIA:
        problems.append(
            f"found {written} {'criterion' if written == 1 else 'criteria'} written as Given / "
            f"When / Then; write at least {MIN_ACCEPTANCE_CRITERIA}, one bullet for each "
            "behaviour of exercise 01.2"
        )
    return problems


TARGET_COLUMN = re.compile(r"target|goal|threshold|objective|\bslo\b", re.IGNORECASE)
"""The header of the column that holds a metric's target. Without one the whole row is judged,
so a vague target beside a dated column ("8 weeks after launch") must not pass for a number."""


def metrics(body: str) -> list[tuple[str, str]]:
    """(name, target) for each metric: each bullet, and each row of each table.

    In a table with a Target (or Goal, Threshold, Objective) column, only that column is the target;
    otherwise the whole row.
    """
    found = [(item, item) for item in list_items(body)]
    for table in markdown.pipe_tables(DETAILS_BLOCK.sub("", body)):
        target = next(
            (index for index, cell in enumerate(table.header) if TARGET_COLUMN.search(cell)), None
        )
        for row in table.rows:
            if target is not None and target < len(row):
                found.append((row[0], row[target]))
            else:
                found.append((row[0], " ".join(row)))
    return found


def success_metric_problems(text: str) -> list[str]:
    """Every success metric is measurable: a number with a unit, or a rate."""
    body = section(text, "Success metrics")
    if body is None:
        return ["there is no `## Success metrics` section"]
    found = metrics(body)
    if not found:
        return ["no metrics found: write each as a bullet, or as a row of a table"]
    return [
        f"metric {number}, “{shorten(name, 40)}”, has no number with a unit or a rate"
        + (f" (its target is “{shorten(target, 40)}”)" if target != name else "")
        for number, (name, target) in enumerate(found, start=1)
        if not is_measurable(target)
    ]


def read_prd() -> str:
    """The project's PRD; a missing or empty file is the learner's to fix (one clear line)."""
    from onboarding import project

    text = project.read(FILE)
    if not text.strip():
        raise CheckFailed(f"{FILE} is empty")
    return text
