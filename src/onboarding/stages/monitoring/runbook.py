"""Exercise 08.4: the runbook, `docs/runbook.md`, checked against the project's alert rules.

The runbook starts as `templates/runbook.md`. Every alert that `monitoring/alerts.yaml` defines
needs an entry under `## Alerts` (a table row whose first cell names it, or a `### Name`
heading, which `### Pages` or `### Tickets` may group), and every entry must name an alert that
exists: an alert nobody can act on, and an entry for an alert that no longer fires, are both how
on-call goes wrong. Each mismatch is named with both sides quoted: the alert and its line in the
rules, the entry and its line in the runbook.

Every `*_problems` function returns plain sentences, one per problem, and an empty list when all
is well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onboarding.artefacts import alert_rules
from onboarding.artefacts.markdown import (
    BRACKET_PLACEHOLDER,
    DETAILS_BLOCK,
    PipeTable,
    course_template,
    course_template_guidance,
    guidance_quotes,
    is_heading,
    link_labels,
    markdown_lines,
    pipe_tables,
    placeholder,
    section,
    sections,
    setext_as_atx,
    writers_details_opened,
)
from onboarding.protocol import shorten

FILE = "docs/runbook.md"
TEMPLATE = "templates/runbook.md"
RULES_FILE = "monitoring/alerts.yaml"
HEADINGS = (
    "Service overview",
    "Dashboards",
    "Alerts",
    "Common failures and fixes",
    "Escalation",
    "Communication",
)
"""The `## ` headings of templates/runbook.md, without its "How to use this template"."""
TEMPLATE_ONLY_HEADINGS = ("How to use this template",)
SEPARATORS = re.compile(r"\s*(?:,|;|/|\band\b|<br\s*/?>)\s*", re.IGNORECASE)
SEVERITY_WORDS = re.compile(r"\b(?:(pag)(?:e|es|ed|ing)|(ticket)s?)\b", re.IGNORECASE)
"""How an entry, or a heading over a group of entries, says its severity: `page`, `Pages`,
`paging`, `ticket`, `### Tickets (working hours)`."""
PART_HEADING = re.compile(
    r"\b(mean\w*|what|why|how|description|summary|impact|symptoms?|indicat\w*|actions?|steps?|"
    r"do|respon\w*|remedia\w*|mitigat\w*|triage|fix\w*|severity|urgency|priority|check\w*|"
    r"diagnos\w*|investigat\w*|escalat\w*|causes?|context|dashboards?|links?|quer\w*|notes?|"
    r"verif\w*|resol\w*|first|next|details?|when|trigger\w*|condition\w*|fires|firing|"
    r"explan\w*|background|procedure\w*|recover\w*|workarounds?)\b",
    re.IGNORECASE,
)
"""The headings of an entry's parts (`#### What it means`, `#### First actions`), which an
entry's name, such as BookingsFastBurn, and a group's, such as Pages, are not."""
PROPERTY_NAME = re.compile(
    r"\W*(?:severity|urgency|priority|owner|owning|team|service|on-?call|contact|escalat\w*|"
    r"dashboards?|runbook|labels?|expr\w*|query|threshold|for|window|property|field)\b",
    re.IGNORECASE,
)
"""The first cell of a row of an entry's own small table (`| Severity | page |`, `| Owner | …
|`), which names one of its properties, not an alert."""
ENTRY_HEADING = re.compile(r"^(?P<marks>#{3,6})\s+(?P<title>\S.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Entry:
    """One alert's entry in the runbook."""

    name: str
    line: int
    severity: str
    """page, ticket, or "" when the entry does not say."""
    meaning: str
    actions: str
    severities: tuple[str, ...] = ()
    """Every severity the entry gives (`page or ticket` gives both); `severity` is the first."""


def heading_problems(text: str) -> list[str]:
    """The template's six sections are there (in any order); its own guidance is gone."""
    found = [title for title, _ in sections(text)[1:]]
    lowered = {title.lower() for title in found}
    links = link_labels(text)
    problems = []
    missing = [heading for heading in HEADINGS if heading.lower() not in lowered]
    if missing:
        problems.append("missing: " + ", ".join(f"`## {heading}`" for heading in missing))
    for title in TEMPLATE_ONLY_HEADINGS:
        if title.lower() in lowered:
            problems.append(f"`## {title}` is the template's guidance; delete it")
    # A block the writer folded is judged as their text; only the template's examples are left.
    opened = writers_details_opened(text, course_template(TEMPLATE))
    for title, body in sections(opened):
        if title.lower() not in {heading.lower() for heading in HEADINGS}:
            continue
        where = f"`## {title}`"
        if DETAILS_BLOCK.search(body):
            problems.append(f"{where} still holds the template's collapsed example")
        elif _guidance_left(body):
            problems.append(f"{where} still has the template's `>` guidance")
        elif bracket := placeholder(body, links):
            problems.append(f"{where} still has the placeholder `{bracket}`")
        elif not "".join(body.split()):
            problems.append(f"{where} is empty")
    return problems


def _guidance_left(body: str) -> bool:
    """Whether a section still has the template's `>` guidance.

    The guidance starts at the margin, so an indented quote is a message template; a quote at
    the margin is the writer's own when it reads as one (a filled-in message template under
    its `Message template:` line), unless it repeats the guidance.
    """
    at_margin = "\n".join(
        line for line in DETAILS_BLOCK.sub("", body).splitlines() if not re.match(r"\s+>", line)
    )
    return bool(guidance_quotes(at_margin, course_template_guidance(TEMPLATE)))


def _alerts_section(text: str) -> str:
    for title, body in sections(text):
        if title.lower() == "alerts":
            return DETAILS_BLOCK.sub("", body)
    return ""


def _line_of(text: str, name: str, heading: str = "Alerts") -> int:
    """The first line mentioning `name` below the `## heading` line (1-based; 0 if none).

    The heading may be a Setext one (`Alerts` over `---`): `setext_as_atx` writes it as `## `
    on its underline's line, and keeps every other line where it is."""
    lines = setext_as_atx(text).splitlines()
    start = next((i for i, line in enumerate(lines) if is_heading(line, heading)), 0)
    for index in range(start, len(lines)):
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", lines[index]):
            return index + 1
    return 0


def _column(header: list[str], *words: str) -> str | None:
    return next((name for name in header if any(word in name.lower() for word in words)), None)


def entries(text: str) -> list[Entry]:
    """The alert entries under `## Alerts`: table rows, and `### Name` subsections.

    Headings may group the entries (`### Pages`, then `#### BookingsFastBurn`), at any depth: a
    heading with deeper headings or a table under it is a group, and a group named for a
    severity gives it to the entries under it that do not say their own.
    """
    body = _alerts_section(text)
    found: list[Entry] = []
    for table in pipe_tables(body):
        header = list(table.header)
        if not header or _is_property_table(table):
            continue  # an entry's own properties: `_subsections` reads them with its entry
        # Headers as runbooks write them: the template's, and the usual other words.
        alert = _column(header, "alert") or header[0]
        # The looser words only where no column has the usual ones (`Escalation level` is not
        # the severity when there is a `Severity` column too).
        severity = _column(header, "sev", "urgency", "priority") or _column(header, "level")
        meaning = _column(
            header, "mean", "what it", "description", "summary", "impact", "symptom", "indicat"
        ) or _column(
            # What makes an alert fire says what it means: `Why it fires`, `Trigger`, `Cause`.
            header,
            "why",
            "fires",
            "trigger",
            "condition",
            "cause",
            "explan",
            "detail",
        )
        actions = _column(
            header, "action", "step", "do", "respon", "remedia", "mitigat", "triage", "fix"
        )
        grouped_as = _severities(table.heading)
        for cells in table.rows:
            row = dict(zip(header, (cells + [""] * len(header))[: len(header)], strict=True))
            severities = _severities(row.get(severity or "", "")) or grouped_as
            for name in _names_in(row.get(alert, "")):
                found.append(
                    Entry(
                        name,
                        _line_of(text, name),
                        severities[0] if severities else "",
                        row.get(meaning or "", "").strip(),
                        row.get(actions or "", "").strip(),
                        severities,
                    )
                )
    found += _subsections(text, body)
    return found


def _is_property_table(table: PipeTable) -> bool:
    """Whether a table gives one entry's properties, a name and a value a row.

    Two columns whose first names properties (`Severity`, `Owner`): in a row, as an alert's
    name never does, or in the header when it has no `Alert` column (`| Alert | HighErrorRate |`
    over `| Severity | page |` is one entry's table too).
    """
    header = list(table.header)
    return len(header) == 2 and (
        any(PROPERTY_NAME.match(cells[0]) for cells in table.rows if cells)
        or (_column(header, "alert") is None and bool(PROPERTY_NAME.match(header[0])))
    )


ENTRY_LABEL = re.compile(r"^alert(?:\s+name)?\s*:\s*", re.IGNORECASE)
"""`Alert: BookingsFastBurn`: a heading that says what it names before the name."""
AFTER_THE_NAME = re.compile(r"\s+[—–-]\s+|:\s")
"""Where a name's qualifier starts: `BookingsFastBurn — page`, `BookingsDown: nothing answers`."""
HEADING_ID = re.compile(r"\{[#.][^{}]*\}")
"""A heading's id or class, as Pandoc, kramdown and MyST write them: `{#bookingsfastburn}`."""
ORDINAL = re.compile(r"^\d+(?:\.\d+)*[.)]?\s+")
"""A heading's number, which numbers the entries, not names them: `1. BookingsFastBurn`,
`2) BookingsDown`, `3.1 BookingsSlowBurn`."""


def _names_in(cell: str) -> list[str]:
    """The alert names one cell gives (`BookingsFastBurn / BookingsMediumBurn` gives two)."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)  # a link: keep its text
    plain = plain.replace("`", "").replace("*", "")
    plain = HEADING_ID.sub(" ", plain)
    plain = re.sub(r"\([^()]*\)", " ", plain)  # a qualifier: `BookingsFastBurn (page)`
    # What follows a dash or a colon qualifies the names (`A / B — page, at once`): not a name.
    plain = ORDINAL.sub("", ENTRY_LABEL.sub("", plain.strip()))
    plain = AFTER_THE_NAME.split(plain, maxsplit=1)[0]
    return [part.strip() for part in SEPARATORS.split(plain) if part.strip()]


def _qualifiers(title: str) -> str:
    """What a heading says besides its names: `(page)`, or `— page` after the name."""
    title = ENTRY_LABEL.sub("", HEADING_ID.sub(" ", title.strip()))
    after = AFTER_THE_NAME.split(title, maxsplit=1)[1:]
    return " ".join([*re.findall(r"\(([^()]*)\)", title), *after])


def _severities(cell: str) -> tuple[str, ...]:
    """Every severity a cell, line or heading names (`Pages` is page), in order, once each."""
    return tuple(
        dict.fromkeys("page" if paged else "ticket" for paged, _ in SEVERITY_WORDS.findall(cell))
    )


def _subsections(text: str, body: str) -> list[Entry]:
    found = []
    lines = markdown_lines(body)
    heads = [
        (index, len(match["marks"]), match["title"])
        for index, line in enumerate(lines)
        if (match := ENTRY_HEADING.match(line))
    ]
    groups: list[tuple[int, tuple[str, ...]]] = []  # (level, severity) of the open groups
    position = 0
    while position < len(heads):
        index, level, title = heads[position]
        # The headings under this one, up to the next of its level or higher.
        last = next(
            (later for later in range(position + 1, len(heads)) if heads[later][1] <= level),
            len(heads),
        )
        below = heads[position + 1 : last]
        own_end = heads[position + 1][0] if below else _end(heads, last, lines)
        groups = [(depth, said) for depth, said in groups if depth < level]
        tables = pipe_tables("\n".join(lines[index + 1 : own_end]))
        if (below and not all(PART_HEADING.search(part) for _, _, part in below)) or (
            not below and any(not _is_property_table(table) for table in tables)
        ):
            # A group of entries: the headings, or the table, under it hold them.
            groups.append((level, _severities(title)))
            position += 1
            continue
        # An entry, with its parts (`#### First actions`) under it, if it has any.
        content = "\n".join(lines[index + 1 : _end(heads, last, lines)]).strip()
        severity_line = re.search(r"severity\W+([^.;\n]+)", content, re.IGNORECASE)
        severities = _severities(severity_line[1]) if severity_line else ()
        if not severities:
            # `### BookingsFastBurn (page)` or `— page`, or the group's `### Pages`.
            severities = _severities(_qualifiers(title)) or next(
                (said for _, said in reversed(groups) if said), ()
            )
        for name in _names_in(title):
            found.append(
                Entry(
                    name,
                    _line_of(text, name),
                    severities[0] if severities else "",
                    content,
                    content,
                    severities,
                )
            )
        position = last
    return found


def _end(heads: list[tuple[int, int, str]], position: int, lines: list[str]) -> int:
    """The line where the heading at `position` starts; the end of the text past the last."""
    return heads[position][0] if position < len(heads) else len(lines)


def _entry_names(found: list[Entry]) -> str:
    return ", ".join(dict.fromkeys(entry.name for entry in found)) or "none"


def _alert_names(rules: alert_rules.RuleFile) -> str:
    return ", ".join(dict.fromkeys(alert.name for alert in rules.alerts)) or "none"


def _by_name(rules: alert_rules.RuleFile) -> dict[str, list[alert_rules.Rule]]:
    """The alerts of each name: one name may be several rules (a page and a ticket, say)."""
    found: dict[str, list[alert_rules.Rule]] = {}
    for alert in rules.alerts:
        found.setdefault(alert.name, []).append(alert)
    return found


def _lines(alerts: list[alert_rules.Rule]) -> str:
    numbers = ", ".join(str(alert.line) for alert in alerts)
    return f"line{'s' if len(alerts) > 1 else ''} {numbers}"


def _labelled(alerts: list[alert_rules.Rule]) -> dict[str, list[alert_rules.Rule]]:
    """The rules of one alert name by their `severity` label ("" for none)."""
    found: dict[str, list[alert_rules.Rule]] = {}
    for alert in alerts:
        found.setdefault(alert.labels.get("severity", "").strip().lower(), []).append(alert)
    return found


def missing_entry_problems(text: str, rules: alert_rules.RuleFile) -> list[str]:
    """Every alert of the rules has an entry; each missing one quotes both files."""
    found = entries(text)
    names = {entry.name for entry in found}
    if not found and not section(text, "Alerts"):
        return ["there is no `## Alerts` section to hold the entries"]
    return [
        f"`{name}` ({RULES_FILE}, {_lines(alerts)}) has no entry; the runbook's "
        f"`## Alerts` has: {_entry_names(found)}"
        for name, alerts in _by_name(rules).items()
        if name not in names
    ]


def extra_entry_problems(text: str, rules: alert_rules.RuleFile) -> list[str]:
    """Every entry names an alert that the rules define; each stray one quotes both files."""
    defined = {alert.name for alert in rules.alerts}
    problems = []
    for entry in dict((entry.name, entry) for entry in entries(text)).values():
        placeholder = entry.name.startswith("[") and entry.name.endswith("]")
        if entry.name not in defined and not placeholder:
            problems.append(
                f"the entry `{shorten(entry.name, 40)}` ({FILE}, line {entry.line}) is not an "
                f"alert of {RULES_FILE}, which defines: {_alert_names(rules)}"
            )
    return problems


def severity_problems(text: str, rules: alert_rules.RuleFile) -> list[str]:
    """Each entry gives its alert's severity, as the rules label it.

    One alert name may be several rules with a severity each (Prometheus' way of paging at one
    burn rate and opening a ticket at another): its entries then give every one of them, in
    one entry (`page or ticket`) or one each.
    """
    by_name = _by_name(rules)
    problems = []
    given: dict[str, set[str]] = {}
    wrong = set()
    for entry in entries(text):
        alerts = by_name.get(entry.name)
        if alerts is None:
            continue
        labelled = {severity: found for severity, found in _labelled(alerts).items() if severity}
        if not entry.severities:
            described = " and ".join(
                f"`{severity}` ({_lines(found)})" for severity, found in labelled.items()
            )
            problems.append(
                f"the entry `{entry.name}` ({FILE}, line {entry.line}) does not say its "
                f"severity; {RULES_FILE} labels it {described or f'`nothing` ({_lines(alerts)})'}"
            )
            wrong.add(entry.name)
            continue
        given.setdefault(entry.name, set()).update(entry.severities)
        unlabelled = [severity for severity in entry.severities if severity not in labelled]
        if labelled and unlabelled:
            described = " and ".join(f"`{severity}`" for severity in labelled)
            lines = _lines([alert for found in labelled.values() for alert in found])
            problems.append(
                f"`{entry.name}` is {described} in {RULES_FILE} ({lines}) but `{unlabelled[0]}` "
                f"in {FILE} (line {entry.line})"
            )
            wrong.add(entry.name)
    for name, severities in given.items():
        if name in wrong:
            continue
        for severity, found in _labelled(by_name[name]).items():
            if severity and severity not in severities:
                problems.append(
                    f"`{name}` is also `{severity}` in {RULES_FILE} ({_lines(found)}), and no "
                    f"entry in {FILE} says so"
                )
    return problems


def action_problems(text: str) -> list[str]:
    """Each entry says what its alert means and what to do first."""
    problems = []
    for entry in entries(text):
        if BRACKET_PLACEHOLDER.search(entry.actions) or not re.search(r"\w", entry.actions):
            problems.append(
                f"the entry `{entry.name}` ({FILE}, line {entry.line}) gives no first actions"
            )
        elif not re.search(r"\w", entry.meaning) or BRACKET_PLACEHOLDER.search(entry.meaning):
            problems.append(
                f"the entry `{entry.name}` ({FILE}, line {entry.line}) does not say what it means"
            )
    return problems
