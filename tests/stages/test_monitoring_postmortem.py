"""Exercise 08.5: the postmortem. Each mistake is named; what people really write passes."""

from __future__ import annotations

import re

import pytest

from onboarding.stages.monitoring import postmortem
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import artefact

NOTEBOOK = "08_monitoring.ipynb"
CHECKS = {
    "headings": postmortem.heading_problems,
    "placeholders": postmortem.placeholder_problems,
    "timeline": postmortem.timeline_problems,
    "actions": postmortem.action_item_problems,
    "blame": postmortem.blame_problems,
}


@pytest.fixture(scope="module")
def model() -> str:
    text = artefact(NOTEBOOK, "solutions", "%%writefile postmortem.md")
    return text.split("<!-- The learner's starting skeleton follows", 1)[0]


def all_problems(text: str) -> dict[str, list[str]]:
    return {name: check(text) for name, check in CHECKS.items()}


def test_the_model_postmortem_passes_every_check(model):
    assert all_problems(model) == dict.fromkeys(CHECKS, [])


def test_headings_in_another_case_and_order_pass_and_the_order_is_advice(model):
    """Issue 9: a heading names a section, whatever its case; the template's order is advice."""
    shouting = re.sub(r"(?m)^## (.+)$", lambda m: f"## {m[1].upper()}", model)
    title, summary, impact, timeline, *rest = re.split(r"(?m)^(?=## )", shouting)
    assert summary.startswith("## SUMMARY") and timeline.startswith("## TIMELINE")
    timeline_first = "".join([title, impact, timeline, summary.rstrip() + "\n\n", *rest])
    assert all_problems(timeline_first) == dict.fromkeys(CHECKS, [])
    assert postmortem.heading_advice(model) is None
    assert postmortem.heading_advice(timeline_first) == (
        "`## Summary` comes after `## Timeline`; the template's order ("
        + ", ".join(postmortem.POSTMORTEM_HEADINGS)
        + ") is what readers expect"
    )


def test_the_required_headings_are_the_templates():
    template = (COURSE_ROOT / "templates" / "postmortem.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", template, flags=re.MULTILINE)
    assert tuple(h for h in headings if h not in postmortem.TEMPLATE_ONLY_HEADINGS) == (
        postmortem.POSTMORTEM_HEADINGS
    )


def test_the_unsolved_skeleton_fails():
    skeleton = artefact(NOTEBOOK, "exercises", "%%writefile postmortem.md")
    assert postmortem.heading_problems(skeleton) == []
    assert postmortem.placeholder_problems(skeleton)
    assert postmortem.timeline_problems(skeleton)
    assert postmortem.action_item_problems(skeleton)


@pytest.mark.parametrize(
    ("old", "new", "failing", "message"),
    [
        ("## Where we got lucky", "## Luck", "headings", "missing: `## Where we got lucky`"),
        (
            "## Root cause",
            "## Root cuase",
            "headings",
            "write `## Root cuase` exactly as `## Root cause`",
        ),
        (
            "## Summary",
            "## How to use this template\n\nFill it in.\n\n## Summary",
            "headings",
            "`## How to use this template` is the template's guidance; delete it",
        ),
        (
            "## Summary\n",
            "## Impact\n\nSee below.\n\n## Summary\n",
            "headings",
            "`## Impact` appears 2 times",
        ),
        (
            "- Users affected: everyone",
            "- Users affected: [who]",
            "placeholders",
            "placeholder `[who]`",
        ),
        (
            # A link label that nothing defines is still a placeholder.
            "- Dashboards used: Bookings / SLO",
            "- Dashboards used: [Bookings / SLO][slo]",
            "placeholders",
            "`## Lessons and links` still has the placeholder `[slo]`",
        ),
        (
            "## What went badly\n",
            "## What went badly\n\n> What went badly?\n",
            "placeholders",
            "still has the template's `>` guidance",
        ),
        (
            "\n- The backfill was stopped before it finished: committing would have held the "
            "lock for several\n  more minutes.\n",
            "\n",
            "placeholders",
            "`## Where we got lucky` is empty",
        ),
        (
            "| 10:09 | Facilities calls",
            "| 10:29 | Facilities calls",
            "timeline",
            "comes after a later time",
        ),
        ("| Time (UTC) | Event |", "| Time | Event |", "timeline", "no time zone"),
        (
            "| 10:12 | The page",
            "| Soon after | The page",
            "timeline",
            "has no time (HH:MM) at its start",
        ),
        (
            "| Tech lead | 2030-03-08 |",
            "| everyone | 2030-03-08 |",
            "actions",
            "has no single owner (found “everyone”)",
        ),
        (
            "| SRE | 2030-03-13 |",
            "| SRE and DevOps | 2030-03-13 |",
            "actions",
            "has several owners",
        ),
        ("| SRE | 2030-03-13 |", "| SRE | ASAP |", "actions", "has no due date (found “ASAP”)"),
        ("| SRE | 2030-03-13 |", "| Lee/Sam | 2030-03-13 |", "actions", "has several owners"),
        ("| Owner | Due |", "| Who | Due |", "actions", "has no Owner column"),
        ("| SRE | 2030-03-13 |", "| @priya/@sam | 2030-03-13 |", "actions", "has several owners"),
        ("| SRE | 2030-03-13 |", "| @priya, @sam | 2030-03-13 |", "actions", "has several owners"),
        # A note in brackets is about the one owner, unless it names a second.
        ("| SRE | 2030-03-13 |", "| Priya (SRE) and Sam | 2030-03-13 |", "actions", "several"),
        ("| SRE | 2030-03-13 |", "| SRE (Priya and Sam) | 2030-03-13 |", "actions", "several"),
        ("| Owner | Due |", "| Owner | Ticket |", "actions", "has no Due column"),
        (
            "- Trigger: a data backfill",
            "- Trigger: human error. A data backfill",
            "blame",
            "“human error”",
        ),
        (
            "| 10:24 | The backfill is mentioned",
            "| 10:24 | Jordan forgot to mention the backfill",
            "blame",
            "“Jordan forgot”",
        ),
        (
            "- The runbook had no entry",
            "- Priya was slow to find the runbook, which had no entry",
            "blame",
            "“Priya was slow”",
        ),
        (
            "- Nobody on call knew",
            "- It was Sam's fault that nobody on call knew",
            "blame",
            "“Sam's fault”",
        ),
    ],
    ids=lambda value: str(value)[:30],
)
def test_each_postmortem_mistake_is_named(model, old, new, failing, message):
    assert old in model, old
    problems = CHECKS[failing](model.replace(old, new, 1))
    assert any(message in problem for problem in problems), problems


def quoting_the_notes(text: str) -> str:
    """The tech lead's words quoted as a blockquote in the root cause, and answered."""
    return text.replace(
        "## What went well",
        "Sam wrote in the incident channel:\n\n"
        "> “Jordan forgot the backfill would lock the whole table. Human error, basically.”\n\n"
        "That names nobody's fix: the process let one script hold the lock.\n\n## What went well",
        1,
    )


def times_with_seconds(text: str) -> str:
    return re.sub(r"(?m)^\| (\d\d:\d\d) \|", r"| \1:00 |", text)


def date_and_time_columns(text: str) -> str:
    """The timeline with a Date column before its Time column."""
    text = text.replace(
        "| Time (UTC) | Event |\n| --- | --- |",
        "| Date | Time (UTC) | Event |\n| --- | --- | --- |",
    )
    return re.sub(r"(?m)^\| (\d\d:\d\d) \|", r"| 2030-03-04 | \1 |", text)


def a_deadline_column(text: str) -> str:
    return text.replace("| Owner | Due |", "| Owner | Deadline |")


def tracker_column_names(text: str) -> str:
    """The owner and due columns as an issue tracker names them."""
    return text.replace("| Owner | Due |", "| Assignee | Target date |")


def a_by_when_column(text: str) -> str:
    """`| DRI | By when |`: the owner and the date as a team's checklist heads them."""
    return text.replace("| Owner | Due |", "| DRI | By when |")


def a_by_column(text: str) -> str:
    return text.replace("| Owner | Due |", "| Owner | By |")


def owners_as_handles(text: str) -> str:
    """Owners as chat handles; a team's handle has a slash in it and is still one owner."""
    return text.replace("| SRE |", "| @acme/sre |").replace("| Tech lead |", "| @priya |")


def the_zone_in_the_timelines_heading(text: str) -> str:
    """`## Timeline (UTC)`: the heading with a note in brackets, the only place with the zone."""
    return text.replace("## Timeline", "## Timeline (UTC)", 1).replace(
        "| Time (UTC) |", "| Time |", 1
    )


def numbered_headings(text: str) -> str:
    """`## 1. Summary`, `## 2. Impact`…: numbered sections are the template's sections."""
    numbers = iter(range(1, 20))
    return re.sub(r"(?m)^## ", lambda _: f"## {next(numbers)}. ", text)


def times(text: str, written_as: str, header: str = "| Time |") -> str:
    """The timeline's times rewritten (`\\1` is the HH:MM), under another Time header."""
    rewritten = re.sub(r"(?m)^\| (\d\d:\d\d) \|", f"| {written_as} |", text)
    return rewritten.replace("| Time (UTC) |", header, 1)


def utc_with_a_z(text: str) -> str:
    return times(text, r"\1Z")


def utc_as_an_offset(text: str) -> str:
    return times(text, r"\1+00:00")


def iso_timestamps(text: str) -> str:
    return times(text, r"2030-03-04T\1:00Z", "| When |")


def twelve_hour_times(text: str) -> str:
    return times(text, r"\1 AM", "| Time (UTC) |")


def an_offset_in_the_header(text: str) -> str:
    return text.replace("| Time (UTC) |", "| Time (+00:00) |", 1)


def the_zone_in_words(text: str) -> str:
    return text.replace("| Time (UTC) |", "| Time |", 1).replace(
        "## Timeline\n", "## Timeline\n\nAll times are Coordinated Universal Time.\n", 1
    )


def an_owner_with_a_note(text: str) -> str:
    """One owner with a note in brackets, commas and all."""
    return text.replace("| SRE | 2030-03-13 |", "| Priya (SRE, on call) | 2030-03-13 |")


def roles_and_people_as_owners(text: str) -> str:
    return text.replace("| Tech lead | 2030-03-08 |", "| Sam (tech lead) | 2030-03-08 |").replace(
        "| SRE | 2030-03-13 |", "| priya@example.com | 2030-03-13 |"
    )


DASHBOARDS = "- Dashboards used: Bookings / SLO, Bookings / Traces."


def reference_style_links(text: str) -> str:
    """Links whose targets are defined at the end of the document, as long URLs often are."""
    return text.replace(
        DASHBOARDS, "- Dashboards used: [Bookings / SLO][slo], [traces] and the lock graph [1]."
    ) + (
        "\n[slo]: https://grafana.example.com/d/slo\n"
        "[Traces]: https://grafana.example.com/d/traces\n"
        "[1]: https://grafana.example.com/d/locks\n"
    )


def brackets_in_inline_code(text: str) -> str:
    return text.replace(
        "`database is locked` after the 5-second busy timeout.",
        "`database is locked` after the 5-second busy timeout (`PRAGMA busy_timeout = [5000]`).",
        1,
    )


def due_dates_written_otherwise(text: str) -> str:
    return (
        text.replace("| 2030-03-11 |", "| 11 Mar 2030 |")
        .replace("| 2030-03-08 |", "| by 2030-03-08 |", 1)
        .replace("| 2030-03-13 |", "| 2030/03/13 |", 1)
        .replace("| 2030-03-15 |", "| Friday 15 March |")
    )


def bold_times(text: str) -> str:
    return times(text, r"**\1**", "| Time (UTC) |")


def an_approximate_time(text: str) -> str:
    """A time the notes only give roughly: `~10:09`."""
    return text.replace("| 10:09 |", "| ~10:09 |", 1)


def the_zone_as_z_in_the_header(text: str) -> str:
    return text.replace("| Time (UTC) |", "| Time (Z) |", 1)


def a_timeline_as_a_list(text: str) -> str:
    """The timeline as a list under "All times UTC.", one `- 10:02 …` item per event."""
    listed = text.replace("| Time (UTC) | Event |\n| --- | --- |\n", "All times UTC.\n\n", 1)
    return re.sub(r"(?m)^\| (\d\d:\d\d) \| (.*) \|$", r"- \1: \2", listed)


def roles_in_the_story(text: str) -> str:
    """The story told with the roles who acted, and what the system did not do for them."""
    return (
        text.replace("| The page is acknowledged;", "| The on-call engineer acknowledges the page;")
        .replace("| Backfill stopped;", "| The engineer who started the backfill stops it;", 1)
        .replace(
            "- The runbook had no entry for lock contention.",
            "- The runbook had no entry for lock contention, so the on-call engineer had no "
            "pointer to running jobs. QA had no test that ran two writes at once.",
        )
    )


@pytest.mark.parametrize(
    "rewrite",
    [
        numbered_headings,
        utc_with_a_z,
        utc_as_an_offset,
        iso_timestamps,
        twelve_hour_times,
        an_offset_in_the_header,
        the_zone_in_words,
        an_owner_with_a_note,
        roles_and_people_as_owners,
        due_dates_written_otherwise,
        reference_style_links,
        brackets_in_inline_code,
        bold_times,
        an_approximate_time,
        the_zone_as_z_in_the_header,
        a_timeline_as_a_list,
        roles_in_the_story,
    ],
    ids=[
        "numbered-headings",
        "utc-with-a-z",
        "utc-as-an-offset",
        "iso-timestamps",
        "twelve-hour-times",
        "an-offset-in-the-header",
        "the-zone-in-words",
        "an-owner-with-a-note",
        "roles-and-people-as-owners",
        "due-dates-written-otherwise",
        "reference-style-links",
        "brackets-in-inline-code",
        "bold-times",
        "an-approximate-time",
        "the-zone-as-z-in-the-header",
        "a-timeline-as-a-list",
        "roles-in-the-story",
    ],
)
def test_more_right_postmortems_pass(model, rewrite):
    rewritten = rewrite(model)
    assert rewritten != model
    assert all_problems(rewritten) == dict.fromkeys(CHECKS, [])
    assert postmortem.heading_advice(rewritten) is None


@pytest.mark.parametrize(
    "rewrite",
    [
        quoting_the_notes,
        times_with_seconds,
        date_and_time_columns,
        a_deadline_column,
        the_zone_in_the_timelines_heading,
        tracker_column_names,
        owners_as_handles,
        a_by_when_column,
        a_by_column,
    ],
    ids=[
        "notes-quoted-as-a-blockquote",
        "times-with-seconds",
        "date-and-time-columns",
        "a-deadline-column",
        "zone-in-the-heading",
        "tracker-column-names",
        "owners-as-handles",
        "a-by-when-column",
        "a-by-column",
    ],
)
def test_right_postmortems_written_other_ways_pass(model, rewrite):
    rewritten = rewrite(model)
    assert rewritten != model
    assert all_problems(rewritten) == dict.fromkeys(CHECKS, [])


def test_a_timeline_as_a_list_is_still_held_to_time_order(model):
    listed = a_timeline_as_a_list(model).replace("- 10:09:", "- 10:29:", 1)
    assert "- 10:29: Facilities calls" in listed
    assert "“10:12: The page is acknowledged; incident channel…” comes after a later time" in (
        " ".join(postmortem.timeline_problems(listed))
    )


def setext(text: str) -> str:
    """A document with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


def test_setext_headings_are_the_templates(model):
    """`Timeline` underlined with `---` is CommonMark's other way to write `## Timeline`."""
    text = setext(
        model.replace("| Time (UTC) |", "| Time |").replace("## Timeline", "## Timeline (UTC)")
    )
    assert "\nTimeline (UTC)\n--------------\n" in text and "\n## " not in text
    assert all_problems(text) == dict.fromkeys(CHECKS, [])
    assert postmortem.heading_advice(text) is None


def test_a_setext_postmortems_mistakes_are_named_at_their_lines(model):
    text = setext(model).replace(
        "Summary\n-------\n", "Summary\n-------\n\nJordan forgot the lock.\n"
    )
    line = text.splitlines().index("Jordan forgot the lock.") + 1
    assert all_problems(text)["blame"] == [f"line {line}: “Jordan forgot”"]
    # Under a blank line, `---` is a thematic break: the title above it is no heading.
    broken = setext(model).replace("Timeline\n--------\n", "Timeline\n\n--------\n")
    assert all_problems(broken)["headings"] == ["missing: `## Timeline`"]
    assert all_problems(broken)["timeline"] == ["there is no `## Timeline` section"]


def test_a_column_saying_who_raised_an_item_is_no_due_date(model):
    raised_by = model.replace("| Owner | Due |", "| Owner | Raised by |")
    assert all_problems(raised_by)["actions"] == ["the action-item table has no Due column"]


def test_fewer_than_three_action_items_are_counted(model):
    rows = [line for line in model.splitlines() if line.startswith("| ") and "BOOK-20" in line]
    text = model
    for row in rows[2:]:
        text = text.replace(row + "\n", "")
    assert "2 action item(s); write at least 3" in " ".join(postmortem.action_item_problems(text))


@pytest.mark.parametrize(
    "sentence",
    [
        "Priya acknowledged the page and saw the error rate.",
        "Jordan mentioned the backfill in the channel.",
        "Nobody was at fault: the system allowed a long write during office hours.",
        "The blameless review took an hour.",
        # Quoting the notes, or saying why a verdict is wrong, is not blaming.
        'Sam called it "human error" in the channel; the review found a process gap instead.',
        "> Sam: “Jordan forgot the backfill would lock the whole table. Human error, basically.”",
        "This was not human error: nothing stopped a long write transaction.",
        "We avoid calling this human error, because it names nobody's fix.",
        "It wasn't Jordan's fault: the script had no review.",
        "Human error is not a root cause: nothing stopped a long write transaction.",
        "Human error isn't an explanation; the process allowed one script to lock every booking.",
        "It is tempting to call this human error, but nothing stopped a long write transaction.",
        # A role, not a name; a person who did something, not the cause.
        "The on-call engineer acknowledged the page at 10:12.",
        "Priya, the on-call engineer, opened the incident channel.",
        "Jordan mentioned the backfill at 10:24, which let the team stop it.",
        "The backfill Jordan started held the write lock for 24 minutes.",
        "Sam broke the work down into three action items.",
        "Priya broke the news in the status channel.",
        "Jordan broke the backfill into batches of 1,000 rows.",
        "Jordan, Priya and Sam reviewed the timeline, which caused no delay.",
        # A reason is judged by what it says of the person, and "ran the backfill" is an act
        # told without fault; "without" is no "did not" ("rolled back without waiting").
        "Because Jordan ran the backfill without batching, every booking failed.",
        "The on-call engineer rolled back without waiting for the DBA.",
    ],
)
def test_neutral_sentences_are_not_blame(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Root cause: human error.",
        "Human error, not the database, caused the outage.",
        "Sam called it human error, and it was.",
        "Jordan's mistake was to run the backfill at ten.",
        # Denied only in part: it is still named as a cause.
        "Human error was not the only cause.",
        "Human error wasn't the whole story, but Jordan should have known.",
        "Jordan broke production.",
        # A clause about the person between them and the verdict.
        "Jordan, who ran the backfill, forgot the lock.",
        "Sam, the tech lead, ignored the warnings.",
        "Priya, who was on call, was slow to respond.",
        # A denial reaches to the end of its clause, not into the next one.
        "The runbook had no entry, and the on-call engineer forgot to check it.",
        "This was not human error, but Jordan forgot the lock.",
        # Without a comma too, when "so", "and" or "but" opens a clause with a new subject.
        "The runbook had no entry so the on-call engineer forgot to check.",
        "The runbook had no entry and the on-call engineer forgot to check it.",
        "No alert fired and Jordan forgot the lock.",
        "There was no alert and she missed the page.",
        "Nobody expected it and the DBA didn't check the lock.",
        "Sam never ignored a warning but Jordan skipped the review.",
        # A reason that tells a lapse or an act left undone is still a verdict on them.
        "Because Jordan forgot to batch the backfill, every booking failed.",
        "Because Jordan did not batch the backfill, every booking failed.",
        "Because the DBA did not batch the backfill, every booking failed.",
    ],
)
def test_a_verdict_is_still_blame(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # What a role did, in the timeline's words.
        "The on-call engineer rolled back at 14:32.",
        "The DBA ran the migration at 10:02.",
        "| 10:12 | The on-call engineer acknowledged the page and opened the incident channel. |",
        "The help desk paged the on-call engineer; no alert had fired.",
        "The tech lead decided to stop the backfill.",
        "| 10:26 | The engineer who started the backfill stopped it; the transaction rolled back. |",
        "The incident commander declared SEV2 at 10:12.",
        "The on-call engineer was paged at 10:09 by the help desk.",
        "The team lead asked the DBA to stop the job.",
        "The engineer broke the backfill into batches of 1,000 rows.",
        "The DBA then ran the backfill in batches, which caused no lock waits.",
        # What the system let happen, with a role in the sentence.
        "We had no alert for lock waits.",
        "QA had no test that ran two writes at once, so the race could not be seen.",
        "QA tested one request at a time, so no test could see the race.",
        "Nothing told the on-call engineer that a backfill was running.",
        "The runbook gave the on-call engineer no entry for `database is locked`.",
        "The reviewer approved the script, because the checklist did not ask about locks.",
        "The developer who wrote the script was not told that SQLite allows one writer.",
        "The on-call engineer, who had never seen this error, followed the generic 500s entry.",
        "The on-call engineer did not forget anything: the runbook had no entry.",
        "Even an experienced DBA could not have seen the lock from the dashboard.",
        "The on-call engineer couldn't have known a backfill was running.",
        "Jordan could not have known the backfill would lock the table.",
        "QA could have had a concurrency test for the booking path.",
        "The on-call engineer could have been paged sooner by an alert.",
        "An integration test could have caught it.",
        "The backfill could have held the lock for an hour.",
        "It could have been worse.",
        # A near miss, told as luck: what someone could have done, and what it would have done.
        "The on-call engineer could have restarted the pod, which would have lost the queue.",
        "Jordan could have let the backfill commit, and that would have held the lock longer.",
        "Jordan's backfill could have held the lock for an hour.",
        "Jordan's backfill should have committed in batches.",
        # A condition about the system or the team: what the situation allowed, not a verdict.
        "The on-call engineer could have checked the lock table if the runbook had mentioned it.",
        "The on-call engineer could have checked the lock table, had the runbook mentioned it.",
        "QA could have caught it if we had written a concurrency test.",
        "The bug could have been caught by QA if the suite had a concurrency test.",
        # "Should have" under the same condition is as much a counterfactual.
        "The on-call engineer should have checked the lock table if the runbook had mentioned it.",
        "QA should have caught it if the runbook had mentioned it.",
        "The bug should have been caught by QA if the suite had a concurrency test.",
        # A near miss whose would-have wins nothing is luck, not a verdict.
        "The on-call engineer could have restarted the pod, but it would not have helped.",
        # What they never could (or would) have done is no act left undone.
        "Jordan never could have known the backfill would lock the table.",
        "The on-call engineer never could reach the DBA by phone.",
        # A plan is no verdict: what was meant to happen, and what did.
        "Jordan was supposed to run the backfill at 02:00, but the scheduler started it at 10:00.",
        # A time, with no one in it.
        "The error rate rose since the deploy.",
        "It was nobody's fault: the on-call engineer followed the runbook.",
        # A role word that is not the subject, or a failure that is no one's.
        "Waiting for the DBA caused a ten-minute delay.",
        "The on-call engineer's pager failed to ring.",
        "The DBA's migration plan said nothing about batching.",
        "The SRE dashboard failed to show lock waits.",
        "The QA environment caused no alerts.",
        "The on-call rota was unclear, which caused the delay.",
        "Our alerts failed to fire because reads kept succeeding.",
        "The alert should have fired at 10:05, but the SLO counted every request.",
        "Users failed to book rooms for 23 minutes.",
        "The on-call engineer failed to reach the DBA by phone, so the decision waited.",
        "The help desk failed to get through to the on-call engineer at first.",
        "Priya failed to reach Jordan by phone at first.",
        # What the process owes a role or a person: an action, not a verdict.
        "QA should have a concurrency test for the booking path.",
        "The DBA should have a way to see who holds the lock.",
        "SRE should have access to the job scheduler.",
        "The on-call engineer should not have to guess which job is running.",
        "The on-call engineer should have been paged by an alert, not by the help desk.",
        "Priya should have a second pager.",
        "Jordan shouldn't have to run backfills by hand.",
        "QA should have received the script for review.",
        "The engineer who was on call caused no harm by restarting the pod.",
        # What a role did not have, get, know or find: the system's gap, not theirs.
        "The on-call engineer did not have an alert to go on.",
        "The deploy did not run the migration.",
        "Priya didn't get paged because the rule was missing.",
        "The on-call engineer did not know a backfill was running.",
        "The on-call engineer did not yet know a backfill was running.",
        "The on-call engineer did not see an alert: none fired.",
        "The on-call engineer never got a page.",
        "Priya never received a page.",
        "The help desk did not reach the on-call engineer at first.",
        "The on-call engineer did not connect the errors to the backfill until 10:24.",
        "The on-call engineer did not find a runbook entry for `database is locked`.",
        "The engineer who started the backfill did not know it held a lock.",
        "The backfill Jordan started did not commit in batches.",
        "Jordan did not need to run it by hand.",
        "The on-call engineer had never seen this error.",
        "The DBA did not expect the backfill to lock the table.",
        "The on-call rota did not list a backup.",
        "It was not that the DBA didn't check: nothing showed the lock.",
        "Jordan and the DBA did not know that SQLite allows one writer.",
        # "And" between two people joins them: the denial before reaches both.
        "Nothing told Jordan and the DBA that the lock would block writes.",
        "It was not because the DBA and the on-call engineer skipped the review: no check asked.",
        "No one forgot or missed anything.",
        "No one forgot anything and no one missed a page.",
        "The runbook had no entry so the on-call engineer had no pointer to running jobs.",
        "The on-call engineer forgot nothing: the runbook had no entry.",
        # What they kept doing, in the negative: praise, not a verdict.
        "The on-call engineer never left the incident channel.",
        "The DBA did not stop until the lock was released.",
        "Priya didn't hesitate to roll back.",
        "The on-call engineer never gave up on the bisect.",
        # What they did not do, with the reason: an explanation, not a verdict.
        "The on-call engineer did not restart the service, as the runbook advised against it.",
        "The on-call engineer didn't check the dashboard because nothing pointed to it.",
        "Jordan did not batch the backfill, since the script had no option for it.",
    ],
)
def test_a_role_described_without_fault_is_not_blame(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # A verb whose own meaning is a lapse, denied: praise, for a role or a person.
        "The on-call engineer never lost track of the customer impact.",
        "Sam didn't miss a single page.",
        "The on-call engineer didn’t miss a single page.",
        "The SRE never ignored an alert.",
        "The team did not skip the rollback checklist.",
        "Priya never failed to update the status page.",
        "Priya did not fail to update the status page.",
        "The on-call engineer never dropped the incident.",
        "Priya never neglected the status page.",
        "The reviewer did not overlook the lock.",
        "Priya never abandoned the incident channel.",
        "The on-call engineer did not delay the rollback.",
        "Priya did not panic.",
        "Sam never forgot to update the status page.",
        "The on-call engineer never misjudged the impact.",
        "The DBA never quit.",
        # "Rarely", "hardly ever" deny as "never" does.
        "Sam rarely missed a page.",
        "The on-call engineer rarely skips a step.",
        "The DBA rarely forgot anything.",
        "Priya hardly ever forgot to update the status page.",
        # Not about a person at all.
        "The service never lost data.",
    ],
)
def test_a_lapse_denied_is_praise_not_blame(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The on-call engineer never checked the dashboard.",
        "Sam didn't page the owner.",
        # Stopping, giving or dropping something is an act left undone, not a lapse denied.
        "The DBA did not stop the backfill.",
        "The on-call engineer did not quit the backfill script.",
        "The DBA never gave the on-call engineer a heads-up.",
        "The DBA did not drop the old index.",
        # A denial does not reach "should have", nor past the person it is about.
        "Jordan never should have run the backfill.",
        "Jordan, not Sam, forgot the lock.",
        "Sam never ignored the warnings, but Jordan forgot the lock.",
    ],
)
def test_an_act_left_undone_is_still_blame_beside_a_lapse_denied(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # A lapse done by a person or a role is a verdict on them, as "forgot" is.
        "Jordan overlooked the lock.",
        "Sam ignored the warning.",
        "Priya missed the first page.",
        "Jordan lost track of the backfill.",
        "Priya had missed the first page.",
        "Jordan simply skipped the dry run.",
        "Jordan, who ran the backfill, skipped the dry run.",
        "Sam misread the dashboard.",
        "Sam dropped the ball.",
        "Priya panicked and restarted the pod.",
        "The engineer who ran the backfill overlooked the lock.",
        "The team lead gave up on the bisect.",
        "When the on-call engineer missed the page, the outage went on.",
        "Sam never ignored a warning, but Jordan skipped the review.",
        "Jordan rarely ran backfills, and Sam forgot the lock.",
        # A reason excuses only what was not done, never a lapse done ("forgot … because"
        # is blame too).
        "Priya missed the page because her phone was on silent.",
        "Jordan forgot the lock because the runbook had no entry.",
    ],
)
def test_a_lapse_done_by_a_person_is_a_verdict(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # A lapse of the system, told of the system.
        "The alert missed the spike.",
        "The dashboard skipped the sample.",
        "The service lost data.",
        "The replica lost its connection.",
        "Jordan's alert missed the spike.",
        # What happened to them: the situation, not a lapse.
        "Sam lost his VPN connection.",
        "The on-call engineer lost access to the dashboard.",
        "Priya lost ten minutes to a stale runbook entry.",
        # Denied, or the reason denied.
        "The on-call engineer missed nothing: no alert fired.",
        "Sam overlooked nothing in the review.",
        "It was not because Jordan missed it: nothing paged anyone.",
        "It was not that the DBA skipped the review: the review had no lock check.",
        # What the service did, said of the team that runs it.
        "The team missed the SLO for March.",
        # Done on purpose, these are decisions, not lapses.
        "The DBA delayed the backfill until the evening.",
        "The DBA dropped the old index.",
        "Priya gave up the pager to Sam at 11:00.",
    ],
)
def test_a_lapse_of_the_system_or_a_situation_is_not_blame(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "problem"),
    [
        # The passive voice is the same verdict on whoever it names after "by".
        ("The lock was forgotten by Jordan.", "“was forgotten by Jordan”"),
        ("The warning was ignored by Sam.", "“was ignored by Sam”"),
        ("The first page had been missed twice by Priya.", "“had been missed twice by Priya”"),
        ("The dry run was simply skipped by Jordan.", "“was simply skipped by Jordan”"),
        ("Sam was on call. The page was missed by him.", "“was missed by him”"),
        ("The page was missed by us.", "“was missed by us”"),
        (
            "The page was missed by the on-call engineer.",
            "“The page was missed by the on-call engineer.” blames the on-call engineer",
        ),
        (
            "The review was skipped by the DBA.",
            "“The review was skipped by the DBA.” blames the DBA",
        ),
        (
            "The warning was ignored by the tech lead at 10:05.",
            "“The warning was ignored by the tech lead at 10:05.” blames the tech lead",
        ),
        ("The outage was caused by the DBA.", "“The outage was caused by the DBA.” blames the DBA"),
        # Harm done by someone's work names them, as "Jordan's backfill caused the outage" does.
        ("The incident was caused by Jordan's backfill.", "“was caused by Jordan's backfill”"),
        ("The outage was caused by Jordan's script.", "“was caused by Jordan's script”"),
        ("Production was broken by Jordan's deploy.", "“was broken by Jordan's deploy”"),
        (
            "The outage was caused by the DBA's script.",
            "“The outage was caused by the DBA's script.” blames the DBA",
        ),
        (
            "The incident was caused by QA's test plan.",
            "“The incident was caused by QA's test plan.” blames QA",
        ),
        (
            "Production was broken by the developer.",
            "“Production was broken by the developer.” blames the developer",
        ),
        (
            "The lock was misjudged by the reviewer.",
            "“The lock was misjudged by the reviewer.” blames the reviewer",
        ),
        ("The page was missed by me.", "“was missed by me”"),
        # What someone should have done, told in the passive, owes it to them all the same.
        (
            "The bug should have been caught by QA.",
            "“The bug should have been caught by QA.” blames QA",
        ),
        ("The lock should have been spotted by Jordan.", "“should have been spotted by Jordan”"),
        (
            "The bug should have been found by QA.",
            "“The bug should have been found by QA.” blames QA",
        ),
        (
            "The dashboard should have been checked by the on-call engineer at 10:05.",
            "“The dashboard should have been checked by the on-call engineer at 10:05.” blames "
            "the on-call engineer",
        ),
        (
            "The review shouldn't have been skipped by the DBA.",
            "“The review shouldn't have been skipped by the DBA.” blames the DBA",
        ),
        ("Sam reviewed it. It should have been caught by him.", "“should have been caught by him”"),
        ("Sam was on call. The page was missed by them.", "“was missed by them”"),
        (
            "The DBA reviewed it. It should have been caught by them.",
            "“should have been caught by them”",
        ),
        # "Could have" and "ought to have" owe someone the act as "should have" does.
        (
            "The bug could have been caught by QA.",
            "“The bug could have been caught by QA.” blames QA",
        ),
        (
            "The bug ought to have been caught by QA.",
            "“The bug ought to have been caught by QA.” blames QA",
        ),
        (
            "The bug should've been caught by QA.",
            "“The bug should've been caught by QA.” blames QA",
        ),
        ("The lock could have been spotted by Jordan.", "“could have been spotted by Jordan”"),
        (
            "The review oughtn't to have been skipped by the DBA.",
            "“The review oughtn't to have been skipped by the DBA.” blames the DBA",
        ),
    ],
)
def test_a_lapse_in_the_passive_voice_is_a_verdict_on_who_did_it(sentence, problem):
    (found,) = postmortem.blame_problems(sentence)
    assert found.startswith(f"line 1: {problem}"), found


@pytest.mark.parametrize(
    "sentence",
    [
        # By the system, or by a thing that a role word only describes.
        "The page was missed by the alerting system.",
        "The spike was missed by the SRE dashboard.",
        "The delay was caused by the on-call rota.",
        "The outage was caused by the backfill Jordan started.",
        "The on-call engineer was missed by the paging system.",
        # A lapse of a person's thing is the thing's, as "Jordan's alert missed the spike" is.
        "The spike was missed by Jordan's alert.",
        "The page was missed by the on-call engineer's pager.",
        # What was done by someone without fault.
        "The lock was taken by the migration.",
        "The incident was detected by the on-call engineer.",
        "The change was rolled back by Sam.",
        "The on-call engineer was paged at 10:09 by the help desk.",
        "The backfill was delayed by the DBA until the evening.",
        "The work was broken down by Sam into three action items.",
        "The backfill was broken into batches by Jordan.",
        "The news was broken by Priya in the status channel.",
        "The outage was caused by us: nothing reviewed the script.",
        # Denied, or said of the service.
        "Nothing was overlooked by the reviewer.",
        "No page was missed by the on-call engineer.",
        "The page was not missed by the on-call engineer.",
        "The page was rarely missed by Sam.",
        "The SLO was missed by the team in March.",
        # What should have happened, with no one owing it, or a thing, the team or the writer.
        "The alert should have fired.",
        "A dashboard should have shown it.",
        "The change should have been reviewed before the release.",
        "The bug should have been caught by a test.",
        "The bug should have been caught by the QA environment.",
        "The bug should have been caught by QA's tests.",
        "The spike should have been shown by the SRE dashboard.",
        "It should have been caught by us.",
        "It should have been caught by me.",
        "The outage was caused by me: nothing reviewed the script.",
        "The dashboards were new. The spike should have been shown by them.",
        # "Could have" and "ought to have" as "should have": by a tool, or by no one.
        "The bug could have been caught by an integration test.",
        "The bug could have been caught by a test.",
        "The bug ought to have been caught by the QA environment.",
        "The bug could have been caught earlier.",
        "It could have been caught by us.",
        "The on-call engineer could have been paged by an alert.",
        # "Might have" and "may have" guess at what would have helped; no verdict.
        "The bug might have been caught by QA with a concurrency test.",
        "The bug may have been caught by QA in an earlier release.",
    ],
)
def test_the_passive_voice_without_a_lapse_by_someone_is_not_blame(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # Someone, what they did, or their work named as the cause.
        ("The root cause was Jordan.", "“root cause was Jordan”"),
        ("Root cause: Jordan running an unreviewed script.", "“Root cause: Jordan running”"),
        ("The root cause was Jordan's backfill.", "“root cause was Jordan's backfill”"),
        ("The cause of the outage was Jordan not batching it.", "“cause of the outage was"),
        ("Jordan was the root cause.", "“Jordan was the root cause”"),
        ("Jordan, who ran the backfill, was the cause.", "“Jordan, who ran the backfill, was"),
        ("The root cause was the DBA.", "“The root cause was the DBA.” blames the DBA"),
        (
            "Root cause: the DBA running an unreviewed script.",
            "“Root cause: the DBA running an unreviewed script.” blames the DBA",
        ),
        ("Root cause: QA.", "“Root cause: QA.” blames QA"),
        (
            "The root cause of the booking failures was the DBA.",
            "“The root cause of the booking failures was the DBA.” blames the DBA",
        ),
        ("The DBA was the root cause.", "“The DBA was the root cause.” blames the DBA"),
        ("Jordan's backfill was the root cause.", "“Jordan's backfill was the root cause”"),
        ("Root cause — Jordan's backfill.", "“Root cause — Jordan's backfill”"),
        ("| Root cause | Jordan running an unreviewed script |", "“Root cause | Jordan running”"),
        (
            "| Root cause | The DBA skipping the review |",
            "“Root cause | The DBA skipping the review” blames the DBA",
        ),
        # Someone made responsible for the harm, or the harm put on them.
        ("Jordan is responsible for the outage.", "“Jordan is responsible for the outage”"),
        ("Jordan was responsible for the incident.", "“Jordan was responsible for the incident”"),
        ("Jordan was solely responsible for causing it.", "“Jordan was solely responsible for"),
        ("The outage is on Jordan.", "“outage is on Jordan”"),
        ("Jordan ran it. The outage is on him.", "“outage is on him”"),
        ("Jordan and Sam ran it. They are responsible for the outage.", "“They are responsible"),
        (
            "The DBA is responsible for the outage.",
            "“The DBA is responsible for the outage.” blames the DBA",
        ),
        ("QA is responsible for the bug.", "“QA is responsible for the bug.” blames QA"),
        ("The outage is on the DBA.", "“The outage is on the DBA.” blames the DBA"),
        ("The blame lies with Jordan.", "“blame lies with Jordan”"),
        ("Responsibility for the outage lies with Jordan.", "“Responsibility for the outage"),
        ("The fault lies with the DBA.", "“The fault lies with the DBA.” blames the DBA"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_someone_named_as_the_cause_or_responsible_for_the_outage_is_blame(text, problem):
    (found,) = postmortem.blame_problems(text)
    assert problem in found, found


@pytest.mark.parametrize(
    "text",
    [
        # A cause that is a thing, or a thing a role word or a person's name only describes.
        "The incident was caused by a backfill that ran in one transaction.",
        "The root cause was the missing batch limit.",
        "The root cause was the on-call rota.",
        "The root cause was the DBA dashboard.",
        "Root cause: the backfill Jordan ran held a write lock.",
        "Jordan's dashboard showed the lock waits.",
        # What someone had or knew is the situation, and a cause denied is no verdict.
        "Root cause: the on-call engineer having no runbook entry for lock waits.",
        "The root cause was not Jordan: nothing stopped a long write.",
        "Jordan was not the root cause.",
        "Human error was not the root cause.",
        # A role's standing duty, and a role that owns the incident as its duty.
        "The on-call engineer is responsible for paging the incident commander.",
        "The on-call engineer is responsible for the incident channel.",
        "The DBA is responsible for the database.",
        "SRE is responsible for outages.",
        "The incident commander is responsible for the incident until handover.",
        # Denied, or owned by the team or the writer, or "they" that are things.
        "Jordan is not responsible for the outage.",
        "We are responsible for the outage.",
        "The outage is on us.",
        "The dashboards lag. The outage is on them.",
        "The outage was on Monday.",
        "The incident is on the status page.",
        "It is on the DBA to decide when backfills run.",
        "Responsibility for the fix lies with the DBA.",
        "No blame lies with Jordan.",
        "| Root cause | The missing batch limit |",
        "| Root cause | The on-call rota |",
        "The backfill Jordan ran was the root cause.",
    ],
)
def test_a_thing_named_as_the_cause_or_a_duty_is_not_blame(text):
    assert postmortem.blame_problems(text) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # "He" and "she" are people; "they" is, when the last plural before it was people.
        ("Jordan ran the backfill. He forgot the lock.", "“He forgot”"),
        ("Priya was on call. She missed the page.", "“She missed”"),
        ("Priya was on call. She didn't check the dashboard.", "“She didn't check”"),
        ("Jordan ran the backfill, and he had forgotten the lock.", "“he had forgotten”"),
        ("The backfill ran long because he forgot to batch it.", "“he forgot”"),
        ("Jordan and Sam ran the backfill. They forgot the lock.", "“They forgot”"),
        ("The DBAs ran the migration. They skipped the review.", "“They skipped”"),
        ("The backend team ran the job. They simply forgot to batch it.", "“They simply forgot”"),
        ("- Jordan and Sam started the backfill.\n- They forgot the lock.", "“They forgot”"),
        # "We" owns the process's gaps, but a lapse in so many words still judges the team.
        ("We forgot the lock.", "“We forgot”"),
        ("We skipped the review.", "“We skipped”"),
        ("We lost track of the impact.", "“We lost track”"),
        # "I", the writer, as "we" is.
        ("I forgot the lock.", "“I forgot”"),
        ("I skipped the review.", "“I skipped”"),
        ("I simply missed the page.", "“I simply missed”"),
        ("The runbook had no entry and I forgot to check it.", "“I forgot”"),
        # A singular "they" for the one person named last.
        ("Sam was on call. They missed the page.", "“They missed”"),
        ("Priya was on call. They didn't check the dashboard.", "“They didn't check”"),
        ("Jordan ran the backfill, and they forgot the lock.", "“they forgot”"),
        ("Jordan ran the backfill. They simply forgot to batch it.", "“They simply forgot”"),
        ("Jordan and Sam ran it. Priya watched. They forgot the lock.", "“They forgot”"),
        # A singular "they" for the one role named last, as for one person.
        ("The DBA approved it. They skipped the review.", "“They skipped”"),
        ("The DBA ran the migration. They didn't check the lock.", "“They didn't check”"),
        ("The on-call engineer was paged at 10:09. They missed the page.", "“They missed”"),
        ("The reviewer approved the script, and they forgot the lock.", "“they forgot”"),
        # Nothing named for "they" to be, or a lapse that only people make.
        ("Sam was on call; they missed the page.", "“they missed”"),
        ("The DBA approved the script because they forgot the lock.", "“they forgot”"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_a_verdict_on_someone_named_by_a_pronoun_is_blame(text, problem):
    (found,) = postmortem.blame_problems(text)
    assert problem in found, found


@pytest.mark.parametrize(
    "text",
    [
        # "They" that are things: the last plural before it was no people.
        "The dashboards showed nothing. They missed the spike.",
        "The alerts fired late. They failed to page anyone.",
        "The retries piled up. They caused the outage.",
        "Jordan and Sam checked the dashboards. They missed the spike.",
        "The on-call engineer didn't check the dashboard because they were slow to load.",
        # What happened to them, what they had, a lapse denied, a reason that explains.
        "Priya acknowledged the page. She opened the incident channel.",
        "Priya was on call. She did not have an alert to go on.",
        "Priya was on call. She never missed a page.",
        "Priya was on call. She didn't check the dashboard because nothing pointed to it.",
        "It was not that he forgot: the runbook had no entry.",
        "Sam reviewed the script. He missed nothing.",
        "Jordan and Sam reviewed the script. They did not know SQLite allows one writer.",
        # "We" owning a gap of the process, or what the service missed.
        "We had no alert for lock waits.",
        "We did not test two writes at once.",
        "We should have added an alert for lock waits.",
        "We were slow to detect it because no alert fired.",
        "We missed the SLO for March.",
        "We never lost track of the impact.",
        # "I" owns what "we" may own.
        "I did not have an alert.",
        "I did not test two writes at once.",
        "I should have added an alert for lock waits.",
        "I missed the SLO for March.",
        "I never lost track of the impact.",
        # A singular "they" after one named person, for what is no lapse; or "they" that are
        # the things named after them, or after a possessive that names a thing.
        "Sam was on call. They did not have an alert to go on.",
        "Sam was on call. They never missed a page.",
        "Sam was on call. They didn't check the dashboard because nothing pointed to it.",
        "The dashboards loaded slowly. They missed the spike.",
        "Sam checked the dashboards. They missed the spike.",
        "Sam was paged. The retries piled up. They caused the outage.",
        "Jordan's alert fired late. They missed the spike.",
        # The same for one role: what is no lapse, or "they" that are the things named after.
        "The DBA approved it. They never skipped a review.",
        "The on-call engineer was paged. They did not have an alert to go on.",
        "The on-call engineer opened the dashboards. They missed the spike.",
        "The DBA's alerts fired late. They missed the spike.",
        # A role that only names a thing ("the on-call rota") is no one "they" may be.
        "The on-call rota lists the dashboards. They missed the spike.",
        "The SRE dashboard loaded slowly. They missed the spike.",
        # "They" that gives the reason for what the person or role in the same sentence did
        # not do are the things the writer has in mind ("the dashboard … they were slow").
        "Sam didn't check the dashboard because they were slow to load.",
        "Sam didn't check the dashboard because they failed to show lock waits.",
        "The DBA didn't check the dashboard because they were slow to load.",
        "The on-call engineer checked the dashboard: they were slow to load.",
    ],
    ids=lambda value: str(value)[:30],
)
def test_a_pronoun_for_things_or_for_the_team_owning_a_gap_is_not_blame(text):
    assert postmortem.blame_problems(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # Leaving a note, a comment or a handover is an act; not doing it, one left undone.
        "Sam did not leave a note in the channel.",
        "The on-call engineer did not leave a handover.",
        "Jordan didn't leave a comment on the script.",
        "The DBA never left an update in the channel.",
        "The on-call engineer did not leave the DBA a message.",
        "Priya did not leave any handover notes.",
    ],
)
def test_a_note_not_left_is_an_act_left_undone(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # Not leaving a place is staying there: praise.
        "Priya did not leave the bridge until the lock was released.",
        "Sam never left the call.",
        "The DBA did not leave their desk during the incident.",
        "The on-call engineer never left the channel without posting an update.",
        "The on-call engineer did not leave early.",
        # A note not left, with a reason about the situation.
        "Sam did not leave a note because the channel was archived.",
    ],
)
def test_a_place_not_left_is_praise(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    "reason",
    [
        "because nothing pointed to it",
        "because the alert did not fire",
        "because the alert failed to fire",
        "because they were handling another incident",
        "because the runbook did not mention it",
        # Load on people is the situation, which a blameless review records.
        "because they were busy",
        "because she had lost her VPN connection",
        "because she failed to reach the DBA first",
        # "They" may be the dashboards, which fail to show things: no lapse of a person.
        "because they failed to show lock waits",
        "because they were slow to load",
    ],
)
def test_a_reason_about_the_system_or_situation_excuses_what_was_not_done(reason):
    assert (
        postmortem.blame_problems(f"The on-call engineer didn't check the dashboard {reason}.")
        == []
    )
    assert postmortem.blame_problems(f"Sam didn't page the owner {reason}.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        # The reason first, then "so": what was not done is explained, comma or not.
        "Nothing pointed to the dashboard, so the on-call engineer did not check it.",
        "Nothing pointed to the dashboard so the on-call engineer did not check it.",
        "The runbook had no entry so the on-call engineer did not check the lock.",
        "The runbook had no entry, so Sam did not check the lock.",
        "Priya was handling another page, so she did not check the dashboard.",
    ],
)
def test_a_reason_before_so_excuses_what_was_not_done(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    "words",
    [
        # When, not why: a time, a date, "then", "the start".
        "since 10:00",
        "since 10:00 UTC",
        "since 9 am",
        "since then",
        "since the start of the incident",
        "since Monday",
        "since 2030-03-04",
        "since last week",
        "ever since the deploy",
        # An event named after "since" is a time too: it says since when, not why.
        "since the deploy",
        "since the big deploy",
        "since yesterday's deploy",
        "since the deploy at 10:00",
        "since the deploy of the new index",
        "since the ops review",
        "since the status page update",
        "since Jordan's deploy",
        "since the outage began",
        # An event whose verb names no cause: since when, as "began" says.
        "since the alert fired",
        "since the page arrived",
        "since the incident was declared",
        "as of 10:00",
        # A manner, a comparison or a list: no reason either.
        "as usual",
        "as always",
        "as if it did not matter",
        "as soon as the alert fired",
        "as quickly as the runbook asks",
        "or any other, such as the SLO dashboard",
        "as well as the logs",
        "and, as a result, the outage went on",
    ],
)
def test_a_time_or_a_comparison_is_no_reason_and_excuses_nothing(words):
    assert postmortem.blame_problems(f"The on-call engineer didn't check the dashboard {words}.")
    assert postmortem.blame_problems(f"Sam didn't check the dashboard {words}.")


@pytest.mark.parametrize(
    "words",
    [
        "since the runbook had no entry",
        # An event that did something is a cause, not a time.
        "since the deploy removed the index",
        "since the deploy broke the index",
        "since the deploy had removed the index",
        "since the runbook says nothing about it",
        "since the lock blocks reads too",
        "since the deploy failed",
        "since the deploy, because nothing pointed to it",
        "since 10:00, because nothing pointed to it",
        "as soon as the page came, because nothing pointed to it",
        "as the runbook advised against it",
    ],
)
def test_a_reason_after_a_time_or_a_comparison_still_excuses(words):
    assert (
        postmortem.blame_problems(f"The on-call engineer didn't check the dashboard {words}.") == []
    )
    assert postmortem.blame_problems(f"Sam didn't check the dashboard {words}.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The on-call engineer didn't check the dashboard because they were careless.",
        "The on-call engineer didn't check the dashboard because she forgot.",
        "The on-call engineer didn't check the dashboard because they forgot.",
        "The on-call engineer didn't check the dashboard because he didn't bother.",
        "The on-call engineer didn't check the dashboard because they were lazy.",
        "The on-call engineer didn't check the dashboard because she wasn't paying attention.",
        "The on-call engineer didn't check the dashboard because they lost track of it.",
        "The on-call engineer didn't check the dashboard as she was careless.",
        "Sam didn't page the owner because he forgot.",
        "Sam didn't page the owner because he missed the alert.",
        # A denial before a reason does not reach into it.
        "The script didn't batch it because Jordan was careless.",
        # Nor does a reason before "so" that blames them.
        "The on-call engineer was not paying attention, so she did not check the dashboard.",
        "Jordan didn't care so he did not batch it.",
        "Sam forgot the lock, so the DBA did not check it.",
    ],
)
def test_a_reason_that_blames_the_person_does_not_excuse(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "It was not because of human error; nothing stopped it.",
        "Things went wrong not because anyone was careless but because nothing stopped it.",
    ],
)
def test_a_denied_reason_is_no_verdict(sentence):
    assert postmortem.blame_problems(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("The on-call engineer forgot to check the dashboard.", "the on-call engineer"),
        ("The DBA failed to batch the backfill.", "the DBA"),
        ("QA should have caught it.", "QA"),
        ("The on-call engineer should have checked the dashboard.", "the on-call engineer"),
        ("The reviewer should have spotted the single transaction.", "the reviewer"),
        ("QA should have found it.", "QA"),
        ("The on-call engineer should have been faster.", "the on-call engineer"),
        # "Could have", "ought to have" and "should've" judge as "should have" does.
        ("QA could have caught it.", "QA"),
        ("QA ought to have caught it.", "QA"),
        ("QA should've caught it.", "QA"),
        ("The reviewer could have spotted the single transaction.", "the reviewer"),
        ("The on-call engineer ought to have checked the dashboard.", "the on-call engineer"),
        ("The on-call engineer could have been faster.", "the on-call engineer"),
        ("The DBA ought not to have run the backfill at ten.", "the DBA"),
        ("The on-call engineer was slow to respond.", "the on-call engineer"),
        ("The developer broke production.", "the developer"),
        ("The DBA caused the outage by running the backfill.", "the DBA"),
        ("The help desk had forgotten the escalation path.", "the help desk"),
        ("QA is to blame for the missing test.", "QA"),
        ("It was the DBA's fault.", "the DBA"),
        ("The DBA's mistake was to run it at ten.", "the DBA"),
        # Harm their work did, as "Jordan's backfill caused the outage" is of Jordan.
        ("The DBA's script caused the outage.", "the DBA"),
        # A clause about the role, or an adverb, between them and the verdict.
        ("The DBA, who ran the migration, forgot the lock.", "the DBA"),
        ("The engineer who ran the backfill forgot that SQLite locks the table.", "the engineer"),
        ("- The backend team simply forgot to announce the job.", "the backend team"),
        ("Because the tech lead ignored the warning, the backfill ran.", "the tech lead"),
        ("| 10:24 | SRE neglected the lock-wait alert. |", "SRE"),
        # A lapse done is a verdict on whoever did it, as "forgot" is.
        ("The on-call engineer missed the page.", "the on-call engineer"),
        ("The DBA skipped the review.", "the DBA"),
        ("The reviewer overlooked the single transaction.", "the reviewer"),
        ("The on-call engineer lost track of the customer impact.", "the on-call engineer"),
        ("QA has skipped the concurrency tests.", "QA"),
        ("The DBA, who ran the migration, misjudged the lock.", "the DBA"),
        # What a role did not do is blame of the same kind as what they forgot to do.
        ("The on-call engineer didn't check the dashboard.", "the on-call engineer"),
        ("The on-call engineer didn’t even look at the dashboard.", "the on-call engineer"),
        ("The on-call engineer did not check the dashboard.", "the on-call engineer"),
        ("The on-call engineer never checked the dashboard.", "the on-call engineer"),
        ("The DBA did not batch the backfill.", "the DBA"),
        ("The reviewer did not ask about locks.", "the reviewer"),
        ("The engineer who ran the backfill never announced it.", "the engineer"),
        ("The DBA, who ran the migration, did not batch it.", "the DBA"),
        ("| 10:24 | QA did not test two writes at once. |", "QA"),
        ("The on-call engineer did not leave a handover note.", "the on-call engineer"),
        (
            "The on-call engineer didn't check the dashboard, so the outage went on.",
            "the on-call engineer",
        ),
    ],
)
def test_blaming_a_role_is_blame_and_the_message_shows_how_to_rewrite_it(sentence, role):
    shown = sentence.strip("-| ").removeprefix("10:24 | ")
    assert postmortem.blame_problems(sentence) == [
        f"line 1: “{shown}” blames {role}; say instead what the system or process allowed, "
        f"such as “nothing prompted {role} to …” or “no review or alert caught …”"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Jordan should have batched the backfill.",
        "Jordan should have been more careful.",
        "Sam should have told the DBA.",
        "Jordan could have batched the backfill.",
        "Jordan could have been more careful.",
        "Jordan ought to have batched the backfill.",
        "Jordan ought not to have run the backfill.",
        "Jordan oughtn't to have run the backfill.",
        "Jordan never ought to have run the backfill.",
        "Jordan should've batched the backfill.",
        "Jordan could've batched the backfill.",
        # A condition about the person or a role keeps the verdict.
        "Jordan could have batched the backfill if he had read the runbook.",
        "QA could have caught it if they had been more careful.",
        "QA could have caught it if Jordan had told them.",
        "QA could have caught it, as they had a staging environment.",
        "Jordan should have batched the backfill if he had read the runbook.",
        # What doing it would have won says it should have been done: no near miss.
        "QA could have caught it, which would have saved an hour.",
        "Jordan could have batched it, which would have been faster.",
        "QA could have caught it, and the outage wouldn't have happened.",
        "The on-call engineer could have checked the lock table, which would have ended it.",
        "The bug could have been caught by QA if they had looked.",
        # "Jordan's mistake" is theirs, whatever verb follows; a curly apostrophe is one too.
        "Jordan's mistake should have been caught in review.",
        "It was Jordan’s fault.",
        "It was the DBA’s fault.",
        "Jordan failed to batch the backfill.",
        "Jordan didn't batch the backfill.",
        "Jordan did not announce the backfill.",
        "Jordan never announced the backfill.",
        "Priya simply did not check the dashboard.",
    ],
)
def test_a_verdict_on_a_person_after_should_have_or_failed_to_is_still_blame(sentence):
    assert postmortem.blame_problems(sentence)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A sentence wrapped over two lines is one sentence, named at the line its words start.
        (
            "The on-call engineer\nforgot to check the dashboard.",
            "line 1: “The on-call engineer forgot to check the dashboard.” blames the on-call "
            "engineer",
        ),
        (
            "The runbook had no entry.\nThe on-call engineer\ndid not check the dashboard.",
            "line 2: “The on-call engineer did not check the dashboard.” blames the on-call "
            "engineer",
        ),
        (
            "- Nothing announced the job.\n- The backend team\n  forgot to announce it.",
            "line 2: “The backend team forgot to announce it.” blames the backend team",
        ),
        ("The timeline shows that Jordan\nforgot the lock.", "line 1: “Jordan forgot”"),
        ("The root cause was human\nerror.", "line 1: “human error”"),
        ("Sam, the tech lead,\nignored the warnings.", "line 1: “Sam, the tech lead, ignored”"),
        ("**Jordan** forgot the lock.", "line 1: “Jordan forgot”"),
        # An HTML table's words are read too, a line at a time.
        (
            "<table>\n<tr><td>10:24</td><td>Jordan forgot the lock.</td></tr>\n</table>",
            "line 2: “Jordan forgot”",
        ),
        # List items are apart: a denial in one does not deny the next.
        (
            "- No alert fired, and nothing was announced\n- The DBA forgot to batch the backfill",
            "line 2: “The DBA forgot to batch the backfill” blames the DBA",
        ),
    ],
    ids=lambda value: str(value)[:30],
)
def test_blame_is_read_a_sentence_at_a_time_wherever_its_lines_break(text, problem):
    (found,) = postmortem.blame_problems(text)
    assert found.startswith(problem), found


@pytest.mark.parametrize(
    "text",
    [
        "This was not\nhuman error.",
        "Human error\nis not a root cause.",
        "It was not\nthe DBA's fault.",
        "It wasn't\nJordan's fault: the script had no review.",
        'Sam said: "Jordan forgot the backfill would lock the whole table.\nHuman error, '
        'basically."',
        "- Nobody was at fault.\n- The on-call engineer forgot nothing: the runbook had no entry.",
        "The runbook had no entry, so the on-call\nengineer followed the generic 500s entry.",
        # Code and comments are not the postmortem's words.
        "```\nJordan forgot the lock\n```",
        "<!--\nJordan forgot the lock\n-->",
    ],
    ids=lambda value: str(value)[:30],
)
def test_a_blameless_sentence_cut_by_a_line_break_is_still_blameless(text):
    assert postmortem.blame_problems(text) == []


def test_wrapped_blame_in_the_postmortem_is_named_at_the_line_it_starts(model):
    text = model.replace(
        "- The runbook had no entry for lock contention.",
        "- The runbook had no entry for lock contention, and the on-call engineer\n"
        "  did not check the dashboard.",
    )
    line = text.splitlines().index("  did not check the dashboard.")
    (problem,) = all_problems(text)["blame"]
    assert problem.startswith(f"line {line}: “The runbook had no entry for lock contention, and")
    assert "blames the on-call engineer" in problem


def test_role_blame_in_the_postmortem_is_named_at_its_line(model):
    text = model.replace(
        "- The runbook had no entry for lock contention.",
        "- The on-call engineer forgot to check the dashboard; the runbook had no entry.",
    )
    line = next(
        number
        for number, content in enumerate(text.splitlines(), start=1)
        if "forgot to check" in content
    )
    assert all_problems(text)["blame"] == [
        f"line {line}: “The on-call engineer forgot to check the dashboard; the runbook had no "
        "entry.” blames the on-call engineer; say instead what the system or process allowed, such as “nothing prompted "
        "the on-call engineer to …” or “no review or alert caught …”"
    ]


def timeline_with(header: str, above: str = "") -> str:
    rows = "".join(f"| 10:0{n} | Event {n}. |\n" for n in range(5))
    return f"# Postmortem\n\n{above}## Timeline\n\n{header}\n| --- | --- |\n{rows}"


@pytest.mark.parametrize(
    ("header", "above"),
    [
        ("| Time (UTC) | Event |", ""),
        ("| Time | Event |", ""),
        ("| Time | Event |", "All times in this document are UTC.\n\n"),
        ("| Time (Europe/Berlin) | Event |", ""),
        ("| Time (CET) | Event |", ""),
    ],
)
def test_a_time_zone_stated_in_any_usual_place_counts(header, above):
    text = timeline_with(header, above)
    if header == "| Time | Event |" and not above:
        text = text.replace("## Timeline\n\n", "## Timeline\n\nAll times UTC.\n\n")
    assert postmortem.timeline_problems(text) == []


def test_a_zone_elsewhere_that_is_not_about_the_times_does_not_count():
    text = timeline_with("| Time | Event |", "The UTC conversion job is unrelated.\n\n")
    assert "no time zone" in " ".join(postmortem.timeline_problems(text))


def test_twelve_hour_times_are_ordered_across_noon():
    rows = ["11:50 AM", "11:55 am", "12:10 PM", "1:05 p.m.", "2:30 PM"]
    body = "## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n" + "".join(
        f"| {time} | Event {number}. |\n" for number, time in enumerate(rows)
    )
    assert postmortem.timeline_problems(body) == []
    shuffled = body.replace("| 12:10 PM |", "| 12:10 AM |")
    assert "“12:10 AM Event 2.” comes after a later time" in " ".join(
        postmortem.timeline_problems(shuffled)
    )


def test_iso_timestamps_carry_their_date_across_days():
    body = (
        "## Timeline\n\n| When | Event |\n| --- | --- |\n"
        "| 2030-03-01T16:10Z | Release. |\n| 2030-03-04T08:41Z | First clash. |\n"
        "| 09:02 | Report. |\n| 09:05 | Query. |\n| 09:28 | Rollback. |\n"
    )
    assert postmortem.timeline_problems(body) == []


def test_a_multi_day_timeline_needs_dates_to_go_back_in_time():
    body = (
        "## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n"
        "| 2030-03-01 16:10 | Release. |\n| 2030-03-04 08:41 | First clash. |\n"
        "| 09:02 | Report. |\n| 09:05 | Query. |\n| 09:28 | Rollback. |\n"
    )
    assert postmortem.timeline_problems(body) == []
    assert "comes after a later time" in " ".join(
        postmortem.timeline_problems(body.replace("2030-03-04 08:41", "08:41"))
    )


@pytest.mark.parametrize(
    "due",
    [
        "2030-03-11",
        "11/03/2030",
        "3/11",
        "11.03.2030",
        "Fri 15 Mar",
        "15 March 2030",
        "March 15",
        "next Friday",
        "Friday",
        "end of next week",
        "end of the month",
        "next sprint",
        "Sprint 14",
        "week 11",
        "2030-W11",
        "Q2 2030",
        "+5 days",
        "+2 weeks",
        "in 5 working days",
        "within 2 weeks",
        "tomorrow",
        "EOW",
        # Delays in words, or without "in".
        "in two weeks",
        "within five working days",
        "in a week",
        "within one sprint",
        "2 weeks",
        "ten days",
        "by Friday",
        "2030-03-11 (Mon)",
    ],
)
def test_due_dates_as_people_write_them_are_dates(due):
    assert postmortem.is_due_date(due), due


@pytest.mark.parametrize(
    "due",
    [
        "",
        "-",
        "?",
        "ASAP",
        "soon",
        "TBD",
        "later",
        "[YYYY-MM-DD]",
        "n/a",
        "when possible",
        "ongoing",
        "a few weeks",
        "within days",
        "in a while",
        "some weeks",
    ],
)
def test_no_date_is_still_caught(due):
    assert not postmortem.is_due_date(due), due


def test_qa_sre_is_one_owner(model):
    text = model.replace("| SRE | 2030-03-13 |", "| QA / SRE | 2030-03-13 |")
    assert postmortem.action_item_problems(text) == []


@pytest.mark.parametrize(
    "owner",
    [
        "Priya, SRE",
        "Priya, SRE, on call",
        "Priya, on-call engineer",
        "Sam Lee, tech lead",
        "Jordan, backend team",
        "@priya, SRE",
        "priya@example.com, the DBA",
    ],
)
def test_a_person_with_their_role_after_a_comma_is_one_owner(model, owner):
    text = model.replace("| SRE | 2030-03-13 |", f"| {owner} | 2030-03-13 |")
    assert postmortem.action_item_problems(text) == []


@pytest.mark.parametrize(
    "owners",
    [
        "Priya, Sam",
        "Priya, Jordan",
        "SRE, QA",
        "SRE, Priya",
        "Priya, SRE, Sam",
        "Priya, SRE and Sam",
    ],
)
def test_two_people_or_two_roles_after_a_comma_are_several_owners(model, owners):
    text = model.replace("| SRE | 2030-03-13 |", f"| {owners} | 2030-03-13 |")
    assert f"has several owners (“{owners}”); give it one" in " ".join(
        postmortem.action_item_problems(text)
    )


def test_due_dates_in_words_pass_the_whole_check(model):
    text = model.replace("| 2030-03-13 |", "| in two weeks |").replace(
        "| 2030-03-15 |", "| within five working days |"
    )
    assert postmortem.action_item_problems(text) == []


def test_due_dates_in_other_formats_pass_the_whole_check(model):
    text = model.replace("| 2030-03-11 |", "| Fri 15 Mar |").replace(
        "| 2030-03-08 |", "| next Friday |"
    )
    assert postmortem.action_item_problems(text) == []


def test_a_timeline_with_no_zone_anywhere_still_says_so(model):
    text = model.replace("| Time (UTC) |", "| Time |", 1)
    assert any("no time zone" in problem for problem in postmortem.timeline_problems(text))
