"""What the course's hidden tests share: calling learner code, and saying what it did."""

from __future__ import annotations

import linecache
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SERVICE_PATH = "src/booking_service/"
NOT_WRITTEN = "not written yet (the stub still raises NotImplementedError)"


def learner_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of the learner's service in `error`'s traceback."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "/src/booking_service/" in frame.filename.replace("\\", "/")
    ]
    return frames[-1] if frames else None


def where(frame: traceback.FrameSummary) -> str:
    """The frame's file, as a path in the project: src/booking_service/rules.py."""
    return SERVICE_PATH + frame.filename.replace("\\", "/").rpartition("/src/booking_service/")[2]


def describe(error: BaseException) -> str:
    """One line for an exception from the learner's code, naming their line."""
    if isinstance(error, SyntaxError) and error.filename:
        path = error.filename.replace("\\", "/")
        shown = (
            SERVICE_PATH + path.rpartition("/src/booking_service/")[2] if "/src/" in path else path
        )
        return f"a syntax error on line {error.lineno} of {shown}: {error.msg}"
    frame = learner_frame(error)
    if isinstance(error, NotImplementedError):
        return NOT_WRITTEN + (f": {frame.name}() in {where(frame)}" if frame else "")
    message = f"your code raised {type(error).__name__}: {error}"
    if frame is None:
        return message
    code = linecache.getline(frame.filename, frame.lineno or 0).strip()
    return message + f" ({where(frame)}, line {frame.lineno}" + (f": `{code}`)" if code else ")")


def attempt(action: Callable[[], T], said: str) -> T:
    """Run `action`; an exception from the learner's code fails the test saying what happened."""
    try:
        return action()
    except AssertionError:
        raise
    except Exception as error:  # noqa: BLE001 - learner code may raise anything
        raise AssertionError(f"{said}: {describe(error)}") from None


def body_of(response: Any) -> Any:
    """The response's JSON body, or its text when it has none."""
    try:
        return response.json()
    except ValueError:
        return response.text


def learners_app(database: Path, rules: Any = None) -> Any:
    """The learner's FastAPI app on `database`, quiet, enforcing `rules` when given (else their
    own); a service that does not build fails the test."""
    try:
        from booking_service.core.config import Settings
        from booking_service.main import create_app

        # CRITICAL: a learner's exception must not print a log line into the check's output.
        settings = Settings(database=database, log_level="CRITICAL")
        return create_app(settings) if rules is None else create_app(settings, rules=rules)
    except Exception as error:  # noqa: BLE001 - a service that does not build is the finding
        raise AssertionError(f"your service does not start: {describe(error)}") from None
