"""Stage 06's rules for running a workflow's pull-request commands here, on a throwaway copy of
the learner's project.

GitHub runs the workflow on its runners; exercise 06.1 runs the same `run:` steps on this
machine, so that a workflow whose tests fail is caught before it is pushed. The simulator of a
runner, `onboarding.artefacts.workflow_run`, plans and runs the steps: it leaves out the jobs a
pull request does not start (the image job runs on tags only), `uses:` steps other than those of
a composite action of the repository's own, and steps whose `if:` does not hold when the steps
before them pass; it fills in expressions and `env:`, runs matrices, gives each job a copy
and a runner's files, and fails a step that its shell cannot run on its runner (bash's
`source .venv/bin/activate` under a Windows runner's PowerShell: `workflow_run.shell_problem`).
This module is the course's `Machine` for it: what the course's environment does in place of
GitHub's runner. What else cannot run here is recognised and skipped, with a line saying why
(`why_skipped`):

- installs (`uv sync`, `pip install`, `pipx install uv`, uv's own `curl … | sh` installer…): the
  course's environment already has every package
  (after `uv sync`, `.venv/bin/pytest` and `source .venv/bin/activate` run its commands);
- steps that build or push images, sign, deploy, log in to a cloud or push to git, and steps
  that start a background process (a server for `curl` to poll).

Every other step runs with the course's environment first on the PATH. A matrix job runs each
combination that does something different here: the Python version of `uv run --python` changes
nothing. A command run through a runner (`uv run`, `uvx`, `poetry run`, `pdm run`, `hatch run`)
runs directly, wherever it stands in the script; `make` runs its recipes in bash too, so they
find the same runners. A pytest command that would find no pytest on GitHub fails without
running, saying why: the stand-in `.venv/` holds every command, but `uv sync --no-dev` installs
no dev group, `pip install -e .` no dependency group at all, and bare `pytest` after `uv sync` is
the runner's, as `.venv/bin` is not on GitHub's PATH; bare `pytest` with no install before it
finds none either, as GitHub's images come without it (`pytest_left_out`). A `uv sync` or
`uv run` told to use uv.lock as it is (`--locked`, `--frozen`, UV_LOCKED, UV_FROZEN) stops the
job when the project has no uv.lock and no step before it wrote one (`_Job._without_lock`). An
install that fails on GitHub (`uv pip install` with no environment, `uv sync --locked` with no
uv.lock) at the end of a job, with no step after it to report it, is reported itself
(`failing_final_install`). pytest
loads only the plugins of packages the project depends on, as on a CI runner that installed the
project alone (the course's environment holds many more, and loading them all costs seconds).

`plan`, `run_step` and `run_jobs` are the simulator's, run with this machine (`HERE`).
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from onboarding import pytest_runs
from onboarding.artefacts import makefile, uv_lock, workflow_run
from onboarding.artefacts.requirements import canonical
from onboarding.artefacts.requirements import logical_lines as requirements_file_lines
from onboarding.artefacts.workflow import ActionReference
from onboarding.artefacts.workflow_run import Machine, Runner, Step, logical_lines
from onboarding.protocol import shorten

if TYPE_CHECKING:
    from packaging.version import Version

INSTALLS = re.compile(
    r"^(?:uv\s+(?:sync|pip\s+install|pip\s+sync|venv|python\s+install|lock)"
    # `pip install`, `python -m pip install`, `.venv/bin/pip install`, `.venv/bin/python -m pip …`
    r"|(?:\S*/)?(?:python[\d.]*\s+-m\s+)?pip[\d.]*\s+install"
    r"|poetry\s+install|pdm\s+(?:install|sync)"
    # `pipx install uv`: a tool of its own, as setup-uv would give it
    r"|pipx\s+(?:install|upgrade|inject|ensurepath)"
    r"|pip-sync|pipenv\s+install|hatch\s+env\s+create"
    r"|(?:\S*/)?python[\d.]*\s+-m\s+(?:venv|virtualenv)|virtualenv)\b"
)
MAKES_PROJECT_ENVIRONMENT = re.compile(
    r"^(?:uv\s+(?:sync|venv)|pdm\s+(?:install|sync)"
    r"|(?:\S*/)?python[\d.]*\s+-m\s+(?:venv|virtualenv)|virtualenv)\b"
)
"""Installs that make the project's own environment, `.venv/`, whose commands later steps may
run by their path (`.venv/bin/pytest`) or after `source .venv/bin/activate`."""
MAKES_EMPTY_ENVIRONMENT = re.compile(
    r"^(?:uv\s+venv|(?:\S*/)?python[\d.]*\s+-m\s+(?:venv|virtualenv)|virtualenv)\b"
)
"""Commands that make an environment with no package of the project's (pytest neither)."""
PROJECT_ENVIRONMENT = ".venv"
VENV_OPTIONS_WITH_VALUE = {
    "--python", "-p", "--prompt", "--index", "--index-url", "--extra-index-url", "--directory",
    "--project", "--cache-dir",
}  # fmt: skip
"""Options of `uv venv`, `python -m venv` and `virtualenv` whose value is the next word."""
SYSTEM_PACKAGES = "installs system packages"
CANNOT_RUN_HERE = (
    (
        re.compile(r"^(docker|podman|buildah|skopeo|crane|oras)\b"),
        "builds or moves container images",
    ),
    (re.compile(r"^(cosign|notation)\b"), "signs artefacts"),
    (re.compile(r"^(trivy|grype|syft)\b"), "scans images"),
    (re.compile(r"^(kubectl|helm|kustomize|flyctl|heroku|terraform|tofu)\b"), "deploys"),
    (re.compile(r"^(aws|gcloud|az|gh)\b"), "talks to a cloud or to GitHub"),
    (re.compile(r"^(ssh|scp|rsync|sftp)\b"), "connects to another machine"),
    (re.compile(r"^git\s+push\b|^(twine\s+upload|uv\s+publish|poetry\s+publish)\b"), "publishes"),
    (re.compile(r"^\./deploy/"), "deploys"),
    # Run here, they would change the learner's own machine (as root in a container) or wait
    # for sudo's password; what they install is followed as an install all the same.
    (
        re.compile(
            r"^(apt-get|apt|aptitude|dnf|yum|zypper|apk|pacman|brew|port|snap|choco|winget"
            r"|conda|mamba|micromamba)\s+(?:\S+\s+)*?(install|upgrade|update|add|remove)\b"
        ),
        SYSTEM_PACKAGES,
    ),
)
RUNNER_PREFIX = re.compile(r"^(?:uv\s+run|poetry\s+run|pdm\s+run|hatch\s+run|pipenv\s+run)\s+")
UV_RUN_OPTIONS_WITH_VALUE = {
    "--with", "--with-requirements", "--with-editable", "--python", "-p", "--group", "--extra",
    "--package", "--env-file", "--directory", "--project", "--index", "--index-url",
}  # fmt: skip


PYTEST_OPTIONS_WITH_VALUE = {
    "-k", "-m", "-p", "-c", "-o", "--maxfail", "--rootdir", "--deselect", "--ignore",
    "--ignore-glob", "--junitxml", "--cov", "--confcutdir", "--basetemp", "-W",
    "--cov-report", "--cov-config", "--cov-fail-under", "--junit-xml", "--durations", "--tb",
    "-n", "--numprocesses", "--dist", "--timeout", "--log-level", "--log-file", "-r",
    "--import-mode", "--override-ini", "--config-file", "--html", "--capture",
}  # fmt: skip
"""pytest options whose value is the next word when not joined by `=`: `--cov src/x` names no
test path (stage 06's missing paths and the capstone's selection both read it)."""


def _program(command: str) -> str:
    """The command without `VAR=value` assignments and `sudo` in front."""
    words = command.split()
    while words and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", words[0]) or words[0] == "sudo"):
        words = words[1:]
    return " ".join(words)


def strip_runner(command: str) -> str:
    """`uv run --with pytest pytest -q` -> `pytest -q`: the course's environment is the runner's."""
    match = RUNNER_PREFIX.match(command)
    if match is None:
        return command
    try:
        words = shlex.split(command[match.end() :])
    except ValueError:
        return command[match.end() :]
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in UV_RUN_OPTIONS_WITH_VALUE and "=" not in option and words:
            words.pop(0)
    return shlex.join(words)


ALREADY_INSTALLED = "it installs dependencies, and the course's environment already has them"
"""Why an install is skipped: on GitHub it runs, so what it installs counts for later steps."""


def why_skipped(script: str) -> str:
    """Why a `run:` script cannot run here, or "" when it can."""
    commands = [_program(command) for command in logical_lines(script)]
    if not commands:
        return "it runs nothing"
    for command in commands:
        for pattern, reason in CANNOT_RUN_HERE:
            if pattern.search(command):
                return f"`{shorten(command, 40)}` {reason}, which cannot happen from here"
        if command.endswith("&") and not command.endswith("&&"):
            return f"`{shorten(command, 40)}` starts a background process; run this step yourself"
        settings = task_settings(command)
        if settings:
            return (
                f"`{shorten(command, 40)}` runs a task of {settings}, which the check does not "
                "read: run this step yourself"
            )
    if all(_only_an_install(command) for command in commands):
        return ALREADY_INSTALLED
    return ""


SHELL_OPERATORS = re.compile(r"&&|\|\||[;|&]")
TASK_SETTINGS = {
    "tox": "tox's settings (tox.ini)",
    "nox": "noxfile.py",
    "just": "the justfile",
    "task": "Taskfile.yml",
    "poe": "poethepoet's settings",
    "invoke": "tasks.py",
    "hatch": "hatch's settings",
    "pdm": "pdm's settings",
}
"""Where each task runner's tasks are written: files the check does not read, whose tasks need
tools the course's environment does not have."""
TASK_RUNNERS = set(TASK_SETTINGS) - {"hatch", "pdm"}
"""Programs that only run tasks; hatch and pdm run programs too (`hatch run pytest`)."""


def task_settings(command: str) -> str:
    """Where the task a command runs is written (`tox -e py`, `hatch test`, `pdm run lint`), or
    "" for a command that runs no task. `hatch run NAME` and `pdm run NAME` run a program too:
    NAME is a task unless the course's environment has a program of that name (`pytest`), as
    a task named `test` would otherwise run the shell's own `test`."""
    words = _shell_words(_program(command))
    tool = tool_words(command)[:1]
    if tool and tool[0] in TASK_RUNNERS:
        return TASK_SETTINGS[tool[0]]
    if words[:2] == ["hatch", "test"]:
        return TASK_SETTINGS["hatch"]
    if words[:1] in (["hatch"], ["pdm"]) and words[1:2] == ["run"]:
        name = next((word for word in words[2:] if not word.startswith("-")), "")
        program = Path(sys.executable).parent / name
        if name and "/" not in name and (":" in name or not program.exists()):
            return TASK_SETTINGS[words[0]]
    return ""


DOWNLOADED_INSTALLER = re.compile(
    r"^(?:curl|wget)\s[^|;&]*\|\s*(?:sudo\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:ba|z|da)?sh"
    r"(?:\s+-s(?:\s+--(?:\s+[^|;&]*)?)?)?$"
)
"""An installer downloaded and piped to the shell, alone on its line: uv's own
(`curl -LsSf https://astral.sh/uv/install.sh | sh`), which needs the network to run; the course's
environment has what it installs."""


def _only_an_install(command: str) -> bool:
    """An install alone on its line (`uv sync --locked`); `uv sync && pytest` runs pytest too."""
    program = _program(command)
    if DOWNLOADED_INSTALLER.match(program):
        return True
    return bool(INSTALLS.match(program)) and not SHELL_OPERATORS.search(program)


def environment_made_by(script: str, env: Mapping[str, str]) -> str:
    """The folder of the project's environment that the script makes (`uv sync`), or ""."""
    made = ""
    commands = [
        part.strip() for line in logical_lines(script) for part in SHELL_OPERATORS.split(line)
    ]
    for command in commands:
        program = _program(command)
        if not MAKES_PROJECT_ENVIRONMENT.match(program):
            continue
        words = program.split()
        made = env.get("UV_PROJECT_ENVIRONMENT", "") if words[:2] == ["uv", "sync"] else ""
        # `uv venv`, `python -m venv` and `virtualenv` make the folder they are given.
        names = [PurePosixPath(word).name for word in words]
        maker = next((i for i, name in enumerate(names) if name in ("venv", "virtualenv")), None)
        if maker is not None:
            arguments = words[maker + 1 :]
            while arguments:
                word = arguments.pop(0)
                if word in VENV_OPTIONS_WITH_VALUE:
                    arguments = arguments[1:]
                elif not word.startswith("-"):
                    made = word
                    break
        made = made or PROJECT_ENVIRONMENT
    return made


PYTHON_OPTION = re.compile(r"\s(?:--python|-p)(?:=|\s+)\S+")
"""A Python version chosen for an install (`uv sync --python 3.13`), which changes nothing here."""


def pytest_arguments(command: str) -> list[str] | None:
    """The arguments of a command that runs pytest (`pytest`, `py.test`, `.venv/bin/pytest`,
    `python -m pytest`, behind a runner or not); None for any other command."""
    text = strip_runner(_program(command))
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words:
        return None
    program = PurePosixPath(words[0]).name
    if program in ("pytest", "py.test"):
        return words[1:]
    if re.fullmatch(r"python[\d.]*", program) and words[1:3] == ["-m", "pytest"]:
        return words[3:]
    return None


def commands_of(script: str) -> list[str]:
    """The simple commands of a script, in order: `uv sync && pytest` is two."""
    return [
        part.strip()
        for line in logical_lines(script)
        for part in SHELL_OPERATORS.split(line)
        if part.strip()
    ]


TOOL_RUNNERS = (["uvx"], ["uv", "tool", "run"], ["pipx", "run"])
"""Commands that run a tool from a package of its own: `uvx ruff check .`."""


def tool_words(command: str) -> list[str]:
    """The words of the tool a command runs, whatever runs it: `ruff check .` for `ruff check .`,
    `uv run --with ruff ruff check .`, `uvx ruff check .`, `pipx run ruff check .` and
    `python -m ruff check .` alike; [] for a command that cannot be split into words."""
    text = strip_runner(_program(command))
    try:
        words = shlex.split(text)
    except ValueError:
        return []
    for runner in TOOL_RUNNERS:
        if words[: len(runner)] == runner:
            words = words[len(runner) :]
            while words and words[0].startswith("-"):
                option = words.pop(0)
                if option in UVX_OPTIONS_WITH_VALUE and "=" not in option and words:
                    words.pop(0)
            break
    if (
        words
        and re.fullmatch(r"python[\d.]*", PurePosixPath(words[0]).name)
        and words[1:2] == ["-m"]
    ):
        words = words[2:]
    if words:
        words[0] = PurePosixPath(words[0]).name  # `.venv/bin/ruff` is ruff
    return words


OTHER_INSTALLS = (["uv", "add"], ["uv", "pip"], ["uv", "tool"])
"""uv commands that may install pytest besides the project's groups (`uv tool install pytest`)."""
SYSTEM_INSTALLS = re.compile(
    r"^(?:apt(?:-get)?|brew|conda|mamba|micromamba|dnf|yum|apk|snap)\s+(?:\S+\s+)*?install\b"
)
"""The system's package managers, which may install pytest where the runner finds it
(`sudo apt-get install -y python3-pytest`)."""


def _system_install_of_pytest(program: str) -> bool:
    """Whether a system package manager's install may bring pytest: a package named for it
    (`python3-pytest`, conda's `pytest`), or a file of packages not read here (`--file`)."""
    if not SYSTEM_INSTALLS.match(program):
        return False
    words = _shell_words(program)
    return any("pytest" in word or word.partition("=")[0] in ("-f", "--file") for word in words)


def may_install(command: str) -> bool:
    """Whether a command installs packages: an install (`INSTALLS`), `uv add`, `uv tool install`,
    `pipx install`, `apt-get install`…"""
    words = _program(command).split()
    return (
        bool(INSTALLS.match(_program(command)))
        or words[:2] in OTHER_INSTALLS
        or words[:1] == ["pipx"]
        or _system_install_of_pytest(_program(command))
    )


# ------------------------------------------------------- what the project's environment holds
UV_SELECTION_OPTIONS_WITH_VALUE = {"--group", "--no-group", "--only-group", "--extra", "--no-extra"}
"""Options of `uv sync` and `uv run` that choose the project's groups and extras."""


@dataclass(frozen=True)
class _Project:
    """What `uv sync` and `uv run` install of a project: its pyproject.toml, as uv reads it."""

    dependencies: tuple[str, ...]
    extras: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    default_groups: tuple[str, ...]
    name: str = ""
    lists_its_requirements: bool = True
    """Whether `[project]` lists the dependencies and extras itself: not when it has no such
    table (another tool's, such as `[tool.poetry]`) or names them `dynamic` (a build backend
    works them out), and then what `pip install .` installs is not known here."""

    @classmethod
    def read(cls, pyproject_text: str) -> _Project:
        data = uv_lock.tomllib.loads(pyproject_text)  # tomli on Python 3.10
        project = data.get("project", {})
        tables = data.get("dependency-groups", {})
        uv = data.get("tool", {}).get("uv", {})

        def group(name: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
            found: list[str] = []
            for item in tables.get(name, []):
                if isinstance(item, str):
                    found.append(item)
                elif isinstance(item, dict) and item.get("include-group") not in seen | {name}:
                    found += group(str(item["include-group"]), seen | {name})
            return tuple(found)

        groups = {str(name): group(str(name)) for name in tables}
        # uv's table from before dependency groups: uv installs it as the group `dev`.
        groups["dev"] = groups.get("dev", ()) + tuple(uv.get("dev-dependencies", []))
        defaults = uv.get("default-groups", ["dev"])
        dynamic = set(project.get("dynamic", []))
        return cls(
            tuple(project.get("dependencies", [])),
            {str(k): tuple(v) for k, v in project.get("optional-dependencies", {}).items()},
            groups,
            tuple(groups) if defaults == "all" else tuple(map(str, defaults)),
            str(project.get("name", "")),
            bool(project) and not dynamic & {"dependencies", "optional-dependencies"},
        )

    def extra(self, name: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """The requirements of an extra, with those of the project's own extras it names
        (`all = ["booking-service[test,lint]"]`)."""
        found: list[str] = []
        for requirement in self.extras.get(name, ()):
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*\[([^\]]*)\]", requirement)
            if match and self.name and canonical(match[1]) == canonical(self.name):
                for inner in match[2].split(","):
                    if inner.strip() and inner.strip() not in seen | {name}:
                        found += self.extra(inner.strip(), seen | {name})
            else:
                found.append(requirement)
        return tuple(found)

    def selected(self, options: list[str]) -> tuple[tuple[str, ...], set[str], set[str]]:
        """What uv installs with these options: the requirements, the groups and the extras."""
        groups, left_out, extras = set(self.default_groups), set(), set()
        only: set[str] | None = None
        with_project, all_extras = True, False
        words = list(options)
        while words:
            option, _, value = words.pop(0).partition("=")
            if option in UV_SELECTION_OPTIONS_WITH_VALUE and not value and words:
                value = words.pop(0)
            if option == "--no-dev":
                left_out.add("dev")
            elif option == "--dev":
                groups.add("dev")
            elif option == "--only-dev":
                only, with_project = {*(only or ()), "dev"}, False
            elif option == "--group":
                groups.add(value)
            elif option == "--no-group":
                left_out.add(value)
            elif option == "--only-group":
                only, with_project = {*(only or ()), value}, False
            elif option == "--all-groups":
                groups |= set(self.groups)
            elif option == "--no-default-groups":
                groups -= set(self.default_groups)
            elif option == "--extra":
                extras.add(value)
            elif option == "--all-extras":
                all_extras = True
        chosen = (groups if only is None else only) - left_out
        extras = set(self.extras) if all_extras else extras
        requirements = list(self.dependencies) if with_project else []
        for name in sorted(extras if with_project else ()):
            requirements += self.extra(name)
        for name in sorted(chosen):
            requirements += self.groups.get(name, ())
        return tuple(requirements), chosen, extras

    def holding_pytest(self) -> list[str]:
        """Where pyproject.toml lists pytest (or a package that brings it): `the group `dev``."""
        places = [
            f"the group `{name}`" for name, reqs in self.groups.items() if brings_pytest(reqs)
        ]
        places += [
            f"the extra `{name}`" for name, reqs in self.extras.items() if brings_pytest(reqs)
        ]
        return places


def brings_pytest(requirements: tuple[str, ...] | list[str]) -> bool:
    """Whether installing these requirements installs pytest: itself, or through a package that
    needs it (pytest-cov, schemathesis), as the course's uv.lock records what needs what."""
    graph = uv_lock.course_graph()
    todo = [canonical(name) for name in map(_requirement_name, requirements) if name]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name == uv_lock.TEST_RUNNER or (name.startswith("pytest-") and name not in graph):
            return True  # a plugin the course does not know needs pytest all the same
        if name in seen:
            continue
        seen.add(name)
        for package in graph.get(name, []):
            todo += [canonical(edge["name"]) for edge in package.get("dependencies", [])]
    return False


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return match[1] if match else ""


def _uv_words(command: str) -> list[str]:
    try:
        return shlex.split(_program(command))
    except ValueError:
        return _program(command).split()


def _uv_run_options(words: list[str]) -> tuple[list[str], list[str]]:
    """`uv run [options] command…` -> (options, the packages its `--with` adds)."""
    options, added = [], []
    rest = words[2:]
    while rest and rest[0].startswith("-") and rest[0] != "--":
        option = rest.pop(0)
        name, _, value = option.partition("=")
        if name in UV_RUN_OPTIONS_WITH_VALUE | UV_SELECTION_OPTIONS_WITH_VALUE and not value:
            value = rest.pop(0) if rest else ""
        if name == "--with":
            added += value.split(",")
        options.append(f"{name}={value}" if value else name)
    return options, added


# ------------------------------------------------------------------ what a pip install installs
PIP_INSTALL = re.compile(
    r"^(?:uv\s+pip|(?:\S*/)?(?:python[\d.]*\s+-m\s+)?pip[\d.]*)\s+install(?:\s|$)"
)
"""`pip install`, `python -m pip install`, `.venv/bin/pip install`, `uv pip install`."""
PIP_OPTIONS_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-c", "--constraint",
    "-t", "--target", "--prefix", "--root", "--src", "--python", "-p", "--platform",
    "--python-version", "--implementation", "--abi", "--upgrade-strategy", "--no-binary",
    "--only-binary", "--progress-bar", "--log", "--cache-dir", "--timeout", "--retries",
    "--proxy", "--cert", "--client-cert", "--trusted-host", "--exists-action", "--report",
    "-C", "--config-settings", "--config-setting", "--global-option", "--root-user-action",
    "--keyring-provider", "--index-strategy", "--resolution", "--prerelease",
    "--python-platform", "--override", "--overrides", "--exclude-newer", "--index",
    "--default-index", "--link-mode", "--compile-bytecode", "--no-build-isolation-package",
}  # fmt: skip
"""Options of `pip install` and `uv pip install` whose value is the next word: their value is
not something to install."""
PROJECT_ROOT = re.compile(
    r"^(?:\.|\./|\$GITHUB_WORKSPACE/?|\$\{GITHUB_WORKSPACE\}/?)(?:\[(?P<extras>[^\]]*)\])?$"
)
"""The project's own folder as pip is given it: `.`, `./`, `.[dev,test]`."""
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:[<>=!~;].*)?$")
"""A requirement pip finds on an index by its name: `pytest`, `pytest>=8`, `ruff==0.8.0`."""


def pip_installed(command: str, project: _Project, project_copy: Path) -> tuple[str, ...] | None:
    """What a `pip install …` (or `uv pip install …`) command installs, as requirements; None for
    another command, and for one whose installs cannot be known here: a path or URL, a package's
    extras, a requirements file the copy does not have, a project whose pyproject.toml does not
    list its dependencies. Left unknown, such an install may bring pytest: the judgement stays
    lenient, as a workflow is refused only for what is sure to fail on GitHub."""
    program = _program(command)
    match = PIP_INSTALL.match(program)
    if match is None:
        return None
    try:
        words = shlex.split(program[match.end() :])
    except ValueError:
        return None
    targets: list[str] = []
    files: list[str] = []
    groups: list[str] = []
    extras: list[str] = []
    while words:
        word = words.pop(0)
        option, equals, value = word.partition("=")
        if not word.startswith("-"):
            targets.append(word)
            continue
        joined = option[:2] in ("-e", "-r", "-c") and len(option) > 2 and not equals
        if joined:  # `-e.`, `-rrequirements.txt`: the value joined to a short option
            option, value = option[:2], word[2:]
        elif not equals and option in (
            {"-e", "--editable", "-r", "--requirement", "--group", "--extra"}
            | PIP_OPTIONS_WITH_VALUE
        ):
            value = words.pop(0) if words else ""
        if option in ("-e", "--editable"):
            targets.append(value)
        elif option in ("-r", "--requirement"):
            files.append(value)
        elif option == "--group":  # pip 25.1 and uv: `--group dev`, `--group path:dev`
            path, _, name = value.rpartition(":")
            if path not in ("", "pyproject.toml", "./pyproject.toml"):
                return None
            groups.append(name)
        elif option == "--extra":  # uv: the extras of `-r pyproject.toml`
            extras.append(value)
        elif option == "--all-extras":
            extras += list(project.extras)
    requirements: list[str] = []
    for target in targets:
        found = _pip_target(target, project)
        if found is None:
            return None
        requirements += found
    for path in files:
        found = _requirements_file(path, project, project_copy, extras, set())
        if found is None:
            return None
        requirements += found
    for name in groups:
        if name not in project.groups:
            return None
        requirements += project.groups[name]
    if not (targets or files or groups):
        return None  # an install of nothing this reader recognises
    return tuple(requirements)


def _pip_target(target: str, project: _Project) -> list[str] | None:
    """What one thing pip is given installs: the project (with its extras) or a package."""
    root = PROJECT_ROOT.match(target.strip())
    if root is not None:
        if not project.lists_its_requirements:
            return None
        extras = [name.strip() for name in (root["extras"] or "").split(",") if name.strip()]
        # `.[dev]` names an extra of [project.optional-dependencies]; pip knows nothing of
        # uv's [dependency-groups], and an extra that does not exist adds nothing.
        return [*project.dependencies, *(r for name in extras for r in project.extra(name))]
    requirement = REQUIREMENT.match(target.strip())
    return [requirement["name"]] if requirement else None


def _requirements_file(
    path: str, project: _Project, project_copy: Path, extras: list[str], seen: set[Path]
) -> list[str] | None:
    """The requirements a requirements file installs, with the files it includes (`-r`)."""
    if PurePosixPath(path).name == "pyproject.toml":  # `uv pip install -r pyproject.toml`
        if not project.lists_its_requirements or path not in ("pyproject.toml", "./pyproject.toml"):
            return None
        return [*project.dependencies, *(r for name in extras for r in project.extra(name))]
    file = (project_copy / path).resolve()
    if file in seen or not file.is_relative_to(project_copy.resolve()) or not file.is_file():
        return None  # not in the copy: what it lists cannot be known here
    seen.add(file)
    found: list[str] = []
    for _, line in requirements_file_lines(file.read_text(encoding="utf-8", errors="replace")):
        words = line.split()
        option, _, value = words[0].partition("=")
        value = value or (words[1] if len(words) > 1 else "")
        if option in ("-r", "--requirement"):
            included = file.parent.relative_to(project_copy.resolve()) / value
            inner = _requirements_file(included.as_posix(), project, project_copy, [], seen)
        elif option in ("-e", "--editable"):
            inner = _pip_target(value, project)
        elif option in ("-c", "--constraint") or line.startswith("-"):
            continue  # an index, a constraint or another option: it installs nothing itself
        else:
            inner = _pip_target(re.sub(r"\s--hash\S*.*$", "", line), project)
        if inner is None:
            return None
        found += inner
    return found


# ------------------------------------------------------- where a job's commands find pytest
RUNNER_PYTHON = "the runner's Python"
"""The runner's own Python among the environments a job installs into (the image's, or
`actions/setup-python`'s): bare `pip install` installs there, and bare `pytest` runs from there
unless an environment was put first on the PATH. A virtual environment's key is its folder."""
ELSEWHERE = "?"
"""An environment whose folder cannot be known here (`/opt/venv`, `$HOME/env`): what it holds
is not known, so a command that may run from it is not refused."""
STEP_ENDS = "deactivate"
"""Put after an earlier step's commands in `Step.installed_before` when that step activated an
environment or changed its PATH: those last until the step ends, as `deactivate` would end
them (what a later step keeps is what $GITHUB_PATH and $GITHUB_ENV say)."""
WORKSPACE_PREFIX = re.compile(
    r"^(?:\$\{?(?:GITHUB_WORKSPACE|PWD)\}?|\$\(pwd\)|\$\{\{\s*github\.workspace\s*\}\})(?:/|$)"
)
"""The project's folder written in front of a path: `$PWD/.venv` is `.venv`."""
GITHUB_FILE_WRITE = re.compile(
    r"^(?:echo|printf(?:\s+'%s\\n'|\s+\"%s\\n\")?)\s+(?P<value>.+?)\s*>>\s*"
    r"(?P<quote>['\"]?)\$\{?(?P<file>GITHUB_PATH|GITHUB_ENV)\}?(?P=quote)$"
)
"""A line added to $GITHUB_PATH or $GITHUB_ENV: `echo "$PWD/.venv/bin" >> "$GITHUB_PATH"`."""
PATH_ASSIGNMENT = re.compile(r"^(?:export\s+)?PATH=(?P<value>\S+)$")
"""`export PATH="$PWD/.venv/bin:$PATH"`: the folders in front come first for the rest of the step."""
SOURCED = {"source", "."}
NOT_FOLLOWED = ": not followed:"
"""Put in `Step.installed_before` for what an earlier step did that the check cannot follow:
an action other than those it knows (`actions/cache` may restore a `.venv`), a script of the
project's. It may have installed anything anywhere, so a job's environments are no longer
known to be empty (`_Job.unfollowed`). The shell's `:` does nothing, should it ever run."""
GITHUB_HOSTED_RUNNER = re.compile(r"(?:ubuntu|windows|macos)-[A-Za-z0-9.-]+", re.IGNORECASE)
"""A label of one of GitHub's standard hosted runners (`ubuntu-latest`, `ubuntu-24.04`,
`ubuntu-24.04-arm`, `windows-2025`, `macos-15`): an image whose software GitHub lists. GitHub
compares labels without regard to case. Any other label (`self-hosted`, a runner group, a larger
runner's own name) may be a machine with anything installed."""
ACTIONS_THAT_INSTALL_NOTHING = {
    "actions/checkout", "actions/setup-python", "actions/upload-artifact",
    "actions/download-artifact",
}  # fmt: skip
"""Actions that put no Python package anywhere: setup-python installs a Python, not packages."""


def _folder(path: str) -> str:
    """A folder of the project as a command names it (`./.venv`, `$PWD/.venv`, `${{
    github.workspace }}/.venv` are all `.venv`); `ELSEWHERE` for one outside the project or one
    known only when the shell runs."""
    path = WORKSPACE_PREFIX.sub("", path.strip()).rstrip("/") or "."
    pure = PurePosixPath(path)
    if pure.is_absolute() or re.search(r"[$~`]", path) or ".." in pure.parts:
        return ELSEWHERE
    return pure.as_posix()


def _environment_of_program(word: str) -> str:
    """The environment whose command this is: `.venv/bin/pytest` is `.venv`'s."""
    parent = PurePosixPath(word).parent
    return _folder(str(parent.parent)) if parent.name == "bin" else ELSEWHERE


def _environment_of_bin(path: str) -> str:
    """The environment whose commands a folder on the PATH holds: `$PWD/.venv/bin` is `.venv`'s."""
    pure = PurePosixPath(path.strip().rstrip("/"))
    return _folder(str(pure.parent)) if pure.name == "bin" else ELSEWHERE


def _shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def not_followed(command: str) -> bool:
    """Whether a command runs what the check does not read, which may install anything: a
    script of the project's (`./scripts/bootstrap.sh`, `bash ci/setup.sh`, `source env.sh`) or a
    task runner's task (`tox -e py`)."""
    words = _shell_words(_program(command))
    if not words:
        return False
    if words[0] in SOURCED:
        return len(words) > 1 and PurePosixPath(words[1]).name != "activate"
    if words[0] in ("bash", "sh", "zsh", "dash") and len(words) > 1:
        return not words[1].startswith("-")
    if "/" in words[0]:
        return PurePosixPath(words[0]).parent.name != "bin"  # `.venv/bin/pytest` is followed
    tool = tool_words(command)
    return bool(tool) and tool[0] in TASK_RUNNERS


def changes_the_environment(command: str) -> bool:
    """Whether a command changes where later commands find their programs: an activation, a new
    PATH, or a line for $GITHUB_PATH or $GITHUB_ENV (`Step.installed_before` keeps them)."""
    words = _shell_words(command)
    return bool(
        (words[:1] and words[0] in SOURCED and len(words) > 1 and words[1].endswith("activate"))
        or PATH_ASSIGNMENT.match(command.strip())
        or GITHUB_FILE_WRITE.match(command.strip())
    )


FAILS = ": fails on GitHub:"
"""Put in `Step.installed_before` by an action that stops the job on GitHub, with why: the steps
after it never run (`_Job.broken`). The shell's `:` does nothing, should it ever run."""
UV_BEFORE_PROJECTS = ": uv older than 0.3.0:"
"""Put in `Step.installed_before` when setup-uv installs a uv before 0.3.0, with its `version:`
input: that uv's `uv sync`, `uv run` and `uv lock` fail (`_Job.old_uv`)."""
UV_PROJECTS_SINCE = "0.3.0"
"""The first uv whose project commands (`uv sync`, `uv run`, `uv lock`) and uv.lock format
(`version = 1`, which the course's lock files have) are stable; before it they were a preview."""
_UV_VERSION = r"v?(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,3}(?:-?(?:a|b|rc|alpha|beta)\.?\d*)?"
_UV_COMPARATOR = re.compile(
    rf"(?P<operator>===|==|!=|>=|<=|~=|>|<|\^|~|=)?\s*(?P<version>{_UV_VERSION})"
)
_UV_HYPHEN_RANGE = re.compile(rf"(?P<low>{_UV_VERSION})\s+-\s+(?P<high>{_UV_VERSION})")


def _uv_version_alternatives(text: str) -> list[list[tuple[str, str]]] | None:
    """setup-uv's `version:` as (operator, version) comparators, one list per `||` alternative:
    an exact version (`0.13.9`), an x-range (`0.13.x`, `0.13`), npm's semver ranges (`^0.13`,
    `~0.13.1`, `>=0.13 <0.14`, `0.12.0 - 0.13.0`) or a PEP 440 specifier (`>=0.13,<0.14`), as
    setup-uv reads them. None when it is none of these; `latest` and `*` are the empty list."""
    if text.lower() in ("latest", "*", "x"):
        return [[]]
    alternatives = []
    for alternative in text.split("||"):
        alternative = alternative.strip()
        hyphen = _UV_HYPHEN_RANGE.fullmatch(alternative)
        if hyphen:
            alternatives.append([(">=", hyphen["low"]), ("<=", hyphen["high"])])
            continue
        parts = [part for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^v\d])", alternative) if part]
        matches = [_UV_COMPARATOR.fullmatch(part) for part in parts]
        if not parts or not all(matches):
            return None
        alternatives.append(
            [(m["operator"] or "", m["version"].lstrip("v")) for m in matches if m is not None]
        )
    return alternatives


def _allows_uv_from(comparators: list[tuple[str, str]], first: str) -> bool:
    """Whether a version at or after `first` meets every comparator: whether the alternative's
    upper bound, if it has one, lies at or after `first`."""
    from packaging.version import InvalidVersion, Version

    floor = Version(first)
    for operator, written in comparators:
        parts = written.split(".")
        wildcard = next((i for i, part in enumerate(parts) if part in ("x", "X", "*")), None)
        numbers = parts[:wildcard] if wildcard is not None else parts
        try:
            version = Version(".".join(numbers)) if numbers else None
        except InvalidVersion:
            return True  # a pre-release spelling this reader does not order: not judged
        if version is None:
            continue
        if operator in ("<", "<="):
            if version < floor or (operator == "<" and version == floor):
                return False
        elif operator in ("", "=", "==", "===") and (wildcard is not None or len(numbers) < 3):
            # `0.2.x`, `0.2`: every 0.2 release; the next one up is where the range ends.
            if _next_release(version.release) <= floor:
                return False
        elif operator in ("", "=", "==", "==="):
            if version < floor:
                return False
        elif operator in ("~", "~=", "^"):
            # ~0.2.5 and ~=0.2.5 stay below 0.3; ^0.2.5 too (the first non-zero part is kept).
            release = version.release
            kept = release[:2] if operator == "~" or len(release) > 2 else release[:1]
            if operator == "^":
                position = next((i for i, n in enumerate(release) if n), len(release) - 1)
                kept = release[: position + 1]
            if _next_release(kept) <= floor:
                return False
    return True


def _next_release(release: tuple[int, ...]) -> Version:
    """The first version after every one that starts with `release`: (0, 2) gives 0.3."""
    from packaging.version import Version

    return Version(".".join(map(str, (*release[:-1], release[-1] + 1))))


def setup_uv_version_problem(version: str) -> str | None:
    """What stops a job at setup-uv's `version:` input: a value that is no version or range of
    uv's; None when it is one (or when none is given: setup-uv then takes the newest, or the one
    pyproject.toml's `required-version` names). The sentence has no `;`, `&` or `|`: it travels
    in `Step.installed_before`, whose lines are split into commands there."""
    if not version or _uv_version_alternatives(version) is not None:
        return None
    return (
        f"astral-sh/setup-uv is given `version: {shorten(version, 30)}`, which is no version "
        "of uv nor a range of them, so it installs nothing and the job stops there: give one "
        "such as `0.13.9`, a range such as `0.13.x` or `>=0.13`, or leave `version` out for "
        "the newest"
    )


def setup_uv_predates_projects(version: str) -> bool:
    """Whether every uv that setup-uv's `version:` allows is older than `UV_PROJECTS_SINCE`."""
    alternatives = _uv_version_alternatives(version) if version else None
    if not alternatives:
        return False
    return not any(_allows_uv_from(a, UV_PROJECTS_SINCE) for a in alternatives)


def setup_uv_commands(inputs: Mapping[str, str]) -> tuple[str, ...]:
    """What astral-sh/setup-uv does for later steps, as commands that would do the same.

    With `activate-environment: true` it runs `uv venv` on `venv-path` (default: `.venv` in its
    `working-directory`, the workspace unless given), adds the environment's `bin` to the PATH
    and exports VIRTUAL_ENV (action.yml and `activateEnvironment()` in src/setup-uv.ts of
    astral-sh/setup-uv; the input is read with `core.getBooleanInput`, so `true`, `True` and
    `TRUE` count). Without it, setup-uv puts only uv itself (and uv's tool folder) on the PATH:
    the environment `uv sync` makes is not on it, and bare `pytest` is the runner's. Before v6,
    setup-uv also made and activated an environment when given `python-version`; the pin's
    version is not read here, so that one is not followed (`NOT_FOLLOWED`).

    Its `version:` input (`0.13.9`, `0.13.x`, `>=0.13`) is read: one that is no version stops
    the job (`FAILS`), and one older than 0.3.0 makes the project commands after it fail
    (`UV_BEFORE_PROJECTS`).
    """
    version = inputs.get("version", "").strip().strip("\"'")
    problem = setup_uv_version_problem(version)
    if problem is not None:
        return (f"{FAILS} {problem}",)
    before = (f"{UV_BEFORE_PROJECTS} {version}",) if setup_uv_predates_projects(version) else ()
    return before + _setup_uv_environment(inputs)


def _setup_uv_environment(inputs: Mapping[str, str]) -> tuple[str, ...]:
    """What setup-uv's `activate-environment` (or, before v6, `python-version`) leaves."""
    if inputs.get("activate-environment", "").strip() not in ("true", "True", "TRUE"):
        if inputs.get("python-version", "").strip():
            return (f"{NOT_FOLLOWED} astral-sh/setup-uv with `python-version`",)
        return ()
    working = inputs.get("working-directory", "").strip() or "."
    venv = inputs.get("venv-path", "").strip() or PROJECT_ENVIRONMENT
    path = venv if venv.startswith(("/", "~")) else f"{working}/{venv}"
    folder = _folder(path)
    # One outside the project stays as written: the steps after it then may find anything.
    made, where = (folder, f"$GITHUB_WORKSPACE/{folder}") if folder != ELSEWHERE else (path, path)
    return (
        f"uv venv {shlex.quote(made)}",
        f'echo "{where}/bin" >> "$GITHUB_PATH"',
        f'echo "VIRTUAL_ENV={where}" >> "$GITHUB_ENV"',
    )


@dataclass
class _Environment:
    """What the job's installs put in one environment."""

    installs: list[str] = field(default_factory=list)
    """Every install into it since it was made, as written."""
    without_pytest: list[str] = field(default_factory=list)
    """Those that brought no pytest."""
    has_pytest: bool = False
    """Whether pytest is there, or may be (an install whose packages are not known here)."""
    made_empty: bool = False
    """Whether the job made it (`uv venv`, setup-uv's `activate-environment: true`, `python -m
    venv`): a new environment holds no package until something installs into it."""


class _Job:
    """Where a job's commands install, and where a pytest command looks: step by step, as the
    runner's PATH and the activations of a step decide.

    The runner's Python (`RUNNER_PYTHON`) is the one on the PATH, and has no pytest, until a
    step installs it there (`pip install`, `uv pip install --system`). `uv sync` installs into
    the project's environment (`.venv`, or $UV_PROJECT_ENVIRONMENT), which is not on the PATH:
    bare `pytest` finds it only once the environment is activated in the same step
    (`source .venv/bin/activate`), or put on the PATH for later steps ($GITHUB_PATH, or
    setup-uv's `activate-environment: true`, which `setup_uv_commands` spells out).
    """

    def __init__(self, project: _Project, project_copy: Path, env: Mapping[str, str]) -> None:
        self.project, self.project_copy = project, project_copy
        self.from_env = _uv_options_from_env(dict(env))
        self.system = env.get("UV_SYSTEM_PYTHON", "").strip().lower() in UV_TRUE
        outside = env.get("UV_PROJECT_ENVIRONMENT", "").strip()
        # A project environment outside the project (`/usr/local`, `$pythonLocation`) is there
        # to be found on the PATH: its packages count as the runner's.
        self.project_folder = _folder(outside or PROJECT_ENVIRONMENT)
        if self.project_folder == ELSEWHERE:
            self.project_folder = RUNNER_PYTHON
        self.environments: dict[str, _Environment] = {ELSEWHERE: _Environment(has_pytest=True)}
        self.job_path: list[str] = []
        """The environments $GITHUB_PATH put first on the PATH, the last added first."""
        self.job_virtual_env = ""
        self.path: list[str] = []
        """This step's: the job's, and what the step activated itself."""
        self.path_after: list[str] = []
        """The environments this step put after the old PATH (`PATH=$PATH:.venv/bin`)."""
        self.virtual_env = ""
        self.tools_on_path = False
        """Whether `uv tool install` or `pipx install` put commands on the PATH."""
        self.known = True
        """False after an install whose target is not followed here (`poetry install`)."""
        self.unfollowed = False
        """True after a command or action the check does not read (`NOT_FOLLOWED`): an
        environment the job made may then hold anything, and `uv pip` may find one."""
        self.broken = ""
        """Why an earlier command of the job fails on GitHub, which stops the job there."""
        self.old_uv = ""
        """setup-uv's `version:` when it installs a uv before 0.3.0 (`UV_BEFORE_PROJECTS`)."""
        self.has_lock = (project_copy / LOCK_FILE).is_file()
        """Whether uv.lock is there, or may be: committed with the project, or written by an
        earlier `uv lock`, `uv sync` or `uv run` of the job (each locks first unless told not
        to), or by a script of the project's that the check does not read."""
        self.step_lock_variables = _lock_variables(env)
        """UV_LOCKED or UV_FROZEN set in the step's `env:`: for its own commands only, as an
        earlier step's commands carry their own (`CourseMachine.installs_of`)."""
        self.job_lock_variables: list[str] = []
        """Those an earlier step wrote to $GITHUB_ENV: for every command after it."""
        # An environment that the job's `env:` activates counts for `uv pip` and `--active`;
        # a Conda one (`CONDA_PREFIX`, setup-miniconda's) lies outside the project.
        if env.get("VIRTUAL_ENV", "").strip():
            self.job_virtual_env = self.virtual_env = _folder(env["VIRTUAL_ENV"])
        elif env.get("CONDA_PREFIX", "").strip():
            self.job_virtual_env = self.virtual_env = ELSEWHERE

    # ----------------------------------------------------------------------- following
    def follow_earlier(self, command: str) -> None:
        """An install or a change of the PATH of an earlier step (`Step.installed_before`)."""
        if command == STEP_ENDS:
            self.path, self.virtual_env = list(self.job_path), self.job_virtual_env
            self.path_after = []
        else:
            self._follow(command, later_steps_too=True)

    def follow(self, command: str) -> str:
        """A command of the step itself: why it would find no pytest on GitHub, or ""."""
        return self._follow(command, later_steps_too=False)

    def _follow(self, command: str, later_steps_too: bool) -> str:
        raw = command.strip()
        words = _uv_words(command)
        if raw.startswith(FAILS):
            self.broken = self.broken or raw.removeprefix(FAILS).strip()
            return self.broken
        if raw.startswith(UV_BEFORE_PROJECTS):
            self.old_uv = raw.removeprefix(UV_BEFORE_PROJECTS).strip()
            return ""
        if self.old_uv and words[:2] in (["uv", "sync"], ["uv", "run"], ["uv", "lock"]):
            shown = shorten(shlex.join(words), 60)
            self.broken = self.broken or (
                f"`{shown}` fails on GitHub: astral-sh/setup-uv's `version: {self.old_uv}` "
                f"installs a uv older than {UV_PROJECTS_SINCE}, the first whose `uv sync`, "
                "`uv run` and uv.lock format are stable; pin a newer uv, such as `0.13.9`, or "
                "leave `version` out"
            )
            return self.broken
        if words[:2] in (["uv", "sync"], ["uv", "run"], ["uv", "lock"]):
            stopped = self._without_lock(command, words, own=not later_steps_too)
            if stopped:
                self.broken = self.broken or stopped
                return self.broken
            if words[:2] == ["uv", "lock"]:
                return ""  # it writes uv.lock and installs nothing
        if raw.startswith(NOT_FOLLOWED) or not_followed(command):
            self.unfollowed = True
            # A project's script or task may run `uv lock`; an action, a container or a runner
            # does not write the project's uv.lock into the checkout.
            self.has_lock = self.has_lock or not raw.startswith(NOT_FOLLOWED)
            return ""
        if makefile.make_arguments(_program(command)) is not None:
            # Its recipe follows it (`pytest_left_out`); without a Makefile it is not known.
            if makefile.read_makefile(self.project_copy) is None:
                self.unfollowed = True
            return ""
        written = GITHUB_FILE_WRITE.match(raw)
        if written:
            # What a step adds to these files counts from the next step on.
            if later_steps_too:
                self._add_to_the_job(written["file"], " ".join(_shell_words(written["value"])))
            return ""
        assigned = PATH_ASSIGNMENT.match(raw)
        if assigned:
            entries = assigned["value"].strip("'\"").split(":")
            old = next((i for i, entry in enumerate(entries) if "PATH" in entry), len(entries))
            # Folders in front of the old PATH come before the runner's Python; those after it
            # are searched only for what the runner's folders lack (`pytest`, not `python`).
            self.path[:0] = [_environment_of_bin(entry) for entry in entries[:old]]
            self.path_after += [_environment_of_bin(entry) for entry in entries[old + 1 :]]
            return ""
        if words[:1] and words[0] in SOURCED and len(words) > 1:
            if PurePosixPath(words[1]).name == "activate":
                folder = _environment_of_program(words[1])
                self.path.insert(0, folder)
                self.virtual_env = folder
            return ""
        if words[:2] == ["uv", "sync"]:
            self._sync(words)
            return ""
        if words[:2] == ["uv", "run"]:
            reason = self._pytest_found(command, words)
            self._run_syncs(words)
            return reason
        if PIP_INSTALL.match(_program(command)):
            return self._pip_install(command, words)
        if MAKES_EMPTY_ENVIRONMENT.match(_program(command)):
            made = _folder(environment_made_by(command, {}))
            if made != ELSEWHERE:
                self.environments[made] = _Environment(made_empty=True)
            return ""
        if words[:3] == ["uv", "tool", "install"] or words[:2] == ["pipx", "install"]:
            self.tools_on_path = True  # on the PATH from now on: uv's and pipx's tool folder
            return ""
        if may_install(command):
            self.known = False  # it may install pytest: what the environment holds is not known
            return ""
        return self._pytest_found(command, words)

    def _add_to_the_job(self, file: str, value: str) -> None:
        if file == "GITHUB_PATH":
            folder = _environment_of_bin(value)
            self.job_path.insert(0, folder)
            self.path.insert(0, folder)
            return
        name, _, setting = value.partition("=")
        if name == "VIRTUAL_ENV":
            self.job_virtual_env = self.virtual_env = _folder(setting)
        elif name == "UV_SYSTEM_PYTHON":
            self.system = setting.strip().lower() in UV_TRUE
        elif name in LOCK_VARIABLES:
            others = [variable for variable in self.job_lock_variables if variable != name]
            self.job_lock_variables = others + _lock_variables({name: setting.strip("'\"")})

    def _without_lock(self, command: str, words: list[str], own: bool) -> str:
        """Why a `uv sync`, `uv run` or `uv lock` stops on GitHub for want of uv.lock, or "";
        note the uv.lock it writes.

        `--locked` (use uv.lock, and fail if it is out of date) and `--frozen` (use it as it
        is) both need the file: without it uv stops with exit code 2 and “Unable to find
        lockfile at `uv.lock`” (astral-sh/uv's own tests, `sync::locked`; newer uv adds “, but
        `--frozen` was provided”), and so does `uv lock --check`. UV_LOCKED and UV_FROZEN in
        the environment do the same as the options, for `uv lock` too (astral-sh/uv issue
        17259). Without them each of these commands resolves afresh and writes uv.lock, so a
        `--locked` after it finds one; `uv run --no-sync` (or `--no-project`, `--script`)
        reads no lock."""
        if words[1] == "run":
            options = _uv_run_options(words)[0]
            named = {option.partition("=")[0] for option in options} | set(self.from_env)
            if named & {"--no-sync", "--no-project", "--script"}:
                return ""
            needing = named & set(LOCK_ONLY_OPTIONS)
        else:
            named = {word.partition("=")[0] for word in words[2:]}
            needs = LOCK_CHECKS if words[1] == "lock" else LOCK_ONLY_OPTIONS
            needing = named & set(needs)
        variables = _lock_variables(_assignments(command)) + self.job_lock_variables
        if own:
            variables += self.step_lock_variables
        if self.has_lock:
            return ""
        if not needing and not variables:
            self.has_lock = "--dry-run" not in named
            return ""
        shown = shorten(shlex.join(words), 60)
        if needing:
            option = next(
                option for option in (*LOCK_CHECKS, *LOCK_ONLY_OPTIONS) if option in needing
            )
            cause, without = f"`{shown}`", f"leave out `{option}`"
        else:
            cause = f"`{shown}`, with `{variables[0]}` set in `env:`,"
            without = f"leave `{variables[0]}` out of `env:`"
        return (
            f"{cause} stops on GitHub: your project has no uv.lock, and uv stops with "
            "“Unable to find lockfile at `uv.lock`”. Run `uv lock` in your project and commit "
            f"uv.lock, or {without} until you do (stage 07 makes one)"
        )

    def _sync(self, words: list[str]) -> None:
        words = [*words, *_not_overridden(self.from_env, words[2:])]
        has_pytest = brings_pytest(self.project.selected(words[2:])[0])
        # `--active` syncs the activated environment instead of the project's own.
        folder = self.virtual_env if "--active" in words and self.virtual_env else None
        folder = folder or self.project_folder
        if folder == ELSEWHERE:
            return  # outside the project: what it holds stays unknown, as after `uv run --active`
        before = self.environments.get(folder)
        if "--inexact" in words and before is not None:
            has_pytest = has_pytest or before.has_pytest
        synced = shlex.join(words)
        # `uv sync` is exact: it removes what earlier installs put there.
        self.environments[folder] = _Environment(
            [synced], [] if has_pytest else [synced], has_pytest
        )
        self.known = True

    def _run_syncs(self, words: list[str]) -> None:
        """`uv run` first syncs the project's environment (the activated one with `--active`):
        it adds what the options select and leaves what is there, unless told not to."""
        options, _ = _uv_run_options(words)
        options += _not_overridden(self.from_env, options)
        named = {option.partition("=")[0] for option in options}
        if named & {"--no-sync", "--no-project", "--isolated", "--script"}:
            return
        folder = self.virtual_env if "--active" in named and self.virtual_env else None
        folder = folder or self.project_folder
        if folder == ELSEWHERE:
            return  # outside the project: what it holds stays unknown
        has_pytest = brings_pytest(self.project.selected(options)[0])
        run = shlex.join(words[:2] + options)
        before = self.environments.get(folder)
        if before is None or (has_pytest and not before.has_pytest):
            self.environments[folder] = _Environment([run], [] if has_pytest else [run], has_pytest)
        elif not before.installs:  # a new environment, which it fills
            before.installs.append(run)
            if not has_pytest:
                before.without_pytest.append(run)

    def _pip_install(self, command: str, words: list[str]) -> str:
        """Follow an install; why it fails on GitHub, or "" when it does not."""
        folder = self._pip_target(words)
        if folder is None:
            shown = shorten(shlex.join(words), 60)
            self.broken = self.broken or (
                f"`{shown}` fails on GitHub: uv installs only into a virtual environment, and "
                "stops with “No virtual environment found” when none is activated and the "
                "project has no `.venv`; add `--system` to install into the runner's Python "
                "(or set `UV_SYSTEM_PYTHON: 1` in `env:`), or install the project with "
                "`uv sync` instead"
            )
            return self.broken
        environment = self.environments.setdefault(folder, _Environment())
        installed = pip_installed(command, self.project, self.project_copy)
        environment.installs.append(shlex.join(words))
        if installed is None or brings_pytest(installed):
            environment.has_pytest = True  # a file, URL or project not read here may list it
        else:
            environment.without_pytest.append(shlex.join(words))
        return ""

    def _pip_target(self, words: list[str]) -> str | None:
        """The environment a `pip install` (or `uv pip install`) installs into; None when uv
        would find none and stop."""
        options = {word.partition("=")[0] for word in words}
        if options & {"-t", "--target", "--prefix", "--root", "--python", "-p"}:
            return ELSEWHERE
        if words[:2] == ["uv", "pip"]:
            if "--system" in options or self.system:
                return RUNNER_PYTHON
            if self.virtual_env:
                return self.virtual_env
            # Without `--system`, uv installs only into a virtual environment: that of
            # $VIRTUAL_ENV, else of $CONDA_PREFIX, else `.venv` in the folder or the nearest
            # parent; with none it installs nothing (uv's docs, "Using Python environments",
            # docs.astral.sh/uv/pip/environments/, "Discovery of Python environments"), and
            # stops with "No virtual environment found; run `uv venv` to create an environment,
            # or pass `--system` to install into a non-virtual environment" (its wording since
            # astral-sh/uv pull request 7188). A fresh checkout has no `.venv` unless a step made one;
            # after a step that the check does not read, one may exist.
            if PROJECT_ENVIRONMENT in self.environments:
                return PROJECT_ENVIRONMENT
            return ELSEWHERE if self.unfollowed else None
        if "/" in words[0]:
            return _environment_of_program(words[0])
        return self.path[0] if self.path else RUNNER_PYTHON  # the `pip` first on the PATH

    # ------------------------------------------------------------------- judging pytest
    def _pytest_found(self, command: str, words: list[str]) -> str:
        if not self.known or pytest_arguments(command) is None:
            return ""
        program = _program(command)
        if RUNNER_PREFIX.match(program) and words[:2] != ["uv", "run"]:
            return ""  # poetry's, pdm's or hatch's own environment: not followed here
        looked_in: list[str] = []
        if words[:2] == ["uv", "run"]:
            options, added = _uv_run_options(words)
            options += _not_overridden(self.from_env, options)
            if brings_pytest(added):
                return ""
            if "--no-sync" not in options:
                project_environment = self.environments.get(self.project_folder)
                has_pytest = brings_pytest(self.project.selected(options)[0])
                # `uv run` adds what it needs and leaves what is there, unless `--exact`.
                if has_pytest or (
                    project_environment is not None
                    and project_environment.has_pytest
                    and "--exact" not in options
                ):
                    return ""
                return _without_pytest([shlex.join(words[:2] + options)], self.project)
            looked_in.append(self.project_folder)  # `uv run` puts it first on the PATH
        first = _shell_words(strip_runner(program))[0]
        is_python = re.fullmatch(r"python[\d.]*", PurePosixPath(first).name) is not None
        if "/" in first:
            looked_in = [_environment_of_program(first)]
        else:
            if self.tools_on_path and not is_python:
                return ""  # `uv tool install pytest` may have put it on the PATH
            looked_in += [*self.path, RUNNER_PYTHON, *self.path_after]
        if is_python:
            looked_in = looked_in[:1]  # the first `python` on the PATH, and its packages only
        found = [self.environments.get(folder, _Environment()) for folder in looked_in]
        if any(environment.has_pytest for environment in found):
            return ""
        installers = [install for environment in found for install in environment.without_pytest]
        elsewhere = {
            folder: environment
            for folder, environment in self.environments.items()
            if folder not in looked_in and folder != ELSEWHERE and environment.installs
        }
        on_the_path = RUNNER_PYTHON in looked_in
        if on_the_path and any(environment.has_pytest for environment in elsewhere.values()):
            return self._not_on_the_path(command, elsewhere)
        if installers:
            return _without_pytest(installers, self.project)
        if on_the_path and elsewhere:
            return self._not_on_the_path(command, elsewhere)
        first = self.environments.get(looked_in[0]) if looked_in else None
        if first is not None and first.made_empty and not first.installs and not self.unfollowed:
            return self._empty(command, looked_in[0])
        installed_anything = any(environment.installs for environment in self.environments.values())
        if on_the_path and not self.unfollowed and not installed_anything:
            return self._nothing_installed(command)
        return ""

    def _nothing_installed(self, command: str) -> str:
        """Why a command finds no pytest when no step of the job installs anything.

        GitHub's hosted images come without pytest: the software list of ubuntu-latest (Ubuntu
        24.04, images/ubuntu/Ubuntu2404-Readme.md of actions/runner-images) gives Python with
        pip and pipx, and its toolset (images/ubuntu/toolsets/toolset-2404.json) installs only
        yamllint and ansible-core with pipx and no Python package with apt. setup-python and
        setup-uv add a Python and uv, not packages. A job on a self-hosted runner or in a
        `container:` may have pytest: `installs_of_runner` leaves those unfollowed."""
        shown = shorten(strip_runner(_program(command)), 60)
        return (
            f"`{shown}` finds no pytest on GitHub: no step before it installs one, and the "
            "runner's own Python comes without it; run `uv sync` in a step before it and "
            f"`uv run {shown}` in its place, or install pytest first (`pip install pytest`)"
        )

    def _empty(self, command: str, folder: str) -> str:
        """Why a command finds no pytest in an environment the job made and left empty."""
        shown = shorten(strip_runner(_program(command)), 60)
        if folder == self.project_folder:
            fix = "`uv sync`"
        elif folder == self.virtual_env:
            fix = "`uv sync --active`"
        else:
            fix = f"`uv sync --active` with `{folder}/` activated"
        return (
            f"`{shown}` finds no pytest on GitHub: it runs from `{folder}/`, an environment "
            "made empty (by setup-uv's `activate-environment: true`, `uv venv` or `python -m "
            "venv`) that no step before it installs into, and the runner's own Python has none "
            f"either; run {fix} before it, to install the project and its dev group there"
        )

    def _not_on_the_path(self, command: str, elsewhere: dict[str, _Environment]) -> str:
        holders = [folder for folder, env in elsewhere.items() if env.has_pytest] or list(elsewhere)
        folder = holders[0]
        installs = elsewhere[folder].installs
        installer = " and ".join(f"`{install}`" for install in installs)
        shown = strip_runner(_program(command))
        if folder == self.project_folder:
            fix = (
                f"run `uv run {shorten(shown, 60)}` instead, or give astral-sh/setup-uv "
                "`activate-environment: true`"
            )
        else:
            fix = (
                f"run `{folder}/bin/{shorten(shown, 60)}` instead, or `source "
                f"{folder}/bin/activate` first in the same step"
            )
        return (
            f"`{shorten(shown, 60)}` runs from the runner's own Python, which has no pytest: "
            f"{installer} {'install' if len(installs) > 1 else 'installs'} into `{folder}/`, "
            f"which is not on the PATH; {fix}"
        )


def pytest_left_out(step: Step, project_copy: Path) -> str:
    """Why a pytest command of the step would find no pytest on GitHub, or "" when it would.

    The stand-in for `.venv/` here holds every command of the course's environment, and the
    course's environment is first on the PATH; on GitHub, pytest is only where the job installed
    it (`_Job`). So `uv sync --no-dev` (or `uv run --no-dev`) installs the project without the
    group that lists pytest; `pip install -e .` installs no dependency group (pip installs
    `[project.dependencies]`, and the extras it is given, but a group only with `--group`); and
    bare `pytest` after `uv sync` is the runner's, which has none, as `.venv/bin` is not on the
    PATH. After an install whose packages cannot be known here (`pip_installed`, `uv tool
    install`…), what the environment holds is not known, and nothing is refused.
    """
    try:
        project = _Project.read((project_copy / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    job = _Job(project, project_copy, dict(step.env))
    for command in step.installed_before:
        # `make install` is followed by what its recipe runs.
        for part in commands_of(makefile.expand(command, project_copy)) or [command]:
            job.follow_earlier(part)
    job.follow_earlier(STEP_ENDS)
    if job.broken:
        return f"the job stops before it, as an earlier step fails: {job.broken}"
    for command in commands_of(makefile.expand(step.script, project_copy)):  # `make test` too
        reason = job.follow(command)
        if reason:
            return reason
    return ""


def failing_final_install(
    job_steps: list[Step], project_copy: Path
) -> workflow_run.StepResult | None:
    """The first install of a job, after its last step that runs here, that fails on GitHub
    (`uv pip install` with no environment to install into), as a failed result; None when
    there is none. An install is skipped here, and a failing one is reported by the step after
    it (`pytest_left_out`): at the end of the job no step is left to report it, yet GitHub fails
    the job all the same."""
    last_run = max((i for i, step in enumerate(job_steps) if not step.skipped), default=-1)
    for step in job_steps[last_run + 1 :]:
        if step.skipped != ALREADY_INSTALLED or step.may_fail:
            continue
        reason = pytest_left_out(step, project_copy)
        if reason:
            return workflow_run.StepResult(step, 1, reason, would_fail_because=reason)
    return None


UV_ENV_OPTIONS = {"UV_NO_DEV": "--no-dev", "UV_NO_SYNC": "--no-sync"}
"""Settings uv reads from the environment as it reads these options (`env: UV_NO_DEV: 1`)."""
UV_TRUE = ("1", "true", "yes", "y", "on", "t")
"""The values uv reads as true in a boolean environment variable (`UV_NO_DEV=1`)."""


LOCK_FILE = "uv.lock"
LOCK_ONLY_OPTIONS = ("--locked", "--frozen")
"""Options of `uv sync` and `uv run` that use uv.lock instead of writing it: they stop when the
project has none (`_Job._without_lock`)."""
LOCK_CHECKS = ("--check", "--check-exists", *LOCK_ONLY_OPTIONS)
"""Options of `uv lock` that check uv.lock instead of writing it: they stop when there is none."""
LOCK_VARIABLES = ("UV_LOCKED", "UV_FROZEN")
"""Settings uv reads from the environment as it reads `--locked` and `--frozen`."""


def _lock_variables(env: Mapping[str, str]) -> list[str]:
    """The names of LOCK_VARIABLES that `env` sets to a true value."""
    return [name for name in LOCK_VARIABLES if env.get(name, "").strip().lower() in UV_TRUE]


def _assignments(command: str) -> dict[str, str]:
    """The `VAR=value` assignments in front of a command (`UV_FROZEN=1 uv sync`)."""
    assigned = {}
    for word in command.split():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", word):
            break
        name, _, value = word.partition("=")
        assigned[name] = value.strip("'\"")
    return assigned


def _uv_options_from_env(env: dict[str, str]) -> list[str]:
    return [
        option
        for name, option in UV_ENV_OPTIONS.items()
        if env.get(name, "").strip().lower() in UV_TRUE
    ]


def _not_overridden(from_env: list[str], options: list[str]) -> list[str]:
    """The options the environment sets that the command line does not settle itself: `--dev`
    on the command line wins over `UV_NO_DEV`."""
    named = {option.partition("=")[0] for option in options}
    settled = {"--no-dev": {"--dev", "--no-dev", "--only-dev"}, "--no-sync": {"--no-sync"}}
    return [option for option in from_env if not named & settled[option]]


def _without_pytest(installers: list[str], project: _Project) -> str:
    installer = " and ".join(f"`{command}`" for command in installers)
    places = project.holding_pytest()
    where = (
        f"pyproject.toml lists pytest in {' and '.join(places)}, which {installer} "
        f"{'leave' if len(installers) > 1 else 'leaves'} out"
        if places
        else f"{installer} {'install' if len(installers) > 1 else 'installs'} no pytest, as "
        "pyproject.toml lists it nowhere"
    )
    if not any(PIP_INSTALL.match(_program(command)) for command in installers):
        return (
            f"{where}, so the runner has no pytest; let that command install it, or run "
            "`uv run --with pytest pytest`"
        )
    extras = [name for name, reqs in project.extras.items() if brings_pytest(project.extra(name))]
    groups = [name for name, reqs in project.groups.items() if brings_pytest(reqs)]
    if extras:
        fix = (
            f"install the project with that extra, `pip install -e '.[{extras[0]}]'`, or name "
            "pytest in that command"
        )
    elif groups:
        fix = (
            "pip installs the extras of [project.optional-dependencies] (`.[NAME]`), not uv's "
            f"dependency groups: install the group with `pip install --group {groups[0]}` "
            "(pip 25.1 or later), or name pytest in that command"
        )
    else:
        fix = "name pytest in that command (`pip install -e . pytest`)"
    return f"{where}, so the runner has no pytest; {fix}"


def missing_test_paths(script: str, project_copy: Path) -> list[str]:
    """The paths a pytest command of the script names that the project does not have, with
    those of the recipes a `make` command of the script runs (`make test`)."""
    missing = []
    folder = project_copy
    # Each command on its own (`uv sync && pytest tests/x`), from the folder a `cd` before it
    # went to.
    for command in commands_of(makefile.expand(script, project_copy)):
        words = _program(command).split()
        if words[:1] == ["cd"]:
            if len(words) != 2 or re.search(r"[$~`'\"\\]|^-", words[1]):
                break  # a folder known only when the shell runs: what follows is pytest's to say
            folder = folder / words[1]
            continue
        arguments = pytest_arguments(command)
        if arguments is None:
            continue
        after_option = False
        for word in arguments:
            if after_option:
                after_option = False
                continue
            if word in PYTEST_OPTIONS_WITH_VALUE:
                after_option = True
                continue
            looks_like_path = "/" in word or word.endswith(".py")
            if looks_like_path and not word.startswith("-") and "::" not in word:
                # `tests/test_*.py`: the shell gives pytest the files the pattern matches.
                is_pattern = any(char in word for char in "*?[")
                found = any(folder.glob(word)) if is_pattern else (folder / word).exists()
                if not found:
                    missing.append(word)
    return missing


UVX_OPTIONS_WITH_VALUE = {
    "--from", "--with", "--with-requirements", "--with-editable", "--python", "-p", "--index",
    "--index-url", "--directory", "--spec",
}  # fmt: skip


def _case_pattern(options: set[str]) -> str:
    return "|".join(sorted(options))


RUNNERS = f"""\
__run_here() {{  # `uv run [options] command…`: the command itself, in the course's environment
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --) shift; break ;;
      {_case_pattern(UV_RUN_OPTIONS_WITH_VALUE)}) shift 2 ;;
      -m|--module) shift; set -- python -m "$@"; break ;;
      -*) shift ;;
      *) break ;;
    esac
  done
  case "${{1-}}" in *.py) set -- python "$@" ;; esac
  "$@"
}}
__run_tool_here() {{  # `uvx [options] ruff@0.8.0 …`: the course's own ruff
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --) shift; break ;;
      {_case_pattern(UVX_OPTIONS_WITH_VALUE)}) shift 2 ;;
      -*) shift ;;
      *) break ;;
    esac
  done
  [ "$#" -gt 0 ] || return 0
  local tool="${{1%%@*}}"
  tool="${{tool%%[=<>~!]*}}"
  shift
  "$tool" "$@"
}}
__skipped_here() {{ echo "skipped here: $*"; }}
uv() {{
  case "${{1-}}" in
    run) shift; __run_here "$@" ;;
    tool) if [ "${{2-}}" = run ]; then shift 2; __run_tool_here "$@"; else __skipped_here uv "$@"; fi ;;
    sync|lock|venv) __skipped_here uv "$@" ;;
    pip) case "${{2-}}" in install|sync) __skipped_here uv "$@" ;; *) command uv "$@" ;; esac ;;
    *) command uv "$@" ;;
  esac
}}
uvx() {{ __run_tool_here "$@"; }}
poetry() {{ case "${{1-}}" in run) shift; __run_here "$@" ;; install) __skipped_here poetry "$@" ;; *) command poetry "$@" ;; esac; }}
pdm() {{ case "${{1-}}" in run) shift; __run_here "$@" ;; install|sync) __skipped_here pdm "$@" ;; *) command pdm "$@" ;; esac; }}
pipenv() {{ case "${{1-}}" in run) shift; __run_here "$@" ;; install) __skipped_here pipenv "$@" ;; *) command pipenv "$@" ;; esac; }}
hatch() {{ case "${{1-}}" in run) shift; __run_here "$@" ;; *) command hatch "$@" ;; esac; }}
__python_here() {{  # `python -m pip install`, `python -m venv`: the environment is ready
  local program="$1"; shift
  case "${{1-}} ${{2-}} ${{3-}}" in
    "-m pip install"*|"-m pip uninstall"*|"-m venv "*|"-m virtualenv "*) __skipped_here "$program" "$@" ;;
    *) command "$program" "$@" ;;
  esac
}}
python() {{ __python_here python "$@"; }}
python3() {{ __python_here python3 "$@"; }}
pip() {{ case "${{1-}}" in install|uninstall) __skipped_here pip "$@" ;; *) command pip "$@" ;; esac; }}
pip3() {{ case "${{1-}}" in install|uninstall) __skipped_here pip3 "$@" ;; *) command pip3 "$@" ;; esac; }}
virtualenv() {{ __skipped_here virtualenv "$@"; }}
pipx() {{ case "${{1-}}" in run) shift; __run_tool_here "$@" ;; install|upgrade|inject|ensurepath) __skipped_here pipx "$@" ;; *) command pipx "$@" ;; esac; }}
make() {{ command make SHELL=bash "$@"; }}  # recipes in bash, which reads these functions too
"""
"""Runners and installers as shell functions: a runner runs its command in the course's
environment, which has every package, and an install is skipped. Functions rather than edits of
the script's text, so that they work wherever a command stands (after `&&`, in an `if`, after
`VAR=value`) and leave the script's quoting and `$VARIABLES` as written. Bash reads them from
$BASH_ENV (`Machine.shell_functions`), so that the line numbers of bash's own errors are the
script's."""


def runnable_script(script: str) -> str:
    """The script as it runs here: installs dropped (the environment has them); runners run
    their command directly through the functions of `RUNNERS`."""
    lines = []
    for command in logical_lines(script):
        # An install chained to other commands is skipped by the functions of `RUNNERS`.
        if _only_an_install(command):
            lines.append(f": skipped here: {shlex.quote(command)}")
        else:
            lines.append(command)
    return "\n".join(lines) + "\n"


def pytest_plugins_of(project_copy: Path) -> list[str]:
    """The pytest plugins of the packages the project depends on (what CI would install)."""
    try:
        pyproject = (project_copy / "pyproject.toml").read_text(encoding="utf-8")
        needed = uv_lock.project_packages(pyproject)
    except (OSError, ValueError):
        needed = {uv_lock.TEST_RUNNER}
    return plugins_of_packages(needed)


def plugins_of_packages(packages: set[str]) -> list[str]:
    """The pytest plugins that these packages (canonical names) bring."""
    from importlib.metadata import entry_points

    return sorted(
        {
            entry.value
            for entry in entry_points(group="pytest11")
            if entry.dist is not None and canonical(entry.dist.name) in packages
        }
    )


ADDED_PACKAGES = re.compile(r"--with(?:=|\s+)(['\"]?)(?P<requirements>[^\s'\"]+)\1")


def packages_added_by(script: str) -> set[str]:
    """The packages a script's `uv run --with` (or `uvx --with`) adds: `'pytest-xdist>=3'`."""
    names = set()
    for match in ADDED_PACKAGES.finditer(script):
        for requirement in match["requirements"].split(","):
            name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
            if name:
                names.add(canonical(name[0]))
    return names


FORCED_COLOUR = ("FORCE_COLOR", "CLICOLOR_FORCE")
"""Variables that make programs colour their output even into a pipe."""


def environment_for(project_copy: Path) -> dict[str, str]:
    """The environment a step runs in: the course's Python first, CI's variables, the plugins.

    Working out the plugins reads the course's lock file: a check works it out once and gives
    it to every step (`run_step(..., environment=...)`).
    """
    bin_folder = str(Path(sys.executable).parent)
    # Jupyter's kernel sets these for its own output; GitHub's runner does not, and with them
    # ruff and pytest would colour what they print into a check's message.
    inherited = {name: value for name, value in os.environ.items() if name not in FORCED_COLOUR}
    return {
        **inherited,
        "PATH": bin_folder + os.pathsep + os.environ.get("PATH", ""),
        "CI": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTEST_PLUGINS": ",".join(pytest_plugins_of(project_copy)),
        # Not the copy's own .hypothesis/, which is thrown away with the copy after every step.
        "HYPOTHESIS_STORAGE_DIRECTORY": str(pytest_runs.hypothesis_storage()),
    }


# ---------------------------------------------------------------------- the course's machine
def _stand_in_environment(runner_folder: Path) -> Path:
    """A stand-in for `.venv/`: the course's environment's commands under the same names.

    Not a link to the course's environment itself: a step's `pip install` or `uv add`
    through it would change that environment for every check that follows.
    """
    folder = runner_folder / "project-environment"
    if folder.exists():
        return folder
    commands = folder / "bin"
    commands.mkdir(parents=True)
    course = Path(sys.executable).parent
    for path in sorted(course.iterdir()):
        name = path.name
        if name.startswith(("activate", "deactivate")):
            continue
        if re.fullmatch(r"python[\d.]*", name):
            # A link would not find the environment's packages: Python looks for them
            # beside the path it was started by.
            _write_command(
                commands / name,
                'case "${1-} ${2-} ${3-}" in "-m pip install"*|"-m pip uninstall"*'
                '|"-m venv "*|"-m virtualenv "*) echo "skipped here: python $*"; exit 0 ;; '
                "esac\n"
                f'exec {shlex.quote(sys.executable)} "$@"',
            )
        elif re.fullmatch(r"pip[\d.]*", name):
            _write_command(
                commands / name,
                'case "${1-}" in install|uninstall) echo "skipped here: pip $*"; exit 0 ;; esac\n'
                f'exec {shlex.quote(str(path))} "$@"',
            )
        else:
            (commands / name).symlink_to(path)
    (commands / "activate").write_text(
        "# What `source .venv/bin/activate` does: the environment's commands come first.\n"
        f"export VIRTUAL_ENV={shlex.quote(sys.prefix)}\n"
        f'export PATH={shlex.quote(str(commands))}":$PATH"\n'
        "deactivate() { :; }\n",
        encoding="utf-8",
    )
    (folder / "pyvenv.cfg").write_text(
        f"home = {course}\ninclude-system-site-packages = false\n", encoding="utf-8"
    )
    return folder


def _write_command(path: Path, body: str) -> None:
    path.write_text(f"#!/usr/bin/env bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


class CourseMachine(Machine):
    """The course's environment in place of GitHub's runner: stage 06's rules for the simulator."""

    shell_functions = RUNNERS

    def why_skipped(self, script: str) -> str:
        return why_skipped(script)

    def installs_only(self, script: str) -> bool:
        # A system package manager's step runs on GitHub too: what it installs counts later.
        why = why_skipped(script)
        return why == ALREADY_INSTALLED or f"` {SYSTEM_PACKAGES}," in why

    def environment_made_by(self, script: str, env: Mapping[str, str]) -> str:
        return environment_made_by(script, env)

    def installs_of(self, script: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """Its installs, and what changes where later commands find their programs: an
        activation counts for the installs after it in the step, then ends (`STEP_ENDS`).
        UV_LOCKED or UV_FROZEN in the step's `env:` is put in front of its uv commands
        (`UV_FROZEN=1 uv sync`): a later step's own `env:` says nothing of them."""
        commands = commands_of(script)
        settings = " ".join(f"{name}=1" for name in _lock_variables(env or {}))
        if settings:
            commands = [
                f"{settings} {command}" if _uv_words(command)[:1] == ["uv"] else command
                for command in commands
            ]
        # A `make` target is followed by its recipe (`pytest_left_out`), which may install.
        kept = tuple(
            command
            for command in commands
            if may_install(command)
            or changes_the_environment(command)
            or not_followed(command)
            or makefile.make_arguments(_program(command)) is not None
            or _uv_words(command)[:2] == ["uv", "run"]  # it syncs the environment first
        )
        ends = any(
            changes_the_environment(command) and not GITHUB_FILE_WRITE.match(command.strip())
            for command in commands
        )
        return kept + ((STEP_ENDS,) if ends else ())

    def installs_of_runner(self, runs_on: str, in_container: bool) -> tuple[str, ...]:
        """Nothing on one of GitHub's own images (`ubuntu-latest`), which come without pytest
        (`_Job._nothing_installed`); a container's image or a self-hosted runner may hold
        anything, so the job's commands are not refused for what they may find there."""
        if in_container:
            return (f"{NOT_FOLLOWED} the job's `container:`",)
        if not GITHUB_HOSTED_RUNNER.fullmatch(runs_on):
            return (f"{NOT_FOLLOWED} runs-on {runs_on or 'an expression'}",)
        return ()

    def installs_of_action(self, uses: str, inputs: Mapping[str, str]) -> tuple[str, ...]:
        name = ActionReference(uses).name.lower()
        if name == "astral-sh/setup-uv":
            return setup_uv_commands(inputs)
        if name in ACTIONS_THAT_INSTALL_NOTHING:
            return ()
        return (f"{NOT_FOLLOWED} {uses}",)

    def what_runs(self, step: Step) -> tuple[Any, ...]:
        """What the step does here: a runner's options (`uv run --python 3.13`) and the Python
        version of an install change nothing."""
        *settings, installed, commands = super().what_runs(step)
        return (
            *settings,
            tuple(PYTHON_OPTION.sub("", command) for command in installed),
            tuple(strip_runner(command) for command in commands),
        )

    def base_environment(self, project_copy: Path) -> dict[str, str]:
        return environment_for(project_copy)

    def would_fail_because(self, step: Step, project_copy: Path) -> str:
        return pytest_left_out(step, project_copy)

    def prepare(self, runner: Runner, step: Step) -> None:
        """Give the copy the project's environment that `uv sync` made for this step's job."""
        name = PurePosixPath(step.project_environment)
        if not step.project_environment or name.is_absolute() or ".." in name.parts:
            return  # nothing made it, or it lies outside the project: not this copy's to have
        target = runner.project_copy / name
        if target.exists():
            return  # the learner's own, copied with the project, or made for an earlier step
        runner.link(target, _stand_in_environment(runner.folder))

    def script_as_run(self, script: str) -> str:
        return runnable_script(script)

    def step_environment(self, environment: dict[str, str], step: Step) -> dict[str, str]:
        # A package that `uv run --with` adds is installed for that command on GitHub: its
        # pytest plugin (`-n` of pytest-xdist) is loaded here too.
        added = plugins_of_packages(packages_added_by(step.script))
        if added and "PYTEST_PLUGINS" in environment:
            plugins = [name for name in environment["PYTEST_PLUGINS"].split(",") if name]
            environment["PYTEST_PLUGINS"] = ",".join(dict.fromkeys([*plugins, *added]))
        return environment


HERE = CourseMachine()
"""The machine that runs stage 06's steps (and the capstone's): the course's environment."""


# The simulator's own functions, with the course's environment as the machine that runs the steps.
plan = functools.partial(workflow_run.plan, machine=HERE)
"""Every `run:` step of the jobs a pull request starts, with what happens to it here."""
run_step = functools.partial(workflow_run.run_step, machine=HERE)
"""Run one step in the course's environment, in the project's copy."""
run_jobs = functools.partial(workflow_run.run_jobs, machine=HERE)
"""Run each job's steps in the course's environment, each job on a copy of its own."""
