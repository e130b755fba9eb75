"""Stage 02's checks: each kind of mistake in a learner's OpenAPI spec gets its verdict and message.

Most wrong specs are the reference spec (bookings/openapi.yaml, the model answer of the project)
with one thing broken; the YAML that only a text can show (a syntax error, an unquoted status
code or date) is written out. Each is saved as the learner's project's `openapi.yaml` and judged
as the check cell judges it.
"""

from __future__ import annotations

import copy
import json
import re
from http import HTTPStatus
from importlib import resources
from pathlib import Path

import pytest
import yaml

from onboarding import project
from onboarding.artefacts import openapi
from onboarding.artefacts.openapi_compatibility import compatibility
from onboarding.checks import CheckFailed, Given, require, run_expectations
from onboarding.stages.api_design import EXERCISES, lesson
from onboarding.stages.api_design import spec as spec_checks
from tests.conftest import COURSE_ROOT

REFERENCE_TEXT = resources.files("bookings").joinpath("openapi.yaml").read_text(encoding="utf-8")
REFERENCE = yaml.safe_load(REFERENCE_TEXT)
FIVE_OPERATIONS = Path(__file__).with_name("specs") / "five_operations.yaml"

ROOMS = ("paths", "/rooms", "get")
CREATE = ("paths", "/rooms/{room_id}/bookings", "post")
LIST = ("paths", "/rooms/{room_id}/bookings", "get")
GET = ("paths", "/bookings/{booking_id}", "get")
CANCEL = ("paths", "/bookings/{booking_id}/cancel", "post")
SCHEMAS = ("components", "schemas")
RESPONSES = ("components", "responses")

(YAML_OK, OPENAPI_OK, OPERATIONS, STATUSES, SCHEMAS_OK, FIELDS, ERRORS, COVERAGE, EXAMPLES) = (
    expectation.text for expectation in EXERCISES["02.1"]
)


def at(spec: dict, parts: tuple) -> dict:
    node = spec
    for part in parts:
        node = node[part]
    return node


def run_check(tmp_path: Path, monkeypatch, text: str) -> dict[str, tuple[bool, str]]:
    """Every expectation of exercise 02.1 on `text` saved as the project's openapi.yaml."""
    workspace = tmp_path / "workspace"
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    target = project.path("openapi.yaml", workspace)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    result = run_expectations("02.1", EXERCISES["02.1"], Given(), echo=False)
    return {outcome.text: (outcome.passed, outcome.found) for outcome in result.outcomes}


def dumped(spec: dict) -> str:
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


# --- Specs that pass ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(lambda: REFERENCE_TEXT, id="reference"),
        pytest.param(lambda: FIVE_OPERATIONS.read_text(encoding="utf-8"), id="five-operations"),
        pytest.param(lambda: project.reference("02")["openapi.yaml"], id="the-projects-model"),
    ],
)
def test_the_reference_and_other_right_answers_pass_everything(tmp_path, monkeypatch, text):
    results = run_check(tmp_path, monkeypatch, text())
    assert len(results) == len(EXERCISES["02.1"])
    assert all(passed for passed, _ in results.values()), results


def test_path_parameters_may_have_other_names(tmp_path, monkeypatch):
    """{roomId} is as good as {room_id}: operations are matched on the path's shape."""
    spec = copy.deepcopy(REFERENCE)
    paths = spec["paths"]
    paths["/rooms/{roomId}/bookings"] = paths.pop("/rooms/{room_id}/bookings")
    spec["components"]["parameters"]["RoomId"]["name"] = "roomId"
    results = run_check(tmp_path, monkeypatch, dumped(spec))
    assert all(passed for passed, _ in results.values()), results


def test_the_companys_template_is_where_the_learner_starts_and_it_fails_usefully(
    tmp_path, monkeypatch
):
    """The project's openapi.yaml starts as templates/openapi.yaml: valid, but not the API."""
    start = project.starting("02")["openapi.yaml"]
    assert start == (COURSE_ROOT / "templates" / "openapi.yaml").read_text(encoding="utf-8")
    results = run_check(tmp_path, monkeypatch, start)
    assert results[YAML_OK][0] and results[OPENAPI_OK][0]
    passed, found = results[OPERATIONS]
    assert not passed
    assert "no operation to list rooms: expected GET /rooms" in found


def test_a_missing_spec_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(tmp_path / "workspace"))
    result = run_expectations("02.1", EXERCISES["02.1"], Given(), echo=False)
    assert result.outcomes[0].found == (
        "openapi.yaml does not exist yet — create it in your project folder, service/ in your "
        "workspace"
    )
    assert all(o.found.startswith("not checked until") for o in result.outcomes[1:])


# --- Specs with one mistake ---------------------------------------------------------------------


def mutate(change):
    """A case whose spec is the reference spec with `change` applied."""

    def text() -> str:
        spec = copy.deepcopy(REFERENCE)
        change(spec)
        return dumped(spec)

    return text


def replace(old: str, new: str):
    """A case whose spec is the reference text with one piece of text replaced."""

    def text() -> str:
        assert old in REFERENCE_TEXT, old
        return REFERENCE_TEXT.replace(old, new, 1)

    return text


def literal(value: str):
    return lambda: value


def delete(parts: tuple, key):
    return lambda spec: at(spec, parts).pop(key)


def put(parts: tuple, key, value):
    return lambda spec: at(spec, parts).__setitem__(key, value)


def swagger(spec: dict) -> None:
    spec.clear()
    spec.update(
        {
            "swagger": "2.0",
            "info": {"title": "Bookings", "version": "1.0.0"},
            "paths": {"/rooms": {"get": {"responses": {"200": {"description": "Rooms"}}}}},
        }
    )


def cancel_with_delete(spec: dict) -> None:
    operation = spec["paths"].pop("/bookings/{booking_id}/cancel")["post"]
    spec["paths"]["/bookings/{booking_id}"]["delete"] = operation


def inline_error_schema(spec: dict) -> None:
    media = at(spec, (*CREATE, "responses", "409", "content", "application/problem+json"))
    media["schema"] = copy.deepcopy(REFERENCE["components"]["schemas"]["Problem"])


def two_error_schemas(spec: dict) -> None:
    at(spec, SCHEMAS)["NotFound"] = {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {p: {"type": "string"} for p in ("type", "title", "status")},
    }
    media = at(spec, (*RESPONSES, "BookingNotFound", "content", "application/problem+json"))
    media["schema"] = {"$ref": "#/components/schemas/NotFound"}
    del media["examples"]


def error_schema_without_rfc_members(spec: dict) -> None:
    problem = at(spec, (*SCHEMAS, "Problem"))
    problem["properties"] = {"code": {"type": "string"}, "message": {"type": "string"}}
    problem["required"] = []


def no_error_responses(spec: dict) -> None:
    for _, _, operation in openapi.operations(spec):
        for code in [code for code in operation["responses"] if code.startswith("4")]:
            del operation["responses"][code]


def no_examples_for_create(spec: dict) -> None:
    del at(spec, (*CREATE, "requestBody", "content", "application/json"))["examples"]
    del at(spec, (*SCHEMAS, "BookingCreate"))["examples"]


REQUEST_EXAMPLE = {
    "organiser": "amara@example.com",
    "start": "2030-01-07T09:00:00Z",
    "end": "2030-01-07T10:00:00Z",
    "attendees": 4,
}


def request_example_from_its_fields(*named: str):
    """The request's example given field by field, on the fields `named`, as FastAPI's
    `Field(examples=[…])` writes it: a reader's tool puts the whole request together."""

    def change(spec: dict) -> None:
        no_examples_for_create(spec)
        for name in named:
            at(spec, (*SCHEMAS, "BookingCreate", "properties", name))["examples"] = [
                REQUEST_EXAMPLE[name]
            ]

    return change


def shared_example(spec: dict) -> None:
    spec["components"]["examples"] = {"Broken": {"value": {"id": "seven"}}}
    media = at(spec, (*CREATE, "responses", "201", "content", "application/json"))
    media["examples"]["created"] = {"$ref": "#/components/examples/Broken"}


ROOMS_MEDIA = (*ROOMS, "responses", "200", "content", "application/json")
BOOKING_OWN_FIELDS = ("id", "room_id", "cancelled", "cancelled_at")


def rooms_in_a_page(
    array: str = "items", *, page: dict | None = None, item: dict | None = None, wrap=None
):
    """GET /rooms answering a page of rooms, `{items: [...], next: ...}`, instead of a bare
    array: `page` for the wrapper's other properties, `item` for the listed items' schema,
    `wrap(spec, schema)` to write the wrapper otherwise (from components, through allOf)."""

    def change(spec: dict) -> None:
        media = at(spec, ROOMS_MEDIA)
        listed = media["schema"] if item is None else {"type": "array", "items": item}
        others = {"next": {"type": ["string", "null"], "description": "The next page."}}
        others = others if page is None else page
        wrapper = {
            "type": "object",
            "required": [array],
            "properties": {array: listed, **others},
        }
        media["schema"] = wrapper if wrap is None else wrap(spec, wrapper)
        for example in media["examples"].values():
            rooms = example["value"]
            extra = {"next": None} if "next" in others else {}
            example["value"] = {array: rooms, **extra}

    return change


def one_booking_schema_read_only_and_required(read_only_id: dict | None = None):
    """One schema for the request and the booking whose own fields are readOnly and still
    listed in `required`: OpenAPI 3.1 does not require a readOnly property in a request, so a
    request without them matches it. `read_only_id`: the id written as a shared schema."""

    def change(spec: dict) -> None:
        booking = at(spec, (*SCHEMAS, "Booking"))
        for name in BOOKING_OWN_FIELDS:
            booking["properties"][name]["readOnly"] = True
        if read_only_id is not None:
            at(spec, SCHEMAS)["BookingId"] = read_only_id
            booking["properties"]["id"] = {"$ref": "#/components/schemas/BookingId"}
        booking.pop("additionalProperties", None)
        media = at(spec, (*CREATE, "requestBody", "content", "application/json"))
        media["schema"] = {"$ref": "#/components/schemas/Booking"}

    return change


def then(*changes):
    """One change after another, to the same spec."""

    def change(spec: dict) -> None:
        for each in changes:
            each(spec)

    return change


CASES = [
    # --- parsing
    pytest.param(
        literal("openapi: 3.1.0\ninfo:\n  title: x\n version: 1\n"),
        YAML_OK,
        "openapi.yaml is not valid YAML: line 4, column 2",
        id="malformed-yaml",
    ),
    pytest.param(literal(""), YAML_OK, "openapi.yaml is empty", id="empty-file"),
    pytest.param(
        literal("- openapi: 3.1.0\n"), YAML_OK, "holds a list, not a mapping", id="a-list"
    ),
    # --- the document is not OpenAPI 3.1
    pytest.param(mutate(swagger), OPENAPI_OK, "this is a Swagger 2.0 document", id="swagger-2"),
    pytest.param(
        replace("openapi: 3.1.0", "openapi: 3.0.3"),
        OPENAPI_OK,
        "`openapi: 3.0.3` is not OpenAPI 3.1; write `openapi: 3.1.0` (3.1 schemas are plain"
        " JSON Schema 2020-12",
        id="openapi-3.0",
    ),
    pytest.param(
        replace("openapi: 3.1.0", "openapi: 3.1"),
        OPENAPI_OK,
        "`openapi: 3.1` is read by YAML as a float",
        id="version-as-number",
    ),
    pytest.param(
        replace("version: 1.0.0", "version: 1.0"),
        OPENAPI_OK,
        'info.version: 1.0 is not of type "string" — YAML reads the unquoted 1.0 as a number;'
        ' put it in quotes: "1.0"',
        id="info-version-as-number",
    ),
    pytest.param(
        replace(
            "            examples:\n              one-hour:\n                value:",
            "            examples:\n              - value:",
        ),
        OPENAPI_OK,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json.examples: a"
        " list, not a map: a media type's `examples:` names each example, with its data under"
        " `value:` (`one-hour: {value: …}`)",
        id="media-type-examples-as-a-list",
    ),
    pytest.param(
        replace("openapi: 3.1.0", "openapi_version: 3.1.0"),
        OPENAPI_OK,
        "there is no `openapi:` line",
        id="no-version",
    ),
    pytest.param(
        replace(
            '$ref: "#/components/schemas/BookingCreate"', '$ref: "#/components/schemas/Bookng"'
        ),
        OPENAPI_OK,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json.schema.$ref"
        " points to #/components/schemas/Bookng, which does not exist (components.schemas has"
        " Booking, BookingCreate,",
        id="ref-to-missing-component",
    ),
    pytest.param(
        replace('$ref: "#/components/schemas/BookingCreate"', "$ref: schemas.yaml#/BookingCreate"),
        OPENAPI_OK,
        "is `schemas.yaml#/BookingCreate`, outside this file",
        id="external-ref",
    ),
    pytest.param(
        replace(
            '        "200":\n          description: Every room',
            "        200:\n          description: Every room",
        ),
        OPENAPI_OK,
        'status code 200 at paths./rooms.get.responses is a number: write it in quotes, "200":',
        id="unquoted-status-code",
    ),
    pytest.param(
        mutate(put((), "paths", None)),
        OPENAPI_OK,
        "`paths:` has nothing under it (YAML reads it as null); add the operations under it",
        id="empty-paths",
    ),
    pytest.param(
        mutate(delete((*ROOMS, "responses", "200"), "description")),
        OPENAPI_OK,
        'paths./rooms.get.responses.200: "description" is a required property',
        id="response-without-description",
    ),
    pytest.param(
        mutate(put((*SCHEMAS, "Booking", "properties", "attendees"), "type", "int")),
        OPENAPI_OK,
        "components.schemas.Booking.properties.attendees.type: 'int' is not one of",
        id="unknown-schema-type",
    ),
    pytest.param(
        mutate(delete(("components", "parameters", "BookingId"), "in")),
        OPENAPI_OK,
        'components.parameters.BookingId: "in" is a required property',
        id="parameter-without-in",
    ),
    pytest.param(
        mutate(delete(GET[:2], "parameters")),
        OPENAPI_OK,
        "paths./bookings/{booking_id}.get: Path parameter 'booking_id' for 'get' operation in"
        " '/bookings/{booking_id}' was not resolved — each {name} in a path needs a parameter"
        " with `in: path`",
        id="undeclared-path-parameter",
    ),
    pytest.param(
        mutate(put(GET, "operationId", "list_rooms")),
        OPENAPI_OK,
        "paths./bookings/{booking_id}.get: Operation ID 'list_rooms'",
        id="duplicate-operation-id",
    ),
    pytest.param(
        replace("  /rooms:\n", "  rooms:\n"),
        OPENAPI_OK,
        "paths: Unevaluated properties are not allowed ('rooms' was unexpected) — every path"
        " starts with /",
        id="path-without-slash",
    ),
    pytest.param(
        replace('type: [string, "null"]', "type: [string, null]"),
        OPENAPI_OK,
        "components.schemas.Booking.properties.cancelled_at.type: YAML reads the bare null here as"
        ' no value, not as the type "null": quote it, as in `type: [string, "null"]`',
        id="unquoted-null-type",
    ),
    pytest.param(
        mutate(
            lambda spec: at(spec, REQUEST_PROPERTIES)["attendees"].update(
                minimum=0, exclusiveMinimum=True
            )
        ),
        OPENAPI_OK,
        "components.schemas.BookingCreate.properties.attendees.exclusiveMinimum: True is not of"
        " type 'number' — `exclusiveMinimum: true` is OpenAPI 3.0; in 3.1 it is the limit itself",
        id="exclusive-minimum-of-openapi-3.0",
    ),
    # --- operations
    pytest.param(
        mutate(delete(("paths",), "/bookings/{booking_id}/cancel")),
        OPERATIONS,
        "no operation to cancel one booking: expected POST /bookings/{booking_id}/cancel",
        id="missing-operation",
    ),
    pytest.param(
        mutate(cancel_with_delete),
        OPERATIONS,
        "found DELETE on the booking: a cancelled booking stays readable",
        id="cancel-as-delete",
    ),
    pytest.param(
        mutate(lambda spec: at(spec, LIST[:2]).__setitem__("put", at(spec, LIST[:2]).pop("get"))),
        OPERATIONS,
        "no operation to list a room's bookings: expected GET /rooms/{room_id}/bookings"
        " (that path has PUT, POST only)",
        id="wrong-method",
    ),
    pytest.param(
        mutate(lambda spec: spec["paths"].__setitem__("/v1/rooms", spec["paths"].pop("/rooms"))),
        OPERATIONS,
        "no operation to list rooms: expected GET /rooms (found GET /v1/rooms: a base such as /v1"
        " belongs in `servers:`, as `servers: [{url: /v1}]`, and the paths follow it)",
        id="path-with-a-base",
    ),
    # --- status codes
    pytest.param(
        mutate(delete((*CREATE, "responses"), "409")),
        STATUSES,
        "paths./rooms/{room_id}/bookings.post.responses has no 409 (409: the slot overlaps a"
        " live booking of the room) — it has 201, 404, 422",
        id="create-without-409",
    ),
    pytest.param(
        mutate(delete((*GET, "responses"), "404")),
        STATUSES,
        "paths./bookings/{booking_id}.get.responses has no 404",
        id="get-without-404",
    ),
    pytest.param(
        mutate(
            lambda spec: at(spec, (*CANCEL, "responses")).__setitem__(
                "204", at(spec, (*CANCEL, "responses")).pop("200")
            )
        ),
        STATUSES,
        "paths./bookings/{booking_id}/cancel.post.responses has no 200 (200: the cancelled"
        " booking) — it has 404, 422, 204",
        id="cancel-with-204",
    ),
    pytest.param(
        mutate(delete(ROOMS, "responses")),
        STATUSES,
        "paths./rooms.get.responses has no 200 (200: the list of rooms) — it has no responses",
        id="list-rooms-without-responses",
    ),
    # --- request and response schemas
    pytest.param(
        mutate(delete(CREATE, "requestBody")),
        SCHEMAS_OK,
        "paths./rooms/{room_id}/bookings.post.requestBody is missing",
        id="create-without-request-body",
    ),
    pytest.param(
        mutate(delete((*CREATE, "requestBody"), "required")),
        SCHEMAS_OK,
        "paths./rooms/{room_id}/bookings.post.requestBody is not `required: true`",
        id="optional-request-body",
    ),
    pytest.param(
        mutate(delete((*CREATE, "requestBody", "content", "application/json"), "schema")),
        SCHEMAS_OK,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json has no"
        " `schema:`",
        id="request-without-schema",
    ),
    pytest.param(
        mutate(put((*CREATE, "responses", "201", "content", "application/json"), "schema", True)),
        SCHEMAS_OK,
        "paths./rooms/{room_id}/bookings.post.responses.201.content.application/json has"
        " `schema: true`, which any JSON matches; describe the JSON it returns",
        id="created-with-a-schema-of-true",
    ),
    pytest.param(
        mutate(delete((*GET, "responses", "200"), "content")),
        SCHEMAS_OK,
        "paths./bookings/{booking_id}.get.responses.200 has no `content:`",
        id="response-without-content",
    ),
    pytest.param(
        mutate(
            put(
                (*GET, "responses", "200"),
                "content",
                {"text/plain": {"schema": {"type": "string"}}},
            )
        ),
        SCHEMAS_OK,
        "paths./bookings/{booking_id}.get.responses.200.content has text/plain but no"
        " application/json",
        id="response-not-json",
    ),
    # --- the shared error schema
    pytest.param(
        mutate(inline_error_schema),
        ERRORS,
        "inline schema at paths./rooms/{room_id}/bookings.post.responses.409.content."
        "application/problem+json.schema",
        id="inline-error-schema",
    ),
    pytest.param(
        mutate(
            lambda spec: at(spec, (*RESPONSES, "RoomNotFound", "content")).__setitem__(
                "application/json",
                at(spec, (*RESPONSES, "RoomNotFound", "content")).pop("application/problem+json"),
            )
        ),
        ERRORS,
        "components.responses.RoomNotFound.content.application/json: errors are sent as"
        " application/problem+json (RFC 9457), not application/json",
        id="error-as-plain-json",
    ),
    pytest.param(
        mutate(two_error_schemas),
        ERRORS,
        "4xx responses use 2 unrelated error schemas: Problem, ValidationProblem (at"
        " paths./rooms.post.responses.409.content.application/problem+json.schema); NotFound"
        " (at components.responses.BookingNotFound",
        id="two-error-schemas",
    ),
    pytest.param(
        mutate(error_schema_without_rfc_members),
        ERRORS,
        "components.schemas.Problem does not declare the RFC 9457 members type, title, status"
        " (it has code, message)",
        id="error-schema-without-rfc-members",
    ),
    pytest.param(
        mutate(delete((*RESPONSES, "BookingNotFound"), "content")),
        ERRORS,
        "components.responses.BookingNotFound has no `content:`; an error has a body too",
        id="error-without-body",
    ),
    pytest.param(
        mutate(no_error_responses),
        ERRORS,
        "the spec has no 4xx responses yet",
        id="no-error-responses",
    ),
    # --- examples
    pytest.param(
        mutate(no_examples_for_create),
        COVERAGE,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json has no"
        " example; add `examples:` with a request a client sends",
        id="create-without-request-example",
    ),
    pytest.param(
        mutate(request_example_from_its_fields("organiser", "start", "end")),
        COVERAGE,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json has no"
        " example; add `examples:` with a request a client sends",
        id="request-example-on-only-some-of-its-fields",
    ),
    pytest.param(
        replace(
            "                      attendees: 4\n                      cancelled: false",
            '                      attendees: "four"\n                      cancelled: false',
        ),
        EXAMPLES,
        "paths./rooms/{room_id}/bookings.get.responses.200.content.application/json.examples."
        "one-booking.value at [0].attendees: 'four' is not of type 'integer'",
        id="example-wrong-type",
    ),
    pytest.param(
        mutate(
            delete(
                (
                    *CREATE,
                    "requestBody",
                    "content",
                    "application/json",
                    "examples",
                    "one-hour",
                    "value",
                ),
                "organiser",
            )
        ),
        EXAMPLES,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json.examples."
        "one-hour.value: 'organiser' is a required property",
        id="example-missing-field",
    ),
    pytest.param(
        replace('start: "2030-01-07T10:00:00+01:00"', "start: 2030-01-07T10:00:00+01:00"),
        EXAMPLES,
        "examples.one-hour.value at .start: YAML read the unquoted 2030-01-07T10:00:00+01:00 as"
        " a timestamp, not as text; put date-times in quotes",
        id="unquoted-date-time",
    ),
    pytest.param(
        replace('start: "2030-01-07T10:00:00+01:00"', 'start: "2030-01-07 10:00"'),
        EXAMPLES,
        "examples.one-hour.value at .start: '2030-01-07 10:00' is not a 'date-time' (RFC 3339:"
        " a date, T, a time with seconds, and Z or an offset, as in 2030-01-07T10:00:00+01:00)",
        id="date-time-without-t-or-seconds",
    ),
    pytest.param(
        mutate(put((*SCHEMAS, "Room"), "examples", [{"id": 1, "name": "Ada", "capacity": 0}])),
        EXAMPLES,
        "components.schemas.Room.examples[0] at .capacity: 0 is less than the minimum of 1",
        id="schema-example",
    ),
    pytest.param(
        mutate(shared_example),
        EXAMPLES,
        "paths./rooms/{room_id}/bookings.post.responses.201.content.application/json.examples."
        "created.value (written at components.examples.Broken.value): 'room_id' is a required"
        " property",
        id="example-from-components",
    ),
    pytest.param(
        mutate(
            put(
                (*CANCEL, "responses", "200", "content", "application/json", "examples"),
                "cancelled",
                {"summary": "no value"},
            )
        ),
        EXAMPLES,
        "paths./bookings/{booking_id}/cancel.post.responses.200.content.application/json."
        "examples.cancelled has no `value:`",
        id="example-without-value",
    ),
    pytest.param(
        mutate(
            put(
                (
                    *CREATE,
                    "responses",
                    "409",
                    "content",
                    "application/problem+json",
                    "examples",
                    "overlap",
                    "value",
                ),
                "instance",
                "not a uri ^^",
            )
        ),
        EXAMPLES,
        "examples.overlap.value at .instance: 'not a uri ^^' is not a 'uri-reference'",
        id="example-wrong-format",
    ),
    # readOnly spares a request its properties, and nothing else
    pytest.param(
        mutate(
            then(
                one_booking_schema_read_only_and_required(),
                delete(
                    (*CREATE, "requestBody", "content", "application/json", "examples", "one-hour")
                    + ("value",),
                    "organiser",
                ),
            )
        ),
        EXAMPLES,
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json.examples."
        "one-hour.value: 'organiser' is a required property",
        id="read-only-schema-request-example-missing-field",
    ),
    pytest.param(
        mutate(
            then(
                one_booking_schema_read_only_and_required(),
                delete(
                    (*CREATE, "responses", "201", "content", "application/json", "examples")
                    + ("created", "value"),
                    "id",
                ),
            )
        ),
        EXAMPLES,
        "paths./rooms/{room_id}/bookings.post.responses.201.content.application/json.examples."
        "created.value: 'id' is a required property",
        id="read-only-field-missing-from-a-response",
    ),
    pytest.param(
        mutate(
            then(
                one_booking_schema_read_only_and_required(),
                lambda spec: at(spec, (*SCHEMAS, "Booking", "examples", 0)).pop("organiser"),
            )
        ),
        EXAMPLES,
        "components.schemas.Booking.examples[0]: 'organiser' is a required property",
        id="read-only-schema-example-missing-field",
    ),
    # --- the listed rooms
    pytest.param(
        mutate(
            lambda spec: at(spec, ROOMS_MEDIA).update(
                schema={
                    "type": "object",
                    "properties": {"count": {"type": "array", "items": {"type": "integer"}}},
                },
                examples={"ids": {"value": {"count": [1, 2]}}},
            )
        ),
        FIELDS,
        "paths./rooms.get.responses.200.content.application/json.schema.properties.count.items"
        " (a room) has no id (integer), name (string), capacity (integer)",
        id="page-of-numbers",
    ),
    pytest.param(
        mutate(
            lambda spec: at(spec, ROOMS_MEDIA).update(
                schema={"type": "object", "properties": {"total": {"type": "integer"}}},
                examples={"none": {"value": {"total": 2}}},
            )
        ),
        FIELDS,
        "paths./rooms.get.responses.200.content.application/json.schema has no array of rooms",
        id="no-list-of-rooms",
    ),
    pytest.param(
        mutate(
            rooms_in_a_page(
                item={
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                }
            )
        ),
        FIELDS,
        "paths./rooms.get.responses.200.content.application/json.schema.properties.items.items"
        " (a room) has no capacity (integer)",
        id="page-of-rooms-without-capacity",
    ),
]


@pytest.mark.parametrize(("text", "expectation", "message"), CASES)
def test_each_mistake_is_named_with_its_path(tmp_path, monkeypatch, text, expectation, message):
    results = run_check(tmp_path, monkeypatch, text())
    passed, found = results[expectation]
    assert not passed, f"{expectation!r} passed"
    assert message in found


# Mistakes that rightly break two expectations: with no 4xx response, the 404s are missing too.
ALSO_FAILS = {"no-error-responses": [STATUSES]}


@pytest.mark.parametrize(("text", "expectation", "message"), CASES)
def test_a_mistake_fails_only_its_own_expectation(
    tmp_path, monkeypatch, request, text, expectation, message
):
    """One mistake, one ❌ (or the ❌ of a required expectation and "not checked" after it)."""
    results = run_check(tmp_path, monkeypatch, text())
    failed = [name for name, (passed, found) in results.items() if not passed]
    blocked = [name for name in failed if found_blocked(results[name][1])]
    expected = [expectation, *ALSO_FAILS.get(request.node.callspec.id, [])]
    assert sorted(name for name in failed if name not in blocked) == sorted(expected)


def found_blocked(found: str) -> bool:
    return found.startswith("not checked until")


def test_a_schema_of_false_is_named_too():
    """`false` takes no JSON at all: no client could send the request."""
    spec = copy.deepcopy(REFERENCE)
    at(spec, (*CREATE, "requestBody", "content", "application/json"))["schema"] = False
    assert spec_checks.schema_problems(spec) == [
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json has"
        " `schema: false`, which no JSON matches; describe the JSON a client sends"
    ]


@pytest.mark.parametrize(
    ("member", "schema", "problem"),
    [
        pytest.param("status", {"type": "number"}, None, id="status-a-number"),
        pytest.param("status", {"description": "The HTTP status."}, None, id="status-untyped"),
        pytest.param("type", {"type": "string", "format": "uri"}, None, id="type-a-uri"),
        pytest.param(
            "status",
            {"type": "string"},
            "components.schemas.Problem.status is string; RFC 9457 makes it a number (the HTTP"
            " status code, such as 404)",
            id="status-a-string",
        ),
        pytest.param(
            "type",
            {"type": "integer"},
            "components.schemas.Problem.type is integer; RFC 9457 makes it a string (a URI"
            " reference naming the kind of problem)",
            id="type-an-integer",
        ),
    ],
)
def test_the_problem_members_have_the_types_rfc_9457_gives_them(member, schema, problem):
    spec = copy.deepcopy(REFERENCE)
    at(spec, (*SCHEMAS, "Problem", "properties"))[member] = schema
    assert spec_checks.error_schema_problems(spec) == ([problem] if problem else [])


def test_a_nested_path_is_no_base():
    """`/rooms/{room_id}/bookings/{booking_id}` ends as the booking's path does, but what comes
    before it is a path of its own, not a base that belongs in `servers:`."""
    changed = copy.deepcopy(REFERENCE)
    paths = changed["paths"]
    paths["/rooms/{room_id}/bookings/{booking_id}"] = paths.pop("/bookings/{booking_id}")
    problems = spec_checks.operation_problems(changed)
    assert problems == ["no operation to get one booking: expected GET /bookings/{booking_id}"]


def test_many_problems_are_summed_up():
    """A ❌ line shows three problems and counts the rest."""
    changed = copy.deepcopy(REFERENCE)
    changed["paths"] = {}
    with pytest.raises(CheckFailed, match=r"; and 2 more$"):
        require(spec_checks.operation_problems(changed))


# --- Helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (("paths", "/rooms", "get", "responses"), "paths./rooms.get.responses"),
        (
            ("paths", "/rooms", "get", "parameters", 0, "schema"),
            "paths./rooms.get.parameters[0].schema",
        ),
        ((), "the top level"),
    ],
)
def test_where_writes_json_paths(parts, text):
    assert openapi.where(parts) == text


def test_a_schema_error_is_reported_where_the_schema_is_written():
    """The Booking schema is reached through $refs from paths, but lives in components."""
    changed = copy.deepcopy(REFERENCE)
    changed["components"]["schemas"]["Booking"]["properties"]["id"]["type"] = "int"
    (problem,) = openapi.validity_problems(changed)
    assert problem.startswith("components.schemas.Booking.properties.id.type:")


# --- The lesson's comparison of the designed and the generated spec -------------------------------


def test_contract_features_count_what_a_reader_gets():
    features = lesson.contract_features(REFERENCE)
    assert features == {
        "operations": 8,
        "examples": 27,
        "error bodies typed application/problem+json": 6,
        "error bodies typed application/json": 0,
        "response headers (such as Location)": 1,
        "responses described in their own words": 20,
    }


def test_the_generated_spec_lacks_what_the_lesson_says(tmp_path):
    """FastAPI's own spec of the reference service: no examples, and errors typed as JSON."""
    from bookings.core.config import Settings
    from bookings.main import create_app

    generated = create_app(Settings(database=tmp_path / "unused.db")).openapi()
    features = lesson.contract_features(generated)
    assert features["operations"] == 8
    assert features["examples"] == 0
    assert features["error bodies typed application/problem+json"] == 0
    assert openapi.validity_problems(generated) == []
    assert spec_checks.error_schema_problems(generated)


# --- The fields and types the exercise names -------------------------------------------------

BOOKING_PROPERTIES = (*SCHEMAS, "Booking", "properties")
REQUEST_PROPERTIES = (*SCHEMAS, "BookingCreate", "properties")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__("attendees", {"type": "number"}),
            "components.schemas.BookingCreate.attendees is number; the exercise asks for "
            "attendees (integer)",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__("cancelled", {"type": "integer"}),
            "components.schemas.Booking.cancelled is integer; the exercise asks for cancelled "
            "(boolean)",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at", {"type": "string", "format": "date-time"}
            ),
            "components.schemas.Booking.cancelled_at is string; the exercise asks for "
            "cancelled_at (date-time string or null)",
        ),
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__("start", {"type": "string"}),
            "components.schemas.BookingCreate.start is a string without `format: date-time`",
        ),
        (
            lambda s: at(s, (*SCHEMAS, "Room", "properties")).pop("capacity"),
            "components.schemas.Room (a room) has no capacity (integer)",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at", {"type": "string", "format": "date-time", "nullable": True}
            ),
            "components.schemas.Booking.cancelled_at is string; the exercise asks for "
            "cancelled_at (date-time string or null) (`nullable: true` is OpenAPI 3.0; 3.1 writes"
            ' `type: [string, "null"]`)',
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled", {"allOf": [{"type": "integer"}], "description": "1 once cancelled"}
            ),
            "components.schemas.Booking.cancelled is integer; the exercise asks for cancelled "
            "(boolean)",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at", {"oneOf": [{"type": "string"}, {"const": None}]}
            ),
            "components.schemas.Booking.cancelled_at is a string without `format: date-time`",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at", {"oneOf": [{"type": "integer"}, {"enum": [None]}]}
            ),
            "components.schemas.Booking.cancelled_at is integer or null; the exercise asks for "
            "cancelled_at (date-time string or null)",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at",
                {
                    "anyOf": [
                        {"type": "string", "format": "date-time"},
                        {"type": "string"},
                        {"type": "null"},
                    ]
                },
            ),
            "components.schemas.Booking.cancelled_at is a string without `format: date-time`",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "cancelled_at", {"anyOf": [{"type": "string", "format": "date-time"}, {}]}
            ),
            "components.schemas.Booking.cancelled_at does not say its type, so any value matches"
            " it; add `type:`, the exercise asks for cancelled_at (date-time string or null)",
        ),
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__("attendees", {"minimum": 1}),
            "components.schemas.BookingCreate.attendees does not say its type",
        ),
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__("start", {"format": "date-time"}),
            "components.schemas.BookingCreate.start does not say its type",
        ),
        (
            lambda s: at(s, BOOKING_PROPERTIES).__setitem__(
                "roomId", at(s, BOOKING_PROPERTIES).pop("room_id")
            ),
            "components.schemas.Booking (the booking) has no room_id (integer); it has roomId"
            " instead: name each field as the exercise does (room_id)",
        ),
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__(
                "organizer", at(s, REQUEST_PROPERTIES).pop("organiser")
            ),
            "components.schemas.BookingCreate (the booking request) has no organiser (string); it"
            " has organizer instead",
        ),
        (
            lambda s: at(s, REQUEST_PROPERTIES).__setitem__(
                "start", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"}
            ),
            "components.schemas.BookingCreate.start is a string without `format: date-time`",
        ),
    ],
    ids=[
        "number-for-integer",
        "integer-for-boolean",
        "not-nullable",
        "no-format",
        "missing",
        "nullable-of-openapi-3.0",
        "integer-inside-all-of",
        "const-null-beside-a-plain-string",
        "enum-null-beside-an-integer",
        "date-time-or-any-string",
        "date-time-or-anything",
        "no-type",
        "format-without-a-type",
        "camel-case-name",
        "american-spelling",
        "pattern-instead-of-format",
    ],
)
def test_a_field_of_the_wrong_type_is_named(tmp_path, monkeypatch, change, message):
    changed = copy.deepcopy(REFERENCE)
    change(changed)
    passed, found = run_check(tmp_path, monkeypatch, dumped(changed))[FIELDS]
    assert not passed
    assert message in found


@pytest.mark.parametrize(
    "nullable",
    [
        {"type": ["string", "null"], "format": "date-time"},
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
    ],
    ids=["type-list", "any-of", "one-of"],
)
def test_every_way_of_writing_a_nullable_date_time_is_accepted(tmp_path, monkeypatch, nullable):
    changed = copy.deepcopy(REFERENCE)
    at(changed, BOOKING_PROPERTIES)["cancelled_at"] = nullable
    passed, found = run_check(tmp_path, monkeypatch, dumped(changed))[FIELDS]
    assert passed, found


def test_fields_may_come_from_a_schema_that_extends_another(tmp_path, monkeypatch):
    """A Booking written as `allOf: [BookingCreate, {id, room_id, …}]` has the request's fields."""
    changed = copy.deepcopy(REFERENCE)
    booking = at(changed, (*SCHEMAS, "Booking"))
    own = {name: value for name, value in booking["properties"].items()}
    for name in ("organiser", "start", "end", "attendees"):
        own.pop(name)
    changed["components"]["schemas"]["Booking"] = {
        "allOf": [
            {"$ref": "#/components/schemas/BookingCreate"},
            {"type": "object", "properties": own},
        ]
    }
    passed, found = run_check(tmp_path, monkeypatch, dumped(changed))[FIELDS]
    assert passed, found


# --- Right answers written another way -----------------------------------------------------------


def booking_extends_the_request_beside_a_ref(spec: dict) -> None:
    """OpenAPI 3.1 schemas are JSON Schema 2020-12, where `$ref` may sit beside `properties`."""
    schemas = at(spec, SCHEMAS)
    own = {
        name: value
        for name, value in schemas["Booking"]["properties"].items()
        if name not in schemas["BookingCreate"]["properties"]
    }
    # A closed request schema would refuse the booking's own fields, so the extended one is open.
    del schemas["BookingCreate"]["additionalProperties"]
    schemas["Booking"] = {
        "$ref": "#/components/schemas/BookingCreate",
        "type": "object",
        "required": list(own),
        "properties": own,
    }


def validation_problem_extends_problem_beside_a_ref(spec: dict) -> None:
    schemas = at(spec, SCHEMAS)
    extension = schemas["ValidationProblem"]["allOf"][1]
    schemas["ValidationProblem"] = {
        "$ref": "#/components/schemas/Problem",
        **extension,
        "examples": schemas["ValidationProblem"]["examples"],
    }


PROBLEM_MEDIA = openapi.PROBLEM_JSON


def example_under_the_media_type(spec: dict) -> None:
    """One `example:` beside the schema instead of named `examples:`."""
    for parts in (
        (*CREATE, "requestBody"),
        (*CREATE, "responses", "201"),
        (*CREATE, "responses", "409"),
    ):
        content = at(spec, (*parts, "content"))
        media = content[next(iter(content))]
        media["example"] = next(iter(media.pop("examples").values()))["value"]


def examples_from_components(spec: dict) -> None:
    shared = spec["components"].setdefault("examples", {})
    for code in ("201", "409"):
        content = at(spec, (*CREATE, "responses", code, "content"))
        media = content[next(iter(content))]
        name, example = next(iter(media["examples"].items()))
        shared[name] = example
        media["examples"] = {name: {"$ref": f"#/components/examples/{name}"}}


def request_example_on_the_schema(keyword: str):
    """The request's example on its schema: 3.1's `examples: [...]`, or `example:` beside a $ref."""

    def change(spec: dict) -> None:
        media = at(spec, (*CREATE, "requestBody", "content", "application/json"))
        value = media.pop("examples")["one-hour"]["value"]
        request = at(spec, (*SCHEMAS, "BookingCreate"))
        request.pop("examples", None)
        if keyword == "examples":
            request["examples"] = [value]
        else:
            media["schema"] = {"$ref": "#/components/schemas/BookingCreate", "example": value}

    return change


def shared_request_body_and_responses(spec: dict) -> None:
    """The request body, and the 201, the 409 and the rooms' 200, written once in components."""
    components = spec["components"]
    components["requestBodies"] = {"BookingCreate": at(spec, CREATE).pop("requestBody")}
    at(spec, CREATE)["requestBody"] = {"$ref": "#/components/requestBodies/BookingCreate"}
    for operation, code, name in (
        (CREATE, "201", "BookingCreated"),
        (CREATE, "409", "Overlap"),
        (ROOMS, "200", "Rooms"),
    ):
        responses = at(spec, (*operation, "responses"))
        components["responses"][name] = responses.pop(code)
        responses[code] = {"$ref": f"#/components/responses/{name}"}


def parameters_on_each_operation(spec: dict) -> None:
    """Each operation lists its path parameter itself, written out, not once on the path."""
    for path in (
        "/rooms/{room_id}/bookings",
        "/bookings/{booking_id}",
        "/bookings/{booking_id}/cancel",
    ):
        item = spec["paths"][path]
        shared = [
            at(spec, openapi.pointer_parts(parameter["$ref"]))
            for parameter in item.pop("parameters")
        ]
        for method in ("get", "post"):
            if method in item:
                item[method]["parameters"] = copy.deepcopy(shared) + item[method].get(
                    "parameters", []
                )


def exclusive_minimum_for_ids(spec: dict) -> None:
    """`exclusiveMinimum: 0` (a number in JSON Schema 2020-12) is `minimum: 1` for an integer."""
    for name in ("RoomId", "BookingId"):
        schema = at(spec, ("components", "parameters", name, "schema"))
        del schema["minimum"]
        schema["exclusiveMinimum"] = 0


def camel_case_operation_ids_and_no_tags(spec: dict) -> None:
    spec.pop("tags")
    for _, _, operation in openapi.operations(spec):
        first, *rest = operation["operationId"].split("_")
        operation["operationId"] = first + "".join(word.capitalize() for word in rest)
        operation.pop("tags")


def a_default_error_response_and_servers(spec: dict) -> None:
    spec["servers"] = [{"url": "https://bookings.example.com", "description": "production"}]
    for _, _, operation in openapi.operations(spec):
        operation["responses"]["default"] = {
            "description": "Anything else that went wrong.",
            "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }


def date_times_from_a_shared_schema(spec: dict) -> None:
    """`start` and `cancelled_at` built on one DateTime schema, the latter `anyOf` it and null."""
    at(spec, SCHEMAS)["DateTime"] = {"type": "string", "format": "date-time"}
    at(spec, REQUEST_PROPERTIES)["start"] = {
        "$ref": "#/components/schemas/DateTime",
        "description": "When the booking starts.",
    }
    at(spec, BOOKING_PROPERTIES)["cancelled_at"] = {
        "anyOf": [{"$ref": "#/components/schemas/DateTime"}, {"type": "null"}]
    }


def the_room_list_from_components(spec: dict) -> None:
    media = at(spec, (*ROOMS, "responses", "200", "content", "application/json"))
    at(spec, SCHEMAS)["RoomList"] = media.pop("schema")
    media["schema"] = {"$ref": "#/components/schemas/RoomList"}


def problem_members_from_a_base_schema(spec: dict) -> None:
    """Problem declares type, title and status through `allOf` with a schema of its own."""
    problem = at(spec, (*SCHEMAS, "Problem"))
    at(spec, SCHEMAS)["ProblemMembers"] = {
        "type": "object",
        "properties": problem.pop("properties"),
        "required": problem.pop("required", []),
    }
    problem["allOf"] = [{"$ref": "#/components/schemas/ProblemMembers"}]


def error_schema_refs_with_a_description_or_an_alias(spec: dict) -> None:
    media = at(spec, (*CREATE, "responses", "409", "content", PROBLEM_MEDIA))
    media["schema"] = {"$ref": "#/components/schemas/Problem", "description": "The overlap."}
    at(spec, SCHEMAS)["NotFoundProblem"] = {"$ref": "#/components/schemas/Problem"}
    media = at(spec, (*RESPONSES, "BookingNotFound", "content", PROBLEM_MEDIA))
    media["schema"] = {"$ref": "#/components/schemas/NotFoundProblem"}


def a_path_item_from_components(spec: dict) -> None:
    """OpenAPI 3.1's components/pathItems: a path whose operations are written there."""
    spec["components"]["pathItems"] = {"Rooms": spec["paths"]["/rooms"]}
    spec["paths"]["/rooms"] = {"$ref": "#/components/pathItems/Rooms"}


def one_booking_schema_with_read_only_fields(spec: dict) -> None:
    """One schema for the request and the booking, the service's own fields readOnly and left
    out of `required`, so that a request without them matches it."""
    booking = at(spec, (*SCHEMAS, "Booking"))
    own = ("id", "room_id", "cancelled", "cancelled_at")
    for name in own:
        booking["properties"][name]["readOnly"] = True
    booking["required"] = [name for name in booking["required"] if name not in own]
    booking.pop("additionalProperties", None)
    media = at(spec, (*CREATE, "requestBody", "content", "application/json"))
    media["schema"] = {"$ref": "#/components/schemas/Booking"}


def room_page_from_components(spec: dict, wrapper: dict) -> dict:
    at(spec, SCHEMAS)["RoomPage"] = wrapper
    return {"$ref": "#/components/schemas/RoomPage"}


def rooms_beside_a_shared_page(spec: dict, wrapper: dict) -> dict:
    """A page's own fields in a shared Page schema, the rooms added to it with `allOf`."""
    next_page = wrapper["properties"].pop("next")
    at(spec, SCHEMAS)["Page"] = {"type": "object", "properties": {"next": next_page}}
    return {"allOf": [{"$ref": "#/components/schemas/Page"}, wrapper]}


def schemas_written_inline(spec: dict) -> None:
    """The request, the booking and the room written where they are used, not in components."""
    schemas = at(spec, SCHEMAS)
    request = at(spec, (*CREATE, "requestBody", "content", "application/json"))
    request["schema"] = copy.deepcopy(schemas["BookingCreate"])
    created = at(spec, (*CREATE, "responses", "201", "content", "application/json"))
    created["schema"] = copy.deepcopy(schemas["Booking"])
    rooms = at(spec, (*ROOMS, "responses", "200", "content", "application/json"))
    rooms["schema"]["items"] = copy.deepcopy(schemas["Room"])


def error_responses_by_reference_chains_and_ranges(spec: dict) -> None:
    """OpenAPI 3.1's Reference Object with a `description` beside the `$ref`, a shared response
    that is itself a `$ref` to another, and a `4XX` range for anything else."""
    responses = at(spec, (*GET, "responses"))
    responses["404"] = {
        "$ref": "#/components/responses/BookingNotFound",
        "description": "No booking has that id.",
    }
    at(spec, RESPONSES)["NoSuchBooking"] = {"$ref": "#/components/responses/BookingNotFound"}
    at(spec, (*CANCEL, "responses"))["404"] = {"$ref": "#/components/responses/NoSuchBooking"}
    responses["4XX"] = {"$ref": "#/components/responses/ValidationFailed"}


def the_booking_request_merged_into_the_booking() -> str:
    """YAML's merge key: the booking's properties are the request's (`<<: *request`), with the
    booking's own written after it, instead of writing the four again."""
    request = (
        "      properties:\n        organiser:\n          type: string\n          minLength: 1"
    )
    booking = re.compile(
        r"(    Booking:\n(?:      .*\n)*?      properties:\n)((?:        .*\n)+?)(        cancelled:)"
    )
    match = booking.search(REFERENCE_TEXT)
    assert request in REFERENCE_TEXT and match and "organiser:" in match[2]
    own = "".join(re.findall(r"        (?:id|room_id):\n(?:          .*\n)*", match[2]))
    text = booking.sub(lambda m: m[1] + "        <<: *request\n" + own + m[3], REFERENCE_TEXT, 1)
    merged = text.replace(request, request.replace(":\n", ": &request\n", 1), 1)
    written = merged[match.start() : merged.index("\n    Health:")]
    assert "<<: *request\n        id:" in written and "        organiser:\n" not in written
    return merged


def location_header_from_components(spec: dict) -> None:
    """The 201's Location header written once under components/headers."""
    headers = at(spec, (*CREATE, "responses", "201", "headers"))
    spec["components"]["headers"] = {"Location": headers["Location"]}
    headers["Location"] = {"$ref": "#/components/headers/Location"}


def overlap_example_on_the_error_schema(spec: dict) -> None:
    """The 409's example kept on the shared Problem schema (3.1 `examples:`), not on the 409."""
    media = at(spec, (*CREATE, "responses", "409", "content", PROBLEM_MEDIA))
    overlap = media.pop("examples")["overlap"]["value"]
    at(spec, (*SCHEMAS, "Problem")).setdefault("examples", []).append(overlap)


def vendor_json_media_type(spec: dict) -> None:
    for parts in ((*CREATE, "requestBody"), (*CREATE, "responses", "201")):
        content = at(spec, (*parts, "content"))
        content["application/vnd.bookings.v1+json"] = content.pop("application/json")


def every_key_in_reverse_order(spec: dict) -> None:
    """Operations, responses, properties… written in the opposite order; data left as it is."""

    def reversed_keys(node, key=None):
        if isinstance(node, dict) and key not in ("example", "examples", "value"):
            return {k: reversed_keys(v, k) for k, v in reversed(list(node.items()))}
        if isinstance(node, list):
            return [reversed_keys(item, key) for item in node]
        return node

    written = reversed_keys(spec)
    spec.clear()
    spec.update(written)


def crlf_lines_after_a_byte_order_mark() -> str:
    """As an editor on Windows may save it."""
    return "\ufeff" + REFERENCE_TEXT.replace("\n", "\r\n")


def nullable_as(schema: dict):
    return put(BOOKING_PROPERTIES, "cancelled_at", schema)


ROOM_NOT_FOUND_IN_LIST = (
    '        "404":\n          $ref: "#/components/responses/RoomNotFound"\n'
    '        "422":\n          $ref: "#/components/responses/ValidationFailed"\n    post:'
)
ROOM_NOT_FOUND_IN_CREATE = (
    '        "404":\n          $ref: "#/components/responses/RoomNotFound"\n        "409":'
)


def the_room_not_found_reused_by_a_yaml_alias() -> str:
    """YAML's own reuse: an anchor (`&name`) on one 404 and an alias (`*name`) on another."""
    assert ROOM_NOT_FOUND_IN_LIST in REFERENCE_TEXT and ROOM_NOT_FOUND_IN_CREATE in REFERENCE_TEXT
    anchored = ROOM_NOT_FOUND_IN_LIST.replace('"404":', '"404": &room-not-found')
    text = REFERENCE_TEXT.replace(ROOM_NOT_FOUND_IN_LIST, anchored, 1)
    return text.replace(
        ROOM_NOT_FOUND_IN_CREATE, '        "404": *room-not-found\n        "409":', 1
    )


def rename_media_type(parts: tuple, old: str, new: str):
    def change(spec: dict) -> None:
        content = at(spec, (*parts, "content"))
        content[new] = content.pop(old)

    return change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(mutate(booking_extends_the_request_beside_a_ref), id="ref-beside-properties"),
        pytest.param(
            mutate(validation_problem_extends_problem_beside_a_ref),
            id="error-schema-extended-beside-a-ref",
        ),
        pytest.param(
            mutate(
                rename_media_type(
                    (*GET, "responses", "200"),
                    "application/json",
                    "application/json; charset=utf-8",
                )
            ),
            id="json-with-a-charset",
        ),
        pytest.param(
            mutate(
                rename_media_type(
                    (*RESPONSES, "RoomNotFound"),
                    "application/problem+json",
                    "application/problem+json; charset=utf-8",
                )
            ),
            id="problem-json-with-a-charset",
        ),
        pytest.param(
            mutate(
                rename_media_type(
                    (*CANCEL, "responses", "200"), "application/json", "Application/JSON"
                )
            ),
            id="media-type-in-capitals",
        ),
        pytest.param(lambda: json.dumps(REFERENCE, indent="\t"), id="json-indented-with-tabs"),
        pytest.param(replace("openapi: 3.1.0", "openapi: 3.1.1"), id="openapi-3.1.1"),
        pytest.param(
            mutate(put((), "jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base")),
            id="json-schema-dialect",
        ),
        pytest.param(mutate(example_under_the_media_type), id="example-beside-the-schema"),
        pytest.param(mutate(examples_from_components), id="examples-from-components"),
        pytest.param(
            mutate(request_example_on_the_schema("examples")), id="examples-on-the-schema"
        ),
        pytest.param(mutate(request_example_on_the_schema("example")), id="example-beside-a-ref"),
        pytest.param(
            mutate(request_example_from_its_fields(*REQUEST_EXAMPLE)),
            id="request-example-from-its-fields",
        ),
        pytest.param(
            mutate(shared_request_body_and_responses), id="request-body-and-responses-in-components"
        ),
        pytest.param(mutate(parameters_on_each_operation), id="parameters-on-each-operation"),
        pytest.param(mutate(exclusive_minimum_for_ids), id="exclusive-minimum-for-ids"),
        pytest.param(mutate(camel_case_operation_ids_and_no_tags), id="camel-case-ids-no-tags"),
        pytest.param(mutate(a_default_error_response_and_servers), id="default-response-servers"),
        pytest.param(mutate(date_times_from_a_shared_schema), id="date-times-from-components"),
        pytest.param(mutate(the_room_list_from_components), id="room-list-from-components"),
        pytest.param(mutate(problem_members_from_a_base_schema), id="problem-members-from-all-of"),
        pytest.param(
            mutate(error_schema_refs_with_a_description_or_an_alias),
            id="error-schema-ref-with-description-or-alias",
        ),
        pytest.param(mutate(a_path_item_from_components), id="path-item-from-components"),
        pytest.param(mutate(one_booking_schema_with_read_only_fields), id="one-read-only-schema"),
        pytest.param(
            mutate(one_booking_schema_read_only_and_required()),
            id="read-only-fields-also-required",
        ),
        pytest.param(
            mutate(
                one_booking_schema_read_only_and_required(
                    {"type": "integer", "minimum": 1, "readOnly": True}
                )
            ),
            id="read-only-from-a-shared-schema",
        ),
        pytest.param(mutate(rooms_in_a_page()), id="rooms-in-a-page"),
        pytest.param(mutate(rooms_in_a_page("data", page={})), id="rooms-in-a-data-wrapper"),
        pytest.param(
            mutate(rooms_in_a_page("rooms", wrap=room_page_from_components)),
            id="room-page-from-components",
        ),
        pytest.param(
            mutate(rooms_in_a_page(wrap=rooms_beside_a_shared_page)),
            id="rooms-beside-a-shared-page-with-all-of",
        ),
        pytest.param(
            mutate(
                rooms_in_a_page(
                    page={"links": {"type": "array", "items": {"type": "string"}}},
                )
            ),
            id="rooms-beside-another-array",
        ),
        pytest.param(
            mutate(nullable_as({"type": ["null", "string"], "format": "date-time"})),
            id="null-first-in-a-type-list",
        ),
        pytest.param(
            mutate(
                nullable_as({"oneOf": [{"type": "string", "format": "date-time"}, {"const": None}]})
            ),
            id="null-as-const",
        ),
        pytest.param(
            mutate(
                nullable_as(
                    {"anyOf": [{"type": "string", "format": "date-time"}, {"enum": [None]}]}
                )
            ),
            id="null-as-enum",
        ),
        pytest.param(
            mutate(
                put(
                    REQUEST_PROPERTIES,
                    "start",
                    {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T"},
                )
            ),
            id="date-time-with-a-pattern-too",
        ),
        pytest.param(
            mutate(put(REQUEST_PROPERTIES, "attendees", {"type": ["integer"], "minimum": 1})),
            id="type-as-a-list-of-one",
        ),
        pytest.param(the_room_not_found_reused_by_a_yaml_alias, id="yaml-anchor-and-alias"),
        pytest.param(the_booking_request_merged_into_the_booking, id="yaml-merge-key"),
        pytest.param(crlf_lines_after_a_byte_order_mark, id="crlf-and-byte-order-mark"),
        pytest.param(mutate(location_header_from_components), id="header-from-components"),
        pytest.param(
            mutate(overlap_example_on_the_error_schema), id="overlap-example-on-the-error-schema"
        ),
        pytest.param(mutate(vendor_json_media_type), id="vendor-json-media-type"),
        pytest.param(mutate(every_key_in_reverse_order), id="every-key-in-reverse-order"),
        pytest.param(replace('"201":', "'201':"), id="single-quoted-status-code"),
        pytest.param(mutate(schemas_written_inline), id="schemas-inline"),
        pytest.param(
            mutate(error_responses_by_reference_chains_and_ranges),
            id="response-refs-with-description-chains-and-4xx-range",
        ),
        pytest.param(
            mutate(put(BOOKING_PROPERTIES, "cancelled", {"enum": [True, False]})),
            id="boolean-as-an-enum",
        ),
        pytest.param(
            mutate(
                nullable_as(
                    {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Booking/properties/start"},
                            {"const": None},
                        ]
                    }
                )
            ),
            id="null-beside-a-ref-to-a-date-time",
        ),
        pytest.param(
            replace('start: "2030-01-07T10:00:00+01:00"', 'start: "2030-01-07t10:00:00+01:00"'),
            id="date-time-with-a-lower-case-t",
        ),
    ],
)
def test_a_right_answer_written_another_way_passes_everything(tmp_path, monkeypatch, text):
    results = run_check(tmp_path, monkeypatch, text())
    assert {name: found for name, (passed, found) in results.items() if not passed} == {}


def test_a_path_item_from_components_is_judged_where_it_is_written(tmp_path, monkeypatch):
    """Following a path item's `$ref` finds its operations, and its mistakes too."""
    spec = copy.deepcopy(REFERENCE)
    a_path_item_from_components(spec)
    rooms = spec["components"]["pathItems"]["Rooms"]
    rooms["get"]["responses"]["200"]["content"]["application/json"]["examples"]["two-rooms"][
        "value"
    ][0]["capacity"] = "six"
    results = run_check(tmp_path, monkeypatch, dumped(spec))
    passed, found = results[EXAMPLES]
    assert not passed
    assert found.startswith(
        "components.pathItems.Rooms.get.responses.200.content.application/json.examples"
        ".two-rooms.value at [0].capacity: 'six' is not of type 'integer'"
    )
    del rooms["get"]
    passed, found = run_check(tmp_path, monkeypatch, dumped(spec))[OPERATIONS]
    assert not passed
    assert "no operation to list rooms: expected GET /rooms (that path has POST only)" in found


def test_an_example_beside_a_ref_is_checked_against_the_schema(tmp_path, monkeypatch):
    spec = copy.deepcopy(REFERENCE)
    request_example_on_the_schema("example")(spec)
    media = at(spec, (*CREATE, "requestBody", "content", "application/json"))
    media["schema"]["example"]["attendees"] = "four"
    results = run_check(tmp_path, monkeypatch, dumped(spec))
    assert results[COVERAGE][0]
    passed, found = results[EXAMPLES]
    assert not passed
    assert (
        "paths./rooms/{room_id}/bookings.post.requestBody.content.application/json.schema.example"
        " at .attendees: 'four' is not of type 'integer'"
    ) in found


# --- The lesson's practice cells accept every way of writing a right answer -------------------

RIGHT_STATUSES = {situation: status for situation, (status, _) in lesson.STATUS_SITUATIONS.items()}
RIGHT_VERDICTS = {
    "a new optional `note` in the booking request": "compatible",
    "`attendees` becomes a string in the booking request": "breaking",
    "a new `room_name` in every booking the API returns": "compatible",
    "`cancelled_at` left out of a booking while it is live": "breaking",
    "listing a room's bookings needs a new `day` query parameter": "breaking",
}
RIGHT_IDEMPOTENCE = {request: right for request, (right, _) in lesson.IDEMPOTENT.items()}


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda status: status, id="number"),
        pytest.param(lambda status: HTTPStatus(status), id="http-status"),
        pytest.param(str, id="quoted-as-in-yaml"),
        pytest.param(lambda status: f" {status} ", id="quoted-with-spaces"),
        pytest.param(lambda status: f"{status} {HTTPStatus(status).phrase}", id="with-the-phrase"),
        pytest.param(
            {
                404: "four hundred and four",
                409: "four hundred nine",
                422: "four hundred twenty-two",
            }.get,
            id="in-words",
        ),
    ],
)
def test_a_status_code_may_be_written_as_the_spec_writes_it(capsys, write):
    lesson.try_status_codes(
        {situation: write(status) for situation, status in RIGHT_STATUSES.items()}
    )
    assert capsys.readouterr().out.endswith("All 5 right.\n")


@pytest.mark.parametrize(
    "words",
    [
        pytest.param({"compatible": "compatible", "breaking": "breaking"}, id="the-hints-words"),
        pytest.param({"compatible": "Compatible", "breaking": "BREAKING "}, id="any-case"),
        pytest.param(
            {"compatible": "backwards-compatible", "breaking": "backward incompatible"},
            id="backwards",
        ),
        pytest.param({"compatible": "non-breaking", "breaking": "incompatible"}, id="non-breaking"),
        pytest.param(
            {"compatible": "compatible change", "breaking": "a breaking change"}, id="change"
        ),
    ],
)
def test_a_compatibility_verdict_may_be_worded_otherwise(capsys, words):
    lesson.try_compatibility(
        REFERENCE, {proposal: words[right] for proposal, right in RIGHT_VERDICTS.items()}
    )
    assert capsys.readouterr().out.endswith("All 5 right.\n")


@pytest.mark.parametrize(("proposal", "right"), RIGHT_VERDICTS.items())
def test_each_proposal_is_one_change_so_a_wrong_verdict_gets_one_reason(proposal, right):
    """The differ judges limits and lost types too now; the lesson's five proposals must still
    each be one change, whose verdict is the one the lesson teaches."""
    found = compatibility(
        REFERENCE, lesson.with_change(REFERENCE, lesson.PROPOSED_CHANGES[proposal])
    )
    assert [change.verdict for change in found] == [right]


def test_a_wrong_verdict_on_a_tightened_limit_quotes_both_bounds(capsys, monkeypatch):
    """The lesson's practice judges by the differ: a narrower request limit is breaking."""
    proposal = "`organiser` may be at most 100 characters"

    def shorter_organiser(spec: dict) -> None:
        at(spec, (*SCHEMAS, "BookingCreate", "properties", "organiser"))["maxLength"] = 100

    monkeypatch.setattr(lesson, "PROPOSED_CHANGES", {proposal: shorter_organiser})
    lesson.try_compatibility(REFERENCE, {proposal: "compatible"})
    assert (
        "compatible is not it: the differ says request BookingCreate.organiser: maxLength 254 in "
        "the old spec, maxLength 100 in the new (clients that send longer strings are refused)"
    ) in capsys.readouterr().out
    lesson.try_compatibility(REFERENCE, {proposal: "breaking"})
    assert capsys.readouterr().out.endswith("All 1 right.\n")


@pytest.mark.parametrize(
    "words",
    [
        pytest.param({True: True, False: False}, id="booleans"),
        pytest.param({True: "yes", False: "No"}, id="yes-and-no"),
        pytest.param({True: "True", False: "false"}, id="quoted-booleans"),
    ],
)
def test_an_idempotence_answer_may_be_yes_or_no(capsys, words):
    lesson.try_idempotent({request: words[right] for request, right in RIGHT_IDEMPOTENCE.items()})
    assert capsys.readouterr().out.endswith("All 4 right.\n")


@pytest.mark.parametrize(
    ("cell", "answer", "message"),
    [
        (lesson.try_status_codes, "a client error", "is not a status code"),
        (lesson.try_status_codes, "4042", "is not a status code"),
        (lesson.try_status_codes, True, "is not a status code"),
        (
            lambda answers: lesson.try_compatibility(REFERENCE, answers),
            "maybe",
            "'maybe' is not a verdict",
        ),
        (lesson.try_idempotent, "sometimes", "'sometimes' is not True or False"),
    ],
    ids=["words", "four-digits", "a-boolean", "no-verdict", "no-yes-or-no"],
)
def test_an_answer_that_is_no_answer_is_named(capsys, cell, answer, message):
    questions = {
        lesson.try_status_codes: RIGHT_STATUSES,
        lesson.try_idempotent: RIGHT_IDEMPOTENCE,
    }.get(cell, RIGHT_VERDICTS)
    cell(dict.fromkeys(questions, answer))
    assert message in capsys.readouterr().out
