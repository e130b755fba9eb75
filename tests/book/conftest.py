"""The built book, shared by every test in tests/book/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.book.building import build_book


@pytest.fixture(scope="session")
def book_html() -> Path:
    """book/_build/html, built (or found up to date) once per test session."""
    return build_book()
