"""Exercise 08.3: the learner's alert rules, judged by what they do over made-up days.

Each `Scenario` is a few days of the booking service as Prometheus would have scraped it: the
lobby screens' reads, the bookings, the probes and the scrapes of `/metrics`, at the course's
traffic (`onboarding.numbers`), with an incident or none. The learner's rules from
`monitoring/alerts.yaml` are evaluated over each (`onboarding.artefacts.promql`), and a check
asks what paged, what opened a ticket and what stayed quiet. Any way of writing the rules that
behaves right passes: other names, recording rules, `>=` guards, `sum by (job)`, other windows
that still catch each incident.

Every `*_problems` function returns plain sentences, one per problem, and an empty list when all
is well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from onboarding import numbers
from onboarding.artefacts import alert_rules, promql
from onboarding.checks import require
from onboarding.protocol import shorten

RULES_FILE = "monitoring/alerts.yaml"
SEVERITIES = ("page", "ticket")
RUNBOOK_ANNOTATIONS = ("runbook_url", "runbook")
DEFAULT_JOB = "bookings"
INSTANCE = "bookings:8000"
HISTORY = timedelta(days=4)
REQUESTS = "http_requests_total"
DURATION = "http_request_duration_seconds"
SERVICE_METRICS = (
    REQUESTS,
    f"{DURATION}_bucket",
    f"{DURATION}_count",
    f"{DURATION}_sum",
    "up",
)
"""The series the service exports (and `up`, which Prometheus adds for every scrape)."""
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME)\b")


# ---------------------------------------------------------------------------- the traffic


@dataclass(frozen=True)
class Route:
    method: str
    route: str
    share: float
    """Its share of the API's requests."""
    success: str
    client_error: str
    client_error_share: float


BOOKING_A_ROOM = Route("POST", "/rooms/{room_id}/bookings", 0.10, "201", "409", 0.06)
ROUTES = (
    # The lobby screens read each room's bookings all day: most of the traffic.
    Route("GET", "/rooms/{room_id}/bookings", 0.70, "200", "404", 0.001),
    Route("GET", "/bookings/{booking_id}", 0.10, "200", "404", 0.02),
    BOOKING_A_ROOM,
    Route("POST", "/bookings/{booking_id}/cancel", 0.04, "200", "404", 0.01),
    Route("GET", "/rooms", 0.05, "200", "404", 0.0),
    Route("POST", "/rooms", 0.01, "201", "409", 0.05),
)
PROBES = (
    # The platform's probes, every 10 s each, and Prometheus's own scrape every 15 s.
    ("GET", "/health/live", 1 / 10),
    ("GET", "/health/ready", 1 / 10),
    ("GET", "/metrics", 1 / 15),
)
BUCKETS = (("0.05", 0.8), ("0.1", 1.0), ("0.3", 1.0), ("1.0", 1.0), ("+Inf", 1.0))
"""The latency histogram's buckets, and the share of requests within each: all are fast."""
USUAL_SERVER_ERRORS = 0.0005
MEAN_LATENCY_SECONDS = 0.04


@dataclass(frozen=True)
class Incident:
    """From `start` to `end` (before now), `server_errors` of the API's requests answer 500,
    and `client_errors` more of them answer their 4xx."""

    start: timedelta
    end: timedelta = timedelta(0)
    server_errors: float = 0.0
    client_errors: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    now: datetime
    incidents: tuple[Incident, ...] = ()
    longest_hold: timedelta | None = None
    """The longest `for:` the scenario judges: an alert's longer `for:` is judged as this long
    (None: every `for:` in full). A burst shorter than a `for:` says nothing of what the
    scenario asks (is the traffic guard there, is the long window there), so a `for:` may not
    be what keeps an alert quiet in it, nor what stops one from firing."""

    def api_requests_per_second(self, when: datetime) -> float:
        return numbers.requests_in_step(when) / numbers.STEP.total_seconds()

    def share_of(self, route: Route) -> float:
        """The route's share of the API's requests in this scenario."""
        return route.share

    @property
    def usual_server_errors(self) -> float:
        """The share of requests that fail outside every incident."""
        return USUAL_SERVER_ERRORS

    @property
    def server_error_codes(self) -> tuple[str, ...]:
        """The codes the server errors are answered with, in equal shares."""
        return ("500",)

    def error_shares(self, ago: float) -> tuple[float, float]:
        """(server errors, extra client errors) as shares of the API's requests, `ago` s back."""
        server, client = self.usual_server_errors, 0.0
        for incident in self.incidents:
            if incident.end.total_seconds() < ago <= incident.start.total_seconds():
                server, client = (
                    max(server, incident.server_errors),
                    client + incident.client_errors,
                )
        return server, client

    def breakpoints(self) -> list[float]:
        """The times (seconds before now, as negatives) where some rate changes."""
        points = {0.0, -HISTORY.total_seconds()}
        first_hour = self.now.replace(minute=0, second=0, microsecond=0)
        hour = first_hour
        while self.now - hour < HISTORY:
            points.add(-(self.now - hour).total_seconds())
            hour -= timedelta(hours=1)
        for incident in self.incidents:
            points.update((-incident.start.total_seconds(), -incident.end.total_seconds()))
        return sorted(point for point in points if point >= -HISTORY.total_seconds())

    def history(
        self,
        job: str = DEFAULT_JOB,
        recorded: Mapping[str, Sequence[promql.Recording]] | None = None,
    ) -> promql.History:
        """The scenario's series, scraped under `job`, with the learner's recording rules."""
        return promql.History(_series(self, job), dict(recorded or {}))


@cache
def _series(scenario: Scenario, job: str) -> list[promql.Series]:
    points = scenario.breakpoints()
    common = {"job": job, "instance": INSTANCE}
    pieces: dict[tuple[tuple[str, str], ...], list[promql.Piece]] = {}

    def series_of(**labels: str) -> list[promql.Piece]:
        return pieces.setdefault(tuple(sorted({**common, **labels}.items())), [])

    def counted(method: str, route: str, code: str) -> list[promql.Piece]:
        return series_of(__name__=REQUESTS, method=method, route=route, code=code)

    def timed(method: str, route: str) -> list[tuple[list[promql.Piece], float]]:
        """The histogram's series of one route, each with the share of requests it counts."""
        labels = {"method": method, "route": route}
        return [
            *(
                (series_of(__name__=f"{DURATION}_bucket", le=le, **labels), share)
                for le, share in BUCKETS
            ),
            (series_of(__name__=f"{DURATION}_count", **labels), 1.0),
            (series_of(__name__=f"{DURATION}_sum", **labels), MEAN_LATENCY_SECONDS),
        ]

    routes = [
        (
            route,
            counted(route.method, route.route, route.success),
            counted(route.method, route.route, route.client_error),
            [counted(route.method, route.route, code) for code in scenario.server_error_codes],
            timed(route.method, route.route),
        )
        for route in ROUTES
    ]
    probes = [
        (per_second, counted(method, path, "200"), timed(method, path))
        for method, path, per_second in PROBES
    ]
    for start, end in zip(points, points[1:], strict=False):
        middle = (start + end) / 2
        api = scenario.api_requests_per_second(scenario.now + timedelta(seconds=middle))
        server, extra_client = scenario.error_shares(-middle)
        for route, success, client_error, server_errors, histogram in routes:
            total = api * scenario.share_of(route)
            client = min(1.0 - server, route.client_error_share + extra_client)
            _extend(success, start, end, total * (1 - server - client))
            _extend(client_error, start, end, total * client)
            for server_error in server_errors:
                _extend(server_error, start, end, total * server / len(server_errors))
            for found, share in histogram:
                _extend(found, start, end, total * share)
        for per_second, success, histogram in probes:
            _extend(success, start, end, per_second)
            for found, share in histogram:
                _extend(found, start, end, per_second * share)
    series = [
        promql.Series(dict(key), "counter", tuple(found)) for key, found in sorted(pieces.items())
    ]
    up = {"__name__": "up", **common}
    series.append(promql.Series(up, "gauge", (promql.Piece(points[0], 0.0, 1.0),)))
    return series


def _extend(pieces: list[promql.Piece], start: float, end: float, per_second: float) -> None:
    """Add a stretch, merged into the one before when the rate is the same (fewer pieces)."""
    if pieces and pieces[-1].end == start and pieces[-1].value == per_second:
        pieces[-1] = promql.Piece(pieces[-1].start, end, per_second)
    else:
        pieces.append(promql.Piece(start, end, per_second))


WEDNESDAY_LATE_MORNING = datetime(2030, 3, 13, 11, 0)
SUNDAY_NIGHT = datetime(2030, 3, 10, 3, 0)
FAST = Incident(timedelta(minutes=70), server_errors=0.12)
STEADY = Incident(timedelta(hours=7), server_errors=0.045)
LEAK = Incident(timedelta(days=3), server_errors=0.01)
BLIP = Incident(timedelta(minutes=5), server_errors=0.5)
FIXED = Incident(timedelta(minutes=60), timedelta(minutes=10), server_errors=0.12)
NIGHT_BURST = Incident(timedelta(minutes=5), server_errors=1.0)
CLIENT_ERRORS = Incident(timedelta(hours=2), client_errors=0.30)

NORMAL_DAY = Scenario("a normal day", WEDNESDAY_LATE_MORNING)
CLIENT_ERROR_DAY = Scenario("a morning of 409s and 422s", WEDNESDAY_LATE_MORNING, (CLIENT_ERRORS,))
FAST_BURN = Scenario("a fast burn", WEDNESDAY_LATE_MORNING, (FAST,))
STEADY_BURN = Scenario("a steady burn", WEDNESDAY_LATE_MORNING, (STEADY,))
SLOW_LEAK = Scenario("a slow leak", WEDNESDAY_LATE_MORNING, (LEAK,))
# A 5-minute burst outlasts no `for:` of 5 minutes or more: a rule with no long window, or no
# traffic guard, would stay quiet through it thanks to its `for:` alone, and page when the
# burst lasts a little longer. These days judge each alert's condition as it stands now.
BLIP_NOW = Scenario("a blip", WEDNESDAY_LATE_MORNING, (BLIP,), longest_hold=timedelta(0))
AFTER_THE_FIX = Scenario("after the fix", WEDNESDAY_LATE_MORNING, (FIXED,))
QUIET_NIGHT = Scenario("a quiet night", SUNDAY_NIGHT, (NIGHT_BURST,), longest_hold=timedelta(0))
SCENARIOS = (
    NORMAL_DAY,
    CLIENT_ERROR_DAY,
    FAST_BURN,
    STEADY_BURN,
    SLOW_LEAK,
    BLIP_NOW,
    AFTER_THE_FIX,
    QUIET_NIGHT,
)
"""The made-up days 08.3 judges alert rules on, in the order a learner meets them."""

LEAK_FIXED = Incident(timedelta(days=3), timedelta(hours=7), server_errors=LEAK.server_errors)
LEAK_FIXED_DAY = Scenario("a slow leak, fixed", WEDNESDAY_LATE_MORNING, (LEAK_FIXED,))
"""The slow leak, fixed 7 hours ago: its 3 days still hold about 1% of failures, its last 6
hours none. A ticket that compares both of its windows has closed; one with its long window
alone stays open for up to 3 days after the fix, as a page with no short window would."""


@dataclass(frozen=True)
class Burst(Scenario):
    """A service with no traffic but its incidents: `per_second` requests to book a room while
    each lasts.

    Every rate and duration is a whole number, so the requests of a window add up to exactly
    their count: a traffic guard can be judged at its limit. They all go to the one route, so an
    SLI of every API request and one of booking a room alone count the same requests.
    """

    per_second: float = 1.0

    @property
    def usual_server_errors(self) -> float:
        # A burst's incidents say every failure: the usual 0.05% would make counts fractional.
        return 0.0

    @property
    def server_error_codes(self) -> tuple[str, ...]:
        # Half 500, half 503, as an overloaded service answers: the requests of a burst are
        # two series, so a guard that counts each series apart (`increase(…) >= 50` without
        # `sum`) sees 25 where the service had 50, and cannot page at the limit.
        return ("500", "503")

    def share_of(self, route: Route) -> float:
        return 1.0 if route is BOOKING_A_ROOM else 0.0

    def api_requests_per_second(self, when: datetime) -> float:
        ago = (self.now - when).total_seconds()
        during = any(
            incident.end.total_seconds() < ago <= incident.start.total_seconds()
            for incident in self.incidents
        )
        return self.per_second if during else 0.0


EARLIER_SUCCESSES = Incident(timedelta(hours=5), timedelta(hours=2))
"""Three hours of requests that all succeed (10,800 of them, one a second), ending an hour
before the last hour begins. They keep the 6-hour error ratio far below its threshold (50
failures in 10,850 requests are 0.46%, against 3%), so a burst in the last hour can only page
through the 1 h / 5 min rule: the guards' days judge that rule on its own. Without them, the
6-hour rule pages on the same 50 requests and hides a fast rule that never could."""
GUARD_HOLD = timedelta(minutes=4)
"""The longest `for:` the guard's scenarios judge. No burst of exactly 50 requests can do more:
for a `for: 5m`, the 5-minute window must hold a failure now, and the hour that ended 5 minutes
ago all 50 requests. A `for:` delays a page but does not change how many requests are enough
for one, which is what these scenarios ask; the other days judge each `for:` in full."""


def _failing(seconds_ago: int, requests: int) -> Incident:
    """`requests` requests, one a second, all failing, the last `seconds_ago - requests` s ago."""
    return Incident(
        timedelta(seconds=seconds_ago),
        timedelta(seconds=seconds_ago - requests),
        server_errors=1.0,
    )


GUARD_LIMIT = Burst(
    f"exactly {numbers.MIN_REQUESTS_TO_PAGE} requests",
    SUNDAY_NIGHT,
    (
        EARLIER_SUCCESSES,
        # One request a second, all failing, from 290 s to 240 s ago: inside every 5-minute
        # window of the last four minutes, so that a `for:` of up to 4 minutes still fires.
        _failing(240 + numbers.MIN_REQUESTS_TO_PAGE, numbers.MIN_REQUESTS_TO_PAGE),
    ),
    longest_hold=GUARD_HOLD,
)
"""The paging guard at its limit: exactly `MIN_REQUESTS_TO_PAGE` requests, all failing."""

SPREAD_BURSTS = 5
SPREAD_OVER_THE_HOUR = numbers.MIN_REQUESTS_TO_PAGE // SPREAD_BURSTS
"""How many requests each of the spread guard's five bursts sends: 10, and 50 in all."""
GUARD_SPREAD = Burst(
    f"exactly {numbers.MIN_REQUESTS_TO_PAGE} requests over the hour",
    SUNDAY_NIGHT,
    (
        EARLIER_SUCCESSES,
        # Bursts of failing requests through the hour, all between 60 and 4 minutes ago so that
        # the hour holds every one of them at each evaluation of a 4-minute `for:`; the last
        # burst is the only one in the 5-minute window. A guard that counts the short window
        # (10) or the requests per second (0.014) cannot page here; one over the hour (50) does.
        *(_failing(seconds_ago, SPREAD_OVER_THE_HOUR) for seconds_ago in (3300, 2500, 1700, 900)),
        _failing(240 + SPREAD_OVER_THE_HOUR, SPREAD_OVER_THE_HOUR),
    ),
    longest_hold=GUARD_HOLD,
)
"""The paging guard at its limit, counted over the hour: 50 requests spread through it."""
GUARD_OVER_6_HOURS = Burst(
    f"exactly {numbers.MIN_REQUESTS_TO_PAGE} requests over 6 hours",
    SUNDAY_NIGHT,
    (
        # The same bursts through 6 hours, and nothing else: the last hour holds one burst, too
        # few for the 1 h / 5 min rule, so only the 6 h / 30 min rule can page, and its guard
        # is judged on its own at its limit. The 6-hour window holds all 50 at every evaluation
        # of a 4-minute `for:`, and the last burst is in every 30-minute window.
        *(
            _failing(seconds_ago, SPREAD_OVER_THE_HOUR)
            for seconds_ago in (20_000, 15_000, 10_000, 5_000)
        ),
        _failing(240 + SPREAD_OVER_THE_HOUR, SPREAD_OVER_THE_HOUR),
    ),
    longest_hold=GUARD_HOLD,
)
"""The 6-hour rule's guard at its limit: 50 requests spread through 6 hours, 10 in the last."""


def api_requests(scenario: Scenario, window: timedelta) -> float:
    """How many API requests (no probes, no scrapes) the scenario has in the last `window`."""
    start = -window.total_seconds()
    points = sorted({start, *(point for point in scenario.breakpoints() if point > start)})
    return sum(
        scenario.api_requests_per_second(scenario.now + timedelta(seconds=(a + b) / 2)) * (b - a)
        for a, b in zip(points, points[1:], strict=False)
    )


# ---------------------------------------------------------------------------- reading the rules


def read_rules(text: str) -> alert_rules.RuleFile:
    """The rule file; CheckFailed naming Prometheus' objections, or an unfinished TODO."""
    found = alert_rules.read(text, RULES_FILE)
    problems = list(found.problems)
    for rule in found.rules:
        if PLACEHOLDER.search(rule.expr):
            problems.append(f"{rule.where}: the `expr` of {rule.kind} `{rule.name}` is still TODO")
    if not found.alerts and not problems:
        problems.append("the file defines no alert: each `- alert: Name` rule needs an `expr:`")
    require(problems)
    return found


def job_of(rules: alert_rules.RuleFile) -> str:
    """The scrape job the rules select (`job="…"`), when they agree on one; else `bookings`."""
    jobs = {
        matcher.value
        for rule in rules.rules
        if rule.expression
        for selector in promql.selectors(rule.expression.root)
        for matcher in selector.matchers
        if matcher.name == "job" and matcher.op == "="
    }
    return jobs.pop() if len(jobs) == 1 else DEFAULT_JOB


def labelling_problems(rules: alert_rules.RuleFile) -> list[str]:
    """Each alert says how urgent it is (`severity`) and where its runbook entry is."""
    problems = []
    for alert in rules.alerts:
        severity = alert.labels.get("severity")
        if severity is None:
            problems.append(f"{alert.where}: `{alert.name}` has no `severity` label")
        elif severity.strip().lower() not in SEVERITIES:
            problems.append(
                f"{alert.where}: `{alert.name}` has severity `{severity}`; use page (wake "
                "someone) or ticket (working hours)"
            )
        links = [
            str(alert.annotations.get(key) or "").strip()
            for key in RUNBOOK_ANNOTATIONS
            if str(alert.annotations.get(key) or "").strip()
        ]
        if not links:
            problems.append(
                f"{alert.where}: `{alert.name}` has no `runbook_url` annotation; add one that "
                f"links its entry in {RUNBOOK_FILE}, such as `runbook_url: {RUNBOOK_FILE}#alerts`"
            )
        elif not any(points_at_the_runbook(link) for link in links):
            problems.append(f"{alert.where}: `{alert.name}`'s {runbook_link_problem(links[0])}")
    return problems


RUNBOOK_FILE = "docs/runbook.md"
"""Where each alert's runbook entry is (exercise 08.4)."""
TEMPLATE_PART = re.compile(r"\{\{.*?\}\}")
"""A part of an annotation Prometheus fills in when the alert fires: `{{ $labels.alertname }}`."""
LINK_PLACEHOLDER = re.compile(r"\b(?:TODO|TBD|FIXME|XXX)\b|<[^<>]*>|\[[^\[\]]*\]", re.IGNORECASE)
"""What is left to fill in: TODO, `<link>`, `[runbook]`."""


def points_at_the_runbook(link: str) -> bool:
    """Whether an annotation links the runbook: a path in the repository (`docs/runbook.md`,
    `../docs/runbook.md`) or the file's URL in the repository's host, with or without a
    `#section`; a `{{ … }}` part that Prometheus fills in may stand anywhere."""
    text = TEMPLATE_PART.sub("", link)
    if LINK_PLACEHOLDER.search(text):
        return False
    path = urlsplit(text).path.removeprefix("./")
    return path == RUNBOOK_FILE or path.endswith(f"/{RUNBOOK_FILE}")


def runbook_link_problem(link: str) -> str:
    """What is wrong with a runbook link that does not point at the runbook, in words."""
    if LINK_PLACEHOLDER.search(TEMPLATE_PART.sub("", link)):
        return (
            f"runbook_url is `{shorten(link, 50)}`, a placeholder: link the alert's entry in "
            f"{RUNBOOK_FILE}, such as `{RUNBOOK_FILE}#alerts`"
        )
    return (
        f"runbook_url `{shorten(link, 60)}` does not point at {RUNBOOK_FILE}, where the alert's "
        f"entry is (exercise 08.4): write `{RUNBOOK_FILE}#…`, or the file's URL in your "
        "repository"
    )


def severity_of(alert: alert_rules.Rule) -> str:
    return alert.labels.get("severity", "").strip().lower()


def served_elsewhere(
    history: promql.History, selector: promql.Selector, served_paths: Iterable[str]
) -> bool:
    """The selector names a route the service serves, which a normal day sends no traffic to.

    The simulated day knows the routes of stage 08's service; a route the learner's spec adds
    later (the capstone's series endpoint) is served too, and its series look like the others.
    """
    routes = [m for m in selector.matchers if m.name == "route"]
    if not routes or not any(
        all(m.matches({"route": path}) for m in routes) for path in served_paths
    ):
        return False
    others = [m for m in selector.all_matchers() if m.name != "route"]
    return bool(history.matching(others))


def selector_problems(rules: alert_rules.RuleFile, served_paths: Iterable[str] = ()) -> list[str]:
    """Every selector of the service's own metrics matches some series it exports.

    `served_paths` are the paths of the learner's spec: a route among them counts as served.
    """
    history = NORMAL_DAY.history(job_of(rules))
    problems = []
    for rule in rules.rules:
        if rule.expression is None:
            continue
        for node in promql.walk(rule.expression.root):
            if not isinstance(node, promql.Selector) or node.name not in SERVICE_METRICS:
                continue
            if under_absent(rule.expression.root, node):
                continue
            if not history.matching(node.all_matchers()) and not served_elsewhere(
                history, node, served_paths
            ):
                problems.append(
                    f"{rule.where}: `{shorten(rule.expression.source(node), 90)}` in `{rule.name}` "
                    f"matches no series; {_what_exists(history, node)}"
                )
    return problems


def under_absent(root: promql.Node, target: promql.Node) -> bool:
    for node in promql.walk(root):
        if isinstance(node, promql.Call) and node.function in ("absent", "absent_over_time"):
            if any(child is target for child in promql.walk(node)):
                return True
    return False


def _what_exists(history: promql.History, selector: promql.Selector) -> str:
    names = history.label_names(selector.name)
    for matcher in selector.matchers:
        if matcher.name not in names and matcher.op in ("=", "=~") and not matcher.matches({}):
            return (
                f"{selector.name} has no label `{matcher.name}` (its labels: "
                f"{', '.join(sorted(names))})"
            )
        values = sorted(
            {
                s.labels.get(matcher.name, "")
                for s in history.series
                if s.labels.get("__name__") == selector.name
            }
        )
        if matcher.name in names and not any(matcher.matches({matcher.name: v}) for v in values):
            shown = ", ".join(f'"{value}"' for value in values[:6])
            return f"`{matcher}` matches none of its values ({shown}{', …' if len(values) > 6 else ''})"
    return "no series has all of those labels at once"


# ---------------------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class Verdict:
    """What one alert did in one scenario."""

    alert: alert_rules.Rule
    fired: bool
    unsupported: str = ""
    """Why it could not be evaluated ("" when it was)."""


def verdicts(rules: alert_rules.RuleFile, scenario: Scenario) -> list[Verdict]:
    history = scenario.history(job_of(rules), rules.recorded())
    hold = math.inf if scenario.longest_hold is None else scenario.longest_hold.total_seconds()
    return [
        _verdict(alert, history, min(alert.for_seconds, hold))
        for alert in rules.alerts
        if alert.expression
    ]


def _verdict(alert: alert_rules.Rule, history: promql.History, hold_seconds: float) -> Verdict:
    assert alert.expression is not None
    # `for:` — the condition must have held at every evaluation over that long (once a minute).
    steps = min(int(hold_seconds // 60), 180)
    try:
        for step in range(steps + 1):
            value = promql.evaluate(alert.expression, history, time=-60.0 * step)
            if not _fires(value):
                return Verdict(alert, False)
    except promql.Unsupported as unsupported:
        return Verdict(alert, False, f"uses {unsupported}")
    except promql.EvaluationError as error:
        return Verdict(alert, False, str(error))
    return Verdict(alert, True)


def _fires(value: float | promql.Vector) -> bool:
    if isinstance(value, float):
        return True  # a number is a one-element result: Prometheus fires on it
    return bool(value)


def explain(alert: alert_rules.Rule, scenario: Scenario, rules: alert_rules.RuleFile) -> str:
    """Why an alert did or did not fire: the value of each part of its `and` chain."""
    assert alert.expression is not None
    history = scenario.history(job_of(rules), rules.recorded())
    parts = []
    for part in promql.conjuncts(alert.expression.root):
        parts.append(_describe_part(alert.expression, part, history))
    return "; ".join([*parts, *_unmatched_labels(alert.expression, history)])


def _unmatched_labels(expression: promql.Expression, history: promql.History) -> list[str]:
    """Why a chain whose every part holds is empty: `and` keeps only series whose labels match
    on both sides, and `sum by (job)` beside a plain `sum` never does. Without this, the parts
    all read "holds" and the learner cannot see why nothing fired."""
    label_sets = []
    try:
        if promql.evaluate(expression, history) != []:
            return []
        for part in promql.conjuncts(expression.root):
            value = promql.evaluate(_sub(expression, part), history)
            if not isinstance(value, list):
                continue  # a number matches any labels
            if not value:
                return []  # an empty part explains the empty chain by itself
            label_sets.append(
                "{" + ", ".join(f'{k}="{v}"' for k, v in value[0].labels if k != "__name__") + "}"
            )
    except (promql.Unsupported, promql.EvaluationError):
        return []
    shown = list(dict.fromkeys(label_sets))
    if len(shown) < 2:
        return []
    return [
        f"every part holds, but `and` keeps only series whose labels match on both sides, and "
        f"here they differ ({' and '.join(shown)}): aggregate every part the same way (all "
        "`sum by (job)`, or all `sum`), or write `and on()`"
    ]


def _describe_part(
    expression: promql.Expression, part: promql.Node, history: promql.History
) -> str:
    shown = f"`{shorten(expression.source(part), 70)}`"
    inner = part
    while isinstance(inner, promql.Parens):
        inner = inner.expr
    try:
        if isinstance(inner, promql.Binary) and inner.op in promql.COMPARISONS and not inner.bool_:
            sides = [
                promql.evaluate(_sub(expression, side), history) for side in (inner.lhs, inner.rhs)
            ]
            left, right = (_one_number(side) for side in sides)
            holds = bool(promql.evaluate(_sub(expression, inner), history))
            if left is not None and right is not None:
                verb = "holds" if holds else "does not hold"
                return f"{shown} {verb} ({_number(left)} {inner.op} {_number(right)})"
            if (left is None) != (right is None):
                # `increase(…) >= 50` without `sum` holds for a series with 50 requests of
                # its own, never for the service's 50 spread over several: say so, or the
                # learner reads "is empty" and cannot see why.
                several = len(sides[0] if left is None else sides[1])  # type: ignore[arg-type]
                return (
                    f"{shown} {'holds' if holds else 'is empty'}: it compares each of its "
                    f"{several} series apart, not their total; add them up with `sum(…)`"
                )
        value = promql.evaluate(_sub(expression, part), history)
        return f"{shown} {'holds' if _fires(value) else 'is empty'}"
    except (promql.Unsupported, promql.EvaluationError) as error:
        return f"{shown} could not be evaluated ({error})"


def _sub(expression: promql.Expression, node: promql.Node) -> promql.Expression:
    return promql.Expression(expression.text, node)


def _one_number(value: float | promql.Vector) -> float | None:
    if isinstance(value, float):
        return value
    if len(value) == 1:
        return value[0].value
    if not value:
        return math.nan
    return None


def _number(value: float) -> str:
    if math.isnan(value):
        return "no data"
    return f"{value:.4g}"


def counts_probes(rules: alert_rules.RuleFile, alerts: Iterable[alert_rules.Rule]) -> bool:
    """Whether some selector of the request counter also counts the probes."""
    probe = {
        "__name__": REQUESTS,
        "route": "/health/live",
        "code": "200",
        "method": "GET",
        "job": job_of(rules),
        "instance": INSTANCE,
    }
    for alert in alerts:
        if alert.expression is None:
            continue
        for selector in promql.selectors(alert.expression.root):
            if selector.name == REQUESTS and all(m.matches(probe) for m in selector.matchers):
                return True
    return False


# ---------------------------------------------------------------------------- the expectations


def _named(found: Sequence[Verdict]) -> str:
    # One name may be several rules (a page at one burn rate, another at the next): name it once.
    return ", ".join(dict.fromkeys(f"`{verdict.alert.name}`" for verdict in found))


def _not_evaluated(found: Sequence[Verdict]) -> list[str]:
    return [
        f"`{verdict.alert.name}` could not be evaluated: it {verdict.unsupported}"
        for verdict in found
        if verdict.unsupported
    ]


def fires_problems(
    rules: alert_rules.RuleFile, scenario: Scenario, severity: str, story: str
) -> list[str]:
    """In `scenario`, some alert of `severity` fires, and no page fires when a ticket is due."""
    found = verdicts(rules, scenario)
    wanted = [v for v in found if severity_of(v.alert) == severity]
    if not wanted:
        return [f"no alert has `severity: {severity}`"] + _not_evaluated(found)
    problems = []
    if not any(verdict.fired for verdict in wanted):
        reasons = [
            f"`{v.alert.name}`: {explain(v.alert, scenario, rules)}"
            for v in wanted
            if not v.unsupported
        ]
        problems.append(
            f"{story}, and nothing with `severity: {severity}` fired ("
            + " | ".join(reasons[:3])
            + ")"
        )
        if counts_probes(rules, [v.alert for v in wanted]):
            problems.append(
                "your selectors count the probes (/health/live, /health/ready) and /metrics too: "
                "they succeed every few seconds and dilute the error rate"
            )
        problems += _not_evaluated(wanted)
    if severity == "ticket":
        pages = [v for v in found if v.fired and severity_of(v.alert) == "page"]
        if pages:
            problems.append(
                f"{_named(pages)} paged for it too ({explain(pages[0].alert, scenario, rules)}); "
                "a slow leak is for working hours"
            )
    return problems


def quiet_problems(
    rules: alert_rules.RuleFile, scenario: Scenario, story: str, severities: Sequence[str]
) -> list[str]:
    """In `scenario`, no alert of the given severities fires."""
    fired = [v for v in verdicts(rules, scenario) if v.fired and severity_of(v.alert) in severities]
    return [
        f"{story}, and `{v.alert.name}` fired ({explain(v.alert, scenario, rules)})"
        + _hold_set_aside(v.alert, scenario)
        for v in fired
    ]


def ticket_window_problems(rules: alert_rules.RuleFile) -> list[str]:
    """A ticket compares both of its windows: it opens for no blip, and closes after a fix."""
    lasted, since = (
        f"{span.total_seconds() / 3600:.0f} hours"
        for span in (LEAK_FIXED.start - LEAK_FIXED.end, LEAK_FIXED.end)
    )
    after_the_fix = f"{since} after a leak of {LEAK_FIXED.server_errors:.0%} for {lasted} was fixed"
    after_a_blip = (
        f"after a {BLIP.start.total_seconds() / 60:.0f}-minute blip of "
        f"{BLIP.server_errors:.0%} failing"
    )
    return [
        *(
            f"{problem}; a ticket needs its short window (6 h) too, so that it closes once the "
            "leak is fixed"
            for problem in quiet_problems(rules, LEAK_FIXED_DAY, after_the_fix, ("ticket",))
        ),
        *(
            f"{problem}; a ticket needs its long window (3 days) too, so that a blip opens none"
            for problem in quiet_problems(rules, BLIP_NOW, after_a_blip, ("ticket",))
        ),
    ]


def _hold_set_aside(alert: alert_rules.Rule, scenario: Scenario) -> str:
    """Why an alert's `for:` did not keep it quiet, when the scenario judged it shorter."""
    if scenario.longest_hold is None or alert.for_seconds <= scenario.longest_hold.total_seconds():
        return ""
    return (
        f"; its `for: {_duration(alert.for_seconds)}` only delays that: the same failures "
        f"lasting {_duration(alert.for_seconds)} longer would page"
    )


def _duration(seconds: float) -> str:
    """Seconds as Prometheus writes a duration: 600 as 10m, 5400 as 1h30m."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds_left = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    parts.append(f"{seconds_left}s" if seconds_left or not any(parts) else "")
    return "".join(parts)
