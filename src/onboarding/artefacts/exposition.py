"""What a service serves at `/metrics`: Prometheus' text exposition format, or OpenMetrics.

`parse(text)` reads a scrape into metric families, keyed by family name (a counter's family is
`http_requests`; its samples are `http_requests_total`), with plain dicts for labels, so that a
check can ask what was counted under which labels without knowing how the scrape was written.
Both formats are read by prometheus_client's own parsers: a scrape that Prometheus would reject
is rejected here too, with the line that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from onboarding.protocol import shorten

OPENMETRICS_END = "# EOF"
"""The last line of an OpenMetrics scrape; the Prometheus text format has none."""


class ExpositionError(ValueError):
    """The text is not a scrape Prometheus could read; the message says which line is wrong."""


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class Family:
    name: str
    type: str
    """counter, gauge, histogram, summary, info, stateset, gaugehistogram or unknown."""
    samples: tuple[Sample, ...] = field(default_factory=tuple)

    def label_names(self, suffix: str = "") -> set[str]:
        """The label names its samples use (for the samples ending in `suffix`), `le` left out."""
        names: set[str] = set()
        for sample in self.samples:
            if sample.name.endswith(suffix):
                names |= set(sample.labels) - {"le"}
        return names

    def samples_named(self, suffix: str) -> Iterator[Sample]:
        return (sample for sample in self.samples if sample.name.endswith(suffix))


def is_openmetrics(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and lines[-1].strip() == OPENMETRICS_END


def parse(text: str) -> dict[str, Family]:
    """Every metric family of a scrape, by name; ExpositionError for text Prometheus rejects."""
    if is_openmetrics(text):
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families
    try:
        return _families(text_string_to_metric_families(text))
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise ExpositionError(_where(text, error)) from None


def _families(found: Iterable) -> dict[str, Family]:
    families: dict[str, Family] = {}
    for family in found:
        samples = tuple(
            Sample(sample.name, dict(sample.labels), float(sample.value))
            for sample in family.samples
        )
        if family.name in families:  # the text format may repeat a family; Prometheus merges
            earlier = families[family.name]
            samples = earlier.samples + samples
        families[family.name] = Family(family.name, family.type, samples)
    return families


def _where(text: str, error: Exception) -> str:
    """The parser's complaint, with the first line it cannot read when that can be found."""
    from prometheus_client.parser import text_string_to_metric_families

    if not is_openmetrics(text):
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                list(text_string_to_metric_families(line + "\n"))
            except (ValueError, TypeError, KeyError, IndexError):
                return f"line {number} is not in Prometheus' text format: {shorten(line, 60)}"
    return f"not in Prometheus' text format: {shorten(str(error), 80)}"
