"""The simulator of a GitHub runner: plans a workflow's pull-request steps and runs them.

These tests use the plain `Machine`, which runs every script as written; what the course's
environment does differently (installs skipped, `uv run` in its own environment, pytest left
out by `uv sync --no-dev`) is stage 06's, tested in tests/stages/test_ci.py.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import pytest

from onboarding.artefacts import workflow as wf
from onboarding.artefacts import workflow_run

CHECKOUT = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"


def workflow_from(text: str, tmp_path: Path) -> wf.Workflow:
    path = tmp_path / "ci.yml"
    path.write_text(text, encoding="utf-8")
    return wf.read_workflow(path)


def one_job(*steps: str, strategy: str = "") -> str:
    """A pull-request workflow of one job `unit`, with these steps (YAML, indented as steps)."""
    return (
        f"on: pull_request\njobs:\n  unit:\n    runs-on: ubuntu-latest\n{strategy}"
        f"    steps:\n      - uses: {CHECKOUT}\n" + "".join(steps)
    )


def failures_of(text: str, tmp_path: Path) -> dict[str, str]:
    """What each failing job of the workflow printed, its steps run as written."""
    steps = [step for step in workflow_run.plan(workflow_from(text, tmp_path)) if not step.skipped]
    failures = workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ))
    return {job: result.output for job, result in failures.items()}


# --- running steps and jobs ----------------------------------------------------------------------


def test_a_step_that_runs_too_long_is_stopped(tmp_path):
    step = workflow_run.Step("unit", 3, "`sleep 30`", "sleep 30")
    result = workflow_run.run_step(step, tmp_path, time_limit=0.5)
    assert result.returncode is None
    assert "took longer than" in workflow_run.failure_of(result)


class Copies:
    """`copy_of_project` for run_jobs: a folder of its own per call, kept to look at afterwards."""

    def __init__(self, root: Path) -> None:
        self.root, self.made = root, []

    @contextlib.contextmanager
    def __call__(self):
        folder = Path(tempfile.mkdtemp(prefix="copy-", dir=self.root))
        self.made.append(folder)
        yield folder

    def contents(self) -> list[set[str]]:
        return sorted(({path.name for path in copy.iterdir()} for copy in self.made), key=sorted)


def steps_of_jobs(**scripts: list[str]) -> list[workflow_run.Step]:
    return [
        workflow_run.Step(job, number, f"`{script}`", script)
        for job, job_scripts in scripts.items()
        for number, script in enumerate(job_scripts, start=1)
    ]


def test_a_job_stops_at_its_first_failing_step_and_the_others_go_on(tmp_path):
    copies = Copies(tmp_path)
    steps = steps_of_jobs(
        lint=["touch linted", "exit 3", "touch after-the-failure"],
        unit=["touch tested"],
        later=["true", "echo bad output; exit 1"],
    )
    failures = workflow_run.run_jobs(steps, copies, dict(os.environ))
    assert list(failures) == ["lint", "later"]
    assert [failures[job].returncode for job in failures] == [3, 1]
    assert failures["later"].step.line == 2
    assert "exit code 1: bad output" in workflow_run.failure_of(failures["later"])
    # One copy per job: what a job wrote is in its own copy only, and nothing ran after `exit 3`.
    assert copies.contents() == [set(), {"linted"}, {"tested"}]


def test_steps_a_job_cannot_judge_are_passed_over(tmp_path):
    copies = Copies(tmp_path)
    steps = steps_of_jobs(unit=["exit 1", "touch judged"])
    failures = workflow_run.run_jobs(
        steps, copies, dict(os.environ), runs_here=lambda step, copy: step.line == 2
    )
    assert failures == {}
    assert copies.contents() == [{"judged"}]


def test_jobs_run_side_by_side(tmp_path, monkeypatch):
    # Each job waits until the other has started: they pass only if both run at the same time.
    monkeypatch.setattr(workflow_run, "JOBS_SIDE_BY_SIDE", 2)
    wait_for = "touch ../{me}; for _ in $(seq 200); do [ -e ../{other} ] && exit 0; sleep 0.05; done; exit 1"
    steps = steps_of_jobs(
        a=[wait_for.format(me="a-started", other="b-started")],
        b=[wait_for.format(me="b-started", other="a-started")],
    )
    assert workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ)) == {}


def test_a_failure_in_one_job_stops_the_steps_still_running_in_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(workflow_run, "JOBS_SIDE_BY_SIDE", 2)
    steps = steps_of_jobs(slow=["touch ../slow-started; sleep 20; touch finished"], broken=["true"])

    def runs_here(step: workflow_run.Step, copy: Path) -> bool:
        if step.job == "broken":
            for _ in range(200):  # the copy cannot break before the slow step is running
                if (tmp_path / "slow-started").exists():
                    break
                time.sleep(0.05)
            raise OSError("the copy could not be made")
        return True

    with pytest.raises(OSError, match="could not be made"):
        workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ), runs_here=runs_here)
    assert (tmp_path / "slow-started").exists()
    assert not list(tmp_path.glob("copy-*/finished"))


# --- planning: matrices, `if:`, expressions, working directories, composite actions -----------


@pytest.mark.parametrize(
    ("strategy", "combination"),
    [
        (None, {}),
        (
            {"matrix": {"python": ["3.12", "3.13"], "os": ["ubuntu-latest"]}},
            {"python": "3.12", "os": "ubuntu-latest"},
        ),
        ({"matrix": {"include": [{"python": "3.13"}, {"python": "3.12"}]}}, {"python": "3.13"}),
        (
            {"matrix": {"python": ["3.12"], "include": [{"python": "3.12", "extra": "cov"}]}},
            {"python": "3.12", "extra": "cov"},
        ),
        ({"matrix": "${{ fromJSON(needs.plan.outputs.matrix) }}"}, {}),
    ],
)
def test_a_matrix_job_runs_its_first_combination(strategy, combination):
    assert workflow_run.first_combination(strategy) == combination


SUITE_MATRIX = "    strategy:\n      matrix:\n        suite: [first, second]\n"


def test_every_combination_of_a_matrix_is_run(tmp_path):
    # The second combination fails: on GitHub that fails the pull request too.
    text = one_job('      - run: test "${{ matrix.suite }}" = first\n', strategy=SUITE_MATRIX)
    failures = failures_of(text, tmp_path)
    assert list(failures) == ["unit (second)"]


EXPERIMENTAL_MATRIX = (
    "    continue-on-error: ${{ matrix.experimental }}\n"
    "    strategy:\n      matrix:\n        suite: [first]\n        experimental: [false]\n"
    "        include:\n          - suite: second\n            experimental: true\n"
)


@pytest.mark.parametrize(
    ("failing", "failures"),
    [("second", []), ("first", ["unit (first, false)"])],
    ids=["allowed-to-fail", "must-pass"],
)
def test_a_combination_allowed_to_fail_fails_nothing(tmp_path, failing, failures):
    text = one_job(
        f'      - run: test "${{{{ matrix.suite }}}}" != {failing}\n', strategy=EXPERIMENTAL_MATRIX
    )
    assert sorted(failures_of(text, tmp_path)) == failures


def test_a_step_allowed_to_fail_does_not_stop_its_job(tmp_path):
    text = one_job(
        "      - run: exit 1\n        continue-on-error: true\n",
        "      - run: echo the job went on; exit 2\n",
    )
    assert "the job went on" in failures_of(text, tmp_path)["unit"]


@pytest.mark.parametrize(
    ("condition", "runs"),
    [
        ("matrix.suite == 'second'", ["unit (second)"]),
        ("failure()", []),  # runs only after a failing step: not in a run that passes
        ("always()", ["unit (first)", "unit (second)"]),
        # An earlier step's output cannot be known here: the step runs, to be judged.
        ("steps.changes.outputs.python == 'true'", ["unit (first)", "unit (second)"]),
    ],
)
def test_a_steps_if_is_honoured_in_each_combination(tmp_path, condition, runs):
    text = one_job(
        f"      - if: {condition}\n        run: echo ${{{{ matrix.suite }}}}; exit 1\n",
        strategy=SUITE_MATRIX,
    )
    assert sorted(failures_of(text, tmp_path)) == runs


def test_a_step_with_an_expression_that_cannot_be_worked_out_is_skipped(tmp_path):
    text = one_job(
        "      - run: echo ${{ hashFiles('uv.lock') }}\n",
        "      - run: uv run pytest tests/unit tests/integration tests/contract\n",
    )
    skipped, runs = workflow_run.plan(workflow_from(text, tmp_path))
    assert "cannot be worked out here" in skipped.skipped
    assert runs.skipped == ""


@pytest.mark.parametrize(
    "job_defaults",
    [
        "    defaults:\n      run:\n        working-directory: docs\n",
        "    defaults:\n      run:\n        working-directory: ${{ github.workspace }}/docs\n",
    ],
    ids=["relative", "under-the-workspace"],
)
def test_a_working_directory_is_where_the_script_runs(tmp_path, job_defaults):
    text = one_job(
        "      - run: mkdir docs\n        working-directory: .\n",
        '      - run: test "$(basename "$PWD")" = docs && test "$GITHUB_WORKSPACE" = "$(dirname "$PWD")"\n',
        strategy=job_defaults,
    )
    assert failures_of(text, tmp_path) == {}


def test_a_working_directory_the_project_does_not_have_fails(tmp_path):
    text = one_job("      - run: 'true'\n        working-directory: service\n")
    steps = workflow_run.plan(workflow_from(text, tmp_path))
    failures = workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ))
    assert "working directory `service` is not a folder of the project" in workflow_run.failure_of(
        failures["unit"]
    )


def test_a_local_composite_actions_steps_run_with_its_inputs(tmp_path):
    action = tmp_path / ".github" / "actions" / "check" / "action.yml"
    action.parent.mkdir(parents=True)
    action.write_text(
        "name: Check\ninputs:\n  suite:\n    default: unit\n  python:\n    default: '3.12'\n"
        "runs:\n  using: composite\n  steps:\n"
        '    - run: test "${{ inputs.suite }}-${{ inputs.python }}" = unit-3.13 && echo "$SUITE"\n'
        "      shell: bash\n      env:\n        SUITE: the ${{ inputs.suite }} tests\n"
        "    - run: exit 4\n      shell: bash\n",
        encoding="utf-8",
    )
    text = one_job(
        "      - uses: ./.github/actions/check\n        with:\n          python: '3.13'\n"
    )
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    steps = workflow_run.plan(wf.read_workflow(path))
    assert [step.line for step in steps] == [7, 7]
    failures = workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ))
    # The first step passed: its inputs are the action's defaults and the step's `with:`.
    assert dict(steps[0].env)["SUITE"] == "the unit tests"
    assert "of `./.github/actions/check` (job `unit`, line 7) failed with exit code 4" in (
        workflow_run.failure_of(failures["unit"])
    )


class ActivatingMachine(workflow_run.Machine):
    """A machine for which an action `example/activate` puts `env/` on the PATH."""

    def installs_of_action(self, uses, inputs):
        return (f"activate {inputs.get('folder', 'env')}",) if uses.startswith("example/") else ()


def test_what_an_action_leaves_for_later_steps_is_the_machines_to_say(tmp_path):
    text = one_job(
        "      - uses: example/activate@v1\n        with:\n          folder: ${{ env.FOLDER }}\n",
        "      - run: 'true'\n",
        "      - uses: example/activate@v1\n        if: github.event_name == 'push'\n",
        "      - uses: other/action@v1\n",
        "      - run: 'true'\n",
        strategy="    env:\n      FOLDER: ci-env\n",
    )
    steps = workflow_run.plan(workflow_from(text, tmp_path), machine=ActivatingMachine())
    # Only the `run:` steps are steps; an action whose `if:` does not hold leaves nothing.
    assert [step.installed_before for step in steps] == [("activate ci-env",)] * 2


class RunnerMachine(workflow_run.Machine):
    """A machine that says which runner each job runs on, before its first step."""

    def installs_of_runner(self, runs_on, in_container):
        return (f"on {runs_on}{' in a container' if in_container else ''}",)


@pytest.mark.parametrize(
    ("job_settings", "runner"),
    [
        ("    runs-on: ubuntu-latest\n", "on ubuntu-latest"),
        ("    runs-on: [self-hosted, linux]\n", "on self-hosted linux"),
        # A group is named as one: it may hold self-hosted runners, whatever their labels.
        ("    runs-on:\n      group: big-runners\n", "on group big-runners"),
        (
            "    runs-on:\n      group: big-runners\n      labels: ubuntu-latest\n",
            "on group big-runners ubuntu-latest",
        ),
        (
            "    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [macos-15]\n",
            "on macos-15",
        ),
        (
            "    runs-on: ubuntu-latest\n    container: python:3.13\n",
            "on ubuntu-latest in a container",
        ),
    ],
    ids=["label", "labels", "group", "group-with-labels", "matrix", "container"],
)
def test_what_the_runner_has_before_the_first_step_is_the_machines_to_say(
    tmp_path, job_settings, runner
):
    text = one_job("      - run: 'true'\n").replace("    runs-on: ubuntu-latest\n", job_settings)
    steps = workflow_run.plan(workflow_from(text, tmp_path), machine=RunnerMachine())
    assert [step.installed_before for step in steps] == [(runner,)]


@pytest.mark.parametrize(
    ("runs_on", "os_name", "arch"),
    [
        ("ubuntu-latest", "Linux", "X64"),
        ("ubuntu-24.04-arm", "Linux", "ARM64"),
        ("windows-2025", "Windows", "X64"),
        ("windows-11-arm", "Windows", "ARM64"),
        ("macos-15", "macOS", "ARM64"),
        ("macos-15-intel", "macOS", "X64"),
        ("macos-13", "macOS", "X64"),
        ("self-hosted linux", "Linux", "X64"),
    ],
)
def test_the_runner_context_follows_the_jobs_label(runs_on, os_name, arch):
    context = workflow_run.runner_context(runs_on)
    assert (context["os"], context["arch"]) == (os_name, arch)


@pytest.mark.parametrize(
    ("output", "summary"),
    [
        ("F\n1 failed in 0.12s\nmake: *** [Makefile:5: test] Error 1\n", "1 failed in 0.12s"),
        (
            "ERROR: file or directory not found: tests/unitt\n\nno tests ran in 0.01s\n"
            "make[1]: *** [Makefile:8: unit] Error 4\ngmake: *** [Makefile:3: test] Error 2\n",
            "ERROR: file or directory not found: tests/unitt",
        ),
        (
            "no tests ran in 0.01s\nERROR: file or directory not found: tests/x\n",
            "ERROR: file or directory not found: tests/x",
        ),
        (
            "make: *** No rule to make target 'tests'.  Stop.\n",
            "make: *** No rule to make target 'tests'. Stop.",
        ),
        ("", "it printed nothing"),
        ("\x1b[31m\x1b[1m1 failed\x1b[0m\x1b[31m in 0.12s\x1b[0m\n", "1 failed in 0.12s"),
        (
            "unformatted: File would be reformatted\n --> src/db.py:62:20\n"
            '-        raise RuntimeError("alembic.ini not found: start the service there")\n'
            "1 file would be reformatted, 35 files already formatted\n",
            "1 file would be reformatted, 35 files already formatted",
        ),
        (
            "tests/test_format.py::test_output prints: 3 files would be reformatted\n"
            "1 failed in 0.12s\n",
            "1 failed in 0.12s",
        ),
    ],
    ids=[
        "make-after-pytest",
        "nested-make",
        "usage-error-first",
        "make-alone",
        "nothing",
        "colour-codes",
        "formatter-verdict-after-its-diff",
        "pytest-summary-last",
    ],
)
def test_a_failures_summary_is_the_line_that_says_why(output, summary):
    # make's own line names the Makefile's line, not what failed; pytest's usage error (a test
    # path that does not exist) says more than its "no tests ran" after it.
    assert workflow_run.summary_of(output) == summary


def test_the_runners_env_file_is_read_as_github_reads_it():
    text = "A=1\nNOTES<<EOF\nline one\nline=two\nEOF\nB=x=y\n"
    assert workflow_run.read_env_file(text) == {"A": "1", "NOTES": "line one\nline=two", "B": "x=y"}


# --- a Windows runner runs its steps under PowerShell --------------------------------------------


def windows_job(script: str, *, step_settings: str = "", job_settings: str = "") -> str:
    """A pull-request workflow of one job `unit` on Windows, running the script in one step."""
    body = "".join(f"          {line}\n" for line in script.splitlines())
    step = f"      - run: |\n{body}{step_settings}"
    text = one_job(step).replace("runs-on: ubuntu-latest", "runs-on: windows-latest")
    return text.replace("    steps:\n", f"{job_settings}    steps:\n")


def problems_of(text: str, tmp_path: Path) -> list[str]:
    return [
        workflow_run.shell_problem(step)
        for step in workflow_run.plan(workflow_from(text, tmp_path))
    ]


BASH_ONLY = {
    "source-activate": ("source .venv/bin/activate && pytest", "has no `source`"),
    "dot-activate": (". .venv/bin/activate\npytest -q", "has no `source`"),
    "venv-bin": (".venv/bin/pytest -q", "`.venv\\Scripts\\`"),
    "workspace-venv-bin": ("$GITHUB_WORKSPACE/.venv/bin/python -m pytest", "`.venv\\Scripts\\`"),
    "export": ("export FOO=1\nuv run pytest", "has no `export`"),
    "assignment-before-command": ("FOO=1 pytest", "`NAME=value command`"),
    "assignment-alone": ("FOO=1; uv run pytest", "`NAME=value command`"),
    "if-then-fi": ("if [ -f uv.lock ]; then\n  uv sync --locked\nfi", "bash's `if`"),
    "if-on-a-later-line": ("uv sync\nif [[ -d tests ]]; then uv run pytest; fi", "bash's `if`"),
    "test-and": ("[ -f uv.lock ] && uv sync --locked", "bash's `[`"),
    "for-do-done": ("for f in tests/*.py; do uv run pytest $f; done", "bash's `for`"),
}


@pytest.mark.parametrize(("script", "why"), list(BASH_ONLY.values()), ids=list(BASH_ONLY))
def test_bash_only_syntax_on_a_windows_runner_fails_under_powershell(tmp_path, script, why):
    (problem,) = problems_of(windows_job(script), tmp_path)
    assert "on a Windows runner a step with no `shell:` runs under PowerShell" in problem
    assert why in problem, problem
    assert "add `shell: bash` to the step" in problem and "`uv run pytest`" in problem


@pytest.mark.parametrize(
    "script",
    [
        "uv sync --locked",
        "uv run pytest -q",
        "pytest -q",
        "python -m pytest",
        "uv sync --locked && uv run pytest -q || exit 1",
        '$env:FOO = "1"\nuv run pytest',
        ".venv\\Scripts\\pytest -q",
        "& .venv/Scripts/python -m pytest",
        "uv run pytest --cov-fail-under=80",
        # Bash's words in strings, comments and blocks that do not run on Windows.
        'Write-Output "export FOO=1; source x"',
        "# source .venv/bin/activate\nuv run pytest",
        "<#\nexport FOO=1\n#>\nuv run pytest",
        '$notes = @"\nexport FOO=1\n"@\nuv run pytest',
        "if ($IsLinux) { source .venv/bin/activate; export FOO=1 }",
        "if ($IsLinux) {\n  source .venv/bin/activate\n} else {\n  .venv\\Scripts\\Activate.ps1\n}",
        "foreach ($suite in 'unit', 'api') { uv run pytest tests/$suite }",
        "for ($i = 0; $i -lt 2; $i++) { uv run pytest }",
        "[Environment]::SetEnvironmentVariable('FOO', '1')",
    ],
)
def test_what_powershell_runs_is_not_refused_on_a_windows_runner(tmp_path, script):
    assert problems_of(windows_job(script), tmp_path) == [""]


BASH_SETTINGS = {
    "step": {"step_settings": "        shell: bash\n"},
    "job-defaults": {"job_settings": "    defaults:\n      run:\n        shell: bash\n"},
    "custom-bash": {"step_settings": "        shell: bash -l {0}\n"},
}


@pytest.mark.parametrize("settings", list(BASH_SETTINGS.values()), ids=list(BASH_SETTINGS))
def test_a_windows_step_run_by_bash_runs_as_written(tmp_path, settings):
    script = "export FOO=1\nBAR=2 uv run pytest\nif [ -f uv.lock ]; then uv lock --check; fi"
    assert problems_of(windows_job(script, **settings), tmp_path) == [""]


@pytest.mark.parametrize(
    ("runs_on", "shell", "refused"),
    [
        ("windows-latest", "bash", True),  # Git's bash, but `uv sync` made `.venv\Scripts\`
        ("windows-latest", "sh", True),
        ("windows-latest", "cmd", False),  # skipped: the check does not run cmd
        ("ubuntu-latest", "bash", False),
    ],
)
@pytest.mark.parametrize(
    "script", [".venv/bin/pytest -q", "source .venv/bin/activate\npytest", ". venv/bin/activate"]
)
def test_a_command_from_venv_bin_fails_on_windows_whatever_the_shell(
    tmp_path, runs_on, shell, refused, script
):
    text = windows_job(script, step_settings=f"        shell: {shell}\n")
    (problem,) = problems_of(text.replace("windows-latest", runs_on), tmp_path)
    assert bool(problem) == refused, problem
    if refused:
        assert "keeps its commands in `.venv\\Scripts\\`, not `.venv/bin/`" in problem, problem
        assert "`uv run pytest`" in problem


@pytest.mark.parametrize(
    ("runs_on", "shell", "script"),
    [
        ("ubuntu-latest", "python", "import sys\nprint(sys.version)"),
        ("windows-latest", "cmd", "set FOO=1\nuv run pytest"),
        ("ubuntu-latest", "perl {0}", "print 1;"),
    ],
)
def test_a_step_in_a_shell_the_check_does_not_run_is_skipped_not_failed(
    tmp_path, runs_on, shell, script
):
    text = windows_job(script, step_settings=f"        shell: {shell}\n")
    (step,) = workflow_run.plan(workflow_from(text.replace("windows-latest", runs_on), tmp_path))
    assert step.skipped == f"it runs under `shell: {shell}`, not bash: run this step yourself"


def test_powershell_on_linux_finds_venv_bin_but_has_no_source(tmp_path):
    text = windows_job(".venv/bin/pytest -q", step_settings="        shell: pwsh\n")
    assert problems_of(text.replace("windows-latest", "ubuntu-latest"), tmp_path) == [""]
    (problem,) = problems_of(
        text.replace("windows-latest", "ubuntu-latest").replace(".venv/bin/pytest -q", "source x"),
        tmp_path,
    )
    assert "its `shell: pwsh` runs it under PowerShell, which has no `source`" in problem


def test_workflow_defaults_choose_bash_for_every_job(tmp_path):
    text = windows_job("export FOO=1").replace(
        "jobs:\n", "defaults:\n  run:\n    shell: bash\njobs:\n", 1
    )
    assert problems_of(text, tmp_path) == [""]


def test_a_steps_own_shell_wins_over_the_defaults(tmp_path):
    text = windows_job(
        "export FOO=1",
        step_settings="        shell: pwsh\n",
        job_settings="    defaults:\n      run:\n        shell: bash\n",
    )
    (problem,) = problems_of(text, tmp_path)
    assert "its `shell: pwsh` runs it under PowerShell" in problem and "`export`" in problem


@pytest.mark.parametrize(
    ("runs_on", "shell", "script", "refused"),
    [
        ("ubuntu-latest", "", "source .venv/bin/activate && pytest", False),
        ("macos-latest", "", "export FOO=1", False),
        ("ubuntu-latest", "pwsh", "export FOO=1", True),  # PowerShell 7 on any runner
        ("windows-latest", "powershell", "uv sync && uv run pytest", True),  # 5.1 has no &&
        ("windows-latest", "pwsh", "uv sync && uv run pytest", False),
        ("windows-latest", "cmd", "uv run pytest", False),
    ],
)
def test_the_shell_is_the_steps_or_the_runners_default(tmp_path, runs_on, shell, script, refused):
    text = windows_job(script, step_settings=f"        shell: {shell}\n" if shell else "")
    text = text.replace("runs-on: windows-latest", f"runs-on: {runs_on}")
    (problem,) = problems_of(text, tmp_path)
    assert bool(problem) == refused, problem


OS_MATRIX = "    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n"


def test_only_the_windows_job_of_a_matrix_fails_at_a_bash_only_step(tmp_path):
    text = one_job("      - run: FOO=1 printenv FOO\n", strategy=OS_MATRIX)
    text = text.replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}")
    steps = workflow_run.plan(workflow_from(text, tmp_path))
    assert [step.job for step in steps] == ["unit (ubuntu-latest)", "unit (windows-latest)"]
    failures = workflow_run.run_jobs(steps, Copies(tmp_path), dict(os.environ))
    (failure,) = failures.values()
    message = workflow_run.failure_of(failure)
    assert message.startswith("`FOO=1 printenv FOO` (job `unit (windows-latest)`, line 10)")
    assert "would fail on GitHub: on a Windows runner" in message


def test_a_matrix_whose_steps_powershell_runs_too_runs_once(tmp_path):
    text = one_job("      - run: uv --version || true\n", strategy=OS_MATRIX)
    text = text.replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}")
    steps = workflow_run.plan(workflow_from(text, tmp_path))
    assert [(step.job, workflow_run.shell_problem(step)) for step in steps] == [("unit", "")]


def test_steps_for_each_runners_shell_pass_in_a_matrix(tmp_path):
    # Each runner's own step, by `runner.os`: bash's on Linux, PowerShell's on Windows.
    text = one_job(
        "      - if: runner.os != 'Windows'\n        run: export FOO=1 && printenv FOO\n",
        "      - if: runner.os == 'Windows'\n        run: $env:FOO = \"1\"; printenv FOO\n",
        strategy=OS_MATRIX,
    ).replace("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}")
    steps = workflow_run.plan(workflow_from(text, tmp_path))
    assert [(step.job, step.skipped == "") for step in steps] == [
        ("unit (ubuntu-latest)", True),
        ("unit (ubuntu-latest)", False),
        ("unit (windows-latest)", False),
        ("unit (windows-latest)", True),
    ]
    assert failures_of(text, tmp_path) == {}


class SkipsEverything(workflow_run.Machine):
    def why_skipped(self, script: str) -> str:
        return "it installs"


def test_a_step_a_machine_skips_still_fails_when_powershell_cannot_read_it(tmp_path):
    # `FOO=1 uv sync` fails on Windows before it installs anything: its job stops there.
    text = windows_job("UV_FROZEN=1 uv sync")
    steps = workflow_run.plan(workflow_from(text, tmp_path), machine=SkipsEverything())
    assert [(step.skipped, bool(workflow_run.shell_problem(step))) for step in steps] == [
        ("", True)
    ]
    linux = workflow_run.plan(
        workflow_from(text.replace("windows-latest", "ubuntu-latest"), tmp_path),
        machine=SkipsEverything(),
    )
    assert [step.skipped for step in linux] == ["it installs"]


@pytest.mark.parametrize(
    "script",
    [
        '$env:FOO = "1"\nprintenv FOO',
        "$env:FOO='1'; printenv FOO",
        "$env:FOO = \"1\"\npython3 -c \"import os; assert os.environ['FOO'] == '1'\"",
        "$env:FOO = \"1\"\npython3 -c \"import sys; assert sys.argv[1:] == ['1', '1']\" "
        '"$env:FOO" "${env:FOO}"',
        "printenv PATH && printenv HOME || exit 1",
    ],
    ids=["assignment", "same-line", "read-by-a-program", "referenced", "and-or"],
)
def test_a_powershell_step_bash_reads_alike_runs_here(tmp_path, script):
    (step,) = workflow_run.plan(workflow_from(windows_job(script), tmp_path))
    assert step.skipped == ""
    assert failures_of(windows_job(script), tmp_path) == {}


@pytest.mark.parametrize(
    ("script", "unreadable"),
    [
        ("Write-Host 'tests pass'", "Write-Host 'tests pass'"),
        ("if ($IsWindows) { uv run pytest }", "if ($IsWindows) { uv run pytest }"),
        ("uv sync\n.venv\\Scripts\\pytest -q", ".venv\\Scripts\\pytest -q"),
        ("$suites = 'unit'\nuv run pytest", "$suites = 'unit'"),
        ("<#\nexport FOO=1\n#>\nuv run pytest", "<#"),
        (". ./scripts/setup.ps1\nuv run pytest", ". ./scripts/setup.ps1"),
        ("uv run pytest 2>&1 | Tee-Object out.txt", "uv run pytest 2>&1 | Tee-Object out.txt"),
        ("uv sync\n.venv/Scripts/pytest -q", ".venv/Scripts/pytest -q"),
        ('@"\n[pytest]\n"@ | Out-File pytest.ini', '@"'),
    ],
    ids=[
        "cmdlet",
        "block",
        "windows-path",
        "powershell-variable",
        "comment",
        "dot-sourced-ps1",
        "cmdlet-after-a-pipe",
        "windows-path-with-slashes",
        "here-string",
    ],
)
def test_a_powershell_step_bash_reads_otherwise_is_skipped_not_failed(tmp_path, script, unreadable):
    steps = workflow_run.plan(workflow_from(windows_job(script), tmp_path))
    (step,) = [step for step in steps if step.skipped]
    assert step.skipped.startswith("it runs under PowerShell, which this machine does not have")
    assert f"`{unreadable}`" in step.skipped and workflow_run.shell_problem(step) == ""
