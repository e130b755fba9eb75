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
  0 %" (where the step names the flag), "disable the flag";

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
FEATURE_CODE = r"`[^`\n]*(?:series|recurring)[^`\n]*`"
"""The flag by a name in code of the learner's own that names the feature: `series_bookings`."""
PRONOUN = r"\bit\b"

OFF_WORD = r"[*_`]*\boff\b[*_`]*(?![\w-])"
""""off" as a word: not "off-peak", "off-by-default" or "offset"."""
ZERO = r"0(?:\.0+)?(?:\s*(?:%|percent\b|per\s+cent\b))?(?!\.?\d)"
"""0, 0% or 0 per cent: not 0.5% nor the version 0.1.0."""
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
                rf"{SWITCH}\s+{OFF_WORD}\s+{flag}",
                # set the share of `…` to 0%; roll the flag back to false; set it to 0 %
                rf"{MOVE}\s+(?:[\w'-]+\s+){{0,3}}?{flag}\s+(?:(?:back|down)\s+)?to\s+{OFF_VALUE}",
                # the flag is off; `…` **off**; the flag is set to false; `…=false`
                rf"{flag}(?:\s+{STATE})*\s+(?:to\s+{OFF_VALUE}|{OFF_WORD}|disabled\b)",
                rf"{flag}\s*(?:=|:|->|→)\s*{OFF_VALUE}",
                rf"{FLAG}\s*=\s*{OFF_VALUE}",
                # disable the flag
                rf"\bdisabl\w*\s+{flag}",
            )
        ),
        re.IGNORECASE,
    )


_NAMED = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}")
_NAMED_OR_IT = _statements(f"{FLAG_NAME}|{FLAG_PHRASE}|{FEATURE_CODE}|{PRONOUN}")


def names_the_flag(text: str) -> bool:
    """Whether a text speaks of a flag at all: the word, or the flag's name."""
    return bool(re.search(r"(?i)\bflag\b|" + FLAG, text))


def turns_the_flag_off(step: str) -> bool:
    """Whether a step (one item of a list, one action) says to turn the flag off, unnegated.

    "It" is the flag only in a step that names the flag: "Set it to 0% (`…`)".
    """
    text = with_digits(step)
    statements = _NAMED_OR_IT if names_the_flag(text) else _NAMED
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
    flag for the beta group" all turn it on; "deploy with the flag off" and "send 5% of the
    traffic to 0.2.0" (which never names the flag) do not.
    """
    text = with_digits(step)
    reference = re.compile(
        rf"(?i){FLAG_NAME}|\bflag\b|{FEATURE_CODE}"
        + (rf"|{PRONOUN}" if names_the_flag(text) else "")
    )
    return any(
        reference.search(part)
        and not NEGATED.search(part)
        and not turns_the_flag_off(part)
        and (TURNED_ON.search(part) or any(float(share) > 0 for share in SHARE.findall(part)))
        for part in _parts(text)
    )


def flag_on_shares(step: str) -> list[float]:
    """The shares (in %) a step turns the flag on for: none unless it turns the flag on."""
    if not turns_the_flag_on(step):
        return []
    return [float(share) for share in SHARE.findall(with_digits(step))]
