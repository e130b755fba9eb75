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
        malformed = sorted(h for h in given if not re.fullmatch(r"sha256:[0-9a-f]{64}", h))
        if malformed:
            problems.append(
                f"{entry.name}: `{malformed[0][:23]}…` is not sha256:<64 hex digits>"
                if len(malformed[0]) > 24
                else f"{entry.name}: `{malformed[0]}` is not sha256:<64 hex digits>"
            )
        elif given - wanted:
            problems.append(f"{entry.name} has a hash the lock does not list")
        if wanted - given and not malformed:
            problems.append(
                f"{entry.name} has {len(given & wanted)} of its {len(wanted)} hashes (pip needs "
                "the hash of whichever file it downloads, so list them all)"
            )
    return problems


def marker_problems(entries: Sequence[Entry], lock: Mapping[str, Any]) -> list[str]:
    """Environment markers are kept where the lock has one, and added nowhere else."""
    from packaging.markers import InvalidMarker, Marker

    markers = {canonical(name): package.get("marker") for name, package in lock.items()}
    problems = []
    for entry in entries:
        if entry.name not in markers:
            continue
        wanted = markers[entry.name]
        try:
            same = (
                wanted is not None
                and entry.marker is not None
                and (Marker(entry.marker) == Marker(wanted))
            )
        except InvalidMarker:
            same = False
        if wanted and entry.marker is None:
            problems.append(
                f"{entry.name} lost its marker; write `{entry.name}==… ; {wanted}` so that it is "
                "only installed where it is needed"
            )
        elif wanted and not same:
            problems.append(f"{entry.name} has the marker `{entry.marker}`, not `{wanted}`")
        elif not wanted and entry.marker:
            problems.append(f"{entry.name} has a marker (`{entry.marker}`) that the lock does not")
    return problems
