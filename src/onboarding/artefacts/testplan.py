"""Reading a test plan (templates/test-plan.md): its sections, and its SLO thresholds as numbers.

The thresholds table of `## SLO thresholds for load tests` has a row per measure. A row is found
by what it measures (p95 latency, throughput, failed requests), and its threshold is read as
people write it: "under 300 ms", "0.3 s", "at least 20 requests a second", "twenty req/s",
"under 0.5%", "0.005", "half a percent".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onboarding.artefacts import markdown

SECTIONS = (
    "Scope",
    "Test levels",
    "SLO thresholds for load tests",
    "Environments and test data",
    "Who runs what, and when",
    "Entry and exit criteria",
    "Risks",
)
THRESHOLDS_SECTION = "SLO thresholds for load tests"

MEASURES = {
    "p95 latency": re.compile(r"\bp\s*95\b|95(th)?\s*(percentile|%)", re.IGNORECASE),
    "throughput": re.compile(
        r"throughput|requests?\s*(a|per|/)\s*s(ec(ond)?)?\b|req/s|\brps\b", re.IGNORECASE
    ),
    "failed requests": re.compile(r"fail|error", re.IGNORECASE),
}
"""What each measure's row says in its Measure cell (or, failing that, anywhere in the row)."""

WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
    "one hundred": 100,
    "two hundred": 200,
    "three hundred": 300,
    "four hundred": 400,
    "five hundred": 500,
    "half a": 0.5,
    "a half": 0.5,
}
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?|\.\d+)")
_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Threshold:
    """One measure's threshold as the plan states it, in the unit the load test uses."""

    measure: str
    value: float | None
    """Milliseconds for latency, requests a second for throughput, a fraction for failures;
    None when the row states no number that can be read."""
    quoted: str
    """The row as written, for a message that quotes it."""


def missing_sections(text: str) -> list[str]:
    """The template's sections the plan does not have (matched without regard to case)."""
    present = {heading.casefold() for heading, _ in markdown.sections(text)}
    return [name for name in SECTIONS if name.casefold() not in present]


def placeholders(text: str) -> list[str]:
    """The `[bracketed placeholders]` left from the template, outside its <details> examples."""
    visible = "\n".join(markdown.markdown_lines(markdown.DETAILS_BLOCK.sub("", text)))
    return [match[0] for match in markdown.BRACKET_PLACEHOLDER.finditer(visible)]


def thresholds(text: str) -> dict[str, Threshold]:
    """The plan's SLO thresholds by measure; a measure with no row is absent."""
    body = markdown.section(text, THRESHOLDS_SECTION)
    if body is None:
        body = next(
            (b for heading, b in markdown.sections(text) if "threshold" in heading.lower()), ""
        )
    found: dict[str, Threshold] = {}
    for table in markdown.tables(markdown.DETAILS_BLOCK.sub("", body)):
        for row in table:
            cells = list(row.values())
            label = cells[0] if cells else ""
            quoted = " | ".join(cell for cell in cells if cell)
            for measure, pattern in MEASURES.items():
                if measure in found or not (pattern.search(label) or pattern.search(quoted)):
                    continue
                threshold_cell = row.get("Threshold", cells[1] if len(cells) > 1 else "")
                found[measure] = Threshold(measure, read_value(measure, threshold_cell), quoted)
                break
    return found


def read_value(measure: str, text: str) -> float | None:
    """The number in a threshold cell, in the load test's unit for that measure."""
    number = _first_number(text)
    if number is None:
        return None
    lowered = text.lower()
    if measure == "p95 latency":
        seconds = re.search(r"\d\s*s\b|\bsec(ond)?s?\b", lowered) and "ms" not in lowered
        return number * 1000 if seconds else number
    if measure == "failed requests":
        percent = "%" in lowered or "percent" in lowered
        return number / 100 if percent else number
    return number


def _first_number(text: str) -> float | None:
    digits = _NUMBER.search(text)
    words = _WORD_NUMBER.search(text)
    if digits and (not words or digits.start() <= words.start()):
        return float(digits[1].replace(",", ""))
    if words:
        return float(WORDS[words[1].lower()])
    return None
