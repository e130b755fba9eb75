"""Bugs the capstone plants in the learner's series module, to judge their tests (10.4).

The seam is the module's two rule functions, whose names project/README.md fixes:
`weekly_occurrences(start, end, weeks)` and `check_weeks(weeks)`. In the checking copy the
learner's `series.py` becomes `_unplanted_series.py`, and `series.py` becomes a shim that
rebinds the function the bug names in that module (so their own `create_series`, which calls it
by its module-level name, uses the buggy one too), then puts that module in its own place in
`sys.modules`, so `booking_service.series` is the learner's module, every name of it. Unset, the
module is theirs unchanged.
"""

from __future__ import annotations

import os
from datetime import timedelta
from types import ModuleType

import onboarding.stages.capstone.feature as feature
from onboarding import planted
from onboarding.planted import PlantedBug

HERE = __name__
UNPLANTED = "_unplanted_series"

SHIM = f'''"""The series module for this run, written by the course's check (exercise 10.4)."""

import sys

from onboarding.stages.capstone.planted_bugs import plant_in

from . import {UNPLANTED} as _unplanted

plant_in(_unplanted)

# Be the learner's module itself, not a copy of its public names: a test may import a private
# helper, a name left out of __all__, or monkeypatch the module that create_series reads.
sys.modules[__name__] = _unplanted
'''


def plant_in(module: ModuleType) -> None:
    """Plant the bug ONBOARD_PLANTED_BUG names in `module`; nothing when it names none."""
    spec = os.environ.get(planted.PLANTED_BUG_VARIABLE, "").strip()
    if spec:
        planted.plant(spec, module)


def one_week_short(module: ModuleType) -> ModuleType:
    correct = module.weekly_occurrences
    module.weekly_occurrences = lambda start, end, weeks: correct(start, end, weeks)[:-1]
    return module


def every_day(module: ModuleType) -> ModuleType:
    def daily(start, end, weeks):
        return [(start + timedelta(days=n), end + timedelta(days=n)) for n in range(weeks)]

    module.weekly_occurrences = daily
    return module


def first_end_kept(module: ModuleType) -> ModuleType:
    correct = module.weekly_occurrences

    def same_end(start, end, weeks):
        return [(later_start, end) for later_start, _ in correct(start, end, weeks)]

    module.weekly_occurrences = same_end
    return module


def one_week_too_many_allowed(module: ModuleType) -> ModuleType:
    correct = module.check_weeks

    def lenient(weeks):
        if weeks == feature.MAX_WEEKS + 1:
            return None
        return correct(weeks)

    module.check_weeks = lenient
    return module


def _bug(function, bug: str, hint: str) -> PlantedBug:
    key = function.__name__.replace("_", "-")
    return PlantedBug(key, f"{HERE}:{function.__name__}", bug, hint)


BUGS = (
    _bug(
        one_week_short,
        "a series one week short",
        "Count the occurrences of a series, or check its last week's date.",
    ),
    _bug(
        every_day,
        "occurrences one day apart instead of one week",
        "Compare the second occurrence's start with the first one's plus 7 days.",
    ),
    _bug(
        first_end_kept,
        "later weeks that keep the first week's end",
        "Check that every occurrence lasts as long as the first, or book a series through the "
        "API and expect 201.",
    ),
    _bug(
        one_week_too_many_allowed,
        f"a {feature.MAX_WEEKS + 1}-week series accepted",
        f"Test the limit on both sides: {feature.MAX_WEEKS} weeks pass, "
        f"{feature.MAX_WEEKS + 1} are refused.",
    ),
)
