"""The release: Conventional Commits decide the next semantic version (stage 06's rules).

Stage 06 has the learner write `next_version` in a notebook, so the course has no module for
it; this is the capstone's own small adapter, held to the same cases (tests/stages/capstone).
The release note and the version files are read from the learner's project.
"""

from __future__ import annotations

import re

from onboarding.artefacts.markdown import setext_as_atx

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
CONVENTIONAL = re.compile(r"^(?P<type>[A-Za-z]+)(?:\([^)]*\))?(?P<bang>!)?: \S")
BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ", re.MULTILINE)
HEADING = re.compile(
    r"^##\s+(?:(?:[Vv]ersion|[Rr]elease)\s+)?\[?v?(?P<version>\d+\.\d+\.\d+)\]?", re.MULTILINE
)
"""`## 0.2.0`, `## [0.2.0]`, `## v0.2.0`, `## Version 0.2.0`: a release's heading."""
VERSION_LINE = re.compile(
    r"""^__version__\s*(?::\s*[\w.\[\]]+\s*)?=\s*["'](?P<version>[^"']+)["']""", re.MULTILINE
)
"""`__version__ = "0.2.0"`, or with a type: `__version__: str = "0.2.0"`."""


def bump_of(message: str) -> int:
    """0 no release, 1 patch, 2 minor, 3 major (a breaking change)."""
    match = CONVENTIONAL.match(message)
    if not match:
        return 0
    if match["bang"] or BREAKING_FOOTER.search(message):
        return 3
    return {"feat": 2, "fix": 1}.get(match["type"].lower(), 0)


def next_version(current: str, messages: list[str]) -> str:
    found = SEMVER.match(current)
    if not found:
        raise ValueError(f"{current!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = map(int, found.groups())
    bump = max((bump_of(message) for message in messages), default=0)
    if bump == 3 and major == 0:
        bump = 2  # below 1.0.0 the API is not stable yet: a breaking change bumps the minor
    if bump == 3:
        return f"{major + 1}.0.0"
    if bump == 2:
        return f"{major}.{minor + 1}.0"
    if bump == 1:
        return f"{major}.{minor}.{patch + 1}"
    return current


def newest_heading(changelog: str) -> str | None:
    """The version of the first release heading (`## 1.2.0`, `## [1.2.0]`, `## v1.2.0`, or
    `1.2.0` underlined with `---`)."""
    match = HEADING.search(setext_as_atx(changelog))
    return match["version"] if match else None


def entry_of(changelog: str, version: str) -> str:
    """The text under the heading of `version`, up to the next version's heading."""
    changelog = setext_as_atx(changelog)
    headings = list(HEADING.finditer(changelog))
    for number, match in enumerate(headings):
        if match["version"] == version:
            end = headings[number + 1].start() if number + 1 < len(headings) else len(changelog)
            return changelog[match.end() : end]
    return ""


CATEGORY = r"(?:added|(?:new\s+)?features?)"
"""Keep a Changelog says "Added"; conventional-changelog and towncrier say "Features"."""
ADDED_HEADING = re.compile(rf"(?im)^ {{0,3}}#{{3,}}[ \t]+{CATEGORY}\b")
"""`### Added`, a level below the version's `## ` heading."""
ADDED_LABEL = re.compile(
    rf"(?im)^ {{0,3}}(?P<emphasis>\*\*|__|\*|_)?{CATEGORY}:?(?P=emphasis)?:?[ \t]*$"
)
"""`**Added**`, `**Added:**`, `_Added_` or `Added:` alone on its line: many changelogs label a
category so rather than with a heading, and a reader sees the same list under it. A line that
goes on after the word (`**Added** recurring bookings`) is a sentence, not a label."""


def has_added_section(entry: str) -> bool:
    """Whether a release's entry has its Added (or Features) category, as a heading or a label."""
    return bool(ADDED_HEADING.search(entry) or ADDED_LABEL.search(entry))


def package_version(init_text: str) -> str | None:
    match = VERSION_LINE.search(init_text)
    return match["version"] if match else None
