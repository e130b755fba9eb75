"""What lesson 02 runs: the reference service in-process, and the contract's features counted.

The lesson compares the designed spec with the one FastAPI generates (`contract_features`),
proposes changes to it (`with_change`, judged by `onboarding.artefacts.openapi_compatibility`),
and lets the learner try status codes and compatibility in small practice cells.
"""

from __future__ import annotations

import copy
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onboarding.artefacts.openapi import (
    PROBLEM_JSON,
    error_response_sites,
    example_sites,
    operations,
    resolve,
)
from onboarding.artefacts.openapi_compatibility import compatibility
from onboarding.artefacts.quantities import with_digits
from onboarding.checks import CheckFailed, Expectation, Given, practise

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def contract_features(spec: dict) -> dict[str, int]:
    """What a reader of the contract gets, counted: the lesson's designed-versus-generated table."""
    error_media = [
        media
        for response, _, _ in error_response_sites(spec)
        for media in ((response or {}).get("content") or {})
    ]
    responses = [
        (str(code), resolve(spec, response, ())[0] or {})
        for _, _, operation in operations(spec)
        for code, response in (operation.get("responses") or {}).items()
    ]
    return {
        "operations": sum(1 for _ in operations(spec)),
        "examples": sum(1 for site in example_sites(spec) if not site.missing_value),
        "error bodies typed application/problem+json": error_media.count(PROBLEM_JSON),
        "error bodies typed application/json": error_media.count("application/json"),
        "response headers (such as Location)": sum(
            len(response.get("headers") or {}) for _, response in responses
        ),
        "responses described in their own words": sum(
            1 for code, response in responses if not _generic_description(code, response)
        ),
    }


def _generic_description(code: str, response: dict) -> bool:
    """Whether a response's description is only its status's name, as FastAPI writes it."""
    generic = {"Successful Response", "Validation Error"}
    if code.isdigit():
        try:
            generic.add(HTTPStatus(int(code)).phrase)
        except ValueError:
            pass
    return response.get("description") in generic


def with_change(spec: dict, change: Callable[[dict], Any]) -> dict:
    """A copy of `spec` with `change` applied to it: the lesson's next versions of the API."""
    changed = copy.deepcopy(spec)
    change(changed)
    return changed


@contextmanager
def reference_service() -> Iterator[TestClient]:
    """A client for the reference booking service on a new, empty database (in-process, no port).

    The lesson's demonstrations each use their own, so every cell can run again.
    """
    from bookings.core.config import Settings
    from bookings.main import create_app

    with warnings.catch_warnings():
        # Starlette warns on import that its test client will move to httpx2; the warning names
        # an absolute path, which must not appear in a lesson's output.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level="WARNING")
        with TestClient(create_app(settings)) as client:
            yield client


# --- Practice cells ---------------------------------------------------------------------------

STATUS_SITUATIONS = {
    "8 attendees for a room that seats 6": (
        422,
        "the request breaks a rule on its own: nothing stored is in the way",
    ),
    "a new room named Oak, when a room called Oak exists": (
        409,
        "the name clashes with a room the service holds now",
    ),
    "a booking in room 42, which does not exist": (404, "the room is not there"),
    'a booking whose start is "tomorrow"': (
        422,
        "the JSON parses, but a field is not a date-time: well-formed, unprocessable content",
    ),
    "Oak from 09:30 to 10:30, when someone booked it from 09:00 to 10:00": (
        409,
        "the request is fine in itself; another booking is in the way",
    ),
}


def status_code(value: Any) -> int | None:
    """The status code an answer names, or None.

    422 as a number, or as text the way a spec quotes it ("422"), with its reason phrase
    ("422 Unprocessable Content") or in words ("four hundred and twenty-two"); a boolean is no
    number, though Python counts True as 1.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        code = re.fullmatch(r"\s*(\d{3})\b.*", with_digits(value), flags=re.DOTALL)
        return int(code[1]) if code else None
    return None


def _status_of(situation: str, status: int, why: str):
    def run(given: Any) -> None:
        answers = given.answers
        if not isinstance(answers, dict) or situation not in answers:
            raise CheckFailed("it is missing from `answers`")
        value = answers[situation]
        if value is None or value is Ellipsis:
            raise CheckFailed("no status chosen yet")
        if status_code(value) is None:
            raise CheckFailed(f"{value!r} is not a status code; write a number such as 404")
        value = status_code(value)
        if value != status:
            raise CheckFailed(f"{value} is not it: {why}")

    return Expectation(situation, run, hint="Answer with the status code, a number.")


def try_status_codes(answers: Any) -> None:
    """Practice: which status the booking API answers in five situations."""
    practise(
        tuple(_status_of(situation, *answer) for situation, answer in STATUS_SITUATIONS.items()),
        Given(answers=answers),
    )


def _schema(spec: dict, name: str) -> dict:
    return spec["components"]["schemas"][name]


def _add_note(spec: dict) -> None:
    _schema(spec, "BookingCreate")["properties"]["note"] = {"type": "string"}


def _attendees_as_text(spec: dict) -> None:
    _schema(spec, "BookingCreate")["properties"]["attendees"]["type"] = "string"


def _add_room_name(spec: dict) -> None:
    _schema(spec, "Booking")["properties"]["room_name"] = {"type": "string"}


def _cancelled_at_left_out(spec: dict) -> None:
    _schema(spec, "Booking")["required"].remove("cancelled_at")


def _require_a_day(spec: dict) -> None:
    listing = spec["paths"]["/rooms/{room_id}/bookings"]["get"]
    listing["parameters"].append(
        {"name": "day", "in": "query", "required": True, "schema": {"type": "string"}}
    )


PROPOSED_CHANGES: dict[str, Callable[[dict], Any]] = {
    "a new optional `note` in the booking request": _add_note,
    "`attendees` becomes a string in the booking request": _attendees_as_text,
    "a new `room_name` in every booking the API returns": _add_room_name,
    "`cancelled_at` left out of a booking while it is live": _cancelled_at_left_out,
    "listing a room's bookings needs a new `day` query parameter": _require_a_day,
}
VERDICT_WORDS = {
    **dict.fromkeys(
        ("compatible", "backward compatible", "backwards compatible", "non breaking"),
        "compatible",
    ),
    **dict.fromkeys(("nonbreaking", "not breaking", "additive"), "compatible"),
    **dict.fromkeys(("breaking", "incompatible", "not compatible", "non compatible"), "breaking"),
    **dict.fromkeys(("backward incompatible", "backwards incompatible"), "breaking"),
}
"""The words people use for each verdict, as `verdict` normalises them."""


def verdict(value: Any) -> str | None:
    """The verdict an answer gives, however it words it, or None.

    "Backwards-compatible" and "non-breaking" are compatible; "a breaking change" and
    "incompatible" are breaking.
    """
    if not isinstance(value, str):
        return None
    words = " ".join(re.sub(r"[-_]", " ", value.lower()).split())
    words = re.sub(r"\s+change$", "", re.sub(r"^an?\s+", "", words))
    return VERDICT_WORDS.get(words)


def _verdict_of(designed: dict, proposal: str, change: Callable[[dict], Any]) -> Expectation:

    found = compatibility(designed, with_change(designed, change))
    right = "breaking" if any(item.breaking for item in found) else "compatible"

    def run(given: Any) -> None:
        answers = given.verdicts
        value = answers.get(proposal) if isinstance(answers, dict) else None
        if value is None or value is Ellipsis:
            raise CheckFailed("no verdict yet")
        if verdict(value) is None:
            raise CheckFailed(f"{value!r} is not a verdict")
        value = verdict(value)
        if value != right:
            why = "; ".join(item.description for item in found)
            raise CheckFailed(f"{value} is not it: the differ says {why}")

    return Expectation(
        proposal, run, hint='Write "compatible" or "breaking": what happens to a client of today?'
    )


def try_compatibility(designed: dict, verdicts: Any) -> None:
    """Practice: judge five changes to the designed spec, then see what the differ says."""
    practise(
        tuple(
            _verdict_of(designed, proposal, change) for proposal, change in PROPOSED_CHANGES.items()
        ),
        Given(verdicts=verdicts),
    )


IDEMPOTENT = {
    "GET /bookings/7": (True, "reading changes nothing"),
    "POST /bookings/7/cancel": (
        True,
        "the booking API makes cancel idempotent by design: a second cancel changes nothing",
    ),
    "POST /rooms/1/bookings": (
        False,
        "each create makes a new booking (or a 409 with your own first one): not without an "
        "Idempotency-Key",
    ),
    "PUT /rooms/1, replacing the room with the same body": (
        True,
        "replacing with the same body twice leaves what replacing once does",
    ),
}


YES_OR_NO = {"true": True, "yes": True, "false": False, "no": False}


def yes_or_no(value: Any) -> bool | None:
    """True or False, written as a boolean or as a word ("yes", "No", "True"); else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return YES_OR_NO.get(value.strip().lower())
    return None


def _idempotent(request: str, right: bool, why: str) -> Expectation:
    def run(given: Any) -> None:
        answers = given.idempotent
        value = answers.get(request, Ellipsis) if isinstance(answers, dict) else Ellipsis
        if value is Ellipsis or value is None:
            raise CheckFailed("not answered yet")
        if yes_or_no(value) is None:
            raise CheckFailed(f"{value!r} is not True or False")
        value = yes_or_no(value)
        if value is not right:
            raise CheckFailed(f"{value} is not it: {why}")

    return Expectation(
        request, run, hint="True if sending it twice leaves what sending it once does."
    )


def try_idempotent(idempotent: Any) -> None:
    """Practice: which of four requests can a client simply send again?"""
    practise(
        tuple(_idempotent(request, *answer) for request, answer in IDEMPOTENT.items()),
        Given(idempotent=idempotent),
    )
