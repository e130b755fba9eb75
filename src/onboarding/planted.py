"""Planted bugs: the course's reference service with rules that misbehave, through its seam.

A test suite is worth the bugs it catches. To find out which, the checks run a learner's tests
against the course's reference implementation of the project's service (the model answer in
the blueprint, `project/stage_NN/src/booking_service/`), once as it is and once per planted bug,
and see which runs fail.

The service's factory is the seam: `create_app(settings, rules=...)` enforces the `Rules` it is
given, so a planted bug is a function that takes the correct `Rules` and returns `Rules` whose
functions misbehave (`PlantedBug.plant`, named "module:function"). Nothing is patched at run
time. For the tests that import the rule functions themselves (`from booking_service.rules
import overlaps`), the copy's `rules.py` is a small module that builds its rules the same way:
the rules as written, with the bug that `ONBOARD_PLANTED_BUG` names planted, or as they are when
it names none.

Stage 04 plants bugs in the course's service (the learner's unit tests are judged against an
implementation known to be right); stage 05 plants them in the learner's own service, through
its own factory, since its integration, contract and load tests are about that service.

The stage packages declare their bugs (`PlantedBug` values); this module knows how to build the
reference copy and how to plant a bug in it.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onboarding import project

PLANTED_BUG_VARIABLE = "ONBOARD_PLANTED_BUG"
"""Names the bug to plant, as "module:function"; unset, the reference rules are correct."""
PACKAGE = "booking_service"
SERVICE_FOLDER = f"src/{PACKAGE}"
UNPLANTED_RULES = "_unplanted_rules"

RULES_SHIM = f'''"""The booking rules for this run, written by the course's check.

The rules of {UNPLANTED_RULES}.py, with the bug that {PLANTED_BUG_VARIABLE} names planted in
them, or exactly as they are when it names none.
"""

from onboarding.planted import planted_rules

from .{UNPLANTED_RULES} import *  # noqa: F403 - every name a test may import from rules
from .{UNPLANTED_RULES} import RULES as _UNPLANTED

RULES = planted_rules(_UNPLANTED)
check_time_range = RULES.check_time_range
check_capacity = RULES.check_capacity
overlaps = RULES.overlaps
check_no_overlap = RULES.check_no_overlap
'''


@dataclass(frozen=True)
class PlantedBug:
    """One bug the course can plant, described in words a learner can act on."""

    key: str
    """A short, stable name, e.g. "zero-length-accepted"."""
    plant: str
    """"module:function": the function takes the correct Rules and returns the buggy ones."""
    bug: str
    """The bug in plain words, as a noun phrase: "your tests catch <bug>"."""
    hint: str = ""
    """A test that would catch it, described without showing the bug's code."""

    @property
    def env(self) -> dict[str, str]:
        """The environment that plants this bug in a reference copy."""
        return {PLANTED_BUG_VARIABLE: self.plant}


def plant(spec: str, rules: Any) -> Any:
    """The rules that the planting function `spec` ("module:function") makes of `rules`."""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise ValueError(f"a planted bug is named 'module:function', not {spec!r}")
    function = getattr(importlib.import_module(module_name), function_name)
    return function(rules)


def planted_rules(rules: Any, environ: Mapping[str, str] | None = None) -> Any:
    """`rules` with the bug named by ONBOARD_PLANTED_BUG planted; `rules` when it is unset."""
    environ = os.environ if environ is None else environ
    spec = environ.get(PLANTED_BUG_VARIABLE, "").strip()
    return plant(spec, rules) if spec else rules


def errors_of(rules: Any) -> Any:
    """The `errors` module of the service whose Rules these are (bookings or booking_service)."""
    package = type(rules).__module__.rpartition(".")[0]
    return importlib.import_module(f"{package}.errors")


# ------------------------------------------------------------------------- the reference copy
def reference_service(stage: str) -> dict[str, str]:
    """The files of the course's model service at the end of `stage`, by path in the project."""
    prefix = SERVICE_FOLDER + "/"
    return {
        relative: text
        for relative, text in project.reference(stage).items()
        if relative.startswith(prefix)
    }


def write_copy(
    learners: Path,
    destination: Path,
    stage: str,
    *,
    course_service: bool,
    learners_rules: bool,
    plantable: bool,
) -> Path:
    """A copy of the learner's project in `destination`, with the service the check needs.

    Everything but `src/booking_service/` is the learner's (their tests, docs and spec). The
    service is the course's model of `stage` (`course_service`) or the learner's own; its
    `rules.py` is the learner's (`learners_rules`) or the course's. With `plantable`, those rules
    move to `_unplanted_rules.py` behind the shim that plants the bug ONBOARD_PLANTED_BUG names.
    """
    sources = (learners / "src").resolve()
    shutil.copytree(
        learners,
        destination,
        # Their service stays out when the course's takes its place.
        ignore=lambda folder, names: (
            [PACKAGE] if course_service and Path(folder).resolve() == sources else []
        ),
        dirs_exist_ok=True,
    )
    files = reference_service(stage) if course_service else {}
    rules_path = f"{SERVICE_FOLDER}/rules.py"
    if learners_rules:
        own_rules = learners / rules_path
        files[rules_path] = (
            own_rules.read_text(encoding="utf-8", errors="replace") if own_rules.is_file() else ""
        )
    elif not course_service:
        files[rules_path] = reference_service(stage)[rules_path]
    if plantable:
        files[f"{SERVICE_FOLDER}/{UNPLANTED_RULES}.py"] = files[rules_path]
        files[rules_path] = RULES_SHIM
    project.write_files(destination, files, overwrite=True)
    return destination
