"""The course's `uv.lock`, read as a resolver's answer for the learner's project.

The course's environment already holds every package the learner's project uses, at the versions
its `uv.lock` pins, so a lock for the project can be made offline from it. `project_lock()`
resolves what the project's `pyproject.toml` names (and pytest, which CI needs to run the tests)
through the dependency graph that uv.lock records, into the shape a lock file is read into:
`{name: {"version": …, "hashes": [...], "marker": …}}`. Stage 09 judges the learner's lock file
against it; stage 06 uses the same closure (`project_packages()`, which skips the files' hashes) to
load only the pytest plugins the project has.

Simplifications, said in the lesson too: where uv.lock holds several versions of one package (one
per range of Python versions), the one for this machine's Python is chosen; a marker is kept on
an entry that the graph reaches only under that marker.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from onboarding import paths
from onboarding.artefacts.requirements import canonical

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

TEST_RUNNER = "pytest"
"""CI runs the project's tests, so the lock holds the test runner with the service's packages."""
MARKER_VARIANTS = 8
"""How many different markers one package may collect before it is simply always installed."""


FILE_ENTRIES = re.compile(
    r"^(?:(?P<sdist>sdist) = \{.*\}\n|wheels = \[\n(?:    \{.*\},?\n)*\]\n)", re.MULTILINE
)
"""A package's `sdist = {…}` line or `wheels = [...]` block in uv.lock: nine tenths of its text."""

Packages = dict[str, list[dict[str, Any]]]


def _by_name(text: str) -> Packages:
    packages: Packages = {}
    for package in tomllib.loads(text)["package"]:
        packages.setdefault(canonical(package["name"]), []).append(package)
    return packages


@functools.lru_cache(maxsize=1)
def _course_lock() -> Packages:
    return _by_name((paths.course_root() / "uv.lock").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def course_graph() -> Packages:
    """The course's lock with every file entry emptied (`sdist = {}`, `wheels = []`).

    What depends on what is all `project_packages()` needs; without the files' URLs and hashes
    the lock parses some twenty times faster, and a check that only needs names does not wait.
    """
    text = (paths.course_root() / "uv.lock").read_text(encoding="utf-8")
    return _by_name(
        FILE_ENTRIES.sub(lambda m: "sdist = {}\n" if m["sdist"] else "wheels = []\n", text)
    )


def _holds_here(markers: Sequence[str]) -> bool:
    from packaging.markers import Marker

    return any(Marker(marker).evaluate() for marker in markers)


def _choose(packages: Packages, name: str, version: str | None) -> dict[str, Any] | None:
    candidates = packages.get(name, [])
    if version is not None:
        candidates = [c for c in candidates if c["version"] == version] or candidates
    if len(candidates) > 1:
        here = [c for c in candidates if _holds_here(c.get("resolution-markers", []))]
        candidates = here or candidates
    return candidates[0] if candidates else None


def _hashes(package: Mapping[str, Any]) -> list[str]:
    files = [package["sdist"]] if "sdist" in package else []
    return [file["hash"] for file in [*files, *package.get("wheels", [])] if "hash" in file]


def _both(first: str | None, second: str | None) -> str | None:
    if first is None or second is None:
        return first or second
    return f"({first}) and ({second})"


def project_requirements(pyproject_text: str) -> list[str]:
    """What the project names: its dependencies, optional ones and groups (uv's older
    `[tool.uv] dev-dependencies` too), and the test runner."""
    data = tomllib.loads(pyproject_text)
    project = data.get("project", {})
    wanted = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        wanted += group
    for group in data.get("dependency-groups", {}).values():
        # An `{include-group = …}` item names another group, which this loop reads anyway.
        wanted += [item for item in group if isinstance(item, str)]
    # uv's table for development packages from before PEP 735's groups: uv still locks it, as
    # the group `dev`.
    wanted += data.get("tool", {}).get("uv", {}).get("dev-dependencies", [])
    names = set()
    for requirement in wanted:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            names.add(canonical(match[1]))
    if TEST_RUNNER not in names:
        wanted.append(TEST_RUNNER)
    return wanted


def requires_python(pyproject_text: str) -> str | None:
    """The Python versions the project supports, as its `requires-python` says (None: unsaid)."""
    value = tomllib.loads(pyproject_text).get("project", {}).get("requires-python")
    return value if isinstance(value, str) else None


def project_lock(pyproject_text: str) -> dict[str, dict[str, Any]]:
    """Every package the project needs, with its locked version, file hashes and marker."""
    chosen, markers = _closure(pyproject_text, _course_lock())
    lock = {}
    for name in sorted(chosen):
        package = chosen[name]
        hashes = _hashes(package)
        if not hashes:
            continue  # installed from a folder, not a registry: nothing to pin
        entry: dict[str, Any] = {"version": package["version"], "hashes": hashes}
        if None not in markers[name]:
            entry["marker"] = " or ".join(sorted(f"({m})" for m in markers[name] if m))
            if len(markers[name]) == 1:
                entry["marker"] = next(iter(markers[name]))
        lock[name] = entry
    return lock


def project_packages(pyproject_text: str) -> set[str]:
    """The names of the packages `project_lock()` gives, read from the lock without its files."""
    chosen, _ = _closure(pyproject_text, course_graph())
    return {name for name, package in chosen.items() if "sdist" in package or "wheels" in package}


def _closure(
    pyproject_text: str, packages: Packages
) -> tuple[dict[str, dict[str, Any]], dict[str, set[str | None]]]:
    """The packages the project reaches through the lock's graph, with the markers on the way."""
    from packaging.requirements import Requirement

    markers: dict[str, set[str | None]] = {}
    chosen: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, str | None, frozenset[str], str | None]] = []
    for text in project_requirements(pyproject_text):
        requirement = Requirement(text)
        marker = str(requirement.marker) if requirement.marker else None
        todo.append((canonical(requirement.name), None, frozenset(requirement.extras), marker))
    seen: set[tuple[str, frozenset[str], str | None]] = set()
    while todo:
        name, version, extras, marker = todo.pop()
        known = markers.setdefault(name, set())
        if None in known or (name, extras, marker) in seen:
            continue
        if len(known) >= MARKER_VARIANTS:
            marker = None
        seen.add((name, extras, marker))
        known.add(marker)
        package = chosen.get(name) or _choose(packages, name, version)
        if package is None:
            continue
        chosen[name] = package
        edges = list(package.get("dependencies", []))
        for extra in extras:
            edges += package.get("optional-dependencies", {}).get(extra, [])
        for edge in edges:
            todo.append(
                (
                    canonical(edge["name"]),
                    edge.get("version"),
                    frozenset(edge.get("extra", [])),
                    _both(marker, edge.get("marker")),
                )
            )
    return chosen, markers
