"""Stage 01's checks: every mistake they name gets a verdict and a message worth reading."""

from __future__ import annotations

import contextlib
import copy
import io
import re
from datetime import datetime, timezone
from importlib import resources

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import crud
from bookings.core.config import Settings
from bookings.main import create_app
from onboarding import generator, notebooks
from onboarding.checks import ArtefactError, CheckFailed
from onboarding.stages import intake
from tests.conftest import COURSE_ROOT
from tests.test_templates import PRD_HEADINGS as TEMPLATE_TEST_HEADINGS

SNAPSHOT = resources.files("bookings.snapshots").joinpath("stage_01")
SOLUTION = COURSE_ROOT / "solutions" / "01_roles_and_intake.ipynb"
EXERCISE = COURSE_ROOT / "exercises" / "01_roles_and_intake.ipynb"


def reference_examples() -> list[dict]:
    return yaml.safe_load(SNAPSHOT.joinpath("acceptance_criteria.yaml").read_text())["examples"]


def reference_prd() -> str:
    return SNAPSHOT.joinpath("prd.md").read_text()


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
    """intake.PRD_HEADINGS is the list in templates/prd.md's top comment, and in its sections."""
    text = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    comment = re.match(r"\s*<!--(.*?)-->", text, flags=re.DOTALL)
    assert comment
    listed = re.findall(r"^\s*## (.+?)\s*$", comment[1], flags=re.MULTILINE)
    assert list(intake.PRD_HEADINGS) == listed == TEMPLATE_TEST_HEADINGS
    in_template = [title for title, _ in intake.sections(text)[1:]]
    assert [t for t in in_template if t != "How to use this template"] == listed


# --- Exercise 01.1: roles ----------------------------------------------------------------------

RUNS_LOAD_TESTS = next(duty for duty in intake.DUTIES if duty.text == "runs load tests")


def right_answers() -> dict[str, str]:
    return {duty.text: duty.role for duty in intake.DUTIES}


def test_there_are_ten_duties_two_for_each_role():
    """One ✅ line per duty, so the solved check prints a fixed number of lines."""
    assert len(intake.DUTIES) == 10
    assert len({duty.text for duty in intake.DUTIES}) == 10
    for role in intake.ROLES:
        assert sum(duty.role == role for duty in intake.DUTIES) == 2


def test_no_clue_names_the_role_it_points_to():
    """Hints are shown even before the learner answers, so they must not give the answer away."""
    for duty in intake.DUTIES:
        for role in intake.ROLES:
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
    assert intake.role_problems(answers, RUNS_LOAD_TESTS) == [message]


@pytest.mark.parametrize("written", ["QA / SRE", "qa/sre", "SRE", "QA", " Qa & SRE "])
def test_other_spellings_of_a_role_are_accepted(written):
    assert intake.role_problems({"runs load tests": written}, RUNS_LOAD_TESTS) == []


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
        ("Designer", None),
        (3, None),
    ],
)
def test_canonical_role(written, role):
    assert intake.canonical_role(written) == role


def test_the_right_answers_have_no_problems():
    assert all(intake.role_problems(right_answers(), duty) == [] for duty in intake.DUTIES)


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
def test_an_unusable_file_is_named(tmp_path, text, message):
    path = tmp_path / "acceptance_criteria.yaml"
    path.write_text(text)
    with pytest.raises((ArtefactError, CheckFailed)) as caught:
        intake.read_examples(path)
    assert str(caught.value).startswith(message)


def test_a_missing_file_says_which_cell_to_run(tmp_path):
    with pytest.raises(ArtefactError, match="does not exist yet — run the %%writefile cell"):
        intake.read_examples(tmp_path / "acceptance_criteria.yaml")


def test_the_reference_examples_pass_every_check():
    examples = reference_examples()
    for check in (
        intake.structure_problems,
        intake.coverage_problems,
        intake.value_problems,
        intake.status_problems,
        intake.consistency_problems,
    ):
        assert check(examples) == [], check.__name__


def test_a_missing_behaviour_is_named():
    examples = [e for e in reference_examples() if e["behaviour"] not in ("capacity", "overlap")]
    assert intake.coverage_problems(examples) == ["no example for: overlap, capacity"]


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
    problems = intake.structure_problems([raw])
    assert any(message in problem for problem in problems), problems


def test_an_empty_list_of_examples_is_named():
    assert intake.structure_problems([]) == ["the `examples:` list is empty"]


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
    ],
)
def test_a_value_that_is_not_concrete_is_named(raw, message):
    problems = intake.value_problems([raw])
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
    assert intake.value_problems([raw]) == []
    assert intake.consistency_problems([raw]) == []


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
    problems = intake.status_problems([raw])
    assert any(message in problem for problem in problems), problems


def test_a_created_booking_needs_no_reason():
    assert intake.status_problems([example("happy-path")]) == []


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
        "incomplete",
    ],
)
def test_an_example_that_does_not_show_its_behaviour_is_named(raw, message):
    problems = intake.consistency_problems([raw])
    assert any(message in problem for problem in problems), problems


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
    """intake.overlaps() agrees with bookings.crud.overlaps() against 09:00 to 10:00."""

    def at(hhmm: str) -> datetime:
        return datetime.fromisoformat(f"2030-01-07T{hhmm}:00+00:00")

    nine, ten = at("09:00"), at("10:00")
    assert intake.overlaps(at(start), at(end), nine, ten) is expected
    assert crud.overlaps(at(start), at(end), nine, ten) is expected


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
            parsed = intake.parse_example(raw, number)
            assert intake.service_answer(parsed).status == answer.status_code


def test_parse_example_raises_with_every_problem():
    raw = with_changes("overlap", when={"room": "TODO", "start": "soon"})
    with pytest.raises(intake.ExampleError) as caught:
        intake.parse_example(raw)
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
        intake.structure_problems,
        intake.coverage_problems,
        intake.value_problems,
        intake.status_problems,
        intake.consistency_problems,
    ):
        assert all(isinstance(problem, str) for problem in check(examples))


# --- Exercise 01.3: the PRD ----------------------------------------------------------------------


def test_the_reference_prd_passes_every_check():
    text = reference_prd()
    assert intake.heading_problems(text) == []
    assert intake.placeholder_problems(text) == []
    assert intake.acceptance_criteria_problems(text) == []
    assert intake.success_metric_problems(text) == []


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
            lambda t: move_section(t, "Goals", "Problem"),
            "`## Problem` comes after `## Goals` but belongs before it (the order is Problem, "
            "Goals, Non-goals, Users and stakeholders, Requirements, Acceptance criteria, "
            "Success metrics, Dependencies, Risks and open questions, Estimate)",
        ),
        (
            lambda t: t.replace("## Acceptance criteria", "## Acceptance Criteria"),
            "write `## Acceptance Criteria` exactly as `## Acceptance criteria`",
        ),
        (
            lambda t: t.replace("## Problem", "## Background\n\nSome history.\n\n## Problem"),
            "`## Background` is not one of the ten headings; delete it or make it a `###` "
            "inside a section",
        ),
        (lambda t: t + "\n## Goals\n\n- More.\n", "`## Goals` appears 2 times"),
    ],
    ids=["missing", "two-missing", "out-of-order", "near-miss", "extra", "twice"],
)
def test_a_heading_mistake_is_named(change, message):
    assert message in intake.heading_problems(change(reference_prd()))


def test_a_near_miss_is_not_also_reported_missing():
    text = reference_prd().replace("## Acceptance criteria", "## Acceptance Criteria")
    assert not any("missing" in problem for problem in intake.heading_problems(text))


def test_headings_in_code_and_comments_do_not_count():
    text = reference_prd() + "\n```\n## Goals\n```\n<!--\n## Background\n-->\n### Notes\n"
    assert intake.heading_problems(text) == []


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
            "`## Goals` still has the template's guidance (the lines starting with `>`); delete it",
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
    assert message in intake.placeholder_problems(change(reference_prd()))


def test_links_checkboxes_and_none_are_not_placeholders():
    text = reference_prd().replace(
        "- Desks, parking spaces and equipment.",
        "- Desks, see [the desk PRD](desks.md).\n- [x] agreed with Facilities\n- [ ] parking",
    )
    text = re.sub(
        r"(?s)## Dependencies\n.*?(?=## Risks)", "## Dependencies\n\nNone: all in-house.\n\n", text
    )
    assert intake.placeholder_problems(text) == []


def test_too_few_criteria_are_counted():
    text = reference_prd()
    body = intake.section(text, "Acceptance criteria")
    kept = "\n- ".join(body.split("\n- ")[:4])
    problems = intake.acceptance_criteria_problems(text.replace(body, kept + "\n"))
    assert problems == [
        "found 3 criteria written as Given / When / Then; write at least 6, one bullet for each "
        "behaviour of exercise 01.2"
    ]


def test_a_criterion_that_is_not_given_when_then_is_named():
    text = reference_prd().replace(
        "## Acceptance criteria\n",
        "## Acceptance criteria\n\n- The API validates capacity and rejects overlapping bookings.\n",
    )
    assert intake.acceptance_criteria_problems(text) == [
        "criterion 1 is not written as Given / When / Then: “The API validates capacity and "
        "rejects…”"
    ]


def test_criteria_in_the_templates_collapsed_example_do_not_count():
    template = (COURSE_ROOT / "templates" / "prd.md").read_text(encoding="utf-8")
    assert "found 1 criterion" in intake.acceptance_criteria_problems(template)[-1]


@pytest.mark.parametrize(
    "text",
    [
        "Given Oak is free, when Ann books it, then the API answers 201.",
        "**AC1 (R4)** Given Oak is booked 09:00-10:00,\n  when Ann books 09:30, then 409.",
        "GIVEN a room WHEN booked THEN 201",
    ],
)
def test_given_when_then_is_recognised(text):
    assert intake.split_given_when_then(text) is not None


@pytest.mark.parametrize(
    "text",
    ["When Ann books Oak, then 201.", "Given Oak, then 201 when booked.", "Given , when , then ."],
)
def test_not_given_when_then(text):
    assert intake.split_given_when_then(text) is None


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
]


@pytest.mark.parametrize("text", MEASURABLE)
def test_a_measurable_metric_is_accepted(text):
    assert intake.is_measurable(text)


@pytest.mark.parametrize("text", UNMEASURABLE)
def test_an_unmeasurable_metric_is_refused(text):
    assert not intake.is_measurable(text)


def test_an_unmeasurable_metric_in_a_table_is_named_by_its_row():
    text = reference_prd().replace(
        "| Booking latency | p95 under 300 ms |", "| Booking latency | Faster than today |"
    )
    assert intake.success_metric_problems(text) == [
        "metric 2, “Booking latency”, has no number with a unit or a rate (its target is "
        "“Faster than today”)"
    ]


def test_only_the_target_column_counts_in_a_table():
    """'8 weeks after launch' in By when does not make a vague target measurable."""
    text = reference_prd().replace(
        "| Self-service | 90% of bookings", "| Self-service | Most bookings"
    )
    assert intake.success_metric_problems(text) == [
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
    assert intake.success_metric_problems(text) == [
        "metric 2, “Happier staff”, has no number with a unit or a rate"
    ]


def test_a_prd_without_metrics_is_told_so():
    text = re.sub(
        r"(?s)## Success metrics\n.*?(?=## Dependencies)",
        "## Success metrics\n\nLater.\n\n",
        reference_prd(),
    )
    assert intake.success_metric_problems(text) == [
        "no metrics found: write each as a bullet, or as a row of a table"
    ]
    assert intake.success_metric_problems(drop_section(text, "Success metrics")) == [
        "there is no `## Success metrics` section"
    ]


def test_read_document(tmp_path):
    with pytest.raises(ArtefactError, match="prd.md does not exist yet"):
        intake.read_document(tmp_path / "prd.md")
    (tmp_path / "prd.md").write_text("\n  \n")
    with pytest.raises(CheckFailed, match="prd.md is empty"):
        intake.read_document(tmp_path / "prd.md")


# --- The notebooks and the snapshot agree -----------------------------------------------------


def writefile_cells(path) -> dict[str, str]:
    """File name → what each %%writefile cell of a notebook writes."""
    cells = {}
    for cell in notebooks.read(path)["cells"]:
        source = notebooks.source_of(cell)
        if source.startswith("%%writefile "):
            first, _, rest = source.partition("\n")
            cells[first.split()[1]] = rest
    return cells


def without_course_markup(text: str) -> list[str]:
    """Lines without course markers and comments: what a reader of the file sees."""
    return [
        line.rstrip()
        for line in intake.markdown_lines(text)
        if not generator.MARKER.match(line) and line.strip()
    ]


def test_the_solution_writes_the_snapshot_files():
    """solutions/ and the stage 01 snapshot hold the same acceptance criteria and PRD."""
    written = writefile_cells(SOLUTION)
    assert yaml.safe_load(written["acceptance_criteria.yaml"]) == yaml.safe_load(
        SNAPSHOT.joinpath("acceptance_criteria.yaml").read_text()
    )
    assert without_course_markup(written["prd.md"]) == without_course_markup(reference_prd())


def test_the_learner_starts_from_a_skeleton_that_fails_usefully():
    """The generated exercise's files parse, keep the ten headings, and fail on placeholders."""
    written = writefile_cells(EXERCISE)
    examples = yaml.safe_load(written["acceptance_criteria.yaml"])["examples"]
    assert intake.structure_problems(examples) == []
    assert intake.coverage_problems(examples)
    assert "placeholders left in" in intake.value_problems(examples)[0]
    prd = written["prd.md"]
    assert intake.heading_problems(prd) == []
    assert intake.placeholder_problems(prd)
    assert intake.success_metric_problems(prd)


# --- The check cells, run as a learner runs them ------------------------------------------------


def check_cell(exercise_id: str) -> str:
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if notebooks.is_check_cell(cell) and f'Exercise("{exercise_id}")' in source:
            return source
    raise LookupError(exercise_id)


def run_check(exercise_id: str, namespace: dict | None = None) -> list[str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(check_cell(exercise_id), dict(namespace or {}))
    return printed.getvalue().splitlines()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run a check in an empty folder, outside any workspace, so no progress is recorded."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ONBOARD_RECORD_TO", raising=False)
    return tmp_path


def test_the_roles_check_names_every_mismatch_on_its_own_line(in_tmp):
    answers = {**right_answers(), "runs load tests": "DevOps", "designs the DB schema": "BE"}
    lines = run_check("01.1", {"responsibilities": answers})
    assert len(lines) == 11
    failures = [line for line in lines if line.startswith("❌")]
    assert failures == [
        "❌ “designs the DB schema” is placed with its owner — it belongs to Tech Lead, not "
        "Backend Engineer. Hint: The process document puts the data model with architecture "
        "and API design.",
        "❌ “runs load tests” is placed with its owner — it belongs to QA / SRE, not DevOps. "
        "Hint: Load and integration tests are run by the role that writes the test plan.",
    ]
    assert lines[-1].startswith("Exercise 01.1: 8 of 10 checks passed.")


def test_the_roles_check_before_the_cell_has_run(in_tmp):
    lines = run_check("01.1")
    assert len(lines) == 11
    assert "`responsibilities` is not defined — run the cell that defines it" in lines[0]


def test_the_acceptance_check_before_the_file_exists(in_tmp):
    lines = run_check("01.2")
    assert lines[0].endswith(
        "acceptance_criteria.yaml does not exist yet — run the %%writefile cell that creates it. "
        "Hint: Start the file with `examples:` and put each example under it as `- behaviour: …`."
    )
    assert all("not checked until" in line for line in lines[1:-1])
    assert len(lines) == 7


def test_the_acceptance_check_names_a_malformed_file(in_tmp):
    (in_tmp / "acceptance_criteria.yaml").write_text("examples:\n  - behaviour: [overlap\n")
    lines = run_check("01.2")
    assert "acceptance_criteria.yaml is not valid YAML: line 3, column 1" in lines[0]


def test_the_acceptance_check_passes_the_reference_file(in_tmp):
    (in_tmp / "acceptance_criteria.yaml").write_text(
        SNAPSHOT.joinpath("acceptance_criteria.yaml").read_text()
    )
    assert run_check("01.2")[-1] == "Exercise 01.2: all 6 checks passed."


def test_the_prd_check_passes_the_reference_file_and_names_a_problem(in_tmp):
    (in_tmp / "prd.md").write_text(reference_prd())
    assert run_check("01.3")[-1] == "Exercise 01.3: all 5 checks passed."
    (in_tmp / "prd.md").write_text(drop_section(reference_prd(), "Estimate"))
    lines = run_check("01.3")
    assert lines[1].startswith("❌ the template's ten `## ` headings are there, once each and in")
    assert "missing: `## Estimate`" in lines[1]
    assert len(lines) == 6
