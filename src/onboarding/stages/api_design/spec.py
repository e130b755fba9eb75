"""What exercise 02.1 asks of the learner's `openapi.yaml`, beyond being valid OpenAPI 3.1.

The five operations of the booking API with their status codes, a schema for the create request
and every 2xx response, one shared RFC 9457 error schema for every 4xx, and examples for creating
a booking. Every `*_problems` function takes the parsed spec and returns plain sentences, one per
mistake, each naming where it is as a JSON path; reading and validating the document is
`onboarding.artefacts.openapi`'s job.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from onboarding.artefacts.openapi import (
    PROBLEM_JSON,
    Parts,
    bare_ref,
    error_response_sites,
    has_example,
    json_media,
    json_type,
    local_target,
    lookup,
    media_essence,
    operations,
    pointer_parts,
    resolve,
    template,
    unique,
    where,
)

# The members of an RFC 9457 problem that a shared error schema must declare.
PROBLEM_MEMBERS = ("type", "title", "status")
# The JSON types RFC 9457 (section 3.1) gives them, and what each holds.
PROBLEM_MEMBER_TYPES = {
    "type": ({"string"}, "a string (a URI reference naming the kind of problem)"),
    "title": ({"string"}, "a string (a short summary of the kind of problem)"),
    "status": ({"integer", "number"}, "a number (the HTTP status code, such as 404)"),
}


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


def find_operation(spec: dict, wanted: Operation) -> tuple[str, dict] | None:
    """The spec's path key and operation object for `wanted`, matching parameter names loosely."""
    for path, method, operation in operations(spec):
        if method == wanted.method and template(path) == template(wanted.path):
            return path, operation
    return None


# --- Operations, status codes and schemas -----------------------------------------------------


def operation_problems(spec: dict) -> list[str]:
    """Each operation of the exercise that the spec lacks, in the form the course expects."""
    problems = []
    for wanted in OPERATIONS:
        if find_operation(spec, wanted) is not None:
            continue
        problem = f"no operation to {wanted.task}: expected {wanted.label}"
        found = _methods_at(spec, wanted.path)
        prefixed = _prefixed_path(spec, wanted)
        if wanted is CANCEL_BOOKING and "delete" in _methods_at(spec, GET_BOOKING.path):
            problem += (
                " (found DELETE on the booking: a cancelled booking stays readable, so"
                " cancelling is a state change, POST …/cancel, not a delete)"
            )
        elif found:
            problem += f" (that path has {', '.join(m.upper() for m in found)} only)"
        elif prefixed is not None:
            path, base = prefixed
            problem += (
                f" (found {wanted.method.upper()} {path}: a base such as {base} belongs in"
                f" `servers:`, as `servers: [{{url: {base}}}]`, and the paths follow it)"
            )
        problems.append(problem)
    return problems


def _prefixed_path(spec: dict, wanted: Operation) -> tuple[str, str] | None:
    """The spec's path for `wanted` written under a fixed base (`/v1/rooms`), and the base.

    The exercise's paths are relative to the servers, so `/v1/rooms` is another URL; the learner
    who wrote it meant the API's version or prefix, which OpenAPI puts in `servers:`.
    """
    shape = template(wanted.path)
    for path, method, _ in operations(spec):
        written = template(path)
        base = written[: -len(shape)]
        if method == wanted.method and written.endswith(shape) and base and "{" not in base:
            return path, base
    return None


def _methods_at(spec: dict, path: str) -> list[str]:
    return [m for p, m, _ in operations(spec) if template(p) == template(path)]


def found_operations(spec: dict) -> Iterator[tuple[Operation, str, dict]]:
    """(wanted, path as written, operation) for each of the exercise's operations the spec has."""
    for wanted in OPERATIONS:
        found = find_operation(spec, wanted)
        if found is not None:
            yield wanted, *found


def status_problems(spec: dict) -> list[str]:
    """Each status code an operation must document and does not."""
    problems = []
    for wanted, path, operation in found_operations(spec):
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
    for wanted, path, operation in found_operations(spec):
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
    if isinstance(schema, bool):
        # JSON Schema's `true` is `{}`, any JSON; `false` is none at all. Neither describes one.
        matches = "any JSON matches" if schema else "no JSON matches"
        return [
            f"{where((*located, 'content', media))} has `schema: {str(schema).lower()}`, which"
            f" {matches}; describe {what}"
        ]
    if not isinstance(schema, dict) or schema == {}:
        return [f"{where((*located, 'content', media))} has no `schema:` for {what}"]
    return []


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
            if not isinstance(media, str) or media_essence(media) != PROBLEM_JSON:
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
    return _problem_member_type_problems(spec, base)


def _problem_member_type_problems(spec: dict, base: str) -> list[str]:
    """Each RFC 9457 member the shared schema types as something the RFC does not allow: a
    client reads `status` as a number. An untyped member says nothing wrong, so it passes."""
    try:
        properties = _all_properties(spec, lookup(spec, ("components", "schemas", base)))
    except (LookupError, IndexError):
        return []
    problems = []
    for member, (allowed, described) in PROBLEM_MEMBER_TYPES.items():
        declared, _ = _field_kinds(spec, properties.get(member))
        if declared is not None and not declared & allowed:
            shown = " or ".join(sorted(declared)) or "typeless"
            problems.append(
                f"components.schemas.{base}.{member} is {shown}; RFC 9457 makes it {described}"
            )
    return problems


def _base_schema(spec: dict, name: str) -> str:
    """The schema `name` extends, followed to the root; else itself.

    It extends another through `allOf: [$ref …]`, or (JSON Schema 2020-12, so OpenAPI 3.1) a
    `$ref` written beside its own keywords.
    """
    seen = {name}
    while True:
        schema = spec.get("components", {}).get("schemas", {}).get(name)
        parts = _extended_parts(schema) if isinstance(schema, dict) else []
        parents = [
            pointer_parts(part["$ref"])[-1]
            for part in parts
            if isinstance(part, dict)
            and isinstance(part.get("$ref"), str)
            and part["$ref"].startswith("#/components/schemas/")
        ]
        if not parents or parents[0] in seen:
            return name
        name = parents[0]
        seen.add(name)


def _declared_properties(spec: dict, parts: Parts) -> set[str]:
    try:
        schema = lookup(spec, parts)
    except (LookupError, IndexError):
        return set()
    return {str(name) for name in _all_properties(spec, schema)}


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
        if not has_example(spec, content[media]):
            problems.append(
                f"{where((*located, 'content', media))} has no example; add `examples:` with {what}"
            )
    return problems


# --- The fields the exercise names, with their types -----------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    types: frozenset[str]
    """The JSON types the field must allow (and no others): {"string"}, {"string", "null"}."""
    date_time: bool = False
    """Whether its strings are RFC 3339 date-times (`format: date-time`)."""

    def __str__(self) -> str:
        kinds = sorted(self.types, key=lambda kind: (kind == "null", kind))
        text = " or ".join(
            "date-time string" if k == "string" and self.date_time else k for k in kinds
        )
        return f"{self.name} ({text})"


def _fields(**named: str) -> tuple[Field, ...]:
    """`start="date-time"`, `cancelled_at="date-time|null"`, `id="integer"`…"""
    fields = []
    for name, kinds in named.items():
        parts = set(kinds.split("|"))
        date_time = "date-time" in parts
        types = {"string" if part == "date-time" else part for part in parts}
        fields.append(Field(name, frozenset(types), date_time))
    return tuple(fields)


BOOKING_REQUEST = _fields(
    organiser="string", start="date-time", end="date-time", attendees="integer"
)
BOOKING = BOOKING_REQUEST + _fields(
    id="integer", room_id="integer", cancelled="boolean", cancelled_at="date-time|null"
)
ROOM = _fields(id="integer", name="string", capacity="integer")


def field_problems(spec: dict) -> list[str]:
    """The create request, the booking it returns, and a listed room have the named fields."""
    problems = []
    sites = [
        (CREATE_BOOKING, ("requestBody",), False, BOOKING_REQUEST, "the booking request"),
        (CREATE_BOOKING, ("responses", "201"), False, BOOKING, "the booking"),
        (LIST_ROOMS, ("responses", "200"), True, ROOM, "a room"),
    ]
    for wanted, route, listed, fields, what in sites:
        found = find_operation(spec, wanted)
        if found is None:
            continue  # the operations expectation names it
        path, operation = found
        parts: Parts = ("paths", path, wanted.method, *route)
        try:
            holder, located = resolve(spec, lookup(operation, route), parts)
        except (LookupError, IndexError, TypeError):
            continue  # the status and schema expectations name it
        content = holder.get("content") if isinstance(holder, dict) else None
        media = json_media(content)
        if media is None or not isinstance(content[media], dict):
            continue
        at = (*located, "content", media, "schema")
        schema, at = _follow_schema(spec, content[media].get("schema"), at)
        if not isinstance(schema, dict) or schema == {}:
            continue  # the schema expectation names a missing schema
        if listed:
            found = _listed_items(spec, schema, at, fields)
            if found is None:
                problems.append(
                    f"{where(at)} has no array of rooms: write `type: array` with `items:` (a"
                    " room), or an object with one property that is such an array, as a page"
                    " of rooms (`items:`, `next:`) has"
                )
                continue
            schema, at = found
        problems += _schema_field_problems(spec, schema, at, fields, what)
    return unique(problems)


def _listed_items(
    spec: dict, schema: dict, at: Parts, fields: tuple[Field, ...]
) -> tuple[Any, Parts] | None:
    """The schema of a listed item, and where it is written: the `items:` of an array, or of
    the array inside a wrapper object (`{items: [...], next: ...}`, a page of a list).

    The exercise asks what a listed room holds, not that the list be bare. Of a wrapper's
    arrays, the one whose items declare the most of `fields` is the list; None when there is
    no array at all.
    """
    if isinstance(schema.get("items"), dict):
        return _follow_schema(spec, schema["items"], (*at, "items"))
    wanted = {field.name for field in fields}
    arrays = []
    for value, located in _located_properties(spec, schema, at):
        value, located = _follow_schema(spec, value, located)
        if isinstance(value, dict) and isinstance(value.get("items"), dict):
            items = _follow_schema(spec, value["items"], (*located, "items"))
            arrays.append((len(wanted & set(map(str, _all_properties(spec, items[0])))), items))
    if not arrays:
        return None
    return max(arrays, key=lambda scored: scored[0])[1]


def _located_properties(
    spec: dict, schema: Any, at: Parts, depth: int = 0
) -> Iterator[tuple[Any, Parts]]:
    """Each property of a schema and of the schemas it extends, with where it is written."""
    schema, at = _follow_schema(spec, schema, at)
    if not isinstance(schema, dict) or depth > 8:
        return
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, value in properties.items():
            yield value, (*at, "properties", name)
    parts = schema.get("allOf")
    for index, part in enumerate(parts if isinstance(parts, list) else []):
        yield from _located_properties(spec, part, (*at, "allOf", index), depth + 1)
    if isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        target = pointer_parts(ref) if ref.startswith("#") else at
        yield from _located_properties(spec, local_target(spec, ref), target, depth + 1)


def _schema_field_problems(
    spec: dict, schema: Any, at: Parts, fields: tuple[Field, ...], what: str
) -> list[str]:
    properties = _all_properties(spec, schema)
    problems = []
    missing = [field for field in fields if field.name not in properties]
    if missing:
        problem = f"{where(at)} ({what}) has no {', '.join(map(str, missing))}"
        wanted_names = {field.name for field in fields}
        others = [name for name in map(str, properties) if name not in wanted_names]
        near: dict[str, str] = {}
        for field in missing:
            written = _near_name(field.name, others)
            if written is not None:
                near[field.name] = written
        if near:
            problem += (
                f"; it has {', '.join(near.values())} instead: name each field as the exercise"
                f" does ({', '.join(near)}), since that is the JSON the service sends"
            )
        problems.append(problem)
    for field in fields:
        if field.name not in properties:
            continue
        declared, date_time = _field_kinds(spec, properties[field.name])
        if declared is None:
            # No `type:` anywhere (or an option that allows anything): any value matches it.
            problems.append(
                f"{where(at)}.{field.name} does not say its type, so any value matches it; add"
                f" `type:`, the exercise asks for {field}"
            )
            continue
        if declared != set(field.types):
            shown = " or ".join(sorted(declared, key=lambda kind: (kind == "null", kind)))
            problem = (
                f"{where(at)}.{field.name} is {shown or 'typeless'}; the exercise asks for {field}"
            )
            written = properties[field.name]
            if isinstance(written, dict) and "nullable" in written:
                problem += ' (`nullable: true` is OpenAPI 3.0; 3.1 writes `type: [string, "null"]`)'
            problems.append(problem)
        elif field.date_time and not date_time:
            problems.append(
                f"{where(at)}.{field.name} is a string without `format: date-time`; the exercise"
                f" asks for {field}"
            )
    return problems


def _near_name(wanted: str, names: list[str]) -> str | None:
    """A property that looks meant as `wanted`: `roomId` or `room-id` for room_id, `organizer`
    for organiser, `canceled_at` for cancelled_at."""

    def bare(name: str) -> str:
        return re.sub(r"[_\-\s]", "", name).lower()

    for name in names:
        if bare(name) == bare(wanted):
            return name
    close = difflib.get_close_matches(bare(wanted), [bare(name) for name in names], 1, 0.8)
    return next((name for name in names if close and bare(name) == close[0]), None)


def _extended_parts(schema: dict) -> list[Any]:
    """The schemas a schema must also satisfy: its `allOf` parts, and the target of a `$ref`.

    In OpenAPI 3.1 a schema is JSON Schema 2020-12, where `$ref` is one keyword among others:
    `{$ref: BookingCreate, properties: {id: …}}` is a BookingCreate with an id, as an `allOf`
    of the two would be. (Only a bare `{$ref: …}` stands for its target alone.)
    """
    parts = [part for part in schema.get("allOf") or [] if isinstance(part, dict)]
    if isinstance(schema.get("$ref"), str):
        parts.insert(0, {"$ref": schema["$ref"]})
    return parts


def _follow_schema(spec: dict, schema: Any, parts: Parts) -> tuple[Any, Parts]:
    """Follow a schema's bare `$ref`s to what they point at, and where; a `$ref` with keywords
    of its own beside it is a schema of its own, and stays where it is written."""
    for _ in range(32):
        if not isinstance(schema, dict) or not bare_ref(schema):
            return schema, parts
        ref = schema["$ref"]
        schema = local_target(spec, ref)
        parts = pointer_parts(ref) if ref.startswith("#") else parts
    return schema, parts


def _all_properties(spec: dict, schema: Any, depth: int = 0) -> dict[str, Any]:
    """The properties of a schema, with those of the schemas it extends, references followed."""
    if not isinstance(schema, dict) or depth > 8:
        return {}
    if bare_ref(schema):
        return _all_properties(spec, local_target(spec, schema["$ref"]), depth + 1)
    found = (
        dict(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else {}
    )
    for part in _extended_parts(schema):
        for name, value in _all_properties(spec, part, depth + 1).items():
            found.setdefault(name, value)
    return found


def _field_kinds(spec: dict, schema: Any, depth: int = 0) -> tuple[set[str] | None, bool]:
    """The JSON types a property allows, and whether its strings are date-times.

    `type: [string, "null"]` and `anyOf: [{type: string}, {type: "null"}]` both say "a string or
    null". A schema it extends (`allOf`, or a `$ref` beside its own keywords) must hold too, so
    only the types all of them allow are left. 3.0's `nullable: true` says nothing in a 3.1
    document (JSON Schema has no such keyword): `{type: string, nullable: true}` is a string.
    """
    if not isinstance(schema, dict) or depth > 8:
        return None, False
    if bare_ref(schema):
        return _field_kinds(spec, local_target(spec, schema["$ref"]), depth + 1)
    date_time = schema.get("format") == "date-time"
    declared = schema.get("type")
    kinds: set[str] | None = None
    if isinstance(declared, str):
        kinds = {declared}
    elif isinstance(declared, list):
        kinds = {str(kind) for kind in declared}
    # `const: null` and `enum: [true, false]` name their values, and so their types.
    if "const" in schema:
        kinds = _allowed_by_both(kinds, {json_type(schema["const"])})
    if isinstance(schema.get("enum"), list):
        kinds = _allowed_by_both(kinds, {json_type(value) for value in schema["enum"]})
    for part in _extended_parts(schema):
        part_kinds, part_date_time = _field_kinds(spec, part, depth + 1)
        kinds = _allowed_by_both(kinds, part_kinds)
        date_time = date_time or part_date_time
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            options = [_field_kinds(spec, option, depth + 1) for option in schema[key]]
            # One option that allows any type lets the property be anything.
            union = (
                None
                if any(option_kinds is None for option_kinds, _ in options)
                else set().union(*(option_kinds for option_kinds, _ in options))
            )
            kinds = _allowed_by_both(kinds, union)
            # Its strings are date-times only if every option that allows a string says so:
            # `anyOf: [{format: date-time}, {type: string}]` takes any string.
            string_options = [
                option_date_time
                for option_kinds, option_date_time in options
                if option_kinds is None or "string" in option_kinds
            ]
            date_time = date_time or (bool(string_options) and all(string_options))
    if kinds is not None and "integer" in kinds and "number" in kinds:
        kinds.discard("integer")
    return kinds, date_time


def _allowed_by_both(first: set[str] | None, second: set[str] | None) -> set[str] | None:
    """The types two schemas both allow (None: any type); every integer is a number too."""
    if first is None:
        return None if second is None else set(second)
    if second is None:
        return set(first)
    both = first & second
    if ("number" in first and "integer" in second) or ("integer" in first and "number" in second):
        both.add("integer")
    return both
