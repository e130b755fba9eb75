"""What stage 02's exercises expect: 02.1 the project's `openapi.yaml`, 02.2 its `docs/tsd.md`."""

from __future__ import annotations

from onboarding import project
from onboarding.artefacts import openapi
from onboarding.checks import Advice, Expectation, Given, require
from onboarding.stages.api_design import spec, tsd

SPEC_FILE = "openapi.yaml"


def spec_of(given: Given) -> dict:
    """The project's spec, parsed once per check; `check("02.1", spec=…)` judges a spec at hand.

    The lesson judges FastAPI's generated spec that way, as if it were a learner's answer.
    """
    if given.has("spec"):
        return given.spec
    return given.once(SPEC_FILE, lambda: openapi.parse_spec(project.read(SPEC_FILE), SPEC_FILE))


def _spec_judged_by(problems):
    return lambda given: require(problems(spec_of(given)))


SPEC = (
    Expectation(
        f"{SPEC_FILE} is valid YAML",
        spec_of,
        hint="Where a line and column are given, look there and just above: indentation"
        " (spaces only) and a missing `:` are the usual causes.",
        required=True,
    ),
    Expectation(
        "it is a valid OpenAPI 3.1 document",
        _spec_judged_by(openapi.validity_problems),
        hint="Fix the first problem named and run the cell again; the path says where to look.",
        required=True,
    ),
    Expectation(
        "the five operations exist",
        _spec_judged_by(spec.operation_problems),
        hint="Put each operation under its path: /rooms (get), /rooms/{room_id}/bookings (get, post),"
        " /bookings/{booking_id} (get), /bookings/{booking_id}/cancel (post).",
    ),
    Expectation(
        "each operation documents its status codes",
        _spec_judged_by(spec.status_problems),
        hint='Add each code under the operation\'s `responses:`, quoted ("404":), with a description.',
    ),
    Expectation(
        "the create request and every 2xx response have a JSON schema",
        _spec_judged_by(spec.schema_problems),
        hint="Give each one `content: application/json: schema:`, usually a $ref to"
        " components/schemas (BookingCreate, Booking, Room).",
    ),
    Expectation(
        "the booking request, the booking and the room have the named fields and types",
        _spec_judged_by(spec.field_problems),
        hint="Declare each field under `properties:` with its `type:`; a date-time is"
        " `type: string` with `format: date-time`, and `cancelled_at` may also be null"
        ' (`type: [string, "null"]`).',
    ),
    Expectation(
        "every 4xx response is problem+json with one shared error schema from components",
        _spec_judged_by(spec.error_schema_problems),
        hint="Define Problem once under components/schemas (type, title, status, detail, instance)"
        ' and use `$ref: "#/components/schemas/Problem"` in every 4xx response.',
    ),
    Expectation(
        "creating a booking shows an example request, 201 and 409",
        _spec_judged_by(spec.example_coverage_problems),
        hint="Add `examples:` under the media type, each with a name and a `value:`; the process"
        " asks for an API spec with examples.",
    ),
    Expectation(
        "every example matches its schema",
        _spec_judged_by(openapi.example_problems),
        hint="Fix the example or the schema; quote date-times, and give each required field.",
    ),
)


def tsd_of(given: Given) -> str:
    return given.once(tsd.FILE, tsd.read_tsd)


def _tsd_judged_by(problems):
    return lambda given: require(problems(tsd_of(given)))


def tsd_headings(given: Given) -> Advice | None:
    text = tsd_of(given)
    require(tsd.heading_problems(text))
    advice = tsd.heading_advice(text)
    return Advice(advice) if advice else None


def endpoints_match_the_spec(given: Given) -> None:
    require(tsd.endpoint_problems(tsd_of(given), tsd.spec_operations()))


TSD = (
    Expectation(
        f"{tsd.FILE} exists and has text",
        tsd_of,
        hint="Open docs/tsd.md in your project (it starts as the company's template) and fill it in.",
        required=True,
    ),
    Expectation(
        "it has the sections Context, Architecture, Data model, API summary and Scaling"
        " considerations",
        tsd_headings,
        hint="Keep the template's `## ` headings as they are written; add your own if you need them.",
    ),
    Expectation(
        "nothing is left of the template: no placeholder, guidance, example or empty section",
        _tsd_judged_by(tsd.placeholder_problems),
        hint="Fill in or delete each of the template's other sections; delete the `>` guidance,"
        " the collapsed examples and “How to use this template”.",
    ),
    Expectation(
        "the architecture is a Mermaid diagram of your own components",
        _tsd_judged_by(tsd.diagram_problems),
        hint="Replace the template's sketch with your service: who calls it, the API, the"
        " database, and what runs beside them; give it an accTitle and an accDescr.",
    ),
    Expectation(
        "the API summary lists exactly the operations of openapi.yaml",
        endpoints_match_the_spec,
        hint="One row per operation, `| METHOD | /path |`; the spec is the contract, so change the"
        " TSD (or the spec) until the two agree.",
    ),
    Expectation(
        "the data model lists each table's columns with their types",
        _tsd_judged_by(tsd.data_model_problems),
        hint="One row per column: `| rooms | capacity | INTEGER | not null, > 0 |` under"
        " `| Table | Column | Type | Notes |`.",
    ),
    Expectation(
        "the scaling considerations give numbers",
        _tsd_judged_by(tsd.scaling_problems),
        hint="Say how much load you expect (requests a second, bookings a year) and where the"
        " design stops.",
    ),
)

EXERCISES = {"02.1": SPEC, "02.2": TSD}
