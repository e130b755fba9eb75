"""The glossary defines the terms the course teaches, and each entry is the course's own.

It once lacked SLA, burn rate, SBOM, idempotency key, semver and trunk-based development, all of
which the lessons teach; a learner who looked one up found nothing.
"""

from __future__ import annotations

import re

import pytest

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

GLOSSARY = COURSE_ROOT / "book" / "glossary.md"
# Terms a lesson teaches that a learner will look up, with the lesson that teaches each.
TAUGHT = {
    "SLA": "01_roles_and_intake",
    "idempotency key": "02_api_design",
    "WAL mode": "03_data_design",
    "trunk-based development": "06_ci_and_releases",
    "semver": "06_ci_and_releases",
    "semantic versioning": "06_ci_and_releases",
    "liveness probe": "07_deployment",
    "readiness probe": "07_deployment",
    "canary release": "07_deployment",
    "burn rate": "08_monitoring",
    "error budget": "08_monitoring",
    "SBOM": "09_packaging_and_security",
    "SHA pin": "06_ci_and_releases",
    "workload identity": "09_packaging_and_security",
    "OIDC": "06_ci_and_releases",
    "provenance": "09_packaging_and_security",
}


def glossary_entries() -> dict[str, str]:
    """Each term of the glossary directive, with its definition (shared by a term's aliases)."""
    body = GLOSSARY.read_text(encoding="utf-8").split("```{glossary}", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    terms: list[str] = []
    definition: list[str] = []
    for line in body.splitlines():
        if line.startswith(":") or not line.strip():
            continue
        if line.startswith("  "):
            definition.append(line.strip())
            continue
        if definition:
            entries.update(dict.fromkeys(terms, " ".join(definition)))
            terms, definition = [], []
        terms.append(line.strip())
    entries.update(dict.fromkeys(terms, " ".join(definition)))
    return entries


def lesson_text(stem: str) -> str:
    cells = notebooks.read(COURSE_ROOT / "notebooks" / f"{stem}.ipynb")["cells"]
    return "\n".join(notebooks.source_of(cell) for cell in cells)


@pytest.mark.parametrize("term", sorted(TAUGHT))
def test_the_glossary_defines_each_term_the_lessons_teach(term):
    entries = glossary_entries()
    assert term in entries, f"the glossary has no entry for {term!r}"
    assert len(entries[term].split()) >= 15, f"{term!r} is defined in too few words"


@pytest.mark.parametrize(("term", "stem"), sorted(TAUGHT.items()))
def test_each_term_is_taught_where_the_list_says(term, stem):
    """The list above is no wish list: the lesson really uses the term (or its expansion)."""
    words = {
        "SLA": r"\bSLAs?\b",
        "semver": r"semantic versioning",
        "SBOM": r"\bSBOM\b",
        "idempotency key": r"Idempotency-Key",
        "WAL mode": r"\bWAL\b",
        "liveness probe": r"liveness",
        "readiness probe": r"readiness",
        "canary release": r"\bcanary\b",
        "SHA pin": r"commit SHA",
    }.get(term, re.escape(term))
    text = lesson_text(stem)
    if stem == "01_roles_and_intake":
        package = COURSE_ROOT / "src" / "onboarding" / "stages" / "intake"
        text += "".join(path.read_text() for path in sorted(package.glob("*.py")))
    assert re.search(words, text, flags=re.IGNORECASE), f"{stem} does not mention {term!r}"


def test_terms_referenced_across_the_book_exist():
    """Every {term}`…` in the glossary itself names an entry (the book build checks the rest)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    referenced = set(re.findall(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`", text))
    assert referenced <= set(glossary_entries())
