"""Exercise 08.1: the metrics the learner's service serves at `/metrics`, judged.

`service_probe` runs the learner's service in a child process, sends it `CALLS` and scrapes
`/metrics`; what comes back is a `Scrape`. Every `*_problems` function here reads a `Scrape` and
returns plain sentences, one per problem, and an empty list when all is well, so that each
message can be unit-tested without a service.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from onboarding import numbers
from onboarding.artefacts.exposition import Family

COUNTER = "http_requests"
"""The counter's family name; its samples are `http_requests_total`."""
HISTOGRAM = "http_request_duration_seconds"
COUNTER_LABELS = ("code", "method", "route")
HISTOGRAM_LABELS = ("method", "route")
SLO_BUCKET = numbers.LATENCY_BUCKET_SECONDS
BOOM = "/boom"
"""A route the check adds to the app; it always raises, like a bug would."""
UNKNOWN_PATH = "/no/such/path"
UNMATCHED = "(no route)"
"""How this module writes the route of a request that matched none, whatever the learner used."""
METRICS_PATH = "/metrics"

PARAMETER = r"\{[A-Za-z_]\w*(?::\w+)?\}"
"""A path parameter as the learner's route declares it: `{booking_id}`, `{id}`, `{booking_id:int}`."""
# Each route, by a raw path (its id in digits) or by a template with any parameter name.
TEMPLATES = {
    re.compile(rf"^/rooms/(?:\d+|{PARAMETER})/bookings$"): "/rooms/{room_id}/bookings",
    re.compile(rf"^/bookings/(?:\d+|{PARAMETER})$"): "/bookings/{booking_id}",
    re.compile(rf"^/bookings/(?:\d+|{PARAMETER})/cancel$"): "/bookings/{booking_id}/cancel",
}
KNOWN_ROUTES = ("/rooms", "/health/live", BOOM, *TEMPLATES.values())


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    route: str
    """The route template the request matches (UNMATCHED for none)."""
    code: int
    """What the course's API answers."""


def _booking(start: str, end: str) -> dict[str, Any]:
    return {"organiser": "amara@example.com", "start": start, "end": end, "attendees": 2}


# What the check sends, in order, and what the course's API answers.
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
    Call("GET", "/health/live", None, "/health/live", 200),
    Call("GET", UNKNOWN_PATH, None, UNMATCHED, 404),
    Call("GET", BOOM, None, BOOM, 500),
)


@dataclass
class Scrape:
    """What the learner's service counted while the check drove it, and how it answered."""

    families: dict[str, Family] = field(default_factory=dict)
    answered: list[int] = field(default_factory=list)
    """The status code of each of CALLS, in order."""
    second_app: str = ""
    """Why a second create_app() in the same process failed ("" when it worked)."""
    metrics_status: int = 200
    """What GET /metrics answered."""
    unreadable: str = ""
    """Why what /metrics served is not a scrape Prometheus could read ("" when it is)."""
    redirects: int = 0
    """Redirects GET /metrics took (`/metrics` → `/metrics/` for a mounted app): requests of
    the scrape itself, which the service may count under no route."""

    def scrape_requests(self, key: tuple[str, str, str]) -> bool:
        """Whether a counted (method, route, code) is one of the scrape's own redirects."""
        method, route, code = key
        return bool(self.redirects) and method == "GET" and route == UNMATCHED and code[0] == "3"

    def family(self, name: str) -> Family | None:
        return self.families.get(name)


def answer_problems(scrape: Scrape) -> list[str]:
    """The service answers the course's API as it did before it was instrumented."""
    broken = all(code == 500 for code in scrape.answered)
    if scrape.metrics_status == 404:
        return [
            f"GET {METRICS_PATH} answers 404: serve your metrics there, from create_app() in "
            "main.py"
        ]
    if scrape.metrics_status != 200 and not broken:
        return [f"GET {METRICS_PATH} answers {scrape.metrics_status}, not 200"]
    problems = []
    if scrape.unreadable:
        problems.append(f"GET {METRICS_PATH}: {scrape.unreadable}")
    elif not scrape.families and not broken:
        problems.append(f"GET {METRICS_PATH} serves no metrics at all after ten requests")
    unexpected = [
        f"{call.method} {call.path} answered {got}, expected {call.code}"
        for call, got in zip(CALLS, scrape.answered, strict=False)
        if got != call.code
    ]
    if unexpected:
        problems.append(
            "the service answers differently ("
            + "; ".join(unexpected[:2])
            + "): a middleware must return the response it gets from call_next, and "
            "`pytest` in your project shows what else changed"
        )
    return problems


def second_app_problems(scrape: Scrape) -> list[str]:
    if not scrape.second_app:
        return []
    return [
        f"the second create_app() raised {scrape.second_app}: metrics created inside "
        "create_app() on the global registry clash; give each app its own CollectorRegistry "
        "(or create the metrics once, at import)"
    ]


def _names(scrape: Scrape) -> str:
    """The service's own metric families, for a message: not the client library's process
    metrics, nor the `_created` timestamps prometheus_client serves beside each metric."""
    return ", ".join(
        f"`{name}` ({family.type})"
        for name, family in sorted(scrape.families.items())
        if not name.startswith(("python_", "process_"))
        and not (name.endswith("_created") and name.removesuffix("_created") in scrape.families)
    )


def _kind(metric_type: str) -> str:
    """A metric type as a sentence names it: "a gauge", "an untyped metric"."""
    if metric_type in ("unknown", "untyped"):
        return "an untyped metric"
    return f"a {metric_type}"


def counter_problems(scrape: Scrape) -> list[str]:
    """A counter `http_requests_total` with exactly the labels method, route and code."""
    found = scrape.family(COUNTER)
    if found is None:
        # A gauge (or an untyped line) keeps its whole name as its family's name.
        misnamed = scrape.family(f"{COUNTER}_total")
        if misnamed is not None:
            return [
                f"`{COUNTER}_total` is {_kind(misnamed.type)}, not a counter: create it with "
                "Counter(…), which only goes up, so that rate() can read it"
            ]
        return [f"no metric called `{COUNTER}_total`; /metrics has {_names(scrape) or 'nothing'}"]
    if found.type != "counter":
        return [f"`{COUNTER}_total` is {_kind(found.type)}, not a counter"]
    labels = found.label_names("_total")
    if not found.samples or labels == set():
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
        return [f"no metric called `{HISTOGRAM}`; /metrics has {_names(scrape) or 'nothing'}"]
    if found.type != "histogram":
        return [
            f"`{HISTOGRAM}` is a {found.type}, not a histogram"
            + (
                " (a summary cannot be added up across instances)"
                if found.type == "summary"
                else ""
            )
        ]
    problems = []
    missing = sorted(set(HISTOGRAM_LABELS) - found.label_names("_count"))
    if missing:
        problems.append("missing label(s): " + ", ".join(f"`{name}`" for name in missing))
    bounds = sorted(
        {float(s.labels["le"]) for s in found.samples_named("_bucket") if "le" in s.labels}
    )
    # Exactly: Prometheus matches `le="0.3"` as text, so a boundary of 0.30000000000000004
    # (what `3 * 0.1` makes) is another bucket, which the SLO's query never selects.
    near = [bound for bound in bounds if bound != SLO_BUCKET and abs(bound - SLO_BUCKET) < 1e-9]
    if near and SLO_BUCKET not in bounds:
        problems.append(
            f"the bucket boundary is {near[0]!r}, not exactly {SLO_BUCKET:g}: floating-point "
            f"arithmetic such as `3 * 0.1` gives it, and the latency SLO selects "
            f'`le="{SLO_BUCKET:g}"`; write {SLO_BUCKET:g} itself in `buckets=(…)`'
        )
    elif SLO_BUCKET not in bounds:
        shown = ", ".join(f"{bound:g}" for bound in bounds if bound != float("inf"))
        in_milliseconds = any(abs(bound - numbers.LATENCY_OBJECTIVE_MS) < 1e-9 for bound in bounds)
        problems.append(
            f"no bucket boundary at {SLO_BUCKET:g} s (found {shown or 'none'}); the latency SLO "
            f"counts bookings answered within {numbers.LATENCY_OBJECTIVE_MS} ms, which needs "
            f"`buckets=(…, {SLO_BUCKET:g}, …)`"
            + (
                f"; {numbers.LATENCY_OBJECTIVE_MS} looks like milliseconds, but the metric's "
                "name says seconds: observe seconds and give the buckets in seconds"
                if in_milliseconds
                else ""
            )
        )
    return problems


def normalise_route(value: str) -> str:
    """The template a route label stands for: raw paths, and the templates of routes declared
    with other parameter names or converters, map to the course's template."""
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
        for sample in found.samples if found else ():
            if "route" in sample.labels and sample.labels["route"] not in values:
                values.append(sample.labels["route"])
    return values


def route_label_problems(scrape: Scrape) -> list[str]:
    """The route label holds templates, one value per route, never a raw path."""
    # The scrape's own requests (`/metrics`, `/metrics/` behind a mount) are the service's to
    # label as it likes.
    values = [value for value in _route_values(scrape) if not value.startswith(METRICS_PATH)]
    if not values:
        return ["no series has a `route` label"]
    problems = []
    # One value may stand for the requests that matched no route ("unmatched", "none", "");
    # several values that are not paths at all name something else, such as each route's
    # function name. (A path this module does not know may be a route of the learner's own.)
    unknown = [
        value
        for value in values
        if normalise_route(value) == UNMATCHED and not value.startswith("/")
    ]
    if len(unknown) > 1:
        problems.append(
            "route values that are no route's path template: "
            + ", ".join(f'route="{value}"' for value in unknown[:3])
            + "; label each request with the template it matched, such as "
            "`/bookings/{booking_id}` (`request.scope['route'].path`), and give the requests "
            "that match no route one fixed value"
        )
    raw = [
        value
        for value in values
        if value not in KNOWN_ROUTES
        and normalise_route(value) != UNMATCHED
        and not re.search(PARAMETER, value)
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
    for sample in found.samples_named("_total") if found else ():
        labels = sample.labels
        if labels.get("route", "").startswith(METRICS_PATH):
            continue  # the check's own scrape, counted or not
        code = labels.get("code", labels.get("status", "?"))
        key = (labels.get("method", "?"), normalise_route(labels.get("route", "?")), code)
        counts[key] += int(sample.value)
    return counts


def expected_counts(scrape: Scrape, include_errors: bool = True) -> Counter[tuple[str, str, str]]:
    """What each request should have been counted as: what the service answered it."""
    return Counter(
        (call.method, call.route, str(code))
        for call, code in zip(CALLS, scrape.answered, strict=False)
        if include_errors or call.path != BOOM
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
    for key, expected in expected_counts(scrape, include_errors=False).items():
        if counted.get(key, 0) != expected:
            problems.append(f"{_series(key)}: expected {expected}, counted {counted.get(key, 0)}")
    known = set(expected_counts(scrape))
    for key, value in counted.items():
        if key not in known and key[1] != BOOM and not scrape.scrape_requests(key):
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
        "arrives"
    ]


def histogram_count_problems(scrape: Scrape) -> list[str]:
    """The histogram observes each request once, under its route."""
    found = scrape.family(HISTOGRAM)
    if found is None or found.type != "histogram":
        return [f"there is no `{HISTOGRAM}` histogram to check"]
    observed: Counter[tuple[str, str]] = Counter()
    for sample in found.samples_named("_count"):
        key = (
            sample.labels.get("method", "?"),
            normalise_route(sample.labels.get("route", "?")),
        )
        observed[key] += int(sample.value)
    expected = Counter((call.method, call.route) for call in CALLS)
    problems = []
    for key, count in expected.items():
        seen = observed.get(key, 0)
        if key == ("GET", UNMATCHED) and count < seen <= count + scrape.redirects:
            continue  # the scrape's own redirects, timed under no route
        if seen != count and not (key[1] == BOOM and seen == 0):
            problems.append(f"{key[0]} {key[1]}: {count} request(s), observed {seen} time(s)")
    return problems
