"""What the warm-up exercises expect: 00.1, a function; 00.2, a configuration file."""

from __future__ import annotations

from typing import Any

from onboarding.artefacts.quantities import with_digits
from onboarding.checks import CheckFailed, Expectation, Given, equal, load_yaml, raises

ROOMS_FILE = "rooms.yaml"


def _minutes(start: str, end: str):
    return lambda given: given.booking_minutes(start, end)


BOOKING_MINUTES = (
    equal(
        "09:00 to 10:30 lasts 90 minutes",
        _minutes("2026-03-02T09:00", "2026-03-02T10:30"),
        90,
        hint="Parse both strings with datetime.fromisoformat() and subtract them.",
    ),
    equal(
        "23:30 to 00:15 the next day lasts 45 minutes",
        _minutes("2026-03-02T23:30", "2026-03-03T00:15"),
        45,
        hint="Subtract whole datetimes, not only the times of day.",
    ),
    raises(
        "an end equal to the start raises ValueError",
        _minutes("2026-03-02T09:00", "2026-03-02T09:00"),
        ValueError,
        hint="Compare the two datetimes first and raise ValueError when end <= start.",
    ),
    raises(
        "an end before the start raises ValueError",
        _minutes("2026-03-02T10:00", "2026-03-02T09:00"),
        ValueError,
        hint="A backwards booking is refused too: the rule is end > start.",
    ),
)


def rooms_of(given: Given) -> list[Any]:
    """The `rooms:` list of rooms.yaml, read once per check."""
    document = given.once("rooms.yaml", lambda: load_yaml(ROOMS_FILE))
    if document is None:
        raise CheckFailed("the file is empty")
    if not isinstance(document, dict) or "rooms" not in document:
        keys = document if isinstance(document, dict) else {}
        near = [key for key in keys if str(key).strip().lower() == "rooms"]
        if near:
            # YAML keys are case-sensitive, and so is the service that reads them.
            raise CheckFailed(f"the key is written `{near[0]}:`; keys are exact, so write `rooms:`")
        raise CheckFailed(f"the file holds {_described(document)}, with no `rooms:` key")
    rooms = document["rooms"]
    if rooms is None:
        raise CheckFailed("`rooms:` has nothing under it")
    if not isinstance(rooms, list):
        raise CheckFailed(
            f"`rooms:` holds {_described(rooms)}, not a list: start each room with `- `"
        )
    return rooms


def _described(value: Any) -> str:
    """What YAML made of a value, in the words of the file rather than Python's type names."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"


def _name_problem(name: Any) -> str:
    """Why a room's name is not usable text, told in terms of what is written in the file."""
    if isinstance(name, bool | int | float):
        read_as = "true or false" if isinstance(name, bool) else "a number"
        return f"name {name!r}, which YAML reads as {read_as}: put it in quotes"
    return "no `name`" if name is None else f"name {name!r}"


def _capacity_problem(capacity: Any) -> str:
    """Why a room's capacity is not a whole number above zero."""
    if capacity is None:
        return "no `capacity`"
    if isinstance(capacity, bool):
        return f"capacity {capacity!r}, which YAML reads as true or false: write a number of seats"
    if isinstance(capacity, str) and capacity.strip().isdigit():
        return f"capacity {capacity!r}, which is text: write the number without quotes"
    in_digits = with_digits(capacity.strip()) if isinstance(capacity, str) else ""
    if in_digits.isdigit() and int(in_digits) > 0:
        # A configuration value, not prose: the service reads a number of seats only in digits.
        return (
            f"capacity {capacity!r}, a number in words: write it in digits, "
            f"{in_digits}, as the service reads numbers"
        )
    if isinstance(capacity, float) and capacity.is_integer() and capacity > 0:
        return f"capacity {capacity!r}, a decimal: write the whole number {int(capacity)}"
    return f"capacity {capacity!r}"


def at_least_three_rooms(given: Given) -> None:
    rooms = rooms_of(given)
    if len(rooms) < 3:
        raise CheckFailed(f"{len(rooms)} room(s)")


def every_room_is_well_formed(given: Given) -> None:
    for position, room in enumerate(rooms_of(given), start=1):
        if not isinstance(room, dict):
            raise CheckFailed(f"room {position} is {room!r}, not a name and capacity")
        name, capacity = room.get("name"), room.get("capacity")
        if not (isinstance(name, str) and name.strip()):
            raise CheckFailed(f"room {position} has {_name_problem(name)}")
        # bool is an int in Python, but `capacity: yes` is not a number of seats.
        if type(capacity) is not int or capacity <= 0:
            raise CheckFailed(f"room {position} ({name}) has {_capacity_problem(capacity)}")


def names_are_unique(given: Given) -> None:
    names = [room.get("name") for room in rooms_of(given) if isinstance(room, dict)]
    repeated = sorted({name for name in names if names.count(name) > 1}, key=str)
    if repeated:
        raise CheckFailed(f"repeated: {', '.join(map(str, repeated))}")


ROOMS = (
    Expectation(
        "rooms.yaml is valid YAML with a top-level `rooms:` list",
        rooms_of,
        hint="Start the file with `rooms:` and put each room under it as `- name: …`.",
        required=True,
    ),
    Expectation(
        "at least three rooms are listed",
        at_least_three_rooms,
        hint="Add rooms until there are three or more.",
    ),
    Expectation(
        "every room has a text `name` and a whole-number `capacity` above zero",
        every_room_is_well_formed,
        hint="Write each room as `- name: Ada` with `capacity: 4` indented under it.",
    ),
    Expectation(
        "no two rooms share a name",
        names_are_unique,
        hint="Room names identify rooms in the API, so each must be unique.",
    ),
)

EXERCISES = {"00.1": BOOKING_MINUTES, "00.2": ROOMS}
