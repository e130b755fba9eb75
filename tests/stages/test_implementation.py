"""Stage 04's checks on the learner's project: each mistake gets its verdict and its message.

Every test writes the course's model project at the end of stage 04 into a throwaway workspace,
changes what a learner might get wrong, and judges the exercise as `check("04.N")` does. The
project's runs are real pytest runs in child processes, so each judged exercise costs seconds:
one wrong project per test exercises several mistakes at once.
"""

from __future__ import annotations

import functools
import hashlib
import linecache
import logging
import random
import sys
import types
from http import HTTPStatus

import pytest

from onboarding import project
from onboarding.stages import judge
from onboarding.stages.implementation import lesson, rollout
from onboarding.stages.implementation.planted_bugs import BUGS
from tests.stages.project_checks import change, failed, verdicts
from tests.stages.rollout_flags import (
    CLASS_AND_INSTANCE_IN_SEPARATE_CELLS,
    DECORATOR_FROM_AN_EARLIER_CELL,
    FLAG_WITH_AN_OLD_SALT,
    FUNCTION_WRAPPED_IN_A_LATER_CELL,
    PARTIAL_OF_A_FUNCTION_IN_AN_EARLIER_CELL,
    PURE_HELPER_IN_AN_EARLIER_CELL,
    RANDOM_BUCKETS_IN_A_CELL_THAT_PRINTS,
    RANDOM_BUCKETS_IN_A_CLOSURE,
    RANDOM_BUCKETS_IN_AN_EARLIER_CELL,
    RANDOM_SALT_IN_AN_EARLIER_CELL,
    RANDOM_SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
    RANDOM_SALT_SET_IN_AN_IF,
    RANDOM_SALT_UPDATED_BY_A_METHOD_CALL,
    SALT_CHANGED_IN_LATER_CELLS,
    SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
    SALT_SET_IN_A_FOR,
    SALT_SET_IN_A_TRY,
    SALT_SET_IN_A_WITH_THAT_SUPPRESSES,
    SALT_SET_IN_AN_IF,
    SALT_UPDATED_BY_A_METHOD_CALL,
    SETTINGS_UPDATED_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
    STABLE_CLOSURE,
    CallableFlag,
    blake2_fraction_flag,
    cached_bucket_flag,
    crc32_flag,
    flag_off_at_hundred,
    flag_on_at_zero,
    flag_rerolled_per_percent,
    generator_seeded_by_hash_flag,
    md5_percent_flag,
    percent_as_a_fraction_flag,
    seeded_generator_flag,
    sha_flag,
    shared_generator_flag,
    uuid5_flag,
)

RULES = "src/booking_service/rules.py"
CRUD = "src/booking_service/crud.py"
MODELS = "src/booking_service/models.py"
UNIT_TESTS = "tests/test_rules.py"
ACCEPTANCE = "tests/test_acceptance.py"


@pytest.fixture
def service(workspace):
    """The learner's project, solved to the end of stage 04 (the model's files)."""
    return project.prepare("04", workspace, solved=True)


# --- Lesson helpers -----------------------------------------------------------------------------


def test_fresh_client_starts_from_an_empty_migrated_database():
    for _ in range(2):
        with lesson.fresh_client() as client:
            assert client.get("/rooms").json() == []
            assert client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"] == 1


def test_captured_service_logs_collects_json_lines_and_restores_the_stream():
    with lesson.fresh_client(log_level="INFO") as client, lesson.captured_service_logs() as lines:
        client.get("/rooms")
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/rooms", 200)
    ]
    handlers = logging.getLogger("bookings").handlers
    assert all(getattr(handler, "stream", None) is not None for handler in handlers)


# --- The lesson's practice cells: right answers in another form -------------------------------

RIGHT_STATUSES = {
    "a booking that ends before it starts": (422, "/problems/invalid-range"),
    "seven people in a room for six": (422, "/problems/capacity"),
    "09:30-10:30 when 09:00-10:00 is booked": (409, "/problems/overlap"),
    "a booking for room 99, which does not exist": (404, "/problems/room-not-found"),
}


@pytest.mark.parametrize(
    ("situation", "answer"),
    [
        # The standard library's names for the codes are the codes.
        ("seven people in a room for six", (HTTPStatus.UNPROCESSABLE_ENTITY, "/problems/capacity")),
        ("09:30-10:30 when 09:00-10:00 is booked", (HTTPStatus.CONFLICT, "/problems/overlap")),
        # A pair in square brackets is still a pair.
        ("a booking for room 99, which does not exist", [404, "/problems/room-not-found"]),
    ],
    ids=["http-status-422", "http-status-409", "a-list"],
)
def test_a_status_answered_another_way_is_right(capsys, situation, answer):
    lesson.check_statuses({**RIGHT_STATUSES, situation: answer})
    assert capsys.readouterr().out.splitlines()[-1] == "All right: on with the lesson."


@pytest.mark.parametrize(
    "cases",
    [
        [pytest.param(6, 201, id="exactly full"), pytest.param(7, 422, id="one too many")],
        [(6, HTTPStatus.CREATED), (7, HTTPStatus.UNPROCESSABLE_ENTITY)],
        ((1, 201), (6, 201), (7, 422)),
    ],
    ids=["pytest-param-rows", "http-status", "a-tuple-of-pairs"],
)
def test_a_capacity_table_written_another_way_is_right(capsys, cases):
    lesson.check_capacity_cases(cases)
    assert capsys.readouterr().out.splitlines()[-1] == "All right: on with the lesson."


@pytest.mark.parametrize(
    ("situation", "answer"),
    [
        ("seven people in a room for six", (True, "/problems/capacity")),
        ("seven people in a room for six", (HTTPStatus.CONFLICT, "/problems/capacity")),
        ("seven people in a room for six", [422, "/problems/capacity", "extra"]),
    ],
    ids=["a-bool", "the-wrong-named-status", "three-values"],
)
def test_a_wrong_status_answer_is_still_wrong(capsys, situation, answer):
    lesson.check_statuses({**RIGHT_STATUSES, situation: answer})
    assert "❌ seven people in a room for six" in capsys.readouterr().out


def test_a_pytest_param_table_without_the_boundary_is_still_wrong(capsys):
    lesson.check_capacity_cases([pytest.param(1, 201), pytest.param(6, 201)])
    assert "no case with 7 attendees" in capsys.readouterr().out


# --- 04.1: the rules ------------------------------------------------------------------------------


def test_the_model_project_passes_every_exercise_of_stage_04(service):
    for exercise in ("04.1", "04.2", "04.3", "04.4"):
        result = judge(exercise)
        assert result.failed == (), (exercise, result.lines())


# The rules as another engineer writes them: a negated comparison, an early return, keyword
# arguments, max/min for the overlap, a helper class, next(), and the id passed positionally.
RULES_WRITTEN_OTHERWISE = '''
def check_time_range(start: datetime, end: datetime) -> None:
    if not start < end:
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    if attendees <= capacity:
        return
    raise CapacityExceeded(attendees=attendees, capacity=capacity)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return max(a_start, b_start) < min(a_end, b_end)


class _Room:
    """The bookings that count for one room: live ones only."""

    def __init__(self, existing: Sequence[Booking], room_id: int) -> None:
        self.live = [b for b in existing if b.room_id == room_id and b.cancelled is False]

    def first_in_the_way(self, start: datetime, end: datetime) -> Booking | None:
        return next((b for b in self.live if overlaps(b.start, b.end, start, end)), None)


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    in_the_way = _Room(existing, room_id).first_in_the_way(start, end)
    if in_the_way is not None:
        raise OverlapConflict(in_the_way.id)


'''


def test_rules_written_another_way_pass(service):
    path = service / RULES
    text = path.read_text(encoding="utf-8")
    start, end = text.index("def check_time_range"), text.index("@dataclass(frozen=True)")
    path.write_text(text[:start] + RULES_WRITTEN_OTHERWISE.lstrip() + text[end:], encoding="utf-8")
    result = judge("04.1")
    assert result.failed == (), result.lines()


def test_wrong_rules_are_named_each_by_its_scenario(service):
    change(service, RULES, "if end <= start:", "if end < start:")
    change(service, RULES, "if attendees > capacity:", "if attendees >= capacity:")
    change(service, RULES, "booking.room_id != room_id or booking.cancelled", "False")
    found = verdicts(judge("04.1"))
    assert failed(found) == [
        "a booking whose end equals its start is refused",
        "a booking that exactly fills the room is accepted",
        "a cancelled booking does not block its slot",
        "a booking in another room does not block",
    ]
    assert "09:00" in found["a booking whose end equals its start is refused"]
    assert "422" in found["a booking whose end equals its start is refused"]


def test_overlaps_that_refuses_back_to_back_is_caught(service):
    change(
        service,
        RULES,
        "return a_start < b_end and b_start < a_end",
        "return a_start <= b_end and b_start <= a_end",
    )
    found = verdicts(judge("04.1"))
    assert found[
        "overlaps() is True for every way two bookings can overlap, False when they only touch"
    ]
    assert found["back-to-back bookings are allowed"]


OVERLAP_NAMED = "an overlapping booking in the same room is refused, naming the booking in the way"
REFUSALS_ARE_PROBLEMS = (
    "a refused booking is a problem: 404 for an unknown room, 409 naming the booking in the way, "
    "422 for a bad time range or too many attendees"
)


@pytest.mark.parametrize(
    ("named", "through_their_service"),
    [
        ("booking.room_id", True),
        # The model's data access hands the rule only the bookings near the slot, so in the
        # learner's own service the first of them is the one in the way: only 04.1 can tell.
        ("existing[0].id", False),
    ],
    ids=["the-room-s-id", "the-room-s-first-booking"],
)
def test_a_conflict_naming_another_id_than_the_booking_in_the_way_is_refused(
    service, named, through_their_service
):
    # The room and its first booking both have id 1: a 409 naming either must not pass for
    # one naming the booking in the way.
    change(service, RULES, "conflicting_booking_id=booking.id", f"conflicting_booking_id={named}")
    rules = verdicts(judge("04.1"))
    assert failed(rules) == [OVERLAP_NAMED]
    assert "conflicting_booking_id 1, expected 2 (the booking in the way)" in rules[OVERLAP_NAMED]
    assert "a 09:00–10:00 booking in room 1 (id 2)" in rules[OVERLAP_NAMED]
    if through_their_service:
        api = verdicts(judge("04.2"))
        assert failed(api) == [REFUSALS_ARE_PROBLEMS]
        assert "conflicting_booking_id 1, expected 2" in api[REFUSALS_ARE_PROBLEMS]


def test_a_missing_rules_file_is_one_clear_line_and_nothing_else_is_judged(service):
    (service / RULES).unlink()
    result = judge("04.1")
    first = result.outcomes[0]
    assert not first.passed
    assert first.found == (
        "rules.py does not exist yet — create it in your project folder, "
        "service/src/booking_service/ in your workspace"
    )
    assert "Traceback" not in first.found
    assert all("not checked until" in outcome.found for outcome in result.outcomes[1:])


# --- 04.2: routes and data access ---------------------------------------------------------------


# The data access written another way: every booking of the room handed to the rule, times
# stored by isoformat(), filtering, sorting and paging in Python, cancelled set to True.
CRUD_WRITTEN_OTHERWISE = """
def create_booking(db: Database, room_id: int, booking: BookingCreate, rules: Rules) -> Booking:
    with write_transaction(db):
        capacity = get_room(db, room_id).capacity
        rules.check_time_range(booking.start, booking.end)
        rules.check_capacity(booking.attendees, capacity)
        # Every booking of the room, as the rule decides which count.
        existing = [Booking(**row) for row in db["bookings"].rows_where("room_id = ?", [room_id])]
        rules.check_no_overlap(existing, room_id, booking.start, booking.end)
        new_id = db["bookings"].insert(
            {**booking.model_dump(), "room_id": room_id,
             "start": booking.start.isoformat(), "end": booking.end.isoformat()}
        ).last_pk
    return get_booking(db, new_id)


def get_booking(db: Database, booking_id: int) -> Booking:
    rows = list(db["bookings"].rows_where("id = ?", [booking_id]))
    if not rows:
        raise BookingNotFound(booking_id)
    return Booking(**rows[0])


def list_room_bookings(
    db: Database,
    room_id: int,
    *,
    include_cancelled: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[Booking]:
    get_room(db, room_id)
    bookings = [Booking(**row) for row in db["bookings"].rows_where("room_id = ?", [room_id])]
    wanted = [b for b in bookings if include_cancelled or not b.cancelled]
    wanted.sort(key=lambda b: (b.start, b.id))
    return wanted[offset : offset + limit]


def cancel_booking(db: Database, booking_id: int, *, now: datetime | None = None) -> Booking:
    booking = get_booking(db, booking_id)
    if booking.cancelled:
        return booking
    with write_transaction(db):
        db["bookings"].update(
            booking_id, {"cancelled": True, "cancelled_at": datetime.now(UTC).isoformat()}
        )
    return get_booking(db, booking_id)
"""


def test_data_access_and_routes_written_another_way_pass(service):
    crud = service / CRUD
    text = crud.read_text(encoding="utf-8")
    start = text.index("def create_booking")
    crud.write_text(text[:start] + CRUD_WRITTEN_OTHERWISE.lstrip(), encoding="utf-8")
    # A Location that is a path rather than a URL, written by hand.
    change(
        service,
        "src/booking_service/api/bookings.py",
        'response.headers["Location"] = str(request.url_for("get_booking", booking_id=created.id))',
        'response.headers["location"] = f"/bookings/{created.id}"',
    )
    result = judge("04.2")
    assert result.failed == (), result.lines()


def test_a_service_that_does_not_import_is_one_clear_line(service):
    (service / "src/booking_service/main.py").write_text("def create_app(:\n", encoding="utf-8")
    result = judge("04.2")
    assert not result.outcomes[0].passed
    assert "Traceback" not in result.outcomes[0].found
    assert "main.py" in result.outcomes[0].found
    assert all("not checked until" in outcome.found for outcome in result.outcomes[1:])


def test_listing_out_of_start_order_is_caught(service):
    text = (service / CRUD).read_text(encoding="utf-8")
    assert "order_by=" in text
    (service / CRUD).write_text(
        text.replace('order_by="start, id"', 'order_by="id desc"'), encoding="utf-8"
    )
    found = verdicts(judge("04.2"))
    listing = "GET /rooms/{room_id}/bookings lists the room's live bookings in start order, one page at a time"
    assert failed(found) == [listing]


# --- 04.3: acceptance criteria as tests ---------------------------------------------------------


def test_acceptance_tests_that_do_not_assert_the_status_let_refusals_through(service):
    change(
        service,
        ACCEPTANCE,
        'assert response.status_code == then["status"], then.get("reason", response.text)',
        "assert response.status_code in (201, 404, 409, 422)",
    )
    found = verdicts(judge("04.3"))
    refusals = "the test of each refused example fails when your service accepts every booking"
    assert failed(found) == [refusals]
    assert "passed when your service accepted every booking" in found[refusals]


def test_one_test_for_all_examples_is_refused(service):
    change(
        service,
        ACCEPTANCE,
        '@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])\n'
        "def test_acceptance_criterion(client, example):",
        "def test_acceptance_criterion(client, example=EXAMPLES[0]):",
    )
    found = verdicts(judge("04.3"))
    first = "tests/test_acceptance.py runs one test per example of docs/acceptance_criteria.yaml"
    assert "pytest ran 1 test(s)" in found[first]
    assert "parametrize" in found[first]


# --- 04.3: acceptance tests written another way -------------------------------------------------

ACCEPTANCE_HEAD = '''
from http import HTTPStatus
from pathlib import Path

import pytest
import yaml

CRITERIA = Path(__file__).resolve().parents[1] / "docs" / "acceptance_criteria.yaml"
EXAMPLES = yaml.safe_load(CRITERIA.read_text(encoding="utf-8"))["examples"]


def run_example(client, example):
    """Given, when: the status the service answers to the example's request."""
    rooms = {}
    for room in example["given"].get("rooms") or []:
        rooms[room["name"]] = client.post("/rooms", json=room).json()["id"]
    for booking in example["given"].get("bookings") or []:
        body = {key: booking[key] for key in ("start", "end", "attendees")}
        made = client.post(
            f"/rooms/{rooms[booking['room']]}/bookings", json={"organiser": "a@b.c", **body}
        )
        assert made.status_code == HTTPStatus.CREATED, made.text
    when = example["when"]
    body = {key: when[key] for key in ("start", "end", "attendees")}
    room_id = rooms.get(when["room"], 424242)
    return client.post(f"/rooms/{room_id}/bookings", json={"organiser": "x@y.z", **body})
'''

ACCEPTANCE_WRITTEN_OTHERWISE = {
    # A class, pytest.param ids, HTTPStatus, and a test of the file itself beside the examples'.
    "a-class-and-a-test-of-the-file": ACCEPTANCE_HEAD
    + """

def test_every_example_promises_a_status():
    assert all(example["then"]["status"] for example in EXAMPLES)


class TestAcceptanceCriteria:
    @pytest.mark.parametrize(
        "example", [pytest.param(example, id=example["behaviour"]) for example in EXAMPLES]
    )
    def test_example(self, client, example):
        response = run_example(client, example)
        assert response.status_code == HTTPStatus(example["then"]["status"])
""",
    # pytest's own hook parametrizes, with pytest's default ids (example0, example1, ...).
    "pytest-generate-tests-default-ids": ACCEPTANCE_HEAD
    + """

def pytest_generate_tests(metafunc):
    if "example" in metafunc.fixturenames:
        metafunc.parametrize("example", EXAMPLES)


def test_acceptance_criterion(client, example):
    assert run_example(client, example).status_code == example["then"]["status"]
""",
    # The accepted and the refused examples in two tests, with default ids.
    "two-tests-split-by-outcome": ACCEPTANCE_HEAD
    + """
ACCEPTED = [example for example in EXAMPLES if example["then"]["status"] not in (409, 422)]
REFUSED = [example for example in EXAMPLES if example["then"]["status"] in (409, 422)]


@pytest.mark.parametrize("example", ACCEPTED)
def test_an_accepted_example(client, example):
    assert run_example(client, example).status_code == example["then"]["status"]


@pytest.mark.parametrize("example", REFUSED)
def test_a_refused_example(client, example):
    response = run_example(client, example)
    assert response.status_code == example["then"]["status"], example["then"]["reason"]
""",
}


@pytest.mark.parametrize(
    "tests", list(ACCEPTANCE_WRITTEN_OTHERWISE.values()), ids=list(ACCEPTANCE_WRITTEN_OTHERWISE)
)
def test_acceptance_tests_written_another_way_pass(service, tests):
    (service / ACCEPTANCE).write_text(tests, encoding="utf-8")
    result = judge("04.3")
    assert result.failed == (), result.lines()


def test_split_acceptance_tests_that_do_not_assert_the_refusals_are_refused(service):
    tests = ACCEPTANCE_WRITTEN_OTHERWISE["two-tests-split-by-outcome"].replace(
        '    assert response.status_code == example["then"]["status"], example["then"]["reason"]',
        "    assert response.status_code in (201, 409, 422)",
    )
    (service / ACCEPTANCE).write_text(tests, encoding="utf-8")
    found = verdicts(judge("04.3"))
    refusals = "the test of each refused example fails when your service accepts every booking"
    assert failed(found) == [refusals]
    # Only the invalid range's test fails: the database refuses 10:00-09:00 with a 500.
    assert "1 test(s) failed when your service accepted every booking" in found[refusals]
    assert "for the 3 refused example(s)" in found[refusals]


def test_behaviours_pytest_escapes_in_ids_are_still_found(service):
    criteria = service / "docs/acceptance_criteria.yaml"
    text = criteria.read_text(encoding="utf-8")
    # pytest writes a non-ASCII id escaped (capacity \\u2013 one too many), so the id of the
    # test is not the behaviour as the file spells it.
    criteria.write_text(
        text.replace("behaviour: capacity", "behaviour: capacity – one too many"),
        encoding="utf-8",
    )
    result = judge("04.3")
    assert result.failed == (), result.lines()


SKIPS_THE_REFUSALS = (
    ACCEPTANCE_HEAD
    + """

@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_acceptance_criterion(client, example):
    if example["then"]["status"] in (409, 422):
        pytest.skip("refusals come later")
    assert run_example(client, example).status_code == example["then"]["status"]
"""
)


def test_acceptance_tests_that_skip_the_refusals_are_refused(service):
    (service / ACCEPTANCE).write_text(SKIPS_THE_REFUSALS, encoding="utf-8")
    found = verdicts(judge("04.3"))
    assert "skipped" in found["every acceptance test passes against your service"]
    refusals = "the test of each refused example fails when your service accepts every booking"
    assert "overlap" in found[refusals] and "skipped" in found[refusals]


# --- 04.4: unit tests judged as pytest judges them ----------------------------------------------

TESTS_IN_A_CLASS_WITH_A_HELPER = '''
from datetime import datetime, timedelta, timezone

import pytest

from booking_service.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from booking_service.models import Booking
from booking_service.rules import check_capacity, check_no_overlap, check_time_range, overlaps

T = datetime(2031, 3, 3, 14, tzinfo=timezone.utc)
M = timedelta(minutes=30)


def refused(error, rule, *arguments):
    """Asserts through a helper: pytest counts the test all the same."""
    with pytest.raises(error):
        rule(*arguments)


def allowed(rule, *arguments):
    assert rule(*arguments) is None


def row(start, end, room=3, cancelled=False):
    return Booking(id=9, room_id=room, organiser="x@example.com", start=start, end=end,
                   attendees=1, cancelled=cancelled)


class TestRules:
    def test_times(self):
        refused(InvalidTimeRange, check_time_range, T, T)
        allowed(check_time_range, T, T + M)

    def test_capacity(self):
        allowed(check_capacity, 10, 10)
        refused(CapacityExceeded, check_capacity, 11, 10)

    def test_overlap(self):
        refused(OverlapConflict, check_no_overlap, [row(T, T + 2 * M)], 3, T - M, T + M)
        allowed(check_no_overlap, [row(T, T + M)], 3, T + M, T + 2 * M)
        allowed(check_no_overlap, [row(T, T + M, cancelled=True)], 3, T, T + M)
        allowed(check_no_overlap, [row(T, T + M, room=4)], 3, T, T + M)
        assert overlaps(T - M, T + M, T, T + 2 * M)
'''


def test_tests_in_a_class_asserting_through_helpers_are_tests(service):
    (service / UNIT_TESTS).write_text(TESTS_IN_A_CLASS_WITH_A_HELPER, encoding="utf-8")
    result = judge("04.4")
    assert result.failed == (), result.lines()


UNITTEST_WITH_MOCKED_BOOKINGS = '''
import unittest
from datetime import datetime, timedelta, timezone
from unittest import mock

from booking_service import rules
from booking_service.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from booking_service.models import Booking

START = datetime(2031, 5, 5, 13, tzinfo=timezone.utc)
HALF_HOUR = timedelta(minutes=30)


def booking(start, end, room_id=4, cancelled=False, booking_id=1):
    """A stand-in for a stored booking: the rules read only these attributes."""
    return mock.Mock(id=booking_id, room_id=room_id, start=start, end=end, cancelled=cancelled)


def stored(start, end):
    return Booking(id=1, room_id=4, organiser="kai@example.com", start=start, end=end,
                   attendees=1, cancelled=False)


class RulesTest(unittest.TestCase):
    def test_a_zero_length_booking_is_refused(self):
        with self.assertRaises(InvalidTimeRange):
            rules.check_time_range(START, START)

    def test_a_full_room_is_fine_and_one_more_is_not(self):
        self.assertIsNone(rules.check_capacity(8, 8))
        with self.assertRaises(CapacityExceeded):
            rules.check_capacity(9, 8)

    def test_touching_bookings_do_not_overlap(self):
        self.assertFalse(rules.overlaps(START, START + HALF_HOUR, START + HALF_HOUR, START + 2 * HALF_HOUR))

    def test_a_booking_running_into_another_is_refused(self):
        existing = [stored(START, START + 2 * HALF_HOUR)]
        with self.assertRaises(OverlapConflict):
            rules.RULES.check_no_overlap(existing, 4, START - HALF_HOUR, START + HALF_HOUR)

    def test_cancelled_and_other_rooms_bookings_are_ignored(self):
        rules.check_no_overlap([booking(START, START + HALF_HOUR, cancelled=True)], 4, START, START + HALF_HOUR)
        rules.check_no_overlap([booking(START, START + HALF_HOUR, room_id=5)], 4, START, START + HALF_HOUR)
'''


PROPERTIES_AND_THE_API = """
from datetime import UTC, timedelta
from http import HTTPStatus

import pytest
from fastapi import status
from fastapi.testclient import TestClient
from hypothesis import given, strategies as st

from booking_service.core.config import Settings
from booking_service.errors import CapacityExceeded, InvalidTimeRange
from booking_service.main import create_app
from booking_service.rules import check_capacity, check_time_range

moments = st.datetimes(timezones=st.just(UTC))


@given(moments)
def test_a_booking_of_no_length_is_refused(moment):
    with pytest.raises(InvalidTimeRange):
        check_time_range(moment, moment)


@given(st.integers(min_value=1, max_value=500))
def test_a_room_takes_exactly_its_capacity(capacity):
    check_capacity(capacity, capacity)
    with pytest.raises(CapacityExceeded):
        check_capacity(capacity + 1, capacity)


@pytest.fixture
def api(tmp_path):
    with TestClient(create_app(Settings(database=tmp_path / "rooms.db", log_level="ERROR"))) as c:
        yield c


def book(api, room, start, end):
    body = {"organiser": "kai@example.com", "start": f"2031-05-05T{start}:00Z",
            "end": f"2031-05-05T{end}:00Z", "attendees": 1}
    return api.post(f"/rooms/{room}/bookings", json=body)


@pytest.mark.anyio
async def test_a_free_slot_is_booked_over_asgi(tmp_path):
    import httpx
    from booking_service.core.db import migrate

    database = tmp_path / "async.db"
    migrate(database)  # ASGITransport does not run the app's lifespan
    app = create_app(Settings(database=database, log_level="ERROR"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        room = (await client.post("/rooms", json={"name": "Fir", "capacity": 2})).json()
        body = {"organiser": "kai@example.com", "start": "2031-05-05T13:00:00Z",
                "end": "2031-05-05T14:00:00Z", "attendees": 2}
        answer = await client.post(f"/rooms/{room['id']}/bookings", json=body)
    assert answer.status_code == HTTPStatus.CREATED


class TestThroughTheApi:
    def room(self, api, name):
        return api.post("/rooms", json={"name": name, "capacity": 3}).json()["id"]

    def test_back_to_back_is_fine(self, api):
        room = self.room(api, "Ash")
        assert book(api, room, "13:00", "14:00").status_code == status.HTTP_201_CREATED
        assert book(api, room, "14:00", "15:00").status_code == status.HTTP_201_CREATED

    def test_around_an_existing_booking_is_a_conflict(self, api):
        room = self.room(api, "Ash")
        book(api, room, "13:00", "14:00")
        assert book(api, room, "12:00", "15:00").status_code == HTTPStatus.CONFLICT

    def test_a_cancelled_slot_is_free(self, api):
        room = self.room(api, "Ash")
        first = book(api, room, "13:00", "14:00").json()
        api.post(f"/bookings/{first['id']}/cancel")
        assert book(api, room, "13:00", "14:00").status_code == HTTPStatus.CREATED

    def test_another_rooms_booking_is_not_in_the_way(self):
        from booking_service.models import Booking
        from booking_service.rules import RULES

        start = Booking.model_fields["start"].annotation.fromisoformat("2031-05-05T13:00:00+00:00")
        other = Booking(id=1, room_id=2, organiser="kai@example.com", start=start,
                        end=start + timedelta(hours=1), attendees=1, cancelled=False)
        RULES.check_no_overlap([other], 1, start, start + timedelta(hours=1))
"""


@pytest.mark.parametrize(
    "tests",
    [UNITTEST_WITH_MOCKED_BOOKINGS, PROPERTIES_AND_THE_API],
    ids=["unittest-with-mock-bookings", "hypothesis-anyio-and-an-own-client-fixture"],
)
def test_unit_tests_written_another_way_catch_every_bug(service, tests):
    (service / UNIT_TESTS).write_text(tests, encoding="utf-8")
    result = judge("04.4")
    assert result.failed == (), result.lines()


OWN_HELPERS_IN_THE_RULES = '''

def is_live(booking, room_id):
    """Whether a stored booking is in the way of a new one in room `room_id`."""
    return booking.room_id == room_id and not booking.cancelled


def check_booking(existing, room_id, start, end, attendees, capacity):
    """Every rule, in the order the service applies them."""
    check_time_range(start, end)
    check_capacity(attendees, capacity)
    check_no_overlap(existing, room_id, start, end)
'''

TESTS_THROUGH_OWN_HELPERS = """
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from booking_service.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from booking_service.rules import check_booking, is_live, overlaps

NINE, HOUR = datetime(2031, 5, 5, 9, tzinfo=UTC), timedelta(hours=1)


def stored(room_id=1, cancelled=False):
    return SimpleNamespace(id=4, room_id=room_id, start=NINE, end=NINE + HOUR, cancelled=cancelled)


def test_only_live_bookings_of_the_room_are_in_the_way():
    assert is_live(stored(), 1)
    assert not is_live(stored(cancelled=True), 1)
    assert not is_live(stored(room_id=2), 1)


def test_the_time_range_and_the_capacity():
    with pytest.raises(InvalidTimeRange):
        check_booking([], 1, NINE, NINE, 2, 6)
    check_booking([], 1, NINE, NINE + HOUR, 6, 6)
    with pytest.raises(CapacityExceeded):
        check_booking([], 1, NINE, NINE + HOUR, 7, 6)


def test_overlaps():
    assert not overlaps(NINE + HOUR, NINE + 2 * HOUR, NINE, NINE + HOUR)
    check_booking([stored()], 1, NINE + HOUR, NINE + 2 * HOUR, 2, 6)
    with pytest.raises(OverlapConflict):
        check_booking([stored()], 1, NINE - HOUR / 2, NINE + HOUR / 2, 2, 6)
    check_booking([stored(cancelled=True), stored(room_id=2)], 1, NINE, NINE + HOUR, 2, 6)
"""

FIXTURES_OF_THEIR_OWN = '''
"""Test helpers of the learner's own: stored bookings and request bodies."""

from booking_service.models import Booking


def stored(start, end, *, room_id=1, cancelled=False, booking_id=1):
    return Booking(id=booking_id, room_id=room_id, organiser="amara@example.com", start=start,
                   end=end, attendees=2, cancelled=cancelled)


def booking_body(start="2030-01-07T09:00:00Z", end="2030-01-07T10:00:00Z", attendees=2):
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": attendees}
'''


def helpers_in_their_rules(service):
    rules = service / RULES
    rules.write_text(rules.read_text(encoding="utf-8") + OWN_HELPERS_IN_THE_RULES, "utf-8")
    (service / UNIT_TESTS).write_text(TESTS_THROUGH_OWN_HELPERS, encoding="utf-8")


def fixtures_in_their_package(service):
    (service / "src/booking_service/testing.py").write_text(FIXTURES_OF_THEIR_OWN, "utf-8")
    tests = (service / UNIT_TESTS).read_text(encoding="utf-8")
    tests = tests[: tests.index("def stored(")] + tests[tests.index("def test_") :]
    tests = tests.replace(
        "from booking_service.models import Booking\n",
        "from booking_service.testing import booking_body, stored\n",
    )
    (service / UNIT_TESTS).write_text(tests, encoding="utf-8")


A_FACTORY_IN_THEIR_MODELS = '''

def make_booking(start, end, *, room_id=1, cancelled=False, booking_id=1):
    """A stored booking, for tests."""
    return Booking(id=booking_id, room_id=room_id, organiser="amara@example.com", start=start,
                   end=end, attendees=2, cancelled=cancelled)
'''


def a_factory_in_their_models(service):
    """A helper added to a module the course's service has too: their models.py."""
    models = service / "src/booking_service/models.py"
    models.write_text(models.read_text(encoding="utf-8") + A_FACTORY_IN_THEIR_MODELS, "utf-8")
    tests = (service / UNIT_TESTS).read_text(encoding="utf-8")
    tests = tests[: tests.index("def stored(")] + tests[tests.index("def booking_body(") :]
    tests = tests.replace(
        "from booking_service.models import Booking\n",
        "from booking_service.models import make_booking as stored\n",
    )
    (service / UNIT_TESTS).write_text(tests, encoding="utf-8")


def a_factory_in_their_package(service):
    """A helper kept in their package's __init__.py: `from booking_service import …`."""
    package = service / "src/booking_service/__init__.py"
    factory = A_FACTORY_IN_THEIR_MODELS.replace(
        '    """A stored booking, for tests."""\n',
        '    """A stored booking, for tests."""\n    from .models import Booking\n\n',
    )
    package.write_text(package.read_text(encoding="utf-8") + factory, "utf-8")
    tests = (service / UNIT_TESTS).read_text(encoding="utf-8")
    tests = tests[: tests.index("def stored(")] + tests[tests.index("def booking_body(") :]
    tests = tests.replace(
        "from booking_service.models import Booking\n",
        "from booking_service import make_booking as stored\n",
    )
    (service / UNIT_TESTS).write_text(tests, encoding="utf-8")


@pytest.mark.parametrize(
    "make",
    [
        helpers_in_their_rules,
        fixtures_in_their_package,
        a_factory_in_their_models,
        a_factory_in_their_package,
    ],
    ids=lambda make: make.__name__,
)
def test_unit_tests_that_import_the_learner_s_own_helpers_pass(service, make):
    """Their tests run against the course's service with what they added to theirs beside it: a
    helper of their rules.py (whose calls to the rules reach the planted bug), a module of
    fixtures in their package, a factory in a module the course's service has too."""
    make(service)
    result = judge("04.4")
    assert result.failed == (), result.lines()


def test_tests_of_an_own_helper_alone_catch_no_planted_bug(service):
    helpers_in_their_rules(service)
    only_the_helper = TESTS_THROUGH_OWN_HELPERS.split("def test_the_time_range")[0]
    (service / UNIT_TESTS).write_text(only_the_helper, encoding="utf-8")
    found = verdicts(judge("04.4"))
    assert failed(found) == [f"your tests catch {bug.bug}" for bug in BUGS]


ONLY_LIVE_STAND_IN_BOOKINGS = """
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from booking_service.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from booking_service.rules import check_capacity, check_no_overlap, check_time_range, overlaps

NINE, HOUR = datetime(2031, 5, 5, 9, tzinfo=UTC), timedelta(hours=1)


def test_time_range_and_capacity():
    with pytest.raises(InvalidTimeRange):
        check_time_range(NINE, NINE)
    check_capacity(6, 6)
    with pytest.raises(CapacityExceeded):
        check_capacity(7, 6)
    assert not overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)


def test_a_booking_running_into_a_live_one_is_refused():
    live = SimpleNamespace(id=1, room_id=1, start=NINE, end=NINE + HOUR, cancelled=False)
    with pytest.raises(OverlapConflict):
        check_no_overlap([live], 1, NINE - HOUR / 2, NINE + HOUR / 2)
"""


def test_stand_in_bookings_do_not_catch_a_bug_no_test_looks_for(service):
    # No test of a cancelled booking or of another room's: a planted bug that crashed on a
    # SimpleNamespace would fail the overlap test, and count as caught.
    (service / UNIT_TESTS).write_text(ONLY_LIVE_STAND_IN_BOOKINGS, encoding="utf-8")
    missed = failed(verdicts(judge("04.4")))
    assert missed == [
        "your tests catch a cancelled booking still blocking its slot",
        "your tests catch a booking in another room blocking the slot",
    ]


def test_bugs_the_tests_miss_are_each_named(service):
    only_time = TESTS_IN_A_CLASS_WITH_A_HELPER.split("    def test_capacity")[0]
    (service / UNIT_TESTS).write_text(only_time, encoding="utf-8")
    found = verdicts(judge("04.4"))
    missed = failed(found)
    assert "your tests catch a booking whose end equals its start being accepted" not in missed
    assert "your tests catch a booking that exactly fills the room being refused" in missed
    assert "your tests catch a cancelled booking still blocking its slot" in missed
    assert found["your tests catch a cancelled booking still blocking its slot"] == (
        "no test failed when that bug was planted"
    )


def test_tests_that_fail_on_the_correct_rules_stop_the_judging(service):
    (service / UNIT_TESTS).write_text(
        "from booking_service.rules import check_capacity\n\n"
        "def test_full_is_refused():\n"
        "    import pytest\n"
        "    with pytest.raises(Exception):\n"
        "        check_capacity(6, 6)\n",
        encoding="utf-8",
    )
    result = judge("04.4")
    found = verdicts(result)
    assert (
        "1 of 1 test(s) fail on the correct rules"
        in found["every test passes on the correct rules"]
    )
    assert all("not checked until" in outcome.found for outcome in result.outcomes[2:])


def test_an_empty_test_file_is_named(service):
    (service / UNIT_TESTS).write_text("# nothing yet\n", encoding="utf-8")
    result = judge("04.4")
    assert not result.outcomes[0].passed
    assert "tests/test_rules.py" in result.outcomes[0].found


# --- 04.5: the rollout flag, every limit exactly at its edge ------------------------------------


def exact_share(enabled_count: int):
    """A flag enabling exactly `enabled_count` of the 10,000 users at 10 % (and right elsewhere)."""
    chosen = set(rollout.USERS[:enabled_count])

    def is_enabled(flag_name, user_id, rollout_percent, killed=False):
        if rollout_percent == rollout.TARGET_PERCENT and flag_name == "recurring_bookings":
            return not killed and user_id in chosen
        return sha_flag(flag_name, user_id, rollout_percent, killed)

    return is_enabled


SHARE = "about 10 % of 10,000 users are enabled at rollout_percent=10 (8.5–11.5 %)"


@pytest.mark.parametrize(
    ("enabled", "passes"), [(849, False), (850, True), (1150, True), (1151, False)]
)
def test_the_share_is_judged_exactly_at_its_limits(enabled, passes):
    found = verdicts(judge("04.5", is_enabled=exact_share(enabled)))
    assert (found[SHARE] == "") is passes, found[SHARE]
    if not passes:
        assert f"{enabled:,} of 10,000 users" in found[SHARE]


def test_a_correct_flag_passes_and_random_or_hash_based_ones_do_not():
    assert judge("04.5", is_enabled=sha_flag).failed == ()

    def with_random(flag_name, user_id, rollout_percent, killed=False):
        return not killed and random.random() * 100 < rollout_percent

    found = verdicts(judge("04.5", is_enabled=with_random))
    assert "in 100 calls" in found["the same user gets the same answer 100 times in a row"]


@pytest.mark.parametrize(
    "is_enabled", [seeded_generator_flag, md5_percent_flag, blake2_fraction_flag]
)
def test_other_stable_flags_pass(is_enabled):
    assert judge("04.5", is_enabled=is_enabled).failed == ()


def test_flags_that_lean_on_the_shared_generator_or_on_hash_are_refused():
    found = verdicts(judge("04.5", is_enabled=shared_generator_flag))
    assert (
        "reseeds or draws from the `random` module's shared generator"
        in (found["the same user gets the same answer 100 times in a row"])
    )
    found = verdicts(judge("04.5", is_enabled=generator_seeded_by_hash_flag))
    assert (
        "got a different answer in a new process"
        in (found["the same users are enabled in a new process"])
    )


def test_one_is_not_true():
    def numbers(flag_name, user_id, rollout_percent, killed=False):
        return int(sha_flag(flag_name, user_id, rollout_percent, killed))

    found = verdicts(judge("04.5", is_enabled=numbers))
    assert found["the same user gets the same answer 100 times in a row"] == (
        "is_enabled returned int, expected True or False"
    )


def test_something_that_is_not_a_function_is_named():
    result = judge("04.5", is_enabled=10)
    assert result.outcomes[0].found == "`is_enabled` is int, not a function"


# --- 04.3/04.5 audit ----------------------------------------------------------------------------
# 04.5: other correct flags. The check calls `is_enabled(flag, user, percent, killed=...)`, so
# anything callable that way is a flag: a class instance, keyword-only `killed`, another hash.


@pytest.mark.parametrize(
    "is_enabled",
    [CallableFlag(), crc32_flag, uuid5_flag, percent_as_a_fraction_flag, cached_bucket_flag],
    ids=["a-class-with-call", "zlib-crc32", "uuid5", "percent-as-a-fraction", "a-cached-hash"],
)
def test_flags_written_with_other_tools_pass(is_enabled):
    result = judge("04.5", is_enabled=is_enabled)
    assert result.failed == (), result.lines()


def remembered_random_bucket_flag():
    """A random bucket per user, remembered in an lru_cache: stable in this process only."""
    import secrets

    @functools.cache
    def bucket(flag_name, user_id):
        return secrets.randbelow(10_000)

    def is_enabled(flag_name, user_id, rollout_percent, killed=False):
        return not killed and bucket(flag_name, user_id) < rollout_percent * 100

    return is_enabled


@pytest.mark.parametrize(
    ("make_flag", "expectation", "found"),
    [
        (
            lambda: flag_on_at_zero,
            "0 % enables nobody and 100 % enables everybody",
            "users were still enabled",
        ),
        (
            lambda: flag_off_at_hundred,
            "0 % enables nobody and 100 % enables everybody",
            "users were left out",
        ),
        (
            lambda: flag_rerolled_per_percent,
            "raising the rollout from 10 % to 50 % keeps everyone who had it",
            "lost it at 50 %",
        ),
        (
            remembered_random_bucket_flag,
            "the same users are enabled in a new process",
            "got a different answer in a new process",
        ),
    ],
    ids=[
        "one-bucket-on-at-zero",
        "one-bucket-off-at-hundred",
        "percent-in-the-hash",
        "random-bucket-in-an-lru-cache",
    ],
)
def test_flags_that_look_right_but_are_not_are_refused(make_flag, expectation, found):
    verdict = verdicts(judge("04.5", is_enabled=make_flag()))
    assert found in verdict[expectation], verdict


# A notebook cell as the kernel holds it: its source in linecache only, its names in a module.
RANDOM_BUCKETS_IN_A_DICT_CELL = """
import secrets

BUCKETS = {}


def is_enabled(flag_name, user_id, rollout_percent, killed=False):
    # A bucket drawn at random once per user and remembered: stable in this process only.
    bucket = BUCKETS.setdefault((flag_name, user_id), secrets.randbelow(10_000))
    return not killed and bucket < rollout_percent * 100
"""

SHA256_CELL = """
import hashlib

SALT = "bookings"


def is_enabled(flag_name, user_id, rollout_percent, killed=False):
    digest = hashlib.sha256(f"{SALT}:{flag_name}:{user_id}".encode()).digest()
    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100
"""


def notebook_cell(monkeypatch, source: str, **earlier_cells):
    """The `is_enabled` a notebook cell defines, held as a kernel holds it (with the names of
    `earlier_cells` in its namespace)."""
    module = types.ModuleType("notebook_cell")
    vars(module).update(earlier_cells)
    filename = "<notebook cell 14>"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(
        linecache.cache, filename, (len(source), None, source.splitlines(True), filename)
    )
    exec(compile(source, filename, "exec"), module.__dict__)
    return module.is_enabled


def test_a_random_bucket_remembered_in_a_dict_is_refused(monkeypatch):
    # Every call in this process agrees with the last; a new interpreter draws new buckets.
    verdict = verdicts(
        judge("04.5", is_enabled=notebook_cell(monkeypatch, RANDOM_BUCKETS_IN_A_DICT_CELL))
    )
    assert failed(verdict) == ["the same users are enabled in a new process"], verdict
    assert (
        "got a different answer in a new process"
        in verdict["the same users are enabled in a new process"]
    )


def test_a_stable_flag_of_a_notebook_cell_passes_in_a_new_process(monkeypatch):
    is_enabled = notebook_cell(monkeypatch, SHA256_CELL)
    users = rollout.USERS[:2000]
    fresh = rollout.answers_in_a_fresh_process(is_enabled, "recurring_bookings", 10, users)
    assert fresh == rollout.enabled_users(is_enabled, "recurring_bookings", 10, users=users)
    result = judge("04.5", is_enabled=is_enabled)
    assert result.failed == (), result.lines()


def test_a_stable_flag_whose_cell_needs_another_cell_s_helper_passes(monkeypatch):
    # No input history tells which cell defined `bucket_of`: the new interpreter runs only the
    # function's own cell, where it is unknown, so the flag is judged in this process only.
    def bucket_of(flag_name, user_id):
        digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % 10_000

    cell = (
        "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
        "    return not killed and bucket_of(flag_name, user_id) < rollout_percent * 100\n"
    )
    is_enabled = notebook_cell(monkeypatch, cell, bucket_of=bucket_of)
    assert rollout.answers_in_a_fresh_process(is_enabled, "f", 10, ["user-1"]) is None
    result = judge("04.5", is_enabled=is_enabled)
    assert result.failed == (), result.lines()


def notebook(monkeypatch, cells: tuple[str, ...]):
    """The namespace of a kernel that ran `cells` in order, then the check cell: each cell under
    a filename of its own in linecache, and every input in `_ih`, as IPython keeps them."""
    module = types.ModuleType("notebook_cell")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    history = [""]
    module._ih = module.In = history
    for number, source in enumerate(cells, start=1):
        filename = f"<notebook cell {number}>"
        monkeypatch.setitem(
            linecache.cache, filename, (len(source), None, source.splitlines(True), filename)
        )
        history.append(source)
        exec(compile(source, filename, "exec"), module.__dict__)
    history.append('check("04.5", globals())\n')
    return module


@pytest.mark.parametrize(
    "cells",
    [
        PURE_HELPER_IN_AN_EARLIER_CELL,
        SALT_CHANGED_IN_LATER_CELLS,
        CLASS_AND_INSTANCE_IN_SEPARATE_CELLS,
        PARTIAL_OF_A_FUNCTION_IN_AN_EARLIER_CELL,
        DECORATOR_FROM_AN_EARLIER_CELL,
        STABLE_CLOSURE,
        FUNCTION_WRAPPED_IN_A_LATER_CELL,
        SALT_UPDATED_BY_A_METHOD_CALL,
        SALT_SET_IN_AN_IF,
        SALT_SET_IN_A_TRY,
        SALT_SET_IN_A_FOR,
        SALT_SET_IN_A_WITH_THAT_SUPPRESSES,
        SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
        SETTINGS_UPDATED_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
    ],
    ids=[
        "a-pure-helper",
        "a-salt-set-later",
        "a-class",
        "a-partial",
        "a-decorator",
        "a-closure",
        "wrapped-in-a-later-cell",
        "a-salt-set-by-dict-update",
        "a-salt-set-in-an-if",
        "a-salt-set-in-a-try",
        "a-salt-set-in-a-for",
        "a-salt-set-in-a-with-suppress",
        "a-salt-set-by-a-function-with-global",
        "settings-updated-by-a-function",
    ],
)
def test_a_stable_flag_spread_over_cells_answers_alike_in_a_new_process(monkeypatch, cells):
    is_enabled = notebook(monkeypatch, cells).is_enabled
    users = rollout.USERS[:2000]
    fresh = rollout.answers_in_a_fresh_process(is_enabled, "recurring_bookings", 10, users)
    assert fresh == rollout.enabled_users(is_enabled, "recurring_bookings", 10, users=users)
    result = judge("04.5", is_enabled=is_enabled)
    assert result.failed == (), result.lines()


@pytest.mark.parametrize(
    "cells",
    [
        RANDOM_BUCKETS_IN_AN_EARLIER_CELL,
        RANDOM_BUCKETS_IN_A_CELL_THAT_PRINTS,
        RANDOM_SALT_IN_AN_EARLIER_CELL,
        RANDOM_BUCKETS_IN_A_CLOSURE,
        RANDOM_SALT_UPDATED_BY_A_METHOD_CALL,
        RANDOM_SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL,
        RANDOM_SALT_SET_IN_AN_IF,
    ],
    ids=[
        "buckets-in-another-cell",
        "buckets-in-a-cell-that-prints",
        "a-random-salt-in-another-cell",
        "buckets-in-a-closure",
        "a-random-salt-set-by-dict-update",
        "a-random-salt-set-by-a-function-with-global",
        "a-random-salt-set-in-an-if",
    ],
)
def test_a_flag_stable_in_this_process_only_is_refused_across_cells(monkeypatch, cells):
    verdict = verdicts(judge("04.5", is_enabled=notebook(monkeypatch, cells).is_enabled))
    assert failed(verdict) == ["the same users are enabled in a new process"], verdict
    assert (
        "got a different answer in a new process"
        in verdict["the same users are enabled in a new process"]
    )


@pytest.mark.parametrize(
    ("first_cell", "second_cell"),
    [
        # The dict's cell also writes a file: running it in a new interpreter writes it again.
        (
            "import secrets\n\nBUCKETS = {}\nopen(LOG, 'a').write('ran\\n')\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        # So does the cell that makes the closure.
        (
            RANDOM_BUCKETS_IN_A_CLOSURE[0],
            "is_enabled = make_rollout()\nopen(LOG, 'a').write('ran\\n')\n",
        ),
    ],
    ids=["a-cell-it-needs", "the-cell-that-makes-it"],
)
def test_a_cell_that_does_more_than_define_names_is_not_run_again(
    monkeypatch, tmp_path, first_cell, second_cell
):
    log = tmp_path / "log.txt"
    cells = tuple(cell.replace("LOG", repr(str(log))) for cell in (first_cell, second_cell))
    is_enabled = notebook(monkeypatch, cells).is_enabled
    assert rollout.answers_in_a_fresh_process(is_enabled, "f", 10, ["user-1"]) is None
    assert log.read_text() == "ran\n"


@pytest.mark.parametrize(
    "cells",
    [
        # Each writes the file where the buckets are made: no `if`, `for` or `with` around the
        # write, no method of a thing other than plain data, nor a function that writes, nor
        # `print` to a file, is run again.
        (
            "import secrets\n\nBUCKETS = {}\nprint('ran', file=open(LOG, 'a'))\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "import secrets\n\nBUCKETS = {}\nif not BUCKETS:\n    open(LOG, 'a').write('ran\\n')\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "import secrets\n\nBUCKETS = {}\nfor _ in range(1):\n    BUCKETS.clear()\n"
            "    print('ran', file=open(LOG, 'a'))\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "import secrets\n\nBUCKETS = {}\nwith open(LOG, 'a') as log:\n"
            "    written = log.write('ran\\n')\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "import secrets\n\nBUCKETS = {}\nRECORD = open(LOG, 'a')\nRECORD.write('ran\\n')\n"
            "RECORD.close()\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "def remember():\n    open(LOG, 'a').write('ran\\n')\n",
            "import secrets\n\nBUCKETS = {}\nremember()\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "def use_buckets(buckets):\n    global BUCKETS\n    BUCKETS = buckets\n"
            "    print('ran', file=open(LOG, 'a'))\n",
            "import secrets\n\nuse_buckets({})\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "def serve():\n    log = open(LOG, 'a')\n    log.write('ran\\n')\n    log.close()\n",
            "import secrets\n\nBUCKETS = {}\nif __name__ == 'notebook_cell':\n    serve()\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "import secrets\n\nBUCKETS = {}\nwhile not BUCKETS:\n"
            "    BUCKETS['log'] = open(LOG, 'a').write('ran\\n')\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
        (
            "class SavedDict(dict):\n    def update(self, *args, **kwargs):\n"
            "        super().update(*args, **kwargs)\n        open(LOG, 'a').write('ran\\n')\n",
            "import secrets\n\nBUCKETS = SavedDict()\nBUCKETS.update({})\n",
            RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
        ),
    ],
    ids=[
        "print-to-a-file",
        "a-write-in-an-if",
        "print-to-a-file-in-a-for",
        "a-with-that-appends",
        "a-method-of-a-file",
        "a-function-that-writes",
        "a-function-that-sets-a-global-and-writes",
        "a-function-that-writes-with-a-method-of-its-own",
        "a-while",
        "a-dict-of-its-own-that-writes",
    ],
)
def test_a_cell_that_writes_inside_a_statement_or_a_call_is_not_run_again(
    monkeypatch, tmp_path, cells
):
    log = tmp_path / "log.txt"
    cells = tuple(cell.replace("LOG", repr(str(log))) for cell in cells)
    is_enabled = notebook(monkeypatch, cells).is_enabled
    assert rollout.answers_in_a_fresh_process(is_enabled, "f", 10, ["user-1"]) is None
    assert log.read_text() == "ran\n"


def test_a_salt_read_from_a_file_in_a_later_cell_is_read_again(monkeypatch, tmp_path):
    # A `with` that only reads a file is run again: the salt it reads is the same there.
    salt_file = tmp_path / "salt.txt"
    salt_file.write_text("bookings\n")
    reading = f"with open({str(salt_file)!r}) as salt_file:\n    SALT = salt_file.read().strip()\n"
    is_enabled = notebook(monkeypatch, (FLAG_WITH_AN_OLD_SALT, reading)).is_enabled
    users = rollout.USERS[:2000]
    fresh = rollout.answers_in_a_fresh_process(is_enabled, "recurring_bookings", 10, users)
    assert fresh == rollout.enabled_users(is_enabled, "recurring_bookings", 10, users=users)


def test_a_flag_without_the_kill_switch_parameter_is_named_once():
    def no_kill_switch(flag_name, user_id, rollout_percent):
        return sha_flag(flag_name, user_id, rollout_percent)

    result = judge("04.5", is_enabled=no_kill_switch)
    assert "cannot be called as is_enabled(flag_name, user_id, rollout_percent, killed=False)" in (
        result.outcomes[0].found
    )
    assert "killed" in result.outcomes[0].found
    assert all("not checked until" in outcome.found for outcome in result.outcomes[1:])


# 04.3: acceptance tests written another way. Each is a whole tests/test_acceptance.py (and,
# where it says so, lines added to tests/conftest.py).

ACCEPTANCE_VIA_A_FIXTURE_IN_CONFTEST = (
    '''
import pytest
from ruamel.yaml import YAML

# A path from where pytest runs (the project), read with ruamel.yaml rather than PyYAML.
EXAMPLES = YAML(typ="safe").load(open("docs/acceptance_criteria.yaml", encoding="utf-8"))["examples"]


@pytest.fixture(params=EXAMPLES, ids=lambda example: example["behaviour"])
def example(request):
    """Each acceptance example in turn: every test that asks for it runs once per example."""
    return request.param
''',
    """
UNKNOWN = 10**6


def test_acceptance_criterion(client, example):
    ids = {}
    for room in example["given"].get("rooms", []):
        ids[room["name"]] = client.post("/rooms", json=room).json()["id"]
    for booking in example["given"].get("bookings", []):
        fields = {k: v for k, v in booking.items() if k != "room"}
        answer = client.post(f"/rooms/{ids[booking['room']]}/bookings",
                             json={"organiser": "g@example.com", **fields})
        assert answer.status_code == 201
    fields = {k: v for k, v in example["when"].items() if k != "room"}
    answer = client.post(f"/rooms/{ids.get(example['when']['room'], UNKNOWN)}/bookings",
                         json={"organiser": "w@example.com", **fields})
    assert answer.status_code in [example["then"]["status"]], example["then"].get("reason")
""",
)

ACCEPTANCE_WITH_ASYNC_CLIENT = """
import httpx
import pytest
import yaml

from booking_service.core.config import Settings
from booking_service.core.db import migrate
from booking_service.main import create_app

with open("docs/acceptance_criteria.yaml", encoding="utf-8") as criteria:
    EXAMPLES = yaml.load(criteria, Loader=yaml.SafeLoader)["examples"]


@pytest.fixture
async def api(tmp_path):
    database = tmp_path / "bookings.db"
    migrate(database)  # ASGITransport does not run the app's lifespan
    app = create_app(Settings(database=database, log_level="ERROR"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


@pytest.mark.anyio
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example["behaviour"])
async def test_acceptance_criterion(api, example):
    rooms = {}
    for room in example["given"]["rooms"]:
        rooms[room["name"]] = (await api.post("/rooms", json=room)).json()["id"]
    for booking in example["given"]["bookings"]:
        body = {"organiser": "a@example.com", "start": booking["start"], "end": booking["end"],
                "attendees": booking["attendees"]}
        (await api.post(f"/rooms/{rooms[booking['room']]}/bookings", json=body)).raise_for_status()
    when = example["when"]
    body = {"organiser": "b@example.com", "start": when["start"], "end": when["end"],
            "attendees": when["attendees"]}
    response = await api.post(f"/rooms/{rooms.get(when['room'], 10**6)}/bookings", json=body)
    assert response.status_code == example["then"]["status"]
"""

ACCEPTANCE_THROUGH_RAISE_FOR_STATUS = (
    ACCEPTANCE_HEAD
    + '''
import httpx


def status_of(response):
    """The status, read through raise_for_status(): a refusal is an HTTPStatusError."""
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as refusal:
        return refusal.response.status_code
    return response.status_code


@pytest.mark.parametrize(
    ("behaviour", "given", "when", "then"),
    [tuple(example[key] for key in ("behaviour", "given", "when", "then")) for example in EXAMPLES],
)
def test_acceptance_criterion(client, behaviour, given, when, then):
    example = {"given": given, "when": when}
    assert status_of(run_example(client, example)) == then["status"], then.get("reason")
'''
)

ACCEPTANCE_WITH_A_CHECK_OF_EACH_EXAMPLE = (
    ACCEPTANCE_HEAD
    + """

@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_the_example_is_complete(example):
    assert {"given", "when", "then"} <= set(example)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_acceptance_criterion(client, example):
    assert run_example(client, example).status_code == example["then"]["status"]
"""
)


ACCEPTANCE_AGAINST_THE_LIVE_SERVER = (
    ACCEPTANCE_HEAD
    + """
import uuid

import httpx


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_acceptance_criterion(live_server, example):
    # One server for the whole session: each example's rooms get names of their own.
    suffix = uuid.uuid4().hex[:8]
    given = {
        "rooms": [{**room, "name": f"{room['name']}-{suffix}"} for room in example["given"]["rooms"]],
        "bookings": [{**b, "room": f"{b['room']}-{suffix}"} for b in example["given"]["bookings"]],
    }
    when = {**example["when"], "room": f"{example['when']['room']}-{suffix}"}
    with httpx.Client(base_url=live_server.url) as client:
        response = run_example(client, {"given": given, "when": when})
    assert response.status_code == example["then"]["status"], example["then"].get("reason")
"""
)


def fixture_in_conftest(service):
    conftest = service / "tests/conftest.py"
    extra, tests = ACCEPTANCE_VIA_A_FIXTURE_IN_CONFTEST
    conftest.write_text(conftest.read_text(encoding="utf-8") + extra, encoding="utf-8")
    (service / ACCEPTANCE).write_text(tests, encoding="utf-8")


@pytest.mark.parametrize(
    "write",
    [
        fixture_in_conftest,
        lambda service: (service / ACCEPTANCE).write_text(ACCEPTANCE_WITH_ASYNC_CLIENT, "utf-8"),
        lambda service: (service / ACCEPTANCE).write_text(
            ACCEPTANCE_THROUGH_RAISE_FOR_STATUS, "utf-8"
        ),
        lambda service: (service / ACCEPTANCE).write_text(
            ACCEPTANCE_AGAINST_THE_LIVE_SERVER, "utf-8"
        ),
    ],
    ids=[
        "a-parametrized-fixture-in-conftest-and-ruamel",
        "anyio-and-httpx-async-client",
        "raise-for-status-and-four-argnames",
        "httpx-against-the-live-server",
    ],
)
def test_acceptance_tests_with_other_tools_pass(service, write):
    write(service)
    result = judge("04.3")
    assert result.failed == (), result.lines()


@pytest.mark.parametrize("behaviours_as_ids", [True, False], ids=["behaviour-ids", "default-ids"])
def test_a_second_test_per_example_beside_the_acceptance_test_passes(service, behaviours_as_ids):
    tests = ACCEPTANCE_WITH_A_CHECK_OF_EACH_EXAMPLE
    if not behaviours_as_ids:
        tests = tests.replace(', ids=[example["behaviour"] for example in EXAMPLES]', "")
    (service / ACCEPTANCE).write_text(tests, "utf-8")
    result = judge("04.3")
    assert result.failed == (), result.lines()


ACCEPTANCE_IN_ANOTHER_ORDER = (
    ACCEPTANCE_HEAD
    + """

BY_STATUS = sorted(EXAMPLES, key=lambda example: example["then"]["status"])


@pytest.mark.parametrize("example", BY_STATUS)
def test_acceptance_criterion(client, example):
    assert run_example(client, example).status_code == example["then"]["status"]
"""
)


def test_examples_in_another_order_with_pytest_s_own_ids_pass(service):
    (service / ACCEPTANCE).write_text(ACCEPTANCE_IN_ANOTHER_ORDER, "utf-8")
    result = judge("04.3")
    assert result.failed == (), result.lines()


ASSERTS_A_TUPLE = (
    ACCEPTANCE_HEAD
    + """

@pytest.mark.parametrize("example", EXAMPLES, ids=[example["behaviour"] for example in EXAMPLES])
def test_acceptance_criterion(client, example):
    # A comma where == was meant: asserts that the status is not 0, with a message.
    assert run_example(client, example).status_code, example["then"]["status"]
"""
)

ASYNC_WITHOUT_ITS_MARKER = ACCEPTANCE_WITH_ASYNC_CLIENT.replace("@pytest.mark.anyio\n", "")


@pytest.mark.parametrize(
    ("tests", "expectation", "found"),
    [
        (
            ASSERTS_A_TUPLE,
            "the test of each refused example fails when your service accepts every booking",
            "passed when your service accepted every booking",
        ),
        (
            ASYNC_WITHOUT_ITS_MARKER,
            "every acceptance test passes against your service",
            "requested an async fixture",
        ),
    ],
    ids=["assert-status-comma-expected", "async-tests-without-the-anyio-marker"],
)
def test_acceptance_tests_that_look_right_but_check_nothing_are_refused(
    service, tests, expectation, found
):
    (service / ACCEPTANCE).write_text(tests, "utf-8")
    verdict = verdicts(judge("04.3"))
    assert found in verdict[expectation], verdict


# --- 04.1/04.2 audit ------------------------------------------------------------------------------

# The rules as a class whose methods the module's names point at, comparing with timedelta and a
# subtraction, and asking a helper module of the learner's own for the half-open overlap.
RULES_AS_A_CLASS_WITH_A_HELPER_MODULE = '''
from datetime import timedelta

from .timespans import half_open_overlap


class _BookingRules:
    """The four rules, grouped; the module's functions are its methods."""

    @staticmethod
    def check_time_range(start: datetime, end: datetime) -> None:
        if end - start <= timedelta(0):
            raise InvalidTimeRange()

    @staticmethod
    def check_capacity(attendees: int, capacity: int) -> None:
        if capacity - attendees < 0:
            raise CapacityExceeded(attendees, capacity)

    @staticmethod
    def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
        return half_open_overlap((a_start, a_end), (b_start, b_end))

    @classmethod
    def check_no_overlap(
        cls, existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
    ) -> None:
        same_room = [b for b in existing if b.room_id == room_id and not b.cancelled]
        for booking in sorted(same_room, key=lambda b: (b.start, b.id)):
            if cls.overlaps(booking.start, booking.end, start, end):
                raise OverlapConflict(conflicting_booking_id=booking.id)


check_time_range = _BookingRules.check_time_range
check_capacity = _BookingRules.check_capacity
overlaps = _BookingRules.overlaps
check_no_overlap = _BookingRules.check_no_overlap


'''

HALF_OPEN_HELPER = '''
def half_open_overlap(first, second):
    """[a, b) and [c, d) share a moment unless one ends before (or as) the other starts."""
    (a_start, a_end), (b_start, b_end) = first, second
    return not (a_end <= b_start or b_end <= a_start)
'''


def _replace_rules(service, rules: str) -> None:
    path = service / RULES
    text = path.read_text(encoding="utf-8")
    start, end = text.index("def check_time_range"), text.index("@dataclass(frozen=True)")
    path.write_text(text[:start] + rules.lstrip() + text[end:], encoding="utf-8")


# Early returns and negated comparisons, times compared in UTC, every clash collected and the
# earliest booking named.
RULES_WITH_EARLY_RETURNS = """
from datetime import UTC


def check_time_range(start: datetime, end: datetime) -> None:
    if start.astimezone(UTC) >= end.astimezone(UTC):
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    if not attendees <= capacity:
        raise CapacityExceeded(attendees=attendees, capacity=capacity)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    if a_end <= b_start or b_end <= a_start:
        return False
    return True


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    clashes = [
        booking
        for booking in existing
        if booking.room_id == room_id
        and booking.cancelled is not True
        and overlaps(start, end, booking.start, booking.end)
    ]
    if clashes:
        first = min(clashes, key=lambda booking: booking.start)
        raise OverlapConflict(conflicting_booking_id=first.id)


"""


# A helper the learner added to models.py, which the course's service has too.
RULES_WITH_A_HELPER_IN_MODELS = """
from .models import is_live


def check_time_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    if attendees > capacity:
        raise CapacityExceeded(attendees, capacity)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return b_start < a_end and a_start < b_end


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    for booking in existing:
        if is_live(booking, room_id) and overlaps(booking.start, booking.end, start, end):
            raise OverlapConflict(booking.id)


"""
IS_LIVE_IN_MODELS = """

def is_live(booking: Booking, room_id: int) -> bool:
    # Live, and in the room asked about.
    return booking.room_id == room_id and not booking.cancelled
"""


@pytest.mark.parametrize(
    ("rules", "own_modules"),
    [
        (RULES_AS_A_CLASS_WITH_A_HELPER_MODULE, {"timespans.py": HALF_OPEN_HELPER}),
        (RULES_WITH_EARLY_RETURNS, {}),
        (RULES_WITH_A_HELPER_IN_MODELS, {"models.py": IS_LIVE_IN_MODELS}),
    ],
    ids=["a-class-and-a-helper-module", "early-returns", "a-helper-in-models"],
)
def test_rules_written_in_other_shapes_pass(service, rules, own_modules):
    _replace_rules(service, rules)
    for name, text in own_modules.items():
        # A module the course's service has too (models.py) keeps its text, with the helper added.
        module = service / "src/booking_service" / name
        before = module.read_text(encoding="utf-8") if module.exists() else ""
        module.write_text(before + text, encoding="utf-8")
    result = judge("04.1")
    assert result.failed == (), result.lines()


# The rules asking a method the learner added to their own Booking, in their models.py.
RULES_THROUGH_A_METHOD_OF_THEIR_BOOKING = """
def check_time_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidTimeRange()


def check_capacity(attendees: int, capacity: int) -> None:
    if attendees > capacity:
        raise CapacityExceeded(attendees, capacity)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def check_no_overlap(
    existing: Sequence[Booking], room_id: int, start: datetime, end: datetime
) -> None:
    for booking in existing:
        if booking.is_live_in(room_id) and overlaps(start, end, booking.start, booking.end):
            raise OverlapConflict(conflicting_booking_id=booking.id)


"""
BOOKING_FIELDS_END = "    cancelled_at: datetime | None = None\n"
METHOD_OF_THEIR_BOOKING = """
    def is_live_in(self, room_id: int) -> bool:
        # Live, and in the room asked about.
        return self.room_id == room_id and not self.cancelled
"""


def test_rules_through_a_method_of_the_learner_s_own_booking_pass(service):
    _replace_rules(service, RULES_THROUGH_A_METHOD_OF_THEIR_BOOKING)
    change(service, MODELS, BOOKING_FIELDS_END, BOOKING_FIELDS_END + METHOD_OF_THEIR_BOOKING)
    result = judge("04.1")
    assert result.failed == (), result.lines()


def test_models_that_do_not_fit_the_course_s_service_are_one_clear_line(service):
    # Their Booking calls `cancelled` something else: the course's data access cannot build it
    # from a stored row. Their rules read their name.
    _replace_rules(
        service,
        RULES_THROUGH_A_METHOD_OF_THEIR_BOOKING.replace(
            "booking.is_live_in(room_id)", "booking.room_id == room_id and not booking.withdrawn"
        ),
    )
    change(service, MODELS, "    cancelled: bool\n", "    withdrawn: bool\n")
    result = judge("04.1")
    first = result.outcomes[0]
    assert not first.passed
    assert "src/booking_service/models.py does not fit the course's service" in first.found
    assert "withdrawn: Field required" in first.found
    assert "Traceback" not in first.found and "\n" not in first.found
    assert all("not checked until" in outcome.found for outcome in result.outcomes[1:])


def test_a_capacity_error_with_its_numbers_swapped_is_refused(service):
    # 7 attendees in a room for 6 answered "6 attendees do not fit in a room for 7".
    change(
        service,
        RULES,
        "raise CapacityExceeded(attendees, capacity)",
        "raise CapacityExceeded(capacity, attendees)",
    )
    found = verdicts(judge("04.1"))
    assert failed(found) == ["one attendee more than the room holds is refused"]
    assert "capacity 7, expected 6" in found["one attendee more than the room holds is refused"]


# The data access in SQL of its own: db.query and db.execute, the overlap narrowed in SQL to the
# room's live bookings in the way before the rule is asked, paging by LIMIT/OFFSET, and a cancel
# that is one conditional UPDATE.
CRUD_IN_SQL = """
def create_booking(db: Database, room_id: int, booking: BookingCreate, rules: Rules) -> Booking:
    with write_transaction(db):
        room = get_room(db, room_id)
        rules.check_time_range(booking.start, booking.end)
        rules.check_capacity(booking.attendees, room.capacity)
        start, end = to_db_time(booking.start), to_db_time(booking.end)
        in_the_way = [
            Booking(**row)
            for row in db.query(
                'SELECT * FROM bookings WHERE room_id = :room AND cancelled = 0 '
                'AND start < :end AND "end" > :start ORDER BY start',
                {"room": room_id, "start": start, "end": end},
            )
        ]
        rules.check_no_overlap(in_the_way, room_id, booking.start, booking.end)
        cursor = db.execute(
            'INSERT INTO bookings (room_id, organiser, start, "end", attendees) '
            "VALUES (?, ?, ?, ?, ?)",
            [room_id, booking.organiser, start, end, booking.attendees],
        )
        new_id = cursor.lastrowid
    return get_booking(db, new_id)


def get_booking(db: Database, booking_id: int) -> Booking:
    found = next(db.query("SELECT * FROM bookings WHERE id = ?", [booking_id]), None)
    if found is None:
        raise BookingNotFound(booking_id)
    return Booking(**found)


def list_room_bookings(
    db: Database,
    room_id: int,
    *,
    include_cancelled: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[Booking]:
    get_room(db, room_id)
    live_only = "" if include_cancelled else " AND NOT cancelled"
    rows = db.query(
        f"SELECT * FROM bookings WHERE room_id = ?{live_only} ORDER BY start, id LIMIT ? OFFSET ?",
        [room_id, limit, offset],
    )
    return [Booking(**row) for row in rows]


def cancel_booking(db: Database, booking_id: int, *, now: datetime | None = None) -> Booking:
    with write_transaction(db):
        get_booking(db, booking_id)
        db.execute(
            "UPDATE bookings SET cancelled = 1, cancelled_at = ? WHERE id = ? AND cancelled = 0",
            [to_db_time(now or datetime.now(UTC)), booking_id],
        )
    return get_booking(db, booking_id)
"""

# The overlap decided by SQL alone (max(start) < min(end)), raising the service's own error.
CREATE_WITH_THE_OVERLAP_IN_SQL = """
from .errors import OverlapConflict


def create_booking(db: Database, room_id: int, booking: BookingCreate, rules: Rules) -> Booking:
    with write_transaction(db):
        room = get_room(db, room_id)
        rules.check_time_range(booking.start, booking.end)
        rules.check_capacity(booking.attendees, room.capacity)
        start, end = to_db_time(booking.start), to_db_time(booking.end)
        clash = db.execute(
            'SELECT id FROM bookings WHERE room_id = ? AND NOT cancelled '
            'AND max(start, ?) < min("end", ?) ORDER BY start LIMIT 1',
            [room_id, start, end],
        ).fetchone()
        if clash:
            raise OverlapConflict(conflicting_booking_id=clash[0])
        row = {**booking.model_dump(), "room_id": room_id, "start": start, "end": end}
        new_id = db["bookings"].insert(row).last_pk
    return get_booking(db, new_id)


"""

BOOKING_ROUTES = "src/booking_service/api/bookings.py"
MODEL_CREATE_ROUTE_BODY = """    created = crud.create_booking(db, room_id, booking, rules)
    response.headers["Location"] = str(request.url_for("get_booking", booking_id=created.id))
    return created
"""
# A route answering its own JSONResponse (times as isoformat() writes them: +00:00, not Z), with
# status.HTTP_201_CREATED and a Location path from the router; another returning a dict.
CREATE_ROUTE_ANSWERING_ITS_OWN_RESPONSE = """    from fastapi import status
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse

    created = crud.create_booking(db, room_id, booking, rules)
    location = router.url_path_for("get_booking", booking_id=created.id)
    return JSONResponse(
        jsonable_encoder(created.model_dump()),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": str(location)},
    )
"""


def _replace_from(service, relative: str, marker: str, new: str, until: str | None = None):
    path = service / relative
    text = path.read_text(encoding="utf-8")
    start = text.index(marker)
    end = text.index(until) if until else len(text)
    path.write_text(text[:start] + new.lstrip() + text[end:], encoding="utf-8")


def test_data_access_in_sql_of_its_own_passes(service):
    _replace_from(service, CRUD, "def create_booking", CRUD_IN_SQL)
    result = judge("04.2")
    assert result.failed == (), result.lines()


def test_the_overlap_in_sql_and_routes_answering_their_own_responses_pass(service):
    _replace_from(
        service, CRUD, "def create_booking", CREATE_WITH_THE_OVERLAP_IN_SQL, "def get_booking"
    )
    change(
        service, BOOKING_ROUTES, MODEL_CREATE_ROUTE_BODY, CREATE_ROUTE_ANSWERING_ITS_OWN_RESPONSE
    )
    change(
        service,
        BOOKING_ROUTES,
        "return crud.get_booking(db, booking_id)",
        "return crud.get_booking(db, booking_id).model_dump()",
    )
    result = judge("04.2")
    assert result.failed == (), result.lines()


# --- 04.2: two requests for one slot take turns ---------------------------------------------------
# The hidden suite books the slot from a second connection between create_booking's overlap
# check and its insert: the write lock taken before the checks keeps it out.

MODEL_TRANSACTION = "    with write_transaction(db):\n        room = get_room(db, room_id)"

TRANSACTION_TAKEN_BY_HAND = """
@contextmanager
def holding_the_write_lock(db):
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


"""
DEFERRED_TRANSACTION = TRANSACTION_TAKEN_BY_HAND.replace("BEGIN IMMEDIATE", "BEGIN")
NO_TRANSACTION = """
@contextmanager
def holding_the_write_lock(db):
    yield  # the checks and the insert each on their own


"""


def _create_booking_holding(service, helper: str) -> None:
    change(
        service,
        CRUD,
        MODEL_TRANSACTION,
        "    with holding_the_write_lock(db):\n        room = get_room(db, room_id)",
    )
    change(
        service,
        CRUD,
        "def create_booking(",
        "from contextlib import contextmanager\n\n\n" + helper.lstrip() + "def create_booking(",
    )


def test_a_write_lock_taken_by_hand_lets_requests_for_one_slot_take_turns(service):
    _create_booking_holding(service, TRANSACTION_TAKEN_BY_HAND)
    result = judge("04.2")
    assert result.failed == (), result.lines()


@pytest.mark.parametrize(
    ("helper", "said"),
    [
        (NO_TRANSACTION, "booked the slot a second time (201, expected 409)"),
        (DEFERRED_TRANSACTION, "takes the write lock only when it inserts"),
    ],
    ids=["no-transaction", "a-transaction-that-locks-late"],
)
def test_two_requests_both_passing_the_overlap_check_are_refused(service, helper, said):
    _create_booking_holding(service, helper)
    found = verdicts(judge("04.2"))
    assert failed(found) == [REFUSAL], found
    assert (
        "after your create_booking had checked for overlaps and before it inserted"
        in (found[REFUSAL])
    )
    assert said in found[REFUSAL]


FREE_SLOT = (
    "POST /rooms/{room_id}/bookings books a free slot: 201, the booking as stored (times in "
    "UTC), and a Location header naming it"
)
LISTING = (
    "GET /rooms/{room_id}/bookings lists the room's live bookings in start order, one page "
    "at a time"
)
REFUSAL = (
    "a refused booking is a problem: 404 for an unknown room, 409 naming the booking in the "
    "way, 422 for a bad time range or too many attendees"
)


def _narrow_the_overlap_query_to_bookings_across_the_start(service):
    # Only the bookings running across the new one's start reach the rule: one starting
    # inside the new booking is missed.
    change(
        service,
        CRUD,
        """'room_id = ? AND start <= ? AND "end" >= ?',
            [room_id, to_db_time(booking.end), to_db_time(booking.start)],""",
        """'room_id = ? AND start <= ? AND "end" > ?',
            [room_id, to_db_time(booking.start), to_db_time(booking.start)],""",
    )


def _decide_the_overlap_in_sql_with_less_or_equal(service):
    # Back to back counted as an overlap.
    create = CREATE_WITH_THE_OVERLAP_IN_SQL.replace(
        'max(start, ?) < min("end", ?)', 'max(start, ?) <= min("end", ?)'
    )
    _replace_from(service, CRUD, "def create_booking", create, "def get_booking")


@pytest.mark.parametrize(
    ("mistake", "expected_failures", "said"),
    [
        (
            _narrow_the_overlap_query_to_bookings_across_the_start,
            [REFUSAL],
            "for 08:30 to 09:30 (across the start of a 09:00 to 10:00 booking) answered 201, "
            "expected 409",
        ),
        (
            _decide_the_overlap_in_sql_with_less_or_equal,
            [FREE_SLOT, LISTING],
            "answered 409, expected 201",
        ),
    ],
    ids=["a-query-that-misses-some-overlaps", "back-to-back-refused-by-sql"],
)
def test_an_overlap_decided_wrongly_in_the_data_access_is_refused(
    service, mistake, expected_failures, said
):
    mistake(service)
    found = verdicts(judge("04.2"))
    assert failed(found) == expected_failures
    assert said in found[expected_failures[0]]


@pytest.mark.parametrize(
    ("name", "answered", "expected", "same"),
    [
        ("start", "2030-01-07T09:00:00+00:00", "2030-01-07T09:00:00Z", True),
        ("cancelled_at", "2030-01-07T08:00:00Z", "2030-01-07T08:00:00+00:00", True),
        ("cancelled_at", None, None, True),
        ("attendees", 4, 4, True),
        # The same instant, but not given in UTC; a time with no offset; another instant.
        ("start", "2030-01-07T10:00:00+01:00", "2030-01-07T09:00:00Z", False),
        ("start", "2030-01-07T09:00:00", "2030-01-07T09:00:00Z", False),
        ("end", "2030-01-07T10:00:00Z", "2030-01-07T09:00:00Z", False),
        ("start", None, "2030-01-07T09:00:00Z", False),
        # SQLite's 0 for false is not JSON's false.
        ("cancelled", 0, False, False),
        ("cancelled", False, False, True),
    ],
)
def test_the_api_suite_compares_times_as_utc_instants(name, answered, expected, same):
    from onboarding.stages.implementation.suites.bookings_api import same_value

    assert same_value(name, answered, expected) is same


def test_routes_and_data_access_that_only_look_right_are_refused(service):
    # A Location under the room, which names no resource of the API.
    change(
        service,
        BOOKING_ROUTES,
        'str(request.url_for("get_booking", booking_id=created.id))',
        'f"/rooms/{room_id}/bookings/{created.id}"',
    )
    # An unknown room listed as no bookings, and a cancel that stamps cancelled_at every time.
    change(service, CRUD, "    get_room(db, room_id)\n    where", "    where")
    change(service, CRUD, "if not booking.cancelled:", "if True:")
    found = verdicts(judge("04.2"))
    assert failed(found) == [
        "POST /rooms/{room_id}/bookings books a free slot: 201, the booking as stored (times in "
        "UTC), and a Location header naming it",
        "GET /rooms/{room_id}/bookings lists the room's live bookings in start order, one page "
        "at a time",
        "POST /bookings/{booking_id}/cancel cancels the booking, frees its slot, and changes "
        "nothing the second time",
    ]
    booked, _, cancelled = (found[text] for text in failed(found))
    assert "Location '/rooms/1/bookings/1', expected /bookings/1" in booked
    assert "changed cancelled_at to" in cancelled
