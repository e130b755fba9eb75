"""Stage 01's checks: every mistake they name gets a verdict and a message worth reading.

The model answers are the project blueprint's (`project.reference("01")`); the checks read the
learner's project, so most tests write a file into a project in a throwaway workspace.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import re
from datetime import datetime, timezone

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import rules
from bookings.core.config import Settings
from bookings.main import create_app
from onboarding import project, protocol
from onboarding.artefacts import markdown, quantities
from onboarding.checks import NOT_TRIED, ArtefactError, CheckFailed, Given, run_expectations
from onboarding.stages.intake import EXERCISES, acceptance, lesson, prd, roles
from tests.conftest import COURSE_ROOT
from tests.test_templates import PRD_HEADINGS as TEMPLATE_TEST_HEADINGS

MODEL = project.reference("01")


def reference_examples() -> list[dict]:
    return yaml.safe_load(MODEL[acceptance.FILE])["examples"]


def reference_prd() -> str:
    return MODEL[prd.FILE]


def write(workspace, relative: str, text: str) -> None:
    """A file of the learner's project, as the learner saved it."""
    target = project.path(relative, workspace)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def judged(exercise_id: str, **inputs) -> protocol.CheckResult:
    """The exercise's expectations, judged as its check cell judges them (nothing printed)."""
    return run_expectations(exercise_id, EXERCISES[exercise_id], Given(**inputs), echo=False)


def lines(result: protocol.CheckResult) -> list[str]:
    return [*result.lines(), result.summary()]


def example(behaviour: str) -> dict:
    """A fresh, correct copy of the reference example for `behaviour`."""
    return copy.deepcopy(next(e for e in reference_examples() if e["behaviour"] == behaviour))


def with_changes(behaviour: str, **parts: dict) -> dict:
    """The reference example for `behaviour`, with some keys of its parts replaced."""
    changed = example(behaviour)
    for part, values in parts.items():
        changed[part].update(values)
    return changed


# --- The single list of PRD headings ---------------------------------------------------------


def test_prd_headings_are_the_templates():
    """prd.PRD_HEADINGS is the list in templates/prd.md's top comment, and in its sections."""
    text = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    comment = re.match(r"\s*<!--(.*?)-->", text, flags=re.DOTALL)
    assert comment
    listed = re.findall(r"^\s*## (.+?)\s*$", comment[1], flags=re.MULTILINE)
    assert list(prd.PRD_HEADINGS) == listed == TEMPLATE_TEST_HEADINGS
    in_template = prd.titles(text)
    assert [t for t in in_template if t != "How to use this template"] == listed


# --- Exercise 01.1: roles ----------------------------------------------------------------------

RUNS_LOAD_TESTS = next(duty for duty in roles.DUTIES if duty.text == "runs load tests")


def right_answers() -> dict[str, str]:
    return {duty.text: duty.role for duty in roles.DUTIES}


def test_there_are_ten_duties_two_for_each_role():
    """One ✅ line per duty, so the solved check prints a fixed number of lines."""
    assert len(roles.DUTIES) == 10
    assert len({duty.text for duty in roles.DUTIES}) == 10
    for role in roles.ROLES:
        assert sum(duty.role == role for duty in roles.DUTIES) == 2


def test_no_clue_names_the_role_it_points_to():
    """Hints are shown even before the learner answers, so they must not give the answer away."""
    for duty in roles.DUTIES:
        for role in roles.ROLES:
            assert role.lower() not in duty.clue.lower(), (duty.text, role)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({**right_answers(), "runs load tests": "DevOps"}, "it belongs to QA / SRE, not DevOps"),
        ({**right_answers(), "runs load tests": None}, "no role chosen yet"),
        ({**right_answers(), "runs load tests": "  "}, "no role chosen yet"),
        (
            {**right_answers(), "runs load tests": "Designer"},
            "'Designer' is not one of the five roles: Product Manager, Tech Lead, "
            "Backend Engineer, QA / SRE, DevOps",
        ),
        (
            {k: v for k, v in right_answers().items() if k != "runs load tests"},
            "it is missing from `responsibilities`",
        ),
        (
            {
                **{k: v for k, v in right_answers().items() if k != "runs load tests"},
                "run load tests": "QA / SRE",
            },
            "the key is written 'run load tests'; keep the duty's wording exactly",
        ),
        (list(right_answers().items()), "`responsibilities` is a list, not a dict of duty → role"),
    ],
    ids=["wrong-role", "none", "blank", "not-a-role", "missing", "misspelt-key", "not-a-dict"],
)
def test_a_wrong_role_is_named(answers, message):
    assert roles.role_problems(answers, RUNS_LOAD_TESTS) == [message]


@pytest.mark.parametrize("written", ["QA / SRE", "qa/sre", "SRE", "QA", " Qa & SRE "])
def test_other_spellings_of_a_role_are_accepted(written):
    assert roles.role_problems({"runs load tests": written}, RUNS_LOAD_TESTS) == []


@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("PM", "Product Manager"),
        ("product manager", "Product Manager"),
        ("TL", "Tech Lead"),
        ("Backend Engineers", "Backend Engineer"),
        ("backend", "Backend Engineer"),
        ("devops", "DevOps"),
        ("Dev-Ops", "DevOps"),
        # The lesson's table writes the short form after the name.
        ("Product Manager (PM)", "Product Manager"),
        ("Tech Lead (TL)", "Tech Lead"),
        ("SRE / QA", "QA / SRE"),
        ("QA or SRE", "QA / SRE"),
        ("Site Reliability Engineer", "QA / SRE"),
        ("Quality assurance", "QA / SRE"),
        ("QA engineer", "QA / SRE"),
        ("the Tech Lead", "Tech Lead"),
        ("DevOps team", "DevOps"),
        ("Backend developer", "Backend Engineer"),
        # Plurals, as a team names its roles: the lesson's own table says "Backend Engineers".
        ("Backend developers", "Backend Engineer"),
        ("Tech leads", "Tech Lead"),
        ("SREs", "QA / SRE"),
        ("PMs", "Product Manager"),
        ("DevOps engineers", "DevOps"),
        ("Dev Ops team", "DevOps"),
        ("Ops", None),
        ("Developers", None),
        ("Product management", "Product Manager"),
        ("TECH_LEAD", "Tech Lead"),
        ("Designer", None),
        ("Software engineer", None),
        ("Engineer", None),
        ("PM / TL", None),
        ("QA / Designer", None),
        (3, None),
    ],
)
def test_canonical_role(written, role):
    assert roles.canonical_role(written) == role


class Role(enum.Enum):
    """A learner's own names for the roles, as an Enum."""

    PRODUCT_MANAGER = "Product Manager"
    TECH_LEAD = "Tech Lead"


class Numbered(enum.Enum):
    TECH_LEAD = 2


class TextRole(str, enum.Enum):
    QA_SRE = "QA / SRE"


@pytest.mark.parametrize(
    ("member", "role"),
    [
        (Role.TECH_LEAD, "Tech Lead"),
        (Numbered.TECH_LEAD, "Tech Lead"),
        (TextRole.QA_SRE, "QA / SRE"),
    ],
)
def test_a_member_of_an_enum_is_the_role_it_names(member, role):
    assert roles.canonical_role(member) == role


def test_an_answer_that_names_two_roles_is_told_to_choose():
    """Hedging between two roles is still wrong, and the message says why."""
    assert roles.role_problems({"runs load tests": "QA / DevOps"}, RUNS_LOAD_TESTS) == [
        "'QA / DevOps' names QA / SRE and DevOps; choose the one role that owns it"
    ]
    assert roles.role_problems({"runs load tests": Role.TECH_LEAD}, RUNS_LOAD_TESTS) == [
        "it belongs to QA / SRE, not Tech Lead"
    ]


def test_the_right_answers_have_no_problems():
    assert all(roles.role_problems(right_answers(), duty) == [] for duty in roles.DUTIES)


# --- Exercise 01.2: acceptance criteria ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "examples:\n  - behaviour: overlap\n    given: [rooms\n",
            "acceptance_criteria.yaml is not valid YAML: line 4, column 1",
        ),
        ("- behaviour: overlap\n", "the file holds a list, with no top-level `examples:` list"),
        ("examples: none\n", "the file holds a mapping, with no top-level `examples:` list"),
        ("# only a comment\n", "the file holds nothing, with no top-level `examples:` list"),
    ],
    ids=["malformed", "a-list", "not-a-list", "empty"],
)
def test_an_unusable_file_is_named(workspace, text, message):
    write(workspace, acceptance.FILE, text)
    with pytest.raises((ArtefactError, CheckFailed)) as caught:
        acceptance.examples_in(project.load_yaml(acceptance.FILE))
    assert str(caught.value).startswith(message)


def test_a_missing_file_says_where_to_create_it(workspace):
    with pytest.raises(
        ArtefactError,
        match="acceptance_criteria.yaml does not exist yet — create it in your project folder, "
        "service/docs/ in your workspace",
    ):
        project.load_yaml(acceptance.FILE)


def test_the_reference_examples_pass_every_check():
    examples = reference_examples()
    for check in (
        acceptance.structure_problems,
        acceptance.coverage_problems,
        acceptance.value_problems,
        acceptance.status_problems,
        acceptance.consistency_problems,
    ):
        assert check(examples) == [], check.__name__


ALL_CHECKS = (
    acceptance.structure_problems,
    acceptance.coverage_problems,
    acceptance.value_problems,
    acceptance.status_problems,
    acceptance.consistency_problems,
)

ANCHORED_FILE = """\
# Shared parts, written once: the merge key `<<` copies a mapping and changes some of it.
x-oak: &oak {name: Oak, capacity: 6}
x-nine: &nine {room: Oak, start: 2030-01-07T09:00:00Z, end: 2030-01-07T10:00:00Z, attendees: 4}
x-oak-busy: &busy
  rooms: [*oak]
  bookings: [*nine]
feature: book a room
examples:
  - behaviour: happy-path
    given: {rooms: [*oak], bookings: []}
    when: *nine
    then: {status: 201}
  - behaviour: overlap
    id: AC2
    given: *busy
    when: {<<: *nine, start: "2030-01-07T09:30:00Z", end: "2030-01-07T10:30:00+00:00"}
    then: {status: 409, reason: taken, type: /problems/overlap}
  - behaviour: back-to-back
    given: *busy
    when: {<<: *nine, start: "2030-01-07T11:00:00+01:00", end: "2030-01-07T12:00:00+01:00"}
    then: {status: 201, reason: touching is not overlapping}
  - behaviour: capacity
    given: {<<: *busy, bookings: []}
    when: {<<: *nine, attendees: 7}
    then: {status: 422, reason: too many people}
  - behaviour: invalid-range
    given: *busy
    when: {<<: *nine, start: "2030-01-07T11:00:00Z", end: "2030-01-07T11:00:00Z"}
    then: {status: 422, reason: a booking must not end when it starts}
  - behaviour: unknown-room
    given: {rooms: [], bookings: []}
    when: {<<: *nine, room: Birch}
    then: {status: 404, reason: no such room}
"""


@pytest.mark.parametrize(
    "text",
    [
        yaml.safe_dump({"examples": reference_examples()}, default_flow_style=True, width=1000),
        ANCHORED_FILE,
    ],
    ids=["flow-style", "anchors-merge-keys-extra-keys"],
)
def test_a_file_written_another_way_passes(workspace, text):
    """Flow style, anchors, merge keys, keys of one's own, an unknown room with no rooms at all,
    a zero-length range: all are examples the service agrees with."""
    write(workspace, acceptance.FILE, text)
    examples = acceptance.examples_in(project.load_yaml(acceptance.FILE))
    assert {check.__name__: check(examples) for check in ALL_CHECKS} == {
        check.__name__: [] for check in ALL_CHECKS
    }


@pytest.mark.parametrize(
    "start",
    [
        "2030-01-07t09:30:00z",
        "2030-01-07T10:30:00+0100",
        "2030-01-07 09:30:00Z",
        "2030-01-07T09:30:00.000Z",
        "2030-01-07T09:30Z",
        "2030-01-07T04:30:00-05:00",
    ],
)
def test_times_in_any_form_the_api_reads_are_accepted(start):
    """The service's API reads these, so an example may use them."""
    raw = with_changes("overlap", when={"start": start})
    assert acceptance.value_problems([raw]) == []
    assert acceptance.consistency_problems([raw]) == []


def test_a_missing_behaviour_is_named():
    examples = [e for e in reference_examples() if e["behaviour"] not in ("capacity", "overlap")]
    assert acceptance.coverage_problems(examples) == ["no example for: overlap, capacity"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {**example("overlap"), "behaviour": "overlaps"},
            "example 1: behaviour 'overlaps' is not one of happy-path, overlap, back-to-back, "
            "capacity, invalid-range, unknown-room (did you mean 'overlap'?)",
        ),
        ({k: v for k, v in example("overlap").items() if k != "when"}, "has no `when:` mapping"),
        (
            with_changes("overlap", when={"attendees": None}) | {"when": {"room": "Oak"}},
            "example 1 (overlap): `when` has no start, end, attendees",
        ),
        (
            with_changes("overlap", then={"reason": "taken"}) | {"then": {"reason": "taken"}},
            "example 1 (overlap): `then` has no `status`",
        ),
        (
            with_changes("overlap", given={"rooms": {"name": "Oak"}}),
            "`given.rooms` should be a list of rooms (`rooms: []` if none)",
        ),
        (
            with_changes("overlap", given={"bookings": [{"room": "Oak"}]}),
            "example 1 (overlap): given booking 1 has no start, end, attendees",
        ),
        ("overlap", "example 1 is 'overlap', not a mapping with behaviour, given, when and then"),
    ],
    ids=[
        "unknown-behaviour",
        "no-when",
        "when-fields",
        "no-status",
        "rooms-not-a-list",
        "booking-fields",
        "not-a-mapping",
    ],
)
def test_a_structural_mistake_is_named(raw, message):
    problems = acceptance.structure_problems([raw])
    assert any(message in problem for problem in problems), problems


def test_an_empty_list_of_examples_is_named():
    assert acceptance.structure_problems([]) == ["the `examples:` list is empty"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            with_changes("overlap", when={"room": "TODO", "attendees": "..."}),
            "example 1 (overlap): placeholders left in when.room, when.attendees",
        ),
        (
            with_changes("overlap", given={"rooms": [{"name": "[room]", "capacity": "TBD"}]}),
            "example 1 (overlap): placeholders left in given room 1's name, given room 1's capacity",
        ),
        (
            with_changes("overlap", when={"start": "tomorrow 9am"}),
            "example 1 (overlap): when.start 'tomorrow 9am' is not an ISO 8601 date-time such as "
            "2030-01-07T09:00:00Z",
        ),
        (
            with_changes("overlap", when={"end": "2030-01-07T10:30"}),
            "example 1 (overlap): when.end '2030-01-07T10:30' has no time-zone offset; add Z for "
            "UTC, as in 2030-01-07T09:00:00Z",
        ),
        (
            with_changes("overlap", when={"end": datetime(2030, 1, 7, 10, 30)}),
            "when.end '2030-01-07T10:30:00' has no time-zone offset",
        ),
        (
            with_changes("overlap", when={"end": datetime(2030, 1, 7).date()}),
            "when.end 2030-01-07 is a date with no time; write 2030-01-07T09:00:00Z",
        ),
        (
            with_changes("overlap", when={"attendees": 2.5}),
            "example 1 (overlap): when.attendees is 2.5; write a whole number such as 4",
        ),
        (
            with_changes("overlap", when={"attendees": True}),
            "when.attendees is True; write a whole number such as 4",
        ),
        (
            with_changes("overlap", given={"rooms": [{"name": "Oak", "capacity": 0}]}),
            "example 1 (overlap): given room 1's capacity is 0; it must be at least 1",
        ),
        (
            with_changes("overlap", when={"room": 7}),
            "example 1 (overlap): when.room is 7; write the room's name as text",
        ),
        (
            with_changes(
                "overlap",
                given={"rooms": [{"name": "Oak", "capacity": 6}, {"name": "Oak", "capacity": 8}]},
            ),
            "example 1 (overlap): given room 2's name 'Oak' is used twice",
        ),
        (
            with_changes("overlap", when={"start": "2030-01-07T09:30:00+01"}),
            "example 1 (overlap): when.start '2030-01-07T09:30:00+01' is ISO 8601, but not in a "
            "form the service's API reads; write it as 2030-01-07T09:00:00Z",
        ),
        (
            with_changes("overlap", when={"start": "20300107T093000Z"}),
            "when.start '20300107T093000Z' is ISO 8601, but not in a form the service's API reads",
        ),
        (
            with_changes("overlap", when={"start": "2030-W02-1T09:30:00Z"}),
            "when.start '2030-W02-1T09:30:00Z' is ISO 8601, but not in a form the service's API",
        ),
        (
            with_changes("overlap", when={"start": "2030-01-07T09:30:00.5Z"}),
            "example 1 (overlap): when.start '2030-01-07T09:30:00.5Z' has a fraction of a second; "
            "the service takes whole seconds, as in 2030-01-07T09:00:00Z",
        ),
        (
            with_changes("overlap", given={"rooms": [{"name": "Oak", "capacity": 10_001}]}),
            "example 1 (overlap): given room 1's capacity is 10001; the service takes rooms for "
            "at most 10000",
        ),
    ],
    ids=[
        "placeholders",
        "bracketed-placeholders",
        "unparseable-time",
        "no-offset",
        "naive-yaml-datetime",
        "a-date",
        "fractional-attendees",
        "boolean-attendees",
        "zero-capacity",
        "room-not-text",
        "duplicate-room",
        "hour-only-offset",
        "basic-format",
        "week-date",
        "fraction-of-a-second",
        "capacity-over-the-services-limit",
    ],
)
def test_a_value_that_is_not_concrete_is_named(raw, message):
    problems = acceptance.value_problems([raw])
    assert any(message in problem for problem in problems), problems


def test_a_room_named_by_a_number_is_told_to_quote_it():
    """An unquoted `101` is a number to YAML: the message says how to make it text, and the
    quoted name is a room like any other."""
    unquoted = with_changes("overlap", when={"room": 101})
    assert 'when.room is 101; write the room\'s name as text, in quotes ("101")' in " ".join(
        acceptance.value_problems([unquoted])
    )
    quoted = example("overlap")
    quoted["given"]["rooms"][0]["name"] = "101"
    quoted["given"]["bookings"][0]["room"] = "101"
    quoted["when"]["room"] = "101"
    assert acceptance.value_problems([quoted]) == []
    assert acceptance.consistency_problems([quoted]) == []


def test_one_is_the_least_capacity_and_the_least_attendees():
    """The "at least 1" threshold at its limit: 1 passes, 0 fails, for a room and a request."""
    at_limit = with_changes("overlap", when={"attendees": 1})
    at_limit["given"]["rooms"] = [{**room, "capacity": 1} for room in at_limit["given"]["rooms"]]
    assert not any("at least 1" in p for p in acceptance.value_problems([at_limit]))
    below = with_changes("overlap", when={"attendees": 0})
    assert "example 1 (overlap): when.attendees is 0; it must be at least 1" in (
        acceptance.value_problems([below])
    )


def test_the_services_largest_capacity_is_the_limit():
    """The other limit of a room, at its edge: MAX_CAPACITY passes, one more fails."""
    at_limit = with_changes("overlap", given={"rooms": [{"name": "Oak", "capacity": 10_000}]})
    assert not any("at most" in p for p in acceptance.value_problems([at_limit]))
    over = with_changes("overlap", given={"rooms": [{"name": "Oak", "capacity": 10_001}]})
    assert any("at most 10000" in p for p in acceptance.value_problems([over]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"when": {"attendees": "four"}},
            "example 1 (overlap): when.attendees is 'four', a number in words; write it in "
            "digits, 4: stage 04's tests send this value to the service, which reads only digits",
        ),
        (
            {"given": {"rooms": [{"name": "Oak", "capacity": "six"}]}},
            "given room 1's capacity is 'six', a number in words; write it in digits, 6",
        ),
    ],
    ids=["attendees", "capacity"],
)
def test_a_count_in_words_is_refused_with_its_digits(changes, message):
    """Unlike prose, this file is data that stage 04 sends to the service as it is: "four" would
    be a 422 there, so it is named here, with the digits to write instead."""
    problems = acceptance.value_problems([with_changes("overlap", **changes)])
    assert any(message in problem for problem in problems), problems


def test_times_that_yaml_reads_as_datetimes_are_accepted():
    """Unquoted `2030-01-07T09:00:00Z` is a datetime to PyYAML, and as good as the quoted text."""
    raw = with_changes(
        "overlap",
        when={
            "start": datetime(2030, 1, 7, 9, 30, tzinfo=timezone.utc),
            "end": "2030-01-07T11:30:00+01:00",
        },
    )
    assert acceptance.value_problems([raw]) == []
    assert acceptance.consistency_problems([raw]) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            with_changes("invalid-range", then={"status": 409}),
            "example 1 (invalid-range): then.status is 409, but the service answers 422 for an "
            "end that is not after the start (422: the request breaks a rule on its own, "
            "whatever is stored)",
        ),
        (
            with_changes("capacity", then={"status": 409}),
            "example 1 (capacity): then.status is 409, but the service answers 422 for more "
            "attendees than the room holds",
        ),
        (
            with_changes("overlap", then={"status": 422}),
            "example 1 (overlap): then.status is 422, but the service answers 409 for a booking "
            "that overlaps a live booking of the same room (409: the request clashes with a "
            "booking already stored)",
        ),
        (
            with_changes("unknown-room", then={"status": 409}),
            "then.status is 409, but the service answers 404 for a room that does not exist",
        ),
        (
            with_changes("back-to-back", then={"status": 409}),
            "then.status is 409, but the service answers 201 for a booking that starts as "
            "another ends",
        ),
        (
            with_changes("happy-path", then={"status": "201"}),
            "example 1 (happy-path): then.status is '201'; write the HTTP status as a number",
        ),
        (
            with_changes("capacity", then={"reason": "TODO"}),
            "example 1 (capacity): an error needs a short `then.reason` (found 'TODO')",
        ),
        (
            {**example("capacity"), "then": {"status": 422}},
            "an error needs a short `then.reason` (found None)",
        ),
    ],
    ids=[
        "invalid-range",
        "capacity",
        "overlap",
        "unknown-room",
        "back-to-back",
        "status-as-text",
        "placeholder-reason",
        "no-reason",
    ],
)
def test_a_wrong_status_is_named(raw, message):
    problems = acceptance.status_problems([raw])
    assert any(message in problem for problem in problems), problems


def test_a_created_booking_needs_no_reason():
    assert acceptance.status_problems([example("happy-path")]) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            with_changes(
                "overlap", when={"start": "2030-01-07T10:00:00Z", "end": "2030-01-07T11:00:00Z"}
            ),
            "example 1 (overlap): Oak from 2030-01-07T10:00Z to 2030-01-07T11:00Z overlaps no "
            "given booking of Oak; touching at the edge is back to back, which is allowed",
        ),
        (
            with_changes(
                "overlap",
                given={
                    "rooms": [{"name": "Oak", "capacity": 6}, {"name": "Elm", "capacity": 6}],
                    "bookings": [
                        {
                            "room": "Elm",
                            "start": "2030-01-07T09:00:00Z",
                            "end": "2030-01-07T10:00:00Z",
                            "attendees": 2,
                        }
                    ],
                },
            ),
            "overlaps no given booking of Oak",
        ),
        (
            with_changes("overlap", when={"attendees": 9}),
            "example 1 (overlap): the service would refuse it for another reason first: "
            "9 attendees do not fit in Oak (capacity 6)",
        ),
        (
            with_changes(
                "back-to-back",
                when={"start": "2030-01-07T11:00:00Z", "end": "2030-01-07T12:00:00Z"},
            ),
            "example 1 (back-to-back): Oak from 2030-01-07T11:00Z to 2030-01-07T12:00Z neither "
            "starts as a given booking of Oak ends nor ends as one starts",
        ),
        (
            with_changes("back-to-back", when={"start": "2030-01-07T09:59:00Z"}),
            "example 1 (back-to-back): the service would refuse this request, because it overlaps "
            "given booking 1 (Oak from 2030-01-07T09:00Z to 2030-01-07T10:00Z)",
        ),
        (
            with_changes("capacity", when={"attendees": 6}),
            "example 1 (capacity): 6 attendees fit in Oak (capacity 6); ask for more people than "
            "the room holds",
        ),
        (
            with_changes("invalid-range", when={"end": "2030-01-07T11:00:00Z"}),
            "example 1 (invalid-range): the service would accept this request, because it breaks "
            "no rule",
        ),
        (
            with_changes("unknown-room", when={"room": "Oak"}),
            "example 1 (unknown-room): 'Oak' is a given room; ask for a room that is not among them",
        ),
        (
            with_changes("happy-path", when={"attendees": 7}),
            "example 1 (happy-path): the service would refuse this request, because 7 attendees "
            "do not fit in Oak (capacity 6)",
        ),
        (
            with_changes(
                "overlap",
                given={
                    "bookings": [
                        {
                            "room": "Pine",
                            "start": "2030-01-07T09:00:00Z",
                            "end": "2030-01-07T10:00:00Z",
                            "attendees": 2,
                        }
                    ]
                },
            ),
            "example 1 (overlap): given booking 1 is in 'Pine', which is not a given room",
        ),
        (
            with_changes(
                "overlap",
                given={
                    "bookings": [
                        {
                            "room": "Oak",
                            "start": "2030-01-07T09:00:00Z",
                            "end": "2030-01-07T10:00:00Z",
                            "attendees": 8,
                        }
                    ]
                },
            ),
            "example 1 (overlap): given booking 1 has 8 attendees, more than Oak seats (6); the "
            "service would not have stored it",
        ),
        (
            with_changes(
                "overlap",
                given={
                    "bookings": [
                        {
                            "room": "Oak",
                            "start": f"2030-01-07T{start}:00Z",
                            "end": f"2030-01-07T{end}:00Z",
                            "attendees": 2,
                        }
                        for start, end in (("09:00", "10:00"), ("09:30", "11:00"))
                    ]
                },
            ),
            "example 1 (overlap): given bookings 1 and 2 overlap in Oak; the service would not "
            "have stored both",
        ),
        (
            with_changes("overlap", when={"room": "TODO"}),
            "example 1 (overlap): not checked until its parts and values are complete",
        ),
    ],
    ids=[
        "overlap-only-touches",
        "overlap-in-another-room",
        "overlap-breaks-capacity-first",
        "back-to-back-does-not-touch",
        "back-to-back-overlaps",
        "capacity-fits",
        "invalid-range-is-valid",
        "unknown-room-is-known",
        "happy-path-is-refused",
        "booking-in-unknown-room",
        "given-booking-over-capacity",
        "given-bookings-overlap",
        "incomplete",
    ],
)
def test_an_example_that_does_not_show_its_behaviour_is_named(raw, message):
    problems = acceptance.consistency_problems([raw])
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "2030-01-07T10:00:00Z",
            "2030-01-07T11:00:00Z",
            "its end 2030-01-07T11:00Z is after its start 2030-01-07T10:00Z",
        ),
        (
            "2030-01-07T10:00:00+02:00",
            "2030-01-07T08:30:00Z",
            "its end 2030-01-07T08:30Z is after its start 2030-01-07T08:00Z, both in UTC",
        ),
    ],
    ids=["same-offset", "other-offsets"],
)
def test_a_range_that_is_valid_after_all_shows_its_times(start, end, message):
    """An invalid-range example whose end is after its start says which times it compared: with
    two offsets, a range that reads backwards can be half an hour long."""
    raw = with_changes("invalid-range", when={"start": start, "end": end})
    problems = acceptance.consistency_problems([raw])
    assert problems == [
        "example 1 (invalid-range): the service would accept this request, because it breaks no "
        f"rule: {message}"
    ]


def test_an_end_at_its_start_in_another_offset_is_still_an_invalid_range():
    raw = with_changes(
        "invalid-range", when={"start": "2030-01-07T10:00:00+02:00", "end": "2030-01-07T08:00:00Z"}
    )
    assert acceptance.consistency_problems([raw]) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("09:00", "10:00", True),
        ("09:15", "09:30", True),
        ("08:00", "11:00", True),
        ("08:30", "09:30", True),
        ("09:30", "11:00", True),
        ("08:00", "09:00", False),
        ("10:00", "11:00", False),
        ("11:00", "12:00", False),
    ],
)
def test_overlaps_is_the_services_rule(start, end, expected):
    """acceptance.overlaps() agrees with bookings.rules.overlaps() against 09:00 to 10:00."""

    def at(hhmm: str) -> datetime:
        return datetime.fromisoformat(f"2030-01-07T{hhmm}:00+00:00")

    nine, ten = at("09:00"), at("10:00")
    assert acceptance.overlaps(at(start), at(end), nine, ten) is expected
    assert rules.overlaps(at(start), at(end), nine, ten) is expected


def test_the_reference_examples_hold_against_the_reference_service(tmp_path):
    """What stage 04 does with a learner's file: each example, run as a test, passes."""
    for number, raw in enumerate(reference_examples(), start=1):
        settings = Settings(database=tmp_path / f"example-{number}.db", log_level="WARNING")
        with TestClient(create_app(settings)) as client:
            ids = {}
            for room in raw["given"]["rooms"]:
                ids[room["name"]] = client.post("/rooms", json=room).json()["id"]
            for booking in raw["given"]["bookings"]:
                body = {k: v for k, v in booking.items() if k != "room"}
                made = client.post(
                    f"/rooms/{ids[booking['room']]}/bookings",
                    json={**body, "organiser": "amara@example.com"},
                )
                assert made.status_code == 201, made.text
            request = raw["when"]
            room_id = ids.get(request["room"], max(ids.values(), default=0) + 1000)
            body = {k: v for k, v in request.items() if k != "room"}
            answer = client.post(
                f"/rooms/{room_id}/bookings", json={**body, "organiser": "amara@example.com"}
            )
            assert answer.status_code == raw["then"]["status"], (raw["behaviour"], answer.text)
            parsed = acceptance.parse_example(raw, number)
            assert acceptance.service_answer(parsed).status == answer.status_code


def test_parse_example_raises_with_every_problem():
    raw = with_changes("overlap", when={"room": "TODO", "start": "soon"})
    with pytest.raises(acceptance.ExampleError) as caught:
        acceptance.parse_example(raw)
    assert "placeholders left in when.room" in str(caught.value)
    assert "when.start 'soon' is not an ISO 8601 date-time" in str(caught.value)


# Anything YAML can hold, nested a few levels deep.
yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 50)
    | st.text(max_size=8)
    | st.sampled_from(["TODO", "Oak", "2030-01-07T09:00:00Z", "overlap", "happy-path"])
    | st.datetimes(timezones=st.none() | st.just(timezone.utc)),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "behaviour",
                    "given",
                    "when",
                    "then",
                    "rooms",
                    "bookings",
                    "name",
                    "capacity",
                    "room",
                    "start",
                    "end",
                    "attendees",
                    "status",
                    "reason",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_values, max_size=3))
def test_no_shape_of_file_makes_a_check_crash(examples):
    """A learner's file, however odd, gets messages, never an exception from the course's code."""
    for check in (
        acceptance.structure_problems,
        acceptance.coverage_problems,
        acceptance.value_problems,
        acceptance.status_problems,
        acceptance.consistency_problems,
    ):
        assert all(isinstance(problem, str) for problem in check(examples))


# --- Exercise 01.3: the PRD ----------------------------------------------------------------------


def test_the_reference_prd_passes_every_check():
    text = reference_prd()
    assert prd.heading_problems(text) == []
    assert prd.placeholder_problems(text) == []
    assert prd.acceptance_criteria_problems(text) == []
    assert prd.success_metric_problems(text) == []


def move_section(text: str, heading: str, before: str) -> str:
    """The PRD with the `## heading` section moved to just before `## before`."""
    parts = re.split(r"(?m)^(?=## )", text)
    moving = next(part for part in parts if part.startswith(f"## {heading}\n"))
    parts.remove(moving)
    at = next(i for i, part in enumerate(parts) if part.startswith(f"## {before}\n"))
    return "".join(parts[:at] + [moving] + parts[at:])


def drop_section(text: str, heading: str) -> str:
    return "".join(
        part for part in re.split(r"(?m)^(?=## )", text) if not part.startswith(f"## {heading}\n")
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: drop_section(t, "Non-goals"), "missing: `## Non-goals`"),
        (
            lambda t: drop_section(drop_section(t, "Goals"), "Estimate"),
            "missing: `## Goals`, `## Estimate`",
        ),
        (
            lambda t: t.replace("## Acceptance criteria", "## Acceptance critera"),
            "write `## Acceptance critera` exactly as `## Acceptance criteria`",
        ),
        (lambda t: t + "\n## Goals\n\n- More.\n", "`## Goals` appears 2 times"),
    ],
    ids=["missing", "two-missing", "near-miss", "twice"],
)
def test_a_heading_mistake_is_named(change, message):
    assert message in prd.heading_problems(change(reference_prd()))


def test_the_order_is_advice_not_a_problem():
    """Issue 9: a PRD in another order is still a PRD; the advice names the first slip."""
    text = move_section(reference_prd(), "Goals", "Problem")
    assert prd.heading_problems(text) == []
    assert prd.heading_advice(text) == (
        "`## Problem` comes after `## Goals`; the template's order (Problem, Goals, Non-goals, "
        "Users and stakeholders, Requirements, Acceptance criteria, Success metrics, "
        "Dependencies, Risks and open questions, Estimate) is what readers expect"
    )
    assert prd.heading_advice(reference_prd()) is None


def test_extra_sections_are_the_writers_own():
    """Issue 9: a `## Background` of one's own is allowed, and judged like any other."""
    text = reference_prd().replace("## Problem", "## Background\n\nSome history.\n\n## Problem")
    assert prd.heading_problems(text) == []
    assert prd.placeholder_problems(text) == []
    assert prd.placeholder_problems(text.replace("Some history.", "[history]")) == [
        "`## Background` still has the placeholder `[history]`"
    ]


def test_headings_in_another_letter_case_are_the_templates():
    """A heading names a section: `## ACCEPTANCE CRITERIA` is the template's section, and the
    checks that read a section find it there."""
    text = reference_prd()
    for heading in prd.PRD_HEADINGS:
        text = text.replace(f"## {heading}\n", f"## {heading.upper()}\n")
    assert text != reference_prd()
    assert prd.heading_problems(text) == []
    assert prd.heading_advice(text) is None
    assert prd.placeholder_problems(text) == prd.placeholder_problems(reference_prd()) == []


def prd_checks(text: str) -> dict[str, list[str]]:
    """Every problem the PRD's checks find, by check (the order advice apart)."""
    return {
        check.__name__: check(text)
        for check in (
            prd.heading_problems,
            prd.placeholder_problems,
            prd.acceptance_criteria_problems,
            prd.success_metric_problems,
        )
    }


NO_PRD_PROBLEMS = prd_checks(reference_prd())


@pytest.mark.parametrize(
    "spelling",
    [
        lambda number, heading: f"## {number}. {heading}",
        lambda number, heading: f"## {number}) {heading}",
        lambda number, heading: f"## 1.{number} {heading}",
        lambda number, heading: f"## **{heading}**",
        lambda number, heading: f"## {heading}:",
        lambda number, heading: f"##\t{heading}",
        lambda number, heading: f" ## {heading} ##",
    ],
    ids=[
        "numbered",
        "numbered-parenthesis",
        "numbered-subsection",
        "bold",
        "colon",
        "tab",
        "indented-closed",
    ],
)
def test_headings_numbered_or_emphasised_are_the_templates(spelling):
    """A section number, emphasis or a colon around the template's words names its section."""
    text = reference_prd()
    for number, heading in enumerate(prd.PRD_HEADINGS, start=1):
        text = text.replace(f"## {heading}\n", f"{spelling(number, heading)}\n")
    assert text != reference_prd()
    assert prd_checks(text) == NO_PRD_PROBLEMS
    assert prd.heading_advice(text) is None


def setext(text: str) -> str:
    """The PRD with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


def test_setext_headings_are_the_templates(workspace):
    """`Goals` underlined with `---` is CommonMark's other way to write `## Goals`."""
    text = setext(reference_prd())
    assert "\nGoals\n-----\n" in text and "\n## " not in text
    assert prd_checks(text) == NO_PRD_PROBLEMS
    assert prd.heading_advice(text) is None
    write(workspace, prd.FILE, text)
    assert lines(judged("01.3"))[-1] == "Exercise 01.3: all 5 checks passed."


def test_a_setext_heading_mistake_is_still_named():
    text = setext(drop_section(reference_prd(), "Estimate"))
    assert "missing: `## Estimate`" in prd.heading_problems(text)
    # Under a blank line, `---` is a thematic break: the title above it is no heading.
    broken = setext(reference_prd()).replace("Goals\n-----\n", "Goals\n\n-----\n")
    assert "missing: `## Goals`" in prd.heading_problems(broken)


def test_a_numbered_heading_is_still_counted_and_spelled():
    text = reference_prd().replace("## Goals\n", "## 2. Goals\n") + "\n## 11. Goals\n\n- More.\n"
    assert "`## Goals` appears 2 times" in prd.heading_problems(text)
    misspelt = reference_prd().replace("## Non-goals\n", "## 3. Non goals\n")
    assert prd.heading_problems(misspelt) == ["write `## 3. Non goals` exactly as `## Non-goals`"]


def test_a_near_miss_is_not_also_reported_missing():
    text = reference_prd().replace("## Acceptance criteria", "## Acceptance critera")
    assert not any("missing" in problem for problem in prd.heading_problems(text))


def test_headings_in_code_and_comments_do_not_count():
    text = reference_prd() + "\n```\n## Goals\n```\n<!--\n## Background\n-->\n### Notes\n"
    assert prd.heading_problems(text) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("- Desks, parking spaces and equipment.", "- [Non-goal 2]"),
            "`## Non-goals` still has the placeholder `[Non-goal 2]`",
        ),
        (
            lambda t: t.replace("# PRD: Book a meeting room", "# PRD: [feature name]"),
            "the title block still has the placeholder `[feature name]`",
        ),
        (
            lambda t: t.replace("- A room can never be booked twice", "- TODO: a room can never"),
            "`## Goals` still says TODO",
        ),
        (
            lambda t: re.sub(r"(?s)## Dependencies\n.*?(?=## Risks)", "## Dependencies\n\n", t),
            "`## Dependencies` is empty; write it, or write None and why it does not apply",
        ),
        (
            lambda t: t.replace("## Goals\n", "## Goals\n\n> What will be true when this ships?\n"),
            "`## Goals` still has the template's guidance (the lines starting with `>`, such as "
            "“What will be true when this ships?”); delete it",
        ),
        (
            lambda t: t.replace(
                "## Goals\n", "## Goals\n\n<details>\n<summary>Example</summary>\n\n</details>\n"
            ),
            "`## Goals` still holds the template's collapsed example; delete it",
        ),
    ],
    ids=["bracket", "title", "todo", "empty", "guidance", "example"],
)
def test_a_placeholder_is_named(change, message):
    assert message in prd.placeholder_problems(change(reference_prd()))


def test_links_checkboxes_and_none_are_not_placeholders():
    text = reference_prd().replace(
        "- Desks, parking spaces and equipment.",
        "- Desks, see [the desk PRD](desks.md).\n- [x] agreed with Facilities\n- [ ] parking",
    )
    text = re.sub(
        r"(?s)## Dependencies\n.*?(?=## Risks)", "## Dependencies\n\nNone: all in-house.\n\n", text
    )
    assert prd.placeholder_problems(text) == []


def test_reference_links_and_inline_code_are_not_placeholders():
    text = reference_prd().replace(
        "- Desks, parking spaces and equipment.",
        "- Desks: see [the desk PRD][desks] and [parking].\n- The SDK's `list[Booking]` stays.\n\n"
        "[desks]: https://example.com/desks\n[parking]: https://example.com/parking",
    )
    assert prd.placeholder_problems(text) == []
    undefined = text.replace("[parking]: https://example.com/parking", "")
    assert prd.placeholder_problems(undefined) == [
        "`## Non-goals` still has the placeholder `[parking]`"
    ]


WRITERS_FOLDED = (
    "<details>\n<summary>Why not desks too?</summary>\n\n"
    "Desks are booked by the day, rooms by the half hour.\n\n</details>\n\n"
)
ALERT = "> [!NOTE]\n> Facilities approves this PRD before the design starts.\n\n"


def _in_goals(addition: str) -> str:
    return reference_prd().replace("## Goals\n", f"## Goals\n\n{addition}", 1)


@pytest.mark.parametrize(
    "addition",
    [
        pytest.param(WRITERS_FOLDED, id="writers-folded-block"),
        pytest.param(ALERT, id="github-alert"),
        pytest.param(ALERT.replace("NOTE", "important") + WRITERS_FOLDED, id="both"),
    ],
)
def test_the_writers_own_markdown_is_no_leftover_of_the_prd_template(addition):
    assert prd.placeholder_problems(_in_goals(addition)) == []


def _templates_example() -> str:
    template = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    return re.search(r"(?s)<details>.*?</details>", template)[0] + "\n\n"


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        pytest.param(
            _templates_example(),
            "`## Goals` still holds the template's collapsed example; delete it",
            id="the-templates-example",
        ),
        pytest.param(
            _templates_example().replace("Example: meeting-room booking service", "Scope"),
            "`## Goals` still holds the template's collapsed example; delete it",
            id="the-templates-example-renamed",
        ),
        pytest.param(
            WRITERS_FOLDED.replace("Desks are", "[Why.] Desks are"),
            "`## Goals` still has the placeholder `[Why.]`",
            id="a-placeholder-in-the-writers-folded-block",
        ),
        pytest.param(
            "> [!NOTE]\n> [who approves the PRD]\n\n",
            "`## Goals` still has the placeholder `[who approves the PRD]`",
            id="a-placeholder-in-an-alert",
        ),
    ],
)
def test_the_prd_templates_leftovers_are_named_inside_the_writers_markdown(addition, message):
    assert message in prd.placeholder_problems(_in_goals(addition))


def test_too_few_criteria_are_counted():
    text = reference_prd()
    body = markdown.section(text, "Acceptance criteria")
    kept = "\n- ".join(body.split("\n- ")[:4])
    problems = prd.acceptance_criteria_problems(text.replace(body, kept + "\n"))
    assert problems == [
        "found 3 criteria written as Given / When / Then; write at least 6, one for each behaviour "
        "of exercise 01.2 (a bullet, a gherkin scenario or a table row)"
    ]


@pytest.mark.parametrize(("kept", "passes"), [(5, False), (6, True)])
def test_six_criteria_exactly_are_enough(kept, passes):
    """The threshold at its limit: five criteria fail, six pass."""
    text = reference_prd()
    body = markdown.section(text, "Acceptance criteria")
    criteria = body.split("\n- ")
    trimmed = "\n- ".join(criteria[: kept + 1]) + "\n"
    assert (prd.acceptance_criteria_problems(text.replace(body, trimmed)) == []) is passes


def with_criteria(bullets: str) -> str:
    """The reference PRD with `bullets` as its acceptance criteria."""
    body = markdown.section(reference_prd(), "Acceptance criteria")
    return reference_prd().replace(body, f"\n{bullets}\n")


@pytest.mark.parametrize(
    "criterion",
    [
        "- AC{n}: room {n}\n  - Given room {n} seats 6\n  - When someone books it for 7\n"
        "  - Then the API answers 422",
        "{n}. **Given** room {n} seats 6\n   **When** someone books it for 7\n"
        "   **Then** the API answers 422",
        "- _Given_ room {n} seats 6, _when_ someone books it for 7, _then_ the API answers 422",
        "- [ ] Given room {n} seats 6, when someone books it for 7, then the API answers 422",
        "* AC{n}\n\n  * Given room {n} seats 6\n  * When someone books it for 7\n"
        "  * Then the API answers 422",
    ],
    ids=["sub-bullets", "numbered-lines", "underscore-emphasis", "task-boxes", "loose-sub-bullets"],
)
def test_criteria_written_another_way_are_counted(criterion):
    text = with_criteria("\n".join(criterion.format(n=n) for n in range(1, 7)))
    assert prd.acceptance_criteria_problems(text) == []


@pytest.mark.parametrize(
    "criterion",
    [
        "### AC{n}: too many people\n\n- **Given** room {n} seats 6\n"
        "- **When** someone books it for 7\n- **Then** the API answers 422\n- And nothing is stored\n",
        "### AC{n}\n\n**Given** room {n} seats 6\n**When** someone books it for 7\n"
        "**Then** the API answers 422\n",
        "### AC{n}\n\nGiven room {n} seats 6.\n\nWhen someone books it for 7.\n\n"
        "Then the API answers 422.\n",
        "**AC{n}.** Given room {n} seats 6, when someone books it for 7, then the API answers "
        "422.\n",
    ],
    ids=["step-bullets-under-a-heading", "step-lines-in-a-paragraph", "step-paragraphs",
         "a-paragraph-each"],
)  # fmt: skip
def test_criteria_as_steps_or_paragraphs_under_their_own_headings_are_counted(criterion):
    """A heading for each criterion, with its Given, When and Then as bullets, as lines or as
    paragraphs of their own, is as common a layout as one bullet each: each is one criterion.
    A sentence that introduces them is the writer's prose, not a criterion."""
    text = with_criteria(
        "Each criterion below is also an example in acceptance_criteria.yaml.\n\n"
        + "\n".join(criterion.format(n=n) for n in range(1, 7))
    )
    assert prd.acceptance_criteria_problems(text) == []
    assert len(prd.criteria(text) or []) == 6


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            "\n".join(
                f"### AC{n}\n\n- **Given** room {n} seats 6\n- **Then** the API answers 422\n"
                for n in range(1, 7)
            ),
            "criterion 1 is not written as Given / When / Then: “**Given** room 1 seats 6 **Then**",
        ),
        (
            "\n".join(
                f"### AC{n}\n\nGiven room {n} seats 6, when someone books it for 7, then 422.\n"
                for n in range(1, 6)
            ),
            "found 5 criteria written as Given / When / Then; write at least 6",
        ),
        (
            "\n".join(
                f"### AC{n}\n\nRoom {n} seats 6; booking it for 7 is refused with a 422.\n"
                for n in range(1, 7)
            ),
            "found 0 criteria written as Given / When / Then; write at least 6",
        ),
    ],
    ids=["steps-without-when", "five-paragraphs", "paragraphs-not-given-when-then"],
)
def test_criteria_as_steps_or_paragraphs_are_still_judged(criteria, message):
    problems = prd.acceptance_criteria_problems(with_criteria(criteria))
    assert any(problem.startswith(message) for problem in problems), problems


# The same six criteria, spelled as Gherkin scenarios or as a table with Given/When/Then columns:
# the exercise asks for Given / When / Then, and these are its two other common spellings.
GHERKIN_CRITERIA = (
    '```gherkin\nFeature: Book a room\n\n  Background:\n    Given room "Oak" seats 6\n\n'
    + "\n".join(
        f"  Scenario: AC{n}\n    Given Oak is free at {n}:00\n    And it is a weekday\n"
        f"    When someone books Oak at {n}:00 for 7\n    Then the API answers 422\n"
        "    And nothing is stored"
        for n in range(1, 7)
    )
    + "\n```"
)
GHERKIN_OUTLINE = (
    '```gherkin\nScenario Outline: a booking\'s answer\n  Given room "Oak" seats <seats>\n'
    "  When someone books it for <people>\n  Then the API answers <status>\n\n  Examples:\n"
    "    | seats | people | status |\n    | --- | --- | --- |\n"
    + "\n".join(f"    | 6 | {n} | 201 |" for n in range(1, 7))
    + "\n```"
)
GWT_TABLE = "| AC | Given | When | Then |\n| --- | --- | --- | --- |\n" + "\n".join(
    f"| AC{n} | room {n} seats 6 | someone books it for 7 | the API answers 422 |"
    for n in range(1, 7)
)


@pytest.mark.parametrize(
    "criteria",
    [
        GHERKIN_CRITERIA,
        GHERKIN_CRITERIA.replace("```gherkin", "```cucumber"),
        GHERKIN_CRITERIA.replace("```gherkin", "~~~").replace("```", "~~~"),
        GHERKIN_OUTLINE,
        GWT_TABLE,
        GWT_TABLE.replace("| Given | When | Then |", "| **Given** | **When** | **Then** |"),
        "Traceability:\n\n| AC | Requirement |\n| --- | --- |\n| AC1 | R4 |\n\n" + GWT_TABLE,
        "- Given Oak is free, when Ann books it, then the API answers 201.\n\n"
        + "\n".join(GWT_TABLE.split("\n")[:-1]),
    ],
    ids=["gherkin", "cucumber", "tilde-fence", "outline", "table", "bold-headers",
         "beside-another-table", "bullets-and-table"],
)  # fmt: skip
def test_criteria_as_gherkin_or_a_table_are_counted(criteria):
    """A ```gherkin block and a Given/When/Then table are the same criteria, read as one
    structure: each scenario (each row of an outline's examples) or row is one criterion."""
    text = with_criteria(criteria)
    assert prd_checks(text) == NO_PRD_PROBLEMS


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            GHERKIN_CRITERIA.replace("    Then the API answers 422\n    And nothing is stored", "", 1),
            "criterion 1 is not written as Given / When / Then: “Given room \"Oak\" seats 6 and "
            "Oak is free at 1:00…”",
        ),
        (
            GHERKIN_CRITERIA.replace("    When someone books Oak at 3:00 for 7\n", ""),
            "criterion 3 is not written as Given / When / Then",
        ),
        (
            GWT_TABLE.replace("| the API answers 422 |", "| |", 1),
            "criterion 1 is not written as Given / When / Then: “Given room 1 seats 6 when "
            "someone books it for 7…”",
        ),
        (
            "\n".join(GWT_TABLE.split("\n")[:6]),
            "found 4 criteria written as Given / When / Then; write at least 6",
        ),
        (
            "  Scenario:".join(GHERKIN_CRITERIA.split("  Scenario:")[:6]) + "\n```",
            "found 5 criteria written as Given / When / Then; write at least 6",
        ),
        (
            "```gherkin\n" + "\n".join(f"Given room {n} is free" for n in range(6)) + "\n```",
            "found 0 criteria written as Given / When / Then; write at least 6",
        ),
        (
            "```python\n"
            + "\n".join(f"# Given {n} rooms, when booked, then 201" for n in range(6))
            + "\n```",
            "found 0 criteria written as Given / When / Then; write at least 6",
        ),
    ],
    ids=["gherkin-no-then", "gherkin-no-when", "table-empty-then", "table-too-few",
         "gherkin-too-few", "gherkin-no-scenario", "other-code"],
)  # fmt: skip
def test_a_wrong_criterion_as_gherkin_or_a_table_is_still_refused(criteria, message):
    problems = prd.acceptance_criteria_problems(with_criteria(criteria))
    assert any(problem.startswith(message) for problem in problems), problems


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            GHERKIN_CRITERIA.replace("Oak is free at 2:00", "[context]"),
            "`## Acceptance criteria` still has the placeholder `[context]`",
        ),
        (
            GHERKIN_CRITERIA.replace("the API answers 422", "TODO", 1),
            "`## Acceptance criteria` still says TODO",
        ),
        (
            GWT_TABLE.replace("someone books it for 7", "[action]", 1),
            "`## Acceptance criteria` still has the placeholder `[action]`",
        ),
        (
            GWT_TABLE.replace("the API answers 422", "TBD", 1),
            "`## Acceptance criteria` still says TBD",
        ),
    ],
    ids=["gherkin-bracket", "gherkin-todo", "table-bracket", "table-tbd"],
)
def test_a_placeholder_in_gherkin_or_a_table_is_named(criteria, message):
    assert message in prd.placeholder_problems(with_criteria(criteria))


DOC_STRING = '''    Then the API answers 422 with
      """json
      {"detail": "too many people", "rooms": [1, 2]}
      Scenario: AC0 is not a scenario
      When this line is not a step
      # nor is this a comment
      """
'''


@pytest.mark.parametrize(
    "criteria",
    [
        GHERKIN_CRITERIA.replace("    Then the API answers 422\n", DOC_STRING),
        GHERKIN_CRITERIA.replace("    Then the API answers 422\n", DOC_STRING.replace('"""', "```")),
        "````gherkin\n"
        + GHERKIN_CRITERIA.removeprefix("```gherkin\n").removesuffix("```")
        .replace("    Then the API answers 422\n", DOC_STRING.replace('"""', "```"))
        + "````",
    ],
    ids=["quotes", "backticks", "backticks-in-a-longer-fence"],
)  # fmt: skip
def test_a_gherkin_doc_string_is_the_steps_text_not_steps(criteria):
    """A doc string under a step (a JSON body) is literal text: its lines are neither
    scenarios, steps nor comments, and `[1, 2]` in it is no placeholder."""
    assert prd_checks(with_criteria(criteria)) == NO_PRD_PROBLEMS
    assert len(prd.criteria(with_criteria(criteria)) or []) == 6


def test_a_then_inside_a_doc_string_is_not_the_scenarios_then():
    criteria = GHERKIN_CRITERIA.replace(
        "    Then the API answers 422\n",
        '    And the request body is\n      """\n      Then the API answers 422\n      """\n',
        1,
    )
    problems = prd.acceptance_criteria_problems(with_criteria(criteria))
    assert problems[0].startswith("criterion 1 is not written as Given / When / Then"), problems


def test_criteria_as_gherkin_pass_the_check_cell(workspace):
    write(workspace, prd.FILE, with_criteria(GHERKIN_CRITERIA))
    assert lines(judged("01.3"))[-1] == "Exercise 01.3: all 5 checks passed."


def test_a_gherkin_block_elsewhere_is_not_the_criteria():
    """Scenarios count only under `## Acceptance criteria`; one under `## Requirements` does not
    make up for too few criteria."""
    text = with_criteria("- Given Oak is free, when Ann books it, then 201.")
    text = text.replace("## Requirements\n", f"## Requirements\n\n{GHERKIN_CRITERIA}\n")
    assert "found 1 criterion" in prd.acceptance_criteria_problems(text)[-1]


def test_sub_bullets_are_one_criterion_with_their_parent():
    """Six Given/When/Then sub-bullets under one bullet are one criterion, not six."""
    bullets = "- Booking rules\n" + "\n".join(
        f"  - Given room {n} seats 6, when someone books it for 7, then 422" for n in range(1, 7)
    )
    assert prd.acceptance_criteria_problems(with_criteria(bullets)) == [
        "found 1 criterion written as Given / When / Then; write at least 6, one for each behaviour "
        "of exercise 01.2 (a bullet, a gherkin scenario or a table row)"
    ]


def test_a_criterion_that_is_not_given_when_then_is_named():
    text = reference_prd().replace(
        "## Acceptance criteria\n",
        "## Acceptance criteria\n\n- The API validates capacity and rejects overlapping bookings.\n",
    )
    assert prd.acceptance_criteria_problems(text) == [
        "criterion 1 is not written as Given / When / Then: “The API validates capacity and "
        "rejects overlappin…”"
    ]


def test_criteria_in_the_templates_collapsed_example_do_not_count():
    template = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    assert "found 1 criterion" in prd.acceptance_criteria_problems(template)[-1]


@pytest.mark.parametrize(
    "text",
    [
        "Given Oak is free, when Ann books it, then the API answers 201.",
        "**AC1 (R4)** Given Oak is booked 09:00-10:00,\n  when Ann books 09:30, then 409.",
        "GIVEN a room WHEN booked THEN 201",
    ],
)
def test_given_when_then_is_recognised(text):
    assert prd.split_given_when_then(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "When Ann books Oak, then 201.",
        "Given Oak, then 201 when booked.",
        "Given , when , then .",
        "Forgiven overlaps, whenever Ann books, thence 201.",
    ],
)
def test_not_given_when_then(text):
    assert prd.split_given_when_then(text) is None


MEASURABLE = [
    "p95 booking creation under 300 ms",
    "99.9 %",
    "99.9% of requests succeed",
    "0 per 10,000 bookings",
    "5 per week",
    "Under 30 minutes a week, down from 3 hours",
    "At most 40 clashes each month",
    "1,000 requests/s at peak",
    "Satisfaction 4.5 out of 5",
    "Costs under €200 a month",
    "Availability 99.5% over 30 days",
    "2 s to load the room list",
    "Load test at 5x the expected peak",
    "Zero double bookings per 10,000",
    "zero double bookings per ten thousand bookings",
    "Under thirty minutes a week",
    "Fewer than one in a thousand requests fail",
    "1 in 10,000 bookings clashes",
    "p95 ≤ 0.3 s",
    "Under 1 h per week",
    "At most 5 support tickets weekly",
    "Facilities steps in at most twice a week",
]
UNMEASURABLE = [
    "Faster bookings",
    "Users are happier",
    "Fewer double bookings within 8 weeks",
    "Double bookings: 0",
    "Reliable service by 2030-06-30",
    "p95 improves",
    "No 5xx errors",
    "[number + unit, or rate]",
    "Zero double bookings",
    "Fewer double bookings within eight weeks",
    "Someone is happier",
    "Twice as fast as the spreadsheet",
]


@pytest.mark.parametrize("text", MEASURABLE)
def test_a_measurable_metric_is_accepted(text):
    assert quantities.is_measurable(text)


@pytest.mark.parametrize("text", UNMEASURABLE)
def test_an_unmeasurable_metric_is_refused(text):
    assert not quantities.is_measurable(text)


def test_an_unmeasurable_metric_in_a_table_is_named_by_its_row():
    text = reference_prd().replace(
        "| Booking latency | p95 under 300 ms |", "| Booking latency | Faster than today |"
    )
    assert prd.success_metric_problems(text) == [
        "metric 2, “Booking latency”, has no number with a unit or a rate (its target is "
        "“Faster than today”)"
    ]


def test_only_the_target_column_counts_in_a_table():
    """'8 weeks after launch' in By when does not make a vague target measurable."""
    text = reference_prd().replace(
        "| Self-service | 90% of bookings", "| Self-service | Most bookings"
    )
    assert prd.success_metric_problems(text) == [
        "metric 5, “Self-service”, has no number with a unit or a rate (its target is “Most "
        "bookings made without Facilities”)"
    ]


def test_metrics_as_bullets():
    body = "- p95 booking time under 300 ms\n- Happier staff\n- 0 double bookings per month\n"
    text = re.sub(
        r"(?s)## Success metrics\n.*?(?=## Dependencies)",
        f"## Success metrics\n\n{body}\n",
        reference_prd(),
    )
    assert prd.success_metric_problems(text) == [
        "metric 2, “Happier staff”, has no number with a unit or a rate"
    ]


def with_metrics(body: str) -> str:
    return re.sub(
        r"(?s)## Success metrics\n.*?(?=## Dependencies)",
        lambda _: f"## Success metrics\n\n{body}\n",
        reference_prd(),
    )


TWO_TABLES = """\
### Product

| Metric | Target |
| --- | --- |
| Double bookings | 0 per 10,000 bookings |

### Operations

| Metric | Target | Measured by |
| --- | --- | --- |
| Latency | p95 under 300 ms | histogram |
"""


@pytest.mark.parametrize(
    "body",
    [
        TWO_TABLES,
        "Metric | Target\n--- | ---\nDouble bookings | 0 per 10,000 bookings\n"
        "Latency | p95 under 300 ms\n",
        "- Double bookings\n  - Target: zero per ten thousand bookings\n"
        "- Latency\n  - Target: p95 under 300 ms\n  - Measured by: the histogram\n",
    ],
    ids=["two-tables", "table-without-outer-pipes", "sub-bullets"],
)
def test_metrics_written_another_way_are_read(body):
    assert prd.success_metric_problems(with_metrics(body)) == []


def test_a_vague_target_in_a_second_table_is_named_by_its_row():
    text = with_metrics(TWO_TABLES.replace("p95 under 300 ms", "Faster than today"))
    assert prd.success_metric_problems(text) == [
        "metric 2, “Latency”, has no number with a unit or a rate (its target is “Faster than "
        "today”)"
    ]
    nested = "- Latency\n  - Target: faster than today\n"
    assert prd.success_metric_problems(with_metrics(nested)) == [
        "metric 1, “Latency Target: faster than today”, has no number with a unit or a rate"
    ]


@pytest.mark.parametrize("column", ["Goal", "Threshold", "Objective", "SLO", "Target value"])
def test_a_target_column_by_another_name_is_the_target(column):
    """A vague goal is not made measurable by a dated column beside it."""
    table = (
        f"| Metric | {column} | By when |\n| --- | --- | --- |\n"
        "| Latency | p95 under 300 ms | launch |\n"
        "| Self-service | most bookings | 8 weeks after launch |\n"
    )
    assert prd.success_metric_problems(with_metrics(table)) == [
        "metric 2, “Self-service”, has no number with a unit or a rate (its target is “most "
        "bookings”)"
    ]


GOAL_METRIC_TARGET = (
    "| Goal | Metric | Target | Measured by |\n| --- | --- | --- | --- |\n"
    "| A room is never double-booked | Double-booking rate | 0 per 10,000 bookings | Nightly "
    "query |\n"
    "| Staff book without Facilities | Facilities time on clashes | under 30 minutes a week | "
    "Time log |\n"
)


@pytest.mark.parametrize(
    "table",
    [
        GOAL_METRIC_TARGET,
        "| Objective | Key result |\n| --- | --- |\n| No double bookings | 0 per 10,000 bookings |\n",
        "| Metric | Target date | Target |\n| --- | --- | --- |\n| Latency | launch | p95 under "
        "300 ms |\n",
    ],
    ids=["goal-metric-target", "objective-key-result", "target-date-beside-target"],
)
def test_the_target_column_wins_over_a_goal_column(table):
    """A table that ties each metric to the goal it serves is judged by its Target column, and
    an OKR table by its key results: the goal's words are no target."""
    assert prd.success_metric_problems(with_metrics(table)) == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            GOAL_METRIC_TARGET.replace("under 30 minutes a week", "much less"),
            "metric 2, “Facilities time on clashes”, has no number with a unit or a rate (its "
            "target is “much less”)",
        ),
        (
            "| Metric | Today | Desired |\n| --- | --- | --- |\n| Clashes | 40 a week | fewer |\n",
            "metric 1, “Clashes”, has no number with a unit or a rate (its target is “fewer”)",
        ),
        (
            "| Metric | Baseline | By when |\n| --- | --- | --- |\n"
            "| Fewer clashes | 40 a week | 8 weeks after launch |\n",
            "metric 1, “Fewer clashes”, has no number with a unit or a rate",
        ),
    ],
    ids=["vague-target-beside-a-goal", "baseline-beside-a-vague-target", "baseline-and-date-only"],
)
def test_a_number_in_a_baseline_or_date_column_is_no_target(table, message):
    """Where things stand today ("40 a week") and when a target is checked are numbers, but no
    target: a row with nothing else is refused."""
    assert prd.success_metric_problems(with_metrics(table)) == [message]


def test_a_prd_without_metrics_is_told_so():
    text = re.sub(
        r"(?s)## Success metrics\n.*?(?=## Dependencies)",
        "## Success metrics\n\nLater.\n\n",
        reference_prd(),
    )
    assert prd.success_metric_problems(text) == [
        "no metrics found: write each as a bullet, or as a row of a table"
    ]
    assert prd.success_metric_problems(drop_section(text, "Success metrics")) == [
        "there is no `## Success metrics` section"
    ]


def test_read_prd(workspace):
    with pytest.raises(ArtefactError, match="prd.md does not exist yet"):
        prd.read_prd()
    write(workspace, prd.FILE, "\n  \n")
    with pytest.raises(CheckFailed, match="docs/prd.md is empty"):
        prd.read_prd()


# --- Where the learner starts, and the model answer -------------------------------------------


def test_the_learner_starts_from_the_template_and_a_skeleton_that_fail_usefully():
    """The PRD starts as the company's template; the criteria as one example with TODOs."""
    start = project.starting("01")
    template = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    assert start[prd.FILE] == template
    examples = yaml.safe_load(start[acceptance.FILE])["examples"]
    assert acceptance.structure_problems(examples) == []
    assert acceptance.coverage_problems(examples)
    assert "placeholders left in" in acceptance.value_problems(examples)[0]
    assert prd.heading_problems(template) == []
    assert "`## How to use this template` is the template's guidance: delete the section" in (
        prd.placeholder_problems(template)
    )
    assert prd.success_metric_problems(template)


def test_the_model_answers_pass_every_check(workspace):
    project.prepare("01", workspace.parent / "workspace", solved=True)
    for exercise_id in ("01.2", "01.3"):
        result = judged(exercise_id)
        assert result.ok, lines(result)
    assert judged("01.1", responsibilities=right_answers()).ok


def test_the_begun_project_fails_every_file_check(workspace):
    project.prepare("01", workspace, solved=False)
    for exercise_id in ("01.2", "01.3"):
        assert not judged(exercise_id).ok


# --- The checks, as a learner meets them ---------------------------------------------------------


def test_the_roles_check_names_every_mismatch_on_its_own_line():
    answers = {**right_answers(), "runs load tests": "DevOps", "designs the DB schema": "BE"}
    shown = lines(judged("01.1", responsibilities=answers))
    assert len(shown) == 11
    failures = [line for line in shown if line.startswith("❌")]
    assert failures == [
        "❌ “designs the DB schema” is placed with its owner — it belongs to Tech Lead, not "
        "Backend Engineer. Hint: The process document puts the data model with architecture "
        "and API design.",
        "❌ “runs load tests” is placed with its owner — it belongs to QA / SRE, not DevOps. "
        "Hint: Load and integration tests are run by the role that writes the test plan.",
    ]
    assert shown[-1].startswith("Exercise 01.1: 8 of 10 checks passed.")


def test_the_roles_check_before_the_cell_has_run():
    shown = lines(judged("01.1"))
    assert len(shown) == 11
    assert "`responsibilities` is not defined — run the cell that defines it" in shown[0]


def test_the_acceptance_check_before_the_file_exists(workspace):
    shown = lines(judged("01.2"))
    assert shown[0].endswith(
        "acceptance_criteria.yaml does not exist yet — create it in your project folder, "
        "service/docs/ in your workspace. Hint: Start the file with `examples:` and put each "
        "example under it as `- behaviour: …`."
    )
    assert all("not checked until" in line for line in shown[1:-1])
    assert len(shown) == 7


def test_the_acceptance_check_names_a_malformed_file(workspace):
    write(workspace, acceptance.FILE, "examples:\n  - behaviour: [overlap\n")
    shown = lines(judged("01.2"))
    assert "acceptance_criteria.yaml is not valid YAML: line 3, column 1" in shown[0]
    assert len(shown) == 7


def test_a_deleted_docs_folder_is_one_clear_line_for_each_file(workspace):
    project.prepare("01", workspace, solved=True)
    import shutil

    shutil.rmtree(project.path("docs", workspace))
    for exercise_id, name in (("01.2", "acceptance_criteria.yaml"), ("01.3", "prd.md")):
        shown = lines(judged(exercise_id))
        assert f"{name} does not exist yet — create it in your project folder" in shown[0]
        assert "Traceback" not in "\n".join(shown)


def test_checking_changes_nothing_in_the_project(workspace):
    root = project.prepare("01", workspace, solved=True)

    def state() -> dict[str, str]:
        return {
            path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }

    before, head = state(), project.Git(root).head()
    for exercise_id in ("01.2", "01.3"):
        judged(exercise_id)
    assert state() == before
    assert project.Git(root).head() == head


def test_the_prd_check_passes_the_reference_file_and_names_a_problem(workspace):
    write(workspace, prd.FILE, reference_prd())
    assert lines(judged("01.3"))[-1] == "Exercise 01.3: all 5 checks passed."
    write(workspace, prd.FILE, drop_section(reference_prd(), "Estimate"))
    shown = lines(judged("01.3"))
    assert shown[1].startswith("❌ the template's ten `## ` headings are there, once each")
    assert "missing: `## Estimate`" in shown[1]
    assert len(shown) == 6


def test_sections_out_of_order_pass_with_advice(workspace):
    """The order is the template's advice: a ✅, and a 💡 line nbval never compares."""
    write(workspace, prd.FILE, move_section(reference_prd(), "Goals", "Problem"))
    result = judged("01.3")
    assert result.ok
    headings = result.outcomes[1]
    assert headings.passed
    assert headings.advice.startswith("`## Problem` comes after `## Goals`; the template's order")
    assert headings.line().splitlines() == [
        "✅ the template's ten `## ` headings are there, once each",
        f"   💡 {headings.advice}",
    ]


def test_the_advice_line_is_removed_before_nbval_compares():
    """The sanitize file strips the 💡 line, so the graded text is the solution's."""
    from nbval.plugin import get_sanitize_patterns

    from onboarding import paths

    patterns = get_sanitize_patterns(paths.sanitize_file().read_text(encoding="utf-8"))
    advised = protocol.Outcome("the headings are there", True, advice="keep the order").line()
    text = f"{advised}\n✅ next\n"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    assert text == "✅ the headings are there\n✅ next\n"


def test_a_prd_written_by_someone_else_passes(workspace):
    """Other sections, a quotation of the request, metrics in words, sections in another order."""
    text = reference_prd().replace(
        "## Problem\n",
        "## Problem\n\n> **From:** Facilities. **Subject:** room chaos. People keep turning up "
        "to rooms that someone else has booked.\n\n",
    )
    text = text.replace(
        "## Goals\n", "## Background\n\nThe spreadsheet dates from 2019.\n\n## Goals\n"
    )
    text = text.replace("| 0 per 10,000 bookings |", "| Zero per ten thousand bookings |")
    text = move_section(text, "Non-goals", "Problem")
    write(workspace, prd.FILE, text)
    result = judged("01.3")
    assert result.ok, lines(result)
    assert result.outcomes[1].advice


# --- The lesson's practice cells ------------------------------------------------------------------


@pytest.fixture
def published():
    """Every result published while the test runs (a practice cell must publish none)."""
    seen = []
    protocol.subscribe(seen.append)
    yield seen
    protocol.unsubscribe(seen.append)


def test_practice_owners(capsys, published):
    lesson.try_owners(
        {
            "writes the test plan": "QA / SRE",
            "decides the API design": "Tech Lead",
            "maintains the infrastructure as code": "DevOps",
        }
    )
    shown = capsys.readouterr().out.splitlines()
    assert shown[:2] == [
        "✅ “writes the test plan” is placed with its owner",
        "✅ “decides the API design” is placed with its owner",
    ]
    assert shown[2].startswith(
        "❌ “maintains the infrastructure as code” is placed with its owner — it belongs to "
        "Backend Engineer, not DevOps."
    )
    assert shown[-1] == "2 of 3 right: change the cell and run it again."
    assert published == []


@pytest.mark.parametrize(
    ("expected", "spread", "message"),
    [
        (2.5, 5 / 6, None),
        (2.5, 0.83, None),
        (2.55, 0.88, None),  # at the limit of the tolerance
        (2.56, 0.83, "got 2.56"),
        (3, 0.83, "3 is the plain average of the three"),
        (2, 0.83, "2 is the most likely value alone"),
        (True, 0.83, "`expected` is True; write a number of days"),
        ("2.5", 0.83, "`expected` is '2.5'; write a number of days"),
    ],
)
def test_practice_estimate(capsys, expected, spread, message):
    lesson.try_estimate(expected, spread)
    first = capsys.readouterr().out.splitlines()[0]
    if message is None:
        assert first.startswith("✅")
    else:
        assert first.startswith("❌") and message in first


def test_practice_estimate_not_filled_in_yet_is_one_friendly_line(capsys):
    lesson.try_estimate(..., 0.83)
    assert capsys.readouterr().out.splitlines() == [NOT_TRIED]


@pytest.mark.parametrize(
    ("criterion", "metric", "verdicts"),
    [
        (
            "Given Oak seats 6, when someone books it for 7, then the API answers 422.",
            "Zero double bookings per ten thousand",
            "✅✅✅",
        ),
        (
            "Given Oak seats 6, when someone books it for 7, then the API answers 409.",
            "p95 under 300 ms",
            "✅❌✅",
        ),
        ("Bookings must not exceed the room's capacity.", "Booking a room is quick.", "❌❌❌"),
    ],
)
def test_practice_criterion_and_metric(capsys, criterion, metric, verdicts):
    lesson.try_criterion_and_metric(criterion, metric)
    shown = capsys.readouterr().out.splitlines()
    assert "".join(line[0] for line in shown[:3]) == verdicts
