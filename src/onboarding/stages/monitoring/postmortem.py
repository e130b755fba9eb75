"""Exercise 08.5: the postmortem of the backfill incident, in `postmortem.md`.

Every `*_problems` function takes the document's text and returns plain sentences, one per
problem, and an empty list when all is well. The Markdown is read with
`onboarding.artefacts.markdown`.

What people really write is accepted: the headings in another letter case or order (the template's
order is advice), a time zone stated once above the timeline ("All times UTC."), due dates as
people write them ("Fri 15 Mar", "next Friday", "+5 days", "sprint 14"), "human error" quoted from
the notes (in quotation marks or as a `>` blockquote) or discussed ("this was not human error",
"human error is not a root cause"), timeline times with seconds or after a Date column, an Assignee
column for the owners, a Deadline or Target date column for the due dates, a team's handle
(`@acme/sre`) or an owner with a note in brackets (`Priya (SRE, on call)`) or after a comma
(`Priya, SRE`) as one owner, times on the 12-hour clock or as ISO timestamps (`2030-03-04T10:02Z`),
and reference-style links (`[SLO dashboard]` defined below). Judging words used as a verdict, a
person or a role named as the cause ("Jordan forgot", "the DBA failed to batch it", "QA should have
caught it", "QA could have caught it", "the DBA ought to have checked", "the on-call engineer
didn't check the dashboard", "the on-call engineer missed the page", "Sam did not leave a note"),
in the passive voice too ("the page was missed by the on-call engineer", "the bug should (or could)
have been caught by QA") or by a pronoun ("Jordan ran it. He forgot the lock.", a singular "Sam was
on call. They missed the page." or "The DBA approved it. They skipped the review."), named as the
cause, or their work as its cause ("the root cause was Jordan", "root cause: the DBA running an
unreviewed script", "caused by Jordan's backfill"), or made responsible for the harm ("Jordan is
responsible for the outage", "the outage is on the DBA"), and an action with no date at all are
not; what could have been, told as a near miss or under a condition about the system ("could have
restarted the pod, which would have lost the queue", "should (or could) have checked it if the
runbook had said so"), is no verdict, but what doing it would have won is ("could have caught it,
which would have saved an hour"); a role's standing duty ("the on-call engineer is responsible for
paging the incident commander") is no blame; a role's action told without fault ("the on-call
engineer rolled back at 14:32", "did not have an alert to go on") is fine, and so are a lapse of
the system ("the alert missed the spike"), what happened to someone ("Sam lost his VPN connection")
and a lapse denied, which is praise ("never lost track of the impact", "didn't miss a single page",
"never left the incident channel"). What someone did not do is excused by a reason about the system
or the situation ("because nothing pointed to it", "because they were handling another page"),
never by one that blames them ("because she forgot", "because they were careless"), nor by a time
("since 10:00", "since the deploy", "since the alert fired") or a manner ("as usual"); a reason may
come first, before "so" ("nothing pointed to it, so she did not check"). No reason excuses a lapse
done ("missed the page because …"), as none excuses "forgot". "We" and "I" may own the process's
gaps ("we had no alert"), but not a lapse ("I forgot the lock").
Wording is read a sentence at a time, wherever the Markdown's lines break.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from onboarding.artefacts.markdown import (
    BRACKET_PLACEHOLDER,
    CODE_SPAN,
    DETAILS_BLOCK,
    TABLE_SEPARATOR,
    course_template,
    course_template_guidance,
    guidance_quotes,
    heading_report,
    in_template_case,
    is_heading,
    link_labels,
    list_items,
    markdown_lines,
    placeholder,
    prose_blocks,
    section,
    sections,
    tables,
    template_titles,
    writers_details_opened,
)
from onboarding.protocol import shorten

FILE = "postmortem.md"
TEMPLATE = "templates/postmortem.md"
POSTMORTEM_HEADINGS = (
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "What went well",
    "What went badly",
    "Where we got lucky",
    "Action items",
    "Lessons and links",
)
"""The `## ` headings of templates/postmortem.md, without its "How to use this template"."""
TEMPLATE_ONLY_HEADINGS = ("How to use this template",)
MIN_TIMELINE_ENTRIES = 5
MIN_ACTION_ITEMS = 3

PEOPLE = ("Jordan", "Priya", "Sam")
"""The people named in the incident notes: a postmortem describes what they did, never blames."""

PLACEHOLDER_WORDS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")
# Seconds may follow, as log lines give them (10:02:30), and so may AM or PM (1:05 pm), or a
# colon that ends the time, as in a list item `- 10:02: the backfill starts`.
TIME = re.compile(
    r"(?<![\d:])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d)?(?!\d|:\d)"
    r"(?:\s?(?P<half>[AaPp])\.?[Mm]\b\.?)?"
)
# An ISO 8601 timestamp runs the time on after a T: 2030-03-04T10:02Z.
DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)(?!\d)")
DAY_ONLY = re.compile(r"\d{4}-\d\d-\d\d|(?:\w{3,9},?\s+)?\d{1,2}\s+\w{3,9}(?:\s+\d{4})?")
"""A Date cell of a timeline (2030-03-04, Mon 4 March 2030), before its Time cell."""
TIME_ZONE = re.compile(
    r"\b(?:UTC|GMT|CET|CEST|EET|EEST|WET|WEST|BST|IST|JST|AEST|AEDT|[ECMP][SD]T)\b"
    r"|\d:\d\d ?(?:Z|[+-]\d\d:?\d\d)\b"
    # An offset alone in brackets, as in a `Time (+00:00)` header, or the zone in words.
    r"|\(\s*(?:Z|[+-]\d\d:?\d\d)\s*\)|\bCoordinated Universal Time\b|\bZulu\b"
    # A zone by its IANA name, as in "local time (Europe/Berlin)".
    r"|\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Z][A-Za-z_]+"
)
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
WEEKDAYS = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
DELAY = r"(?:working\s+|business\s+)?(?:days?|weeks?|months?|sprints?|d|w)\b"
COUNT = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|"
    r"twenty|thirty)"
)
"""How many days or weeks, in figures or in words: 5, five."""
DUE_DATE = re.compile(
    rf"""
      \d{{4}}-\d{{1,2}}-\d{{1,2}}                       # 2030-03-11
    | \d{{4}}-?w\d{{1,2}}                               # 2030-W11, an ISO week
    | (?<!\d)\d{{1,2}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?  # 11/03/2030, 3/11, 11.03.
    | \b(?:{MONTHS})\b                                  # 15 March, Mar 15
    | \b(?:{WEEKDAYS})\b                                # Fri 15 Mar, next Friday
    | \b(?:today|tomorrow|eod|eow|eom|eoq)\b
    | \b(?:next|this|end\s+of(?:\s+the)?(?:\s+next)?)\s+(?:week|month|quarter|sprint|year|release)\b
    | \bq[1-4]\b                                        # Q2 2030
    | \b(?:sprint|week|wk|cw|kw)\s*\d+\b                # sprint 14, week 11
    | \+\s*\d+\s*{DELAY}                                # +5 days
    | \b(?:in|within)\s+(?:{COUNT}|an?)\s+{DELAY}        # within 5 working days, in a week
    | \b{COUNT}\s+(?:working\s+|business\s+)?(?:days?|weeks?|months?|sprints?)\b  # two weeks
    """,
    re.IGNORECASE | re.VERBOSE,
)
VAGUE_OWNERS = re.compile(
    r"^\s*(?:|-|—|\?|n/?a|none|nobody|tbd|tbc|everyone|everybody|all|anyone|the team|team|"
    r"engineering|us|we)\s*$",
    re.IGNORECASE,
)
ONE_ROLE = ("QA / SRE", "QA/SRE")
"""Owners that look like two but are one role of the process document."""
TEAM_HANDLE = re.compile(r"@[\w.-]+/[\w.-]+")
"""A team's handle, such as `@acme/sre`: one owner, whose name holds a slash."""
SEVERAL_OWNERS = re.compile(r"\b(and|&)\b|,|/")
ASIDE = re.compile(r"\([^()]*\)")
"""A note in brackets after an owner, `Priya (SRE, on call)`: about the one owner."""
OWNER_HEADER = re.compile(
    r"\b(?:owners?(?:hip)?|owned\s+by|assignee|assigned(?:\s+to)?|responsible|dri)\b", re.IGNORECASE
)
"""How people head the owner column: Owner, Assignee (as trackers say), Responsible, DRI."""
DUE_HEADER = re.compile(
    r"\b(?:due|dates?|deadline|target|eta)\b|^\W*(?:by|(?:by\s+)?when)\W*$", re.IGNORECASE
)
"""How people head the due-date column: Due, Due date, Deadline, Target date, ETA; and `By`,
`When`, `By when` as the whole header (`Raised by` is not a date)."""
# Words that judge people rather than describe what happened.
BLAME_WORDS = re.compile(
    r"\b(human error|careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|lazy|laziness|"
    r"incompeten(?:t|ce)|reckless(?:ly)?|stupid|should have known|"
    r"(?:his|her|their) (?:fault|mistake))\b",
    re.IGNORECASE,
)
# "Failed to reach the DBA" or "failed to book a room" tells what happened, not who erred.
FAILED_TO = (
    r"fail(?:ed|s)? to(?!\s+(?:reach|contact|connect|get\s+(?:through|hold)|book|cancel|"
    r"log\s*in|sign\s*in|load|open)\b)"
)
PAST_PARTICIPLE = r"(?:[a-z]+(?:ed|en|wn|ght|ne|un|t)|read|said|found|told|held|made)\b"
"""A past participle: checked, spotted, given, shown, caught, read, and irregular ones such as
found and told."""
VERDICT_MODAL = (
    r"(?:(?:should(?:n['’]?t|\s+not)?|ought(?:n['’]?t|\s+not)?\s+to)\s+have|should['’]ve"
    # "Could have caught it" judges as "should have" does, but "could not have seen it"
    # excuses; and see `_counterfactual`.
    r"|could(?:\s+have|['’]ve))"
)
"""What someone owed, as a verdict: "should have", "ought to have", "could have", "should've"."""
THEIR_FAULT = r"(?:mistakes?|faults?|errors?|oversights?|negligence|blame)\b"
"""What is someone's own when it is theirs: "Jordan's mistake", "the DBA's fault"."""
# "Should have caught it" judges; "should have a runbook entry" and "should have been paged"
# say what the process owes someone. So a past participle must follow, and "been" only when
# it judges ("should have been more careful").
SHOULD_HAVE = (
    rf"{VERDICT_MODAL}\s+(?:"
    r"been\s+(?!(?:able|allowed|permitted|possible|given|told|paged|alerted|warned|informed|"
    r"involved|consulted|asked|notified|called|included|looped|trained|shown|blocked|stopped|"
    r"prevented|protected|required)\b)"
    # "Should have received the script" says what the process owed them, too.
    rf"|(?!(?:been|received|gotten|got|heard)\b){PAST_PARTICIPLE})"
)
HARM_DONE = (
    # "Caused no delay" denies it; "broke the work down", "broke the news" describe, "broke
    # production" judges.
    r"(?:caused(?!\s+(?:no|nothing|none)\b)|messed up|screwed up|"
    r"broke(?!\s+(?:[\w'-]+\s+){0,2}?(?:down|into|up)\b|\s+the\s+news\b))"
)
"""Harm done, which names whoever did it (or whose thing did it) as the cause."""
JUDGING_ACTS = (
    # "Forgot nothing" denies it, as "caused no delay" does.
    r"forgot(?!\s+(?:nothing|none|no)\b)|forgetting|(?:had|has|have) forgotten|"
    rf"{FAILED_TO}|ignored|neglected|"
    rf"didn'?t bother|did not bother|{SHOULD_HAVE}|"
    rf"{HARM_DONE}|was slow|were slow"
)
"""What someone did, in words that judge it: "forgot", "failed to", "should have caught"."""
BLAME_VERBS = rf"(?:{JUDGING_ACTS}|mistake|fault|blame)"
NEGATION_ADVERBS = r"(?:even|once|yet|ever|actually|really|always|again)"
# A verb whose own meaning is a lapse: done, it judges ("Jordan lost track"); denied, it is
# praise ("never lost track of the impact", "didn't miss a single page", "did not skip the
# checklist"). Every form, since "did not" takes the plain verb and "never" the past.
LAPSES = (
    r"(?:los(?:e|es|t|ing)|miss(?:es|ed|ing)?|ignor(?:e|es|ed|ing)|skip(?:s|ped|ping)?|"
    r"forg(?:et|ets|ot|otten|etting)|neglect(?:s|ed|ing)?|fail(?:s|ed|ing)?|"
    r"overlook(?:s|ed|ing)?|abandon(?:s|ed|ing)?|delay(?:s|ed|ing)?|panick?(?:s|ed|ing)?|"
    r"hesitat(?:e|es|ed|ing)|falter(?:s|ed|ing)?|waver(?:s|ed|ing)?|slip(?:s|ped|ping)?|"
    r"stall(?:s|ed|ing)?|err(?:s|ed)?|slack(?:s|ed)?|overreact(?:s|ed)?|"
    r"oversle(?:ep|eps|pt)|procrastinat(?:e|es|ed)|"
    # Misread, misjudged, misconfigured: the prefix says it went wrong.
    r"mis(?!s)[a-z]{3,}|"
    r"(?:give|gives|gave|given|giving)\s+(?:up|in)|"
    r"(?:cut|cuts|cutting)\s+corners|(?:take|takes|took|taken)\s+(?:any\s+)?shortcuts|"
    # Dropping the ball or a page is a lapse; dropping a table or an index is an act that a
    # migration may owe ("the DBA did not drop the old index").
    r"drop(?:s|ped|ping)?(?!\s+(?:the\s+|an?\s+|its\s+|that\s+|this\s+|old\s+|unused\s+)*"
    r"(?:tables?|columns?|index(?:es)?|indices|databases?|constraints?|schemas?|views?|"
    r"triggers?|rows?|keys?|fields?|backups?)\b))"
)
"""A verb that names a lapse, in any form: lost, missed, ignored, skipped, dropped, forgot,
neglected, failed (to), overlooked, abandoned, delayed, panicked, hesitated, gave up."""
LAPSES_DONE = (
    r"(?:(?:had|has|have)\s+)?(?:"
    # "Missed the SLO" is what the service did, said of the team that runs it.
    r"miss(?:ed|es)(?!\s+(?:(?:the|its|our|their|an?)\s+)?(?:[\w-]+\s+)?"
    r"(?:SLOs?|objectives?|targets?)\b)|"
    r"ignor(?:ed|es)|skip(?:ped|s)|overlook(?:ed|s)|neglect(?:ed|s)|forg(?:ot|otten|ets)|"
    r"panic(?:ked|s)|hesitat(?:ed|es)|falter(?:ed|s)|waver(?:ed|s)|slack(?:ed|s)|"
    r"overreact(?:ed|s)|oversl(?:ept|eeps)|procrastinat(?:ed|es)|"
    # Misjudged, misconfigured, misread: the prefix says it went wrong.
    r"mis(?!s)[a-z]{2,}ed|misread|mistook|misunderstood|"
    r"(?:was|were|kept)\s+(?:ignoring|skipping|overlooking|neglecting)|kept\s+missing|"
    # Lost track or sight is a lapse; "lost her VPN connection" or "lost access" happened to
    # them.
    r"los(?:t|es)\s+(?:track|sight|focus|interest|patience)|"
    # "Gave up on the bisect" is a lapse; "gave up the pager to Sam" hands it over.
    r"(?:gave|given|gives)\s+(?:in|up(?!\s+(?:the|a|an|his|her|their|its|our)\b))|"
    r"(?:cut|cuts)\s+corners|(?:took|taken|takes)\s+(?:a\s+)?shortcuts?|"
    r"(?:dropped|drops)\s+the\s+ball"
    # "Missed nothing", "skipped no step" deny it.
    r")\b(?!\s+(?:nothing|none|no)\b)"
)
"""A lapse done, which judges whoever did it as "forgot" does: missed the page, skipped the
review, overlooked the lock, lost track. Only the verbs that name a lapse whatever follows
them: who delayed the backfill or dropped an index may have meant to, and a reason after a
lapse done excuses it no more than it excuses "forgot"."""
THING_LEFT = (
    r"\s+(?:(?!(?:to|until|till|for|in|on|at|before|after|while|during|when|without|and|or|"
    r"but)\s)[\w'-]+\s+){0,4}?"
    r"(?:notes?|comments?|messages?|updates?|handovers?|hand-?offs?|summar(?:y|ies)|records?|"
    r"tickets?|entr(?:y|ies)|instructions?|warnings?|heads-up|replies|reply)\b"
)
"""What someone leaves that they made, a few words on: "a note", "the DBA a handover"."""
NOT_AN_ACT = (
    # What happened to them, what they had or knew: "did not have an alert", "didn't get paged",
    # "never saw an alert", "did not know a backfill was running", "did not find an entry",
    # "did not connect the errors to the backfill", "did not reach the DBA".
    r"(?:have|has|had|know|knew|known|get|got|gotten|receive[sd]?|hear|heard|see|saw|seen|"
    r"need(?:ed)?|want(?:ed)?|expect(?:ed)?|understand|understood|mean|meant|"
    r"intend(?:ed)?|think|thought|reali[sz]ed?|recogni[sz]ed?|find|found|be|been|was|were|"
    # What they never could (or would) have done: "never could have known".
    r"could|would|can|"
    r"reach(?:ed)?|contact(?:ed)?|connect(?:ed)?|"
    # A lapse denied is praise: "never lost track", "did not hesitate to roll back".
    rf"{LAPSES}|"
    # What they kept doing, told as praise: "never left the incident channel", "did not stop
    # until the queue drained", "never quit". Stopping something ("did not stop the backfill")
    # is an act left undone, so an object may not follow; so is leaving a thing made ("did
    # not leave a note", "did not leave the DBA a handover").
    rf"(?:leave|left)(?!{THING_LEFT})|(?:stop(?:s|ped)?|paus(?:e|es|ed)|quits?)"
    r"(?!\s+(?:the|a|an|it|its|this|that|their|his|her|our|any)\b)|"
    # A harm denied is no verdict: "never caused a delay", "did not break anything".
    r"cause[sd]?|break|broke|blamed?)"
)
NEGATION = rf"(?:did\s+not|didn['’]?t|never)\s+(?:{NEGATION_ADVERBS}\s+)?"
"""What comes before something not done: "did not", "didn't even", "never"."""
NEGATED_ACT = rf"{NEGATION}(?!(?:{NEGATION_ADVERBS}|{NOT_AN_ACT})\b)[a-z]+\b"
"""Something someone did not do, which says they should have: "didn't check the dashboard",
"did not batch it", "never announced it". Blame of the same kind as "forgot to check"."""
SINCE_WHEN = (
    rf"{TIME.pattern}|\d{{1,2}}\s*[ap]\.?m\b|\d{{4}}-\d\d-\d\d|(?:{MONTHS}|{WEEKDAYS})\b|"
    r"then\b|yesterday\b|today\b|noon\b|midnight\b|the\s+(?:start|beginning|outset)\b|"
    r"(?:last|this|that)\s+(?:morning|afternoon|evening|night|week|month|sprint|quarter|year|"
    r"time|point|day|release|deploy)\b"
)
"""After "since", when rather than why: 10:00, 9 am, Monday, 2030-03-04, then, the start."""
NO_NAME = (
    r"(?:[a-z]+ed|[a-z]+n['’]t|(?!(?:early|daily|weekly|monthly|nightly|hourly|yearly)\b)"
    r"[a-z]{2,}ly|is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|"
    r"shall|should|may|might|must|not|never|so|it|they|he|she|we|I|you|nothing|nobody|none|"
    r"no|nor|any|some|every|everyone|everything|anyone|someone|the|an?|this|that|these|those|"
    r"there|its|their|his|her|our|ran|broke|took|made|gave|got|went|came|left|lost|kept|held|"
    r"found|told|said|saw|knew|meant|began|brought|caught|fell|hit|cut|put|set|sent|shut|let|"
    r"wrote|says|shows|needs|means|lacks|seems|looks|works|fails|holds|uses|allows|requires|"
    r"runs|takes|makes|gives|gets|goes|stays|remains|keeps)\b"
)
"""Words that make what follows "since" a clause, with a subject and a verb ("since the deploy
removed the index"), not the name of an event: verbs, pronouns, and a second determiner."""
NAME_WORD = rf"(?!{NO_NAME})[\w:'’-]+"
"""A word of an event's name: "deploy", "10:00", "yesterday's"."""
SINCE_EVENT = (
    # "The deploy", "the big deploy", "yesterday's deploy", "the deploy at 10:00", "the deploy
    # of the new index", and what began then ("the outage began").
    r"(?:(?:the|this|that|our|its|their|his|her|[\w-]+['’]s)\s+)?"
    # A word in -s before the last is a verb ("since the lock blocks reads"), not a noun.
    rf"(?:(?![a-z]{{2,}}[^\Wsui]s\b){NAME_WORD}\s+){{0,3}}{NAME_WORD}"
    r"(?:\s+(?:of|at|on|in|for|to|from|with|by|during|after|before)\s+"
    rf"(?:(?:the|an?|this|that|our|its|their)\s+)?{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})*"
    # An event that happened, whose verb names no cause: "since the alert fired" is a time, as
    # "since the outage began" is, where "since the deploy failed" says why.
    r"(?:\s+(?:began|begun|started|happened|occurred|went\s+(?:out|live|off)|came\s+in|landed|"
    r"shipped|fired|triggered|rang|arrived|ended|finished|"
    r"(?:was|were)\s+(?:declared|raised|opened|sent|paged|deployed|merged|released)))?"
    # Where the clause ends: a mark, the end, or a word that opens another clause.
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|but|so|or|because|when|while|until|though)\b)"
)
"""After "since", an event rather than a clause, which is a time too: "since the deploy"
says since when the engineer did not check, "since the deploy removed the index" why."""
REASON = re.compile(
    # Not reasons: a comparison or a list ("as quickly as", "as well as", "such as"); a time,
    # a manner or a consequence ("as of 10:00", "as usual", "as if", "as a result"); and
    # "since" of a time ("since 10:00", "since then", "ever since", "since the deploy").
    r"(?P<not_a_reason>\bas\s+[\w'-]+\s+as\b|\b(?:such|same)\s+as\b"
    r"|\bas\s+(?:of|if|though|usual|always|before|ever|such|a\s+result)\b"
    rf"|\bever\s+since\b|\bsince\s+(?:{SINCE_WHEN}|{SINCE_EVENT}))"
    r"|\b(?:because|since|as)\b",
    re.IGNORECASE,
)
"""After what someone did not do, a reason explains it rather than judging it: "did not restart
the service, as the runbook advised", "didn't check the dashboard because nothing pointed to
it". "Since 10:00" or "as usual" is no reason."""
REASON_CLAUSE = re.compile(r"(?<!\bnot\s)(?<!n't\s)(?<!n’t\s)\b(?:because|since)\s", re.IGNORECASE)
"""Where a reason starts a clause of its own, which a denial before it does not reach: in "the
script didn't batch it because Jordan was careless", "didn't" denies nothing about Jordan. In
"not because of human error" the denial is of the reason, so it does reach."""
INATTENTION = (
    r"\b(?:inattenti(?:ve|vely|on)|complacen(?:t|tly|cy)|too\s+lazy|"
    r"(?:was|were|is|are)(?:\s+not|n['’]t)\s+(?:paying\s+attention|careful|thinking|focused)|"
    r"(?:did\s+not|didn['’]?t)\s+(?:care|pay\s+attention|think\s+to)|"
    r"could(?:\s+not|n['’]?t)\s+be\s+bothered)\b"
)
"""A reason that faults someone's attention or effort: "they weren't paying attention"."""
PRONOUNS = r"(?:he|she|I|we|you|someone|somebody)"
"""Who a reason can be about without naming them again: "because she forgot"."""
PEOPLES_LAPSES = (
    r"(?:forg(?:ot|otten|etting)|neglected|ignored|overlooked|panicked|hesitated|"
    r"(?:gave|given)\s+up|lost\s+(?:track|sight|focus|interest|patience)|procrastinated|"
    r"slacked|cut\s+corners|took\s+shortcuts|didn['’]?t\s+bother|did\s+not\s+bother|"
    r"messed\s+up|screwed\s+up)"
)
"""The lapses only people make: "because they forgot". "They" may be the dashboards, which
fail to show, miss or drop things, so "because they failed to show lock waits" explains."""
DENIED_JUST_BEFORE = re.compile(r"(?:\bnot|\bnever|\bno|n['’]t)\s+$", re.IGNORECASE)
"""Before a judging word in a reason, these deny it: "because they weren't careless"."""
CLAUSE_ABOUT_THEM = r",\s*(?:who|whose|the|a|an|our|as)\b[^,.;:!?\n]{0,60},"
"""A clause about someone between commas: "Jordan, who ran it, forgot", "Sam, the tech lead,
ignored"."""
SELDOM = r"(?:rarely|seldom|hardly|barely|scarcely)"
"""Adverbs that deny what follows, as "never" does: "rarely missed a page" is praise."""
ADVERBS = rf"(?:\s+(?!{SELDOM}\b)(?:[a-z]+ly|then|also|just|still|again))*"
"""Only adverbs may come between someone and what they did not do ("simply never checked")."""
ROLE = (
    r"(?:(?:the|our|an?|their|one|each)\s+)?"
    r"(?:(?:on-?call|backend|back-end|frontend|front-end|tech|team|release|database|incident|"
    r"help|product|platform|data|senior|junior|duty|service|support|ops|devops|infrastructure|"
    r"infra|QA|SRE|security|lead|backfill|migration)\s+){0,2}"
    r"(?:engineers?|developers?|devs?|operators?|administrators?|admins?|reviewers?|authors?|"
    r"leads?|managers?|commanders?|responders?|testers?|analysts?|architects?|owners?|"
    r"teams?|person|desk|DBAs?|QA|SREs?|DevOps|ops|on-?call)"
)
"""A role or a team rather than a person: the on-call engineer, the DBA, QA, the tech lead."""
OWNER_ROLE = re.compile(rf"(?:{ROLE}|on[- ]call|@team)\b", re.IGNORECASE)
"""A role or a team as an owner cell names it: the DBA, SRE, tech lead, on call, `@acme/sre`."""
ROLE_BLAME = re.compile(
    # The role is the subject of its clause: at the start of a sentence, a list item or a
    # table cell, or after a word that opens a clause ("because the DBA forgot").
    r"(?:^\s*(?:[-*+]\s+)?|[.!?;:,|]\s*|\b(?:and|but|because|so|then|when|while|since|as|"
    r"after|before|until|that|if)\s+)"
    rf"(?P<role>{ROLE})\b"
    # A clause about them between commas ("the DBA, who ran it, forgot"), or a short one
    # without ("the engineer who ran the backfill forgot").
    rf"(?:{CLAUSE_ABOUT_THEM}"
    r"|\s+(?:who|that)(?:\s+[\w'-]+){1,4}?(?=\s))?"
    # Only adverbs may come between ("simply forgot"): in "the QA environment caused…" or
    # "waiting for the DBA caused…" the role is not the cause.
    rf"{ADVERBS}"
    rf"\s+(?:{JUDGING_ACTS}|(?P<omission>{NEGATED_ACT})|{LAPSES_DONE}"
    r"|(?:is|was|are|were) to blame)"
    # Their mistake, in so many words: "the DBA's mistake", "it was QA's fault".
    rf"|\b(?P<owner>{ROLE})['’]s\s+(?:(?:mistake|fault|error|oversight|negligence)\b"
    # Harm their work did names them as "Jordan's backfill caused the outage" names Jordan.
    rf"|(?:[\w'-]+\s+){{1,3}}?{HARM_DONE})",
    re.IGNORECASE,
)
QUOTED = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"|‘[^’\n]*’|(?<!\w)'[^'\n]+'(?!\w)|`[^`\n]*`")
"""Words in quotation marks are someone's words quoted, not the postmortem's own verdict."""
DENIED_AFTER = re.compile(
    r"[\s,]+(?:(?:is|was|are|were)\s+(?:not|never|no)\b|(?:is|was|are|were)n't\b)"
    # "was not the only cause" still names it as a cause.
    r"(?!\s+(?:the\s+|a\s+)?(?:only|whole|sole|main|just|solely|entirely|all)\b)",
    re.IGNORECASE,
)
"""Right after a judging word, these deny it: "human error is not a root cause"."""
NOT_A_VERDICT = re.compile(
    r"\b(?:not|no|never|nor|without|rather than|instead of|avoid(?:s|ed|ing)?|beyond|tempting|"
    r"(?:is|was|were|are)n't|doesn't|don't|didn't)\b",
    re.IGNORECASE,
)
"""Before a judging word in the same sentence, these make it a denial or a discussion."""
CLAUSE_BREAKS = (". ", "! ", "? ", "; ", ": ", ", and ", ", but ", ", so ")
"""Where a clause starts that a denial before it does not reach."""
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
"""The marks of `*emphasis*` and `__strong__` (not the `_` inside `cancelled_at`): "**Jordan**
forgot" says "Jordan forgot"."""
CLAUSE_SUBJECT = r"(?:he|she|they|we|I|it)"
"""A pronoun that opens a clause of its own after "and", "so" or "but" with no comma."""
PASSIVE_LAPSES = (
    r"(?:forgotten|ignored|neglected|overlooked|skipped|missed|misread|mistaken|misunderstood|"
    # "Broken down into batches" describes, as "broke the work down" does.
    r"mis(?!s)[a-z]{2,}ed|caused|broken(?!\s+(?:down|into|up|apart)\b)|(?:messed|screwed)\s+up)"
)
"""A judging act or a lapse done, as the past participle of the passive voice: "the warning was
ignored by Sam" judges Sam as "Sam ignored the warning" does."""
HARMS_DONE_TO = ("caused", "broken", "messed up", "screwed up")
"""The participles of HARM_DONE: harm that names whose thing did it ("caused by Jordan's
backfill"), where a lapse is the thing's own ("missed by Jordan's alert")."""
AGENT_ENDS = (
    r"(?=\s*(?:[^\w\s'’]|$)|\s+(?:at|on|in|during|before|after|when|while|because|since|as|"
    r"and|but|or|nor|so|if|unless|who|which|that|until|for|from|with|without|again|twice|once|"
    r"too|also|then|\d)\b)"
)
"""Where the role after "by" ends: "by the on-call engineer at 10:09" names the engineer, "by
the on-call rota" a thing, and "by the SRE dashboard" the dashboard."""
PASSIVE_DENIED = re.compile(r"\b(?:nothing|none|nobody|no[\s-]one|neither)\b", re.IGNORECASE)
"""A subject that denies a passive lapse: "nothing was overlooked by the reviewer"."""
SERVICE_TARGETS = re.compile(r"\b(?:SLOs?|objectives?|targets?)\b", re.IGNORECASE)
"""What a service misses, said of the team that runs it: "the SLO was missed by the team"."""
TEAMS_LAPSES = (
    r"(?:forgot(?!\s+(?:nothing|none|no)\b)|forgetting|(?:had|has|have)\s+forgotten|"
    rf"didn['’]?t\s+bother|did\s+not\s+bother|messed\s+up|screwed\s+up|{LAPSES_DONE})"
)
"""What "we" (or "I") may not say of the team (or the writer): a lapse in so many words ("we
forgot the lock", "I skipped the review"). "We" owning a gap of the process is blameless ("we had
no alert", "I did not test two writes at once", "we should have added an alert"), so no omission
counts."""
PRONOUN_BLAME = re.compile(
    rf"\b(?P<pronoun>he|she|they)\b(?:{CLAUSE_ABOUT_THEM})?{ADVERBS}\s+(?:{JUDGING_ACTS}"
    rf"|(?P<omission>{NEGATED_ACT})|{LAPSES_DONE}|(?:is|was|are|were)\s+to\s+blame)"
    # "I", the writer, owns what "we" may own, and no more; only a capital I is the writer
    # (a list's "i." is not).
    rf"|\b(?:we|(?-i:I))\b{ADVERBS}\s+{TEAMS_LAPSES}",
    re.IGNORECASE,
)
"""A verdict on someone named by a pronoun: "he forgot the lock", "she missed the page", "we
forgot the lock", "I skipped the review"."""
PLURAL_WORD = (
    r"\b(?!(?:was|has|does|goes|its|his|hers|this|thus|yes|always|perhaps|sometimes|whereas|"
    r"afterwards|towards|besides|unless|plus|status|less|across)\b)[a-z]+(?<![su]s)(?<!is)s\b"
)
"""A word that is likely a plural noun (dashboards, alerts, retries): what "they" may be."""
ONE_ROLE_REFERENT = re.compile(ROLE, re.IGNORECASE)
SUBJECT_OF_AN_ACT = re.compile(
    r"\s*(?:,|\s(?:who|that|[a-z]+ed|[a-z]{2,}ly|was|were|is|are|had|has|have|did|does|"
    r"didn['’]?t|never|not|then|also|just|still|could|would|should|will|can|may|might|must|"
    r"ran|took|made|gave|got|went|came|left|lost|kept|held|found|told|said|saw|knew|began|"
    r"brought|caught|broke|wrote|forgot|sent|set|put|let|read|thought|chose|spent|shut|cut)\b)",
    re.IGNORECASE,
)
"""What follows a role that is the subject of an act: a verb ("approved", "ran", "was"), an
adverb, or a clause about them ("the DBA, who ran it"; "the engineer who ran it")."""
COULD_HAVE = re.compile(r"\bcould(?:\s+have|['’]ve)\b", re.IGNORECASE)
WOULD_HAVE = re.compile(r"\bwould(?P<negated>n['’]?t|\s+not)?(?:\s+have|['’]ve)\b", re.IGNORECASE)
WOULD_HAVE_HELPED = re.compile(
    r"\s+(?:been\s+)?(?:[a-z]+ly\s+)?(?:saved|prevented|avoided|spared|shortened|reduced|"
    r"stopped|caught|helped|limited|halved|fixed|restored|protected|mitigated|lessened|"
    r"minimi[sz]ed|ended|cut|shaved|mattered|made\s+(?:a|any|much\s+of\s+a)\s+difference|"
    r"changed\s+(?:anything|much|the\s+outcome)|"
    r"(?:much\s+|far\s+)?(?:shorter|smaller|faster|quicker|sooner|earlier|better))\b",
    re.IGNORECASE,
)
"""After "would have", what doing it would have won: then "could have" says it should have
been done ("could have caught it, which would have saved an hour"), where a near miss tells
what it would have cost ("which would have lost the queue")."""
CONDITION = re.compile(r"(?:\bif|\bunless|,\s*had)\s+", re.IGNORECASE)
SOMEONE_ELSE = re.compile(rf"(?:he|she|they|you|someone|somebody|{ROLE})\b", re.IGNORECASE)
"""Who a condition may be about that makes it a verdict still: "if they had been careful"."""
EXPLANATION_OPENING = re.compile(r"(?:\b(?:because|since|as)|[:;—–]|\s-)\s*$", re.IGNORECASE)
"""An explanation that "they" opens: "because they were slow to load", "; they were slow"."""
THING_NAMED = re.compile(r"\b(?:the|an?|its|this|that|their|his|her|our)\s+[\w-]+", re.IGNORECASE)
"""A thing named ("the dashboard"), whose kind a "they" after it may mean."""
THEY_LAPSE = re.compile(
    r"(?:they|them)\b(?:\s+(?:had|have|had\s+been|just|simply|also|then|again|[a-z]+ly))*\s+"
    rf"{PEOPLES_LAPSES}",
    re.IGNORECASE,
)
"""A lapse only people make, told of "they": "they forgot", "they didn't bother"."""
HARMS = (
    r"(?:outages?|incidents?|downtime|failures?|breakage|bugs?|damage|data\s+loss|errors?|"
    r"disruption|mess|delays?|problems?|issues?|mistakes?)"
)
"""What went wrong, which someone is blamed for when they are made "responsible for" it."""
CAUSE = (
    r"\b(?:(?:root|main|real|direct|underlying|primary|proximate|only|sole|actual)\s+)?causes?"
    r"(?:\s+of\s+(?:the\s+|this\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?)?"
)
"""The cause, as a postmortem names it: "the root cause", "the cause of the booking outage"."""
NOT_THEIR_DOING = (
    r"(?:having|lacking|knowing|getting|receiving|seeing|hearing|needing|"
    r"being\s+(?:new|unaware|alone|told|given|paged|alerted|warned|informed|asked|shown))\b"
)
"""What someone had, knew or was given, after their name in a cause ("the on-call engineer
having no runbook entry"): the situation, as NOT_AN_ACT is after "did not"."""
INCIDENT_DUTY = re.compile(r"\bincidents?\b", re.IGNORECASE)
"""A role may own the incident as a duty ("the incident commander is responsible for the
incident"); a person named as responsible for it is blamed."""
COLLECTIVE_ROLE = re.compile(r"(?:s|team|desk|QA|staff|crew)$", re.IGNORECASE)
"""A role that is several people: the engineers, the DBAs, the backend team, the help desk."""


def titles(text: str) -> list[str]:
    """The `## ` headings, the template's ones as the template writes them."""
    return template_titles(text, POSTMORTEM_HEADINGS + TEMPLATE_ONLY_HEADINGS)


def heading_problems(text: str) -> list[str]:
    """The template's nine headings (in any letter case), each once; its "How to use" part
    deleted. Other headings are the writer's own."""
    found = titles(text)
    guidance = [
        f"`## {title}` is the template's guidance; delete it"
        for title in TEMPLATE_ONLY_HEADINGS
        if title in found
    ]
    return guidance + heading_report(found, POSTMORTEM_HEADINGS)[0]


def heading_advice(text: str) -> str | None:
    """Advice (never a failure) when the nine headings are not in the template's order."""
    return heading_report(titles(text), POSTMORTEM_HEADINGS)[1]


def placeholder_problems(text: str) -> list[str]:
    """No section is empty or still holds the template's placeholders, guidance or examples."""
    problems = []
    links = link_labels(text)
    # A block the writer folded is judged as their text; only the template's examples are left.
    opened = writers_details_opened(text, course_template(TEMPLATE))
    for title, body in sections(in_template_case(opened, POSTMORTEM_HEADINGS)):
        if title not in POSTMORTEM_HEADINGS:
            continue
        where = f"`## {title}`"
        # Inline code (`rows[0]`) is literal text, never a template's placeholder.
        prose = CODE_SPAN.sub(" ", body)
        if DETAILS_BLOCK.search(body):
            problems.append(f"{where} still holds the template's collapsed example")
        elif guidance_quotes(body, course_template_guidance(TEMPLATE)):
            problems.append(f"{where} still has the template's `>` guidance")
        elif bracket := placeholder(body, links):
            problems.append(f"{where} still has the placeholder `{bracket}`")
        elif word := PLACEHOLDER_WORDS.search(prose):
            problems.append(f"{where} still says {word[0]}")
        elif not [
            line for line in body.splitlines() if line.strip() and not TABLE_SEPARATOR.match(line)
        ]:
            problems.append(f"{where} is empty (write None, and why, if nothing applies)")
    return problems


@dataclass(frozen=True)
class Moment:
    text: str
    day: date | None
    minutes: int


def _first_table(body: str) -> list[dict[str, str]] | None:
    found = tables(DETAILS_BLOCK.sub("", body))
    return found[0] if found else None


def timeline_moments(body: str) -> tuple[list[Moment], list[str]]:
    """The timeline's entries with their times, and the entries without a time."""
    rows = _first_table(body)
    if rows is not None:
        entries = [" | ".join(row.values()) for row in rows]
        firsts = [_when(list(row.values())) for row in rows]
    else:
        entries = list_items(body)
        firsts = entries
    moments, untimed = [], []
    for entry, first in zip(entries, firsts, strict=True):
        time = TIME.search(first)
        if time is None or time.start() > 20:
            untimed.append(entry)
            continue
        day = DATE.search(first[: time.start()] + " ")
        moments.append(
            Moment(
                entry,
                date(int(day["year"]), int(day["month"]), int(day["day"])) if day else None,
                _minutes_of(time),
            )
        )
    return moments, untimed


def _minutes_of(time: re.Match[str]) -> int:
    """Minutes after midnight of a TIME match, on the 24-hour clock (12:10 AM is 0:10)."""
    hour = int(time["hour"])
    if time["half"] and hour <= 12:
        hour = hour % 12 + (12 if time["half"].lower() == "p" else 0)
    return hour * 60 + int(time["minute"])


def _when(cells: list[str]) -> str:
    """The cell of a timeline row that says when: the first, or a Date cell and the Time cell
    after it (`| 2030-03-04 | 10:02 | … |`)."""
    first = cells[0] if cells else ""
    if len(cells) > 1 and TIME.search(first) is None and DAY_ONLY.fullmatch(first.strip()):
        return f"{first} {cells[1]}"
    return first


def states_time_zone(text: str) -> bool:
    """A zone is named in the timeline (its header, a line such as "All times UTC.", an entry),
    or in a sentence about times above it."""
    body = section(text, "Timeline") or ""
    if TIME_ZONE.search(DETAILS_BLOCK.sub("", body)):
        return True
    above = []
    for line in markdown_lines(text):
        if is_heading(line, "Timeline"):
            if TIME_ZONE.search(line):  # `## Timeline (UTC)`
                return True
            break
        above.append(line)
    return any(TIME_ZONE.search(line) and re.search(r"\btimes?\b", line, re.I) for line in above)


def timeline_problems(text: str) -> list[str]:
    """Five or more timed entries, in time order, with the time zone stated."""
    body = section(text, "Timeline")
    if body is None:
        return ["there is no `## Timeline` section"]
    moments, untimed = timeline_moments(body)
    problems = []
    if len(moments) < MIN_TIMELINE_ENTRIES:
        problems.append(
            f"{len(moments)} timed entr{'y' if len(moments) == 1 else 'ies'}; write at least "
            f"{MIN_TIMELINE_ENTRIES}, one per row as `| 10:02 | what happened |`"
        )
    for entry in untimed[:2]:
        problems.append(
            f"“{shorten(entry.replace('|', ' '), 50)}” has no time (HH:MM) at its start"
        )
    if moments and not states_time_zone(text):
        problems.append(
            "no time zone: say which, as in a `Time (UTC)` column header or a line "
            "“All times UTC.” above the table"
        )
    day: date | None = None
    previous: tuple[date | None, int] | None = None
    for moment in moments:
        day = moment.day or day
        key = (day, moment.minutes)
        if previous is not None and _before(key, previous):
            problems.append(
                f"“{shorten(moment.text.replace('|', ' '), 50)}” comes after a later time; put "
                "the entries in time order (add the date to entries on another day)"
            )
            break
        previous = key
    return problems


def _before(key: tuple[date | None, int], previous: tuple[date | None, int]) -> bool:
    day, minutes = key
    previous_day, previous_minutes = previous
    if day is not None and previous_day is not None and day != previous_day:
        return day < previous_day
    return minutes < previous_minutes


def is_due_date(cell: str) -> bool:
    """Whether an action's Due cell names a date or a delay, in any way people write one."""
    if BRACKET_PLACEHOLDER.search(cell) or PLACEHOLDER_WORDS.search(cell):
        return False
    return DUE_DATE.search(cell) is not None


def action_item_problems(text: str) -> list[str]:
    """Three or more action items, each with one named owner and a due date."""
    body = section(text, "Action items")
    if body is None:
        return ["there is no `## Action items` section"]
    rows = _first_table(body)
    if rows is None:
        return ["write the action items as the template's table: | Action | Type | Owner | Due |"]
    header = list(rows[0]) if rows else _header_of(body)
    owner = next((name for name in header if OWNER_HEADER.search(name)), None)
    due = next((name for name in header if name != owner and DUE_HEADER.search(name)), None)
    missing = [name for name, column in (("Owner", owner), ("Due", due)) if column is None]
    if missing:
        return [f"the action-item table has no {' or '.join(missing)} column"]
    problems = []
    items = [row for row in rows if any(cell.strip() for cell in row.values())]
    if len(items) < MIN_ACTION_ITEMS:
        problems.append(
            f"{len(items)} action item(s); write at least {MIN_ACTION_ITEMS} "
            "(prevent it, detect it sooner, and fix the process)"
        )
    for row in items:
        name = shorten(next(iter(row.values()), ""), 40)
        who, when = row.get(owner or "", ""), row.get(due or "", "")
        if VAGUE_OWNERS.match(who) or BRACKET_PLACEHOLDER.search(who):
            problems.append(f"“{name}” has no single owner (found “{who}”)")
        elif (
            SEVERAL_OWNERS.search(_without_notes(TEAM_HANDLE.sub("@team", who)))
            and who.strip().upper() not in ONE_ROLE
        ):
            problems.append(f"“{name}” has several owners (“{who}”); give it one")
        if not is_due_date(when):
            problems.append(
                f"“{name}” has no due date (found “{when}”); write a date such as 2030-03-11 or "
                "Fri 15 Mar, or a delay such as +5 days"
            )
    return problems


def _without_notes(owner: str) -> str:
    """An owner cell without its notes about the one owner: in brackets, unless a note names
    a second owner (`SRE (Priya and Sam)`), or after a person's name and a comma, where each
    is a role or a team (`Priya, SRE`, `Priya, SRE, on call`; not `Priya, Sam`, nor `SRE, QA`
    where the first is a role too)."""
    owner = ASIDE.sub(
        lambda aside: aside[0] if re.search(r"\band\b|&", aside[0], re.IGNORECASE) else "",
        owner,
    )
    person, *notes = owner.split(",")
    if (
        notes
        and person.strip()
        and not OWNER_ROLE.match(person.strip())
        and all(OWNER_ROLE.fullmatch(note.strip()) for note in notes)
    ):
        return person
    return owner


def _header_of(body: str) -> list[str]:
    for line in markdown_lines(DETAILS_BLOCK.sub("", body)):
        if line.strip().startswith("|"):
            return [cell.strip() for cell in line.strip().strip("|").split("|")]
    return []


@dataclass(frozen=True)
class _Readers:
    """The patterns that read one document's sentences, built once for its list of people."""

    person_blame: re.Pattern[str]
    blaming_reason: re.Pattern[str]
    subject_break: re.Pattern[str]
    passive_blame: re.Pattern[str]
    referent: re.Pattern[str]
    one_person: re.Pattern[str]
    cause_named: tuple[re.Pattern[str], ...]


def _readers(people: Sequence[str]) -> _Readers:
    named = "|".join(re.escape(person) for person in people)
    person_blame = re.compile(
        # Up to three words, or a clause about the person between commas ("Jordan, who ran
        # it, forgot"; "Sam, the tech lead, ignored"), may come between them and the verdict.
        # Only adverbs may come between them and what they did not do ("Jordan simply didn't
        # batch it"): in "the backfill Jordan started did not commit", the backfill did not.
        # A judging verb denied right before it is no verdict ("Priya never failed to update
        # it", "Sam did not fail to", "Sam rarely forgot"), but "never should have run it"
        # still judges. What "Jordan's backfill could have" done is the backfill's; "Jordan's
        # mistake" is still theirs.
        rf"\b(?P<who>{named})"
        rf"(?:['’]s\b(?!\s+(?!{THEIR_FAULT})(?:[\w'-]+\s+){{1,3}}?{VERDICT_MODAL}))?"
        rf"\b(?:{CLAUSE_ABOUT_THEM})?"
        rf"(?:(?:[\s,]+(?!(?:{NEGATION}|(?:not|{SELDOM}(?:\s+ever)?)\s+)(?!should)"
        rf"(?:{BLAME_VERBS}))[\w'-]+){{0,3}}?"
        rf"[\s,]+{BLAME_VERBS}"
        rf"|{ADVERBS}\s+(?P<omission>{NEGATED_ACT})"
        # A lapse done, only adverbs between: "Jordan simply missed the page"; "Jordan's
        # alert missed the spike" is the alert's.
        rf"|{ADVERBS}\s+{LAPSES_DONE})",
        re.IGNORECASE,
    )
    someone = rf"(?:\b(?:{named})\b|{ROLE}\b)"
    return _Readers(
        person_blame=person_blame,
        blaming_reason=_blaming_reason(named),
        # "The runbook had no entry so the on-call engineer forgot": without a comma, "so",
        # "and" or "but" before a new subject still opens a clause of its own.
        subject_break=re.compile(
            rf"\s(?:and|so|but)\s+(?={someone}|{CLAUSE_SUBJECT}\b)", re.IGNORECASE
        ),
        passive_blame=re.compile(
            # "Was simply ignored by Sam", "had been missed twice by the on-call engineer".
            r"\b(?:(?:(?:had|has|have)\s+been|is|are|was|were|been|being|got|gets)\b"
            rf"{ADVERBS}\s+(?P<act>{PASSIVE_LAPSES})"
            # "Should have been caught by QA" owes QA the act, as "QA should have caught it"
            # does; with no one after "by", it is what the process owed.
            rf"|{VERDICT_MODAL}\s+been{ADVERBS}\s+(?P<owed>{PAST_PARTICIPLE}))"
            r"(?:\s+(?!(?:by|because|since|as|when|while|and|but|so|which|who|that|until|after|"
            r"before)\b)[\w:'’-]+){0,3}?\s+by\s+"
            # "By Jordan's script" names the script, which is a lapse of the script
            # ("missed by Jordan's alert"), but harm done by it names Jordan as its cause, as
            # "Jordan's script caused the outage" does; "by the SRE dashboard" names the
            # dashboard.
            rf"(?:(?P<who>{named})\b(?!['’]s)|(?P<pronoun>him|her|them|us|me)\b{AGENT_ENDS}"
            rf"|(?P<role>{ROLE})\b(?!['’]s){AGENT_ENDS}"
            rf"|(?P<owner>{named}|{ROLE})['’]s\s+[\w-]+)",
            re.IGNORECASE,
        ),
        # Who "they" may be: the last people named ("Jordan and Sam", "the DBAs"), or things
        # ("the dashboards").
        referent=re.compile(
            rf"(?P<people>{someone}(?:\s*(?:,|and|&)\s*{someone})*)|(?P<things>{PLURAL_WORD})",
            re.IGNORECASE,
        ),
        # One person by name, whom a singular "they" may be: "Sam was on call. They missed …".
        one_person=re.compile(rf"(?:{named})", re.IGNORECASE),
        cause_named=_cause_named(named),
    )


def _cause_named(named: str) -> tuple[re.Pattern[str], ...]:
    """The ways a postmortem names someone, or their work, as the cause of the outage rather
    than saying what happened: "the root cause was Jordan", "root cause: the DBA running an
    unreviewed script", "the root cause was Jordan's backfill" (as "caused by Jordan's
    backfill"), "Jordan was the root cause", "Jordan is responsible for the outage", "the
    blame lies with Jordan", "the outage is on the DBA". Each names them in the group
    `someone`.

    A thing a role word describes is no one ("the root cause was the on-call rota"), nor is
    what someone had or knew ("the on-call engineer having no runbook entry"), nor a standing
    duty ("the on-call engineer is responsible for paging the incident commander", "SRE is
    responsible for outages")."""
    who = rf"(?P<someone>{named}|{ROLE})"
    return tuple(
        re.compile(pattern, re.IGNORECASE)
        for pattern in (
            # The cause is someone, what they did, or their work; after a colon, a dash or
            # in the next table cell too ("| Root cause | Jordan |").
            rf"{CAUSE}(?:\s*[:—–|]|\s+-|\s+(?:is|was|were|are)\b)\s*(?:simply\s+|just\s+)?"
            rf"{who}"
            rf"(?:['’]s\s+[\w-]+|\s+(?:not\s+|never\s+)?(?!{NOT_THEIR_DOING})[a-z]+ing\b"
            rf"|\b{AGENT_ENDS})",
            # Someone, or their work, is the cause.
            rf"\b(?P<someone>{named}|{ROLE}|he|she)\b(?:['’]s(?:\s+[\w-]+){{1,2}}?)?"
            rf"(?:{CLAUSE_ABOUT_THEM})?"
            r"\s+(?:is|was|were|are)\s+(?:the\s+|a\s+|one\s+)?"
            r"(?:(?:root|main|real|direct|only|sole|actual)\s+)?causes?\b",
            # Someone is responsible for the harm, or for causing it.
            rf"\b(?P<someone>{named}|{ROLE}|he|she|they)\b(?:{CLAUSE_ABOUT_THEM})?{ADVERBS}"
            r"\s+(?:is|was|are|were|(?:has|have|had)\s+been)\s+(?:[a-z]+ly\s+)?"
            r"(?:responsible|accountable)\s+for\s+(?:(?:causing|breaking)\b"
            r"|(?:the|this|that|today['’]s|(?:the\s+)?whole|all\s+the)\s+(?:[\w-]+\s+){0,2}?"
            rf"(?P<harm>{HARMS})\b(?!['’]s){AGENT_ENDS})",
            # The blame, or the responsibility for the harm, lies with someone.
            r"\b(?:blame|fault|responsibility\s+for\s+(?:the|this|that)\s+(?:[\w-]+\s+){0,2}?"
            rf"{HARMS})\s+(?:lies|lay|rests|rested|sits|sat|is|was)\s+"
            r"(?:squarely\s+|entirely\s+|solely\s+|fully\s+)?with\s+"
            rf"(?P<someone>{named}|{ROLE}|him|her|them)\b(?!['’]s){AGENT_ENDS}",
            # The harm is on someone.
            rf"\b(?:{HARMS}|this(?:\s+one)?|that(?:\s+one)?|it)\s+(?:is|was)\s+"
            r"(?:all\s+|entirely\s+|squarely\s+|fully\s+)?on\s+"
            rf"(?P<someone>{named}|{ROLE}|him|her|them)\b(?!['’]s){AGENT_ENDS}",
        )
    )


def _clause_start(line: str, start: int, readers: _Readers) -> int:
    """Where the clause that holds `start` begins: after a sentence's or a clause's mark, a
    reason's "because", or an "and", "so" or "but" that a new subject follows, unless it joins
    two people ("Jordan and the DBA did not know")."""
    return max(
        (
            *(
                found + len(mark)
                for mark in CLAUSE_BREAKS
                if (found := line.rfind(mark, 0, start)) >= 0
            ),
            *(reason.end() for reason in REASON_CLAUSE.finditer(line, 0, start)),
            *(
                found.end()
                # The whole line, for the subject after the break may start at `start`.
                for found in readers.subject_break.finditer(line)
                if found.end() <= start and not _ends_with_someone(line[: found.start()], readers)
            ),
        ),
        default=0,
    )


def _ends_with_someone(text: str, readers: _Readers) -> bool:
    """Whether `text` ends with a person or a role, as the first of two subjects does."""
    last = list(readers.referent.finditer(text))
    return bool(last and last[-1]["people"] and not text[last[-1].end() :].strip())


def _is_a_verdict(
    line: str,
    start: int,
    end: int,
    match: re.Match[str],
    readers: _Readers,
) -> bool:
    """A judging phrase at `start`–`end` is the writer's verdict unless its clause denies it,
    before it ("this was not human error") or right after it ("human error is not a cause"),
    or, when it is something not done (`match` found an omission), a reason follows it that
    does not itself blame (`readers.blaming_reason`): "because nothing pointed to it" explains,
    "because she forgot" does not.

    A reason may come first, too, as the clause before "so": "nothing pointed to the
    dashboard, so the on-call engineer did not check it".

    A clause after ", and", ", but" or ", so" is one of its own: in "the runbook had no entry,
    and the DBA forgot to check", the "no" denies nothing the DBA did. So is a reason, and so
    is a clause that "and", "so" or "but" opens with a new subject, comma or not."""
    clause_start = _clause_start(line, start, readers)
    if NOT_A_VERDICT.search(line[clause_start:start]):
        return False
    modal = re.search(VERDICT_MODAL, line[start:end], re.IGNORECASE)
    if modal and _counterfactual(line[end:], readers, near_miss=bool(COULD_HAVE.search(modal[0]))):
        return False
    if match.groupdict().get("omission") and any(
        reason is not None and not _blames(reason, readers.blaming_reason)
        for reason in (_reason_before(line, clause_start, readers), _reason_after_text(line, end))
    ):
        return False
    return DENIED_AFTER.match(line, end) is None


def _counterfactual(after: str, readers: _Readers, near_miss: bool) -> bool:
    """Whether the rest of a sentence after "could have" (or "should have", "ought to have")
    makes it a counterfactual about the situation rather than a verdict: a condition about the
    system or the team ("could have checked it if the runbook had mentioned it", "should have
    checked it if the runbook had mentioned it", "…, had an alert fired", "… if we had written
    the test"), or, after "could have" (`near_miss`), a near miss, which says what it would
    have cost ("could have restarted the pod, which would have lost the queue").

    A condition about the person or a role is none ("if they had been careful", "if QA had
    tested it"), nor is what doing it would have won ("could have caught it, which would have
    saved an hour", "…, and the outage wouldn't have happened"): that says it should have been
    done."""
    rest = re.split(r"[.!?;]", after, maxsplit=1)[0]
    return (
        near_miss
        and any(
            bool(would["negated"]) == bool(WOULD_HAVE_HELPED.match(rest, would.end()))
            for would in WOULD_HAVE.finditer(rest)
        )
    ) or any(
        not SOMEONE_ELSE.match(rest, condition.end())
        and not readers.one_person.match(rest, condition.end())
        for condition in CONDITION.finditer(rest)
    )


def _reason_after_text(line: str, end: int) -> str | None:
    """The words of the first reason after `end` ("because nothing pointed to it"), or None."""
    reason = _reason_after(line, end)
    return line[reason.end() :] if reason else None


def _reason_before(line: str, clause_start: int, readers: _Readers) -> str | None:
    """The clause before a "so" that opens the clause at `clause_start`: its reason ("the
    runbook had no entry, so the on-call engineer did not check"), or None."""
    so = re.search(r"(?:,\s*|\s)so\s+$", line[:clause_start], re.IGNORECASE)
    if so is None:
        return None
    before = line[: so.start()]
    return before[_clause_start(before, len(before), readers) :]


def _reason_after(line: str, end: int) -> re.Match[str] | None:
    """The first reason in `line` after `end`, past any "since 10:00" or "as usual"."""
    return next((found for found in REASON.finditer(line, end) if not found["not_a_reason"]), None)


def _blaming_reason(named: str) -> re.Pattern[str]:
    """A reason that blames someone rather than explaining what they did not do: a judging
    word ("because they were careless"), their attention or effort faulted ("because she
    wasn't paying attention"), or a person doing a lapse ("because she forgot", "because he
    didn't bother", "because they lost track"). The situation ("because they were handling
    another incident") and the system ("because the alert failed to fire") explain."""
    # "Lost their connection" is the situation; "lost track" the lapse.
    lapse = rf"(?!los(?:e|es|t|ing)\s+(?!track|sight|focus|interest|patience)\b)(?:{LAPSES})"
    auxiliaries = (
        r"(?:\s+(?:had|has|have|was|were|had\s+been|just|simply|also|then|again|[a-z]+ly))*\s+"
    )
    return re.compile(
        rf"{BLAME_WORDS.pattern}|{INATTENTION}"
        # "Failed to" is judged as JUDGING_ACTS judges it: "failed to reach the DBA" explains.
        rf"|\b(?:{PRONOUNS}|{ROLE}|{named})\b{auxiliaries}(?:{JUDGING_ACTS}|(?!fail){lapse})"
        rf"|\bthey\b{auxiliaries}{PEOPLES_LAPSES}",
        re.IGNORECASE,
    )


def _blames(reason: str, blaming_reason: re.Pattern[str]) -> bool:
    """Whether a reason blames someone, unless it denies that ("because they weren't
    careless, but the runbook was wrong")."""
    return any(
        not DENIED_JUST_BEFORE.search(reason[: found.start()])
        for found in blaming_reason.finditer(reason)
    )


def blame_problems(text: str, people: Sequence[str] = PEOPLE) -> list[str]:
    """Blameless language: no judging words, and no person or role named as the cause.

    Read a sentence at a time (`prose_blocks`), wherever its lines break. Quoted words (the
    notes quoted, a term discussed), blockquotes and code are someone else's words; a sentence
    that denies the verdict ("this was not human error") is not one.
    """
    readers = _readers(people)
    problems = []
    # The sentence before, where "he" or "they" may have been named (a time cell has none).
    previous = ""
    for first_line, block in prose_blocks(text):
        # A line break inside a paragraph or a list item is no sentence break: read the block
        # as one line. Every replacement below keeps the positions, so each problem is named
        # at the line where its words start.
        written = EMPHASIS.sub(_blank, block.replace("\n", " "))
        own_words = QUOTED.sub(_blank, written)
        for start, end in _sentence_spans(own_words):
            found = _blame_in(own_words[start:end], written[start:end], readers, previous)
            if re.search(r"[^\W\d_]", own_words[start:end]):
                previous = own_words[start:end]
            if found:
                offset, what = found
                line = first_line + block.count("\n", 0, start + offset) + 1
                problems.append(f"line {line}: {what}")
    return problems


def _blank(match: re.Match[str]) -> str:
    return " " * len(match[0])


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a text starts and ends."""
    starts = [0, *(found.end() for found in SENTENCE_BREAK.finditer(text))]
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _blame_in(
    own_words: str, written: str, readers: _Readers, previous: str = ""
) -> tuple[int, str] | None:
    """(where, what to say) about the first blame in a sentence, or None.

    `own_words` is the sentence with quoted words blanked; `written` the sentence as written
    (but for emphasis), which the message shows; `previous` the sentence before it.
    """
    for pattern in (BLAME_WORDS, readers.person_blame):
        match = pattern.search(own_words)
        if match and _is_a_verdict(own_words, match.start(), match.end(), match, readers):
            return match.start(), _quoted(written, match.start(), match.end())
    return (
        _role_blamed(own_words, written, readers)
        or _cause_blamed(own_words, written, readers, previous)
        or _passive_blamed(own_words, written, readers, previous)
        or _pronoun_blamed(own_words, written, readers, previous)
    )


def _quoted(written: str, start: int, end: int) -> str:
    return f"“{shorten(' '.join(written[start:end].split()), 60)}”"


def _passive_blamed(
    own_words: str, written: str, readers: _Readers, previous: str
) -> tuple[int, str] | None:
    """(where, what to say) about a lapse told in the passive voice, by a person or a role ("the
    warning was ignored by Sam", "the page was missed by the on-call engineer"), or None.

    What was missed, by whom, is the same verdict as the active voice; what the system did
    ("missed by the alerting system") or did not do wrong ("detected by the on-call engineer")
    is not. What someone should have done is a verdict too ("the bug should have been caught
    by QA"), unless it is the team or the writer who owns what the process owed ("it should
    have been caught by us", as "we should have added an alert")."""
    for match in readers.passive_blame.finditer(own_words):
        subject = own_words[_clause_start(own_words, match.start(), readers) : match.start()]
        act = (match["act"] or "").lower()
        if (
            PASSIVE_DENIED.search(subject)
            or (act.startswith("missed") and SERVICE_TARGETS.search(subject))
            # "The news was broken by Priya" told it, as "Priya broke the news" does.
            or (act == "broken" and re.search(r"\bnews\b", subject, re.I))
            or not _is_a_verdict(own_words, match.start(), match.end(), match, readers)
        ):
            continue
        if match["owner"] and act not in HARMS_DONE_TO:
            continue
        pronoun = (match["pronoun"] or "").lower()
        if (
            pronoun == "them"
            and not _they_are_people(own_words, match.start("pronoun"), readers, previous)
        ) or (pronoun in ("us", "me") and (match["owed"] or act in ("caused", "broken"))):
            continue
        role = match["role"] or (
            match["owner"] if not readers.one_person.fullmatch(match["owner"] or "") else None
        )
        if role:
            return match.start(), _role_message(written, match.start(), match.end(), role)
        return match.start(), _quoted(written, match.start(), match.end())
    return None


def _cause_blamed(
    own_words: str, written: str, readers: _Readers, previous: str
) -> tuple[int, str] | None:
    """(where, what to say) about someone, or their work, named as the cause of the outage
    (`_cause_named`), or None. "They" is someone only when it means people
    (`_they_are_people`); "we" and "I" may own the outage as they own the process's gaps."""
    for pattern in readers.cause_named:
        for match in pattern.finditer(own_words):
            someone = " ".join(match["someone"].split())
            if someone.lower() in ("they", "them") and not _they_are_people(
                own_words, match.start("someone"), readers, previous
            ):
                continue
            is_role = bool(ONE_ROLE_REFERENT.fullmatch(someone))
            harm = match.groupdict().get("harm") or ""
            if (is_role and INCIDENT_DUTY.match(harm)) or not _is_a_verdict(
                own_words, match.start(), match.end(), match, readers
            ):
                continue
            if is_role:
                return match.start(), _role_message(written, match.start(), match.end(), someone)
            return match.start(), _quoted(written, match.start(), match.end())
    return None


def _pronoun_blamed(
    own_words: str, written: str, readers: _Readers, previous: str
) -> tuple[int, str] | None:
    """(where, what to say) about a verdict on someone named by a pronoun ("Jordan ran the
    backfill. He forgot the lock."), or None.

    "He" and "she" are people whoever they are. "They" is people only when the last plural
    before it, in this sentence or the one before, was people ("Jordan and Sam", "the DBAs"),
    or when the last of all was one person by name ("Sam was on call. They missed the page."):
    "the dashboards … they missed the spike" is about the dashboards. "We" is the team, which a
    blameless review lets own the process's gaps ("we had no alert", "we did not test two
    writes at once"); only a lapse in so many words judges it ("we forgot the lock"). "I", the
    writer, is held to the same ("I forgot the lock")."""
    for match in PRONOUN_BLAME.finditer(own_words):
        if (match["pronoun"] or "").lower() == "they" and not _they_are_people(
            own_words, match.start(), readers, previous
        ):
            continue
        if _is_a_verdict(own_words, match.start(), match.end(), match, readers):
            return match.start(), _quoted(written, match.start(), match.end())
    return None


def _they_are_people(sentence: str, at: int, readers: _Readers, previous: str) -> bool:
    """Whether "they" (or "them") at `at` means people: the last plural before it, in this
    sentence or the one before, is two people or more, or a role that is several ("the
    engineers", "the backend team"); or, as a singular "they", the last of them all is one
    person by name or one role that did something ("Sam was on call. They missed the page.",
    "The DBA approved it. They skipped the review."), with no plural of people or things after
    them. "Sam's dashboard" names the dashboard, not Sam, and "the on-call rota" a rota.

    A "they" that explains, in the same sentence, what that one person or role did to a thing
    is not them: in "the on-call engineer didn't check the dashboard because they were slow to
    load" (or "…; they were slow to load"), "they" are the dashboards the writer has in mind.
    Only a lapse that people alone make is theirs there, as in a reason (`_blaming_reason`):
    "because they forgot"."""
    referents = [
        *((found, previous, False) for found in readers.referent.finditer(previous)),
        *((found, sentence, True) for found in readers.referent.finditer(sentence, 0, at)),
    ]
    if referents:
        last, text, same_sentence = referents[-1]
        explains_a_thing = (
            same_sentence
            and EXPLANATION_OPENING.search(sentence, 0, at)
            and THING_NAMED.search(sentence, last.end(), at)
        )
        if (
            last["people"]
            and _one_someone(last["people"].strip(), text[last.end() :], readers)
            and (not explains_a_thing or THEY_LAPSE.match(sentence, at))
        ):
            return True
    plural = [
        found
        for found, _, _ in referents
        if found["things"]
        or re.search(r",|\band\b|&", found["people"])
        or COLLECTIVE_ROLE.search(found["people"].strip())
    ]
    return bool(plural and plural[-1]["people"])


def _one_someone(who: str, after: str, readers: _Readers) -> bool:
    """Whether `who`, followed by the words `after`, is one person by name, or one role that
    is the subject of what follows ("the DBA approved it"), whom a singular "they" may be.
    "Sam's dashboard" is a dashboard, and "the on-call rota" (a role word before a noun) a
    rota."""
    if re.match(r"['’]s\b", after):
        return False
    if readers.one_person.fullmatch(who):
        return True
    return bool(
        ONE_ROLE_REFERENT.fullmatch(who)
        and not COLLECTIVE_ROLE.search(who)
        and SUBJECT_OF_AN_ACT.match(after)
    )


def _role_blamed(own_words: str, written: str, readers: _Readers) -> tuple[int, str] | None:
    """(where, what to say) about a sentence that blames a role ("the DBA failed to batch it"),
    or None.

    Blaming a role is blaming whoever holds it: the fix it points to is "be more careful".
    """
    for match in ROLE_BLAME.finditer(own_words):
        role = match["role"] or match["owner"]
        start = match.start("role") if match["role"] else match.start("owner")
        if not _is_a_verdict(own_words, start, match.end(), match, readers):
            continue
        return start, _role_message(written, start, match.end(), role)
    return None


def _role_message(written: str, start: int, end: int, role: str) -> str:
    sentence = _sentence_around(written, start, end)
    role = _lowered(" ".join(role.split()))
    return (
        f"“{shorten(sentence, 80)}” blames {role}; say instead what the system or process "
        f"allowed, such as “nothing prompted {role} to …” or “no review or alert caught …”"
    )


def _sentence_around(line: str, start: int, end: int) -> str:
    """The sentence (or table cell) of a line that holds `start`–`end`."""
    left = max(line.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "|"))
    ends = [found for mark in (". ", "! ", "? ", "|") if (found := line.find(mark, end)) >= 0]
    right = min(ends) + 1 if ends else len(line)
    sentence = line[left + 1 : right].strip().strip("|").strip()
    return re.sub(r"^[-*+]\s+", "", sentence)


def _lowered(role: str) -> str:
    """A role as it reads inside a sentence: "the DBA", "QA", "the on-call engineer"."""
    first, _, rest = role.partition(" ")
    return (
        f"{first.lower()} {rest}" if rest and first.lower() in ("the", "our", "an", "a") else role
    )
