"""Exercise 01.2: acceptance criteria as structured examples, `docs/acceptance_criteria.yaml`.

The file's format is the contract between stage 01 and stage 04 (whose acceptance tests run each
example against the learner's service):

```yaml
examples:
  - behaviour: overlap          # one of BEHAVIOURS
    given:
      rooms: [{name: Oak, capacity: 6}]
      bookings: [{room: Oak, start: "2030-01-07T09:00:00Z", end: "2030-01-07T10:00:00Z",
                  attendees: 4}]
    when: {room: Oak, start: "2030-01-07T09:30:00Z", end: "2030-01-07T10:30:00Z", attendees: 2}
    then: {status: 409, reason: Oak is already booked}
```

Every `*_problems` function returns a list of plain sentences, one per problem, and an empty list
when all is well; nothing here prints or raises on a learner's mistake, so each message can be
unit-tested.

The examples follow the reference service (`bookings.crud.create_booking`): an unknown room is a
404; then, in this order, an end that is not after the start and too many attendees are 422s (the
request breaks a rule on its own), and an overlap with a live booking of the same room is a 409
(it clashes with what is stored); anything else is a 201. The statuses are read from the
service's own error classes, so the check and the service cannot drift apart.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict, RoomNotFound
from bookings.models import MAX_CAPACITY, BookingCreate
from bookings.rules import overlaps
from onboarding.artefacts.markdown import PLACEHOLDER_WORDS
from onboarding.artefacts.quantities import with_digits
from onboarding.checks import CheckFailed
from onboarding.protocol import shorten

FILE = "docs/acceptance_criteria.yaml"
"""Where the examples live in the learner's project."""

CREATED = 201
EXPECTED_STATUS = {
    "happy-path": CREATED,
    "overlap": OverlapConflict.status,
    "back-to-back": CREATED,
    "capacity": CapacityExceeded.status,
    "invalid-range": InvalidTimeRange.status,
    "unknown-room": RoomNotFound.status,
}
# Why a status is what it is, for a learner who wrote a neighbouring one.
STATUS_MEANS = {
    OverlapConflict.status: "the request clashes with a booking already stored",
    InvalidTimeRange.status: "the request breaks a rule on its own, whatever is stored",
    RoomNotFound.status: "the room does not exist",
    CREATED: "the booking is made",
}
BEHAVIOURS = tuple(EXPECTED_STATUS)
BEHAVIOUR_MEANS = {
    "happy-path": "a booking that breaks no rule",
    "overlap": "a booking that overlaps a live booking of the same room",
    "back-to-back": "a booking that starts as another ends, or ends as another starts",
    "capacity": "more attendees than the room holds",
    "invalid-range": "an end that is not after the start",
    "unknown-room": "a room that does not exist",
}
# The rule the reference service applies first to each behaviour's request ("created": none).
RULE_OF = {
    "happy-path": "created",
    "overlap": "overlap",
    "back-to-back": "created",
    "capacity": "capacity",
    "invalid-range": "invalid-range",
    "unknown-room": "unknown-room",
}
BOOKING_FIELDS = ("room", "start", "end", "attendees")

TIME_EXAMPLE = "2030-01-07T09:00:00Z"


@dataclass(frozen=True)
class Slot:
    """A booking, given or requested: a room, a time range and a number of attendees."""

    room: str
    start: datetime
    end: datetime
    attendees: int

    def __str__(self) -> str:
        return f"{self.room} from {_time_text(self.start)} to {_time_text(self.end)}"


@dataclass(frozen=True)
class Example:
    """One acceptance criterion, parsed: given rooms and bookings, when a request, then a status."""

    number: int
    behaviour: str
    rooms: dict[str, int]
    """Room name → capacity."""
    bookings: tuple[Slot, ...]
    request: Slot
    status: Any
    reason: Any


@dataclass(frozen=True)
class Answer:
    """What the reference service answers to an example's request, and why."""

    status: int
    rule: str
    why: str


class ExampleError(ValueError):
    """An example whose structure or values cannot be used; the message lists the problems."""


def _time_text(value: datetime) -> str:
    return value.isoformat(timespec="minutes").replace("+00:00", "Z")


def examples_in(document: Any) -> list[Any]:
    """The `examples:` list of a parsed acceptance-criteria file."""
    if not isinstance(document, dict) or not isinstance(document.get("examples"), list):
        held = "nothing" if document is None else f"a {type(document).__name__}"
        if isinstance(document, dict):
            held = "a mapping"
        raise CheckFailed(f"the file holds {held}, with no top-level `examples:` list")
    return document["examples"]


def known_behaviour(raw: Any) -> str | None:
    """The example's behaviour when it is one of BEHAVIOURS, else None."""
    behaviour = raw.get("behaviour") if isinstance(raw, dict) else None
    return behaviour if isinstance(behaviour, str) and behaviour in EXPECTED_STATUS else None


def label(raw: Any, number: int) -> str:
    behaviour = known_behaviour(raw)
    return f"example {number} ({behaviour})" if behaviour else f"example {number}"


def is_placeholder(value: Any) -> bool:
    """True for text that stands in for a value: empty, TODO, TBD, "...", "[room]", "<name>"."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return (
        not text
        or bool(PLACEHOLDER_WORDS.search(text))
        or text in ("...", "…", "?", "??", "-")
        or (text.startswith("[") and text.endswith("]"))
        or (text.startswith("<") and text.endswith(">"))
    )


def parse_time(value: Any) -> datetime:
    """An ISO 8601 date-time with a time-zone offset, in a form the service's API reads."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise ValueError(f"{value.isoformat()} is a date with no time; write {TIME_EXAMPLE}")
    elif isinstance(value, str) and not is_placeholder(value):
        text = value.strip()
        try:
            # Python 3.11's fromisoformat() does not read a lower-case "z", which RFC 3339 allows.
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO 8601 date-time such as {TIME_EXAMPLE}"
            ) from None
    elif is_placeholder(value):
        raise ValueError(f"{value!r} is a placeholder; write a date-time such as {TIME_EXAMPLE}")
    else:
        raise ValueError(f"{value!r} is not a date-time such as {TIME_EXAMPLE}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(
            f"{_shown(value)} has no time-zone offset; add Z for UTC, as in {TIME_EXAMPLE}"
        )
    if parsed.microsecond:
        raise ValueError(
            f"{_shown(value)} has a fraction of a second; the service takes whole seconds, as "
            f"in {TIME_EXAMPLE}"
        )
    if not _api_reads(value.isoformat() if isinstance(value, datetime) else value.strip()):
        # Python reads more of ISO 8601 than the API does: "+01", "20300107T090000Z", weeks.
        raise ValueError(
            f"{_shown(value)} is ISO 8601, but not in a form the service's API reads; write it "
            f"as {TIME_EXAMPLE}"
        )
    return parsed


def _api_reads(text: str) -> bool:
    """Whether the service's API takes `text` as the start of a booking (its own parser)."""
    try:
        BookingCreate.model_validate(
            {"organiser": "check", "start": text, "end": text, "attendees": 1}
        )
    except ValidationError:
        return False
    return True


def _shown(value: Any) -> str:
    return repr(value.isoformat()) if isinstance(value, datetime) else repr(value)


@dataclass
class _Findings:
    """What reading one example's values found: placeholders left in, and other problems."""

    placeholders: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def read(self, value: Any, where: str, kind: str) -> Any:
        """`value` as a room name, a count or a time; None (and a note) when it is not one."""
        if is_placeholder(value):
            self.placeholders.append(where)
            return None
        if kind == "time":
            try:
                return parse_time(value)
            except ValueError as error:
                self.problems.append(f"{where} {error}")
                return None
        if kind in ("count", "capacity"):
            in_words = with_digits(value.strip()) if isinstance(value, str) else ""
            if in_words.isdigit() and int(in_words) > 0 and not value.strip().isdigit():
                # Prose may say "four"; this file is data: stage 04's tests send each value to
                # the service as it is, and the service reads a number only in digits.
                self.problems.append(
                    f"{where} is {value!r}, a number in words; write it in digits, {in_words}: "
                    "stage 04's tests send this value to the service, which reads only digits"
                )
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                self.problems.append(f"{where} is {value!r}; write a whole number such as 4")
                return None
            if value < 1:
                self.problems.append(f"{where} is {value}; it must be at least 1")
                return None
            if kind == "capacity" and value > MAX_CAPACITY:
                # The service would refuse to create the room, so stage 04 could not run it.
                self.problems.append(
                    f"{where} is {value}; the service takes rooms for at most {MAX_CAPACITY}"
                )
                return None
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A room numbered 101 is common, and YAML reads an unquoted 101 as a number.
            self.problems.append(
                f'{where} is {value!r}; write the room\'s name as text, in quotes ("{value}"), '
                "as YAML reads it as a number without them"
            )
            return None
        if not isinstance(value, str):
            self.problems.append(f"{where} is {value!r}; write the room's name as text")
            return None
        return value.strip()

    def messages(self, name: str) -> list[str]:
        found = (
            [f"placeholders left in {', '.join(self.placeholders)}"] if self.placeholders else []
        )
        return [f"{name}: {problem}" for problem in found + self.problems]

    def __bool__(self) -> bool:
        return bool(self.placeholders or self.problems)


def _read_slot(raw: Any, where: str, findings: _Findings) -> Slot | None:
    """A given booking or a request; None when a field is missing (structure_problems says so)."""
    if not isinstance(raw, dict) or any(name not in raw for name in BOOKING_FIELDS):
        return None
    values = [
        findings.read(
            raw[name], f"{where}.{name}" if where == "when" else f"{where}'s {name}", kind
        )
        for name, kind in zip(BOOKING_FIELDS, ("name", "time", "time", "count"), strict=True)
    ]
    return None if any(value is None for value in values) else Slot(*values)


def example_and_problems(raw: Any, number: int) -> tuple[Example | None, list[str]]:
    """The example and the problems with its values; None when it cannot be used as it is."""
    if not isinstance(raw, dict):
        return None, []
    given, when, then = raw.get("given"), raw.get("when"), raw.get("then")
    findings = _Findings()
    usable = (
        known_behaviour(raw) is not None
        and isinstance(given, dict)
        and isinstance(when, dict)
        and isinstance(then, dict)
        and "status" in then
    )
    rooms: dict[str, int] = {}
    raw_rooms = given.get("rooms") if isinstance(given, dict) else None
    for position, room in enumerate(raw_rooms if isinstance(raw_rooms, list) else [], start=1):
        where = f"given room {position}"
        if not isinstance(room, dict) or "name" not in room or "capacity" not in room:
            usable = False
            continue
        name = findings.read(room["name"], f"{where}'s name", "name")
        capacity = findings.read(room["capacity"], f"{where}'s capacity", "capacity")
        if name in rooms:
            findings.problems.append(f"{where}'s name {name!r} is used twice")
        if name is not None and capacity is not None:
            rooms[name] = capacity
    raw_bookings = given.get("bookings", []) if isinstance(given, dict) else []
    bookings = [
        _read_slot(booking, f"given booking {position}", findings)
        for position, booking in enumerate(
            raw_bookings if isinstance(raw_bookings, list) else [], start=1
        )
    ]
    request = _read_slot(when, "when", findings)
    usable = usable and isinstance(raw_rooms, list) and isinstance(raw_bookings, list)
    if findings or not usable or request is None or None in bookings:
        return None, findings.messages(label(raw, number))
    example = Example(
        number,
        raw["behaviour"],
        rooms,
        tuple(slot for slot in bookings if slot is not None),
        request,
        then.get("status"),
        then.get("reason"),
    )
    return example, []


def parse_example(raw: Any, number: int = 1) -> Example:
    """Parse one example, or raise ExampleError listing what is missing or wrong."""
    problems = structure_problems([raw]) + value_problems([raw])
    example, _ = example_and_problems(raw, number)
    if problems or example is None:
        raise ExampleError("; ".join(problems) or f"example {number} cannot be used")
    return example


def structure_problems(examples: Sequence[Any]) -> list[str]:
    """Each example is a mapping with a known behaviour and its given, when and then parts."""
    if not examples:
        return ["the `examples:` list is empty"]
    problems = []
    for number, raw in enumerate(examples, start=1):
        name = label(raw, number)
        if not isinstance(raw, dict):
            problems.append(
                f"{name} is {shorten(repr(raw), 30)}, not a mapping with behaviour, given, "
                "when and then"
            )
            continue
        behaviour = raw.get("behaviour")
        if behaviour is None:
            problems.append(f"{name} has no `behaviour`")
        elif known_behaviour(raw) is None:
            close = difflib.get_close_matches(str(behaviour), BEHAVIOURS, n=1, cutoff=0.6)
            problems.append(
                f"{name}: behaviour {behaviour!r} is not one of {', '.join(BEHAVIOURS)}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        for part in ("given", "when", "then"):
            if not isinstance(raw.get(part), dict):
                problems.append(f"{name} has no `{part}:` mapping")
        given, when, then = raw.get("given"), raw.get("when"), raw.get("then")
        if isinstance(given, dict):
            problems += given_structure_problems(given, name)
        if isinstance(when, dict):
            missing = [field for field in BOOKING_FIELDS if field not in when]
            if missing:
                problems.append(f"{name}: `when` has no {', '.join(missing)}")
        if isinstance(then, dict) and "status" not in then:
            problems.append(f"{name}: `then` has no `status`")
    return problems


def given_structure_problems(given: dict, name: str) -> list[str]:
    problems = []
    rooms = given.get("rooms")
    if not isinstance(rooms, list):
        problems.append(f"{name}: `given.rooms` should be a list of rooms (`rooms: []` if none)")
    else:
        for position, room in enumerate(rooms, start=1):
            if not isinstance(room, dict) or "name" not in room or "capacity" not in room:
                problems.append(f"{name}: given room {position} needs a `name` and a `capacity`")
    bookings = given.get("bookings", [])
    if not isinstance(bookings, list):
        problems.append(f"{name}: `given.bookings` should be a list (`bookings: []` if none)")
    else:
        for position, booking in enumerate(bookings, start=1):
            missing = [
                field
                for field in BOOKING_FIELDS
                if not isinstance(booking, dict) or field not in booking
            ]
            if missing:
                problems.append(f"{name}: given booking {position} has no {', '.join(missing)}")
    return problems


def coverage_problems(examples: Sequence[Any]) -> list[str]:
    """Every behaviour has at least one example."""
    named = {known_behaviour(raw) for raw in examples}
    missing = [behaviour for behaviour in BEHAVIOURS if behaviour not in named]
    return [f"no example for: {', '.join(missing)}"] if missing else []


def value_problems(examples: Sequence[Any]) -> list[str]:
    """Names, counts and times are real values: no placeholders, times with an offset."""
    problems = []
    for number, raw in enumerate(examples, start=1):
        problems += example_and_problems(raw, number)[1]
    return problems


def status_problems(examples: Sequence[Any]) -> list[str]:
    """Each `then.status` is the one the service answers; an error also gives a reason."""
    problems = []
    for number, raw in enumerate(examples, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("then"), dict):
            continue
        behaviour, then = known_behaviour(raw), raw["then"]
        if behaviour is None or "status" not in then:
            continue
        name, status, expected = label(raw, number), then["status"], EXPECTED_STATUS[behaviour]
        if isinstance(status, bool) or not isinstance(status, int):
            problems.append(
                f"{name}: then.status is {status!r}; write the HTTP status as a number, "
                f"the one the service answers for {BEHAVIOUR_MEANS[behaviour]}"
            )
        elif status != expected:
            problems.append(
                f"{name}: then.status is {status}, but the service answers {expected} for "
                f"{BEHAVIOUR_MEANS[behaviour]} ({expected}: {STATUS_MEANS[expected]})"
            )
        if expected != CREATED:
            reason = then.get("reason")
            if not isinstance(reason, str) or is_placeholder(reason):
                problems.append(
                    f"{name}: an error needs a short `then.reason` (found {reason!r}), such as "
                    "the rule it breaks"
                )
    return problems


def service_answer(example: Example) -> Answer:
    """What the reference service answers to the example's request, rule by rule in its order."""
    request = example.request
    if request.room not in example.rooms:
        return Answer(
            RoomNotFound.status,
            "unknown-room",
            f"there is no room {request.room!r} among the given rooms",
        )
    if request.end <= request.start:
        return Answer(
            InvalidTimeRange.status,
            "invalid-range",
            f"its end {_time_text(request.end)} is not after its start {_time_text(request.start)}",
        )
    capacity = example.rooms[request.room]
    if request.attendees > capacity:
        return Answer(
            CapacityExceeded.status,
            "capacity",
            f"{request.attendees} attendees do not fit in {request.room} (capacity {capacity})",
        )
    for position, booking in enumerate(example.bookings, start=1):
        if booking.room == request.room and overlaps(
            request.start, request.end, booking.start, booking.end
        ):
            return Answer(
                OverlapConflict.status,
                "overlap",
                f"it overlaps given booking {position} ({booking})",
            )
    return Answer(CREATED, "created", "it breaks no rule")


def touches(example: Example) -> bool:
    """Whether the request starts as a given booking of its room ends, or ends as one starts."""
    request = example.request
    return any(
        booking.room == request.room
        and (booking.end == request.start or booking.start == request.end)
        for booking in example.bookings
    )


def consistency_problems(examples: Sequence[Any]) -> list[str]:
    """Each example shows the behaviour it names: an overlap overlaps, a capacity overflows…"""
    problems = []
    for number, raw in enumerate(examples, start=1):
        if known_behaviour(raw) is None:
            continue
        name = label(raw, number)
        example, _ = example_and_problems(raw, number)
        if example is None:
            problems.append(f"{name}: not checked until its parts and values are complete")
            continue
        problems += [f"{name}: {problem}" for problem in given_problems(example)]
        problem = _behaviour_problem(example)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def given_problems(example: Example) -> list[str]:
    """What the service would refuse to store of the given state: stage 04 stores it first."""
    problems = []
    for position, booking in enumerate(example.bookings, start=1):
        if booking.room not in example.rooms:
            problems.append(
                f"given booking {position} is in {booking.room!r}, which is not a given room"
            )
        elif booking.attendees > example.rooms[booking.room]:
            problems.append(
                f"given booking {position} has {booking.attendees} attendees, more than "
                f"{booking.room} seats ({example.rooms[booking.room]}); the service would not "
                "have stored it"
            )
        if booking.end <= booking.start:
            problems.append(f"given booking {position} does not end after it starts")
            continue
        for earlier, other in enumerate(example.bookings[: position - 1], start=1):
            if other.room == booking.room and overlaps(
                booking.start, booking.end, other.start, other.end
            ):
                problems.append(
                    f"given bookings {earlier} and {position} overlap in {booking.room}; the "
                    "service would not have stored both"
                )
    return problems


def _behaviour_problem(example: Example) -> str | None:
    answer, behaviour, request = service_answer(example), example.behaviour, example.request
    expected = RULE_OF[behaviour]
    if answer.rule == expected:
        if behaviour == "back-to-back" and not touches(example):
            return (
                f"{request} neither starts as a given booking of {request.room} ends nor ends "
                "as one starts"
            )
        return None
    if expected == "created":
        return f"the service would refuse this request, because {answer.why}"
    if behaviour == "unknown-room":
        return f"{request.room!r} is a given room; ask for a room that is not among them"
    if answer.rule == "created":
        capacity = example.rooms[request.room]
        return {
            "overlap": (
                f"{request} overlaps no given booking of {request.room}; touching at the edge "
                "is back to back, which is allowed"
            ),
            "capacity": (
                f"{request.attendees} attendees fit in {request.room} (capacity {capacity}); "
                "ask for more people than the room holds"
            ),
            "invalid-range": (
                f"the service would accept this request, because {answer.why}: "
                f"{_end_after_start(request)}"
            ),
        }.get(behaviour, f"the service would accept this request, because {answer.why}")
    return f"the service would refuse it for another reason first: {answer.why}"


def _end_after_start(request: Slot) -> str:
    """How a request's end comes after its start, in UTC when the two have different offsets:
    "10:00+02:00" to "08:30Z" looks backwards, but ends half an hour after it starts."""
    start, end = request.start, request.end
    if start.utcoffset() == end.utcoffset():
        return f"its end {_time_text(end)} is after its start {_time_text(start)}"
    return (
        f"its end {_time_text(end.astimezone(UTC))} is after its start "
        f"{_time_text(start.astimezone(UTC))}, both in UTC"
    )
