"""What stage 04's exercises expect, in the order each is judged.

04.1 to 04.4 judge files of the learner's project (`check("04.1")`); 04.5 judges a function
of the notebook (`check("04.5", globals())`). The project's runs happen in child processes on
throwaway copies (see `judging`); each exercise's expectations share one run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from onboarding import project
from onboarding.checks import CheckFailed, Expectation, Given, load_yaml, require
from onboarding.pytest_runs import CaseResult, PytestRun
from onboarding.stages.implementation import judging, rollout, scenarios
from onboarding.stages.implementation.planted_bugs import ACCEPTS_EVERYTHING, BUGS
from onboarding.stages.implementation.scenarios import SCENARIOS

RULES_FILE = "src/booking_service/rules.py"
ACCEPTANCE_TESTS = "tests/test_acceptance.py"
CRITERIA = "docs/acceptance_criteria.yaml"
UNIT_TESTS = "tests/test_rules.py"
REFUSED = (409, 422)


def _case(
    run: Callable[[Given], PytestRun], name: str | tuple[str, ...], what: str
) -> Callable[[Given], None]:
    """The expectation that the course's test `name` (or each of several) passed."""
    names = (name,) if isinstance(name, str) else name

    def passed(given: Given) -> None:
        for each in names:
            judging.require_case(run(given), each, what)

    return passed


# --- 04.1: the rules, inside the course's service --------------------------------------------


def rules_run(given: Given) -> PytestRun:
    def make() -> PytestRun:
        project.read(RULES_FILE)  # a missing file says where it belongs
        return judging.rules_in_reference("rules_in_the_service.py")

    return given.once("04.1", make)


RULES = (
    Expectation(
        "check_time_range, check_capacity, overlaps and check_no_overlap are defined in "
        "src/booking_service/rules.py",
        _case(rules_run, "test_the_rules_are_defined", "the rules"),
        hint="Keep the four functions of the starting file, and fix any error the line names.",
        required=True,
    ),
    Expectation(
        "overlaps() is True for every way two bookings can overlap, False when they only touch",
        _case(rules_run, "test_overlaps", "overlaps()"),
        hint="Two bookings overlap when a_start < b_end and b_start < a_end.",
    ),
    *(
        Expectation(
            scenario.rule,
            _case(rules_run, f"test_scenario[{scenario.key}]", "the scenario"),
            hint=scenario.hint,
        )
        for scenario in SCENARIOS
    ),
)


# --- 04.2: the routes and data access, through the learner's own API -------------------------


def api_run(given: Given) -> PytestRun:
    return given.once("04.2", lambda: judging.learners_service("bookings_api.py"))


def _api(text: str, test: str | tuple[str, ...], hint: str, required: bool = False) -> Expectation:
    return Expectation(text, _case(api_run, test, "your service"), hint, required)


ROUTES = (
    _api(
        "your service starts: create_app() builds it on a new database",
        "test_the_service_starts",
        "Fix the error the line names; `pytest` in your project shows the whole traceback.",
        required=True,
    ),
    _api(
        "POST /rooms/{room_id}/bookings books a free slot: 201, the booking as stored (times in "
        "UTC), and a Location header naming it",
        "test_a_free_slot_is_booked",
        "crud.create_booking inserts the row and returns get_booking(db, new id); the route sets "
        "response.headers['Location'] from request.url_for('get_booking', booking_id=…).",
    ),
    _api(
        "GET /bookings/{booking_id} returns the booking, and a 404 problem for an unknown id",
        "test_a_booking_is_read_back",
        "crud.get_booking raises BookingNotFound(booking_id) when db['bookings'].get() finds "
        "nothing (sqlite_utils raises NotFoundError).",
    ),
    _api(
        "GET /rooms/{room_id}/bookings lists the room's live bookings in start order, one page "
        "at a time",
        "test_a_rooms_bookings_are_listed",
        "Query with rows_where('room_id = ? AND cancelled = 0', …, order_by='start, id', "
        "limit=limit, offset=offset); include_cancelled drops the cancelled condition; check "
        "the room exists first.",
    ),
    _api(
        "POST /bookings/{booking_id}/cancel cancels the booking, frees its slot, and changes "
        "nothing the second time",
        "test_cancelling_frees_the_slot_once",
        "Set cancelled = 1 and cancelled_at only when the booking is not cancelled yet, then "
        "return get_booking().",
    ),
    _api(
        "a refused booking is a problem: 404 for an unknown room, 409 naming the booking in the "
        "way, 422 for a bad time range or too many attendees",
        # Two requests for one slot: the second waits for the first, then gets its 409.
        ("test_a_refusal_is_a_problem", "test_two_requests_for_one_slot_take_turns"),
        "In crud.create_booking, inside `with write_transaction(db):`: get_room() first, then "
        "rules.check_time_range, rules.check_capacity and rules.check_no_overlap with the "
        "room's stored bookings, then the insert.",
    ),
)


# --- 04.3: the acceptance criteria, as tests ---------------------------------------------------


def examples(given: Given) -> list[dict[str, Any]]:
    """The learner's acceptance-criteria examples (stage 01), as the file holds them."""

    def read() -> list[dict[str, Any]]:
        project.read(CRITERIA)
        document = load_yaml(project.path(CRITERIA))
        found = document.get("examples") if isinstance(document, dict) else None
        if not isinstance(found, list) or not found:
            raise CheckFailed(f"{CRITERIA} has no `examples:` list (it is stage 01's work)")
        return [example for example in found if isinstance(example, dict)]

    return given.once("criteria", read)


def acceptance_runs(given: Given) -> dict[str, PytestRun]:
    def make() -> dict[str, PytestRun]:
        project.read(ACCEPTANCE_TESTS)
        return judging.learners_tests(
            ACCEPTANCE_TESTS, [ACCEPTS_EVERYTHING], course_service=False, stop_at_first=False
        )

    return given.once("04.3", make)


def _test_function(case: CaseResult) -> str:
    """The test function a case belongs to: its node id without the parameters' id."""
    return case.nodeid.partition("[")[0]


def _behaviour(position: int, example: dict[str, Any]) -> str:
    return str(example.get("behaviour", f"example {position + 1}"))


def _named_by_id(run: PytestRun, wanted: Sequence[dict[str, Any]]) -> dict[str, list[CaseResult]]:
    """The examples whose behaviour is a test's id, and every test with that id: one test per
    example may stand beside others (a test that the example is complete, say)."""
    named = {}
    for position, example in enumerate(wanted):
        behaviour = _behaviour(position, example)
        cases = [case for case in run.cases if f"[{behaviour}]" in case.name]
        if cases:
            named[behaviour] = cases
    return named


def _a_test_runs_once_per_example(run: PytestRun, wanted: Sequence[dict[str, Any]]) -> bool:
    """Whether some test function runs once per example (parametrized over the file, with
    pytest's own ids or any others), whatever other tests stand beside it."""
    return len(wanted) in Counter(_test_function(case) for case in run.cases).values()


def one_test_per_example(given: Given) -> None:
    wanted = examples(given)
    run = acceptance_runs(given)[judging.LEARNERS]
    judging.require_collected(run, ACCEPTANCE_TESTS)
    # A test of the file itself beside the examples' tests is fine: each example has its own.
    each_named = len(_named_by_id(run, wanted)) == len(wanted)
    if (
        run.total != len(wanted)
        and not each_named
        and not _a_test_runs_once_per_example(run, wanted)
    ):
        raise CheckFailed(
            f"pytest ran {run.total} test(s) from {ACCEPTANCE_TESTS} for the {len(wanted)} "
            f"example(s) of {CRITERIA}: parametrize one test over the file's examples"
        )


def acceptance_tests_pass(given: Given) -> None:
    run = acceptance_runs(given)[judging.LEARNERS]
    judging.require_finished(run, "your acceptance tests")
    require(judging.failures(run))
    if run.skipped:
        skipped = [f"{case.name} ({case.message})" for case in run.skipped]
        raise CheckFailed(
            f"{len(skipped)} of {run.total} test(s) were skipped, and a skipped test checks "
            f"nothing: {scenarios.join(skipped)}"
        )


def refusals_are_asserted(given: Given) -> None:
    wanted = [
        example
        for example in examples(given)
        if isinstance(example.get("then"), dict) and example["then"].get("status") in REFUSED
    ]
    if not wanted:
        raise CheckFailed(f"{CRITERIA} has no example of a refused booking (a 409 or a 422)")
    runs = acceptance_runs(given)
    everything = runs[ACCEPTS_EVERYTHING.key]
    judging.require_finished(everything, "your acceptance tests")
    tests = _named_by_id(everything, examples(given))
    if len(tests) < len(examples(given)):
        # Which test ran which example is unknown, but only a refused example's test can fail
        # when every booking is accepted: so there must be as many failures as refusals.
        if len(everything.broken) < len(wanted):
            raise CheckFailed(
                f"{len(everything.broken)} test(s) failed when your service accepted every "
                f"booking, for the {len(wanted)} refused example(s) of {CRITERIA}; each refused "
                "example's test must fail (give each test its example's behaviour as id, and "
                "the ❌ line will name the tests)"
            )
        return
    # An example is asserted when one of its tests fails once every booking is accepted.
    passed, skipped = [], []
    for behaviour in (str(example.get("behaviour")) for example in wanted):
        cases = tests[behaviour]
        if any(case.outcome in ("failed", "error") for case in cases):
            continue
        names = ", ".join(case.name for case in cases)
        if all(case.outcome == "skipped" for case in cases):
            skipped.append(f"{behaviour} ({names})")
        else:
            passed.append(f"{behaviour} ({names})")
    problems = []
    if passed:
        problems.append(
            "these examples' tests passed when your service accepted every booking: "
            + "; ".join(passed)
        )
    if skipped:
        problems.append(
            "these examples' tests were skipped, so they assert nothing: " + "; ".join(skipped)
        )
    if problems:
        raise CheckFailed("; and ".join(problems))


ACCEPTANCE = (
    Expectation(
        "tests/test_acceptance.py runs one test per example of docs/acceptance_criteria.yaml",
        one_test_per_example,
        hint='Keep `@pytest.mark.parametrize("example", EXAMPLES, ids=…)`: the examples come '
        "from the file, so a new example is a new test.",
        required=True,
    ),
    Expectation(
        "every acceptance test passes against your service",
        acceptance_tests_pass,
        hint="Read the failing example's `then.reason`: the test or the service does not do what "
        "stage 01 promised. `pytest -k <behaviour>` in your project runs one.",
    ),
    Expectation(
        "the test of each refused example fails when your service accepts every booking",
        refusals_are_asserted,
        hint="Assert the status: `assert response.status_code == example['then']['status']`.",
    ),
)


# --- 04.4: unit tests, judged by the bugs they catch --------------------------------------------


def unit_runs(given: Given) -> dict[str, PytestRun]:
    def make() -> dict[str, PytestRun]:
        project.read(UNIT_TESTS)
        return judging.learners_tests(UNIT_TESTS, BUGS, course_service=True)

    return given.once("04.4", make)


def unit_tests_collected(given: Given) -> None:
    judging.require_collected(unit_runs(given)[judging.REFERENCE], UNIT_TESTS)


def unit_tests_pass(given: Given) -> None:
    run = unit_runs(given)[judging.REFERENCE]
    judging.require_finished(run, "your tests")
    if run.broken:
        raise CheckFailed(
            f"{len(run.broken)} of {run.total} test(s) fail on the correct rules, so they expect "
            f"something the rules do not say: {'; '.join(judging.failures(run)[:3])}"
        )
    if not run.passed:
        raise CheckFailed("every test was skipped, so nothing was tested")


def _catches(key: str) -> Callable[[Given], None]:
    def caught(given: Given) -> None:
        run = unit_runs(given)[key]
        if run.timed_out:
            raise CheckFailed(
                "the tests did not finish in time with this bug planted, so it was not caught "
                "— is a test waiting or looping?"
            )
        if not run.broken and not run.collection_errors:
            raise CheckFailed("no test failed when that bug was planted")

    return caught


UNIT_TESTS_CATCH_BUGS = (
    Expectation(
        "tests/test_rules.py holds at least one test",
        unit_tests_collected,
        hint="Write functions named test_… (at the top level, or in a class named Test…).",
        required=True,
    ),
    Expectation(
        "every test passes on the correct rules",
        unit_tests_pass,
        hint="A test that fails on correct code expects the wrong thing; compare it with the "
        "rules of exercise 04.1.",
        required=True,
    ),
    *(Expectation(f"your tests catch {bug.bug}", _catches(bug.key), bug.hint) for bug in BUGS),
)

EXERCISES = {
    "04.1": RULES,
    "04.2": ROUTES,
    "04.3": ACCEPTANCE,
    "04.4": UNIT_TESTS_CATCH_BUGS,
    "04.5": rollout.EXPECTATIONS,
}
