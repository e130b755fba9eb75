"""How exercise 10.4 runs the learner's project: the hidden suite, their tests, planted bugs.

Everything runs on a throwaway copy of the project (stage 04's `judging.learners_project`), in
child processes of the one pytest runner (`onboarding.pytest_runs`, through stage 04's
`session` and `run_sessions`): nothing changes the learner's files, and a project that does not
import is one ❌ line.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import onboarding.stages.capstone.feature as feature
import onboarding.stages.capstone.planted_bugs as planted_bugs
from onboarding.checks import CheckFailed
from onboarding.pytest_runs import PytestRun
from onboarding.stages.implementation import judging

SUITE = Path(__file__).parent / "suites" / "series_acceptance.py"
HIDDEN = "hidden"


def runs() -> dict[str, PytestRun]:
    """The hidden suite on their service, their tests as they are, and with each bug planted."""
    with (
        judging.learners_project() as copy,
        tempfile.TemporaryDirectory(prefix="onboard-10-") as scratch,
    ):
        module = copy / feature.MODULE_FILE
        if not module.is_file():
            raise CheckFailed(
                f"{feature.MODULE_FILE} does not exist: the feature's rules live there "
                "(weekly_occurrences and check_weeks)"
            )
        plantable = Path(scratch) / "service"
        shutil.copytree(copy, plantable)
        package = plantable / feature.MODULE_FILE
        package.with_name(f"{planted_bugs.UNPLANTED}.py").write_text(
            module.read_text(encoding="utf-8", errors="replace"), encoding="utf-8"
        )
        package.write_text(planted_bugs.SHIM, encoding="utf-8")
        sessions = [
            judging.session(HIDDEN, copy, str(SUITE), "-p", "no:warnings", course_suite=True),
            judging.session(judging.LEARNERS, copy, feature.TEST_FILE),
            *(
                judging.session(bug.key, plantable, feature.TEST_FILE, bug=bug, stop_at_first=True)
                for bug in planted_bugs.BUGS
            ),
        ]
        return judging.run_sessions(sessions, children=2)
