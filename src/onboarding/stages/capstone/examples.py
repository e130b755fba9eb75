"""The capstone's acceptance examples: `docs/acceptance_criteria_recurring.yaml`.

The same shape as stage 01's `docs/acceptance_criteria.yaml` (given rooms and bookings, a `when`
request, a `then` answer), with `when.weeks`, the number of weekly occurrences, and
`then.bookings`, how many bookings of the series are stored afterwards. Stage 01's readers are
reused for what the two files share (the `examples:` list, times, placeholders).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import onboarding.stages.capstone.feature as feature
from bookings.rules import overlaps
from onboarding.artefacts.quantities import with_digits
from onboarding.stages.intake.acceptance import is_placeholder, parse_time

EXPECTED_STATUS = {
    "weekly-series": 201,
    "series-overlap": 409,
    "series-too-long": 422,
    "longest-series": 201,
}
BEHAVIOURS = tuple(EXPECTED_STATUS)
WHEN_FIELDS = ("room", "start", "end", "attendees", "weeks")
WEEK = timedelta(days=7)


def label(raw: Any, number: int) -> str:
    behaviour = raw.get("behaviour") if isinstance(raw, dict) else None
    return (
        f"example {number} ({behaviour})" if behaviour in EXPECTED_STATUS else f"example {number}"
    )


NONE = ("none", "no bookings", "nothing", "no booking")
NUMBER_THEN_WORDS = re.compile(r"(\d+)(?:\s+[A-Za-z][A-Za-z' -]*)?")
"""A number, then words only: "4 weeks", "201 Created", "12 bookings"."""


def whole_number(value: Any) -> int | None:
    """12, "12", "twelve", "12 weeks" and "201 Created" give their number; "none" is 0.

    Anything else (True, 1.5, "TODO", "4 or 5") is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and not is_placeholder(value):
        text = with_digits(value.strip())
        if text.lower() in NONE:
            return 0
        number = NUMBER_THEN_WORDS.fullmatch(text)
        return int(number[1]) if number else None
    return None


def structure_problems(examples: Sequence[Any]) -> list[str]:
    problems = []
    for number, raw in enumerate(examples, start=1):
        name = label(raw, number)
        if not isinstance(raw, dict):
            problems.append(f"{name} is {raw!r}, not a mapping with behaviour, given, when, then")
            continue
        if raw.get("behaviour") not in EXPECTED_STATUS:
            problems.append(
                f"{name} has behaviour {raw.get('behaviour')!r}; the behaviours are "
                + ", ".join(BEHAVIOURS)
            )
        for part in ("given", "when", "then"):
            if not isinstance(raw.get(part), dict):
                problems.append(f"{name} has no `{part}:` mapping")
        when = raw.get("when") if isinstance(raw.get("when"), dict) else {}
        missing = [field for field in WHEN_FIELDS if field not in when]
        if isinstance(raw.get("when"), dict) and missing:
            problems.append(f"{name}'s `when` has no {', '.join(missing)}")
    return problems


def coverage_problems(examples: Sequence[Any]) -> list[str]:
    shown = {raw.get("behaviour") for raw in examples if isinstance(raw, dict)}
    return [f"no example shows {behaviour}" for behaviour in BEHAVIOURS if behaviour not in shown]


def _occurrences(when: dict) -> list[tuple[datetime, datetime]]:
    start, end = parse_time(when.get("start")), parse_time(when.get("end"))
    weeks = whole_number(when.get("weeks")) or 0
    return [(start + WEEK * n, end + WEEK * n) for n in range(min(weeks, feature.MAX_WEEKS))]


def answer_problems(examples: Sequence[Any]) -> list[str]:
    """Each example's `then` is what the service answers for its `given` and `when`."""
    problems = []
    for number, raw in enumerate(examples, start=1):
        if not isinstance(raw, dict) or raw.get("behaviour") not in EXPECTED_STATUS:
            continue
        name, behaviour = label(raw, number), raw["behaviour"]
        when = raw.get("when") if isinstance(raw.get("when"), dict) else {}
        then = raw.get("then") if isinstance(raw.get("then"), dict) else {}
        weeks = whole_number(when.get("weeks"))
        if weeks is None:
            problems.append(f"{name}: weeks is {when.get('weeks')!r}, not a whole number")
            continue
        status, stored = whole_number(then.get("status")), whole_number(then.get("bookings"))
        expected = EXPECTED_STATUS[behaviour]
        if status != expected:
            problems.append(
                f"{name}: then.status is {then.get('status')!r}; the service answers {expected}"
            )
        wanted = weeks if expected == 201 else 0
        if stored != wanted:
            why = (
                "one per week"
                if expected == 201
                else "a refused series stores none: all or nothing"
            )
            problems.append(
                f"{name}: then.bookings is {then.get('bookings')!r}; it is {wanted} ({why})"
            )
        problems += _behaviour_problems(name, behaviour, weeks, raw)
    return problems


def _behaviour_problems(name: str, behaviour: str, weeks: int, raw: dict) -> list[str]:
    low, high = feature.MIN_WEEKS, feature.MAX_WEEKS
    if behaviour == "weekly-series" and not low <= weeks <= high:
        return [f"{name}: {weeks} weeks is not a series the service books ({low} to {high})"]
    if behaviour == "longest-series" and weeks != high:
        return [f"{name}: the longest series has exactly {high} weeks, not {weeks}"]
    if behaviour == "series-too-long" and weeks <= high:
        return [f"{name}: {weeks} weeks is allowed; too long is more than {high}"]
    if behaviour == "series-overlap":
        return _overlap_problems(name, raw)
    return []


def _overlap_problems(name: str, raw: dict) -> list[str]:
    when = raw["when"]
    given = raw.get("given") if isinstance(raw.get("given"), dict) else {}
    try:
        occurrences = _occurrences(when)
        clashes = [
            booking
            for booking in given.get("bookings") or []
            if isinstance(booking, dict)
            and booking.get("room") == when.get("room")
            and any(
                overlaps(
                    start, end, parse_time(booking.get("start")), parse_time(booking.get("end"))
                )
                for start, end in occurrences
            )
        ]
    except ValueError as error:
        return [f"{name}: {error}"]
    if not clashes:
        return [f"{name}: no given booking of {when.get('room')!r} overlaps any week of the series"]
    return []
