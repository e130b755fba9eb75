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
