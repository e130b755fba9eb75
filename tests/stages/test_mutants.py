"""The planted bugs: each one really is a bug, the reference tests catch each, and planting one
changes the service only while it is planted."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings import crud
from bookings.core.db import open_database
from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from bookings.migrations import upgrade
from bookings.models import BookingCreate, RoomCreate
from onboarding.checks import CheckFailed
from onboarding.stages import implementation, mutants
from onboarding.stages.mutants import MUTANTS, REFERENCE, make_booking, mutant, plugged_in
from tests.conftest import COURSE_ROOT

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
KEYS = [m.key for m in MUTANTS]


def test_there_are_at_least_five_distinct_mutants_with_words_and_hints():
    assert len(MUTANTS) >= 5
    assert len(set(KEYS)) == len(KEYS)
    assert len({m.bug for m in MUTANTS}) == len(MUTANTS)
    for planted in MUTANTS:
        assert planted.hint[0].isupper() and planted.hint.endswith(".")
        # Feedback is in words: no code, no function names of the mutant.
        assert "_" not in planted.bug and "(" not in planted.bug


def test_the_brief_s_bugs_are_all_there():
    """Back to back, both capacity off-by-ones, cancelled, end == start and another room."""
    assert {
        "back-to-back-refused",
        "full-room-refused",
        "one-too-many-accepted",
        "cancelled-blocks",
        "zero-length-accepted",
        "other-room-blocks",
    } <= set(KEYS)


def test_an_unknown_mutant_lists_the_known_ones():
    with pytest.raises(KeyError, match="back-to-back-refused"):
        mutant("no-such-bug")


def test_active_rules_follow_the_environment_variable():
    assert mutants.active_rules({}) is REFERENCE
    assert mutants.active_rules({mutants.MUTANT_VARIABLE: ""}) is REFERENCE
    planted = mutant("cancelled-blocks")
    assert mutants.active_rules({mutants.MUTANT_VARIABLE: planted.key}) is planted.rules


# --- The reference rules -------------------------------------------------------------------


def test_reference_rules_at_their_boundaries():
    REFERENCE.check_time_range(NINE, NINE + timedelta(seconds=1))
    for end in (NINE, NINE - HOUR):
        with pytest.raises(InvalidTimeRange):
            REFERENCE.check_time_range(NINE, end)
    REFERENCE.check_capacity(6, 6)
    with pytest.raises(CapacityExceeded):
        REFERENCE.check_capacity(7, 6)
    assert REFERENCE.overlaps(NINE, NINE + HOUR, NINE + HOUR / 2, NINE + 2 * HOUR)
    assert not REFERENCE.overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)


def test_reference_no_overlap_names_the_first_live_booking_of_the_room():
    existing = [
        make_booking(NINE, NINE + HOUR, room_id=2, booking_id=1),
        make_booking(NINE, NINE + HOUR, cancelled=True, booking_id=2),
        make_booking(NINE, NINE + HOUR, booking_id=3),
    ]
    with pytest.raises(OverlapConflict) as caught:
        REFERENCE.check_no_overlap(existing, 1, NINE, NINE + HOUR)
    assert caught.value.extensions == {"conflicting_booking_id": 3}
    REFERENCE.check_no_overlap(existing[:2], 1, NINE, NINE + HOUR)


def test_make_booking_accepts_iso_text():
    booking = make_booking("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z", room_id=2)
    assert (booking.start, booking.end, booking.room_id) == (NINE, NINE + HOUR, 2)
    assert not booking.cancelled


# --- Each mutant differs from the reference where its words say --------------------------


def raises(action) -> bool:
    try:
        action()
    except (InvalidTimeRange, CapacityExceeded, OverlapConflict):
        return True
    return False


WITNESSES = {
    "zero-length-accepted": lambda r: not raises(lambda: r.check_time_range(NINE, NINE)),
    "full-room-refused": lambda r: raises(lambda: r.check_capacity(6, 6)),
    "one-too-many-accepted": lambda r: not raises(lambda: r.check_capacity(7, 6)),
    "back-to-back-refused": lambda r: r.overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR),
    "earlier-start-missed": lambda r: (
        not r.overlaps(NINE - HOUR / 2, NINE + HOUR / 2, NINE, NINE + HOUR)
    ),
    "cancelled-blocks": lambda r: raises(
        lambda: r.check_no_overlap(
            [make_booking(NINE, NINE + HOUR, cancelled=True)], 1, NINE, NINE + HOUR
        )
    ),
    "other-room-blocks": lambda r: raises(
        lambda: r.check_no_overlap(
            [make_booking(NINE, NINE + HOUR, room_id=2)], 1, NINE, NINE + HOUR
        )
    ),
}


def test_every_mutant_has_a_witness():
    assert set(WITNESSES) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_the_witness_shows_the_bug_in_the_mutant_only(key):
    """A dedicated input on which this mutant and the reference disagree."""
    assert WITNESSES[key](mutant(key).rules)
    assert not WITNESSES[key](REFERENCE)


@pytest.mark.parametrize("key", KEYS)
def test_each_mutant_fails_a_hidden_api_scenario_and_the_reference_fails_none(key):
    """Through the service: some scenario of exercise 04.1 fails with the bug planted."""
    failing = []
    for scenario in implementation.SCENARIOS:
        try:
            implementation.run_scenario(scenario, mutant(key).rules)
        except CheckFailed:
            failing.append(scenario.rule)
    assert failing, f"{key} passes every scenario"


# --- Planting ---------------------------------------------------------------------------------


def test_plugged_in_replaces_the_crud_rules_and_restores_them():
    originals = {name: getattr(crud, name) for name in mutants.RULE_NAMES}
    with plugged_in(mutant("full-room-refused").rules):
        with pytest.raises(CapacityExceeded):
            crud.check_capacity(6, crud.Room(id=1, name="Ada", capacity=6))
    assert {name: getattr(crud, name) for name in mutants.RULE_NAMES} == originals


def test_plugged_in_restores_the_rules_after_an_error():
    originals = {name: getattr(crud, name) for name in mutants.RULE_NAMES}
    with pytest.raises(RuntimeError), plugged_in(REFERENCE):
        raise RuntimeError("boom")
    assert {name: getattr(crud, name) for name in mutants.RULE_NAMES} == originals


slots = st.tuples(
    st.integers(min_value=1, max_value=2),  # room
    st.integers(min_value=0, max_value=12),  # start, in quarter hours after 09:00
    st.integers(min_value=-1, max_value=5),  # length in quarter hours; <= 0 is invalid
    st.integers(min_value=1, max_value=8),  # attendees; rooms hold 6
    st.booleans(),  # cancel it afterwards?
)


def outcomes(operations) -> list[str]:
    db = open_database(":memory:")
    upgrade(db)
    for name in ("Ada", "Babbage"):
        crud.create_room(db, RoomCreate(name=name, capacity=6))
    seen = []
    for room_id, offset, length, attendees, cancel in operations:
        start = NINE + offset * HOUR / 4
        request = BookingCreate(
            organiser="amara@example.com",
            start=start,
            end=start + length * HOUR / 4,
            attendees=attendees,
        )
        try:
            booking = crud.create_booking(db, room_id, request)
        except (InvalidTimeRange, CapacityExceeded, OverlapConflict) as error:
            seen.append(f"{type(error).__name__} {getattr(error, 'extensions', '')}")
            continue
        seen.append(f"booked {booking.id}")
        if cancel:
            crud.cancel_booking(db, booking.id, now=NINE)
    db.close()
    return seen


# No example database: the test must not write a .hypothesis folder into the repository.
@settings(max_examples=40, deadline=None, database=None)
@given(st.lists(slots, max_size=10))
def test_the_reference_rules_plugged_in_behave_exactly_like_the_service(operations):
    """Same answers, same conflicting ids, with crud's own rules or the plain functions."""
    own = outcomes(operations)
    with plugged_in(REFERENCE):
        plain = outcomes(operations)
    assert plain == own


# --- The reference test suite catches every mutant -----------------------------------------


def test_the_reference_unit_tests_catch_every_mutant():
    """tests/bookings/test_crud.py passes as it is and fails with each bug planted."""
    run = implementation.VariantRun(
        COURSE_ROOT / "tests" / "bookings",
        "test_crud.py",
        [mutants.REFERENCE_KEY, *KEYS],
        stop_at_first=True,
    )
    try:
        results = run.wait(time.monotonic() + 180)
    finally:
        run.close()
    assert results[mutants.REFERENCE_KEY].returncode == 0, results[mutants.REFERENCE_KEY]
    survivors = [key for key in KEYS if results[key].returncode != 1]
    assert not survivors


def test_running_variants_writes_nothing_into_the_folder(tmp_path: Path):
    (tmp_path / "test_x.py").write_text(
        "from booking_rules import overlaps\n\n"
        "def test_touching():\n"
        "    assert not overlaps(1, 2, 2, 3)\n"
    )
    (tmp_path / "booking_rules.py").write_text(implementation.BOOKING_RULES)
    before = sorted(path.name for path in tmp_path.rglob("*"))
    run = implementation.VariantRun(tmp_path, "test_x.py", ["reference", "back-to-back-refused"])
    try:
        results = run.wait(time.monotonic() + 120)
    finally:
        run.close()
    assert results["reference"].summary() == "1 passed"
    assert results["back-to-back-refused"].summary() == "1 failed"
    assert sorted(path.name for path in tmp_path.rglob("*")) == before
