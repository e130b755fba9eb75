"""Reading an OpenAPI 3.1 document: where things are, whether it is valid, and its examples.

Every `*_problems` function takes the parsed spec and returns a list of plain sentences, one per
mistake, each naming where the mistake is as a JSON path (`paths./rooms.get.responses`); an
empty list means all is well. Nothing here knows about exercises: the stage packages decide
what a spec must hold, and use these to find their way around it.

- `parse_spec` reads the text (YAML or JSON) into a mapping, with line and column on a syntax
  error;
- `validity_problems` says whether it is OpenAPI 3.1 as openapi-spec-validator judges it, with
  every finding located where it is written;
- `operations`, `resolve`, `walk`, `where` navigate it (following local `$ref`s);
- `example_sites` and `example_problems` find every example and check it against its schema
  (OpenAPI 3.1 schemas are JSON Schema 2020-12).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from onboarding import uri_grammar
from onboarding.checks import ArtefactError, CheckFailed, parse_yaml
from onboarding.protocol import shorten

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM_JSON = "application/problem+json"
# Keys whose values are data (examples, defaults), not parts of the contract's structure.
DATA_KEYS = frozenset({"example", "default", "const", "enum", "value"})
MESSAGE_WIDTH = 160
"""How much of a validator's message one problem quotes."""

Parts = tuple[Any, ...]


# --- Finding one's way --------------------------------------------------------------------------


def where(parts: Sequence[Any]) -> str:
    """A JSON path as the course writes it: `paths./rooms.get.responses.200`, `parameters[0]`."""
    text = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the top level"


def first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "invalid"


def unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def pointer_parts(ref: str) -> Parts:
    """The parts of a local JSON pointer reference such as `#/components/schemas/Room`."""
    fragment = unquote(ref[1:])
    if not fragment:
        return ()
    return tuple(
        part.replace("~1", "/").replace("~0", "~") for part in fragment.lstrip("/").split("/")
    )


def pointer(parts: Sequence[Any]) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def lookup(spec: Any, parts: Sequence[Any]) -> Any:
    """The node at `parts`; raises LookupError when there is none."""
    node = spec
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit():
            node = node[int(part)]
        elif isinstance(node, list) and isinstance(part, int):
            node = node[part]
        else:
            raise LookupError(part)
    return node


def resolve(spec: dict, node: Any, parts: Parts) -> tuple[Any, Parts]:
    """Follow local `$ref`s from `node` (found at `parts`) to what they point at, and where."""
    for _ in range(32):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return node, parts
        parts = pointer_parts(ref)
        try:
            node = lookup(spec, parts)
        except (LookupError, IndexError):
            return None, parts
    return node, parts


def definition_parts(spec: dict, parts: Sequence[Any]) -> Parts:
    """Where the node reached by walking `parts` (through any `$ref`s) is written in the file."""
    node, located = spec, ()
    for part in parts:
        node, located = resolve(spec, node, located)
        try:
            node = lookup(node, (part,))
        except (LookupError, IndexError, TypeError):
            return (*located, *parts[len(located) :])
        located = (*located, part)
    return resolve(spec, node, located)[1]


def walk(node: Any, parts: Parts = ()) -> Iterator[tuple[Any, Parts]]:
    """Every dict and list of the contract's structure, skipping data such as example values."""
    yield node, parts
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DATA_KEYS or (key == "examples" and isinstance(value, list)):
                continue
            if isinstance(value, (dict, list)):
                yield from walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from walk(value, (*parts, index))


def path_items(spec: dict) -> Iterator[tuple[str, dict, Parts]]:
    """Each (path, path item, where the item is written) of the spec, in the file's order.

    OpenAPI 3.1 lets a path item be a `$ref` to one under components/pathItems: its operations
    are the path's, written there.
    """
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item, located = resolve(spec, item, ("paths", path))
        if isinstance(item, dict):
            yield str(path), item, located


def operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    """Each (path, method, operation) of the spec, in the file's order."""
    for path, item, _ in path_items(spec):
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def template(path: str) -> str:
    """A path with its parameter names dropped, so `/rooms/{roomId}` matches `/rooms/{room_id}`."""
    return re.sub(r"\{[^}/]*\}", "{}", path.rstrip("/") or "/")


def media_essence(media: str) -> str:
    """A media type without its parameters, in lower case: `application/json; charset=utf-8` is
    application/json, as RFC 9110 compares them (type and subtype ignore case)."""
    return media.split(";", 1)[0].strip().lower()


def json_media(content: Any) -> str | None:
    """The first JSON media type of a content map (application/json or any …+json), as written."""
    if not isinstance(content, dict):
        return None
    for media in content:
        if not isinstance(media, str):
            continue
        essence = media_essence(media)
        if essence == "application/json" or essence.endswith("+json"):
            return media
    return None


# Keywords that describe a schema without constraining it: a `$ref` with only these beside it
# stands for its target.
SCHEMA_ANNOTATIONS = frozenset(
    {"description", "summary", "title", "$comment", "deprecated", "readOnly", "writeOnly"}
    | {"default", "example", "examples"}
)


def bare_ref(schema: dict) -> bool:
    """Whether a schema is a `$ref` alone (annotations aside), so it stands for its target.

    In OpenAPI 3.1 a schema is JSON Schema 2020-12, where `$ref` is one keyword among others:
    `{$ref: BookingCreate, required: [purpose]}` is a BookingCreate that must have a purpose.
    """
    return isinstance(schema.get("$ref"), str) and set(schema) - {"$ref"} <= SCHEMA_ANNOTATIONS


def json_type(value: Any) -> str:
    """The JSON Schema type of a value YAML or JSON read: None is "null", 1 is "integer"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


# --- Reading and validity -----------------------------------------------------------------------


def parse_spec(text: str, name: str = "openapi.yaml") -> dict:
    """The parsed spec; ArtefactError (with line and column) or CheckFailed when it cannot be."""
    try:
        document = parse_yaml(text, name)
    except ArtefactError:
        # A spec may be written as JSON, which YAML reads too, except for tab indentation: a
        # JSON text is as good a spec as its YAML twin. Otherwise YAML's own message stands.
        document = _json_document(text)
        if document is None:
            raise
    if document is None:
        raise CheckFailed(f"{name} is empty")
    if not isinstance(document, dict):
        raise CheckFailed(
            f"{name} holds a {type(document).__name__}, not a mapping of `openapi:`, `info:`,"
            " `paths:` and `components:`"
        )
    return document


def _json_document(text: str) -> Any:
    """The JSON object `text` holds, or None when it is not one."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def version_problems(spec: dict) -> list[str]:
    if "swagger" in spec:
        return [
            f"this is a Swagger {spec['swagger']} document (`swagger:`), the format before"
            " OpenAPI 3; write `openapi: 3.1.0` instead (3.x also moved `definitions` to"
            " `components/schemas` and bodies into `requestBody`)"
        ]
    version = spec.get("openapi")
    if version is None:
        return ["there is no `openapi:` line; start the file with `openapi: 3.1.0`"]
    if not isinstance(version, str):
        return [
            f"`openapi: {version}` is read by YAML as a {type(version).__name__}; write the"
            " version as text with three parts: `openapi: 3.1.0`"
        ]
    if not re.fullmatch(r"3\.1\.\d+(-.+)?", version):
        why = ""
        if version.startswith("3.0"):
            why = (
                " (3.1 schemas are plain JSON Schema 2020-12: `nullable: true` becomes"
                ' `type: [string, "null"]`)'
            )
        return [f"`openapi: {version}` is not OpenAPI 3.1; write `openapi: 3.1.0`{why}"]
    return []


# What goes under each top-level section, for the message about an empty one.
SECTION_CONTENTS = {
    "info": "the title and version",
    "paths": "the operations",
    "components": "the shared schemas",
    "webhooks": "the webhooks",
}


def empty_section_problems(spec: dict) -> list[str]:
    return [
        f"`{key}:` has nothing under it (YAML reads it as null); add {contents} under it"
        for key, contents in SECTION_CONTENTS.items()
        if key in spec and spec[key] is None
    ]


def key_problems(spec: dict) -> list[str]:
    """Keys YAML read as numbers or booleans, such as an unquoted status code `200:`."""
    problems = []
    for node, parts in walk(spec):
        if not isinstance(node, dict):
            continue
        for key in node:
            if isinstance(key, str):
                continue
            if parts and parts[-1] == "responses":
                problems.append(
                    f"status code {key} at {where(parts)} is a number: write it in quotes,"
                    f' "{key}":, as OpenAPI asks, so that JSON and YAML tools read it alike'
                )
            else:
                problems.append(
                    f"key {key!r} at {where(parts)} is read as a {type(key).__name__}:"
                    " put it in quotes"
                )
    return problems


def reference_problems(spec: dict) -> list[str]:
    """Every `$ref` that is not text, points outside the file, or points at nothing."""
    problems = []
    for node, parts in walk(spec):
        if not isinstance(node, dict) or "$ref" not in node:
            continue
        ref, at = node["$ref"], where((*parts, "$ref"))
        if not isinstance(ref, str):
            problems.append(f"{at} is {ref!r}, not a reference such as #/components/schemas/Room")
        elif not ref.startswith("#"):
            problems.append(
                f"{at} is `{ref}`, outside this file; keep the whole contract in one file and"
                " point into it with `#/components/…`"
            )
        else:
            target = pointer_parts(ref)
            try:
                lookup(spec, target)
            except (LookupError, IndexError):
                problems.append(
                    f"{at} points to {ref}, which does not exist{_nearby(spec, target)}"
                )
    return problems


def _nearby(spec: dict, target: Parts) -> str:
    """What the section a broken reference aims at does hold, to spot a typo."""
    try:
        section = lookup(spec, target[:-1])
    except (LookupError, IndexError):
        return f" ({where(target[:-1])} is missing)" if target[:-1] else ""
    if isinstance(section, dict) and section:
        return f" ({where(target[:-1])} has {', '.join(sorted(map(str, section)))})"
    return f" ({where(target[:-1])} is empty)"


def validity_problems(spec: dict) -> list[str]:
    """Whether the document is OpenAPI 3.1, as openapi-spec-validator judges it."""
    problems = version_problems(spec)
    if problems:
        return problems
    # The validator stops with a bare KeyError on some of these, so they are found first.
    problems = empty_section_problems(spec) + key_problems(spec) + reference_problems(spec)
    if problems:
        return problems
    return validator_problems(spec)


def _located_validator(spec: dict) -> Any:
    """openapi-spec-validator's 3.1 validator for `spec`, with every error's path made absolute.

    The stock validator reports a schema's errors relative to the schema (`type`) and an
    operation's with no path at all; the learner needs to know where in the file to look. A
    schema reached through a `$ref` is reported where it is written, not where it is used.
    """
    uri_grammar.skip()  # seconds of grammar building for formats no booking API names
    from openapi_spec_validator import OpenAPIV31SpecValidator
    from openapi_spec_validator.validation import keywords

    def locate(error: Any, parts: Parts) -> Any:
        if not getattr(error, "_course_located", False):
            error.path.extendleft(reversed(parts))
            error._course_located = True
        return error

    class LocatedSchemaValidator(keywords.OpenAPIV31SchemaValidator):
        def __call__(self, schema: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for error in super().__call__(schema, *args, **kwargs):
                yield locate(error, definition_parts(spec, tuple(schema.parts)))

    class LocatedOperationValidator(keywords.OperationValidator):
        def __call__(self, url: str, name: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for error in super().__call__(url, name, *args, **kwargs):
                yield locate(error, ("paths", url, name))

    class LocatedPathValidator(keywords.PathValidator):
        def __call__(self, url: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for error in super().__call__(url, *args, **kwargs):
                yield locate(error, ("paths", url))

    class Validator(OpenAPIV31SpecValidator):
        keyword_validators = {
            **OpenAPIV31SpecValidator.keyword_validators,
            "schema": LocatedSchemaValidator,
            "operation": LocatedOperationValidator,
            "path": LocatedPathValidator,
        }

    return Validator(spec)


def validator_problems(spec: dict) -> list[str]:
    """openapi-spec-validator's findings, each as `json.path: message`."""
    uri_grammar.skip()  # seconds of grammar building for formats no booking API names
    from jsonschema.exceptions import best_match

    problems: list[str] = []
    try:
        for error in _located_validator(spec).iter_errors():
            parts = _as_written(spec, tuple(error.absolute_path))
            if error.context:
                # "not valid under any of the given schemas" says little; the closest
                # alternative's complaint says what to change.
                closest = best_match(error.context)
                parts, error = (*parts, *_path_below(closest)), closest
            message = _explain(first_line(error.message), parts, _value_at(spec, parts))
            problems.append(f"{where(parts)}: {shorten(message, MESSAGE_WIDTH)}")
    except Exception as error:  # noqa: BLE001 - the validator fails on some broken documents
        if not problems:
            problems.append(
                f"openapi-spec-validator could not read the document ({type(error).__name__}:"
                f" {shorten(str(error), 80)}); look for an object with a required field missing"
            )
    return unique(problems)


def _as_written(spec: dict, parts: Parts) -> Parts:
    """The validator's path with each key as the file spells it (it turns "200" into 200)."""
    node, written = spec, []
    for part in parts:
        if isinstance(node, dict) and part not in node and str(part) in node:
            part = str(part)
        written.append(part)
        node = node.get(part) if isinstance(node, dict) else None
    return tuple(written)


def _path_below(error: Any) -> Parts:
    """The path of a context error below the error it explains."""
    parts: list[Any] = []
    while error is not None and error.parent is not None:
        parts[:0] = list(error.relative_path)
        error = error.parent
    return tuple(parts)


def _value_at(spec: dict, parts: Parts) -> Any:
    try:
        return lookup(spec, parts)
    except (LookupError, IndexError, TypeError):
        return None


UNRESOLVED_PATH_PARAMETER = re.compile(
    r"Path parameter '(?P<name>[^']*)' for '[^']*' operation in '(?P<path>[^']*)' was not resolved$"
)
"""openapi-spec-validator's complaint both for a `{name}` no parameter declares and for a path
parameter whose name the path does not hold."""


def _explain(message: str, parts: Parts, value: Any = None) -> str:
    """Add the rule behind the validator's most common complaints (`value` is what the file
    holds where the complaint is)."""
    unquoted = isinstance(value, (int, float)) and not isinstance(value, bool)
    if unquoted and message.endswith('is not of type "string"'):
        return message + (
            f' — YAML reads the unquoted {value} as a number; put it in quotes: "{value}"'
        )
    if parts and parts[-1] == "examples" and isinstance(value, list) and "content" in parts:
        if message.endswith('is not of type "object"'):
            # The validator quotes the whole list, which would hide the rule; it is not needed.
            return (
                "a list, not a map: a media type's `examples:` names each example, with its data"
                " under `value:` (`one-hour: {value: …}`)"
            )
    if "was unexpected" in message and parts == ("paths",):
        return message + " — every path starts with /"
    if "was unexpected" in message and len(parts) == 2 and parts[0] == "paths":
        return message + " — a path holds operations: get, put, post, delete, patch, …"
    unresolved = UNRESOLVED_PATH_PARAMETER.match(message)
    if unresolved and f"{{{unresolved['name']}}}" not in unresolved["path"]:
        # The validator says the same for a parameter the path does not name.
        return message + f" — the path has no {{{unresolved['name']}}}: name it as the path does"
    if unresolved:
        return message + " — each {name} in a path needs a parameter with `in: path`"
    if _is_type_keyword(parts) and "None" in message and "is not one of" in message:
        # The validator's list of the seven types hides the cause: YAML's own null.
        return (
            'YAML reads the bare null here as no value, not as the type "null": quote it, as in'
            ' `type: [string, "null"]`'
        )
    boolean = message.startswith(("True is not", "False is not"))
    if boolean and parts and parts[-1] in ("exclusiveMinimum", "exclusiveMaximum"):
        return message + (
            f" — `{parts[-1]}: true` is OpenAPI 3.0; in 3.1 it is the limit itself, such as"
            f" `{parts[-1]}: 0` for “more than 0”"
        )
    return message


def _is_type_keyword(parts: Parts) -> bool:
    """Whether `parts` ends at a schema's `type:` (or an item of its list), not at a property
    that is named type, as a problem's is."""
    if parts and isinstance(parts[-1], int):
        parts = parts[:-1]
    return len(parts) > 0 and parts[-1] == "type" and (len(parts) < 2 or parts[-2] != "properties")


def error_response_sites(spec: dict) -> Iterator[tuple[Any, Parts, Parts]]:
    """Each 4xx response: the response (refs followed), where it is written, and where used."""
    seen: set[Parts] = set()
    for path, method, operation in operations(spec):
        responses = operation.get("responses")
        if not isinstance(responses, dict):
            continue
        for code, response in responses.items():
            if not str(code).startswith("4"):
                continue
            used = ("paths", path, method, "responses", str(code))
            response, located = resolve(spec, response, used)
            if located not in seen:
                seen.add(located)
                yield response, located, used


# --- Examples ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleSite:
    value: Any
    at: Parts
    """Where the example is written (or used, for a `$ref` to components/examples)."""
    schema_at: Parts | None
    """Where the schema it must match is written; None when there is none to check against."""
    missing_value: bool = False
    written_at: Parts | None = None
    """Where the value is written, when `at` is a `$ref` to it."""


def example_sites(spec: dict) -> Iterator[ExampleSite]:
    """Every example in the spec, with the schema it illustrates."""
    for holder, parts in _example_holders(spec):
        schema_at = (*parts, "schema") if "schema" in holder else None
        if "example" in holder:
            yield ExampleSite(holder["example"], (*parts, "example"), schema_at)
        examples = holder.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                at = (*parts, "examples", name)
                example, located = resolve(spec, example, at)
                written_at = (*located, "value") if located != at else None
                if isinstance(example, dict) and "value" in example:
                    yield ExampleSite(
                        example["value"], (*at, "value"), schema_at, False, written_at
                    )
                elif not (isinstance(example, dict) and "externalValue" in example):
                    yield ExampleSite(None, at, schema_at, missing_value=True)
    for root in _schema_roots(spec):
        for node, parts in _subschemas(lookup(spec, root), root):
            if isinstance(node.get("examples"), list):
                for index, value in enumerate(node["examples"]):
                    yield ExampleSite(value, (*parts, "examples", index), parts)
            if "example" in node:
                yield ExampleSite(node["example"], (*parts, "example"), parts)


def _example_holders(spec: dict) -> Iterator[tuple[dict, Parts]]:
    """Media types, parameters and headers, as written (a `$ref` is visited where it points)."""

    def media(holder: Any, parts: Parts) -> Iterator[tuple[dict, Parts]]:
        content = holder.get("content") if isinstance(holder, dict) else None
        if isinstance(content, dict):
            for name, value in content.items():
                if isinstance(value, dict):
                    yield value, (*parts, "content", name)

    def headers(response: Any, parts: Parts) -> Iterator[tuple[dict, Parts]]:
        found = response.get("headers") if isinstance(response, dict) else None
        if isinstance(found, dict):
            for name, header in found.items():
                if isinstance(header, dict) and "$ref" not in header:
                    yield header, (*parts, "headers", name)
                    yield from media(header, (*parts, "headers", name))

    def parameters(holder: Any, parts: Parts) -> Iterator[tuple[dict, Parts]]:
        found = holder.get("parameters") if isinstance(holder, dict) else None
        if isinstance(found, list):
            for index, parameter in enumerate(found):
                if isinstance(parameter, dict) and "$ref" not in parameter:
                    yield parameter, (*parts, "parameters", index)
                    yield from media(parameter, (*parts, "parameters", index))

    def response(value: Any, parts: Parts) -> Iterator[tuple[dict, Parts]]:
        if isinstance(value, dict) and "$ref" not in value:
            yield from media(value, parts)
            yield from headers(value, parts)

    for _, item, located in path_items(spec):
        yield from parameters(item, located)
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            at = (*located, method)
            yield from parameters(operation, at)
            body = operation.get("requestBody")
            if isinstance(body, dict) and "$ref" not in body:
                yield from media(body, (*at, "requestBody"))
            responses = operation.get("responses")
            for code, value in responses.items() if isinstance(responses, dict) else ():
                yield from response(value, (*at, "responses", str(code)))
    components = spec.get("components")
    components = components if isinstance(components, dict) else {}
    for section, visit in (
        ("responses", response),
        ("requestBodies", lambda value, parts: media(value, parts)),
    ):
        for name, value in (components.get(section) or {}).items():
            yield from visit(value, ("components", section, name))
    for section in ("parameters", "headers"):
        for name, value in (components.get(section) or {}).items():
            if isinstance(value, dict):
                yield value, ("components", section, name)
                yield from media(value, ("components", section, name))


def _schema_roots(spec: dict) -> Iterator[Parts]:
    components = spec.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    for name in schemas if isinstance(schemas, dict) else ():
        yield ("components", "schemas", name)
    for holder, parts in _example_holders(spec):
        if isinstance(holder.get("schema"), dict):
            yield (*parts, "schema")


def _subschemas(schema: Any, parts: Parts) -> Iterator[tuple[dict, Parts]]:
    """A schema and the schemas inside it, as written (references are not followed)."""
    if not isinstance(schema, dict) or "$ref" in schema and len(schema) == 1:
        return
    yield schema, parts
    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains"):
        yield from _subschemas(schema.get(key), (*parts, key))
    for key in ("properties", "patternProperties", "$defs"):
        if isinstance(schema.get(key), dict):
            for name, value in schema[key].items():
                yield from _subschemas(value, (*parts, key, name))
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        if isinstance(schema.get(key), list):
            for index, value in enumerate(schema[key]):
                yield from _subschemas(value, (*parts, key, index))


def example_problems(spec: dict) -> list[str]:
    """Every example that does not match its schema (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""
    uri_grammar.skip()  # seconds of grammar building for formats no booking API names
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    uri = "urn:course:openapi"
    registries: dict[str, Any] = {}

    def registry(direction: str) -> Any:
        # The spec as a request or a response sees it (see `_directed`), built when first used.
        if direction not in registries:
            resource = Resource(_directed(spec, direction), specification=DRAFT202012)
            registries[direction] = Registry().with_resource(uri, resource)
        return registries[direction]

    def first_error(site: ExampleSite, direction: str) -> Any:
        validator = Draft202012Validator(
            {"$ref": uri + pointer(site.schema_at)},
            registry=registry(direction),
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        return best_match(validator.iter_errors(site.value))

    problems = []
    for site in example_sites(spec):
        at = where(site.at)
        if site.written_at is not None:
            at += f" (written at {where(site.written_at)})"
        if site.missing_value:
            problems.append(f"{at} has no `value:`; put the example's data under `value:`")
            continue
        if site.schema_at is None:
            continue
        timestamp = _first_timestamp(site.value)
        if timestamp is not None:
            inside, value = timestamp
            problems.append(
                f"{at}{_inside(inside)}: YAML read the unquoted {value.isoformat()} as a"
                " timestamp, not as text; put date-times in quotes"
            )
            continue
        # A schema's own example may show either side: it is right if it is right for one.
        direction = _direction(site.at)
        try:
            error = first_error(site, direction or REQUEST)
            if error is not None and direction is None and first_error(site, RESPONSE) is None:
                error = None
        except Exception as failure:  # noqa: BLE001 - a schema can be unusable in many ways
            problems.append(f"{at}: could not be checked ({shorten(str(failure), 80)})")
            continue
        if error is not None:
            message = shorten(first_line(error.message), 120)
            if error.validator == "type":
                message = _with_json_literal(error.instance, message)
            if error.validator == "format" and error.validator_value in FORMAT_RULES:
                message += f" ({FORMAT_RULES[error.validator_value]})"
            problems.append(f"{at}{_inside(tuple(error.absolute_path))}: {message}")
    return unique(problems)


def _with_json_literal(value: object, message: str) -> str:
    """A type error about null, true or false, with the value as YAML and JSON write it: the
    validator names Python's None, True and False, which no example in the file holds."""
    python = repr(value)
    if value is None or isinstance(value, bool):
        if message.startswith(python):
            return json.dumps(value) + message[len(python) :]
    return message


REQUEST, RESPONSE = "request", "response"
FORMAT_RULES = {
    "date-time": "RFC 3339: a date, T, a time with seconds, and Z or an offset, as in"
    " 2030-01-07T10:00:00+01:00",
    "date": "RFC 3339: year, month and day, as in 2030-01-07",
}
"""What a value of a format looks like, for an example that is not one: the validator only
says that it is not."""


def _direction(parts: Parts) -> str | None:
    """Whether what is written at `parts` is sent by a client (request) or by the service
    (response); None for a schema of components/schemas, which either may use."""
    if parts[:1] == ("paths",):
        rest = parts[2:]
    elif parts[:2] == ("components", "pathItems"):
        rest = parts[3:]
    elif parts[:2] in (("components", "requestBodies"), ("components", "parameters")):
        return REQUEST
    elif parts[:2] in (("components", "responses"), ("components", "headers")):
        return RESPONSE
    else:
        return None
    if rest[:1] == ("parameters",) or rest[1:2] in (("requestBody",), ("parameters",)):
        return REQUEST
    if rest[1:2] == ("responses",):
        return RESPONSE
    return None


def _directed(spec: dict, direction: str) -> dict:
    """The spec as one direction sees it: OpenAPI's `readOnly` properties are not required in a
    request, nor `writeOnly` ones in a response, even if the schema lists them in `required`
    (JSON Schema alone would ask for them). The spec itself when it has neither keyword."""
    flag = "readOnly" if direction == REQUEST else "writeOnly"
    if not any(isinstance(node, dict) and node.get(flag) is True for node, _ in walk(spec)):
        return spec
    directed = copy.deepcopy(spec)
    for node, _ in walk(directed):
        required = node.get("required") if isinstance(node, dict) else None
        if isinstance(required, list):
            flagged = _flagged_properties(directed, node, flag)
            node["required"] = [name for name in required if name not in flagged]
    return directed


def _flagged_properties(spec: dict, schema: dict, flag: str, depth: int = 0) -> set[str]:
    """The properties of `schema`, and of the schemas it extends (`allOf`, `$ref`), that say
    `flag: true`, themselves or in the schema their `$ref` points at."""
    if depth > 8:
        return set()
    flagged = set()
    properties = schema.get("properties")
    for name, value in properties.items() if isinstance(properties, dict) else ():
        for _ in range(32):
            if not isinstance(value, dict):
                break
            if value.get(flag) is True:
                flagged.add(name)
                break
            value = local_target(spec, value.get("$ref"))
    extended = schema.get("allOf") if isinstance(schema.get("allOf"), list) else []
    for part in [*extended, local_target(spec, schema.get("$ref"))]:
        if isinstance(part, dict):
            part = local_target(spec, part.get("$ref")) if set(part) == {"$ref"} else part
            if isinstance(part, dict):
                flagged |= _flagged_properties(spec, part, flag, depth + 1)
    return flagged


def local_target(spec: dict, ref: Any) -> Any:
    """What one local `$ref` points at, one step only; None for anything else. (`resolve`
    would also follow a `$ref` that the target writes beside its own keywords, and lose them.)"""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    try:
        return lookup(spec, pointer_parts(ref))
    except (LookupError, IndexError):
        return None


def _inside(parts: Parts) -> str:
    if not parts:
        return ""
    text = where(parts)
    return f" at {text if text.startswith('[') else '.' + text}"


def _first_timestamp(value: Any, parts: Parts = ()) -> tuple[Parts, dt.date] | None:
    """The first date or date-time YAML made out of unquoted text, and where it is."""
    if isinstance(value, dt.date):
        return parts, value
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _first_timestamp(child, (*parts, key))
        if found is not None:
            return found
    return None


def has_example(spec: dict, media_object: Any) -> bool:
    if not isinstance(media_object, dict):
        return False
    if "example" in media_object or media_object.get("examples"):
        return True
    return _shows_example(spec, media_object.get("schema"))


def _shows_example(spec: dict, schema: Any, depth: int = 0) -> bool:
    """Whether a schema shows a reader an example of a whole value.

    In 3.1 a schema may write its example beside its `$ref` or on what the `$ref` points at. An
    object may instead give one on each of its fields (FastAPI's `Field(examples=[…])`): tools
    such as Swagger UI put the whole value together from them, so every field the value must
    have (every one, when it names none as required) needs one of its own.
    """
    if depth > 8:
        return False
    node = schema
    for _ in range(32):
        if not isinstance(node, dict):
            return False
        if node.get("examples") or "example" in node:
            return True
        node = local_target(spec, node.get("$ref"))
        if node is None:
            break
    properties, required = _object_fields(spec, schema)
    needed = required or list(properties)
    return bool(needed) and all(
        name in properties and _shows_example(spec, properties[name], depth + 1) for name in needed
    )


def _object_fields(spec: dict, schema: Any, depth: int = 0) -> tuple[dict[str, Any], list[str]]:
    """The properties of an object schema and the names it requires, with those of the schemas
    it extends (`allOf`, a `$ref`), references followed."""
    if not isinstance(schema, dict) or depth > 8:
        return {}, []
    properties = dict(schema["properties"]) if isinstance(schema.get("properties"), dict) else {}
    required = [str(n) for n in schema.get("required") or [] if isinstance(n, str)]
    parts = [part for part in schema.get("allOf") or [] if isinstance(part, dict)]
    if isinstance(schema.get("$ref"), str):
        parts.append(local_target(spec, schema["$ref"]))
    for part in parts:
        more, also = _object_fields(spec, part, depth + 1)
        for name, value in more.items():
            properties.setdefault(name, value)
        required += [name for name in also if name not in required]
    return properties, required
