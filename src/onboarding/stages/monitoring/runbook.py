"""Exercise 08.4: the runbook, `docs/runbook.md`, checked against the project's alert rules.

The runbook starts as `templates/runbook.md`. Every alert that `monitoring/alerts.yaml` defines
needs an entry under `## Alerts` (a table row whose first cell names it, or a `### Name`
heading), and every entry must name an alert that exists: an alert nobody can act on, and an
entry for an alert that no longer fires, are both how on-call goes wrong. Each mismatch is named
with both sides quoted: the alert and its line in the rules, the entry and its line in the
runbook.

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
    course_template_guidance,
    guidance_quotes,
    markdown_lines,
    section,
    sections,
    tables,
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
SEVERITY_WORDS = re.compile(r"\b(page|ticket)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One alert's entry in the runbook."""

    name: str
    line: int
    severity: str
    """page, ticket, or "" when the entry does not say."""
    meaning: str
    actions: str


def heading_problems(text: str) -> list[str]:
    """The template's six sections are there (in any order); its own guidance is gone."""
    found = [title for title, _ in sections(text)[1:]]
    lowered = {title.lower() for title in found}
    problems = []
    missing = [heading for heading in HEADINGS if heading.lower() not in lowered]
    if missing:
        problems.append("missing: " + ", ".join(f"`## {heading}`" for heading in missing))
    for title in TEMPLATE_ONLY_HEADINGS:
        if title.lower() in lowered:
            problems.append(f"`## {title}` is the template's guidance; delete it")
    for title, body in sections(text):
        if title.lower() not in {heading.lower() for heading in HEADINGS}:
            continue
        where = f"`## {title}`"
        if DETAILS_BLOCK.search(body):
            problems.append(f"{where} still holds the template's collapsed example")
        elif _guidance_left(body):
            problems.append(f"{where} still has the template's `>` guidance")
        elif bracket := BRACKET_PLACEHOLDER.search(body):
            problems.append(f"{where} still has the placeholder `{bracket[0]}`")
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


def _line_of(text: str, name: str, after: str = "## Alerts") -> int:
    """The first line mentioning `name` below the `after` heading (1-based; 0 if none)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().lower() == after.lower()), 0)
    for index in range(start, len(lines)):
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", lines[index]):
            return index + 1
    return 0


def _column(header: list[str], *words: str) -> str | None:
    return next((name for name in header if any(word in name.lower() for word in words)), None)


def entries(text: str) -> list[Entry]:
    """The alert entries under `## Alerts`: table rows, and `### Name` subsections."""
    body = _alerts_section(text)
    found: list[Entry] = []
    for rows in tables(body):
        if not rows:
            continue
        header = list(rows[0])
        # Headers as runbooks write them: the template's, and the usual other words.
        alert = _column(header, "alert") or header[0]
        severity = _column(header, "sev", "urgency", "priority")
        meaning = _column(
            header, "mean", "what it", "description", "summary", "impact", "symptom", "indicat"
        )
        actions = _column(
            header, "action", "step", "do", "respon", "remedia", "mitigat", "triage", "fix"
        )
        for row in rows:
            for name in _names_in(row.get(alert, "")):
                found.append(
                    Entry(
                        name,
                        _line_of(text, name),
                        _severity(row.get(severity or "", "")),
                        row.get(meaning or "", "").strip(),
                        row.get(actions or "", "").strip(),
                    )
                )
    found += _subsections(text, body)
    return found


def _names_in(cell: str) -> list[str]:
    """The alert names one cell gives (`BookingsFastBurn / BookingsMediumBurn` gives two)."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)  # a link: keep its text
    plain = plain.replace("`", "").replace("*", "")
    return [part.strip() for part in SEPARATORS.split(plain) if part.strip()]


def _severity(cell: str) -> str:
    found = SEVERITY_WORDS.search(cell)
    return found[1].lower() if found else ""


def _subsections(text: str, body: str) -> list[Entry]:
    found = []
    lines = markdown_lines(body)
    heads = [i for i, line in enumerate(lines) if re.match(r"###\s+\S", line)]
    for position, index in enumerate(heads):
        end = heads[position + 1] if position + 1 < len(heads) else len(lines)
        content = "\n".join(lines[index + 1 : end]).strip()
        severity_line = re.search(r"severity\W+(\w+)", content, re.IGNORECASE)
        for name in _names_in(lines[index].lstrip("#").strip()):
            found.append(
                Entry(
                    name,
                    _line_of(text, name),
                    _severity(severity_line[1]) if severity_line else "",
                    content,
                    content,
                )
            )
    return found


def _entry_names(found: list[Entry]) -> str:
    return ", ".join(dict.fromkeys(entry.name for entry in found)) or "none"


def _alert_names(rules: alert_rules.RuleFile) -> str:
    return ", ".join(alert.name for alert in rules.alerts) or "none"


def missing_entry_problems(text: str, rules: alert_rules.RuleFile) -> list[str]:
    """Every alert of the rules has an entry; each missing one quotes both files."""
    found = entries(text)
    names = {entry.name for entry in found}
    if not found and not section(text, "Alerts"):
        return ["there is no `## Alerts` section to hold the entries"]
    return [
        f"`{alert.name}` ({RULES_FILE}, line {alert.line}) has no entry; the runbook's "
        f"`## Alerts` has: {_entry_names(found)}"
        for alert in rules.alerts
        if alert.name not in names
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
    """Each entry gives its alert's severity, as the rules label it."""
    by_name = {alert.name: alert for alert in rules.alerts}
    problems = []
    for entry in entries(text):
        alert = by_name.get(entry.name)
        if alert is None:
            continue
        labelled = alert.labels.get("severity", "").strip().lower()
        if not entry.severity:
            problems.append(
                f"the entry `{entry.name}` ({FILE}, line {entry.line}) does not say its "
                f"severity; {RULES_FILE} labels it `{labelled or 'nothing'}` (line {alert.line})"
            )
        elif labelled and entry.severity != labelled:
            problems.append(
                f"`{entry.name}` is `{labelled}` in {RULES_FILE} (line {alert.line}) but "
                f"`{entry.severity}` in {FILE} (line {entry.line})"
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
