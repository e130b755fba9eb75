"""Stage 06's checks: a CI workflow for the booking service, and the next release version.

Every `*_problems` function returns a list of plain sentences, one per problem, each saying where
the problem is (a line of ci.yml) and what to write there; an empty list means all is well.
Nothing here prints or raises on a learner's mistake, so every message can be unit-tested. A
check cell turns a list into one ✅ or ❌ line with `require()`.

The workflow checks do not match text: they read the workflow as GitHub would, then *simulate*
which jobs run for three events (a pull request, a push to main, a pushed tag `v1.2.0`). So a
condition written as `github.ref_type == 'tag'` counts as much as
`startsWith(github.ref, 'refs/tags/v')`. `simulate()` is also what the lesson uses to show the
template's pipeline.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from onboarding.checks import SHOWN_PROBLEMS, ArtefactError, load_yaml, require  # noqa: F401 - notebooks and tests call it through this module


def shorten(text: str, width: int = 60) -> str:
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


# --- Reading a workflow ---------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


class _WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads it (YAML 1.2): `on`, `yes` and `no` are strings, not booleans."""


_WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class Workflow:
    """A parsed workflow, with the line of every key so that messages can say where to look."""

    data: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)
    path: Path | None = None
    """The file it was read from, if any (the schema check runs check-jsonschema on it)."""

    def line(self, *path: str | int) -> int:
        """The line of `path`, or of its nearest parent that has one (1 for the file)."""
        key = tuple(path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1)

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        jobs = self.data.get("jobs")
        if not isinstance(jobs, dict):
            return {}
        return {str(job_id): job for job_id, job in jobs.items() if isinstance(job, dict)}

    @property
    def triggers(self) -> dict[str, Any]:
        """`on:` as a mapping of event name to its filters (None when it has none)."""
        on = self.data.get("on")
        if isinstance(on, str):
            return {on: None}
        if isinstance(on, list):
            return {str(event): None for event in on}
        if isinstance(on, dict):
            return {str(event): filters for event, filters in on.items()}
        return {}


def parse_workflow(text: str) -> Workflow:
    """Parse workflow text; yaml.YAMLError propagates (read_workflow turns it into a message)."""
    data = yaml.load(text, Loader=_WorkflowLoader)  # noqa: S506 - a SafeLoader subclass
    lines: dict[Path_, int] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
                walk(item, (*path, index))

    root = yaml.compose(text, Loader=_WorkflowLoader)  # noqa: S506
    if root is not None:
        walk(root, ())
    return Workflow(data if isinstance(data, dict) else {}, lines)


def read_workflow(path: str | Path) -> Workflow:
    """Read a workflow file: ArtefactError (with line and column) unless it is YAML with jobs."""
    document = load_yaml(path)
    name = Path(path).name
    if not isinstance(document, dict):
        kind = "nothing" if document is None else type(document).__name__
        raise ArtefactError(f"{name} holds {kind}, not a workflow with `on:` and `jobs:`")
    workflow = parse_workflow(Path(path).read_text(encoding="utf-8"))
    workflow.path = Path(path)
    missing = [key for key in ("on", "jobs") if key not in workflow.data]
    if missing:
        raise ArtefactError(f"{name} has no top-level {' or '.join(f'`{k}:`' for k in missing)}")
    return workflow


# --- GitHub's workflow schema, through check-jsonschema --------------------------------------------


def check_jsonschema_command() -> list[str] | None:
    """How to run check-jsonschema from this environment, or None if it is not installed."""
    executable = Path(sys.executable).parent / "check-jsonschema"
    if executable.exists():
        return [str(executable)]
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "check_jsonschema"]


JSON_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[['\"]([^'\"]+)['\"]\]")


def json_path_parts(json_path: str) -> Path_:
    """`$.jobs.unit.steps[1]` -> ('jobs', 'unit', 'steps', 1)."""
    parts: list[str | int] = []
    for match in JSON_PATH_PART.finditer(json_path.removeprefix("$")):
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
    return tuple(parts)


def describe_path(parts: Path_) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the file"


def plain_schema_message(message: str, parts: Path_) -> str:
    """One of jsonschema's messages, in plain words."""
    if (
        len(parts) >= 2
        and parts[-2] == "steps"
        and isinstance(parts[-1], int)
        and re.fullmatch(r"'(uses|run)' is a required property", message)
    ):
        return "a step needs either `uses:` (an action) or `run:` (a command), and not both"
    if match := re.fullmatch(r"'(.+)' is a required property", message):
        return f"`{match[1]}` is missing"
    if match := re.fullmatch(
        r"Additional properties are not allowed \((.+) (?:was|were) unexpected\)", message
    ):
        keys = ", ".join(f"`{key.strip(chr(39))}`" for key in match[1].split(", "))
        return f"unknown key {keys}: check its spelling and indentation"
    if match := re.fullmatch(r"(.+) is not of type (.+)", message):
        kinds = {"'object'": "a mapping", "'array'": "a list", "'string'": "text"}
        wanted = " or ".join(kinds.get(k.strip(), k.strip()) for k in match[2].split(", "))
        return f"{shorten(match[1], 40)} should be {wanted}"
    if match := re.fullmatch(r"(.+) should be non-empty", message):
        return "is empty: it needs at least one entry"
    return shorten(message, 120)


def schema_problems(workflow: Workflow) -> list[str]:
    """What GitHub's published workflow schema finds wrong with the file, in plain words."""
    command = check_jsonschema_command()
    if command is None:
        return [
            "check-jsonschema is not installed in this environment, so the schema cannot be "
            "checked: run `make setup` (it installs every extra) and try again"
        ]
    if workflow.path is None:
        raise ValueError("schema_problems needs a workflow read from a file")
    path = workflow.path
    run = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-workflows", "-o", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return [f"check-jsonschema did not run: {shorten(run.stderr or run.stdout, 120)}"]
    problems = []
    for error in report.get("errors", []):
        best = error.get("best_deep_match") or error.get("best_match") or error
        parts = json_path_parts(best.get("path", "$"))
        message = plain_schema_message(best.get("message", ""), parts)
        problems.append(f"line {workflow.line(*parts)} ({describe_path(parts)}): {message}")
    for error in report.get("parse_errors", []):
        problems.append(f"the file could not be read: {shorten(error.get('message', ''), 100)}")
    return problems


def needs_of(job: Mapping[str, Any]) -> list[str]:
    value = job.get("needs", [])
    if isinstance(value, str):
        return [value]
    return [str(name) for name in value] if isinstance(value, list) else []


def needs_problems(workflow: Workflow) -> list[str]:
    """`needs:` naming a job that does not exist, or jobs that wait for each other in a circle."""
    jobs = workflow.jobs
    problems = [
        f"line {workflow.line('jobs', job_id, 'needs')}: job `{job_id}` needs `{name}`, "
        f"but there is no job `{name}` (jobs: {', '.join(jobs)})"
        for job_id, job in jobs.items()
        for name in needs_of(job)
        if name not in jobs
    ]
    for job_id in jobs:
        if job_id in ancestors(workflow, job_id):
            problems.append(
                f"line {workflow.line('jobs', job_id, 'needs')}: job `{job_id}` ends up needing "
                "itself through `needs:`, so it can never start"
            )
    return problems


def ancestors(workflow: Workflow, job_id: str) -> set[str]:
    """Every job that `job_id` waits for, directly or through other jobs."""
    jobs, seen, todo = workflow.jobs, set(), list(needs_of(workflow.jobs.get(job_id, {})))
    while todo:
        name = todo.pop()
        if name in seen or name not in jobs:
            continue
        seen.add(name)
        todo.extend(needs_of(jobs[name]))
    return seen


# --- GitHub expressions, enough of them to decide which jobs run ----------------------------------


class ExpressionError(ValueError):
    """An `if:` condition this small evaluator cannot read."""


TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_*][A-Za-z0-9_\-]*)*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read `{text[position : position + 20]}`")
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


def _loose_equal(left: Any, right: Any) -> bool:
    # GitHub compares strings without regard to case.
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return left == right


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "startswith": lambda text, prefix: str(text).lower().startswith(str(prefix).lower()),
    "endswith": lambda text, suffix: str(text).lower().endswith(str(suffix).lower()),
    "contains": lambda haystack, needle: (
        any(_loose_equal(item, needle) for item in haystack)
        if isinstance(haystack, list)
        else str(needle).lower() in str(haystack).lower()
    ),
    "format": lambda text, *values: re.sub(
        r"\{(\d+)\}", lambda m: str(values[int(m[1])]), str(text)
    ),
}
ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
# Status functions: the simulation only runs a job when everything it needs succeeded.
STATUS = {"success": True, "always": True, "failure": False, "cancelled": False}


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError("the condition ends too early")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected `{expected}`, found `{token[1]}`")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected `{self.peek()}`")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value or right
        return value

    def and_(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            value = value and right
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()[1]
            right = self.unary()
            if operator == "==":
                value = _loose_equal(value, right)
            elif operator == "!=":
                value = not _loose_equal(value, right)
            else:
                try:
                    value = ORDERINGS[operator](value, right)
                except TypeError:
                    value = False
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind != "name":
            raise ExpressionError(f"unexpected `{text}`")
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if self.peek() == "(":
            self.take("(")
            arguments = []
            while self.peek() != ")":
                arguments.append(self.or_())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            if lowered in STATUS:
                return STATUS[lowered]
            if lowered not in FUNCTIONS:
                raise ExpressionError(f"the function `{text}()` is not supported here")
            return FUNCTIONS[lowered](*arguments)
        value: Any = self.context
        for part in text.split("."):
            # Context and property names are case-insensitive in GitHub's expressions.
            if not isinstance(value, Mapping):
                return None
            value = next((v for k, v in value.items() if str(k).lower() == part.lower()), None)
        return value


def evaluate_condition(condition: Any, context: Mapping[str, Any]) -> bool:
    """The truth of an `if:` value (text, with or without `${{ }}`, or a YAML boolean)."""
    if isinstance(condition, bool):
        return condition
    text = str(condition).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    elif "${{" in text:
        raise ExpressionError(
            "mixes text and `${{ }}`; write the whole condition as one expression"
        )
    return bool(_Parser(text, context).parse())


# --- Events and triggers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing that can start a workflow, as the `github` context describes it."""

    label: str
    name: str
    ref: str
    base_branch: str = ""

    @property
    def ref_type(self) -> str:
        return "tag" if self.ref.startswith("refs/tags/") else "branch"

    @property
    def ref_name(self) -> str:
        return re.sub(r"^refs/(heads|tags)/", "", self.ref)

    def context(self) -> dict[str, Any]:
        github = {
            "event_name": self.name,
            "ref": self.ref,
            "ref_type": self.ref_type,
            "ref_name": self.ref_name,
            "base_ref": self.base_branch,
            "head_ref": "feature/day-view" if self.name == "pull_request" else "",
            "repository": "acme/bookings",
            "event": {},
        }
        return {"github": github, "env": {}, "vars": {}, "secrets": {}, "inputs": {}}


PULL_REQUEST = Event("a pull request", "pull_request", "refs/pull/7/merge", base_branch="main")
PUSH_MAIN = Event("a push to main", "push", "refs/heads/main")
PUSH_TAG = Event("a pushed tag v1.2.0", "push", "refs/tags/v1.2.0")
NIGHTLY = Event("the nightly schedule", "schedule", "refs/heads/main")
EVENTS = (PULL_REQUEST, PUSH_MAIN, PUSH_TAG)


def filter_pattern(pattern: str) -> re.Pattern[str]:
    """A branch or tag filter of GitHub's (`*`, `**`, `?`, `+`, `[…]`) as a regular expression."""
    out, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out, index = out + ".*", index + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char in "?+" and out:
            out += char
        elif char == "[":
            end = pattern.find("]", index)
            if end == -1:
                out += re.escape(char)
            else:
                out, index = out + pattern[index : end + 1], end + 1
                continue
        else:
            out += re.escape(char)
        index += 1
    return re.compile(f"^{out}$")


def matches_filters(name: str, patterns: Iterable[Any]) -> bool:
    """GitHub's rule: patterns apply in order; a `!pattern` excludes what it matches again."""
    matched = False
    for pattern in patterns:
        text = str(pattern)
        if text.startswith("!"):
            if filter_pattern(text[1:]).match(name):
                matched = False
        elif filter_pattern(text).match(name):
            matched = True
    return matched


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def triggered_by(workflow: Workflow, event: Event) -> bool:
    """Whether `event` starts the workflow (paths filters are taken to match)."""
    triggers = workflow.triggers
    if event.name not in triggers:
        return False
    filters = triggers[event.name] if isinstance(triggers[event.name], dict) else {}
    if event.name in ("pull_request", "pull_request_target"):
        name = event.base_branch
        if "branches" in filters:
            return matches_filters(name, _as_list(filters["branches"]))
        if "branches-ignore" in filters:
            return not matches_filters(name, _as_list(filters["branches-ignore"]))
        return True
    if event.name != "push":
        return True
    kind = "tags" if event.ref_type == "tag" else "branches"
    other = "branches" if kind == "tags" else "tags"
    if kind in filters:
        return matches_filters(event.ref_name, _as_list(filters[kind]))
    if f"{kind}-ignore" in filters:
        return not matches_filters(event.ref_name, _as_list(filters[f"{kind}-ignore"]))
    # Filters for the other kind only: GitHub then ignores pushes of this kind altogether.
    return not any(key in filters for key in (other, f"{other}-ignore"))


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    runs: bool
    reason: str


def simulate(workflow: Workflow, event: Event) -> dict[str, JobOutcome]:
    """Which jobs would run for `event`, and why the others would not, in `jobs:` order."""
    jobs = workflow.jobs
    outcomes: dict[str, JobOutcome] = {}
    if not triggered_by(workflow, event):
        return {job_id: JobOutcome(job_id, False, "the workflow does not start") for job_id in jobs}

    def decide(job_id: str, visiting: frozenset[str]) -> JobOutcome:
        if job_id in outcomes:
            return outcomes[job_id]
        job = jobs[job_id]
        outcome = JobOutcome(job_id, True, "runs")
        for name in needs_of(job):
            if name not in jobs or name in visiting:
                outcome = JobOutcome(job_id, False, f"needs `{name}`, which never runs")
                break
            if not decide(name, visiting | {job_id}).runs:
                outcome = JobOutcome(job_id, False, f"skipped: `{name}` did not run")
                break
        if outcome.runs and "if" in job:
            try:
                allowed = evaluate_condition(job["if"], event.context())
            except ExpressionError as error:
                allowed, outcome = False, JobOutcome(job_id, False, f"unreadable `if:` ({error})")
            else:
                if not allowed:
                    outcome = JobOutcome(job_id, False, "skipped by its `if:`")
        outcomes[job_id] = outcome
        return outcome

    for job_id in jobs:
        decide(job_id, frozenset())
    return {job_id: outcomes[job_id] for job_id in jobs}


def describe_triggers(workflow: Workflow) -> str:
    """`on:` in one line of plain words, as the lesson prints it."""
    parts = []
    for event, filters in workflow.triggers.items():
        if isinstance(filters, list):  # schedule: a list of cron entries
            crons = [str(entry.get("cron")) for entry in filters if isinstance(entry, dict)]
            parts.append(f"{event} (cron {', '.join(crons)})")
            continue
        if not isinstance(filters, dict) or not filters:
            parts.append(event)
            continue
        details = [
            f"{key} {', '.join(map(str, _as_list(value)))}"
            for key, value in filters.items()
            if key in ("branches", "tags", "branches-ignore", "tags-ignore", "types")
        ]
        parts.append(f"{event} ({'; '.join(details)})" if details else event)
    return "; ".join(parts)


# --- Exercise 06.1: the booking service's CI workflow ---------------------------------------------


def _steps(job: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    steps = job.get("steps")
    if not isinstance(steps, list):
        return []
    return [(index, step) for index, step in enumerate(steps) if isinstance(step, dict)]


def _runs(job: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(i, str(step["run"])) for i, step in _steps(job) if isinstance(step.get("run"), str)]


def _uses(job: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(i, str(step["uses"])) for i, step in _steps(job) if isinstance(step.get("uses"), str)]


def _words(job_id: str, job: Mapping[str, Any]) -> str:
    return f"{job_id} {job.get('name', '')}".lower()


def unit_jobs(workflow: Workflow) -> list[str]:
    """Jobs that run pytest on unit tests (the job's id, name or pytest command says `unit`)."""
    found = []
    for job_id, job in workflow.jobs.items():
        commands = [run for _, run in _runs(job) if "pytest" in run]
        if commands and ("unit" in _words(job_id, job) or any("unit" in run for run in commands)):
            found.append(job_id)
    return found


LATER_TESTS = re.compile(r"integration|contract|schemathesis|pact", re.IGNORECASE)


def later_test_jobs(workflow: Workflow) -> list[str]:
    """Jobs that run integration or contract tests."""
    found = []
    for job_id, job in workflow.jobs.items():
        commands = [run for _, run in _runs(job) if re.search(r"pytest|schemathesis", run)]
        if commands and (
            LATER_TESTS.search(_words(job_id, job)) or any(LATER_TESTS.search(c) for c in commands)
        ):
            found.append(job_id)
    return found


BUILD_ACTION = re.compile(r"^docker/build-push-action@", re.IGNORECASE)
DOCKER_COMMAND = re.compile(
    r"\bdocker\s+(?:buildx\s+)?(?:build|push|image\s+push)\b|\bpodman\s+(?:build|push)\b"
)


def image_jobs(workflow: Workflow) -> list[str]:
    """Jobs that build an image (docker/build-push-action, or docker build/push commands)."""
    return [
        job_id
        for job_id, job in workflow.jobs.items()
        if any(BUILD_ACTION.match(uses) for _, uses in _uses(job))
        or any(DOCKER_COMMAND.search(run) for _, run in _runs(job))
    ]


def trigger_problems(workflow: Workflow) -> list[str]:
    """The workflow must start on pull requests and on pushed `v*` tags."""
    problems = []
    line = workflow.line("on")
    triggers = workflow.triggers
    if not triggered_by(workflow, PULL_REQUEST):
        if "pull_request" in triggers:
            problems.append(
                f"line {workflow.line('on', 'pull_request')}: the `pull_request` filters leave out "
                "pull requests to main: remove the filter or add `main` to `branches:`"
            )
        else:
            problems.append(f"line {line}: `on:` has no `pull_request:`; add it under `on:`")
    if not triggered_by(workflow, PUSH_TAG):
        push = triggers.get("push")
        if "push" not in triggers:
            problems.append(
                f"line {line}: `on:` has no `push:`, so pushing a version tag starts nothing"
            )
        elif not isinstance(push, dict) or "tags" not in push:
            problems.append(
                f"line {workflow.line('on', 'push')}: `push:` has no `tags:` filter, so a "
                'pushed tag v1.2.0 does not start the workflow; add `tags: ["v*"]` under `push:`'
            )
        else:
            patterns = ", ".join(map(str, _as_list(push["tags"])))
            problems.append(
                f"line {workflow.line('on', 'push', 'tags')}: the tag filter ({patterns}) does "
                'not match v1.2.0; use `tags: ["v*"]`'
            )
    return problems


def unit_job_problems(workflow: Workflow) -> list[str]:
    """A unit-test job exists, and a pull request runs it."""
    units = unit_jobs(workflow)
    if not units:
        return [f"line {workflow.line('jobs')}: no job runs the unit tests (pytest on tests/unit)"]
    if not triggered_by(workflow, PULL_REQUEST):
        return ["not checked until the workflow starts on pull requests (see above)"]
    outcomes = simulate(workflow, PULL_REQUEST)
    if any(outcomes[job_id].runs for job_id in units):
        return []
    return [
        f"line {workflow.line('jobs', job_id)}: on a pull request, job `{job_id}` does not "
        f"run ({outcomes[job_id].reason}); the unit tests must run on every pull request, "
        "so give the job no `if:` and no `needs:` on a job that is skipped for pull requests"
        for job_id in units
    ]


UVICORN = re.compile(r"\buvicorn\b")


def later_job_problems(workflow: Workflow) -> list[str]:
    """Integration and contract tests run in a separate job that needs the unit tests."""
    units, later = unit_jobs(workflow), later_test_jobs(workflow)
    problems = []
    if not later:
        return [f"line {workflow.line('jobs')}: no job runs integration or contract tests"]
    separate = [job_id for job_id in later if job_id not in units]
    if not separate:
        return [
            f"line {workflow.line('jobs', later[0])}: job `{later[0]}` runs the unit tests and "
            "the integration tests together: move the integration and contract tests to a job "
            "of their own with `needs:` naming the unit job, so the fast tests fail first"
        ]
    waiting = [job_id for job_id in separate if set(units) & ancestors(workflow, job_id)]
    if not waiting:
        job_id = separate[0]
        unit = units[0] if units else "unit"
        problems.append(
            f"line {workflow.line('jobs', job_id)}: job `{job_id}` does not wait for the unit "
            f"tests; add `needs: [{unit}]` to it, beside `runs-on:`"
        )
    elif triggered_by(workflow, PULL_REQUEST):
        outcomes = simulate(workflow, PULL_REQUEST)
        if not any(outcomes[job_id].runs for job_id in waiting):
            job_id = waiting[0]
            problems.append(
                f"line {workflow.line('jobs', job_id)}: on a pull request, job `{job_id}` does "
                f"not run ({outcomes[job_id].reason}); integration and contract tests belong to "
                "every pull request too, in the later stage"
            )
    for job_id in separate:
        for index, run in _runs(workflow.jobs[job_id]):
            if UVICORN.search(run) and not (
                "bookings.main:create_app" in run and "--factory" in run
            ):
                problems.append(
                    f"line {workflow.line('jobs', job_id, 'steps', index)}: uvicorn should start "
                    "the booking service's factory: `uvicorn --factory bookings.main:create_app`"
                )
    return problems


def _pushes(job: Mapping[str, Any]) -> bool:
    for _, step in _steps(job):
        if BUILD_ACTION.match(str(step.get("uses", ""))):
            push = (step.get("with") or {}).get("push")
            if push is True or str(push).strip().lower() == "true" or "${{" in str(push):
                return True
        run = str(step.get("run", ""))
        if re.search(r"\bdocker\s+(?:image\s+)?push\b|\s--push\b|\bpodman\s+push\b", run):
            return True
    return False


def _logs_in(job: Mapping[str, Any]) -> bool:
    return any(
        str(step.get("uses", "")).lower().startswith("docker/login-action@")
        or re.search(r"\b(docker|podman)\s+login\b", str(step.get("run", "")))
        for _, step in _steps(job)
    )


def image_job_problems(workflow: Workflow) -> list[str]:
    """An image job builds and pushes, only for `v*` tags, after the unit and later test jobs."""
    images = image_jobs(workflow)
    if not images:
        return [
            f"line {workflow.line('jobs')}: no job builds the image (docker/build-push-action, "
            "or `docker build`)"
        ]
    job_id = images[0]
    job = workflow.jobs[job_id]
    line = workflow.line("jobs", job_id)
    problems = []
    if not _pushes(job):
        problems.append(
            f"line {line}: job `{job_id}` builds the image but never pushes it: give "
            "docker/build-push-action `push: true`"
        )
    elif not _logs_in(job):
        problems.append(
            f"line {line}: job `{job_id}` pushes without logging in to the registry: add a "
            "docker/login-action step before the push, with the password from `${{ secrets.… }}`"
        )
    if "if" not in job:
        problems.append(
            f"line {line}: job `{job_id}` has no `if:`, so it would publish an image for every "
            "pull request; add `if: startsWith(github.ref, 'refs/tags/v')` beside `runs-on:`"
        )
    else:
        where = workflow.line("jobs", job_id, "if")
        for event in (PULL_REQUEST, PUSH_MAIN):
            outcome = simulate(workflow, event)[job_id]
            if outcome.runs:
                problems.append(
                    f"line {where}: job `{job_id}` also runs for {event.label}; its `if:` should "
                    "hold only for tags, as `startsWith(github.ref, 'refs/tags/v')` does"
                )
        if triggered_by(workflow, PUSH_TAG):
            outcome = simulate(workflow, PUSH_TAG)[job_id]
            if not outcome.runs and outcome.reason.startswith(("skipped by", "unreadable")):
                problems.append(
                    f"line {where}: job `{job_id}` does not run for a pushed tag v1.2.0 "
                    f"({outcome.reason}); write `if: startsWith(github.ref, 'refs/tags/v')`"
                )
    waits_for = ancestors(workflow, job_id)
    missing = []
    if not set(unit_jobs(workflow)) & waits_for:
        missing.append("the unit tests")
    if not set(later_test_jobs(workflow)) - {job_id} & waits_for:
        missing.append("the integration and contract tests")
    if missing:
        problems.append(
            f"line {line}: job `{job_id}` does not wait for {' or '.join(missing)}; add "
            "`needs:` naming those jobs, so that only a tested commit is published"
        )
    return problems


SECRET_KEY = re.compile(
    r"(^|[_-])(password|passwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)($|[_-])",
    re.IGNORECASE,
)
SAFE_EXPRESSION = re.compile(
    r"\$\{\{\s*(secrets\.[A-Za-z0-9_]+|github\.token|env\.[A-Za-z0-9_]+)\s*\}\}"
)
TOKEN_SHAPES = re.compile(
    r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}|xox[abpr]-[A-Za-z0-9-]{10,})"
)
URL_CREDENTIALS = re.compile(r"://[^/\s:@]+:(?P<password>[^@\s/]+)@")
PASSWORD_FLAG = re.compile(r"(?:\s-p|\s--password)(?:\s+|=)(?P<value>\S+)")


def _literal(value: str) -> bool:
    """True when the value is written out rather than read from a secret or a variable."""
    text = value.strip().strip("'\"")
    return bool(text) and not text.startswith("$")


def secret_problems(workflow: Workflow) -> list[str]:
    """No secret is written into the file: secrets only as `${{ secrets.NAME }}`."""
    problems: list[str] = []

    def walk(node: Any, path: Path_) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
            return
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*path, index))
            return
        if not isinstance(node, str | int | float) or isinstance(node, bool):
            return
        text, line = str(node), workflow.line(*path)
        key = str(path[-1]) if path else ""
        if SECRET_KEY.search(key):
            if "${{" not in text and text.strip():
                problems.append(
                    f"line {line}: `{key}` is written out in the file; store it as a repository "
                    f"secret and write `{key}: ${{{{ secrets.{secret_name(key)} }}}}`"
                )
            elif "${{" in text and not SAFE_EXPRESSION.search(text):
                problems.append(
                    f"line {line}: `{key}` comes from `{shorten(text, 40)}`; only "
                    "`${{ secrets.NAME }}` is masked in logs and kept out of the file"
                )
        if TOKEN_SHAPES.search(text):
            problems.append(
                f"line {line}: this looks like a real access token; revoke it, "
                "store the new one as a secret, and write `${{ secrets.NAME }}`"
            )
        url = URL_CREDENTIALS.search(text)
        if url and _literal(url["password"]) and "${{" not in url["password"]:
            problems.append(
                f"line {line}: a URL with a password in it; keep the whole URL in a secret, as "
                "`${{ secrets.DATABASE_URL }}`"
            )
        if key == "run":
            flag = PASSWORD_FLAG.search(" " + text)
            if flag and _literal(flag["value"]) and "${{" not in flag["value"]:
                problems.append(
                    f"line {line}: a password is passed on the command line; use "
                    "docker/login-action with `password: ${{ secrets.REGISTRY_PASSWORD }}`, or "
                    "`--password-stdin`"
                )

    walk(workflow.data, ())
    return problems


def secret_name(key: str) -> str:
    """A name for the secret that should hold `key`'s value (a bare password: the registry's)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", key).upper()
    return {"PASSWORD": "REGISTRY_PASSWORD"}.get(name, name)


VERSION_REF = re.compile(r"^(v?\d+(\.\d+){0,2}([-.][0-9A-Za-z.]+)?|[0-9a-f]{40})$")
BRANCH_REFS = {"main", "master", "head", "latest", "develop", "dev", "trunk", "stable"}


def _pin_problem(uses: str, line: int) -> str | None:
    if uses.startswith("./"):
        return None  # an action in this repository: it changes with the commit itself
    if uses.startswith("docker://"):
        image = uses.removeprefix("docker://")
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        if "@sha256:" in image or (tag and tag != "latest" and re.search(r"\d", tag)):
            return None
        return f"line {line}: `{uses}` names no image version; add a version tag or a digest"
    name, _, ref = uses.partition("@")
    if not ref:
        return f"line {line}: `{uses}` has no version; write `{uses}@v4` (its current major version) or a full commit SHA"
    if ref.lower() in BRANCH_REFS or not VERSION_REF.match(ref):
        return (
            f"line {line}: `{uses}` follows the branch `{ref}`, which changes under you; pin a "
            f"release such as `{name}@v4`, or a full commit SHA"
        )
    return None


def pinning_problems(workflow: Workflow) -> list[str]:
    """Every action (and reusable workflow) is pinned to a version tag or a commit SHA."""
    problems = []
    for job_id, job in workflow.jobs.items():
        if isinstance(job.get("uses"), str):
            problem = _pin_problem(job["uses"], workflow.line("jobs", job_id, "uses"))
            problems += [problem] if problem else []
        for index, uses in _uses(job):
            problem = _pin_problem(uses, workflow.line("jobs", job_id, "steps", index, "uses"))
            problems += [problem] if problem else []
    return problems


# --- Exercise 06.2: the next release version --------------------------------------------------------

VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
HEADER = re.compile(r"^(?P<type>[a-z]+)(?:\((?P<scope>[^()\s]+)\))?(?P<breaking>!)?: \S")
BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ", re.MULTILINE)
LEVELS = {None: 0, "patch": 1, "minor": 2, "major": 3}


def release_level(message: str) -> str | None:
    """What one commit asks of the next release: 'major', 'minor', 'patch' or None."""
    header, _, body = message.strip().partition("\n")
    match = HEADER.match(header)
    if match is None:
        return None  # not a conventional commit: it releases nothing
    if match["breaking"] or BREAKING_FOOTER.search(body):
        return "major"
    return {"feat": "minor", "fix": "patch"}.get(match["type"])


def reference_next_version(current: str, commit_messages: list[str]) -> str:
    """The course's model answer for exercise 06.2 (the unit tests prove the cases with it)."""
    match = VERSION.match(current)
    if match is None:
        raise ValueError(f"{current!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = map(int, match.groups())
    level = max((release_level(m) for m in commit_messages), key=LEVELS.__getitem__, default=None)
    if level is None:
        return current
    if major == 0 and level == "major":
        level = "minor"  # before 1.0.0, a breaking change bumps the minor version
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True)
class ReleaseCase:
    expectation: str
    current: str
    messages: tuple[str, ...]
    expected: str
    hint: str


RELEASE_CASES = (
    ReleaseCase(
        "a fix releases a patch: 1.4.2 -> 1.4.3",
        "1.4.2",
        ("fix: return 404 for an unknown booking id",),
        "1.4.3",
        "`fix:` bumps the last number.",
    ),
    ReleaseCase(
        "a feat releases a minor version and resets the patch: 1.4.2 -> 1.5.0",
        "1.4.2",
        ("feat: list a room's bookings for one day",),
        "1.5.0",
        "`feat:` bumps the middle number and sets the last to 0.",
    ),
    ReleaseCase(
        "a scope in brackets changes nothing: feat(api) is a feat",
        "1.4.2",
        ("feat(api): filter bookings by organiser",),
        "1.5.0",
        "The type is the word before an optional `(scope)`, `!` and the colon.",
    ),
    ReleaseCase(
        "`!` after the type marks a breaking change: 1.4.2 -> 2.0.0",
        "1.4.2",
        ("feat(api)!: times must carry a UTC offset",),
        "2.0.0",
        "`type!:` or `type(scope)!:` is a breaking change: bump the first number, reset the others.",
    ),
    ReleaseCase(
        "a `BREAKING CHANGE:` footer marks a breaking change too",
        "1.4.2",
        ("fix: reject bookings longer than a day\n\nBREAKING CHANGE: longer bookings now get 422",),
        "2.0.0",
        "Look at the whole message, not only its first line: a footer line may start with `BREAKING CHANGE: `.",
    ),
    ReleaseCase(
        "several commits make one release: the biggest bump wins",
        "1.4.2",
        (
            "fix: round durations down",
            "feat: cancel a booking",
            "fix(api): 404 for unknown rooms",
            "feat: day view",
        ),
        "1.5.0",
        "Find the largest bump among all commits, then bump once (not once per commit).",
    ),
    ReleaseCase(
        "docs, chore, test, ci and refactor release nothing: the version stays",
        "1.4.2",
        (
            "docs: fix a typo in the README",
            "chore: update the lock file",
            "test: cover back-to-back bookings",
            "ci: cache uv",
            "refactor: split crud.py",
        ),
        "1.4.2",
        "Only fix and feat (and breaking changes) release; check the type, not words such as “fix” elsewhere in the message.",
    ),
    ReleaseCase(
        "a message that is not a conventional commit releases nothing",
        "1.4.2",
        ("Merge branch 'main' into feature/day-view", "feature: almost a feat", "WIP"),
        "1.4.2",
        "Only `type(scope)!: description` counts, with a type of letters, then `: ` and text.",
    ),
    ReleaseCase(
        "no commits since the last tag: the version stays",
        "1.4.2",
        (),
        "1.4.2",
        "Return `current` when nothing asks for a release.",
    ),
    ReleaseCase(
        "before 1.0.0 a breaking change bumps the minor version: 0.3.1 -> 0.4.0",
        "0.3.1",
        ("feat!: rename the rooms endpoint",),
        "0.4.0",
        "Under 1.0.0 the API is not stable yet, so a breaking change only bumps the middle number.",
    ),
    ReleaseCase(
        "before 1.0.0 a feat still bumps the minor version: 0.3.1 -> 0.4.0",
        "0.3.1",
        ("feat: day view",),
        "0.4.0",
        "The pre-1.0 rule only changes what a breaking change does.",
    ),
    ReleaseCase(
        "numbers grow past 9: 1.9.9 + fix -> 1.9.10",
        "1.9.9",
        ("fix: off-by-one in the day view",),
        "1.9.10",
        "Treat each part as a number, not as a character.",
    ),
)


def valid_workflow_problems(workflow: Workflow) -> list[str]:
    """GitHub's schema accepts the file, and every `needs:` names a job (the schema cannot)."""
    return schema_problems(workflow) + needs_problems(workflow)


# One line of the 06.1 check each: (expectation, problems function, hint).
WORKFLOW_CHECKS: tuple[tuple[str, Callable[[Workflow], list[str]], str], ...] = (
    (
        "GitHub's workflow schema accepts it, and every `needs:` names a job",
        valid_workflow_problems,
        "Compare the named line with templates/ci-workflow.yml: key names, indentation, lists.",
    ),
    (
        "it starts on pull requests and on pushed `v*` tags",
        trigger_problems,
        'Under `on:` give `pull_request:` and `push:` with `tags: ["v*"]`.',
    ),
    (
        "a unit-test job runs on every pull request",
        unit_job_problems,
        "A job such as `unit:` that checks out the code, runs `uv sync --locked`, then `pytest tests/unit`; no `if:`.",
    ),
    (
        "integration and contract tests run in a later job that `needs:` the unit tests",
        later_job_problems,
        "A second job, such as `integration:`, with `needs: [unit]`, for tests/integration and tests/contract.",
    ),
    (
        "an image job builds and pushes the image, only for `v*` tags, after the test jobs",
        image_job_problems,
        "docker/login-action, then docker/build-push-action with `push: true`; `needs:` both "
        "test jobs; `if: startsWith(github.ref, 'refs/tags/v')`.",
    ),
    (
        "no secret is written in the file: only `${{ secrets.NAME }}`",
        secret_problems,
        "Passwords and tokens live in the repository's secrets; the file only names them.",
    ),
    (
        "every action is pinned to a version",
        pinning_problems,
        "Write `owner/action@v4` (a release tag) or `@` and a full commit SHA; never a branch.",
    ),
)
