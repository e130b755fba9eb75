"""Reading Markdown documents that learners write (a PRD, a postmortem): shared by the checks.

Only what the document checks of several stages need: the text outside comments and code
fences, its `## ` sections, and a way to report the first few problems found.
"""

from __future__ import annotations

import re
from pathlib import Path

from onboarding.checks import SHOWN_PROBLEMS, ArtefactError, CheckFailed, require  # noqa: F401 - notebooks and tests call it through this module

BRACKET_PLACEHOLDER = re.compile(r"\[(?![ xX]\])[^\[\]\n]+\](?![(\[:])")
DETAILS_BLOCK = re.compile(r"<details>.*?</details>", re.IGNORECASE | re.DOTALL)
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def read_document(path: str | Path) -> str:
    """The text of a Markdown artefact; a missing or empty file is the learner's to fix."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtefactError(
            f"{Path(path).name} does not exist yet — run the %%writefile cell that creates it"
        ) from None
    if not text.strip():
        raise CheckFailed(f"{Path(path).name} is empty")
    return text


def markdown_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside HTML comments and fenced code blocks."""
    text = re.sub(r"<!--.*?(-->|\Z)", "", text, flags=re.DOTALL)
    lines, fence = [], None
    for line in text.splitlines():
        marker = re.match(r"\s*(```|~~~)", line)
        if marker:
            fence = marker[1] if fence is None else (None if marker[1] == fence else fence)
            continue
        if fence is None:
            lines.append(line)
    return lines


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for each `## ` section, in order; the text before the first is ("", …)."""
    result = [("", [])]
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
