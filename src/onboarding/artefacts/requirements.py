"""pip requirements files, read as pip reads them: entries, their pins, markers and hashes.

`parse_requirements(text)` returns one `Entry` per requirement (continuation lines joined,
comments dropped) and a plain sentence for each line that is not one, or that pip would refuse.
It follows pip's own reader (`pip/_internal/req/req_file.py`) where spelling matters: a line
continues only when a backslash is its very last character; a line that starts with a comment
ends the entry before it; an entry's options start at the first word, split at spaces, that
begins with `-`, and are shell words (quotes are taken off). A line that holds only a `--hash`
option is named for what it almost always is: the line before it lost the backslash that
continues an entry, so pip would read the hash as an entry of its own. In a file whose hashes pip
checks (any `--hash`, or `--require-hashes`), an editable install (`-e .`) is named too: pip
refuses it there, as it refuses a folder. A byte order mark that opens the file
(`encoding="utf-8-sig"`) is taken off, as pip's `auto_decode` takes it off; `decode` reads a
file's bytes in the encoding its byte order mark names, as pip does.
"""

from __future__ import annotations

import codecs
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from onboarding.protocol import shorten

COMMENT = re.compile(r"(^|\s+)#.*$")
"""pip's COMMENT_RE: a `#` at the start of a line or after whitespace starts a comment."""
PER_REQUIREMENT_OPTION = re.compile(r"^--(hash|config-settings|global-option)\b")
EDITABLE = re.compile(r"^(?:-e|--editable)(?![\w-])")
"""pip's `-e`/`--editable` option, which installs a folder (or a VCS checkout) in place."""
LOCAL_PATH = re.compile(r"^(?:\.{1,2}(?:[/\\]|$)|[/\\~]|file:|[A-Za-z]:[/\\])")
"""A requirement written as a path (`.`, `./service`, `file:.`, or an absolute one): pip
installs that folder or file itself, rather than a package by its name."""
BYTE_ORDER_MARK = "\ufeff"
"""Invisible; pip's `auto_decode` takes one off the start of the file, and none anywhere else."""
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF32, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
)
"""pip's `BOMS`, in pip's order (`pip/_internal/utils/encoding.py`): the first that opens the
file names its encoding. (PowerShell's `>` writes UTF-16 with a byte order mark.)"""


@dataclass(frozen=True)
class Entry:
    """One requirement of a requirements file, with its options."""

    line: int
    text: str
    name: str
    specifier: str
    marker: str | None
    hashes: tuple[str, ...]


def decode(data: bytes) -> str:
    """A requirements file's text: in the encoding its byte order mark names, else UTF-8.

    UnicodeDecodeError when it is neither (pip would then try the locale's encoding, which is
    UTF-8 wherever the course runs).
    """
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding)
    return data.decode("utf-8")


def canonical(name: str) -> str:
    """A project name as PyPI compares names: `Typing_Extensions` is `typing-extensions`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each entry: continuations joined, comments dropped.

    As pip joins them: a line ending in a backslash (its very last character) continues onto the
    next, glued to it without a space, unless it starts with a comment; a comment line ends the
    entry it follows.
    """
    start, parts = None, []
    for number, line in enumerate(text.splitlines(), start=1):
        is_comment = COMMENT.match(line) is not None
        if line.endswith("\\") and not is_comment:
            if not parts:
                start = number
            parts.append(line.strip("\\"))
            continue
        first = start if parts else number
        joined = COMMENT.sub("", "".join([*parts, " " + line if is_comment else line])).strip()
        start, parts = None, []
        if joined:
            yield first, joined
    if parts:
        joined = COMMENT.sub("", "".join(parts)).strip()
        if joined:
            yield start or 1, joined


def _as_pip_compares(value: str) -> str:
    """A `--hash` value as pip compares it: the hex digest in lower case (`sha256:ABCD…` is
    `sha256:abcd…`), the algorithm's name as written (pip accepts only `sha256`, `sha384`…)."""
    algorithm, colon, digest = value.partition(":")
    return f"{algorithm}{colon}{digest.lower()}"


def _split_options(line: str) -> tuple[str, str]:
    """pip's `break_args_options`: the requirement, then its options from the first word that
    starts with `-`, words being split at spaces only (a tab does not start an option)."""
    words = line.split(" ")
    for position, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:position]), " ".join(words[position:])
    return line, ""


def _hash_values(options: list[str]) -> tuple[str, ...]:
    """The values of the `--hash` options among an entry's option words."""
    values = []
    for position, word in enumerate(options):
        if word.startswith("--hash="):
            values.append(word.removeprefix("--hash="))
        elif word == "--hash" and position + 1 < len(options):
            values.append(options[position + 1])
    return tuple(_as_pip_compares(value) for value in values)


def parse_requirements(text: str) -> tuple[list[Entry], list[str]]:
    """The entries of a pip requirements file, and a problem for each line that is not one."""
    from packaging.requirements import InvalidRequirement, Requirement

    text = text.removeprefix(BYTE_ORDER_MARK)
    raw_lines = text.splitlines()
    entries: list[Entry] = []
    problems: list[str] = []
    continuation_broken = False
    # pip checks hashes once any requirement has one, or `--require-hashes` says so, and then
    # refuses to install what has no single file to hash: an editable install or a folder.
    checks_hashes = any(
        "--hash" in line or line.startswith("--require-hashes") for _, line in logical_lines(text)
    )
    for number, line in logical_lines(text):
        if PER_REQUIREMENT_OPTION.match(line):
            if not continuation_broken:  # else the line before was named already
                before = f"line {number - 1}" if number > 1 else "the line before"
                problems.append(
                    f"line {number}: `{shorten(line, 40)}` stands on a line of its own: {before} "
                    "does not end with a backslash `\\`, the line continuation that joins an "
                    "entry's options to it"
                )
            continue
        continuation_broken = False
        if line.startswith("-"):
            if checks_hashes and EDITABLE.match(line):
                problems.append(
                    f"line {number}: `{shorten(line, 40)}` installs a folder as editable, which "
                    "pip refuses when it checks hashes, as it does once any entry has a `--hash` "
                    "(a folder has no single file to hash): leave it out, since the lock lists "
                    "the packages by name"
                )
            # Global options (--index-url, -r): not requirements; pip reads them elsewhere.
            continue
        requirement_text, options_text = _split_options(line)
        requirement_text = requirement_text.strip()
        if requirement_text.endswith("\\"):
            # Spaces or a comment after the backslash: pip ends the entry on this line, and
            # reads the requirement with the backslash in it.
            continuation_broken = True
            last = raw_lines[number - 1] if number <= len(raw_lines) else line
            problems.append(
                f"line {number}: the backslash `\\` is not the last character of the line "
                f"(`{shorten(last.strip(), 40)}` has spaces or a comment after it), so pip does "
                "not continue the entry onto the next line: end the line with the backslash"
            )
            continue
        if "--hash" in requirement_text:  # after a tab or glued on: not an option to pip
            after_a_tab = "\t--hash" in requirement_text
            problems.append(
                f"line {number}: `--hash` must follow a space, but here it follows "
                f"{'a tab' if after_a_tab else 'no space'}, so pip reads "
                f"`{shorten(requirement_text, 40)}` as the requirement: "
                + (
                    "indent the lines of an entry with spaces, not tabs"
                    if after_a_tab
                    else "put a space before `--hash` (or before the backslash that ends the line)"
                )
            )
            continue
        try:
            options = shlex.split(options_text)
        except ValueError as error:  # an unclosed quote: pip cannot split the options either
            problems.append(
                f"line {number}: the options `{shorten(options_text, 40)}` cannot be read "
                f"({error}): close the quote, or write the hashes without quotes"
            )
            continue
        if BYTE_ORDER_MARK in requirement_text:
            # Invisible in the message too, so it is named: pip would refuse the line.
            shown = requirement_text.replace(BYTE_ORDER_MARK, "")
            problems.append(
                f"line {number}: `{shorten(shown, 40)}` holds an invisible byte order mark "
                "(U+FEFF), which pip takes off only once, at the very start of the file, so it "
                "refuses this entry: delete the character, or write the file as plain UTF-8"
            )
            continue
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            if LOCAL_PATH.match(requirement_text):
                problems.append(
                    f"line {number}: `{shorten(requirement_text, 40)}` is a path, not a "
                    "package's name and version (`name==version`): pip would install that "
                    "folder or file itself, and refuses a folder when it checks hashes, since a "
                    "folder has no single file to hash"
                )
                continue
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
                _hash_values(options),
            )
        )
    return entries, problems
