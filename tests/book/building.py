"""Build the book once for the test session, exactly as `make book` does.

The book and browser test files may run in two pytest-xdist workers at once, so the build holds
a file lock, and a worker that finds a build of the same sources reuses it: the sources'
fingerprint (paths, sizes and modification times) is stored next to the HTML after a clean
build. Otherwise Sphinx's own incremental build decides what to redo; nothing is executed.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import COURSE_ROOT

BOOK = COURSE_ROOT / "book"
BUILD = BOOK / "_build"
HTML = BUILD / "html"
# The arguments of `make book` (tests/book/test_book.py checks that the Makefile agrees).
BUILD_ARGUMENTS = [
    "build",
    ".",
    "--config",
    "book/_config.yml",
    "--toc",
    "book/_toc.yml",
    "--path-output",
    "book",
    "-W",
    "--keep-going",
]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
FINGERPRINT = BUILD / ".tests-fingerprint"
LOG = COURSE_ROOT / "test-reports" / "book-build.log"
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE):")
# What the book is made of. Anything else it shows (the toolkit's stage list) is listed too.
SOURCES = ["book", "notebooks", "solutions", "exercises", "templates", "docs"]
EXTRA_SOURCES = ["src/onboarding/course.py"]


def source_files() -> list[Path]:
    files = [COURSE_ROOT / name for name in EXTRA_SOURCES]
    for folder in SOURCES:
        for path in (COURSE_ROOT / folder).rglob("*"):
            relative = path.relative_to(COURSE_ROOT).parts
            if (
                path.is_file()
                and relative[:2] != ("book", "_build")
                and "__pycache__" not in relative
            ):
                files.append(path)
    return sorted(files)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        stat = path.stat()
        digest.update(
            f"{path.relative_to(COURSE_ROOT)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()


# A failed build of these exact sources, remembered so the next fixture does not build again.
_failures: dict[str, str] = {}


def build_book() -> Path:
    """The built HTML folder; fails the test with Sphinx's output if the build has a warning."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".tests-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = fingerprint()
        if current in _failures:
            pytest.fail(_failures[current], pytrace=False)
        if (HTML / "index.html").exists() and FINGERPRINT.exists():
            if FINGERPRINT.read_text() == current:
                return HTML
        FINGERPRINT.unlink(missing_ok=True)
        run = subprocess.run(
            [str(JUPYTER_BOOK), *BUILD_ARGUMENTS],
            cwd=COURSE_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if run.returncode != 0:
            LOG.parent.mkdir(exist_ok=True)
            output = run.stdout + run.stderr
            LOG.write_text(output)
            problems = [line for line in output.splitlines() if PROBLEM.search(line)]
            _failures[current] = (
                f"`make book` fails (full log: {LOG.relative_to(COURSE_ROOT)}):\n"
                + "\n".join(problems[:30] or output.splitlines()[-30:])
            )
            pytest.fail(_failures[current], pytrace=False)
        # Sources changed during the build? Then the next session builds again.
        if fingerprint() == current:
            FINGERPRINT.write_text(current)
        return HTML
