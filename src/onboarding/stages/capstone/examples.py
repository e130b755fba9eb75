"""The capstone's acceptance examples: `docs/acceptance_criteria_recurring.yaml`.

The same shape as stage 01's `docs/acceptance_criteria.yaml` (given rooms and bookings, a `when`
request, a `then` answer), with `when.weeks`, the number of weekly occurrences, and
`then.bookings`, how many bookings of the series are stored afterwards. Stage 01's readers are
reused for what the two files share (the `examples:` list, times, placeholders), and so are its
booking rules: each week of a series is a booking that stage 01's `service_answer` judges, in the
service's order, so a 201 example breaks no rule in any week and a 409 one overlaps in one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import onboarding.stages.capstone.feature as feature
from onboarding.artefacts.quantities import with_digits
from onboarding.stages.intake import acceptance
from onboarding.stages.intake.acceptance import is_placeholder

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
        problems += _behaviour_problems(name, number, weeks, raw)
    return problems


def _behaviour_problems(name: str, number: int, weeks: int, raw: dict) -> list[str]:
    behaviour = raw["behaviour"]
    low, high = feature.MIN_WEEKS, feature.MAX_WEEKS
    if behaviour == "series-too-long":
        # The service refuses the length before it looks at the room or any week.
        if weeks <= high:
            return [f"{name}: {weeks} weeks is allowed; too long is more than {high}"]
        return []
    if behaviour == "longest-series" and weeks != high:
        return [f"{name}: the longest series has exactly {high} weeks, not {weeks}"]
    if not low <= weeks <= high:
        return [f"{name}: {weeks} weeks is not a series the service books ({low} to {high})"]
    return _rule_problems(name, number, weeks, raw)


RULE_NAMES = {
    "unknown-room": "unknown room",
    "invalid-range": "time range",
    "capacity": "capacity",
    "overlap": "overlap",
}
"""Stage 01's rules (`acceptance.service_answer`'s), as a message names them."""
STAND_IN = "happy-path"
"""The stage-01 behaviour a series example is read as: a booking, whatever its answer."""


def _as_a_booking(raw: dict) -> dict:
    """The example in stage 01's shape, its `when` the first week's booking.

    This file is read by no service (stage 04's tests send stage 01's file, not this one), so a
    count in words is that count here, as `weeks` is: "six" seats six.
    """
    given = dict(raw["given"]) if isinstance(raw.get("given"), dict) else {}
    for part, count in (("rooms", "capacity"), ("bookings", "attendees")):
        if isinstance(given.get(part), list):
            given[part] = [_counted(item, count) for item in given[part]]
    return {
        **raw,
        "behaviour": STAND_IN,
        "given": given,
        "when": _counted(raw.get("when"), "attendees"),
        "then": {"status": acceptance.CREATED},
    }


def _counted(item: Any, field: str) -> Any:
    """`item` with its count `field` as a number when it is one in words or digits; anything
    else as it is, for stage 01 to name."""
    if not isinstance(item, dict) or not isinstance(item.get(field), str):
        return item
    number = whole_number(item[field])
    return item if number is None else {**item, field: number}


def series_answer(example: acceptance.Example, weeks: int) -> tuple[int, acceptance.Answer]:
    """What the reference service answers to the series, and the week it answers for.

    Each week is a booking that goes through stage 01's rules in the service's order; the first
    week refused is the series' answer (all or nothing), and week 0 is "every week is booked".
    """
    for week in range(weeks):
        request = replace(
            example.request,
            start=example.request.start + WEEK * week,
            end=example.request.end + WEEK * week,
        )
        answer = acceptance.service_answer(replace(example, request=request))
        if answer.rule != "created":
            return week + 1, answer
    return 0, acceptance.Answer(acceptance.CREATED, "created", "every week breaks no rule")


def _rule_problems(name: str, number: int, weeks: int, raw: dict) -> list[str]:
    """The example's series through the booking rules: a 201 breaks none, a 409 overlaps."""
    behaviour, stand_in = raw["behaviour"], _as_a_booking(raw)
    example, problems = acceptance.example_and_problems(stand_in, number)
    if example is None:
        # Stage 01 names the example by the behaviour it was read as; show this file's name.
        said = f"{acceptance.label(stand_in, number)}: "
        given = raw.get("given") if isinstance(raw.get("given"), dict) else {}
        return [f"{name}: {problem.removeprefix(said)}" for problem in problems] or (
            acceptance.given_structure_problems(given, name)
            or [f"{name}: not checked against the booking rules until its parts are complete"]
        )
    problems = [f"{name}: {problem}" for problem in acceptance.given_problems(example)]
    week, answer = series_answer(example, weeks)
    if answer.rule == "created":
        if behaviour == "series-overlap":
            problems.append(
                f"{name}: no given booking of {example.request.room!r} overlaps any week of the "
                "series"
            )
        return problems
    # Only an overlap depends on the week; every other rule refuses every week alike.
    which = f"week {week}" if answer.rule == "overlap" else "every week"
    refused = (
        f"{name}: the service refuses this series with {answer.status} ({RULE_NAMES[answer.rule]})"
    )
    if behaviour != "series-overlap":
        problems.append(f"{refused}: {which}, {answer.why}")
    elif answer.rule != "overlap":
        problems.append(f"{refused} before it looks for an overlap: {which}, {answer.why}")
    return problems
