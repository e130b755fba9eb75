"""pip requirements files, read as pip reads them: entries, their pins, markers and hashes.

`parse_requirements(text)` returns one `Entry` per requirement (continuation lines joined,
comments dropped) and a plain sentence for each line that is not one. A line that holds only a
`--hash` option is named for what it almost always is: the line before it lost the backslash
that continues an entry, so pip would read the hash as an entry of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from onboarding.protocol import shorten

HASH_OPTION = re.compile(r"--hash(?:=|\s+)(?P<value>\S+)")
PER_REQUIREMENT_OPTION = re.compile(r"^--(hash|config-settings|global-option)\b")


@dataclass(frozen=True)
class Entry:
    """One requirement of a requirements file, with its options."""

    line: int
    text: str
    name: str
    specifier: str
    marker: str | None
    hashes: tuple[str, ...]


def canonical(name: str) -> str:
    """A project name as PyPI compares names: `Typing_Extensions` is `typing-extensions`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each entry: continuations joined, comments dropped."""
    start, parts = None, []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if start is None:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        parts.append(line)
        joined = " ".join(part.strip() for part in parts).strip()
        if joined:
            yield start, joined
        start, parts = None, []
    if parts and " ".join(parts).strip():
        yield start or 1, " ".join(part.strip() for part in parts).strip()


def _as_pip_compares(value: str) -> str:
    """A `--hash` value as pip compares it: the hex digest in lower case (`sha256:ABCD…` is
    `sha256:abcd…`), the algorithm's name as written (pip accepts only `sha256`, `sha384`…)."""
    algorithm, colon, digest = value.partition(":")
    return f"{algorithm}{colon}{digest.lower()}"


def parse_requirements(text: str) -> tuple[list[Entry], list[str]]:
    """The entries of a pip requirements file, and a problem for each line that is not one."""
    from packaging.requirements import InvalidRequirement, Requirement

    entries: list[Entry] = []
    problems: list[str] = []
    for number, line in logical_lines(text):
        if PER_REQUIREMENT_OPTION.match(line):
            before = f"line {number - 1}" if number > 1 else "the line before"
            problems.append(
                f"line {number}: `{shorten(line, 40)}` stands on a line of its own: {before} "
                "does not end with a backslash `\\`, the line continuation that joins an entry's "
                "options to it"
            )
            continue
        if line.startswith("-"):
            # Global options (--index-url, -r, -e): not requirements; pip reads them elsewhere.
            continue
        requirement_text = re.split(r"\s--?[a-z]", " " + line, maxsplit=1)[0].strip()
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            problems.append(
                f"line {number}: `{shorten(requirement_text, 40)}` is not a requirement ({error})"
            )
            continue
        entries.append(
            Entry(
                number,
                line,
                canonical(requirement.name),
                str(requirement.specifier),
                str(requirement.marker) if requirement.marker else None,
                tuple(_as_pip_compares(match["value"]) for match in HASH_OPTION.finditer(line)),
            )
        )
    return entries, problems
