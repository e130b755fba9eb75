"""Stage 06 on a Windows runner: a step with no `shell:` runs under PowerShell there.

Fast cases, with the course's machine (`local_run`) and no pytest run: what bash alone reads
fails the Windows job at its step, even a step the machine would skip as an install; what
PowerShell reads as bash does runs here. The simulator's own cases are in
tests/artefacts/test_workflow_run.py, the whole check's in tests/stages/test_ci.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding.artefacts import workflow_run
from onboarding.stages.ci import local_run
from tests.artefacts.test_workflow_run import Copies, windows_job, workflow_from


def failures_of(text: str, tmp_path: Path) -> dict[str, str]:
    """What each failing job says, its steps run as the check runs them."""
    steps = [step for step in local_run.plan(workflow_from(text, tmp_path)) if not step.skipped]
    failures = local_run.run_jobs(steps, Copies(tmp_path), local_run.environment_for(tmp_path))
    return {job: workflow_run.failure_of(result) for job, result in failures.items()}


@pytest.mark.parametrize(
    "script",
    [
        "uv sync --locked\n.venv/bin/python -c 'import pytest'",
        "uv sync --locked\nsource .venv/bin/activate\npython -c 'import pytest'",
        # Installs are skipped here; on Windows this one fails before it installs anything.
        "UV_FROZEN=1 uv sync",
        "export UV_FROZEN=1\nuv sync",
    ],
    ids=["venv-bin", "source-activate", "assignment-before-an-install", "export-before-an-install"],
)
def test_what_only_bash_reads_fails_the_windows_job(tmp_path, script):
    (message,) = failures_of(windows_job(script), tmp_path).values()
    assert "(job `unit`, line 7) would fail on GitHub: on a Windows runner" in message, message


@pytest.mark.parametrize(
    "script",
    [
        "uv sync --locked\nuv run python -c 'import pytest'",
        "uv sync --locked && uv run python -c 'import pytest'",
        "pip install pytest\npython -m pytest --version",
        "$env:FOO = \"1\"\nuv run python -c \"import os; assert os.environ['FOO'] == '1'\"",
    ],
    ids=["uv-run", "and", "pip-then-python-m", "env-variable"],
)
def test_what_powershell_runs_passes_on_the_windows_job(tmp_path, script):
    assert failures_of(windows_job(script), tmp_path) == {}


BASH_ON_WINDOWS = "    defaults:\n      run:\n        shell: bash\n"


def test_bash_syntax_passes_with_shell_bash(tmp_path):
    text = windows_job(
        "uv sync --locked\nexport FOO=1\nBAR=2 uv run python -c 'import os; print(os.environ[\"FOO\"])'",
        job_settings=BASH_ON_WINDOWS,
    )
    assert failures_of(text, tmp_path) == {}


def test_venv_bin_fails_on_windows_with_shell_bash_too(tmp_path):
    text = windows_job(
        "uv sync --locked\nsource .venv/bin/activate\npython -c 'import pytest'",
        job_settings=BASH_ON_WINDOWS,
    )
    (message,) = failures_of(text, tmp_path).values()
    assert "would fail on GitHub: on Windows an environment keeps its commands in" in message
