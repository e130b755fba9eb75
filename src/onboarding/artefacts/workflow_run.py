"""Run a GitHub Actions workflow's `run:` steps on this machine, as GitHub's runners would.

What it simulates, for the jobs that a pull request starts (`workflow.simulate`):

- the `run:` steps of each job, in order, and those of a composite action of the repository's
  own (`uses: ./.github/actions/setup`), with the action's inputs;
- the `${{ }}` expressions of a script and of `env:`, filled in before the shell sees them, as
  for a pull request (`workflow_expressions`); a step's `if:`; `continue-on-error:` of the job
  and of the step;
- `env:` of the workflow, the job and the step, the nearer level winning; `working-directory:`
  and `defaults.run.working-directory`;
- the shell: a step that GitHub runs under PowerShell (on a Windows runner with no `shell:`,
  or with `shell: pwsh`) fails at what only bash reads (`source`, `export`, `FOO=1 cmd`,
  `if [ … ]`), runs here when bash reads it alike (`$env:FOO = "1"` is bash's `export`), and
  is skipped otherwise; on Windows `.venv/bin/` fails whatever the shell (`shell_problem`);
- a matrix: each combination is a job of its own, named as GitHub names it (`unit (3.13)`);
- the runner's files and variables: $GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT,
  $GITHUB_STEP_SUMMARY, $RUNNER_TEMP, $GITHUB_WORKSPACE, and what earlier steps wrote there;
- bash run as GitHub runs it (`-e -o pipefail`), with a time limit per step, after which
  whatever the step started is stopped; each job on a fresh copy of the project, the jobs side
  by side, and a job stopping at its first failing step.

What it does not simulate: `uses:` actions other than local composite ones (they run on GitHub's
runners only; what one leaves for later steps, such as an environment on the PATH, is the
machine's to say), `services:`, `container:`, events other than a pull request, operating systems or
Python versions other than this machine's, a step's outputs (a step whose `if:` reads them
runs), secrets (empty here), caches, and artefacts passed between jobs.

A simulator is enough for the course: what it asks of a learner's workflow is that the checks
it runs on a pull request pass on the learner's project, before it is pushed. The `run:` steps
decide that; the actions around them (checkout, setup-uv) prepare a runner, and this machine is
one already.

What a machine does differently from GitHub's runner is not decided here: a `Machine` says which
scripts cannot or need not run, how a script runs and in what environment. The plain `Machine`
runs every script as written; stage 06 gives the course's own (`onboarding.stages.ci.local_run`).
Nothing here touches the project's own files or git history: every step runs in a copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from onboarding.artefacts.workflow import (
    PULL_REQUEST,
    Workflow,
    action_inputs,
    local_action,
    local_action_steps,
    matrix_combinations,
    simulate,
    steps_of,
)
from onboarding.artefacts.workflow_expressions import (
    ExpressionError,
    as_text,
    evaluate_condition,
    substitute,
)
from onboarding.checks import limit_paused
from onboarding.protocol import shorten

STEP_TIME_LIMIT = 120.0
"""Seconds one step may run; a test suite that takes longer belongs in a later or nightly job."""
JOBS_SIDE_BY_SIDE = os.cpu_count() or 1
"""How many jobs run at once: one per core (more would only share the cores, and slow each)."""

WORKSPACE = "${{ github.workspace }}"
"""What `${{ github.workspace }}` stays as when a step's script and `env:` are filled in (and
shown): the folder is each job's own copy, known only when the step runs, which puts the copy's
path in its place, as $GITHUB_WORKSPACE holds it."""


@dataclass(frozen=True)
class Step:
    """One `run:` step of a pull-request job, and what happens to it here."""

    job: str
    line: int
    name: str
    script: str
    skipped: str = ""
    """Why it is not run here; empty when it runs."""
    env: tuple[tuple[str, str], ...] = ()
    """The step's environment variables from `env:` of the workflow, the job and the step."""
    project_environment: str = ""
    """The folder of the project's environment (`.venv`) when this step or an earlier one of
    its job made it (`uv sync`), as the machine recognises it; empty when nothing did."""
    may_fail: bool = False
    """`continue-on-error:` holds for the step or its job (`${{ matrix.experimental }}`): its
    failure fails nothing, as on GitHub."""
    installed_before: tuple[str, ...] = ()
    """The install commands of the earlier steps of its job (`uv sync --no-dev`), in order, as
    the machine recognises them: what the project's environment holds when this step starts."""
    working_directory: str = ""
    """Where the script runs, from `working-directory:` or `defaults.run.working-directory`;
    empty for the project's folder."""
    shell: str = ""
    """The step's `shell:`, else `defaults.run.shell` of its job or the workflow, as written;
    empty when none is given, and the runner's default shell runs it (`shell_problem`)."""
    runner_os: str = "Linux"
    """`runner.os` of its job: `Windows` on a `windows-*` runner (`runner_context`)."""

    def describe(self) -> str:
        where = f"job `{self.job}`, line {self.line}"
        if self.skipped:
            return f"skipped: {self.name} ({where}): {self.skipped}"
        return f"runs: {self.name} ({where})"


@dataclass(frozen=True)
class StepResult:
    step: Step
    returncode: int | None
    output: str
    would_fail_because: str = ""
    """Why the step would fail on GitHub although it was not run here
    (`Machine.would_fail_because`)."""

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def logical_lines(script: str) -> list[str]:
    """The commands of a shell script: continuations joined, comments and blank lines dropped."""
    commands, pending = [], ""
    for raw in script.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line and not line.startswith("#"):
            commands.append(line)
    if pending.strip():
        commands.append(pending.strip())
    return commands


# -------------------------------------------------------------- what PowerShell cannot run
# GitHub's workflow syntax, `jobs.<job_id>.steps[*].shell` and `defaults.run.shell` (checked in
# github/docs, content/actions/reference/workflows-and-actions/workflow-syntax.md): a step with
# no `shell:` runs under bash on Linux and macOS ("the default shell on non-Windows platforms")
# but under `pwsh`, PowerShell 7, on Windows ("This is the default shell used on Windows");
# `shell: pwsh` runs PowerShell 7 on every runner, `shell: powershell` Windows PowerShell 5.1,
# and `shell: bash` on Windows Git for Windows' bash. The simulator runs every script in bash,
# so a bash-only line on a Windows job would pass here and fail there. Only what PowerShell
# certainly cannot run is refused: PowerShell 7 runs `uv run pytest -q`, `python -m pytest`,
# `a && b` and `$env:FOO = "1"`.
POWERSHELLS = ("pwsh", "powershell")
QUOTED = re.compile(r"'[^']*'|\"(?:[^\"`\\]|[`\\].)*\"")
"""A string in quotes, in PowerShell's or bash's way: what is inside it is not a command."""
BRACED_VARIABLE = re.compile(r"\$\{[^}]*\}")
"""`${HOME}` (bash) or `${env:HOME}` (PowerShell): a variable, not a block."""
COMMENT = re.compile(r"(?:^|\s)#.*")
STATEMENT_SEPARATORS = re.compile(r"&&|\|\||[;|&]")
ASSIGNMENT_FIRST = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
VENV_COMMAND = re.compile(r"(?:^|/)\.?venv/bin/")
"""`.venv/bin/pytest`: on Windows an environment keeps its commands in `.venv\\Scripts\\`."""
VENV_ON_WINDOWS = (
    "on Windows an environment keeps its commands in `.venv\\Scripts\\`, not `.venv/bin/`, "
    "whatever the shell"
)
BASHES = ("bash", "sh")
BASH_KEYWORDS_WITH_CONDITION = {"if", "elif", "while", "until", "for"}
"""Bash's `if [ -f x ]; then`, `for f in *; do`: PowerShell's own need `(` after the word."""
BASH_ONLY_WORDS = {"then", "fi", "done", "[", "[["}
OTHER_SHELLS = (
    "add `shell: bash` to the step (or `defaults: run: shell: bash` to the job or the "
    "workflow), or write commands that both shells run, such as `uv run pytest`"
)


def _code_lines(script: str) -> Iterator[tuple[str, str]]:
    """(line, code) for each line of a PowerShell script that is code: not in a string of
    several lines (`@"` … `"@`) or a comment (`<#` … `#>`, `# …`). `code` has its strings
    emptied (`''`) and its `${…}` variables made plain, so that what is left is commands."""
    here_string_end, in_block_comment = "", False
    for raw in script.splitlines():
        line = raw.strip()
        if here_string_end:
            here_string_end = "" if line.startswith(here_string_end) else here_string_end
            continue
        if in_block_comment:
            in_block_comment = "#>" not in line
            line = "" if in_block_comment else line.partition("#>")[2]
        code = BRACED_VARIABLE.sub("$v", QUOTED.sub("''", line))
        if code.endswith(('@"', "@'")):
            here_string_end = code[-1] + "@"
            code = code[:-2]
        if "<#" in code:
            code, _, rest = code.partition("<#")
            in_block_comment = "#>" not in rest
        yield line, COMMENT.sub("", code)


def top_level_commands(script: str) -> list[tuple[str, str]]:
    """(line, command) for each command of a PowerShell script outside `{ }` blocks: those it
    runs whatever its conditions say (a block may be `if ($IsLinux) { … }`). `command` is code
    (`_code_lines`)."""
    commands: list[tuple[str, str]] = []
    depth = 0
    for line, code in _code_lines(script):
        outside = []
        for char in code:
            if char == "{":
                depth += 1
            elif char == "}":
                depth = max(0, depth - 1)
            elif depth == 0:
                outside.append(char)
        for command in STATEMENT_SEPARATORS.split("".join(outside)):
            if command.strip():
                commands.append((line, command.strip()))
    return commands


def _bash_only(command: str, runner_os: str) -> str:
    """What in a command PowerShell cannot run on the runner, in words; "" when it may run."""
    words = command.split()
    first, second = words[0], words[1] if len(words) > 1 else ""
    windows = runner_os == "Windows"
    if first == "source" or (windows and first == "." and second.endswith("/bin/activate")):
        return "has no `source` (an environment on Windows has `.venv\\Scripts\\Activate.ps1`)"
    if first == "export":
        return 'has no `export` (it sets a variable with `$env:NAME = "value"`)'
    if ASSIGNMENT_FIRST.match(first):
        return 'cannot run `NAME=value command` (it sets a variable with `$env:NAME = "value"`)'
    condition = first in BASH_KEYWORDS_WITH_CONDITION
    if first in BASH_ONLY_WORDS or (condition and not command[len(first) :].strip()[:1] == "("):
        return (
            f"cannot read bash's `{first}` (its `if`, `for` and `while` take a condition in "
            "`( )` and commands in `{ }`, with no `then`, `fi`, `do` or `done`)"
        )
    if windows and _runs_from_venv_bin(command):
        return f"finds no `.venv/bin/`: {VENV_ON_WINDOWS}"
    return ""


def _runs_from_venv_bin(command: str) -> bool:
    """`.venv/bin/pytest`, `source .venv/bin/activate`: a command from an environment's `bin/`."""
    words = command.split()
    sourced = words[0] in ("source", ".") and len(words) > 1
    return bool(VENV_COMMAND.search(words[1] if sourced else words[0]))


def _powershell(shell: str, runner_os: str) -> str:
    """`pwsh` or `powershell` when PowerShell runs the step's script, else ""."""
    program = shell.split()[0].lower() if shell.strip() else ""
    program = program or ("pwsh" if runner_os == "Windows" else "bash")
    return program if program in POWERSHELLS else ""


def _bash_or_powershell(shell: str) -> bool:
    """Whether the step's `shell:` is one whose scripts are judged here: none (the runner's
    default), bash or sh, pwsh or powershell; not `python`, `cmd` or another program."""
    program = shell.split()[0].lower() if shell.strip() else ""
    return not program or PurePosixPath(program).name in (*BASHES, *POWERSHELLS)


def _shell_problem(script: str, shell: str, runner_os: str) -> str:
    """`shell_problem` of a script before its `Step` is made."""
    program, given = _powershell(shell, runner_os), shell.strip()
    if not program:
        if runner_os != "Windows" or (given and given.split()[0].lower() not in BASHES):
            return ""
        # Git's bash on a Windows runner reads bash, but `uv sync` made `.venv\Scripts\`.
        for line, command in top_level_commands(script):
            if _runs_from_venv_bin(command):
                return (
                    f"{VENV_ON_WINDOWS}: `{shorten(line, 60)}`; run the environment's commands "
                    "with `uv run` (`uv run pytest`), which finds them on every runner"
                )
        return ""
    if given:
        runs_under = f"its `shell: {shell}` runs it under PowerShell, which"
    else:
        runs_under = "on a Windows runner a step with no `shell:` runs under PowerShell, which"
    for line, command in top_level_commands(script):
        why = _bash_only(command, runner_os)
        if why:
            return f"{runs_under} {why}: `{shorten(line, 60)}`; {OTHER_SHELLS}"
    if program == "powershell":
        # Windows PowerShell 5.1 cannot parse `&&` anywhere in a script, in a block too.
        for line, code in _code_lines(script):
            if re.search(r"&&|\|\|", code):
                return (
                    f"{runs_under} in version 5.1 has no `&&` or `||`: `{shorten(line, 60)}`; "
                    f"use `shell: pwsh` (PowerShell 7 has them), or {OTHER_SHELLS}"
                )
    return ""


def shell_problem(step: Step) -> str:
    """What in the step its shell cannot run on its runner, as a sentence that says what to do,
    or "": what only bash reads, when PowerShell runs it (a Windows runner's default shell, or
    `shell: pwsh`); a command from `.venv/bin/` on Windows, which has `.venv\\Scripts\\`."""
    return _shell_problem(step.script, step.shell, step.runner_os)


ENV_ASSIGNMENT = re.compile(r"(^|;)\s*\$env:([A-Za-z_]\w*)\s*=\s*", re.IGNORECASE)
ENV_REFERENCE = re.compile(r"\$\{env:([A-Za-z_]\w*)\}|\$env:([A-Za-z_]\w*)", re.IGNORECASE)
CMDLET = re.compile(
    r"(?i:Get|Set|Write|New|Remove|Test|Invoke|Add|Copy|Move|Out|Select|ForEach|Where|Start"
    r"|Stop|Import|Export|ConvertTo|ConvertFrom|Join|Split|Resolve|Push|Pop|Clear|Measure|Sort"
    r"|Update|Expand|Compress|Tee)-\w+|[A-Z][a-z]+-[A-Z]\w*"
)
"""A PowerShell command (`Write-Host`, `Tee-Object`): a verb, a hyphen, a noun. Programs with a
hyphen in their name (`pre-commit`) are written in lower case."""
VENV_SCRIPTS = re.compile(r"(?:^|/)\.?venv/Scripts/", re.IGNORECASE)
"""`.venv/Scripts/pytest`: a Windows environment's command, which this machine's has in `bin/`."""


def _powershell_line_as_bash(line: str) -> str:
    """The line with PowerShell's environment variables written as bash's: `$env:FOO = "1"`
    is `export FOO="1"`, `$env:FOO` is `${FOO}`; what is in single quotes is left as it is."""
    parts = re.split(r"('[^']*')", line)
    for index in range(0, len(parts), 2):  # the even parts are outside single quotes
        part = ENV_ASSIGNMENT.sub(r"\1 export \2=", parts[index])
        parts[index] = ENV_REFERENCE.sub(lambda m: "${" + (m[1] or m[2]) + "}", part)
    return "".join(parts)


def powershell_as_bash(script: str) -> tuple[str, str]:
    """(the script as bash runs it the way PowerShell does, "") when its commands read the same
    in both shells once PowerShell's environment variables are bash's; else ("", its first line
    that bash would read otherwise: a block, a cmdlet, a PowerShell variable, a `\\` path)."""
    for line in script.splitlines():
        # A string of several lines (`@"` … `"@`) or a comment (`<#` … `#>`): bash has neither.
        text = line.strip()
        if text.endswith(('@"', "@'")) or text.startswith(('"@', "'@")):
            return "", text
        if "<#" in QUOTED.sub("''", text):
            return "", text
    bash = "\n".join(_powershell_line_as_bash(line) for line in script.splitlines())
    for line, code in _code_lines(bash):
        if re.search(r"[{}()\\`]|\.ps1\b", code):  # `. ./setup.ps1`: PowerShell's own script
            return "", line
    for line, command in top_level_commands(bash):
        if command[:1] in "$&@[" or CMDLET.match(command) or VENV_SCRIPTS.search(command):
            return "", line
    return bash + "\n", ""


def bash_script(step: Step) -> str:
    """The script bash runs here for the step: a PowerShell step's as bash reads it
    (`powershell_as_bash`; one it cannot read is skipped when planned)."""
    if _powershell(step.shell, step.runner_os):
        return powershell_as_bash(step.script)[0] or step.script
    return step.script


class Machine:
    """What the machine that runs the steps does in place of a GitHub runner: this simulator's
    seams. This one runs every script as written, in the environment it is given; a course's
    machine says what it does differently (skips installs, runs `uv run` in its own environment).
    """

    shell_functions = ""
    """Bash functions that each step's shell reads before its script (from $BASH_ENV)."""

    # ------------------------------------------------------------------ planning a job's steps
    def why_skipped(self, script: str) -> str:
        """Why the script cannot or need not run here; "" when it runs."""
        return ""

    def installs_only(self, script: str) -> bool:
        """Whether the script is skipped only because it installs what this machine has: on
        GitHub it runs, so what it installs counts for the job's later steps."""
        return False

    def environment_made_by(self, script: str, env: Mapping[str, str]) -> str:
        """The folder of the project's environment that the script makes (`uv sync`), or ""."""
        return ""

    def installs_of(self, script: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """The script's commands that install packages (`Step.installed_before`); `env` is the
        step's environment, from `env:` of the workflow, the job and the step."""
        return ()

    def installs_of_action(self, uses: str, inputs: Mapping[str, str]) -> tuple[str, ...]:
        """What a `uses:` step that does not run here does for the job's later steps, as the
        commands that would do the same (`Step.installed_before`): an action that makes and
        activates an environment, say. `inputs` are its `with:`, expressions filled in."""
        return ()

    def installs_of_runner(self, runs_on: str, in_container: bool) -> tuple[str, ...]:
        """What the job's runner has before its first step, as commands that would do the same
        (`Step.installed_before`): `runs_on` is its `runs-on:` as text (`ubuntu-latest`,
        `self-hosted linux`), and `in_container` whether the job has a `container:`."""
        return ()

    def what_runs(self, step: Step) -> tuple[Any, ...]:
        """What the step does here: matrix combinations whose steps all do the same run once.
        Its last two items are the install commands before the step and the script's commands."""
        return (
            step.line,
            step.skipped,
            step.env,
            step.project_environment,
            step.working_directory,
            # A Windows run whose step its shell cannot run fails there, not on Linux.
            shell_problem(step),
            step.installed_before,
            tuple(logical_lines(step.script)),
        )

    # ---------------------------------------------------------------------- running a step
    def base_environment(self, project_copy: Path) -> dict[str, str]:
        """The environment a step starts from when the caller gives none."""
        return dict(os.environ)

    def would_fail_because(self, step: Step, project_copy: Path) -> str:
        """Why the step would fail on GitHub before it does anything, or "" (then it is run)."""
        return ""

    def prepare(self, runner: Runner, step: Step) -> None:
        """Give the job's copy what earlier steps would have made there (`Runner.link`)."""

    def script_as_run(self, script: str) -> str:
        """The script as this machine runs it."""
        return script

    def step_environment(self, environment: dict[str, str], step: Step) -> dict[str, str]:
        """The step's environment as this machine runs it, from the runner's (`Runner`)."""
        return environment


PLAIN = Machine()
"""A machine that runs every step as written."""


# ------------------------------------------------------------------------ planning the steps
def first_combination(strategy: Any) -> dict[str, Any]:
    """The matrix values of a job's first run (`workflow.matrix_combinations`)."""
    return matrix_combinations({"strategy": strategy})[0]


def _env_of(levels: list[Any], context: dict[str, Any]) -> dict[str, str]:
    """`env:` of the workflow, the job and the step, the nearer level winning, values filled in."""
    env: dict[str, str] = {}
    for level in levels:
        if not isinstance(level, Mapping):
            continue
        for name, value in level.items():
            text = as_text(value)
            try:
                # A value may read the levels above it (`${{ env.REPORTS }}/unit`).
                text = substitute(text, {**context, "env": dict(env)})
            except ExpressionError:
                pass  # left as written: the step that uses it says what went wrong
            env[str(name)] = text
    return env


def _holds(value: Any, context: dict[str, Any]) -> bool:
    """Whether a switch such as `continue-on-error:` is on: `true`, or an expression that is."""
    if value is None:
        return False
    try:
        return evaluate_condition(value, context) is True if "${{" in str(value) else value is True
    except ExpressionError:
        return False


def _step_if_holds(step: Mapping[str, Any], context: dict[str, Any]) -> bool:
    """Whether a step's `if:` holds in a run where every earlier step passed.

    A condition on an earlier step's outputs cannot be known here, nor one this evaluator cannot
    read: such a step runs, so that what it does is judged.
    """
    condition = step.get("if")
    if condition is None or re.search(r"\bsteps\s*\.", str(condition)):
        return True
    try:
        return evaluate_condition(condition, context)
    except ExpressionError:
        return True


def _run_steps(
    workflow: Workflow, job: Mapping[str, Any]
) -> Iterator[tuple[int, dict[str, Any], dict[str, Any] | None, dict[str, str]]]:
    """(index, step, None, {}) for each `run:` step of a job and each `uses:` step of an action
    that runs on GitHub only, and (index, inner step, the `uses:` step, its inputs) for each
    step of a composite action of the repository's own that the job uses. The `uses:` steps
    come too because what they do (an environment put on the PATH) counts for later steps."""
    for index, step in steps_of(job):
        if isinstance(step.get("run"), str):
            yield index, step, None, {}
        elif isinstance(step.get("uses"), str):
            action = local_action(workflow, step["uses"])
            if action is None:
                yield index, step, None, {}
                continue
            inputs = action_inputs(action, step.get("with"))
            for inner in local_action_steps(workflow, step["uses"]):
                if isinstance(inner.get("run"), str) or isinstance(inner.get("uses"), str):
                    yield index, inner, step, inputs


def _working_directory(workflow: Workflow, job: Mapping[str, Any], step: Mapping[str, Any]) -> str:
    """`working-directory:` of the step, else `defaults.run.working-directory` of the job or the
    workflow."""
    if step.get("working-directory") is not None:
        return as_text(step["working-directory"])
    for level in (job, workflow.data):
        defaults = level.get("defaults")
        run = defaults.get("run") if isinstance(defaults, Mapping) else None
        if isinstance(run, Mapping) and run.get("working-directory") is not None:
            return as_text(run["working-directory"])
    return ""


def _shell(workflow: Workflow, job: Mapping[str, Any], step: Mapping[str, Any], inner: bool) -> str:
    """`shell:` of the step, else `defaults.run.shell` of the job or the workflow; a step of a
    composite action (`inner`) has its own only, as the job's defaults do not reach it."""
    if step.get("shell") is not None:
        return as_text(step["shell"])
    for level in () if inner else (job, workflow.data):
        defaults = level.get("defaults")
        run = defaults.get("run") if isinstance(defaults, Mapping) else None
        if isinstance(run, Mapping) and run.get("shell") is not None:
            return as_text(run["shell"])
    return ""


def _steps_of_one_run(
    workflow: Workflow,
    job_id: str,
    job: Mapping[str, Any],
    combination: dict[str, Any],
    machine: Machine,
) -> list[Step]:
    github = PULL_REQUEST.context()["github"]
    context = {
        **PULL_REQUEST.context(),
        # The copy's own path takes the place of this one when the step runs (`Runner`).
        "github": {**github, "workspace": WORKSPACE},
        "matrix": combination,
        "runner": {"os": "Linux", "arch": "X64", "name": "GitHub Actions"},
        "job": {"status": "success"},
    }
    steps, made = [], ""
    runs_on = _runs_on(job, context)
    context["runner"] = runner_context(runs_on)
    installed = machine.installs_of_runner(runs_on, job.get("container") is not None)
    for index, step, action, inputs in _run_steps(workflow, job):
        context["inputs"] = inputs
        levels = [workflow.data.get("env"), job.get("env")]
        levels += [action.get("env"), step.get("env")] if action else [step.get("env")]
        env = _env_of(levels, context)
        if not isinstance(step.get("run"), str):
            commands = _installs_of_action(step, {**context, "env": env}, machine)
            made = machine.environment_made_by("\n".join(commands), env) or made
            installed += commands
            continue
        script = step["run"]
        line = workflow.line("jobs", job_id, "steps", index, "uses" if action else "run")
        skipped = ""
        shell = _shell(workflow, job, step, inner=action is not None)
        with contextlib.suppress(ExpressionError):  # left as written: not a shell named here
            shell = substitute(shell, {**context, "env": env})
        try:
            script = substitute(script, {**context, "env": env})
            directory = substitute(_working_directory(workflow, job, step), {**context, "env": env})
        except ExpressionError as error:
            skipped = f"a `${{{{ }}}}` expression cannot be worked out here ({error})"
            directory = ""
        first = logical_lines(script)[:1]
        name = str(step.get("name") or (f"`{shorten(first[0], 60)}`" if first else "a step"))
        if action:
            name = f"{name} of `{action['uses']}`"
        if not skipped and not _step_if_holds(step, {**context, "env": env, "steps": {}}):
            skipped = "its `if:` does not hold when the steps before it pass"
        # A step that runs on GitHub counts for the later ones, even one whose install the
        # machine skips; one that the workflow itself leaves out does not.
        happens = not skipped
        runner_os = context["runner"]["os"]
        # A script its shell cannot run fails on GitHub whatever it does (an install too):
        # it is not skipped, so that the job fails at it here (`why_it_would_fail`).
        shell_fails = bool(_shell_problem(script, shell, runner_os))
        # What bash runs here of a script PowerShell runs on GitHub, if bash can run it.
        as_bash = script
        if not skipped and not _bash_or_powershell(shell):
            skipped = f"it runs under `shell: {shell}`, not bash: run this step yourself"
        elif _powershell(shell, runner_os) and not shell_fails:
            as_bash, unreadable = powershell_as_bash(script)
            if unreadable and not skipped:
                skipped = (
                    f"it runs under PowerShell, which this machine does not have, and bash "
                    f"reads `{shorten(unreadable, 40)}` otherwise: run this step yourself"
                )
        skipped = skipped or ("" if shell_fails else machine.why_skipped(as_bash))
        happens = happens and (not skipped or machine.installs_only(as_bash))
        if happens:
            made = machine.environment_made_by(as_bash, env) or made
        may_fail = any(
            _holds(level.get("continue-on-error"), {**context, "env": env}) for level in (job, step)
        )
        steps.append(
            Step(
                job_id,
                line,
                name,
                script,
                skipped,
                tuple(env.items()),
                made,
                may_fail,
                installed,
                directory,
                shell,
                runner_os,
            )
        )
        if happens:
            installed += machine.installs_of(as_bash, env)
    return steps


def runner_context(runs_on: str) -> dict[str, str]:
    """The `runner` context of a job on one of GitHub's runners, from its label: `runner.os` is
    `Windows` on `windows-*`, `macOS` on `macos-*`, `Linux` otherwise; `runner.arch` is `ARM64`
    on the `*-arm` runners and on the Apple silicon Macs (all but the Intel ones: `macos-13`,
    `*-intel`, `*-large`), `X64` otherwise. A step's `if: runner.os == 'Windows'` then holds
    on the Windows job of a matrix only, as on GitHub."""
    label = runs_on.lower()
    os_name, arch = "Linux", "X64"
    if label.startswith("windows-"):
        os_name = "Windows"
    elif label.startswith("macos-"):
        os_name = "macOS"
        intel = label.startswith("macos-13") or label.endswith(("-intel", "-large"))
        arch = "X64" if intel else "ARM64"
    if label.endswith("-arm"):
        arch = "ARM64"
    return {"os": os_name, "arch": arch, "name": "GitHub Actions"}


def _runs_on(job: Mapping[str, Any], context: dict[str, Any]) -> str:
    """The job's `runs-on:` as text, its labels joined by spaces (`self-hosted linux`), its
    expressions filled in (`${{ matrix.os }}`); "" when it cannot be worked out here.

    A runner group (`{group: ci-runners, labels: ubuntu-latest}`) is named as `group <name>`
    before its labels: an organisation's group may hold self-hosted runners, whatever their
    labels say."""
    value = job.get("runs-on")
    labels: list[Any] = []
    if isinstance(value, Mapping):  # `runs-on: {group: …, labels: …}`
        if value.get("group") is not None:
            labels += ["group", value["group"]]
        value = value.get("labels", [])
    labels += value if isinstance(value, list) else [value]
    try:
        return " ".join(substitute(as_text(label), context) for label in labels).strip()
    except ExpressionError:
        return ""


def _installs_of_action(
    step: Mapping[str, Any], context: dict[str, Any], machine: Machine
) -> tuple[str, ...]:
    """What a `uses:` step does for later steps (`Machine.installs_of_action`), when it runs:
    its `if:` holds and its `with:` can be filled in."""
    if not _step_if_holds(step, {**context, "steps": {}}):
        return ()
    given = step.get("with")
    try:
        inputs = {
            str(name): substitute(as_text(value), context)
            for name, value in (given.items() if isinstance(given, Mapping) else [])
        }
    except ExpressionError:
        return ()
    return machine.installs_of_action(str(step["uses"]), inputs)


def plan(workflow: Workflow, machine: Machine = PLAIN) -> list[Step]:
    """Every `run:` step of the jobs a pull request starts, in order, with what happens to it.

    As on GitHub, each script and `env:` value has its `${{ }}` expressions filled in (for a
    pull request) before the shell sees it, and a step whose `if:` does not hold is skipped. A
    matrix job runs once for each of its combinations that does something different here
    (`Machine.what_runs`): a machine with a single environment cannot change a Python version or
    an OS, so combinations that differ only in those run once. Each run that remains is a job of
    its own, named as GitHub names it: `unit (3.13)`.
    """
    outcomes = simulate(workflow, PULL_REQUEST)
    steps = []
    for job_id, job in workflow.jobs.items():
        if not outcomes[job_id].runs:
            continue
        runs: dict[tuple[Any, ...], tuple[dict[str, Any], list[Step]]] = {}
        for combination in matrix_combinations(job):
            run = _steps_of_one_run(workflow, job_id, job, combination, machine)
            what_runs = tuple(machine.what_runs(step) for step in run)
            same = runs.get(what_runs)
            # Of two runs that do the same, the one whose failures count stands for both.
            if same is None or sum(s.may_fail for s in run) < sum(s.may_fail for s in same[1]):
                runs[what_runs] = (combination, run)
        for combination, run in runs.values():
            if len(runs) > 1:
                label = f"{job_id} ({', '.join(as_text(value) for value in combination.values())})"
                run = [dataclasses.replace(step, job=label) for step in run]
            steps.extend(run)
    return steps


# ------------------------------------------------------------------------- running the steps
GITHUB_FILE_COMMANDS = ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")
"""The files a runner gives each step to write to: a step that appends a summary, sets an
output or adds to the PATH fails without them (`>> "$GITHUB_OUTPUT"` has nowhere to go)."""


def read_env_file(text: str) -> dict[str, str]:
    """`NAME=value` lines, and `NAME<<DELIMITER` … `DELIMITER` blocks, as in $GITHUB_ENV."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, is_block, delimiter = line.partition("<<")
        if is_block and "=" not in name:
            block = []
            for body in lines:
                if body == delimiter:
                    break
                block.append(body)
            values[name.strip()] = "\n".join(block)
        elif "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def working_folder(step: Step, project_copy: Path) -> Path:
    """The folder the step's script runs in: the copy, or its `working-directory:` there."""
    directory = step.working_directory.replace(WORKSPACE, str(project_copy))
    return project_copy / directory if directory else project_copy


def why_it_would_fail(step: Step, project_copy: Path, machine: Machine = PLAIN) -> str:
    """Why the step would fail on GitHub before it does anything, or "" (then it is run)."""
    folder = working_folder(step, project_copy)
    if not folder.is_dir() or not folder.resolve().is_relative_to(project_copy.resolve()):
        return (
            f"its working directory `{step.working_directory}` is not a folder of the project; "
            "a relative `working-directory:` starts from the project's folder"
        )
    return shell_problem(step) or machine.would_fail_because(step, project_copy)


class Runner:
    """What a GitHub runner gives one job's steps: its files, and what earlier steps set there."""

    def __init__(self, folder: Path, project_copy: Path, machine: Machine = PLAIN) -> None:
        self.folder, self.project_copy, self.machine = folder, project_copy, machine
        self.links: list[Path] = []
        self.files = {name: folder / name.lower() for name in GITHUB_FILE_COMMANDS}
        for path in self.files.values():
            path.touch()
        (folder / "temp").mkdir()
        functions = folder / "bash_env.sh"
        functions.write_text(machine.shell_functions, encoding="utf-8")
        self.variables = {
            **{name: str(path) for name, path in self.files.items()},
            # Bash reads it before the script, so that the line numbers of bash's own errors
            # are the script's.
            "BASH_ENV": str(functions),
            "RUNNER_TEMP": str(folder / "temp"),
            "RUNNER_OS": "Linux",
            "GITHUB_WORKSPACE": str(project_copy),
        }

    def prepare(self, step: Step) -> None:
        """Give the copy what the machine says earlier steps of the job made there."""
        self.machine.prepare(self, step)

    def link(self, target: Path, folder: Path) -> None:
        """Put a link to a folder at `target` in the copy, for as long as the job runs."""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(folder, target_is_directory=True)
        self.links.append(target)

    def close(self) -> None:
        """Take the links out of the copy: they die with the runner."""
        for link in self.links:
            if link.is_symlink():
                link.unlink()

    def environment(self, base: Mapping[str, str], step: Step) -> dict[str, str]:
        """The step's environment: the base, the runner's, earlier steps' $GITHUB_ENV, its env."""
        added_paths = self.files["GITHUB_PATH"].read_text(encoding="utf-8").split()
        step_env = {
            name: value.replace(WORKSPACE, str(self.project_copy)) for name, value in step.env
        }
        environment = {
            **base,
            **read_env_file(self.files["GITHUB_ENV"].read_text(encoding="utf-8")),
            **step_env,
            **self.variables,
        }
        # GitHub puts later $GITHUB_PATH lines first; the base's PATH stays ahead of the
        # system's (an added `.venv/bin` that does not exist changes nothing).
        environment["PATH"] = os.pathsep.join([*reversed(added_paths), base.get("PATH", "")])
        return self.machine.step_environment(environment, step)


@contextlib.contextmanager
def runner_for(project_copy: Path, machine: Machine = PLAIN) -> Iterator[Runner]:
    """A runner's files for one job, thrown away with it."""
    with tempfile.TemporaryDirectory(prefix="onboard-runner-") as folder:
        runner = Runner(Path(folder), project_copy, machine)
        try:
            yield runner
        finally:
            runner.close()


def _start(
    step: Step, project_copy: Path, environment: dict[str, str], machine: Machine
) -> subprocess.Popen:
    script = machine.script_as_run(bash_script(step)).replace(WORKSPACE, str(project_copy))
    return subprocess.Popen(
        [
            "bash",
            "--noprofile",
            "--norc",
            "-e",
            "-o",
            "pipefail",
            "-c",
            script,
        ],
        cwd=working_folder(step, project_copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        start_new_session=True,
    )


def run_step(
    step: Step,
    project_copy: Path,
    time_limit: float = STEP_TIME_LIMIT,
    environment: dict[str, str] | None = None,
    machine: Machine = PLAIN,
) -> StepResult:
    """Run one step in bash, in the project's copy; stop all it started when it ends."""
    with runner_for(project_copy, machine) as runner:
        base = environment or machine.base_environment(project_copy)
        reason = why_it_would_fail(step, project_copy, machine)
        if reason:
            return StepResult(step, 1, reason, would_fail_because=reason)
        runner.prepare(step)
        process = _start(step, project_copy, runner.environment(base, step), machine)
        return _finish(step, process, time_limit)


def _finish(step: Step, process: subprocess.Popen, time_limit: float) -> StepResult:
    try:
        with limit_paused():  # the step has its own limit, `time_limit`
            output, _ = process.communicate(timeout=time_limit)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        output, returncode = f"stopped after {time_limit:g} s", None
    finally:
        _stop_group(process)
    return StepResult(step, returncode, output or "")


def jobs_of(steps: list[Step]) -> dict[str, list[Step]]:
    """The steps of each job, in order; the jobs in the workflow's order."""
    jobs: dict[str, list[Step]] = {}
    for step in steps:
        jobs.setdefault(step.job, []).append(step)
    return jobs


class _RunningSteps:
    """The steps running now, in several threads; `stop()` ends them all and starts no more."""

    def __init__(self, machine: Machine) -> None:
        self._machine = machine
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen] = set()
        self._stopped = False

    def run(
        self, step: Step, project_copy: Path, environment: dict[str, str], time_limit: float
    ) -> StepResult | None:
        """The step's result; None when `stop()` came first."""
        with self._lock:
            if self._stopped:
                return None
            process = _start(step, project_copy, environment, self._machine)
            self._processes.add(process)
        try:
            return _finish(step, process, time_limit)
        finally:
            with self._lock:
                self._processes.discard(process)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for process in self._processes:
                # The thread that started the step waits for it and collects it.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)


def run_jobs(
    steps: list[Step],
    copy_of_project: Callable[[], AbstractContextManager[Path]],
    environment: dict[str, str],
    runs_here: Callable[[Step, Path], bool] = lambda step, project_copy: True,
    time_limit: float = STEP_TIME_LIMIT,
    machine: Machine = PLAIN,
) -> dict[str, StepResult]:
    """Run each job's steps in order on a copy of its own, the jobs side by side.

    Returns the failing step's result for each job that failed, in the workflow's order of jobs;
    a job stops at its first failing step, as on GitHub. A step for which `runs_here(step, copy)`
    is false is passed over. The jobs are independent, as on GitHub's fresh runners: a job does
    not see what another wrote, and a job whose `needs:` failed still runs here, so that one
    check names every job's failure. If the waiting is interrupted, every step still running is
    stopped before the interruption goes on.
    """
    jobs = jobs_of(steps)
    running = _RunningSteps(machine)

    def first_failure(job_steps: list[Step]) -> StepResult | None:
        with copy_of_project() as project_copy, runner_for(project_copy, machine) as runner:
            for step in job_steps:
                if not runs_here(step, project_copy):
                    continue
                reason = why_it_would_fail(step, project_copy, machine)
                if reason:
                    if step.may_fail:
                        continue
                    return StepResult(step, 1, reason, would_fail_because=reason)
                runner.prepare(step)
                step_environment = runner.environment(environment, step)
                result = running.run(step, project_copy, step_environment, time_limit)
                if result is None or not (result.passed or step.may_fail):
                    return result
        return None

    workers = max(1, min(len(jobs), JOBS_SIDE_BY_SIDE))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ci-job") as pool:
        futures = {job: pool.submit(first_failure, job_steps) for job, job_steps in jobs.items()}
        try:
            # A job that breaks (its copy cannot be made, say) ends the wait at once.
            with limit_paused():  # each step has its own limit, `time_limit`
                finished, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
            for future in finished:
                future.result()  # raises what broke a job; `except` stops the other jobs
            failures = {job: future.result() for job, future in futures.items()}
        except BaseException:
            running.stop()
            raise
    return {job: failure for job, failure in failures.items() if failure is not None}


def _stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.kill()
    process.communicate()


# ---------------------------------------------------------------------- what a failure says
MAKE_REPORT = re.compile(r"^g?make(?:\[\d+\])?: \*\*\* \[")
"""make's own line for a recipe that failed (`make: *** [Makefile:5: test] Error 1`): it names
the Makefile's line, not what failed, which the recipe's command printed before it."""
USAGE_ERROR = re.compile(r"^ERROR: ")
"""pytest's line for a command it cannot run (`ERROR: file or directory not found: tests/x`):
it says more than the `no tests ran` after it."""


TERMINAL_STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
"""A terminal's colour or style code (`ESC[1;31m`) or a hyperlink (`ESC]8;;URL ESC\\`): a step
whose `env:` sets FORCE_COLOR, as many workflows do for GitHub's log, prints them even into a
pipe, and in a check's message they are noise."""
REFORMAT_SUMMARY = re.compile(r"\bwould (?:be )?reformat(?:ted)?\b")
"""A formatter's last line (`ruff format --check`, black's `--check`): `3 files would be
reformatted` says more than the diff before it, whose lines may read as errors."""


def summary_of(output: str) -> str:
    """The line of a failed command's output that says most: pytest's usage error or summary,
    a formatter's verdict, or the last."""
    output = TERMINAL_STYLE.sub("", output)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    telling = [line for line in lines if not MAKE_REPORT.match(line)] or lines
    for line in telling:
        if USAGE_ERROR.match(line):
            return shorten(line, 120)
    if telling and REFORMAT_SUMMARY.search(telling[-1]):
        return shorten(telling[-1], 120)
    for line in reversed(telling):
        if re.search(r"\b(failed|error|errors|passed|not found|no tests ran)\b", line, re.I):
            return shorten(line, 120)
    return shorten(telling[-1], 120) if telling else "it printed nothing"


def place_of(step: Step) -> str:
    """The step as a failure names it: `name (job `unit`, line 12)`."""
    return f"{step.name} (job `{step.job}`, line {step.line})"


def failure_of(result: StepResult) -> str:
    step = result.step
    where = place_of(step)
    if result.returncode is None:
        return f"{where} took longer than {STEP_TIME_LIMIT:g} s and was stopped"
    if result.would_fail_because:
        return f"{where} would fail on GitHub: {result.would_fail_because}"
    return f"{where} failed with exit code {result.returncode}: {summary_of(result.output)}"
