"""The compatibility differ: each change to a spec, breaking or not, quoting both sides."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

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
