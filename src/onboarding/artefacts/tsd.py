"""Reading a technical solution design (TSD): its endpoints, its data model and its diagrams.

The shapes are the ones `templates/tsd.md` documents:

- **API summary**: a table with `Method` and `Path` columns, one row per operation
  (`| POST | /rooms/{room_id}/bookings | Book the room | 201 | 404, 409, 422 |`);
- **Data model**: either one table with `Table`, `Column` and `Type` columns, one row per column,

  ```text
  | Table | Column | Type | Notes |
  | --- | --- | --- | --- |
  | rooms | id | INTEGER | primary key |
  ```

  or one table per database table, each under a `### rooms` heading (or a line holding only the
  table's name, such as `**rooms**`), with `Column` and `Type` columns (`data_model.columns`
  reads it, for stage 02 and stage 03 alike);
- **Architecture**: a ```` ```mermaid ```` diagram.

Headings may be numbered (`## 3. Data model`, `### 3.1 rooms`), and written as Setext headings
(`3 - Data model` over `---`): `unnumbered` takes the numbers off before a section is looked up.

Stage 02 compares the endpoints with the project's `openapi.yaml`; stage 03 compares the data
model with the schema the project's migrations produce. Nothing here judges: it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from onboarding.artefacts.data_model import Column, columns
from onboarding.artefacts.markdown import (
    DETAILS_BLOCK,
    LINE,
    code_rows,
    fenced_blocks,
    pipe_tables,
    section,
    section_source,
    setext_as_atx,
)
from onboarding.artefacts.openapi import template

API_SECTION = "API summary"
DATA_MODEL_SECTION = "Data model"
ARCHITECTURE_SECTION = "Architecture"
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
DIAGRAM_TYPES = re.compile(
    r"^\s*(flowchart|graph|sequenceDiagram|C4Context|C4Container|C4Component|C4Deployment"
    r"|classDiagram|stateDiagram(?:-v2)?|erDiagram|architecture-beta|block-beta)\b",
    re.MULTILINE,
)
EDGE = re.compile(
    r"-->>|-->|---|-\.->|-\.+-|-\.\s[^.]*\s\.->|==>|={3,}|->>|-\)"
    # entity relations, identifying (--) or not (..): ||--o{, }o..||, }|--|{
    r"|[|}][o|](?:--|\.\.)[o|][|{]"
    # flowchart links that end in a circle or a cross: a --o b, a --x b, a x--x b
    r"|-{2,}[ox](?![\w{])"
    r"|--[^-\s>][^>]*-->"
    # class diagrams: inheritance, composition, aggregation, dependency, realisation
    r"|<\|--|\*--|\bo--|\.\.>|<\|\.\.|\.\.\|>"
    # C4: Rel(a, b, "uses"), BiRel(…), Rel_Down(…), Rel_U(…)
    r"|\b(?:Bi)?Rel(?:_[A-Za-z]+)?\s*\("
    # architecture-beta: api:R -- L:db, api:R --> L:db
    r"|:[LRTB]\s*<?--?>?\s*[LRTB]:"
)
"""A connection in a Mermaid diagram: flowchart arrows and lines (labelled or not, dotted, thick,
ending in a circle or a cross), entity relations, class relations, C4 relationships and
architecture edges."""
FLOWCHART_TYPES = ("flowchart", "graph")
"""The diagrams in which `a & b --> c` is shorthand for a link from each of a and b to c."""
LABEL_CLOSERS = {"[": "]", "(": ")", "{": "}", '"': '"', "|": "|"}
"""What ends a node's or a link's label in a flowchart (`a["Web & mobile"]`, `-->|x & y|`)."""
SEQUENCE_DIAGRAM = re.compile(r"^\s*sequenceDiagram\b", re.MULTILINE)
MESSAGE = re.compile(r"^\s*[^\s:%][^:]*?(?:<<)?-{1,2}(?:>>|>|x|\))[^:]*:")
"""A message of a sequence diagram, `Client->>API: POST /rooms`: an arrow between two
participants before the colon, whichever of Mermaid's arrows (->, -->, ->>, -x, -), and dotted)."""


METHOD_HEADERS = (
    *("method", "methods", "http method", "http methods", "request method"),
    *("verb", "http verb"),
)
PATH_HEADERS = (
    *("path", "paths", "url", "uri", "url path", "path template", "resource"),
    # A path qualified by what it is the path of, or written as RFC 6570 calls it.
    *("endpoint path", "resource path", "request path", "url template", "uri template"),
)
COMBINED_HEADERS = ("endpoint", "endpoints", "operation", "operations", "route", "routes")
"""A column that may hold the method and the path together ("POST /rooms"), or, beside a method
column, the path alone."""
COMBINED = re.compile(
    rf"^(?P<methods>(?:(?:{'|'.join(METHODS)})\s*[,/]?\s*)+)\s+"
    r"(?P<path>(?:\w[\w+.-]*://[^/\s]*)?/\S*)",
    re.IGNORECASE,
)
"""A cell that names the method(s) and the path together: "POST /rooms", "GET, PUT /rooms/{id}",
or the whole URL, "GET https://bookings.example.com/rooms"."""
ABSOLUTE_URL = re.compile(r"^\w[\w+.-]*://[^/\s?#]*")
"""The scheme and host of an absolute URL, `https://bookings.example.com`."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    row: int
    """The row of the API summary table it is written in (1 is the first row under the header)."""
    methods_cell: str = field(default="", compare=False)
    """The text its method was read from, as written (`GET, POST`, or a path put there)."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _plain(cell: str) -> str:
    """A table cell without Markdown decoration: `**rooms**` and `` `id` `` are rooms and id."""
    return cell.strip().strip("*_`").strip()


def _header_index(header: list[str], *names: str) -> int | None:
    wanted = {name.lower() for name in names}
    for index, cell in enumerate(header):
        if " ".join(_plain(cell).lower().split()) in wanted:
            return index
    return None


MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A backslash escape of Markdown (`\\{`): the reader sees the character alone."""
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")


def _path(cell: str) -> str:
    """A path as the reader sees it: without code spans, bold, link syntax or backslash escapes,
    and without a note after it (`` `/rooms` (every room) ``): a path has no spaces."""
    text = _plain(cell)
    link = LINK.fullmatch(text)
    if link:
        text = _plain(link["text"])
    text = MARKDOWN_ESCAPE.sub(r"\1", text)
    words = text.split()
    if len(words) > 1 and _is_path(words[0]):
        return words[0].rstrip("*`")
    return text


def _is_path(text: str) -> bool:
    return text.startswith("/") or ABSOLUTE_URL.match(text) is not None


def path_shape(path: str) -> str:
    """The shape of a path the TSD lists, to compare with the spec's (`openapi.template`).

    A TSD is written for people, who name a path parameter as their framework does: Express's
    `:room_id` and Flask's `<room_id>` or `<int:room_id>` are OpenAPI's `{room_id}`. A query
    string says which parameters the operation takes, not another operation. A whole URL, as a
    `URL` column may hold it (`https://bookings.example.com/v1/rooms`), names its path: the host
    is where the service runs, not which operation (a base of the path is judged as written).
    """
    path = ABSOLUTE_URL.sub("", path) or "/"
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    path = re.sub(r"(?<=/):[^/]+", "{}", path)
    path = re.sub(r"<[^<>/]*>", "{}", path)
    return template(path)


def endpoints(text: str) -> list[Endpoint]:
    """The operations the API summary lists, in its order ([] when it lists none)."""
    body = section(unnumbered(text), API_SECTION)
    if body is None:
        return []
    found = []
    for table in pipe_tables(DETAILS_BLOCK.sub("", body)):
        header, rows = table.header, table.rows
        method_at = _header_index(header, *METHOD_HEADERS)
        path_at = _header_index(header, *PATH_HEADERS)
        # One column may hold both, as people often write it: "POST /rooms/{room_id}/bookings".
        both_at = _header_index(header, *COMBINED_HEADERS)
        if (method_at is None or path_at is None) and both_at is None:
            continue
        for number, row in enumerate(rows, start=1):

            def cell(at: int | None, row: list[str] = row) -> str:
                return row[at] if at is not None and at < len(row) else ""

            if method_at is not None and path_at is not None:
                if max(method_at, path_at) >= len(row):
                    continue
                methods, path = row[method_at], _path(row[path_at])
            elif method_at is not None and _is_path(_path(cell(both_at))):
                # `| Method | Endpoint |` with the path alone under Endpoint.
                methods, path = row[method_at] if method_at < len(row) else "", _path(cell(both_at))
            else:
                # Bold and code spans may wrap either part; "_" stays, as in {room_id}.
                combined = COMBINED.match(re.sub(r"[*`]", "", cell(both_at)).strip())
                if combined is None:
                    continue
                methods, path = combined["methods"], _path(combined["path"])
            # `GET, POST`, `GET / POST` and `GET<br>POST` name two operations of the path.
            for method in re.split(r"(?:<br\s*/?>|[\s,/])+", methods, flags=re.IGNORECASE):
                if _plain(method):
                    found.append(Endpoint(_plain(method).upper(), path, number, methods.strip()))
    return found


def data_model(text: str) -> dict[str, list[Column]]:
    """Each table of the data model, by name, with its columns, in the order written.

    The section is read as stage 03 reads it (`onboarding.artefacts.data_model`), placeholders
    included: stage 02 says what is missing, stage 03 compares with the schema.
    """
    body = section(unnumbered(text), DATA_MODEL_SECTION)
    tables: dict[str, list[Column]] = {}
    for column in columns(body or ""):
        tables.setdefault(column.table, []).append(column)
    return tables


def diagrams(text: str, heading: str = ARCHITECTURE_SECTION) -> list[str]:
    """The Mermaid diagrams of a section, as written (outside the template's examples)."""
    source = section_source(unnumbered(text), heading)
    if source is None:
        return []
    return fenced_blocks(DETAILS_BLOCK.sub("", source), "mermaid")


def diagram_edges(diagram: str) -> int:
    """How many connections a Mermaid diagram draws (arrows and lines between nodes).

    In a sequence diagram each message is one, whatever its arrow; elsewhere every link counts.
    In a flowchart, `client & admin --> api` is Mermaid's shorthand for two links, one from
    each; an `&` inside a label (`api["Auth & booking"]`) is text.
    """
    if SEQUENCE_DIAGRAM.search(diagram):
        return sum(1 for line in diagram.splitlines() if MESSAGE.match(line))
    kind = DIAGRAM_TYPES.search(diagram)
    if kind and kind[1] in FLOWCHART_TYPES:
        return sum(
            _flowchart_links(statement)
            for line in diagram.splitlines()
            for statement in _labels_blanked(line).split(";")
        )
    return sum(len(EDGE.findall(line)) for line in diagram.splitlines())


def _flowchart_links(statement: str) -> int:
    """The links of one flowchart statement, its labels blanked: `a & b --> c --> d` is 3."""
    ends = [0]
    for link in EDGE.finditer(statement):
        ends += [link.start(), link.end()]
    ends.append(len(statement))
    groups = [statement[start:end] for start, end in zip(ends[::2], ends[1::2], strict=True)]
    sizes = [group.count("&") + 1 for group in groups]
    return sum(before * after for before, after in pairwise(sizes))


def _labels_blanked(line: str) -> str:
    """A flowchart line with the text of its labels turned into spaces, their brackets kept."""
    kept, expecting = [], []
    for character in line:
        if expecting and character == expecting[-1]:
            expecting.pop()
            kept.append(character if not expecting else " ")
        elif character in LABEL_CLOSERS and (not expecting or expecting[-1] != '"'):
            kept.append(character if not expecting else " ")
            expecting.append(LABEL_CLOSERS[character])
        else:
            kept.append(" " if expecting else character)
    return "".join(kept)


NUMBERED_HEADING = re.compile(
    r"^(?P<marks> {0,3}#{1,6}[ \t]+)"
    r"(?:\d+(?:\.\d+)+\.?|\d+[.):]|\d+[ \t]*[\u2013\u2014-]|\d{1,2}|[IVX]+[.)]|[A-Z][.)])"
    r"[ \t]+(?=[^\W\d_])"
)
"""A heading's number: `## 1. Context`, `## 2) API summary`, `### 2.1 Create a booking`,
`## 3 - Data model`, `## 4 Scaling`, `## IV. Scaling`, `## B) Security`. A number that is the
title's own (`## 404 responses`, `## 2030 plans`, `## 0.2.0 - 2030-03-16`) stays."""


def unnumbered(text: str) -> str:
    """The text with its headings' numbers taken off, outside code blocks: `## 1. Context` is
    `## Context`, the section the template names. Numbering headings is a style, not a name.

    A Setext heading (`3 - Data model` over `---`) is numbered as its `## ` form is, so it is
    written so first (`setext_as_atx`, which keeps the number of lines)."""
    text = setext_as_atx(text)
    code = code_rows(text)
    return "".join(
        line if row in code else NUMBERED_HEADING.sub(r"\g<marks>", line)
        for row, line in enumerate(LINE.findall(text))
    )
