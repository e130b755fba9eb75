"""Exercise 02.2: the TSD's checks, and its consistency with the project's openapi.yaml."""

from __future__ import annotations

import re

import pytest

from onboarding import paths, project, protocol
from onboarding.checks import Given, run_expectations
from onboarding.stages.api_design import EXERCISES, tsd

MODEL = project.reference("02")
TEMPLATE = (paths.course_root() / "templates" / "tsd.md").read_text(encoding="utf-8")
(FILE_OK, HEADINGS, LEFTOVERS, DIAGRAM, ENDPOINTS, DATA_MODEL, SCALING) = (
    expectation.text for expectation in EXERCISES["02.2"]
)


@pytest.fixture
def model_project(workspace):
    """A learner's project at the end of stage 02, as the model answer has it."""
    return project.prepare("02", workspace, solved=True)


def save(root, relative: str, text: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def judged() -> protocol.CheckResult:
    return run_expectations("02.2", EXERCISES["02.2"], Given(), echo=False)


def outcome(result: protocol.CheckResult, text: str) -> protocol.Outcome:
    return next(item for item in result.outcomes if item.text == text)


def with_tsd(root, change) -> protocol.CheckResult:
    save(root, tsd.FILE, change(MODEL[tsd.FILE]))
    return judged()


def test_the_model_passes_and_says_no_advice(model_project):
    result = judged()
    assert result.ok, result.lines()
    assert not any(item.advice for item in result.outcomes)


def test_the_template_fails_with_useful_lines(model_project):
    save(model_project, tsd.FILE, TEMPLATE)
    result = judged()
    assert outcome(result, FILE_OK).passed and outcome(result, HEADINGS).passed
    assert "`## How to use this template` is the template's guidance" in (
        outcome(result, LEFTOVERS).found
    )
    assert "still the template's sketch" in outcome(result, DIAGRAM).found
    assert "has no table with `Method` and `Path` columns" in outcome(result, ENDPOINTS).found
    assert "has no table of columns" in outcome(result, DATA_MODEL).found
    assert "gives no numbers" in outcome(result, SCALING).found


def test_a_tsd_that_contradicts_the_spec_names_each_mismatch_with_both_sides(model_project):
    """Issue 8: a document that contradicts the spec; each mismatch quotes both sides."""

    def contradict(text: str) -> str:
        text = text.replace(
            "| POST | /bookings/{booking_id}/cancel |", "| DELETE | /bookings/{booking_id} |"
        )
        return text.replace("| GET | /health/ready | Readiness probe", "| GET | /health | Probe")

    found = outcome(with_tsd(model_project, contradict), ENDPOINTS)
    assert not found.passed
    assert found.found == (
        "docs/tsd.md lists `DELETE /bookings/{booking_id}` (API summary, row 6), but "
        "openapi.yaml has GET /bookings/{booking_id}; docs/tsd.md lists `GET /health` (API "
        "summary, row 8), but openapi.yaml has no path /health; openapi.yaml has "
        "`POST /bookings/{booking_id}/cancel`, but docs/tsd.md's API summary does not; and 1 more"
    )


def test_a_spec_that_gained_an_operation_is_named(model_project):
    spec = MODEL["openapi.yaml"].replace(
        "  /health/live:\n",
        '  /rooms/{room_id}:\n    get:\n      responses:\n        "200":\n'
        "          description: The room.\n  /health/live:\n",
        1,
    )
    assert spec != MODEL["openapi.yaml"]
    save(model_project, "openapi.yaml", spec)
    found = outcome(judged(), ENDPOINTS)
    assert found.found == (
        "openapi.yaml has `GET /rooms/{room_id}`, but docs/tsd.md's API summary does not"
    )


def test_headings_in_another_letter_case_pass_every_check(model_project):
    """`## data model` is the template's `## Data model`: every check reads it as that."""
    result = with_tsd(
        model_project, lambda t: re.sub(r"(?m)^## (.+)$", lambda m: f"## {m[1].lower()}", t)
    )
    assert MODEL[tsd.FILE] != MODEL[tsd.FILE].lower()
    assert result.ok, result.lines()
    assert not any(item.advice for item in result.outcomes)


def test_other_parameter_names_and_row_orders_are_the_same_endpoints(model_project):
    def reorder(text: str) -> str:
        rows = re.findall(r"^\| (?:GET|POST) \|.*$", text, flags=re.MULTILINE)
        renamed = [row.replace("{room_id}", "{roomId}") for row in reversed(rows)]
        for row in rows:
            text = text.replace(row + "\n", "", 1)
        header = "| --- | --- | --- | --- | --- |\n"
        at = text.index(header, text.index("## API summary")) + len(header)
        return text[:at] + "\n".join(renamed) + "\n" + text[at:]

    assert outcome(with_tsd(model_project, reorder), ENDPOINTS).passed


def test_an_endpoint_listed_twice_is_named(model_project):
    def twice(text: str) -> str:
        row = "| GET | /rooms | List the rooms | 200 | none |\n"
        return text.replace(row, row + row)

    found = outcome(with_tsd(model_project, twice), ENDPOINTS).found
    assert found == "`GET /rooms` is listed twice in docs/tsd.md (rows 1 and 2)"


def test_a_path_under_the_method_header_is_named_as_such(model_project):
    """Rows written path first under a `| Method | Path |` header: the row is named, not the
    words of its path read as methods."""

    def swapped(text: str) -> str:
        return text.replace(
            "| GET | /rooms | List the rooms |", "| /rooms | GET | List the rooms |"
        )

    found = outcome(with_tsd(model_project, swapped), ENDPOINTS)
    assert not found.passed
    assert found.found.startswith(
        "row 1 of the API summary has “/rooms” where its `Method` column is, not an HTTP method:"
        " put the method (GET, POST, …) and the path each under its own header; openapi.yaml"
        " has `GET /rooms`, but docs/tsd.md's API summary does not"
    ), found.found


def test_a_broken_spec_is_one_clear_line(model_project):
    save(model_project, "openapi.yaml", "openapi: [3.1\n")
    found = outcome(judged(), ENDPOINTS).found
    assert found.startswith(
        "openapi.yaml cannot be read, so the API summary cannot be compared with it "
        "(openapi.yaml is not valid YAML: line 2, column 1"
    )
    assert found.endswith("; finish exercise 02.1 first")
    (model_project / "openapi.yaml").unlink()
    assert "openapi.yaml does not exist yet" in outcome(judged(), ENDPOINTS).found


def test_a_deleted_tsd_is_one_clear_line(model_project):
    (model_project / tsd.FILE).unlink()
    result = judged()
    assert outcome(result, FILE_OK).found == (
        "tsd.md does not exist yet — create it in your project folder, service/docs/ in your "
        "workspace"
    )
    assert all(item.found.startswith("not checked until") for item in result.outcomes[1:])


@pytest.mark.parametrize(
    ("change", "expectation", "message"),
    [
        (
            lambda t: t.replace("## Context", "## Contexts"),
            HEADINGS,
            "write `## Contexts` exactly as `## Context`",
        ),
        (
            lambda t: re.sub(r"(?s)## Context\n.*?(?=## Architecture)", "", t),
            HEADINGS,
            "missing: `## Context`",
        ),
        (
            lambda t: t.replace("## Security\n", "## Security\n\n[Security.]\n"),
            LEFTOVERS,
            "`## Security` still has the placeholder `[Security.]`",
        ),
        (
            lambda t: re.sub(r"(?s)```mermaid.*?```", "No diagram yet.", t),
            DIAGRAM,
            "`## Architecture` has no ```mermaid diagram",
        ),
        (
            lambda t: t.replace("flowchart LR", "flowhcart LR"),
            DIAGRAM,
            "the diagram starts with “flowhcart LR”, not a Mermaid diagram type",
        ),
        (
            lambda t: re.sub(
                r"(?s)(```mermaid\n).*?(```)", r"\1flowchart LR\n    api --> db\n\2", t
            ),
            DIAGRAM,
            "the diagram draws 1 connection; show how a request flows",
        ),
        (
            lambda t: t.replace(
                "accTitle: Booking service: components and request flow",
                "accTitle: [Service name]: components and request flow",
            ),
            DIAGRAM,
            "the diagram's accTitle is still the template's placeholder",
        ),
        (
            lambda t: t.replace("| rooms | name | TEXT |", "| rooms | name |  |"),
            DATA_MODEL,
            "no type for rooms.name",
        ),
        (
            lambda t: re.sub(
                r"(?s)## Scaling considerations\n.*?(?=## Security)",
                "## Scaling considerations\n\nIt scales well enough for now.\n\n",
                t,
            ),
            SCALING,
            "`## Scaling considerations` gives no numbers",
        ),
        (
            lambda t: re.sub(
                r"(?m)^\| (GET|POST) \| (/\S*) \| ([^|]*) \|.*$",
                r"- `\1 \2`: \3",
                t.replace(
                    "| Method | Path | Purpose | Success | Errors |\n"
                    "| --- | --- | --- | --- | --- |\n",
                    "",
                ),
            ),
            ENDPOINTS,
            "it lists 8 operations as a bulleted list (“GET /rooms”): put them in a"
            " `| Method | Path |` table instead, one row each",
        ),
    ],
    ids=[
        "near-miss-heading",
        "missing-section",
        "placeholder",
        "no-diagram",
        "not-mermaid",
        "one-edge",
        "placeholder-title",
        "untyped-column",
        "no-numbers",
        "endpoints-as-a-list",
    ],
)
def test_each_mistake_is_named(model_project, change, expectation, message):
    result = with_tsd(model_project, change)
    found = outcome(result, expectation)
    assert not found.passed
    assert message in found.found
    failed = [item.text for item in result.outcomes if not item.passed]
    assert failed == [expectation], failed


def test_a_tsd_written_another_way_passes(model_project):
    """Tables one per table, extra sections, the optional ones deleted, sections out of order."""

    def rewrite(text: str) -> str:
        data_model = (
            "## Data model\n\n### rooms\n\n| Column | Type |\n| --- | --- |\n| id | INTEGER |\n"
            "| name | TEXT |\n| capacity | INTEGER |\n\n### bookings\n\n| Column | Type |\n"
            "| --- | --- |\n| id | INTEGER |\n| room_id | INTEGER |\n\n"
        )
        text = re.sub(r"(?s)## Data model\n.*?(?=## API summary)", data_model, text)
        text = re.sub(r"(?s)## Security\n.*?(?=## Observability)", "", text)
        text = text.replace(
            "## Open questions", "## Glossary\n\nTSD: this document.\n\n## Open questions"
        )
        scaling = re.search(r"(?s)## Scaling considerations\n.*?(?=## Observability)", text)[0]
        return text.replace(scaling, "").replace("## Context", scaling + "## Context")

    result = with_tsd(model_project, rewrite)
    assert result.ok, result.lines()
    assert outcome(result, HEADINGS).advice.startswith("`## Context` comes after")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda t: re.sub(r"(?s)```mermaid\n(.*?)```", r"~~~mermaid\n\1~~~", t),
            id="tilde-fence",
        ),
        pytest.param(
            lambda t: t.replace(
                "```mermaid\nflowchart LR\n",
                "```mermaid\n---\ntitle: Booking service\n---\n%%{init: {'theme': 'neutral'}}%%\n"
                "flowchart LR\n",
            ),
            id="front-matter-and-init-directive",
        ),
        pytest.param(
            lambda t: t.replace("## Architecture\n", "## Architecture:\n").replace(
                "## Data model\n", "## Data model (SQLite)\n"
            ),
            id="heading-with-a-colon-or-a-qualifier",
        ),
        pytest.param(lambda t: "\ufeff" + t.replace("\n", "\r\n"), id="crlf-and-byte-order-mark"),
        pytest.param(
            lambda t: re.sub(r"(?m)^\| (GET|POST) \| (/\S*) \|", r"| \2 | \1 |", t).replace(
                "| Method | Path |", "| Path | Method |"
            ),
            id="path-column-first",
        ),
        pytest.param(
            lambda t: re.sub(r"(?m)^\| ((?:GET|POST|Method|---) \|.*) \|$", r"\1", t),
            id="api-table-without-outer-pipes",
        ),
    ],
)
def test_a_tsd_in_another_form_passes_every_check(model_project, change):
    assert change(MODEL[tsd.FILE]) != MODEL[tsd.FILE]
    result = with_tsd(model_project, change)
    assert result.ok, result.lines()


@pytest.mark.parametrize(
    ("model", "named"),
    [
        pytest.param(
            "```mermaid\nerDiagram\n  rooms {\n    INTEGER id PK\n  }\n```\n",
            "a Mermaid erDiagram",
            id="er-diagram",
        ),
        pytest.param(
            "```sql\nCREATE TABLE rooms (id INTEGER PRIMARY KEY);\n```\n",
            "SQL",
            id="sql",
        ),
    ],
)
def test_a_data_model_drawn_or_in_sql_only_is_asked_for_as_a_table(model_project, model, named):
    """Stage 03 reads the table shapes only; a learner who drew the model is told so."""

    def draw(text: str) -> str:
        return re.sub(
            r"(?s)(## Data model\n\n)\| Table \|.*?\n\n", lambda m: m[1] + model + "\n", text
        )

    found = outcome(with_tsd(model_project, draw), DATA_MODEL)
    assert not found.passed
    assert "has no table of columns" in found.found
    assert f"it has {named}, which stage 03 cannot compare with your migrations" in found.found


def _diagram(body: str):
    """A change that puts `body` in place of the model's architecture diagram."""
    return lambda text: re.sub(r"(?s)(```mermaid\n).*?(```)", lambda m: m[1] + body + m[2], text)


ACCESSIBLE = "    accTitle: Booking service\n    accDescr: Who calls what.\n"
"""A diagram's accessible title and description, for a body that tests something else."""
EDGES = "    client --> api\n    api --> db\n"


def _accessible(body: str) -> str:
    """A diagram body with an accessible title and description after its type."""
    kind, rest = body.split("\n", 1)
    return f"{kind}\n{ACCESSIBLE}{rest}"


@pytest.mark.parametrize(
    ("scaling", "measurable"),
    [
        ("About 2 requests a second at peak; SQLite is fine to 50 writes a second.", True),
        ("About two requests a second at peak; SQLite is fine to fifty writes a second.", True),
        ("Twenty thousand bookings a year, a dozen rooms.", True),
        ("p95 under three hundred ms until about a hundred users.", True),
        ("It scales well enough for now, for one office.", False),
        ("Twice as fast as the spreadsheet.", False),
    ],
)
def test_scaling_numbers_may_be_written_in_words(scaling, measurable):
    text = re.sub(
        r"(?s)## Scaling considerations\n.*?(?=## Security)",
        f"## Scaling considerations\n\n{scaling}\n\n",
        MODEL[tsd.FILE],
    )
    assert (tsd.scaling_problems(text) == []) is measurable


@pytest.mark.parametrize(
    ("scaling", "measurable"),
    [
        pytest.param(
            "| Measure | Now | In a year |\n| --- | --- | --- |\n"
            "| Requests per second at peak | 2 | 5 |\n| Bookings per year | 20,000 | 30,000 |\n",
            True,
            id="units-in-the-row-label",
        ),
        pytest.param(
            "| Load | Requests/s |\n| --- | --- |\n| Peak | 2 |\n| Limit of SQLite | 50 |\n",
            True,
            id="units-in-the-column-header",
        ),
        pytest.param(
            "| Component | Limit (req/s) |\n| --- | --- |\n| SQLite writes | 50 |\n",
            True,
            id="units-in-brackets-in-the-header",
        ),
        pytest.param(
            "| Measure | Now | In a year |\n| --- | --- | --- |\n| Load | 2 | 5 |\n"
            "| Limit | 50 | 50 |\n",
            False,
            id="bare-numbers-under-time-columns",
        ),
    ],
)
def test_scaling_numbers_in_a_table_are_read_with_their_row_and_column(scaling, measurable):
    """A table puts the unit in its row's label or its column's header, not beside the number;
    a column that says when ("In a year") is no unit."""
    text = re.sub(
        r"(?s)## Scaling considerations\n.*?(?=## Security)",
        f"## Scaling considerations\n\n{scaling}\n",
        MODEL[tsd.FILE],
    )
    assert (tsd.scaling_problems(text) == []) is measurable


WRITERS_DETAILS = (
    "<details>\n<summary>Why not a message queue?</summary>\n\n"
    "A booking is confirmed while the user waits, so it is written at once.\n\n</details>\n\n"
)
TEMPLATE_EXAMPLE = re.search(r"(?s)<details>.*?</details>", TEMPLATE)[0] + "\n\n"


def _in_architecture(addition: str):
    """A change that puts `addition` at the top of the model's `## Architecture`."""
    return lambda text: text.replace("## Architecture\n", f"## Architecture\n\n{addition}", 1)


@pytest.mark.parametrize(
    "addition",
    [
        pytest.param(WRITERS_DETAILS, id="writers-own-folded-block"),
        pytest.param(
            "> [!NOTE]\n> The PRD is still in review; this design follows its draft.\n\n",
            id="github-alert",
        ),
    ],
)
def test_the_writers_own_markdown_is_no_leftover_of_the_template(model_project, addition):
    result = with_tsd(model_project, _in_architecture(addition))
    assert outcome(result, LEFTOVERS).passed, outcome(result, LEFTOVERS).found


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        pytest.param(
            TEMPLATE_EXAMPLE,
            "`## Architecture` still holds the template's collapsed example",
            id="the-templates-example",
        ),
        pytest.param(
            TEMPLATE_EXAMPLE.replace("Example: meeting-room booking service", "Background"),
            "`## Architecture` still holds the template's collapsed example",
            id="the-templates-example-renamed",
        ),
        pytest.param(
            WRITERS_DETAILS.replace("A booking is", "[Context.] A booking is"),
            "`## Architecture` still has the placeholder `[Context.]`",
            id="a-placeholder-in-a-folded-block-of-ones-own",
        ),
        pytest.param(
            "> [!NOTE]\n> Draw the components and how requests and data flow between them.\n\n",
            "`## Architecture` still has the template's guidance",
            id="guidance-under-an-alert",
        ),
    ],
)
def test_the_templates_leftovers_are_named_inside_the_writers_markdown(
    model_project, addition, message
):
    found = outcome(with_tsd(model_project, _in_architecture(addition)), LEFTOVERS)
    assert not found.passed
    assert message in found.found


@pytest.mark.parametrize(
    "body",
    [
        "flowchart LR\n    client --> api\n    api --> db\n",
        'C4Container\n    Person(user, "Employee")\n    Rel(user, api, "books")\n'
        '    Rel(api, db, "reads and writes")\n',
        "architecture-beta\n    service api(server)[API]\n    service db(database)[SQLite]\n"
        "    client:R --> L:api\n    api:R -- L:db\n",
    ],
    ids=["flowchart", "c4", "architecture"],
)
def test_a_diagram_with_exactly_the_least_connections_passes(model_project, body):
    """The threshold at its limit: two connections pass, in any kind of diagram."""
    assert tsd.MIN_EDGES == 2
    result = with_tsd(model_project, _diagram(_accessible(body)))
    assert outcome(result, DIAGRAM).passed, outcome(result, DIAGRAM).found


def test_a_c4_diagram_with_one_relationship_fails(model_project):
    result = with_tsd(
        model_project,
        _diagram('C4Context\n    Person(user, "Employee")\n    Rel(user, api, "books")\n'),
    )
    found = outcome(result, DIAGRAM)
    assert not found.passed
    assert "the diagram draws 1 connection; show how a request flows" in found.found


def test_an_api_summary_with_one_endpoint_column_is_compared_too(model_project):
    """`POST /rooms` in one column is the same summary; a missing operation is still named."""

    def combine(text: str) -> str:
        return re.sub(
            r"(?m)^\| (GET|POST|PUT|PATCH|DELETE) \| (/\S*) \|", r"| `\1 \2` |", text
        ).replace("| Method | Path |", "| Endpoint |")

    model = MODEL[tsd.FILE]
    assert "| Method | Path |" not in combine(model) and "| `POST /rooms` |" in combine(model)
    result = with_tsd(model_project, combine)
    assert outcome(result, ENDPOINTS).passed, outcome(result, ENDPOINTS).found
    dropped = with_tsd(
        model_project, lambda t: re.sub(r"(?m)^\| `GET /rooms` \|.*\n", "", combine(t))
    )
    assert "openapi.yaml has `GET /rooms`, but docs/tsd.md's API summary does not" in (
        outcome(dropped, ENDPOINTS).found
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("{room_id}", ":room_id").replace("{booking_id}", ":booking_id"),
        lambda t: t.replace("| Method | Path |", "| HTTP method | Path |"),
        lambda t: t.replace("| Method | Path |", "| Method | Endpoint |"),
        lambda t: t.replace(
            "| GET | /rooms/{room_id}/bookings |",
            "| GET | /rooms/{room_id}/bookings?limit&offset |",
        ),
        lambda t: t.replace("| Method | Path |", "| Request method | Endpoint path |"),
        lambda t: t.replace("| Method | Path |", "| Method | Resource path |"),
        lambda t: t.replace("| Method | Path |", "| Method | URL template |"),
        lambda t: t.replace("| Method | Path |", "| Method | Request path |"),
        lambda t: t.replace("| Method | Path |", "| Verb | Route |"),
        lambda t: re.sub(r"(?m)^\| (GET|POST) \| (/\S*) \|", r"| `\1` | `\2` |", t),
    ],
    ids=[
        "colon-parameters",
        "http-method-column",
        "endpoint-column-of-paths",
        "query-string",
        "request-method-and-endpoint-path",
        "resource-path",
        "url-template",
        "request-path",
        "verb-and-route",
        "cells-in-code-spans",
    ],
)
def test_an_api_summary_written_another_way_matches_the_spec(model_project, change):
    """The same operations, in another notation the writer's readers know."""
    assert change(MODEL[tsd.FILE]) != MODEL[tsd.FILE]
    found = outcome(with_tsd(model_project, change), ENDPOINTS)
    assert found.passed, found.found


def test_an_api_summary_under_other_headers_is_still_compared(model_project):
    """Headers in other words name the same columns, so a missing operation is still named."""

    def renamed_without_get_rooms(text: str) -> str:
        text = text.replace("| Method | Path |", "| Request method | Endpoint path |")
        return re.sub(r"(?m)^\| GET \| /rooms \|.*\n", "", text)

    found = outcome(with_tsd(model_project, renamed_without_get_rooms), ENDPOINTS)
    assert not found.passed
    assert "openapi.yaml has `GET /rooms`, but docs/tsd.md's API summary does not" in found.found


def _with_servers(servers: str):
    """A change of the model spec that declares `servers` (YAML, as under `servers:`)."""
    return lambda spec: spec.replace("\npaths:\n", f"\nservers:\n{servers}paths:\n", 1)


def _prefixed(prefix: str):
    """A change of the TSD that writes every path of its API summary with `prefix` before it."""
    return lambda text: re.sub(r"(?m)^(\| (?:GET|POST) \| )/", rf"\g<1>{prefix}/", text)


@pytest.mark.parametrize(
    "servers",
    [
        "  - url: /v1\n",
        "  - url: https://api.example.com/v1\n",
        "  - url: https://api.example.com/v1/\n",
        "  - url: http://localhost:8000\n  - url: https://api.example.com/v1\n",
        "  - url: https://api.example.com/{version}\n    variables:\n      version:\n"
        "        default: v1\n        enum: [v1]\n",
    ],
    ids=["relative", "absolute", "trailing-slash", "one-of-two", "server-variable"],
)
def test_paths_written_with_a_servers_base_are_the_specs_paths(model_project, servers):
    """`/v1/rooms` is the URL a client calls when the spec serves `/rooms` from `/v1`."""
    spec = _with_servers(servers)(MODEL["openapi.yaml"])
    assert spec != MODEL["openapi.yaml"]
    save(model_project, "openapi.yaml", spec)
    assert "| GET | /v1/rooms |" in _prefixed("/v1")(MODEL[tsd.FILE])
    found = outcome(with_tsd(model_project, _prefixed("/v1")), ENDPOINTS)
    assert found.passed, found.found
    # The paths as the spec writes them stay right too.
    assert outcome(judged(), ENDPOINTS).passed


@pytest.mark.parametrize(
    ("servers", "spec_prefix", "tsd_prefix", "message"),
    [
        ("  - url: /v1\n", "", "/v2", "openapi.yaml has no path /v2/rooms"),
        ("", "", "/v1", "openapi.yaml has no path /v1/rooms"),
        ("  - url: /\n", "", "/v1", "openapi.yaml has no path /v1/rooms"),
        ("  - url: https://api.example.com\n", "", "/v1", "openapi.yaml has no path /v1/rooms"),
        # The converse: the spec's paths hold the /v1 and its server is the root, so /rooms is
        # not a URL the service serves.
        ("  - url: /\n", "/v1", "", "openapi.yaml has no path /rooms"),
        (
            "  - url: https://api.example.com/v1\n",
            "",
            "https://api.example.com/v2",
            "openapi.yaml has no path https://api.example.com/v2/rooms",
        ),
    ],
    ids=[
        "another-base",
        "no-servers",
        "root-server",
        "host-only",
        "base-left-out",
        "whole-url-with-another-base",
    ],
)
def test_a_base_no_server_declares_is_still_refused(
    model_project, servers, spec_prefix, tsd_prefix, message
):
    spec = MODEL["openapi.yaml"]
    if spec_prefix:
        spec = re.sub(r"(?m)^  /", f"  {spec_prefix}/", spec)
        assert f"\n  {spec_prefix}/rooms:\n" in spec
    save(model_project, "openapi.yaml", _with_servers(servers)(spec) if servers else spec)
    found = outcome(with_tsd(model_project, _prefixed(tsd_prefix)), ENDPOINTS)
    assert not found.passed
    assert message in found.found


@pytest.mark.parametrize(
    ("servers", "url", "header"),
    [
        ("", "https://bookings.example.com", "| Method | URL |"),
        ("  - url: https://api.example.com/v1\n", "https://api.example.com/v1", "| Method | URL |"),
        ("  - url: /v1\n", "http://localhost:8000/v1", "| Method | Path |"),
    ],
    ids=["no-servers", "the-servers-url", "a-local-host"],
)
def test_an_api_summary_of_whole_urls_names_the_specs_paths(model_project, servers, url, header):
    """A `URL` column holds what a client calls: the host says where the service runs, not
    which operation; the path after it is compared as a path is."""
    save(model_project, "openapi.yaml", _with_servers(servers)(MODEL["openapi.yaml"]))
    assert "| Method | Path |" in MODEL[tsd.FILE]
    found = outcome(
        with_tsd(model_project, lambda t: _prefixed(url)(t).replace("| Method | Path |", header)),
        ENDPOINTS,
    )
    assert found.passed, found.found

    def combined(text: str) -> str:
        text = re.sub(r"(?m)^\| (GET|POST) \| (/\S*) \|", rf"| \1 {url}\2 |", text)
        return text.replace("| Method | Path |", "| Endpoint |")

    found = outcome(with_tsd(model_project, combined), ENDPOINTS)
    assert found.passed, found.found


def test_a_path_listed_with_and_without_the_base_is_listed_twice(model_project):
    save(model_project, "openapi.yaml", _with_servers("  - url: /v1\n")(MODEL["openapi.yaml"]))

    def twice(text: str) -> str:
        row = "| GET | /rooms | List the rooms | 200 | none |\n"
        return text.replace(row, row + row.replace("/rooms", "/v1/rooms"))

    found = outcome(with_tsd(model_project, twice), ENDPOINTS).found
    assert found == "`GET /v1/rooms` is listed twice in docs/tsd.md (rows 1 and 2)"


@pytest.mark.parametrize(
    "body",
    [
        "flowchart LR\n    accTitle: Booking service\n    accDescr: Who calls what.\n"
        "    client -.- api\n    api --o db\n",
        "sequenceDiagram\n    accTitle: Booking service\n    accDescr: Who calls what.\n"
        "    Client->API: POST /rooms/1/bookings\n    API->DB: INSERT\n",
    ],
    ids=["open-and-circle-links", "sequence-lines"],
)
def test_a_diagram_drawn_with_other_links_passes(model_project, body):
    result = with_tsd(model_project, _diagram(body))
    assert outcome(result, DIAGRAM).passed, outcome(result, DIAGRAM).found


def _numbered(style: str):
    """A change that numbers every `## ` heading in `style` (`{n}.`) and gives the data model
    a numbered `###` heading per table."""

    def number(text: str) -> str:
        count = iter(range(1, 100))
        text = re.sub(r"(?m)^## ", lambda _: f"## {style.format(n=next(count))} ", text)
        return text.replace(
            "| Table | Column | Type | Notes |",
            "### 3.1 All tables\n\n| Table | Column | Type | Notes |",
        )

    return number


@pytest.mark.parametrize("style", ["{n}.", "{n})", "{n}.0", "{n} -", "{n}:", "{n}"])
def test_numbered_headings_pass_every_check(model_project, style):
    """`## 1. Context`, `## 2) Architecture`: numbering the sections is a style, not a name."""
    numbered = _numbered(style)(MODEL[tsd.FILE])
    assert f"## {style.format(n=1)} Context" in numbered
    result = with_tsd(model_project, _numbered(style))
    assert result.ok, result.lines()
    assert not any(item.advice for item in result.outcomes)


def setext(text: str) -> str:
    """A document with every ATX heading of levels 1 and 2 written as a Setext heading."""
    return re.sub(
        r"(?m)^(#{1,2}) (.+)$",
        lambda found: f"{found[2]}\n{('=' if found[1] == '#' else '-') * len(found[2])}",
        text,
    )


@pytest.mark.parametrize("style", [None, "{n}.0", "{n} -", "{n}:", "{n}"])
def test_setext_headings_numbered_or_not_pass_every_check(model_project, style):
    """`Context` underlined with `---` is CommonMark's other way to write `## Context`.

    (`1. Context` over `---` is no heading in CommonMark: a list item, then a thematic break.)
    """
    result = with_tsd(model_project, lambda text: setext(_numbered(style)(text) if style else text))
    assert "\n## " not in setext(MODEL[tsd.FILE])
    assert result.ok, result.lines()
    assert not any(item.advice for item in result.outcomes)


def test_a_thematic_break_under_a_blank_line_makes_no_section(model_project):
    def broken(text: str) -> str:
        return setext(text).replace("Data model\n----------\n", "Data model\n\n----------\n")

    result = with_tsd(model_project, broken)
    assert outcome(result, HEADINGS).found == "missing: `## Data model`"
    assert outcome(result, DATA_MODEL).found == "there is no `## Data model` section"


def test_a_numbered_heading_still_has_to_name_its_section(model_project):
    result = with_tsd(
        model_project, lambda t: _numbered("{n}.")(t).replace("1. Context", "1. Contexts")
    )
    assert "write `## Contexts` exactly as `## Context`" in outcome(result, HEADINGS).found
    failed = [item.text for item in result.outcomes if not item.passed]
    assert failed == [HEADINGS], failed


@pytest.mark.parametrize(
    "body",
    [
        "flowchart LR\n    client & admin --> api\n",
        "flowchart LR\n    client --> api --> db & cache\n",
        "graph TD\n    client & admin -->|HTTPS| api\n",
    ],
    ids=["many-to-one", "one-to-many", "labelled"],
)
def test_a_diagram_using_mermaids_ampersand_shorthand_passes(model_project, body):
    """`client & admin --> api` is two links, one from each."""
    result = with_tsd(model_project, _diagram(_accessible(body)))
    assert outcome(result, DIAGRAM).passed, outcome(result, DIAGRAM).found


@pytest.mark.parametrize(
    "body",
    [
        'flowchart LR\n    client["Web & mobile"] --> api\n',
        "flowchart LR\n    client -->|reads & writes| api\n",
        "flowchart LR\n    client & admin\n    admin --> api\n",
    ],
    ids=["ampersand-in-a-node", "ampersand-in-a-link-label", "ampersand-without-a-link"],
)
def test_an_ampersand_that_is_not_the_shorthand_is_not_a_link(model_project, body):
    found = outcome(with_tsd(model_project, _diagram(body)), DIAGRAM)
    assert not found.passed
    assert "the diagram draws 1 connection; show how a request flows" in found.found


@pytest.mark.parametrize(
    "lines",
    [
        "accTitle: Booking service [v2]: components and request flow\n    accDescr: Who calls what.",
        "accTitle: Booking service\n"
        "    accDescr: The client calls the API over HTTPS [JSON]; the API writes SQLite.",
    ],
    ids=["title", "description"],
)
def test_brackets_of_the_writers_own_in_the_accessible_text_pass(model_project, lines):
    body = "flowchart LR\n    " + lines + "\n" + EDGES
    result = with_tsd(model_project, _diagram(body))
    assert outcome(result, DIAGRAM).passed, outcome(result, DIAGRAM).found


def test_the_templates_accessible_description_left_is_named(model_project):
    description = (
        "accDescr: [Say in one or two sentences what the diagram shows, for a reader who cannot"
        " see it.]"
    )
    assert description in TEMPLATE
    body = f"flowchart LR\n    accTitle: Booking service\n    {description}\n{EDGES}"
    found = outcome(with_tsd(model_project, _diagram(body)), DIAGRAM)
    assert not found.passed
    assert found.found == "the diagram's accDescr is still the template's placeholder"


@pytest.mark.parametrize(
    "body",
    [
        "flowchart LR\n    accTitle: Booking service\n    accDescr {\n        The client calls"
        " the API.\n        The API writes SQLite.\n    }\n" + EDGES,
        "flowchart LR\n    accTitle: Booking service\n    accDescr { Who calls what. }\n" + EDGES,
        "flowchart LR\n    accTitle: Booking service\n    accDescr\n    {\n    Who calls what.\n"
        "    }\n" + EDGES,
        "flowchart LR\n" + EDGES + ACCESSIBLE,
        "sequenceDiagram\n    accDescr: Who calls what.\n    accTitle: Booking service\n"
        "    Client->>API: POST /rooms/1/bookings\n    API->>DB: INSERT\n",
    ],
    ids=[
        "description-block",
        "block-on-one-line",
        "brace-on-its-own-line",
        "at-the-end",
        "sequence",
    ],
)
def test_an_accessible_title_and_description_written_another_way_pass(model_project, body):
    """Mermaid's block form `accDescr { … }`, over several lines or one, and in any place."""
    found = outcome(with_tsd(model_project, _diagram(body)), DIAGRAM)
    assert found.passed, found.found


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ("flowchart LR\n" + EDGES, "no `accTitle:` and no `accDescr:`"),
        ("flowchart LR\n    accTitle: Booking service\n" + EDGES, "no `accDescr:`"),
        ("flowchart LR\n    accDescr: Who calls what.\n" + EDGES, "no `accTitle:`"),
        ("flowchart LR\n    accTitle:\n    accDescr: Who calls what.\n" + EDGES, "no `accTitle:`"),
        ("flowchart LR\n    accTitle: Booking\n    accDescr {\n    }\n" + EDGES, "no `accDescr:`"),
        ("flowchart LR\n    accTitle: TODO\n    accDescr: TBD\n" + EDGES, "no `accTitle:` and no"),
        ("flowchart LR\n    %% accTitle: Booking\n    accDescr: Who.\n" + EDGES, "no `accTitle:`"),
    ],
    ids=["neither", "no-description", "no-title", "empty-title", "empty-block", "todo", "comment"],
)
def test_a_diagram_without_an_accessible_title_or_description_fails(model_project, body, missing):
    result = with_tsd(model_project, _diagram(body))
    found = outcome(result, DIAGRAM)
    assert not found.passed
    assert f"the diagram has {missing}" in found.found
    assert "screen reader" in found.found
    failed = [item.text for item in result.outcomes if not item.passed]
    assert failed == [DIAGRAM], failed


def test_only_a_diagram_in_the_architecture_section_counts(model_project):
    """A diagram elsewhere (under `## Context`) does not draw the architecture."""

    def moved(text: str) -> str:
        diagram = re.search(r"(?s)```mermaid\n.*?```\n", text)[0]
        text = text.replace(diagram, "")
        return text.replace("## Context\n", "## Context\n\n" + diagram + "\n", 1)

    assert "```mermaid" in moved(MODEL[tsd.FILE])
    found = outcome(with_tsd(model_project, moved), DIAGRAM)
    assert not found.passed
    assert "`## Architecture` has no ```mermaid diagram" in found.found
