"""One rule for status codes, kept by the service and stated the same way everywhere.

RFC 9110 gives 422 Unprocessable Content to a request whose content is well formed but cannot be
processed as sent (a booking that ends before it starts, more attendees than the room holds: the
client must change the request), and 409 Conflict to a request that conflicts with the current
state of the resource (a slot another booking holds, a room name already taken: the same request
may succeed once the state changes). The service's error classes carry the statuses; every
lesson, exercise, template and page must say the same.
"""

from __future__ import annotations

import re

import pytest

from bookings import errors
from tests.course_text import course_texts

# The rule, per problem type: what RFC 9110 makes of each refusal.
POLICY = {
    "/problems/invalid-range": 422,
    "/problems/capacity": 422,
    "/problems/validation": 422,
    "/problems/overlap": 409,
    "/problems/duplicate-room-name": 409,
    "/problems/room-not-found": 404,
    "/problems/booking-not-found": 404,
    "/problems/not-ready": 503,
}
# Words that name a rule in prose, by the status the rule has.
RULE_WORDS = {
    422: re.compile(
        r"capacity|too many attendees|more attendees|invalid.range|end (?:is )?before|"
        r"ends? before (?:it|the) start|backwards booking|end that is not after",
        re.IGNORECASE,
    ),
    409: re.compile(r"overlap", re.IGNORECASE),
}
OTHER = {422: 409, 409: 422}
# A status code, not part of a longer number such as 1,409 or 422.5 %.
STATUS = re.compile(r"(?<![\d])(?<!\d[.,])(409|422)(?![\d%]|[.,]\d)")
# A problem body: its type, then (within the same body) its status.
PROBLEM_BODY = re.compile(
    r"(/problems/[a-z-]+)(?:(?!/problems/).){0,160}?[\"']?status[\"']?\s*[:=]\s*(\d{3})",
    re.DOTALL,
)


def domain_errors() -> list[type[errors.BookingServiceError]]:
    found, todo = [], [errors.BookingServiceError]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.type != "about:blank":
            found.append(cls)
    return found


@pytest.mark.parametrize("error", domain_errors(), ids=lambda cls: cls.__name__)
def test_each_error_class_has_the_status_rfc_9110_gives_it(error):
    """A rule the request breaks on its own is 422; a clash with stored state is 409."""
    assert error.type in POLICY, f"{error.__name__} has a problem type the policy does not know"
    assert error.status == POLICY[error.type]


def test_the_policy_covers_every_problem_type_the_service_names():
    assert {error.type for error in domain_errors()} | {"/problems/validation"} == set(POLICY)


def problem_bodies_with_the_wrong_status() -> list[str]:
    found = []
    for text in course_texts():
        for match in PROBLEM_BODY.finditer(text.text):
            kind, status = match.group(1), int(match.group(2))
            if kind in POLICY and status != POLICY[kind]:
                found.append(f"{text.where}: {kind} with status {status}, not {POLICY[kind]}")
    return found


def test_every_problem_body_in_the_course_has_its_types_status():
    """Examples in specs, stored outputs and templates: `/problems/capacity` is never a 409."""
    assert problem_bodies_with_the_wrong_status() == []


def prose_with_the_wrong_status() -> list[str]:
    """Sentences that name a rule and give it only the other rule's status."""
    found = []
    for text in course_texts():
        for unit in text.units():
            statuses = {int(code) for code in STATUS.findall(unit)}
            for status, words in RULE_WORDS.items():
                other = OTHER[status]
                if other in statuses and status not in statuses and words.search(unit):
                    found.append(f"{text.where}: {unit[:160]!r} gives {other}")
    return found


def test_no_sentence_gives_a_rule_the_wrong_status():
    """'an end before the start is a 409' would fail here, wherever the course says it."""
    assert prose_with_the_wrong_status() == []


@pytest.mark.parametrize(
    "wrong",
    [
        "| invalid-range | ends at or before its start | 409 Conflict |",
        "then the API answers 409 with a problem of type `/problems/capacity`.",
        "An overlapping booking is refused with 422.",
    ],
)
def test_the_prose_check_catches_a_wrong_sentence(wrong, monkeypatch):
    from tests import course_text

    monkeypatch.setattr(
        "tests.test_status_codes.course_texts",
        lambda: iter([course_text.Text("example.md", wrong + "\n", prose=True)]),
    )
    assert len(prose_with_the_wrong_status()) == 1


def test_the_body_check_catches_a_wrong_example(monkeypatch):
    from tests import course_text

    example = "value:\n  type: /problems/invalid-range\n  title: Backwards\n  status: 409\n"
    monkeypatch.setattr(
        "tests.test_status_codes.course_texts",
        lambda: iter([course_text.Text("spec.yaml", example, prose=False)]),
    )
    assert problem_bodies_with_the_wrong_status() == [
        "spec.yaml: /problems/invalid-range with status 409, not 422"
    ]
