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

What the learner added to their own service comes along into the course's, so their tests can
import it as they do at home: modules the course's service lacks (a `testing.py` of fixtures),
and the names of their rules.py that the course's lacks (an `is_live` helper). Those names come
from their rules.py, copied beside the shim as `_learners_rules.py`, whose own calls to the four
rules are pointed at the rules of the run, so a helper that checks a booking with them meets the
planted bug as the tests that call the rules directly do.

The stage packages declare their bugs (`PlantedBug` values); this module knows how to build the
reference copy and how to plant a bug in it.
"""

from __future__ import annotations

import dataclasses
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
LEARNERS_RULES = "_learners_rules"
"""The learner's own rules.py, beside the course's, for the names only theirs has."""

RULES_SHIM = f'''"""The booking rules for this run, written by the course's check.

The rules of {UNPLANTED_RULES}.py, with the bug that {PLANTED_BUG_VARIABLE} names planted in
them, or exactly as they are when it names none.
"""

from onboarding.planted import learners_name, planted_rules

from .{UNPLANTED_RULES} import *  # noqa: F403 - every name a test may import from rules
from .{UNPLANTED_RULES} import RULES as _UNPLANTED

RULES = planted_rules(_UNPLANTED)
check_time_range = RULES.check_time_range
check_capacity = RULES.check_capacity
overlaps = RULES.overlaps
check_no_overlap = RULES.check_no_overlap


def __getattr__(name):
    # A name these rules lack: a helper of the learner's own rules.py, if there is one.
    return learners_name(__package__, name, RULES)
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


def learners_name(package: str, name: str, rules: Any) -> Any:
    """`name` from the learner's own rules.py (`_learners_rules`), for the shim's `__getattr__`.

    Their module's four rule functions (and RULES) are set to `rules`, the rules of this run,
    so their helpers call the rules under test: the correct ones, or the planted bug. A name
    neither has is an AttributeError, which `from ... import` reports as it always does.
    """
    missing = AttributeError(f"module '{package}.rules' has no attribute '{name}'")
    module_name = f"{package}.{LEARNERS_RULES}"
    if name.startswith("__") and name.endswith("__"):
        raise missing  # Python and tools probe for these (__path__, __wrapped__): not a helper
    try:
        learners = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            raise missing from None  # no rules.py of theirs: the course's names are all there is
        raise _not_loaded(name, error) from error
    except Exception as error:
        raise _not_loaded(name, error) from error
    for rule in dataclasses.fields(rules):
        setattr(learners, rule.name, getattr(rules, rule.name))
    learners.RULES = rules
    if not hasattr(learners, name):
        raise missing
    return getattr(learners, name)


def _not_loaded(name: str, error: Exception) -> ImportError:
    # The error may name the copy's file; the learner knows it as their rules.py.
    reason = str(error).replace(f"{LEARNERS_RULES}.py", "rules.py")
    return ImportError(
        f"{name} is not a name of the course's rules.py, and your src/{PACKAGE}/rules.py, which "
        f"might define it, did not load beside the course's service ({type(error).__name__}: "
        f"{reason}); your tests run against the course's service, with your own modules beside it"
    )


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

    In the course's service, the learner's modules that it lacks are theirs (see
    `learners_additions`), and with the course's rules their own rules.py is kept beside them as
    `_learners_rules.py`, for the names only theirs has.
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
    own_rules = learners / rules_path
    if course_service:
        for relative in learners_additions(learners / SERVICE_FOLDER, files):
            target = destination / SERVICE_FOLDER / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(learners / SERVICE_FOLDER / relative, target)
        if not learners_rules and own_rules.is_file():
            files[f"{SERVICE_FOLDER}/{LEARNERS_RULES}.py"] = own_rules.read_text(
                encoding="utf-8", errors="replace"
            )
    if learners_rules:
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


def learners_additions(package: Path, course_files: Mapping[str, str]) -> list[str]:
    """The files of the learner's package (`package`) that the course's service lacks, by path
    in the package, except those that would take the place of one of the course's modules.

    A package folder of theirs named like a module of the course's (a `rules/` beside the
    course's `rules.py`) is imported in its place, so it, and all it holds, stays out.
    """
    prefix = SERVICE_FOLDER + "/"
    course = {relative.removeprefix(prefix) for relative in course_files}
    course_modules = {
        relative.removesuffix(".py") for relative in course if relative.endswith(".py")
    }
    added = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        folders = relative.split("/")[:-1]
        inside_a_course_module = any(
            "/".join(folders[: depth + 1]) in course_modules for depth in range(len(folders))
        )
        compiled = "__pycache__" in folders  # bytecode of their modules, not a module
        if path.is_file() and relative not in course and not (inside_a_course_module or compiled):
            added.append(relative)
    return added
