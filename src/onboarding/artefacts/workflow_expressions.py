"""GitHub Actions expressions: enough of the language to decide whether a job's `if:` holds.

`evaluate_condition(condition, context)` reads an `if:` value the way GitHub does: with or
without `${{ }}`, names looked up case-insensitively in the contexts (`github.ref`,
`steps.auth.outputs.token`), strings compared without regard to case and values of two types
compared as numbers, `startsWith`, `endsWith`, `contains`, `format`, `join`, `toJSON` and
`fromJSON`, and the status functions. It is a small recursive-descent
parser; what it cannot read raises `ExpressionError` naming the place, and never guesses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "STATUS_FUNCTIONS",
    "ExpressionError",
    "as_text",
    "evaluate_condition",
    "evaluate_expression",
    "substitute",
]


class ExpressionError(ValueError):
    """An expression this evaluator cannot read; the message says where."""


TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,\[\]])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.(?:[A-Za-z_][A-Za-z0-9_\-]*|\*))*))"
)


def tokens(text: str) -> list[tuple[str, str]]:
    """The expression's tokens, as (kind, text); an unreadable character raises."""
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read `{text[position : position + 20]}`")
        kind = match.lastgroup or ""
        found.append((kind, match[kind]))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return found


def as_number(value: Any) -> float:
    """GitHub's coercion to a number: null 0, booleans 1 and 0, a string as JSON reads it ('' 0)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            number = json.loads(text)
        except ValueError:
            return math.nan
        is_number = isinstance(number, int | float) and not isinstance(number, bool)
        return float(number) if is_number else math.nan
    return math.nan  # arrays and objects are only ever equal to themselves


def loose_equal(left: Any, right: Any) -> bool:
    """GitHub's `==`: strings compare without regard to case; values of two types as numbers.

    So a missing value (null) equals '' and 0, as `vars.NAME != ''` relies on.
    """
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if isinstance(left, list | dict) or isinstance(right, list | dict):
        return left is right  # GitHub compares arrays and objects by identity
    if type(left) is type(right):
        return left == right
    return as_number(left) == as_number(right)


def _to_json(value: Any) -> str:
    # GitHub's toJSON indents by two spaces, as `json.dumps(indent=2)` does.
    return json.dumps(value, indent=2)


def _from_json(text: Any) -> Any:
    try:
        return json.loads(str(text))
    except ValueError:
        raise ExpressionError(f"fromJSON() cannot read {str(text)[:40]!r} as JSON") from None


def _join(values: Any, separator: Any = ",") -> str:
    if isinstance(values, list):
        return str(separator).join(as_text(value) for value in values)
    return as_text(values)


def as_text(value: Any) -> str:
    """A value as GitHub turns it into text: null '', booleans 'true'/'false', 1.0 as '1'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "startswith": lambda text, prefix: str(text).lower().startswith(str(prefix).lower()),
    "endswith": lambda text, suffix: str(text).lower().endswith(str(suffix).lower()),
    "contains": lambda haystack, needle: (
        any(loose_equal(item, needle) for item in haystack)
        if isinstance(haystack, list)
        else str(needle).lower() in str(haystack).lower()
    ),
    "format": lambda text, *values: re.sub(
        r"\{(\d+)\}", lambda m: as_text(values[int(m[1])]), str(text)
    ),
    "fromjson": _from_json,
    "tojson": _to_json,
    "join": _join,
}
ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
STATUS_FUNCTIONS = {"success": True, "always": True, "failure": False, "cancelled": False}
"""The status functions as a simulation of a run in which everything needed succeeded."""


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any]) -> None:
        self.tokens = tokens(text)
        self.position = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError("the expression ends too early")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected `{expected}`, found `{token[1]}`")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected `{self.peek()}`")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value or right
        return value

    def and_(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            value = value and right
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()[1]
            right = self.unary()
            if operator == "==":
                value = loose_equal(value, right)
            elif operator == "!=":
                value = not loose_equal(value, right)
            else:
                try:
                    value = ORDERINGS[operator](value, right)
                except TypeError:
                    value = False
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind != "name":
            raise ExpressionError(f"unexpected `{text}`")
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if self.peek() == "(":
            return self.call(text)
        value = self.lookup(text)
        while self.peek() == "[":
            self.take("[")
            key = self.or_()
            self.take("]")
            value = self.member(value, str(key) if not isinstance(key, float) else int(key))
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        arguments = []
        while self.peek() != ")":
            arguments.append(self.or_())
            if self.peek() == ",":
                self.take(",")
            elif self.peek() != ")":
                raise ExpressionError(f"expected `,` or `)` in the call of `{name}()`")
        self.take(")")
        lowered = name.lower()
        if lowered in STATUS_FUNCTIONS:
            return STATUS_FUNCTIONS[lowered]
        if lowered not in FUNCTIONS:
            raise ExpressionError(f"the function `{name}()` is not supported here")
        try:
            return FUNCTIONS[lowered](*arguments)
        except (TypeError, IndexError):
            raise ExpressionError(f"`{name}()` got the wrong arguments") from None

    def lookup(self, dotted: str) -> Any:
        value: Any = self.context
        for part in dotted.split("."):
            value = self.member(value, part)
        return value

    @staticmethod
    def member(value: Any, key: str | int) -> Any:
        # Context and property names are case-insensitive in GitHub's expressions; a missing
        # property is null, not an error.
        if isinstance(value, list) and isinstance(key, int):
            return value[key] if 0 <= key < len(value) else None
        if not isinstance(value, Mapping):
            return None
        return next((v for k, v in value.items() if str(k).lower() == str(key).lower()), None)


def evaluate_expression(text: str, context: Mapping[str, Any]) -> Any:
    """The value of one expression (the text between `${{` and `}}`)."""
    return _Parser(text, context).parse()


def evaluate_condition(condition: Any, context: Mapping[str, Any]) -> bool:
    """The truth of an `if:` value (text, with or without `${{ }}`, or a YAML boolean)."""
    if isinstance(condition, bool):
        return condition
    text = str(condition).strip()
    if text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1:
        text = text[3:-2]
    elif "${{" in text:
        raise ExpressionError(
            "mixes text and `${{ }}`; write the whole condition as one expression"
        )
    return bool(evaluate_expression(text, context))


EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """The text with each `${{ }}` replaced by its value, as GitHub does before a step runs.

    GitHub fills in a `run:` script and `env:` values before the shell sees them, so
    `--python ${{ matrix.python }}` reaches the shell as `--python 3.12`. An expression that
    cannot be read raises ExpressionError.
    """
    return EXPRESSION.sub(lambda match: as_text(evaluate_expression(match[1], context)), text)
