"""The cohort file: who the learners and instructors of a workshop are.

A YAML file the instructor writes before the day (see `workshop/cohort.example.yaml`):

    workshop: Backend onboarding, March 2026
    starts_at: 2026-03-02T09:00:00+01:00   # optional: the dashboard's pace is measured from it
    stages: ["00", "01", "02"]              # optional: the stages this session covers
    instructors: [grace]
    learners: [ada, alan, barbara]

Every name becomes a JupyterHub user *and* a Unix user on the hub's machine, so names follow the
portable Unix rule (lower case, at most 32 characters) rather than whatever JupyterHub would
accept. A mistake is reported with its line in the file, and every mistake is listed at once, so
an instructor fixes the file in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
KNOWN_KEYS = ("workshop", "starts_at", "stages", "instructors", "learners")
STAGE = re.compile(r"^\d\d$")


class CohortError(ValueError):
    """The cohort file cannot be used; `problems` lists every reason, each with its line."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        super().__init__(
            f"{self.path} is not a usable cohort file:\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class Cohort:
    title: str
    instructors: tuple[str, ...]
    learners: tuple[str, ...]
    starts_at: datetime | None = None
    stages: tuple[str, ...] = field(default_factory=tuple)
    """The stages the session covers, in order; empty means the whole course."""

    @property
    def members(self) -> tuple[str, ...]:
        return self.instructors + self.learners

    def role_of(self, name: str) -> str | None:
        if name in self.instructors:
            return "instructor"
        if name in self.learners:
            return "learner"
        return None


def load(path: Path | str) -> Cohort:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CohortError(path, ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CohortError(path, [f"the file cannot be read: {error}"]) from None
    return parse(text, path)


def parse(text: str, path: Path | str = "<cohort>") -> Cohort:
    """Read a cohort from YAML text; raise CohortError listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CohortError(path, [f"{where}not valid YAML ({problem})"]) from None
    if not isinstance(root, yaml.MappingNode):
        raise CohortError(
            path, ["the file must be a mapping with `instructors:` and `learners:` lists"]
        )
    problems: list[str] = []
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in KNOWN_KEYS:
            problems.append(
                f"line {_line(key_node)}: unknown key `{key}` (the keys are {', '.join(KNOWN_KEYS)})"
            )
        elif key in fields:
            problems.append(f"line {_line(key_node)}: `{key}` is given twice")
        else:
            fields[key] = value_node

    seen: dict[str, tuple[str, int]] = {}
    lists: dict[str, list[str]] = {}
    for role in ("instructors", "learners"):
        lists[role] = _names(fields.get(role), role, seen, problems)
        if role not in fields:
            problems.append(f"`{role}:` is missing: list at least one name")
        elif _is_empty(fields[role]):
            problems.append(f"line {_line(fields[role])}: `{role}:` lists nobody")

    starts_at = _starts_at(fields.get("starts_at"), problems)
    stages = _stages(fields.get("stages"), problems)
    title_node = fields.get("workshop")
    title = str(title_node.value) if isinstance(title_node, yaml.ScalarNode) else "Workshop"
    if problems:
        raise CohortError(path, problems)
    return Cohort(
        title=title.strip() or "Workshop",
        instructors=tuple(lists["instructors"]),
        learners=tuple(lists["learners"]),
        starts_at=starts_at,
        stages=stages,
    )


def _is_empty(node: yaml.Node) -> bool:
    if isinstance(node, yaml.SequenceNode):
        return not node.value
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith("null")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _names(
    node: yaml.Node | None, role: str, seen: dict[str, tuple[str, int]], problems: list[str]
) -> list[str]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith("null")):
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(f"line {_line(node)}: `{role}:` must be a list of user names")
        return []
    names = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            problems.append(f"line {_line(item)}: each entry of `{role}:` must be a user name")
            continue
        name = str(item.value)
        line = _line(item)
        if not NAME.match(name):
            problems.append(f"line {line}: {_name_problem(name)}")
            continue
        if name in seen:
            first_role, first_line = seen[name]
            where = "" if first_role == role else f" (under `{first_role}:`)"
            problems.append(
                f"line {line}: `{name}` is listed twice: already on line {first_line}{where}; "
                "a person is either a learner or an instructor, once"
            )
            continue
        seen[name] = (role, line)
        names.append(name)
    return names


def _name_problem(name: str) -> str:
    if name.lower() != name and NAME.match(name.lower()):
        return (
            f"`{name}` has capital letters; user names are lower case (`{name.lower()}`), "
            "because each becomes a Unix user"
        )
    if len(name) > 32:
        return f"`{name}` is {len(name)} characters long; a Unix user name has at most 32"
    return (
        f"`{name}` is not a valid user name: use lower-case letters, digits, `-` and `_`, "
        "starting with a letter"
    )


def _starts_at(node: yaml.Node | None, problems: list[str]) -> datetime | None:
    if node is None or node.tag.endswith("null"):
        return None
    text = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        problems.append(
            f"line {_line(node)}: `starts_at: {text}` is not a date and time; "
            "write it like 2026-03-02T09:00:00+01:00"
        )
        return None
    if value.tzinfo is None:
        problems.append(
            f"line {_line(node)}: `starts_at: {text}` has no UTC offset; add one, "
            "e.g. +01:00, so the hub and every browser agree on when the session starts"
        )
        return None
    return value


def _stages(node: yaml.Node | None, problems: list[str]) -> tuple[str, ...]:
    if node is None or node.tag.endswith("null"):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problems.append(f'line {_line(node)}: `stages:` must be a list such as ["00", "01"]')
        return ()
    stages = []
    for item in node.value:
        text = str(getattr(item, "value", ""))
        if not isinstance(item, yaml.ScalarNode) or not STAGE.match(text.zfill(2)):
            problems.append(f'line {_line(item)}: `{text}` is not a stage number such as "03"')
            continue
        stages.append(text.zfill(2))
    return tuple(stages)
