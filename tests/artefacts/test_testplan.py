"""Reading a test plan: its sections, and its SLO thresholds as the numbers a load test asserts.

Every threshold below is the model's SLO (p95 under 300 ms, at least 20 requests a second,
fewer than 0.5% failed), written the ways people write it; each must be read as that number.
"""

from __future__ import annotations

import pytest

from onboarding.artefacts import testplan

MODEL_SLO = {"p95 latency": 300.0, "throughput": 20.0, "failed requests": 0.005}


def plan(rows: str, header: str = "| Measure | Threshold | Applies to |") -> str:
    separator = "| " + " | ".join("---" for _ in header.strip("|").split("|")) + " |"
    return f"## SLO thresholds for load tests\n\n{header}\n{separator}\n{rows.strip()}\n"


def values(text: str) -> dict[str, float | None]:
    return {measure: found.value for measure, found in testplan.thresholds(text).items()}


@pytest.mark.parametrize(
    ("row", "measure", "expected"),
    [
        # The measure named again in the threshold: its 95 is not the limit.
        ("| Latency | 95th percentile under 300 ms | all |", "p95 latency", 300.0),
        ("| Latency | 95% of requests under 300 ms | all |", "p95 latency", 300.0),
        ("| Latency | p95 < 0.3 s | all |", "p95 latency", 300.0),
        # Another unit of time for throughput.
        ("| Throughput | at least 1,200 requests a minute | all |", "throughput", 20.0),
        ("| Throughput | 1200 req/min | all |", "throughput", 20.0),
        ("| Throughput | 72,000 requests per hour | all |", "throughput", 20.0),
        # Per cent as the course's own British English spells it, and its abbreviation.
        ("| Failed requests | under 0.5 per cent | all |", "failed requests", 0.005),
        ("| Failed requests | < 0.5 pct | all |", "failed requests", 0.005),
        ("| Failed requests | under half of one percent | all |", "failed requests", 0.005),
        # A decimal comma, and a share written as "one in so many".
        ("| Failed requests | under 0,5 % | all |", "failed requests", 0.005),
        ("| Failed requests | fewer than 1 in 200 | all |", "failed requests", 0.005),
        ("| Failed requests | under 5 in 1,000 requests | all |", "failed requests", 0.005),
        ("| Unsuccessful requests | under 0.5% | all |", "failed requests", 0.005),
        # The row names its measure first; a rate elsewhere in it does not make it throughput.
        (
            "| Error rate | under 0.5% | every request of the 20 req/s run |",
            "failed requests",
            0.005,
        ),
        ("| Request rate | at least 20 per second | all |", "throughput", 20.0),
        ("| 95th-percentile latency | 300 ms | all |", "p95 latency", 300.0),
        # k6 writes its thresholds so: `http_req_duration: p(95)<300`.
        ("| http_req_duration | p(95) < 300 ms | all |", "p95 latency", 300.0),
        ("| http_req_failed | rate < 0.005 | all |", "failed requests", 0.005),
        ("| http_reqs | rate >= 20 | all |", "throughput", 20.0),
        # The unit is the one after the number, whatever another unit in brackets says.
        ("| p95 latency | 0.3 s (300 ms) | all |", "p95 latency", 300.0),
        ("| Throughput | 1,200 a minute (20 req/s) | all |", "throughput", 20.0),
        ("| Failed requests | 0.005 (0.5%) | all |", "failed requests", 0.005),
        # Units run on, or in words; thousands as k.
        ("| p95 latency | 300ms | all |", "p95 latency", 300.0),
        ("| p95 latency | three hundred milliseconds | all |", "p95 latency", 300.0),
        ("| p95 latency | ≤ 0.3 seconds | all |", "p95 latency", 300.0),
        ("| Throughput | 20rps | all |", "throughput", 20.0),
        ("| Throughput | 1.2k requests a minute | all |", "throughput", 20.0),
        ("| 95th pct latency | 300 ms | all |", "p95 latency", 300.0),
        # Numbers in words, as many words as they take.
        ("| Throughput | one thousand two hundred requests a minute | all |", "throughput", 20.0),
        ("| Failed requests | under zero point five percent | all |", "failed requests", 0.005),
        ("| Failed requests | fewer than one in two hundred | all |", "failed requests", 0.005),
        ("| Failed requests | under half a percent | all |", "failed requests", 0.005),
        ("| Failed requests | under a half percent | all |", "failed requests", 0.005),
        # Queries a second; and meets_slo's own parameter names as the labels.
        ("| QPS | at least 20 | all |", "throughput", 20.0),
        ("| `p95_limit_ms` | 300 | all |", "p95 latency", 300.0),
        ("| `min_rps` | 20 | all |", "throughput", 20.0),
        ("| `max_error_rate` | 0.005 | all |", "failed requests", 0.005),
    ],
    ids=[
        "95th-percentile-in-the-threshold",
        "95-percent-of-requests",
        "p95-in-seconds",
        "requests-a-minute",
        "req-per-min",
        "requests-per-hour",
        "per-cent",
        "pct",
        "half-of-one-percent",
        "decimal-comma",
        "one-in-two-hundred",
        "five-in-a-thousand",
        "unsuccessful-requests",
        "a-rate-elsewhere-in-the-row",
        "request-rate",
        "hyphenated-percentile",
        "k6-p-of-95",
        "k6-failed-rate",
        "k6-request-rate",
        "seconds-then-milliseconds-in-brackets",
        "a-minute-then-a-second-in-brackets",
        "fraction-then-percent-in-brackets",
        "ms-without-a-space",
        "milliseconds-in-words",
        "at-most-in-seconds",
        "rps-without-a-space",
        "thousands-as-k",
        "95th-pct",
        "a-minute-in-words",
        "a-decimal-point-in-words",
        "one-in-two-hundred-in-words",
        "half-a-percent",
        "a-half-percent",
        "queries-a-second",
        "p95-limit-parameter",
        "min-rps-parameter",
        "max-error-rate-parameter",
    ],
)
def test_a_threshold_written_another_way_is_the_same_number(row, measure, expected):
    assert values(plan(row))[measure] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        # Another name for the threshold column, in another place.
        (
            "| Metric | Endpoint | Target |",
            "| p95 latency | all | 300 ms |\n| Throughput | all | 20 req/s |\n"
            "| Failed requests | all | 0.5% |",
        ),
        (
            "| Measure | Applies to | threshold |",
            "| p95 latency | all | under 300 ms |\n| throughput | all | at least 20 req/s |\n"
            "| failed requests | all | under 0.5% |",
        ),
        # The unit in a column of its own.
        (
            "| Measure | Limit | Unit |",
            "| p95 latency | 0.3 | s |\n| throughput | 20 | requests a second |\n"
            "| failed requests | 0.5 | % |",
        ),
        # The measure's column after the threshold's, or after another column.
        (
            "| Threshold | Measure |",
            "| under 300 ms | p95 latency |\n| at least 20 req/s | throughput |\n"
            "| under 0.5% | failed requests |",
        ),
        (
            "| Applies to | Metric | Target |",
            "| all | p95 latency | 300 ms |\n| all | throughput | 20 req/s |\n"
            "| all | failed requests | 0.5% |",
        ),
        # Extra columns: what the last run measured, beside the threshold; an owner.
        (
            "| Measure | Measured value (last run) | Threshold | Owner |",
            "| p95 latency | 120 ms | under 300 ms | SRE |\n"
            "| throughput | 35 req/s | at least 20 req/s | SRE |\n"
            "| failed requests | 0.1% | under 0.5% | SRE |",
        ),
        (
            "| Measure | Threshold | Unit | Applies to | Owner |",
            "| p95 latency | 300 | ms | all | SRE |\n| throughput | 20 | req/s | all | SRE |\n"
            "| failed requests | 0.5 | % | all | SRE |",
        ),
        # The unit in brackets after the label, or after the header.
        (
            "| Measure | Threshold |",
            "| p95 latency (s) | 0.3 |\n| throughput (requests a minute) | 1,200 |\n"
            "| failed requests (%) | 0.5 |",
        ),
        (
            "| Measure | Threshold (ms, req/s, %) |",
            "| p95 latency | < 300 |\n| throughput | >= 20 |\n| failed requests | < 0.5 |",
        ),
    ],
    ids=[
        "target-column-last",
        "lower-case-header",
        "unit-column",
        "threshold-column-first",
        "metric-column-second",
        "measured-value-column-before-the-threshold",
        "unit-and-owner-columns",
        "unit-in-the-label",
        "units-in-the-header",
    ],
)
def test_the_threshold_column_is_found_by_its_name(header, rows):
    assert values(plan(rows, header)) == pytest.approx(MODEL_SLO)


def test_thresholds_written_as_a_list_are_read():
    text = (
        "## SLO thresholds for load tests\n\n"
        "- p95 latency: under 300 ms, for all requests\n"
        "- Throughput: at least twenty requests a second\n"
        "- Failed requests: fewer than 0.5%\n"
    )
    assert values(text) == pytest.approx(MODEL_SLO)


def prose(text: str) -> str:
    return f"## SLO thresholds for load tests\n\n{text.strip()}\n"


@pytest.mark.parametrize(
    "text",
    [
        "The p95 latency stays under 300 ms, the service serves at least twenty requests a "
        "second, and fewer than 0.5% of requests fail.",
        "p95 latency stays under 300 ms.\nThroughput is at least 20 req/s. The error rate "
        "stays below 0.5 %.",
        # Bullets with no label before a colon, the measure after its number.
        "- p95 latency stays under 300 ms\n- Throughput: at least twenty requests a second\n"
        "- fewer than one in two hundred requests fail",
        # The 5 of "5xx" is a class of statuses, not a number of the threshold.
        "- p95 latency stays under 300 ms\n- Throughput: at least twenty requests a second\n"
        "- 5xx answers stay under 0.5% of requests",
        # Other numbers in the sentence are conditions of the run, in other units.
        "With 20 users for 60 s, the p95 latency stays under 300 ms; the error rate stays under"
        " 0.005 while the service serves at least 1,200 requests a minute.",
        # The measure in a clause of its own, its limit in the next clause that compares.
        "The p95 latency, measured over a 60 s run, stays under 300 ms. At least 99.5% of "
        "requests succeed at 20 requests a second or more.",
        # A number before its colon: the item is its own threshold.
        "- The p95 latency stays under 300 ms: all endpoints\n- 20 req/s or more: all requests\n"
        "- Under half a percent of requests fail",
    ],
    ids=[
        "one-sentence",
        "a-sentence-each",
        "bullets-without-labels",
        "a-5xx-before-the-limit",
        "beside-the-runs-conditions",
        "measure-then-limit-and-a-success-rate",
        "number-before-the-colon",
    ],
)
def test_thresholds_written_as_sentences_are_read(text):
    assert values(prose(text)) == pytest.approx(MODEL_SLO)


@pytest.mark.parametrize(
    "text",
    [
        "We measure the p95 latency. It stays under 300 ms. We need throughput too. It is at "
        "least 20 requests a second. We count failed requests. They stay under 0.5%.",
        # The pronoun's sentence may hold the run's conditions in clauses of their own.
        "The p95 latency is what we watch. It, measured over a 60 s run, must stay below 300 ms."
        "\nThroughput matters as well. This must be at least twenty requests a second.\n"
        "The error rate is counted per request. That stays under half a percent.",
        # One list item a measure, its limit in a sentence of its own.
        "- We measure p95 latency. It stays under 0.3 s.\n"
        "- Throughput is measured by k6. It is 1,200 requests a minute or more.\n"
        "- Failed requests are the 5xx answers. They stay under 1 in 200.",
        "We measure the p95 latency. Its limit is below 300 ms. The service's throughput is "
        "load-tested. Its floor is at least 20 req/s. Failed requests count. Their share stays "
        "under 0.5%.",
    ],
    ids=["it-they", "it-with-a-condition-this-that", "in-list-items", "its-their"],
)
def test_a_threshold_split_across_two_sentences_is_read(text):
    """ "It" (this, that, they) opening a sentence is the measure the sentence before named but
    gave no number."""
    assert values(prose(text)) == pytest.approx(MODEL_SLO)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A link or the run's circumstance before the pronoun says nothing of what it is.
        ("We count failed requests. Then they stay under 0.5%.", {"failed requests": 0.005}),
        ("We measure the p95 latency. And it stays under 300 ms.", {"p95 latency": 300.0}),
        ("We measure the throughput. So it must be at least 20 req/s.", {"throughput": 20.0}),
        (
            "We count failed requests. In each run, they stay under 0.5%.",
            {"failed requests": 0.005},
        ),
        ("We measure the p95 latency. Under load, it stays under 300 ms.", {"p95 latency": 300.0}),
        (
            "We measure the p95 latency. Then, in each run, it stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        # "The limit" of the measure named before, as "its limit" is.
        ("We measure the p95 latency. The limit is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The threshold is 0.3 s.", {"p95 latency": 300.0}),
        (
            "We measure the throughput. The target is at least 20 requests a second.",
            {"throughput": 20.0},
        ),
        ("We count failed requests. The threshold: under 0.5%.", {"failed requests": 0.005}),
    ],
    ids=[
        "then-they",
        "and-it",
        "so-it",
        "in-each-run-they",
        "under-load-it",
        "then-in-each-run-it",
        "the-limit",
        "the-threshold-in-seconds",
        "the-target",
        "the-threshold-colon",
    ],
)
def test_a_sentence_referring_back_after_an_opener_or_as_the_limit_is_read(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The limit of the measure named before, in the run's place or time, or bounding it
        # the way the measure must stay: a latency's or a failure rate's upper limit, a
        # throughput's lower one.
        ("We measure the p95 latency. The limit in each run is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The limit for every run is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The limit, in each run, is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The upper limit is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The hard limit per run is 0.3 s.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The maximum is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The maximum allowed is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The ceiling is three hundred.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. In each run, the maximum is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. Its limit is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. Its ceiling is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. Our limit for it is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The target value is under 300 ms.", {"p95 latency": 300.0}),
        ("The p95 latency is what we watch; the maximum is 300 ms.", {"p95 latency": 300.0}),
        ("We track the error rate. The upper limit is 0.5%.", {"failed requests": 0.005}),
        (
            "We count failed requests. The maximum per run is half a percent.",
            {"failed requests": 0.005},
        ),
        ("We need throughput. The minimum is 20 requests per second.", {"throughput": 20.0}),
        ("We need throughput. The minimum is twenty.", {"throughput": 20.0}),
        ("We need throughput. The lower limit under load is 20.", {"throughput": 20.0}),
        ("We track the success rate. The minimum is 99.5%.", {"failed requests": 0.005}),
        ("We measure the p95 latency. Then the maximum is 300 ms.", {"p95 latency": 300.0}),
        # A bound the wrong way is no limit of the measure: its "it" may still come.
        (
            "We measure the p95 latency. The minimum is 50 ms. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We need throughput. The maximum is 50 requests per second. It must be at least 20.",
            {"throughput": 20.0},
        ),
    ],
    ids=[
        "the-limit-in-each-run",
        "the-limit-for-every-run",
        "the-limit-comma-in-each-run",
        "the-upper-limit",
        "the-hard-limit-per-run-in-seconds",
        "the-maximum",
        "the-maximum-allowed",
        "the-ceiling-in-words",
        "in-each-run-the-maximum",
        "its-limit",
        "its-ceiling",
        "our-limit-for-it",
        "the-target-value-under",
        "in-the-same-sentence",
        "the-upper-limit-of-the-error-rate",
        "the-maximum-per-run-of-the-failures",
        "the-minimum-throughput-named-by-its-unit",
        "the-minimum-throughput-bare",
        "the-lower-limit-under-load",
        "the-minimum-success-rate",
        "then-the-maximum",
        "a-minimum-latency-then-it",
        "a-maximum-throughput-then-it",
    ],
)
def test_a_sentence_naming_the_limit_in_other_words_gives_it_its_number(text, expected):
    """ "The upper limit", "the maximum", "the limit in each run": the limit of what the
    sentence before named, as "its limit" is."""
    assert values(prose(text)) == pytest.approx(expected)


def test_a_limit_named_in_other_words_says_no_comparison_and_quotes_both_sentences():
    found = testplan.thresholds(prose("We measure the p95 latency. The maximum is 300 ms."))
    assert found["p95 latency"].inclusive is None
    assert found["p95 latency"].quoted == "We measure the p95 latency. The maximum is 300 ms."


def test_a_threshold_split_across_two_sentences_quotes_both():
    found = testplan.thresholds(prose("We measure the p95 latency. It stays under 300 ms."))
    assert found["p95 latency"].quoted == "We measure the p95 latency. It stays under 300 ms."
    assert found["p95 latency"].inclusive is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # How long the test goes on ("runs for", "lasts", "ramps up over", "is held for") is
        # no limit of the measure, even in seconds; a later sentence still gives it its number.
        (
            "We measure the p95 latency. It runs for up to 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. The test runs for 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. Each run lasts up to 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. The test runs for 60 s. The limit is 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It ramps up over 30 s, and it holds for up to 60 s. "
            "It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It warms up for up to 30 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It is held for at most 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        # After a sentence about the test, "it takes" and "it lasts" are the test's too.
        (
            "The load test measures the p95 latency. It takes up to 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It lasts at most 60 s. The maximum is 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We count failed requests. The test runs for 60 s. They stay under 0.5%.",
            {"failed requests": 0.005},
        ),
        (
            "We need throughput. Each run lasts at least 60 s. The minimum is 20.",
            {"throughput": 20.0},
        ),
        # What a request takes is its latency: the request's, or a time in milliseconds.
        (
            "We measure the p95 latency. Each request takes under 300 ms at p95.",
            {"p95 latency": 300.0},
        ),
        ("We measure the p95 latency; each request takes under 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. It takes under 300 ms.", {"p95 latency": 300.0}),
        (
            "The load test measures the p95 latency. It takes under 300 ms per request.",
            {"p95 latency": 300.0},
        ),
        ("The load test measures the p95 latency. It takes up to 300 ms.", {"p95 latency": 300.0}),
        # The test's length in a clause, then the limit in a clause that refers back.
        (
            "We measure the p95 latency. The test runs for 60 s, and it stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. The run lasts one minute; it must stay under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. The run lasts one minute; the limit is 300 ms.",
            {"p95 latency": 300.0},
        ),
        # The limit and the run's length in one sentence, in words or in digits.
        ("p95 ≤ 0.3 s over a 60-second run.", {"p95 latency": 300.0}),
        ("p95 latency ≤ 0.3 s over a sixty-second run.", {"p95 latency": 300.0}),
        (
            "The p95 latency stays under 300 ms; the test runs for sixty seconds.",
            {"p95 latency": 300.0},
        ),
        (
            "The test runs for sixty seconds; the p95 latency stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "Each request must finish within 300 ms at p95; the run lasts one minute.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency; each request must finish within 300 ms, and the run "
            "lasts one minute.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It runs for sixty seconds. It stays under "
            "three hundred milliseconds.",
            {"p95 latency": 300.0},
        ),
    ],
    ids=[
        "it-runs-for-seconds",
        "the-test-runs-for-seconds",
        "each-run-lasts-seconds",
        "the-test-runs-then-the-limit",
        "it-ramps-up-and-holds",
        "it-warms-up",
        "it-is-held-for",
        "the-load-test-then-it-takes",
        "the-load-test-then-it-lasts",
        "the-failures-after-the-tests-length",
        "the-throughput-after-each-runs-length",
        "each-request-takes",
        "each-request-takes-in-a-clause",
        "it-the-latency-takes",
        "it-takes-per-request-after-the-test",
        "it-takes-milliseconds-after-the-test",
        "the-test-runs-then-it-in-a-clause",
        "the-run-lasts-then-it-must-in-a-clause",
        "the-run-lasts-then-the-limit-in-a-clause",
        "p95-at-most-seconds-over-a-run",
        "p95-at-most-seconds-over-a-run-in-words",
        "the-limit-then-the-runs-length-in-words",
        "the-runs-length-in-words-then-the-limit",
        "each-request-at-p95-then-the-runs-length",
        "each-request-in-a-clause-then-the-runs-length",
        "it-runs-for-then-the-limit-all-in-words",
    ],
)
def test_how_long_the_test_runs_is_no_limit_but_what_a_request_takes_is(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


# "It takes" or "it lasts" after a sentence that names both the test and the measure (or the
# measure alone) could be either's: a time no load test is as short as is a request's, one no
# latency limit is as long as is the run's, and in between "it" is what the grammar makes it.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A minute is the run's length, whatever "it" is, and leaves the limit to what follows.
        (
            "We measure the p95 latency of POST /bookings. It takes up to 60 s. "
            "It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It takes up to sixty seconds. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It should take up to 60 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency, and it takes up to 60 s. "
            "It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency of POST /bookings. It takes up to 60 s. "
            "It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It lasts a minute. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "We measure the p95 latency. It takes up to 2 minutes. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        # A fraction of a second is a request's, even after a sentence about the test.
        ("The load test measures the p95 latency. It takes up to 0.3 s.", {"p95 latency": 300.0}),
        (
            "The load test measures the p95 latency. It takes up to 0.3 seconds.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It takes up to zero point three seconds.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It must take at most 0.3 s.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It takes up to 0.3 s, and the run lasts 60 s.",
            {"p95 latency": 300.0},
        ),
        # Milliseconds are a request's unit, however many.
        (
            "The load test measures the p95 latency. It takes up to 1500 ms.",
            {"p95 latency": 1500.0},
        ),
        # At the bounds: a second is a request's; ten seconds the run's. In between, grammar:
        # "it" after the test is the test, after "we measure" the measure.
        ("The load test measures the p95 latency. It takes up to 1 s.", {"p95 latency": 1000.0}),
        (
            "The load test measures the p95 latency. It takes up to 1.5 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        ("We measure the p95 latency. It takes up to 9.5 s.", {"p95 latency": 9500.0}),
        (
            "We measure the p95 latency. It takes up to 10 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
        (
            "The load test measures the p95 latency. It takes up to 10 s. It stays under 300 ms.",
            {"p95 latency": 300.0},
        ),
    ],
    ids=[
        "we-measure-then-it-takes-a-minute",
        "we-measure-then-it-takes-sixty-seconds-in-words",
        "it-should-take-a-minute",
        "it-takes-a-minute-in-the-same-sentence",
        "the-load-test-then-it-takes-a-minute",
        "it-lasts-a-minute-in-words",
        "it-takes-minutes",
        "it-takes-a-fraction-of-a-second-after-the-test",
        "it-takes-a-fraction-of-a-second-spelt-out",
        "it-takes-a-fraction-of-a-second-in-words",
        "it-must-take-a-fraction-of-a-second",
        "it-takes-a-fraction-of-a-second-then-the-run-lasts",
        "it-takes-milliseconds-above-a-second",
        "exactly-one-second-is-a-requests",
        "just-over-a-second-after-the-test-is-the-tests",
        "just-under-ten-seconds-after-we-measure-is-the-latencys",
        "exactly-ten-seconds-after-we-measure-is-the-runs",
        "exactly-ten-seconds-after-the-test-is-the-runs",
    ],
)
def test_what_it_takes_is_the_runs_or_a_requests_by_how_long_it_is(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


def test_a_limit_after_the_tests_length_quotes_every_sentence_between():
    text = "We measure the p95 latency. The test runs for 60 s. It stays under 300 ms."
    found = testplan.thresholds(prose(text))
    assert found["p95 latency"].quoted == text
    assert found["p95 latency"].inclusive is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "The SLO" gives the measure named before a number in that measure's unit.
        ("We measure the p95 latency. The SLO is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. Our SLO in each run is 0.3 s.", {"p95 latency": 300.0}),
        ("We need throughput. Our SLO is twenty requests a second.", {"throughput": 20.0}),
        ("We track the error rate. The SLO is 0.5%.", {"failed requests": 0.005}),
        # The SLO of the failures as the share that succeeds: 99.5% lets 0.5% fail.
        ("We track the error rate. The SLO is at least 99.5%.", {"failed requests": 0.005}),
        ("We track the success rate. The SLO is 99.5%.", {"failed requests": 0.005}),
        # A short aside between commas says nothing of whose the limit is.
        ("We measure the p95 latency. The limit, of course, is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The limit, in practice, is 300 ms.", {"p95 latency": 300.0}),
        ("We measure the p95 latency. The maximum, as before, is 300 ms.", {"p95 latency": 300.0}),
        (
            "We count failed requests. The limit, for now, stays under 0.5%.",
            {"failed requests": 0.005},
        ),
        ("We measure the p95 latency. The SLO, of course, is 300 ms.", {"p95 latency": 300.0}),
    ],
    ids=[
        "the-slo-in-ms",
        "our-slo-in-each-run-in-seconds",
        "our-slo-a-rate-in-words",
        "the-slo-of-the-failures",
        "the-slo-of-the-failures-as-availability",
        "the-slo-of-the-success-rate",
        "the-limit-of-course",
        "the-limit-in-practice",
        "the-maximum-as-before",
        "the-limit-for-now",
        "the-slo-of-course",
    ],
)
def test_the_slo_or_a_limit_with_an_aside_gives_the_measure_its_number(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A number in another measure's unit is not the latency's, whatever "it" is.
        ("We measure the p95 latency. It stays under 0.5%.", {}),
        ("We measure the p95 latency. It stays under 20 req/s.", {"throughput": 20.0}),
        # A condition of the run compares nothing: 60 s is no limit.
        ("We measure the p95 latency. It runs for 60 s.", {}),
        ("We measure the p95 latency. It runs for at least 60 s.", {}),
        # "It" is the measure of the sentence just before, and of no other.
        ("We measure the p95 latency. The run is short. It lasts under 60 s.", {}),
        ("We measure the p95 latency.\n\n| a | b |\n| - | - |\n\nIt stays under 300 ms.", {}),
        # Two measures without a number: "it" could be either, so it is neither.
        ("We measure the p95 latency and the error rate. It stays under 300.", {}),
        # A measure whose number is stated already is not what a later "it" refers to.
        (
            "The p95 latency stays under 300 ms. It is 250 ms today, at most 400 ms on Fridays.",
            {"p95 latency": 300.0},
        ),
        # A p99 is no p95, in two sentences as in one; "that" inside a sentence refers to nothing.
        ("We measure the p99 latency. It stays under 300 ms.", {}),
        ("We measure the p95 latency. Note that the run lasts under 60 s.", {}),
        # An opener before no pronoun, or a phrase about something else: the run, the warm-up.
        ("We measure the p95 latency. Then the run lasts under 60 s.", {}),
        ("We measure the p95 latency. For the warm-up, it stays under 500 ms.", {}),
        ("We measure the p95 latency. Then it runs for up to 10 minutes.", {}),
        ("We measure the p95 latency. And that is why we run it.", {}),
        # "The limit" of the test, of another thing, or in another unit is not the latency's.
        ("We measure the p95 latency. The test limit is 10 minutes.", {}),
        ("We measure the p95 latency. The limit is 10 minutes.", {}),
        ("We measure the p95 latency. The limit is 0.5%.", {}),
        ("We measure the p95 latency. The target of the warm-up stays under 500 ms.", {}),
        ("We measure the p95 latency and the error rate. The limit is 300.", {}),
        ("We measure the p95 latency. The limit for throughput is 20 req/s.", {"throughput": 20.0}),
        # A limit of another thing: of the warm-up, the ramp-up's, the test's, whatever its unit.
        ("We measure the p95 latency. The target of the warm-up is 2 minutes.", {}),
        ("We measure the p95 latency. The limit of the ramp-up is 50 users.", {}),
        ("We measure the p95 latency. The limit of the warm-up is 500 ms.", {}),
        ("We measure the p95 latency. The upper limit of the warm-up is 500 ms.", {}),
        ("We measure the p95 latency. The limit for the warm-up is 500 ms.", {}),
        ("We measure the p95 latency. The limit for the test is 60 s.", {}),
        ("We measure the p95 latency. The limit of one run is 60 s.", {}),
        ("We measure the p95 latency. The ramp-up's limit is 300 ms.", {}),
        ("We measure the p95 latency. The warm-up limit is 500 ms.", {}),
        ("We measure the p95 latency. The target latency for the warm-up stays under 500 ms.", {}),
        ("We measure the p95 latency. The limit, for the warm-up, stays under 500 ms.", {}),
        # The run's limit in another unit: its length, its users.
        ("We measure the p95 latency. The maximum in each run is 10 minutes.", {}),
        ("We measure the p95 latency. The maximum is 50 users.", {}),
        # A bound the wrong way: a latency's or failures' floor, a throughput's ceiling.
        ("We measure the p95 latency. The minimum is 300 ms.", {}),
        ("We measure the p95 latency. The lower limit is 300 ms.", {}),
        ("We track the error rate. The floor is 0.5%.", {}),
        ("We need throughput. The maximum is twenty.", {}),
        ("We need throughput. The upper limit in each run is 20.", {}),
        ("We need throughput. The maximum is 20 requests per second.", {}),
        ("We measure the p95 latency. Then, for the warm-up, the maximum is 500 ms.", {}),
        ("We track the success rate. The maximum is 99.5%.", {}),
        # The test's length gives the measure no number, nor lets another limit through.
        ("We measure the p95 latency. It runs for up to 60 s.", {}),
        ("We measure the p95 latency. The test runs for up to 60 s.", {}),
        (
            "We measure the p95 latency. The test runs for 60 s. It stays under 500 ms.",
            {"p95 latency": 500.0},
        ),
        ("We measure the p95 latency and the error rate. The test runs for 60 s. It is 300.", {}),
        # "It takes" a minute is the run's, whatever the sentence before; a fraction of a
        # second a request's, so a wrong one is still read (and refused); a verb or a subject
        # that only the test can have is the test's, whatever the number.
        ("The load test measures the p95 latency of POST /bookings. It takes up to 60 s.", {}),
        ("We measure the p95 latency of POST /bookings. It takes up to 60 s.", {}),
        ("We measure the p95 latency. It should take up to 60 s.", {}),
        ("The load test measures the p95 latency, and it takes up to 60 s.", {}),
        ("We measure the p95 latency. It takes up to 10 s.", {}),
        ("The load test measures the p95 latency. It takes up to 1.5 s.", {}),
        (
            "The load test measures the p95 latency. It takes up to 0.5 s. It stays under 300 ms.",
            {"p95 latency": 500.0},
        ),
        ("The load test measures the p95 latency. It runs for 0.3 s.", {}),
        ("The load test measures the p95 latency. The test takes up to 0.3 s.", {}),
        # After the test's length, only a clause that refers back is the measure's.
        ("We measure the p95 latency. The test runs for 60 s, with a think time under 500 ms.", {}),
        ("We measure the p95 latency. The test runs for 60 s, and it ramps up within 10 s.", {}),
        (
            "We measure the p95 latency and the error rate. The test runs for 60 s, and it "
            "stays under 300 ms.",
            {},
        ),
        # A limit's subject states a limit, whatever its number: 60 s may be the run's length
        # or a (wrong) latency, and reading it as the latency's refuses the plan quoting it.
        (
            "We measure the p95 latency. The maximum in each run is 60 s. It stays under 300 ms.",
            {"p95 latency": 60000.0},
        ),
        # "The SLO" takes only a number in the measure's unit; of the failures, a share over
        # half is the share that succeeds; "the limit" of them is theirs, whatever its number.
        ("We measure the p95 latency. The SLO is 300.", {}),
        ("We measure the p95 latency. The SLO is 0.5%.", {}),
        ("We measure the p95 latency. The SLO is 10 minutes.", {}),
        ("We measure the p95 latency. The SLO of the warm-up is 300 ms.", {}),
        ("We need throughput. The SLO is 300 ms.", {}),
        ("We need throughput. The SLO is 20.", {}),
        ("We track the error rate. The SLO is 300 ms.", {}),
        ("We track the error rate. The SLO is 99%.", {"failed requests": 0.01}),
        ("We track the error rate. The limit is 99.5%.", {"failed requests": 0.995}),
        # An aside that is another thing's, or no aside: not the measure's limit.
        ("We measure the p95 latency. The limit, of course, is 10 minutes.", {}),
        ("We measure the p95 latency. The limit, of the warm-up, is 500 ms.", {}),
        ("We measure the p95 latency. The minimum, of course, is 300 ms.", {}),
    ],
    ids=[
        "a-percentage",
        "a-rate",
        "a-duration",
        "a-duration-at-least",
        "not-the-sentence-before",
        "a-table-between",
        "two-measures-named",
        "already-stated",
        "p99",
        "that-as-a-conjunction",
        "an-opener-before-the-run",
        "an-opener-about-the-warm-up",
        "then-it-the-test",
        "and-that-is-why",
        "the-test-limit-in-minutes",
        "the-limit-in-minutes",
        "the-limit-as-a-percentage",
        "the-target-of-the-warm-up",
        "the-limit-after-two-measures",
        "the-limit-of-another-measure",
        "the-target-of-the-warm-up-in-minutes",
        "the-limit-of-the-ramp-up-in-users",
        "the-limit-of-the-warm-up-in-ms",
        "the-upper-limit-of-the-warm-up",
        "the-limit-for-the-warm-up",
        "the-limit-for-the-test-in-seconds",
        "the-limit-of-one-run-in-seconds",
        "the-ramp-ups-limit",
        "the-warm-up-limit",
        "the-target-latency-for-the-warm-up",
        "the-limit-comma-for-the-warm-up",
        "the-maximum-in-each-run-in-minutes",
        "the-maximum-in-users",
        "a-latencys-minimum",
        "a-latencys-lower-limit",
        "a-failure-rates-floor",
        "a-throughputs-maximum",
        "a-throughputs-upper-limit",
        "a-throughputs-maximum-named-by-its-unit",
        "then-for-the-warm-up-the-maximum",
        "a-success-rates-maximum",
        "it-runs-for-seconds-alone",
        "the-test-runs-for-seconds-alone",
        "another-limit-after-the-tests-length",
        "the-tests-length-after-two-measures",
        "the-load-test-then-it-takes-a-minute-alone",
        "we-measure-then-it-takes-a-minute-alone",
        "it-should-take-a-minute-alone",
        "it-takes-a-minute-in-the-same-sentence-alone",
        "it-takes-ten-seconds-alone",
        "it-takes-just-over-a-second-after-the-test-alone",
        "another-latency-in-seconds-then-the-limit",
        "it-runs-for-a-fraction-of-a-second",
        "the-test-takes-a-fraction-of-a-second",
        "the-runs-length-then-a-clause-of-another-thing",
        "the-runs-length-then-it-ramps-up",
        "the-runs-length-then-it-after-two-measures",
        "the-maximum-in-each-run-in-seconds",
        "the-slo-bare",
        "the-slo-of-the-latency-as-a-percentage",
        "the-slo-in-minutes",
        "the-slo-of-the-warm-up",
        "the-slo-of-the-throughput-in-ms",
        "the-slo-of-the-throughput-bare",
        "the-slo-of-the-failures-in-ms",
        "the-slo-of-the-failures-another-availability",
        "the-limit-of-the-failures-over-half",
        "the-limit-of-course-in-minutes",
        "the-limit-comma-of-the-warm-up",
        "a-latencys-minimum-of-course",
    ],
)
def test_a_sentence_after_a_measure_gives_it_only_its_own_limit(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


def test_a_thresholds_sentence_keeps_its_comparison_and_is_quoted():
    found = testplan.thresholds(prose("Throughput: the service serves at least 20 req/s."))
    assert found["throughput"].inclusive is True
    assert found["throughput"].quoted == "Throughput: the service serves at least 20 req/s."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A p99 is no p95; nor is a latency of no percentile.
        ("The p99 latency stays under 300 ms.", {}),
        ("Latency stays under 300 ms for every request.", {}),
        ("The p95 latency stays under 1 s, and the p99 under 300 ms.", {"p95 latency": 1000.0}),
        # A rate beside the failures is the throughput's, not the failures'.
        (
            "Under 1% of requests fail at 20 requests a second.",
            {"failed requests": 0.01, "throughput": 20.0},
        ),
        ("A bare half: the error rate stays under 0.5.", {"failed requests": 0.5}),
        # A table's row wins over a sentence about the same measure.
        (
            "| Measure | Threshold |\n| --- | --- |\n| p95 latency | under 200 ms |\n\n"
            "We aim for a p95 latency under 300 ms.",
            {"p95 latency": 200.0},
        ),
        # The template's guidance and a note without a measure state nothing.
        (
            "> The pass/fail numbers. Take them from the SLO document.\n\n"
            "`tests/load/slo.py` asserts exactly these numbers; the run takes 60 s.",
            {},
        ),
    ],
    ids=[
        "p99",
        "latency-of-no-percentile",
        "p95-then-p99",
        "a-rate-beside-the-failures",
        "a-bare-half-is-not-a-percent",
        "a-row-wins",
        "guidance-and-notes",
    ],
)
def test_a_sentence_for_another_measure_is_not_the_threshold(text, expected):
    assert values(prose(text)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (
            "| p95 latency | Throughput | Failed requests |",
            "| under 300 ms | at least 20 req/s | under 0.5% |",
        ),
        # A first column that names each row: the thresholds' row, not the last run's.
        (
            "| | p95 latency (ms) | Throughput (req/s) | Error rate (%) |",
            "| Last run | 120 | 35 | 0.1 |\n| Threshold | < 300 | >= 20 | < 0.5 |",
        ),
        ("| p(95) | http_reqs | http_req_failed |", "| < 0.3 s | 1,200 a minute | < 1 in 200 |"),
    ],
    ids=["one-row-of-thresholds", "a-row-named-threshold", "k6-names"],
)
def test_a_table_turned_sideways_is_read_by_its_columns(header, rows):
    assert values(plan(rows, header)) == pytest.approx(MODEL_SLO)


def test_a_sideways_table_of_measured_values_holds_no_threshold():
    rows = "| GET /rooms | 120 ms | 35 req/s | 0.1% |\n| POST /bookings | 180 ms | 12 req/s | 0% |"
    found = testplan.thresholds(plan(rows, "| Endpoint | p95 | Throughput | Errors |"))
    assert found == {}


def test_a_sideways_table_keeps_each_threshold_with_its_comparison():
    text = plan("| under 300 ms | at least 20 req/s | ≤ 0.5% |", "| p95 | RPS | Errors |")
    found = testplan.thresholds(text)
    assert [found[measure].inclusive for measure in MODEL_SLO] == [False, True, True]
    assert found["p95 latency"].quoted == "p95 | under 300 ms"


@pytest.mark.parametrize(
    ("row", "inclusive"),
    [
        ("| Success rate | at least 99.5% | all |", True),
        ("| Successful requests | ≥ 99.5 % | all |", True),
        ("| Success rate (non-5xx) | above 99.5% | all |", False),
        ("| Requests that succeed | more than 995 in 1,000 | all |", False),
        ("| Success rate | 99.5% | all |", None),
        # A success rate as a fraction, and an availability SLO counted in requests.
        ("| Success rate | at least 0.995 | all |", True),
        ("| Availability | at least 99.5% | all |", True),
        ("| Availability | > 0.995 | all |", False),
    ],
    ids=[
        "at-least",
        "a-sign",
        "non-5xx-above",
        "in-a-thousand",
        "no-comparison",
        "a-fraction",
        "availability",
        "availability-as-a-fraction",
    ],
)
def test_a_success_rate_stands_for_the_failed_requests(row, inclusive):
    found = testplan.thresholds(plan(row))["failed requests"]
    assert found.value == pytest.approx(0.005)
    assert found.inclusive is inclusive


def test_a_failed_requests_row_wins_over_a_success_rate():
    rows = "| Success rate | at least 99% | all |\n| Failed requests | under 0.5% | all |"
    assert values(plan(rows))["failed requests"] == pytest.approx(0.005)


def test_an_availability_of_another_number_is_another_failed_requests_threshold():
    found = testplan.thresholds(plan("| Availability | 99.9% | all |"))["failed requests"]
    assert found.value == pytest.approx(0.001)


def test_an_unsuccessful_requests_row_is_not_a_success_rate():
    found = testplan.thresholds(plan("| Unsuccessful requests | under 0.5% | all |"))
    assert found["failed requests"].value == pytest.approx(0.005)
    assert found["failed requests"].inclusive is False


@pytest.mark.parametrize(
    ("measure", "threshold", "inclusive"),
    [
        ("p95 latency", "under 300 ms", False),
        ("p95 latency", "below 0.3 s", False),
        ("p95 latency", "less than 300 ms", False),
        ("p95 latency", "p(95)<300", False),
        ("p95 latency", "95% of requests under 300 ms", False),
        ("p95 latency", "≤ 300 ms", True),
        ("p95 latency", "<= 300 ms", True),
        ("p95 latency", "at most 300 ms", True),
        ("p95 latency", "no more than three hundred milliseconds", True),
        ("p95 latency", "up to 300 ms", True),
        ("p95 latency", "95% of requests within 300 ms", True),
        ("p95 latency", "less than or equal to 300 ms", True),
        ("p95 latency", "at or below 300 ms", True),
        ("p95 latency", "300 ms or less", True),
        ("p95 latency", "must not exceed 300 ms", True),
        ("throughput", "at least 20 req/s", True),
        ("throughput", ">= 20", True),
        ("throughput", "no fewer than 20 requests a second", True),
        ("throughput", "20 req/s or more", True),
        ("throughput", "more than 20 req/s", False),
        ("throughput", "> 20 rps", False),
        ("throughput", "above twenty requests a second", False),
        ("failed requests", "below 1 %", False),
        ("failed requests", "fewer than 1 in 200", False),
        ("failed requests", "at most 0.5%", True),
        ("failed requests", "≤ 0.5%", True),
        # Nothing said, or both ways, or words that name a duration or a condition, not a limit.
        ("p95 latency", "300 ms", None),
        ("p95 latency", "max 300 ms", None),
        ("p95 latency", "300 ms under load", None),
        ("p95 latency", "under 300 ms, at most 300 ms on staging", None),
        ("p95 latency", "fail if above 300 ms", None),
        ("throughput", "20 req/s over a 5 minute run", None),
        ("throughput", "20 req/s sustained over 5 minutes", None),
        ("throughput", "min 20 req/s", None),
        # A limit called exclusive or inclusive; "inclusive of" names what is counted.
        ("p95 latency", "300 ms (exclusive)", False),
        ("p95 latency", "300 ms, inclusive", True),
        ("throughput", "20 req/s (inclusive)", True),
        ("failed requests", "0.5% exclusive", False),
        ("p95 latency", "under 300 ms, inclusive of network time", False),
    ],
)
def test_the_comparison_is_read_from_the_thresholds_words(measure, threshold, inclusive):
    assert testplan.inclusive(measure, threshold) is inclusive


@pytest.mark.parametrize(
    ("row", "measure", "value", "inclusive"),
    [
        ("| Latency | p99 ≤ 1 s, p95 < 300 ms | all |", "p95 latency", 300.0, False),
        ("| Latency | p95 under 300 ms; p99 at most 1 s | all |", "p95 latency", 300.0, False),
        # A p99 of the model's number does not stand for a p95 of another.
        ("| Latency | p99 < 300 ms, p95 < 500 ms | all |", "p95 latency", 500.0, False),
        ("| Throughput | over 60 s, at least 20 req/s | all |", "throughput", 20.0, True),
        (
            "| Failed requests | over a 60 s run, under 0.5% | all |",
            "failed requests",
            0.005,
            False,
        ),
        (
            "| Failed requests | in 60 s; fewer than 1 in 200 | all |",
            "failed requests",
            0.005,
            False,
        ),
        ("| Success rate | for a 60 s run, at least 99.5% | all |", "failed requests", 0.005, True),
        # A comma inside a number splits nothing.
        ("| Throughput | at least 1,200 requests a minute | all |", "throughput", 20.0, True),
        ("| Failed requests | under 0,5 % | all |", "failed requests", 0.005, False),
    ],
    ids=[
        "p99-then-p95",
        "p95-then-p99",
        "the-p95-not-the-p99",
        "a-duration-then-the-rate",
        "a-duration-then-the-share",
        "a-duration-then-one-in-so-many",
        "a-duration-then-the-success-rate",
        "thousands-comma",
        "decimal-comma",
    ],
)
def test_a_threshold_beside_other_numbers_is_read_from_its_own_clause(
    row, measure, value, inclusive
):
    found = testplan.thresholds(plan(row))[measure]
    assert found.value == pytest.approx(value)
    assert found.inclusive is inclusive


@pytest.mark.parametrize(
    "headings",
    [
        [f"## {number}. {name}" for number, name in enumerate(testplan.SECTIONS, start=1)],
        [f"## {name.upper()}" for name in testplan.SECTIONS],
        [
            "## Scope",
            "## Test levels",
            "## SLO thresholds for load tests (agreed with the SLO owner)",
            "## Environments & test data",
            "## Who runs what and when",
            "## Entry and exit criteria",
            "## Risks:",
        ],
    ],
    ids=["numbered", "upper-case", "and-as-ampersand-and-punctuation"],
)
def test_the_templates_sections_under_another_spelling_are_found(headings):
    text = "\n\n".join(f"{heading}\n\nText." for heading in headings)
    assert testplan.missing_sections(text) == []


def test_a_missing_section_is_still_missing():
    text = "\n\n".join(f"## {name}\n\nText." for name in testplan.SECTIONS[:-1])
    assert testplan.missing_sections(text) == ["Risks"]


def setext_plan(underline: str = "\n") -> str:
    """A plan whose title and sections are Setext headings; `underline` goes between each
    section's title and its `---` (a blank line makes the `---` a thematic break)."""
    sections = "\n\n".join(
        f"{name}{underline}{'-' * len(name)}\n\nText."
        for name in testplan.SECTIONS
        if name != testplan.THRESHOLDS_SECTION
    )
    thresholds = plan("| p95 latency | under 300 ms | all |").replace(
        f"## {testplan.THRESHOLDS_SECTION}\n",
        f"{testplan.THRESHOLDS_SECTION}{underline}{'-' * len(testplan.THRESHOLDS_SECTION)}\n",
    )
    return f"Test plan\n=========\n\n{sections}\n\n{thresholds}"


def test_setext_sections_and_thresholds_are_read():
    """`Risks` underlined with `---` is CommonMark's other way to write `## Risks`."""
    assert "\n## " not in setext_plan()
    assert testplan.missing_sections(setext_plan()) == []
    assert values(setext_plan()) == {"p95 latency": 300.0}


def test_a_thematic_break_under_a_blank_line_makes_no_section():
    assert testplan.missing_sections(setext_plan("\n\n")) == list(testplan.SECTIONS)


@pytest.mark.parametrize(
    ("row", "measure", "expected"),
    [
        ("| p95 latency | under 200 ms | all |", "p95 latency", 200.0),
        ("| Throughput | at least 600 requests a minute | all |", "throughput", 10.0),
        ("| Failed requests | under 1 per cent | all |", "failed requests", 0.01),
        ("| Failed requests | under 0.5 | all |", "failed requests", 0.5),
        ("| p99 latency | under 300 ms | all |", "p95 latency", None),
        # A unit in brackets elsewhere does not make another number the same one.
        ("| p95 latency | 300 s (300 ms) | all |", "p95 latency", 300_000.0),
        ("| Failed requests | 0.5 (0.5%) | all |", "failed requests", 0.5),
        ("| Throughput | 20 a minute (20 req/s) | all |", "throughput", 20 / 60),
        ("| Throughput | 20k req/s | all |", "throughput", 20_000.0),
        # A number in words is all its words: not the first of them.
        ("| p95 latency | under six hundred milliseconds | all |", "p95 latency", 600.0),
        ("| Throughput | at least twenty-five requests a second | all |", "throughput", 25.0),
        ("| Throughput | at least sixty requests a second | all |", "throughput", 60.0),
        ("| Failed requests | fewer than one in a thousand | all |", "failed requests", 0.001),
    ],
    ids=[
        "other-latency",
        "other-rate",
        "other-share",
        "a-bare-half-is-not-a-percent",
        "p99",
        "seconds-beside-milliseconds",
        "a-fraction-beside-a-percent",
        "a-minute-beside-a-second",
        "thousands",
        "six-hundred-in-words",
        "twenty-five-in-words",
        "sixty-in-words",
        "one-in-a-thousand-in-words",
    ],
)
def test_another_number_stays_another_number(row, measure, expected):
    assert values(plan(row)).get(measure) == expected


def test_a_measured_value_beside_a_wrong_threshold_is_not_the_threshold():
    text = plan(
        "| p95 latency | 300 ms | under 200 ms |", "| Measure | Measured value | Threshold |"
    )
    assert values(text)["p95 latency"] == 200.0


def test_a_unit_in_brackets_after_a_label_does_not_rescale_another_rows_number():
    text = plan(
        "| failed requests (%) | 0.005 |\n| p95 latency (ms) | 0.3 |", "| Measure | Limit |"
    )
    assert values(text) == {"failed requests": 0.00005, "p95 latency": 0.3}


def test_a_threshold_left_open_is_not_read_from_another_column():
    text = plan("| Throughput | to be agreed | 20 users |")
    assert values(text)["throughput"] is None


def test_without_a_threshold_column_the_cell_with_a_number_is_the_threshold():
    text = plan(
        "| p95 latency | all requests | under 300 ms |", "| Measure | Applies to | Pass if |"
    )
    assert values(text)["p95 latency"] == 300.0


def test_an_availability_of_99_95_percent_is_not_the_p95():
    text = plan("| Availability | 99.95% | all |\n| p95 latency | under 300 ms | all |")
    assert values(text)["p95 latency"] == 300.0


def test_a_reference_link_is_not_a_placeholder():
    text = (
        "## Risks\n\nSee the [TSD][tsd] and [Staging]; owner: [name].\n\n"
        "[tsd]: docs/tsd.md\n[staging]: https://staging.example.com\n"
    )
    assert testplan.placeholders(text) == ["[name]"]


def test_a_footnote_is_not_a_placeholder():
    text = "## Risks\n\nStaging is smaller than production.[^1]\n\n[^1]: 40 rooms, not 400.\n"
    assert testplan.placeholders(text) == []
    assert testplan.placeholders("## Risks\n\n[risk]\n") == ["[risk]"]
