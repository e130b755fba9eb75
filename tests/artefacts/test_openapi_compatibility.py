"""The compatibility differ: each change to a spec, breaking or not, quoting both sides."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

from onboarding import project
from onboarding.artefacts.openapi_compatibility import Change, breaking_changes, compatibility

REFERENCE = yaml.safe_load(resources.files("bookings").joinpath("openapi.yaml").read_text())
SCHEMAS = ("components", "schemas")
LIST = ("paths", "/rooms/{room_id}/bookings", "get")
CREATE = ("paths", "/rooms/{room_id}/bookings", "post")


def at(spec: dict, parts: tuple) -> dict:
    for part in parts:
        spec = spec[part]
    return spec


def changed(change) -> dict:
    spec = copy.deepcopy(REFERENCE)
    change(spec)
    return spec


def test_an_unchanged_spec_has_no_changes():
    assert compatibility(REFERENCE, copy.deepcopy(REFERENCE)) == []


CASES = [
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate", "properties")).__setitem__(
            "note", {"type": "string"}
        ),
        Change(False, "request BookingCreate.note", "absent", "an optional string"),
    ),
    (
        lambda s: (
            at(s, (*SCHEMAS, "BookingCreate", "properties")).__setitem__(
                "purpose", {"type": "string"}
            ),
            at(s, (*SCHEMAS, "BookingCreate", "required")).append("purpose"),
        ),
        Change(
            True,
            "request BookingCreate.purpose",
            "absent",
            "a required string",
            "clients that do not send it are refused",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking", "properties")).__setitem__(
            "room_name", {"type": "string"}
        ),
        Change(False, "response Booking.room_name", "absent", "an optional string"),
    ),
    (
        lambda s: (
            at(s, (*SCHEMAS, "Booking", "properties")).pop("cancelled_at"),
            at(s, (*SCHEMAS, "Booking", "required")).remove("cancelled_at"),
        ),
        Change(
            True,
            "response Booking.cancelled_at",
            "a required string or null",
            "absent",
            "clients that read it break",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking", "required")).remove("cancelled_at"),
        Change(
            True,
            "response Booking.cancelled_at",
            "required",
            "optional",
            "clients that expect it in every answer break",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate", "properties", "attendees")).__setitem__(
            "type", "string"
        ),
        Change(
            True,
            "request BookingCreate.attendees",
            "integer",
            "string",
            "clients send a type it no longer takes",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate", "properties", "organiser")).__setitem__(
            "type", ["string", "null"]
        ),
        Change(False, "request BookingCreate.organiser", "string", "string or null"),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking", "properties", "organiser")).__setitem__(
            "type", ["string", "null"]
        ),
        Change(
            True,
            "response Booking.organiser",
            "string",
            "string or null",
            "clients that expect a value get null",
        ),
    ),
    (
        lambda s: s["paths"].pop("/health/live"),
        Change(
            True,
            "operation GET /health/live",
            "present",
            "absent",
            "clients that call it get an error",
        ),
    ),
    (
        lambda s: s["paths"].__setitem__(
            "/rooms/{room_id}", {"get": at(s, ("paths", "/rooms", "get"))}
        ),
        Change(False, "operation GET /rooms/{room_id}", "absent", "present"),
    ),
    (
        lambda s: at(s, LIST)["parameters"].append(
            {"name": "day", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        Change(
            True,
            "GET /rooms/{room_id}/bookings query parameter day",
            "absent",
            "required",
            "requests without it are refused",
        ),
    ),
    (
        lambda s: at(s, LIST)["parameters"].append(
            {"name": "day", "in": "query", "schema": {"type": "string"}}
        ),
        Change(False, "GET /rooms/{room_id}/bookings query parameter day", "absent", "optional"),
    ),
    (
        lambda s: at(s, (*LIST, "responses", "200", "content", "application/json")).update(
            schema={"type": "object"}, examples={}
        ),
        Change(
            True,
            "response 200 of GET /rooms/{room_id}/bookings",
            "array",
            "object",
            "clients read a new type",
        ),
    ),
    (
        lambda s: at(s, (*CREATE, "responses")).pop("201"),
        Change(
            True,
            "POST /rooms/{room_id}/bookings response 201",
            "documented",
            "absent",
            "clients expect it when the call succeeds",
        ),
    ),
    (
        lambda s: at(s, (*CREATE, "responses")).__setitem__(
            "429", {"description": "Too many requests"}
        ),
        Change(
            False,
            "POST /rooms/{room_id}/bookings response 429",
            "absent",
            "documented",
            "a client that assumed the list was complete",
        ),
    ),
    (
        lambda s: at(s, LIST)["parameters"][1]["schema"].__setitem__("maximum", 50),
        Change(
            True,
            "GET /rooms/{room_id}/bookings query parameter limit",
            "maximum 100",
            "maximum 50",
            "clients that send larger numbers are refused",
        ),
    ),
    (
        lambda s: at(s, LIST)["parameters"][1]["schema"].__setitem__("maximum", 500),
        Change(
            False,
            "GET /rooms/{room_id}/bookings query parameter limit",
            "maximum 100",
            "maximum 500",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate", "properties", "organiser")).__setitem__(
            "maxLength", 100
        ),
        Change(
            True,
            "request BookingCreate.organiser",
            "maxLength 254",
            "maxLength 100",
            "clients that send longer strings are refused",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking", "properties", "attendees")).pop("minimum"),
        Change(
            True,
            "response Booking.attendees",
            "minimum 1",
            "no minimum",
            "clients that rely on the old minimum may read smaller numbers",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking", "properties", "organiser")).pop("type"),
        Change(
            True,
            "response Booking.organiser",
            "string",
            "any type",
            "clients that rely on its type may read any other",
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate", "properties", "organiser")).pop("type"),
        Change(False, "request BookingCreate.organiser", "string", "any type"),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "BookingCreate")).pop("additionalProperties"),
        Change(
            False, "request BookingCreate", "additionalProperties false", "other fields allowed"
        ),
    ),
    (
        lambda s: at(s, (*SCHEMAS, "Booking")).pop("additionalProperties"),
        Change(False, "response Booking", "additionalProperties false", "other fields allowed"),
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_each_change_is_judged_and_described(change, expected):
    assert compatibility(REFERENCE, changed(change)) == [expected]


def test_the_description_quotes_both_sides():
    change = Change(True, "request BookingCreate.purpose", "absent", "a required string", "why")
    assert change.description == (
        "request BookingCreate.purpose: absent in the old spec, a required string in the new (why)"
    )
    assert str(change) == f"breaking: {change.description}"
    assert Change(False, "x", "a", "b").verdict == "compatible"


def test_a_renamed_path_parameter_is_no_change():
    """`{roomId}` for `{room_id}`: a client cannot tell."""

    def rename(spec: dict) -> None:
        spec["paths"]["/rooms/{roomId}/bookings"] = spec["paths"].pop("/rooms/{room_id}/bookings")
        spec["components"]["parameters"]["RoomId"]["name"] = "roomId"

    assert compatibility(REFERENCE, changed(rename)) == []


def test_a_path_item_moved_to_components_is_no_change():
    """OpenAPI 3.1's components/pathItems: the operations are the same, written elsewhere."""

    def move(spec: dict) -> None:
        spec.setdefault("components", {})["pathItems"] = {
            "Bookings": spec["paths"]["/rooms/{room_id}/bookings"]
        }
        spec["paths"]["/rooms/{room_id}/bookings"] = {"$ref": "#/components/pathItems/Bookings"}

    assert compatibility(REFERENCE, changed(move)) == []
    removed = changed(move)
    del removed["components"]["pathItems"]["Bookings"]["post"]
    assert breaking_changes(REFERENCE, removed)


def test_a_shared_schema_is_reported_once():
    """Booking is returned by four operations; its new field is one change."""
    found = compatibility(
        REFERENCE,
        changed(
            lambda s: at(s, (*SCHEMAS, "Booking", "properties")).__setitem__(
                "room_name", {"type": "string"}
            )
        ),
    )
    assert len(found) == 1


@pytest.mark.parametrize("stage", ["02", "09"])
def test_the_courses_own_capstone_change_is_compatible(stage):
    """The capstone's model spec adds the series operations to the spec of stage 02 (and 09),
    changing no limit, type or field: every rule the differ judges lets it through."""
    before = yaml.safe_load(project.reference(stage)["openapi.yaml"])
    after = yaml.safe_load(project.reference("10")["openapi.yaml"])
    assert breaking_changes(before, after) == []


def test_breaking_changes_come_first_and_alone_on_request():
    def two_changes(spec: dict) -> None:
        at(spec, (*SCHEMAS, "Booking", "properties"))["room_name"] = {"type": "string"}
        spec["paths"].pop("/health/live")

    found = compatibility(REFERENCE, changed(two_changes))
    assert [change.breaking for change in found] == [True, False]
    assert breaking_changes(REFERENCE, changed(two_changes)) == found[:1]


def test_a_recursive_schema_does_not_loop():
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/nodes": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Node"}},
                }
            }
        },
    }
    new = copy.deepcopy(spec)
    new["components"]["schemas"]["Node"]["properties"]["name"] = {"type": "string"}
    assert [change.subject for change in compatibility(spec, new)] == ["response Node.name"]


@pytest.mark.parametrize("odd", [{}, {"paths": None}, {"paths": {"/x": None}}, {"paths": []}])
def test_odd_documents_give_changes_not_errors(odd):
    assert all(isinstance(change, Change) for change in compatibility(REFERENCE, odd))
    assert all(isinstance(change, Change) for change in compatibility(odd, REFERENCE))


# --- Wrong answers that looked compatible, and right ones that looked breaking ----------------
PROPERTIES = {"request": (*SCHEMAS, "BookingCreate"), "response": (*SCHEMAS, "Booking")}


def with_purpose(side: str, **schema) -> dict:
    """The reference spec with a `purpose` property on the request or on the booking."""
    spec = copy.deepcopy(REFERENCE)
    at(spec, (*PROPERTIES[side], "properties"))["purpose"] = {"type": "string", **schema}
    return spec


def purpose_changed(side: str, old: dict, new: dict) -> list[tuple[bool, str]]:
    """(breaking, subject) of each change when `purpose` goes from `old` to `new`."""
    return [
        (change.breaking, change.subject)
        for change in compatibility(with_purpose(side, **old), with_purpose(side, **new))
    ]


@pytest.mark.parametrize(
    ("side", "old", "new", "breaking"),
    [
        # An enum where any string was taken refuses what clients send today.
        pytest.param("request", {}, {"enum": ["meeting", "interview"]}, True, id="enum-added-sent"),
        pytest.param("request", {}, {"const": "meeting"}, True, id="const-added-sent"),
        pytest.param(
            "request", {"enum": ["a", "b"]}, {"const": "a"}, True, id="enum-narrowed-to-a-const"
        ),
        pytest.param("request", {"enum": ["a", "b"]}, {}, False, id="enum-dropped-sent"),
        # Without its enum, a response field may hold a value no client has seen.
        pytest.param("response", {"enum": ["a", "b"]}, {}, True, id="enum-dropped-read"),
        pytest.param("response", {}, {"enum": ["a", "b"]}, False, id="enum-added-read"),
        pytest.param("response", {"const": "a"}, {"enum": ["a", "b"]}, True, id="const-widened"),
    ],
)
def test_an_enum_or_a_const_appearing_or_going_is_judged(side, old, new, breaking):
    subject = f"{side} {PROPERTIES[side][-1]}.purpose"
    assert purpose_changed(side, old, new) == [(breaking, subject)]


@pytest.mark.parametrize("side", ["request", "response"])
def test_an_enum_of_every_boolean_is_no_change(side):
    """`enum: [true, false]` names every value `type: boolean` takes."""
    boolean = {"type": "boolean"}
    assert purpose_changed(side, boolean, {**boolean, "enum": [True, False]}) == []
    assert purpose_changed(side, boolean, {**boolean, "const": True}) == [
        (side == "request", f"{side} {PROPERTIES[side][-1]}.purpose")
    ]
    assert purpose_changed(side, boolean, {"type": ["boolean", "null"]}) == [
        (side == "response", f"{side} {PROPERTIES[side][-1]}.purpose")
    ]


@pytest.mark.parametrize(
    ("side", "old", "new", "breaking"),
    [
        # Every integer is a number: a request field that now takes any number takes all it took.
        pytest.param("request", "integer", "number", False, id="integer-to-number-sent"),
        pytest.param("response", "number", "integer", False, id="number-to-integer-read"),
        pytest.param("request", "number", "integer", True, id="number-to-integer-sent"),
        pytest.param("response", "integer", "number", True, id="integer-to-number-read"),
    ],
)
def test_an_integer_is_a_number(side, old, new, breaking):
    subject = f"{side} {PROPERTIES[side][-1]}.purpose"
    assert purpose_changed(side, {"type": old}, {"type": new}) == [(breaking, subject)]


STRING, INTEGER, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "number"}
ARRAY, OBJECT = {"type": "array", "items": {"type": "string"}}, {"type": "object"}


def purpose_judged(side: str, old: dict, new: dict) -> list[tuple[bool, str]]:
    """(breaking, subject) of each change when `purpose` is exactly `old`, then `new`."""
    specs = []
    for schema in (old, new):
        spec = copy.deepcopy(REFERENCE)
        at(spec, (*PROPERTIES[side], "properties"))["purpose"] = schema
        specs.append(spec)
    return [(change.breaking, change.subject) for change in compatibility(*specs)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # One step tighter than the old limit, or a limit where there was none.
        pytest.param({**STRING, "maxLength": 200}, {**STRING, "maxLength": 199}, id="maxLength"),
        pytest.param(STRING, {**STRING, "maxLength": 100}, id="maxLength-new"),
        pytest.param({**STRING, "minLength": 1}, {**STRING, "minLength": 2}, id="minLength"),
        pytest.param(STRING, {**STRING, "minLength": 1}, id="minLength-new"),
        pytest.param({**INTEGER, "minimum": 1}, {**INTEGER, "minimum": 2}, id="minimum"),
        pytest.param(INTEGER, {**INTEGER, "minimum": 0}, id="minimum-new"),
        pytest.param({**INTEGER, "maximum": 100}, {**INTEGER, "maximum": 99}, id="maximum"),
        pytest.param(
            {**NUMBER, "minimum": 0}, {**NUMBER, "exclusiveMinimum": 0}, id="minimum-made-exclusive"
        ),
        pytest.param(
            {**INTEGER, "exclusiveMinimum": 0},
            {**INTEGER, "minimum": 2},
            id="exclusive-to-inclusive",
        ),
        pytest.param(
            {**NUMBER, "maximum": 10},
            {**NUMBER, "maximum": 10, "exclusiveMaximum": True},
            id="openapi-3.0-exclusive-flag",
        ),
        pytest.param({**INTEGER, "multipleOf": 5}, {**INTEGER, "multipleOf": 10}, id="multipleOf"),
        pytest.param(
            {**NUMBER, "multipleOf": 0.1}, {**NUMBER, "multipleOf": 0.3}, id="decimal-step"
        ),
        pytest.param({**ARRAY, "maxItems": 3}, {**ARRAY, "maxItems": 2}, id="maxItems"),
        pytest.param(ARRAY, {**ARRAY, "minItems": 1}, id="minItems"),
        pytest.param({**OBJECT, "maxProperties": 3}, {**OBJECT, "maxProperties": 2}, id="maxProps"),
        pytest.param(OBJECT, {**OBJECT, "minProperties": 1}, id="minProperties"),
        pytest.param(STRING, {**STRING, "pattern": "^[a-z]+$"}, id="pattern-new"),
        pytest.param(STRING, {**STRING, "format": "date-time"}, id="format-new"),
        pytest.param({**STRING, "format": "uri-reference"}, {**STRING, "format": "uri"}, id="uri"),
        pytest.param({**INTEGER, "format": "int64"}, {**INTEGER, "format": "int32"}, id="int32"),
        pytest.param({"type": ["string", "null"]}, STRING, id="type-narrower"),
        pytest.param({}, STRING, id="type-new"),
        pytest.param({"description": "Why."}, {**STRING, "description": "Why."}, id="type-new-2"),
    ],
)
def test_a_narrower_limit_breaks_requests_and_a_wider_one_responses(old, new):
    """Clients send what they sent before, and read only what the old spec promised: the same
    change breaks one side, and its reverse the other."""

    def subject(side: str) -> str:
        return f"{side} {PROPERTIES[side][-1]}.purpose"

    assert purpose_judged("request", old, new) == [(True, subject("request"))]
    assert purpose_judged("response", old, new) == [(False, subject("response"))]
    assert purpose_judged("request", new, old) == [(False, subject("request"))]
    assert purpose_judged("response", new, old) == [(True, subject("response"))]


@pytest.mark.parametrize("side", ["request", "response"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param({**STRING, "maxLength": 100}, {**STRING, "maxLength": 100.0}, id="a-float"),
        pytest.param(STRING, {**STRING, "minLength": 0}, id="minLength-0-is-none"),
        pytest.param(ARRAY, {**ARRAY, "minItems": 0}, id="minItems-0-is-none"),
        pytest.param(
            {**INTEGER, "minimum": 1}, {**INTEGER, "exclusiveMinimum": 0}, id="integer-exclusive"
        ),
        pytest.param(
            {**INTEGER, "maximum": 99}, {**INTEGER, "exclusiveMaximum": 100}, id="integer-max"
        ),
        pytest.param({**INTEGER, "minimum": 1}, {**INTEGER, "minimum": 0.5}, id="integer-half"),
        pytest.param(
            {"type": ["integer", "null"], "minimum": 1},
            {"type": ["integer", "null"], "exclusiveMinimum": 0},
            id="nullable-integer-exclusive",
        ),
        pytest.param(
            {**NUMBER, "minimum": 0, "exclusiveMinimum": True},
            {**NUMBER, "exclusiveMinimum": 0},
            id="openapi-3.0-and-3.1-exclusive",
        ),
        pytest.param(
            {**INTEGER, "minimum": 1},
            {**INTEGER, "minimum": 1, "exclusiveMinimum": 0},
            id="both-minimums",
        ),
        pytest.param({**NUMBER, "multipleOf": 1}, {**NUMBER, "multipleOf": 1.0}, id="step"),
        pytest.param(STRING, {**STRING, "format": "password"}, id="format-that-refuses-nothing"),
        pytest.param(STRING, {**STRING, "format": "our-own-format"}, id="format-unknown"),
        pytest.param({**STRING, "maxLength": 10}, {**STRING, "maxLength": "ten"}, id="no-number"),
        pytest.param({**STRING, "maxLength": 10}, {**STRING, "maxLength": True}, id="a-boolean"),
        pytest.param(
            {**OBJECT, "additionalProperties": True}, OBJECT, id="additional-true-is-the-default"
        ),
        pytest.param(
            {"properties": {"a": STRING}},
            {**OBJECT, "properties": {"a": STRING}},
            id="properties-imply-an-object",
        ),
        pytest.param({"items": STRING}, ARRAY, id="items-imply-an-array"),
        pytest.param(
            {**STRING, "maxLength": 10},
            {"allOf": [{**STRING, "maxLength": 10}], "description": "Why."},
            id="limit-in-an-all-of",
        ),
    ],
)
def test_a_limit_written_otherwise_is_no_change(side, old, new):
    assert purpose_judged(side, old, new) == []
    assert purpose_judged(side, new, old) == []


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_changed_type_is_reported_once_not_with_its_limits(side):
    """`maxLength` says nothing about an integer: a string that becomes one is its type's change."""
    old, new = {**STRING, "maxLength": 10}, {**INTEGER, "maximum": 5}
    assert purpose_judged(side, old, new) == [(True, f"{side} {PROPERTIES[side][-1]}.purpose")]


@pytest.mark.parametrize("side", ["request", "response"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param({"pattern": "^[a-z]+$"}, {"pattern": "^[a-z0-9]+$"}, id="pattern"),
        pytest.param({"format": "date-time"}, {"format": "date"}, id="format"),
    ],
)
def test_a_changed_pattern_or_format_is_breaking_both_ways(side, old, new):
    """Whether one regular expression matches all another does is beyond the differ."""
    assert purpose_changed(side, old, new) == [(True, f"{side} {PROPERTIES[side][-1]}.purpose")]


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_type_behind_a_ref_the_differ_cannot_follow_is_not_taken_for_any_type(side):
    assert purpose_judged(side, STRING, {"$ref": "common.yaml#/Purpose"}) == []
    assert purpose_judged(side, STRING, {"allOf": [{"$ref": "#/nowhere"}]}) == []


def test_a_closed_request_refuses_fields_clients_may_send():
    def open_(spec: dict) -> None:
        at(spec, (*SCHEMAS, "BookingCreate")).pop("additionalProperties")

    assert compatibility(changed(open_), REFERENCE) == [
        Change(
            True,
            "request BookingCreate",
            "other fields allowed",
            "additionalProperties false",
            "clients that send fields it does not list are refused",
        )
    ]


def test_a_response_that_may_hold_other_fields_is_compatible_as_a_new_field_is():
    """Clients ignore response fields they do not know, listed or not."""
    closed = {**OBJECT, "additionalProperties": False}
    for old, new in ((closed, OBJECT), (closed, {**OBJECT, "additionalProperties": STRING})):
        assert purpose_judged("response", old, new) == [(False, "response Booking.purpose")]
        assert purpose_judged("response", new, old) == [(False, "response Booking.purpose")]
    assert purpose_judged("request", closed, OBJECT) == [(False, "request BookingCreate.purpose")]
    assert purpose_judged("request", OBJECT, closed) == [(True, "request BookingCreate.purpose")]


@pytest.mark.parametrize(
    ("side", "old", "new", "breaking"),
    [
        pytest.param("request", INTEGER, NUMBER, False, id="request-wider"),
        pytest.param("request", NUMBER, INTEGER, True, id="request-narrower"),
        pytest.param("response", INTEGER, NUMBER, True, id="response-wider"),
        pytest.param("response", NUMBER, INTEGER, False, id="response-narrower"),
        pytest.param("response", INTEGER, {}, True, id="response-type-gone"),
        pytest.param("request", INTEGER, {}, False, id="request-type-gone"),
        pytest.param("response", {**INTEGER, "maximum": 9}, INTEGER, True, id="response-limit"),
    ],
)
def test_the_values_of_a_map_are_judged_as_any_schema(side, old, new, breaking):
    """`additionalProperties: {type: integer}`: the values of a map, which clients send or read."""

    def map_of(values: dict) -> dict:
        return {**OBJECT, "additionalProperties": values}

    subject = f"{side} {PROPERTIES[side][-1]}.purpose.*"
    assert purpose_judged(side, map_of(old), map_of(new)) == [(breaking, subject)]


@pytest.mark.parametrize(
    "nullable",
    [
        pytest.param({"anyOf": [{"type": "integer"}, {"type": "null"}]}, id="any-of"),
        pytest.param({"oneOf": [{"type": "integer"}, {"const": None}]}, id="one-of-a-const"),
        pytest.param(
            {"anyOf": [{"$ref": "#/components/schemas/Booking/properties/id"}, {"enum": [None]}]},
            id="any-of-a-ref",
        ),
    ],
)
def test_null_allowed_through_alternatives_is_judged_as_a_type_list_is(nullable):
    """`anyOf: [{type: integer}, {type: "null"}]` is `type: [integer, "null"]`."""

    def change(spec: dict) -> None:
        at(spec, (*SCHEMAS, "Booking", "properties"))["room_id"] = nullable

    found = compatibility(REFERENCE, changed(change))
    assert [(c.breaking, c.subject, c.new) for c in found] == [
        (True, "response Booking.room_id", "integer or null")
    ]


def test_a_required_field_written_beside_a_ref_is_breaking():
    """OpenAPI 3.1: `{$ref: BookingCreate, required: [purpose], …}` is BookingCreate and more."""

    def change(spec: dict) -> None:
        at(spec, (*CREATE, "requestBody", "content", "application/json"))["schema"] = {
            "$ref": "#/components/schemas/BookingCreate",
            "required": ["purpose"],
            "properties": {"purpose": {"type": "string"}},
        }

    assert [(c.breaking, c.subject) for c in compatibility(REFERENCE, changed(change))] == [
        (True, "request body of POST /rooms/{room_id}/bookings.purpose")
    ]


def test_a_ref_with_only_a_description_beside_it_is_no_change():
    def change(spec: dict) -> None:
        media = at(spec, (*CREATE, "requestBody", "content", "application/json"))
        media["schema"] = {**media["schema"], "description": "What a client sends."}

    assert compatibility(REFERENCE, changed(change)) == []


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        pytest.param(
            lambda s: at(s, (*CREATE, "responses", "201")).pop("content"),
            "POST /rooms/{room_id}/bookings response 201",
            id="success-body-removed",
        ),
        pytest.param(
            lambda s: at(s, (*CREATE, "requestBody")).__setitem__(
                "content",
                {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
            ),
            "POST /rooms/{room_id}/bookings request body",
            id="request-no-longer-json",
        ),
    ],
)
def test_a_json_body_that_goes_away_is_breaking(change, subject):
    found = compatibility(REFERENCE, changed(change))
    assert [(c.breaking, c.subject) for c in found] == [(True, subject)]
