"""Quantities in prose: numbers with units or rates, in digits or in words."""

from __future__ import annotations

import pytest

from onboarding.artefacts.quantities import is_measurable, with_digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("zero double bookings", "0 double bookings"),
        ("ten thousand bookings", "10000 bookings"),
        ("twenty-five requests", "25 requests"),
        ("a hundred rooms", "100 rooms"),
        ("one in a thousand", "1 in 1000"),
        ("three hundred staff", "300 staff"),
        ("two million requests", "2000000 requests"),
        ("half a day", "0.5 a day"),
        # "a" is the one a scale multiplies, never one more: a dozen is 12, not 13.
        ("a dozen rooms", "12 rooms"),
        ("a half", "0.5"),
        ("two and a half hours", "2.5 hours"),
        ("a thousand and one nights", "1001 nights"),
        ("one hundred and twenty", "120"),
        ("twelve-week series", "12-week series"),
        ("ninety-nine point five percent", "99.5 percent"),
        ("zero point five per cent", "0.5 per cent"),
        ("nought point five per cent", "0.5 per cent"),
        ("nought per cent", "0 per cent"),
        ("one point nought five", "1.05"),
        ("the point is", "the point is"),
        ("someone and anyone", "someone and anyone"),
        ("often", "often"),
    ],
)
def test_numbers_in_words_become_digits(text, digits):
    assert with_digits(text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "Zero double bookings per ten thousand",
        "p95 under three hundred ms",
        "about 2 requests a second at peak",
        "20,000 bookings a year",
        "0 double bookings in 10,000 bookings",
        "Half of all bookings via the calendar plugin within 3 months",
        "two thirds of the rooms booked through the API",
        "Room utilisation up by 10 percentage points",
        "Adoption: 500 weekly active users",
        "At most 5 support tickets weekly",
        "Facilities steps in at most twice a week",
        "Under 1 ‰ of bookings clash",
        # Thousands and millions as a letter: how engineers write estimates.
        "2k bookings/year",
        "1.5k req/s at peak",
        "2M requests per day",
        # A count over a stated window is a rate.
        "0 in the first 30 days",
        "zero double bookings in the first month",
        "0 double bookings over any 30-day window",
        "at most 3 incidents during each quarter",
    ],
)
def test_measurable(text):
    assert is_measurable(text)


@pytest.mark.parametrize(
    "text",
    [
        "Zero double bookings",
        "within eight weeks of launch",
        "faster than today",
        "99 problems",
        "live in 2 weeks",
        "3 of the rooms",
        "discussed in the weekly meeting",
        "the first quarter of the year",
        "twice as fast as the spreadsheet",
        "once the TSD is approved",
        # A letter after digits is a thousand only on its own: these are names, not amounts.
        "room 3K",
        "build 4km of cable",
        # A window with nothing counted in it says when, not how much.
        "Fewer double bookings over 30 days",
        "fewer clashes across 2 quarters",
        "Double bookings: 0",
        "0 by launch",
    ],
)
def test_not_measurable(text):
    assert not is_measurable(text)
