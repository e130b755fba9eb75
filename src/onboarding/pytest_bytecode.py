"""Write, once at set-up, the bytecode pytest makes of its plugins' packages.

pytest rewrites the `assert` statements of more than test files: every module of every installed
distribution that provides a pytest plugin (hypothesis, schemathesis, anyio, xdist, nbval…) is
rewritten as it is imported, whenever plugins are autoloaded. It keeps the result beside the
ordinary bytecode, as `<module>.cpython-3XX-pytest-<version>.pyc`, and reads it back at the next
start. Where PYTHONDONTWRITEBYTECODE is set, as CI runners and container images commonly do, that
file is never written, so every `pytest` start rewrites and compiles the same 370 modules again:
3.5 s of the 6 s it takes to collect a learner's project.

`make setup` compiles the ordinary bytecode once (`uv sync --compile-bytecode`) for the same
reason; it then runs this module, which imports every module of those distributions through
pytest's own import hook with writing allowed. The files are exactly the ones pytest would have
written, and it checks them as it always does: a changed source file is rewritten again.

Each distribution is imported in a child process of its own: importing every module of a package
has side effects (Locust patches the standard library for gevent), and a module that cannot be
imported here (an optional dependency that is not installed) is skipped, as pytest would never
import it either.

    python -m onboarding.pytest_bytecode            # every plugin distribution
    python -m onboarding.pytest_bytecode hypothesis # one distribution, in this process
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

PLUGIN_GROUP = "pytest11"
"""The entry-point group through which a distribution provides pytest plugins."""
SECONDS_PER_DISTRIBUTION = 300


def plugin_distributions() -> list[importlib.metadata.Distribution]:
    """The installed distributions that provide a pytest plugin, by name, each once."""
    found: dict[str, importlib.metadata.Distribution] = {}
    for distribution in importlib.metadata.distributions():
        if any(point.group == PLUGIN_GROUP for point in distribution.entry_points):
            found.setdefault(distribution.metadata["Name"].lower(), distribution)
    return [found[name] for name in sorted(found)]


def module_names(distribution: importlib.metadata.Distribution) -> list[str]:
    """Every importable module the distribution installed, packages before their modules."""
    names = set()
    for file in distribution.files or ():
        path = PurePosixPath(str(file))
        if path.suffix != ".py" or path.parts[0] in ("..", "/"):
            continue
        parts = path.with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(part.isidentifier() for part in parts) and parts != ("setup",):
            names.add(".".join(parts))
    return sorted(names, key=lambda name: name.split("."))


class _ImportEverything:
    """A pytest plugin that imports modules once pytest's rewriting hook is in place."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = names
        self.imported = 0

    def pytest_sessionstart(self) -> None:
        for name in self.names:
            # Anything may go wrong in a module nobody asked for: a missing optional
            # dependency, a platform check. Such a module is one pytest never imports either.
            with contextlib.suppress(BaseException):
                importlib.import_module(name)
                self.imported += 1


def write_one(distribution_name: str) -> int:
    """Import every module of one distribution under pytest's hook; how many imported."""
    distribution = importlib.metadata.distribution(distribution_name)
    importer = _ImportEverything(module_names(distribution))
    # pytest marks the plugin distributions' packages for rewriting only when it may autoload
    # plugins; blocking every plugin by name keeps the marking but loads none of them.
    blocked = [
        argument for point in _plugin_entry_points() for argument in ("-p", f"no:{point.name}")
    ]
    sys.dont_write_bytecode = False
    os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    with tempfile.TemporaryDirectory(prefix="pytest-bytecode-") as empty:
        import pytest

        pytest.main(
            ["-q", "--collect-only", "--rootdir", empty, "-p", "no:cacheprovider", *blocked, empty],
            plugins=[importer],
        )
    return importer.imported


def _plugin_entry_points() -> Iterator[importlib.metadata.EntryPoint]:
    for distribution in plugin_distributions():
        yield from (point for point in distribution.entry_points if point.group == PLUGIN_GROUP)


def write_all(names: Sequence[str] | None = None, progress=print) -> bool:
    """Each distribution (default: every plugin one) in a child process of its own.

    False if a child failed or took too long; the others are written all the same.
    """
    if names is None:
        names = [distribution.metadata["Name"] for distribution in plugin_distributions()]
    all_written = True
    started = time.perf_counter()
    for name in names:
        try:
            child = subprocess.run(
                [sys.executable, "-m", "onboarding.pytest_bytecode", name],
                capture_output=True,
                text=True,
                timeout=SECONDS_PER_DISTRIBUTION,
            )
        except subprocess.TimeoutExpired:
            progress(
                f"  {name}: stopped after {SECONDS_PER_DISTRIBUTION} s; pytest will rewrite it"
            )
            all_written = False
            continue
        if child.returncode != 0:
            last = (child.stderr.strip().splitlines() or ["no message"])[-1]
            progress(f"  {name}: failed ({last}); pytest will rewrite it at each start")
            all_written = False
    progress(
        f"pytest's bytecode for its plugins' packages written in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return all_written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m onboarding.pytest_bytecode",
        description="Write pytest's assertion-rewritten bytecode for every module of the "
        "installed pytest plugins' distributions, so no pytest start rewrites them again "
        "(needed where PYTHONDONTWRITEBYTECODE is set).",
    )
    parser.add_argument(
        "distribution",
        nargs="?",
        help="one distribution, imported in this process (default: every plugin "
        "distribution, each in a child process)",
    )
    arguments = parser.parse_args(argv)
    if arguments.distribution is None:
        # A failure costs speed, never correctness: pytest rewrites what it finds unwritten.
        write_all()
        return 0
    try:
        importlib.metadata.distribution(arguments.distribution)
    except importlib.metadata.PackageNotFoundError:
        parser.error(f"no distribution called {arguments.distribution!r} is installed")
    imported = write_one(arguments.distribution)
    print(f"{arguments.distribution}: {imported} modules imported under pytest's hook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
