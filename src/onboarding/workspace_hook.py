"""The workspace hook: in a learner's kernel, every published check result goes to the ledger.

Check cells only publish their result (`onboarding.protocol.publish`). This IPython extension,
loaded into every kernel of the course's environment, listens and records the result in the
learner's ledger when the notebook runs inside their workspace. It records nothing while
`onboard check` grades (the grader records its own verdict), nor for notebooks elsewhere (a
lesson, a solution in the course folder).

`onboard start` installs it (`install`), by writing an IPython kernel configuration into the
environment; `%load_ext onboarding.workspace_hook` loads it by hand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from onboarding import protocol, workspace
from onboarding.protocol import CheckResult

EXTENSION = __name__
SOURCE = "notebook"


def record_result(result: CheckResult) -> None:
    if os.environ.get(protocol.GRADING_VARIABLE):
        return
    learner_workspace = workspace.locate()
    if not workspace.holds(learner_workspace, Path.cwd()):
        return
    from onboarding import progress, reporting

    progress.record(learner_workspace, result, source=SOURCE)
    # Under the workshop hub the cohort dashboard hears of it too; elsewhere nothing is sent.
    reporting.report(learner_workspace, result, source=SOURCE)


def load_ipython_extension(ipython: Any) -> None:
    protocol.subscribe(record_result)


def unload_ipython_extension(ipython: Any) -> None:
    protocol.unsubscribe(record_result)


def kernel_config_path(prefix: Path | None = None) -> Path:
    """IPython reads kernel configuration from `<environment>/etc/ipython/` too."""
    return Path(prefix or sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.json"


def install(prefix: Path | None = None) -> Path:
    """Make every kernel of this environment load the hook; keep other configured extensions."""
    path = kernel_config_path(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    config = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    shell_app = config.setdefault("InteractiveShellApp", {})
    extensions = shell_app.setdefault("extensions", [])
    if EXTENSION not in extensions:
        extensions.append(EXTENSION)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path
