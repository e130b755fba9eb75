"""Build the book once for the test session, exactly as `make book` does.

The book and browser test files may run in two pytest-xdist workers at once, so the build holds
a file lock, and a worker that finds a build of the same sources reuses it: the sources'
fingerprint (paths, sizes and modification times) is stored next to the HTML after a clean
build. Otherwise Sphinx's own incremental build decides what to redo; nothing is executed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
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
# `make book-pdf`: the one-page edition, then Chromium prints it.
SINGLEHTML_ARGUMENTS = [*BUILD_ARGUMENTS[:-2], "--builder", "singlehtml", *BUILD_ARGUMENTS[-2:]]
SINGLEHTML = BUILD / "singlehtml"
PDF = BUILD / "pdf" / "book.pdf"
PRINT_SCRIPT = BOOK / "_ext" / "print_book.py"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
FINGERPRINT = BUILD / ".tests-fingerprint"
PDF_FINGERPRINT = BUILD / "pdf" / ".tests-fingerprint"
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


def _run_or_fail(command: list[str], what: str, key: str) -> None:
    run = subprocess.run(command, cwd=COURSE_ROOT, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        LOG.parent.mkdir(exist_ok=True)
        output = run.stdout + run.stderr
        LOG.write_text(output)
        problems = [line for line in output.splitlines() if PROBLEM.search(line)]
        _failures[key] = (
            f"`{what}` fails (full log: {LOG.relative_to(COURSE_ROOT)}):\n"
            + "\n".join(problems[:30] or output.splitlines()[-30:])
        )
        pytest.fail(_failures[key], pytrace=False)


def _build(result: Path, stamp: Path, what: str, commands: list[list[str]]) -> Path:
    """Run `commands` unless `result` was built from these exact sources; under one lock.

    One lock for both editions: they share Sphinx's environment in book/_build/.doctrees.
    """
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".tests-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = fingerprint()
        key = f"{what}\0{current}"
        if key in _failures:
            pytest.fail(_failures[key], pytrace=False)
        if result.exists() and stamp.exists() and stamp.read_text() == current:
            return result
        stamp.unlink(missing_ok=True)
        for command in commands:
            _run_or_fail(command, what, key)
        # Sources changed during the build? Then the next session builds again.
        if fingerprint() == current:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(current)
        return result


def build_book() -> Path:
    """The built HTML folder; fails the test with Sphinx's output if the build has a warning."""
    _build(HTML / "index.html", FINGERPRINT, "make book", [[str(JUPYTER_BOOK), *BUILD_ARGUMENTS]])
    return HTML


def build_pdf() -> Path:
    """The printed book, built as `make book-pdf` does (needs Chromium, as the diagrams do)."""
    return _build(
        PDF,
        PDF_FINGERPRINT,
        "make book-pdf",
        [
            [str(JUPYTER_BOOK), *SINGLEHTML_ARGUMENTS],
            [sys.executable, str(PRINT_SCRIPT), str(SINGLEHTML), str(PDF)],
        ],
    )


@contextlib.contextmanager
def without_the_other_audit() -> Iterator[None]:
    """Held by Lighthouse and by the axe audit, so that the two never run side by side.

    Both start as soon as the book is built, one on each worker. Beside the axe audit's
    Chromium, Lighthouse's phone-profile performance score of the lesson page fell to 86-89 in
    full runs of `make test` (95-98 measured alone), so the score measured the neighbour.
    """
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".tests-audit.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
