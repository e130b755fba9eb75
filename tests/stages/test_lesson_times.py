"""Lessons 01 and 02 state a time that matches their length (tests/stages/lesson_timing.py)."""

from __future__ import annotations

import pytest

from tests.conftest import COURSE_ROOT
from tests.stages.lesson_timing import TOLERANCE, estimated_minutes, stated_minutes

TIMED = ["01_roles_and_intake.ipynb", "02_api_design.ipynb"]


@pytest.mark.parametrize("name", TIMED)
def test_the_stated_time_matches_the_lessons_length(name):
    path = COURSE_ROOT / "notebooks" / name
    estimate, stated = estimated_minutes(path), stated_minutes(path)
    assert abs(stated - estimate) <= TOLERANCE * estimate, (
        f"{name} says about {stated} minutes; its length suggests {estimate:.0f}"
    )
