"""Stage 00's checks: other correct answers pass, and each mistake is named in the file's terms.

00.1 is judged on the learner's `booking_minutes`, 00.2 on the `rooms.yaml` the `%%writefile`
cell writes into the working folder; each test writes its own answer into a fresh folder.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta

import pytest

from onboarding import protocol
from onboarding.checks import Given, run_expectations
from onboarding.stages.welcome import EXERCISES


def judged(exercise_id: str, **names) -> protocol.CheckResult:
    """The exercise's expectations, judged as its check cell judges them (nothing printed)."""
    return run_expectations(exercise_id, EXERCISES[exercise_id], Given(names), echo=False)


def failures(result: protocol.CheckResult) -> list[str]:
    return [line for line in result.lines() if line.startswith(protocol.FAIL_MARK)]


# 00.1: other correct ways to measure a booking.


def minutes_by_fromisoformat(start: str, end: str) -> int:
    begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
    if finish <= begin:
        raise ValueError("the end must come after the start")
    return int((finish - begin).total_seconds() // 60)


def minutes_by_strptime(start: str, end: str) -> int:
    layout = "%Y-%m-%dT%H:%M"
    begin, finish = datetime.strptime(start, layout), datetime.strptime(end, layout)
    if not finish > begin:
        raise ValueError(f"{end} is not after {start}")
    return (finish - begin) // timedelta(minutes=1)


class BookingRefused(ValueError):
    """A domain error that is still a ValueError, as the exercise asks."""


class BookingLength:
    """A callable object in place of a function."""

    def __call__(self, start: str, end: str) -> int:
        length = datetime.fromisoformat(end) - datetime.fromisoformat(start)
        if length <= timedelta(0):
            raise BookingRefused(length)
        return round(length / timedelta(minutes=1))


def minutes_from_epoch_seconds(start: str, end: str) -> int:
    seconds = datetime.fromisoformat(end).timestamp() - datetime.fromisoformat(start).timestamp()
    if seconds <= 0:
        raise ValueError("empty or backwards booking")
    return int(seconds) // 60


@pytest.mark.parametrize(
    "booking_minutes",
    [
        minutes_by_fromisoformat,
        minutes_by_strptime,
        BookingLength(),
        minutes_from_epoch_seconds,
        lambda start, end: minutes_by_fromisoformat(start=start, end=end),
    ],
    ids=["fromisoformat", "strptime", "callable-class", "timestamps", "lambda"],
)
def test_other_correct_booking_minutes_pass(booking_minutes):
    result = judged("00.1", booking_minutes=booking_minutes)
    assert failures(result) == []
    assert result.ok


@pytest.mark.parametrize(
    ("booking_minutes", "found"),
    [
        (
            lambda start, end: (
                (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60
            ),
            "expected 90, got 90.0 (float)",
        ),
        (
            lambda start, end: (
                datetime.fromisoformat(end).hour * 60
                + datetime.fromisoformat(end).minute
                - datetime.fromisoformat(start).hour * 60
                - datetime.fromisoformat(start).minute
            ),
            "expected 45, got -1395",
        ),
        (lambda start, end: 90, "expected ValueError, but nothing was raised"),
    ],
    ids=["a-float", "time-of-day-only", "no-refusal"],
)
def test_a_wrong_booking_minutes_is_named(booking_minutes, found):
    result = judged("00.1", booking_minutes=booking_minutes)
    assert not result.ok
    assert any(found in line for line in failures(result))


def test_an_assert_is_not_the_value_error_asked_for():
    def asserting(start: str, end: str) -> int:
        begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
        assert finish > begin, "end before start"
        return int((finish - begin).total_seconds() // 60)

    result = judged("00.1", booking_minutes=asserting)
    assert any("expected ValueError, got AssertionError" in line for line in failures(result))


# 00.2: rooms.yaml, written in the working folder as the %%writefile cell writes it.


@pytest.fixture
def rooms_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def write(text: str) -> protocol.CheckResult:
        (tmp_path / "rooms.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return judged("00.2")

    return write


@pytest.mark.parametrize(
    "text",
    [
        # Exactly three rooms: the least the exercise allows.
        """
        rooms:
          - name: Ada
            capacity: 4
          - name: Grace
            capacity: 8
          - name: Linus
            capacity: 1
        """,
        # Flow style, keys in another order, and a document marker.
        """
        ---
        rooms: [{capacity: 4, name: Ada}, {capacity: 12, name: "Grace Hopper"}, {name: Lab, capacity: 2}]
        """,
        # Extra keys per room and at the top, quoted names, comments, and a list not indented.
        """
        # Third floor
        building: North
        rooms:
        - name: "101"
          capacity: 6
          floor: 1
          equipment: [screen, whiteboard]
        - name: 'Quiet room'
          capacity: 1   # one person
        - name: Boardroom
          capacity: 0x10
        """,
        # Anchors and merge keys share defaults between rooms.
        """
        defaults: &small
          capacity: 4
        rooms:
          - <<: *small
            name: Ada
          - <<: *small
            name: Grace
          - name: Hall
            capacity: 120
        """,
    ],
    ids=["exactly-three", "flow-style", "extra-keys", "anchors"],
)
def test_other_correct_rooms_files_pass(rooms_file, text):
    result = rooms_file(text)
    assert failures(result) == []
    assert result.ok


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", "the file is empty"),
        ("rooms:\n", "`rooms:` has nothing under it"),
        ("Rooms:\n  - name: Ada\n    capacity: 4\n", "the key is written `Rooms:`"),
        ("- name: Ada\n  capacity: 4\n", "the file holds a list, with no `rooms:` key"),
        ("rooms:\n  Ada:\n    capacity: 4\n", "`rooms:` holds a mapping, not a list"),
        ("rooms:\n  - name: Ada\n    capacity: 4\n  - name: Bo\n    capacity: 2\n", "2 room(s)"),
        (
            "rooms: [{name: 101, capacity: 4}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 has name 101, which YAML reads as a number: put it in quotes",
        ),
        (
            "rooms: [{name: yes, capacity: 4}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 has name True, which YAML reads as true or false",
        ),
        (
            "rooms: [{name: A, capacity: '4'}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has capacity '4', which is text: write the number without quotes",
        ),
        (
            "rooms: [{name: A, capacity: four}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has capacity 'four', a number in words: write it in digits, 4",
        ),
        (
            "rooms: [{name: A, capacity: 4.0}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has capacity 4.0, a decimal: write the whole number 4",
        ),
        (
            "rooms: [{name: A, capacity: yes}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has capacity True, which YAML reads as true or false",
        ),
        (
            "rooms: [{name: A, capacity: 0}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has capacity 0",
        ),
        (
            "rooms: [{name: A}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 (A) has no `capacity`",
        ),
        (
            "rooms: [{capacity: 3}, {name: B, capacity: 2}, {name: C, capacity: 2}]",
            "room 1 has no `name`",
        ),
        ("rooms: [Ada, Grace, Linus]", "room 1 is 'Ada', not a name and capacity"),
        (
            "rooms: [{name: A, capacity: 1}, {name: B, capacity: 2}, {name: A, capacity: 2}]",
            "repeated: A",
        ),
    ],
)
def test_a_wrong_rooms_file_is_named(rooms_file, text, found):
    result = rooms_file(text)
    assert not result.ok
    assert any(found in line for line in failures(result)), failures(result)
