"""Is a new version of an API spec compatible with the old one? Each difference, judged.

`compatibility(old_spec, new_spec)` compares two parsed OpenAPI documents operation by operation
and returns one `Change` per difference, each breaking or not, with a one-line description that
quotes both sides:

    breaking    request BookingCreate.purpose: absent in the old spec, a required string in the
                new (clients that do not send it are refused)

What it judges follows from what clients do: they *send* parameters and request bodies, and
*read* responses, ignoring response fields they do not know (the "tolerant reader"). So a change
that makes the service accept more of what clients send, or answer with less variety than before,
is compatible; one that refuses what clients send today, or answers with something a client has
not seen (a new type, a field gone, null where there was always a value), is breaking. A schema
reached through `$ref` to `components/schemas` is named by its component, so a change to a shared
schema is reported once however many operations use it.

The same rule judges every limit on values: types (a `type:` gone from a response field lets it
hold anything; from a request field, it takes more), `enum` and `const`, lengths (`minLength`,
`maxLength`), ranges (`minimum`, `maximum`, both `exclusive…` forms, `multipleOf`), counts of
items and of fields, `pattern`, and the formats that refuse values (`date-time`, `email`,
`int32`…; `password` or a team's own format refuses nothing). A request's limit may only widen,
a response's only narrow; a limit equal to the old one, however written (`exclusiveMinimum: 0`
on an integer is `minimum: 1`), is no change. `additionalProperties: false` added to a request
refuses the fields clients may send beside the listed ones; on a response, opening it is
compatible, as a new field is; a schema for the other fields (a map's values) is compared as any
schema is.

It is a sketch of what tools such as oasdiff do, enough for the course's lessons and checks (the
stage 02 lesson and the capstone's "is my change backwards compatible?"), not a replacement for
them. It does not judge headers, security schemes, `oneOf`/`anyOf`
alternatives beyond the types they allow (`anyOf: [{type: string}, {type: "null"}]` is judged as
`type: [string, "null"]`), `not`, `if`/`then`, `uniqueItems`, `contains`, `patternProperties` or
`prefixItems`; whether a changed `pattern` is wider (it is judged as one that may refuse, or
answer, what the old did not); or a type or limit behind a `$ref` it cannot follow (another
file). A schema with `properties:` (or `items:`) but no `type:` is taken for an object (an
array), as code generators take it. Of a limit written in several `allOf` parts, the first part's
counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from onboarding.artefacts.openapi import (
    METHODS,
    bare_ref,
    json_media,
    json_type,
    path_items,
    pointer_parts,
    resolve,
    template,
)

SCHEMAS_REF = "#/components/schemas/"
MAX_DEPTH = 12
"""How deep into nested schemas the comparison goes (a recursive schema stops there)."""


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a spec."""

    breaking: bool
    subject: str
    """What changed: `operation GET /rooms`, `request BookingCreate.purpose`…"""
    old: str
    """How the old spec has it, in words ("absent", "a required string", "200, 404")."""
    new: str
    why: str = ""
    """Why it matters to clients, when that is not obvious."""

    @property
    def verdict(self) -> str:
        return "breaking" if self.breaking else "compatible"

    @property
    def description(self) -> str:
        """One line quoting both sides."""
        text = f"{self.subject}: {self.old} in the old spec, {self.new} in the new"
        return f"{text} ({self.why})" if self.why else text

    def __str__(self) -> str:
        return f"{self.verdict}: {self.description}"


def compatibility(old_spec: dict, new_spec: dict) -> list[Change]:
    """Every difference between two versions of a spec, breaking ones first."""
    changes: set[Change] = set()
    before, after = _operations_by_shape(old_spec), _operations_by_shape(new_spec)
    for key in before.keys() - after.keys():
        changes.add(
            Change(
                True,
                f"operation {_label(key, before)}",
                "present",
                "absent",
                "clients that call it get an error",
            )
        )
    for key in after.keys() - before.keys():
        changes.add(Change(False, f"operation {_label(key, after)}", "absent", "present"))
    for key in before.keys() & after.keys():
        sides = _Sides(old_spec, new_spec)
        changes.update(sides.operation(_label(key, after), before[key], after[key]))
    return sorted(changes, key=lambda change: (not change.breaking, change.subject, change.old))


def breaking_changes(old_spec: dict, new_spec: dict) -> list[Change]:
    return [change for change in compatibility(old_spec, new_spec) if change.breaking]


# --- Operations -------------------------------------------------------------------------------


def _operations_by_shape(spec: dict) -> dict[tuple[str, str], tuple[str, dict, dict]]:
    """(METHOD, path shape) → (path as written, operation, path item), for every operation."""
    found = {}
    for path, item, _ in path_items(spec):
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[(method.upper(), template(path))] = (path, item[method], item)
    return found


def _label(key: tuple[str, str], found: dict) -> str:
    return f"{key[0]} {found[key][0]}"


@dataclass
class _Sides:
    """The two specs, for following `$ref`s on each side while comparing."""

    old_spec: dict
    new_spec: dict

    def operation(self, label: str, old: tuple, new: tuple) -> Iterator[Change]:
        (_, old_op, old_item), (_, new_op, new_item) = old, new
        yield from self.parameters(label, old_op, old_item, new_op, new_item)
        yield from self.request_body(label, old_op.get("requestBody"), new_op.get("requestBody"))
        yield from self.responses(label, old_op.get("responses"), new_op.get("responses"))

    # --- parameters
    def _parameters(self, spec: dict, operation: dict, item: dict) -> dict[tuple[str, str], dict]:
        named: dict[tuple[str, str], dict] = {}
        path_position = 0
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter, _ = resolve(spec, raw, ())
            if not isinstance(parameter, dict) or "name" not in parameter:
                continue
            where = str(parameter.get("in", "query"))
            if where == "path":
                # Path parameters are matched by position: `{roomId}` is `{room_id}` renamed,
                # which no client can see.
                key = ("path", f"#{path_position}")
                path_position += 1
            else:
                key = (where, str(parameter["name"]))
            named[key] = parameter
        return named

    def parameters(
        self, label: str, old_op: dict, old_item: dict, new_op: dict, new_item: dict
    ) -> Iterator[Change]:
        before = self._parameters(self.old_spec, old_op, old_item)
        after = self._parameters(self.new_spec, new_op, new_item)
        for key in after.keys() - before.keys():
            parameter = after[key]
            subject = f"{label} {key[0]} parameter {parameter['name']}"
            if parameter.get("required"):
                yield Change(True, subject, "absent", "required", "requests without it are refused")
            else:
                yield Change(False, subject, "absent", "optional")
        for key in before.keys() - after.keys():
            parameter = before[key]
            yield Change(
                True,
                f"{label} {key[0]} parameter {parameter['name']}",
                "present",
                "absent",
                "clients still send it",
            )
        for key in before.keys() & after.keys():
            old, new = before[key], after[key]
            subject = f"{label} {key[0]} parameter {new['name']}"
            was, now = bool(old.get("required")), bool(new.get("required"))
            if now and not was:
                yield Change(
                    True, subject, "optional", "required", "requests without it are refused"
                )
            elif was and not now:
                yield Change(False, subject, "required", "optional")
            yield from self.schema(subject, old.get("schema"), new.get("schema"), sent=True)

    # --- bodies
    def _json_schema(self, spec: dict, holder: Any) -> tuple[dict | None, Any]:
        holder, _ = resolve(spec, holder, ())
        if not isinstance(holder, dict):
            return None, None
        content = holder.get("content")
        media = json_media(content)
        if media is None or not isinstance(content[media], dict):
            return holder, None
        return holder, content[media].get("schema")

    def request_body(self, label: str, old: Any, new: Any) -> Iterator[Change]:
        old_body, old_schema = self._json_schema(self.old_spec, old)
        new_body, new_schema = self._json_schema(self.new_spec, new)
        subject = f"{label} request body"
        was = "absent" if old_body is None else _required_text(old_body.get("required"))
        now = "absent" if new_body is None else _required_text(new_body.get("required"))
        if new_body is not None and new_body.get("required") and was != "required":
            yield Change(True, subject, was, now, "requests without one are refused")
        elif old_body is not None and new_body is None:
            yield Change(True, subject, was, now, "clients still send one")
        elif was != now:
            yield Change(False, subject, was, now)
        if old_schema is not None and new_body is not None and new_schema is None:
            # The JSON clients send today is no longer among what the operation takes.
            yield Change(
                True, subject, "a JSON body", _body_text(new_body), "clients still send JSON"
            )
        if old_schema is not None and new_schema is not None:
            yield from self.schema(f"request body of {label}", old_schema, new_schema, sent=True)

    def responses(self, label: str, old: Any, new: Any) -> Iterator[Change]:
        before = {str(code): value for code, value in (old or {}).items()}
        after = {str(code): value for code, value in (new or {}).items()}
        for code in sorted(before.keys() - after.keys()):
            if code.startswith("2"):
                yield Change(
                    True,
                    f"{label} response {code}",
                    "documented",
                    "absent",
                    "clients expect it when the call succeeds",
                )
            else:
                yield Change(False, f"{label} response {code}", "documented", "absent")
        for code in sorted(after.keys() - before.keys()):
            why = "" if code.startswith("2") else "a client that assumed the list was complete"
            yield Change(False, f"{label} response {code}", "absent", "documented", why)
        for code in sorted(before.keys() & after.keys()):
            _, old_schema = self._json_schema(self.old_spec, before[code])
            new_holder, new_schema = self._json_schema(self.new_spec, after[code])
            if code.startswith("2") and old_schema is not None and new_schema is None:
                yield Change(
                    True,
                    f"{label} response {code}",
                    "a JSON body",
                    _body_text(new_holder),
                    "clients read the body it sent",
                )
            if old_schema is not None and new_schema is not None:
                yield from self.schema(
                    f"response {code} of {label}", old_schema, new_schema, sent=False
                )

    # --- schemas
    def schema(
        self, subject: str, old: Any, new: Any, *, sent: bool, depth: int = 0
    ) -> Iterator[Change]:
        """Differences between two schemas; `sent` when clients send it, else they read it."""
        if depth > MAX_DEPTH:
            return
        old, old_name = _named(self.old_spec, old)
        new, new_name = _named(self.new_spec, new)
        if old_name is not None and old_name == new_name:
            subject = f"{'request' if sent else 'response'} {new_name}"
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        readable = _readable(self.old_spec, old) and _readable(self.new_spec, new)
        old, new = _merged(self.old_spec, old), _merged(self.new_spec, new)
        old_types, new_types = _types(self.old_spec, old), _types(self.new_spec, new)
        if readable:
            yield from _type_change(subject, old_types, new_types, sent)
        if _values(old) is not None or _values(new) is not None:
            # A type's change alone (boolean to boolean or null) is the type's to report.
            yield from _enum_change(
                subject, _allowed_values(old, old_types), _allowed_values(new, new_types), sent
            )
        for limit in LIMITS if readable else ():
            if limit.applies(old_types) and limit.applies(new_types):
                yield from _limit_change(subject, limit, (old, old_types), (new, new_types), sent)
        yield from self._properties(subject, old, new, sent, depth)
        yield from self._other_properties(subject, old, new, sent, depth)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            yield from self.schema(
                f"{subject}[]", old["items"], new["items"], sent=sent, depth=depth + 1
            )

    def _properties(
        self, subject: str, old: dict, new: dict, sent: bool, depth: int
    ) -> Iterator[Change]:
        before = old.get("properties") if isinstance(old.get("properties"), dict) else {}
        after = new.get("properties") if isinstance(new.get("properties"), dict) else {}
        required_before = set(old.get("required") or [])
        required_after = set(new.get("required") or [])
        for field in sorted(after.keys() - before.keys(), key=str):
            now = _field_text(self.new_spec, after[field], field in required_after)
            if sent and field in required_after:
                why = "clients that do not send it are refused"
                yield Change(True, f"{subject}.{field}", "absent", now, why)
            else:
                yield Change(False, f"{subject}.{field}", "absent", now)
        for field in sorted(before.keys() - after.keys(), key=str):
            was = _field_text(self.old_spec, before[field], field in required_before)
            why = "clients still send it" if sent else "clients that read it break"
            yield Change(True, f"{subject}.{field}", was, "absent", why)
        for field in sorted(before.keys() & after.keys(), key=str):
            was_required, now_required = field in required_before, field in required_after
            field_subject = f"{subject}.{field}"
            if was_required != now_required:
                was, now = _required_text(was_required), _required_text(now_required)
                if sent and now_required:
                    why = "clients that leave it out are refused"
                    yield Change(True, field_subject, was, now, why)
                elif not sent and not now_required:
                    why = "clients that expect it in every answer break"
                    yield Change(True, field_subject, was, now, why)
                else:
                    yield Change(False, field_subject, was, now)
            yield from self.schema(
                field_subject, before[field], after[field], sent=sent, depth=depth + 1
            )

    def _other_properties(
        self, subject: str, old: dict, new: dict, sent: bool, depth: int
    ) -> Iterator[Change]:
        """`additionalProperties`: whether an object takes fields it does not list, and of what
        schema (a map's values)."""
        was, now = old.get("additionalProperties"), new.get("additionalProperties")
        if (was is False) != (now is False):
            closed_now = now is False
            if sent and closed_now:
                why = "clients that send fields it does not list are refused"
                yield Change(True, subject, OPEN_TEXT, CLOSED_TEXT, why)
            else:
                # A response that may hold fields it does not list is no worse for a tolerant
                # reader than a new field, which is compatible: clients ignore both.
                before, after = (OPEN_TEXT, CLOSED_TEXT) if closed_now else (CLOSED_TEXT, OPEN_TEXT)
                yield Change(False, subject, before, after)
        elif isinstance(was, dict) or isinstance(now, dict):
            # `true` and no `additionalProperties` at all are the schema that takes anything.
            yield from self.schema(
                f"{subject}.*",
                was if isinstance(was, dict) else {},
                now if isinstance(now, dict) else {},
                sent=sent,
                depth=depth + 1,
            )


def _merged(spec: dict, schema: dict, depth: int = 0) -> dict:
    """The schema with the properties and required fields of its `allOf` parts folded in."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or depth > MAX_DEPTH:
        return schema
    merged = {key: value for key, value in schema.items() if key != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in parts:
        part, _ = _named(spec, part)
        if not isinstance(part, dict):
            continue
        part = _merged(spec, part, depth + 1)
        for key, value in (part.get("properties") or {}).items():
            properties.setdefault(key, value)
        required += [name for name in part.get("required") or [] if name not in required]
        for key in ("type", "enum", "const", "items", "additionalProperties", *LIMIT_KEYWORDS):
            if key in part and key not in merged:
                merged[key] = part[key]
    # Only what some part has: `properties: {}` would make an untyped schema look like an object.
    if properties or "properties" in merged:
        merged["properties"] = properties
    if required or "required" in merged:
        merged["required"] = required
    return merged


def _named(spec: dict, schema: Any) -> tuple[Any, str | None]:
    """The schema with `$ref`s followed, and the component's name when it is one.

    A `$ref` with keywords of its own beside it (OpenAPI 3.1) is its target and those keywords,
    as an `allOf` of the two would be: `{$ref: BookingCreate, required: [purpose]}` is no longer
    BookingCreate alone, so it has no component's name.
    """
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and isinstance(schema, dict) and not bare_ref(schema):
        own = {key: value for key, value in schema.items() if key != "$ref"}
        extended = own.get("allOf") if isinstance(own.get("allOf"), list) else []
        return {**own, "allOf": [{"$ref": ref}, *extended]}, None
    name = None
    if isinstance(ref, str) and ref.startswith(SCHEMAS_REF):
        name = pointer_parts(ref)[-1]
    resolved, _ = resolve(spec, schema, ())
    return resolved, name


def _types(spec: dict, schema: Any, depth: int = 0) -> set[str] | None:
    """The JSON types a schema allows, or None when it does not say.

    `anyOf`/`oneOf` alternatives allow the types of any of them (`anyOf: [{type: string},
    {type: "null"}]` is a string or null), and named values their own types (`const: null`).
    """
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    declared = schema.get("type")
    if declared is not None:
        types = {str(declared)} if not isinstance(declared, list) else {str(t) for t in declared}
        if schema.get("nullable") is True:  # OpenAPI 3.0's way of writing "or null"
            types.add("null")
        return types
    values = _values(schema)
    if values is not None:
        return {json_type(value) for value in values} or None
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            found = [_types(spec, _merged(spec, _named(spec, o)[0]), depth + 1) for o in options]
            if any(types is None for types in found):
                return None  # one alternative takes any type
            return set().union(*found)
    # `properties:` without `type: object` is written for objects, and code generators read it
    # so: adding or dropping the `type:` beside it changes nothing a client sees.
    for kind, keywords in IMPLIED_TYPES.items():
        if any(keyword in schema for keyword in keywords):
            return {kind}
    return None


IMPLIED_TYPES = {
    "object": ("properties", "additionalProperties", "patternProperties"),
    "array": ("items", "prefixItems"),
}
"""The type a schema without `type:` is written for, by the keywords that only it uses."""


def _readable(spec: dict, schema: Any, depth: int = 0) -> bool:
    """Whether every `$ref` the schema's type depends on can be followed.

    A `$ref` to another file, or to nothing, says nothing about the type: the differ must not
    take it for a schema that allows any type (the lost `type:` of a response field).
    """
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return True
    if isinstance(schema.get("$ref"), str):
        target, _ = resolve(spec, {"$ref": schema["$ref"]}, ())
        if not isinstance(target, (dict, bool)) or (
            isinstance(target, dict) and isinstance(target.get("$ref"), str)
        ):
            return False
        if not _readable(spec, target, depth + 1):
            return False
    return all(
        _readable(spec, part, depth + 1)
        for key in ("allOf", "anyOf", "oneOf")
        if isinstance(schema.get(key), list)
        for part in schema[key]
    )


def _values(schema: dict) -> list | None:
    """The values a schema names (`enum`, `const`), or None when it takes any of its type."""
    found = list(schema["enum"]) if isinstance(schema.get("enum"), list) else None
    if "const" in schema:
        const = schema["const"]
        both = found is None or any(repr(value) == repr(const) for value in found)
        found = [const] if both else []
    return found


FINITE_TYPES = {"boolean": [True, False], "null": [None]}
"""The types whose every value can be named: `enum: [true, false]` is `type: boolean`."""


def _allowed_values(schema: dict, types: set[str] | None) -> list | None:
    """The values a schema takes, when they can be listed: those it names, or every value of a
    boolean (or null) type; None when there are too many to list."""
    named = _values(schema)
    if named is not None or types is None or not types <= FINITE_TYPES.keys():
        return named
    return [value for kind in sorted(types) for value in FINITE_TYPES[kind]]


def _covers(wider: set[str] | None, narrower: set[str] | None) -> bool:
    """Whether every value of the types `narrower` is one of `wider`'s (an integer is a number;
    None is any type)."""
    if wider is None or narrower is None:
        return wider is None
    return all(kind in wider or (kind == "integer" and "number" in wider) for kind in narrower)


def _type_text(types: set[str] | None) -> str:
    if types is None:
        return "any type"
    return " or ".join(sorted(types, key=lambda name: (name == "null", name)))


def _type_change(
    subject: str, before: set[str] | None, after: set[str] | None, sent: bool
) -> Iterator[Change]:
    """A change to the types a schema takes; None, no `type:` at all, takes every type."""
    if before == after:
        return
    # Clients send what they sent before: the service must still take it. Clients read what the
    # service answers: it must not answer with anything they have not seen.
    compatible = _covers(after, before) if sent else _covers(before, after)
    why = ""
    if not compatible:
        why = "clients send a type it no longer takes" if sent else "clients read a new type"
        if not sent and after is None:
            why = "clients that rely on its type may read any other"
        elif not sent and before is not None and after - before == {"null"}:
            why = "clients that expect a value get null"
    yield Change(not compatible, subject, _type_text(before), _type_text(after), why)


def _enum_change(
    subject: str, before: list | None, after: list | None, sent: bool
) -> Iterator[Change]:
    """A change to the values a schema takes (`enum`, `const`; None: too many to list), so an
    enum that appears on a request field, or goes from a response field, is breaking too."""
    was = None if before is None else set(map(repr, before))
    now = None if after is None else set(map(repr, after))
    if was == now:
        return
    if sent:
        compatible = now is None or (was is not None and now >= was)
    else:
        compatible = was is None or (now is not None and now <= was)
    why = ""
    if not compatible:
        why = "clients send a value it no longer takes" if sent else "clients read a new value"
    yield Change(not compatible, subject, _values_text(was), _values_text(now), why)


def _values_text(values: set[str] | None) -> str:
    return "any value" if values is None else "one of " + ", ".join(sorted(values))


# --- Limits on values: lengths, ranges, patterns, formats ---------------------------------------

Bound = tuple[Any, bool]
"""A number and whether it is exclusive: `exclusiveMinimum: 0` is (0, True)."""


@dataclass(frozen=True)
class Limit:
    """One kind of limit on the values a schema takes, and how to tell which of two is wider."""

    keywords: tuple[str, ...]
    """What it is written with; the first names it when it is absent ("no maxLength")."""
    types: frozenset[str]
    """The types it limits: `maxLength` says nothing about an integer."""
    read: Callable[[dict, set[str] | None], Any]
    """The limit, comparable; None when there is none; UNREADABLE when it is no number."""
    covers: Callable[[Any, Any], bool]
    """Whether every value the narrower limit lets through, the wider lets through too."""
    refused: str
    """Whom a narrower limit on what clients send refuses."""
    unseen: str
    """What clients may read when a response's limit is wider: "longer strings"."""

    def applies(self, types: set[str] | None) -> bool:
        return types is None or not self.types.isdisjoint(types)

    @property
    def relied_on(self) -> str:
        return f"clients that rely on the old {self.keywords[0]} may read {self.unseen}"

    def text(self, schema: dict) -> str:
        """The limit as the spec writes it: `maxLength 100`, `exclusiveMinimum 0`, `no minimum`."""
        written = [
            f"{keyword} {_limit_text(keyword, schema[keyword])}"
            for keyword in self.keywords
            if keyword in schema
        ]
        return ", ".join(written) or f"no {self.keywords[0]}"


UNREADABLE = object()
"""A limit that is no number (`maxLength: "a hundred"`): the validator's to report, not ours."""


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return UNREADABLE
    # `.inf` in YAML is a float; an integer, however large, is a bound.
    return UNREADABLE if isinstance(value, float) and not math.isfinite(value) else value


def _limit_text(keyword: str, value: Any) -> str:
    if keyword == "pattern":
        return f"`{value}`"
    return json.dumps(value) if isinstance(value, (bool, int, float)) else str(value)


def _count(keyword: str, absent: Any) -> Callable[[dict, set[str] | None], Any]:
    """A count (a length, a number of items): `minLength: 0` is no limit at all."""

    def read(schema: dict, _: set[str] | None) -> Any:
        value = _number(schema.get(keyword))
        return absent if value is None else value

    return read


def _at_least(wider: Any, narrower: Any) -> bool:
    return narrower >= wider


def _at_most(wider: Any, narrower: Any) -> bool:
    return wider is None or (narrower is not None and narrower <= wider)


def _bound(schema: dict, types: set[str] | None, side: str) -> Bound | None | object:
    """The tightest of `minimum` and `exclusiveMinimum` (side "min"), or of the maximums.

    `exclusiveMinimum` is a number in OpenAPI 3.1 and a flag on `minimum` in 3.0. For integers
    an exclusive bound is the next integer in: `exclusiveMinimum: 0` is `minimum: 1`.
    """
    inclusive = _number(schema.get(f"{side}imum"))
    written = schema.get(f"exclusive{side.title()}imum")
    exclusive = None if isinstance(written, bool) else _number(written)
    if UNREADABLE in (inclusive, exclusive):
        return UNREADABLE
    bounds: list[Bound] = []
    if inclusive is not None:
        bounds.append((inclusive, written is True))
    if exclusive is not None:
        bounds.append((exclusive, True))
    if types and "integer" in types and "number" not in types:
        inward, rounded = (1, math.ceil) if side == "min" else (-1, math.floor)
        bounds = [
            (value + inward if open_ and value == int(value) else rounded(value), False)
            for value, open_ in bounds
        ]
    if not bounds:
        return None
    # The tighter of two lower bounds is the higher; at one number, the exclusive one.
    if side == "min":
        return max(bounds, key=lambda bound: (bound[0], bound[1]))
    return min(bounds, key=lambda bound: (bound[0], not bound[1]))


def _lower_covers(wider: Bound | None, narrower: Bound | None) -> bool:
    if wider is None or narrower is None:
        return wider is None
    return narrower[0] > wider[0] or (narrower[0] == wider[0] and (narrower[1] or not wider[1]))


def _upper_covers(wider: Bound | None, narrower: Bound | None) -> bool:
    if wider is None or narrower is None:
        return wider is None
    return narrower[0] < wider[0] or (narrower[0] == wider[0] and (narrower[1] or not wider[1]))


def _step(schema: dict, _: set[str] | None) -> Any:
    value = _number(schema.get("multipleOf"))
    if value is None or value is UNREADABLE:
        return value
    # Written as a decimal, compared exactly: 0.1 three times is 0.3.
    return Fraction(str(value)) if value > 0 else UNREADABLE


def _step_covers(wider: Fraction | None, narrower: Fraction | None) -> bool:
    """Every multiple of 10 is one of 5: `multipleOf` 5 covers 10."""
    if wider is None or narrower is None:
        return wider is None
    return (narrower / wider).denominator == 1


def _pattern(schema: dict, _: set[str] | None) -> Any:
    value = schema.get("pattern")
    return value if value is None or isinstance(value, str) else UNREADABLE


def _same_pattern(wider: str | None, narrower: str | None) -> bool:
    # Whether one regular expression matches all another does is beyond a differ: a changed
    # pattern is judged as one that may refuse what the old one took.
    return wider is None or wider == narrower


VALIDATED_FORMATS = {
    *("date-time", "date", "time", "duration", "email", "idn-email", "hostname"),
    *("idn-hostname", "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference"),
    *("uuid", "uri-template", "json-pointer", "relative-json-pointer", "regex", "byte"),
    *("int32", "int64"),
}
"""Formats that refuse values. Others (`password`, `float`, a team's own) are annotations: JSON
Schema says a validator ignores a format it does not know, so they refuse nothing."""

FORMATS_WITHIN = {
    "int64": {"int32"},
    "uri-reference": {"uri"},
    "iri": {"uri"},
    "iri-reference": {"uri", "uri-reference", "iri"},
    "idn-email": {"email"},
    "idn-hostname": {"hostname"},
}
"""The formats whose every value another format takes: every URI is a URI reference."""


def _format(schema: dict, _: set[str] | None) -> Any:
    value = schema.get("format")
    return value if isinstance(value, str) and value in VALIDATED_FORMATS else None


def _format_covers(wider: str | None, narrower: str | None) -> bool:
    if wider is None or narrower is None:
        return wider is None
    return wider == narrower or narrower in FORMATS_WITHIN.get(wider, set())


STRING = frozenset({"string"})
NUMBERS = frozenset({"integer", "number"})
ARRAY = frozenset({"array"})
OBJECT = frozenset({"object"})
ANY_TYPE = frozenset({"string", "integer", "number", "array", "object", "boolean", "null"})

LIMITS = (
    Limit(
        ("minLength",),
        STRING,
        _count("minLength", 0),
        _at_least,
        "clients that send shorter strings are refused",
        "shorter strings",
    ),
    Limit(
        ("maxLength",),
        STRING,
        _count("maxLength", None),
        _at_most,
        "clients that send longer strings are refused",
        "longer strings",
    ),
    Limit(
        ("minimum", "exclusiveMinimum"),
        NUMBERS,
        lambda s, t: _bound(s, t, "min"),
        _lower_covers,
        "clients that send smaller numbers are refused",
        "smaller numbers",
    ),
    Limit(
        ("maximum", "exclusiveMaximum"),
        NUMBERS,
        lambda s, t: _bound(s, t, "max"),
        _upper_covers,
        "clients that send larger numbers are refused",
        "larger numbers",
    ),
    Limit(
        ("multipleOf",),
        NUMBERS,
        _step,
        _step_covers,
        "clients that send numbers that are no multiple of the new one are refused",
        "other numbers",
    ),
    Limit(
        ("minItems",),
        ARRAY,
        _count("minItems", 0),
        _at_least,
        "clients that send fewer items are refused",
        "fewer items",
    ),
    Limit(
        ("maxItems",),
        ARRAY,
        _count("maxItems", None),
        _at_most,
        "clients that send more items are refused",
        "more items",
    ),
    Limit(
        ("minProperties",),
        OBJECT,
        _count("minProperties", 0),
        _at_least,
        "clients that send fewer fields are refused",
        "fewer fields",
    ),
    Limit(
        ("maxProperties",),
        OBJECT,
        _count("maxProperties", None),
        _at_most,
        "clients that send more fields are refused",
        "more fields",
    ),
    Limit(
        ("pattern",),
        STRING,
        _pattern,
        _same_pattern,
        "clients that send strings the new pattern does not match are refused",
        "other strings",
    ),
    Limit(
        ("format",),
        ANY_TYPE,
        _format,
        _format_covers,
        "clients that send values outside the new format are refused",
        "other values",
    ),
)
"""Every limit judged, one rule for all: what clients send must stay within the new limit, what
they read within the old one."""
LIMIT_KEYWORDS = tuple(keyword for limit in LIMITS for keyword in limit.keywords)

OPEN_TEXT = "other fields allowed"
CLOSED_TEXT = "additionalProperties false"


def _limit_change(
    subject: str, limit: Limit, old: tuple[dict, Any], new: tuple[dict, Any], sent: bool
) -> Iterator[Change]:
    """A change to one limit, judged as `_enum_change` judges values: a request's limit may only
    widen, a response's only narrow."""
    (old_schema, old_types), (new_schema, new_types) = old, new
    before, after = limit.read(old_schema, old_types), limit.read(new_schema, new_types)
    if before == after or UNREADABLE in (before, after):
        return
    compatible = limit.covers(after, before) if sent else limit.covers(before, after)
    why = ""
    if not compatible:
        why = limit.refused if sent else limit.relied_on
    yield Change(not compatible, subject, limit.text(old_schema), limit.text(new_schema), why)


def _body_text(holder: Any) -> str:
    """What a request body or response holds now, when it is no JSON: `text/csv`, `no body`."""
    content = holder.get("content") if isinstance(holder, dict) else None
    if isinstance(content, dict) and content:
        return "only " + ", ".join(map(str, content))
    return "no body"


def _required_text(required: Any) -> str:
    return "required" if required else "optional"


def _field_text(spec: dict, schema: Any, required: bool) -> str:
    """`a required string`, `an optional integer`, `a required Room`…"""
    resolved, name = _named(spec, schema)
    kind = name
    if kind is None and isinstance(resolved, dict):
        types = _types(spec, _merged(spec, resolved))
        kind = _type_text(types) if types else "value"
    article = "a" if required else "an"
    return f"{article} {_required_text(required)} {kind or 'value'}"
