"""Find secrets in the project's files before they are committed: `python tools/find_secrets.py`.

Scans the files given on the command line (or every file git tracks) and prints one line per
finding, `path:line: kind`; exits 1 if it found anything, so CI and a pre-commit hook can stop a
change that would leak a secret. `find_secrets()` is exercise 09.2 of the onboarding course.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple


class Finding(NamedTuple):
    """A secret found in a text: the line it is on (from 1), and what kind of secret it is."""

    line: int
    kind: str


def find_secrets(text: str) -> list[Finding]:
    """The lines of `text` that hold a secret, counted from 1, with what kind of secret."""
    ### BEGIN SOLUTION 09.2
    patterns = {
        "AWS access key id": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
        "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
        "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        "password in a URL": re.compile(r"\w://[^/\s:@]+:(?!\$)[^@\s/]+@"),
    }
    secret_name = re.compile(r"passw(or)?d|pwd|secret|token|api_?key", re.IGNORECASE)
    assignment = re.compile(
        r"""(?P<name>[A-Za-z_][\w.-]*)["']?\s*[:=]\s*(?P<value>"[^"]*"|'[^']*'|<[^>]*>|[^\s#]+)"""
    )
    placeholder = re.compile(r"^(change-?me|<.*>|\$.*|os\..*|x+|\*+)$", re.IGNORECASE)
    # A number is no secret: TOKEN_TTL_SECONDS = 86_400_000 is a duration.
    numeric = re.compile(r"[+-]?\d[\d_]*(\.\d+)?")

    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        kind = next((kind for kind, pattern in patterns.items() if pattern.search(line)), None)
        for match in assignment.finditer(line):
            value = match["value"].strip("\"'")
            if (
                kind is None
                and secret_name.search(match["name"])
                and len(value) >= 8
                and not placeholder.match(value)
                and not numeric.fullmatch(value)
                and "://" not in value
            ):
                kind = f"a value assigned to {match['name']}"
        if kind is not None:
            findings.append(Finding(number, kind))
    return findings
    ### END SOLUTION


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout
    return [Path(name) for name in listing.split("\0") if name]


def main(arguments: list[str]) -> int:
    found = 0
    for path in [Path(argument) for argument in arguments] or tracked_files():
        if path.resolve() == Path(__file__).resolve():
            continue  # its own patterns describe secrets without being any
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue  # not text: a database, an image, a folder
        for finding in find_secrets(text):
            print(f"{path}:{finding.line}: {finding.kind}")
            found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
