"""The suite hands its longest files to the workers first (tests/longest_files_first.txt)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import COURSE_ROOT, longest_files_first

MAKEFILE = COURSE_ROOT / "Makefile"


def test_every_file_the_order_names_exists_once():
    named = longest_files_first()
    assert named, "tests/longest_files_first.txt names no file"
    missing = [name for name in named if not (COURSE_ROOT / name).is_file()]
    assert not missing, f"tests/longest_files_first.txt names files that do not exist: {missing}"
    assert len(named) == len(set(named)), "a file is named twice"


def test_pytest_collects_the_longest_files_first_whatever_order_it_is_given():
    given = [
        "tests/onboarding/test_checks.py",  # not listed: after the listed ones
        "tests/stages/test_api_design.py",
        "tests/test_course_notebooks.py",
    ]
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *given],
        cwd=COURSE_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    files = [line.split("::", 1)[0] for line in collected.stdout.splitlines() if "::" in line]
    assert list(dict.fromkeys(files)) == [given[2], given[1], given[0]]


def test_make_test_keeps_the_order_under_xdist():
    # Without it pytest-xdist sorts the files by how many tests each has, undoing the order.
    recipe = MAKEFILE.read_text(encoding="utf-8").split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "--dist loadfile" in recipe and "--no-loadscope-reorder" in recipe, recipe
