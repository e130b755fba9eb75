"""Reading an OpenAPI document: parsing, finding one's way, validity."""

from __future__ import annotations

from importlib import resources

import pytest

from onboarding.artefacts import openapi
from onboarding.checks import ArtefactError, CheckFailed

REFERENCE_TEXT = resources.files("bookings").joinpath("openapi.yaml").read_text(encoding="utf-8")


def test_the_reference_spec_is_valid_and_its_examples_match():
    spec = openapi.parse_spec(REFERENCE_TEXT)
    assert openapi.validity_problems(spec) == []
    assert openapi.example_problems(spec) == []
    assert len(list(openapi.operations(spec))) == 8


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("openapi: [3.1\n", ArtefactError, "openapi.yaml is not valid YAML: line 2, column 1"),
        ("", CheckFailed, "openapi.yaml is empty"),
        ("- a\n", CheckFailed, "openapi.yaml holds a list, not a mapping"),
    ],
)
def test_a_document_that_is_not_a_spec_is_named(text, error, message):
    with pytest.raises(error, match=message):
        openapi.parse_spec(text)


@pytest.mark.parametrize(
    ("path", "shape"),
    [("/rooms/{roomId}/bookings", "/rooms/{}/bookings"), ("/rooms/", "/rooms"), ("/", "/")],
)
def test_a_paths_shape_ignores_parameter_names(path, shape):
    assert openapi.template(path) == shape


def test_references_are_followed_and_located():
    spec = openapi.parse_spec(REFERENCE_TEXT)
    node, parts = openapi.resolve(spec, {"$ref": "#/components/schemas/Room"}, ())
    assert parts == ("components", "schemas", "Room")
    assert set(node["properties"]) == {"id", "name", "capacity"}
    assert openapi.resolve(spec, {"$ref": "#/components/schemas/Nope"}, ())[0] is None


def secret_spec(request_example: dict, response_example: dict, schema_example: dict) -> dict:
    """One schema for both sides: `id` readOnly and `secret` writeOnly, both in `required`,
    one of them through `allOf`."""
    thing = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": thing, "example": request_example}
                        }
                    },
                    "responses": {"201": {"$ref": "#/components/responses/Created"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "allOf": [{"$ref": "#/components/schemas/Named"}],
                    "required": ["id", "name", "secret"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "secret": {"$ref": "#/components/schemas/Secret"},
                    },
                    "examples": [schema_example],
                },
                "Named": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                },
                "Secret": {"type": "string", "writeOnly": True},
            },
            "responses": {
                "Created": {
                    "description": "Made.",
                    "content": {"application/json": {"schema": thing, "example": response_example}},
                }
            },
        },
    }


def test_read_only_and_write_only_properties_are_required_on_their_own_side_only():
    """OpenAPI: a readOnly property in `required` is required in responses only, a writeOnly
    one in requests only; a schema's own example may show either side."""
    spec = secret_spec({"name": "a", "secret": "s"}, {"id": 1, "name": "a"}, {"id": 1, "name": "a"})
    assert openapi.example_problems(spec) == []
    spec = secret_spec({"id": 1, "name": "a"}, {"name": "a", "secret": "s"}, {"name": "a"})
    assert openapi.example_problems(spec) == [
        "paths./things.post.requestBody.content.application/json.example: 'secret' is a"
        " required property",
        "components.responses.Created.content.application/json.example: 'id' is a required"
        " property",
        "components.schemas.Thing.examples[0]: 'secret' is a required property",
    ]


SPEC_WITH_ONE_EXAMPLE = """
openapi: 3.1.0
info: {title: Bookings, version: 1.0.0}
paths: {}
components:
  schemas:
    Booking:
      type: object
      properties:
        cancelled_at: {type: string, format: date-time}
        attendees: {type: integer}
      examples:
        - {cancelled_at: %s, attendees: %s}
"""


@pytest.mark.parametrize(
    ("cancelled_at", "attendees", "message"),
    [
        pytest.param("null", "4", "at .cancelled_at: null is not of type 'string'", id="null"),
        pytest.param('"2030-01-07T10:00:00Z"', "true", "true is not of type 'integer'", id="true"),
        pytest.param(
            '"2030-01-07T10:00:00Z"', "four", "'four' is not of type 'integer'", id="text"
        ),
    ],
)
def test_a_wrong_type_in_an_example_names_the_value_as_the_file_writes_it(
    cancelled_at, attendees, message
):
    """YAML's null and true are named so, not as Python's None and True."""
    spec = openapi.parse_spec(SPEC_WITH_ONE_EXAMPLE % (cancelled_at, attendees))
    problems = openapi.example_problems(spec)
    assert len(problems) == 1
    assert problems[0].endswith(message), problems


def test_a_path_parameter_named_otherwise_than_its_path_is_told_apart_from_a_missing_one():
    """The validator says "was not resolved" both ways; the advice says which way it is."""
    spec = openapi.parse_spec(
        """
openapi: 3.1.0
info: {title: Bookings, version: 1.0.0}
paths:
  /bookings/{id}:
    get:
      parameters:
        - {name: booking_id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: The booking.}
"""
    )
    problems = [
        problem.split(" was not resolved")[1] for problem in openapi.validity_problems(spec)
    ]
    assert problems == [
        " — each {name} in a path needs a parameter with `in: path`",
        " — the path has no {booking_id}: name it as the path does",
    ]
