"""Exercise 04.5: properties of the learner's `is_enabled(flag_name, user_id, rollout_percent,
killed=False)`, a feature flag with a percentage rollout and a kill switch.

The function is judged by what it does for 10,000 users: stable answers of the right type, the
share of users at a percentage (at its limits too), no randomness, independent flags, a rollout
that only adds users, and a kill switch. No model answer is here: only the properties.
"""

from __future__ import annotations

import ast
import builtins
import collections
import contextlib
import dataclasses
import functools
import inspect
import json
import linecache
import os
import pickle
import random
import subprocess
import symtable
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from onboarding.checks import CheckFailed, Expectation, require

USERS = tuple(f"user-{number}" for number in range(10_000))
TARGET_PERCENT = 10
TOLERANCE = 1.5


def enabled_users(
    is_enabled: Callable[..., Any],
    flag_name: str,
    percent: float,
    killed: bool = False,
    users: Sequence[str] = USERS,
) -> frozenset[str]:
    return frozenset(user for user in users if is_enabled(flag_name, user, percent, killed=killed))


def require_stable_answers(is_enabled: Callable[..., Any]) -> None:
    shared_state = random.getstate()
    try:
        for user in USERS[:20]:
            answers = [is_enabled("recurring_bookings", user, TARGET_PERCENT) for _ in range(100)]
            kinds = sorted({type(answer).__name__ for answer in answers})
            if kinds != ["bool"]:
                raise CheckFailed(f"is_enabled returned {'/'.join(kinds)}, expected True or False")
            if len(set(answers)) > 1:
                raise CheckFailed(
                    f"{user!r} got {answers.count(True)} True and {answers.count(False)} False "
                    "in 100 calls"
                )
        # Stable answers from `random.seed(user_id)` still reseed the generator that the whole
        # program shares: every other use of `random` (a retry's jitter, a sample) then repeats
        # whatever the last flag check left it. A generator of its own, `random.Random(key)`,
        # touches nothing else, and its `random()` is documented to repeat across versions.
        if random.getstate() != shared_state:
            raise CheckFailed(
                "is_enabled gives stable answers, but it reseeds or draws from the `random` "
                "module's shared generator, which makes every other use of `random` in the "
                "program predictable; hash the flag name and user id with hashlib instead"
            )
    finally:
        random.setstate(shared_state)


def require_share(is_enabled: Callable[..., Any]) -> None:
    count = len(enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT))
    # Whole users, not floating-point percentages: the limits themselves are allowed.
    lowest = len(USERS) * (TARGET_PERCENT - TOLERANCE) / 100
    highest = len(USERS) * (TARGET_PERCENT + TOLERANCE) / 100
    if not lowest <= count <= highest:
        share = 100 * count / len(USERS)
        raise CheckFailed(
            f"{count:,} of {len(USERS):,} users ({share:.1f} %) were enabled, expected "
            f"{TARGET_PERCENT - TOLERANCE:g}–{TARGET_PERCENT + TOLERANCE:g} %"
        )


BOUNDARY_FLAGS = tuple(f"boundary_flag_{number}" for number in range(10))
"""Flag names asked at 0 % and 100 %: one bucket of 10,000 left on (`bucket <= percent * 100`)
holds one user in 10,000 per flag, so 10 flags of 10,000 users each almost surely find it."""


def require_bounds(is_enabled: Callable[..., Any]) -> None:
    problems = []
    for percent, wrong, what in ((0, True, "still enabled"), (100, False, "left out")):
        users = {
            user
            for flag_name in BOUNDARY_FLAGS
            for user in USERS
            if bool(is_enabled(flag_name, user, percent, killed=False)) is wrong
        }
        if users:
            example = min(users, key=lambda user: int(user.rpartition("-")[2]))
            problems.append(
                f"at {percent} %, {len(users):,} of {len(USERS):,} users were {what} for at "
                f"least one of {len(BOUNDARY_FLAGS)} flag names (such as {example!r})"
            )
    if problems:
        require(problems)


@contextlib.contextmanager
def another_process() -> Iterator[None]:
    """Act like a fresh interpreter: a differently salted hash() and a differently seeded random."""
    real_hash = builtins.hash
    state = random.getstate()
    builtins.hash = lambda value: real_hash(("a new process", value))
    random.seed(20_300_107)
    try:
        yield
    finally:
        builtins.hash = real_hash
        random.setstate(state)


def forget_caches(is_enabled: Callable[..., Any]) -> None:
    """Empty the functools caches that a new process would start without: the function's own,
    and those of what it reaches by name or closure. A bucket drawn at random per user and
    remembered in an `lru_cache` is stable only until the process ends."""
    functions = (is_enabled, getattr(is_enabled, "__wrapped__", None), type(is_enabled).__call__)
    reachable: list[Any] = [is_enabled]
    for function in functions:
        reachable.extend(getattr(function, "__globals__", {}).values())
        for cell in getattr(function, "__closure__", None) or ():
            with contextlib.suppress(ValueError):  # a cell not filled yet
                reachable.append(cell.cell_contents)
    for value in reachable:
        # Any name of the notebook is reachable: one whose attributes cannot be read, or whose
        # `cache_clear` fails, is not a cache of this function's answers.
        with contextlib.suppress(Exception):
            if hasattr(value, "cache_info"):
                value.cache_clear()


FRESH_PROCESS_VARIABLE = "ONBOARD_FLAG_IN_A_FRESH_PROCESS"
"""Set in the fresh interpreter: a cell that runs check("04.5") there starts no third one."""
FRESH_PROCESS_SECONDS = 20.0
MARK = "onboard-flag-answers:"

IN_A_FRESH_PROCESS = f"""
import importlib, json, pickle, sys, types

given = json.loads(sys.stdin.read())
sys.path[:] = given["path"]
module = types.ModuleType(given["module"])
module.__file__ = given["filename"]
for name, imported in given["imports"].items():
    setattr(module, name, importlib.import_module(imported))
sys.modules[given["module"]] = module
for filename, source in given["cells"]:
    exec(compile(source, filename, "exec"), module.__dict__)
if given["name"]:
    is_enabled = getattr(module, given["name"])
else:
    is_enabled = pickle.loads(bytes.fromhex(given["function"]))
enabled = [
    bool(is_enabled(given["flag"], user, given["percent"], killed=False))
    for user in given["users"]
]
print("{MARK}" + json.dumps(enabled))
"""
"""Runs the code that defines the learner's flag as a module of a new interpreter, with the
modules its names refer to imported afresh, and prints the flag's answers for the users given."""


@dataclasses.dataclass(frozen=True)
class Replay:
    """What a new interpreter runs to make the learner's flag again."""

    module: str
    cells: tuple[tuple[str, str], ...]
    """(filename, source) of each piece of code, in the order the learner ran them."""
    imports: dict[str, str]
    """Names the code reads that hold modules, and those modules' names."""
    name: str | None = None
    """The flag's name in the notebook: the new interpreter takes it from there, or else..."""
    pickled: str | None = None
    """...from the flag pickled here (by reference: a function by its module and name)."""


def _function_of(is_enabled: Callable[..., Any]) -> Any:
    """The function itself: through decorators, partials and a class's __call__."""
    target: Any = is_enabled
    for _ in range(5):
        target = inspect.unwrap(target)
        if isinstance(target, functools.partial):
            target = target.func
        elif isinstance(target, types.MethodType):
            target = target.__func__
        elif not hasattr(target, "__code__") and callable(target):
            target = type(target).__call__
        else:
            break
    return target


def _names_in(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_in(constant)
    return names


def _module_imports(names: Any, namespace: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: namespace[name].__name__
        for name in sorted(names)
        if isinstance(namespace.get(name), types.ModuleType)
    }


def _replay_of_its_source(is_enabled: Callable[..., Any], code: types.CodeType) -> Replay | None:
    """The file (or the one notebook cell) that defines the function, and the flag pickled.

    Enough for a function, class or partial whose code needs no name of another cell; a
    function made inside another (a closure) cannot be pickled by reference."""
    module_name = getattr(is_enabled, "__module__", None) or type(is_enabled).__module__
    if not module_name:
        return None
    try:
        pickled = pickle.dumps(is_enabled).hex()
    except Exception:  # noqa: BLE001 - a closure or a lambda cannot travel by name
        return None
    module = sys.modules.get(module_name)
    namespace = vars(module) if module is not None else {}
    source = "".join(linecache.getlines(code.co_filename))
    return Replay(
        module=module_name,
        cells=((code.co_filename, source),),
        imports=_module_imports(_names_in(code), namespace),
        pickled=pickled,
    )


def _kernel_history(namespace: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str]] | None:
    """The notebook's namespace and IPython's input history (`_ih`, also `In`): the source of
    every cell run so far, in the order it ran, as it was compiled (magics already rewritten)."""
    namespaces = [namespace]
    get_ipython = namespace.get("get_ipython") or getattr(builtins, "get_ipython", None)
    if callable(get_ipython):
        # A flag imported from a file of the learner's has that module's namespace, not the
        # notebook's: the kernel's shell still knows the notebook's.
        with contextlib.suppress(Exception):
            namespaces.append(get_ipython().user_ns)
    for candidate in namespaces:
        history = candidate.get("_ih", candidate.get("In"))
        if isinstance(history, list) and all(isinstance(source, str) for source in history):
            return candidate, history
    return None


# Statements that only define names (or show or assert something) when a cell runs again; any
# other, such as a `while`, a `with` that opens a file to write, or a call whose value is dropped,
# may start a server or write a file: a cell holding one is not run again. An assignment's value
# is trusted, as it always has been: a call whose value is kept is there to make that value.
DEFINING_STATEMENTS = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Delete,
    ast.Assert,
    ast.Pass,
)
DEFINING_IN_A_FUNCTION = (*DEFINING_STATEMENTS, ast.Global, ast.Nonlocal, ast.Return)
"""In a function's body, which runs when a cell calls it, these only define names too."""
BRANCHES = (ast.If, ast.Try, ast.For, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
"""Statements that run some of their own bodies, each once (a `for` once per item of what it
is given, as the learner's kernel did): they define what their bodies define. Not `while`,
which may wait for ever ("while not ready: ..."); a new interpreter gets no such cell."""
PLAIN_DATA = (
    dict,
    list,
    set,
    bytearray,
    collections.OrderedDict,
    collections.defaultdict,
    collections.Counter,
    collections.deque,
)
"""Types (not their subclasses) whose methods change only the value itself:
`SETTINGS.update(salt="bookings")` only defines names, as `SETTINGS["salt"] = "bookings"`
does; `server.start()` may do anything."""


def _only_shows(expression: ast.expr) -> bool:
    """A docstring, a name or attribute the notebook displays, or `print(...)` to the screen."""
    if isinstance(expression, ast.Call):
        return (
            isinstance(expression.func, ast.Name)
            and expression.func.id == "print"
            and all(keyword.arg != "file" for keyword in expression.keywords)
        )
    return isinstance(expression, (ast.Constant, ast.Name, ast.Attribute))


def _harmless_context(expression: ast.expr) -> bool:
    """A `with` that only reads a file, or only suppresses an error: `open(path)` (with a mode
    that neither writes nor truncates) or `contextlib.suppress(KeyError)` (or `suppress`, as
    `from contextlib import suppress` names it)."""
    if not isinstance(expression, ast.Call):
        return False
    function = expression.func
    if isinstance(function, ast.Attribute):
        module = function.value
        return (
            function.attr == "suppress"
            and isinstance(module, ast.Name)
            and module.id == "contextlib"
        )
    if not isinstance(function, ast.Name) or function.id not in ("suppress", "open"):
        return False
    if function.id == "suppress":
        return True
    modes = [keyword.value for keyword in expression.keywords if keyword.arg == "mode"]
    modes += expression.args[1:2]
    return all(
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and not set(mode.value) & set("wax+")
        for mode in modes
    )


def _bodies(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statements a branch or a `with` runs, in the cell's own scope."""
    bodies = [getattr(statement, field, []) for field in ("body", "orelse", "finalbody")]
    bodies += [handler.body for handler in getattr(statement, "handlers", [])]
    return bodies


def _run_in_scope(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement `body` runs in its own scope: its own, and those of its branches and
    `with` statements, but not those of the functions and classes it defines."""
    for statement in body:
        yield statement
        if isinstance(statement, (*BRANCHES, ast.With, ast.While, ast.AsyncFor, ast.AsyncWith)):
            for inner in _bodies(statement):
                yield from _run_in_scope(inner)


@dataclasses.dataclass(frozen=True)
class Effects:
    """What running some statements does besides binding names, as far as it can be told without
    running them. Calls are judged where the notebook's values are known (`_replay_of_cells`)."""

    only_defines: bool
    """Only defining statements, branches of them, harmless `with`s and the calls below."""
    receivers: frozenset[str]
    """Names whose methods a call whose value is dropped calls: `SETTINGS.update(...)`."""
    callees: frozenset[str]
    """Names a call whose value is dropped calls: `use_salt("bookings")`."""

    @classmethod
    def of(cls, body: Sequence[ast.stmt], allowed: tuple[type, ...]) -> Effects:
        only_defines, receivers, callees = True, set(), set()
        for statement in _run_in_scope(body):
            if isinstance(statement, BRANCHES):
                continue  # its bodies come next
            if isinstance(statement, ast.With):
                only_defines &= all(
                    _harmless_context(item.context_expr) for item in statement.items
                )
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                function = statement.value.func
                if _only_shows(statement.value):
                    pass
                elif isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
                    receivers.add(function.value.id)
                elif isinstance(function, ast.Name):
                    callees.add(function.id)
                else:
                    only_defines = False
            elif isinstance(statement, ast.Expr):
                only_defines &= _only_shows(statement.value)
            else:
                only_defines &= isinstance(statement, allowed)
        return cls(only_defines, frozenset(receivers), frozenset(callees))


@dataclasses.dataclass(frozen=True)
class Function:
    """A function a cell defines, as a cell that calls it changes things."""

    effects: Effects
    changes: frozenset[str]
    """Globals it binds (`global SALT`) or changes in place (`SETTINGS.update(...)`)."""
    calls: frozenset[str]
    """Globals it calls, kept value or not: what they change, a call of this one changes too."""

    @classmethod
    def parsed(cls, definition: ast.FunctionDef, scope: symtable.SymbolTable) -> Function:
        effects = Effects.of(definition.body, DEFINING_IN_A_FUNCTION)
        local = {symbol.get_name() for symbol in scope.get_symbols() if symbol.is_local()}
        if (effects.receivers | effects.callees) & local:
            # A method of a value it made itself, or a function it was given: anything at all.
            effects = dataclasses.replace(effects, only_defines=False)
        bound = {
            symbol.get_name()
            for symbol in scope.get_symbols()
            if symbol.is_declared_global() and symbol.is_assigned()
        }
        changed = {
            name
            for statement in _run_in_scope(definition.body)
            for name in _changed_in_place(statement)
        }
        called = _names_called(definition.body) - local
        return cls(effects, frozenset(bound | (changed - local)), frozenset(called))


def _root_name(target: ast.expr) -> str | None:
    while isinstance(target, (ast.Attribute, ast.Subscript, ast.Starred)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _changed_in_place(statement: ast.stmt) -> set[str]:
    """Names whose value `statement` changes without binding them: `SETTINGS["salt"] = ...`,
    `flag.salt = ...`, `del BUCKETS[key]`, `SETTINGS.update(...)`."""
    targets: list[ast.expr] = []
    if isinstance(statement, (ast.Assign, ast.Delete)):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        targets = [statement.value.func]
    elif isinstance(statement, ast.For):
        targets = [statement.target]
    names = set()
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            names.add(_root_name(target))
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return names - {None}


def _names_called(body: Sequence[ast.stmt]) -> set[str]:
    """Names called anywhere in the statements `body` runs in its scope, kept value or not:
    `use_salt("bookings")`, `_ = configure(salt="bookings")`."""
    called = set()
    for statement in _run_in_scope(body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue  # their bodies run when called; their decorators are rare enough to ignore
        nodes = [
            child
            for child in ast.iter_child_nodes(statement)
            if isinstance(child, ast.expr) or isinstance(child, (ast.withitem, ast.keyword))
        ]
        for node in nodes:
            called |= {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            }
    return called


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of IPython's input history, as the fresh-process check needs to know it."""

    number: int
    source: str
    binds: frozenset[str]
    """Names its top level binds (assignments, imports, def and class)."""
    reads_now: frozenset[str]
    """Names its top level reads (perhaps before binding them: `flag = functools.cache(flag)`)."""
    reads: frozenset[str]
    """Every global name it reads: at its top level, or in the functions and classes it
    defines, which read their globals when they run."""
    changes: frozenset[str]
    """Names whose value its top level changes in place."""
    effects: Effects
    """Whether running it again only defines names, so the check may do so in a new
    interpreter, but for the calls it makes, which depend on what they call."""
    calls: frozenset[str] = frozenset()
    """Names its top level calls: a function of the notebook's may change globals."""
    functions: Mapping[str, Function] = dataclasses.field(default_factory=dict)
    """The functions its top level defines, by name."""

    @classmethod
    def parsed(cls, number: int, source: str) -> Cell:
        try:
            tree = ast.parse(source)
            table = symtable.symtable(source, f"<cell {number}>", "exec")
        except (SyntaxError, ValueError, RecursionError):  # it could not have defined anything
            nothing: frozenset[str] = frozenset()
            return cls(
                number, source, nothing, nothing, nothing, nothing, Effects(False, nothing, nothing)
            )
        binds = {
            symbol.get_name()
            for symbol in table.get_symbols()
            if symbol.is_assigned() or symbol.is_imported()
        }
        reads_now = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_referenced()}
        reads = set(reads_now)
        scopes = list(table.get_children())
        while scopes:
            scope = scopes.pop()
            scopes.extend(scope.get_children())
            reads |= {
                symbol.get_name()
                for symbol in scope.get_symbols()
                if symbol.is_global() and symbol.is_referenced()
            }
        # The symbol table of each function, in the order of their `def`s: the last one wins.
        function_scopes = {
            scope.get_name(): scope
            for scope in table.get_children()
            if scope.get_type() == "function"
        }
        functions = {
            statement.name: Function.parsed(statement, function_scopes[statement.name])
            for statement in _run_in_scope(tree.body)
            if isinstance(statement, ast.FunctionDef) and statement.name in function_scopes
        }
        return cls(
            number,
            source,
            frozenset(binds),
            frozenset(reads_now),
            frozenset(reads),
            frozenset(
                name
                for statement in _run_in_scope(tree.body)
                for name in _changed_in_place(statement)
            ),
            Effects.of(tree.body, DEFINING_STATEMENTS),
            frozenset(_names_called(tree.body)),
            functions,
        )


def _replay_of_cells(is_enabled: Callable[..., Any], code: types.CodeType) -> Replay | None:
    """The notebook cells that make the flag, in the order they ran, or None outside a notebook
    or when one of them does more than define names.

    The cell that binds the flag's name comes with every cell that binds a name it reads (the
    last before it, for its own top level, and the last of all, for its functions, which read
    their globals when called), and every later cell that changes that name's value in place,
    itself (`SETTINGS.update(...)`) or by calling a function of the notebook's that does
    (`use_salt("bookings")`, whose `def` says `global SALT`); then, the same way, the cells
    those cells need. Names that hold modules are imported anew instead, so a cell that
    imports them need not run again.

    A cell does no more than define names when its statements are those of
    `DEFINING_STATEMENTS`, perhaps in an `if`, `try` or `for`, or in a `with` that only reads
    or suppresses an error; and when every call whose value it drops is a method of plain data
    (`PLAIN_DATA`) or a function of the notebook's whose body does no more, in turn.
    """
    globals_of_the_code = getattr(_function_of(is_enabled), "__globals__", None)
    if not isinstance(globals_of_the_code, dict):
        return None
    found = _kernel_history(globals_of_the_code)
    if found is None:
        return None
    namespace, history = found
    names = sorted(
        name
        for name, value in list(namespace.items())
        if value is is_enabled and not name.startswith("_")
    )
    if not names:
        return None
    name = "is_enabled" if "is_enabled" in names else names[0]
    cells = [Cell.parsed(number, source) for number, source in enumerate(history)]

    def last_binding(bound: str, before: int) -> int | None:
        return next((cell.number for cell in reversed(cells[:before]) if bound in cell.binds), None)

    def function_called(called: str, before: int) -> Function | None:
        """The function of the notebook's that a call in cell `before` calls, if it is one."""
        number = last_binding(called, before)
        return None if number is None else cells[number].functions.get(called)

    def functions_called(
        callees: frozenset[str], before: int, kept_too: bool
    ) -> list[Function | None]:
        """The functions a cell's calls of `callees` run, and those they call in turn (only
        the calls whose value is dropped, unless `kept_too`); None for a callee that is no
        function of the notebook's: a builtin, an import, a class."""
        found, seen, waiting = [], set(), list(callees)
        while waiting:
            callee = waiting.pop()
            if callee not in seen:
                seen.add(callee)
                function = function_called(callee, before)
                found.append(function)
                if function is not None:
                    waiting += function.effects.callees | (function.calls if kept_too else set())
        return found

    def only_plain_data(receivers: frozenset[str]) -> bool:
        # The type itself: a subclass of dict may well save itself in its own `update`.
        return all(type(namespace.get(receiver)) in PLAIN_DATA for receiver in receivers)

    # What each cell changes in place, by itself or through the functions it calls: a call
    # whose value is kept changes globals as much as one whose value is dropped.
    changes = [
        cell.changes.union(
            *(
                function.changes
                for function in functions_called(cell.calls, cell.number, kept_too=True)
                if function is not None
            )
        )
        for cell in cells
    ]

    def only_defines(cell: Cell) -> bool:
        # Calls whose value is kept are trusted, as an assignment's value is.
        called = functions_called(cell.effects.callees, cell.number, kept_too=False)
        return (
            cell.effects.only_defines
            and only_plain_data(cell.effects.receivers)
            and all(
                function is not None
                and function.effects.only_defines
                and only_plain_data(function.effects.receivers)
                for function in called
            )
        )

    def changed_after(changed: str, number: int) -> list[int]:
        return [cell.number for cell in cells[number + 1 :] if changed in changes[cell.number]]

    flag_cell = last_binding(name, len(cells))
    if flag_cell is None:
        return None
    # The cell that defines the flag's code runs again whatever else it does, as it always has:
    # the exercise asks to keep that cell to the function and what it needs.
    code_lines = "".join(linecache.getlines(code.co_filename)).splitlines()
    run_anyway = {cell.number for cell in cells if cell.source.splitlines() == code_lines}
    needed: set[int] = set()
    imports: dict[str, str] = {}
    waiting = [flag_cell, *changed_after(name, flag_cell)]
    while waiting:
        cell = cells[waiting.pop()]
        if cell.number in needed:
            continue
        needed.add(cell.number)
        imports |= _module_imports(cell.reads, namespace)
        for read in sorted(cell.reads - imports.keys()):
            latest = last_binding(read, len(cells))
            if latest is None:
                # A builtin, a name no cell binds (the new interpreter tells), or a global that
                # only a function binds (`global SALT`): the cells that call it bind it.
                waiting += changed_after(read, -1)
                continue
            waiting += [latest, *changed_after(read, latest)]
            earlier = last_binding(read, cell.number) if read in cell.reads_now else None
            if earlier is not None:
                waiting.append(earlier)
    if any(not only_defines(cells[number]) for number in needed - run_anyway):
        return None
    return Replay(
        module=str(namespace.get("__name__") or "__main__"),
        cells=tuple((f"<cell In[{number}]>", cells[number].source) for number in sorted(needed)),
        imports=imports,
        name=name,
    )


def _replays(is_enabled: Callable[..., Any]) -> Iterator[Replay]:
    code = getattr(_function_of(is_enabled), "__code__", None)
    if code is None:
        return
    for replay_of in (_replay_of_cells, _replay_of_its_source):
        replay = replay_of(is_enabled, code)
        if replay is not None:
            yield replay


def answers_in_a_fresh_process(
    is_enabled: Callable[..., Any], flag_name: str, percent: float, users: Sequence[str]
) -> frozenset[str] | None:
    """The users `is_enabled` enables when the code that makes it runs again in a new
    interpreter, or None when that cannot be known.

    A new process starts with none of this one's state: a bucket drawn at random per user and
    kept in a dict, a cache, a closure or a global is drawn anew there. In a notebook, the new
    interpreter runs the cells that make the flag (`_replay_of_cells`); elsewhere, or when one
    of those cells does more than define names, the file or cell that defines its code, with
    the flag sent by reference (`_replay_of_its_source`). When neither can run there, only
    `another_process()`'s simulation judges the flag.
    """
    if os.environ.get(FRESH_PROCESS_VARIABLE):
        return None
    code = getattr(_function_of(is_enabled), "__code__", None)
    # One time limit for every way tried: a learner waits for all of them.
    deadline = time.monotonic() + FRESH_PROCESS_SECONDS
    for replay in _replays(is_enabled):
        given = {
            "path": [entry for entry in sys.path if isinstance(entry, str)],
            "module": replay.module,
            "filename": code.co_filename,
            "cells": replay.cells,
            "imports": replay.imports,
            "name": replay.name,
            "function": replay.pickled,
            "flag": flag_name,
            "percent": percent,
            "users": list(users),
        }
        try:
            run = subprocess.run(
                [sys.executable, "-c", IN_A_FRESH_PROCESS],
                input=json.dumps(given),
                capture_output=True,
                text=True,
                timeout=max(deadline - time.monotonic(), 0.1),
                env={**os.environ, FRESH_PROCESS_VARIABLE: "1"},
                check=False,
            )
        except (OSError, subprocess.SubprocessError):  # the time limit is over, too
            return None
        printed = [line for line in run.stdout.splitlines() if line.startswith(MARK)]
        if run.returncode != 0 or not printed:
            continue  # the cells could not run there: the next way may
        answers = json.loads(printed[-1].removeprefix(MARK))
        return frozenset(user for user, enabled in zip(users, answers, strict=True) if enabled)
    return None


def require_same_after_restart(is_enabled: Callable[..., Any]) -> None:
    users = USERS[:2000]
    here = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT, users=users)
    forget_caches(is_enabled)
    with another_process():
        there = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT, users=users)
    if here == there:
        # Nothing this process can reset shows a difference; a new interpreter starts afresh.
        fresh = answers_in_a_fresh_process(is_enabled, "recurring_bookings", TARGET_PERCENT, users)
        there = here if fresh is None else fresh
    changed = len(here ^ there)
    if changed:
        raise CheckFailed(
            f"{changed} of {len(users):,} users got a different answer in a new process; Python's "
            "hash() is salted differently in every process, and a random number, even one drawn "
            "once per user and remembered, is drawn anew there"
        )


def require_independent_flags(is_enabled: Callable[..., Any]) -> None:
    first = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT)
    second = enabled_users(is_enabled, "lobby_screens", TARGET_PERCENT)
    both = len(first & second)
    smaller = min(len(first), len(second))
    if smaller and both >= smaller / 2:
        raise CheckFailed(
            f"{both:,} users have both flags out of {smaller:,}: the flags picked (almost) "
            "the same users, so every early adopter gets every experiment"
        )


def require_rollout_only_adds(is_enabled: Callable[..., Any]) -> None:
    before = enabled_users(is_enabled, "recurring_bookings", TARGET_PERCENT)
    after = enabled_users(is_enabled, "recurring_bookings", 50)
    lost = len(before - after)
    if lost:
        raise CheckFailed(
            f"{lost:,} of the {len(before):,} users who had the flag at 10 % lost it at 50 %"
        )


def require_kill_switch(is_enabled: Callable[..., Any]) -> None:
    still_on = [
        percent
        for percent in (TARGET_PERCENT, 100)
        if enabled_users(is_enabled, "recurring_bookings", percent, killed=True, users=USERS[:2000])
    ]
    if still_on:
        shown = " and ".join(f"{percent} %" for percent in still_on)
        raise CheckFailed(f"with killed=True some users were still enabled at {shown}")


FLAG_PROPERTIES: tuple[tuple[str, Callable[[Callable[..., Any]], None], str], ...] = (
    (
        "the same user gets the same answer 100 times in a row",
        require_stable_answers,
        "Derive the answer from the flag name and the user id only: hash them, do not draw a "
        "random number.",
    ),
    (
        "about 10 % of 10,000 users are enabled at rollout_percent=10 (8.5–11.5 %)",
        require_share,
        "Turn the hash into a bucket from 0 to 9,999 (int.from_bytes(digest[:8], 'big') "
        "% 10_000) and enable the buckets below rollout_percent * 100.",
    ),
    (
        "0 % enables nobody and 100 % enables everybody",
        require_bounds,
        "With buckets 0–9,999, `bucket < rollout_percent * 100` gives exactly that.",
    ),
    (
        "the same users are enabled in a new process",
        require_same_after_restart,
        "Use hashlib.sha256(f'{flag_name}:{user_id}'.encode()), not hash() or random.",
    ),
    (
        "two flags at 10 % pick different users",
        require_independent_flags,
        "Put the flag's name into what you hash, so each flag gets its own buckets.",
    ),
    (
        "raising the rollout from 10 % to 50 % keeps everyone who had it",
        require_rollout_only_adds,
        "Compare a fixed bucket with a threshold: a user below 10 % is then below 50 % too.",
    ),
    (
        "the kill switch turns the flag off for everybody, even at 100 %",
        require_kill_switch,
        "Check `killed` first and return False.",
    ),
)


def _on_the_learners_function(require_property: Callable[[Callable[..., Any]], None]):
    return lambda given: require_property(given.is_enabled)


def _is_a_function(given: Any) -> None:
    if not callable(given.is_enabled):
        raise CheckFailed(f"`is_enabled` is {type(given.is_enabled).__name__}, not a function")
    try:
        signature = inspect.signature(given.is_enabled)
    except (TypeError, ValueError):  # a callable Python cannot describe: its calls will tell
        return
    try:
        signature.bind("recurring_bookings", "user-0", TARGET_PERCENT, killed=False)
    except TypeError as error:
        # Said here, once: otherwise every property fails with the same TypeError.
        raise CheckFailed(
            f"is_enabled{signature} cannot be called as is_enabled(flag_name, user_id, "
            f"rollout_percent, killed=False): {error}"
        ) from None


EXPECTATIONS = (
    Expectation(
        "is_enabled(flag_name, user_id, rollout_percent, killed=False) is defined",
        _is_a_function,
        hint="Run the cell above that defines it, and keep the four parameters of its `def` line.",
        required=True,
    ),
    *(
        Expectation(text, _on_the_learners_function(check), hint)
        for text, check, hint in FLAG_PROPERTIES
    ),
)
