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
