"""What `make TARGET` runs, read from a project's Makefile: so that `run: make test` counts as
running the recipe's pytest.

A plain reading, enough for the targets a project's CI calls: rules `target: prerequisites`
with tab-indented recipes, the prerequisites' recipes first, and variables set with `=`, `:=`,
`::=` or `?=` filled in (`$(PYTEST)`, `${PYTEST}`). Conditionals, pattern rules and functions
are not read: a recipe that needs them keeps its text as written.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

NAMES = ("GNUmakefile", "makefile", "Makefile")
"""The files GNU make reads when it is given none, in its order."""
RULE = re.compile(r"^(?P<targets>[^:=#\t][^:=#]*?)\s*::?\s*(?P<prerequisites>[^=]*)$")
ASSIGNMENT = re.compile(
    r"^(?:export\s+|override\s+)?(?P<name>[A-Za-z_][\w.]*)\s*(?P<how>::?|\?|\+)?=\s*(?P<value>.*)$"
)
REFERENCE = re.compile(r"\$[({](?P<name>[A-Za-z_][\w.]*)[)}]")
MAKE_COMMAND = re.compile(r"^(?:\S*/)?g?make$")


def read_makefile(project: Path) -> str | None:
    """The text of the Makefile make would read in the project folder, or None."""
    for name in NAMES:
        path = project / name
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def _rules(text: str) -> tuple[dict[str, tuple[list[str], list[str]]], dict[str, str], str]:
    """{target: (prerequisites, recipe lines)}, the variables, and the first target."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    variables: dict[str, str] = {}
    first, current = "", []
    # A backslash joins a line to the next; in a recipe, make drops the next line's leading tab.
    lines = re.sub(r"\\\n\t?", " ", text).splitlines()
    for line in lines:
        if line.startswith("\t"):
            for target in current:
                rules[target][1].append(line[1:].strip())
            continue
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if match := ASSIGNMENT.match(stripped):
            value = match["value"].strip()
            if match["how"] == "?":  # only when not set before
                variables.setdefault(match["name"], value)
            elif match["how"] == "+":
                variables[match["name"]] = f"{variables.get(match['name'], '')} {value}".strip()
            else:
                variables[match["name"]] = value
            current = []
        elif match := RULE.match(stripped):
            current = [name for name in match["targets"].split() if not name.startswith(".")]
            for target in current:
                rules.setdefault(target, (match["prerequisites"].split(), []))
            first = first or next(iter(current), "")
        else:
            current = []
    return rules, variables, first


def _fill_in(text: str, variables: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        return text
    filled = REFERENCE.sub(lambda m: variables.get(m["name"], m[0]), text)
    return filled if filled == text else _fill_in(filled, variables, depth + 1)


SUB_MAKE_DEPTH = 5
"""How deep `$(MAKE) TARGET` in a recipe is followed: a target that calls itself stops there."""


def recipe(
    text: str, targets: list[str], overrides: dict[str, str] | None = None, depth: int = 0
) -> list[str]:
    """The commands `make TARGET…` runs, prerequisites first; [] for targets it has no rule for.
    `overrides` are the variables set on make's command line (`make PYTEST=pytest test`). A
    recipe's `$(MAKE) TARGET` (or `make TARGET`) on the same Makefile is followed by the commands
    that target runs, as the make it starts would run them."""
    rules, variables, first = _rules(text)
    variables.setdefault("MAKE", "make")  # make's own variable, for calling make from a recipe
    variables.update(overrides or {})
    commands: list[str] = []
    done: set[str] = set()

    def run(target: str) -> None:
        if target in done or target not in rules:
            return
        done.add(target)
        prerequisites, lines = rules[target]
        for prerequisite in prerequisites:
            run(prerequisite)
        for line in lines:
            command = _fill_in(line.lstrip("@+-").strip(), variables)
            commands.append(command)
            inner = make_arguments(command)
            if inner is not None and depth < SUB_MAKE_DEPTH and not _other_makefile(command):
                # The inner make sees the outer's command-line variables, as GNU make passes them.
                commands.extend(
                    recipe(text, inner[0], {**(overrides or {}), **inner[1]}, depth + 1)
                )

    for target in targets or [first]:
        run(target)
    return [command for command in commands if command]


def make_arguments(command: str) -> tuple[list[str], dict[str, str]] | None:
    """The targets and variables of a `make` command (`make -C . PYTEST=pytest test lint`), or
    None for another command."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or not MAKE_COMMAND.match(words[0]):
        return None
    targets, variables, rest = [], {}, words[1:]
    while rest:
        word = rest.pop(0)
        if word in ("-C", "-f", "--directory", "--file", "-j", "-I"):
            rest = rest[1:]
        elif match := ASSIGNMENT.match(word):
            variables[match["name"]] = match["value"]
        elif not word.startswith("-"):
            targets.append(word)
    return targets, variables


def _other_makefile(command: str) -> bool:
    """Whether a make command reads another Makefile (`-f other.mk`, `-C folder`)."""
    words = command.split()
    return any(
        word in ("-C", "-f", "--directory", "--file")
        or word.startswith(("--directory=", "--file=", "--makefile="))
        or (word[:2] in ("-C", "-f") and len(word) > 2)
        for word in words[1:]
    ) and not re.search(r"(?:^|\s)-C\s*\.(?:\s|$)", command)


def expand(script: str, project: Path | None) -> str:
    """The script with each `make TARGET` followed by the commands its recipe runs."""
    text = read_makefile(project) if project is not None else None
    if text is None:
        return script
    lines = []
    for line in script.splitlines():
        lines.append(line)
        for part in re.split(r"&&|\|\||;", line):
            arguments = make_arguments(part.strip())
            if arguments is not None:
                lines += recipe(text, *arguments)
    return "\n".join(lines)
