"""Stage 08's checks: metrics on the booking service, burn-rate paging, and a postmortem.

Every `*_problems` function returns a list of plain sentences, one per problem, and an empty list
when all is well; nothing here prints or raises on a learner's mistake, so each message can be
unit-tested. A check cell turns a list into one ✅ or ❌ line with `require()`.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from onboarding.artefacts.markdown import (  # noqa: F401 - part of this module's API
    BRACKET_PLACEHOLDER,
    DETAILS_BLOCK,
    LIST_ITEM,
    TABLE_SEPARATOR,
    markdown_lines,
    read_document,
    section,
    sections,
)
from onboarding.checks import SHOWN_PROBLEMS, require  # noqa: F401 - part of this module's API

# --- Exercise 08.1: instrument the booking service ---------------------------------------------

COUNTER = "http_requests"
"""The counter's family name; its samples are `http_requests_total`."""
HISTOGRAM = "http_request_duration_seconds"
COUNTER_LABELS = ("code", "method", "route")
HISTOGRAM_LABELS = ("method", "route")
SLO_BUCKET = 0.3
BOOM = "/boom"
"""A route the check adds to the app; it always raises, like a bug would."""
UNKNOWN_PATH = "/no/such/path"
UNMATCHED = "(no route)"
"""How this module writes the route of a request that matched none, whatever the learner used."""

TEMPLATES = {
    re.compile(r"^/rooms/\d+/bookings$"): "/rooms/{room_id}/bookings",
    re.compile(r"^/bookings/\d+$"): "/bookings/{booking_id}",
    re.compile(r"^/bookings/\d+/cancel$"): "/bookings/{booking_id}/cancel",
}
KNOWN_ROUTES = ("/rooms", "/health", BOOM, *TEMPLATES.values())


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    route: str
    """The route template the request matches (UNMATCHED for none)."""
    code: int


def _booking(start: str, end: str) -> dict[str, Any]:
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": 2}


# What the check sends, in order, and what the reference service answers.
CALLS = (
    Call("POST", "/rooms", {"name": "Oak", "capacity": 6}, "/rooms", 201),
    Call(
        "POST",
        "/rooms/1/bookings",
        _booking("2030-01-07T09:00:00Z", "2030-01-07T10:00:00Z"),
        "/rooms/{room_id}/bookings",
        201,
    ),
    Call(
        "POST",
        "/rooms/1/bookings",
        _booking("2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z"),
        "/rooms/{room_id}/bookings",
        201,
    ),
    Call(
        "POST",
        "/rooms/1/bookings",
        _booking("2030-01-07T09:30:00Z", "2030-01-07T10:30:00Z"),
        "/rooms/{room_id}/bookings",
        409,
    ),
    Call("GET", "/bookings/1", None, "/bookings/{booking_id}", 200),
    Call("GET", "/bookings/2", None, "/bookings/{booking_id}", 200),
    Call("GET", "/bookings/999", None, "/bookings/{booking_id}", 404),
    Call("GET", "/health", None, "/health", 200),
    Call("GET", UNKNOWN_PATH, None, UNMATCHED, 404),
    Call("GET", BOOM, None, BOOM, 500),
)


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


@dataclass
class Scrape:
    """What the learner's instrumentation recorded while the check drove the booking app."""

    families: dict[str, tuple[str, list[Sample]]] = field(default_factory=dict)
    """Family name -> (type, samples)."""
    answered: list[int] = field(default_factory=list)
    """The status code of each call, in order."""

    def take(self, instrument: Callable[..., Any]) -> None:
        """Build a fresh booking app, let `instrument` add its metrics, drive it, and scrape it."""
        text, self.answered = drive(instrument)
        self.families = parse_exposition(text)
        require(registry_problems(self))

    def family(self, name: str) -> tuple[str, list[Sample]] | None:
        return self.families.get(name)


def drive(instrument: Callable[..., Any]) -> tuple[str, list[int]]:
    """Run CALLS against a booking app instrumented by `instrument(app, registry)`."""
    from prometheus_client import CollectorRegistry, generate_latest

    from bookings.core.config import Settings
    from bookings.main import create_app

    with warnings.catch_warnings():
        # Starlette warns that its TestClient will move to httpx2; not the learner's business.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    def boom() -> None:
        raise RuntimeError("a bug in a route")

    registry = CollectorRegistry()
    with tempfile.TemporaryDirectory() as folder:
        # CRITICAL: the 500 below would otherwise print a traceback into the check's output.
        app = create_app(Settings(database=Path(folder) / "bookings.db", log_level="CRITICAL"))
        app.add_api_route(BOOM, boom)
        instrument(app, registry)
        with TestClient(app, raise_server_exceptions=False) as client:
            answered = [
                client.request(call.method, call.path, json=call.body).status_code for call in CALLS
            ]
    return generate_latest(registry).decode("utf-8"), answered


def parse_exposition(text: str) -> dict[str, tuple[str, list[Sample]]]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        family.name: (
            family.type,
            [Sample(s.name, dict(s.labels), float(s.value)) for s in family.samples],
        )
        for family in text_string_to_metric_families(text)
    }


def registry_problems(scrape: Scrape) -> list[str]:
    problems = []
    if not scrape.families:
        problems.append(
            "the registry passed to instrument() has no metrics after ten requests; create them "
            "with `registry=registry` (the default registry is global, shared by every app)"
        )
    unexpected = [
        f"{call.method} {call.path} answered {got}, expected {call.code}"
        for call, got in zip(CALLS, scrape.answered, strict=False)
        if got != call.code and call.path != BOOM
    ]
    if unexpected:
        problems.append(
            "the app answers differently once instrumented ("
            + "; ".join(unexpected[:2])
            + "): the middleware must return the response it gets from call_next"
        )
    return problems


def _names(scrape: Scrape) -> str:
    return ", ".join(f"`{name}` ({kind})" for name, (kind, _) in sorted(scrape.families.items()))


def _label_names(samples: list[Sample], suffix: str) -> set[str]:
    names: set[str] = set()
    for sample in samples:
        if sample.name.endswith(suffix):
            names |= set(sample.labels) - {"le"}
    return names


def counter_problems(scrape: Scrape) -> list[str]:
    """A counter `http_requests_total` with exactly the labels method, route and code."""
    found = scrape.family(COUNTER)
    if found is None:
        return [
            f"no metric called `{COUNTER}_total`; the registry has {_names(scrape) or 'nothing'}"
        ]
    kind, samples = found
    if kind != "counter":
        return [f"`{COUNTER}_total` is a {kind}, not a counter"]
    labels = _label_names(samples, "_total")
    if not samples or labels == set():
        return ["`http_requests_total` has no labels, so it cannot be split by route or status"]
    problems = []
    missing = sorted(set(COUNTER_LABELS) - labels)
    extra = sorted(labels - set(COUNTER_LABELS))
    if "status" in extra and "code" in missing:
        problems.append(
            "the status label is called `status`; name it `code`, which is what the SLO rules in "
            'templates/slo-and-alerts.md query (`code=~"5.."`)'
        )
        missing.remove("code")
        extra.remove("status")
    if missing:
        problems.append("missing label(s): " + ", ".join(f"`{name}`" for name in missing))
    if extra:
        problems.append(
            "unexpected label(s): "
            + ", ".join(f"`{name}`" for name in extra)
            + "; each label multiplies the number of series"
        )
    return problems


def histogram_problems(scrape: Scrape) -> list[str]:
    """A histogram of request durations by method and route, with a bucket at 0.3 s."""
    found = scrape.family(HISTOGRAM)
    if found is None:
        return [f"no metric called `{HISTOGRAM}`; the registry has {_names(scrape) or 'nothing'}"]
    kind, samples = found
    if kind != "histogram":
        return [
            f"`{HISTOGRAM}` is a {kind}, not a histogram"
            + (" (a summary cannot be added up across instances)" if kind == "summary" else "")
        ]
    problems = []
    labels = _label_names(samples, "_count")
    missing = sorted(set(HISTOGRAM_LABELS) - labels)
    if missing:
        problems.append("missing label(s): " + ", ".join(f"`{name}`" for name in missing))
    bounds = sorted(
        {float(s.labels["le"]) for s in samples if s.name.endswith("_bucket") and "le" in s.labels}
    )
    if not any(abs(bound - SLO_BUCKET) < 1e-9 for bound in bounds):
        shown = ", ".join(f"{bound:g}" for bound in bounds if bound != float("inf"))
        problems.append(
            f"no bucket boundary at 0.3 s (found {shown or 'none'}); the latency SLO counts "
            "bookings answered within 300 ms, which needs `buckets=(…, 0.3, …)`"
        )
    return problems


def normalise_route(value: str) -> str:
    """The template a route label stands for: raw paths map to their template."""
    if value in KNOWN_ROUTES:
        return value
    for pattern, template in TEMPLATES.items():
        if pattern.match(value):
            return template
    return UNMATCHED


def _route_values(scrape: Scrape) -> list[str]:
    values = []
    for name in (COUNTER, HISTOGRAM):
        found = scrape.family(name)
        for sample in found[1] if found else []:
            if "route" in sample.labels and sample.labels["route"] not in values:
                values.append(sample.labels["route"])
    return values


def route_label_problems(scrape: Scrape) -> list[str]:
    """The route label holds templates, one value per route, never a raw path."""
    values = _route_values(scrape)
    if not values:
        return ["no series has a `route` label"]
    problems = []
    raw = [
        value
        for value in values
        if value not in KNOWN_ROUTES and normalise_route(value) != UNMATCHED
    ]
    if raw:
        problems.append(
            "raw paths as labels: "
            + ", ".join(f'route="{value}"' for value in raw[:3])
            + "; every booking id becomes a new series (use the matched route's template, "
            "`request.scope['route'].path`, read after call_next)"
        )
    if UNKNOWN_PATH in values:
        problems.append(
            f'route="{UNKNOWN_PATH}" comes from a request that matched no route; give all such '
            'requests one fixed value, such as "unmatched", or anyone can create series at will'
        )
    return problems


def _counted(scrape: Scrape) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    found = scrape.family(COUNTER)
    for sample in found[1] if found else []:
        if not sample.name.endswith("_total"):
            continue
        labels = sample.labels
        code = labels.get("code", labels.get("status", "?"))
        key = (labels.get("method", "?"), normalise_route(labels.get("route", "?")), code)
        counts[key] += int(sample.value)
    return counts


def expected_counts(include_errors: bool = True) -> Counter[tuple[str, str, str]]:
    return Counter(
        (call.method, call.route, str(call.code))
        for call in CALLS
        if include_errors or call.code < 500
    )


def _series(key: tuple[str, str, str]) -> str:
    method, route, code = key
    return f"{method} {route} {code}"


def count_problems(scrape: Scrape) -> list[str]:
    """Each answered request is counted once, under its method, route and status code."""
    if scrape.family(COUNTER) is None:
        return [f"there is no `{COUNTER}_total` to count with"]
    counted = _counted(scrape)
    problems = []
    for key, expected in expected_counts(include_errors=False).items():
        if counted.get(key, 0) != expected:
            problems.append(f"{_series(key)}: expected {expected}, counted {counted.get(key, 0)}")
    known = set(expected_counts())
    for key, value in counted.items():
        if key not in known:
            problems.append(f"{_series(key)}: counted {value}, but no such request was sent")
    return problems


def error_count_problems(scrape: Scrape) -> list[str]:
    """A request whose route raises is counted as a 500."""
    if scrape.family(COUNTER) is None:
        return [f"there is no `{COUNTER}_total` to count with"]
    counted = _counted(scrape)
    if counted.get(("GET", BOOM, "500"), 0) == 1:
        return []
    if any(key[1] == BOOM for key in counted):
        found = ", ".join(f"code {key[2]}" for key in counted if key[1] == BOOM)
        return [f"GET {BOOM} answered 500 but was counted with {found}"]
    return [
        f"GET {BOOM} answered 500 but was not counted: the exception passes through your "
        "middleware on its way to the error handler, so the code after `await call_next()` "
        "never runs; count in a `finally:` block, with 500 as the status until a response "
        "arrives (as `log_request` in bookings/main.py does)"
    ]


def histogram_count_problems(scrape: Scrape) -> list[str]:
    """The histogram observes each request once, under its route."""
    found = scrape.family(HISTOGRAM)
    if found is None or found[0] != "histogram":
        return [f"there is no `{HISTOGRAM}` histogram to check"]
    observed: Counter[tuple[str, str]] = Counter()
    for sample in found[1]:
        if sample.name.endswith("_count"):
            key = (
                sample.labels.get("method", "?"),
                normalise_route(sample.labels.get("route", "?")),
            )
            observed[key] += int(sample.value)
    expected = Counter((call.method, call.route) for call in CALLS)
    problems = []
    for key, count in expected.items():
        if observed.get(key, 0) != count and not (key[1] == BOOM and observed.get(key, 0) == 0):
            problems.append(
                f"{key[0]} {key[1]}: {count} request(s), observed {observed.get(key, 0)} time(s)"
            )
    return problems


# --- Exercise 08.2: burn rates and paging -------------------------------------------------------


class Window(NamedTuple):
    """What happened in one alert window: how many requests failed, out of how many."""

    errors: int
    requests: int


@dataclass(frozen=True)
class BurnCase:
    text: str
    errors: int
    requests: int
    slo: float
    expected: float
    hint: str

    def run(self, burn_rate: Callable[[int, int, float], float]) -> float:
        return round(float(burn_rate(self.errors, self.requests, self.slo)), 6)


BURN_CASES = (
    BurnCase(
        "5 errors in 1,000 requests at a 99.5% SLO burn the budget at 1×",
        5,
        1000,
        0.995,
        1.0,
        "The burn rate is the error rate divided by the error budget, 1 − SLO.",
    ),
    BurnCase(
        "72 errors in 1,000 requests at 99.5% burn at 14.4×",
        72,
        1000,
        0.995,
        14.4,
        "Error rate 0.072, budget 0.005: 0.072 / 0.005.",
    ),
    BurnCase(
        "100 errors in 1,000 requests at 99% burn at 10×",
        100,
        1000,
        0.99,
        10.0,
        "The SLO is a fraction (0.99), not a percentage (99).",
    ),
    BurnCase(
        "no requests at all burn nothing (0.0), without dividing by zero",
        0,
        0,
        0.995,
        0.0,
        "With no requests nothing failed: return 0.0 before dividing.",
    ),
)


@dataclass(frozen=True)
class PageCase:
    text: str
    long: Window
    short: Window
    expected: bool
    hint: str
    slo: float = 0.995
    threshold: float | None = None

    def run(self, should_page: Callable[..., bool]) -> bool:
        if self.threshold is None:
            return bool(should_page(self.long, self.short, self.slo))
        return bool(should_page(self.long, self.short, self.slo, threshold=self.threshold))


PAGE_CASES = (
    PageCase(
        "a fast burn (18× over 1 h, 20× over 5 min) pages",
        Window(900, 10_000),
        Window(80, 800),
        True,
        "Page when the burn rate is above the threshold in both windows.",
    ),
    PageCase(
        "after the fix (18× over 1 h, nothing failing over 5 min) it does not page",
        Window(900, 10_000),
        Window(0, 850),
        False,
        "Both windows must burn fast: the short one stops the page soon after a fix.",
    ),
    PageCase(
        "a 5-minute blip (15× over 5 min, 1.2× over 1 h) does not page",
        Window(60, 10_000),
        Window(60, 800),
        False,
        "The long window must burn fast too, or every blip wakes someone up.",
    ),
    PageCase(
        "a slow leak (3× in both windows) does not page at the 14.4× threshold",
        Window(150, 10_000),
        Window(12, 800),
        False,
        "A slow leak is a ticket for working hours, not a page.",
    ),
    PageCase(
        "8× in both windows pages with threshold=6 (the 6 h / 30 min rule)",
        Window(400, 10_000),
        Window(32, 800),
        True,
        "Use the `threshold` argument instead of a fixed 14.4.",
        threshold=6,
    ),
    PageCase(
        "just above the threshold (14.6× over 1 h, 16× over 5 min) pages",
        Window(73, 1000),
        Window(8, 100),
        True,
        "Compare with >: 14.6 is above 14.4.",
    ),
    PageCase(
        "just below the threshold (14.2× over 1 h) does not page",
        Window(71, 1000),
        Window(8, 100),
        False,
        "14.2 is below 14.4: only above the threshold pages.",
    ),
    PageCase(
        "at night, 10 failures in 20 requests do not page (fewer than 50 requests)",
        Window(10, 20),
        Window(5, 5),
        False,
        "Below `min_requests` requests in the long window, the ratio means little: do not page.",
    ),
    PageCase(
        "50 requests are enough: 25 failures in 50 page",
        Window(25, 50),
        Window(5, 10),
        True,
        "The rule is at least `min_requests` requests, so exactly 50 counts.",
    ),
    PageCase(
        "no traffic at all does not page, and raises nothing",
        Window(0, 0),
        Window(0, 0),
        False,
        "No requests: burn rate 0, and fewer than `min_requests`.",
    ),
)


# --- Exercise 08.3: the postmortem ---------------------------------------------------------------

POSTMORTEM_HEADINGS = (
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "What went well",
    "What went badly",
    "Where we got lucky",
    "Action items",
    "Lessons and links",
)
"""The `## ` headings of templates/postmortem.md, without its "How to use this template"."""
TEMPLATE_ONLY_HEADINGS = ("How to use this template",)
MIN_TIMELINE_ENTRIES = 5
MIN_ACTION_ITEMS = 3

PEOPLE = ("Jordan", "Priya", "Sam")
"""The people named in the incident notes: a postmortem describes what they did, never blames."""

PLACEHOLDER_WORDS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")
TIME = re.compile(r"(?<![\d:])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?![\d:])")
DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)\b")
TIME_ZONE = re.compile(
    r"\b(?:UTC|GMT|CET|CEST|EET|EEST|WET|WEST|BST|IST|JST|AEST|AEDT|[ECMP][SD]T)\b"
    r"|\d:\d\d ?(?:Z|[+-]\d\d:?\d\d)\b"
)
DUE = re.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d|\+\s*\d+\s*(?:working\s+)?(?:days?|weeks?))\s*$", re.IGNORECASE
)
VAGUE_OWNERS = re.compile(
    r"^\s*(?:|-|—|\?|n/?a|none|nobody|tbd|tbc|everyone|everybody|all|anyone|the team|team|"
    r"engineering|us|we)\s*$",
    re.IGNORECASE,
)
ONE_ROLE = ("QA / SRE", "QA/SRE")
"""Owners that look like two but are one role of the process document."""
# Words that judge people rather than describe what happened.
BLAME_WORDS = re.compile(
    r"\b(human error|careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|lazy|laziness|"
    r"incompeten(?:t|ce)|reckless(?:ly)?|stupid|should have known|"
    r"(?:his|her|their) (?:fault|mistake))\b",
    re.IGNORECASE,
)
BLAME_VERBS = (
    r"(?:forgot|forgetting|failed to|fail to|ignored|neglected|didn'?t bother|did not bother|"
    r"should(?:n'?t| not)? have|messed up|screwed up|broke|caused|was slow|were slow|"
    r"mistake|fault|blame)"
)


def table_rows(body: str) -> list[list[str]]:
    """The rows of the first Markdown table in `body`, header first, as lists of cell texts."""
    rows: list[list[str]] = []
    for line in DETAILS_BLOCK.sub("", body).splitlines():
        if line.strip().startswith("|"):
            if TABLE_SEPARATOR.match(line):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows.append(cells)
        elif rows:
            break
    return rows


def list_items(body: str) -> list[str]:
    return [
        match["text"].strip()
        for line in DETAILS_BLOCK.sub("", body).splitlines()
        if (match := LIST_ITEM.match(line))
    ]


def postmortem_heading_problems(text: str) -> list[str]:
    """The template's nine headings, each once and in order; its "How to use" part deleted."""
    found = [title for title, _ in sections(text)[1:]]
    problems = []
    lowered = {heading.lower(): heading for heading in POSTMORTEM_HEADINGS}
    for title in dict.fromkeys(found):
        if title in TEMPLATE_ONLY_HEADINGS:
            problems.append(f"`## {title}` is the template's guidance; delete it")
        elif title not in POSTMORTEM_HEADINGS and title.lower() in lowered:
            problems.append(f"write `## {title}` exactly as `## {lowered[title.lower()]}`")
    missing = [
        heading
        for heading in POSTMORTEM_HEADINGS
        if heading not in found and heading.lower() not in {t.lower() for t in found}
    ]
    if missing:
        problems.append("missing: " + ", ".join(f"`## {heading}`" for heading in missing))
    for heading in POSTMORTEM_HEADINGS:
        if found.count(heading) > 1:
            problems.append(f"`## {heading}` appears {found.count(heading)} times")
    present = [title for title in dict.fromkeys(found) if title in POSTMORTEM_HEADINGS]
    for earlier, later in pairwise(present):
        if POSTMORTEM_HEADINGS.index(earlier) > POSTMORTEM_HEADINGS.index(later):
            problems.append(f"`## {later}` comes after `## {earlier}`; keep the template's order")
            break
    return problems


def postmortem_placeholder_problems(text: str) -> list[str]:
    """No section is empty or still holds the template's placeholders, guidance or examples."""
    problems = []
    for title, body in sections(text):
        if title not in POSTMORTEM_HEADINGS:
            continue
        where = f"`## {title}`"
        if DETAILS_BLOCK.search(body):
            problems.append(f"{where} still holds the template's collapsed example")
        elif re.search(r"^\s*>", body, re.MULTILINE):
            problems.append(f"{where} still has the template's `>` guidance")
        elif bracket := BRACKET_PLACEHOLDER.search(body):
            problems.append(f"{where} still has the placeholder `{bracket[0]}`")
        elif word := PLACEHOLDER_WORDS.search(body):
            problems.append(f"{where} still says {word[0]}")
        elif not [
            line for line in body.splitlines() if line.strip() and not TABLE_SEPARATOR.match(line)
        ]:
            problems.append(f"{where} is empty (write None, and why, if nothing applies)")
    return problems


@dataclass(frozen=True)
class Moment:
    text: str
    day: date | None
    minutes: int


def timeline_moments(body: str) -> tuple[list[Moment], list[str], str]:
    """The timeline's entries with their times; entries without a time; the header text."""
    rows = table_rows(body)
    header = ""
    if rows:
        header, entries = (
            " ".join(rows[0]),
            [row[0] + " | " + " ".join(row[1:]) for row in rows[1:]],
        )
        firsts = [row[0] for row in rows[1:]]
    else:
        entries = list_items(body)
        firsts = entries
    moments, untimed = [], []
    for entry, first in zip(entries, firsts, strict=True):
        time = TIME.search(first)
        if time is None or time.start() > 20:
            untimed.append(entry)
            continue
        day = DATE.search(first[: time.start()] + " ")
        moments.append(
            Moment(
                entry,
                date(int(day["year"]), int(day["month"]), int(day["day"])) if day else None,
                int(time["hour"]) * 60 + int(time["minute"]),
            )
        )
    return moments, untimed, header


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.replace("|", " ").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def timeline_problems(text: str) -> list[str]:
    """Five or more timed entries, in time order, with the time zone stated."""
    body = section(text, "Timeline")
    if body is None:
        return ["there is no `## Timeline` section"]
    moments, untimed, header = timeline_moments(body)
    problems = []
    if len(moments) < MIN_TIMELINE_ENTRIES:
        problems.append(
            f"{len(moments)} timed entr{'y' if len(moments) == 1 else 'ies'}; write at least "
            f"{MIN_TIMELINE_ENTRIES}, one per row as `| 10:02 | what happened |`"
        )
    for entry in untimed[:2]:
        problems.append(f"“{_short(entry)}” has no time (HH:MM) at its start")
    if moments and not TIME_ZONE.search(header + " " + " ".join(m.text for m in moments)):
        problems.append("no time zone: say which, as in a `Time (UTC)` column header")
    day: date | None = None
    previous: tuple[date | None, int] | None = None
    for moment in moments:
        day = moment.day or day
        key = (day, moment.minutes)
        if previous is not None and _before(key, previous):
            problems.append(
                f"“{_short(moment.text)}” comes after a later time; put the entries in time "
                "order (add the date to entries on another day)"
            )
            break
        previous = key
    return problems


def _before(key: tuple[date | None, int], previous: tuple[date | None, int]) -> bool:
    day, minutes = key
    previous_day, previous_minutes = previous
    if day is not None and previous_day is not None and day != previous_day:
        return day < previous_day
    return minutes < previous_minutes


def action_item_problems(text: str) -> list[str]:
    """Three or more action items, each with one named owner and a due date."""
    body = section(text, "Action items")
    if body is None:
        return ["there is no `## Action items` section"]
    rows = table_rows(body)
    if not rows:
        return ["write the action items as the template's table: | Action | Type | Owner | Due |"]
    header = [cell.lower() for cell in rows[0]]
    owner = next((i for i, cell in enumerate(header) if "owner" in cell), None)
    due = next((i for i, cell in enumerate(header) if "due" in cell or "date" in cell), None)
    missing = [name for name, index in (("Owner", owner), ("Due", due)) if index is None]
    if missing:
        return [f"the action-item table has no {' or '.join(missing)} column"]
    problems = []
    items = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if len(items) < MIN_ACTION_ITEMS:
        problems.append(
            f"{len(items)} action item(s); write at least {MIN_ACTION_ITEMS} "
            "(prevent it, detect it sooner, and fix the process)"
        )
    for row in items:
        name = _short(row[0], 40)
        who = row[owner] if owner < len(row) else ""
        when = row[due] if due < len(row) else ""
        if VAGUE_OWNERS.match(who) or BRACKET_PLACEHOLDER.search(who):
            problems.append(f"“{name}” has no single owner (found “{who}”)")
        elif re.search(r"\b(and|&)\b|,|/", who) and who.strip().upper() not in ONE_ROLE:
            problems.append(f"“{name}” has several owners (“{who}”); give it one")
        if not DUE.match(when):
            problems.append(
                f"“{name}” has no due date (found “{when}”); write a date such as 2030-03-11, "
                "or a delay such as +5 days"
            )
    return problems


def blame_problems(text: str, people: Sequence[str] = PEOPLE) -> list[str]:
    """Blameless language: no judging words, and no person named as the cause."""
    named = "|".join(re.escape(person) for person in people)
    person_blame = re.compile(
        rf"\b(?P<who>{named})(?:'s)?\b(?:[\s,]+[\w'-]+){{0,3}}?[\s,]+{BLAME_VERBS}", re.IGNORECASE
    )
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in (BLAME_WORDS, person_blame):
            match = pattern.search(line)
            if match:
                problems.append(f"line {number}: “{_short(match[0], 60)}”")
                break
    return problems
