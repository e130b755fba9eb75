"""A Prometheus rule file, read as `promtool check rules` reads it."""

from __future__ import annotations

import pytest

from onboarding.artefacts import alert_rules
from onboarding.checks import ArtefactError

GOOD = """\
groups:
  - name: bookings
    interval: 30s
    rules:
      - record: job:errors:ratio_rate5m
        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
      - alert: BookingsFastBurn
        expr: job:errors:ratio_rate5m > 0.072
        for: 2m
        labels:
          severity: page
        annotations:
          runbook_url: docs/runbook.md#alerts
"""


def test_a_good_file_gives_its_rules_with_their_lines():
    found = alert_rules.read(GOOD)
    assert found.problems == []
    assert [(rule.kind, rule.name, rule.line) for rule in found.rules] == [
        ("record", "job:errors:ratio_rate5m", 5),
        ("alert", "BookingsFastBurn", 7),
    ]
    alert = found.alerts[0]
    assert alert.for_seconds == 120
    assert alert.labels == {"severity": "page"}
    assert alert.annotations == {"runbook_url": "docs/runbook.md#alerts"}
    assert alert.group == "bookings"
    assert set(found.recorded()) == {"job:errors:ratio_rate5m"}


def test_a_groups_labels_go_to_each_rule_and_a_rules_own_label_wins():
    """As Prometheus adds them: the group's `labels:` to each rule, the rule's own on top."""
    found = alert_rules.read(
        GOOD.replace(
            "    interval: 30s\n", "    labels:\n      severity: ticket\n      team: rooms\n"
        )
    )
    assert found.problems == []
    assert found.alerts[0].labels == {"severity": "page", "team": "rooms"}
    assert found.records[0].labels == {"severity": "ticket", "team": "rooms"}
    assert found.recorded()["job:errors:ratio_rate5m"][0].labels == found.records[0].labels


def test_one_alert_name_with_two_severities_is_two_rules():
    """Prometheus' usual pattern, which promtool accepts: the labels tell the two apart."""
    second = GOOD.split("      - alert:")[1].replace("severity: page", "severity: ticket")
    found = alert_rules.read(GOOD + "      - alert:" + second)
    assert found.problems == []
    assert [(alert.name, alert.labels["severity"], alert.line) for alert in found.alerts] == [
        ("BookingsFastBurn", "page", 7),
        ("BookingsFastBurn", "ticket", 14),
    ]


MERGED = """\
groups:
  - name: bookings
    rules:
      - alert: BookingsFastBurn
        expr: vector(1) > 2
        labels: &paging
          severity: page
          team: rooms
        annotations: &runbook
          runbook_url: docs/runbook.md#alerts
      - alert: BookingsSlowBurn
        expr: vector(1) > 3
        labels:
          <<: *paging
          severity: ticket
        annotations:
          <<: [*runbook, {summary: ignored, runbook_url: ignored}]
          summary: leaking
      - alert: BookingsDown
        expr: up == 0
        labels: *paging
        annotations: *runbook
"""


def test_yaml_anchors_and_merge_keys_are_read_as_prometheus_reads_them():
    """`<<: *anchor` merges the anchored mapping, and the mapping's own keys win over it."""
    found = alert_rules.read(MERGED)
    assert found.problems == []
    assert [(alert.name, alert.labels, alert.annotations) for alert in found.alerts] == [
        (
            "BookingsFastBurn",
            {"severity": "page", "team": "rooms"},
            {"runbook_url": "docs/runbook.md#alerts"},
        ),
        (
            "BookingsSlowBurn",
            {"severity": "ticket", "team": "rooms"},
            {"summary": "leaking", "runbook_url": "docs/runbook.md#alerts"},
        ),
        (
            "BookingsDown",
            {"severity": "page", "team": "rooms"},
            {"runbook_url": "docs/runbook.md#alerts"},
        ),
    ]


def test_yaml_that_does_not_parse_is_an_artefact_error_with_line_and_column():
    with pytest.raises(ArtefactError, match=r"alerts.yaml is not valid YAML: line 4, column 1"):
        alert_rules.read("groups:\n  - name: x\n    rules: [\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty; it needs a `groups:` list"),
        ("rules: []\n", "there is no `groups:` list"),
        ("groups: []\n", "`groups:` must be a list of groups"),
        ("groups:\n  - rules: []\n", "a group has no `name:`"),
        (
            "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n",
            "line 4: the group name `a` is used twice (first on line 2)",
        ),
        ("groups:\n  - name: a\n", "the group `a` has no `rules:` list"),
        (
            "groups:\n  - name: a\n    evaluation: 1m\n    rules: []\n",
            "a group has an unknown key `evaluation`",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - expr: up == 0\n",
            "a rule needs exactly one of `alert:` or `record:`",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        record: b\n        expr: up\n",
            "(it has both)",
        ),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n", "alert `A` has no `expr:`"),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: rate(up)\n",
            "line 5: the `expr` of alert `A` is not valid PromQL: expected a range vector",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n"
            "        for: five minutes\n",
            "the `for:` of alert `A` is `five minutes`, not a duration",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n"
            "        severity: page\n",
            "alert `A` has an unknown key `severity`",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - record: not a name\n        expr: up\n",
            "`not a name` is not a valid metric name",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n"
            "        labels:\n          bad-name: x\n",
            "`bad-name` in the labels of alert `A` is not a valid label name",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: up\n"
            "        for: 5m\n",
            "record `r` has an unknown key `for`",
        ),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n"
            "        labels:\n          <<: page\n",
            "line 7: `<<:` in the labels of alert `A` must merge a mapping",
        ),
    ],
)
def test_what_promtool_refuses_is_a_problem_with_its_line(text, problem):
    found = alert_rules.read(text)
    assert any(problem in line for line in found.problems), found.problems
    assert all(line.startswith("line ") or "empty" in line for line in found.problems)


def test_a_rule_whose_expr_does_not_parse_is_kept_without_an_expression():
    found = alert_rules.read(
        "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: 'sum(('\n"
    )
    assert [rule.name for rule in found.alerts] == ["A"]
    assert found.alerts[0].expression is None
