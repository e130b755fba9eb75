"""The planted bugs of stages 04 and 05: each really is its bug, through the service's seam.

A planted bug turns the correct `Rules` into buggy ones, and the service enforces what its
factory is given (`create_app(settings, rules=...)`): nothing is patched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from bookings import rules as reference
from bookings.errors import CapacityExceeded, InvalidTimeRange, OverlapConflict
from bookings.models import Booking
from onboarding import planted, project
from onboarding.checks import CheckFailed
from onboarding.stages.implementation import judging
from onboarding.stages.implementation.lesson import fresh_client
from onboarding.stages.implementation.planted_bugs import (
    ACCEPTS_EVERYTHING,
    BUGS,
)
from onboarding.stages.implementation.planted_bugs import (
    planted as bug_named,
)
from onboarding.stages.testing import planted_bugs as stage_05

NINE = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
KEYS = [bug.key for bug in BUGS]


def stored(start=NINE, end=NINE + HOUR, *, room_id=1, cancelled=False, booking_id=1) -> Booking:
    return Booking(
        id=booking_id,
        room_id=room_id,
        organiser="amara@example.com",
        start=start,
        end=end,
        attendees=2,
        cancelled=cancelled,
    )


@dataclass(frozen=True)
class PlainBooking:
    """A learner's own stand-in for a stored booking: the rules read only these attributes."""

    id: int
    room_id: int
    start: datetime
    end: datetime
    cancelled: bool


def namespace(start=NINE, end=NINE + HOUR, *, room_id=1, cancelled=False, booking_id=1):
    return SimpleNamespace(
        id=booking_id, room_id=room_id, start=start, end=end, cancelled=cancelled
    )


def mocked(start=NINE, end=NINE + HOUR, *, room_id=1, cancelled=False, booking_id=1):
    # spec=Booking: every attribute of a Booking answers, model_copy() too (with a new Mock).
    return mock.Mock(
        spec=Booking, id=booking_id, room_id=room_id, start=start, end=end, cancelled=cancelled
    )


def plain(start=NINE, end=NINE + HOUR, *, room_id=1, cancelled=False, booking_id=1):
    return PlainBooking(booking_id, room_id, start, end, cancelled)


BOOKING_KINDS = [
    pytest.param(stored, id="Booking"),
    pytest.param(namespace, id="SimpleNamespace"),
    pytest.param(mocked, id="Mock"),
    pytest.param(plain, id="dataclass"),
]
"""The ways a unit test may hand `existing` its bookings: a planted bug must show (and change
nothing else) whichever the test uses, since the correct rules only read attributes."""


def raises(action) -> bool:
    try:
        action()
    except (InvalidTimeRange, CapacityExceeded, OverlapConflict):
        return True
    return False


def test_there_are_seven_distinct_bugs_told_in_words_with_hints():
    assert len(BUGS) == 7 and len(set(KEYS)) == 7
    assert len({bug.bug for bug in BUGS}) == 7
    for bug in BUGS:
        assert bug.hint[0].isupper() and bug.hint.endswith(".")
        # Feedback is in words: no code, no function names of the bug.
        assert "_" not in bug.bug and "(" not in bug.bug


def test_an_unknown_bug_lists_the_known_ones():
    with pytest.raises(KeyError, match="back-to-back-refused"):
        bug_named("no-such-bug")


WITNESSES = {
    "zero-length-accepted": lambda r, stored=stored: (
        not raises(lambda: r.check_time_range(NINE, NINE))
    ),
    "full-room-refused": lambda r, stored=stored: raises(lambda: r.check_capacity(6, 6)),
    "one-too-many-accepted": lambda r, stored=stored: not raises(lambda: r.check_capacity(7, 6)),
    "back-to-back-refused": lambda r, stored=stored: (
        r.overlaps(NINE, NINE + HOUR, NINE + HOUR, NINE + 2 * HOUR)
        and raises(lambda: r.check_no_overlap([stored()], 1, NINE + HOUR, NINE + 2 * HOUR))
    ),
    "earlier-start-missed": lambda r, stored=stored: (
        not r.overlaps(NINE - HOUR / 2, NINE + HOUR / 2, NINE, NINE + HOUR)
        and not raises(lambda: r.check_no_overlap([stored()], 1, NINE - HOUR / 2, NINE + HOUR / 2))
    ),
    "cancelled-blocks": lambda r, stored=stored: raises(
        lambda: r.check_no_overlap([stored(cancelled=True)], 1, NINE, NINE + HOUR)
    ),
    "other-room-blocks": lambda r, stored=stored: raises(
        lambda: r.check_no_overlap([stored(room_id=2)], 1, NINE, NINE + HOUR)
    ),
}


def test_every_bug_has_a_witness():
    assert set(WITNESSES) == set(KEYS)


@pytest.mark.parametrize("booking", BOOKING_KINDS)
@pytest.mark.parametrize("key", KEYS)
def test_the_witness_shows_the_bug_in_the_planted_rules_only(key, booking):
    """An input on which the planted rules and the correct ones disagree."""
    buggy = planted.plant(bug_named(key).plant, reference.RULES)
    assert WITNESSES[key](buggy, booking)
    assert not WITNESSES[key](reference.RULES, booking)


@pytest.mark.parametrize("booking", BOOKING_KINDS)
@pytest.mark.parametrize("key", KEYS)
def test_a_planted_bug_changes_nothing_else(key, booking):
    """Away from its boundary each bug answers as the correct rules do."""
    buggy = planted.plant(bug_named(key).plant, reference.RULES)
    buggy.check_time_range(NINE, NINE + HOUR)
    buggy.check_capacity(2, 6)
    assert buggy.overlaps(NINE + HOUR / 4, NINE + HOUR / 2, NINE, NINE + HOUR)
    assert not buggy.overlaps(NINE, NINE + HOUR, NINE + 3 * HOUR, NINE + 4 * HOUR)
    with pytest.raises(OverlapConflict) as caught:
        buggy.check_no_overlap([booking(booking_id=7)], 1, NINE + HOUR / 4, NINE + HOUR / 2)
    assert caught.value.extensions == {"conflicting_booking_id": 7}
    # A cancelled booking, or one of another room, is in nobody's way (but where the bug is).
    if key != "cancelled-blocks":
        buggy.check_no_overlap([booking(cancelled=True)], 1, NINE, NINE + HOUR)
    if key != "other-room-blocks":
        buggy.check_no_overlap([booking(room_id=2)], 1, NINE, NINE + HOUR)


@pytest.mark.parametrize("rules", [reference.RULES, *KEYS], ids=["correct", *KEYS])
def test_the_rules_take_their_arguments_by_the_exercises_names(rules):
    """A learner's test may name every argument as stage 04's exercise spells them, and 04.4 runs
    it against this service's correct rules and against each planted bug alike."""
    rules_under_test = (
        rules
        if rules is reference.RULES
        else planted.plant(bug_named(rules).plant, reference.RULES)
    )
    assert rules_under_test.overlaps(
        a_start=NINE, a_end=NINE + HOUR, b_start=NINE, b_end=NINE + HOUR
    )
    rules_under_test.check_time_range(start=NINE, end=NINE + HOUR)
    rules_under_test.check_capacity(attendees=2, capacity=6)
    with pytest.raises(OverlapConflict):
        rules_under_test.check_no_overlap(
            existing=[stored()], room_id=1, start=NINE, end=NINE + HOUR
        )


@pytest.mark.parametrize("key", KEYS)
def test_a_planted_bug_reads_existing_once(key):
    """`existing` may be any iterable, as for the correct rules: a generator is read only once,
    so a bug that walked it twice would see nothing the second time, and fail for that."""
    buggy = planted.plant(bug_named(key).plant, reference.RULES)
    with pytest.raises(OverlapConflict):
        buggy.check_no_overlap(iter([stored()]), 1, NINE + HOUR / 4, NINE + HOUR / 2)


def test_a_bug_goes_into_the_service_through_its_factory():
    """The seam: the same request, the service with the correct rules and with a planted bug."""
    body = {"organiser": "a@example.com", "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T10:00:00Z", "attendees": 6}  # fmt: skip
    answers = {}
    for name, rules in (
        ("correct", None),
        ("planted", planted.plant(bug_named("full-room-refused").plant, reference.RULES)),
    ):
        with fresh_client(rules=rules) as client:
            room = client.post("/rooms", json={"name": "Oak", "capacity": 6}).json()
            answers[name] = client.post(f"/rooms/{room['id']}/bookings", json=body).status_code
    assert answers == {"correct": 201, "planted": 422}


def test_accepting_everything_refuses_nothing():
    everything = planted.plant(ACCEPTS_EVERYTHING.plant, reference.RULES)
    everything.check_time_range(NINE, NINE - HOUR)
    everything.check_capacity(100, 6)
    everything.check_no_overlap([stored()], 1, NINE, NINE + HOUR)
    assert not everything.overlaps(NINE, NINE + HOUR, NINE, NINE + HOUR)


def test_stage_05_bugs_change_what_their_words_say():
    ignores = planted.plant(stage_05.OVERLAP_BUG.plant, reference.RULES)
    ignores.check_no_overlap([stored()], 1, NINE, NINE + HOUR)  # sees nothing in the way
    failing = planted.plant(stage_05.SERVER_ERROR.plant, reference.RULES)
    with pytest.raises(RuntimeError):
        failing.check_capacity(2, 6)
    slow = planted.plant(stage_05.SLOW_BOOKING.plant, reference.RULES)
    started = time.monotonic()
    slow.check_no_overlap([], 1, NINE, NINE + HOUR)
    assert time.monotonic() - started >= stage_05.SLOW_DELAY_SECONDS


@pytest.mark.parametrize("spec", ["", "no-colon", ":function", "module:"])
def test_a_malformed_bug_name_is_refused(spec):
    if spec == "":
        assert planted.planted_rules(reference.RULES, {}) is reference.RULES
        return
    with pytest.raises(ValueError, match="module:function"):
        planted.plant(spec, reference.RULES)


def test_the_bug_to_plant_comes_from_the_environment():
    bug = bug_named("cancelled-blocks")
    assert planted.planted_rules(reference.RULES, {}) is reference.RULES
    buggy = planted.planted_rules(reference.RULES, bug.env)
    assert WITNESSES["cancelled-blocks"](buggy)


# --- The copies the checks run ---------------------------------------------------------------


@pytest.fixture
def learners(tmp_path) -> Path:
    """A learner's stage 04 project with their own (wrong) rules and an extra file of theirs."""
    folder = tmp_path / "learner"
    project.write_files(folder, project.reference("04"))
    rules = folder / "src" / "booking_service" / "rules.py"
    rules.write_text(
        rules.read_text().replace("if attendees > capacity:", "if attendees >= capacity:")
    )
    (folder / "notes.md").write_text("mine\n")
    return folder


def test_a_copy_with_the_course_s_service_keeps_the_learner_s_other_files(learners, tmp_path):
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    service = copy / "src" / "booking_service"
    assert (copy / "notes.md").read_text() == "mine\n"
    assert (copy / "tests" / "test_rules.py").read_text() == (
        learners / "tests" / "test_rules.py"
    ).read_text()
    assert "attendees > capacity" in (service / "_unplanted_rules.py").read_text()
    assert (service / "rules.py").read_text() == planted.RULES_SHIM
    # The learner's own project is as it was.
    assert (
        "attendees >= capacity" in (learners / "src" / "booking_service" / "rules.py").read_text()
    )


def test_a_copy_can_keep_the_learner_s_rules_in_the_course_s_service(learners, tmp_path):
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=True, plantable=False
    )
    assert "attendees >= capacity" in (copy / "src" / "booking_service" / "rules.py").read_text()


def test_planting_in_the_learner_s_own_service_goes_through_their_rules(learners, tmp_path):
    """Stage 05: their service, their rules behind the shim; the planted tests see the bug."""
    copy = planted.write_copy(
        learners, tmp_path / "copy", "05", course_service=False, learners_rules=True, plantable=True
    )
    (copy / "tests" / "test_seam.py").write_text(
        "from booking_service.rules import RULES, check_capacity\n\n"
        "def test_full_room():\n"
        "    check_capacity(5, 6)\n"
    )
    sessions = [
        judging.session("as written", copy, "tests/test_seam.py"),
        judging.session("planted", copy, "tests/test_seam.py", bug=stage_05.SERVER_ERROR),
    ]
    results = judging.run_sessions(sessions)
    assert results["as written"].counts() == "1 passed"
    assert results["planted"].counts() == "1 failed"


def test_the_course_s_service_takes_the_learner_s_own_additions_along(learners, tmp_path):
    """Their modules the course lacks come along (never in place of one of the course's), and
    their rules.py sits beside the shim for the names only it has."""
    service = learners / "src" / "booking_service"
    (service / "testing.py").write_text("FIXTURE = 'mine'\n")
    (service / "data").mkdir()
    (service / "data" / "rooms.json").write_bytes(b"[]")
    (service / "rules").mkdir()  # would be imported instead of the course's rules.py
    (service / "rules" / "__init__.py").write_text("raise RuntimeError('not the course rules')\n")
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    copied = copy / "src" / "booking_service"
    assert (copied / "testing.py").read_text() == "FIXTURE = 'mine'\n"
    assert (copied / "data" / "rooms.json").read_bytes() == b"[]"
    assert not (copied / "rules").exists()
    assert "attendees >= capacity" in (copied / f"{planted.LEARNERS_RULES}.py").read_text()
    assert "attendees > capacity" in (copied / f"{planted.UNPLANTED_RULES}.py").read_text()
    assert (copied / "main.py").read_text() == project.reference("04")[
        "src/booking_service/main.py"
    ]


OWN_HELPERS = """
from .their_own import in_room


def is_live(booking, room_id):
    return in_room(booking, room_id) and not booking.cancelled


def fits(attendees, capacity):
    check_capacity(attendees, capacity)
    return True
"""


def test_the_learner_s_helpers_call_the_rules_of_the_run(learners, tmp_path):
    """Their own helper that calls a rule reaches the course's rules, and the bug planted in
    them; a name neither rules.py has is still an import error."""
    rules = learners / "src" / "booking_service" / "rules.py"
    rules.write_text(rules.read_text() + OWN_HELPERS)
    (rules.parent / "their_own.py").write_text(
        "def in_room(booking, room_id):\n    return booking.room_id == room_id\n"
    )
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "from types import SimpleNamespace\n\n"
        "from booking_service import rules\n"
        "from booking_service.rules import fits, is_live\n\n"
        "def test_a_full_room_fits():\n"
        "    assert fits(6, 6)\n\n"
        "def test_a_cancelled_booking_is_not_live():\n"
        "    assert not is_live(SimpleNamespace(room_id=1, cancelled=True), 1)\n\n"
        "def test_an_unknown_name_is_still_unknown():\n"
        "    import pytest\n\n"
        "    with pytest.raises(ImportError, match='no_such_helper'):\n"
        "        from booking_service.rules import no_such_helper  # noqa: F401\n"
        "    assert not hasattr(rules, '__wrapped__')\n"
    )
    bug = bug_named("full-room-refused")
    results = judging.run_sessions(
        [
            judging.session("correct", copy, "tests/test_helpers.py"),
            judging.session(bug.key, copy, "tests/test_helpers.py", bug=bug),
        ]
    )
    # Their own check_capacity refuses a full room; the course's does only with the bug.
    assert results["correct"].counts() == "3 passed"
    assert results[bug.key].counts() == "1 failed, 2 passed"


def test_a_helper_of_rules_that_do_not_load_beside_the_course_s_service_says_why(
    learners, tmp_path
):
    rules = learners / "src" / "booking_service" / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom .nowhere import span\n" + OWN_HELPERS)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "from booking_service.rules import is_live\n\ndef test_it():\n    assert is_live\n"
    )
    run = judging.run_sessions([judging.session("run", copy, "tests/test_helpers.py")])["run"]
    with pytest.raises(CheckFailed) as caught:
        judging.require_collected(run, "tests/test_helpers.py")
    assert "src/booking_service/rules.py" in str(caught.value)
    assert "No module named 'booking_service.nowhere'" in str(caught.value)
    assert planted.LEARNERS_RULES not in str(caught.value)


MODELS_HELPER = '''

def make_booking(attendees=2, capacity=6, **fields):
    """A stored booking for tests, checked against its room as the service would."""
    from datetime import UTC, datetime

    from .rules import check_capacity

    check_capacity(attendees, capacity)
    values = {
        "id": 1,
        "room_id": 1,
        "organiser": "amara@example.com",
        "start": datetime(2030, 1, 7, 9, tzinfo=UTC),
        "end": datetime(2030, 1, 7, 10, tzinfo=UTC),
        "attendees": attendees,
        "cancelled": False,
    }
    return Booking(**(values | fields))
'''


def test_a_helper_in_another_module_of_the_learner_s_comes_along(learners, tmp_path):
    """A factory they added to their models.py, which the course's service has too, can be
    imported by their tests; it builds their Booking and calls the rules of the run."""
    models = learners / "src" / "booking_service" / "models.py"
    models.write_text(models.read_text() + MODELS_HELPER)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "import pytest\n\n"
        "from booking_service import models\n"
        "from booking_service.models import Booking, make_booking\n\n"
        "def test_a_full_room_is_bookable():\n"
        "    assert make_booking(6, 6).attendees == 6\n\n"
        "def test_the_factory_builds_the_course_s_booking():\n"
        "    assert type(make_booking()).__name__ == Booking.__name__\n\n"
        "def test_an_unknown_name_is_still_unknown():\n"
        "    with pytest.raises(ImportError, match='no_such_helper'):\n"
        "        from booking_service.models import no_such_helper  # noqa: F401\n"
        "    assert not hasattr(models, '__wrapped__')\n"
    )
    bug = bug_named("full-room-refused")
    results = judging.run_sessions(
        [
            judging.session("correct", copy, "tests/test_helpers.py"),
            judging.session(bug.key, copy, "tests/test_helpers.py", bug=bug),
        ]
    )
    assert results["correct"].counts() == "3 passed"
    assert results[bug.key].counts() == "1 failed, 2 passed"
    copied = copy / "src" / "booking_service"
    assert "def make_booking" in (copied / "_learners_models.py").read_text()
    # Modules they left as the course wrote them, and packages, are the course's as they are.
    reference = project.reference("04")
    assert (copied / "main.py").read_text() == reference["src/booking_service/main.py"]
    assert (copied / "__init__.py").read_text() == reference["src/booking_service/__init__.py"]


def test_a_helper_of_another_module_that_does_not_load_says_why(learners, tmp_path):
    models = learners / "src" / "booking_service" / "models.py"
    models.write_text(models.read_text() + "\nfrom .nowhere import span\n" + MODELS_HELPER)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "from booking_service.models import make_booking\n\n"
        "def test_it():\n    assert make_booking\n"
    )
    run = judging.run_sessions([judging.session("run", copy, "tests/test_helpers.py")])["run"]
    with pytest.raises(CheckFailed) as caught:
        judging.require_collected(run, "tests/test_helpers.py")
    message = str(caught.value)
    assert "make_booking is not a name of the course's models.py" in message
    assert "src/booking_service/models.py" in message
    assert "No module named 'booking_service.nowhere'" in message
    assert "conftest.py" in message
    assert planted.LEARNERS_PREFIX not in message


PACKAGE_HELPER = '''
"""The meeting-room booking service, and a helper the learner keeps in the package."""

__version__ = "0.1.0"


def make_booking(**fields):
    from .models import Booking

    values = {"id": 1, "room_id": 1, "organiser": "amara@example.com", "attendees": 2,
              "start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z", "cancelled": False}
    return Booking(**(values | fields))
'''


def test_a_helper_in_the_learner_s_package_init_comes_along(learners, tmp_path):
    """`from booking_service import make_booking` works in the course's service; a submodule
    imported from the package never loads their __init__.py, and an unknown name is unknown."""
    (learners / "src" / "booking_service" / "__init__.py").write_text(PACKAGE_HELPER)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "import sys\n\n"
        "import pytest\n\n\n"
        "def test_submodules_do_not_load_the_learner_s_package():\n"
        "    from booking_service import errors, rules  # noqa: F401\n"
        "    assert 'booking_service._learners___init__' not in sys.modules\n\n\n"
        "def test_the_package_helper_is_there():\n"
        "    from booking_service import make_booking\n\n"
        "    assert make_booking(attendees=6).attendees == 6\n\n\n"
        "def test_an_unknown_name_is_still_unknown():\n"
        "    with pytest.raises(ImportError, match='no_such_helper'):\n"
        "        from booking_service import no_such_helper  # noqa: F401\n"
    )
    run = judging.run_sessions([judging.session("run", copy, "tests/test_helpers.py")])["run"]
    assert run.counts() == "3 passed", run
    assert "def make_booking" in (copy / "src/booking_service/_learners___init__.py").read_text()


def test_a_package_init_that_does_not_load_says_why(learners, tmp_path):
    init = learners / "src" / "booking_service" / "__init__.py"
    init.write_text("from .nowhere import span\n" + PACKAGE_HELPER)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=False, plantable=True
    )
    (copy / "tests" / "test_helpers.py").write_text(
        "from booking_service import make_booking\n\ndef test_it():\n    assert make_booking\n"
    )
    run = judging.run_sessions([judging.session("run", copy, "tests/test_helpers.py")])["run"]
    with pytest.raises(CheckFailed) as caught:
        judging.require_collected(run, "tests/test_helpers.py")
    message = str(caught.value)
    assert "make_booking is not a name of the course's __init__.py" in message
    assert "src/booking_service/__init__.py" in message
    assert "No module named 'booking_service.nowhere'" in message
    assert planted.LEARNERS_PREFIX not in message


LIVE_PROPERTY = """

    @property
    def is_live(self) -> bool:
        return not self.cancelled
"""


def _models_with(learners, text: str) -> Path:
    models = learners / "src" / "booking_service" / "models.py"
    models.write_text(
        models.read_text().replace(
            "    cancelled_at: datetime | None = None\n",
            "    cancelled_at: datetime | None = None\n" + text,
            1,
        )
    )
    return models


def test_with_the_learner_s_rules_their_own_models_take_the_course_s_place(learners, tmp_path):
    """04.1: their rules were written against their models (a property of their Booking)."""
    models = _models_with(learners, LIVE_PROPERTY)
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=True, plantable=False
    )
    copied = copy / "src" / "booking_service"
    assert (copied / "models.py").read_text() == models.read_text()
    assert not (copied / "_learners_models.py").exists()
    # With the course's rules (04.4) the course's models stay, with theirs beside them.
    copy = planted.write_copy(
        learners,
        tmp_path / "other",
        "04",
        course_service=True,
        learners_rules=False,
        plantable=True,
    )
    assert "def is_live" not in (copy / "src/booking_service/models.py").read_text()
    assert "def is_live" in (copy / "src/booking_service/_learners_models.py").read_text()


def test_learner_s_models_without_a_name_the_course_imports_stay_beside_the_course_s(
    learners, tmp_path
):
    models = _models_with(learners, LIVE_PROPERTY)
    models.write_text(models.read_text().replace("class ValidationProblem(", "class Problems("))
    copy = planted.write_copy(
        learners, tmp_path / "copy", "04", course_service=True, learners_rules=True, plantable=False
    )
    copied = copy / "src" / "booking_service"
    assert "class ValidationProblem(" in (copied / "models.py").read_text()
    assert "def is_live" in (copied / "_learners_models.py").read_text()
