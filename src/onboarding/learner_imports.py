"""A learner's module run in the kernel as Python runs it as a command or as pytest imports it.

A check calls a learner's file (a secret scanner, an SLO module) in the notebook's own process,
where the kernel, its threads and the checks share one `sys.modules`. The modules beside that
file are importable by it, as they would be when it runs, and by nobody else: they never take a
standard module's name in `sys.modules` (a learner's `tools/secrets.py` is not everyone's
`import secrets`). Nothing is written into the learner's project, and the project's modules are
forgotten afterwards, so that the next check reads them afresh.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

IMPORTING = threading.Lock()
"""Held while a learner's module loads or runs: `sys.modules` is the process's, not the load's."""


class ProjectImports:
    """A learner's module's imports of its project's modules, kept to that module.

    Run as `python tools/find_secrets.py`, a scanner imports the modules beside it (and, as
    pytest would, the project's packages) before the standard library's: its `tools/secrets.py`
    is its `import secrets`. The check runs in a process with other users of `sys.modules` (the
    kernel's threads, the checks themselves), so these modules never take a standard module's
    place there: each is loaded as a module of a private package (`project_under_check_3.secrets`),
    and that module and those import through an `__import__` of their own that maps the
    project's names to it. Everyone else's `import secrets` still gets the standard library's.
    """

    def __init__(self, package: str, folders: list[Path]) -> None:
        self.package = package
        self.folders = folders
        self.modules = _module_names(folders)
        self.namespaces = _module_names(folders, namespaces=True) - self.modules
        self.builtins = {**vars(builtins), "__import__": self.import_}

    def is_the_projects(self, name: str) -> bool:
        """Whether `import name` gets the project's module when the learner's module runs.

        A module or regular package in its folders always does, since they come first on the
        path. A namespace package (a folder without `__init__.py`) does only when no module
        or regular package of that name is anywhere on the path: a `yaml/` folder of settings
        does not hide PyYAML.
        """
        if name in self.modules:
            return True
        if name not in self.namespaces:
            return False
        elsewhere = importlib.machinery.PathFinder.find_spec(name)
        return elsewhere is None or elsewhere.origin is None

    def import_(self, name, globals=None, locals=None, fromlist=(), level=0):
        """`__import__` as the learner's code has it: a name of the project is the project's."""
        top = name.partition(".")[0]
        if level or not self.is_the_projects(top):
            return builtins.__import__(name, globals, locals, fromlist, level)
        imported = builtins.__import__(f"{self.package}.{name}", globals, locals, fromlist)
        # `import tools.patterns` binds the top-level name, which is the package's `tools`.
        return imported if fromlist else sys.modules[f"{self.package}.{top}"]

    def find_spec(self, fullname, path, target=None):
        """The import system's finder for the private package's modules (a meta path finder)."""
        if not fullname.startswith(self.package + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = _ProjectModuleLoader(fullname, spec.origin, self.builtins)
        return spec

    @contextmanager
    def installed(self) -> Iterator[None]:
        package = types.ModuleType(self.package)
        package.__path__ = [str(folder) for folder in self.folders]
        package.__spec__ = importlib.machinery.ModuleSpec(self.package, None, is_package=True)
        package.__spec__.submodule_search_locations = package.__path__
        sys.modules[self.package] = package
        sys.meta_path.insert(0, self)
        try:
            yield
        finally:
            sys.meta_path.remove(self)
            for module_name in [m for m in sys.modules if m.partition(".")[0] == self.package]:
                sys.modules.pop(module_name, None)


class _ProjectModuleLoader(importlib.machinery.SourceFileLoader):
    """Loads a module of the project as the learner's module's: its own imports go through that module's
    `__import__`, and no bytecode is written into the project."""

    def __init__(self, fullname: str, path: str, builtins_: dict[str, Any]) -> None:
        super().__init__(fullname, path)
        self.builtins = builtins_

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__["__builtins__"] = self.builtins
        super().exec_module(module)

    def set_data(self, path, data, *, _mode=0o666) -> None:
        """Writes no `__pycache__` into the learner's project."""


@contextmanager
def as_a_command(
    imports: ProjectImports | None,
    root: Path | None,
    module: types.ModuleType,
    own_files: set[str],
) -> Iterator[None]:
    """Python's imports as `python the_learners_file.py` has them, for as long as this lasts.

    The learner's module is in `sys.modules`, its project's modules are importable by it (and
    by nobody else), and no bytecode is written; afterwards all is as it was, and the project's
    modules imported meanwhile are forgotten, their files added to `own_files`.
    """
    with IMPORTING, imports.installed() if imports else nullcontext():
        modules_before = set(sys.modules)
        bytecode_before = sys.dont_write_bytecode
        # The project installed as a package (`import booking_service`) is imported as usual:
        # that too writes nothing into the project.
        sys.dont_write_bytecode = True
        importlib.invalidate_caches()  # a module written a moment ago is found
        sys.modules[module.__name__] = module
        try:
            yield
        finally:
            sys.dont_write_bytecode = bytecode_before
            # Only meanwhile: the next check loads the files afresh, as they are then.
            sys.modules.pop(module.__name__, None)
            own_files |= _forget_project_modules(set(sys.modules) - modules_before, root)


def _module_names(folders: list[Path], namespaces: bool = False) -> set[str]:
    """The names of the modules and packages in the folders, as `import` finds them there.

    With `namespaces`, a folder without `__init__.py` too (`tools`, for `import tools.patterns`):
    a namespace package, which a module of the same name elsewhere wins over, so none is named as
    a standard module.
    """
    names = set()
    for folder in folders:
        if folder.is_dir():
            names |= {path.stem for path in folder.glob("*.py")}
            names |= {path.parent.name for path in folder.glob("*/__init__.py")}
            if namespaces:
                names |= {
                    path.name
                    for path in folder.iterdir()
                    if path.is_dir()
                    and path.name.isidentifier()
                    and path.name not in {"__pycache__", *sys.stdlib_module_names}
                }
    return names


def _forget_project_modules(names: set[str], root: Path | None) -> set[str]:
    """Drop the newly imported modules that are the project's; the relative paths of their files.

    A folder without `__init__.py` (`from tools.patterns import …`) is a namespace package: it
    has no file, only its folders.
    """
    if root is None:
        return set()
    project_root = root.resolve()
    files = set()
    # A package's modules first: a namespace package finds its folders through its parent.
    for module_name in sorted(names, key=lambda name: name.count("."), reverse=True):
        module = sys.modules.get(module_name)
        file = getattr(module, "__file__", None)
        places = [file] if file else list(getattr(module, "__path__", None) or [])
        inside = [Path(place).resolve() for place in places]
        if not inside or not all(path.is_relative_to(project_root) for path in inside):
            continue
        if file:
            files.add(inside[0].relative_to(project_root).as_posix())
        sys.modules.pop(module_name, None)
    return files
