"""The designed spec (src/bookings/openapi.yaml): valid, complete, and what the app does."""

from importlib import resources

import pytest
import yaml
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bookings.core.config import Settings
from bookings.main import create_app
from bookings.testing import booking_payload, create_booking, create_room

SPEC_URI = "urn:bookings:openapi"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@pytest.fixture(scope="module")
def spec() -> dict:
    text = resources.files("bookings").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def registry(spec) -> Registry:
    return Registry().with_resource(SPEC_URI, Resource(spec, specification=DRAFT202012))


def pointer(*parts: str) -> str:
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "#/" + "/".join(escaped)


def validator(registry: Registry, schema_pointer: str) -> Draft202012Validator:
    """A validator for the schema at `schema_pointer`, with the spec's $refs resolvable."""
    return Draft202012Validator(
        {"$ref": SPEC_URI + schema_pointer},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def response_location(spec, path, method, status) -> tuple[dict, tuple[str, ...]]:
    """The response object and where it lives, following a $ref to components/responses."""
    response = spec["paths"][path][method]["responses"][str(status)]
    where: tuple[str, ...] = ("paths", path, method, "responses", str(status))
    if "$ref" in response:
        where = tuple(response["$ref"].removeprefix("#/").split("/"))
        response = spec[where[0]][where[1]][where[2]]
    return response, where


def media_types(spec):
    """Every (media type object, its location) in operations and components."""
    for path, method, operation in operations(spec):
        body = operation.get("requestBody", {})
        for media, obj in body.get("content", {}).items():
            yield obj, ("paths", path, method, "requestBody", "content", media)
        for status in operation["responses"]:
            response, where = response_location(spec, path, method, status)
            for media, obj in response.get("content", {}).items():
                yield obj, (*where, "content", media)


# --- The document itself -------------------------------------------------------------------


def test_the_spec_is_valid_openapi_3_1(spec):
    """openapi-spec-validator accepts the document as OpenAPI 3.1."""
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_example_matches_its_schema(spec, registry):
    """Media-type examples and schema examples all validate against their schemas."""
    checked = 0
    for obj, where in media_types(spec):
        for name, example in obj.get("examples", {}).items():
            errors = list(
                validator(registry, pointer(*where, "schema")).iter_errors(example["value"])
            )
            assert errors == [], f"{'/'.join(where)} example {name}: {errors[0].message}"
            checked += 1
    for name, schema in spec["components"]["schemas"].items():
        for example in schema.get("examples", []):
            errors = list(
                validator(registry, pointer("components", "schemas", name)).iter_errors(example)
            )
            assert errors == [], f"schema {name} example: {errors[0].message}"
            checked += 1
    assert checked >= 20


def test_every_error_response_uses_the_problem_schema(spec):
    """All 4xx responses are application/problem+json with Problem or ValidationProblem."""
    allowed = {"#/components/schemas/Problem", "#/components/schemas/ValidationProblem"}
    for path, method, operation in operations(spec):
        for status in operation["responses"]:
            if status.startswith("4"):
                response, _ = response_location(spec, path, method, status)
                (media,) = response["content"]
                assert media == "application/problem+json", (path, method, status)
                assert response["content"][media]["schema"]["$ref"] in allowed


# --- The spec and the app agree ------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    """FastAPI's own view of the app's routes, from its generated OpenAPI document."""
    app = create_app(Settings(database=tmp_path_factory.mktemp("spec") / "unused.db"))
    return app.openapi()


def test_the_app_and_the_spec_have_the_same_operations(spec, generated):
    """Every path+method the app serves is in the spec, and every one in the spec is served."""
    designed = {(path, method) for path, method, _ in operations(spec)}
    served = {(path, method) for path, method, _ in operations(generated)}
    assert served == designed


def test_operation_ids_and_status_codes_agree(spec, generated):
    """Each operation has the same operationId and the same documented status codes."""
    for path, method, operation in operations(spec):
        served = generated["paths"][path][method]
        assert served["operationId"] == operation["operationId"]
        assert set(served["responses"]) == set(operation["responses"]), (path, method)


def test_responses_match_the_spec(client, spec, registry, tmp_path):
    """Drive every documented (operation, status); each response matches its schema."""
    seen = set()

    def check(path, method, response):
        status = str(response.status_code)
        documented = spec["paths"][path][method]["responses"]
        assert status in documented, f"{method} {path} answered undocumented {status}"
        obj, where = response_location(spec, path, method, status)
        (media,) = obj["content"]
        assert response.headers["content-type"] == media
        errors = list(
            validator(registry, pointer(*where, "content", media, "schema")).iter_errors(
                response.json()
            )
        )
        assert errors == [], f"{method} {path} {status}: {errors[0].message}"
        seen.add((path, method, status))

    rooms, room_bookings = "/rooms", "/rooms/{room_id}/bookings"
    booking_path, cancel = "/bookings/{booking_id}", "/bookings/{booking_id}/cancel"
    check("/health/live", "get", client.get("/health/live"))
    check("/health/ready", "get", client.get("/health/ready"))
    unmounted = Settings(database=tmp_path / "no-volume" / "bookings.db", log_level="CRITICAL")
    # No lifespan (no `with`): the app does not migrate, as if its volume were missing.
    check("/health/ready", "get", TestClient(create_app(unmounted)).get("/health/ready"))
    check(rooms, "post", client.post(rooms, json={"name": "Ada", "capacity": 4}))
    check(rooms, "post", client.post(rooms, json={"name": "Ada", "capacity": 4}))
    check(rooms, "post", client.post(rooms, json={"name": "Ada"}))
    check(rooms, "get", client.get(rooms))
    room = create_room(client, capacity=4)
    url = f"/rooms/{room['id']}/bookings"
    created = client.post(url, json=booking_payload())
    assert created.headers["location"].endswith(f"/bookings/{created.json()['id']}")
    check(room_bookings, "post", created)
    for overrides in ({}, {"end": "2030-01-07T08:00:00Z"}, {"attendees": 5}):
        check(room_bookings, "post", client.post(url, json=booking_payload(**overrides)))
    check(room_bookings, "post", client.post(url, json={}))
    check(room_bookings, "post", client.post("/rooms/99/bookings", json=booking_payload()))
    check(room_bookings, "get", client.get(url, params={"include_cancelled": True}))
    check(room_bookings, "get", client.get("/rooms/99/bookings"))
    check(room_bookings, "get", client.get(url, params={"limit": 0}))
    booking = create_booking(
        client, room["id"], start="2030-01-08T09:00:00Z", end="2030-01-08T10:00:00Z"
    )
    check(booking_path, "get", client.get(f"/bookings/{booking['id']}"))
    check(booking_path, "get", client.get("/bookings/99"))
    check(booking_path, "get", client.get("/bookings/nine"))
    check(cancel, "post", client.post(f"/bookings/{booking['id']}/cancel"))
    check(cancel, "post", client.post("/bookings/99/cancel"))
    check(cancel, "post", client.post("/bookings/nine/cancel"))

    documented = {
        (path, method, status)
        for path, method, operation in operations(spec)
        for status in operation["responses"]
    }
    assert seen == documented
