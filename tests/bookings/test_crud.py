"""The rule functions (bookings.rules) and the data access (bookings.crud), without HTTP."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings import crud, rules
from bookings.core.db import open_database
from bookings.errors import (
    BookingNotFound,
    CapacityExceeded,
    InvalidTimeRange,
    OverlapConflict,
    RoomNotFound,
)
from bookings.migrations import upgrade
from bookings.models import Booking, BookingCreate, Room, RoomCreate

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
ROOM = Room(id=1, name="Ada", capacity=6)


def request(start=NINE, end=NINE + HOUR, attendees=2) -> BookingCreate:
    return BookingCreate(organiser="amara@example.com", start=start, end=end, attendees=attendees)


@pytest.fixture
def room(db) -> Room:
    return crud.create_room(db, RoomCreate(name="Ada", capacity=6))


# --- Stored time format -------------------------------------------------------------------


def test_times_are_stored_as_fixed_width_utc_text():
    """to_db_time converts to UTC and pads the year, so text order is time order."""
    paris = timezone(timedelta(hours=1))
    assert crud.to_db_time(datetime(2030, 1, 7, 10, tzinfo=paris)) == "2030-01-07T09:00:00Z"
    assert crud.to_db_time(datetime(999, 1, 1, tzinfo=timezone.utc)) == "0999-01-01T00:00:00Z"


# --- Plain rule functions -----------------------------------------------------------------


def test_time_range_accepts_end_after_start():
    """check_time_range is quiet for a one-second booking."""
    rules.check_time_range(NINE, NINE + timedelta(seconds=1))


@pytest.mark.parametrize("end", [NINE, NINE - HOUR], ids=["equal", "before"])
def test_time_range_refuses_end_not_after_start(end):
    """check_time_range raises InvalidTimeRange for end == start and end < start."""
    with pytest.raises(InvalidTimeRange):
        rules.check_time_range(NINE, end)


@pytest.mark.parametrize(("attendees", "fits"), [(1, True), (6, True), (7, False), (100, False)])
def test_capacity(attendees, fits):
    """check_capacity allows up to and including the capacity, and no more."""
    if fits:
        rules.check_capacity(attendees, ROOM.capacity)
    else:
        with pytest.raises(CapacityExceeded):
            rules.check_capacity(attendees, ROOM.capacity)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (NINE, NINE + HOUR, True),
        (NINE + HOUR / 4, NINE + HOUR / 2, True),
        (NINE - HOUR, NINE + 2 * HOUR, True),
        (NINE - HOUR / 2, NINE + HOUR / 2, True),
        (NINE + HOUR / 2, NINE + 2 * HOUR, True),
        (NINE - HOUR, NINE, False),
        (NINE + HOUR, NINE + 2 * HOUR, False),
        (NINE - 2 * HOUR, NINE - HOUR, False),
    ],
)
def test_overlaps(start, end, expected):
    """overlaps() against 09:00-10:00, in both argument orders; back to back is no overlap."""
    assert rules.overlaps(start, end, NINE, NINE + HOUR) is expected
    assert rules.overlaps(NINE, NINE + HOUR, start, end) is expected


# --- Rules against the database -----------------------------------------------------------


def check_around(db, room_id, start, end) -> None:
    """The overlap rule on what create_booking hands it: the room's bookings around the slot."""
    rules.check_no_overlap(crud.bookings_around(db, room_id, start, end), room_id, start, end)


def test_check_no_overlap_names_the_booking_in_the_way(db, room):
    """OverlapConflict carries the id of the live booking that overlaps."""
    existing = crud.create_booking(db, room.id, request())
    with pytest.raises(OverlapConflict) as caught:
        check_around(db, room.id, NINE + HOUR / 2, NINE + 2 * HOUR)
    assert caught.value.extensions == {"conflicting_booking_id": existing.id}


def test_check_no_overlap_ignores_cancelled_and_other_rooms(db, room):
    """A cancelled booking, or one in another room, is not in the way."""
    other = crud.create_room(db, RoomCreate(name="Babbage", capacity=6))
    crud.create_booking(db, other.id, request())
    cancelled = crud.create_booking(db, room.id, request())
    crud.cancel_booking(db, cancelled.id)
    check_around(db, room.id, NINE, NINE + HOUR)
    stored = [booking(room_id=other.id), booking(cancelled=True)]
    rules.check_no_overlap(stored, room.id, NINE, NINE + HOUR)


def booking(room_id: int = 1, cancelled: bool = False) -> Booking:
    return Booking(
        id=9,
        room_id=room_id,
        organiser="amara@example.com",
        start=NINE,
        end=NINE + HOUR,
        attendees=2,
        cancelled=cancelled,
    )


def test_the_rule_sees_touching_and_cancelled_bookings_of_the_room_only(db, room):
    """bookings_around finds what the rule must judge, and nothing of other rooms or times."""
    other = crud.create_room(db, RoomCreate(name="Babbage", capacity=6))
    before = crud.create_booking(db, room.id, request(start=NINE - HOUR, end=NINE))
    after = crud.create_booking(db, room.id, request(start=NINE + HOUR, end=NINE + 2 * HOUR))
    cancelled = crud.cancel_booking(db, crud.create_booking(db, room.id, request()).id)
    crud.create_booking(db, room.id, request(start=NINE + 3 * HOUR, end=NINE + 4 * HOUR))
    crud.create_booking(db, other.id, request())
    found = crud.bookings_around(db, room.id, NINE, NINE + HOUR)
    assert sorted(b.id for b in found) == sorted([before.id, after.id, cancelled.id])


def test_create_booking_enforces_the_rules_it_is_given(db, room):
    """The seam: other Rules change what the service accepts, with nothing patched."""

    def refuse_everything(start, end):
        raise InvalidTimeRange()

    strict = rules.Rules(
        refuse_everything, rules.check_capacity, rules.overlaps, rules.check_no_overlap
    )
    with pytest.raises(InvalidTimeRange):
        crud.create_booking(db, room.id, request(), strict)
    assert crud.create_booking(db, room.id, request()).id == 1


def test_rules_are_checked_before_anything_is_stored(db, room):
    """A refused booking leaves no row behind."""
    for bad in (request(end=NINE), request(attendees=7)):
        with pytest.raises((InvalidTimeRange, CapacityExceeded)):
            crud.create_booking(db, room.id, bad)
    assert db["bookings"].count == 0


def test_missing_room_and_booking(db):
    """Unknown ids raise RoomNotFound and BookingNotFound."""
    with pytest.raises(RoomNotFound):
        crud.create_booking(db, 5, request())
    with pytest.raises(RoomNotFound):
        crud.list_room_bookings(db, 5)
    with pytest.raises(BookingNotFound):
        crud.get_booking(db, 5)
    with pytest.raises(BookingNotFound):
        crud.cancel_booking(db, 5)


def test_cancel_records_the_time_once(db, room):
    """cancel_booking stores `now` the first time and keeps it on a second cancel."""
    booking = crud.create_booking(db, room.id, request())
    first = crud.cancel_booking(db, booking.id, now=NINE - HOUR)
    second = crud.cancel_booking(db, booking.id, now=NINE)
    assert first.cancelled and first.cancelled_at == NINE - HOUR
    assert second == first


def test_concurrent_requests_for_one_slot_book_it_once(db_path, db, room):
    """Eight connections racing for the same slot: exactly one wins, the rest conflict."""
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        own = open_database(db_path)
        try:
            barrier.wait()
            crud.create_booking(own, room.id, request())
            outcomes.append("booked")
        except OverlapConflict:
            outcomes.append("conflict")
        except Exception as exc:  # any other failure is reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            own.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["conflict"] * 7
    assert db["bookings"].count == 1


# --- A property: the service agrees with a brute-force model ------------------------------

slots = st.tuples(
    st.integers(min_value=1, max_value=2),  # room
    st.integers(min_value=0, max_value=16),  # start, in quarter hours after 09:00
    st.integers(min_value=-1, max_value=6),  # length in quarter hours; <= 0 is invalid
    st.booleans(),  # cancel it afterwards?
)


# No example database: the test must not write a .hypothesis folder into the repository.
@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(slots, max_size=12))
def test_bookings_match_a_brute_force_model(operations):
    """Random bookings and cancels: each is accepted exactly when the model says it should be."""
    db = open_database(":memory:")
    upgrade(db)
    for name in ("Ada", "Babbage"):
        crud.create_room(db, RoomCreate(name=name, capacity=6))
    live: list[tuple[int, datetime, datetime]] = []
    for room_id, offset, length, cancel in operations:
        start = NINE + offset * HOUR / 4
        end = start + length * HOUR / 4
        expected_ok = end > start and not any(
            other_room == room_id and rules.overlaps(start, end, other_start, other_end)
            for other_room, other_start, other_end in live
        )
        try:
            booking = crud.create_booking(db, room_id, request(start=start, end=end))
        except (InvalidTimeRange, OverlapConflict):
            assert not expected_ok
            continue
        assert expected_ok
        if cancel:
            crud.cancel_booking(db, booking.id)
        else:
            live.append((room_id, start, end))
    stored = [
        (b.room_id, b.start, b.end)
        for room_id in (1, 2)
        for b in crud.list_room_bookings(db, room_id, limit=100)
    ]
    assert sorted(stored) == sorted(live)
    db.close()
