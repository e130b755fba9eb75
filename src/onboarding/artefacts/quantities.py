"""Quantities in prose: does a sentence state a number with a unit, or a rate?

A PRD's success metric, a TSD's scaling considerations, a test plan's thresholds: each must say
*how much*, in a way a dashboard can prove or disprove. "p95 under 300 ms", "99.5 %", "0 per
10,000 bookings", "5 per week", "zero double bookings per ten thousand" all do; "faster", "fewer
clashes within 8 weeks" (a date, not an amount) and "double bookings: 0" (a number with nothing
to count it against) do not. A share of a whole ("half of all bookings", "two thirds of the
rooms") counts too. Numbers may be written in digits or in words.
"""

from __future__ import annotations

import re

# A thousand or a million as a letter after the digits counts too: "2k bookings/year", "1.5M".
_NUMBER = r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?:[kKM](?!\w))?"
_UNIT = (
    r"%|‰|percentage ?points?|percent|per ?cent|ms|msec|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?"
    r"|days?|weeks?|months?|quarters?|years?|kb|mb|gb|tb|rps|rpm|qps|x|×|points?|pp"
)
_PERIOD = r"second|minute|hour|day|week|month|quarter|year|sprint|release"
MEASURABLE = re.compile(
    "|".join(
        (
            rf"{_NUMBER}\s?(?:{_UNIT})(?!\w)",  # 300 ms, 99.9 %, 3 hours, 5x
            rf"[$€£]\s?{_NUMBER}|{_NUMBER}\s?(?:usd|eur|gbp)\b",  # money
            rf"{_NUMBER}\s*(?:[^\W\d_]+[\s-]+){{0,3}}?per\s+\S+",  # 0 per 10,000 bookings
            rf"{_NUMBER}\s*(?:[^\W\d_]+[\s-]+){{0,3}}?(?:a|an|each|every)\s+(?:{_PERIOD})\b",
            rf"{_NUMBER}\s*(?:[^\W\d_]+\s*)?/\s*[^\W\d_]+",  # 50 requests/s
            rf"{_NUMBER}\s*(?:/|out of)\s*\d+",  # 4.5 out of 5
            # 1 in 1,000 requests, 0 double bookings in 10,000 bookings
            rf"{_NUMBER}\s*(?:[^\W\d_]+[\s-]+){{0,3}}?in\s+(?:a|an|every|each)?\s*{_NUMBER}",
            # 500 weekly users, 5 support tickets weekly
            rf"{_NUMBER}\s+(?:[^\W\d_]+[\s-]+){{0,3}}?(?:hourly|daily|weekly|monthly|yearly|annual)\b",
            # a frequency: at most twice a week, once per release
            rf"(?<!\w)(?:once|twice|thrice)\s+(?:a|an|each|every|per)\s+(?:{_PERIOD}|[^\W\d_]+)\b",
            # a share of a whole: half of all bookings (0.5 of all), two thirds of the rooms
            r"(?<![\w.])0?\.\d+\s+of\s+(?:all|the|our|every)\b",
            rf"{_NUMBER}\s+(?:halves|thirds?|quarters?|fifths?|tenths?)\s+of\b",
        )
    ),
    re.IGNORECASE,
)
# "within 8 weeks" says when a target is met, not how much: it does not make a metric measurable.
TIME_FRAME = re.compile(
    r"\b(?:within|after|in|by|for|from|during|over|across|throughout)\s+(?:the\s+)?"
    r"(?:first\s+|next\s+)?\d+\s*"
    r"(?:days?|weeks?|months?|quarters?|years?)\b(?:\s+(?:of|after)\s+\w+)?",
    re.IGNORECASE,
)

# A count over a stated window is a rate: "0 double bookings in the first 30 days", "zero over
# any 30-day window". It is read before TIME_FRAME takes the window away, and needs the count
# before the window: "live in 2 weeks" and "fewer clashes over 30 days" count nothing.
COUNTED_OVER_A_WINDOW = re.compile(
    rf"{_NUMBER}\s*(?:[^\W\d_]+[\s-]+){{0,3}}?(?:in|over|during|across|throughout)\s+"
    rf"(?:the\s+)?(?:(?:first|last|any|each|every)\s+)?(?:\d+[\s-]?)?(?:{_PERIOD})s?\b",
    re.IGNORECASE,
)

# "Nought" is British English's zero ("nought point five per cent").
_SMALL = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "half": 0.5,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD = "|".join(sorted((*_SMALL, *_SCALES), key=len, reverse=True))
_DIGIT = "zero|nought|one|two|three|four|five|six|seven|eight|nine"
NUMBER_WORDS = re.compile(
    rf"\b(?:a\s+)?(?:{_WORD})"
    # "twenty-five", "one hundred and twenty", "two and a half"
    rf"(?:(?:[\s-]+|\s+and\s+|\s+and\s+a\s+(?=half\b))(?:{_WORD}))*"
    rf"(?:\s+point(?:[\s-]+(?:{_DIGIT}))+)?\b",  # "ninety-nine point five"
    re.IGNORECASE,
)


def value_of_words(words: str) -> float | None:
    """'ten thousand' -> 10000, 'twenty-five' -> 25, 'a hundred' -> 100, 'half' -> 0.5,
    'a dozen' -> 12, 'two and a half' -> 2.5, 'zero point five' -> 0.5; None for other words."""
    whole, _, decimals = words.lower().partition("point")
    value = _whole_value(whole)
    if value is None or not decimals:
        return value
    digits = [_SMALL.get(token) for token in re.split(r"[\s-]+", decimals.strip())]
    if not digits or any(digit is None or digit > 9 for digit in digits):
        return None
    return value + float("0." + "".join(str(int(digit)) for digit in digits))


def _whole_value(words: str) -> float | None:
    total, current = 0.0, 0.0
    # "a" is the one of "a hundred" (a scale multiplies nothing into 1) and of "a dozen" and
    # "two and a half": never a number to add of its own.
    tokens = [token for token in re.split(r"[\s-]+", words) if token not in ("and", "a", "")]
    for token in tokens:
        if token in _SMALL:
            current += _SMALL[token]
        elif token in _SCALES:
            current = (current or 1.0) * _SCALES[token]
            if _SCALES[token] >= 1_000:
                total, current = total + current, 0.0
        else:
            return None
    value = total + current
    return value if tokens else None


def with_digits(text: str) -> str:
    """The text with numbers written in words turned into digits ("zero" -> "0")."""

    def digits(match: re.Match) -> str:
        value = value_of_words(match[0])
        if value is None:
            return match[0]
        return f"{value:g}" if value != int(value) else str(int(value))

    return NUMBER_WORDS.sub(digits, text)


def is_measurable(text: str) -> bool:
    """Whether a sentence states a number with a unit, or a rate ("300 ms", "5 per week")."""
    digits = with_digits(text)
    return bool(
        COUNTED_OVER_A_WINDOW.search(digits) or MEASURABLE.search(TIME_FRAME.sub(" ", digits))
    )
