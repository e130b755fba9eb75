"""Reading a TSD: the API summary's endpoints, the data model's columns, the diagrams."""

from __future__ import annotations

import pytest

from onboarding import paths, project
from onboarding.artefacts import tsd

TEMPLATE = (paths.course_root() / "templates" / "tsd.md").read_text(encoding="utf-8")
MODEL = project.reference("02")["docs/tsd.md"]


def test_the_models_endpoints_in_order():
    found = tsd.endpoints(MODEL)
    assert [str(endpoint) for endpoint in found] == [
        "GET /rooms",
        "POST /rooms",
        "GET /rooms/{room_id}/bookings",
        "POST /rooms/{room_id}/bookings",
        "GET /bookings/{booking_id}",
        "POST /bookings/{booking_id}/cancel",
        "GET /health/live",
        "GET /health/ready",
    ]
    assert [endpoint.row for endpoint in found] == list(range(1, 9))


def test_endpoints_in_code_spans_bold_and_lower_case_and_several_methods_in_a_row():
    text = (
        "## API summary\n\n| Path | Method |\n| --- | --- |\n| `/rooms` | **get**, POST |\n"
        "| /health/live | `GET` |\n"
    )
    assert [str(endpoint) for endpoint in tsd.endpoints(text)] == [
        "GET /rooms",
        "POST /rooms",
        "GET /health/live",
    ]


def test_the_templates_examples_are_not_endpoints():
    """The collapsed examples of the template are guidance, not the writer's API."""
    assert [str(endpoint) for endpoint in tsd.endpoints(TEMPLATE)] == ["[GET] [/things]"]


def test_the_data_model_as_one_table():
    model = tsd.data_model(MODEL)
    assert list(model) == ["rooms", "bookings"]
    assert [(column.name, column.type) for column in model["rooms"]] == [
        ("id", "INTEGER"),
        ("name", "TEXT"),
        ("capacity", "INTEGER"),
    ]
    assert [column.name for column in model["bookings"]][-2:] == ["cancelled", "cancelled_at"]


def test_the_data_model_as_one_table_per_table():
    text = (
        "## Data model\n\n### rooms\n\n| Column | Type | Notes |\n| --- | --- | --- |\n"
        "| id | INTEGER | primary key |\n| name | TEXT | unique |\n\n"
        "**bookings**\n\n| Column | Type |\n| --- | --- |\n| `id` | INTEGER |\n| start | TEXT |\n"
    )
    model = tsd.data_model(text)
    assert {table: [c.name for c in columns] for table, columns in model.items()} == {
        "rooms": ["id", "name"],
        "bookings": ["id", "start"],
    }
    assert model["rooms"][0].notes == "primary key"


def test_no_data_model_section_or_no_table():
    assert tsd.data_model("## Context\n\nHello.\n") == {}
    assert tsd.data_model("## Data model\n\nTwo tables, rooms and bookings.\n") == {}


def test_diagrams_and_their_edges():
    (diagram,) = tsd.diagrams(MODEL)
    assert diagram.lstrip().startswith("flowchart LR")
    assert tsd.diagram_edges(diagram) == 6
    assert tsd.diagrams("## Architecture\n\nNo diagram.\n") == []
    assert tsd.diagram_edges("sequenceDiagram\n  A->>B: hello\n  B-->>A: hi\n") == 2


@pytest.mark.parametrize(
    "diagram",
    [
        "flowchart LR\n  client --> api\n  api -- SQL --> db\n",
        "graph TD\n  client ==> api\n  api -.-> db\n",
        "sequenceDiagram\n  Client->>API: POST /rooms/1/bookings\n  API-->>Client: 201\n",
        'C4Container\n  Person(user, "Employee")\n  Rel(user, api, "books")\n'
        '  Rel_D(api, db, "reads and writes")\n',
        "architecture-beta\n  service api(server)[API]\n  service db(database)[DB]\n"
        "  api:R -- L:db\n  client:R --> L:api\n",
        "classDiagram\n  Room <|-- MeetingRoom\n  Room *-- Booking\n",
        "erDiagram\n  ROOM ||--o{ BOOKING : holds\n  BOOKING }o--|| ROOM : in\n",
    ],
    ids=["flowchart", "graph", "sequence", "c4", "architecture", "class", "er"],
)
def test_every_diagram_kind_counts_its_two_connections(diagram):
    """Each kind of diagram the check accepts has its connections counted, none twice."""
    assert tsd.diagram_edges(diagram) == 2


def test_nodes_and_labels_alone_are_no_connections():
    assert tsd.diagram_edges('flowchart LR\n  api["Booking API"]\n  db[(SQLite)]\n') == 0
    assert tsd.diagram_edges('C4Context\n  Person(user, "Employee")\n  System(s, "Rooms")\n') == 0


def test_an_endpoint_column_holds_the_method_and_the_path_together():
    """Another common shape: one `Endpoint` (or Operation, Route) column, "POST /rooms"."""
    text = (
        "## API summary\n\n| Endpoint | Purpose |\n| --- | --- |\n| `POST /rooms` | Create |\n"
        "| GET, PUT /rooms/{room_id} | Read, replace |\n| **get** `/health/live` | Alive |\n"
        "| See the spec | - |\n"
    )
    assert [(str(e), e.row) for e in tsd.endpoints(text)] == [
        ("POST /rooms", 1),
        ("GET /rooms/{room_id}", 2),
        ("PUT /rooms/{room_id}", 2),
        ("GET /health/live", 3),
    ]
    assert tsd.endpoints(text.replace("Endpoint", "Summary")) == []


@pytest.mark.parametrize(
    "header",
    [
        "| HTTP method | Path |",
        "| Verb | URL |",
        "| Method | Endpoint |",
        "| Method | Route |",
        "| Methods | Paths |",
    ],
    ids=["http-method", "verb-and-url", "method-and-endpoint", "method-and-route", "plurals"],
)
def test_method_and_path_columns_under_other_names(header):
    """A method column and a path column are that, whatever words head them."""
    text = (
        f"## API summary\n\n{header}\n| --- | --- |\n| GET | /rooms |\n"
        "| POST | /rooms/{room_id}/bookings |\n"
    )
    assert [str(endpoint) for endpoint in tsd.endpoints(text)] == [
        "GET /rooms",
        "POST /rooms/{room_id}/bookings",
    ]


@pytest.mark.parametrize("methods", ["GET, POST", "GET / POST", "GET<br>POST", "get<br/>post"])
def test_one_row_may_name_several_methods_of_a_path(methods):
    text = f"## API summary\n\n| Method | Path |\n| --- | --- |\n| {methods} | /rooms |\n"
    assert [str(endpoint) for endpoint in tsd.endpoints(text)] == ["GET /rooms", "POST /rooms"]


@pytest.mark.parametrize(
    ("cell", "path"),
    [
        ("[/rooms](../openapi.yaml)", "/rooms"),
        ("/bookings/\\{booking_id\\}", "/bookings/{booking_id}"),
        ("`/bookings/{booking_id}`", "/bookings/{booking_id}"),
        ("`/rooms` (every room)", "/rooms"),
        ("**/bookings/{booking_id}** cancelled or not", "/bookings/{booking_id}"),
    ],
    ids=["linked", "escaped-braces", "code-span", "code-span-and-a-note", "bold-and-a-note"],
)
def test_a_path_is_read_as_the_reader_sees_it(cell, path):
    text = f"## API summary\n\n| Method | Path |\n| --- | --- |\n| GET | {cell} |\n"
    assert [endpoint.path for endpoint in tsd.endpoints(text)] == [path]


@pytest.mark.parametrize(
    "path",
    [
        "/rooms/{room_id}/bookings",
        "/rooms/{roomId}/bookings/",
        "/rooms/:room_id/bookings",
        "/rooms/<room_id>/bookings",
        "/rooms/<int:room_id>/bookings",
        "/rooms/{room_id}/bookings?limit&offset",
        "https://bookings.example.com/rooms/{room_id}/bookings",
        "http://localhost:8000/rooms/:room_id/bookings",
    ],
    ids=[
        "openapi",
        "other-name",
        "colon",
        "angle-brackets",
        "converter",
        "query",
        "whole-url",
        "whole-url-with-a-port",
    ],
)
def test_every_way_of_writing_a_path_parameter_has_the_specs_shape(path):
    """Express's `:id` and Flask's `<id>` name a parameter as OpenAPI's `{id}` does; a whole
    URL names its path."""
    assert tsd.path_shape(path) == "/rooms/{}/bookings"


def test_a_whole_urls_base_stays_part_of_its_path():
    """Only the scheme and the host go: whether a base such as /v2 is right is the spec's say."""
    assert tsd.path_shape("https://api.example.com/v2/rooms/{id}") == "/v2/rooms/{}"
    text = (
        "## API summary\n\n| Method | URL |\n| --- | --- |\n"
        "| GET | https://api.example.com/v1/rooms |\n\n| Endpoint |\n| --- |\n"
        "| POST https://api.example.com/v1/rooms |\n"
    )
    assert [str(endpoint) for endpoint in tsd.endpoints(text)] == [
        "GET https://api.example.com/v1/rooms",
        "POST https://api.example.com/v1/rooms",
    ]


@pytest.mark.parametrize(
    "diagram",
    [
        "flowchart LR\n  client -.- api\n  api === db\n",
        "flowchart LR\n  client --o api\n  api --x db\n",
        "flowchart LR\n  client o--o api\n  api x--x db\n",
        "sequenceDiagram\n  Client->API: POST /rooms/1/bookings\n  API-xClient: 201\n",
        "sequenceDiagram\n  Client-->API: POST /rooms/1/bookings\n  API--xClient: 201\n",
    ],
    ids=["dotted-and-thick-lines", "circle-and-cross", "both-ends", "solid-lines", "dotted-lines"],
)
def test_every_mermaid_link_counts_as_a_connection(diagram):
    assert tsd.diagram_edges(diagram) == 2


@pytest.mark.parametrize(
    ("diagram", "links"),
    [
        ("flowchart LR\n  client & admin --> api\n", 2),
        ("flowchart LR\n  api --> db & cache\n", 2),
        ("flowchart LR\n  client & admin --> api & worker\n", 4),
        ("graph TD\n  a --> b & c --> d\n", 4),
        ("flowchart LR\n  client & admin -->|HTTPS| api\n", 2),
        ("flowchart LR\n  client & admin -- calls --> api\n", 2),
        ('flowchart LR\n  client["Web & mobile"] & admin --> api[(API)]\n', 2),
        ("flowchart LR\n  client --> api; api --> db & cache\n", 3),
    ],
    ids=[
        "many-to-one",
        "one-to-many",
        "many-to-many",
        "chained",
        "with-a-label",
        "with-a-text-label",
        "ampersand-in-a-node-label",
        "statements-on-one-line",
    ],
)
def test_mermaids_ampersand_shorthand_counts_one_link_per_pair(diagram, links):
    """`a & b --> c` is Mermaid's shorthand for `a --> c` and `b --> c`."""
    assert tsd.diagram_edges(diagram) == links


@pytest.mark.parametrize(
    "diagram",
    [
        'flowchart LR\n  client["Web & mobile"] --> api\n',
        "flowchart LR\n  client -->|reads & writes| api\n",
        'flowchart LR\n  client -- "reads & writes" --> api\n',
        "flowchart LR\n  client{{Auth & booking}} --> api\n",
        'erDiagram\n  ROOM ||--o{ BOOKING : "holds & lists"\n',
        'C4Context\n  Rel(user, api, "books & cancels")\n',
    ],
    ids=["node-label", "pipe-label", "quoted-label", "hexagon-label", "er-label", "c4-label"],
)
def test_an_ampersand_inside_a_label_is_one_link(diagram):
    assert tsd.diagram_edges(diagram) == 1


NUMBERED = """# TSD: Meeting-room booking service

## 1. Context

Who books rooms.

## 2) API summary

| Method | Path |
| --- | --- |
| GET | /rooms |

## 3 - Data model

### 3.1 rooms

| Column | Type |
| --- | --- |
| id | INTEGER |

### 3.2. bookings

| Column | Type |
| --- | --- |
| id | INTEGER |

## 4. Architecture

```mermaid
flowchart LR
  client --> api
  api --> db
```
"""


def test_numbered_headings_are_the_same_sections():
    """`## 1. Context`, `## 2) API summary`, `### 3.1 rooms`: numbering is a style of heading."""
    assert [str(endpoint) for endpoint in tsd.endpoints(NUMBERED)] == ["GET /rooms"]
    assert list(tsd.data_model(NUMBERED)) == ["rooms", "bookings"]
    assert len(tsd.diagrams(NUMBERED)) == 1
    assert tsd.unnumbered("## 1. Context\n### 2.1 Create a booking\n## 3 Data model\n") == (
        "## Context\n### Create a booking\n## Data model\n"
    )


SETEXT_NUMBERED = """TSD
===

1.0 Context
-----------

Who books rooms.

2 API summary
-------------

| Method | Path |
| --- | --- |
| GET | /rooms |

3 - Data model
--------------

### 3.1 rooms

| Column | Type |
| --- | --- |
| id | INTEGER |

IV. Architecture
----------------

```mermaid
flowchart LR
  client --> api
  api --> db
```
"""


def test_numbered_setext_headings_are_the_same_sections():
    """`3 - Data model` underlined with `---` is `## 3 - Data model`, numbered all the same."""
    assert [str(endpoint) for endpoint in tsd.endpoints(SETEXT_NUMBERED)] == ["GET /rooms"]
    assert list(tsd.data_model(SETEXT_NUMBERED)) == ["rooms"]
    assert len(tsd.diagrams(SETEXT_NUMBERED)) == 1
    # Line for line: the title's line is left blank, the heading takes its underline's.
    assert tsd.unnumbered("3 - Data model\n--------------\n") == "\n## Data model\n"


def test_a_thematic_break_under_a_blank_line_makes_no_section():
    text = SETEXT_NUMBERED.replace("3 - Data model\n--------------\n", "3 - Data model\n\n---\n")
    assert tsd.data_model(text) == {}


@pytest.mark.parametrize(
    "heading",
    [
        "## 2FA and sessions",
        "## 404 responses",
        "## 2024 roadmap",
        "## v1.2 changes",
        "## 0.2.0 - 2030-03-16",
        "## 3 000 rooms",
    ],
)
def test_a_heading_that_starts_with_a_number_word_keeps_it(heading):
    """A number that is part of the title, not a section number, stays."""
    assert tsd.unnumbered(heading + "\n") == heading + "\n"


def test_numbers_in_a_code_block_are_not_headings():
    text = "```python\n## 1. not a heading\n```\n"
    assert tsd.unnumbered(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A longer fence holds a ``` line; a ```sql line does not close a ``` block.
        ("````markdown\n```\n## 1. Context\n````\n", "````markdown\n```\n## 1. Context\n````\n"),
        ("```text\nnotes\n```sql\n## 1. Context\n```\n", "```text\nnotes\n```sql\n## 1. Context\n```\n"),
        # Indented four spaces, ``` is indented code; a fence left open in a list item ends
        # with the item: neither hides the heading after it.
        ("Run:\n\n    ```\n    make\n\n## 1. Context\n", "Run:\n\n    ```\n    make\n\n## Context\n"),
        ("- Run it:\n\n  ```sh\n  make\n\n## 1. Context\n", "- Run it:\n\n  ```sh\n  make\n\n## Context\n"),
    ],
    ids=["longer-fence", "info-does-not-close", "indented-four-spaces", "left-open-in-a-list-item"],
)  # fmt: skip
def test_code_ends_where_commonmark_ends_it(text, expected):
    assert tsd.unnumbered(text) == expected


def test_a_numbered_data_model_after_an_indented_fence_is_read():
    text = "Run:\n\n    ```\n    make\n\n## 3 - Data model\n\n| Table | Column | Type |\n"
    text += "| --- | --- | --- |\n| rooms | id | INTEGER |\n"
    assert list(tsd.data_model(text)) == ["rooms"]
