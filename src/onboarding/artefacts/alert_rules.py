"""A Prometheus rule file (alerting and recording rules), read as Prometheus reads it.

`read(text)` checks what `promtool check rules` checks: the `groups:` structure, the keys each
group and rule may have, unique group names, one of `alert:` or `record:` per rule, durations,
label and metric names, and an `expr:` that parses as PromQL (`onboarding.artefacts.promql`).
It returns the rules with their YAML line numbers, and the problems it found as sentences that
start with that line, so that a check can quote them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from onboarding.artefacts import promql
from onboarding.checks import ArtefactError
from onboarding.protocol import shorten

GROUP_KEYS = ("name", "interval", "query_offset", "limit", "labels", "rules")
ALERT_KEYS = ("alert", "expr", "for", "keep_firing_for", "labels", "annotations")
RECORD_KEYS = ("record", "expr", "labels")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
DURATION = re.compile(r"^(?:0|(?:\d+(?:ms|[smhdwy]))+)$")


@dataclass(frozen=True)
class Rule:
    kind: str
    """alert or record."""
    name: str
    expr: str
    expression: promql.Expression | None
    """The parsed `expr`, or None when it does not parse (the problem is in `RuleFile.problems`)."""
    group: str
    line: int
    for_seconds: float = 0.0
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"line {self.line}"

    def selectors(self) -> list[promql.Selector]:
        """Every selector of the rule's expression (none when it does not parse)."""
        return promql.selectors(self.expression.root) if self.expression else []


@dataclass
class RuleFile:
    rules: list[Rule] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What Prometheus would refuse, one sentence each, starting with the line."""

    @property
    def alerts(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.kind == "alert"]

    @property
    def records(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.kind == "record"]

    def recorded(self) -> dict[str, tuple[promql.Recording, ...]]:
        """The recording rules that parse, by the metric name they record (several rules may
        record one name with different labels), each with the labels it adds."""
        found: dict[str, tuple[promql.Recording, ...]] = {}
        for rule in self.records:
            if rule.expression:
                recording = promql.Recording(rule.expression, rule.labels)
                found[rule.name] = (*found.get(rule.name, ()), recording)
        return found


def read(text: str, name: str = "alerts.yaml") -> RuleFile:
    """The rules of a rule file; ArtefactError if it is not YAML, `problems` for the rest."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise ArtefactError(
            f"{name} is not valid YAML: {where}: {error.problem or error.context}"
        ) from None
    except yaml.YAMLError as error:
        raise ArtefactError(f"{name} is not valid YAML: {error}") from None
    found = RuleFile()
    if root is None:
        found.problems.append(f"{name} is empty; it needs a `groups:` list")
        return found
    _Reader(found).file(root, name)
    return found


def _line(node: Any) -> int:
    return node.start_mark.line + 1


class _Reader:
    def __init__(self, found: RuleFile) -> None:
        self.found = found

    def problem(self, node: Any, text: str) -> None:
        self.found.problems.append(f"line {_line(node)}: {text}")

    def mapping(self, node: Any, what: str) -> dict[str, tuple[Any, Any]] | None:
        """A YAML mapping as {key: (key node, value node)}; None (and a problem) otherwise."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of `key: value` lines")
            return None
        entries: dict[str, tuple[Any, Any]] = {}
        merged: list[tuple[Any, Any]] = []
        for key, value in node.value:
            if key.tag == MERGE_TAG:
                if _merges_mappings(value):
                    merged += _merged_pairs(value)
                else:
                    self.problem(
                        key, f"`<<:` in {what} must merge a mapping, such as `<<: *common`"
                    )
                continue
            text = str(_scalar(key))
            if text in entries:
                self.problem(key, f"`{text}` is given twice in {what}")
            entries[text] = (key, value)
        # A merged mapping (`<<: *common`) gives only the keys the mapping does not give itself.
        for key, value in merged:
            entries.setdefault(str(_scalar(key)), (key, value))
        return entries

    def unknown_keys(self, entries: dict[str, tuple[Any, Any]], allowed: tuple, what: str) -> None:
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                self.problem(
                    key_node,
                    f"{what} has an unknown key `{key}` (allowed: {', '.join(allowed)})",
                )

    def file(self, root: Any, name: str) -> None:
        import yaml

        entries = self.mapping(root, name)
        if entries is None:
            return
        self.unknown_keys(entries, ("groups",), "the file")
        if "groups" not in entries:
            self.problem(root, "there is no `groups:` list at the top of the file")
            return
        groups = entries["groups"][1]
        if not isinstance(groups, yaml.SequenceNode) or not groups.value:
            self.problem(groups, "`groups:` must be a list of groups, each with a name and rules")
            return
        names: dict[str, int] = {}
        for group in groups.value:
            self.group(group, names)

    def group(self, node: Any, names: dict[str, int]) -> None:
        import yaml

        entries = self.mapping(node, "a group")
        if entries is None:
            return
        self.unknown_keys(entries, GROUP_KEYS, "a group")
        name = str(_scalar(entries["name"][1])) if "name" in entries else ""
        if not name.strip():
            self.problem(node, "a group has no `name:`")
        elif name in names:
            self.problem(
                node, f"the group name `{name}` is used twice (first on line {names[name]})"
            )
        else:
            names[name] = _line(node)
        for key in ("interval", "query_offset"):
            if key in entries:
                self.duration(entries[key][1], f"the group's `{key}`")
        rules = entries.get("rules", (None, None))[1]
        if rules is None or not isinstance(rules, yaml.SequenceNode):
            self.problem(node, f"the group `{name}` has no `rules:` list")
            return
        # Prometheus adds a group's `labels:` to each of its rules; a rule's own label wins.
        group_labels = self.names_and_texts(
            entries.get("labels"), f"the labels of the group `{name}`"
        )
        for rule in rules.value:
            self.rule(rule, name, group_labels)

    def rule(self, node: Any, group: str, group_labels: dict[str, str] | None = None) -> None:
        entries = self.mapping(node, "a rule")
        if entries is None:
            return
        kinds = [kind for kind in ("alert", "record") if kind in entries]
        if len(kinds) != 1:
            self.problem(
                node,
                "a rule needs exactly one of `alert:` or `record:`"
                + (" (it has both)" if len(kinds) == 2 else ""),
            )
            return
        kind = kinds[0]
        name = str(_scalar(entries[kind][1]) or "")
        label = f"{kind} `{name}`"
        self.unknown_keys(entries, ALERT_KEYS if kind == "alert" else RECORD_KEYS, label)
        if not name.strip():
            self.problem(node, f"a rule's `{kind}:` name is empty")
        elif kind == "record" and not METRIC_NAME.match(name):
            self.problem(node, f"`{name}` is not a valid metric name for `record:`")
        expression = None
        expr = ""
        if "expr" not in entries:
            self.problem(node, f"{label} has no `expr:`")
        else:
            expr = str(_scalar(entries["expr"][1]) or "")
            try:
                expression = promql.parse(expr)
            except promql.PromQLError as error:
                self.problem(
                    entries["expr"][1], f"the `expr` of {label} is not valid PromQL: {error}"
                )
        for_seconds = 0.0
        if "for" in entries:
            for_seconds = self.duration(entries["for"][1], f"the `for:` of {label}")
        if "keep_firing_for" in entries:
            self.duration(entries["keep_firing_for"][1], f"the `keep_firing_for:` of {label}")
        labels = {
            **(group_labels or {}),
            **self.names_and_texts(entries.get("labels"), f"the labels of {label}"),
        }
        annotations = self.names_and_texts(
            entries.get("annotations"), f"the annotations of {label}"
        )
        self.found.rules.append(
            Rule(kind, name, expr, expression, group, _line(node), for_seconds, labels, annotations)
        )

    def duration(self, node: Any, what: str) -> float:
        text = str(_scalar(node))
        if not DURATION.match(text):
            self.problem(node, f"{what} is `{shorten(text, 30)}`, not a duration such as 5m or 1h")
            return 0.0
        return 0.0 if text == "0" else promql.parse_duration(text)

    def names_and_texts(self, entry: tuple[Any, Any] | None, what: str) -> dict[str, str]:
        if entry is None:
            return {}
        entries = self.mapping(entry[1], what)
        if entries is None:
            return {}
        found = {}
        for key, (key_node, value) in entries.items():
            if not LABEL_NAME.match(key) or key == "__name__":
                self.problem(key_node, f"`{key}` in {what} is not a valid label name")
            found[key] = str(_scalar(value) if _is_scalar(value) else "")
        return found


MERGE_TAG = "tag:yaml.org,2002:merge"
"""The tag of YAML's merge key, `<<: *anchor`, which Prometheus' YAML reader honours."""


def _merges_mappings(node: Any) -> bool:
    """Whether a merge key's value is what YAML can merge: a mapping, or a list of them."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return all(isinstance(item, yaml.MappingNode) for item in node.value)
    return isinstance(node, yaml.MappingNode)


def _merged_pairs(node: Any) -> list[tuple[Any, Any]]:
    """The (key, value) nodes a merge key brings in: one mapping, or a list of them where the
    first to give a key wins; merge keys inside them are followed too."""
    import yaml

    sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
    pairs: list[tuple[Any, Any]] = []
    for source in sources:
        own = [(key, value) for key, value in source.value if key.tag != MERGE_TAG]
        inherited = [
            pair
            for key, value in source.value
            if key.tag == MERGE_TAG and _merges_mappings(value)
            for pair in _merged_pairs(value)
        ]
        pairs += own + inherited
    return pairs


def _is_scalar(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode)


def _scalar(node: Any) -> Any:
    """The value of a scalar node as YAML reads it (`5m` a string, `2` a number)."""
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return ""
    return yaml.constructor.SafeConstructor().construct_object(node)
