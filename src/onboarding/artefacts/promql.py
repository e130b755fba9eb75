"""PromQL as alert rules use it: parse an expression, and evaluate it over a made-up history.

A check cannot run Prometheus, yet it must judge alert rules the way Prometheus would: by what
they do, not by how they are spelled. So this module

- **parses** a PromQL expression into a small tree (`parse`), with Prometheus' grammar and type
  rules: a syntax error, an unknown function or `rate()` of an instant vector is a `PromQLError`
  naming the column, as `promtool check rules` would reject it;
- **evaluates** the tree (`evaluate`) over a `History`: a few series whose rates and values are
  given piece by piece over the last days, so that `rate(x[1h])` is simply the increase of `x`
  over that hour divided by 3,600 s.

Everything an SLO alert is built of is evaluated: selectors and their matchers, ranges and
`offset`, `rate`, `increase`, `irate`, `delta`, the `*_over_time` functions on gauges,
`histogram_quantile`, the usual maths functions, `absent`, `vector` and `scalar`; every
aggregation but `count_values`; arithmetic, comparisons (with `bool`), `and`, `or` and `unless`,
with `on`, `ignoring` and `group_left`/`group_right`. The few constructs that need a real
time-series database (subqueries, `@`, a range over a recording rule, `label_replace`, `predict_linear`…)
parse, and evaluating them raises `Unsupported`, so a caller can say "not evaluated" rather
than judge them wrongly.

Where the course simplifies: Prometheus extrapolates `rate()` from the samples it scraped inside
the window; here the increase over the window is exact, and two numbers that differ only by
floating-point rounding compare as equal, as the exact counts they stand for would.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# ------------------------------------------------------------------------------------ errors


class PromQLError(ValueError):
    """The expression is not valid PromQL; says what and where (1-based column)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(message if column is None else f"{message} (column {column})")


class Unsupported(Exception):
    """Valid PromQL this evaluator does not compute; the message names the construct."""


# ------------------------------------------------------------------------------------ tokens

DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
DURATION = re.compile(r"(\d+)(ms|[smhdwy])")
AGGREGATIONS = (
    "sum avg min max count group stddev stdvar topk bottomk quantile count_values limitk "
    "limit_ratio"
).split()
PARAMETER_AGGREGATIONS = ("topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio")
FUNCTIONS = (
    "abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes "
    "clamp clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year "
    "days_in_month deg delta deriv double_exponential_smoothing exp floor histogram_avg "
    "histogram_count histogram_fraction histogram_quantile histogram_stddev histogram_stdvar "
    "histogram_sum holt_winters hour idelta increase info irate label_join label_replace "
    "last_over_time ln log10 log2 mad_over_time max_over_time min_over_time minute month pi "
    "predict_linear present_over_time quantile_over_time rad rate resets round scalar sgn sin "
    "sinh sort sort_by_label sort_by_label_desc sort_desc sqrt stddev_over_time "
    "stdvar_over_time sum_over_time tan tanh time timestamp vector year"
).split()
RANGE_FUNCTIONS = {
    name
    for name in FUNCTIONS
    if name.endswith("_over_time")
    or name
    in (
        "rate irate increase delta idelta deriv changes resets predict_linear "
        "holt_winters double_exponential_smoothing"
    ).split()
}
"""Functions whose first (or, for quantile_over_time, second) argument is a range vector."""
COMPARISONS = ("==", "!=", ">", "<", ">=", "<=")
ARITHMETIC = ("+", "-", "*", "/", "%", "^", "atan2")
SET_OPERATORS = ("and", "or", "unless")
KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    *SET_OPERATORS,
    "atan2",
}

TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
  | (?P<identifier>[a-zA-Z_][a-zA-Z0-9_:]*)
  | (?P<operator>==|!=|>=|<=|=~|!~|[-+*/%^<>=(){}\[\],:@])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def column(self) -> int:
        return self.start + 1


def tokens(text: str) -> list[Token]:
    found, position = [], 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise PromQLError(f"unexpected character {text[position]!r}", position + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            found.append(Token(kind, match.group(), position))
        position = match.end()
    found.append(Token("end", "", len(text)))
    return found


def parse_duration(text: str) -> float:
    """Seconds in a PromQL duration such as `5m`, `1h30m` or `3d`."""
    if not re.fullmatch(r"(?:\d+(?:ms|[smhdwy]))+", text):
        raise PromQLError(f"{text!r} is not a duration such as 5m, 1h or 3d")
    return sum(int(amount) * DURATION_UNITS[unit] for amount, unit in DURATION.findall(text))


def describe_duration(seconds: float) -> str:
    for unit in ("d", "h", "m", "s"):
        size = DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


# ------------------------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Node:
    """Any expression; `start`/`end` locate its text in the source, for quoting it back."""

    start: int
    end: int


@dataclass(frozen=True)
class NumberLiteral(Node):
    value: float


@dataclass(frozen=True)
class StringLiteral(Node):
    value: str


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    """=, !=, =~ or !~."""
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        # Prometheus anchors regular expressions at both ends: `re.fullmatch`. Prometheus reads
        # them as RE2, whose syntax is Python's for what a course's selectors write.
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op}{_quote(self.value)}"


@dataclass(frozen=True)
class Selector(Node):
    """`name{matchers}`, optionally `[range]` and `offset`."""

    name: str
    matchers: tuple[Matcher, ...]
    range: float | None = None
    offset: float = 0.0

    def all_matchers(self) -> tuple[Matcher, ...]:
        named = (Matcher("__name__", "=", self.name),) if self.name else ()
        return named + self.matchers

    def selects(self, label: str, value: str) -> bool:
        """Whether every matcher of `label` takes `value` (`route="/rooms"`, `route=~"/rooms.*"`):
        with none, every value is selected."""
        return all(
            matcher.matches({label: value}) for matcher in self.matchers if matcher.name == label
        )


@dataclass(frozen=True)
class Subquery(Node):
    expr: Node
    range: float
    step: float | None


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Aggregate(Node):
    op: str
    expr: Node
    param: Node | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False


@dataclass(frozen=True)
class Unary(Node):
    op: str
    expr: Node


@dataclass(frozen=True)
class Parens(Node):
    expr: Node


@dataclass(frozen=True)
class VectorMatching:
    on: bool = False
    labels: tuple[str, ...] = ()
    card: str = "one-to-one"
    """one-to-one, many-to-one (group_left) or one-to-many (group_right)."""
    include: tuple[str, ...] = ()
    given: bool = False
    """Whether `on(...)` or `ignoring(...)` was written."""


@dataclass(frozen=True)
class Binary(Node):
    op: str
    lhs: Node
    rhs: Node
    bool_: bool = False
    matching: VectorMatching = field(default_factory=VectorMatching)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ------------------------------------------------------------------------------------ parsing

PRECEDENCE = (
    ("or",),
    ("and", "unless"),
    COMPARISONS,
    ("+", "-"),
    ("*", "/", "%", "atan2"),
)


@dataclass(frozen=True)
class Expression:
    """A parsed expression and its source, so that any part can be quoted as written."""

    text: str
    root: Node

    def source(self, node: Node) -> str:
        return " ".join(self.text[node.start : node.end].split())


def parse(text: str) -> Expression:
    """Parse one PromQL expression; PromQLError says what is wrong and at which column."""
    if not text.strip():
        raise PromQLError("the expression is empty")
    parser = _Parser(text, tokens(text))
    root = parser.expression()
    if parser.peek.kind != "end":
        raise PromQLError(f"unexpected {parser.describe(parser.peek)}", parser.peek.column)
    check_types(root)
    return Expression(text, root)


class _Parser:
    def __init__(self, text: str, found: list[Token]) -> None:
        self.text = text
        self.found = found
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.found[self.index]

    def ahead(self, distance: int = 1) -> Token:
        return self.found[min(self.index + distance, len(self.found) - 1)]

    def take(self) -> Token:
        token = self.found[self.index]
        self.index += 1
        return token

    def describe(self, token: Token) -> str:
        return "end of input" if token.kind == "end" else f"`{token.text}`"

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text != text:
            raise PromQLError(f"expected `{text}`, found {self.describe(token)}", token.column)
        return token

    def is_operator(self, token: Token, operators: Sequence[str]) -> bool:
        if token.kind == "identifier":
            return token.text.lower() in operators and token.text.lower() in KEYWORDS
        return token.kind == "operator" and token.text in operators

    # expression := binary levels, lowest precedence first
    def expression(self, level: int = 0) -> Node:
        if level == len(PRECEDENCE):
            return self.unary()
        lhs = self.expression(level + 1)
        while self.is_operator(self.peek, PRECEDENCE[level]):
            op = self.take().text.lower()
            bool_, matching = self.modifiers(op)
            rhs = self.expression(level + 1)
            lhs = Binary(lhs.start, rhs.end, op, lhs, rhs, bool_, matching)
        return lhs

    def modifiers(self, op: str) -> tuple[bool, VectorMatching]:
        bool_ = False
        if self.peek.kind == "identifier" and self.peek.text.lower() == "bool":
            if op not in COMPARISONS:
                raise PromQLError("`bool` goes only with a comparison", self.peek.column)
            self.take()
            bool_ = True
        matching = VectorMatching()
        word = self.peek.text.lower() if self.peek.kind == "identifier" else ""
        if word in ("on", "ignoring"):
            self.take()
            matching = VectorMatching(on=word == "on", labels=self.label_list(), given=True)
            word = self.peek.text.lower() if self.peek.kind == "identifier" else ""
            if word in ("group_left", "group_right"):
                if op in SET_OPERATORS:
                    raise PromQLError(f"no grouping allowed for `{op}`", self.peek.column)
                self.take()
                include = self.label_list() if self.peek.text == "(" else ()
                card = "many-to-one" if word == "group_left" else "one-to-many"
                matching = VectorMatching(matching.on, matching.labels, card, include, True)
        elif word in ("group_left", "group_right"):
            raise PromQLError(f"`{word}` needs `on(…)` or `ignoring(…)` first", self.peek.column)
        return bool_, matching

    def label_list(self) -> tuple[str, ...]:
        self.expect("(")
        labels: list[str] = []
        while self.peek.text != ")":
            token = self.take()
            if token.kind != "identifier" or ":" in token.text:
                raise PromQLError(
                    f"expected a label name, found {self.describe(token)}", token.column
                )
            labels.append(token.text)
            if self.peek.text == ",":
                self.take()
            elif self.peek.text != ")":
                raise PromQLError(
                    f"expected `,` or `)`, found {self.describe(self.peek)}", self.peek.column
                )
        self.take()
        return tuple(labels)

    def unary(self) -> Node:
        if self.peek.text in ("-", "+") and self.peek.kind == "operator":
            token = self.take()
            inner = self.unary()
            if token.text == "+":
                return inner
            if isinstance(inner, NumberLiteral):
                return NumberLiteral(token.start, inner.end, -inner.value)
            return Unary(token.start, inner.end, "-", inner)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.peek.kind == "operator" and self.peek.text == "^":
            self.take()
            bool_, matching = self.modifiers("^")
            exponent = self.unary()  # right-associative
            return Binary(base.start, exponent.end, "^", base, exponent, bool_, matching)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.peek.text == "[":
                node = self.range_of(node)
            elif self.peek.kind == "identifier" and self.peek.text.lower() == "offset":
                node = self.offset_of(node)
            elif self.peek.text == "@":
                self.take()
                timestamp = self.take()  # a Unix time, or start() / end()
                if timestamp.text in ("start", "end"):
                    self.expect("(")
                    self.expect(")")
                elif timestamp.kind != "number":
                    raise PromQLError(
                        f"expected a time after `@`, found {self.describe(timestamp)}",
                        timestamp.column,
                    )
                # A negative range marks the `@` modifier, which only a real database answers.
                end = self.found[self.index - 1].start + len(self.found[self.index - 1].text)
                node = Subquery(node.start, end, node, -1.0, None)
            else:
                return node

    def range_of(self, node: Node) -> Node:
        opening = self.take()
        duration = self.take()
        if duration.kind != "duration":
            raise PromQLError(
                f"expected a duration such as 5m in `[…]`, found {self.describe(duration)}",
                duration.column,
            )
        seconds = parse_duration(duration.text)
        if self.peek.text == ":":
            self.take()
            step = None
            if self.peek.kind == "duration":
                step = parse_duration(self.take().text)
            closing = self.expect("]")
            return Subquery(node.start, closing.start + 1, node, seconds, step)
        closing = self.expect("]")
        if not isinstance(node, Selector) or node.range is not None:
            raise PromQLError(
                "a range `[…]` goes only after a metric selector (or make it a subquery "
                "with `[range:step]`)",
                opening.column,
            )
        return Selector(node.start, closing.start + 1, node.name, node.matchers, seconds)

    def offset_of(self, node: Node) -> Node:
        self.take()
        negative = self.peek.text == "-"
        if negative:
            self.take()
        duration = self.take()
        if duration.kind != "duration":
            raise PromQLError(
                f"expected a duration after `offset`, found {self.describe(duration)}",
                duration.column,
            )
        seconds = parse_duration(duration.text) * (-1 if negative else 1)
        end = duration.start + len(duration.text)
        if isinstance(node, Selector):
            return Selector(node.start, end, node.name, node.matchers, node.range, seconds)
        if isinstance(node, Subquery):
            return Subquery(node.start, end, node.expr, node.range, node.step)
        raise PromQLError("`offset` goes only after a selector or a subquery", duration.column)

    def primary(self) -> Node:
        token = self.peek
        if token.kind == "number":
            self.take()
            return NumberLiteral(token.start, token.start + len(token.text), _number(token.text))
        if token.kind == "duration":
            raise PromQLError(
                f"a duration ({token.text}) can only stand in `[…]` or after `offset`",
                token.column,
            )
        if token.kind == "string":
            self.take()
            return StringLiteral(token.start, token.start + len(token.text), _unquote(token))
        if token.text == "(":
            self.take()
            inner = self.expression()
            closing = self.expect(")")
            return Parens(token.start, closing.start + 1, inner)
        if token.text == "{":
            return self.selector(None)
        if token.kind == "identifier":
            word = token.text
            following = self.ahead()
            if word.lower() in AGGREGATIONS and (
                following.text == "("
                or following.kind == "identifier"
                and following.text.lower() in ("by", "without")
            ):
                return self.aggregation()
            if following.text == "(" and word.lower() not in KEYWORDS:
                return self.call()
            if word.lower() in ("inf", "nan"):
                self.take()
                return NumberLiteral(token.start, token.start + len(word), float(word.lower()))
            if word.lower() in KEYWORDS:
                raise PromQLError(f"unexpected `{word}`", token.column)
            return self.selector(self.take())
        raise PromQLError(f"unexpected {self.describe(token)}", token.column)

    def selector(self, name: Token | None) -> Selector:
        start = name.start if name else self.peek.start
        end = name.start + len(name.text) if name else start
        matchers: list[Matcher] = []
        metric = name.text if name else ""
        if self.peek.text == "{":
            opening = self.take()
            while self.peek.text != "}":
                label = self.take()
                if label.kind not in ("identifier", "string") or (
                    label.kind == "identifier" and ":" in label.text
                ):
                    raise PromQLError(
                        f"expected a label name in `{{…}}`, found {self.describe(label)}",
                        label.column,
                    )
                op = self.take()
                if op.text not in ("=", "!=", "=~", "!~"):
                    raise PromQLError(
                        f"expected =, !=, =~ or !~ after `{label.text}`, found {self.describe(op)}",
                        op.column,
                    )
                value = self.take()
                if value.kind != "string":
                    raise PromQLError(
                        f'a label value must be quoted, as {label.text}{op.text}"…"; found '
                        f"{self.describe(value)}",
                        value.column,
                    )
                label_name = _unquote(label) if label.kind == "string" else label.text
                text = _unquote(value)
                if op.text in ("=~", "!~"):
                    try:
                        re.compile(text)
                    except re.error as error:
                        raise PromQLError(
                            f"`{label_name}{op.text}` has an invalid regular expression: {error}",
                            value.column,
                        ) from None
                if label_name == "__name__" and op.text == "=":
                    if metric:
                        raise PromQLError("the metric name is given twice", label.column)
                    metric = text
                else:
                    matchers.append(Matcher(label_name, op.text, text))
                if self.peek.text == ",":
                    self.take()
                elif self.peek.text != "}":
                    raise PromQLError(
                        f"expected `,` or `}}`, found {self.describe(self.peek)}",
                        self.peek.column,
                    )
            end = self.expect("}").start + 1
            if not metric and not any(
                not m.matches({}) for m in matchers
            ):  # Prometheus refuses a selector that could match every series
                raise PromQLError(
                    "a selector needs a metric name or a matcher that does not match the "
                    "empty string",
                    opening.column,
                )
        return Selector(start, end, metric, tuple(matchers))

    def call(self) -> Call:
        name = self.take()
        function = name.text
        if function not in FUNCTIONS:
            raise PromQLError(f"unknown function `{function}`", name.column)
        self.expect("(")
        args: list[Node] = []
        while self.peek.text != ")":
            args.append(self.expression())
            if self.peek.text == ",":
                self.take()
            elif self.peek.text != ")":
                raise PromQLError(
                    f"expected `,` or `)`, found {self.describe(self.peek)}", self.peek.column
                )
        closing = self.take()
        return Call(name.start, closing.start + 1, function, tuple(args))

    def aggregation(self) -> Aggregate:
        name = self.take()
        op = name.text.lower()
        grouping: tuple[str, ...] = ()
        without = False
        written_before = False
        if self.peek.kind == "identifier" and self.peek.text.lower() in ("by", "without"):
            without = self.take().text.lower() == "without"
            grouping = self.label_list()
            written_before = True
        self.expect("(")
        param = None
        if op in PARAMETER_AGGREGATIONS:
            param = self.expression()
            self.expect(",")
        expr = self.expression()
        closing = self.expect(")")
        end = closing.start + 1
        if (
            not written_before
            and self.peek.kind == "identifier"
            and self.peek.text.lower() in ("by", "without")
        ):
            without = self.take().text.lower() == "without"
            grouping = self.label_list()
            end = self.found[self.index - 1].start + 1
        return Aggregate(name.start, end, op, expr, param, grouping, without)


def _number(text: str) -> float:
    return float(int(text, 16)) if text.lower().startswith("0x") else float(text)


def _unquote(token: Token) -> str:
    body = token.text[1:-1]
    if token.text.startswith("`"):
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


# ------------------------------------------------------------------------------------ types

SCALAR, VECTOR, MATRIX, STRING = "scalar", "instant vector", "range vector", "string"


def kind_of(node: Node) -> str:
    if isinstance(node, NumberLiteral):
        return SCALAR
    if isinstance(node, StringLiteral):
        return STRING
    if isinstance(node, Selector):
        return MATRIX if node.range is not None else VECTOR
    if isinstance(node, Subquery):
        return MATRIX if node.range >= 0 else kind_of(node.expr)
    if isinstance(node, Parens | Unary):
        return kind_of(node.expr)
    if isinstance(node, Call):
        return SCALAR if node.function in ("scalar", "time", "pi") else VECTOR
    if isinstance(node, Aggregate):
        return VECTOR
    if isinstance(node, Binary):
        sides = (kind_of(node.lhs), kind_of(node.rhs))
        return SCALAR if sides == (SCALAR, SCALAR) else VECTOR
    raise TypeError(node)


def check_types(node: Node) -> None:
    """Prometheus' own type rules, so that what promtool rejects is rejected here too."""
    for child in children(node):
        check_types(child)
    if isinstance(node, Call):
        _check_call(node)
    elif isinstance(node, Aggregate):
        if kind_of(node.expr) != VECTOR:
            raise PromQLError(
                f"expected an instant vector in the aggregation `{node.op}`, got "
                f"{_a(kind_of(node.expr))}",
                node.start + 1,
            )
        if node.op in PARAMETER_AGGREGATIONS and node.param is None:
            raise PromQLError(f"`{node.op}` needs a parameter", node.start + 1)
    elif isinstance(node, Binary):
        lhs, rhs = kind_of(node.lhs), kind_of(node.rhs)
        for side, kind in ((node.lhs, lhs), (node.rhs, rhs)):
            if kind not in (SCALAR, VECTOR):
                raise PromQLError(
                    f"binary expression must contain only scalars and instant vectors, "
                    f"not {_a(kind)}",
                    side.start + 1,
                )
        if node.op in SET_OPERATORS and SCALAR in (lhs, rhs):
            raise PromQLError(
                f"`{node.op}` is defined only between two instant vectors", node.start + 1
            )
        if node.op in COMPARISONS and (lhs, rhs) == (SCALAR, SCALAR) and not node.bool_:
            raise PromQLError("a comparison between two numbers must use `bool`", node.start + 1)
    elif isinstance(node, Unary) and kind_of(node.expr) not in (SCALAR, VECTOR):
        raise PromQLError("unary minus needs a number or an instant vector", node.start + 1)


def _check_call(node: Call) -> None:
    range_argument = 1 if node.function == "quantile_over_time" else 0
    if node.function in RANGE_FUNCTIONS:
        if len(node.args) <= range_argument:
            raise PromQLError(f"`{node.function}()` needs a range vector", node.start + 1)
        got = kind_of(node.args[range_argument])
        if got != MATRIX:
            raise PromQLError(
                f"expected a range vector in `{node.function}()`, got {_a(got)} (add a range "
                "such as [5m] after the selector)",
                node.args[range_argument].start + 1,
            )
    elif node.function in ("vector",) and (len(node.args) != 1 or kind_of(node.args[0]) != SCALAR):
        raise PromQLError("`vector()` takes one number", node.start + 1)
    elif node.function == "histogram_quantile" and (
        len(node.args) != 2 or kind_of(node.args[1]) != VECTOR
    ):
        raise PromQLError(
            "`histogram_quantile(φ, buckets)` takes a number and an instant vector",
            node.start + 1,
        )
    else:
        for argument in node.args:
            if kind_of(argument) == MATRIX and node.function not in (
                "absent_over_time",
                "label_replace",
            ):
                raise PromQLError(
                    f"`{node.function}()` takes an instant vector, not a range vector",
                    argument.start + 1,
                )


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Parens | Unary | Subquery):
        return (node.expr,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Aggregate):
        return (node.expr,) if node.param is None else (node.param, node.expr)
    if isinstance(node, Binary):
        return (node.lhs, node.rhs)
    return ()


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in children(node):
        yield from walk(child)


def selectors(node: Node) -> list[Selector]:
    return [found for found in walk(node) if isinstance(found, Selector)]


def conjuncts(node: Node) -> list[Node]:
    """The operands of a top-level chain `a and b and c` (parentheses looked through)."""
    while isinstance(node, Parens):
        node = node.expr
    if isinstance(node, Binary) and node.op == "and" and not node.matching.given:
        return conjuncts(node.lhs) + conjuncts(node.rhs)
    if isinstance(node, Binary) and node.op == "and":
        return conjuncts(node.lhs) + [node.rhs]
    return [node]


# ------------------------------------------------------------------------------------ history


@dataclass(frozen=True)
class Piece:
    """A stretch of time, in seconds before now (`start` < `end` ≤ 0), and one number for it:
    a counter's increase per second, or a gauge's value."""

    start: float
    end: float
    value: float


@dataclass(frozen=True)
class Series:
    labels: Mapping[str, str]
    """With `__name__`."""
    kind: str
    """counter or gauge."""
    pieces: tuple[Piece, ...]
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _before: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pieces = tuple(sorted(self.pieces, key=lambda piece: piece.start))
        before, total = [], 0.0
        for piece in pieces:
            before.append(total)
            total += (piece.end - piece.start) * piece.value
        object.__setattr__(self, "pieces", pieces)
        object.__setattr__(self, "_starts", tuple(piece.start for piece in pieces))
        object.__setattr__(self, "_before", tuple(before))

    def _total_until(self, time: float) -> float:
        index = bisect.bisect_right(self._starts, time) - 1
        if index < 0:
            return 0.0
        piece = self.pieces[index]
        return self._before[index] + max(0.0, min(time, piece.end) - piece.start) * piece.value

    def increase(self, start: float, end: float) -> float:
        """A counter's increase over [start, end)."""
        return self._total_until(end) - self._total_until(start)

    def value_at(self, time: float) -> float | None:
        """A gauge's value, or a counter's running total, at `time` (None before its first)."""
        if self.kind == "counter":
            first = min((piece.start for piece in self.pieces), default=0.0)
            return None if time <= first else self.increase(first, time)
        for piece in self.pieces:
            if piece.start < time <= piece.end:
                return piece.value
        return None

    def values_in(self, start: float, end: float) -> list[tuple[float, float]]:
        """(seconds, value) of each stretch of a gauge inside (start, end]."""
        return [
            (min(piece.end, end) - max(piece.start, start), piece.value)
            for piece in self.pieces
            if min(piece.end, end) > max(piece.start, start)
        ]


@dataclass(frozen=True)
class Recording:
    """One recording rule: its expression, and the labels its `labels:` adds to each series."""

    expression: Expression
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass
class History:
    """The series an expression is evaluated over, and the recording rules it may name."""

    series: list[Series]
    recorded: Mapping[str, Expression | Sequence[Recording]] = field(default_factory=dict)
    """Recording rules by the name they record: a selector of that name evaluates them at the
    same time. Prometheus lets several rules record one name, told apart by their labels."""

    def recordings(self, name: str) -> tuple[Recording, ...]:
        found = self.recorded[name]
        return (Recording(found),) if isinstance(found, Expression) else tuple(found)

    def matching(self, matchers: Iterable[Matcher]) -> list[Series]:
        wanted = tuple(matchers)
        return [series for series in self.series if all(m.matches(series.labels) for m in wanted)]

    def label_names(self, metric: str) -> set[str]:
        names: set[str] = set()
        for series in self.series:
            if series.labels.get("__name__") == metric:
                names |= set(series.labels) - {"__name__"}
        return names

    def metric_names(self) -> set[str]:
        return {series.labels["__name__"] for series in self.series}


# ------------------------------------------------------------------------------------ values

Labels = tuple[tuple[str, str], ...]


def frozen(labels: Mapping[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


@dataclass(frozen=True)
class Sample:
    labels: Labels
    value: float

    @property
    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True)
class RangeOf:
    """A range vector's element: one series over a window ending `end` seconds before now."""

    series: Series
    start: float
    end: float


Vector = list[Sample]


def evaluate(expression: Expression, history: History, time: float = 0.0) -> float | Vector:
    """The value of an expression at `time` (seconds from now, ≤ 0): a number or a vector."""
    value = _Evaluator(history, time).eval(expression.root)
    if isinstance(value, str):
        raise Unsupported("an expression whose value is a string")
    if isinstance(value, list) and value and isinstance(value[0], RangeOf):
        raise Unsupported("an expression whose value is a range vector")
    return value


def _over(function: str, stretches: list[tuple[float, float]], series: Series, end: float) -> float:
    """A gauge's `*_over_time` from its stretches (seconds, value) inside the window."""
    values = [value for _, value in stretches]
    seconds = sum(length for length, _ in stretches)
    if function == "avg_over_time":
        return sum(length * value for length, value in stretches) / seconds
    if function == "min_over_time":
        return min(values)
    if function == "max_over_time":
        return max(values)
    if function == "last_over_time":
        return series.value_at(end) or values[-1]
    if function == "present_over_time":
        return 1.0
    # One sample a minute, the scrape interval of these made-up histories.
    if function == "count_over_time":
        return seconds / 60
    if function == "sum_over_time":
        return sum(length * value for length, value in stretches) / 60
    raise Unsupported(f"the function `{function}()`")


class _Evaluator:
    def __init__(self, history: History, time: float, depth: int = 0) -> None:
        self.history = history
        self.time = time
        self.depth = depth

    def eval(self, node: Node) -> Any:
        method: Callable[[Any], Any] = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _NumberLiteral(self, node: NumberLiteral) -> float:
        return node.value

    def _StringLiteral(self, node: StringLiteral) -> str:
        return node.value

    def _Parens(self, node: Parens) -> Any:
        return self.eval(node.expr)

    def _Subquery(self, node: Subquery) -> Any:
        raise Unsupported("the `@` modifier" if node.range < 0 else "a subquery `[range:step]`")

    def _Selector(self, node: Selector) -> Any:
        when = self.time - node.offset
        if node.name in self.history.recorded:
            if node.range is not None:
                raise Unsupported(f"a range over the recording rule `{node.name}`")
            return self._recorded(node, when)
        found = self.history.matching(node.all_matchers())
        if node.range is not None:
            return [RangeOf(series, when - node.range, when) for series in found]
        samples = []
        for series in found:
            value = series.value_at(when)
            if value is not None:
                samples.append(Sample(frozen(series.labels), value))
        return samples

    def _recorded(self, node: Selector, when: float) -> Vector:
        if self.depth > 20:
            raise Unsupported("recording rules that name each other in a loop")
        found = []
        for recording in self.history.recordings(node.name):
            inner = _Evaluator(self.history, when, self.depth + 1).eval(recording.expression.root)
            if isinstance(inner, float):
                inner = [Sample((), inner)]
            for sample in inner:
                # As Prometheus stores it: the rule's labels override the result's own.
                labels = {**sample.label_dict, **recording.labels, "__name__": node.name}
                if all(m.matches(labels) for m in node.matchers):
                    found.append(Sample(frozen(labels), sample.value))
        return found

    def _Unary(self, node: Unary) -> Any:
        value = self.eval(node.expr)
        if isinstance(value, float):
            return -value
        return [Sample(_drop_name(s.labels), -s.value) for s in value]

    # --- functions
    def _Call(self, node: Call) -> Any:
        function = node.function
        args = [self.eval(argument) for argument in node.args]
        if function in ("rate", "increase", "irate", "delta", "idelta"):
            return self._range_function(function, args[0])
        if function.endswith("_over_time"):
            return self._over_time(function, args)
        if function in MATHS:
            return [Sample(_drop_name(s.labels), MATHS[function](s.value)) for s in args[0]]
        if function in ("clamp", "clamp_min", "clamp_max"):
            low = args[1] if function in ("clamp", "clamp_min") else -math.inf
            high = (
                args[2] if function == "clamp" else args[1] if function == "clamp_max" else math.inf
            )
            return [Sample(_drop_name(s.labels), min(max(s.value, low), high)) for s in args[0]]
        if function == "round":
            nearest = args[1] if len(args) > 1 else 1.0
            return [
                Sample(_drop_name(s.labels), math.floor(s.value / nearest + 0.5) * nearest)
                for s in args[0]
            ]
        if function == "histogram_quantile":
            return histogram_quantile(args[0], args[1])
        if function == "absent":
            return self._absent(node.args[0], args[0])
        if function == "vector":
            return [Sample((), args[0])]
        if function == "scalar":
            return args[0][0].value if len(args[0]) == 1 else math.nan
        if function == "time":
            return self.time
        if function == "pi":
            return math.pi
        if function in ("sort", "sort_desc"):
            return sorted(args[0], key=lambda s: s.value, reverse=function == "sort_desc")
        raise Unsupported(f"the function `{function}()`")

    def _range_function(self, function: str, ranges: list[RangeOf]) -> Vector:
        found = []
        for element in ranges:
            series, start, end = element.series, element.start, element.end
            labels = _drop_name(frozen(series.labels))
            if series.kind == "counter":
                if function == "irate":
                    start = max(start, end - 60)  # the last two samples of a 15 s scrape, roughly
                increase = series.increase(start, end)
                if function in ("rate", "irate"):
                    found.append(Sample(labels, increase / (end - start)))
                elif function == "increase":
                    found.append(Sample(labels, increase))
                else:
                    raise Unsupported(f"`{function}()` of a counter (use rate or increase)")
            else:
                if function not in ("delta", "idelta"):
                    raise Unsupported(f"`{function}()` of a gauge")
                first, last = series.value_at(start + 1e-9), series.value_at(end)
                if first is not None and last is not None:
                    found.append(Sample(labels, last - first))
        return found

    def _over_time(self, function: str, args: list[Any]) -> Vector:
        ranges: list[RangeOf] = args[-1]
        found = []
        for element in ranges:
            series = element.series
            labels = _drop_name(frozen(series.labels))
            if function == "absent_over_time":
                continue
            if series.kind == "counter":
                raise Unsupported(f"`{function}()` of a counter")
            stretches = series.values_in(element.start, element.end)
            if not stretches:
                continue
            found.append(Sample(labels, _over(function, stretches, series, element.end)))
        if function == "absent_over_time":
            return [] if ranges else [Sample((), 1.0)]
        return found

    def _absent(self, argument: Node, value: Vector) -> Vector:
        if value:
            return []
        labels: dict[str, str] = {}
        if isinstance(argument, Selector):
            labels = {m.name: m.value for m in argument.matchers if m.op == "="}
        return [Sample(frozen(labels), 1.0)]

    # --- aggregations
    def _Aggregate(self, node: Aggregate) -> Vector:
        samples: Vector = self.eval(node.expr)
        parameter = self.eval(node.param) if node.param is not None else None
        if node.op in ("count_values", "limitk", "limit_ratio"):
            raise Unsupported(f"the aggregation `{node.op}`")
        groups: dict[Labels, list[Sample]] = {}
        for sample in samples:
            labels = sample.label_dict
            if node.without:
                key = {
                    k: v for k, v in labels.items() if k not in node.grouping and k != "__name__"
                }
            else:
                key = {k: v for k, v in labels.items() if k in node.grouping}
            groups.setdefault(frozen(key), []).append(sample)
        if node.op in ("topk", "bottomk"):
            count = int(parameter or 0)
            kept = []
            for members in groups.values():
                ordered = sorted(members, key=lambda s: s.value, reverse=node.op == "topk")
                kept.extend(ordered[:count])
            return kept
        return [
            Sample(key, _aggregate(node.op, [s.value for s in members], parameter))
            for key, members in groups.items()
        ]

    # --- binary operators
    def _Binary(self, node: Binary) -> Any:
        lhs, rhs = self.eval(node.lhs), self.eval(node.rhs)
        if node.op in SET_OPERATORS:
            return _set_operation(node, lhs, rhs)
        if isinstance(lhs, float) and isinstance(rhs, float):
            return float(_apply(node.op, lhs, rhs))  # a comparison of numbers has `bool`
        if isinstance(lhs, float) or isinstance(rhs, float):
            return _with_scalar(node, lhs, rhs)
        return _vector_binary(node, lhs, rhs)


MATHS: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "ceil": lambda x: float(math.ceil(x)) if math.isfinite(x) else x,
    "floor": lambda x: float(math.floor(x)) if math.isfinite(x) else x,
    "sqrt": lambda x: math.sqrt(x) if x >= 0 else math.nan,
    "exp": math.exp,
    "ln": lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan),
    "log2": lambda x: math.log2(x) if x > 0 else (-math.inf if x == 0 else math.nan),
    "log10": lambda x: math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan),
    "sgn": lambda x: float((x > 0) - (x < 0)),
}


def _aggregate(op: str, values: list[float], parameter: Any) -> float:
    if op == "sum":
        return float(sum(values))
    if op == "avg":
        return sum(values) / len(values)
    if op == "min":
        return min(values)
    if op == "max":
        return max(values)
    if op == "count":
        return float(len(values))
    if op == "group":
        return 1.0
    if op in ("stddev", "stdvar"):
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        return math.sqrt(variance) if op == "stddev" else variance
    if op == "quantile":
        return _quantile(float(parameter), sorted(values))
    raise Unsupported(f"the aggregation `{op}`")


def _quantile(q: float, ordered: list[float]) -> float:
    if not ordered:
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    rank = q * (len(ordered) - 1)
    lower = math.floor(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


def _apply(op: str, a: float, b: float) -> float | bool:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    if op == "%":
        return math.fmod(a, b) if b != 0 else math.nan
    if op == "^":
        try:
            return a**b
        except (OverflowError, ZeroDivisionError):
            return math.inf
    if op == "atan2":
        return math.atan2(a, b)
    same = _same_number(a, b)
    return {
        "==": same,
        "!=": not same,
        ">": a > b and not same,
        "<": a < b and not same,
        ">=": a >= b or same,
        "<=": a <= b or same,
    }[op]


COMPARISON_TOLERANCE = 1e-9
"""How far apart (relatively) two numbers may be and still compare as equal."""


def _same_number(a: float, b: float) -> bool:
    """Equal, or apart only by floating-point rounding: the evaluator's increases are exact
    counts, and a guard at its limit must hold however the learner orders the arithmetic
    (`rate(…[1h]) * 60 * 60` gives 49.99999999999999 for 50 requests, `* 3600` gives 50.0)."""
    return a == b or math.isclose(a, b, rel_tol=COMPARISON_TOLERANCE, abs_tol=1e-12)


def _drop_name(labels: Labels) -> Labels:
    return tuple((k, v) for k, v in labels if k != "__name__")


def _with_scalar(node: Binary, lhs: Any, rhs: Any) -> Vector:
    vector, scalar_on_left = (rhs, True) if isinstance(lhs, float) else (lhs, False)
    scalar = lhs if scalar_on_left else rhs
    found = []
    for sample in vector:
        a, b = (scalar, sample.value) if scalar_on_left else (sample.value, scalar)
        result = _apply(node.op, a, b)
        if node.op in COMPARISONS:
            if node.bool_:
                found.append(Sample(_drop_name(sample.labels), float(result)))
            elif result:
                found.append(sample)
        else:
            found.append(Sample(_drop_name(sample.labels), float(result)))
    return found


def _signature(labels: Labels, matching: VectorMatching) -> Labels:
    if matching.on:
        return tuple((k, v) for k, v in labels if k in matching.labels)
    return tuple((k, v) for k, v in labels if k not in matching.labels and k != "__name__")


def _vector_binary(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    matching = node.matching
    one_side, many_side = rhs, lhs
    if matching.card == "one-to-many":
        one_side, many_side = lhs, rhs
    ones: dict[Labels, Sample] = {}
    for sample in one_side:
        key = _signature(sample.labels, matching)
        if key in ones:
            raise EvaluationError(
                "many-to-many matching is not allowed: several series on one side share the "
                f"labels {{{', '.join(f'{k}={v!r}' for k, v in key)}}}"
            )
        ones[key] = sample
    found = []
    seen: set[Labels] = set()
    for sample in many_side:
        key = _signature(sample.labels, matching)
        other = ones.get(key)
        if other is None:
            continue
        if matching.card == "one-to-one":
            if key in seen:
                raise EvaluationError(
                    "one-to-one matching found several series for the labels "
                    f"{{{', '.join(f'{k}={v!r}' for k, v in key)}}}: add group_left or "
                    "aggregate first"
                )
            seen.add(key)
        left, right = (sample, other) if matching.card != "one-to-many" else (other, sample)
        result = _apply(node.op, left.value, right.value)
        if node.op in COMPARISONS and not node.bool_:
            if result:
                found.append(left if matching.card != "one-to-many" else right)
            continue
        found.append(Sample(_result_labels(node, sample, other), float(result)))
    return found


def _result_labels(node: Binary, many: Sample, one: Sample) -> Labels:
    matching = node.matching
    labels = dict(many.labels)
    labels.pop("__name__", None)
    if matching.card == "one-to-one":
        if matching.on:
            labels = {k: v for k, v in labels.items() if k in matching.labels}
        else:
            labels = {k: v for k, v in labels.items() if k not in matching.labels}
    else:
        others = one.label_dict
        for name in matching.include:
            if name in others:
                labels[name] = others[name]
            else:
                labels.pop(name, None)
    return frozen(labels)


def _set_operation(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    matching = node.matching
    rhs_keys = {_signature(sample.labels, matching) for sample in rhs}
    if node.op == "and":
        return [s for s in lhs if _signature(s.labels, matching) in rhs_keys]
    if node.op == "unless":
        return [s for s in lhs if _signature(s.labels, matching) not in rhs_keys]
    lhs_keys = {_signature(sample.labels, matching) for sample in lhs}
    return lhs + [s for s in rhs if _signature(s.labels, matching) not in lhs_keys]


class EvaluationError(Exception):
    """Prometheus itself would fail this evaluation (many-to-many matching, say)."""


def histogram_quantile(q: float, buckets: Vector) -> Vector:
    """Prometheus' estimate of the q-quantile from cumulative `le` buckets, per series group."""
    groups: dict[Labels, list[tuple[float, float]]] = {}
    for sample in buckets:
        labels = dict(sample.labels)
        if "le" not in labels:
            continue
        bound = float(labels.pop("le").replace("+Inf", "inf"))
        labels.pop("__name__", None)
        groups.setdefault(frozen(labels), []).append((bound, sample.value))
    found = []
    for labels, points in groups.items():
        points.sort()
        if not points or points[-1][0] != math.inf:
            found.append(Sample(labels, math.nan))
            continue
        total = points[-1][1]
        if total == 0:
            found.append(Sample(labels, math.nan))
            continue
        rank = q * total
        previous_bound, previous_count = 0.0, 0.0
        value = math.nan
        for bound, count in points:
            if count >= rank:
                if bound == math.inf:
                    value = previous_bound
                elif count == previous_count:
                    value = bound
                else:
                    value = previous_bound + (bound - previous_bound) * (
                        (rank - previous_count) / (count - previous_count)
                    )
                break
            previous_bound, previous_count = bound, count
        found.append(Sample(labels, value))
    return found
