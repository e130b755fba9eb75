"""What the capstone's feature is, as the checks and the lesson name it: one place for its facts.

The feature's paths, flag and limits are fixed here (and in project/README.md), as the stage-02
API is fixed for the service: the hidden acceptance suite and the checks rely on them.
"""

from __future__ import annotations

SERIES_PATH = "/rooms/{room_id}/series"
SERIES_ITEM_PATH = "/series/{series_id}"
CANCEL_PATH = "/series/{series_id}/cancel"
PATHS = (SERIES_PATH, SERIES_ITEM_PATH, CANCEL_PATH)
FLAG = "BOOKING_RECURRING_BOOKINGS"
MIN_WEEKS = 2
MAX_WEEKS = 12
MODULE = "booking_service.series"
MODULE_FILE = "src/booking_service/series.py"
TEST_FILE = "tests/test_series.py"
PRD_FILE = "docs/prd-recurring-bookings.md"
EXAMPLES_FILE = "docs/acceptance_criteria_recurring.yaml"
PLAN_FILE = "docs/migrations/0003-booking-series.md"
"""The capstone revision's own plan: a team keeps one per migration, so stage 03's
`docs/db-migration-plan.md` still describes revision 0002 (and exercise 03.2 still judges it)."""
TSD_FILE = "docs/tsd.md"
CHECKLIST_FILE = "docs/deployment-checklist.md"
RUNBOOK_FILE = "docs/runbook.md"
RULES_FILE = "monitoring/alerts.yaml"
CHANGELOG_FILE = "CHANGELOG.md"
SPEC_FILE = "openapi.yaml"
BEGIN_MESSAGE = "Stage 10: the course's starting files"
"""The commit `begin("10")` makes: the project as it stood when the capstone began."""
