"""The course's numbers, kept in one place: the booking service's objectives, alerts and load.

Lessons read them in their code cells, stage checks use them as their defaults, and
`tests/test_numbers.py` holds every lesson, exercise, template and book page to them: a page
that states another SLO, window, threshold or volume fails that test. Change a number here, run
the lessons again (`onboard author run`), and the test names every sentence still to update.

The story behind them: about 300 staff book 40 meeting rooms, some 20,000 bookings a year, kept
for two years. Lobby screens read a room's bookings all day, so most requests are reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# --- The organisation and its data -----------------------------------------------------------

STAFF = 300
ROOMS = 40
BOOKINGS_PER_YEAR = 20_000
RETENTION_YEARS = 2
# The most bookings the table ever holds: two years of them. No story may count more.
MOST_STORED_BOOKINGS = BOOKINGS_PER_YEAR * RETENTION_YEARS

# --- Traffic ------------------------------------------------------------------------------------
# Requests in each 5-minute step: office hours on weekdays, nights, and weekends. Lesson 08
# builds its month from these; the SLO template's "about 200,000 requests in 30 days" is the
# same month, rounded.

STEP = timedelta(minutes=5)
OFFICE_HOURS = (7, 19)
REQUESTS_PER_STEP_IN_OFFICE_HOURS = 60
REQUESTS_PER_STEP_AT_NIGHT = 6
REQUESTS_PER_STEP_AT_WEEKENDS = 3
# The busiest moments, Monday mornings: reads and bookings together.
PEAK_REQUESTS_PER_SECOND = 2


def requests_in_step(when: datetime) -> int:
    """The requests the booking service answers in the 5-minute step starting at `when`."""
    if when.weekday() >= 5:
        return REQUESTS_PER_STEP_AT_WEEKENDS
    start, end = OFFICE_HOURS
    return (
        REQUESTS_PER_STEP_IN_OFFICE_HOURS
        if start <= when.hour < end
        else REQUESTS_PER_STEP_AT_NIGHT
    )


# --- Service level objectives -------------------------------------------------------------------

# Availability: requests answered without a server error (a status below 500), over the window.
AVAILABILITY_SLO = 0.995
SLO_WINDOW_DAYS = 30
# Latency: this share of booking requests (POST /rooms/{room_id}/bookings) within the objective.
LATENCY_SLO = 0.95
LATENCY_OBJECTIVE_MS = 300
# The histogram bucket boundary that lets Prometheus count requests within the objective.
LATENCY_BUCKET_SECONDS = LATENCY_OBJECTIVE_MS / 1000

# A month as lesson 08 draws it: 30 days from the first of a month that starts on a Friday.
MONTH_START = datetime(2030, 3, 1)


def requests_in_window(start: datetime = MONTH_START) -> int:
    """Every request of the SLO window that starts at `start`."""
    steps = SLO_WINDOW_DAYS * timedelta(days=1) // STEP
    return sum(requests_in_step(start + n * STEP) for n in range(steps))


def error_budget(requests: int, slo: float = AVAILABILITY_SLO) -> float:
    """How many of `requests` may fail within the SLO: (1 − SLO) of them."""
    return (1 - slo) * requests


# --- Burn-rate alerts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BurnRateAlert:
    """Fire when the budget burns faster than `burn_rate` over both windows."""

    severity: str
    burn_rate: float
    long_window: timedelta
    short_window: timedelta

    @property
    def budget_used(self) -> float:
        """The share of the window's budget spent by the time the long window fires."""
        return self.burn_rate * self.long_window / timedelta(days=SLO_WINDOW_DAYS)

    def error_rate_threshold(self, slo: float = AVAILABILITY_SLO) -> float:
        return self.burn_rate * (1 - slo)


BURN_RATE_ALERTS = (
    BurnRateAlert("page", 14.4, timedelta(hours=1), timedelta(minutes=5)),
    BurnRateAlert("page", 6.0, timedelta(hours=6), timedelta(minutes=30)),
    BurnRateAlert("ticket", 1.0, timedelta(days=3), timedelta(hours=6)),
)
FAST_BURN = BURN_RATE_ALERTS[0]
# A paging alert also needs this many requests in its long window: at night, one failure in ten
# requests is a 10% error rate that means nothing.
MIN_REQUESTS_TO_PAGE = 50

# --- Rollouts -----------------------------------------------------------------------------------

CANARY_STEPS_PERCENT = (5, 25, 50, 100)
# The health gate at each step compares the canary with the stable version (the baseline).
CANARY_MIN_REQUESTS = 500
CANARY_MAX_ERROR_RATE_INCREASE = 0.005  # 0.5 percentage points above the baseline's error rate
CANARY_MAX_P95_RATIO = 1.2  # a p95 latency at most 20 % above the baseline's


def canary_thresholds() -> dict[str, float]:
    """The canary gate as exercise 07.2 receives it."""
    return {
        "min_requests": CANARY_MIN_REQUESTS,
        "max_error_rate_increase": CANARY_MAX_ERROR_RATE_INCREASE,
        "max_p95_ratio": CANARY_MAX_P95_RATIO,
    }


# --- Load tests ---------------------------------------------------------------------------------
# A load test proves the SLO before release, so its thresholds are the SLO's: the latency
# objective at the 95th percentile, and no more failures than the error budget allows.

LOAD_TEST_P95_MS = LATENCY_OBJECTIVE_MS
LOAD_TEST_MAX_ERROR_RATE = round(1 - AVAILABILITY_SLO, 6)
# Ten times the peak, so the release has room to grow.
LOAD_TEST_MIN_REQUESTS_PER_SECOND = 10 * PEAK_REQUESTS_PER_SECOND
