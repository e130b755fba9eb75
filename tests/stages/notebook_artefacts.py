"""Helpers for stage tests: read the files a notebook's `%%writefile` cells write, edit them."""

from __future__ import annotations

import re

import pytest

from onboarding import notebooks
from tests.conftest import COURSE_ROOT


def artefact(notebook: str, folder: str, first_line: str) -> str:
    """The text a `%%writefile` cell writes: the model (solutions/) or the stub (exercises/)."""
    for cell in notebooks.read(COURSE_ROOT / folder / notebook)["cells"]:
        source = notebooks.source_of(cell)
        if source.startswith(first_line):
            body = source.split("\n", 1)[1]
            body = re.sub(r"### BEGIN STUB\n.*?### END STUB\n?", "", body, flags=re.DOTALL)
            return re.sub(r"^### (BEGIN|END) SOLUTION\n", "", body, flags=re.MULTILINE)
    raise AssertionError(f"no cell starting with {first_line!r} in {folder}/{notebook}")


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """The text with each (old, new) replaced once; fails if the model no longer has `old`."""
    for old, new in replacements:
        assert old in text, f"the model no longer contains {old!r}"
        text = text.replace(old, new, 1)
    return text


@pytest.fixture(autouse=True)
def no_workspace(tmp_path, monkeypatch):
    """Check runs in these tests must not record progress in anybody's workspace."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ONBOARD_RECORD_TO", raising=False)
