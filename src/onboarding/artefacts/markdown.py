"""Reading the Markdown documents learners write: a PRD, a TSD, a runbook, a postmortem…

Only what the document checks need: the text outside comments and code fences, its `## `
sections, its list items and tables, and what looks like a placeholder left from a template.
"""

from __future__ import annotations

import re
from pathlib import Path

from onboarding.checks import CheckFailed, read_artefact

BRACKET_PLACEHOLDER = re.compile(r"\[(?![ xX]\])[^\[\]\n]+\](?![(\[:])")
"""A `[fill me in]` left from a template (not a task box `[ ]`, nor a link `[text](url)`)."""
DETAILS_BLOCK = re.compile(r"<details>.*?</details>", re.IGNORECASE | re.DOTALL)
"""A folded `<details>` block: the templates keep their guidance in one."""
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
FENCE = re.compile(r"\s*(```|~~~)")


def read_document(path: str | Path, how_to_create: str | None = None) -> str:
    """The text of a Markdown document; a missing or empty file is the learner's to fix."""
    text = read_artefact(path) if how_to_create is None else read_artefact(path, how_to_create)
    if not text.strip():
        raise CheckFailed(f"{Path(path).name} is empty")
    return text


def markdown_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside HTML comments and fenced code blocks."""
    text = re.sub(r"<!--.*?(-->|\Z)", "", text, flags=re.DOTALL)
    lines, fence = [], None
    for line in text.splitlines():
        marker = FENCE.match(line)
        if marker:
            fence = marker[1] if fence is None else (None if marker[1] == fence else fence)
            continue
        if fence is None:
            lines.append(line)
    return lines


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the code fences of one language (```mermaid, ```sql…), in order."""
    blocks, current, fence = [], None, None
    for line in text.splitlines():
        marker = re.match(r"\s*(```|~~~)\s*(\S*)", line)
        if marker and fence is None:
            fence = marker[1]
            current = [] if marker[2].lower() == language.lower() else None
            continue
        if marker and marker[1] == fence:
            if current is not None:
                blocks.append("\n".join(current))
            fence, current = None, None
            continue
        if current is not None:
            current.append(line)
    return blocks


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for each `## ` section, in order; the text before the first is ("", …)."""
    result: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown_lines(text):
        heading = re.match(r"## (?!#)(.+?)\s*#*\s*$", line)
        if heading:
            result.append((heading[1].strip(), []))
        else:
            result[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in result]


def section(text: str, heading: str) -> str | None:
    """The body of the first `## heading` section, or None when there is none."""
    return next((body for title, body in sections(text) if title == heading), None)


def list_items(body: str) -> list[str]:
    """The text of each list item (bulleted or numbered) of a section, outside <details>."""
    items = []
    for line in DETAILS_BLOCK.sub("", body).splitlines():
        item = LIST_ITEM.match(line)
        if item and item["text"].strip():
            items.append(item["text"].strip())
    return items


def tables(body: str) -> list[list[dict[str, str]]]:
    """Every pipe table of a text, each as rows keyed by its header cells."""
    found: list[list[dict[str, str]]] = []
    lines = markdown_lines(body)
    index = 0
    while index + 1 < len(lines):
        if "|" in lines[index] and TABLE_SEPARATOR.match(lines[index + 1]):
            header = _cells(lines[index])
            rows = []
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                cells = _cells(lines[index])
                padded = cells + [""] * (len(header) - len(cells))
                rows.append(dict(zip(header, padded[: len(header)], strict=True)))
                index += 1
            found.append(rows)
        else:
            index += 1
    return found


def _cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]
