"""Stage 04's checks: every mistake they name gets a verdict and a message worth reading."""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import os
import random
import time
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from onboarding.stages.mutants import MUTANTS, REFERENCE, mutant

from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from onboarding import notebooks
from onboarding.checks import Exercise
from onboarding.stages import implementation as stage
from onboarding.stages import mutants
from tests.conftest import COURSE_ROOT

SOLUTION = COURSE_ROOT / "solutions" / "04_implementation.ipynb"
EXERCISE = COURSE_ROOT / "exercises" / "04_implementation.ipynb"
LESSON = COURSE_ROOT / "notebooks" / "04_implementation.ipynb"


def lines_of(exercise: Exercise) -> list[str]:
    return [result.line() for result in exercise.results]


def failures(exercise: Exercise) -> list[str]:
    return [result.line() for result in exercise.results if not result.passed]


# --- Lesson helpers -------------------------------------------------------------------------


def test_fresh_client_starts_from_an_empty_migrated_database():
    for _ in range(2):
        with stage.fresh_client() as client:
            assert client.get("/rooms").json() == []
            assert client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()["id"] == 1


def test_captured_service_logs_collects_json_lines_and_restores_the_stream(capsys):
    with stage.fresh_client(log_level="INFO") as client, stage.captured_service_logs() as lines:
        client.get("/rooms")
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/rooms", 200)
    ]
    assert {"time", "duration_ms", "level", "logger"} <= set(lines[0])
    handlers = logging.getLogger("bookings").handlers
    assert all(getattr(handler, "stream", None) is not None for handler in handlers)


def test_pytest_run_summary_is_in_pytest_s_order_without_timings():
    run = stage.PytestRun(returncode=1, passed=3, failed=[("test_a", "assert 1 == 2")], skipped=1)
    assert run.summary() == "1 failed, 3 passed, 1 skipped"
    assert stage.PytestRun(returncode=0).summary() == "no tests ran"
    assert stage.PytestRun(returncode=None).summary() == "stopped: took too long"
    assert stage.PytestRun(returncode=2, collection_errors=["x", "y"]).summary() == "2 errors"


def test_clean_removes_the_folder_and_addresses(tmp_path):
    text = f"{tmp_path}/test_x.py:3 <object at 0x7f00aa11> in {tmp_path}"
    assert stage.clean(text, tmp_path) == "test_x.py:3 <object> in ."


def test_run_pytest_with_and_without_a_planted_bug(tmp_path):
    (tmp_path / "test_touch.py").write_text(
        "from bookings import crud\n\n"
        "def test_touching_is_not_overlapping():\n"
        "    assert not crud.overlaps(1, 2, 2, 3)\n"
    )
    assert stage.run_pytest(tmp_path, "test_touch.py").summary() == "1 passed"
    planted = stage.run_pytest(tmp_path, "test_touch.py", mutant="back-to-back-refused")
    assert planted.summary() == "1 failed"
    assert planted.failed[0][0] == "test_touching_is_not_overlapping"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["test_touch.py"]


# --- Exercise 04.1: the rules in the service ----------------------------------------------------


def check_rules(namespace: dict) -> Exercise:
    """The 04.1 check cell, without printing."""
    exercise = Exercise("04.1", echo=False)
    exercise.expect("defined", required=True)(partial(stage.require_rules, namespace))
    rules = stage.learner_rules(namespace)
    exercise.expect("overlaps")(lambda: stage.require_overlaps(rules.overlaps))
    for scenario in stage.SCENARIOS:
        exercise.expect(scenario.rule, hint=scenario.hint)(
            partial(stage.run_scenario, scenario, rules)
        )
    return exercise


def namespace_of(rules: mutants.Rules) -> dict:
    return {name: getattr(rules, name) for name in mutants.RULE_NAMES}


def test_the_correct_rules_pass_every_scenario():
    exercise = check_rules(namespace_of(REFERENCE))
    assert failures(exercise) == []
    assert len(exercise.results) == 2 + len(stage.SCENARIOS)


EXPECTED_RULE_FAILURES = {
    "zero-length-accepted": [
        "❌ a booking whose end equals its start is refused — POST /rooms/1/bookings {start 09:00, "
        "end 09:00, attendees 2} in an empty room 1 (capacity 6) reached the database, whose CHECK "
        "constraint refused it (a 500), expected 422 (/problems/invalid-range): the rule functions "
        "let it through. Hint: Refuse end <= start, not only end < start: raise InvalidTimeRange()."
    ],
    "full-room-refused": [
        "❌ a booking that exactly fills the room is accepted — POST /rooms/1/bookings {start 09:00, "
        "end 10:00, attendees 6} in an empty room 1 (capacity 6) returned 422 (/problems/capacity), "
        "expected 201. Hint: Exactly full is fine: refuse only when attendees > capacity."
    ],
    "one-too-many-accepted": [
        "❌ one attendee more than the room holds is refused — POST /rooms/1/bookings {start 09:00, "
        "end 10:00, attendees 7} in an empty room 1 (capacity 6) returned 201, expected 422 "
        "(/problems/capacity). Hint: When attendees > capacity, raise "
        "CapacityExceeded(attendees, capacity)."
    ],
    "back-to-back-refused": [
        "❌ overlaps — overlaps(08:00, 09:00, 09:00, 10:00) returned True, expected False (ending as "
        "it starts); overlaps(09:00, 10:00, 08:00, 09:00) returned True, expected False (ending as "
        "it starts); overlaps(10:00, 11:00, 09:00, 10:00) returned True, expected False (starting "
        "as it ends); and 1 more.",
        "❌ back-to-back bookings are allowed — POST /rooms/1/bookings {start 10:00, end 11:00, "
        "attendees 2} after a 09:00–10:00 booking in room 1 returned 409 (/problems/overlap), "
        "expected 201. Hint: Two bookings overlap when a_start < b_end and b_start < a_end, with a "
        "strict <: one ending as the other starts is fine.",
    ],
    "cancelled-blocks": [
        "❌ a cancelled booking does not block its slot — POST /rooms/1/bookings {start 09:00, end "
        "10:00, attendees 2} after a cancelled 09:00–10:00 booking in room 1 returned 409 "
        "(/problems/overlap), expected 201. Hint: Skip the bookings in `existing` whose "
        "`cancelled` is True."
    ],
    "other-room-blocks": [
        "❌ a booking in another room does not block — POST /rooms/1/bookings {start 09:00, end "
        "10:00, attendees 2} after a 09:00–10:00 booking in room 2 returned 409 "
        "(/problems/overlap), expected 201. Hint: `existing` holds every room's bookings: compare "
        "only those whose room_id equals the room_id argument."
    ],
}


@pytest.mark.parametrize("key", sorted(EXPECTED_RULE_FAILURES))
def test_each_wrong_rule_is_named_with_the_request_that_shows_it(key):
    assert failures(check_rules(namespace_of(mutant(key).rules))) == EXPECTED_RULE_FAILURES[key]


def test_an_overlap_seen_only_when_it_starts_inside_is_caught_with_the_request():
    found = failures(check_rules(namespace_of(mutant("earlier-start-missed").rules)))
    assert len(found) == 2
    assert found[1].startswith(
        "❌ an overlapping booking in the same room is refused, naming the booking in the way — "
        "POST /rooms/1/bookings {start 08:30, end 09:30, attendees 2} after a 09:00–10:00 "
        "booking in room 1 returned 201, expected 409 (/problems/overlap)."
    )


def test_a_wrong_conflicting_id_is_named():
    def check_no_overlap(existing, room_id, start, end):
        for booking in existing:
            if booking.room_id == room_id and REFERENCE.overlaps(
                start, end, booking.start, booking.end
            ):
                raise OverlapConflict(conflicting_booking_id=99)

    namespace = {**namespace_of(REFERENCE), "check_no_overlap": check_no_overlap}
    found = failures(check_rules(namespace))
    assert any(
        "returned 409 with conflicting_booking_id 99, expected 1 (the booking in the way)" in line
        for line in found
    )


def test_missing_functions_block_the_rest():
    namespace = {"check_time_range": REFERENCE.check_time_range, "overlaps": 3}
    exercise = check_rules(namespace)
    assert exercise.results[0].line() == (
        "❌ defined — not defined: check_capacity, overlaps, check_no_overlap — run the cell that "
        "defines them (and fix any error it shows)."
    )
    assert all("not checked until" in result.found for result in exercise.results[1:])


def test_stubs_say_not_written_yet():
    def stub(*args):
        raise NotImplementedError("Exercise 04.1: replace this line with your code")

    exercise = check_rules(dict.fromkeys(mutants.RULE_NAMES, stub))
    assert exercise.results[0].passed
    assert all(
        "not written yet (the stub still raises NotImplementedError)" in result.found
        for result in exercise.results[1:]
    )


def test_an_exception_in_the_learner_s_rule_is_named_and_logs_nothing(capfd):
    def check_capacity(attendees, capacity):
        return attendees / 0

    namespace = {**namespace_of(REFERENCE), "check_capacity": check_capacity}
    found = failures(check_rules(namespace))
    assert found[0].startswith(
        "❌ a booking that ends after it starts is accepted — POST /rooms/1/bookings {start 09:00, "
        "end 10:00, attendees 2} in an empty room 1 (capacity 6): your code raised "
        "ZeroDivisionError: division by zero"
    )
    # The service's error log (with a timestamp) must not reach the check's output.
    assert capfd.readouterr().err == ""


def test_rules_with_a_capacity_taken_from_the_room_object_fail_clearly():
    """A learner who copies crud's signature (attendees, room) gets a plain error."""

    def check_capacity(attendees, room):
        if attendees > room.capacity:
            raise CapacityExceeded(attendees, room.capacity)

    found = failures(check_rules({**namespace_of(REFERENCE), "check_capacity": check_capacity}))
    assert "AttributeError: 'int' object has no attribute 'capacity'" in found[0]


# --- Exercise 04.2: the learner's tests, judged by the bugs they catch --------------------------


def model_suite() -> str:
    """The solution's test file, as the %%writefile cell writes it."""
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if source.startswith("%%writefile test_booking_rules.py"):
            return source.split("\n", 1)[1] + "\n"
    raise AssertionError("the solution has no %%writefile test_booking_rules.py cell")


def exercise_stub() -> str:
    for cell in notebooks.read(EXERCISE)["cells"]:
        source = notebooks.source_of(cell)
        if source.startswith("%%writefile test_booking_rules.py"):
            return source.split("\n", 1)[1] + "\n"
    raise AssertionError("the exercise has no %%writefile test_booking_rules.py cell")


def judge_suite(tmp_path: Path, text: str | None) -> Exercise:
    """The 04.2 check cell on a test file with this text (None: no file), without printing."""
    path = tmp_path / "test_booking_rules.py"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    exercise = Exercise("04.2", echo=False)
    with stage.SuiteJudge(path) as judge:
        exercise.expect("tests", required=True)(judge.require_tests)
        exercise.expect("asserts", required=True)(judge.require_assertions)
        exercise.expect("passes", required=True)(judge.require_passing_on_reference)
        for planted in MUTANTS:
            exercise.expect(f"your tests catch {planted.bug}", hint=planted.hint)(
                partial(judge.require_caught, planted)
            )
    return exercise


HEADER = """
from datetime import datetime, timedelta, timezone

import pytest

from booking_rules import check_capacity, check_no_overlap, check_time_range, make_booking, overlaps
from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
"""


def test_the_model_suite_catches_every_bug(tmp_path):
    exercise = judge_suite(tmp_path, model_suite())
    assert failures(exercise) == []
    assert len(exercise.results) == 3 + len(MUTANTS)


def test_a_partial_suite_names_exactly_the_bugs_it_lets_through(tmp_path):
    suite = (
        HEADER
        + """
def test_back_to_back_is_not_an_overlap():
    assert not overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)


def test_a_booking_starting_earlier_overlaps():
    assert overlaps(NINE - HOUR / 2, NINE + HOUR / 2, NINE, NINE + HOUR)


def test_one_too_many():
    with pytest.raises(CapacityExceeded):
        check_capacity(7, 6)
"""
    )
    exercise = judge_suite(tmp_path, suite)
    assert failures(exercise) == [
        "❌ your tests catch a booking whose end equals its start being accepted — no test failed "
        "when that bug was planted. Hint: Add a test that books 09:00–09:00 and expects a refusal "
        "(InvalidTimeRange, or a 422 from the API).",
        "❌ your tests catch a booking that exactly fills the room being refused — no test failed "
        "when that bug was planted. Hint: Add a test that books as many attendees as the room's "
        "capacity and expects success.",
        "❌ your tests catch a cancelled booking still blocking its slot — no test failed when "
        "that bug was planted. Hint: Book a slot, cancel it (POST /bookings/{id}/cancel), book the "
        "same slot again and expect success.",
        "❌ your tests catch a booking in another room blocking the slot — no test failed when "
        "that bug was planted. Hint: Book 09:00–10:00 in one room, then the same hour in a second "
        "room, and expect success.",
    ]


def test_api_tests_with_the_client_fixture_catch_the_stored_booking_bugs(tmp_path):
    suite = """
from bookings.testing import create_booking, create_room


def test_cancelling_frees_the_slot(client):
    room = create_room(client, capacity=6)
    first = create_booking(client, room["id"])
    assert client.post(f"/bookings/{first['id']}/cancel").status_code == 200
    create_booking(client, room["id"])


def test_another_room_does_not_block(client):
    create_booking(client, create_room(client)["id"])
    create_booking(client, create_room(client)["id"])


def test_zero_length_is_refused(client):
    room = create_room(client)
    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T09:00:00Z", "attendees": 2}
    assert client.post(f"/rooms/{room['id']}/bookings", json=body).status_code == 422
"""
    exercise = judge_suite(tmp_path, suite)
    caught = {
        planted.key
        for planted, result in zip(MUTANTS, exercise.results[3:], strict=True)
        if result.passed
    }
    assert caught == {"cancelled-blocks", "other-room-blocks", "zero-length-accepted"}


def test_a_missing_file_says_how_to_create_it(tmp_path):
    exercise = judge_suite(tmp_path, None)
    assert exercise.results[0].line() == (
        "❌ tests — test_booking_rules.py does not exist yet — run the %%writefile cell that "
        "creates it."
    )
    assert all("not checked until" in result.found for result in exercise.results[1:])


def test_a_syntax_error_names_its_line(tmp_path):
    exercise = judge_suite(tmp_path, "def test_x(:\n    pass\n")
    assert (
        exercise.results[0]
        .line()
        .startswith("❌ tests — test_booking_rules.py has a syntax error on line 1:")
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        HEADER,
        "def helper():\n    assert True\n",
        "class Rules:\n    def test_inside_a_plain_class(self):\n        assert True\n",
    ],
    ids=["empty", "imports-only", "no-test-names", "class-not-named-Test"],
)
def test_a_suite_without_tests_gets_its_own_message(tmp_path, text):
    exercise = judge_suite(tmp_path, text)
    assert exercise.results[0].line() == (
        "❌ tests — test_booking_rules.py has no test functions; pytest collects functions whose "
        "names start with test_, at the top level of the file (or in a class named Test…)."
    )


def test_tests_without_any_assertion_get_their_own_message(tmp_path):
    suite = (
        HEADER
        + """
def test_overlaps():
    overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)


def test_capacity():
    check_capacity(6, 6)
"""
    )
    exercise = judge_suite(tmp_path, suite)
    assert exercise.results[0].passed
    assert exercise.results[1].line() == (
        "❌ asserts — there is no assert statement and no pytest.raises in the file, so every "
        "test passes whatever the code does."
    )
    assert all("not checked until" in result.found for result in exercise.results[2:])


def test_tests_that_do_nothing_are_named(tmp_path):
    suite = (
        HEADER
        + '''
def test_real():
    assert overlaps(NINE, NINE + HOUR, NINE, NINE + HOUR)


def test_later():
    pass


def test_todo():
    """Write me."""
    ...
'''
    )
    exercise = judge_suite(tmp_path, suite)
    assert exercise.results[1].line() == (
        "❌ asserts — test_later; test_todo do nothing: no call and no assert."
    )


def test_a_suite_failing_on_the_correct_rules_names_the_failing_tests(tmp_path):
    suite = (
        HEADER
        + """
def test_back_to_back_is_an_overlap():
    assert overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)


def test_full_room_is_refused():
    with pytest.raises(CapacityExceeded):
        check_capacity(6, 6)


def test_fine():
    assert not overlaps(NINE, NINE + HOUR, NINE + 2 * HOUR, NINE + 3 * HOUR)
"""
    )
    exercise = judge_suite(tmp_path, suite)
    assert exercise.results[2].line() == (
        "❌ passes — 2 of 3 test(s) fail on the correct rules, so they expect something the rules "
        "do not say: test_back_to_back_is_an_overlap (assert False); "
        "test_full_room_is_refused (Failed: DID NOT RAISE CapacityExceeded)."
    )
    assert all("not checked until" in result.found for result in exercise.results[3:])


def test_a_suite_that_cannot_be_imported_says_why(tmp_path):
    suite = "from booking_rules import check_everything\n\ndef test_x():\n    assert check_everything()\n"
    exercise = judge_suite(tmp_path, suite)
    assert exercise.results[2].line() == (
        "❌ passes — pytest could not load test_booking_rules.py: ImportError: cannot import name "
        "'check_everything' from 'booking_rules' (booking_rules.py)."
    )


def test_a_hanging_suite_is_stopped_and_leaves_no_process(tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "REFERENCE_BUDGET", 8.0)
    suite = "import time\n\ndef test_waits():\n    time.sleep(120)\n    assert True\n"
    started = time.monotonic()
    exercise = judge_suite(tmp_path, suite)
    assert time.monotonic() - started < 60
    assert exercise.results[2].line() == (
        "❌ passes — your tests did not finish within 8 s on the correct rules — is a test "
        "waiting or looping?."
    )
    assert _children_running_the_variants() == []


def _children_running_the_variants() -> list[int]:
    """Processes started by this test process that still run the variant runner."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"PPid:\t{os.getpid()}\n" in status and "onboarding.stages.mutants" in command:
            found.append(int(entry.name))
    return found


def test_the_unsolved_exercise_stub_is_told_to_assert_something(tmp_path):
    exercise = judge_suite(tmp_path, exercise_stub())
    assert exercise.results[0].passed
    assert exercise.results[1].found.startswith("there is no assert statement")


def test_the_check_s_output_has_no_paths_or_timings(tmp_path):
    suite = (
        HEADER
        + """
def test_fails():
    assert overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR), f"{__file__}"
"""
    )
    exercise = judge_suite(tmp_path, suite)
    text = "\n".join(lines_of(exercise))
    assert "/tmp" not in text and str(tmp_path) not in text
    assert " 0x" not in text


# --- Exercise 04.3: a flag with a percentage rollout -------------------------------------------


def sha_flag(flag_name, user_id, rollout_percent, killed=False):
    if killed:
        return False
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100


def check_flag(namespace: dict) -> Exercise:
    exercise = Exercise("04.3", echo=False)
    exercise.expect("defined", required=True)(partial(stage.require_function, namespace))
    function = namespace.get("is_enabled")
    for expectation, require, hint in stage.FLAG_EXPECTATIONS:
        exercise.expect(expectation, hint=hint)(partial(require, function))
    return exercise


def flag_failures(function) -> list[str]:
    return [
        r.text + " — " + r.found
        for r in check_flag({"is_enabled": function}).results
        if not r.passed
    ]


def test_a_sha256_flag_passes():
    assert flag_failures(sha_flag) == []


def test_the_course_flag_module_passes_too():
    from bookings import flags

    def course(flag_name, user_id, rollout_percent, killed=False):
        return flags.is_enabled(flags.Flag(flag_name, rollout_percent, killed), user_id)

    assert flag_failures(course) == []


def test_a_missing_function_blocks_the_rest():
    exercise = check_flag({})
    assert exercise.results[0].found == "`is_enabled` is not defined — run the cell that defines it"
    assert all("not checked until" in result.found for result in exercise.results[1:])


def test_random_answers_are_unstable():
    rng = random.Random(4)

    def coin(flag_name, user_id, rollout_percent, killed=False):
        return not killed and rng.random() * 100 < rollout_percent

    found = flag_failures(coin)
    assert found[0].startswith(
        "the same user gets the same answer 100 times in a row — 'user-0' got "
    )
    assert "in 100 calls" in found[0]


def test_the_built_in_hash_differs_in_a_new_process():
    def salted(flag_name, user_id, rollout_percent, killed=False):
        return not killed and hash(f"{flag_name}:{user_id}") % 10_000 < rollout_percent * 100

    found = flag_failures(salted)
    assert len(found) == 1
    assert found[0].startswith("the same users are enabled in a new process — ")
    assert "users got a different answer in a new process; Python's hash() is salted" in found[0]
    assert builtins.hash("x") == hash("x")  # restored


def test_seeding_random_per_call_is_caught_in_a_new_process_or_by_the_share():
    def seeded(flag_name, user_id, rollout_percent, killed=False):
        random.seed(f"{flag_name}:{user_id}")
        return not killed and random.random() * 100 < rollout_percent

    # Seeding with a string is deterministic across processes: that is hashing, and it passes.
    assert flag_failures(seeded) == []


def test_hashing_only_the_user_makes_flags_pick_the_same_users():
    def user_only(flag_name, user_id, rollout_percent, killed=False):
        return sha_flag("any", user_id, rollout_percent, killed)

    assert flag_failures(user_only) == [
        "two flags at 10 % pick different users — 993 users have both flags out of 993: the "
        "flags picked (almost) the same users, so every early adopter gets every experiment"
    ]


def test_a_percentage_read_as_per_mille_is_far_off():
    def per_mille(flag_name, user_id, rollout_percent, killed=False):
        digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
        return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent

    found = flag_failures(per_mille)
    assert found[0].startswith(
        "about 10 % of 10,000 users are enabled at rollout_percent=10 (8.5–11.5 %) — 8 of 10,000 "
        "users (0.1 %) were enabled, expected 8.5–11.5 %"
    )
    assert any(
        line.startswith("0 % enables nobody and 100 % enables everybody — ") for line in found
    )


def test_an_inclusive_threshold_enables_someone_at_zero():
    def inclusive(flag_name, user_id, rollout_percent, killed=False):
        digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
        return not killed and int.from_bytes(digest[:8], "big") % 100 <= rollout_percent

    found = flag_failures(inclusive)
    assert any(
        line.startswith("0 % enables nobody and 100 % enables everybody — ")
        and "users were enabled at 0 %" in line
        for line in found
    )


def test_hashing_the_percentage_too_reshuffles_users_when_it_grows():
    def reshuffled(flag_name, user_id, rollout_percent, killed=False):
        return sha_flag(f"{flag_name}:{rollout_percent}", user_id, rollout_percent, killed)

    found = flag_failures(reshuffled)
    assert len(found) == 1
    assert found[0].startswith("raising the rollout from 10 % to 50 % keeps everyone who had it — ")
    assert found[0].endswith("522 of the 971 users who had the flag at 10 % lost it at 50 %")


def test_ignoring_the_kill_switch_is_caught():
    def unkillable(flag_name, user_id, rollout_percent, killed=False):
        return sha_flag(flag_name, user_id, rollout_percent)

    assert flag_failures(unkillable) == [
        "the kill switch turns the flag off for everybody, even at 100 % — with killed=True some "
        "users were still enabled at 10 % and 100 %"
    ]


def test_answers_must_be_booleans():
    def as_int(flag_name, user_id, rollout_percent, killed=False):
        return int(sha_flag(flag_name, user_id, rollout_percent, killed))

    assert flag_failures(as_int)[0] == (
        "the same user gets the same answer 100 times in a row — is_enabled returned int, "
        "expected True or False"
    )


def test_another_process_restores_hash_and_random_even_after_an_error():
    state = random.getstate()
    real_hash = builtins.hash
    with pytest.raises(RuntimeError), stage.another_process():
        assert hash("x") != real_hash("x")
        raise RuntimeError
    assert builtins.hash is real_hash
    assert random.getstate() == state


# --- The notebooks ------------------------------------------------------------------------------


def check_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for cell in notebooks.read(path)["cells"]:
        if notebooks.is_check_cell(cell):
            outputs[notebooks.source_of(cell).splitlines()[1]] = notebooks.output_text(
                cell["outputs"]
            )
    return outputs


def test_the_solution_passes_with_a_fixed_number_of_lines():
    outputs = list(check_outputs(SOLUTION).values())
    assert [text.count("✅") for text in outputs] == [11, 10, 8]
    assert all("❌" not in text for text in outputs)
    assert [text.strip().splitlines()[-1] for text in outputs] == [
        "Exercise 04.1: all 11 checks passed.",
        "Exercise 04.2: all 10 checks passed.",
        "Exercise 04.3: all 8 checks passed.",
    ]


def test_each_check_cell_checks_one_exercise():
    sources = [
        notebooks.source_of(cell)
        for cell in notebooks.read(SOLUTION)["cells"]
        if notebooks.is_check_cell(cell)
    ]
    assert [source.count('Exercise("') for source in sources] == [1, 1, 1]
    assert all(source.startswith("# NBVAL_CHECK_OUTPUT\n# Checks ") for source in sources)


def test_the_lesson_names_no_mutant_that_does_not_exist():
    text = json.dumps(notebooks.read(LESSON))
    for key in ("back-to-back-refused", "cancelled-blocks"):
        assert key in text
        mutant(key)


def test_the_lesson_criterion_still_exists_in_stage_01():
    """The lesson prints stage 01's back-to-back example; it must keep its shape."""
    import yaml

    from onboarding import project

    examples = yaml.safe_load(project.reference("01")["docs/acceptance_criteria.yaml"])["examples"]
    assert [e for e in examples if e["behaviour"] == "back-to-back"]


def test_times_in_messages_are_clock_times():
    assert stage.clock_of(datetime.fromisoformat("2030-01-07T09:30:00+00:00")) == "09:30"
    assert stage.at("09:30") == "2030-01-07T09:30:00Z"


def test_rules_raise_the_service_errors():
    """The 04.1 interface raises the same errors the service maps to problem types."""
    with pytest.raises(InvalidTimeRange):
        REFERENCE.check_time_range(datetime(2030, 1, 7), datetime(2030, 1, 7))
