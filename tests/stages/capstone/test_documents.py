"""Stage 10's checks of the documents and the spec: each mistake gets its verdict and message.

The project is the blueprint's solved stage-10 project; each test changes one thing in a copy,
as a learner's mistake would, and asserts the ❌ line (or that a different right answer passes).
"""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from onboarding import project, protocol
from onboarding.checks import Given, run_expectations
from onboarding.stages.capstone import (
    EXERCISES,
    baseline,
    checks,
    examples,
    feature,
    flag_words,
    release,
)


def judged(exercise_id: str, workspace) -> protocol.CheckResult:
    return run_expectations(
        exercise_id, EXERCISES[exercise_id], Given(workspace=workspace), echo=False
    )


def failing(result: protocol.CheckResult) -> list[str]:
    return [line for line in result.lines() if line.startswith("❌")]


def read(workspace, relative: str) -> str:
    return project.path(relative, workspace).read_text(encoding="utf-8")


def write(workspace, relative: str, text: str) -> None:
    target = project.path(relative, workspace)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def edit(workspace, relative: str, old: str, new: str) -> None:
    text = read(workspace, relative)
    assert old in text, f"{old!r} is not in the model's {relative}"
    write(workspace, relative, text.replace(old, new))


@pytest.mark.parametrize("exercise_id", ["10.1", "10.2", "10.6", "10.7", "10.8"])
def test_the_model_passes(workspace, exercise_id):
    result = judged(exercise_id, workspace)
    assert result.ok, failing(result)


# --- 10.1 -----------------------------------------------------------------------------------------


def examples_file(workspace) -> list[dict]:
    return yaml.safe_load(read(workspace, feature.EXAMPLES_FILE))["examples"]


def write_examples(workspace, items) -> None:
    write(workspace, feature.EXAMPLES_FILE, yaml.safe_dump({"examples": items}, sort_keys=False))


def test_a_deleted_prd_is_one_clear_line_and_nothing_changes(workspace):
    project.path(feature.PRD_FILE, workspace).unlink()
    before = sorted(p.name for p in project.locate(workspace).rglob("*"))
    result = judged("10.1", workspace)
    assert not result.ok
    assert "docs/prd-recurring-bookings.md" in failing(result)[0]
    assert "Traceback" not in "\n".join(result.lines())
    assert sorted(p.name for p in project.locate(workspace).rglob("*")) == before


def test_a_prd_that_never_states_the_limit_is_refused(workspace):
    text = read(workspace, feature.PRD_FILE)
    write(workspace, feature.PRD_FILE, re.sub(r"\b12\b|twelve", "several", text))
    [line] = [line for line in failing(judged("10.1", workspace)) if "longest series" in line]
    assert "does not state the longest series (12 weeks" in line


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("2 to 12 weeks", True),
        ("two to twelve weeks", True),
        ("Two to Twelve weeks", True),
        ("at most a dozen weeks", True),
        ("a 12-week series at most", True),
        ("at most 11 weeks", False),
        ("at most 13 weeks", False),
        ("up to 120 weeks", False),
        ("12.5 weeks", False),
        ("twelve hundred bookings", False),
    ],
)
def test_the_longest_series_is_read_in_digits_or_words(text, states):
    assert checks.states_the_longest_series(text) is states


def test_twelve_in_words_states_the_limit(workspace):
    edit(
        workspace, feature.PRD_FILE, "2 to 12 consecutive weeks", "two to twelve consecutive weeks"
    )
    text = read(workspace, feature.PRD_FILE).replace("of 12 weeks", "of twelve weeks")
    write(workspace, feature.PRD_FILE, text.replace("12 bookings", "twelve bookings"))
    assert judged("10.1", workspace).ok


def test_numbered_prd_headings_are_the_templates(workspace):
    """`## 1. Problem` … `## 10. Estimate`: numbering is a house style, not another section."""
    text = read(workspace, feature.PRD_FILE)
    titles = re.findall(r"(?m)^## (.+)$", text)
    for number, title in enumerate(titles, start=1):
        text = text.replace(f"## {title}\n", f"## {number}. {title}\n", 1)
    write(workspace, feature.PRD_FILE, text)
    assert "## 6. Acceptance criteria" in text
    result = judged("10.1", workspace)
    assert result.ok, failing(result)


def setext(text: str) -> str:
    """A document with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


@pytest.mark.parametrize(
    ("exercise_id", "relative"),
    [
        ("10.1", feature.PRD_FILE),
        ("10.2", feature.TSD_FILE),
        ("10.3", feature.PLAN_FILE),
        ("10.3", feature.TSD_FILE),
        ("10.6", feature.CHECKLIST_FILE),
        ("10.7", feature.RUNBOOK_FILE),
        ("10.8", feature.CHANGELOG_FILE),
    ],
)
def test_setext_headings_are_headings(workspace, exercise_id, relative):
    """`Rollout steps` underlined with `---` is CommonMark's other way to write the `## `."""
    text = setext(read(workspace, relative))
    assert "\n## " not in text
    write(workspace, relative, text)
    result = judged(exercise_id, workspace)
    assert result.ok, failing(result)


def test_broken_examples_yaml_is_one_line(workspace):
    write(workspace, feature.EXAMPLES_FILE, "examples: [unclosed\n")
    lines = failing(judged("10.1", workspace))
    assert "acceptance_criteria_recurring.yaml" in lines[0]
    assert all("not checked until" in line for line in lines[1:])


def test_a_missing_behaviour_is_named(workspace):
    write_examples(
        workspace, [e for e in examples_file(workspace) if e["behaviour"] != "longest-series"]
    )
    assert any(
        "no example shows longest-series" in line for line in failing(judged("10.1", workspace))
    )


@pytest.mark.parametrize(
    ("behaviour", "change", "message"),
    [
        ("series-overlap", {"then": {"status": 409, "bookings": 3}}, "then.bookings is 3; it is 0 (a refused series stores none"),
        ("weekly-series", {"then": {"status": 200, "bookings": 4}}, "then.status is 200; the service answers 201"),
        ("longest-series", {"when": {"weeks": 11}, "then": {"status": 201, "bookings": 11}}, "the longest series has exactly 12 weeks, not 11"),
        ("series-too-long", {"when": {"weeks": 12}}, "12 weeks is allowed; too long is more than 12"),
        ("weekly-series", {"when": {"weeks": 1}, "then": {"status": 201, "bookings": 1}}, "1 weeks is not a series the service books (2 to 12)"),
    ],
)  # fmt: skip
def test_wrong_answers_in_the_examples(workspace, behaviour, change, message):
    items = examples_file(workspace)
    target = next(e for e in items if e["behaviour"] == behaviour)
    for part, values in change.items():
        target[part].update(values)
    write_examples(workspace, items)
    lines = failing(judged("10.1", workspace))
    assert any(message in line for line in lines), lines


def _series_example(behaviour: str, weeks, status: int) -> dict:
    stored = examples.whole_number(weeks) if status == 201 else 0
    return {
        "behaviour": behaviour,
        "given": {"rooms": [{"name": "Oak", "capacity": 6}], "bookings": []},
        "when": {
            "room": "Oak",
            "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T10:00:00Z",
            "attendees": 4,
            "weeks": weeks,
        },
        "then": {"status": status, "bookings": stored},
    }


@pytest.mark.parametrize(
    ("behaviour", "weeks", "status", "passes"),
    [
        # A series is 2 to 12 weeks: both limits are series, one step past either is not.
        ("weekly-series", 1, 201, False),
        ("weekly-series", 2, 201, True),
        ("weekly-series", "two", 201, True),
        ("weekly-series", 12, 201, True),
        ("weekly-series", 13, 201, False),
        # The longest series is exactly 12 weeks; too long is 13 or more.
        ("longest-series", 11, 201, False),
        ("longest-series", 12, 201, True),
        ("longest-series", "twelve", 201, True),
        ("longest-series", 13, 201, False),
        ("series-too-long", 12, 422, False),
        ("series-too-long", 13, 422, True),
        ("series-too-long", "thirteen", 422, True),
    ],
)
def test_the_limits_of_a_series_in_the_examples(behaviour, weeks, status, passes):
    problems = examples.answer_problems([_series_example(behaviour, weeks, status)])
    assert (problems == []) is passes, problems


def _booking(day: str, start: str = "09:00", end: str = "10:00", attendees: int = 2) -> dict:
    """A given booking of Oak on `day` ("01-21": 2030's month and day); the series of
    `_series_example` books Mondays from 2030-01-07, 09:00 to 10:00."""
    return {
        "room": "Oak",
        "start": f"2030-{day}T{start}:00Z",
        "end": f"2030-{day}T{end}:00Z",
        "attendees": attendees,
    }


def _with(example: dict, when: dict | None = None, bookings=(), rooms=None) -> dict:
    given = {"rooms": rooms or example["given"]["rooms"], "bookings": list(bookings)}
    return {**example, "given": given, "when": {**example["when"], **(when or {})}}


# Each week of a series is a booking: stage 01's rules (room, time range, capacity, overlap)
# hold for every one of them, in the service's order, and the first refusal is the series'.
@pytest.mark.parametrize(
    ("example", "message"),
    [
        (_with(_series_example("weekly-series", 4, 201), {"attendees": 7}),
         "example 1 (weekly-series): the service refuses this series with 422 (capacity): "
         "every week, 7 attendees do not fit in Oak (capacity 6)"),
        (_with(_series_example("longest-series", 12, 201), {"end": "2030-01-07T08:00:00Z"}),
         "example 1 (longest-series): the service refuses this series with 422 (time range): "
         "every week, its end 2030-01-07T08:00Z is not after its start 2030-01-07T09:00Z"),
        (_with(_series_example("weekly-series", 4, 201), {"room": "Elm"}),
         "example 1 (weekly-series): the service refuses this series with 404 (unknown room): "
         "every week, there is no room 'Elm' among the given rooms"),
        (_with(_series_example("weekly-series", 4, 201), bookings=[_booking("01-21", "09:30", "10:30")]),
         "example 1 (weekly-series): the service refuses this series with 409 (overlap): "
         "week 3, it overlaps given booking 1 (Oak from 2030-01-21T09:30Z to 2030-01-21T10:30Z)"),
        (_with(_series_example("longest-series", 12, 201), bookings=[_booking("03-25", "09:59", "10:30")]),
         "example 1 (longest-series): the service refuses this series with 409 (overlap): week 12"),
        (_with(_series_example("series-overlap", 4, 409), {"attendees": 7}, bookings=[_booking("01-21")]),
         "example 1 (series-overlap): the service refuses this series with 422 (capacity) "
         "before it looks for an overlap: every week, 7 attendees do not fit in Oak"),
        (_with(_series_example("series-overlap", 1, 409), bookings=[_booking("01-07")]),
         "example 1 (series-overlap): 1 weeks is not a series the service books (2 to 12)"),
        (_with(_series_example("weekly-series", 4, 201), bookings=[_booking("01-01", attendees=9)]),
         "example 1 (weekly-series): given booking 1 has 9 attendees, more than Oak seats (6)"),
        (_with(_series_example("weekly-series", 4, 201), {"start": "TODO"}),
         "example 1 (weekly-series): placeholders left in when.start"),
        (_with(_series_example("series-overlap", 4, 409), {"attendees": "many"}, bookings=[_booking("01-21")]),
         "example 1 (series-overlap): when.attendees is 'many'; write a whole number such as 4"),
    ],
)  # fmt: skip
def test_every_week_of_a_series_example_follows_the_booking_rules(example, message):
    problems = examples.answer_problems([example])
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    "example",
    [
        # Exactly at the limits: a full room, back to back with a given booking (before a week
        # and after one), a clash just past the longest series' last week, the last week's clash.
        _with(_series_example("weekly-series", 4, 201), {"attendees": 6}),
        _with(_series_example("weekly-series", 4, 201), bookings=[_booking("01-14", "10:00", "11:00"), _booking("01-28", "08:00", "09:00")]),
        _with(_series_example("longest-series", 12, 201), bookings=[_booking("04-01")]),
        _with(_series_example("series-overlap", 12, 409), bookings=[_booking("03-25", "09:59", "11:00")]),
        # Another room's booking at the same time is no clash; numbers in words; other offsets.
        _with(_series_example("weekly-series", 4, 201), bookings=[_booking("01-14") | {"room": "Elm"}], rooms=[{"name": "Oak", "capacity": 6}, {"name": "Elm", "capacity": 4}]),
        _with(_series_example("weekly-series", "four", 201), {"attendees": "six"}, rooms=[{"name": "Oak", "capacity": "six"}]),
        _with(_series_example("weekly-series", 4, 201), {"start": "2030-01-07T10:00:00+01:00", "end": "2030-01-07T11:00:00+01:00"}, bookings=[_booking("01-14", "10:00", "11:00")]),
        # A series too long is refused for its length first: nothing else about it is asked.
        _with(_series_example("series-too-long", 13, 422), {"attendees": 7}, bookings=[_booking("01-14")]),
    ],
)  # fmt: skip
def test_series_examples_at_the_limits_of_the_booking_rules_pass(example):
    assert examples.answer_problems([example]) == []


def test_a_series_example_the_service_would_refuse_is_named_in_the_check(workspace):
    items = examples_file(workspace)
    longest = next(e for e in items if e["behaviour"] == "longest-series")
    longest["when"]["attendees"] = 7
    write_examples(workspace, items)
    [line] = failing(judged("10.1", workspace))
    assert (
        "example 4 (longest-series): the service refuses this series with 422 (capacity): every"
        " week, 7 attendees do not fit in Oak (capacity 6)" in line
    ), line


def test_an_overlap_example_whose_booking_misses_every_week_is_refused(workspace):
    items = examples_file(workspace)
    clash = next(e for e in items if e["behaviour"] == "series-overlap")
    clash["given"]["bookings"][0].update(start="2030-01-22T09:30:00Z", end="2030-01-22T10:30:00Z")
    write_examples(workspace, items)
    assert any(
        "overlaps any week of the series" in line for line in failing(judged("10.1", workspace))
    )


def test_right_but_different_examples_pass(workspace):
    """Numbers as strings or words, another room, another week's clash, extra examples."""
    items = examples_file(workspace)
    for item in items:
        item["when"]["room"] = "Birch"
        item["given"]["rooms"][0]["name"] = "Birch"
        for booking in item["given"].get("bookings") or []:
            booking["room"] = "Birch"
    items[0]["when"]["weeks"] = "four"
    items[0]["then"]["bookings"] = "4"
    clash = next(e for e in items if e["behaviour"] == "series-overlap")
    clash["given"]["bookings"][0].update(start="2030-01-28T09:59:00Z", end="2030-01-28T11:00:00Z")
    items.append(
        {
            **items[0],
            "when": {**items[0]["when"], "weeks": 2},
            "then": {"status": 201, "bookings": 2},
        }
    )
    write_examples(workspace, items)
    result = judged("10.1", workspace)
    assert result.ok, failing(result)


def test_whole_number_reads_digits_and_words():
    assert [examples.whole_number(v) for v in (12, "12", "twelve", True, 1.5, "TODO")] == [
        12, 12, 12, None, None, None,
    ]  # fmt: skip


def test_whole_number_reads_units_reason_phrases_and_none():
    values = ("4 weeks", "201 Created", "four weeks", "none", "12.5", "4 or 5", "x4", "-3")
    assert [examples.whole_number(v) for v in values] == [4, 201, 4, 0, None, None, None, None]


def test_numbers_with_units_and_reason_phrases_pass(workspace):
    """`weeks: 4 weeks`, `status: 201 Created`, `bookings: none`: the same answers, in words."""
    reasons = {201: "201 Created", 409: "409 Conflict", 422: "422 Unprocessable Entity"}
    items = examples_file(workspace)
    for item in items:
        item["when"]["weeks"] = f"{item['when']['weeks']} weeks"
        item["then"]["status"] = reasons[item["then"]["status"]]
        item["then"]["bookings"] = item["then"]["bookings"] or "none"
    write_examples(workspace, items)
    result = judged("10.1", workspace)
    assert result.ok, failing(result)


def test_a_wrong_status_with_a_reason_phrase_is_still_refused(workspace):
    items = examples_file(workspace)
    items[0]["then"]["status"] = "200 OK"
    write_examples(workspace, items)
    assert any(
        "then.status is '200 OK'; the service answers 201" in line
        for line in failing(judged("10.1", workspace))
    )


# --- 10.2 -----------------------------------------------------------------------------------------


def test_a_removed_operation_is_breaking_and_quotes_both_sides(workspace):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    del spec["paths"]["/bookings/{booking_id}/cancel"]
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    [line] = [line for line in failing(judged("10.2", workspace)) if "backwards compatible" in line]
    assert (
        "operation POST /bookings/{booking_id}/cancel: present in the old spec, absent in the new"
        in line
    )
    assert "compared with the course's stage-09 project" in line


def test_a_new_required_field_on_an_old_request_is_breaking(workspace):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    spec["components"]["schemas"]["BookingCreate"]["required"].append("purpose")
    spec["components"]["schemas"]["BookingCreate"]["properties"]["purpose"] = {"type": "string"}
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    lines = failing(judged("10.2", workspace))
    assert any("purpose" in line and "backwards compatible" in line for line in lines), lines


def test_the_baseline_is_the_begin_commit_when_there_is_one(workspace):
    """A learner's own earlier spec, committed by begin("10"), is what 10.2 compares with."""
    root = project.locate(workspace)
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    spec["paths"]["/rooms/{room_id}/bookings"]["get"]["summary"] = "Mine"
    spec["paths"]["/legacy"] = {"get": {"responses": {"200": {"description": "old"}}}}
    old = yaml.safe_dump(spec, sort_keys=False)
    write(workspace, feature.SPEC_FILE, old)
    git = project.Git(root)
    git.run("add", "-A")
    git.run("commit", "-q", "-m", feature.BEGIN_MESSAGE)
    del spec["paths"]["/legacy"]
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    lines = failing(judged("10.2", workspace))
    assert any(
        "operation GET /legacy: present in the old spec" in line and "your commit" in line
        for line in lines
    ), lines
    assert baseline.spec_before(workspace)[1].startswith("your commit ")


def test_missing_series_operations_are_named(workspace):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    del spec["paths"][feature.CANCEL_PATH]
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    assert any(
        "POST /series/{series_id}/cancel is not in openapi.yaml" in line
        for line in failing(judged("10.2", workspace))
    )


def test_a_series_body_without_weeks_is_refused(workspace):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    del spec["components"]["schemas"]["SeriesCreate"]["properties"]["weeks"]
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    assert any("no integer `weeks` property" in line for line in failing(judged("10.2", workspace)))


def test_an_inline_series_body_passes(workspace):
    """Another valid shape: the body's schema written inline, not as a $ref."""
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    inline = spec["components"]["schemas"].pop("SeriesCreate")
    spec["paths"][feature.SERIES_PATH]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] = inline
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    result = judged("10.2", workspace)
    assert result.ok, failing(result)


def test_a_series_body_that_extends_the_booking_with_allof_passes(workspace):
    """`allOf: [BookingCreate, {weeks}]`: the booking's fields plus weeks, in OpenAPI's words."""
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    spec["components"]["schemas"]["SeriesCreate"] = {
        "allOf": [
            {"$ref": "#/components/schemas/BookingCreate"},
            {
                "type": "object",
                "required": ["weeks"],
                "properties": {"weeks": {"type": ["integer"], "minimum": 2, "maximum": 12}},
            },
        ]
    }
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    result = judged("10.2", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    ("weeks", "required", "message"),
    [
        ({"type": "string"}, ["weeks"], "no integer `weeks` property"),
        ({"type": "integer"}, [], "the series body does not require `weeks`"),
    ],
)
def test_an_allof_series_body_is_still_held_to_weeks(workspace, weeks, required, message):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    spec["components"]["schemas"]["SeriesCreate"] = {
        "allOf": [
            {"$ref": "#/components/schemas/BookingCreate"},
            {"type": "object", "required": required, "properties": {"weeks": weeks}},
        ]
    }
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    assert any(message in line for line in failing(judged("10.2", workspace)))


def test_other_parameter_names_and_a_json_media_type_with_parameters_pass(workspace):
    """`/rooms/{roomId}/series`, `/series/{id}`: OpenAPI matches paths by position, not name."""
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    renamed = {
        feature.SERIES_PATH: "/rooms/{roomId}/series",
        feature.SERIES_ITEM_PATH: "/series/{id}",
        feature.CANCEL_PATH: "/series/{id}/cancel",
    }
    for old, new in renamed.items():
        text = yaml.safe_dump(spec["paths"].pop(old))
        spec["paths"][new] = yaml.safe_load(
            text.replace("room_id", "roomId").replace("series_id", "id")
        )
    body = spec["paths"]["/rooms/{roomId}/series"]["post"]["requestBody"]["content"]
    body["application/json; charset=utf-8"] = body.pop("application/json")
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    result = judged("10.2", workspace)
    assert result.ok, failing(result)


def test_a_series_path_in_another_place_is_still_missing(workspace):
    spec = yaml.safe_load(read(workspace, feature.SPEC_FILE))
    spec["paths"]["/series/{id}/cancellation"] = spec["paths"].pop(feature.CANCEL_PATH)
    write(workspace, feature.SPEC_FILE, yaml.safe_dump(spec, sort_keys=False))
    assert any(
        "POST /series/{series_id}/cancel is not in openapi.yaml" in line
        for line in failing(judged("10.2", workspace))
    )


SERIES_ROWS = (
    "| POST | /rooms/{room_id}/series |",
    "| GET | /series/{series_id} |",
    "| POST | /series/{series_id}/cancel |",
)


def tsd_without(workspace, *starts: str) -> str:
    """The model TSD without its rows that start with any of `starts`."""
    lines = read(workspace, feature.TSD_FILE).splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(starts)]
    assert len(kept) == len(lines) - len(starts), starts
    return "".join(kept)


def test_a_tsd_that_misses_the_series_operations_names_each(workspace):
    write(workspace, feature.TSD_FILE, tsd_without(workspace, *SERIES_ROWS))
    lines = failing(judged("10.2", workspace))
    assert lines == [
        "❌ docs/tsd.md's API summary lists exactly the operations of openapi.yaml, the series"
        " ones included — openapi.yaml has `POST /rooms/{room_id}/series`, but docs/tsd.md's API"
        " summary does not; openapi.yaml has `GET /series/{series_id}`, but docs/tsd.md's API"
        " summary does not; openapi.yaml has `POST /series/{series_id}/cancel`, but docs/tsd.md's"
        " API summary does not. Hint: The design changes with the feature: add a row per new"
        " operation to the TSD's API summary table, `| POST | /rooms/{room_id}/series | … |`, as"
        " in stage 02."
    ], lines


def test_a_tsd_that_lists_an_operation_the_spec_lacks_quotes_both_sides(workspace):
    text = read(workspace, feature.TSD_FILE).replace(
        "| GET | /series/{series_id} |", "| DELETE | /series/{series_id} |"
    )
    write(workspace, feature.TSD_FILE, text)
    [line] = failing(judged("10.2", workspace))
    assert (
        "— docs/tsd.md lists `DELETE /series/{series_id}` (API summary, row 8), but openapi.yaml"
        " has GET /series/{series_id}; openapi.yaml has `GET /series/{series_id}`, but"
        " docs/tsd.md's API summary does not. Hint:"
    ) in line


def test_a_missing_tsd_is_one_clear_line(workspace):
    project.path(feature.TSD_FILE, workspace).unlink()
    [line] = failing(judged("10.2", workspace))
    assert "tsd.md does not exist yet" in line and "Traceback" not in line


def test_series_rows_in_an_endpoint_column_and_another_order_pass(workspace):
    """Right but different: a separate table, one `Endpoint` column, other parameter names."""
    text = tsd_without(workspace, *SERIES_ROWS).replace(
        "## Scaling considerations",
        "Recurring bookings (0.2.0):\n\n"
        "| Endpoint | What it does |\n| --- | --- |\n"
        "| `POST /series/{id}/cancel` | cancel them all |\n"
        "| `GET /series/{id}` | read one |\n"
        "| `POST /rooms/{room}/series` | book every week |\n\n"
        "## Scaling considerations",
    )
    write(workspace, feature.TSD_FILE, text)
    result = judged("10.2", workspace)
    assert result.ok, failing(result)


# --- 10.3 -----------------------------------------------------------------------------------------

MODEL_QUERY = "| The series table is there and empty | `SELECT count(*) FROM series;` | 0 |"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("| [check] | [SQL] | [result] |", "the Verification queries table still has the template's row `[SQL]`"),
        ("| The series table is empty | `SELECT count(*) FROM series;` | 3 |", "`SELECT count(*) FROM series;` returned 0; the plan expects 3"),
        ("| Series are stored | `SELECT count(*) FROM booking_series;` | 0 |", "fails on your migrated database: no such table: booking_series"),
        ("| Clean up | `DELETE FROM series;` | 0 |", "`DELETE FROM series;` changes the database: a verification query only reads"),
    ],
)  # fmt: skip
def test_the_plans_verification_queries_are_run_on_the_migrated_database(workspace, row, message):
    edit(workspace, feature.PLAN_FILE, MODEL_QUERY, row)
    lines = failing(judged("10.3", workspace))
    assert any(message in line for line in lines), lines


def test_a_plan_without_verification_queries_names_its_own_file(workspace):
    text = read(workspace, feature.PLAN_FILE)
    start = text.index("## Verification queries")
    write(workspace, feature.PLAN_FILE, text[:start] + text[text.index("## Rollback plan") :])
    lines = failing(judged("10.3", workspace))
    assert any(
        "docs/migrations/0003-booking-series.md has no `## Verification queries` section" in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    "row",
    [
        "| The series table is empty | `SELECT * FROM series` | no rows |",
        "| Every booking is kept | `SELECT count(*) FROM bookings;` | 500 |",
        "| The new column is nullable | `SELECT \"notnull\" FROM pragma_table_info('bookings') WHERE name = 'series_id'` | false |",
    ],
)  # fmt: skip
def test_other_right_verification_queries_pass(workspace, row):
    edit(workspace, feature.PLAN_FILE, MODEL_QUERY, row)
    result = judged("10.3", workspace)
    assert result.ok, failing(result)


# --- 10.6 -----------------------------------------------------------------------------------------


def test_a_checklist_without_the_flag_is_refused(workspace):
    write(
        workspace,
        feature.CHECKLIST_FILE,
        read(workspace, feature.CHECKLIST_FILE).replace(feature.FLAG, "the flag"),
    )
    assert any(
        "never names the flag `BOOKING_RECURRING_BOOKINGS`" in line
        for line in failing(judged("10.6", workspace))
    )


def with_rollout(workspace, steps: str) -> None:
    """The model checklist with `steps` as its whole `## Rollout steps` section."""
    text = read(workspace, feature.CHECKLIST_FILE)
    rollout = text[text.index("## Rollout steps") : text.index("## Monitoring checks")]
    write(
        workspace, feature.CHECKLIST_FILE, text.replace(rollout, f"## Rollout steps\n\n{steps}\n\n")
    )


@pytest.mark.parametrize(
    "steps",
    [
        "1. Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
        "2. Turn the flag on for 5% of the traffic; watch it for an hour.\n"
        "3. 25%, then 50%, a day each.\n4. 100%: the flag is on for everyone.",
        "- Deploy 0.2.0 dark (`BOOKING_RECURRING_BOOKINGS=false`).\n"
        "- Set `BOOKING_RECURRING_BOOKINGS=true` for the beta group, 5% of users.\n"
        "- Enable the flag for all users.",
        "1. Ship 0.2.0 with the flag off.\n2. Five per cent of users get `BOOKING_RECURRING_BOOKINGS`.\n"
        "3. Raise the flag to one hundred per cent.",
    ],
    ids=["no-word-canary", "true-and-enable", "in-words"],
)
def test_a_canary_without_the_word_passes(workspace, steps):
    """The canary is the flag on for a share below 100% first, whatever the step is called."""
    with_rollout(workspace, steps)
    result = judged("10.6", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "canary",
    [
        "Canary: the plug-in's beta group gets `BOOKING_RECURRING_BOOKINGS`",
        "Canary: release the series endpoints behind the flag to 5% of users",
        "Canary: activate the flag for 5% of the traffic",
        "Canary: turn the flag on for 5% of organisers",
        "Canary: enable `BOOKING_RECURRING_BOOKINGS` for the pilot team",
        "Canary, flag on: 25%",
        # Everyday words for a share.
        "Canary: dial the flag up to 5% of users",
        "Canary: set `BOOKING_RECURRING_BOOKINGS` to five per cent",
        # The flag as a feature toggle or a switch, as many teams call it.
        "Canary: turn the series toggle on for 5% of users",
        "Canary: flip the `BOOKING_RECURRING_BOOKINGS` toggle on for 5% of users",
        "Canary: the recurring-bookings switch is on for 5% of organisers",
    ],
)
def test_a_rollout_in_other_words_turns_the_flag_on(workspace, canary):
    with_rollout(
        workspace,
        f"1. Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n2. {canary}.\n"
        "3. 25%, then 50%.\n4. 100%: everyone.",
    )
    result = judged("10.6", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: send 5% of the traffic to 0.2.0.\n"
            "- 100%: all traffic on 0.2.0; the flag stays off.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off; we never turn the flag on.\n"
            "- Canary: 5% of the traffic, then 100%.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "1. Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off; keep errors under 5%.\n"
            "2. 100%: the flag is on for everyone.",
            "the Rollout steps have no canary step",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: 5% of the traffic to 0.2.0, with the errors on `/rooms/{room_id}/series`"
            " watched.\n- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: enable the flag alerts for 5% of the traffic to 0.2.0.\n"
            "- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: put an alert on the flag for 5% of the traffic to 0.2.0.\n"
            "- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: open the flag dashboard and turn it on for 5% of the traffic.\n"
            "- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: make the switch to 0.2.0 for 5% of the traffic.\n"
            "- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
        (
            "- Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
            "- Canary: 5% of the traffic to 0.2.0; the flag is no longer on.\n"
            "- 100%: all traffic on 0.2.0.",
            "the Rollout steps never turn the flag on",
        ),
    ],
    ids=[
        "flag-never-on",
        "never-turned-on",
        "share-is-not-the-flags",
        "a-route-is-not-the-flag",
        "the-flags-alerts-are-not-the-flag",
        "an-alert-on-the-flag-is-not-the-flag",
        "it-after-the-flag-dashboard-is-the-dashboard",
        "a-switch-to-a-release-is-not-the-flag",
        "no-longer-on-is-off",
    ],
)
def test_a_rollout_that_never_turns_the_flag_on_for_a_share_is_refused(workspace, steps, message):
    with_rollout(workspace, steps)
    lines = failing(judged("10.6", workspace))
    assert any(message in line for line in lines), lines


def test_an_error_limit_is_not_the_canarys_share(workspace):
    """A rollout straight to everyone, its rollback told as an error rate: 1% is no canary."""
    with_rollout(
        workspace,
        "1. Deploy 0.2.0 with `BOOKING_RECURRING_BOOKINGS` off.\n"
        "2. Canary: turn the flag on for everyone (100%); roll back if errors exceed 1%.",
    )
    lines = failing(judged("10.6", workspace))
    assert any("no share below 100% for the canary" in line for line in lines), lines


def test_a_rollout_straight_to_100_percent_is_not_a_canary(workspace):
    text = read(workspace, feature.CHECKLIST_FILE)
    text = re.sub(r"\b(5|25|50)%", "100%", text)
    write(workspace, feature.CHECKLIST_FILE, text)
    assert any(
        "no share below 100% for the canary" in line for line in failing(judged("10.6", workspace))
    )


@pytest.mark.parametrize("share", ["99%", "1 percent", "0.5%", "ninety-nine per cent"])
def test_any_share_below_100_is_a_canary(workspace, share):
    text = read(workspace, feature.CHECKLIST_FILE)
    write(workspace, feature.CHECKLIST_FILE, re.sub(r"\b(5|25|50)%", share, text))
    assert judged("10.6", workspace).ok


@pytest.mark.parametrize("share", ["0%", "zero percent"])
def test_a_canary_of_no_one_is_not_a_canary(workspace, share):
    """The other side of the canary's range: 0% is the flag off, whoever it names."""
    text = read(workspace, feature.CHECKLIST_FILE)
    write(workspace, feature.CHECKLIST_FILE, re.sub(r"\b(5|25|50)%", share, text))
    assert any(
        "no share below 100% for the canary (and above 0%" in line
        for line in failing(judged("10.6", workspace))
    )


@pytest.mark.parametrize(
    "everyone",
    [
        "All traffic: the flag is on for everyone",
        "All users: the flag is on",
        "Full rollout: the flag is on",
        "Roll out to all traffic",
        "The whole of the traffic: the flag is on",
        "Everyone: the flag is on",
        "Everyone: the flag is on, and the canary's extra alert is turned off",
        "All users: the flag is on, switched during off-peak hours",
        # the error rate of the series endpoints is a rate, not the feature at 0%
        "Full rollout: the flag is on and the error rate of the series endpoints is 0%",
    ],
)
def test_the_whole_traffic_in_words_is_100_percent(workspace, everyone):
    edit(workspace, feature.CHECKLIST_FILE, "100%: the flag is on for everyone", everyone)
    result = judged("10.6", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "vague",
    [
        "Most traffic: the flag is on",
        "More users: the flag is on",
        "Widen the rollout: the flag is on",
        "The flag is on for all beta users",
        "Not yet for all traffic: the flag stays at 50%",
        # everyone, but with the flag or the feature off
        "All traffic on 0.2.0, the flag at 0%",
        "All users get 0.2.0 live: the series endpoints stay off",
        "Full rollout, with the feature disabled",
        "Roll out to all users with `BOOKING_RECURRING_BOOKINGS=false`",
        "All users get 0.2.0 live, the flag's share is 0%",
    ],
)
def test_a_vague_last_step_does_not_reach_100_percent(workspace, vague):
    edit(workspace, feature.CHECKLIST_FILE, "100%: the flag is on for everyone", vague)
    assert any("never reach 100%" in line for line in failing(judged("10.6", workspace)))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("for 5% of the traffic", "for five percent of the traffic"),
        ("- [ ] 100%: the flag", "- [ ] One hundred per cent: the flag"),
        ("## Rollout steps", "## 3. Roll-out Steps"),
        ("## Rollback plan", "## 5. Rollback Plan"),
        ("## Monitoring checks during rollout", "## 4. Monitoring"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Set `BOOKING_RECURRING_BOOKINGS=false`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Set `BOOKING_RECURRING_BOOKINGS=0`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Disable the flag `BOOKING_RECURRING_BOOKINGS`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Canary: set the share of `BOOKING_RECURRING_BOOKINGS` to 0%:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  - [ ] Step 1: turn `BOOKING_RECURRING_BOOKINGS` off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Kill switch: switch the `BOOKING_RECURRING_BOOKINGS` flag off:"),
        ("- Steps:\n", "- Rollback owner: the deployer.\n- Steps:\n"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Turn off the feature flag `BOOKING_RECURRING_BOOKINGS`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Switch the flag off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Flip `BOOKING_RECURRING_BOOKINGS` to false:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Set it to 0 % (`BOOKING_RECURRING_BOOKINGS`):"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Turn off `series_bookings`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Flag `BOOKING_RECURRING_BOOKINGS` **off**:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Make sure the flag is off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Roll back with the flag, `BOOKING_RECURRING_BOOKINGS=0`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Do not redeploy, turn the flag off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Flip the `BOOKING_RECURRING_BOOKINGS` toggle off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Turn the recurring-bookings switch off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Pull the kill switch (`BOOKING_RECURRING_BOOKINGS`):"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Set the flag's share to 0% (`BOOKING_RECURRING_BOOKINGS`):"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. In the flag dashboard, find `BOOKING_RECURRING_BOOKINGS` and turn it off:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Set the flag config to false (`BOOKING_RECURRING_BOOKINGS`):"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Deactivate `BOOKING_RECURRING_BOOKINGS`:"),
        ("  1. Turn `BOOKING_RECURRING_BOOKINGS` off:", "  1. Make sure `BOOKING_RECURRING_BOOKINGS` is no longer on:"),
    ],
)  # fmt: skip
def test_other_words_for_the_same_checklist_pass(workspace, old, new):
    edit(workspace, feature.CHECKLIST_FILE, old, new)
    result = judged("10.6", workspace)
    assert result.ok, failing(result)


def test_the_rollout_section_is_found_after_the_monitoring_one(workspace):
    """ "Monitoring checks during rollout" first: the rollout is still "Rollout steps"."""
    text = read(workspace, feature.CHECKLIST_FILE)
    rollout = text[text.index("## Rollout steps") : text.index("## Monitoring checks")]
    monitoring = text[text.index("## Monitoring checks") : text.index("## Rollback plan")]
    write(
        workspace, feature.CHECKLIST_FILE, text.replace(rollout + monitoring, monitoring + rollout)
    )
    result = judged("10.6", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "steps",
    [
        "  - Step 1: redeploy 0.1.0 by its digest.\n  - Step 2: turn `BOOKING_RECURRING_BOOKINGS` off",
        "  1. Keep `BOOKING_RECURRING_BOOKINGS` on and redeploy 0.1.0.\n  2. Turn it off",
        "  1. Set `BOOKING_RECURRING_BOOKINGS=1` for 10% of the traffic",
        # "off" and "false" on their own are not the flag turned off:
        "  1. We never turn the flag off",
        "  1. Don't switch the flag off yet; redeploy 0.1.0",
        "  1. Keep `BOOKING_RECURRING_BOOKINGS` on until off-peak traffic",
        "  1. Check the flag dashboard, then turn off the alert",
        "  1. Set `BOOKING_RECURRING_BOOKINGS=1`; the false alarms stop",
        "  1. Redeploy 0.1.0; the flag was off-by-default anyway",
        "  1. Disable the alerts on the flag dashboard",
        "  1. Disable the flag alerts; redeploy 0.1.0",
        # "it" is the nearest thing it may be, here the dashboard; an alert on the flag is an alert
        "  1. Open the flag dashboard and turn it off",
        "  1. Turn the alert on the flag off; redeploy 0.1.0",
        # the threshold of the flag's alert is a threshold, not the flag
        "  1. Set the alert threshold of the flag to 0%; redeploy 0.1.0",
        # "toggle" and "switch" are verbs too
        "  1. Toggle off the alerts, then redeploy 0.1.0",
        # an on-state that is no longer so, but only for some; a setting that is not the flag's
        "  1. Make sure `BOOKING_RECURRING_BOOKINGS` is no longer on for internal users only",
        "  1. Set the flag config timeout to 0; redeploy 0.1.0",
    ],
)
def test_a_first_step_that_does_not_turn_the_flag_off_is_still_refused(workspace, steps):
    edit(workspace, feature.CHECKLIST_FILE, "  1. Turn `BOOKING_RECURRING_BOOKINGS` off", steps)
    assert any("flag off first" in line for line in failing(judged("10.6", workspace)))


@pytest.mark.parametrize(
    ("step", "turns_it_off"),
    [
        ("Turn `BOOKING_RECURRING_BOOKINGS` off: the series endpoints answer 404", True),
        ("Switch the flag off", True),
        ("Turn off the feature flag `BOOKING_RECURRING_BOOKINGS`", True),
        ("Turn off `series_bookings`", True),
        ("Set `BOOKING_RECURRING_BOOKINGS=false`", True),
        ("BOOKING_RECURRING_BOOKINGS = off", True),
        ("Set it to 0 % (`BOOKING_RECURRING_BOOKINGS`)", True),
        ("set `BOOKING_RECURRING_BOOKINGS` to zero percent", True),
        ("Make sure the flag is set to false", True),
        ("Do not redeploy, turn the flag off", True),
        ("Turn the flag off, not the whole service", True),
        ("We never turn the flag off", False),
        ("the flag is not off", False),
        ("Keep the flag on until off-peak traffic", False),
        ("Keep the flag on; turn off the backup", False),
        ("turn the flag on, then off", False),
        ("Set `BOOKING_RECURRING_BOOKINGS=1`; the false alarms stop", False),
        ("set `BOOKING_RECURRING_BOOKINGS` to 0.5%", False),
        ("set the flag to 0.2.0", False),
        ("Turn it off", False),  # "it" is the flag only in a step that names the flag
        # The flag by another name of the learner's, in code:
        ("Turn off `recurring_bookings`", True),
        ("Switch `RECURRING_BOOKINGS` off", True),
        ("Set `flags.recurring-bookings` to false", True),
        ("Set `series_enabled` to false", True),
        ("Set `recurring_bookings=false`", True),
        ("Set `weekly_bookings` to 0", True),
        ("Turn the `recurring_series` flag off", True),
        # The feature's other names in code are no flag: a table, a column, a route, a file.
        ("Set `series_id` to 0 on the broken bookings", False),
        ("The `recurring_series` table is off limits: stop writing to it", False),
        ("Disable `POST /rooms/{room_id}/series` at the gateway", False),
        ("Turn off `/series/{series_id}` in the proxy", False),
        ("Switch off `series.py`'s worker", False),
        ("Scale `booking_service.series` down to 0", False),
        # "disable the flag", but not the flag's alerts or dashboard; a share or a time of day
        ("Disable the flag now", True),
        ("Disable the flag in the admin panel", True),
        ("Deactivate the flag", True),
        ("Deactivate `BOOKING_RECURRING_BOOKINGS` in the admin panel", True),
        ("The flag is deactivated", True),
        ("Deactivate the flag alerts", False),
        # Everyday rollback words, accepted as they are.
        ("Roll the flag back to 0%", True),
        ("Flip BOOKING_RECURRING_BOOKINGS to false", True),
        ("Dial the flag down to 0%", True),
        ("Revert `BOOKING_RECURRING_BOOKINGS` to false", True),
        ("Set the flag back to off", True),
        ("Roll the flag back to zero percent", True),
        ("Set the flag to nought per cent", True),
        # The value straight after the flag, with no "to", as a flag tool's command puts it.
        ("Set BOOKING_RECURRING_BOOKINGS false", True),
        ("Run `flagctl set BOOKING_RECURRING_BOOKINGS false`", True),
        ("Set the flag false in the flag service", True),
        ("Keep `BOOKING_RECURRING_BOOKINGS` false alarms muted", False),
        ("Set `BOOKING_RECURRING_BOOKINGS` 0 days before the release", False),
        ("Set the flag alert false", False),
        # Killing a flag is removing it from the code once it is on for everyone.
        ("Kill the flag", False),
        ("Keep the flag at 0%", True),
        ("The flag stays at 0 % until Monday", True),
        # "Is" and the state: the flag is 0%, false or no, as it "stays at 0%"; "no" before a
        # comparative is no state, and "not 0%" is negated.
        ("The flag's share is 0%", True),
        ("The flag is 0%", True),
        ("`BOOKING_RECURRING_BOOKINGS` is false", True),
        ("The flag's share is now 0%", True),
        ("The share of the flag is 0%", True),
        ("Set `BOOKING_RECURRING_BOOKINGS=no`", True),
        ("The flag is not 0%", False),
        ("The flag is no longer 0%", False),
        ("The flag is 0.5%", False),
        ("Keep the flag at no more than 5%", False),
        ("The flag's error rate is 0%", False),
        ("The flag is no-op in tests", False),
        ("The flag is disabled-by-default", False),
        # An on-state that is no longer so is the flag off: "no longer on", "not on any more".
        ("The flag is no longer on", True),
        ("The flag is no longer enabled", True),
        ("The flag is not on any more", True),
        ("The flag is not enabled anymore", True),
        ("The flag isn't on anymore", True),
        ("`BOOKING_RECURRING_BOOKINGS` is no longer true", True),
        ("The series toggle is no longer on for anyone", True),
        ("Check it is no longer on (`BOOKING_RECURRING_BOOKINGS`)", True),
        # "Not on" is off too, with "any more" or without it.
        ("The flag is not on", True),
        ("The flag isn't on", True),
        ("The flag is not enabled", True),
        ("Make sure the flag is not on", True),
        ("The flag isn't enabled for anyone", True),
        ("The flag is not on for internal users", False),
        ("The flag is not on at 5%", False),
        ("Don't write that the flag is not on", False),
        ("The flag is not only on staging but on production", False),
        ("The flag is on, not off", False),
        # Not so if it is no longer on for some only, or if it is negated as a whole; "no
        # longer off" is no off.
        ("The flag is no longer on for internal users only", False),
        ("The flag is no longer on at 5%", False),
        ("Don't write that the flag is no longer on", False),
        ("The flag is not on any more than 5%", False),
        ("The flag is no longer off", False),
        ("The flag alerts are no longer on", False),
        ("The flag dashboard is not enabled any more", False),
        # The flag's share or value at 0% is the flag at 0%, as "the share of the flag" is.
        ("Set the flag's share to 0%", True),
        ("Set the flag's rollout percentage to 0%", True),
        ("Lower the toggle's share to 0%", True),
        ("The flag's share stays at 0%", True),
        ("Set `BOOKING_RECURRING_BOOKINGS`'s value to false", True),
        # Its config, configuration or setting is the flag too.
        ("Set the flag config to false", True),
        ("Set the flag's setting to off", True),
        ("Set the flag settings to false", True),
        ("Change the flag's configuration to 0%", True),
        ("Set the config of the flag to false", True),
        ("The flag config is now false", True),
        ("Set `BOOKING_RECURRING_BOOKINGS` config value to false", True),
        # To disable its config, or turn it off, is to disable the flag; not its config's alerts.
        ("Disable the flag config", True),
        ("Disable the flag's config", True),
        ("Disable the flag configuration", True),
        ("Turn off the flag config", True),
        ("Turn the flag config off", True),
        ("Turn the config flag off", True),
        ("Disable the flag config alerts", False),
        ("Disable the flag's config alerts", False),
        ("Turn off the flag config dashboard", False),
        ("Set the flag config timeout to 0", False),
        ("Set the flag's config alert threshold to 0%", False),
        ("Set the flag config to 5%", False),
        ("Set the flag's share to 0.5%", False),
        ("Keep the flag's rollout at 5%", False),
        ("Set the flag's error alert to 0%", False),
        # "The X of the flag" is the flag only where X is one of its settings; else it is X.
        ("Set the share of the flag to 0%", True),
        ("Set the rollout percentage of the flag to 0%", True),
        ("Set the value of `BOOKING_RECURRING_BOOKINGS` to false", True),
        ("Set each of the flag's shares to 0%", True),
        ("Set the alert threshold of the flag to 0%", False),
        ("Set alert threshold of the flag to 0%", False),
        # The whole noun is the flag's setting, not its last word alone: "the alert rule".
        ("Set rollout share of the flag to 0%", True),
        ("Set the alert rule of the flag to 0%", False),
        ("Set the alert config of the flag to false", False),
        ("Set the dashboard setting of the flag to off", False),
        ("Set the alert threshold for the flag to 0%", False),
        ("Set the flag's alert threshold to 0%", False),
        ("Set the rate limit of the flag to 0%", False),
        ("Set the error budget of the flag to 0%", False),
        ("Drop the sampling rate of the flag to 0%", False),
        ("Set the timeout of the flag to 0", False),
        ("Set the flag's budget to 0%", False),
        ("Disable the flag sampling", False),
        ("The alert threshold of the flag is 0%", False),
        ("Disable the flag alerts", False),
        ("Disable the flag's alerts", False),
        ("Turn off the flag dashboard", False),
        ("The flag is set at 0:00 UTC", False),
        # The flag as a toggle or a switch: a noun after "the", "feature", "kill" or a word of
        # the feature. "Toggle" and "switch" alone are verbs, and "the switch" any switch.
        ("Flip the toggle off", True),
        ("Turn the bookings-series toggle off", True),
        ("The series toggle is off", True),
        ("Switch off the feature toggle `BOOKING_RECURRING_BOOKINGS`", True),
        ("Set the series toggle to 0%", True),
        ("Turn the recurring-bookings switch off", True),
        ("Flip the feature switch off", True),
        ("Pull the kill switch", True),
        ("Hit the kill switch for the series endpoints", True),
        ("Don't pull the kill switch yet", False),
        ("Toggle off the alerts", False),
        ("Open the dashboard and toggle off the alerts", False),
        ("Let the on-call switch off the cache", False),
        ("Turn the switch off", False),
        ("Disable the toggle alerts", False),
        # "It" is the nearest thing it may be: the flag, or one thing of the flag's that is
        # switched (not its alerts, which are many, nor its owner).
        ("Open the flag dashboard and turn it off", False),
        ("Open the `BOOKING_RECURRING_BOOKINGS` dashboard and switch it off", False),
        ("Open the dashboard for the flag and turn it off", False),
        ("Open the flag dashboard and turn the flag off", True),
        ("In the flag dashboard, find `BOOKING_RECURRING_BOOKINGS` and turn it off", True),
        ("Check the flag's alerts, then turn it off", True),
        ("Page the flag owner and turn it off", True),
        ("Turn it off (`series_enabled`)", True),
        # A thing named after the flag is that thing: an alert on the flag is an alert.
        ("Turn the alert on the flag off", False),
        ("Set the alert on the flag to 0%", False),
        ("Turn off the alerts for the toggle", False),
    ],
)
def test_what_turns_the_flag_off(step, turns_it_off):
    """A statement that the flag goes off, false or to 0%, not the word "off" or "false" near it."""
    assert flag_words.turns_the_flag_off(step) is turns_it_off


@pytest.mark.parametrize(
    ("step", "turns_it_on"),
    [
        ("Turn the flag on for 5% of organisers", True),
        ("Enable `BOOKING_RECURRING_BOOKINGS` for the pilot team", True),
        ("flag on: 25%", True),
        ("Turn on the flag for 5% of organisers", True),
        ("Enable the flag for the beta group", True),
        ("Set `BOOKING_RECURRING_BOOKINGS=true` for 5% of users", True),
        ("Raise the flag's share to 25%", True),
        ("Raise the share of the flag to 25%", True),
        ("Keep the flag at no more than 5%", True),
        ("Set the flag's rollout percentage to 50%", True),
        ("Five per cent of users get `BOOKING_RECURRING_BOOKINGS`", True),
        ("`BOOKING_RECURRING_BOOKINGS` → 5%", True),
        ("Watch the flag dashboard, then turn the flag on for 5%", True),
        ("Enable the flag alerts first; then enable the flag for 5%", True),
        ("Activate `recurring_bookings` for 5% of the traffic", True),
        ("Deploy 0.2.0 with the flag on for internal users", True),
        # A word after the flag that is no other thing of the flag's: a preposition, a rule.
        ("Enable the flag for service owners first", True),
        ("Turn the flag on for test users", True),
        ("Enable the flag in the admin panel for 5%", True),
        ("Set the flag's rule to 5% of organisers", True),
        # A share after "under" is an audience where the step speaks of no errors or latency.
        ("Under 5% of users get the flag", True),
        ("Raise the flag above 5%", True),
        ("Turn the flag on for 5%; roll back if errors exceed 1%", True),
        # The flag's alerts, dashboard or service are other things than the flag.
        ("Enable the flag alerts for 5%", False),
        ("Enable the flag's alerts at 5%", False),
        ("Turn on the flag dashboard for the 5% canary", False),
        ("Turn the flag monitors on", False),
        ("Check the `BOOKING_RECURRING_BOOKINGS` dashboard at 5%", False),
        ("Enable the `recurring_bookings` metrics for 5% of users", False),
        ("Set up the flag's error alert at 5%", False),
        ("Set the alert threshold of the flag to 5%", False),
        ("Put an alert on the flag for 5%", False),
        ("Watch the dashboard for the flag at 5%", False),
        ("Add an alert for `BOOKING_RECURRING_BOOKINGS` at 5% of users", False),
        ("Set up alerts on the toggle for 5% of users", False),
        # "It" is the nearest thing it may be: the dashboard, or the flag (alerts are many).
        ("Open the flag dashboard and turn it on for 5%", False),
        ("Open the flag dashboard and turn the flag on for 5%", True),
        ("Set up alerts on the flag, then turn it on for 5%", True),
        # The flag as a toggle or a switch; the verbs "toggle" and "switch" are no flag.
        ("Turn the series toggle on for 5% of users", True),
        ("Flip the toggle on for 5%", True),
        ("The bookings-series toggle is on for 5% of organisers", True),
        ("Enable the feature toggle for the beta group", True),
        ("Raise the recurring-bookings switch to 25%", True),
        ("Turn the feature switch on for 5% of users", True),
        ("Toggle the alerts on for 5%", False),
        ("Make the switch to 0.2.0 for 5% of the traffic", False),
        ("5% of the recurring bookings switch to 0.2.0", False),
        # A share that limits the errors or the latency is not whom the flag serves.
        ("Watch the flag's error rate: it must stay under 5%", False),
        ("Roll back if the flag's errors exceed 5%", False),
        ("Keep the flag's p95 latency below 1% over the baseline", False),
        # Everyday rollout words for a share, accepted as they are.
        ("Dial the flag up to 5%", True),
        ("Set it to 5 percent (`BOOKING_RECURRING_BOOKINGS`)", True),
        ("Set the flag to five per cent", True),
        ("Flip `BOOKING_RECURRING_BOOKINGS` to true for 5% of users", True),
        ("Ramp `BOOKING_RECURRING_BOOKINGS` up to 5%", True),
        ("Roll the flag out to 5% of users", True),
        ("Set the flag config to 5%", True),
        # Not on, or off: an on-state no longer so is off.
        ("Deploy 0.2.0 with the flag off", False),
        ("We never turn the flag on", False),
        ("Keep the flag at 0%", False),
        ("The flag is no longer on", False),
        ("The flag is no longer enabled", False),
        ("The flag is not on any more", False),
        ("The flag is not enabled anymore", False),
        ("`BOOKING_RECURRING_BOOKINGS` is no longer true", False),
        ("Check it is no longer on (`BOOKING_RECURRING_BOOKINGS`)", False),
        ("The flag is not on", False),
        ("The flag isn't on", False),
        ("Disable the flag config", False),
        ("Deactivate the flag for 5% of users", False),
        ("Raise the alert rule of the flag to 25%", False),
        ("Set the flag config to false", False),
        ("Send 5% of the traffic to 0.2.0", False),
        # An off-state that is no longer so is the flag on, for whomever it serves.
        ("The flag is no longer off", True),
        ("`BOOKING_RECURRING_BOOKINGS` is no longer false", True),
        ("The flag is no longer at 0%", True),
        ("The flag is on, not off", True),
        ("The flag is not only on staging but on production", True),
        ("Do not just turn the flag on for everyone", False),
        ("Never only turn the flag on", False),
        ("The flag alerts are no longer off", False),
        ("Do not write that the flag is no longer off", False),
    ],
)
def test_what_turns_the_flag_on(step, turns_it_on):
    """A statement that the flag itself goes on or to a share, not its alerts or dashboard."""
    assert flag_words.turns_the_flag_on(step) is turns_it_on


@pytest.mark.parametrize(
    ("step", "shares"),
    [
        ("Turn the flag on for 5% of organisers", [5.0]),
        ("flag on: 25%", [25.0]),
        # The errors' limit is no share of the rollout: 100% and 1% is no canary.
        ("Turn the flag on for 100%; roll back if errors exceed 1%", [100.0]),
        ("Enable the flag alerts for 5%", []),
        ("Put an alert on the flag for 5%", []),
        ("Turn the series toggle on for 5% of users", [5.0]),
    ],
)
def test_the_shares_the_flag_is_turned_on_for(step, shares):
    assert flag_words.flag_on_shares(step) == shares


def test_a_rollback_that_redeploys_before_the_flag_is_refused(workspace):
    edit(
        workspace,
        feature.CHECKLIST_FILE,
        "  1. Turn `BOOKING_RECURRING_BOOKINGS` off",
        "  1. Redeploy 0.1.0 by its digest.\n  2. Turn `BOOKING_RECURRING_BOOKINGS` off",
    )
    [line] = [line for line in failing(judged("10.6", workspace)) if "flag off first" in line]
    assert "first step is “Redeploy 0.1.0 by its digest.”" in line


def test_a_rollback_that_undoes_too_much_is_refused(workspace):
    edit(workspace, feature.CHECKLIST_FILE, "`alembic downgrade 0002`", "`alembic downgrade 0001`")
    edit(workspace, feature.CHECKLIST_FILE, "--downgrade-to 0002", "--downgrade-to 0001")
    lines = failing(judged("10.6", workspace))
    assert any("undoes revisions 0002, 0003" in line for line in lines), lines


def test_minus_one_is_the_same_rollback(workspace):
    edit(workspace, feature.CHECKLIST_FILE, "`alembic downgrade 0002`", "`alembic downgrade -1`")
    assert judged("10.6", workspace).ok


# --- 10.7 -----------------------------------------------------------------------------------------


def test_no_alert_on_the_series_route_is_refused(workspace):
    edit(
        workspace,
        feature.RULES_FILE,
        'route="/rooms/{room_id}/series"',
        'route="/rooms/{room_id}/bookings"',
    )
    assert any(
        'no alert of monitoring/alerts.yaml selects route="/rooms/{room_id}/series"' in line
        for line in failing(judged("10.7", workspace))
    )


@pytest.mark.parametrize(
    "selector",
    [
        'route=~"/rooms/\\\\{room_id\\\\}/series"',
        'route=~"/rooms/[^/]+/series"',
        'route=~"/rooms/.*/series"',
        'route=~".*/series.*"',
        'route=~"/rooms/\\\\{room_id\\\\}/series|/series/.*"',
        'route="/rooms/{room_id}/series",code=~"5.."',
    ],
)
def test_a_route_matched_by_a_regex_selects_the_series(workspace, selector):
    """Prometheus anchors `=~` at both ends; a regex that matches the series route (and other
    routes of the feature) selects it as `route="…"` does."""
    edit(workspace, feature.RULES_FILE, 'route="/rooms/{room_id}/series"', selector)
    result = judged("10.7", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "selector",
    [
        'route=~".*"',  # every route: the alert no longer isolates the feature
        'route=~".+"',
        'route=~"/rooms/.*"',  # and booking a room
        'route=~"/series/.*"',  # the series' other routes, not the one the canary turns on
        'route=~"series"',  # anchored: matches no route
        'route!="/rooms/{room_id}/series"',
        'route!~"/rooms/\\\\{room_id\\\\}/series"',
    ],
)
def test_a_regex_that_does_not_isolate_the_series_is_refused(workspace, selector):
    edit(workspace, feature.RULES_FILE, 'route="/rooms/{room_id}/series"', selector)
    assert any(
        'no alert of monitoring/alerts.yaml selects route="/rooms/{room_id}/series"' in line
        for line in failing(judged("10.7", workspace))
    )


def test_a_regex_that_takes_every_route_is_named(workspace):
    edit(workspace, feature.RULES_FILE, 'route="/rooms/{room_id}/series"', 'route=~".*"')
    lines = failing(judged("10.7", workspace))
    assert any(
        'selects route="/rooms/{room_id}/series" alone: `SeriesSlow` also selects '
        "/rooms/{room_id}/bookings" in line
        for line in lines
    ), lines


def test_broken_rules_yaml_is_one_line(workspace):
    write(workspace, feature.RULES_FILE, "groups: [\n")
    lines = failing(judged("10.7", workspace))
    assert lines and all("Traceback" not in line for line in lines)
    assert all("not checked until" in line for line in lines[1:])


def test_a_missing_runbook_entry_is_named(workspace):
    text = "\n".join(
        line
        for line in read(workspace, feature.RUNBOOK_FILE).splitlines()
        if not line.startswith("| SeriesSlow")
    )
    write(workspace, feature.RUNBOOK_FILE, text)
    assert any("SeriesSlow" in line for line in failing(judged("10.7", workspace)))


def test_an_objective_in_per_cent_is_stated(workspace):
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "slower than its SLO (95% within 0.3 s)",
        "slower than its SLO (95 per cent within 300 ms over 30 days)",
    )
    edit(workspace, feature.RULES_FILE, "slower than its SLO: p95 above 0.3 s", "slow")
    result = judged("10.7", workspace)
    assert result.ok, failing(result)


def test_an_entry_without_an_objective_is_refused(workspace):
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "slower than its SLO (95% within 0.3 s): p95 above 0.3 s for 15 minutes",
        "slow",
    )
    edit(workspace, feature.RULES_FILE, "slower than its SLO: p95 above 0.3 s", "slow")
    assert any("states no objective" in line for line in failing(judged("10.7", workspace)))


def without_the_objective(workspace) -> None:
    """The model's series entry and alert with the objective taken out of both."""
    edit(workspace, feature.RUNBOOK_FILE, " (95% within 0.3 s)", "")
    edit(workspace, feature.RULES_FILE, "slower than its SLO: p95 above 0.3 s", "slow")


OBJECTIVE = "95% of series booked within 0.3 s, over 30 days"
SERIES_ACTIONS = "single bookings keep working. |"


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param(
            [
                (feature.RUNBOOK_FILE, "| What it means | First actions |", "| What it means | First actions | Objective |"),
                (feature.RUNBOOK_FILE, "| --- | --- | --- | --- |\n| BookingsFastBurn", "| --- | --- | --- | --- | --- |\n| BookingsFastBurn"),
                (feature.RUNBOOK_FILE, SERIES_ACTIONS, f"{SERIES_ACTIONS} {OBJECTIVE} |"),
            ],
            id="an Objective column",
        ),
        pytest.param(
            [
                (feature.RUNBOOK_FILE, "| What it means | First actions |", "| What it means | First actions | SLO |"),
                (feature.RUNBOOK_FILE, "| --- | --- | --- | --- |\n| BookingsFastBurn", "| --- | --- | --- | --- | --- |\n| BookingsFastBurn"),
                (feature.RUNBOOK_FILE, SERIES_ACTIONS, f"{SERIES_ACTIONS} 95 per cent within 300 ms |"),
            ],
            id="an SLO column, in words",
        ),
        pytest.param(
            [(feature.RUNBOOK_FILE, "1. Is a migration", f"0. The objective: {OBJECTIVE}. 1. Is a migration")],
            id="in the first actions",
        ),
        pytest.param(
            [(feature.RULES_FILE, 'summary: "Booking a series is slow"', f'summary: "Booking a series is slow"\n          description: "{OBJECTIVE}"')],
            id="in the alert's description",
        ),
    ],
)  # fmt: skip
def test_the_objective_in_any_part_of_the_entry_is_stated(workspace, edits):
    without_the_objective(workspace)
    for relative, old, new in edits:
        edit(workspace, relative, old, new)
    result = judged("10.7", workspace)
    assert result.ok, failing(result)


def test_an_entry_written_as_a_subsection_passes(workspace):
    """`### SeriesSlow` with its objective and first actions under it, not a row of the table."""
    text = "\n".join(
        line
        for line in read(workspace, feature.RUNBOOK_FILE).splitlines()
        if not line.startswith("| SeriesSlow")
    )
    subsection = (
        "### SeriesSlow (ticket)\n\n"
        f"Objective: {OBJECTIVE}.\n\n"
        "#### First actions\n\n"
        "1. Is a migration holding the write lock?\n"
        "2. If users complain, switch the `BOOKING_RECURRING_BOOKINGS` flag off.\n\n"
    )
    write(
        workspace,
        feature.RUNBOOK_FILE,
        text.replace("## Common failures", subsection + "## Common failures"),
    )
    without = text.replace(
        "## Common failures", subsection.replace("flag off", "flag on") + "## Common failures"
    )
    result = judged("10.7", workspace)
    assert result.ok, failing(result)
    write(workspace, feature.RUNBOOK_FILE, without)
    lines = failing(judged("10.7", workspace))
    assert any("never turns BOOKING_RECURRING_BOOKINGS off" in line for line in lines), lines


def test_the_flags_share_is_not_the_objective(workspace):
    """Setting the flag to 0% turns it off; the share is the rollout's, not an objective."""
    without_the_objective(workspace)
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "turn `BOOKING_RECURRING_BOOKINGS` off",
        "set `BOOKING_RECURRING_BOOKINGS` to 0% of the traffic",
    )
    lines = failing(judged("10.7", workspace))
    assert len(lines) == 1 and "states no objective" in lines[0], lines


def test_an_objective_in_another_alerts_entry_is_not_the_series(workspace):
    without_the_objective(workspace)
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "| Errors are slightly above what the SLO allows, over days |",
        f"| Errors are slightly above what the SLO allows, over days; series: {OBJECTIVE} |",
    )
    assert any("states no objective" in line for line in failing(judged("10.7", workspace)))


@pytest.mark.parametrize(
    "action",
    [
        "set `BOOKING_RECURRING_BOOKINGS=false`: single bookings keep working.",
        "disable the flag `BOOKING_RECURRING_BOOKINGS`; single bookings keep working.",
        "switch the recurring-bookings flag off (`BOOKING_RECURRING_BOOKINGS`); single bookings keep working.",
        "turn `BOOKING_RECURRING_BOOKINGS` off, then tell the PM: single bookings keep working.",
        "switch the flag off: single bookings keep working.",
        "set `BOOKING_RECURRING_BOOKINGS` to 0 %: single bookings keep working.",
        "turn off `series_bookings`: single bookings keep working.",
        "make sure `BOOKING_RECURRING_BOOKINGS` is off: single bookings keep working.",
        "set `recurring_bookings=false`: single bookings keep working.",
        "flip the series toggle off (`BOOKING_RECURRING_BOOKINGS`): single bookings keep working.",
        "pull the kill switch, `BOOKING_RECURRING_BOOKINGS`: single bookings keep working.",
        "make sure the share of `BOOKING_RECURRING_BOOKINGS` is 0%: single bookings keep working.",
    ],
)
def test_other_words_for_turning_the_flag_off_pass(workspace, action):
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "turn `BOOKING_RECURRING_BOOKINGS` off: single bookings keep working.",
        action,
    )
    result = judged("10.7", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "action",
    [
        "page the tech lead.",
        "keep `BOOKING_RECURRING_BOOKINGS` on and redeploy 0.1.0.",
        "do not turn `BOOKING_RECURRING_BOOKINGS` off: redeploy 0.1.0 instead.",
        "check that `BOOKING_RECURRING_BOOKINGS` is on. 4. Turn off the nightly backup.",
        "we never turn `BOOKING_RECURRING_BOOKINGS` off: redeploy 0.1.0 instead.",
        "keep `BOOKING_RECURRING_BOOKINGS` on and wait for off-peak traffic.",
        "keep `BOOKING_RECURRING_BOOKINGS` on: the false alarms stop by themselves.",
        "disable `POST /rooms/{room_id}/series` at the gateway, then page the tech lead.",
        "open the `BOOKING_RECURRING_BOOKINGS` dashboard and turn it off.",
        "turn off the alert on `BOOKING_RECURRING_BOOKINGS`, then page the tech lead.",
        "set the alert threshold of `BOOKING_RECURRING_BOOKINGS` to 0%, then page the tech lead.",
    ],
)
def test_first_actions_that_never_turn_the_flag_off_are_refused(workspace, action):
    edit(
        workspace,
        feature.RUNBOOK_FILE,
        "turn `BOOKING_RECURRING_BOOKINGS` off: single bookings keep working.",
        action,
    )
    lines = failing(judged("10.7", workspace))
    assert any(
        "the runbook entry for SeriesSlow never turns BOOKING_RECURRING_BOOKINGS off" in line
        for line in lines
    ), lines


# --- 10.8 -----------------------------------------------------------------------------------------


def test_a_patch_release_for_a_feature_is_refused(workspace):
    for relative in (feature.CHANGELOG_FILE, "pyproject.toml", "src/booking_service/__init__.py"):
        write(workspace, relative, read(workspace, relative).replace("0.2.0", "0.1.1"))
    [line] = [line for line in failing(judged("10.8", workspace)) if "next one" in line]
    assert "the release is 0.1.1; from 0.1.0" in line and "makes 0.2.0" in line


def test_versions_that_disagree_are_quoted(workspace):
    write(workspace, "src/booking_service/__init__.py", '__version__ = "0.1.0"\n')
    assert any(
        "src/booking_service/__init__.py says 0.1.0, the release note 0.2.0" in line
        for line in failing(judged("10.8", workspace))
    )


def test_bracketed_and_v_prefixed_headings_count(workspace):
    edit(workspace, feature.CHANGELOG_FILE, "## 0.2.0 - 2030-03-16", "## [v0.2.0] - 2030-03-16")
    assert judged("10.8", workspace).ok


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        (feature.CHANGELOG_FILE, "## 0.2.0 - 2030-03-16", "## Version 0.2.0 (2030-03-16)"),
        (feature.CHANGELOG_FILE, "## 0.2.0 - 2030-03-16", "## [Unreleased]\n\n## [0.2.0] - 2030-03-16"),
        (feature.CHANGELOG_FILE, "### Added", "### Features"),
        ("src/booking_service/__init__.py", '__version__ = "0.2.0"', '__version__: str = "0.2.0"'),
    ],
)  # fmt: skip
def test_other_ways_to_write_the_release_pass(workspace, relative, old, new):
    edit(workspace, relative, old, new)
    result = judged("10.8", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "added", ["**Added**", "__Added__", "**Added:**", "Added:", "**New features**"]
)
def test_a_category_in_bold_on_its_own_line_is_a_section(workspace, added):
    """Many changelogs label their categories in bold rather than with `### `."""
    edit(workspace, feature.CHANGELOG_FILE, "### Added", added)
    edit(workspace, feature.CHANGELOG_FILE, "### Changed", added.replace("Added", "Changed"))
    result = judged("10.8", workspace)
    assert result.ok, failing(result)


@pytest.mark.parametrize(
    "entry",
    [
        "### Changed",
        "**Changed**",
        "",  # no category at all: the bullets straight under the version
        "We **added** recurring bookings:",
        "- **Added** recurring bookings",
        "**Added** recurring weekly bookings, behind the flag.",
    ],
)
def test_an_entry_without_an_added_or_features_section_is_refused(workspace, entry):
    edit(workspace, feature.CHANGELOG_FILE, "### Added", entry)
    assert any("no `### Added` section" in line for line in failing(judged("10.8", workspace)))


def test_a_package_without_a_version_says_so(workspace):
    write(workspace, "src/booking_service/__init__.py", '"""The booking service."""\n')
    assert any(
        "src/booking_service/__init__.py sets no `__version__" in line
        for line in failing(judged("10.8", workspace))
    )


def test_an_entry_that_does_not_name_the_flag_is_refused(workspace):
    write(
        workspace,
        feature.CHANGELOG_FILE,
        read(workspace, feature.CHANGELOG_FILE).replace(feature.FLAG, "a flag"),
    )
    assert any("does not name the flag" in line for line in failing(judged("10.8", workspace)))


@pytest.mark.parametrize(
    ("current", "messages", "expected"),
    [
        ("0.1.0", ["feat: series"], "0.2.0"),
        ("1.4.2", ["fix: x"], "1.4.3"),
        ("1.4.2", ["feat(api)!: x"], "2.0.0"),
        ("0.3.1", ["feat!: x"], "0.4.0"),
        ("1.4.2", ["fix: x\n\nBREAKING CHANGE: y"], "2.0.0"),
        ("1.4.2", ["docs: x", "chore: y"], "1.4.2"),
        ("1.9.9", ["FIX: x"], "1.9.10"),
    ],
)
def test_next_version_follows_stage_06s_rules(current, messages, expected):
    assert release.next_version(current, messages) == expected


def test_a_version_that_is_not_semver_raises():
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        release.next_version("1.4", ["fix: x"])


def test_nothing_the_checks_do_changes_the_project_or_its_history(workspace):
    root = project.locate(workspace)
    head = project.Git(root).head()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
    ).stdout
    for exercise_id in ("10.1", "10.2", "10.6", "10.7", "10.8"):
        judged(exercise_id, workspace)
    assert project.Git(root).head() == head
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
        ).stdout
        == status
    )
