"""Exercise 08.4: the runbook has an entry for each alert of the project's rules, and no other.

Each mismatch is named with both sides: the alert and its line in monitoring/alerts.yaml, the
entry and its line in docs/runbook.md.
"""

from __future__ import annotations

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


def test_sections_in_another_order_and_extra_sections_are_fine(tmp_path, monkeypatch):
    overview = MODEL[MODEL.index("## Service overview") : MODEL.index("## Dashboards")]
    document = MODEL.replace(overview, "") + "\n" + overview + "\n## Glossary\n\n- SLO: …\n"
    assert failing(document, tmp_path, monkeypatch) == {}


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
    ],
)
def test_the_names_a_cell_gives(cell, names):
    assert runbook._names_in(cell) == names
