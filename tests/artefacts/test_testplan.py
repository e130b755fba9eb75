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
    ],
    ids=["target-column-last", "lower-case-header", "unit-column"],
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


@pytest.mark.parametrize(
    ("row", "measure", "expected"),
    [
        ("| p95 latency | under 200 ms | all |", "p95 latency", 200.0),
        ("| Throughput | at least 600 requests a minute | all |", "throughput", 10.0),
        ("| Failed requests | under 1 per cent | all |", "failed requests", 0.01),
        ("| Failed requests | under 0.5 | all |", "failed requests", 0.5),
        ("| p99 latency | under 300 ms | all |", "p95 latency", None),
    ],
    ids=["other-latency", "other-rate", "other-share", "a-bare-half-is-not-a-percent", "p99"],
)
def test_another_number_stays_another_number(row, measure, expected):
    assert values(plan(row)).get(measure) == expected


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


def test_a_footnote_is_not_a_placeholder():
    text = "## Risks\n\nStaging is smaller than production.[^1]\n\n[^1]: 40 rooms, not 400.\n"
    assert testplan.placeholders(text) == []
    assert testplan.placeholders("## Risks\n\n[risk]\n") == ["[risk]"]
