"""environment.yml (conda, Binder) must ask for exactly what pyproject.toml asks for."""

from __future__ import annotations

import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests.conftest import COURSE_ROOT


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [
        requirement for extra in project["optional-dependencies"].values() for requirement in extra
    ]
    return {Requirement(text).name: Requirement(text) for text in listed}


def environment_requirements() -> dict[str, Requirement]:
    environment = yaml.safe_load((COURSE_ROOT / "environment.yml").read_text())
    pip_section = next(
        item["pip"] for item in environment["dependencies"] if isinstance(item, dict)
    )
    return {
        Requirement(text).name: Requirement(text)
        for text in pip_section
        if not text.startswith("--")
    }


def test_same_packages_in_both():
    assert sorted(environment_requirements()) == sorted(pyproject_requirements())


def test_same_version_ranges_and_markers_in_both():
    environment = environment_requirements()
    for name, requirement in pyproject_requirements().items():
        assert str(environment[name]) == str(requirement), name


def test_python_versions_agree():
    project = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((COURSE_ROOT / "environment.yml").read_text())
    conda_python = next(
        item
        for item in environment["dependencies"]
        if isinstance(item, str) and item.startswith("python")
    )
    # Binder builds one Python; its lowest allowed version must be one pyproject.toml accepts.
    lowest = conda_python.removeprefix("python>=")
    assert SpecifierSet(project["requires-python"]).contains(lowest), conda_python


def test_environment_installs_the_course_package_itself():
    environment = yaml.safe_load((COURSE_ROOT / "environment.yml").read_text())
    pip_section = next(
        item["pip"] for item in environment["dependencies"] if isinstance(item, dict)
    )
    assert "--editable ." in pip_section


def test_the_environment_leaves_out_the_slow_iri_grammar():
    """rfc3987-syntax costs every process that imports nbformat 1.5 s (pyproject.toml says why)."""
    import importlib.util

    pyproject = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())
    assert "rfc3987-syntax" in pyproject["tool"]["uv"]["exclude-dependencies"]
    locked = tomllib.loads((COURSE_ROOT / "uv.lock").read_text())["package"]
    assert "rfc3987-syntax" not in {package["name"] for package in locked}
    assert importlib.util.find_spec("rfc3987_syntax") is None
