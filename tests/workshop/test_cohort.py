"""The cohort file: what a good one gives, and a clear message with its line for every mistake."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import COURSE_ROOT
from workshop import cohort


def problems(text: str) -> list[str]:
    with pytest.raises(cohort.CohortError) as caught:
        cohort.parse(text, "cohort.yaml")
    return caught.value.problems


def test_a_good_cohort_file():
    parsed = cohort.parse(
        "workshop: March\nstarts_at: 2026-03-02T09:00:00+01:00\nstages: [00, '01', 2]\n"
        "instructors: [grace]\nlearners:\n  - ada\n  - alan\n"
    )
    assert parsed.title == "March"
    assert parsed.instructors == ("grace",) and parsed.learners == ("ada", "alan")
    assert parsed.starts_at == datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    assert parsed.starts_at.utcoffset() == timedelta(hours=1)
    assert parsed.stages == ("00", "01", "02")
    assert parsed.role_of("grace") == "instructor" and parsed.role_of("ada") == "learner"
    assert parsed.role_of("mallory") is None


def test_the_example_cohort_file_is_valid():
    example = cohort.load(COURSE_ROOT / "workshop" / "cohort.example.yaml")
    assert example.instructors and example.learners


def test_a_user_named_twice_in_one_list():
    assert problems("instructors: [grace]\nlearners:\n  - ada\n  - alan\n  - ada\n") == [
        "line 5: `ada` is listed twice: already on line 3; a person is either a learner or an "
        "instructor, once"
    ]


def test_a_user_who_is_both_learner_and_instructor():
    (message,) = problems("instructors: [grace]\nlearners: [ada, grace]\n")
    assert message.startswith(
        "line 2: `grace` is listed twice: already on line 1 (under `instructors:`)"
    )


def test_not_yaml_says_where():
    (message,) = problems("instructors: [grace\nlearners: [ada]\n")
    assert message.startswith("line 2, column") and "not valid YAML" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- ada\n- alan\n", "the file must be a mapping"),
        ("learners: [ada]\n", "`instructors:` is missing"),
        ("instructors: [grace]\n", "`learners:` is missing"),
        ("instructors: [grace]\nlearners: []\n", "line 2: `learners:` lists nobody"),
        ("instructors: [grace]\nlearners: ada\n", "line 2: `learners:` must be a list"),
        ("instructors: [grace]\nlearners: [Ada]\n", "`Ada` has capital letters"),
        ("instructors: [grace]\nlearners: [ada smith]\n", "`ada smith` is not a valid user name"),
        ("instructors: [grace]\nlearners: [" + "a" * 33 + "]\n", "33 characters long"),
        ("instructors: [grace]\nlearners: [{name: ada}]\n", "must be a user name"),
        (
            "instructors: [grace]\nlearners: [ada]\nteachers: [bob]\n",
            "line 3: unknown key `teachers`",
        ),
        ("instructors: [grace]\nlearners: [ada]\nstarts_at: soon\n", "is not a date and time"),
        (
            "instructors: [grace]\nlearners: [ada]\nstarts_at: 2026-03-02T09:00\n",
            "has no UTC offset",
        ),
        ("instructors: [grace]\nlearners: [ada]\nstages: [one]\n", "`one` is not a stage number"),
        (
            "instructors: [grace]\nlearners: [ada]\nlearners: [alan]\n",
            "line 3: `learners` is given twice",
        ),
    ],
)
def test_each_mistake_gets_a_clear_message(text, expected):
    assert any(expected in message for message in problems(text)), problems(text)


def test_a_32_character_name_is_the_longest_accepted():
    assert cohort.parse("instructors: [grace]\nlearners: [" + "a" * 32 + "]\n").learners


def test_every_mistake_is_listed_at_once():
    found = problems("instructors: [Grace]\nlearners: [ada, ada]\nextra: 1\n")
    assert len(found) == 3


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(cohort.CohortError, match="does not exist"):
        cohort.load(tmp_path / "nope.yaml")
