"""Where the course and the learner's workspace live.

The course is used from a checkout (an editable install), so the course root is found from this
file; `ONBOARD_COURSE_ROOT` and `ONBOARD_WORKSPACE` override it for tests and for hubs that keep
learners' files elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    override = os.environ.get("ONBOARD_COURSE_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def exercises_dir() -> Path:
    return course_root() / "exercises"


def solutions_dir() -> Path:
    return course_root() / "solutions"


def lessons_dir() -> Path:
    return course_root() / "notebooks"


def workspace_dir() -> Path:
    override = os.environ.get("ONBOARD_WORKSPACE")
    if override:
        return Path(override).resolve()
    return course_root() / "workspace"


def sanitize_file() -> Path:
    """nbval's sanitize patterns: shared by the test suite and `onboard check`."""
    return Path(__file__).with_name("nbval_sanitize.cfg")
