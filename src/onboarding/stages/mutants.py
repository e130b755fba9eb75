"""Planted bugs in the booking rules, to judge tests by the bugs they catch.

This is mutation testing by hand: a test suite is good when each plausible bug makes at least
one of its tests fail. The rules are written here as four plain functions, the interface that
exercise 04.1 asks a learner to write:

- ``check_time_range(start, end)`` raises ``InvalidTimeRange`` unless end > start;
- ``check_capacity(attendees, capacity)`` raises ``CapacityExceeded`` if attendees > capacity;
- ``overlaps(a_start, a_end, b_start, b_end)`` says whether two bookings overlap (back to back
  does not);
- ``check_no_overlap(existing, room_id, start, end)`` raises ``OverlapConflict`` naming the
  first live booking of the same room that overlaps; ``existing`` is every stored booking
  (``bookings.models.Booking``), of every room, cancelled or not.

`REFERENCE` is the correct set; each `Mutant` is the same set with one bug planted.
`plugged_in(rules)` makes the reference service (`bookings.crud`) use a rule set, so a bug shows
through the HTTP API as well as in the functions.

As a pytest plugin (``python -m pytest -p onboarding.stages.mutants``) this module plants the
mutant named by the ONBOARD_MUTANT environment variable for the whole session; without the
variable it changes nothing. Feedback names a mutant's bug in plain words and never shows its
code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bookings import crud
from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from bookings.models import Booking, Room

MUTANT_VARIABLE = "ONBOARD_MUTANT"
RULE_NAMES = ("check_time_range", "check_capacity", "overlaps", "check_no_overlap")


@dataclass(frozen=True)
class Rules:
    """The four booking rules, in the interface of exercise 04.1."""

    check_time_range: Callable[[datetime, datetime], None]
    check_capacity: Callable[[int, int], None]
    overlaps: Callable[[datetime, datetime, datetime, datetime], bool]
    check_no_overlap: Callable[[Sequence[Booking], int, datetime, datetime], None]


@dataclass(frozen=True)
class Mutant:
    key: str
    bug: str
    """The bug in plain words, as a noun phrase: "your tests catch <bug>"."""
    hint: str
    """A test that would catch it, described without showing the mutant's code."""
    rules: Rules


# --- The correct rules ---------------------------------------------------------------------


def check_time_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    if attendees > capacity:
        raise CapacityExceeded(attendees, capacity)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def no_overlap_rule(
    overlap: Callable[[datetime, datetime, datetime, datetime], bool],
    *,
    skip_cancelled: bool = True,
    same_room_only: bool = True,
) -> Callable[[Sequence[Booking], int, datetime, datetime], None]:
    """A check_no_overlap built on `overlap`; the flags exist to plant bugs."""

    def check_no_overlap(
        existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
    ) -> None:
        for booking in existing:
            if same_room_only and booking.room_id != room_id:
                continue
            if skip_cancelled and booking.cancelled:
                continue
            if overlap(start, end, booking.start, booking.end):
                raise OverlapConflict(conflicting_booking_id=booking.id)

    return check_no_overlap


REFERENCE = Rules(check_time_range, check_capacity, overlaps, no_overlap_rule(overlaps))


# --- The planted bugs ----------------------------------------------------------------------


def _zero_length_accepted(start: datetime, end: datetime) -> None:
    if end < start:
        raise InvalidTimeRange()


def _full_room_refused(attendees: int, capacity: int) -> None:
    if attendees >= capacity:
        raise CapacityExceeded(attendees, capacity)


def _one_too_many_accepted(attendees: int, capacity: int) -> None:
    if attendees > capacity + 1:
        raise CapacityExceeded(attendees, capacity)


def _touching_overlaps(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> bool:
    return a_start <= b_end and b_start <= a_end


def _starts_inside_only(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> bool:
    return b_start <= a_start < b_end


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "zero-length-accepted",
        "a booking whose end equals its start being accepted",
        "Add a test that books 09:00–09:00 and expects a refusal "
        "(InvalidTimeRange, or a 422 from the API).",
        dataclasses.replace(REFERENCE, check_time_range=_zero_length_accepted),
    ),
    Mutant(
        "full-room-refused",
        "a booking that exactly fills the room being refused",
        "Add a test that books as many attendees as the room's capacity and expects success.",
        dataclasses.replace(REFERENCE, check_capacity=_full_room_refused),
    ),
    Mutant(
        "one-too-many-accepted",
        "one attendee more than the room holds being accepted",
        "Add a test that books capacity + 1 attendees and expects CapacityExceeded "
        "(a 422 from the API).",
        dataclasses.replace(REFERENCE, check_capacity=_one_too_many_accepted),
    ),
    Mutant(
        "back-to-back-refused",
        "back-to-back bookings being refused as an overlap",
        "Book 09:00–10:00, then 10:00–11:00 in the same room, and expect the second to succeed "
        "(or assert that overlaps() is False for bookings that only touch).",
        dataclasses.replace(
            REFERENCE,
            overlaps=_touching_overlaps,
            check_no_overlap=no_overlap_rule(_touching_overlaps),
        ),
    ),
    Mutant(
        "earlier-start-missed",
        "a booking that starts earlier and runs into an existing one being accepted",
        "After a 09:00–10:00 booking, request 08:30–09:30 (and 08:00–11:00, all around it) "
        "and expect a refusal.",
        dataclasses.replace(
            REFERENCE,
            overlaps=_starts_inside_only,
            check_no_overlap=no_overlap_rule(_starts_inside_only),
        ),
    ),
    Mutant(
        "cancelled-blocks",
        "a cancelled booking still blocking its slot",
        "Book a slot, cancel it (POST /bookings/{id}/cancel), book the same slot again and "
        "expect success.",
        dataclasses.replace(
            REFERENCE, check_no_overlap=no_overlap_rule(overlaps, skip_cancelled=False)
        ),
    ),
    Mutant(
        "other-room-blocks",
        "a booking in another room blocking the slot",
        "Book 09:00–10:00 in one room, then the same hour in a second room, and expect success.",
        dataclasses.replace(
            REFERENCE, check_no_overlap=no_overlap_rule(overlaps, same_room_only=False)
        ),
    ),
)


def mutant(key: str) -> Mutant:
    """The mutant called `key`; a KeyError lists the known keys."""
    for candidate in MUTANTS:
        if candidate.key == key:
            return candidate
    raise KeyError(f"no mutant {key!r}; known: {', '.join(m.key for m in MUTANTS)}")


def active_rules(environ: Mapping[str, str] | None = None) -> Rules:
    """The rules named by ONBOARD_MUTANT: a mutant's, or the reference when it is unset."""
    environ = os.environ if environ is None else environ
    key = environ.get(MUTANT_VARIABLE, "")
    return mutant(key).rules if key else REFERENCE


def make_booking(
    start: datetime | str,
    end: datetime | str,
    *,
    room_id: int = 1,
    cancelled: bool = False,
    booking_id: int = 1,
    attendees: int = 2,
) -> Booking:
    """A stored booking, as check_no_overlap receives them; times may be ISO 8601 text."""
    return Booking(
        id=booking_id,
        room_id=room_id,
        organiser="amara@example.com",
        start=start,
        end=end,
        attendees=attendees,
        cancelled=cancelled,
    )


# --- Plugging rules into the reference service ---------------------------------------------


def stored_bookings(db: Any) -> list[Booking]:
    """Every booking in the database, of every room, cancelled or not, in start order."""
    return [Booking(**row) for row in db["bookings"].rows_where(order_by="start, id")]


@contextlib.contextmanager
def plugged_in(rules: Rules) -> Iterator[None]:
    """Make `bookings.crud` (and so the whole API) enforce `rules` inside the block.

    crud calls its rules by module attribute, so replacing the attributes is enough; each
    replacement adapts crud's arguments (a Room, a database) to the exercise's interface.
    """

    def crud_check_capacity(attendees: int, room: Room) -> None:
        rules.check_capacity(attendees, room.capacity)

    def crud_check_no_overlap(db: Any, room_id: int, start: datetime, end: datetime) -> None:
        rules.check_no_overlap(stored_bookings(db), room_id, start, end)

    replacements = {
        "check_time_range": rules.check_time_range,
        "check_capacity": crud_check_capacity,
        "overlaps": rules.overlaps,
        "check_no_overlap": crud_check_no_overlap,
    }
    saved = {name: getattr(crud, name) for name in replacements}
    for name, function in replacements.items():
        setattr(crud, name, function)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(crud, name, function)


def pytest_configure(config: Any) -> None:
    """Plant the mutant named by ONBOARD_MUTANT for this pytest session, if one is named."""
    key = os.environ.get(MUTANT_VARIABLE, "")
    if not key:
        return
    planting = plugged_in(mutant(key).rules)
    planting.__enter__()
    config.add_cleanup(lambda: planting.__exit__(None, None, None))


# --- Running one test file against several variants -------------------------------------------

REFERENCE_KEY = "reference"


def _forget_modules_under(folder: Path) -> None:
    """Drop the modules imported from `folder`, so the next session imports them afresh."""
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None)
        if location and Path(location).resolve().is_relative_to(folder):
            del sys.modules[name]


def run_variants(
    test_file: str, report_dir: Path, keys: Sequence[str], stop_at_first: bool = False
) -> None:
    """Run `test_file` (in the current folder) once per variant, in this one process.

    Starting Python and importing the service takes most of a run's time, so the variants share
    one process: each gets its own pytest session, with the folder's modules imported afresh
    (the test file binds the rules when it is imported). Each variant leaves
    `<key>.xml` (JUnit) and `<key>.rc` (pytest's exit code) in `report_dir`.
    """
    import pytest

    folder = Path.cwd().resolve()
    for key in keys:
        _forget_modules_under(folder)
        if key == REFERENCE_KEY:
            os.environ.pop(MUTANT_VARIABLE, None)
        else:
            mutant(key)  # an unknown key fails here, before pytest starts
            os.environ[MUTANT_VARIABLE] = key
        args = [
            test_file,
            "-q",
            "--color=no",
            "-p",
            "no:cacheprovider",
            "-p",
            __name__,
            f"--junitxml={report_dir / f'{key}.xml'}",
            f"--basetemp={report_dir / f'{key}-tmp'}",
            f"--rootdir={folder}",
            "-c",
            os.devnull,
        ]
        if stop_at_first:
            args.append("-x")
        print(f"=== {key}", flush=True)
        returncode = pytest.main(args)
        (report_dir / f"{key}.rc").write_text(str(int(returncode)), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """python -c 'from onboarding.stages.mutants import main; main()' TEST_FILE REPORTS [-x] KEY…"""
    args = list(sys.argv[1:] if argv is None else argv)
    stop_at_first = "-x" in args
    test_file, report_dir, *keys = [arg for arg in args if arg != "-x"]
    run_variants(test_file, Path(report_dir), keys, stop_at_first)
