"""The project itself: the package imports, and says the same version as pyproject.toml."""

import tomllib
from pathlib import Path

import booking_service

PROJECT = Path(__file__).resolve().parents[1]


def test_the_package_version_is_the_project_version():
    metadata = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert booking_service.__version__ == metadata["project"]["version"]
