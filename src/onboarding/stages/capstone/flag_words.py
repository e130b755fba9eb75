"""Whether a step of a document turns the feature flag off, or on: stage 10.6's rollback plan and
10.7's runbook entry both need a real statement that the flag goes off, and 10.6's rollout one
that it goes on (`turns_the_flag_on`, at the end).

The word "off" alone is not one: "we never turn the flag off", "off-peak traffic", "check the
flag, then turn off the alert" and "the false alarms stop" all name the flag, or say "off" or
"false", without turning it off. A statement is a verb or a state that puts the flag itself
off, false or at 0%:

- "turn the flag off", "switch off `BOOKING_RECURRING_BOOKINGS`", "turn off `series_bookings`",
  "flip the series toggle off", "pull the kill switch";
- "the flag is off", "`BOOKING_RECURRING_BOOKINGS` **off**", "the flag is set to false", "the
  flag's share is 0%", "`BOOKING_RECURRING_BOOKINGS` is false";
- "`BOOKING_RECURRING_BOOKINGS=false`", "`…=0`", "set the share of the flag to 0%", "set it to
  0 %" (where the step names the flag), "keep the flag at 0%", "disable the flag" (not "disable
  the flag alerts", which are another thing), "deactivate `…`", "set the flag config to false";
- an on-state that is not, or no longer, so: "the flag is not on", "the flag is no longer on",
  "`…` is not enabled any more" (not "no longer on for internal users only", which it still is
  for others);

and no "not", "never" or "n't" before it in its part of the sentence ("Do not redeploy, turn
the flag off" turns it off; "Don't turn the flag off" does not), but for its own ("not on").

What is turned off, or on, is the flag itself, not another thing the flag's name qualifies:
"turn off the flag dashboard" and "put an alert on the flag for 5%" speak of a dashboard and an
alert; "set the alert threshold of the flag to 0%" speaks of a threshold, as only the flag's
own settings ("the share of the flag") are the flag. "It" is the nearest thing "it" may be: in
"open the flag dashboard and turn it off" that is the dashboard.
"""

from __future__ import annotations

import re

from onboarding.artefacts.quantities import with_digits
from onboarding.stages.capstone.feature import FLAG

FLAG_NAME = rf"`?{FLAG}`?"
FEATURE_WORD = r"(?:series|recurring|recurrence|weekly|repeat)"
DETERMINER = r"(?:the|our|its|this|that)"
SWITCH_QUALIFIER = rf"(?:`[^`\s]+`|[\w.-]*{FEATURE_WORD}[\w.-]*|[\w.]+-bookings?\b)"
"""A word that says which switch: "the series switch", "the recurring-bookings switch", "the
`…` switch". Not "bookings" alone: in "the recurring bookings switch to 0.2.0" it is a verb."""
TOGGLE_QUALIFIER = rf"(?:{SWITCH_QUALIFIER}|bookings?\b)"


def _kind(noun: str, qualifier: str, fewest: int) -> str:
    """`noun` as the flag: after "feature" or "kill", or after `fewest` or more words that say
    which, "the" before them or not."""
    return (
        rf"(?:(?:\b{DETERMINER}\s+)?(?:[\w`'-]+\s+){{0,2}}?\b(?:feature|kill)[\s-]?"
        rf"|\b{DETERMINER}\s+(?:{qualifier}\s+){{{fewest},2}}?|(?:{qualifier}\s+){{1,2}}?)"
        rf"{noun}\b"
    )


SWITCH_KIND = rf"(?:{_kind('toggle', TOGGLE_QUALIFIER, 0)}|{_kind('switch', SWITCH_QUALIFIER, 1)})"
"""The flag as a toggle or a switch: "the toggle", "the bookings-series toggle", "the series
switch", "the feature switch", "kill switch". Both words are verbs too ("toggle off the
alerts", "let the on-call switch off the cache"), so they are the flag only after "the",
"feature", "kill" or a word of the feature, never on their own; and "the switch" alone is any
switch ("make the switch to 0.2.0 for 5%")."""
FLAG_NOUN = rf"(?:\bflag\b|{SWITCH_KIND})"
"""The flag by its kind alone: "flag", "the toggle", "the feature switch"."""
FLAG_PHRASE = (
    rf"(?:(?:(?:{DETERMINER}\s+)?(?:[\w`'-]+\s+){{0,2}}?(?:feature\s+)?flag\b|{SWITCH_KIND})"
    rf"(?:\s+{FLAG_NAME})?)"
)
"""The flag by its kind: "the flag", "the recurring-bookings flag", "the feature flag `…`",
"the series toggle"."""
FLAG_WORD = r"(?:bookings|flag|feature|toggle|enabl|switch)"
FILE_NAME = r"[\w.-]*\.(?:py|md|ya?ml|toml|json|txt|cfg|ini|sql)(?![\w.-])"
FEATURE_CODE = (
    rf"`(?=[\w.-]*{FEATURE_WORD})(?=[\w.-]*{FLAG_WORD})(?!{FILE_NAME})"
    r"[A-Za-z_][\w.-]*(?:`|(?=\s*=))"  # the whole code span, or its name before `=false`
)
"""The flag by a name in code of the learner's own: `recurring_bookings`, `series_enabled`,
`flags.recurring-bookings`, `RECURRING_BOOKINGS=false`. A name, not a path, a route or a
file, that names the feature (series, recurring, weekly) and what a flag switches (its
bookings, or the words flag, feature, toggle, enabled): the feature's other names in code, the
table `recurring_series`, the column `series_id`, `series.py` or `/series/{series_id}`, are no
flag, and "errors on `/rooms/{room_id}/series`" turns nothing on."""
PRONOUN = r"\bit\b"

OFF_WORD = r"[*_`]*\boff\b[*_`]*(?![\w-])"
""""off" as a word: not "off-peak", "off-by-default" or "offset"."""
ZERO = r"0(?:\.0+)?(?:\s*(?:%|percent\b|per\s+cent\b))?(?![.:]?\d)"
"""0, 0% or 0 per cent: not 0.5%, the version 0.1.0 nor the time 0:00."""
SWITCH = (
    r"\b(?:(?:turn|switch|flip|toggl|shut|dial|kill)\w*"
    r"|set|sets|setting|put|puts|putting|keep|keeps|keeping|leave|leaves|leaving)"
)
MOVE = rf"(?:{SWITCH}|\b(?:drop|bring|roll|chang|mov|lower|reduc|scal)\w*)"
STATE = (
    r"(?:is|are|be|been|being|stays?|remains?|goes|go|gets?|got|now|back|straight|immediately"
    r"|turned|switched|flipped|toggled|set|put|dialled|dialed|rolled|down)"
)
COMPARATIVE = r"\s+(?:longer|more|less|fewer|\w+er\s+than)\b"
OFF_VALUE = (
    rf"[`'\"]?(?:(?:off|false|disabled|deactivated)(?![\w-])|no(?![\w-])(?!{COMPARATIVE})|{ZERO})"
)
"""Off, false or 0%, as words ("false", not "false-positive"); "no" too (`…=no`), but not
"no-op" nor "no" before a comparative, an adverb: "keep the flag at no more than 5%", "the flag
is no longer 0%" ("no longer on" is off by what is no longer so, `NO_LONGER_ON`)."""
BARE_OFF_VALUE = (
    rf"[`'\"]?(?:false|{ZERO})[`'\"]?"
    r"(?=\s*(?:$|[.,;:()!`]|(?:in|on|for|at|now|everywhere|again|immediately|first|and|then"
    r"|via|with|across)\b))"
)
"""False or 0% straight after the flag, as "set `…` false" or `flagctl set … 0` puts it: the
value ends the phrase, so that "keep `…` false alarms muted" speaks of alarms."""
COPULA = r"(?:is|are|be|been|being|stays?|remains?|becomes?)"
"""A verb after which the flag's state itself follows: "the flag is 0%", "… is false"."""
ON_VALUE = r"[*_`'\"]*\b(?:on|true|enabled|activated|active|live|yes|1)[*_`'\"]*(?![\w-])"
"""The flag's on-state, as words: on, true, enabled, live."""
ANY_MORE = r"\s+any\s?more\b"
NO_LONGER_ON = (
    r"(?:\s+no\s+longer|(?P<own_negation>\s+not|n['’]t))"
    rf"(?:\s+{STATE})*\s+{ON_VALUE}(?:\s+for\s+any(?:one|body)\b)?(?:{ANY_MORE})?"
    rf"(?!\s+(?:for|at|to|only|just|than)\b|{ANY_MORE}\s+than\b)"
)
"""An on-state that is not, or no longer, so, which is the flag off: "not on", "no longer on",
"not enabled any more", "isn't true". Its "not" is the statement's own, not a negation of it.
Not when the flag is not on for some only ("no longer on for internal users only", "not on at
5%"), nor "not on any more than 5%", a share; "not only on staging" is no on-state at all."""
SWITCHED_THINGS = (
    r"alert|alarm|dashboard|panel|page|ui|service|server|provider|system|sdk|client|cache"
    r"|check|metric|log|notification|monitor|test|job|webhook|pipeline|sampling"
)
OTHER_THING = rf"(?:{SWITCHED_THINGS}|history|audit|owner|threshold|limit|budget|timeout|quota)s?\b"
"""What the flag's name may qualify that is not the flag: its alerts, its dashboard."""
ONE_SWITCHED_THING = rf"(?:{SWITCHED_THINGS})\b"
"""One of those that "it" may be: "the flag dashboard … turn it off". Not "the flag alerts",
nor its owner or its history, which nobody turns on or off."""
MODIFIED = (
    rf"(?:[`'’]s\b|\s+(?:{OTHER_THING}"
    r"|(?:rule|evaluation|definition|config|configuration|setting)s?\b))"
)
"""What follows "the flag" when it names another thing: the flag's alerts, "the flag dashboard".
Turning those off leaves the flag as it was ("Disable the flag alerts")."""
FLAG_CONFIG = r"(?:[`'’]s)?\s+(?:config|configuration|settings?)\b"
"""The flag's config or settings, which are the flag, as in "set the flag config to false": to
disable them is to disable the flag ("disable the flag's config"), but not their alerts ("disable
the flag config alerts": what follows is checked as it is after the flag)."""


def _after_the_flag(thing: str) -> str:
    return (
        r"`?(?:[`'’]s)?(?:\s+(?!(?:on|off|for|to|in|at|and|or|with|of|by|from|the|a|an)\b)"
        rf"[\w-]+)?\s+{thing}"
    )


ANOTHER_THING = _after_the_flag(OTHER_THING)
"""What follows the flag's name when it names another thing that a rollout step may turn on:
"the flag alerts", "the flag's error alert", "the `…` dashboard". Not the flag's share, rule or
config, which are the flag ("raise the flag's share to 25%"); the optional backtick is the
closing one of a name, so that `…` dashboard is not read as its name alone."""
FEATURE_PHRASE = (
    r"(?:(?:the|our|its|this|that)\s+)?(?:[\w`'-]+\s+){0,2}?"
    r"(?:feature|endpoints?|routes?|series)\b"
)
"""The feature the flag guards, by its kind: "the feature", "the series endpoints"."""
FLAG_SETTING = (
    r"(?:share|rollout|percentage|traffic|exposure|audience|rule|value|state|setting|config"
    r"|configuration)s?\b"
)
"""What of the flag's is the flag at 0% or false: its share, its rollout percentage, its value,
its config ("set the flag config to false")."""
KILL = r"\b(?:pull|hit|flip|throw|trip|press)\w*"
"""What is done to a kill switch to kill the feature: "pull the kill switch"."""
NEGATED = re.compile(r"(?i)\bnot\b(?!\s+only\b)|\bnever\b|n't\b")
"""A "not" or "never" that negates, which the "not only … but" of "the flag is not only on
staging but on production" does not; "do not just turn the flag on" still does."""
SENTENCE_PART = re.compile(r"[,:;()]|\b(?:if|then|unless|otherwise)\b|\.(?:\s|$)", re.IGNORECASE)


def _statements(reference: str) -> re.Pattern[str]:
    """The ways of turning off the flag named by `reference` (a pattern)."""
    flag = f"(?:{reference})"
    # "the flag's share", "the flag rollout percentage": the flag, as "the share of the flag" is
    setting = rf"(?:[`'’]s)?(?:\s+{FLAG_SETTING}){{0,2}}"
    return re.compile(
        "|".join(
            (
                # turn the flag off; switch the `…` flag straight off
                rf"{SWITCH}\s+{flag}\s+(?:(?:back|straight|right|immediately)\s+)?{OFF_WORD}",
                # turn off the flag; switch off `series_bookings`; turn off the flag config
                rf"{SWITCH}\s+{OFF_WORD}\s+{flag}(?:{FLAG_CONFIG})?(?!{MODIFIED})",
                # set the share of `…` to 0%; roll the flag back to false; keep it at 0 %
                rf"{MOVE}\s+(?:[\w'-]+\s+){{0,3}}?{flag}{setting}\s+(?:(?:back|down)\s+)?(?:to|at)"
                rf"\s+{OFF_VALUE}",
                # set `…` false; `flagctl set … 0`: the value with no "to", ending the phrase
                rf"{SWITCH}\s+(?:[\w'-]+\s+){{0,3}}?{flag}{setting}\s+{BARE_OFF_VALUE}",
                # the flag is off; `…` **off**; the flag is set to false; it stays at 0%
                rf"{flag}{setting}(?:\s+{STATE})*\s+(?:(?:to|at)\s+{OFF_VALUE}|{OFF_WORD}"
                r"|(?:disabled|deactivated)(?![\w-]))",
                # the flag is no longer on; `…` is not enabled any more
                rf"{flag}{setting}(?:\s+{STATE})*?{NO_LONGER_ON}",
                # the flag is 0%; the flag's share is now 0%; `…` is false
                rf"{flag}{setting}(?:\s+{STATE})*?\s+{COPULA}(?:\s+{STATE})*\s+{OFF_VALUE}",
                rf"{flag}\s*(?:=|:|->|→)\s*{OFF_VALUE}",
                rf"{FLAG}\s*=\s*{OFF_VALUE}",
                # disable the flag; deactivate `…`; disable the flag's config
                rf"\b(?:disabl|deactivat)\w*\s+{flag}(?:{FLAG_CONFIG})?(?!{MODIFIED})",
                # pull the kill switch: what it kills is the feature
                rf"{KILL}\s+{DETERMINER}\s+(?:[\w`'-]+\s+){{0,2}}?kill[\s-]?switch\b"
                rf"(?!{MODIFIED}|\s+(?:on|off)\b)",
            )
        ),
        re.IGNORECASE,
    )


_NAMED = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}")
_NAMED_OR_IT = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{PRONOUN}")
_FEATURE = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{FEATURE_PHRASE}")
_FEATURE_OR_IT = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{FEATURE_PHRASE}|{PRONOUN}")


def names_the_flag(text: str) -> bool:
    """Whether a text speaks of a flag at all: the word, a toggle or switch, or the flag's name."""
    return bool(re.search(rf"(?i){FLAG_NOUN}|{FLAG}", text))


OF_THE_FLAG = rf"\s+(?:on|for|of|about|from|around)\s+(?:{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE})"
THING_OF_THE_FLAG = re.compile(rf"(?i)\b({OTHER_THING}){OF_THE_FLAG}")
"""Another thing that names the flag after it: "an alert on the flag", "the dashboard for
`…`". What such a step turns on or off is the alert or the dashboard."""
NO_HEAD = r"(?:(?:per)?cent|all|each|both|any|some|none|most|half)\b"
"""Words before "of the flag" that are a part or a share of it, not another thing: "each of
the flag's shares", "5 per cent of the flag"."""
HEAD_OF_THE_FLAG = re.compile(
    rf"(?i)(?P<head>(?:\b(?:{DETERMINER}|a|an|each|every|any)\s+|{MOVE}\s+|^\W*)"
    # No head where every word of the noun is a setting of the flag's ("the rollout share"),
    # but its last word alone is not enough: "the alert rule of the flag" is the alert's.
    rf"(?!(?:{FLAG_SETTING}\s+){{1,3}}of\s)"
    rf"(?:(?!(?:{DETERMINER}|{MOVE})\b)[\w-]+\s+){{0,2}}?(?!{NO_HEAD})[\w-]+)"
    rf"\s+of\s+(?:{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{FEATURE_PHRASE}"
    r"(?:\s+(?:endpoints?|routes?)\b)?)"  # the whole of "the series endpoints"
)
"""Any thing "of the flag" but the flag's own settings: "the alert threshold of the flag", "the
error rate of the series endpoints", "the alert config of the flag". A noun, after "the", "a" or
the verb ("set alert threshold of the flag"), so that "instead of the flag" or "ahead of the
flag" keep the flag."""
FLAG_AS_A_WORD = rf"(?:{FLAG_NAME}|{FLAG_NOUN}|{FEATURE_CODE})"
FLAG_ITSELF = rf"{FLAG_AS_A_WORD}(?!{ANOTHER_THING})"
"""The flag, by its name or its kind, and not as the first word of another thing's name ("the
flag dashboard", "`…`'s alerts")."""
WHAT_IT_MAY_BE = re.compile(
    rf"(?i)(?P<thing>{FLAG_AS_A_WORD}{_after_the_flag(ONE_SWITCHED_THING)}"
    rf"|\b{ONE_SWITCHED_THING}{OF_THE_FLAG})|{FLAG_AS_A_WORD}"
)
"""What "it" may be: one thing of the flag's that is turned on or off ("the flag dashboard",
"an alert on the flag"), or else the flag ("the flag", "the flag alerts", "the flag owner")."""


def _things_of_the_flag_as_things(text: str) -> str:
    """The text with "an alert on the flag" as "an alert" and "the alert threshold of the flag"
    as "the alert threshold": the head noun is the alert, or the threshold. "The share of the
    flag" stays: a share, a rollout or a value of the flag's is the flag at that share."""
    return HEAD_OF_THE_FLAG.sub(r"\g<head>", THING_OF_THE_FLAG.sub(r"\1", text))


def it_is_the_flag(text: str) -> bool:
    """Whether "it" in a step is the flag: what "it" may be, nearest before it ("Set the
    flag's share, then turn it off"), or else first after it ("Set it to 0% (`…`)").

    In "Open the flag dashboard and turn it off", "it" may as well be the dashboard: a step
    that may only close a dashboard turns nothing off. "It" is one thing, so in "Set up the
    flag's alerts, then turn it on" it is the flag, and a person is not turned off: "Page the
    flag owner and turn it off"."""
    it = re.search(PRONOUN, text, re.IGNORECASE)
    if it is None:
        return False
    before = list(WHAT_IT_MAY_BE.finditer(text, 0, it.start()))
    nearest = before[-1] if before else WHAT_IT_MAY_BE.search(text, it.end())
    return nearest is not None and nearest["thing"] is None


def turns_the_flag_off(step: str) -> bool:
    """Whether a step (one item of a list, one action) says to turn the flag off, unnegated.

    "It" is the flag only in a step that names the flag itself: "Set it to 0% (`…`)", not
    "Open the flag dashboard and turn it off".
    """
    text = with_digits(step)
    statements = _NAMED_OR_IT if it_is_the_flag(text) else _NAMED
    return _says_off(_things_of_the_flag_as_things(text), statements)


def turns_the_feature_off(step: str) -> bool:
    """Whether a step says the flag, or the feature it guards, goes off, unnegated: "the flag
    is off", and also "the series endpoints stay off" and "the feature is disabled". What a
    rollout step that turns the feature on for everyone must not say."""
    text = with_digits(step)
    names = it_is_the_flag(text) or re.search(FEATURE_PHRASE, text, re.IGNORECASE)
    return _says_off(_things_of_the_flag_as_things(text), _FEATURE_OR_IT if names else _FEATURE)


def _says_off(text: str, statements: re.Pattern[str]) -> bool:
    """Whether one of `statements` is in the text with no "not" or "never" before it in its
    part of the sentence, but for the statement's own ("the flag is not on any more")."""
    for statement in statements.finditer(text):
        parts = list(SENTENCE_PART.finditer(text, 0, statement.start()))
        start = parts[-1].end() if parts else 0
        own_start, own_end = statement.span("own_negation")
        if own_start < 0:
            own_start = own_end = statement.end()
        if not (
            NEGATED.search(text, start, own_start) or NEGATED.search(text, own_end, statement.end())
        ):
            return True
    return False


TURNED_ON = re.compile(
    r"(?i)\b(?:on|enabl\w*|activat\w*|true|yes|live|gets?|serves?|released?|exposed?"
    r"|roll(?:ed|s)?\s*out)\b|=\s*[`'\"]?1\b"
    # An off-state that is no longer so: "the flag is no longer off", "… no longer at 0%".
    r"|\bno\s+longer\s+(?:(?:off|false|disabled|deactivated)\b|(?:at\s+)?0\s?%)"
)
"""Words for the flag serving someone: on, enabled, true, `=1`, "the beta group gets it", "no
longer off"."""
SHARE = re.compile(r"(?i)(\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s+cent\b)")


def _parts(step: str) -> list[str]:
    return [part for part in SENTENCE_PART.split(step) if part and part.strip()]


def turns_the_flag_on(step: str) -> bool:
    """Whether a step of a rollout turns the flag on for someone: a part of it that names the
    flag (or says "it", in a step that names the flag) says on, enabled, true or `=1`, or gives
    a share above 0%, with no "not" or "never" and without turning the flag off.

    Generous on purpose: "5% of users get `…`", "the flag turns the feature on" and "enable the
    flag for the beta group" all turn it on; "deploy with the flag off", "send 5% of the
    traffic to 0.2.0" (which never names the flag), "enable the flag alerts for 5%" and "put an
    alert on the flag for 5%" (which name another thing of the flag's) do not.
    """
    # The flag itself, not its alerts or dashboard: "enable the flag alerts for 5%" and "put
    # an alert on the flag for 5%" turn on alerts, and leave the series endpoints answering
    # 404 for everyone.
    text = with_digits(step)
    it_is_flag = it_is_the_flag(text)
    reference = re.compile(rf"(?i){FLAG_ITSELF}" + (rf"|{PRONOUN}" if it_is_flag else ""))
    # "It" is what it is in the whole step: in "Check it is no longer on (`…`)" the part
    # before the brackets turns the flag off.
    off_statements = _NAMED_OR_IT if it_is_flag else _NAMED
    text = _things_of_the_flag_as_things(text)
    return any(
        reference.search(part)
        and not NEGATED.search(part)
        and not _says_off(_things_of_the_flag_as_things(part), off_statements)
        and (TURNED_ON.search(part) or any(share > 0 for share in _audiences(part, text)))
        for part in _parts(text)
    )


HEALTH = re.compile(r"(?i)\b(?:errors?|fail\w*|5xx|latency|p9\d)\b")
LIMIT_BEFORE = re.compile(
    r"(?i)(?:\b(?:under|below|above|over|exceed\w*|(?:more|less|fewer|higher|lower)\s+than)"
    r"|[<>≤≥])\s*$"
)


def _audiences(part: str, step: str) -> list[float]:
    """The shares in a part of a step that say whom the flag serves. In a step that speaks of
    errors or latency, a share after "under", "exceeds" or ">" is their limit ("watch the
    flag's error rate: it must stay under 5%"), not an audience; elsewhere ("under 5% of users
    get the flag") it is one."""
    health = HEALTH.search(step)
    return [
        float(share[1])
        for share in SHARE.finditer(part)
        if not (health and LIMIT_BEFORE.search(part, 0, share.start()))
    ]


def audience_shares(step: str) -> list[float]:
    """The shares (in %) a step gives, but for the limits of its errors or latency: "25%, then
    50%" gives both; "100%; roll back if errors exceed 1%" gives 100."""
    text = with_digits(step)
    return [share for part in _parts(text) for share in _audiences(part, text)]


def flag_on_shares(step: str) -> list[float]:
    """The shares (in %) a step turns the flag on for: none unless it turns the flag on."""
    return audience_shares(step) if turns_the_flag_on(step) else []
