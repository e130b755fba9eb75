"""PromQL: what parses and what Prometheus refuses, and values computed over a made-up history."""

from __future__ import annotations

import math
import re

import pytest

from onboarding.artefacts import promql
from onboarding.artefacts.promql import History, Piece, Series

HOUR = 3600.0


def counter(name: str, per_second: float, **labels: str) -> Series:
    """A counter growing at `per_second` for the last day."""
    return Series({"__name__": name, **labels}, "counter", (Piece(-24 * HOUR, 0.0, per_second),))


def history() -> History:
    return History(
        [
            counter("requests_total", 9.0, code="200", route="/a", job="api"),
            counter("requests_total", 1.0, code="500", route="/a", job="api"),
            counter("requests_total", 2.0, code="200", route="/health", job="api"),
            Series(
                {"__name__": "up", "job": "api"},
                "gauge",
                (Piece(-24 * HOUR, -600.0, 1.0), Piece(-600.0, 0.0, 0.0)),
            ),
        ]
    )


def value(expression: str, at: History | None = None, time: float = 0.0):
    return promql.evaluate(promql.parse(expression), at or history(), time)


def only(result) -> float:
    assert len(result) == 1, result
    return result[0].value


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        'sum(rate(requests_total{code=~"5..",route!~"/health/.+|/metrics"}[1h])) '
        "/ sum(rate(requests_total[1h])) > (14.4 * 0.005)",
        "sum by (job) (rate(requests_total[5m])) > 3",
        "sum(rate(requests_total[5m])) by (job)",
        "rate(requests_total[5m]) / on(route) group_left sum by (route) (rate(requests_total[5m]))",
        'histogram_quantile(0.95, sum by (le) (rate(d_bucket{route="/a"}[5m]))) > 0.3',
        "a and b or c unless d",
        "up == 0",
        'absent(up{job="api"})',
        "requests_total offset 5m",
        "x[5m:1m]",
        "max_over_time(up[10m]) < 1",
        "-requests_total",
        "3 > bool 2",
        "job:requests:rate5m > 1  # a comment",
    ],
)
def test_valid_expressions_parse(expression):
    parsed = promql.parse(expression)
    assert parsed.source(parsed.root)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "the expression is empty"),
        ("sum(rate(x[1h]) / ", "unexpected end of input"),
        ('x{a="b"', "expected `,` or `}`"),
        ("rate(x)", "expected a range vector in `rate()`, got an instant vector"),
        ("frobnicate(x)", "unknown function `frobnicate`"),
        ("1 > 2", "a comparison between two numbers must use `bool`"),
        ('{a=""}', "a selector needs a metric name"),
        ('x{a=~"("}', "invalid regular expression"),
        ("x[5]", "expected a duration such as 5m"),
        ("x{a=b}", "a label value must be quoted"),
        ("sum(x[5m])", "expected an instant vector in the aggregation `sum`"),
        ("x[5m] > 1", "binary expression must contain only scalars and instant vectors"),
        ("1 and x", "`and` is defined only between two instant vectors"),
        ("x group_left y", "unexpected `group_left`"),
        ("x + group_left y", "needs `on(…)` or `ignoring(…)` first"),
        ("5m", "a duration (5m) can only stand in `[…]`"),
        ("x $ y", "unexpected character '$'"),
    ],
)
def test_what_prometheus_refuses_is_named(expression, message):
    with pytest.raises(promql.PromQLError, match=re.escape(message)):
        promql.parse(expression)


def test_an_error_names_its_column():
    with pytest.raises(promql.PromQLError) as error:
        promql.parse("sum(rate(x[1h])) + frobnicate(y)")
    assert error.value.column == 20


def test_durations():
    assert promql.parse_duration("1h30m") == 5400
    assert promql.parse_duration("3d") == 3 * 86400
    assert promql.parse_duration("250ms") == 0.25
    assert promql.describe_duration(1800) == "30m"
    with pytest.raises(promql.PromQLError):
        promql.parse_duration("5 minutes")


def test_conjuncts_are_the_parts_of_a_top_level_and_chain():
    parsed = promql.parse("(a > 1) and (b > 2) and c > 3")
    assert [parsed.source(part) for part in promql.conjuncts(parsed.root)] == [
        "a > 1",
        "b > 2",
        "c > 3",
    ]


# --- evaluating ------------------------------------------------------------------------------


def test_rate_is_the_increase_over_the_window_per_second():
    assert only(value('rate(requests_total{code="500"}[1h])')) == pytest.approx(1.0)
    assert only(value('increase(requests_total{code="500"}[1h])')) == pytest.approx(HOUR)


def test_an_error_ratio_excluding_the_probes():
    ratio = value(
        'sum(rate(requests_total{code=~"5..",route!~"/health"}[1h]))'
        ' / sum(rate(requests_total{route!~"/health"}[1h]))'
    )
    assert only(ratio) == pytest.approx(0.1)
    diluted = value('sum(rate(requests_total{code=~"5.."}[1h])) / sum(rate(requests_total[1h]))')
    assert only(diluted) == pytest.approx(1 / 12)


def test_regular_expressions_are_anchored_at_both_ends():
    assert value('requests_total{code=~"5"}') == []
    assert len(value('requests_total{code=~"5.."}')) == 1


@pytest.mark.parametrize(
    ("selector", "series", "bookings"),
    [
        ('requests_total{route="/rooms/{id}/series"}', True, False),
        ('requests_total{route=~"/rooms/[^/]+/series"}', True, False),
        ('requests_total{route=~"/rooms/.*"}', True, True),
        ('requests_total{route=~"series"}', False, False),  # anchored: the whole value
        ('requests_total{route=~".*"}', True, True),
        ('requests_total{code="500"}', True, True),  # no matcher of the route: every route
        ('requests_total{route!~".*/series",route=~"/rooms/.*"}', False, True),
    ],
)
def test_a_selector_selects_a_label_value_as_prometheus_matches_it(selector, series, bookings):
    (found,) = promql.selectors(promql.parse(selector).root)
    assert found.selects("route", "/rooms/{id}/series") is series
    assert found.selects("route", "/rooms/{id}/bookings") is bookings


def test_a_comparison_filters_and_bool_keeps_zero_or_one():
    assert value("sum(rate(requests_total[1h])) > 100") == []
    assert only(value("sum(rate(requests_total[1h])) > 10")) == pytest.approx(12.0)
    assert only(value("sum(rate(requests_total[1h])) > bool 100")) == 0.0


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # 50 / 3600 * 60 * 60 is 49.99999999999999 in floating point: still 50 at the limit.
        ("50 / 3600 * 60 * 60 >= bool 50", 1.0),
        ("50 / 3600 * 60 * 60 == bool 50", 1.0),
        ("50 / 3600 * 60 * 60 < bool 50", 0.0),
        ("50 >= bool 50 / 3600 * 60 * 60", 1.0),
        ("(0.1 + 0.2) * 100 > bool 30", 0.0),
        ("(0.1 + 0.2) * 100 <= bool 30", 1.0),
        # A real difference, however small against the numbers the rules compare, still counts.
        ("49.9999 >= bool 50", 0.0),
        ("50.0001 > bool 50", 1.0),
        ("0.0000001 > bool 0", 1.0),
    ],
)
def test_numbers_apart_only_by_rounding_compare_as_equal(expression, expected):
    assert value(expression) == expected


def test_and_needs_a_match_on_the_other_side():
    assert value("sum(rate(requests_total[1h])) > 1 and sum(rate(requests_total[5m])) > 100") == []
    both = value("sum(rate(requests_total[1h])) > 1 and sum(rate(requests_total[5m])) > 1")
    assert only(both) == pytest.approx(12.0)


def test_or_and_unless():
    assert len(value('requests_total{code="500"} or requests_total{code="200"}')) == 3
    assert len(value('requests_total unless requests_total{code="500"}')) == 2


def test_aggregations_group_by_and_without():
    by_route = value("sum by (route) (rate(requests_total[1h]))")
    assert {dict(s.labels)["route"]: s.value for s in by_route} == pytest.approx(
        {"/a": 10.0, "/health": 2.0}
    )
    without = value("sum without (code) (rate(requests_total[1h]))")
    assert {s.labels for s in without} == {
        (("job", "api"), ("route", "/a")),
        (("job", "api"), ("route", "/health")),
    }
    assert only(value("count(requests_total)")) == 3.0
    assert only(value("max(rate(requests_total[1h]))")) == pytest.approx(9.0)
    assert len(value("topk(1, rate(requests_total[1h]))")) == 1


def test_one_to_one_matching_keeps_the_left_labels_but_the_ignored_ones():
    ratio = value(
        'rate(requests_total{code="500"}[1h]) / ignoring(code) rate(requests_total{code="200",'
        'route="/a"}[1h])'
    )
    assert only(ratio) == pytest.approx(1 / 9)
    assert dict(ratio[0].labels) == {"job": "api", "route": "/a"}


def test_many_to_many_matching_is_refused_as_prometheus_refuses_it():
    with pytest.raises(promql.EvaluationError, match="many-to-many"):
        value("rate(requests_total[1h]) / on(job) rate(requests_total[1h])")


def test_group_left_divides_each_series_by_its_group_total():
    shares = value(
        "rate(requests_total[1h]) / on(route) group_left sum by (route) (rate(requests_total[1h]))"
    )
    assert sorted(s.value for s in shares) == pytest.approx([0.1, 0.9, 1.0])


def test_offset_shifts_the_window():
    later = History([counter("c", 1.0)])
    only_recent = Series({"__name__": "c"}, "counter", (Piece(-HOUR, 0.0, 1.0),))
    assert only(value("increase(c[1h] offset 1h)", later)) == pytest.approx(HOUR)
    assert only(value("increase(c[1h] offset 1h)", History([only_recent]))) == 0.0


def test_gauges_and_over_time_functions():
    assert only(value("up")) == 0.0
    assert value("up == 1") == []
    assert only(value("max_over_time(up[1h])")) == 1.0
    assert only(value("avg_over_time(up[20m])")) == pytest.approx(0.5)
    assert only(value("up", time=-HOUR)) == 1.0


def test_absent_gives_the_labels_of_its_equality_matchers():
    assert value('absent(up{job="api"})') == []
    missing = value('absent(up{job="other"})')
    assert dict(missing[0].labels) == {"job": "other"}


def test_histogram_quantile_interpolates_inside_a_bucket():
    buckets = [
        Series({"__name__": "d_bucket", "le": le}, "counter", (Piece(-HOUR, 0.0, rate),))
        for le, rate in (("0.1", 50.0), ("0.3", 90.0), ("+Inf", 100.0))
    ]
    p50 = only(value("histogram_quantile(0.5, rate(d_bucket[5m]))", History(buckets)))
    assert p50 == pytest.approx(0.1)
    p70 = only(value("histogram_quantile(0.7, rate(d_bucket[5m]))", History(buckets)))
    assert p70 == pytest.approx(0.2)


def test_recording_rules_are_evaluated_where_they_are_named():
    recorded = {
        "job:errors:ratio1h": promql.parse(
            'sum by (job) (rate(requests_total{code="500"}[1h])) / sum by (job) '
            "(rate(requests_total[1h]))"
        )
    }
    at = History(history().series, recorded)
    assert only(value('job:errors:ratio1h{job="api"} > 0.05', at)) == pytest.approx(1 / 12)
    with pytest.raises(promql.Unsupported, match="a range over the recording rule"):
        value("max_over_time(job:errors:ratio1h[1h])", at)


def test_a_recording_rules_labels_are_added_and_one_name_may_be_recorded_twice():
    """Prometheus adds a recording rule's `labels:` to what it records, over the result's own."""
    ratio = 'sum by (job) (rate(requests_total{code="500"}[{w}])) / sum by (job) (rate(requests_total[{w}]))'
    recorded = {
        "job:errors:ratio": tuple(
            promql.Recording(promql.parse(ratio.replace("{w}", w)), {"window": w, "job": "api"})
            for w in ("5m", "1h")
        )
    }
    at = History(history().series, recorded)
    assert only(value('job:errors:ratio{window="1h", job="api"}', at)) == pytest.approx(1 / 12)
    assert len(value("job:errors:ratio", at)) == 2


def test_what_only_a_real_database_answers_is_unsupported_not_wrong():
    for expression in ("x[5m:1m]", "x @ 100", 'label_replace(up, "a", "b", "c", "d")'):
        with pytest.raises(promql.Unsupported):
            value(expression)


def test_division_by_zero_gives_nan_or_infinity_like_prometheus():
    assert math.isnan(only(value("sum(rate(nothing_total[1h])) / 0 or vector(0/0)")))
    assert only(value("vector(1) / 0")) == math.inf


def test_selectors_and_walk_find_every_metric():
    parsed = promql.parse("sum(rate(a[5m])) / sum(rate(b[5m])) and c > 1")
    assert [selector.name for selector in promql.selectors(parsed.root)] == ["a", "b", "c"]
