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

A helper the learner added to another module that the course's service has too (a
`make_booking()` factory in their models.py) comes along the same way: their module is copied
beside the course's as `_learners_models.py`, and the course's module, asked for a name it
lacks, looks it up there (`learners_module_name`). Their module's own imports reach the course's
modules, so a helper that calls a rule (`from .rules import check_capacity`) calls the rules of
the run. A package's `__init__.py` comes along the same way (`_learners___init__.py`): Python
asks a package for a submodule's name before it imports it, so a name that is a submodule is
never looked up in the learner's copy, and loading their code waits for a name only it can have.

When the rules in the course's service are the learner's own (04.1), their rules were written
against their own models: a property or method they added to their `Booking` is only on their
class. Then their models.py takes the course's place (`LEARNERS_OWN_IN_PLACE`), if it still
defines every name the course's modules import from it; otherwise it comes along beside the
course's, as above.

The stage packages declare their bugs (`PlantedBug` values); this module knows how to build the
reference copy and how to plant a bug in it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import os
import re
import shutil
import sys
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
LEARNERS_PREFIX = "_learners_"
"""The learner's own copy of a module the course's service also has sits beside it so named."""
LEARNERS_RULES = f"{LEARNERS_PREFIX}rules"
"""The learner's own rules.py, beside the course's, for the names only theirs has."""
LEARNERS_OWN_IN_PLACE = ("models.py",)
"""Modules that the learner's own rules may rely on beyond their names (a property of their
`Booking`): with their rules in the course's service, their copy takes the course's place."""

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

# Appended to a module of the course's service that the learner has too, written otherwise.
MODULE_FALLBACK = """

def __getattr__(name):
    # Written by the course's check: a name this module lacks may be a helper of the
    # learner's own copy of it, kept beside it as {prefix}<this module's name>.py (a
    # package's as {prefix}__init__.py, inside it).
    from onboarding.planted import learners_module_name

    return learners_module_name(__name__, name)
"""


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
    module = f"{package}.rules"
    learners = _learners_copy(module, name)
    for rule in dataclasses.fields(rules):
        setattr(learners, rule.name, getattr(rules, rule.name))
    learners.RULES = rules
    return _name_in(learners, module, name)


def learners_module_name(module: str, name: str) -> Any:
    """`name` from the learner's own copy of `module` (a module of the course's service that
    they have too, such as `booking_service.models`), for that module's `__getattr__`.

    Their copy imports the course's modules as their original did its siblings, rules.py
    included, so a helper of theirs that calls a rule calls the rules of this run.
    """
    return _name_in(_learners_copy(module, name), module, name)


def _is_package(module: str) -> bool:
    # Its own names only: asking the module would call the `__getattr__` that asks this.
    return "__path__" in getattr(sys.modules.get(module), "__dict__", {})


def _learners_copy(module: str, name: str) -> Any:
    """The learner's own copy of the course's `module`, kept beside it as `_learners_<leaf>`
    (a package's as `_learners___init__`, inside it), loaded to look up `name`: an
    AttributeError when they have no such module (the course's names are all there is), an
    ImportError saying why when theirs does not load."""
    if name.startswith("__") and name.endswith("__"):
        # Python and tools probe for these (__path__, __wrapped__): not a helper
        raise _missing(module, name)
    if _is_package(module):
        own = f"{module}.{LEARNERS_PREFIX}__init__"
        # `from package import submodule` asks the package for the name first: a submodule's
        # name is not a helper, and the learner's code must not load for it.
        if importlib.util.find_spec(f"{module}.{name}") is not None:
            raise _missing(module, name)
    else:
        package, _, leaf = module.rpartition(".")
        own = f"{package}.{LEARNERS_PREFIX}{leaf}"
    try:
        return importlib.import_module(own)
    except ModuleNotFoundError as error:
        if error.name == own:
            raise _missing(module, name) from None
        raise _not_loaded(name, error, _file_of(module)) from error
    except Exception as error:
        raise _not_loaded(name, error, _file_of(module)) from error


def _name_in(learners: Any, module: str, name: str) -> Any:
    if not hasattr(learners, name):
        raise _missing(module, name)
    return getattr(learners, name)


def _missing(module: str, name: str) -> AttributeError:
    return AttributeError(f"module '{module}' has no attribute '{name}'")


def _file_of(module: str) -> str:
    """`booking_service.api.deps` as the learner knows it: src/booking_service/api/deps.py (a
    package's file is its __init__.py)."""
    path = "src/" + module.replace(".", "/")
    return path + "/__init__.py" if _is_package(module) else path + ".py"


def _not_loaded(name: str, error: Exception, file: str) -> ImportError:
    # The error may name the copy's file; the learner knows it by its own name.
    leaf = file.rpartition("/")[2]
    reason = str(error).replace(
        f"{LEARNERS_PREFIX}{leaf.removesuffix('.py')}", leaf.removesuffix(".py")
    )
    return ImportError(
        f"{name} is not a name of the course's {leaf}, and your {file}, which might define it,"
        f" did not load beside the course's service ({type(error).__name__}: {reason}); your"
        " tests run against the course's service, with your own modules beside it: a helper"
        " that only your tests use is best kept in tests/ (a conftest.py fixture, or a module"
        " of tests/)"
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
    `_learners_rules.py`, for the names only theirs has. With their rules, their models.py takes
    the course's place when it can (`LEARNERS_OWN_IN_PLACE`).
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
        in_place = LEARNERS_OWN_IN_PLACE if learners_rules else ()
        files.update(_learners_counterparts(learners / SERVICE_FOLDER, files, in_place))
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


def _learners_counterparts(
    package: Path, course_files: Mapping[str, str], in_place: tuple[str, ...] = ()
) -> dict[str, str]:
    """For each module of the course's service that the learner's package (`package`) has too,
    written otherwise: their copy beside it (`_learners_models.py`), and the course's module
    with a fallback to it for the names it lacks. By path in the project.

    A module named in `in_place` is theirs instead, as it is, when it defines every name the
    course's modules import from it (`_holds_what_the_course_imports`).

    rules.py has its own fallback (the shim, or the learner's rules themselves).
    """
    prefix = SERVICE_FOLDER + "/"
    written: dict[str, str] = {}
    for path, course_text in course_files.items():
        relative = path.removeprefix(prefix)
        folder, _, leaf = relative.rpartition("/")
        own = package / relative
        if (
            not path.startswith(prefix)
            or not leaf.endswith(".py")
            or leaf.startswith(LEARNERS_PREFIX)
            or relative in ("rules.py", f"{UNPLANTED_RULES}.py")
            or not own.is_file()
        ):
            continue
        own_text = own.read_text(encoding="utf-8", errors="replace")
        if own_text == course_text:
            continue
        if relative in in_place and _holds_what_the_course_imports(
            own_text, _module_of(path), course_files
        ):
            written[path] = own_text
            continue
        # The course's own `__getattr__` is not replaced: its names would be lost.
        if re.search(r"^def __getattr__\(", course_text, re.M):
            continue
        written[f"{prefix}{folder + '/' if folder else ''}{LEARNERS_PREFIX}{leaf}"] = own_text
        written[path] = (
            course_text.rstrip("\n") + "\n" + MODULE_FALLBACK.format(prefix=LEARNERS_PREFIX)
        )
    return written


def _module_of(path: str) -> str:
    """src/booking_service/api/deps.py as a module: booking_service.api.deps."""
    dotted = path.removeprefix("src/").removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def _holds_what_the_course_imports(text: str, module: str, course_files: Mapping[str, str]) -> bool:
    """Whether the module `text` defines every name that the course's other modules import
    from `module` (`from .models import Booking, Room`). A module that does not parse, or
    whose names cannot be read (`from x import *`), does not."""
    try:
        defined = _top_level_names(ast.parse(text))
    except SyntaxError:
        return False
    if defined is None:
        return False
    for path, course_text in course_files.items():
        if not path.endswith(".py") or _module_of(path) == module:
            continue
        try:
            tree = ast.parse(course_text)
        except SyntaxError:
            continue
        here = _module_of(path)
        package = here if path.endswith("/__init__.py") else here.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _imported_module(node, package) == module:
                if any(alias.name not in defined for alias in node.names):
                    return False
    return True


def _imported_module(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _top_level_names(tree: ast.Module) -> set[str] | None:
    """The names a module binds at its top level (in its `if` and `try` blocks too); None when
    a star import makes them unknowable."""
    names: set[str] = set()
    statements = list(tree.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names.update(node.id for node in ast.walk(target) if isinstance(node, ast.Name))
        elif isinstance(statement, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody"):
                statements.extend(getattr(statement, block, []))
            for handler in getattr(statement, "handlers", []):
                statements.extend(handler.body)
    return names
