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
- at least six acceptance criteria written as Given / When / Then: as bullets (the exercise's
  spelling), as paragraphs, as the scenarios of a ```gherkin block, or as the rows of a table with
  Given, When and Then columns; a criterion under a heading of its own may give its Given, When
  and Then a bullet or a paragraph each. All are read into one list of criteria, judged alike;
- every success metric measurable: a number with a unit or a rate, in digits or in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from onboarding.artefacts import markdown
from onboarding.artefacts.markdown import (
    DETAILS_BLOCK,
    LINE,
    LIST_ITEM,
    TABLE_SEPARATOR,
    code_fences,
    section,
)
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
    # A Gherkin block is the criteria written another way, not code: judged as their text.
    template = markdown.course_template(TEMPLATE)
    return markdown.leftover_problems(
        gherkin_as_prose(text), markdown.template_guidance(template), template=template
    )


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


GHERKIN_LANGUAGES = ("gherkin", "cucumber", "feature")
PLAIN_LANGUAGES = ("", "text", "txt", "plain")
"""A block labelled so is Gherkin when it holds a `Scenario:`; one in another language (a YAML
`example:` key) is that language's."""
SCENARIO = re.compile(
    r"^\s*(?P<kind>scenario\s+outline|scenario\s+template|scenario|example|background)\s*:\s*"
    r"(?P<name>.*)$",
    re.IGNORECASE,
)
STEP = re.compile(r"^\s*(?P<keyword>given|when|then|and|but|\*)\s+(?P<text>.*\S)", re.IGNORECASE)
EXAMPLES = re.compile(r"^\s*(?:examples|scenarios)\s*:", re.IGNORECASE)
# The line that opens or closes a Gherkin doc string: three double quotes (or three backticks),
# an opening one perhaps with its content type after it (`"""json`).
DOC_STRING = re.compile(r'^\s*(?P<delimiter>"""|```)')


def outside_doc_strings(body: list[str]) -> list[str]:
    """The lines of a Gherkin block outside its doc strings. A doc string is the text a step
    carries (a request's JSON body, an email), literal as code is: its lines are never steps,
    headings or comments, however they begin."""
    kept: list[str] = []
    delimiter: str | None = None
    for line in body:
        found = DOC_STRING.match(line)
        if delimiter is None and found:
            delimiter = found["delimiter"]
        elif delimiter is not None and found and found["delimiter"] == delimiter:
            delimiter = None
        elif delimiter is None:
            kept.append(line)
    return kept


def is_gherkin(language: str, body: list[str]) -> bool:
    """A block of Gherkin: labelled so, or an unlabelled (or plain text) one that holds a
    `Scenario:`."""
    if language in GHERKIN_LANGUAGES:
        return True
    return language in PLAIN_LANGUAGES and any(
        (heading := SCENARIO.match(line)) and heading["kind"].lower() != "background"
        for line in outside_doc_strings(body)
    )


def _steps_as_prose(steps: list[tuple[str, str]]) -> str:
    """Gherkin steps as one sentence: `And`, `But` and a repeated keyword read as "and"."""
    words, previous = [], None
    for keyword, text in steps:
        keyword = keyword.lower()
        joined = "and" if keyword in ("and", "but", "*") or keyword == previous else keyword
        previous = previous if joined == "and" else keyword
        words.append(f"{joined} {text}")
    prose = " ".join(words)
    return prose[:1].upper() + prose[1:]


@dataclass
class _Scenario:
    name: str
    outline: bool
    steps: list[tuple[str, str]] = field(default_factory=list)
    """(keyword, text) of each step, in order."""
    rows: list[dict[str, str]] = field(default_factory=list)
    """An outline's examples, each row by its column names."""


def gherkin_criteria(body: list[str]) -> list[str]:
    """The criteria of a block of Gherkin, each as the sentence its steps make.

    Each `Scenario:` is one criterion, with the `Background:` steps before its own (Gherkin
    runs them before every scenario); a `Scenario Outline:` is one criterion for each row of its
    `Examples:`, its `<names>` filled in. A block with no scenario heading at all is read as
    paragraphs of steps, one criterion each. A step's doc string is its own text, never steps.
    """
    body = outside_doc_strings(body)
    background: list[tuple[str, str]] = []
    scenarios: list[_Scenario] = []
    current: list[tuple[str, str]] | None = None
    headed = any(SCENARIO.match(line) for line in body)
    header: list[str] | None = None  # the current Examples table's header, once read
    in_examples = False
    for line in body:
        stripped = line.strip()
        if stripped.startswith("#"):
            continue  # a Gherkin comment
        heading = SCENARIO.match(line)
        if heading:
            kind = heading["kind"].lower()
            if kind == "background":
                current = background
            else:
                scenarios.append(_Scenario(heading["name"], outline=kind.startswith("scenario ")))
                current = scenarios[-1].steps
            in_examples, header = False, None
            continue
        if EXAMPLES.match(line):
            in_examples, header = True, None
            continue
        if stripped.startswith("|") and in_examples and scenarios:
            if TABLE_SEPARATOR.match(stripped):
                continue
            cells = markdown.row_cells(stripped)
            if header is None:
                header = cells
            else:
                scenarios[-1].rows.append(dict(zip(header, cells, strict=False)))
            continue
        step = STEP.match(line)
        if step:
            if current is None:  # steps with no heading: a paragraph is a criterion
                scenarios.append(_Scenario("", outline=False))
                current = scenarios[-1].steps
            current.append((step["keyword"], step["text"]))
        elif not stripped and not headed:
            current = None
    criteria = []
    for scenario in scenarios:
        prose = _steps_as_prose(background + scenario.steps) or f"Scenario: {scenario.name}"
        rows = scenario.rows if scenario.outline else []
        criteria += [_filled_in(prose, row) for row in rows or [{}]]
    return criteria


def _filled_in(prose: str, row: dict[str, str]) -> str:
    """An outline's steps with each `<name>` replaced by the value of its column in `row`."""
    return re.sub(r"<([^<>]+)>", lambda found: row.get(found[1], found[0]), prose)


def _column_keyword(header: str) -> str | None:
    """ "given", "when" or "then" for a table column headed so (`**Given**`, `Then (result)`)."""
    found = re.match(r"\W*(given|when|then)\b", header, re.IGNORECASE)
    return found[1].lower() if found else None


def table_criteria(body: str) -> list[str]:
    """The criteria of the section's tables, each as a sentence: every row of a table with
    Given, When and Then columns, and the rows of any other table that read as one."""
    criteria = []
    for table in markdown.pipe_tables(DETAILS_BLOCK.sub("", body)):
        columns = {
            keyword: index
            for index, cell in reversed(list(enumerate(table.header)))
            if (keyword := _column_keyword(cell))
        }
        for row in table.rows:
            if len(columns) < len(GWT):
                # A table of something else (which requirement each criterion proves…): only
                # a row that is itself a criterion counts.
                joined = " ".join(row)
                criteria += [joined] if split_given_when_then(joined) else []
                continue
            cells = {
                keyword: re.sub(
                    rf"^\W*{keyword}\b\W*",
                    "",
                    row[index] if index < len(row) else "",
                    flags=re.IGNORECASE,
                )
                for keyword, index in columns.items()
            }
            prose = " ".join(f"{keyword} {cells[keyword]}".strip() for keyword in GWT)
            criteria.append(prose[:1].upper() + prose[1:])
    return criteria


def criteria(text: str) -> list[str] | None:
    """Every criterion under `## Acceptance criteria`, as the sentence it makes: each bullet,
    each row of a table, each Gherkin scenario. None when there is no such section."""
    body = section(text, "Acceptance criteria")
    if body is None:
        return None
    source = DETAILS_BLOCK.sub("", markdown.section_source(text, "Acceptance criteria") or "")
    scenarios = [
        criterion
        for fence in code_fences(source)
        if is_gherkin(fence.language, fence.lines)
        for criterion in gherkin_criteria(fence.lines)
    ]
    return (
        steps_joined(list_items(body))
        + steps_joined(paragraphs(body))
        + table_criteria(body)
        + scenarios
    )


# A block that opens with a step's keyword, after any emphasis: "**When** …", "_Then_ …".
STEP_LEAD = re.compile(r"^[\W_]*(?P<keyword>given|when|then|and|but)(?![^\W_])", re.IGNORECASE)
# CommonMark's parser, to tell the section's own paragraphs from lists, quotations and tables.
_COMMONMARK = MarkdownIt("commonmark").enable("table")


def steps_joined(blocks: list[str]) -> list[str]:
    """Blocks (list items or paragraphs) with a criterion written one step to a block joined
    into that criterion: under a heading of its own, "- **Given** …", "- **When** …",
    "- **Then** …" (and any "- And …" after them) are one criterion, as a reader sees it.

    A run starts at a block that opens with Given but is not a whole criterion itself, and takes
    the blocks after it that open with When, Then, And or But, until the next Given. A run that
    misses a part ("Given …" then "Then …") stays one criterion, and is refused as one."""
    joined: list[str] = []
    in_run = False
    for block in blocks:
        lead = STEP_LEAD.match(block)
        keyword = lead["keyword"].lower() if lead else None
        if in_run and keyword in ("when", "then", "and", "but"):
            joined[-1] += " " + block
            continue
        joined.append(block)
        in_run = keyword == "given" and split_given_when_then(block) is None
    return joined


def paragraphs(body: str) -> list[str]:
    """The section's own paragraphs that hold a criterion, or a step of one: a paragraph that
    reads as Given / When / Then, or opens with a step's keyword. Other paragraphs (a sentence
    introducing the criteria) are the writer's prose; paragraphs inside lists, quotations and
    <details> are not the section's own."""
    tokens = _COMMONMARK.parse(DETAILS_BLOCK.sub("", body))
    found = []
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "paragraph_open" or opening.level != 0 or inline.type != "inline":
            continue
        text = " ".join(inline.content.split())
        if split_given_when_then(text) is not None or STEP_LEAD.match(text):
            found.append(text)
    return found


def gherkin_as_prose(text: str) -> str:
    """The text with each Gherkin block's steps as lines of text, outside their fence (and
    without Gherkin comments or doc strings), so that what judges prose finds a placeholder
    left in them."""
    # Lines as CommonMark splits them, which is how the fences' lines are numbered.
    lines = [line.rstrip("\r\n") for line in LINE.findall(text)]
    for fence in reversed(code_fences(text)):
        if is_gherkin(fence.language, fence.lines):
            # A doc string is literal, as code is: `[1, 2]` in a JSON body is no placeholder.
            kept = [
                line
                for line in outside_doc_strings(fence.lines)
                if not line.strip().startswith("#")
            ]
            lines[fence.first : fence.last + 1] = ["", *kept, ""]
    return "\n".join(lines)


def acceptance_criteria_problems(text: str) -> list[str]:
    """Enough criteria, and every criterion under `## Acceptance criteria` (bullet, table row or
    Gherkin scenario) is Given/When/Then."""
    items = criteria(text)
    if items is None:
        return ["there is no `## Acceptance criteria` section"]
    problems = [
        f"criterion {number} is not written as Given / When / Then: “{shorten(item, 50)}”"
        for number, item in enumerate(items, start=1)
        if split_given_when_then(item) is None
    ]
    written = sum(split_given_when_then(item) is not None for item in items)
    if written < MIN_ACCEPTANCE_CRITERIA:
        problems.append(
            f"found {written} {'criterion' if written == 1 else 'criteria'} written as Given / "
            f"When / Then; write at least {MIN_ACCEPTANCE_CRITERIA}, one for each behaviour of "
            "exercise 01.2 (a bullet, a gherkin scenario or a table row)"
        )
    return problems


TARGET_COLUMNS = (
    re.compile(r"target|threshold|\bslo\b", re.IGNORECASE),
    re.compile(r"key results?|desired|expected|success criteri", re.IGNORECASE),
    re.compile(r"goal|objective", re.IGNORECASE),
)
"""The headers of the column that holds a metric's target, strongest first: a "Goal | Metric |
Target" table ties each metric to the goal it serves, and its Target column is the target; an OKR
table's "Key result" is the target beside its "Objective". Without a target column the whole row
is judged, so a vague target beside a dated column ("8 weeks after launch") must not pass for a
number."""
NOT_A_TARGET_COLUMN = re.compile(
    r"baseline|current|today|\bnow\b|before|\bwhen\b|deadline|date|time ?frame|timeline",
    re.IGNORECASE,
)
"""A column of where things stand today ("40 a week") or of when a target is checked ("8 weeks
after launch"): a number there is no target."""
NAME_COLUMN = re.compile(r"metric|\bkpi\b|measure(?!d)", re.IGNORECASE)
"""The column that names the metric, when it is not the first ("Goal | Metric | Target")."""


def _target_column(header: list[str]) -> int | None:
    for pattern in TARGET_COLUMNS:
        found = next(
            (
                index
                for index, cell in enumerate(header)
                # "Target date" says when, not how much.
                if pattern.search(cell) and not NOT_A_TARGET_COLUMN.search(cell)
            ),
            None,
        )
        if found is not None:
            return found
    return None


def metrics(body: str) -> list[tuple[str, str]]:
    """(name, target) for each metric: each bullet, and each row of each table.

    In a table with a Target (or Threshold, Key result, Goal, Objective…) column, only that
    column is the target; otherwise the whole row but its baseline and date columns.
    """
    found = [(item, item) for item in list_items(body)]
    for table in markdown.pipe_tables(DETAILS_BLOCK.sub("", body)):
        target = _target_column(table.header)
        name = next(
            (
                index
                for index, cell in enumerate(table.header)
                if index != target and NAME_COLUMN.search(cell)
            ),
            0,
        )
        for row in table.rows:
            label = row[name] if name < len(row) else row[0]
            if target is not None and target < len(row):
                found.append((label, row[target]))
            else:
                kept = [
                    cell
                    for index, cell in enumerate(row)
                    if index >= len(table.header)
                    or not NOT_A_TARGET_COLUMN.search(table.header[index])
                ]
                found.append((label, " ".join(kept)))
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
