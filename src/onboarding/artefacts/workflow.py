"""GitHub Actions workflows: read one as GitHub does, lint it, and simulate which jobs run.

- `parse_workflow(text)` reads YAML as GitHub does (YAML 1.2: `on`, `yes` and `no` are text),
  and remembers the line of every key, so that a message can say where to look.
- `schema_problems()` validates the workflow against SchemaStore's workflow schema (the copy that
  check-jsonschema ships as `vendor.github-workflows`: GitHub publishes no schema of its own), and
  `actionlint_problems()` runs actionlint, which also knows the contexts, the expressions and
  the actions' inputs. Both work offline; each problem comes back in plain words with its line.
- `simulate(workflow, event)` decides which jobs run for an event (a pull request, a push to
  main, a pushed tag): triggers and their branch and tag filters, `needs:`, and `if:` conditions
  evaluated by `onboarding.artefacts.workflow_expressions`.

Nothing here knows about exercises: the stage packages judge what these functions return.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from onboarding import uri_grammar
from onboarding.artefacts.workflow_expressions import (
    ExpressionError,
    as_text,
    evaluate_condition,
    evaluate_expression,
)
from onboarding.checks import ArtefactError, load_yaml, read_artefact
from onboarding.protocol import shorten

KeyPath = tuple[str | int, ...]


# ------------------------------------------------------------------------------------ reading
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
    lines: dict[KeyPath, int] = field(default_factory=dict)
    path: Path | None = None
    """The file it was read from, if any (the schema check and actionlint read the file)."""
    text: str = ""

    def line(self, *path: str | int) -> int:
        """The line of `path`, or of its nearest parent that has one (1 for the file)."""
        key = tuple(path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1)

    @property
    def repository(self) -> Path | None:
        """The repository's folder, when the workflow was read from its `.github/workflows/`."""
        if self.path is None or self.path.parent.name != "workflows":
            return None
        return self.path.parents[2] if self.path.parent.parent.name == ".github" else None

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
    lines: dict[KeyPath, int] = {}

    def walk(node: yaml.Node, path: KeyPath) -> None:
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
    return Workflow(data if isinstance(data, dict) else {}, lines, text=text)


def read_workflow(path: str | Path, how_to_create: str | None = None) -> Workflow:
    """Read a workflow file: ArtefactError (with line and column) unless it is YAML with jobs."""
    path = Path(path)
    if how_to_create is not None:
        read_artefact(path, how_to_create)  # a missing file says how to create it
    document = load_yaml(path)
    name = path.name
    if not isinstance(document, dict):
        kind = "nothing" if document is None else type(document).__name__
        raise ArtefactError(f"{name} holds {kind}, not a workflow with `on:` and `jobs:`")
    workflow = parse_workflow(path.read_text(encoding="utf-8"))
    workflow.path = path
    missing = [key for key in ("on", "jobs") if key not in workflow.data]
    if missing:
        raise ArtefactError(f"{name} has no top-level {' or '.join(f'`{k}:`' for k in missing)}")
    return workflow


def describe_path(parts: KeyPath) -> str:
    """('jobs', 'unit', 'steps', 1) -> 'jobs.unit.steps[1]'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the file"


# ------------------------------------------------ SchemaStore's schema, as check-jsonschema ships it
SCHEMA_NAME = "github-workflows.json"


@functools.lru_cache(maxsize=1)
def workflow_schema_validator() -> Any:
    """A validator for SchemaStore's workflow schema, from check-jsonschema's offline copy.

    Validating in this process, rather than running the check-jsonschema command, saves a
    second Python start-up on every check; the schema and the error reporting are the same.
    """
    from importlib import resources

    # Seconds of grammar building at import, for URI formats this schema never checks.
    uri_grammar.skip()
    import jsonschema

    folder = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    schema = json.loads((folder / SCHEMA_NAME).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    return validator(schema)


JSON_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[['\"]([^'\"]+)['\"]\]")


def json_path_parts(json_path: str) -> KeyPath:
    """`$.jobs.unit.steps[1]` -> ('jobs', 'unit', 'steps', 1)."""
    parts: list[str | int] = []
    for match in JSON_PATH_PART.finditer(json_path.removeprefix("$")):
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
    return tuple(parts)


def plain_schema_message(message: str, parts: KeyPath) -> str:
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
    if re.fullmatch(r"(.+) should be non-empty", message):
        return "is empty: it needs at least one entry"
    return shorten(message, 120)


def schema_problems(workflow: Workflow) -> list[str]:
    """What SchemaStore's workflow schema finds wrong with the workflow, in plain words."""
    try:
        validator = workflow_schema_validator()
        from check_jsonschema.reporter import find_best_deep_match
    except ImportError:
        return [
            "check-jsonschema is not installed in this environment, so the schema cannot be "
            "checked: run `make setup` (it installs every extra) and try again"
        ]
    problems = []
    for error in sorted(validator.iter_errors(workflow.data), key=lambda e: list(e.path)):
        best = find_best_deep_match(error) if error.context else error
        parts = json_path_parts(best.json_path)
        message = plain_schema_message(best.message, parts)
        problems.append(f"line {workflow.line(*parts)} ({describe_path(parts)}): {message}")
    return problems


# ------------------------------------------------------------------------------------ actionlint
def actionlint_command() -> str | None:
    """The actionlint executable: the one installed beside this Python, or one on the PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    if beside.exists():
        return str(beside)
    return shutil.which("actionlint")


def _plain_actionlint_message(message: str) -> str:
    # "property "x" is not defined in object type {…200 names…}": the names help nobody here.
    message = re.sub(r" in object type \{.*\}$", "", message)
    return shorten(message, 160)


def actionlint_problems(workflow: Workflow) -> list[str]:
    """What actionlint finds in the workflow (expressions, contexts, action inputs, `needs:`…).

    shellcheck and pyflakes are left out on purpose: whether they are installed would change
    the verdict from one machine to the next.
    """
    executable = actionlint_command()
    if executable is None:
        return [
            "actionlint is not installed in this environment, so the workflow cannot be "
            "linted: run `make setup` and try again"
        ]
    run = subprocess.run(
        [executable, "-format", "{{json .}}", "-shellcheck=", "-pyflakes=", "-"],
        input=workflow.text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        findings = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        return [f"actionlint did not run: {shorten(run.stderr or run.stdout, 120)}"]
    return [
        f"line {finding['line']}: {_plain_actionlint_message(finding['message'])} "
        f"(actionlint: {finding.get('kind', 'rule')})"
        for finding in findings or []
    ]


# ------------------------------------------------------------------------------ jobs and steps
def needs_of(job: Mapping[str, Any]) -> list[str]:
    value = job.get("needs", [])
    if isinstance(value, str):
        return [value]
    return [str(name) for name in value] if isinstance(value, list) else []


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


def steps_of(job: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(index, step) for each step of a job that is a mapping."""
    steps = job.get("steps")
    if not isinstance(steps, list):
        return []
    return [(index, step) for index, step in enumerate(steps) if isinstance(step, dict)]


def runs_of(job: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(index, script) for each `run:` step."""
    return [(i, str(step["run"])) for i, step in steps_of(job) if isinstance(step.get("run"), str)]


def uses_of(job: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(index, action reference) for each `uses:` step."""
    return [
        (i, str(step["uses"])) for i, step in steps_of(job) if isinstance(step.get("uses"), str)
    ]


def matrix_combinations(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The values of `matrix` in each run of a job, as GitHub expands `strategy.matrix`.

    Every combination of the lists' values, less those an `exclude:` entry matches (in part);
    an `include:` entry adds its values to each combination whose original values it does not
    change, or is a combination of its own when it fits none. A matrix or list written as an
    expression of literals (`${{ fromJSON('["integration", "contract"]') }}`) counts as its
    value. A job without a matrix, or with one that only a run can work out (another job's
    outputs), runs once, with no values.
    """
    strategy = job.get("strategy")
    matrix = _literal(strategy.get("matrix")) if isinstance(strategy, Mapping) else None
    if not isinstance(matrix, Mapping):
        return [{}]
    matrix = {key: _literal(value) for key, value in matrix.items()}
    axes = {
        str(key): values
        for key, values in matrix.items()
        if key not in ("include", "exclude") and isinstance(values, list) and values
    }
    combinations = (
        [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
        if axes
        else []  # only `include:` entries: each is a combination
    )
    excludes = [entry for entry in as_list(matrix.get("exclude")) if isinstance(entry, Mapping)]
    combinations = [
        combination
        for combination in combinations
        if not any(
            all(combination.get(str(key)) == value for key, value in entry.items())
            for entry in excludes
        )
    ]
    originals = [dict(combination) for combination in combinations]
    added = []
    for entry in as_list(matrix.get("include")):
        if not isinstance(entry, Mapping):
            continue
        entry = {str(key): value for key, value in entry.items()}
        fits = [
            combination
            for original, combination in zip(originals, combinations, strict=True)
            if all(original[key] == value for key, value in entry.items() if key in original)
        ]
        for combination in fits:
            combination.update(entry)
        if not fits:
            added.append(entry)
    return combinations + added or [{}]


def _literal(value: Any) -> Any:
    """A matrix (or one of its lists) written as an expression that needs no context, such as
    `${{ fromJSON('["integration", "contract"]') }}`, as its value; anything else as it is."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not (text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1):
        return value
    try:
        return evaluate_expression(text[3:-2], {})
    except ExpressionError:
        return value


MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix((?:\.[A-Za-z0-9_-]+)+)\s*\}\}", re.IGNORECASE)


def with_matrix_values(text: str, combination: Mapping[str, Any]) -> str:
    """The text with each `${{ matrix.NAME }}` replaced by its value, and `${{ matrix.NAME.KEY }}`
    by a key of a value that is a mapping (`cfg: [{suite: integration}]`); other expressions
    kept."""

    def value(match: re.Match[str]) -> str:
        found: Any = combination
        for name in match[1].lower().split(".")[1:]:
            if not isinstance(found, Mapping):
                return match[0]
            found = {str(key).lower(): item for key, item in found.items()}.get(name)
        return match[0] if found is None else as_text(found)

    return MATRIX_VALUE.sub(value, text)


def runs_of_every_combination(job: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(index, script) for each `run:` step in each run of a matrix job, matrix values filled in."""
    found = []
    for combination in matrix_combinations(job):
        for index, script in runs_of(job):
            found.append((index, with_matrix_values(script, combination)))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class ActionReference:
    """`owner/repo[/path]@ref`, a local `./action`, or a `docker://image` reference."""

    text: str

    @property
    def is_local(self) -> bool:
        return self.text.startswith("./")

    @property
    def is_docker(self) -> bool:
        return self.text.startswith("docker://")

    @property
    def name(self) -> str:
        return self.text.partition("@")[0]

    @property
    def ref(self) -> str:
        return self.text.partition("@")[2]

    @property
    def is_commit_sha(self) -> bool:
        return re.fullmatch(r"[0-9a-f]{40}", self.ref) is not None


ACTION_FILES = ("action.yml", "action.yaml")


def local_action(workflow: Workflow, uses: str) -> dict[str, Any] | None:
    """The action.yml of a composite action of the workflow's own repository
    (`uses: ./.github/actions/setup`); None for any other action, or one that cannot be read."""
    root = workflow.repository
    if root is None or not ActionReference(uses).is_local:
        return None
    folder = (root / uses).resolve()
    if not folder.is_relative_to(root.resolve()):
        return None
    for name in ACTION_FILES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            action = yaml.load(path.read_text(encoding="utf-8"), Loader=_WorkflowLoader)  # noqa: S506
        except (yaml.YAMLError, UnicodeDecodeError):
            return None
        runs = action.get("runs") if isinstance(action, dict) else None
        if not isinstance(runs, dict) or runs.get("using") != "composite":
            return None
        return action
    return None


def local_action_steps(workflow: Workflow, uses: str) -> list[dict[str, Any]]:
    """The steps of a composite action of the workflow's own repository; [] for any other."""
    action = local_action(workflow, uses)
    steps = as_list(action["runs"].get("steps")) if action else []
    return [step for step in steps if isinstance(step, dict)]


def action_inputs(action: Mapping[str, Any], given: Any) -> dict[str, str]:
    """The `inputs` context of an action's steps: each input's `default:`, then the `with:`
    that the step using it gives."""
    declared = action.get("inputs")
    inputs = {
        str(name): as_text(spec.get("default", ""))
        for name, spec in (declared.items() if isinstance(declared, Mapping) else [])
        if isinstance(spec, Mapping)
    }
    if isinstance(given, Mapping):
        inputs.update({str(name): as_text(value) for name, value in given.items()})
    return inputs


def version_comment(workflow: Workflow, line: int) -> str | None:
    """The version written in a `# v6.0.2` comment on a line, as SHA pins carry it."""
    lines = workflow.text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    match = re.search(r"#\s*(v?\d+(?:\.\d+)*\S*)", lines[line - 1].partition("@")[2])
    return match[1] if match else None


# ----------------------------------------------------------------------- events and simulation
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

    @property
    def head_branch(self) -> str:
        return "feature/day-view" if self.name == "pull_request" else ""

    def payload(self) -> dict[str, Any]:
        """The parts of the webhook payload (`github.event`) that conditions look at."""
        repository = {"full_name": "acme/bookings", "name": "bookings", "default_branch": "main"}
        if self.name == "push":
            return {"ref": self.ref, "created": True, "deleted": False, "repository": repository}
        if self.name in ("pull_request", "pull_request_target"):
            pull_request = {
                "number": 7,
                "draft": False,
                "base": {"ref": self.base_branch},
                "head": {"ref": self.head_branch},
            }
            return {"action": "synchronize", "number": 7, "pull_request": pull_request}
        return {"repository": repository}

    def context(self) -> dict[str, Any]:
        github = {
            "event_name": self.name,
            "ref": self.ref,
            "ref_type": self.ref_type,
            "ref_name": self.ref_name,
            "base_ref": self.base_branch,
            "head_ref": self.head_branch,
            "repository": "acme/bookings",
            # `github.event.ref` is as good a way to ask for a tag as `github.ref`.
            "event": self.payload(),
        }
        return {
            "github": github,
            "env": {},
            "vars": {},
            "secrets": {},
            "inputs": {},
            "steps": {},
            "needs": {},
        }


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


def as_list(value: Any) -> list[Any]:
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
            return matches_filters(name, as_list(filters["branches"]))
        if "branches-ignore" in filters:
            return not matches_filters(name, as_list(filters["branches-ignore"]))
        return True
    if event.name != "push":
        return True
    kind = "tags" if event.ref_type == "tag" else "branches"
    other = "branches" if kind == "tags" else "tags"
    if kind in filters:
        return matches_filters(event.ref_name, as_list(filters[kind]))
    if f"{kind}-ignore" in filters:
        return not matches_filters(event.ref_name, as_list(filters[f"{kind}-ignore"]))
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
            # Every needed job ran (or this one would already be skipped), and a simulated run
            # is one in which every job succeeds: `needs.unit.result == 'success'` holds.
            needed = {name: {"result": "success", "outputs": {}} for name in needs_of(job)}
            try:
                allowed = evaluate_condition(job["if"], {**event.context(), "needs": needed})
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
    """`on:` in one line of plain words."""
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
            f"{key} {', '.join(map(str, as_list(value)))}"
            for key, value in filters.items()
            if key in ("branches", "tags", "branches-ignore", "tags-ignore", "types")
        ]
        parts.append(f"{event} ({'; '.join(details)})" if details else event)
    return "; ".join(parts)
