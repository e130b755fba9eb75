"""Exercise 08.4: the runbook has an entry for each alert of the project's rules, and no other.

Each mismatch is named with both sides: the alert and its line in monitoring/alerts.yaml, the
entry and its line in docs/runbook.md.
"""

from __future__ import annotations

import re

import pytest

from onboarding import generator
from onboarding.checks import Given, run_expectations
from onboarding.stages.monitoring import runbook
from onboarding.stages.monitoring.checks import EXERCISES
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import edit

BLUEPRINT = COURSE_ROOT / "project" / "stage_08"
RULES = generator.model_of(
    (BLUEPRINT / "monitoring" / "alerts.yaml").read_text(encoding="utf-8"), "alerts.yaml"
)
MODEL = (BLUEPRINT / "docs" / "runbook.md").read_text(encoding="utf-8")
TEMPLATE = (COURSE_ROOT / "templates" / "runbook.md").read_text(encoding="utf-8")
TEXTS = [expectation.text for expectation in EXERCISES["08.4"]]


def failing(document: str | None, workspace, monkeypatch, rules: str | None = RULES) -> dict:
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    project = workspace / "service"
    for relative, text in (("docs/runbook.md", document), ("monitoring/alerts.yaml", rules)):
        if text is not None:
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            (project / relative).write_text(text, encoding="utf-8")
    result = run_expectations("08.4", EXERCISES["08.4"], Given(), echo=False)
    return {outcome.text: outcome.found for outcome in result.outcomes if not outcome.passed}


def test_the_model_runbook_passes(tmp_path, monkeypatch):
    assert failing(MODEL, tmp_path, monkeypatch) == {}


def test_the_required_headings_are_the_templates():
    import re

    headings = re.findall(r"^## (.+)$", TEMPLATE, flags=re.MULTILINE)
    assert tuple(h for h in headings if h not in runbook.TEMPLATE_ONLY_HEADINGS) == (
        runbook.HEADINGS
    )


def test_the_template_as_handed_out_fails_with_what_to_do(tmp_path, monkeypatch):
    found = failing(TEMPLATE, tmp_path, monkeypatch)
    assert TEXTS[0] not in found
    assert "`## How to use this template` is the template's guidance; delete it" in found[TEXTS[1]]
    assert "`BookingsFastBurn` (monitoring/alerts.yaml, line 8) has no entry" in found[TEXTS[2]]
    assert "the runbook's `## Alerts` has: [AlertName]" in found[TEXTS[2]]


def test_a_missing_runbook_says_where_to_create_it(tmp_path, monkeypatch):
    found = failing(None, tmp_path, monkeypatch)
    assert found[TEXTS[0]] == (
        "runbook.md does not exist yet — create it in your project folder, service/docs/ in "
        "your workspace"
    )


def test_an_empty_runbook_is_named(tmp_path, monkeypatch):
    assert failing("\n", tmp_path, monkeypatch)[TEXTS[0]] == "docs/runbook.md is empty"


def test_a_missing_entry_quotes_both_files(tmp_path, monkeypatch):
    document = edit(
        MODEL, ("| BookingsSlowBurn | ticket | Errors are slightly above", "| x | ticket | y")
    )
    found = failing(document, tmp_path, monkeypatch)
    assert found[TEXTS[2]] == (
        "`BookingsSlowBurn` (monitoring/alerts.yaml, line 48) has no entry; the runbook's "
        "`## Alerts` has: BookingsFastBurn, BookingsMediumBurn, x, BookingsDown"
    )
    assert (
        "the entry `x` (docs/runbook.md, line 38) is not an alert of monitoring/alerts.yaml"
        in (found[TEXTS[3]])
    )


def test_an_entry_for_an_alert_that_does_not_exist_quotes_both_files(tmp_path, monkeypatch):
    document = MODEL.replace(
        "| BookingsDown | page |",
        "| BookingsDoubleBooking | page | Two live bookings overlap | 1. Open an incident. |\n"
        "| BookingsDown | page |",
    )
    found = failing(document, tmp_path, monkeypatch)
    assert found == {
        TEXTS[3]: "the entry `BookingsDoubleBooking` (docs/runbook.md, line 39) is not an alert "
        "of monitoring/alerts.yaml, which defines: BookingsFastBurn, BookingsMediumBurn, "
        "BookingsSlowBurn, BookingsDown"
    }


def test_a_severity_that_differs_from_the_rule_quotes_both(tmp_path, monkeypatch):
    document = edit(MODEL, ("| BookingsSlowBurn | ticket |", "| BookingsSlowBurn | page |"))
    found = failing(document, tmp_path, monkeypatch)
    assert found == {
        TEXTS[4]: "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page` "
        "in docs/runbook.md (line 38)"
    }


def test_an_entry_without_first_actions_is_named(tmp_path, monkeypatch):
    document = edit(
        MODEL,
        (
            "Look at it the same working day: which route fails, since when; compare with last "
            "week. |",
            " |",
        ),
    )
    found = failing(document, tmp_path, monkeypatch)
    assert found == {
        TEXTS[5]: "the entry `BookingsSlowBurn` (docs/runbook.md, line 38) gives no first actions"
    }


def test_leftover_guidance_and_placeholders_are_named(tmp_path, monkeypatch):
    document = edit(
        MODEL,
        ("## Dashboards\n", "## Dashboards\n\n> Links, and what normal looks like.\n"),
        ("- Incident channel: #inc-bookings", "- Incident channel: [channel name]"),
    )
    found = failing(document, tmp_path, monkeypatch)
    assert found[TEXTS[1]] == (
        "`## Dashboards` still has the template's `>` guidance; `## Communication` still has "
        "the placeholder `[channel name]`"
    )


WRITERS_FOLDED = (
    "<details>\n<summary>Why there is no tracing dashboard</summary>\n\n"
    "One replica and one database: the logs show each request whole.\n\n</details>\n\n"
)
ALERT = "> [!WARNING]\n> The dashboards read UTC; the office is on Europe/London.\n\n"
TEMPLATES_EXAMPLE = re.search(r"(?s)<details>.*?</details>", TEMPLATE)[0] + "\n\n"


def _in_dashboards(addition: str) -> str:
    return edit(MODEL, ("## Dashboards\n", f"## Dashboards\n\n{addition}"))


@pytest.mark.parametrize(
    "addition",
    [
        pytest.param(WRITERS_FOLDED, id="writers-folded-block"),
        pytest.param(ALERT, id="github-alert"),
        pytest.param(ALERT.replace("WARNING", "tip") + WRITERS_FOLDED, id="both"),
    ],
)
def test_the_writers_own_markdown_is_no_leftover_of_the_runbook_template(
    tmp_path, monkeypatch, addition
):
    assert failing(_in_dashboards(addition), tmp_path, monkeypatch) == {}


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        pytest.param(
            TEMPLATES_EXAMPLE,
            "`## Dashboards` still holds the template's collapsed example",
            id="the-templates-example",
        ),
        pytest.param(
            TEMPLATES_EXAMPLE.replace("Example: booking service", "Our service"),
            "`## Dashboards` still holds the template's collapsed example",
            id="the-templates-example-renamed",
        ),
        pytest.param(
            WRITERS_FOLDED.replace("One replica", "[Why.] One replica"),
            "`## Dashboards` still has the placeholder `[Why.]`",
            id="a-placeholder-in-the-writers-folded-block",
        ),
        pytest.param(
            "> [!NOTE]\n> [dashboard owner]\n\n",
            "`## Dashboards` still has the placeholder `[dashboard owner]`",
            id="a-placeholder-in-an-alert",
        ),
        pytest.param(
            '> [!TIP]\n> Links, and what "normal" looks like on each, so the reader can tell'
            " the difference.\n\n",
            "`## Dashboards` still has the template's `>` guidance",
            id="guidance-in-an-alert",
        ),
    ],
)
def test_the_runbook_templates_leftovers_are_named_inside_the_writers_markdown(
    tmp_path, monkeypatch, addition, message
):
    assert failing(_in_dashboards(addition), tmp_path, monkeypatch)[TEXTS[1]] == message


def test_sections_in_another_order_and_extra_sections_are_fine(tmp_path, monkeypatch):
    overview = MODEL[MODEL.index("## Service overview") : MODEL.index("## Dashboards")]
    document = MODEL.replace(overview, "") + "\n" + overview + "\n## Glossary\n\n- SLO: …\n"
    assert failing(document, tmp_path, monkeypatch) == {}


def setext(text: str) -> str:
    """A document with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


NAMED_ABOVE_THE_ALERTS = (
    "- Depends on: its volume only; no other services.",
    "- Depends on: its volume only; a full volume fires BookingsSlowBurn first.",
)
"""An alert's name in a section above `## Alerts`: its entry's line is the one below."""


def test_setext_headings_are_the_templates_sections(tmp_path, monkeypatch):
    """`Alerts` underlined with `---` is CommonMark's other way to write `## Alerts`."""
    document = setext(edit(MODEL, NAMED_ABOVE_THE_ALERTS))
    assert "\nAlerts\n------\n" in document and "\n## " not in document
    assert failing(document, tmp_path, monkeypatch) == {}


def test_an_entry_under_a_setext_heading_is_named_at_its_own_line(tmp_path, monkeypatch):
    """Each Setext heading takes one line more than its `## ` form: the model's line 38 is 42."""
    document = setext(
        edit(
            MODEL,
            NAMED_ABOVE_THE_ALERTS,
            ("| BookingsSlowBurn | ticket |", "| BookingsSlowBurn | page |"),
        )
    )
    assert document.splitlines()[41].startswith("| BookingsSlowBurn | page |")
    assert failing(document, tmp_path, monkeypatch) == {
        TEXTS[4]: "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page` "
        "in docs/runbook.md (line 42)"
    }


def test_a_thematic_break_under_a_blank_line_makes_no_alerts_section(tmp_path, monkeypatch):
    document = setext(MODEL).replace("\nAlerts\n------\n", "\nAlerts\n\n------\n")
    found = failing(document, tmp_path, monkeypatch)
    assert found[TEXTS[1]] == "missing: `## Alerts`"
    assert found[TEXTS[2]] == "there is no `## Alerts` section to hold the entries"


def test_entries_as_subsections_and_rows_naming_two_alerts_are_fine(tmp_path, monkeypatch):
    start = MODEL.index("| Alert | Severity |")
    end = MODEL.index("## Common failures and fixes")
    entries = """\
| Alert | Severity | What it means | First actions |
| --- | --- | --- | --- |
| `BookingsFastBurn` / `BookingsMediumBurn` | page | The budget burns fast | 1. Roll back. |

### BookingsSlowBurn

Severity: ticket. Errors are slightly high over days: look at it in working hours.

### BookingsDown

- Severity: page
- Prometheus cannot scrape the service: check the pod and its volume.

"""
    assert failing(MODEL[:start] + entries + MODEL[end:], tmp_path, monkeypatch) == {}


def with_entries(entries: str) -> str:
    """The model runbook with its `## Alerts` table replaced by `entries`."""
    start = MODEL.index("| Alert | Severity |")
    end = MODEL.index("## Common failures and fixes")
    return MODEL[:start] + entries + MODEL[end:]


NESTED = """\
### Pages

#### BookingsFastBurn

- Severity: page
- The budget burns 14 times too fast. 1. Roll back the last deploy.

#### BookingsMediumBurn

The budget burns 6 times too fast, over hours. 1. Look for a job started in the last hours.

#### BookingsDown

Prometheus cannot scrape the service: check the pod and its volume.

### Tickets

#### BookingsSlowBurn

Errors are slightly high over days: look at it in working hours.

"""
GROUPED_TABLES = """\
### Pages

| Alert | What it means | First actions |
| --- | --- | --- |
| BookingsFastBurn | The budget burns fast | 1. Roll back. |
| BookingsMediumBurn | The budget burns for hours | 1. Look for a backfill. |
| BookingsDown | Nothing answers | 1. Check the pod. |

### Tickets

| Alert | What it means | First actions |
| --- | --- | --- |
| BookingsSlowBurn | Errors are slightly high | Look at it in working hours. |

"""


WITH_PARTS = """\
### BookingsFastBurn / BookingsMediumBurn

#### Severity

page

#### What it means

The budget burns fast.

#### First actions

1. Roll back the last deploy.

### BookingsSlowBurn

Severity: ticket. Errors are slightly high over days: look at it in working hours.

### BookingsDown

#### Severity

page

#### What it means and what to do

Prometheus cannot scrape the service: check the pod and its volume.

"""


@pytest.mark.parametrize(
    "entries",
    [
        NESTED,
        GROUPED_TABLES,
        WITH_PARTS,
        re.sub(r"^#", "##", NESTED, flags=re.MULTILINE),
        NESTED.replace("### Pages\n\n", "")
        .replace("### Tickets\n\n", "")
        .replace("#### BookingsSlowBurn", "### BookingsSlowBurn (ticket)")
        .replace("#### ", "### ")
        .replace("### BookingsMediumBurn", "### BookingsMediumBurn (page)")
        .replace("### BookingsDown", "### BookingsDown (page, wakes someone)"),
        NESTED.replace("#### Booking", "#### Alert: Booking"),
        NESTED.replace("### Pages\n\n", "")
        .replace("### Tickets\n\n", "")
        .replace("#### BookingsSlowBurn", "### BookingsSlowBurn — ticket")
        .replace("#### BookingsMediumBurn", "### BookingsMediumBurn - page")
        .replace("#### BookingsDown", "### BookingsDown: nothing answers, page"),
        NESTED.replace("#### BookingsFastBurn", "#### BookingsFastBurn {#bookingsfastburn}"),
        "### Availability\n\n"
        + NESTED.replace("#### ", "##### ")
        .replace("### Pages", "#### Pages")
        .replace("### Tickets", "#### Tickets"),
        NESTED.replace("#### ", "##### "),
        NESTED.replace("#### BookingsFastBurn", "#### 1. BookingsFastBurn")
        .replace("#### BookingsMediumBurn", "#### 2) BookingsMediumBurn")
        .replace("#### BookingsDown", "#### 3.1 BookingsDown"),
    ],
    ids=[
        "headings-under-groups",
        "a-table-per-group",
        "parts-under-each",
        "a-level-deeper",
        "severity-in-the-heading",
        "alert-colon-name",
        "severity-after-a-dash",
        "heading-id",
        "groups-within-a-group",
        "entries-two-levels-below-their-group",
        "numbered-headings",
    ],
)
def test_entries_grouped_by_severity_are_fine(entries, tmp_path, monkeypatch):
    """`### Pages` and `### Tickets` group the entries, and say their severity."""
    assert failing(with_entries(entries), tmp_path, monkeypatch) == {}


@pytest.mark.parametrize(
    ("old", "new", "failing_text", "message"),
    [
        (
            "### Tickets\n\n#### BookingsSlowBurn",
            "#### BookingsSlowBurn",
            TEXTS[4],
            "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page` in "
            "docs/runbook.md",
        ),
        ("#### BookingsDown", "#### BookingsDoubleBooking", TEXTS[2], "`BookingsDown`"),
        ("### Pages", "### Urgent", TEXTS[4], "the entry `BookingsMediumBurn`"),
        (
            "#### BookingsDown",
            "#### BookingsDown (ticket)",
            TEXTS[4],
            "`BookingsDown` is `page` in monitoring/alerts.yaml (line 65) but `ticket`",
        ),
        (
            "### Tickets\n\n#### BookingsSlowBurn",
            "#### BookingsSlowBurn — page",
            TEXTS[4],
            "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page`",
        ),
        ("#### BookingsDown", "#### Alert: BookingsDownward", TEXTS[2], "`BookingsDown`"),
        ("#### BookingsDown", "#### 3. BookingsDownward", TEXTS[3], "`BookingsDownward`"),
        (
            "#### BookingsDown",
            "#### BookingsDown {#bookingsdown} (ticket)",
            TEXTS[4],
            "`BookingsDown` is `page` in monitoring/alerts.yaml (line 65) but `ticket`",
        ),
        (
            "Prometheus cannot scrape the service: check the pod and its volume.",
            "",
            TEXTS[5],
            "the entry `BookingsDown` (docs/runbook.md, line 45) gives no first actions",
        ),
    ],
    ids=[
        "ticket-under-pages",
        "missing-alert",
        "group-without-severity",
        "ticket-in-the-heading",
        "page-after-a-dash-for-a-ticket",
        "alert-colon-other-name",
        "numbered-other-name",
        "heading-id-under-tickets",
        "empty-entry",
    ],
)
def test_mistakes_in_grouped_entries_are_named(
    old, new, failing_text, message, tmp_path, monkeypatch
):
    assert old in NESTED
    found = failing(with_entries(NESTED.replace(old, new, 1)), tmp_path, monkeypatch)
    assert message in found[failing_text], found


ONE_NAME = "\n".join(
    [
        "groups:",
        "  - name: slo",
        "    rules:",
        *(
            line
            for severity, expr in (("page", "vector(1) > 2"), ("ticket", "vector(1) > 3"))
            for line in (
                "      - alert: HighErrorRate",
                f"        expr: {expr}",
                f"        labels: {{severity: {severity}}}",
                "        annotations: {runbook_url: docs/runbook.md#alerts}",
            )
        ),
    ]
)
"""One alert name for a page and a ticket, each rule with its own severity: Prometheus' way."""


SAME_NAME_IN_EACH_GROUP = """\
### Pages

#### HighErrorRate

Errors burn the budget fast: 1. roll back the last deploy.

### Tickets

#### HighErrorRate

Errors leak slowly: look at it in working hours.

"""


@pytest.mark.parametrize(
    "entries",
    [
        "| Alert | Severity | What it means | First actions |\n| --- | --- | --- | --- |\n"
        "| HighErrorRate | page | Errors burn the budget fast | 1. Roll back. |\n"
        "| HighErrorRate | ticket | Errors leak slowly | Look in working hours. |\n\n",
        "| Alert | Severity | What it means | First actions |\n| --- | --- | --- | --- |\n"
        "| HighErrorRate | page or ticket | Errors burn the budget | 1. Roll back. |\n\n",
        "| Alert | Severity | What it means | First actions |\n| --- | --- | --- | --- |\n"
        "| HighErrorRate | Pages on-call when fast; a ticket when slow | Errors burn the budget "
        "| 1. Roll back. |\n\n",
        "### HighErrorRate\n\nSeverity: page (fast) / ticket (slow). Errors burn the budget: "
        "1. roll back.\n\n",
        SAME_NAME_IN_EACH_GROUP,
    ],
    ids=["a-row-each", "one-row-both", "in-words", "one-heading-both", "a-heading-per-group"],
)
def test_one_alert_name_with_two_severities_is_fine(entries, tmp_path, monkeypatch):
    assert failing(with_entries(entries), tmp_path, monkeypatch, rules=ONE_NAME) == {}


@pytest.mark.parametrize(
    ("severity", "message"),
    [
        (
            "ticket",
            "`HighErrorRate` is also `page` in monitoring/alerts.yaml (line 4), and no entry in "
            "docs/runbook.md says so",
        ),
        (
            "",
            "the entry `HighErrorRate` (docs/runbook.md, line 36) does not say its severity; "
            "monitoring/alerts.yaml labels it `page` (line 4) and `ticket` (line 8)",
        ),
    ],
    ids=["one-of-two", "none"],
)
def test_an_entry_missing_one_of_an_alerts_severities_is_named(
    severity, message, tmp_path, monkeypatch
):
    entries = (
        "| Alert | Severity | What it means | First actions |\n| --- | --- | --- | --- |\n"
        f"| HighErrorRate | {severity} | Errors burn the budget | 1. Roll back. |\n\n"
    )
    found = failing(with_entries(entries), tmp_path, monkeypatch, rules=ONE_NAME)
    assert found == {TEXTS[4]: message}


def test_an_alert_name_under_one_group_of_its_two_severities_is_named(tmp_path, monkeypatch):
    entries = SAME_NAME_IN_EACH_GROUP.split("### Tickets")[0]
    found = failing(with_entries(entries), tmp_path, monkeypatch, rules=ONE_NAME)
    assert found == {
        TEXTS[4]: "`HighErrorRate` is also `ticket` in monitoring/alerts.yaml (line 8), and no "
        "entry in docs/runbook.md says so"
    }


def test_an_alert_name_used_twice_is_named_once_when_it_has_no_entry(tmp_path, monkeypatch):
    entries = (
        "| Alert | Severity | What it means | First actions |\n| --- | --- | --- | --- |\n"
        "| Other | page | Errors burn the budget | 1. Roll back. |\n\n"
    )
    found = failing(with_entries(entries), tmp_path, monkeypatch, rules=ONE_NAME)
    assert found[TEXTS[2]] == (
        "`HighErrorRate` (monitoring/alerts.yaml, lines 4, 8) has no entry; the runbook's "
        "`## Alerts` has: Other"
    )
    assert found[TEXTS[3]].endswith("which defines: HighErrorRate")


def test_broken_alert_rules_are_left_to_exercise_08_3(tmp_path, monkeypatch):
    found = failing(MODEL, tmp_path, monkeypatch, rules="groups: [\n")
    assert found[TEXTS[2]].startswith("monitoring/alerts.yaml is not valid YAML")
    assert found[TEXTS[2]].endswith("(exercise 08.3)")


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("BookingsFastBurn", ["BookingsFastBurn"]),
        ("`BookingsFastBurn`, `BookingsMediumBurn`", ["BookingsFastBurn", "BookingsMediumBurn"]),
        ("[BookingsDown](#bookingsdown)", ["BookingsDown"]),
        ("A and B<br>C", ["A", "B", "C"]),
        ("BookingsFastBurn (page)", ["BookingsFastBurn"]),
        ("`BookingsDown` (severity: page), BookingsSlowBurn", ["BookingsDown", "BookingsSlowBurn"]),
        ("Alert: BookingsFastBurn", ["BookingsFastBurn"]),
        ("BookingsFastBurn — page", ["BookingsFastBurn"]),
        ("BookingsDown: nothing answers", ["BookingsDown"]),
        ("BookingsFastBurn {#bookingsfastburn}", ["BookingsFastBurn"]),
        ("Bookings-FastBurn", ["Bookings-FastBurn"]),
        (
            "BookingsFastBurn / BookingsMediumBurn — page, at once",
            ["BookingsFastBurn", "BookingsMediumBurn"],
        ),
    ],
)
def test_the_names_a_cell_gives(cell, names):
    assert runbook._names_in(cell) == names


PROPERTY_TABLE = """\
### HighErrorRate

| Severity | page |
| --- | --- |
| Owner | bookings team |

Errors burn the budget fast. 1. Roll back the last deploy.

"""


@pytest.mark.parametrize(
    "entry",
    [
        PROPERTY_TABLE,
        PROPERTY_TABLE.replace(
            "| Severity | page |\n| --- | --- |\n",
            "| Property | Value |\n| --- | --- |\n| Severity | page |\n",
        ),
        PROPERTY_TABLE.replace(
            "| Severity | page |\n| --- | --- |\n",
            "| Alert | HighErrorRate |\n| --- | --- |\n| Severity | page |\n",
        ),
        PROPERTY_TABLE.replace(
            "Errors burn the budget fast. 1. Roll back the last deploy.",
            "#### What it means\n\nErrors burn the budget fast.\n\n#### First actions\n\n"
            "1. Roll back the last deploy.",
        ),
    ],
    ids=["severity-first", "under-a-header", "naming-the-alert", "with-parts"],
)
def test_an_entry_with_a_property_table_is_fine(entry, tmp_path, monkeypatch):
    """A small table of the entry's properties (severity, owner) is not a table of entries."""
    rules = ONE_NAME.replace("severity: ticket", "severity: page")
    assert failing(with_entries(entry), tmp_path, monkeypatch, rules=rules) == {}


def test_a_property_table_giving_the_wrong_severity_is_named(tmp_path, monkeypatch):
    rules = ONE_NAME.replace("severity: ticket", "severity: page")
    entry = PROPERTY_TABLE.replace("| Severity | page |", "| Severity | ticket |")
    found = failing(with_entries(entry), tmp_path, monkeypatch, rules=rules)
    assert found == {
        TEXTS[4]: "`HighErrorRate` is `page` in monitoring/alerts.yaml (lines 4, 8) but `ticket` "
        "in docs/runbook.md (line 34)"
    }


MODEL_HEADER = "| Alert | Severity | What it means | First actions |"


@pytest.mark.parametrize(
    "header",
    [
        "| Alert | Severity | Why it fires | What to do first |",
        "| Alert | Severity | Cause | First steps |",
        "| Alert | Severity | Trigger | Response |",
        "| Alert | Severity | When it fires | What to do |",
        "| Alert | Severity | Explanation | Immediate actions |",
        "| Alert | Level | Meaning | Actions |",
        "| Alert | Escalation level | Severity | What it means | First actions |",
    ],
    ids=["why", "cause", "trigger", "when-it-fires", "explanation", "level", "escalation-level"],
)
def test_a_table_whose_columns_are_headed_other_ways_is_fine(header, tmp_path, monkeypatch):
    """What makes an alert fire says what it means; `Level` says its severity."""
    assert MODEL_HEADER in MODEL
    document = MODEL.replace(MODEL_HEADER, header)
    if "Escalation level" in header:
        document = document.replace(
            "| --- | --- | --- | --- |", "| --- | --- | --- | --- | --- |", 1
        )
        document = re.sub(r"(?m)^\| (Bookings\w+) \|", r"| \1 | L1 |", document)
    assert failing(document, tmp_path, monkeypatch) == {}


def entries_with_parts(meaning: str, actions: str, grouped: bool = False) -> str:
    """The model's entries as `### Name` subsections, each with two `#### ` parts; grouped,
    under `### Pages` and `### Tickets`, one level deeper."""
    deeper = "#" if grouped else ""
    entries = ""
    for name, severity in (
        ("BookingsFastBurn", "page"),
        ("BookingsMediumBurn", "page"),
        ("BookingsDown", "page"),
        ("BookingsSlowBurn", "ticket"),
    ):
        if grouped and name in ("BookingsFastBurn", "BookingsSlowBurn"):
            entries += f"### {severity.title()}s\n\n"
        said = "" if grouped else f"Severity: {severity}\n\n"
        entries += (
            f"{deeper}### {name}\n\n{said}{deeper}#### {meaning}\n\nErrors burn the budget.\n\n"
            f"{deeper}#### {actions}\n\n1. Roll back the last deploy.\n\n"
        )
    start = MODEL.index(MODEL_HEADER)
    return MODEL[:start] + entries + MODEL[MODEL.index("## Common failures and fixes") :]


@pytest.mark.parametrize(
    ("meaning", "actions"),
    [
        ("When it fires", "What to do"),
        ("Trigger", "Response"),
        ("Condition", "Remediation"),
        ("Explanation", "Procedure"),
    ],
)
def test_entry_parts_headed_other_ways_are_parts_not_entries(
    meaning, actions, tmp_path, monkeypatch
):
    assert failing(entries_with_parts(meaning, actions), tmp_path, monkeypatch) == {}


def test_a_table_with_no_column_saying_what_an_alert_means_is_still_named(tmp_path, monkeypatch):
    document = MODEL.replace(MODEL_HEADER, "| Alert | Severity | Owner | First actions |")
    assert "does not say what it means" in failing(document, tmp_path, monkeypatch)[TEXTS[5]]


def test_entries_with_such_parts_grouped_by_severity_are_fine(tmp_path, monkeypatch):
    """Under `### Pages`, the headings naming alerts are entries, and theirs are parts."""
    document = entries_with_parts("When it fires", "What to do", grouped=True)
    assert failing(document, tmp_path, monkeypatch) == {}


def alerts_table() -> str:
    return MODEL[MODEL.index(MODEL_HEADER) : MODEL.index("## Common failures and fixes")]


def with_columns(order: list[int]) -> str:
    """The model's `## Alerts` table with its columns in `order`."""
    lines = []
    for line in alerts_table().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        lines.append("| " + " | ".join(cells[i] for i in order) + " |" if cells[0] else line)
    return with_entries("\n".join(lines) + "\n\n")


def with_rows_reversed() -> str:
    header, separator, *rows = alerts_table().strip().splitlines()
    return with_entries("\n".join([header, separator, *reversed(rows)]) + "\n\n")


HEADED_WITH_SEVERITY = """\
### BookingsFastBurn (page)

The budget burns 14.4 times too fast.

**First actions**

- Roll back the last deploy.
- Find the failing route on the SLO dashboard.

### BookingsMediumBurn (page)

The budget burns 6 times too fast, over hours.

**First actions**

- Look for a job started in the last hours.

### BookingsSlowBurn (ticket)

Errors are slightly high, over days.

**First actions**

- Look at it the same working day.

### BookingsDown (page)

Prometheus cannot scrape the service.

**First actions**

- `curl` `/health/ready`: its 503 body says why.

"""


@pytest.mark.parametrize(
    "document",
    [
        with_columns([1, 0, 3, 2]),
        with_rows_reversed(),
        MODEL.replace("| page |", "| Page |").replace("| ticket |", "| Ticket |"),
        MODEL.replace("Roll it back. 2. On", "Roll it back.<br>2. On"),
        with_entries(HEADED_WITH_SEVERITY),
    ],
    ids=[
        "severity-column-first",
        "rows-in-another-order",
        "severity-capitalised",
        "actions-on-lines-of-their-own",
        "severity-in-the-heading-and-bulleted-actions",
    ],
)
def test_more_runbooks_written_other_ways_pass(document, tmp_path, monkeypatch):
    assert document != MODEL
    assert failing(document, tmp_path, monkeypatch) == {}


@pytest.mark.parametrize(
    ("document", "failing_text", "message"),
    [
        (
            with_entries(
                HEADED_WITH_SEVERITY.replace(
                    "### BookingsSlowBurn (ticket)", "### BookingsSlowBurn (page)"
                )
            ),
            4,
            "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page`",
        ),
        (
            with_columns([1, 0, 3, 2]).replace(
                "| ticket | BookingsSlowBurn |", "| page | BookingsSlowBurn |"
            ),
            4,
            "`BookingsSlowBurn` is `ticket` in monitoring/alerts.yaml (line 48) but `page`",
        ),
        (
            # Prometheus' alert names are case-sensitive.
            MODEL.replace("| BookingsFastBurn |", "| BookingsFastburn |"),
            2,
            "`BookingsFastBurn` (monitoring/alerts.yaml, line 8) has no entry",
        ),
    ],
    ids=["heading-severity-differs", "moved-severity-column-differs", "name-in-another-case"],
)
def test_those_ways_do_not_hide_a_mistake(document, failing_text, message, tmp_path, monkeypatch):
    found = failing(document, tmp_path, monkeypatch)
    assert message in found.get(TEXTS[failing_text], ""), found
