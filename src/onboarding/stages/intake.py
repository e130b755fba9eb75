"""Stage 01's checks: who owns what, acceptance criteria as examples, and the PRD.

Every `*_problems` function returns a list of plain sentences, one per problem, and an empty list
when all is well; nothing here prints or raises on a learner's mistake, so each message can be
unit-tested. A check cell turns a list into one ✅ or ❌ line with `require()`.

The acceptance-criteria examples follow the reference service (`bookings.crud.create_booking`):
an unknown room is a 404; then, in this order, an end that is not after the start, too many
attendees and an overlap with a live booking of the same room are 409s; anything else is a 201.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from onboarding.artefacts.markdown import (  # noqa: F401 - part of this module's API
    BRACKET_PLACEHOLDER,
    DETAILS_BLOCK,
    LIST_ITEM,
    TABLE_SEPARATOR,
    markdown_lines,
    read_document,
    section,
    sections,
)
from onboarding.checks import SHOWN_PROBLEMS, CheckFailed, load_yaml, require  # noqa: F401 - part of this module's API


def shorten(text: str, width: int = 60) -> str:
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


# --- Exercise 01.1: roles ---------------------------------------------------------------------

PRODUCT_MANAGER = "Product Manager"
TECH_LEAD = "Tech Lead"
BACKEND_ENGINEER = "Backend Engineer"
QA_SRE = "QA / SRE"
DEVOPS = "DevOps"
ROLES = (PRODUCT_MANAGER, TECH_LEAD, BACKEND_ENGINEER, QA_SRE, DEVOPS)

# Other ways people write the roles, after lower-casing and dropping spaces and punctuation.
ROLE_ALIASES = {
    "pm": PRODUCT_MANAGER,
    "productmanager": PRODUCT_MANAGER,
    "product": PRODUCT_MANAGER,
    "tl": TECH_LEAD,
    "techlead": TECH_LEAD,
    "technicallead": TECH_LEAD,
    "backend": BACKEND_ENGINEER,
    "backendengineer": BACKEND_ENGINEER,
    "backendengineers": BACKEND_ENGINEER,
    "backenddeveloper": BACKEND_ENGINEER,
    "be": BACKEND_ENGINEER,
    "qa": QA_SRE,
    "sre": QA_SRE,
    "qasre": QA_SRE,
    "devops": DEVOPS,
}


@dataclass(frozen=True)
class Duty:
    text: str
    role: str
    clue: str
    """Where the duty sits in the process, without naming the role: the check's hint."""


DUTIES: tuple[Duty, ...] = (
    Duty(
        "defines success criteria",
        PRODUCT_MANAGER,
        "Whoever decides what the feature is for also decides how we will know it worked.",
    ),
    Duty(
        "sets business constraints such as budget and deadline",
        PRODUCT_MANAGER,
        "Constraints come from the business side, together with the features themselves.",
    ),
    Duty(
        "designs the DB schema",
        TECH_LEAD,
        "The process document puts the data model with architecture and API design.",
    ),
    Duty(
        "decides performance trade-offs",
        TECH_LEAD,
        "Trade-offs are design decisions, made with the architecture before the code is written.",
    ),
    Duty(
        "implements the booking endpoints",
        BACKEND_ENGINEER,
        "Building the service is the job of the people who write its code and its tests.",
    ),
    Duty(
        "writes unit tests",
        BACKEND_ENGINEER,
        "Unit tests are written with the code, by the people who write the code.",
    ),
    Duty(
        "runs load tests",
        QA_SRE,
        "Load and integration tests are run by the role that writes the test plan.",
    ),
    Duty(
        "defines SLAs",
        QA_SRE,
        "How reliable the service must be is set by the role that tests and watches reliability.",
    ),
    Duty(
        "manages CI/CD secrets",
        DEVOPS,
        "Secrets belong with the pipeline and the infrastructure they are used in.",
    ),
    Duty(
        "sets up metrics, logs and tracing",
        DEVOPS,
        "Observability sits with CI/CD, infrastructure and secrets in the process document.",
    ),
)


def canonical_role(value: Any) -> str | None:
    """The role a learner meant ("PM", "qa/sre", "Backend Engineers"…), or None."""
    if not isinstance(value, str):
        return None
    key = re.sub(r"[\s/&_().-]+", "", value.lower())
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    for role in ROLES:
        if key == re.sub(r"[\s/&_().-]+", "", role.lower()):
            return role
    return None


def role_problems(answers: Any, duty: Duty) -> list[str]:
    """What is wrong with the role `answers` gives `duty` (a dict of duty text → role name)."""
    if not isinstance(answers, dict):
        return [f"`responsibilities` is a {type(answers).__name__}, not a dict of duty → role"]
    if duty.text not in answers:
        keys = [key for key in answers if isinstance(key, str)]
        close = difflib.get_close_matches(duty.text, keys, n=1, cutoff=0.6)
        if close:
            return [f"the key is written {close[0]!r}; keep the duty's wording exactly"]
        return ["it is missing from `responsibilities`"]
    value = answers[duty.text]
    if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
        return ["no role chosen yet"]
    role = canonical_role(value)
    if role is None:
        return [f"{value!r} is not one of the five roles: {', '.join(ROLES)}"]
    if role != duty.role:
        return [f"it belongs to {duty.role}, not {role}"]
    return []


# --- Exercise 01.2: acceptance criteria as examples --------------------------------------------

EXPECTED_STATUS = {
    "happy-path": 201,
    "overlap": 409,
    "back-to-back": 201,
    "capacity": 409,
    "invalid-range": 409,
    "unknown-room": 404,
}
BEHAVIOURS = tuple(EXPECTED_STATUS)
BEHAVIOUR_MEANS = {
    "happy-path": "a booking that breaks no rule",
    "overlap": "a booking that overlaps a live booking of the same room",
    "back-to-back": "a booking that starts as another ends, or ends as another starts",
    "capacity": "more attendees than the room holds",
    "invalid-range": "an end that is not after the start",
    "unknown-room": "a room that does not exist",
}
# The rule the reference service applies first to each behaviour's request ("created": none).
RULE_OF = {
    "happy-path": "created",
    "overlap": "overlap",
    "back-to-back": "created",
    "capacity": "capacity",
    "invalid-range": "invalid-range",
    "unknown-room": "unknown-room",
}
BOOKING_FIELDS = ("room", "start", "end", "attendees")
PLACEHOLDER_WORDS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b", re.IGNORECASE)
TIME_EXAMPLE = "2030-01-07T09:00:00Z"


@dataclass(frozen=True)
class Slot:
    """A booking, given or requested: a room, a time range and a number of attendees."""

    room: str
    start: datetime
    end: datetime
    attendees: int

    def __str__(self) -> str:
        return f"{self.room} from {_time_text(self.start)} to {_time_text(self.end)}"


@dataclass(frozen=True)
class Example:
    """One acceptance criterion, parsed: given rooms and bookings, when a request, then a status."""

    number: int
    behaviour: str
    rooms: dict[str, int]
    """Room name → capacity."""
    bookings: tuple[Slot, ...]
    request: Slot
    status: Any
    reason: Any


@dataclass(frozen=True)
class Answer:
    """What the reference service answers to an example's request, and why."""

    status: int
    rule: str
    why: str


class ExampleError(ValueError):
    """An example whose structure or values cannot be used; the message lists the problems."""


def _time_text(value: datetime) -> str:
    return value.isoformat(timespec="minutes").replace("+00:00", "Z")


def read_examples(path: str | Path) -> list[Any]:
    """The `examples:` list of an acceptance-criteria file; parse errors say line and column."""
    document = load_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("examples"), list):
        held = "nothing" if document is None else f"a {type(document).__name__}"
        if isinstance(document, dict):
            held = "a mapping"
        raise CheckFailed(f"the file holds {held}, with no top-level `examples:` list")
    return document["examples"]


def known_behaviour(raw: Any) -> str | None:
    """The example's behaviour when it is one of BEHAVIOURS, else None."""
    behaviour = raw.get("behaviour") if isinstance(raw, dict) else None
    return behaviour if isinstance(behaviour, str) and behaviour in EXPECTED_STATUS else None


def label(raw: Any, number: int) -> str:
    behaviour = known_behaviour(raw)
    return f"example {number} ({behaviour})" if behaviour else f"example {number}"


def is_placeholder(value: Any) -> bool:
    """True for text that stands in for a value: empty, TODO, TBD, "...", "[room]", "<name>"."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return (
        not text
        or bool(PLACEHOLDER_WORDS.search(text))
        or text in ("...", "…", "?", "??", "-")
        or (text.startswith("[") and text.endswith("]"))
        or (text.startswith("<") and text.endswith(">"))
    )


def parse_time(value: Any) -> datetime:
    """An ISO 8601 date-time with a time-zone offset, as the service's API requires."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise ValueError(f"{value.isoformat()} is a date with no time; write {TIME_EXAMPLE}")
    elif isinstance(value, str) and not is_placeholder(value):
        text = value.strip()
        try:
            # Python 3.10's fromisoformat() does not read a trailing "Z".
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO 8601 date-time such as {TIME_EXAMPLE}"
            ) from None
    elif is_placeholder(value):
        raise ValueError(f"{value!r} is a placeholder; write a date-time such as {TIME_EXAMPLE}")
    else:
        raise ValueError(f"{value!r} is not a date-time such as {TIME_EXAMPLE}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(
            f"{_shown(value)} has no time-zone offset; add Z for UTC, as in {TIME_EXAMPLE}"
        )
    return parsed


def _shown(value: Any) -> str:
    return repr(value.isoformat()) if isinstance(value, datetime) else repr(value)


@dataclass
class _Findings:
    """What reading one example's values found: placeholders left in, and other problems."""

    placeholders: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def read(self, value: Any, where: str, kind: str) -> Any:
        """`value` as a room name, a count or a time; None (and a note) when it is not one."""
        if is_placeholder(value):
            self.placeholders.append(where)
            return None
        if kind == "time":
            try:
                return parse_time(value)
            except ValueError as error:
                self.problems.append(f"{where} {error}")
                return None
        if kind == "count":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problems.append(f"{where} is {value!r}; write a whole number such as 4")
                return None
            if value < 1:
                self.problems.append(f"{where} is {value}; it must be at least 1")
                return None
            return value
        if not isinstance(value, str):
            self.problems.append(f"{where} is {value!r}; write the room's name as text")
            return None
        return value.strip()

    def messages(self, name: str) -> list[str]:
        found = (
            [f"placeholders left in {', '.join(self.placeholders)}"] if self.placeholders else []
        )
        return [f"{name}: {problem}" for problem in found + self.problems]

    def __bool__(self) -> bool:
        return bool(self.placeholders or self.problems)


def _read_slot(raw: Any, where: str, findings: _Findings) -> Slot | None:
    """A given booking or a request; None when a field is missing (structure_problems says so)."""
    if not isinstance(raw, dict) or any(name not in raw for name in BOOKING_FIELDS):
        return None
    values = [
        findings.read(
            raw[name], f"{where}.{name}" if where == "when" else f"{where}'s {name}", kind
        )
        for name, kind in zip(BOOKING_FIELDS, ("name", "time", "time", "count"), strict=True)
    ]
    return None if any(value is None for value in values) else Slot(*values)


def _parse(raw: Any, number: int) -> tuple[Example | None, list[str]]:
    """The example and the problems with its values; None when it cannot be used as it is."""
    if not isinstance(raw, dict):
        return None, []
    given, when, then = raw.get("given"), raw.get("when"), raw.get("then")
    findings = _Findings()
    usable = (
        known_behaviour(raw) is not None
        and isinstance(given, dict)
        and isinstance(when, dict)
        and isinstance(then, dict)
        and "status" in then
    )
    rooms: dict[str, int] = {}
    raw_rooms = given.get("rooms") if isinstance(given, dict) else None
    for position, room in enumerate(raw_rooms if isinstance(raw_rooms, list) else [], start=1):
        where = f"given room {position}"
        if not isinstance(room, dict) or "name" not in room or "capacity" not in room:
            usable = False
            continue
        name = findings.read(room["name"], f"{where}'s name", "name")
        capacity = findings.read(room["capacity"], f"{where}'s capacity", "count")
        if name in rooms:
            findings.problems.append(f"{where}'s name {name!r} is used twice")
        if name is not None and capacity is not None:
            rooms[name] = capacity
    raw_bookings = given.get("bookings", []) if isinstance(given, dict) else []
    bookings = [
        _read_slot(booking, f"given booking {position}", findings)
        for position, booking in enumerate(
            raw_bookings if isinstance(raw_bookings, list) else [], start=1
        )
    ]
    request = _read_slot(when, "when", findings)
    usable = usable and isinstance(raw_rooms, list) and isinstance(raw_bookings, list)
    if findings or not usable or request is None or None in bookings:
        return None, findings.messages(label(raw, number))
    example = Example(
        number,
        raw["behaviour"],
        rooms,
        tuple(slot for slot in bookings if slot is not None),
        request,
        then.get("status"),
        then.get("reason"),
    )
    return example, []


def parse_example(raw: Any, number: int = 1) -> Example:
    """Parse one example, or raise ExampleError listing what is missing or wrong."""
    problems = structure_problems([raw]) + value_problems([raw])
    example, _ = _parse(raw, number)
    if problems or example is None:
        raise ExampleError("; ".join(problems) or f"example {number} cannot be used")
    return example


def structure_problems(examples: Sequence[Any]) -> list[str]:
    """Each example is a mapping with a known behaviour and its given, when and then parts."""
    if not examples:
        return ["the `examples:` list is empty"]
    problems = []
    for number, raw in enumerate(examples, start=1):
        name = label(raw, number)
        if not isinstance(raw, dict):
            problems.append(
                f"{name} is {shorten(repr(raw), 30)}, not a mapping with behaviour, given, "
                "when and then"
            )
            continue
        behaviour = raw.get("behaviour")
        if behaviour is None:
            problems.append(f"{name} has no `behaviour`")
        elif known_behaviour(raw) is None:
            close = difflib.get_close_matches(str(behaviour), BEHAVIOURS, n=1, cutoff=0.6)
            problems.append(
                f"{name}: behaviour {behaviour!r} is not one of {', '.join(BEHAVIOURS)}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        for part in ("given", "when", "then"):
            if not isinstance(raw.get(part), dict):
                problems.append(f"{name} has no `{part}:` mapping")
        given, when, then = raw.get("given"), raw.get("when"), raw.get("then")
        if isinstance(given, dict):
            problems += _given_structure(given, name)
        if isinstance(when, dict):
            missing = [field for field in BOOKING_FIELDS if field not in when]
            if missing:
                problems.append(f"{name}: `when` has no {', '.join(missing)}")
        if isinstance(then, dict) and "status" not in then:
            problems.append(f"{name}: `then` has no `status`")
    return problems


def _given_structure(given: dict, name: str) -> list[str]:
    problems = []
    rooms = given.get("rooms")
    if not isinstance(rooms, list):
        problems.append(f"{name}: `given.rooms` should be a list of rooms (`rooms: []` if none)")
    else:
        for position, room in enumerate(rooms, start=1):
            if not isinstance(room, dict) or "name" not in room or "capacity" not in room:
                problems.append(f"{name}: given room {position} needs a `name` and a `capacity`")
    bookings = given.get("bookings", [])
    if not isinstance(bookings, list):
        problems.append(f"{name}: `given.bookings` should be a list (`bookings: []` if none)")
    else:
        for position, booking in enumerate(bookings, start=1):
            missing = [
                field
                for field in BOOKING_FIELDS
                if not isinstance(booking, dict) or field not in booking
            ]
            if missing:
                problems.append(f"{name}: given booking {position} has no {', '.join(missing)}")
    return problems


def coverage_problems(examples: Sequence[Any]) -> list[str]:
    """Every behaviour has at least one example."""
    named = {known_behaviour(raw) for raw in examples}
    missing = [behaviour for behaviour in BEHAVIOURS if behaviour not in named]
    return [f"no example for: {', '.join(missing)}"] if missing else []


def value_problems(examples: Sequence[Any]) -> list[str]:
    """Names, counts and times are real values: no placeholders, times with an offset."""
    problems = []
    for number, raw in enumerate(examples, start=1):
        problems += _parse(raw, number)[1]
    return problems


def status_problems(examples: Sequence[Any]) -> list[str]:
    """Each `then.status` is the one the service answers; an error also gives a reason."""
    problems = []
    for number, raw in enumerate(examples, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("then"), dict):
            continue
        behaviour, then = known_behaviour(raw), raw["then"]
        if behaviour is None or "status" not in then:
            continue
        name, status, expected = label(raw, number), then["status"], EXPECTED_STATUS[behaviour]
        if isinstance(status, bool) or not isinstance(status, int):
            problems.append(
                f"{name}: then.status is {status!r}; write the HTTP status as a number, "
                f"the one the service answers for {BEHAVIOUR_MEANS[behaviour]}"
            )
        elif status != expected:
            problems.append(
                f"{name}: then.status is {status}, but the service answers {expected} for "
                f"{BEHAVIOUR_MEANS[behaviour]}"
            )
        if expected != 201:
            reason = then.get("reason")
            if not isinstance(reason, str) or is_placeholder(reason):
                problems.append(
                    f"{name}: an error needs a short `then.reason` (found {reason!r}), such as "
                    "the rule it breaks"
                )
    return problems


def overlaps(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """The service's rule (`bookings.crud.overlaps`): back to back is not an overlap."""
    return start_a < end_b and start_b < end_a


def service_answer(example: Example) -> Answer:
    """What the reference service answers to the example's request, rule by rule in its order."""
    request = example.request
    if request.room not in example.rooms:
        return Answer(
            404, "unknown-room", f"there is no room {request.room!r} among the given rooms"
        )
    if request.end <= request.start:
        return Answer(
            409,
            "invalid-range",
            f"its end {_time_text(request.end)} is not after its start {_time_text(request.start)}",
        )
    capacity = example.rooms[request.room]
    if request.attendees > capacity:
        return Answer(
            409,
            "capacity",
            f"{request.attendees} attendees do not fit in {request.room} (capacity {capacity})",
        )
    for position, booking in enumerate(example.bookings, start=1):
        if booking.room == request.room and overlaps(
            request.start, request.end, booking.start, booking.end
        ):
            return Answer(409, "overlap", f"it overlaps given booking {position} ({booking})")
    return Answer(201, "created", "it breaks no rule")


def touches(example: Example) -> bool:
    """Whether the request starts as a given booking of its room ends, or ends as one starts."""
    request = example.request
    return any(
        booking.room == request.room
        and (booking.end == request.start or booking.start == request.end)
        for booking in example.bookings
    )


def consistency_problems(examples: Sequence[Any]) -> list[str]:
    """Each example shows the behaviour it names: an overlap overlaps, a capacity overflows…"""
    problems = []
    for number, raw in enumerate(examples, start=1):
        if known_behaviour(raw) is None:
            continue
        name = label(raw, number)
        example, _ = _parse(raw, number)
        if example is None:
            problems.append(f"{name}: not checked until its parts and values are complete")
            continue
        problems += [f"{name}: {problem}" for problem in _given_problems(example)]
        problem = _behaviour_problem(example)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def _given_problems(example: Example) -> list[str]:
    problems = []
    for position, booking in enumerate(example.bookings, start=1):
        if booking.room not in example.rooms:
            problems.append(
                f"given booking {position} is in {booking.room!r}, which is not a given room"
            )
        if booking.end <= booking.start:
            problems.append(f"given booking {position} does not end after it starts")
    return problems


def _behaviour_problem(example: Example) -> str | None:
    answer, behaviour, request = service_answer(example), example.behaviour, example.request
    expected = RULE_OF[behaviour]
    if answer.rule == expected:
        if behaviour == "back-to-back" and not touches(example):
            return (
                f"{request} neither starts as a given booking of {request.room} ends nor ends "
                "as one starts"
            )
        return None
    if expected == "created":
        return f"the service would refuse this request, because {answer.why}"
    if behaviour == "unknown-room":
        return f"{request.room!r} is a given room; ask for a room that is not among them"
    if answer.rule == "created":
        capacity = example.rooms[request.room]
        return {
            "overlap": (
                f"{request} overlaps no given booking of {request.room}; touching at the edge "
                "is back to back, which is allowed"
            ),
            "capacity": (
                f"{request.attendees} attendees fit in {request.room} (capacity {capacity}); "
                "ask for more people than the room holds"
            ),
        }.get(behaviour, f"the service would accept this request, because {answer.why}")
    return f"the service would refuse it for another reason first: {answer.why}"


GWT = ("given", "when", "then")


def split_given_when_then(text: str) -> tuple[str, str, str] | None:
    """The Given, When and Then parts of a criterion written in prose, or None."""
    match = re.search(
        r"\bgiven\b(?P<given>.+?)\bwhen\b(?P<when>.+?)\bthen\b(?P<then>.+)",
        text,
        re.IGNORECASE | re.DOTALL,
    )
    if match is None:
        return None
    parts = tuple(" ".join(match[part].strip(" ,.;:*_").split()) for part in GWT)
    return parts if all(parts) else None  # type: ignore[return-value]


# --- Exercise 01.3: the PRD -------------------------------------------------------------------

# The template's required `## ` headings, in order (templates/prd.md lists them in its top
# comment; tests/stages/test_intake.py proves the two lists agree).
PRD_HEADINGS = (
    "Problem",
    "Goals",
    "Non-goals",
    "Users and stakeholders",
    "Requirements",
    "Acceptance criteria",
    "Success metrics",
    "Dependencies",
    "Risks and open questions",
    "Estimate",
)
MIN_ACCEPTANCE_CRITERIA = len(BEHAVIOURS)


def heading_problems(text: str) -> list[str]:
    """The ten required `## ` headings, each once, in the template's order, and no others."""
    found = [title for title, _ in sections(text)[1:]]
    problems, near_misses = [], set()
    for title in dict.fromkeys(found):
        if title in PRD_HEADINGS:
            continue
        close = difflib.get_close_matches(title, PRD_HEADINGS, n=1, cutoff=0.75) or [
            heading for heading in PRD_HEADINGS if heading.lower() == title.lower()
        ]
        if close:
            near_misses.add(close[0])
            problems.append(f"write `## {title}` exactly as `## {close[0]}`")
        else:
            problems.append(
                f"`## {title}` is not one of the ten headings; delete it or make it a `###` "
                "inside a section"
            )
    missing = [h for h in PRD_HEADINGS if h not in found and h not in near_misses]
    if missing:
        problems.append("missing: " + ", ".join(f"`## {heading}`" for heading in missing))
    for heading in PRD_HEADINGS:
        if found.count(heading) > 1:
            problems.append(f"`## {heading}` appears {found.count(heading)} times")
    present = [title for title in dict.fromkeys(found) if title in PRD_HEADINGS]
    for earlier, later in pairwise(present):
        if PRD_HEADINGS.index(earlier) > PRD_HEADINGS.index(later):
            problems.append(
                f"`## {later}` comes after `## {earlier}` but belongs before it "
                f"(the order is {', '.join(PRD_HEADINGS)})"
            )
            break
    return problems


def placeholder_problems(text: str) -> list[str]:
    """No section is empty or still holds a placeholder, TODO, or the template's guidance."""
    problems = []
    for title, body in sections(text):
        if title and title not in PRD_HEADINGS:
            continue
        where = f"`## {title}`" if title else "the title block"
        problem = _placeholder_in(body, bool(title))
        if problem:
            problems.append(f"{where} {problem}")
    return problems


def _placeholder_in(body: str, must_have_text: bool) -> str | None:
    if DETAILS_BLOCK.search(body):
        return "still holds the template's collapsed example; delete it"
    if re.search(r"^\s*>", body, re.MULTILINE):
        return "still has the template's guidance (the lines starting with `>`); delete it"
    bracket = BRACKET_PLACEHOLDER.search(body)
    if bracket:
        return f"still has the placeholder `{bracket[0]}`"
    word = PLACEHOLDER_WORDS.search(body)
    if word:
        return f"still says {word[0]}"
    meaningful = [
        line for line in body.splitlines() if line.strip() and not TABLE_SEPARATOR.match(line)
    ]
    if must_have_text and not meaningful:
        return "is empty; write it, or write None and why it does not apply"
    return None


def list_items(body: str) -> list[str]:
    """The top-level list items of a section, each with its continuation lines joined."""
    items: list[str] = []
    current: list[str] | None = None
    for line in DETAILS_BLOCK.sub("", body).splitlines():
        item = LIST_ITEM.match(line)
        if item:
            if current is not None:
                items.append(" ".join(current))
            current = [item["text"].strip()]
        elif current is not None and line.strip() and not line.lstrip().startswith(("|", "#")):
            current.append(line.strip())
        elif current is not None:
            items.append(" ".join(current))
            current = None
    if current is not None:
        items.append(" ".join(current))
    return items


def acceptance_criteria_problems(text: str) -> list[str]:
    """Enough criteria, and every bullet under `## Acceptance criteria` is Given/When/Then."""
    body = section(text, "Acceptance criteria")
    if body is None:
        return ["there is no `## Acceptance criteria` section"]
    items = list_items(body)
    problems = [
        f"criterion {number} is not written as Given / When / Then: “{shorten(item, 50)}”"
        for number, item in enumerate(items, start=1)
        if split_given_when_then(item) is None
    ]
    written = sum(split_given_when_then(item) is not None for item in items)
    if written < MIN_ACCEPTANCE_CRITERIA:
        problems.append(
            f"found {written} {'criterion' if written == 1 else 'criteria'} written as Given / "
            f"When / Then; write at least {MIN_ACCEPTANCE_CRITERIA}, one bullet for each "
            "behaviour of exercise 01.2"
        )
    return problems


_NUMBER = r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*"
_UNIT = (
    r"%|percent|per ?cent|ms|msec|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?"
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
        )
    ),
    re.IGNORECASE,
)
# "within 8 weeks" says when a target is met, not how much: it does not make a metric measurable.
TIME_FRAME = re.compile(
    r"\b(?:within|after|in|by|for|from|during)\s+(?:the\s+)?(?:first\s+|next\s+)?\d+\s*"
    r"(?:days?|weeks?|months?|quarters?|years?)\b(?:\s+(?:of|after)\s+\w+)?",
    re.IGNORECASE,
)


def is_measurable(text: str) -> bool:
    """Whether a metric states a number with a unit, or a rate ("300 ms", "5 per week")."""
    return bool(MEASURABLE.search(TIME_FRAME.sub(" ", text)))


def metrics(body: str) -> list[tuple[str, str]]:
    """(name, target) for each metric: each bullet, and each row of a table.

    In a table with a Target column, only that column is the target; otherwise the whole row.
    """
    found = [(item, item) for item in list_items(body)]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DETAILS_BLOCK.sub("", body).splitlines()
        if line.lstrip().startswith("|") and not TABLE_SEPARATOR.match(line)
    ]
    if rows:
        header, *data = rows
        target = next(
            (index for index, cell in enumerate(header) if "target" in cell.lower()), None
        )
        for row in data:
            if target is not None and target < len(row):
                found.append((row[0], row[target]))
            else:
                found.append((row[0], " ".join(row)))
    return found


def success_metric_problems(text: str) -> list[str]:
    """Every success metric is measurable: a number with a unit, or a rate."""
    body = section(text, "Success metrics")
    if body is None:
        return ["there is no `## Success metrics` section"]
    found = metrics(body)
    if not found:
        return ["no metrics found: write each as a bullet, or as a row of a table"]
    return [
        f"metric {number}, “{shorten(name, 40)}”, has no number with a unit or a rate"
        + (f" (its target is “{shorten(target, 40)}”)" if target != name else "")
        for number, (name, target) in enumerate(found, start=1)
        if not is_measurable(target)
    ]
