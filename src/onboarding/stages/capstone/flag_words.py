"""Whether a step of a document turns the feature flag off, or on: stage 10.6's rollback plan and
10.7's runbook entry both need a real statement that the flag goes off, and 10.6's rollout one
that it goes on (`turns_the_flag_on`, at the end).

The word "off" alone is not one: "we never turn the flag off", "off-peak traffic", "check the
flag, then turn off the alert" and "the false alarms stop" all name the flag, or say "off" or
"false", without turning it off. A statement is a verb or a state that puts the flag itself
off, false or at 0%:

- "turn the flag off", "switch off `BOOKING_RECURRING_BOOKINGS`", "turn off `series_bookings`";
- "the flag is off", "`BOOKING_RECURRING_BOOKINGS` **off**", "the flag is set to false";
- "`BOOKING_RECURRING_BOOKINGS=false`", "`…=0`", "set the share of the flag to 0%", "set it to
  0 %" (where the step names the flag), "keep the flag at 0%", "disable the flag" (not "disable
  the flag alerts", which are another thing);

and no "not", "never" or "n't" before it in its part of the sentence ("Do not redeploy, turn
the flag off" turns it off; "Don't turn the flag off" does not).
"""

from __future__ import annotations

import re

from onboarding.artefacts.quantities import with_digits
from onboarding.stages.capstone.feature import FLAG

FLAG_NAME = rf"`?{FLAG}`?"
FLAG_PHRASE = (
    r"(?:(?:the|our|its|this|that)\s+)?(?:[\w`'-]+\s+){0,2}?(?:feature\s+)?"
    rf"(?:flag|toggle|kill[\s-]?switch)\b(?:\s+{FLAG_NAME})?"
)
"""The flag by its kind: "the flag", "the recurring-bookings flag", "the feature flag `…`"."""
FEATURE_WORD = r"(?:series|recurring|recurrence|weekly|repeat)"
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
OFF_VALUE = rf"[`'\"]?(?:off(?![\w-])|false\b|disabled\b|no\b|{ZERO})"
OTHER_THING = (
    r"(?:alert|alarm|dashboard|panel|page|ui|service|server|provider|system|sdk|client|cache"
    r"|check|metric|log|history|audit|notification|monitor|test|job|webhook|pipeline|owner)s?\b"
)
"""What the flag's name may qualify that is not the flag: its alerts, its dashboard."""
MODIFIED = (
    rf"(?:[`'’]s\b|\s+(?:{OTHER_THING}"
    r"|(?:rule|evaluation|definition|config|configuration|setting)s?\b))"
)
"""What follows "the flag" when it names another thing: the flag's alerts, "the flag dashboard".
Turning those off leaves the flag as it was ("Disable the flag alerts")."""
ANOTHER_THING = (
    rf"`?(?:[`'’]s)?(?:\s+(?!(?:on|off|for|to|in|at|and|or|with|of|by|from|the|a|an)\b)[\w-]+)?"
    rf"\s+{OTHER_THING}"
)
"""What follows the flag's name when it names another thing that a rollout step may turn on:
"the flag alerts", "the flag's error alert", "the `…` dashboard". Not the flag's share, rule or
config, which are the flag ("raise the flag's share to 25%"); the optional backtick is the
closing one of a name, so that `…` dashboard is not read as its name alone."""
FEATURE_PHRASE = (
    r"(?:(?:the|our|its|this|that)\s+)?(?:[\w`'-]+\s+){0,2}?"
    r"(?:feature|endpoints?|routes?|series)\b"
)
"""The feature the flag guards, by its kind: "the feature", "the series endpoints"."""
NEGATED = re.compile(r"(?i)\b(?:not|never)\b|n't\b")
SENTENCE_PART = re.compile(r"[,:;()]|\b(?:if|then|unless|otherwise)\b|\.(?:\s|$)", re.IGNORECASE)


def _statements(reference: str) -> re.Pattern[str]:
    """The ways of turning off the flag named by `reference` (a pattern)."""
    flag = f"(?:{reference})"
    return re.compile(
        "|".join(
            (
                # turn the flag off; switch the `…` flag straight off
                rf"{SWITCH}\s+{flag}\s+(?:(?:back|straight|right|immediately)\s+)?{OFF_WORD}",
                # turn off the flag; switch off `series_bookings`
                rf"{SWITCH}\s+{OFF_WORD}\s+{flag}(?!{MODIFIED})",
                # set the share of `…` to 0%; roll the flag back to false; keep it at 0 %
                rf"{MOVE}\s+(?:[\w'-]+\s+){{0,3}}?{flag}\s+(?:(?:back|down)\s+)?(?:to|at)\s+"
                rf"{OFF_VALUE}",
                # the flag is off; `…` **off**; the flag is set to false; it stays at 0%
                rf"{flag}(?:\s+{STATE})*\s+(?:(?:to|at)\s+{OFF_VALUE}|{OFF_WORD}|disabled\b)",
                rf"{flag}\s*(?:=|:|->|→)\s*{OFF_VALUE}",
                rf"{FLAG}\s*=\s*{OFF_VALUE}",
                # disable the flag
                rf"\bdisabl\w*\s+{flag}(?!{MODIFIED})",
            )
        ),
        re.IGNORECASE,
    )


_NAMED = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}")
_NAMED_OR_IT = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{PRONOUN}")
_FEATURE = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{FEATURE_PHRASE}")
_FEATURE_OR_IT = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{FEATURE_PHRASE}|{PRONOUN}")


def names_the_flag(text: str) -> bool:
    """Whether a text speaks of a flag at all: the word, or the flag's name."""
    return bool(re.search(r"(?i)\bflag\b|" + FLAG, text))


def turns_the_flag_off(step: str) -> bool:
    """Whether a step (one item of a list, one action) says to turn the flag off, unnegated.

    "It" is the flag only in a step that names the flag: "Set it to 0% (`…`)".
    """
    text = with_digits(step)
    return _says_off(text, _NAMED_OR_IT if names_the_flag(text) else _NAMED)


def turns_the_feature_off(step: str) -> bool:
    """Whether a step says the flag, or the feature it guards, goes off, unnegated: "the flag
    is off", and also "the series endpoints stay off" and "the feature is disabled". What a
    rollout step that turns the feature on for everyone must not say."""
    text = with_digits(step)
    names = names_the_flag(text) or re.search(FEATURE_PHRASE, text, re.IGNORECASE)
    return _says_off(text, _FEATURE_OR_IT if names else _FEATURE)


def _says_off(text: str, statements: re.Pattern[str]) -> bool:
    """Whether one of `statements` is in the text with no "not" or "never" before it in its
    part of the sentence."""
    for statement in statements.finditer(text):
        parts = list(SENTENCE_PART.finditer(text, 0, statement.start()))
        start = parts[-1].end() if parts else 0
        if not NEGATED.search(text, start, statement.end()):
            return True
    return False


TURNED_ON = re.compile(
    r"(?i)\b(?:on|enabl\w*|activat\w*|true|yes|live|gets?|serves?|released?|exposed?"
    r"|roll(?:ed|s)?\s*out)\b|=\s*[`'\"]?1\b"
)
"""Words for the flag serving someone: on, enabled, true, `=1`, "the beta group gets it"."""
SHARE = re.compile(r"(?i)(\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s+cent\b)")


def _parts(step: str) -> list[str]:
    return [part for part in SENTENCE_PART.split(step) if part and part.strip()]


def turns_the_flag_on(step: str) -> bool:
    """Whether a step of a rollout turns the flag on for someone: a part of it that names the
    flag (or says "it", in a step that names the flag) says on, enabled, true or `=1`, or gives
    a share above 0%, with no "not" or "never" and without turning the flag off.

    Generous on purpose: "5% of users get `…`", "the flag turns the feature on" and "enable the
    flag for the beta group" all turn it on; "deploy with the flag off", "send 5% of the
    traffic to 0.2.0" (which never names the flag) and "enable the flag alerts for 5%" (which
    names another thing of the flag's) do not.
    """
    text = with_digits(step)
    # The flag itself, not its alerts or dashboard: "enable the flag alerts for 5%" turns on
    # alerts, and leaves the series endpoints answering 404 for everyone.
    itself = f"(?!{ANOTHER_THING})"
    reference = re.compile(
        rf"(?i)(?:{FLAG_NAME}){itself}|\bflag\b{itself}|{FEATURE_CODE}{itself}"
        + (rf"|{PRONOUN}" if names_the_flag(text) else "")
    )
    return any(
        reference.search(part)
        and not NEGATED.search(part)
        and not turns_the_flag_off(part)
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
