"""Exercise 04.5: properties of the learner's `is_enabled(flag_name, user_id, rollout_percent,
killed=False)`, a feature flag with a percentage rollout and a kill switch.

The function is judged by what it does for 10,000 users: stable answers of the right type, the
share of users at a percentage (at its limits too), no randomness, independent flags, a rollout
that only adds users, and a kill switch. No model answer is here: only the properties.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import json
import linecache
import os
import pickle
import random
import subprocess
import sys
import types
from collections.abc import Callable, Iterator, Sequence
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
exec(compile(given["source"], given["filename"], "exec"), module.__dict__)
is_enabled = pickle.loads(bytes.fromhex(given["function"]))
enabled = [
    bool(is_enabled(given["flag"], user, given["percent"], killed=False))
    for user in given["users"]
]
print("{MARK}" + json.dumps(enabled))
"""
"""Runs the source that defines the learner's function as a module of a new interpreter, with
the modules its names refer to imported afresh, and prints its answers for the users given."""


def _code_of(is_enabled: Callable[..., Any]) -> types.CodeType | None:
    """The code of the function itself: through decorators, partials and a class's __call__."""
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
    return getattr(target, "__code__", None)


def _names_in(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_in(constant)
    return names


def answers_in_a_fresh_process(
    is_enabled: Callable[..., Any], flag_name: str, percent: float, users: Sequence[str]
) -> frozenset[str] | None:
    """The users `is_enabled` enables when the code that defines it runs in a new interpreter
    (the notebook cell, or the module, that defines it), or None when that cannot be known.

    A new process starts with none of this one's state: a bucket drawn at random per user and
    kept in a dict, a cache, or a global is drawn anew there. The function travels by name
    (pickle), so a function made inside another (a closure) cannot go, nor can code whose cell
    needs names of other cells: then only `another_process()`'s simulation judges it.
    """
    if os.environ.get(FRESH_PROCESS_VARIABLE):
        return None
    code = _code_of(is_enabled)
    module_name = getattr(is_enabled, "__module__", None) or type(is_enabled).__module__
    if code is None or not module_name:
        return None
    source = "".join(linecache.getlines(code.co_filename))
    try:
        function = pickle.dumps(is_enabled).hex()
    except Exception:  # noqa: BLE001 - a closure or a lambda cannot travel by name
        return None
    module = sys.modules.get(module_name)
    namespace = vars(module) if module is not None else {}
    imports = {
        name: namespace[name].__name__
        for name in sorted(_names_in(code))
        if isinstance(namespace.get(name), types.ModuleType)
    }
    given = {
        "path": [entry for entry in sys.path if isinstance(entry, str)],
        "module": module_name,
        "filename": code.co_filename,
        "source": source,
        "imports": imports,
        "function": function,
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
            timeout=FRESH_PROCESS_SECONDS,
            env={**os.environ, FRESH_PROCESS_VARIABLE: "1"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    printed = [line for line in run.stdout.splitlines() if line.startswith(MARK)]
    if run.returncode != 0 or not printed:
        return None
    answers = json.loads(printed[-1].removeprefix(MARK))
    return frozenset(user for user, enabled in zip(users, answers, strict=True) if enabled)


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
