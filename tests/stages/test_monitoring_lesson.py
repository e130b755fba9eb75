"""Stage 08's try-it cells and playgrounds: instant verdicts, nothing published or recorded."""

from __future__ import annotations

import pytest

from onboarding import numbers, protocol
from onboarding.stages.monitoring import lesson

MONTH = numbers.requests_in_window()


@pytest.fixture
def published():
    """Every check result published while the test runs (a try-it cell must publish none)."""
    found: list = []
    protocol.subscribe(found.append)
    yield found
    protocol.unsubscribe(found.append)


@pytest.mark.parametrize(
    ("practise", "answers"),
    [
        (lesson.bucket_reading, (2, 0.75)),
        (lesson.error_budget, (MONTH, 207)),
        (lesson.error_budget, (MONTH, 207.36)),
        (lesson.six_times_rule, (0.03, 0.05)),
        (lesson.blameless_rewrite, ("The backfill ran in one transaction; nothing batched it.",)),
        (
            lesson.blameless_rewrite,
            (
                "The engineer ran the backfill in one transaction; nothing prompted them to batch it.",
            ),
        ),
    ],
)
def test_right_answers_get_well_done_and_nothing_is_published(practise, answers, capsys, published):
    practise(*answers)
    out = capsys.readouterr().out
    assert "❌" not in out
    assert out.rstrip().endswith("Well done.")
    assert published == []


@pytest.mark.parametrize(
    ("practise", "answers", "message"),
    [
        (lesson.bucket_reading, (..., ...), "not answered yet: replace the `...`"),
        (lesson.bucket_reading, (3, 0.75), "buckets are cumulative"),
        (lesson.bucket_reading, (2, 75), "as a fraction, not %"),
        (lesson.bucket_reading, (2, "0.75"), "is '0.75', not a number"),
        (lesson.error_budget, (MONTH, 1037), "the budget is (1 − SLO) × requests"),
        (lesson.six_times_rule, (6 * 0.995, 0.05), "multiply the burn rate by the budget"),
        (lesson.six_times_rule, (0.03, 5), "as a fraction"),
        (lesson.blameless_rewrite, (lesson.BLAMEFUL,), "that is the original sentence"),
        (lesson.blameless_rewrite, ("Human error: Jordan forgot to batch it.",), "still judging"),
        # The name swapped for a role still blames whoever holds it.
        (
            lesson.blameless_rewrite,
            ("The engineer forgot to batch the backfill, so every booking failed.",),
            "still judging: “The engineer forgot to batch the backfill, so every booking "
            "failed.” blames the engineer",
        ),
        (lesson.blameless_rewrite, ("",), "write the sentence as a string"),
    ],
)
def test_wrong_answers_say_what_is_wrong(practise, answers, message, capsys, published):
    practise(*answers)
    out = capsys.readouterr().out
    assert "❌" in out and message in out, out
    assert "Well done." not in out
    assert published == []


def test_try_promql_prints_values_errors_and_unknown_scenarios(capsys):
    lesson.try_promql('sum(rate(http_requests_total{code=~"5.."}[1h]))', scenario="a normal day")
    assert float(capsys.readouterr().out) > 0
    lesson.try_promql("rate(http_requests_total)")
    assert capsys.readouterr().out.startswith("Not valid PromQL: expected a range vector")
    lesson.try_promql("up", scenario="a sunny day")
    assert capsys.readouterr().out.startswith("No scenario 'a sunny day'; the scenarios are: ")
    lesson.try_promql('http_requests_total{route="/nowhere"}')
    assert "(empty: no series" in capsys.readouterr().out


def test_show_metrics_without_a_project_says_so(tmp_path, capsys):
    lesson.show_metrics(tmp_path / "workspace")
    assert capsys.readouterr().out == (
        "Your service: there is no project in service/ yet: run `onboard start` to create it\n"
    )


def test_show_metrics_does_not_run_the_service_while_onboard_check_grades(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("ONBOARD_GRADING", "1")
    lesson.show_metrics(tmp_path / "workspace")
    assert "not run while `onboard check` grades" in capsys.readouterr().out
