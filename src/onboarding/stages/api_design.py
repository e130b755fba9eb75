"""Stage 02's checks: the learner's OpenAPI 3.1 spec of the booking API, and API compatibility.

Every `*_problems` function takes the parsed spec and returns a list of plain sentences, one per
mistake, each naming where the mistake is as a JSON path (`paths./rooms.get.responses`); an
empty list means all is well. Nothing here prints or raises on a learner's mistake, so every
message can be unit-tested. `check_spec()` turns the lists into a check cell's ✅ and ❌ lines.

The reference answer is the designed spec of the service, `bookings/openapi.yaml`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from onboarding.checks import SHOWN_PROBLEMS, CheckFailed, Exercise, load_yaml, require  # noqa: F401 - notebooks and tests call it through this module

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SPEC_FILE = "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM_JSON = "application/problem+json"
# The members of an RFC 9457 problem that a shared error schema must declare.
PROBLEM_MEMBERS = ("type", "title", "status")
# Keys whose values are data (examples, defaults), not parts of the contract's structure.
DATA_KEYS = frozenset({"example", "default", "const", "enum", "value"})

Parts = tuple[Any, ...]


@dataclass(frozen=True)
class Operation:
    """One operation the exercise asks for, in the form the reference spec writes it."""

    task: str
    method: str
    path: str
    statuses: dict[str, str]
    """Each status code the operation must document, and why it can happen."""

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


LIST_ROOMS = Operation("list rooms", "get", "/rooms", {"200": "the list of rooms"})
CREATE_BOOKING = Operation(
    "create a booking in a room",
    "post",
    "/rooms/{room_id}/bookings",
    {
        "201": "the booking was made",
        "404": "the room does not exist",
        "409": "the slot overlaps a live booking of the room",
        "422": "the body is malformed, or the booking breaks a rule: capacity, end before start",
    },
)
LIST_BOOKINGS = Operation(
    "list a room's bookings",
    "get",
    "/rooms/{room_id}/bookings",
    {"200": "one page of bookings", "404": "the room does not exist"},
)
GET_BOOKING = Operation(
    "get one booking",
    "get",
    "/bookings/{booking_id}",
    {"200": "the booking", "404": "the booking does not exist"},
)
CANCEL_BOOKING = Operation(
    "cancel one booking",
    "post",
    "/bookings/{booking_id}/cancel",
    {"200": "the cancelled booking", "404": "the booking does not exist"},
)
OPERATIONS = (LIST_ROOMS, CREATE_BOOKING, LIST_BOOKINGS, GET_BOOKING, CANCEL_BOOKING)


# --- Small helpers ----------------------------------------------------------------------------


def where(parts: Sequence[Any]) -> str:
    """A JSON path as the course writes it: `paths./rooms.get.responses.200`, `parameters[0]`."""
    text = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the top level"


def shorten(text: str, width: int = 160) -> str:
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


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


def operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    """Each (path, method, operation) of the spec, in the file's order."""
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if isinstance(item, dict):
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    yield str(path), method, item[method]


def template(path: str) -> str:
    """A path with its parameter names dropped, so `/rooms/{roomId}` matches `/rooms/{room_id}`."""
    return re.sub(r"\{[^}/]*\}", "{}", path.rstrip("/") or "/")


def find_operation(spec: dict, wanted: Operation) -> tuple[str, dict] | None:
    """The spec's path key and operation object for `wanted`, matching parameter names loosely."""
    for path, method, operation in operations(spec):
        if method == wanted.method and template(path) == template(wanted.path):
            return path, operation
    return None


def json_media(content: Any) -> str | None:
    """The first JSON media type of a content map (application/json or any …+json)."""
    if not isinstance(content, dict):
        return None
    for media in content:
        if isinstance(media, str) and (media == "application/json" or media.endswith("+json")):
            return media
    return None


# --- Loading and validity ---------------------------------------------------------------------


def load_spec(path: str | Path = SPEC_FILE) -> dict:
    """The parsed spec; ArtefactError (with line and column) or CheckFailed when it cannot be."""
    document = load_yaml(path)
    name = Path(path).name
    if document is None:
        raise CheckFailed(f"{name} is empty")
    if not isinstance(document, dict):
        raise CheckFailed(
            f"{name} holds a {type(document).__name__}, not a mapping of `openapi:`, `info:`,"
            " `paths:` and `components:`"
        )
    return document


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
            message = _explain(first_line(error.message), parts)
            problems.append(f"{where(parts)}: {shorten(message)}")
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


def _explain(message: str, parts: Parts) -> str:
    """Add the rule behind the validator's most common complaints."""
    if "was unexpected" in message and parts == ("paths",):
        return message + " — every path starts with /"
    if "was unexpected" in message and len(parts) == 2 and parts[0] == "paths":
        return message + " — a path holds operations: get, put, post, delete, patch, …"
    if message.startswith("Path parameter") and message.endswith("was not resolved"):
        return message + " — each {name} in a path needs a parameter with `in: path`"
    return message


# --- Operations, status codes and schemas -----------------------------------------------------


def operation_problems(spec: dict) -> list[str]:
    """Each operation of the exercise that the spec lacks, in the form the course expects."""
    problems = []
    for wanted in OPERATIONS:
        if find_operation(spec, wanted) is not None:
            continue
        problem = f"no operation to {wanted.task}: expected {wanted.label}"
        found = _methods_at(spec, wanted.path)
        if wanted is CANCEL_BOOKING and "delete" in _methods_at(spec, GET_BOOKING.path):
            problem += (
                " (found DELETE on the booking: a cancelled booking stays readable, so"
                " cancelling is a state change, POST …/cancel, not a delete)"
            )
        elif found:
            problem += f" (that path has {', '.join(m.upper() for m in found)} only)"
        problems.append(problem)
    return problems


def _methods_at(spec: dict, path: str) -> list[str]:
    return [m for p, m, _ in operations(spec) if template(p) == template(path)]


def status_problems(spec: dict) -> list[str]:
    """Each status code an operation must document and does not."""
    problems = []
    for wanted in OPERATIONS:
        found = find_operation(spec, wanted)
        if found is None:
            continue
        path, operation = found
        responses = operation.get("responses")
        codes = [str(code) for code in responses] if isinstance(responses, dict) else []
        missing = [code for code in wanted.statuses if code not in codes]
        if not missing:
            continue
        reasons = "; ".join(f"{code}: {wanted.statuses[code]}" for code in missing)
        has = f"it has {', '.join(codes)}" if codes else "it has no responses"
        problems.append(
            f"{where(('paths', path, wanted.method, 'responses'))} has no"
            f" {', '.join(missing)} ({reasons}) — {has}"
        )
    return problems


def schema_problems(spec: dict) -> list[str]:
    """The create request and every 2xx response of the exercise's operations have a schema."""
    problems = []
    found = find_operation(spec, CREATE_BOOKING)
    if found is not None:
        path, operation = found
        problems += _request_problems(spec, operation, ("paths", path, "post", "requestBody"))
    for wanted in OPERATIONS:
        found = find_operation(spec, wanted)
        if found is None:
            continue
        path, operation = found
        responses = operation.get("responses")
        if not isinstance(responses, dict):
            continue
        for code, response in responses.items():
            if str(code).startswith("2") and str(code) != "204":
                parts = ("paths", path, wanted.method, "responses", str(code))
                problems += _body_problems(spec, response, parts, "the JSON it returns")
    return unique(problems)


def _request_problems(spec: dict, body: Any, parts: Parts) -> list[str]:
    body, located = resolve(
        spec, body.get("requestBody") if isinstance(body, dict) else None, parts
    )
    if not isinstance(body, dict):
        return [
            f"{where(parts)} is missing: a booking is made from organiser, start, end and"
            " attendees, so describe that JSON body"
        ]
    problems = _body_problems(spec, body, located, "the JSON a client sends")
    if body.get("required") is not True:
        problems.append(
            f"{where(located)} is not `required: true`, so a client may leave it out;"
            " a booking cannot be made without one"
        )
    return problems


def _body_problems(spec: dict, holder: Any, parts: Parts, what: str) -> list[str]:
    """A request body or response (found at `parts`) has a JSON media type with a schema."""
    holder, located = resolve(spec, holder, parts)
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict) or not content:
        return [f"{where(located)} has no `content:`; describe {what} under application/json"]
    media = json_media(content)
    if media is None:
        found = ", ".join(map(str, content))
        return [f"{where((*located, 'content'))} has {found} but no application/json"]
    schema = content[media].get("schema") if isinstance(content[media], dict) else None
    if not isinstance(schema, (dict, bool)) or schema == {}:
        return [f"{where((*located, 'content', media))} has no `schema:` for {what}"]
    return []


# --- Errors -----------------------------------------------------------------------------------


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


def error_schema_problems(spec: dict) -> list[str]:
    """Every 4xx body is problem+json whose schema is a $ref to one shared components schema."""
    problems: list[str] = []
    uses: dict[str, list[str]] = {}
    count = 0
    for response, located, _ in error_response_sites(spec):
        count += 1
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict) or not content:
            problems.append(
                f"{where(located)} has no `content:`; an error has a body too:"
                f" {PROBLEM_JSON} with the shared error schema"
            )
            continue
        for media, media_object in content.items():
            at = (*located, "content", media)
            if media != PROBLEM_JSON:
                problems.append(
                    f"{where(at)}: errors are sent as {PROBLEM_JSON} (RFC 9457), not {media}"
                )
            schema = media_object.get("schema") if isinstance(media_object, dict) else None
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            if schema is None:
                problems.append(f"{where(at)} has no `schema:`")
            elif not isinstance(ref, str):
                problems.append(
                    f"inline schema at {where((*at, 'schema'))}: define the error body once,"
                    ' as components/schemas/Problem, and write `$ref: "#/components/schemas/Problem"`'
                )
            elif not ref.startswith("#/components/schemas/"):
                problems.append(
                    f"{where((*at, 'schema'))} refers to {ref}, not to an entry of"
                    " components/schemas"
                )
            else:
                uses.setdefault(pointer_parts(ref)[-1], []).append(where((*at, "schema")))
    if count == 0:
        return ["the spec has no 4xx responses yet, so there is no error body to share"]
    return problems + _shared_schema_problems(spec, uses)


def _shared_schema_problems(spec: dict, uses: dict[str, list[str]]) -> list[str]:
    families: dict[str, list[str]] = {}
    for name in uses:
        families.setdefault(_base_schema(spec, name), []).append(name)
    if len(families) > 1:
        listed = "; ".join(
            f"{', '.join(names)} (at {uses[names[0]][0]})" for names in families.values()
        )
        return [
            f"4xx responses use {len(families)} unrelated error schemas: {listed}; use one,"
            " such as Problem, everywhere (a schema that extends it with `allOf`, like"
            " ValidationProblem, is fine)"
        ]
    if not families:
        return []
    (base,) = families
    declared = _declared_properties(spec, ("components", "schemas", base))
    missing = [member for member in PROBLEM_MEMBERS if member not in declared]
    if missing:
        has = f"it has {', '.join(sorted(declared))}" if declared else "it declares no properties"
        return [
            f"components.schemas.{base} does not declare the RFC 9457 members"
            f" {', '.join(missing)} ({has})"
        ]
    return []


def _base_schema(spec: dict, name: str) -> str:
    """The schema `name` extends through `allOf: [$ref …]`, followed to the root; else itself."""
    seen = {name}
    while True:
        schema = spec.get("components", {}).get("schemas", {}).get(name)
        parents = [
            pointer_parts(part["$ref"])[-1]
            for part in (schema.get("allOf", []) if isinstance(schema, dict) else [])
            if isinstance(part, dict)
            and isinstance(part.get("$ref"), str)
            and part["$ref"].startswith("#/components/schemas/")
        ]
        if not parents or parents[0] in seen:
            return name
        name = parents[0]
        seen.add(name)


def _declared_properties(spec: dict, parts: Parts, depth: int = 0) -> set[str]:
    try:
        schema, _ = resolve(spec, lookup(spec, parts), parts)
    except (LookupError, IndexError):
        return set()
    if not isinstance(schema, dict) or depth > 8:
        return set()
    names = set(schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else ())
    for index, _part in enumerate(schema.get("allOf", []) or []):
        names |= _declared_properties(spec, (*parts, "allOf", index), depth + 1)
    return {str(name) for name in names}


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

    paths = spec.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        yield from parameters(item, ("paths", path))
        for method in METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            at = ("paths", path, method)
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
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    uri = "urn:course:openapi"
    registry = Registry().with_resource(uri, Resource(spec, specification=DRAFT202012))
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
        validator = Draft202012Validator(
            {"$ref": uri + pointer(site.schema_at)},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        try:
            error = best_match(validator.iter_errors(site.value))
        except Exception as failure:  # noqa: BLE001 - a schema can be unusable in many ways
            problems.append(f"{at}: could not be checked ({shorten(str(failure), 80)})")
            continue
        if error is not None:
            message = shorten(first_line(error.message), 120)
            problems.append(f"{at}{_inside(tuple(error.absolute_path))}: {message}")
    return unique(problems)


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


def example_coverage_problems(spec: dict) -> list[str]:
    """Creating a booking shows an example request, a 201 and the 409 of an overlap."""
    found = find_operation(spec, CREATE_BOOKING)
    if found is None:
        return [f"there is no {CREATE_BOOKING.label} yet to show examples for"]
    path, operation = found
    at = ("paths", path, "post")
    wanted = [(operation.get("requestBody"), (*at, "requestBody"), "a request a client sends")]
    responses = operation.get("responses")
    responses = responses if isinstance(responses, dict) else {}
    for code, what in (("201", "the booking it creates"), ("409", "the overlap in the way")):
        response = responses.get(code, responses.get(int(code)))
        if response is not None:
            wanted.append((response, (*at, "responses", code), what))
    problems = []
    for holder, parts, what in wanted:
        holder, located = resolve(spec, holder, parts)
        content = holder.get("content") if isinstance(holder, dict) else None
        media = json_media(content)
        if media is None:
            continue  # the schema and error checks report a missing body
        if not _has_example(spec, content[media]):
            problems.append(
                f"{where((*located, 'content', media))} has no example; add `examples:` with {what}"
            )
    return problems


def _has_example(spec: dict, media_object: Any) -> bool:
    if not isinstance(media_object, dict):
        return False
    if "example" in media_object or media_object.get("examples"):
        return True
    schema, _ = resolve(spec, media_object.get("schema"), ())
    return isinstance(schema, dict) and bool(schema.get("examples") or "example" in schema)


# --- The check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    text: str
    problems: Callable[[dict], list[str]]
    hint: str


EXPECTATIONS = (
    Expectation(
        "the five operations exist",
        operation_problems,
        "Put each operation under its path: /rooms (get), /rooms/{room_id}/bookings (get, post),"
        " /bookings/{booking_id} (get), /bookings/{booking_id}/cancel (post).",
    ),
    Expectation(
        "each operation documents its status codes",
        status_problems,
        'Add each code under the operation\'s `responses:`, quoted ("404":), with a description.',
    ),
    Expectation(
        "the create request and every 2xx response have a JSON schema",
        schema_problems,
        "Give each one `content: application/json: schema:`, usually a $ref to"
        " components/schemas (BookingCreate, Booking, Room).",
    ),
    Expectation(
        "every 4xx response is problem+json with one shared error schema from components",
        error_schema_problems,
        "Define Problem once under components/schemas (type, title, status, detail, instance)"
        ' and use `$ref: "#/components/schemas/Problem"` in every 4xx response.',
    ),
    Expectation(
        "creating a booking shows an example request, 201 and 409",
        example_coverage_problems,
        "Add `examples:` under the media type, each with a name and a `value:`; the process"
        " asks for an API spec with examples.",
    ),
    Expectation(
        "every example matches its schema",
        example_problems,
        "Fix the example or the schema; quote date-times, and give each required field.",
    ),
)


def check_spec(exercise: Exercise, path: str | Path = SPEC_FILE) -> None:
    """Run every expectation of exercise 02.1 on the spec in `path`, in order."""
    name = Path(path).name
    loaded: dict[str, Any] = {}

    @exercise.expect(
        f"{name} is valid YAML",
        required=True,
        hint="Where a line and column are given, look there and just above: indentation"
        " (spaces only) and a missing `:` are the usual causes.",
    )
    def _() -> None:
        loaded["spec"] = load_spec(path)

    @exercise.expect(
        "it is a valid OpenAPI 3.1 document",
        required=True,
        hint="Fix the first problem named and run the cell again; the path says where to look.",
    )
    def _() -> None:
        require(validity_problems(loaded["spec"]))

    spec = loaded.get("spec", {})
    for expectation in EXPECTATIONS:
        exercise.expect(expectation.text, hint=expectation.hint)(
            lambda expectation=expectation: require(expectation.problems(spec))
        )


# --- Compatibility (the lesson's versioning section) ------------------------------------------


@dataclass(frozen=True, order=True)
class Change:
    verdict: str
    """"breaking" or "compatible"."""
    what: str


def compatibility(old: dict, new: dict) -> list[Change]:
    """Each difference between two versions of a spec, and whether it breaks existing clients.

    It compares operations, their parameters, the type of their 2xx bodies, and the properties
    of components/schemas, judged by whether clients send the schema (requests) or read it
    (responses). A sketch of what tools such as oasdiff do, not a replacement for them.
    """
    changes = []
    before = {(m.upper(), p): op for p, m, op in operations(old)}
    after = {(m.upper(), p): op for p, m, op in operations(new)}
    for key in before.keys() - after.keys():
        changes.append(Change("breaking", f"removed operation {' '.join(key)}"))
    for key in after.keys() - before.keys():
        changes.append(Change("compatible", f"added operation {' '.join(key)}"))
    for key in before.keys() & after.keys():
        label = " ".join(key)
        changes += _parameter_changes(label, before[key], after[key])
        old_type, new_type = _body_type(old, before[key]), _body_type(new, after[key])
        if old_type != new_type:
            changes.append(
                Change("breaking", f"{label} now returns {new_type} instead of {old_type}")
            )
    requests, responses = _schema_directions(old)
    old_schemas = (old.get("components") or {}).get("schemas") or {}
    new_schemas = (new.get("components") or {}).get("schemas") or {}
    for name in old_schemas.keys() & new_schemas.keys():
        if name in requests:
            changes += _property_changes(name, old_schemas[name], new_schemas[name], sent=True)
        if name in responses:
            changes += _property_changes(name, old_schemas[name], new_schemas[name], sent=False)
    return sorted(set(changes))


def _parameter_changes(label: str, old: dict, new: dict) -> list[Change]:
    def named(operation: dict) -> dict[str, dict]:
        return {
            p["name"]: p
            for p in operation.get("parameters", [])
            if isinstance(p, dict) and "name" in p
        }

    before, after = named(old), named(new)
    changes = []
    for name in after.keys() - before.keys():
        if after[name].get("required"):
            changes.append(Change("breaking", f"{label} has a new required parameter {name}"))
        else:
            changes.append(Change("compatible", f"{label} has a new optional parameter {name}"))
    for name in before.keys() - after.keys():
        changes.append(Change("breaking", f"{label} no longer takes parameter {name}"))
    return changes


def _body_type(spec: dict, operation: dict) -> str | None:
    for code, response in (operation.get("responses") or {}).items():
        if str(code).startswith("2"):
            response, _ = resolve(spec, response, ())
            content = (response or {}).get("content") or {}
            media = json_media(content)
            schema, _ = resolve(spec, (content.get(media) or {}).get("schema"), ())
            if isinstance(schema, dict):
                return str(schema.get("type", "object"))
    return None


def _schema_directions(spec: dict) -> tuple[set[str], set[str]]:
    """The component schemas clients send (in request bodies) and read (in responses)."""
    sent: set[str] = set()
    read: set[str] = set()
    for _path, _method, operation in operations(spec):
        body = resolve(spec, operation.get("requestBody"), ())[0]
        sent |= _schemas_reached(spec, body)
        for response in (operation.get("responses") or {}).values():
            read |= _schemas_reached(spec, resolve(spec, response, ())[0])
    return sent, read


def _schemas_reached(spec: dict, node: Any) -> set[str]:
    reached: set[str] = set()
    pending = [node]
    while pending:
        for value, _ in walk(pending.pop()):
            ref = value.get("$ref") if isinstance(value, dict) else None
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = pointer_parts(ref)[-1]
                if name not in reached:
                    reached.add(name)
                    schemas = (spec.get("components") or {}).get("schemas") or {}
                    pending.append(schemas.get(name))
    return reached


def _property_changes(name: str, old: dict, new: dict, *, sent: bool) -> list[Change]:
    role = "request" if sent else "response"
    before, after = old.get("properties") or {}, new.get("properties") or {}
    required_before, required_after = set(old.get("required", [])), set(new.get("required", []))
    changes = []
    for field in after.keys() - before.keys():
        if sent and field in required_after:
            changes.append(Change("breaking", f"{role} {name} has a new required field {field}"))
        else:
            kind = "optional " if sent else ""
            changes.append(Change("compatible", f"{role} {name} has a new {kind}field {field}"))
    for field in before.keys() - after.keys():
        why = "clients still send it" if sent else "clients still read it"
        changes.append(Change("breaking", f"{role} {name} lost field {field} ({why})"))
    for field in before.keys() & after.keys():
        if before[field].get("type") != after[field].get("type"):
            changes.append(Change("breaking", f"{role} {name}.{field} changed type"))
        now_required = field in required_after and field not in required_before
        now_optional = field in required_before and field not in required_after
        if (sent and now_required) or (not sent and now_optional):
            became = "required" if now_required else "optional"
            changes.append(Change("breaking", f"{role} {name}.{field} became {became}"))
        elif now_required or now_optional:
            became = "required" if now_required else "optional"
            changes.append(Change("compatible", f"{role} {name}.{field} became {became}"))
    return changes


def contract_features(spec: dict) -> dict[str, int]:
    """What a reader of the contract gets, counted: the lesson's designed-versus-generated table."""
    error_media = [
        media
        for response, _, _ in error_response_sites(spec)
        for media in ((response or {}).get("content") or {})
    ]
    responses = [
        (str(code), resolve(spec, response, ())[0] or {})
        for _, _, operation in operations(spec)
        for code, response in (operation.get("responses") or {}).items()
    ]
    return {
        "operations": sum(1 for _ in operations(spec)),
        "examples": sum(1 for site in example_sites(spec) if not site.missing_value),
        "error bodies typed application/problem+json": error_media.count(PROBLEM_JSON),
        "error bodies typed application/json": error_media.count("application/json"),
        "response headers (such as Location)": sum(
            len(response.get("headers") or {}) for _, response in responses
        ),
        "responses described in their own words": sum(
            1 for code, response in responses if not _generic_description(code, response)
        ),
    }


def _generic_description(code: str, response: dict) -> bool:
    """Whether a response's description is only its status's name, as FastAPI writes it."""
    generic = {"Successful Response", "Validation Error"}
    if code.isdigit():
        try:
            generic.add(HTTPStatus(int(code)).phrase)
        except ValueError:
            pass
    return response.get("description") in generic


def with_change(spec: dict, change: Callable[[dict], Any]) -> dict:
    """A copy of `spec` with `change` applied to it: the lesson's next versions of the API."""
    changed = copy.deepcopy(spec)
    change(changed)
    return changed


@contextmanager
def reference_service() -> Iterator[TestClient]:
    """A client for the reference booking service on a new, empty database (in-process, no port).

    The lesson's demonstrations each use their own, so every cell can run again.
    """
    from bookings.core.config import Settings
    from bookings.main import create_app

    with warnings.catch_warnings():
        # Starlette warns on import that its test client will move to httpx2; the warning names
        # an absolute path, which must not appear in a lesson's output.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level="WARNING")
        with TestClient(create_app(settings)) as client:
            yield client
