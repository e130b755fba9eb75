"""Reading a test plan (templates/test-plan.md): its sections, and its SLO thresholds as numbers.

The thresholds table of `## SLO thresholds for load tests` has a row per measure (or, written as
a list, an item per measure). A row is found by what it measures (p95 latency, throughput, failed
requests), its threshold in the column that says so ("Threshold", "Target", "Limit"…), and the
threshold is read as people write it: "under 300 ms", "0.3 s", "95th percentile under 300 ms",
"at least 20 requests a second", "twenty req/s", "1,200 requests a minute", "1.2k requests a
minute", "under 0.5%", "0.5 per cent", "0,5 %", "0.005", "half a percent", "1 in 200". Its unit
is the one written after the number ("0.3 s (300 ms)", "0.005 (0.5%)"), or else the one in
brackets in the row's label or the column's header ("p95 latency (ms)", "Threshold (%)").

A table may also stand sideways, a column per measure and a row of thresholds; a success-rate
or availability row ("at least 99.5% of requests succeed") stands for the failed requests' (at
most 0.5%) when the plan has no row of those. A threshold whose words hold other numbers is read
from its own clause ("p99 under 1 s, p95 under 300 ms"; "over 60 s, at least 20 req/s").
Whether the limit itself passes is read from the threshold's words ("under 300 ms" no, "at most
300 ms" yes) when they say it.

A measure that no row states may be stated in a sentence: "The p95 latency stays under 300 ms,
the service serves at least twenty requests a second, and fewer than 0.5% of requests fail."
Each clause that names a measure gives it the number in that measure's unit, never a number in
another's ("20 users", "60 s", "20 req/s" beside a latency). A measure named without a number
may take it from the next sentence when that one opens on "it", "this" or "they", perhaps after
"Then" or "In each run,", or on its limit ("the limit", "the upper limit in each run", "the
maximum", "the SLO" with a number in the measure's unit; for a throughput "the minimum"): "We
measure the p95 latency. It stays under 300 ms."; "We measure the p95 latency. The maximum is
300 ms." A sentence on how long the test goes on ("It runs for up to 60 s", "The test lasts
60 s") states no limit, and leaves the measure to the sentence after it, or to a later clause
that refers back ("The test runs for 60 s, and it stays under 300 ms"). What "it" takes or
lasts is the test's length when no request takes that long ("It takes up to 60 s"), a
request's latency when no test is that short ("It takes up to 0.3 s"), and in between the
test's only after a sentence about the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onboarding.artefacts import markdown
from onboarding.artefacts.quantities import NUMBER_WORDS, value_of_words

SECTIONS = (
    "Scope",
    "Test levels",
    "SLO thresholds for load tests",
    "Environments and test data",
    "Who runs what, and when",
    "Entry and exit criteria",
    "Risks",
)
THRESHOLDS_SECTION = "SLO thresholds for load tests"

MEASURES = {
    # "p95", "P95", k6's "p(95)", "95th percentile", "95th-percentile", "95th pct", "95%".
    "p95 latency": re.compile(
        r"\bp\s*95\b|\bp\s*\(\s*95\s*\)|(?<![\d.])95(th)?[\s-]*(percentile|pctl?\b|%)",
        re.IGNORECASE,
    ),
    "throughput": re.compile(
        r"throughput|requests?\s*(a|per|/)\s*s(ec(ond)?)?\b|req/s|\b[rq]ps\b|request\s*rate"
        r"|per\s*second|\bhttp_reqs\b",  # k6's count of requests, whose `rate` is per second
        re.IGNORECASE,
    ),
    "failed requests": re.compile(r"fail|error|unsuccessful|\b5xx\b", re.IGNORECASE),
}
"""What each measure's row says in its Measure cell (or, failing that, anywhere in the row)."""

_NUMBER = re.compile(
    r"(?<![\w.,])(?:(?P<grouped>[1-9]\d{0,2}(?:,\d{3})+(?!\d)(?:\.\d+)?)"
    r"|(?P<plain>\d+(?:[.,]\d+)?(?![\dx]*x\b)|\.\d+))",
    re.IGNORECASE,
)
"""A number as written: "1,200" (a comma before each three digits groups thousands), "0.5",
".5", or "0,5" (any other comma is a decimal comma, as much of Europe writes it). Not the 5 of
"5xx", a class of HTTP statuses."""
_THOUSANDS = re.compile(r"k(?![\w%])", re.IGNORECASE)
"""The k of "1.2k requests a minute"."""
_HALF_OF_ONE = re.compile(r"\bhalf\s+(?:of\s+)?(?:a|one)\b", re.IGNORECASE)
"""The half of "half a percent" or "under half of one percent": a number in itself."""
_WORD_NUMBER = re.compile(f"{_HALF_OF_ONE.pattern}|{NUMBER_WORDS.pattern}", re.IGNORECASE)
"""A number in words: "twenty", "three hundred", "twenty-five", "zero point five"."""


@dataclass(frozen=True)
class Threshold:
    """One measure's threshold as the plan states it, in the unit the load test uses."""

    measure: str
    value: float | None
    """Milliseconds for latency, requests a second for throughput, a fraction for failures;
    None when the row states no number that can be read."""
    quoted: str
    """The row as written, for a message that quotes it."""
    inclusive: bool | None = None
    """Whether a value exactly at the limit passes ("at most 300 ms", "at least 20 req/s"), or
    not ("under 300 ms", "more than 20 req/s"); None when the words do not say ("300 ms")."""


def missing_sections(text: str) -> list[str]:
    """The template's sections the plan does not have.

    A heading names its section however it is numbered, cased or punctuated:
    `## 4. Environments & test data` is the template's `## Environments and test data`.
    """
    present = {_section_key(heading) for heading, _ in markdown.sections(text)}
    return [name for name in SECTIONS if _section_key(name) not in present]


def _section_key(heading: str) -> str:
    """A heading's key as every section reader has it (no number, note in brackets or letter
    case), and also without punctuation, with `&` read as "and"."""
    words = markdown.heading_key(heading)
    return " ".join(re.sub(r"[^\w\s]", " ", words.replace("&", " and ")).split())


def _section_body(text: str, name: str) -> str | None:
    key = _section_key(name)
    return next(
        (body for heading, body in markdown.sections(text) if _section_key(heading) == key), None
    )


def placeholders(text: str) -> list[str]:
    """The `[bracketed placeholders]` left from the template, outside its <details> examples."""
    visible = "\n".join(markdown.markdown_lines(markdown.DETAILS_BLOCK.sub("", text)))
    return markdown.placeholders(visible, markdown.link_labels(visible))


_LINK_DEFINITION = re.compile(r"^ {0,3}\[([^\[\]\n]+)\]:", re.MULTILINE)
"""A reference link's definition: `[tsd]: docs/tsd.md`."""


THRESHOLD_COLUMN = re.compile(r"threshold|target|limit|objective|goal|\bslo\b|pass", re.I)
"""The header of the column that holds the thresholds; without one, the column after the label."""
WEAK_THRESHOLD_COLUMN = re.compile(r"value|\bmax|\bmin", re.IGNORECASE)
"""A header that may name the thresholds' column when none says so plainly: "Value" does, but
"Measured value" beside a "Threshold" column does not."""
LABEL_COLUMN = re.compile(r"measure|metric|\bsli\b|indicator|\bkpi\b|\bwhat\b", re.IGNORECASE)
"""The header of the column that names each row's measure; without one, the first column."""
UNIT_COLUMN = re.compile(r"^\s*units?\s*$", re.IGNORECASE)
_UNIT_NOTE = re.compile(r"\(([^()]*)\)")
"""A unit in brackets after a label or a header: "p95 latency (ms)", "Threshold (%)"."""


def thresholds(text: str) -> dict[str, Threshold]:
    """The plan's SLO thresholds by measure; a measure with no row (nor list item) is absent."""
    body = _section_body(text, THRESHOLDS_SECTION)
    if body is None:
        body = next(
            (b for heading, b in markdown.sections(text) if "threshold" in heading.lower()), ""
        )
    visible = markdown.DETAILS_BLOCK.sub("", body)
    found: dict[str, Threshold] = {}
    success: Threshold | None = None
    # A table's rows first, as the template has them; a list's items count as rows too.
    for label, stated, quoted in [*_table_rows(visible), *_list_rows(visible)]:
        measure = _measure_of(label, quoted)
        if measure == SUCCESS:
            success = success or _as_failures(stated, quoted)
        elif measure is not None and measure not in found:
            stated = _clause(measure, stated)
            value = read_value(measure, stated)
            found[measure] = Threshold(measure, value, quoted, inclusive(measure, stated))
    # Then sentences, for a measure no row states: "p95 latency stays under 300 ms".
    for measure, threshold in _prose_thresholds(visible).items():
        if measure == SUCCESS:
            success = success or threshold
        else:
            found.setdefault(measure, threshold)
    if success is not None:
        found.setdefault(success.measure, success)
    return found


SUCCESS = "successful requests"
"""A row of the share of requests that succeed: the failed requests' row, told the other way."""
_SUCCEEDED = re.compile(r"\bsucce(?:ss|ed)|\bavailab(?:le|ility)\b", re.IGNORECASE)
"""A share of requests that succeed: a success rate, or an availability SLO told per request."""
_FAILED = re.compile(r"fail|error|unsuccessful", re.IGNORECASE)


def _as_failures(stated: str, quoted: str) -> Threshold:
    """A success rate's row as the failed requests' threshold: at least 99.5% succeed is at most
    0.5% failed, more than 99.5% is under 0.5%."""
    stated = _clause("failed requests", stated)
    succeeded = read_value("failed requests", stated)
    value = None if succeeded is None else 1 - succeeded
    return Threshold("failed requests", value, quoted, inclusive("throughput", stated))


_CLAUSE_BREAK = re.compile(r";|,(?!\d)")
"""Where a threshold's words split into clauses: "p99 under 1 s, p95 under 300 ms" (never at the
comma of "1,200" or "0,5")."""


def _clause(measure: str, stated: str) -> str:
    """The clause of a threshold's words that states `measure`'s limit, when they hold others
    ("p99 under 1 s, p95 under 300 ms"; "over 60 s, at least 20 req/s"): the first with a number
    beside the measure's own name (p95) or unit (a rate, a percentage, "1 in 200"). Otherwise
    all the words."""
    clauses = _CLAUSE_BREAK.split(stated)
    if len(clauses) < 2:
        return stated
    if measure == "p95 latency":
        names = MEASURES[measure]
        return next(
            (
                c
                for c in clauses
                if names.search(c) and _number_start(names.sub(" ", c)) is not None
            ),
            stated,
        )
    return next(
        (
            c
            for c in clauses
            if (UNITS[measure].search(c) and _number_start(c) is not None)
            or (measure == "failed requests" and _share_of(c) is not None)  # "1 in 200"
        ),
        stated,
    )


def _table_rows(body: str) -> list[tuple[str, str, str]]:
    """(label, threshold as written, whole row) for each row of each table."""
    rows = []
    for table in markdown.pipe_tables(body):
        header = table.header
        sideways = _sideways_rows(table)
        if sideways is not None:
            rows += sideways
            continue
        label_at = next((i for i, name in enumerate(header) if LABEL_COLUMN.search(name)), 0)
        others = [i for i in range(len(header)) if i != label_at]
        named = [i for i in others if THRESHOLD_COLUMN.search(header[i])] or [
            i for i in others if WEAK_THRESHOLD_COLUMN.search(header[i])
        ]
        units = [i for i in others if UNIT_COLUMN.match(header[i])]
        for row in table.rows:
            cells = row + [""] * (len(header) - len(row))
            label = cells[label_at] if label_at < len(cells) else ""
            column = named[0] if named else next(iter(others), 0)
            stated = cells[column] if column < len(cells) else ""
            if not named and _first_number(stated) is None:
                # No column says it holds the thresholds: the first with a number does. (A named
                # column without one is a threshold not stated, whatever other cells hold.)
                column, stated = next(
                    ((i, cells[i]) for i in others if _first_number(cells[i]) is not None),
                    (column, stated),
                )
            # A unit may stand in a column of its own, or in brackets after the row's label or
            # the column's header: "p95 latency (ms) | 300", "Threshold (%) … 0.5".
            notes = [*_UNIT_NOTE.findall(label), *_UNIT_NOTE.findall(header[column])]
            stated = " ".join([stated, *(cells[i] for i in units if i < len(cells)), *notes])
            quoted = " | ".join(cell for cell in cells if cell)
            rows.append((label, stated, quoted))
    return rows


def _sideways_rows(table: markdown.PipeTable) -> list[tuple[str, str, str]] | None:
    """(label, threshold, column) for each measure of a table turned sideways: its headers name
    two measures or more (`| p95 latency | Throughput | Failed requests |`), and a row holds the
    thresholds: the one a cell names ("Threshold"), or the table's only row. (Rows of measured
    values, one per endpoint or per run, are no thresholds.) None for a table the right way up."""
    header = table.header
    columns = {
        at: name
        for at, name in enumerate(header)
        if _measure_of(name, name) is not None and not LABEL_COLUMN.search(name)
    }
    if len({_measure_of(name, name) for name in columns.values()}) < 2:
        return None
    rows = [row + [""] * (len(header) - len(row)) for row in table.rows]
    named = [
        row
        for row in rows
        if any(THRESHOLD_COLUMN.search(row[at]) for at in range(len(header)) if at not in columns)
    ]
    chosen = named[0] if named else rows[0] if len(rows) == 1 else None
    if chosen is None:
        return []
    return [
        (name, " ".join([chosen[at], *_UNIT_NOTE.findall(name)]), f"{name} | {chosen[at]}")
        for at, name in columns.items()
    ]


def _list_rows(body: str) -> list[tuple[str, str, str]]:
    """(label, threshold as written, whole item) for each list item: `- p95 latency: 300 ms`.
    An item whose number comes before its colon ("p95 under 300 ms: all requests") is its
    own threshold."""
    rows = []
    for item in markdown.list_items(body):
        label, colon, rest = item.partition(":")
        if colon and _number_start(rest) is None:
            colon = ""
        rows.append((label if colon else item, rest if colon else item, item))
    return rows


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\D)")
"""Where a paragraph's sentences end (not at the point of "0.5", nor before a number)."""
_PROSE_CLAUSE_BREAK = re.compile(
    rf";|,(?!\d)|\s(?:and|while|but|whereas|with)\s(?!\s*(?:{NUMBER_WORDS.pattern}))",
    re.IGNORECASE,
)
"""Where a sentence's clauses split: "p95 stays under 300 ms, and p99 under 1 s"; never inside
a number ("two hundred and fifty", "1,200")."""
_TABLE_LINE = re.compile(r"\|")
_NOT_PROSE = re.compile(r"^\s*(?:#|>|<)")
"""A heading, the template's `>` guidance, or HTML: no sentence of the plan's own."""


def _paragraphs(body: str) -> list[list[str]]:
    """The sentences of each of a section's paragraphs and list items, outside its tables."""
    paragraphs: list[list[str]] = [[]]
    for line in markdown.markdown_lines(body):
        item = markdown.LIST_ITEM.match(line)
        if not line.strip() or _TABLE_LINE.search(line) or _NOT_PROSE.match(line) or item:
            paragraphs.append([item["text"]] if item else [])
            paragraphs.append([])
        else:
            paragraphs[-1].append(line.strip())
    return [
        [sentence for sentence in _SENTENCE_END.split(" ".join(lines)) if sentence.strip()]
        for lines in paragraphs
        if lines
    ]


_RUN = r"(?:(?:load|test)\s+)?(?:runs?|tests?)|load|peak(?:\s+load)?"
"""The run, in the words that place a limit or a pronoun in it: "each run", "load", "peak"."""
_OPENER = (
    r"(?:(?:and|so|then|also|thus|hence|here|now|overall)\b,?\s+"
    r"|(?:in|during|throughout|across|for|under|at|over)\s+"
    rf"(?:(?:each|every|any|all|the|a|our)\s+)?(?:{_RUN})\s*,\s*)"
)
"""A few words before the pronoun that say nothing of what it is: a link ("Then", "And", "So")
or the run's own circumstance ("In each run,", "Under load,"). Not a phrase about anything
else: in "For the warm-up, it stays under 500 ms" "it" is the warm-up."""
_UPPER_BOUND = r"upper|max(?:imum)?|ceiling|cap"
_LOWER_BOUND = r"lower|min(?:imum)?|floor"
"""The words of a limit that bounds a measure from above, and from below."""
_LIMIT_NOUN = (
    r"limit|threshold|target|objective|goal|bound|max(?:imum)?|ceiling|cap|min(?:imum)?|floor"
    r"|slo"
)
_LIMIT_ADJECTIVE = (
    r"upper|lower|max(?:imum)?|min(?:imum)?|hard|strict|agreed|allowed|acceptable|required"
)
_IN_THE_RUN = (
    rf"(?:in|during|throughout|across|under|at|over)\s+(?:(?:each|every|any|all|the|a|our)\s+)?"
    rf"(?:{_RUN})|(?:per|for)\s+(?:(?:each|every|any|all|this)\s+)?(?:{_RUN})"
    r"|for\s+(?:it|them|this|that)\b"
)
"""Where or when a limit holds, which makes it no limit of another thing: "in each run", "per
run", "for every run", "under load", "for it". Not "for the warm-up", "of the ramp-up"."""
_ASIDE = (
    r"of\s+course|in\s+practice|as\s+before|as\s+agreed|as\s+always|for\s+now|so\s+far"
    r"|however|though|again|too|also"
)
"""A few words between commas that say nothing of whose the limit is: "The limit, of course,
is 300 ms". (Not "the limit, for the warm-up,", which makes it another thing's.)"""
_A_LIMITS_NUMBER = rf"(?:\d|\.\d|(?!one\b)(?:{NUMBER_WORDS.pattern}))"
"""A number right after a limit ("the limit 300 ms", "a ceiling of three hundred"); not the
"one" of "the limit of one run", a run's."""
_LIMIT_SUBJECT = re.compile(
    rf"^\W*(?:{_OPENER}){{0,2}}(?:the|its|their|our)\s+"
    rf"(?:(?:{_LIMIT_ADJECTIVE})\s+){{0,2}}(?:{_LIMIT_NOUN})\b"
    r"(?:\s+(?:allowed|permitted|value|level|latency|rate)\b)?"
    rf"(?:\s*,?\s*(?:{_IN_THE_RUN})\s*,?|\s*,\s*(?:{_ASIDE})\s*,){{0,2}}"
    r"(?:\s+(?:that\s+|which\s+)?we\s+(?:set|use|apply|agreed(?:\s+on)?)\b)?"
    r"(?=\s*(?:[:=]|(?:is|are|was|will\s+be|must|should|shall|has\s+to|needs\s+to|stays?"
    rf"|remains?|sits?|equals?|of(?=\s*{_A_LIMITS_NUMBER}))\b|{_A_LIMITS_NUMBER}))",
    re.IGNORECASE,
)
"""A clause that opens on a limit as the subject of what it states: "the limit is", "the upper
limit in each run is", "the maximum:", "its ceiling is", "our limit for it is", "the SLO is",
"the limit, of course, is" (a limit of what was named before, as "its limit" is). Not a limit qualified by another thing: "the test limit",
"the ramp-up's limit", "the limit of the warm-up", "the target latency for the warm-up"."""
_BOUNDS = {
    # The bound a measure's limit is, by the way the measure must stay: a floor is no limit of
    # a latency, a ceiling none of a throughput.
    "p95 latency": re.compile(rf"\b(?:{_LOWER_BOUND})\b", re.IGNORECASE),
    "failed requests": re.compile(rf"\b(?:{_LOWER_BOUND})\b", re.IGNORECASE),
    "throughput": re.compile(rf"\b(?:{_UPPER_BOUND})\b", re.IGNORECASE),
    SUCCESS: re.compile(rf"\b(?:{_UPPER_BOUND})\b", re.IGNORECASE),
}
"""The words of a bound the other way than each measure's limit."""
_REFERS_BACK = re.compile(
    rf"^\W*(?:{_OPENER}){{0,2}}"
    r"(?:(?:its?|this|that|they|these|their)\b(?!\s+(?:is|was)\s+why\b)"
    rf"|(?={_LIMIT_SUBJECT.pattern.removeprefix('^')}))",
    re.IGNORECASE,
)
"""A sentence that opens on what the sentence before named: "It stays under 300 ms", "Then
they stay under 0.5%", "In each run, it stays under 300 ms"; or on the limit of it, as "its
limit" would (`_LIMIT_SUBJECT`): "The limit is 300 ms", "The upper limit in each run is
300 ms". Not "the test limit" nor "the target of the warm-up", the limit of something else;
and a number in another unit ("The limit is 10 minutes") is no limit of the measure, as after
"it"."""


def _prose_thresholds(body: str) -> dict[str, Threshold]:
    """The thresholds stated in sentences: each measure's first clause that names it ("p95
    latency stays under 300 ms"; "at least twenty requests a second"; "fewer than 0.5% of
    requests fail") with a number in that measure's unit, or with no unit at all. A number in
    another measure's unit ("20 req/s" beside a latency) is never taken for this one; nor is a
    p99's, which names no p95. A measure named in a clause of its own ("The p95 latency,
    measured over a 60 s run, stays under 300 ms") takes the next clause that compares; and
    one named in a sentence of its own takes the next sentence that opens on "it" or on its
    limit ("We measure the p95 latency. It stays under 300 ms."; "The upper limit is 300 ms.";
    `_REFERS_BACK`), by the same rules, or the one after when that sentence states nothing of it
    ("It runs for up to 10 minutes."; "The minimum is 50 ms.", a bound the other way) or says
    how long the test goes on ("It runs for up to 60 s."; "The test runs for 60 s.";
    "It takes up to 60 s."; `_states_how_long_the_run_is`), when a later clause of that
    sentence may give it too ("The test runs for 60 s, and it stays under 300 ms.")."""
    found: dict[str, Threshold] = {}
    for paragraph in _paragraphs(body):
        named: list[str] = []
        previous = ""
        it_is_the_test = False
        for sentence in paragraph:
            # "We measure the p95 latency. It stays under 300 ms.": the measure the sentence
            # before named without its number is what "it" is; when it named two, "it" is
            # neither, and a sentence that does not open on "it" starts afresh.
            pending = [measure for measure in named if measure not in found]
            refers_back = len(pending) == 1 and _REFERS_BACK.match(sentence)
            # "The test runs for 60 s.": the test's length, between the measure and its limit.
            how_long = _states_how_long_the_run_is(_clauses(sentence)[0], it_is_the_test)
            run_length = len(pending) == 1 and how_long
            quoted = f"{previous} {sentence}" if refers_back or run_length else sentence
            named = _read_sentence(
                sentence,
                quoted,
                list(pending) if refers_back else [],
                found,
                it_is_the_test,
                past_the_runs_length=list(pending) if run_length else [],
            )
            previous = sentence
            if (refers_back or run_length) and not named and pending[0] not in found:
                # "We measure the p95 latency. It runs for up to 10 minutes. It stays under
                # 300 ms.": an "it" that states nothing of the measure, nor names another,
                # leaves the measure to the next sentence's "it"; so does the test's length.
                named, previous = pending, quoted
            # "The load test measures the p95 latency. It takes up to 60 s.": "it" is the test.
            it_is_the_test = bool(_OPENS_ON_THE_RUN.match(sentence)) or how_long
    return found


def _read_sentence(
    sentence: str,
    quoted: str,
    named_before: list[str],
    found: dict[str, Threshold],
    it_is_the_test: bool = False,
    past_the_runs_length: list[str] | None = None,
) -> list[str]:
    """Add to `found` the thresholds of one sentence, quoted as `quoted`, `named_before` being
    the measure the sentence before named without its number, if "it" is that measure (unless
    `it_is_the_test`, the sentence before being about the test, and "it" says how long it
    takes). When the sentence opens on the test's length, `past_the_runs_length` is that
    measure, which a later clause that refers back gives its number: "The test runs for 60 s,
    and it stays under 300 ms". The measures the sentence names."""
    named: list[str] = []
    for at, clause in enumerate(_clauses(sentence)):
        if at == 1 and _OPENS_ON_THE_RUN.match(sentence):
            # "The load test measures the p95 latency, and it takes up to 5 s": "it" is the
            # test in the clauses after one whose subject it is.
            it_is_the_test = True
        if at and past_the_runs_length and not named_before and _REFERS_BACK.match(clause):
            # As the sentence after the test's length would: "The test runs for 60 s. It
            # stays under 300 ms."
            named_before = list(past_the_runs_length)
        measures = _measures_named(clause)
        subject = _LIMIT_SUBJECT.match(clause)
        objective = False
        if measures:
            named_before = []
            named += measures
            if subject:  # "The maximum is 20 requests a second" is no throughput's limit
                measures = [m for m in measures if not _BOUNDS[m].search(subject[0])]
        elif subject:
            # "The upper limit is 300 ms": the limit of what was named before, bounding it
            # the way it must stay; what follows the limit states its number.
            measures = [m for m in named_before if not _BOUNDS[m].search(subject[0])]
            objective = bool(_OBJECTIVE.search(subject[0]))
            clause = clause[subject.end() :]
        elif _states_how_long_the_run_is(clause, it_is_the_test):
            # "It runs for up to 60 s": the test's length, no limit of the measure, which a
            # later clause or sentence may still give.
            continue
        else:
            measures = [m for m in named_before if _compares(m, clause)]
        for measure in measures:
            if measure in found:
                continue
            reading = "failed requests" if measure == SUCCESS else measure
            # "The SLO" is the service's, so only a number in the measure's own unit is the
            # measure's: "The SLO is 300 ms" is the latency's, "The SLO is 99.5%" not.
            at = _number_in_unit(reading, clause, bare=not objective)
            if at is None:
                named_before.append(measure)
                continue
            value = read_value(reading, clause[at:])
            succeeding = measure == SUCCESS
            if objective and measure == "failed requests" and value is not None and value > 0.5:
                # "We track the error rate. The SLO is 99.5%.": the SLO of the failures is
                # their availability, the share that succeeds; no objective lets most fail.
                succeeding = True
            if succeeding:
                value = None if value is None else 1 - value
            way = "throughput" if succeeding else reading  # more succeed: fewer fail
            found[measure] = Threshold(reading, value, quoted, inclusive(way, clause))
    return named


_OBJECTIVE = re.compile(r"\bslo\b", re.IGNORECASE)
"""A limit that is the service level objective: "the SLO", "our SLO"."""
_RUN_SUBJECT = (
    r"(?:(?:the|each|every|a|an|one|our|this|that)\s+)?(?:(?:whole|full|entire)\s+)?"
    r"(?:(?:load|soak|stress|spike|k6|locust)\s+)?"
    r"(?:test(?:\s+run)?|run|ramp[\s-]*up|warm[\s-]*up|soak|scenario|script|stage)s?"
    r"|k6|locust"
)
"""The test or a part of it as a subject: "the test", "each run", "the load test", "the
ramp-up"."""
_OPENS_ON_THE_RUN = re.compile(
    rf"^\W*(?:{_OPENER}){{0,2}}(?:{_RUN_SUBJECT})\b(?!['’]s|\s+(?:limit|target|threshold))",
    re.IGNORECASE,
)
"""A sentence whose subject is the test: "The load test measures the p95 latency." An "it"
after it that takes or lasts a time is the test."""
_DURATION_VERB = re.compile(
    r"\b(?:(?P<running>runs?\s+(?:for|over|across)|(?:is|are|gets?)\s+(?:run|held)\s+(?:for|over)"
    r"|ramps?\s+(?:up|down)|warms?\s+up|holds?\s+(?:for|over)|soaks?\s+for)"
    r"|lasts?|takes?)\b",
    re.IGNORECASE,
)
"""A verb that says how long something goes on: "runs for", "lasts", "takes", "ramps up over",
"holds for", "warms up for", "is held for". Only a test runs, ramps up, warms up or is held;
a request takes or lasts a time too, which is its latency."""
_PRONOUN = re.compile(r"(?:it|this|that|they)\b", re.IGNORECASE)
_BEFORE_THE_VERB = re.compile(
    r"(?:\s+(?:(?:should|shall|must|will|would|can|could|may|might|does|do)(?:n['’]t|\s+not)?"
    r"|cannot|usually|typically|normally|always|only|also))+$",
    re.IGNORECASE,
)
"""Words between a subject and its verb that leave the subject what it is: "It should take",
"It can take", "The test usually lasts"."""
_REQUEST = re.compile(r"\b(?:requests?|responses?|calls?|round[\s-]*trips?)\b", re.IGNORECASE)
_MILLISECONDS = re.compile(r"\b(?:ms|msecs?|milliseconds?)\b", re.IGNORECASE)
"""A time no test lasts: what takes milliseconds is a request."""
_DURATION_UNIT = re.compile(
    r"[\s-]*(?:(?P<ms>ms|msecs?|milliseconds?)|(?P<s>s|secs?|seconds?)|(?P<min>mins?|minutes?)"
    r"|(?P<h>h|hrs?|hours?))\b",
    re.IGNORECASE,
)
"""The unit after a time's number: "0.3 s", "sixty seconds", "a 60-second run", "2 minutes"."""
_SECONDS_IN = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}
NO_RUN_IS_THIS_SHORT = 1.0
"""Seconds: what takes this long or less is a request, not the load test, even when "it" comes
after a sentence about the test ("The load test measures the p95 latency. It takes up to
0.3 s."). A load test counts its throughput in requests a second and lets its users ramp up
before that counts, so none lasts a second or less (the course's own lasts 10 s, 60 s at
night); a p95 limit of a second or less is what latency SLOs are (the lesson's 300 ms; "p95
under 1 s")."""
NO_LATENCY_LIMIT_IS_THIS_LONG = 10.0
"""Seconds: what takes this long or longer is the load test, not a request, even when "it"
comes after a sentence that names the latency ("We measure the p95 latency. It takes up to
60 s."). Ten seconds is where a waiting user's attention is lost (Nielsen's response-time
limits: 0.1 s, 1 s, 10 s), so no service has a p95 latency SLO that long; and it is the
course's own shortest run (tests/load/test_load.py runs for LOAD_TEST_SECONDS, 10 by
default). Between the two bounds either may take the time, and the grammar says which."""


def _seconds_taken(text: str) -> float | None:
    """The first time in a text, in seconds ("up to 0.3 s", "sixty seconds", "2 minutes",
    "1500 ms"); None when no number there has a unit of time."""
    position = 0
    while (start := _number_start(text[position:])) is not None:
        start += position
        number = _number_and_end(text[start:], at_start=True)
        if number is None:
            position = start + 1
            continue
        end = start + number[1]
        unit = _DURATION_UNIT.match(text, end)
        if unit and unit.lastgroup:
            return number[0] * _SECONDS_IN[unit.lastgroup]
        position = end
    return None


def _states_how_long_the_run_is(clause: str, it_is_the_test: bool) -> bool:
    """Whether a clause that names no measure says how long the test goes on, rather than
    stating a limit: its verb is about duration and its subject is the test or a run ("The test
    runs for 60 s", "Each run lasts up to 60 s"), or "it" where "it" can only be the test (it
    runs for, ramps up, warms up, is held for). A request or a response takes its latency:
    "Each request takes under 300 ms", "It takes under 300 ms per request", and what takes
    milliseconds is one.

    When "it" takes or lasts a time, "it" may be the test or the measure the sentence before
    named; the time says which when only one of them can take it: a second or less is a
    request's ("The load test measures the p95 latency. It takes up to 0.3 s."), ten seconds
    or more the test's ("We measure the p95 latency. It takes up to 60 s."). In between, "it"
    is the test when the sentence before (or this one, before the clause) was about the test
    (`it_is_the_test`: "The load test measures the p95 latency. It takes up to 5 s."), and
    otherwise the measure."""
    verb = _DURATION_VERB.search(clause)
    if verb is None or _measures_named(clause):
        return False
    subject = re.sub(rf"^\W*(?:{_OPENER}){{0,2}}", "", clause[: verb.start()])
    subject = _BEFORE_THE_VERB.sub("", subject.rstrip(" ,")).strip(" ,")
    pronoun = _PRONOUN.fullmatch(subject)
    if not pronoun and not re.fullmatch(_RUN_SUBJECT, subject, re.IGNORECASE):
        return False
    if verb["running"]:
        return True
    if _REQUEST.search(clause) or _MILLISECONDS.search(clause):
        return False  # what it takes or lasts is a request's time
    if not pronoun:
        return True  # "The test takes 60 s": the subject says whose time it is
    seconds = _seconds_taken(clause[verb.end() :])
    if seconds is not None and seconds <= NO_RUN_IS_THIS_SHORT:
        return False
    if seconds is not None and seconds >= NO_LATENCY_LIMIT_IS_THIS_LONG:
        return True
    return it_is_the_test


def _clauses(sentence: str) -> list[str]:
    """A sentence's clauses, a limit that opens it one with what it states, even around the
    commas of "The limit, in each run, is 300 ms"."""
    subject = _LIMIT_SUBJECT.match(sentence)
    end = subject.end() if subject else 0
    clauses = _PROSE_CLAUSE_BREAK.split(sentence[end:])
    clauses[0] = sentence[:end] + clauses[0]
    return clauses


_REQUESTS_A_MINUTE = re.compile(
    r"\breq(?:uest)?s?\s*(?:/|\ba\b|\bper\b|\beach\b)\s*(?:min(?:ute)?|h(?:ou)?r)\b", re.I
)
"""A throughput per minute or per hour, which names its measure in a sentence ("at least 1,200
requests a minute"); in a table its row names it."""


def _measures_named(clause: str) -> list[str]:
    """What a clause of a sentence names: any of the measures, or a share that succeeds."""
    named = f"{clause} {clause.replace('_', ' ')}"
    measures = [measure for measure, pattern in MEASURES.items() if pattern.search(named)]
    if "throughput" not in measures and _REQUESTS_A_MINUTE.search(named):
        measures.insert(1 if "p95 latency" in measures else 0, "throughput")
    if _SUCCEEDED.search(named) and not _FAILED.search(named):
        measures = [m for m in measures if m != "failed requests"] + [SUCCESS]
    return measures


_NAMES_A_LIMIT = re.compile(
    r"\b(?:limit|threshold|target|objective)\s*(?:is|of|:|=)?"
    rf"(?=\s*(?:\d|\.\d|{NUMBER_WORDS.pattern}))",
    re.IGNORECASE,
)
"""A limit named with its number states it, comparing or not: "Its limit is 300 ms"."""


def _compares(measure: str, clause: str) -> bool:
    """Whether a clause states a limit ("stays under 300 ms", "its limit is 300 ms"), rather
    than a condition of the run ("measured over a 60 s run")."""
    at_or, strictly = COMPARISONS["throughput" if measure == SUCCESS else measure]
    return bool(at_or.search(clause) or strictly.search(clause) or _NAMES_A_LIMIT.search(clause))


_OTHER_QUANTITY = re.compile(
    r"\s*(?:min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?"
    r"|users?|clients?|workers?|threads?|instances?|pods?|replicas?"
    r"|times|retr(?:y|ies)|attempts?|runs?|iterations?)\b",
    re.IGNORECASE,
)
"""What follows a number that counts something no threshold is in: a time longer than a
second ("runs for up to 10 minutes"), people or processes ("no more than 50 users"),
repetitions ("retried up to 3 times"). A sentence whose "it" is the test, not the measure,
states such numbers: "We measure the p95 latency. It runs for up to 10 minutes."."""
_ONE_AS_PRONOUN = re.compile(r"\b(?:the|this|that|each|every|any|no|which)\s+$", re.IGNORECASE)
"""What comes before the "one" of "the one that matters": a word for a thing, not a number."""


def _number_in_unit(measure: str, clause: str, bare: bool = True) -> int | None:
    """Where the clause's number for `measure` starts: the first followed by that measure's
    unit, or else (when `bare` numbers may be its) the first followed by no unit at all (of a
    measure, or of anything else: `_OTHER_QUANTITY`); None when there is neither. "the one" is
    no number."""
    text = (
        MEASURES[measure].sub(lambda m: " " * len(m[0]), clause)
        if measure == "p95 latency"
        else clause
    )
    bare_at = None
    position = 0
    while (start := _number_start(text[position:])) is not None:
        start += position
        number = _number_and_end(text[start:], at_start=True)
        pronoun = _ONE_AS_PRONOUN.search(text[:start]) and re.match(r"one\b", text[start:], re.I)
        if number is None or pronoun:
            position = start + 1
            continue
        end = start + number[1]
        following = _number_start(text[end:])
        unit = text[end:] if following is None else text[end : end + following]
        if _in_unit(measure, unit, text[start:]):
            return start
        if (
            bare_at is None
            and not any(_in_unit(other, unit, text[start:]) for other in UNITS)
            and not _OTHER_QUANTITY.match(unit)
        ):
            bare_at = start
        position = end
    return bare_at if bare else None


def _in_unit(measure: str, unit: str, from_number: str) -> bool:
    """Whether a number, followed by `unit`, is in `measure`'s unit: a latency's time is not the
    second of "20 requests a second"; a share may be "1 in 200"."""
    if measure == "p95 latency":
        return bool(UNITS[measure].search(unit)) and not UNITS["throughput"].search(unit)
    if measure == "failed requests" and _share_of(from_number) is not None:
        return True
    return bool(UNITS[measure].search(unit))


def _measure_of(label: str, quoted: str) -> str | None:
    """What a row measures: named by its label, or failing that anywhere in the row. A share of
    successful requests is SUCCESS ("success rate (non-5xx)" too), unless failures are named."""
    for written in (label, quoted):
        # A name in code reads as words: `p95_limit_ms` and `min_rps`, meets_slo's parameters.
        where = f"{written} {written.replace('_', ' ')}"
        if _SUCCEEDED.search(where) and not _FAILED.search(where):
            return SUCCESS
        for measure, pattern in MEASURES.items():
            if pattern.search(where):
                return measure
    return None


_NUMBER_AFTER = rf"(?=\s*(?:\d|\.\d|{NUMBER_WORDS.pattern}))"
"""A number next: "under 300 ms" compares, "under load" and "over a 60 s run" do not."""
_AT_OR_BELOW = re.compile(
    r"\b(?:at\s+most|no\s+more\s+than|not\s+more\s+than|no\s+(?:higher|greater|longer|slower)"
    rf"\s+than|(?:up\s+to|within){_NUMBER_AFTER}|at\s+or\s+(?:below|under)|(?:less|lower|fewer)\s+than\s+or\s+"
    r"equal|(?:does|do|must|should|shall|may)\s+not\s+exceed|not\s+exceeding|or\s+(?:less|"
    r"fewer|lower|below|under)\b)|≤|⩽|<=|=<|\binclusive\b(?!\s+of)",
    re.IGNORECASE,
)
_BELOW = re.compile(
    rf"\b(?:(?:under|below){_NUMBER_AFTER}|(?:less|lower|fewer|shorter)\s+than\b)"
    r"|(?<![<=])<(?![<=])|\bexclusive\b(?!\s+of)",
    re.IGNORECASE,
)
_AT_OR_ABOVE = re.compile(
    r"\b(?:at\s+least|no\s+(?:less|fewer|lower)\s+than|not\s+(?:less|fewer|lower)\s+than|"
    r"at\s+or\s+above|(?:more|greater|higher)\s+than\s+or\s+equal|or\s+(?:more|higher|"
    r"greater|above)\b)|≥|⩾|>=|=>|\binclusive\b(?!\s+of)",
    re.IGNORECASE,
)
_ABOVE = re.compile(
    rf"\b(?:above{_NUMBER_AFTER}|(?:more|greater|higher)\s+than\b|exceed(?:s|ing)?\b)"
    r"|(?<![>=])>(?![>=])|\bexclusive\b(?!\s+of)",
    re.IGNORECASE,
)
COMPARISONS = {
    # (the words that let the limit itself pass, the words that do not), by the way the measure
    # must stay: latency and failures below their limit, throughput above it.
    "p95 latency": (_AT_OR_BELOW, _BELOW),
    "failed requests": (_AT_OR_BELOW, _BELOW),
    "throughput": (_AT_OR_ABOVE, _ABOVE),
}
"""Strict: "under", "below", "less than", "fewer than", "<"; "more than", "above", ">" ("over"
says neither: "20 req/s over a 5 minute run" is a duration).
Inclusive: "at most", "no more than", "up to", "within" (a limit one is within includes it),
"does not exceed", "or less", "≤", "<="; "at least", "no less than", "or more", "≥", ">=".
A limit called "inclusive" or "exclusive" says it too ("inclusive of retries" does not).
"max" and "min" say neither: they head columns as often as they state a comparison."""


def inclusive(measure: str, text: str) -> bool | None:
    """Whether the threshold's words let a value exactly at the limit pass; None when they do
    not say, or say both ways (words of the other direction, "fail above 300 ms", say neither:
    they name when the test fails, which the check does not read)."""
    at_or, strictly = COMPARISONS[measure]
    if measure == "p95 latency":
        text = MEASURES[measure].sub(" ", text)  # the 95% of "95% of requests under 300 ms"
    says_inclusive = bool(at_or.search(text))
    says_strict = bool(strictly.search(at_or.sub(" ", text)))
    if says_inclusive == says_strict:
        return None
    return says_inclusive


_IN_SECONDS = re.compile(r"\d\s*s\b|\bsec(ond)?s?\b")
_TIME_UNIT = re.compile(r"\b(?P<ms>ms|msecs?|milliseconds?)\b|\b(?P<s>s|secs?|seconds?)\b", re.I)
_PER_SECOND = re.compile(r"/\s*s(ec(ond)?)?\b|\b(per|a|each)\s+sec(ond)?\b|\b[rq]ps\b", re.I)
_PER_MINUTE = re.compile(r"(/|\bper\b|\ba\b|\beach\b)\s*min(ute)?\b|\brpm\b", re.I)
_PER_HOUR = re.compile(r"(/|\bper\b|\ban?\b|\beach\b)\s*(hr|hour)\b", re.I)
_PERCENT = re.compile(r"%|percent|\bper\s+cent\b|\bpct\b", re.IGNORECASE)
_PER_MILLE = re.compile(r"‰|\bper\s*(mille|mil|thousand)\b", re.IGNORECASE)
_ONE_IN = re.compile(r"^\s*(in|out\s+of)\s+", re.IGNORECASE)
"""What follows the first number of "1 in 200" or "5 out of 1,000"."""
UNITS = {
    "p95 latency": _TIME_UNIT,
    "throughput": re.compile(
        "|".join(p.pattern for p in (_PER_SECOND, _PER_MINUTE, _PER_HOUR)), re.I
    ),
    "failed requests": re.compile(f"{_PERCENT.pattern}|{_PER_MILLE.pattern}", re.IGNORECASE),
}
"""A unit of each measure, as written after its number."""


def read_value(measure: str, text: str) -> float | None:
    """The number in a threshold, in the load test's unit for that measure."""
    if measure == "p95 latency":
        # "95th percentile under 300 ms": the 95 names the measure; the limit is the 300.
        text = MEASURES[measure].sub(" ", text)
    found = _number_and_end(text)
    if found is None:
        return None
    number, end = found
    unit = _unit_text(measure, text, end)
    if measure == "p95 latency":
        written = _TIME_UNIT.search(unit)
        if written:
            return number if written["ms"] else number * 1000
        lowered = unit.lower()
        seconds = _IN_SECONDS.search(lowered) and "ms" not in lowered
        return number * 1000 if seconds else number
    if measure == "failed requests":
        if _PERCENT.search(unit):
            return number / 100
        if _PER_MILLE.search(unit):
            return number / 1000
        of = _share_of(text)
        return number / of if of else number
    if not _PER_SECOND.search(unit):
        if _PER_MINUTE.search(unit):
            return number / 60
        if _PER_HOUR.search(unit):
            return number / 3600
    return number


def _unit_text(measure: str, text: str, end: int) -> str:
    """Where the unit of the number ending at `end` is written: what follows it up to the next
    number ("0.3 s (300 ms)" is in seconds, "0.005 (0.5%)" a bare fraction); when nothing
    there is a unit and no other number follows, anywhere in the text."""
    after = text[end:]
    following = _number_start(after)
    up_to_next = after if following is None else after[:following]
    if UNITS[measure].search(up_to_next) or following is not None:
        return up_to_next
    return text


def _share_of(text: str) -> float | None:
    """The M of "N in M" or "N out of M" when the text's first number is such an N."""
    first = _number_and_end(text)
    joined = _ONE_IN.match(text[first[1] :]) if first else None
    if first is None or joined is None:
        return None
    whole = _number_and_end(text[first[1] + joined.end() :], at_start=True)
    return whole[0] if whole and whole[0] > 0 else None


def _first_number(text: str) -> float | None:
    found = _number_and_end(text)
    return found[0] if found else None


def _number_start(text: str) -> int | None:
    digits = _NUMBER.search(text)
    words = _WORD_NUMBER.search(text)
    starts = [found.start() for found in (digits, words) if found]
    return min(starts) if starts else None


def _number_and_end(text: str, at_start: bool = False) -> tuple[float, int] | None:
    """The first number of a text, in digits or in words, and where it ends; with `at_start`,
    only one that opens the text."""
    digits = _NUMBER.search(text)
    words = _WORD_NUMBER.search(text)
    if digits and (not words or digits.start() <= words.start()):
        if at_start and text[: digits.start()].strip():
            return None
        if digits["grouped"]:
            value = float(digits["grouped"].replace(",", ""))
        else:
            value = float(digits["plain"].replace(",", "."))
        thousands = _THOUSANDS.match(text, digits.end())
        if thousands:
            return value * 1000, thousands.end()
        return value, digits.end()
    if words and not (at_start and text[: words.start()].strip()):
        value = 0.5 if _HALF_OF_ONE.fullmatch(words[0]) else value_of_words(words[0])
        return (value, words.end()) if value is not None else None
    return None
