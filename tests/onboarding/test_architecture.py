"""The toolkit's three floors: the CLI on top, the stage packages, the toolkit underneath.

An import may run down or sideways, never up, and no two modules may import each other, even
through others: such a cycle is how a change in one place breaks a module far away.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "onboarding"
TOP_FLOOR = ("onboarding.cli", "onboarding.bench")
STAGE_FLOOR = "onboarding.stages"
LEAVES = (
    "onboarding.protocol",
    "onboarding.paths",
    "onboarding.uri_grammar",
    "onboarding.pytest_bytecode",
    "onboarding.timing",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every onboarding module this file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("onboarding")}


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {
    name: {i for i in imports_of(path) if i in MODULES and i != name}
    for name, path in MODULES.items()
}


def floor(name: str) -> int:
    if name.startswith(TOP_FLOOR):
        return 3
    if name.startswith(STAGE_FLOOR):
        return 2
    return 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_runs_up_a_floor(name):
    upward = sorted(target for target in GRAPH[name] if floor(target) > floor(name))
    assert not upward, f"{name} (floor {floor(name)}) imports from a floor above: {upward}"


@pytest.mark.parametrize("name", LEAVES)
def test_leaf_modules_import_nothing_of_the_course(name):
    assert GRAPH[name] == set()


def test_no_import_cycle():
    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, trail = stack.pop()
            for target in sorted(GRAPH[node]):
                if target == start:
                    return [*trail, start]
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
        return None

    # A package's __init__ re-exporting its own submodules is not a cycle worth reporting.
    cycles = []
    for name in sorted(MODULES):
        cycle = cycle_from(name)
        if cycle and not all(step.startswith(name) or name.startswith(step) for step in cycle):
            cycles.append(" → ".join(cycle))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
