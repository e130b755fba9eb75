"""Exercise 09.1's judgement of a requirements file against the project's lock.

The lock itself comes from `onboarding.artefacts.uv_lock.project_lock()`; every function here
returns plain sentences, one per problem, and an empty list when all is well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from onboarding.artefacts.requirements import Entry, canonical


def listing_problems(entries: Sequence[Entry], lock: Mapping[str, Any]) -> list[str]:
    """Every locked package is listed exactly once, and nothing that is not locked."""
    locked = {canonical(name) for name in lock}
    names = [entry.name for entry in entries]
    problems = []
    missing = sorted(locked - set(names))
    if missing:
        problems.append(
            "missing: "
            + ", ".join(missing)
            + " (pip's hash-checking mode needs every package, the dependencies of your "
            "dependencies too)"
        )
    extra = sorted(set(names) - locked)
    if extra:
        problems.append("not in the lock: " + ", ".join(extra))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append("listed more than once: " + ", ".join(repeated))
    return problems


def pins_exactly(specifier: str, version: str) -> bool:
    """Whether `specifier` is the one `==` pin of `version`, as PEP 440 compares versions.

    `==4.16` is the pin of 4.16.0 (releases are padded with zeros), and `==2026.10.19-post1` of
    2026.10.19.post1: pip installs exactly that release for either. A wildcard (`==4.*`), a
    range or pip's `===` (string equality, not version equality) is not a pin of it.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        (pin,) = SpecifierSet(specifier)
        return pin.operator == "==" and Version(pin.version) == Version(version)
    except (InvalidSpecifier, InvalidVersion, ValueError):
        # ValueError: not exactly one specifier; InvalidVersion: a wildcard such as 4.*.
        return False


def pin_problems(entries: Sequence[Entry], lock: Mapping[str, Any]) -> list[str]:
    """Each requirement is pinned with `==` to exactly its locked version."""
    versions = {canonical(name): package["version"] for name, package in lock.items()}
    problems = []
    for entry in entries:
        locked = versions.get(entry.name)
        if locked is None:
            continue
        if not entry.specifier:
            problems.append(f"{entry.name} is not pinned (write {entry.name}=={locked})")
        elif not pins_exactly(entry.specifier, locked):
            problems.append(f"{entry.name}{entry.specifier} is not the pin =={locked}")
    return problems


HEX_DIGITS = {"sha256": 64, "sha384": 96, "sha512": 128}
"""The algorithms pip's `--hash` accepts (its STRONG_HASHES, names in lower case only), each with
the length of its hex digest. pip compares the digest in any letter case."""


def _hash_problem(name: str, value: str) -> str | None:
    """What is wrong with one `--hash` value as pip reads it (None: a well-formed sha256)."""
    algorithm, _, digest = value.partition(":")
    shown = f"`{value[:23]}…`" if len(value) > 24 else f"`{value}`"
    # The lock's hashes are `sha256:<hex digits>` already, so a prefix added or dropped by hand
    # is the likeliest slip: named as such, rather than as an unknown algorithm.
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return (
            f"{name}: {shown} has no `sha256:` before its hex digits: write `--hash=` then "
            "the hash as the lock has it, `sha256:` included"
        )
    if algorithm in HEX_DIGITS and digest.startswith(f"{algorithm}:"):
        return (
            f"{name}: {shown} has `{algorithm}:` written twice: the lock's hashes start with it "
            "already, so write `--hash=` then the hash as the lock has it"
        )
    if algorithm not in HEX_DIGITS:
        return (
            f"{name}: {shown} is not sha256:<64 hex digits> (pip refuses `--hash` with any "
            "algorithm but sha256, sha384 or sha512, written in lower case)"
        )
    if "#" in digest:
        return (
            f"{name}: {shown} has a `#` in it: a `#` starts a comment only after a space, so pip "
            "reads it as part of the hash"
        )
    if not re.fullmatch(f"[0-9a-f]{{{HEX_DIGITS[algorithm]}}}", digest):
        return f"{name}: {shown} is not {algorithm}:<{HEX_DIGITS[algorithm]} hex digits>"
    if algorithm != "sha256":
        return (
            f"{name}: {shown} is a {algorithm} hash, which pip accepts, but the lock lists the "
            "sha256 hashes of the files: write those, since a hash that cannot be compared with "
            "the lock's could be of any file"
        )
    return None


def hash_problems(entries: Sequence[Entry], lock: Mapping[str, Any]) -> list[str]:
    """Each requirement carries every hash the lock lists for it, and no other."""
    hashes = {canonical(name): set(package["hashes"]) for name, package in lock.items()}
    problems = []
    for entry in entries:
        wanted = hashes.get(entry.name)
        if wanted is None:
            continue
        given = set(entry.hashes)
        if not given:
            problems.append(f"{entry.name} has no --hash")
            continue
        unusable = sorted(
            problem for value in given if (problem := _hash_problem(entry.name, value))
        )
        if unusable:
            problems.append(unusable[0])
        elif given - wanted:
            problems.append(f"{entry.name} has a hash the lock does not list")
        if wanted - given and not unusable:
            problems.append(
                f"{entry.name} has {len(given & wanted)} of its {len(wanted)} hashes (pip needs "
                "the hash of whichever file it downloads, so list them all)"
            )
    return problems


PLATFORMS = (
    {"sys_platform": "linux", "os_name": "posix", "platform_system": "Linux"},
    {"sys_platform": "darwin", "os_name": "posix", "platform_system": "Darwin"},
    {"sys_platform": "win32", "os_name": "nt", "platform_system": "Windows"},
)
"""The platforms the course names, each with the three marker names that say which it is (so
`os_name == "nt"` and `platform_system == "Windows"` mean `sys_platform == "win32"`)."""
MARKER_NAMES_MODELLED = {"python_version", "python_full_version", *PLATFORMS[0]}
"""The marker names that `marker_environments()` gives values to. A marker naming any other
(`platform_machine`, `implementation_name`, `extra`…) is compared as text, which cannot let a
different marker through: the course does not say which machines or interpreters a project
supports, so a meaning there cannot be judged."""
LATE_RELEASE = 99
"""A patch or minor number later than any release: `3.11.99` stands for "the last 3.11"."""
NOT_OPERATORS = {"and", "or", "not", "in"}


def _names_in(marker: str) -> set[str]:
    """The environment marker names a marker uses (its quoted values taken out first)."""
    unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", " ", marker)
    return set(re.findall(r"[a-z_]+", unquoted)) - NOT_OPERATORS


def _python_releases(texts: Sequence[str], requires_python: str | None) -> list[tuple[int, ...]]:
    """Python releases on which every marker of `texts` takes each value it can take.

    A marker compares `python_version` (3.12) and `python_full_version` (3.12.4) with the
    versions written in it, so its value changes only at those versions (and, for
    `python_version`, at the next minor release): sampling each version it names, the release
    just after it, the one just before, and the next minor and major releases meets every value
    it has. The bounds of `requires-python` are sampled too, and then only the releases the
    project supports are kept.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    named = set()
    for text in [*texts, requires_python or ""]:
        for number in re.findall(r"\d+(?:\.\d+)*", text):
            major, minor, patch = (tuple(int(part) for part in number.split("."))[:3] + (0, 0))[:3]
            named.add((major, minor, patch))
    releases = set()
    for major, minor, patch in named:
        if patch:
            before = (major, minor, patch - 1)
        elif minor:
            before = (major, minor - 1, LATE_RELEASE)
        else:
            before = (major - 1, LATE_RELEASE, LATE_RELEASE)
        releases |= {
            (major, minor, patch),
            (major, minor, patch + 1),
            before,
            (major, minor + 1, 0),
            (major + 1, 0, 0),
        }
    try:
        supported = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        supported = SpecifierSet()
    return sorted(r for r in releases if ".".join(map(str, r)) in supported)


def marker_environments(
    markers: Sequence[str], requires_python: str | None
) -> list[dict[str, str]]:
    """Every environment the course supports that tells the markers apart: each Python release
    `_python_releases()` samples, on each platform the course names.

    The simplification: a project runs on CPython, on one of the three platforms, at a Python
    version its `requires-python` allows; what a marker does anywhere else (a PyPy, a BSD, a
    Python the project refuses to install on) is not judged.
    """
    return [
        {
            "python_version": f"{major}.{minor}",
            "python_full_version": f"{major}.{minor}.{patch}",
            **platform,
        }
        for major, minor, patch in _python_releases(markers, requires_python)
        for platform in PLATFORMS
    ]


def same_meaning(first: str | None, second: str | None, requires_python: str | None) -> bool:
    """Whether two markers (None: no marker) select the same supported environments.

    `python_version >= "3.12"` and `python_full_version>='3.12'` are the same marker, and so are
    the operands of an `and` in either order; a marker that holds on every supported environment
    (`python_version >= "3"` in a project that requires Python 3.11) is the same as none.
    """
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    try:
        parsed = [Marker(text) if text else None for text in (first, second)]
    except InvalidMarker:
        return False
    if str(parsed[0]) == str(parsed[1]):
        return True  # the same text, once quotes and spaces are normalised
    written = [str(marker) for marker in parsed if marker is not None]
    if any(_names_in(text) - MARKER_NAMES_MODELLED for text in written):
        return False
    environments = marker_environments(written, requires_python)
    if not environments:
        return False
    try:
        return all(
            len({marker.evaluate(environment) if marker else True for marker in parsed}) == 1
            for environment in environments
        )
    except UndefinedComparison:  # `python_version > "latest"`: not a version to compare
        return False


def marker_problems(
    entries: Sequence[Entry], lock: Mapping[str, Any], requires_python: str | None = None
) -> list[str]:
    """Environment markers are kept where the lock has one, and added nowhere else.

    A marker is judged by what it means for the project (`same_meaning()`), on the Pythons
    `requires_python` (the project's `requires-python`) allows, not by how it is written.
    """
    markers = {canonical(name): package.get("marker") for name, package in lock.items()}
    problems = []
    for entry in entries:
        if entry.name not in markers:
            continue
        wanted = markers[entry.name] or None
        if same_meaning(entry.marker, wanted, requires_python):
            continue
        if wanted and entry.marker is None:
            problems.append(
                f"{entry.name} lost its marker; write `{entry.name}==… ; {wanted}` so that it is "
                "only installed where it is needed"
            )
        elif wanted:
            problems.append(f"{entry.name} has the marker `{entry.marker}`, not `{wanted}`")
        else:
            problems.append(f"{entry.name} has a marker (`{entry.marker}`) that the lock does not")
    return problems
