"""What stage 02's exercises expect: 02.1 the project's `openapi.yaml`, 02.2 its `docs/tsd.md`."""

from __future__ import annotations

from onboarding import project
from onboarding.artefacts import openapi
from onboarding.checks import Expectation, Given, advised_by, judged_by, require
from onboarding.stages.api_design import spec, tsd

SPEC_FILE = "openapi.yaml"


def spec_of(given: Given) -> dict:
    """The project's spec, parsed once per check; `check("02.1", spec=…)` judges a spec at hand.

    The lesson judges FastAPI's generated spec that way, as if it were a learner's answer.
    """
    if given.has("spec"):
        return given.spec
    return given.once(SPEC_FILE, lambda: openapi.parse_spec(project.read(SPEC_FILE), SPEC_FILE))


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
        judged_by(openapi.validity_problems, spec_of),
        hint="Fix the first problem named and run the cell again; the path says where to look.",
        required=True,
    ),
    Expectation(
        "the five operations exist",
        judged_by(spec.operation_problems, spec_of),
        hint="Put each operation under its path: /rooms (get), /rooms/{room_id}/bookings (get, post),"
        " /bookings/{booking_id} (get), /bookings/{booking_id}/cancel (post).",
    ),
    Expectation(
        "each operation documents its status codes",
        judged_by(spec.status_problems, spec_of),
        hint='Add each code under the operation\'s `responses:`, quoted ("404":), with a description.',
    ),
    Expectation(
        "the create request and every 2xx response have a JSON schema",
        judged_by(spec.schema_problems, spec_of),
        hint="Give each one `content: application/json: schema:`, usually a $ref to"
        " components/schemas (BookingCreate, Booking, Room).",
    ),
    Expectation(
        "the booking request, the booking and the room have the named fields and types",
        judged_by(spec.field_problems, spec_of),
        hint="Declare each field under `properties:` with its `type:`; a date-time is"
        " `type: string` with `format: date-time`, and `cancelled_at` may also be null"
        ' (`type: [string, "null"]`).',
    ),
    Expectation(
        "every 4xx response is problem+json with one shared error schema from components",
        judged_by(spec.error_schema_problems, spec_of),
        hint="Define Problem once under components/schemas (type, title, status, detail, instance)"
        ' and use `$ref: "#/components/schemas/Problem"` in every 4xx response.',
    ),
    Expectation(
        "creating a booking shows an example request, 201 and 409",
        judged_by(spec.example_coverage_problems, spec_of),
        hint="Add `examples:` under the media type, each with a name and a `value:`; the process"
        " asks for an API spec with examples.",
    ),
    Expectation(
        "every example matches its schema",
        judged_by(openapi.example_problems, spec_of),
        hint="Fix the example or the schema; quote date-times, and give each required field.",
    ),
)


def tsd_of(given: Given) -> str:
    return given.once(tsd.FILE, tsd.read_tsd)


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
        advised_by(tsd.heading_problems, tsd.heading_advice, tsd_of),
        hint="Keep the template's `## ` headings as they are written; add your own if you need them.",
    ),
    Expectation(
        "nothing is left of the template: no placeholder, guidance, example or empty section",
        judged_by(tsd.placeholder_problems, tsd_of),
        hint="Fill in or delete each of the template's other sections; delete the `>` guidance,"
        " the collapsed examples and “How to use this template”.",
    ),
    Expectation(
        "the architecture is a Mermaid diagram of your own components",
        judged_by(tsd.diagram_problems, tsd_of),
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
        judged_by(tsd.data_model_problems, tsd_of),
        hint="One row per column: `| rooms | capacity | INTEGER | not null, > 0 |` under"
        " `| Table | Column | Type | Notes |`.",
    ),
    Expectation(
        "the scaling considerations give numbers",
        judged_by(tsd.scaling_problems, tsd_of),
        hint="Say how much load you expect (requests a second, bookings a year) and where the"
        " design stops.",
    ),
)

EXERCISES = {"02.1": SPEC, "02.2": TSD}
