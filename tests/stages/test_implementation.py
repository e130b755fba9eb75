"""Stage 04's checks on the learner's project: each mistake gets its verdict and its message.

Every test writes the course's model project at the end of stage 04 into a throwaway workspace,
changes what a learner might get wrong, and judges the exercise as `check("04.N")` does. The
project's runs are real pytest runs in child processes, so each judged exercise costs seconds:
one wrong project per test exercises several mistakes at once.
"""

from __future__ import annotations

import hashlib
import logging
import random
from http import HTTPStatus

import pytest

from onboarding import project
from onboarding.stages import judge
from onboarding.stages.implementation import lesson, rollout
from tests.stages.project_checks import change, failed, verdicts

RULES = "src/booking_service/rules.py"
CRUD = "src/booking_service/crud.py"
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


def sha_flag(flag_name, user_id, rollout_percent, killed=False):
    if killed:
        return False
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100


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


def seeded_generator_flag(flag_name, user_id, rollout_percent, killed=False):
    # A generator of its own, seeded with text: CPython hashes the text (SHA-512) into the seed,
    # and `random()` is documented to give the same sequence for the same seed in every process
    # and every version, so this is a stable hash of the flag and the user, as the rules ask.
    return not killed and random.Random(f"{flag_name}:{user_id}").random() * 100 < rollout_percent


def md5_percent_flag(flag_name, user_id, rollout_percent, killed=False):
    # Another hash, 100 buckets instead of 10,000, and no separator: right all the same.
    digest = hashlib.md5((flag_name + user_id).encode()).hexdigest()
    return False if killed else int(digest, 16) % 100 < rollout_percent


def blake2_fraction_flag(flag_name, user_id, rollout_percent, killed=False):
    if killed:
        return False
    digest = hashlib.blake2b(f"{flag_name}/{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64 * 100 < rollout_percent


@pytest.mark.parametrize(
    "is_enabled", [seeded_generator_flag, md5_percent_flag, blake2_fraction_flag]
)
def test_other_stable_flags_pass(is_enabled):
    assert judge("04.5", is_enabled=is_enabled).failed == ()


def shared_generator_flag(flag_name, user_id, rollout_percent, killed=False):
    random.seed(f"{flag_name}:{user_id}")
    return not killed and random.random() * 100 < rollout_percent


def generator_seeded_by_hash_flag(flag_name, user_id, rollout_percent, killed=False):
    return not killed and random.Random(hash((flag_name, user_id))).random() * 100 < rollout_percent


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
