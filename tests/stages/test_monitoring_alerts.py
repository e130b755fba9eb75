"""Exercise 08.3: alert rules judged by what they do; right ones written many ways pass.

Each test writes a rule file into a learner's project and runs 08.3's expectations on it, as the
check cell does.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from onboarding import generator, numbers
from onboarding.artefacts import alert_rules, promql
from onboarding.checks import Given, run_expectations
from onboarding.protocol import Outcome
from onboarding.stages.monitoring import alerting
from onboarding.stages.monitoring.checks import EXERCISES
from tests.conftest import COURSE_ROOT

MODEL_PATH = COURSE_ROOT / "project" / "stage_08" / "monitoring" / "alerts.yaml"
MODEL = generator.model_of(MODEL_PATH.read_text(encoding="utf-8"), "alerts.yaml")
SLI = 'job="bookings",route!~"/health/.+|/metrics"'
TEXTS = [expectation.text for expectation in EXERCISES["08.3"]]


def outcomes(text: str | None, workspace, monkeypatch) -> dict[str, Outcome]:
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    if text is not None:
        path = workspace / "service" / "monitoring" / "alerts.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = run_expectations("08.3", EXERCISES["08.3"], Given(), echo=False)
    return {outcome.text: outcome for outcome in result.outcomes}


def failing(text, workspace, monkeypatch) -> dict[str, str]:
    return {
        name: outcome.found
        for name, outcome in outcomes(text, workspace, monkeypatch).items()
        if not outcome.passed
    }


def expectation(start: str) -> str:
    return next(text for text in TEXTS if text.startswith(start))


def ratio(window: str, errors: str = 'code=~"5.."', selector: str = SLI) -> str:
    return (
        f"(sum(rate(http_requests_total{{{selector},{errors}}}[{window}]))"
        f" / sum(rate(http_requests_total{{{selector}}}[{window}])))"
    )


def alert(name: str, expr: str, severity: str = "page", extra: str = "") -> str:
    indented = "\n".join("          " + line for line in expr.strip().splitlines())
    return (
        f"      - alert: {name}\n        expr: |\n{indented}\n{extra}"
        f"        labels:\n          severity: {severity}\n"
        f"        annotations:\n          runbook_url: docs/runbook.md#alerts\n"
    )


def burn(name, rate, long, short, severity="page", guard=True, selector=SLI, errors=None):
    parts = [
        f"{ratio(long, selector=selector, **({'errors': errors} if errors else {}))} > "
        f"({rate} * 0.005)",
        f"{ratio(short, selector=selector, **({'errors': errors} if errors else {}))} > "
        f"({rate} * 0.005)",
    ]
    if guard:
        parts.append(f"sum(increase(http_requests_total{{{selector}}}[{long}])) >= 50")
    return alert(name, "\nand\n".join(parts), severity)


def rule_file(*rules: str) -> str:
    return "groups:\n  - name: slo\n    rules:\n" + "".join(rules)


def three_rules(**changes) -> str:
    return rule_file(
        burn("FastBurn", 14.4, "1h", "5m", **changes),
        burn("MediumBurn", 6, "6h", "30m", **changes),
        burn(
            "SlowBurn",
            1,
            "3d",
            "6h",
            severity="ticket",
            guard=False,
            **{k: v for k, v in changes.items() if k != "guard"},
        ),
    )


# --- right answers ----------------------------------------------------------------------------


def test_the_model_rules_pass_every_expectation(tmp_path, monkeypatch):
    assert failing(MODEL, tmp_path, monkeypatch) == {}


def test_the_same_rules_written_by_hand_pass(tmp_path, monkeypatch):
    assert failing(three_rules(), tmp_path, monkeypatch) == {}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("expr: |", "expr: >"),
        ("expr: |", "expr: |-"),
        ("severity: page", 'severity: "page"'),
        ("severity: ticket", "severity: 'ticket'"),
        ("labels:\n          severity: page", "labels: {severity: page}"),
        ("for: 3m", "for: 180s"),
        ("for: 3m", "for: 3m\n        keep_firing_for: 5m"),
        ("docs/runbook.md#alerts", "docs/runbook.md#BookingsFastBurn"),
        # PromQL has comments, and a block scalar keeps them on their own lines.
        (
            "          and\n          sum(",
            "          and\n          # enough traffic\n          sum(",
        ),
    ],
    ids=[
        "folded-expr",
        "stripped-expr",
        "double-quoted-severity",
        "single-quoted-severity",
        "flow-labels",
        "for-in-seconds",
        "keep-firing-for",
        "runbook-anchor-case",
        "promql-comment",
    ],
)
def test_the_model_written_in_other_yaml_and_promql_styles_passes(old, new, tmp_path, monkeypatch):
    assert old in MODEL
    assert failing(MODEL.replace(old, new), tmp_path, monkeypatch) == {}


GUARD = f"sum(increase(http_requests_total{{{SLI}}}[1h])) >= 50"


def guards_as(rewrite) -> str:
    """The three rules with both paging guards, and the `and` before each, rewritten."""
    rules = three_rules()
    for guard in (GUARD, GUARD.replace("[1h]", "[6h]")):
        assert rules.count("and\n          " + guard) == 1
        rules = rules.replace("and\n          " + guard, rewrite(guard))
    return rules


@pytest.mark.parametrize(
    "rules",
    [
        rule_file(
            alert(
                "FastBurn",
                f"(14.4 * 0.005) < {ratio('1h')}\nand (14.4 * 0.005) < {ratio('5m')}\n"
                f"and 50 <= sum(increase(http_requests_total{{{SLI}}}[1h]))",
            ),
            burn("MediumBurn", 6, "6h", "30m"),
            burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
        ),
        three_rules().replace("]))", "])) by (job)"),
        three_rules().replace('code=~"5.."', 'code=~"^5..$"'),
        three_rules().replace('code=~"5.."', 'code=~"5\\\\d\\\\d"'),
        three_rules().replace('code=~"5.."', "code=~`5[0-9][0-9]`"),
        three_rules().replace('code=~"5.."', 'code!~"[1-4].."'),
        three_rules().replace(
            'route!~"/health/.+|/metrics"', 'route!~"/health/.*",route!="/metrics"'
        ),
        three_rules().replace("* 0.005)", "* (1 - 0.995))"),
        three_rules()
        .replace(" > (14.4 * 0.005)", " / 0.005 > 14.4")
        .replace(" > (6 * 0.005)", " / (1 - 0.995) > 6"),
        three_rules().replace("(14.4 * 0.005)", "7.2e-2").replace("(6 * 0.005)", "3 / 100"),
        three_rules().replace(
            GUARD, GUARD.replace("increase(", "rate(").replace(">=", "* 3600 >=")
        ),
        three_rules().replace(
            "and\n          " + GUARD, "unless\n          " + GUARD.replace(">=", "<")
        ),
        three_rules().replace(GUARD, GUARD.replace("[1h]", "[60m]").replace(">= 50", "> 49")),
        three_rules().replace(
            GUARD, GUARD.replace("increase(", "rate(").replace("50", "50 / 3600")
        ),
        three_rules().replace(
            GUARD, GUARD.replace("increase(", "rate(").replace(">=", "* 60 * 60 >=")
        ),
        three_rules().replace(
            GUARD.replace("[1h]", "[6h]"),
            GUARD.replace("increase(", "rate(")
            .replace("[1h]", "[6h]")
            .replace(">=", "* 6 * 60 * 60 >="),
        ),
        three_rules().replace(
            GUARD.replace("[1h]", "[6h]"),
            GUARD.replace("[1h]", "[360m]").replace(">= 50", "> 49"),
        ),
        three_rules().replace(
            " / sum(rate(http_requests_total{", " / sum(rate(http_request_duration_seconds_count{"
        ),
        three_rules().replace("rate(", "increase("),
        three_rules().replace("[3d]", "[72h]").replace("[6h]", "[360m]"),
        three_rules().replace("\n          and\n", "\n          and on()\n"),
        three_rules().replace("> (", ">= ("),
        three_rules().replace(" > (14.4 * 0.005)", " * 100 > 7.2"),
        three_rules().replace("sum(", "sum without (method, route, code) ("),
        rule_file(
            alert(
                "FastBurn",
                f"{GUARD}\nand {ratio('1h')} > (14.4 * 0.005)\nand {ratio('5m')} > (14.4 * 0.005)",
            ),
            burn("MediumBurn", 6, "6h", "30m"),
            burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
        ),
        rule_file(
            burn("FastBurn", 14.4, "1h", "5m"),
            burn("MediumBurn", 6, "6h", "30m"),
            burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=True),
        ),
        three_rules().replace(
            "        labels:\n          severity: ticket",
            "        for: 1h\n        labels:\n          severity: ticket",
        ),
        guards_as(lambda guard: "and on()\n          " + guard.replace("sum(", "sum by (job) (")),
        guards_as(
            lambda guard: (
                "and on()\n          "
                + guard.replace("sum(", "sum without (method, route, code, instance) (")
            )
        ),
    ],
    ids=[
        "threshold-on-the-left",
        "sum-then-by",
        "anchored-regex",
        "escaped-digits",
        "raw-string-and-class",
        "not-1xx-to-4xx",
        "two-route-matchers",
        "budget-as-1-minus-slo",
        "burn-rate-compared",
        "thresholds-as-numbers",
        "guard-as-rate-times-3600",
        "guard-with-unless",
        "guard-over-60m-above-49",
        "guard-as-a-rate-against-50-an-hour",
        "guard-as-rate-times-60-times-60",
        "medium-guard-as-rate-times-6-times-60-times-60",
        "medium-guard-over-360m-above-49",
        "histogram-count-as-all-requests",
        "increase-for-the-ratio",
        "windows-in-hours-and-minutes",
        "and-on-nothing",
        "at-or-above-the-threshold",
        "ratio-as-a-percentage",
        "sum-without",
        "guard-first",
        "a-guarded-ticket",
        "a-ticket-held-for-an-hour",
        "guards-by-job-and-on-nothing",
        "guards-summed-without-labels-and-on-nothing",
    ],
)
def test_other_promql_spellings_of_the_same_rules_pass(rules, tmp_path, monkeypatch):
    assert rules != three_rules()
    assert failing(rules, tmp_path, monkeypatch) == {}


def with_anchors(rules: str) -> str:
    """The rules with the first alert's labels and annotations anchored, and the others
    reusing them as YAML allows: an alias, and a merge key whose own keys win."""
    labels = "        labels:\n          severity: page\n"
    annotations = "        annotations:\n          runbook_url: docs/runbook.md#alerts\n"
    first, rest = rules.split(labels + annotations, 1)
    rest = rest.replace(labels, "        labels: *page\n").replace(
        "          severity: ticket\n", "          <<: *page\n          severity: ticket\n"
    )
    rest = rest.replace(
        annotations, "        annotations:\n          <<: *runbook\n          summary: burning\n"
    )
    return (
        first
        + "        labels: &page\n          severity: page\n"
        + "        annotations: &runbook\n          runbook_url: docs/runbook.md#alerts\n"
        + rest
    )


def test_each_alert_in_a_group_of_its_own_passes(tmp_path, monkeypatch):
    rules = (
        three_rules()
        .replace(
            "      - alert: MediumBurn", "  - name: medium\n    rules:\n      - alert: MediumBurn"
        )
        .replace("      - alert: SlowBurn", "  - name: slow\n    rules:\n      - alert: SlowBurn")
    )
    assert rules.count("- name:") == 3
    assert failing(rules, tmp_path, monkeypatch) == {}


def test_rules_sharing_labels_through_yaml_anchors_and_merge_keys_pass(tmp_path, monkeypatch):
    rules = with_anchors(three_rules())
    assert "<<: *page" in rules and "labels: *page" in rules and "<<: *runbook" in rules
    assert failing(rules, tmp_path, monkeypatch) == {}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("for: 3m", "for: 180", "is `180`, not a duration"),
        ("severity: page", 'severity: "critical"', "has severity `critical`"),
        ('runbook_url: "docs/runbook.md#alerts"', 'runbook_url: ""', "no `runbook_url`"),
    ],
    ids=["for-without-unit", "other-severity", "empty-runbook-url"],
)
def test_those_styles_do_not_hide_a_mistake(old, new, message, tmp_path, monkeypatch):
    found = failing(MODEL.replace(old, new, 1), tmp_path, monkeypatch)
    assert any(message in text for text in found.values()), found


def labelling_of(runbook_line: str) -> list[str]:
    """08.3's labelling problems of the three rules, the first with `runbook_line` instead of
    its `runbook_url: docs/runbook.md#alerts`."""
    line = "          runbook_url: docs/runbook.md#alerts\n"
    text = three_rules().replace(line, f"          {runbook_line}\n", 1)
    assert text != three_rules() or runbook_line == line.strip()
    return alerting.labelling_problems(alert_rules.read(text, alerting.RULES_FILE))


@pytest.mark.parametrize(
    "runbook_line",
    [
        "runbook_url: docs/runbook.md#alerts",
        "runbook_url: docs/runbook.md",
        "runbook_url: ./docs/runbook.md#fastburn",
        "runbook_url: ../docs/runbook.md#fastburn",
        "runbook_url: https://github.com/acme/bookings/blob/main/docs/runbook.md#fastburn",
        "runbook_url: https://git.example.com/bookings/-/blob/main/docs/runbook.md",
        'runbook_url: "docs/runbook.md#{{ $labels.alertname | toLower }}"',
        "runbook_url: 'https://github.com/acme/bookings/blob/main/docs/runbook.md#{{ "
        "$labels.alertname }}'",
        "runbook: docs/runbook.md#alerts",
        "runbook_url: https://github.com/acme/bookings/blob/main/docs/runbook.md?plain=1#L10",
    ],
    ids=[
        "model",
        "no-anchor",
        "dot-slash",
        "from-the-rules-folder",
        "github",
        "gitlab",
        "anchor-from-a-template",
        "url-with-a-template",
        "runbook-annotation",
        "query-and-line",
    ],
)
def test_a_runbook_url_pointing_at_the_runbook_passes(runbook_line):
    assert labelling_of(runbook_line) == []


@pytest.mark.parametrize(
    ("runbook_line", "message"),
    [
        ('runbook_url: ""', "`FastBurn` has no `runbook_url` annotation"),
        ("runbook_url: TODO", "`FastBurn`'s runbook_url is `TODO`, a placeholder"),
        ("runbook_url: docs/runbook.md#TODO", "a placeholder"),
        ("runbook_url: <link to the runbook entry>", "a placeholder"),
        ("runbook_url: '[runbook]'", "a placeholder"),
        (
            "runbook_url: https://wiki.example.com/bookings/alerts",
            "does not point at docs/runbook.md",
        ),
        ("runbook_url: docs/postmortem.md#alerts", "does not point at docs/runbook.md"),
        ("runbook_url: runbook", "does not point at docs/runbook.md"),
        ("runbook_url: docs/runbook.md.bak", "does not point at docs/runbook.md"),
        ("runbook_url: docs/my-runbook.md", "does not point at docs/runbook.md"),
        ('runbook_url: "{{ $labels.runbook }}"', "does not point at docs/runbook.md"),
    ],
    ids=[
        "empty",
        "todo",
        "todo-anchor",
        "angle-brackets",
        "square-brackets",
        "a-wiki",
        "another-document",
        "a-word",
        "another-file",
        "a-file-named-alike",
        "only-a-template",
    ],
)
def test_a_runbook_url_that_does_not_point_at_the_runbook_is_named(runbook_line, message):
    (problem,) = labelling_of(runbook_line)
    assert message in problem
    assert "docs/runbook.md" in problem


def test_a_placeholder_runbook_url_fails_the_check(tmp_path, monkeypatch):
    found = failing(
        three_rules().replace("runbook_url: docs/runbook.md#alerts", "runbook_url: TODO", 1),
        tmp_path,
        monkeypatch,
    )
    assert list(found) == [expectation("every alert has `severity: page` or `ticket`")], found


def test_one_alert_name_for_each_burn_rate_passes(tmp_path, monkeypatch):
    """Prometheus' usual pattern: one alert name, a rule per window pair, each with its severity."""
    rules = rule_file(
        burn("ErrorBudgetBurn", 14.4, "1h", "5m"),
        burn("ErrorBudgetBurn", 6, "6h", "30m"),
        burn("ErrorBudgetBurn", 1, "3d", "6h", severity="ticket", guard=False),
    )
    assert failing(rules, tmp_path, monkeypatch) == {}


def test_one_alert_name_paging_for_a_slow_leak_is_named_once(tmp_path, monkeypatch):
    rules = rule_file(
        burn("ErrorBudgetBurn", 14.4, "1h", "5m"),
        burn("ErrorBudgetBurn", 1, "3d", "6h", severity="page", guard=False),
        burn("ErrorBudgetBurn", 1, "3d", "6h", severity="ticket", guard=False),
    )
    found = failing(rules, tmp_path, monkeypatch)
    assert "`ErrorBudgetBurn` paged for it too" in found[expectation("a slow leak opens a ticket")]


RECORDED = """\
groups:
  - name: slo-recordings
    rules:
      - record: job:slo_errors_per_request:ratio_rate5m
        expr: |
          sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics",code=~"5.."}[5m]))
          / sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics"}[5m]))
      - record: job:slo_errors_per_request:ratio_rate1h
        expr: |
          sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics",code=~"5.."}[1h]))
          / sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics"}[1h]))
      - record: job:slo_errors_per_request:ratio_rate30m
        expr: |
          sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics",code=~"5.."}[30m]))
          / sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics"}[30m]))
      - record: job:slo_errors_per_request:ratio_rate6h
        expr: |
          sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics",code=~"5.."}[6h]))
          / sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics"}[6h]))
      - record: job:slo_errors_per_request:ratio_rate3d
        expr: |
          sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics",code=~"5.."}[3d]))
          / sum by (job) (rate(http_requests_total{route!~"/health/.+|/metrics"}[3d]))
      - record: job:slo_requests:increase1h
        expr: sum by (job) (increase(http_requests_total{route!~"/health/.+|/metrics"}[1h]))
      - record: job:slo_requests:increase6h
        expr: sum by (job) (increase(http_requests_total{route!~"/health/.+|/metrics"}[6h]))
  - name: slo-alerts
    rules:
      - alert: BookingApiErrorBudgetBurn
        expr: |
          job:slo_errors_per_request:ratio_rate1h > (14.4 * 0.005)
          and job:slo_errors_per_request:ratio_rate5m > (14.4 * 0.005)
          and job:slo_requests:increase1h >= 50
          or
          job:slo_errors_per_request:ratio_rate6h > (6 * 0.005)
          and job:slo_errors_per_request:ratio_rate30m > (6 * 0.005)
          and job:slo_requests:increase6h >= 50
        for: 2m
        labels:
          severity: page
        annotations:
          runbook_url: https://git.example.com/bookings/-/blob/main/docs/runbook.md#alerts
      - alert: BookingApiErrorBudgetLeak
        expr: |
          job:slo_errors_per_request:ratio_rate3d > 0.005
          and job:slo_errors_per_request:ratio_rate6h > 0.005
        labels:
          severity: ticket
        annotations:
          runbook: docs/runbook.md
"""


def test_recording_rules_and_one_alert_for_both_pages_pass(tmp_path, monkeypatch):
    assert failing(RECORDED, tmp_path, monkeypatch) == {}


OTHER_STYLE = """\
groups:
  - name: booking-service
    rules:
      - alert: AvailabilityFastBurn
        expr: |
          1 - (
            sum by (job) (rate(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[1h]))
            / sum by (job) (rate(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[1h]))
          ) > 0.072
          and on (job)
          1 - (
            sum by (job) (rate(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[5m]))
            / sum by (job) (rate(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[5m]))
          ) > 0.072
          and on (job)
          sum by (job) (rate(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[1h])) * 3600 > 49
        labels: {severity: page}
        annotations: {runbook_url: docs/runbook.md#availabilityfastburn}
      - alert: AvailabilitySixHourBurn
        expr: |
          1 - (sum(increase(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[6h]))
               / sum(increase(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[6h]))) > 0.03
          and
          1 - (sum(increase(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[30m]))
               / sum(increase(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[30m]))) > 0.03
          and
          sum(increase(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[6h])) >= 50
        labels: {severity: Page}
        annotations: {runbook_url: docs/runbook.md#availabilitysixhourburn}
      - alert: AvailabilitySlowBurn
        expr: |
          1 - (sum(increase(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[3d]))
               / sum(increase(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[3d]))) > 0.005
          and
          1 - (sum(increase(http_requests_total{job="booking-service",code!~"5..",route!~"/health/.*|/metrics"}[6h]))
               / sum(increase(http_requests_total{job="booking-service",route!~"/health/.*|/metrics"}[6h]))) > 0.005
        labels: {severity: ticket}
        annotations: {runbook_url: docs/runbook.md#availabilityslowburn}
      - alert: BookingLatencyHigh
        expr: |
          histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="booking-service",route="/rooms/{room_id}/bookings",method="POST"}[30m]))) > 0.3
        for: 15m
        labels: {severity: page}
        annotations: {runbook_url: docs/runbook.md#bookinglatencyhigh}
      - alert: BookingServiceAbsent
        expr: absent(up{job="booking-service"} == 1)
        for: 3m
        labels: {severity: page}
        annotations: {runbook_url: docs/runbook.md#bookingserviceabsent}
"""


def test_another_style_with_other_names_a_job_of_its_own_and_more_alerts_passes(
    tmp_path, monkeypatch
):
    assert failing(OTHER_STYLE, tmp_path, monkeypatch) == {}


def test_an_slo_on_booking_a_room_alone_passes(tmp_path, monkeypatch):
    route = 'job="bookings",route="/rooms/{room_id}/bookings",method="POST"'
    assert failing(three_rules(selector=route), tmp_path, monkeypatch) == {}


def test_rules_without_a_job_matcher_pass(tmp_path, monkeypatch):
    assert failing(MODEL.replace('job="bookings",', ""), tmp_path, monkeypatch) == {}


def recording(name: str, expr: str, labels: str = "") -> str:
    """A recording rule, with `labels:` written inline (`{slo: availability}`) when given."""
    return f"      - record: {name}\n        expr: {expr}\n" + (
        f"        labels: {labels}\n" if labels else ""
    )


def ratio_inline(window: str) -> str:
    return ratio(window).replace("\n", " ")


# Recording rules whose `labels:` mark the series they record, and alerts that select by them.
LABELLED_RECORDINGS = rule_file(
    *(
        recording(f"slo:error_ratio:rate{window}", ratio_inline(window), "{slo: availability}")
        for window in ("5m", "30m", "1h", "6h", "3d")
    ),
    *(
        recording(
            f"slo:requests:increase{window}",
            f"sum(increase(http_requests_total{{{SLI}}}[{window}]))",
            "{slo: availability}",
        )
        for window in ("1h", "6h")
    ),
    alert(
        "FastBurn",
        'slo:error_ratio:rate1h{slo="availability"} > 14.4 * 0.005\n'
        'and slo:error_ratio:rate5m{slo="availability"} > 14.4 * 0.005\n'
        'and slo:requests:increase1h{slo="availability"} >= 50',
    ),
    alert(
        "MediumBurn",
        'slo:error_ratio:rate6h{slo="availability"} > 6 * 0.005\n'
        'and slo:error_ratio:rate30m{slo="availability"} > 6 * 0.005\n'
        'and slo:requests:increase6h{slo="availability"} >= 50',
    ),
    alert(
        "SlowBurn",
        'slo:error_ratio:rate3d{slo="availability"} > 0.005\n'
        'and slo:error_ratio:rate6h{slo="availability"} > 0.005',
        severity="ticket",
    ),
)

# One recorded metric per quantity, its windows told apart by a `window` label, as Prometheus
# allows: several rules may record the same name with different labels.
ONE_NAME_PER_QUANTITY = rule_file(
    *(
        recording("slo:error_ratio", ratio_inline(window), f"{{window: {window}}}")
        for window in ("5m", "30m", "1h", "6h", "3d")
    ),
    *(
        recording(
            "slo:requests",
            f"sum(increase(http_requests_total{{{SLI}}}[{window}]))",
            f"{{window: {window}}}",
        )
        for window in ("1h", "6h")
    ),
    alert(
        "FastBurn",
        'slo:error_ratio{window="1h"} > 14.4 * 0.005\n'
        'and ignoring (window) slo:error_ratio{window="5m"} > 14.4 * 0.005\n'
        'and ignoring (window) slo:requests{window="1h"} >= 50',
    ),
    alert(
        "MediumBurn",
        'slo:error_ratio{window="6h"} > 6 * 0.005\n'
        'and ignoring (window) slo:error_ratio{window="30m"} > 6 * 0.005\n'
        'and ignoring (window) slo:requests{window="6h"} >= 50',
    ),
    alert(
        "SlowBurn",
        'slo:error_ratio{window="3d"} > 0.005\n'
        'and ignoring (window) slo:error_ratio{window="6h"} > 0.005',
        severity="ticket",
    ),
)


def severity_from_the_group(rules: str) -> str:
    """The same rules in two groups, each giving its alerts' severity in the group's `labels:`."""
    pages, ticket = rules.split("      - alert: SlowBurn")
    without_severity = "        labels:\n          severity: page\n"
    return (
        pages.replace(
            "  - name: slo\n", "  - name: pages\n    labels:\n      severity: page\n"
        ).replace(without_severity, "")
        + "  - name: tickets\n    labels:\n      severity: ticket\n    rules:\n"
        + ("      - alert: SlowBurn" + ticket).replace(
            "        labels:\n          severity: ticket\n", ""
        )
    )


@pytest.mark.parametrize(
    "rules",
    [LABELLED_RECORDINGS, ONE_NAME_PER_QUANTITY, severity_from_the_group(three_rules())],
    ids=["recording-rules-with-labels", "one-recorded-name-per-quantity", "severity-from-group"],
)
def test_labels_from_recording_rules_and_groups_count_as_prometheus_adds_them(
    rules, tmp_path, monkeypatch
):
    """Prometheus adds a recording rule's `labels:` to what it records, and a group's `labels:`
    to each of its rules: rules that select or label by them are right."""
    assert failing(rules, tmp_path, monkeypatch) == {}


# --- wrong answers -----------------------------------------------------------------------------


def test_the_unsolved_skeleton_fails_on_its_todo(tmp_path, monkeypatch):
    skeleton = generator.stub_for(
        MODEL_PATH.read_text(encoding="utf-8"), None, "alerts.yaml", artefact=True
    )
    found = failing(skeleton, tmp_path, monkeypatch)
    assert "is still TODO" in found[TEXTS[0]]
    assert set(found) == set(TEXTS)


def test_a_missing_file_says_where_to_create_it(tmp_path, monkeypatch):
    found = failing(None, tmp_path, monkeypatch)
    assert found[TEXTS[0]] == (
        "alerts.yaml does not exist yet — create it in your project folder, service/monitoring/ "
        "in your workspace"
    )
    assert all(reason.startswith("not checked until") for reason in list(found.values())[1:])


def test_yaml_that_does_not_parse_is_one_line_with_its_place(tmp_path, monkeypatch):
    found = failing("groups:\n  - name: [\n", tmp_path, monkeypatch)
    assert found[TEXTS[0]].startswith("monitoring/alerts.yaml is not valid YAML: line 3, column")


def test_promql_that_does_not_parse_is_named_with_its_rule(tmp_path, monkeypatch):
    broken = MODEL.replace("> (14.4 * 0.005)\n          and", "> (14.4 * 0.005\n          and", 1)
    found = failing(broken, tmp_path, monkeypatch)
    assert "the `expr` of alert `BookingsFastBurn` is not valid PromQL" in found[TEXTS[0]]


def fast_guard_as(guard: str) -> str:
    """The three rules with only the fast rule's traffic guard replaced by `guard`."""
    fast, rest = three_rules().split("      - alert: MediumBurn", 1)
    assert GUARD in fast
    return fast.replace(GUARD, guard) + "      - alert: MediumBurn" + rest


MEDIUM_GUARD = GUARD.replace("[1h]", "[6h]")


def medium_guard_as(guard: str) -> str:
    """The three rules with only the 6-hour rule's traffic guard replaced by `guard`."""
    assert three_rules().count(MEDIUM_GUARD) == 1
    return three_rules().replace(MEDIUM_GUARD, guard)


@pytest.mark.parametrize(
    ("rules", "expected", "message"),
    [
        (
            three_rules(selector='job="bookings"'),
            "a fast burn pages",
            "your selectors count the probes (/health/live, /health/ready) and /metrics too",
        ),
        (
            # PromQL anchors a regex at both ends: `/health` is not `/health/live`.
            three_rules().replace('route!~"/health/.+|/metrics"', 'route!~"/health|/metrics"'),
            "a fast burn pages",
            "your selectors count the probes (/health/live, /health/ready) and /metrics too",
        ),
        (
            # A ratio as a percentage compared with the threshold as a fraction.
            three_rules().replace(" > (14.4 * 0.005)", " * 100 > 0.072"),
            "a 5-minute blip pages nobody",
            "after a 5-minute blip, and `FastBurn` fired",
        ),
        (
            three_rules(errors='code=~"[45].."'),
            "409s and 422s fire nothing",
            "with 30% of requests answered 409 or 422, and `FastBurn` fired",
        ),
        (
            rule_file(
                alert("FastBurn", f"{ratio('1h')} > (14.4 * 0.005)"),
                burn("MediumBurn", 6, "6h", "30m"),
                burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
            ),
            "10 minutes after a fix",
            "10 minutes after the fix, and `FastBurn` fired",
        ),
        (
            rule_file(
                alert("FastBurn", f"{ratio('5m')} > (14.4 * 0.005)"),
                burn("MediumBurn", 6, "6h", "30m"),
                burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
            ),
            "a 5-minute blip pages nobody",
            "after a 5-minute blip, and `FastBurn` fired",
        ),
        (
            # The ticket without its short window stays open for days after the leak is fixed.
            rule_file(
                burn("FastBurn", 14.4, "1h", "5m"),
                burn("MediumBurn", 6, "6h", "30m"),
                alert("SlowBurn", f"{ratio('3d')} > (1 * 0.005)", severity="ticket"),
            ),
            "a slow leak opens a ticket",
            "7 hours after a leak of 1% for 65 hours was fixed, and `SlowBurn` fired "
            "(`(sum(rate(http_requests_total",
        ),
        (
            # The ticket without its long window opens for a blip.
            rule_file(
                burn("FastBurn", 14.4, "1h", "5m"),
                burn("MediumBurn", 6, "6h", "30m"),
                alert("SlowBurn", f"{ratio('6h')} > (1 * 0.005)", severity="ticket"),
            ),
            "a slow leak opens a ticket",
            "after a 5-minute blip of 50% failing, and `SlowBurn` fired",
        ),
        (
            three_rules(guard=False),
            "a quiet night pages nobody",
            "with 36 requests in the hour, and `FastBurn` fired",
        ),
        (
            three_rules().replace(">= 50", "> 50"),
            "exactly 50 requests are enough to page",
            "50 requests in the hour, all failing, and nothing with `severity: page` fired",
        ),
        (
            # Only the fast rule's guard is wrong: the 6-hour rule must not page in its place.
            fast_guard_as(GUARD.replace(">= 50", "> 50")),
            "exactly 50 requests are enough to page",
            "50 requests in the hour, all failing, and nothing with `severity: page` fired",
        ),
        (
            fast_guard_as(GUARD.replace("[1h]", "[5m]")),
            "exactly 50 requests are enough to page",
            "50 requests in the hour, all failing, in 5 bursts of 10 spread through it (10 in the "
            "last 5 minutes), and nothing with `severity: page` fired",
        ),
        (
            fast_guard_as(GUARD.replace("increase(", "rate(")),
            "exactly 50 requests are enough to page",
            "does not hold (0.01389 >= 50)",
        ),
        *(
            (
                medium_guard_as(guard),
                "exactly 50 requests are enough to page",
                "50 requests in 6 hours, all failing, in 5 bursts of 10 (10 in the last hour: "
                "only the 6-hour rule can page), and nothing with `severity: page` fired",
            )
            for guard in (
                MEDIUM_GUARD.replace(">= 50", "> 50"),
                MEDIUM_GUARD.replace("[6h]", "[30m]"),
                MEDIUM_GUARD.replace("increase(", "rate("),
            )
        ),
        *(
            (
                guards_as(rewrite),
                "exactly 50 requests are enough to page",
                "and nothing with `severity: page` fired",
            )
            for rewrite in (
                # Without `sum`, a guard counts each series apart: the 50 requests of a burst,
                # half 500 and half 503, are never 50 in one series.
                lambda guard: "and on()\n          " + guard.replace("sum(", "(", 1),
                # `and on()` changes how the parts match, not what a guard must count.
                lambda guard: (
                    "and on()\n          "
                    + guard.replace("sum(", "sum by (job) (").replace(">= 50", "> 50")
                ),
                lambda guard: (
                    "and on()\n          "
                    + guard.replace("sum(", "sum by (job) (")
                    .replace("[1h]", "[5m]")
                    .replace("[6h]", "[30m]")
                ),
                lambda guard: (
                    "and on()\n          " + guard.replace("sum(", "(", 1).replace(">= 50", "> 50")
                ),
                lambda guard: (
                    "and on()\n          "
                    + guard.replace("sum(", "(", 1).replace("[1h]", "[5m]").replace("[6h]", "[30m]")
                ),
            )
        ),
        (
            MODEL.replace(
                'sum(increase(http_requests_total{job="bookings",route!~"/health/.+|/metrics"}[1h]))',
                'sum(increase(http_requests_total{job="bookings"}[1h]))',
            ),
            "a quiet night pages nobody",
            "`BookingsFastBurn` fired",
        ),
        (
            rule_file(burn("FastBurn", 14.4, "1h", "5m")),
            "a steady burn pages",
            "4.5% of requests failed for 7 hours, and nothing with `severity: page` fired",
        ),
        (
            rule_file(burn("FastBurn", 14.4, "1h", "5m"), burn("MediumBurn", 6, "6h", "30m")),
            "a slow leak opens a ticket",
            "no alert has `severity: ticket`",
        ),
        (
            rule_file(
                burn("FastBurn", 14.4, "1h", "5m"),
                burn("MediumBurn", 6, "6h", "30m"),
                burn("SlowBurn", 1, "3d", "6h", guard=False),
                burn("SlowTicket", 1, "3d", "6h", severity="ticket", guard=False),
            ),
            "a slow leak opens a ticket",
            "`SlowBurn` paged for it too",
        ),
        (
            three_rules().replace(" * 0.005)", " * 0.5)"),
            "a fast burn pages",
            "does not hold (0.12 > 7.2)",
        ),
        (
            three_rules().replace("(1 * 0.005)", "(0.995)"),
            "a slow leak opens a ticket",
            "nothing with `severity: ticket` fired",
        ),
        (
            three_rules().replace("severity: ticket", "severity: warning"),
            "every alert has `severity: page` or `ticket`",
            "`SlowBurn` has severity `warning`; use page (wake someone) or ticket",
        ),
        (
            three_rules().replace(
                "        annotations:\n          runbook_url: docs/runbook.md#alerts\n", "", 1
            ),
            "every alert has `severity: page` or `ticket`",
            "`FastBurn` has no `runbook_url` annotation",
        ),
        (
            three_rules().replace('code=~"5.."', 'status=~"5.."'),
            "every selector of the service's metrics",
            "http_requests_total has no label `status` (its labels: code, instance, job, method, "
            "route)",
        ),
        (
            three_rules().replace(
                'job="bookings",route', 'job="bookings",route="/v1/bookings",route', 1
            ),
            "every selector of the service's metrics",
            '`route="/v1/bookings"` matches none of its values',
        ),
        (
            three_rules().replace("sum(rate(", "sum by (job) (rate("),
            "a fast burn pages",
            "every part holds, but `and` keeps only series whose labels match on both sides, "
            'and here they differ ({job="bookings"} and {})',
        ),
        (
            with_anchors(three_rules()).replace("<<: *page", "<<: page"),
            "monitoring/alerts.yaml is a Prometheus rule file",
            "`<<:` in the labels of alert `SlowBurn` must merge a mapping",
        ),
        (
            rule_file(
                alert("FastBurn", f"max_over_time({ratio('5m')}[1h:5m]) > 0.072"),
                burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
            ),
            "a fast burn pages",
            "`FastBurn` could not be evaluated: it uses a subquery",
        ),
    ],
    ids=[
        "counts-the-probes",
        "probes-regex-unanchored",
        "percentage-against-a-fraction",
        "counts-4xx",
        "long-window-only",
        "short-window-only",
        "ticket-long-window-only",
        "ticket-short-window-only",
        "no-traffic-guard",
        "guard-above-rather-than-at-least",
        "fast-guard-above-rather-than-at-least",
        "fast-guard-over-the-short-window",
        "fast-guard-per-second",
        "medium-guard-above-rather-than-at-least",
        "medium-guard-over-the-short-window",
        "medium-guard-per-second",
        "unsummed-guard-and-on-nothing",
        "guard-by-job-and-on-nothing-above-rather-than-at-least",
        "guard-by-job-and-on-nothing-over-the-short-window",
        "unsummed-guard-and-on-nothing-above-rather-than-at-least",
        "unsummed-guard-and-on-nothing-over-the-short-window",
        "guard-counts-the-probes",
        "only-the-fast-rule",
        "no-ticket",
        "slow-leak-pages",
        "budget-as-a-percentage",
        "compares-with-the-slo",
        "another-severity",
        "no-runbook-link",
        "a-label-the-service-lacks",
        "a-route-that-does-not-exist",
        "and-across-other-labels",
        "merge-key-of-a-text",
        "a-subquery",
    ],
)
def test_each_alerting_mistake_is_named(rules, expected, message, tmp_path, monkeypatch):
    found = failing(rules, tmp_path, monkeypatch)
    assert expectation(expected) in found, found
    assert message in found[expectation(expected)], found[expectation(expected)]


def test_a_failing_scenario_shows_the_value_of_each_part_of_the_rule(tmp_path, monkeypatch):
    found = failing(three_rules(selector='job="bookings"'), tmp_path, monkeypatch)
    reason = found[expectation("a fast burn pages")]
    assert "holds (0.1 > 0.072)" not in reason
    assert "does not hold (0.05143 > 0.072)" in reason


# --- the scenarios ------------------------------------------------------------------------------


def test_the_scenarios_tell_the_right_rules_apart_as_the_lesson_says():
    """The model's rules: what fires on each day is what the SLO template intends."""
    rules = alerting.read_rules(MODEL)
    fired = {
        scenario.name: sorted(v.alert.name for v in alerting.verdicts(rules, scenario) if v.fired)
        for scenario in alerting.SCENARIOS
    }
    assert fired == {
        "a normal day": [],
        "a morning of 409s and 422s": [],
        "a fast burn": ["BookingsFastBurn", "BookingsMediumBurn"],
        "a steady burn": ["BookingsMediumBurn", "BookingsSlowBurn"],
        "a slow leak": ["BookingsSlowBurn"],
        "a blip": [],
        "after the fix": [],
        "a quiet night": [],
    }


def test_the_ticket_days_each_hold_one_window_above_the_budget_and_the_other_below():
    """After the fix the 3 days still burn and the 6 hours do not; after a blip, the reverse:
    so a ticket missing either window fires on one of them, and one with both on neither."""

    def ratios(scenario):
        history = scenario.history()
        return [
            promql.evaluate(promql.parse(ratio(window)), history)[0].value
            for window in ("3d", "6h")
        ]

    fixed_long, fixed_short = ratios(alerting.LEAK_FIXED_DAY)
    blip_long, blip_short = ratios(alerting.BLIP_NOW)
    assert fixed_short < 0.005 < fixed_long
    assert blip_long < 0.005 < blip_short
    assert alerting.ticket_window_problems(alerting.read_rules(three_rules())) == []


def test_the_quiet_night_is_below_the_paging_guard_and_the_office_hour_above_it():
    from onboarding import numbers

    night = alerting.api_requests(alerting.QUIET_NIGHT, timedelta(hours=1))
    day = alerting.api_requests(alerting.FAST_BURN, timedelta(hours=1))
    assert night < numbers.MIN_REQUESTS_TO_PAGE <= day


def test_the_scenarios_traffic_is_the_courses():
    from onboarding import numbers

    hour = alerting.api_requests(alerting.NORMAL_DAY, timedelta(hours=1))
    assert hour == numbers.REQUESTS_PER_STEP_IN_OFFICE_HOURS * 12


def test_a_for_clause_is_honoured():
    """An alert that must hold for 2 hours cannot fire 70 minutes into a fast burn."""
    slow_to_fire = rule_file(
        burn("FastBurn", 14.4, "1h", "5m").replace(
            "        labels:", "        for: 2h\n        labels:", 1
        )
    )
    rules = alerting.read_rules(slow_to_fire)
    assert not any(v.fired for v in alerting.verdicts(rules, alerting.FAST_BURN))


def test_the_guards_limit_is_exact_and_survives_a_short_for_clause():
    """Exactly the guard's count of requests in the hour, and a `for:` of 4 minutes still pages."""
    assert alerting.api_requests(alerting.GUARD_LIMIT, timedelta(hours=1)) == (
        numbers.MIN_REQUESTS_TO_PAGE
    )
    patient = three_rules().replace("        labels:", "        for: 4m\n        labels:")
    rules = alerting.read_rules(patient)
    assert alerting.fires_problems(rules, alerting.GUARD_LIMIT, "page", "at the limit") == []
    one_short = three_rules().replace(">= 50", ">= 51")
    rules = alerting.read_rules(one_short)
    assert alerting.fires_problems(rules, alerting.GUARD_LIMIT, "page", "at the limit") != []


def test_the_spread_guard_holds_exactly_the_guards_count_in_the_hour_but_few_in_5_minutes():
    assert alerting.SPREAD_BURSTS * alerting.SPREAD_OVER_THE_HOUR == numbers.MIN_REQUESTS_TO_PAGE
    assert alerting.api_requests(alerting.GUARD_SPREAD, timedelta(hours=1)) == (
        numbers.MIN_REQUESTS_TO_PAGE
    )
    assert alerting.api_requests(alerting.GUARD_SPREAD, timedelta(minutes=5)) == (
        alerting.SPREAD_OVER_THE_HOUR
    )


def test_the_6_hour_guard_holds_exactly_the_guards_count_and_too_few_for_the_hour():
    assert alerting.api_requests(alerting.GUARD_OVER_6_HOURS, timedelta(hours=6)) == (
        numbers.MIN_REQUESTS_TO_PAGE
    )
    assert alerting.api_requests(alerting.GUARD_OVER_6_HOURS, timedelta(hours=1)) == (
        alerting.SPREAD_OVER_THE_HOUR
    )


@pytest.mark.parametrize(
    ("scenario", "pages"),
    [
        (alerting.GUARD_LIMIT, "FastBurn"),
        (alerting.GUARD_SPREAD, "FastBurn"),
        (alerting.GUARD_OVER_6_HOURS, "MediumBurn"),
    ],
)
def test_one_paging_rule_alone_can_page_on_each_guards_day(scenario, pages):
    """Each guard's day leaves one paging rule able to fire, so another cannot stand in for a
    rule whose guard never holds; a `for:` of 4 minutes still fires."""
    rules = alerting.read_rules(MODEL)
    fired = [v.alert.name for v in alerting.verdicts(rules, scenario) if v.fired]
    assert [name for name in fired if "Slow" not in name] == [f"Bookings{pages}"]
    patient = three_rules().replace("        labels:", "        for: 4m\n        labels:")
    rules = alerting.read_rules(patient)
    fired = [v.alert.name for v in alerting.verdicts(rules, scenario) if v.fired]
    assert [name for name in fired if name != "SlowBurn"] == [pages]


@pytest.mark.parametrize("hold", ["5m", "300s", "10m", "15m"])
def test_a_for_clause_longer_than_the_guards_burst_passes_every_expectation(
    hold, tmp_path, monkeypatch
):
    """`for:` delays a page; it does not change how many requests are enough for one. Exactly 50
    requests cannot keep a 5-minute window burning for 5 minutes, so the guard is judged as if
    the burst had lasted long enough; the other days judge the `for:` in full."""
    patient = three_rules().replace("        labels:", f"        for: {hold}\n        labels:")
    assert failing(patient, tmp_path, monkeypatch) == {}


def test_a_long_for_clause_does_not_hide_a_guard_one_request_too_strict(tmp_path, monkeypatch):
    patient = three_rules().replace("        labels:", "        for: 5m\n        labels:")
    found = failing(patient.replace(">= 50", "> 50"), tmp_path, monkeypatch)
    assert list(found) == [expectation("exactly 50 requests are enough to page")]


SHORT_WINDOW_ONLY = alert(
    "FastBurn",
    f"{ratio('5m')} > (14.4 * 0.005)\nand sum(increase(http_requests_total{{{SLI}}}[1h])) >= 50",
)


@pytest.mark.parametrize("hold", ["1m", "5m", "10m"])
@pytest.mark.parametrize(
    ("rules", "quiet"),
    [
        (three_rules(guard=False), "a quiet night pages nobody"),
        (rule_file(SHORT_WINDOW_ONLY), "a 5-minute blip pages nobody"),
    ],
    ids=["no-traffic-guard", "no-long-window"],
)
def test_a_for_clause_does_not_stand_in_for_a_guard_or_a_long_window(
    rules, quiet, hold, tmp_path, monkeypatch
):
    """A 5-minute burst outlasts no long `for:`; the rule still pages when it lasts longer."""
    patient = rules.replace("        labels:", f"        for: {hold}\n        labels:")
    message = failing(patient, tmp_path, monkeypatch)[expectation(quiet)]
    assert f"its `for: {hold}` only delays that: the same failures lasting {hold} longer" in (
        message
    )


SERIES_ROUTE_RULE = alert(
    "SeriesErrors",
    'sum(rate(http_requests_total{job="bookings",route="/rooms/{room_id}/series",code=~"5.."}[15m]))'
    " > 1",
    severity="ticket",
)


def test_a_route_the_projects_spec_serves_counts_as_served(tmp_path, monkeypatch):
    """A later stage's route (the capstone's series) has no traffic on stage 08's normal day."""
    spec = tmp_path / "service" / "openapi.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(
        "openapi: 3.1.0\npaths:\n  /rooms:\n    get: {}\n  /rooms/{room_id}/series:\n    post: {}\n"
    )
    rules = rule_file(
        burn("FastBurn", 14.4, "1h", "5m"),
        burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
        SERIES_ROUTE_RULE,
    )
    assert expectation("every selector of the service's metrics") not in failing(
        rules, tmp_path, monkeypatch
    )


@pytest.mark.parametrize(
    "spec_text", [None, "openapi: 3.1.0\npaths:\n  /rooms:\n    get: {}\n", "paths: [\n"]
)
def test_a_route_neither_the_day_nor_the_spec_knows_is_named(spec_text, tmp_path, monkeypatch):
    """Without the route in the spec (missing, without it, or unreadable), the selector fails."""
    if spec_text is not None:
        spec = tmp_path / "service" / "openapi.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(spec_text)
    rules = rule_file(
        burn("FastBurn", 14.4, "1h", "5m"),
        burn("SlowBurn", 1, "3d", "6h", severity="ticket", guard=False),
        SERIES_ROUTE_RULE,
    )
    found = failing(rules, tmp_path, monkeypatch)
    assert (
        '`route="/rooms/{room_id}/series"` matches none of its values'
        in found[expectation("every selector of the service's metrics")]
    )


def test_a_guard_without_sum_is_told_to_sum_its_series(tmp_path, monkeypatch):
    unsummed = guards_as(lambda guard: "and on()\n          " + guard.replace("sum(", "(", 1))
    found = failing(unsummed, tmp_path, monkeypatch)
    assert list(found) == [expectation("exactly 50 requests are enough to page")], found
    reason = found[expectation("exactly 50 requests are enough to page")]
    assert re.search(
        r"`\(increase\(http_requests_total\{[^`]*` is empty: it compares each of its \d+ series "
        r"apart, not their total; add them up with `sum\(…\)`",
        reason,
    ), reason
