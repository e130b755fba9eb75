"""What stage 08's exercises expect, in the order each is judged.

- 08.1: the learner's service counts and times its requests and serves them at `/metrics`
  (`src/booking_service/metrics.py`, called from `create_app()`), run in a child process on a
  throwaway copy of their project;
- 08.2: `burn_rate()` and `should_page()`, written in the notebook;
- 08.3: `monitoring/alerts.yaml`, the project's burn-rate alerts, judged by what they do over
  made-up days of traffic;
- 08.4: `docs/runbook.md`, with an entry for each alert of 08.3's rules, and no other;
- 08.5: `postmortem.md`, the postmortem of the backfill incident (if time allows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from onboarding import project
from onboarding.artefacts import alert_rules
from onboarding.artefacts.markdown import read_document
from onboarding.checks import (
    ArtefactError,
    CheckFailed,
    Expectation,
    Given,
    advised_by,
    require,
)
from onboarding.stages.monitoring import (
    alerting,
    instrumentation,
    paging,
    postmortem,
    runbook,
    service_probe,
)
from onboarding.stages.monitoring.instrumentation import Scrape

# --- 08.1: metrics in the learner's service ------------------------------------------------------


def scrape_of(given: Given) -> Scrape:
    """The learner's service, driven and scraped once per check run."""
    return given.once("scrape", service_probe.scrape_project)


def _scraped(problems: Callable[[Scrape], list[str]]) -> Callable[[Given], None]:
    return lambda given: require(problems(scrape_of(given)))


METRICS = (
    Expectation(
        "your service serves its metrics at GET /metrics, and still answers as before",
        _scraped(instrumentation.answer_problems),
        hint="Write instrument() in src/booking_service/metrics.py and call it from "
        "create_app() in main.py.",
        required=True,
    ),
    Expectation(
        "create_app() can build a second app in the same process (your tests build one each)",
        _scraped(instrumentation.second_app_problems),
        hint="Give each app its own CollectorRegistry, and create the metrics with "
        "registry=registry.",
    ),
    Expectation(
        "a counter `http_requests_total` with the labels method, route and code",
        _scraped(instrumentation.counter_problems),
        hint='Counter("http_requests", "…", ["method", "route", "code"], registry=registry)',
    ),
    Expectation(
        "a histogram `http_request_duration_seconds` by method and route, with a 0.3 s bucket",
        _scraped(instrumentation.histogram_problems),
        hint='Histogram(…, ["method", "route"], buckets=(…, 0.3, …), registry=registry)',
    ),
    Expectation(
        "the route label is the route template, never a raw path",
        _scraped(instrumentation.route_label_problems),
        hint="Read request.scope['route'].path after `await call_next(request)`.",
    ),
    Expectation(
        "each answered request is counted once, by method, route and status code",
        _scraped(instrumentation.count_problems),
        hint="Increment the counter once per request, with the response's status_code.",
    ),
    Expectation(
        "a request whose route raises is counted as a 500",
        _scraped(instrumentation.error_count_problems),
        hint="Start with code = 500 and count in a `finally:` block.",
    ),
    Expectation(
        "the histogram observes every request once, under its route",
        _scraped(instrumentation.histogram_count_problems),
        hint="Observe the duration in the same place you count the request.",
    ),
)

# --- 08.3: alert rules -------------------------------------------------------------------------


def rules_of(given: Given) -> alert_rules.RuleFile:
    """The project's rule file, read once; CheckFailed with what Prometheus would refuse."""
    return given.once("rules", lambda: alerting.read_rules(project.read(alerting.RULES_FILE)))


def spec_paths(given: Given) -> tuple[str, ...]:
    """The paths of the project's openapi.yaml: routes the service serves (none if unreadable)."""

    def read_paths() -> tuple[str, ...]:
        try:
            spec = project.load_yaml("openapi.yaml")
        except ArtefactError:
            return ()  # stage 02's checks say what is wrong with the spec
        paths = spec.get("paths") if isinstance(spec, dict) else None
        return tuple(str(path) for path in paths) if isinstance(paths, dict) else ()

    return given.once("spec paths", read_paths)


def _with_rules(problems: Callable[[alert_rules.RuleFile], list[str]]) -> Callable[[Given], None]:
    return lambda given: require(problems(rules_of(given)))


def _pages(scenario: alerting.Scenario, story: str) -> Callable[[Given], None]:
    return _with_rules(lambda rules: alerting.fires_problems(rules, scenario, "page", story))


def _quiet(scenario: alerting.Scenario, story: str, *severities: str) -> Callable[[Given], None]:
    return _with_rules(lambda rules: alerting.quiet_problems(rules, scenario, story, severities))


def _share(value: float) -> str:
    return f"{value * 100:g}%"


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return (
        f"{minutes // 60} hours" if minutes >= 120 and minutes % 60 == 0 else f"{minutes} minutes"
    )


FAST, STEADY, LEAK = alerting.FAST, alerting.STEADY, alerting.LEAK
FIXED, NIGHT = alerting.FIXED, alerting.NIGHT_BURST
NIGHT_REQUESTS = round(alerting.api_requests(alerting.QUIET_NIGHT, timedelta(hours=1)))
NIGHT_FAILED = round(NIGHT_REQUESTS * NIGHT.start.total_seconds() / 3600)
# Each day leaves one paging rule able to fire (the first two hold hours of successes before
# the last hour, the third too few requests in its last hour), so each rule's guard is judged on
# its own at its limit: one rule paging does not hide another whose guard could never hold.
GUARD_STORIES = (
    (
        alerting.GUARD_LIMIT,
        f"{paging.MIN_REQUESTS} requests in the hour, all failing",
    ),
    (
        alerting.GUARD_SPREAD,
        f"{paging.MIN_REQUESTS} requests in the hour, all failing, in {alerting.SPREAD_BURSTS} "
        f"bursts of {alerting.SPREAD_OVER_THE_HOUR} spread through it "
        f"({alerting.SPREAD_OVER_THE_HOUR} in the last 5 minutes)",
    ),
    (
        alerting.GUARD_OVER_6_HOURS,
        f"{paging.MIN_REQUESTS} requests in 6 hours, all failing, in {alerting.SPREAD_BURSTS} "
        f"bursts of {alerting.SPREAD_OVER_THE_HOUR} ({alerting.SPREAD_OVER_THE_HOUR} in the last "
        "hour: only the 6-hour rule can page)",
    ),
)
HOLD_TO_THE_SLI = "Select what the SLI counts: 5xx over all requests but the probes and /metrics."

ALERT_RULES = (
    Expectation(
        "monitoring/alerts.yaml is a Prometheus rule file: groups of rules, each `expr` valid "
        "PromQL",
        lambda given: rules_of(given),
        hint="`onboard begin 08` puts a skeleton there: `groups:`, a `name:`, then `rules:` "
        "with `- alert:`, `expr:`, `labels:` and `annotations:`.",
        required=True,
    ),
    Expectation(
        "every alert has `severity: page` or `ticket`, and a `runbook_url` annotation",
        _with_rules(alerting.labelling_problems),
        hint="Under `labels:` write `severity: page`; under `annotations:`, "
        "`runbook_url: docs/runbook.md#alerts`.",
    ),
    Expectation(
        "every selector of the service's metrics matches the series it serves",
        lambda given: require(alerting.selector_problems(rules_of(given), spec_paths(given))),
        hint='The counter is http_requests_total{job="bookings", method, route, code}, as '
        "08.1 serves it.",
    ),
    Expectation(
        "nothing fires on a normal day",
        _quiet(alerting.NORMAL_DAY, "on a normal day", *alerting.SEVERITIES),
        hint=f"Compare the error ratio with burn rate × (1 − SLO), such as {paging.FAST:g} * "
        f"{1 - paging.SLO:.3g}, not with the SLO itself.",
    ),
    Expectation(
        "409s and 422s fire nothing: they are the API answering correctly",
        _quiet(
            alerting.CLIENT_ERROR_DAY,
            "with 30% of requests answered 409 or 422",
            *alerting.SEVERITIES,
        ),
        hint='Count only server errors: code=~"5..".',
    ),
    Expectation(
        f"a fast burn pages: {_share(FAST.server_errors)} of requests failing for the last "
        f"{_minutes(FAST.start)}",
        _pages(
            alerting.FAST_BURN,
            f"{_share(FAST.server_errors)} of requests failed for {_minutes(FAST.start)}",
        ),
        hint=f"Page at {paging.FAST:g} × the budget over 1 h and 5 min. {HOLD_TO_THE_SLI}",
    ),
    Expectation(
        f"a steady burn pages: {_share(STEADY.server_errors)} failing for the last "
        f"{_minutes(STEADY.start)}",
        _pages(
            alerting.STEADY_BURN,
            f"{_share(STEADY.server_errors)} of requests failed for {_minutes(STEADY.start)}",
        ),
        hint=f"Page at {paging.MEDIUM:g} × the budget over 6 h and 30 min too.",
    ),
    Expectation(
        f"a slow leak opens a ticket and pages nobody: {_share(LEAK.server_errors)} failing "
        "for 3 days",
        # Each rule compares both of its windows: the ticket's 6 hours close it after a fix,
        # and its 3 days keep a blip from opening one.
        _with_rules(
            lambda rules: (
                alerting.fires_problems(
                    rules,
                    alerting.SLOW_LEAK,
                    "ticket",
                    f"{_share(LEAK.server_errors)} of requests failed for 3 days",
                )
                + alerting.ticket_window_problems(rules)
            )
        ),
        hint="Open a ticket (severity: ticket) at 1 × the budget over 3 days and 6 h.",
    ),
    Expectation(
        f"a 5-minute blip pages nobody: {_share(alerting.BLIP.server_errors)} of requests "
        "failing for 5 minutes",
        _quiet(alerting.BLIP_NOW, "after a 5-minute blip", "page"),
        hint="Each page needs its long window (1 h, 6 h) to burn fast too.",
    ),
    Expectation(
        f"10 minutes after a fix, nothing pages ({_share(FIXED.server_errors)} had failed for "
        f"{_minutes(FIXED.start - FIXED.end)})",
        _quiet(alerting.AFTER_THE_FIX, "10 minutes after the fix", "page"),
        hint="Each page needs its short window (5 min, 30 min) to burn fast too, so that it "
        "stops soon after the fix.",
    ),
    Expectation(
        f"a quiet night pages nobody: {NIGHT_FAILED} failed requests out of {NIGHT_REQUESTS} "
        "in the hour",
        _quiet(alerting.QUIET_NIGHT, f"with {NIGHT_REQUESTS} requests in the hour", "page"),
        hint=f"Page only with at least {paging.MIN_REQUESTS} requests in the long window: "
        f"`and sum(increase(…[1h])) >= {paging.MIN_REQUESTS}`, counting the SLI's requests only.",
    ),
    Expectation(
        f"exactly {paging.MIN_REQUESTS} requests are enough to page: in one burst, spread over "
        "the hour, or over 6 hours",
        _with_rules(
            lambda rules: [
                problem
                for scenario, story in GUARD_STORIES
                for problem in alerting.fires_problems(rules, scenario, "page", story)
            ]
        ),
        hint=f"Count the requests of each page's long window, `sum(increase(…[1h])) >= "
        f"{paging.MIN_REQUESTS}` and `…[6h]`; “at least {paging.MIN_REQUESTS}” includes "
        f"{paging.MIN_REQUESTS}: compare with >=, not >.",
    ),
)

# --- 08.4: the runbook ---------------------------------------------------------------------------


def runbook_of(given: Given) -> str:
    def read() -> str:
        text = project.read(runbook.FILE)
        if not text.strip():
            raise CheckFailed(f"{runbook.FILE} is empty")
        return text

    return given.once("runbook", read)


def runbook_rules(given: Given) -> alert_rules.RuleFile:
    """The alerts the runbook must cover; what Prometheus refuses is 08.3's to report."""

    def read() -> alert_rules.RuleFile:
        try:
            found = alert_rules.read(project.read(runbook.RULES_FILE), runbook.RULES_FILE)
        except ArtefactError as error:
            raise CheckFailed(f"{error} (exercise 08.3)") from None
        if not found.alerts:
            raise CheckFailed(f"{runbook.RULES_FILE} defines no alert yet (exercise 08.3)")
        return found

    return given.once("runbook rules", read)


def _against_rules(
    problems: Callable[[str, alert_rules.RuleFile], list[str]],
) -> Callable[[Given], None]:
    return lambda given: require(problems(runbook_of(given), runbook_rules(given)))


RUNBOOK = (
    Expectation(
        "docs/runbook.md exists, written from templates/runbook.md",
        runbook_of,
        hint="`onboard begin 08` puts the template there; edit it in your project's docs/.",
        required=True,
    ),
    Expectation(
        "the template's six sections are there, filled in, with its guidance deleted",
        lambda given: require(runbook.heading_problems(runbook_of(given))),
        hint="Keep the six `## ` sections; replace each [placeholder], delete the `>` guidance "
        "and the collapsed examples.",
    ),
    Expectation(
        "every alert of monitoring/alerts.yaml has an entry under `## Alerts`",
        _against_rules(runbook.missing_entry_problems),
        hint="One row per alert in the `## Alerts` table, its first cell the alert's name.",
    ),
    Expectation(
        "every entry under `## Alerts` is an alert of monitoring/alerts.yaml",
        _against_rules(runbook.extra_entry_problems),
        hint="Remove the entries of alerts that do not exist, or write those alerts.",
    ),
    Expectation(
        "each entry gives its alert's severity",
        _against_rules(runbook.severity_problems),
        hint="Copy the `severity` label of each rule: page or ticket.",
    ),
    Expectation(
        "each entry says what the alert means and what to do first",
        lambda given: require(runbook.action_problems(runbook_of(given))),
        hint="Someone woken at 03:00 reads it: short, numbered steps they can follow.",
    ),
)

# --- 08.5: the postmortem ------------------------------------------------------------------------


def postmortem_of(given: Given) -> str:
    return given.once("postmortem", lambda: read_document(postmortem.FILE))


def _postmortem(problems: Callable[[str], list[str]]) -> Callable[[Given], None]:
    return lambda given: require(problems(postmortem_of(given)))


POSTMORTEM = (
    Expectation(
        "postmortem.md exists and has text",
        postmortem_of,
        hint="Run the %%writefile postmortem.md cell above.",
        required=True,
    ),
    Expectation(
        "the template's nine `## ` headings are there, once each",
        advised_by(postmortem.heading_problems, postmortem.heading_advice, postmortem_of),
        hint="Copy the headings from templates/postmortem.md; add your own sections as you need.",
    ),
    Expectation(
        "no section is empty or left as a placeholder",
        _postmortem(postmortem.placeholder_problems),
        hint="Replace every [bracketed placeholder]; a section with nothing to say says None.",
    ),
    Expectation(
        "the timeline has five or more timed entries, in order, with a time zone",
        _postmortem(postmortem.timeline_problems),
        hint="One table row per event: | 10:02 | what happened |, under a Time (UTC) header.",
    ),
    Expectation(
        "three or more action items, each with one owner and a due date",
        _postmortem(postmortem.action_item_problems),
        hint="Name one person or role per action, and a date such as 2030-03-11.",
    ),
    Expectation(
        "the wording is blameless",
        _postmortem(postmortem.blame_problems),
        hint="Say what the system allowed: “the backfill ran in one transaction”, not "
        "“Jordan forgot” or “the DBA forgot”.",
    ),
)

EXERCISES = {
    "08.1": METRICS,
    "08.2": paging.EXPECTATIONS,
    "08.3": ALERT_RULES,
    "08.4": RUNBOOK,
    "08.5": POSTMORTEM,
}
