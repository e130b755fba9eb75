"""Exercise 02.2: the technical solution design, `docs/tsd.md`, and its consistency with the spec.

The TSD starts as the company's template. The check asks for what the process document names
(an architecture diagram, the data model, scaling considerations) and the endpoints, and holds
the document to the rest of the project: the API summary lists exactly the operations of the
project's `openapi.yaml`, each mismatch quoting both sides. (Stage 03 holds the data model to
the schema the project's migrations produce; `onboarding.artefacts.tsd.data_model` reads it.)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from onboarding import paths, project
from onboarding.artefacts import markdown, openapi
from onboarding.artefacts import tsd as reading
from onboarding.artefacts.markdown import BRACKET_PLACEHOLDER, section, section_source
from onboarding.artefacts.quantities import is_measurable
from onboarding.checks import ArtefactError, CheckFailed

FILE = "docs/tsd.md"
SPEC_FILE = "openapi.yaml"
TEMPLATE = "templates/tsd.md"
REQUIRED_HEADINGS = (
    "Context",
    reading.ARCHITECTURE_SECTION,
    reading.DATA_MODEL_SECTION,
    reading.API_SECTION,
    "Scaling considerations",
)
"""The sections the course asks for, in the template's order; the template's others may stay."""
MIN_EDGES = 2


def read_tsd() -> str:
    text = project.read(FILE)
    if not text.strip():
        raise CheckFailed(f"{FILE} is empty")
    return text


def _template() -> str:
    return (paths.course_root() / TEMPLATE).read_text(encoding="utf-8")


def titles(text: str) -> list[str]:
    """The `## ` headings, the template's ones as the template writes them (unnumbered)."""
    return markdown.template_titles(reading.unnumbered(text), REQUIRED_HEADINGS)


def heading_problems(text: str) -> list[str]:
    return markdown.heading_report(titles(text), REQUIRED_HEADINGS)[0]


def heading_advice(text: str) -> str | None:
    return markdown.heading_report(titles(text), REQUIRED_HEADINGS)[1]


def placeholder_problems(text: str) -> list[str]:
    """Every section, the template's optional ones included, is written or deleted. The
    writer's own Markdown (a folded block, a GitHub alert) is judged as the rest of the text."""
    template = _template()
    return markdown.leftover_problems(
        reading.unnumbered(text), markdown.template_guidance(template), template=template
    )


def _skeleton_diagrams() -> list[str]:
    return [_flat(block) for block in reading.diagrams(_template())]


ACCESSIBLE_LINE = re.compile(r"^[ \t]*(?P<key>accTitle|accDescr)[ \t]*:[ \t]*(?P<value>.*)$", re.M)
"""Mermaid's one-line accessible title or description, `accTitle: …`, `accDescr: …`."""
ACCESSIBLE_BLOCK = re.compile(r"^[ \t]*accDescr\s*\{(?P<value>[^}]*)\}", re.M)
"""Mermaid's other way to write the description, `accDescr { … }`: up to the first `}`, over as
many lines as it takes (the `{` may stand on a line of its own)."""
ACCESSIBLE_KEYS = ("accTitle", "accDescr")
BRACKETED = re.compile(r"\[[^\]]+\]")


def accessible_texts(diagram: str) -> dict[str, str]:
    """A Mermaid diagram's `accTitle` and `accDescr`, each its first one (stripped, a block
    description's lines joined); a comment (`%% accTitle: …`) is not one."""
    found: dict[str, str] = {}
    for match in sorted(
        [*ACCESSIBLE_LINE.finditer(diagram), *ACCESSIBLE_BLOCK.finditer(diagram)],
        key=lambda match: match.start(),
    ):
        key = match.groupdict().get("key") or "accDescr"
        found.setdefault(key, " ".join(match["value"].split()))
    return found


def _is_written(value: str) -> bool:
    """Whether an accessible text says something: not empty, not only TODO or TBD."""
    return bool(re.search(r"\w", markdown.PLACEHOLDER_WORDS.sub("", value)))


def _skeleton_placeholders() -> set[str]:
    """The bracketed placeholders of the sketch's accTitle and accDescr (`[Service name]`).

    Only those: brackets of the writer's own (`accTitle: Booking API [v2]`) are text.
    """
    return {
        placeholder
        for block in reading.diagrams(_template())
        for value in accessible_texts(block).values()
        for placeholder in BRACKETED.findall(value)
    }


def _accessibility_problems(name: str, diagram: str) -> list[str]:
    """A diagram's accTitle and accDescr are there, and are the writer's own."""
    texts = accessible_texts(diagram)
    missing = [key for key in ACCESSIBLE_KEYS if not _is_written(texts.get(key, ""))]
    if missing:
        return [
            f"{name} has {' and '.join(f'no `{key}:`' for key in missing)}: a screen reader "
            "reads the title and the description to someone who cannot see the picture, so "
            "write them (`accTitle: Booking service: components`, `accDescr: The calendar "
            "plug-in calls …`, or `accDescr { … }` over several lines)"
        ]
    return [
        f"{name}'s {key} is still the template's placeholder"
        for key in ACCESSIBLE_KEYS
        if set(BRACKETED.findall(texts[key])) & _skeleton_placeholders()
    ]


def _flat(diagram: str) -> str:
    return " ".join(diagram.split())


def diagram_problems(text: str) -> list[str]:
    """`## Architecture` draws the service's components in Mermaid, not the template's sketch."""
    text = reading.unnumbered(text)
    blocks = reading.diagrams(text)
    if section(text, reading.ARCHITECTURE_SECTION) is None:
        return [f"there is no `## {reading.ARCHITECTURE_SECTION}` section"]
    if not blocks:
        return [
            f"`## {reading.ARCHITECTURE_SECTION}` has no ```mermaid diagram (outside the "
            "template's collapsed example)"
        ]
    problems = []
    for number, block in enumerate(blocks, start=1):
        name = "the diagram" if len(blocks) == 1 else f"diagram {number}"
        if _flat(block) in _skeleton_diagrams():
            problems.append(
                f"{name} is still the template's sketch (Client, Service API, Database); draw "
                "your service's own components"
            )
            continue
        if not reading.DIAGRAM_TYPES.search(block):
            first = block.strip().splitlines()[0] if block.strip() else "nothing"
            problems.append(
                f"{name} starts with “{first.strip()}”, not a Mermaid diagram type such as "
                "`flowchart LR`"
            )
        problems += _accessibility_problems(name, block)
        edges = reading.diagram_edges(block)
        if edges < MIN_EDGES:
            problems.append(
                f"{name} draws {edges} connection{'' if edges == 1 else 's'}; show how a "
                f"request flows through your components (at least {MIN_EDGES})"
            )
    return problems


class SpecOperations(dict[tuple[str, str], str]):
    """(METHOD, path shape) -> the path as the spec writes it; and, for each operation, the path
    prefixes of the servers it is served from (`servers: [{url: /v1}]` gives ("/v1",))."""

    def __init__(
        self,
        operations: dict[tuple[str, str], str],
        server_bases: dict[tuple[str, str], tuple[str, ...]] | None = None,
    ) -> None:
        super().__init__(operations)
        self.server_bases = server_bases or {}


def spec_operations() -> SpecOperations:
    """The operations of the project's openapi.yaml, as `operations_of` gives them."""
    try:
        spec = openapi.parse_spec(project.read(SPEC_FILE), SPEC_FILE)
    except (ArtefactError, CheckFailed) as error:
        raise CheckFailed(
            f"{SPEC_FILE} cannot be read, so the API summary cannot be compared with it ({error});"
            " finish exercise 02.1 first"
        ) from None
    return operations_of(spec)


def operations_of(spec: dict) -> SpecOperations:
    """(METHOD, path shape) -> path, for a spec already read (the capstone reads its own)."""
    found: dict[tuple[str, str], str] = {}
    bases: dict[tuple[str, str], tuple[str, ...]] = {}
    items = spec.get("paths") if isinstance(spec.get("paths"), dict) else {}
    for path, method, operation in openapi.operations(spec):
        key = (method.upper(), openapi.template(path))
        found[key] = path
        # OpenAPI lets a path item, or one operation, name servers of its own instead.
        item = items.get(path) if isinstance(items.get(path), dict) else {}
        for holder in (operation, item, spec):
            if isinstance(holder.get("servers"), list) and holder["servers"]:
                bases[key] = server_bases(holder["servers"])
                break
    return SpecOperations(found, bases)


SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")


def server_bases(servers: list) -> tuple[str, ...]:
    """The path prefixes of a list of Server Objects, without the trailing slash; a server at
    the root adds none. `/v1`, `https://api.example.com/v1/` and `https://{host}/{version}`
    with `version: {default: v1}` all give `/v1` (each value a variable may take counts)."""
    bases: list[str] = []
    for server in servers:
        url = server.get("url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            continue
        urls = [url]
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
        for name in dict.fromkeys(SERVER_VARIABLE.findall(url)):
            variable = variables.get(name) if isinstance(variables.get(name), dict) else {}
            values = [variable.get("default"), *(variable.get("enum") or [])]
            values = [str(value) for value in dict.fromkeys(values) if value is not None]
            urls = [u.replace(f"{{{name}}}", value) for u in urls for value in values]
        for each in urls:
            base = urlsplit(each).path.rstrip("/")
            if base.startswith("/") and base not in bases:
                bases.append(base)
    return tuple(bases)


def _spec_shape(shape: str, spec: dict[tuple[str, str], str]) -> str:
    """The spec's path shape that a TSD's path shape names.

    A path the spec has is itself. A path written with the base of a server the spec declares
    (`/v1/rooms`, when `servers: [{url: /v1}]` and `paths: {/rooms: …}`) is that spec path: it
    is the URL a client calls. Only a declared base is taken off (`/v2/rooms` stays itself),
    and nothing is ever added: when the spec's own paths hold the `/v1` and its server is `/`,
    `/rooms` is a URL the service does not serve, so a TSD that leaves the `/v1` out is wrong.
    """
    shapes = {path_shape for _, path_shape in spec}
    if shape in shapes:
        return shape
    bases = getattr(spec, "server_bases", {})
    for key, prefixes in bases.items():
        for base in prefixes:
            prefix = openapi.template(base)
            if shape.startswith(prefix + "/") and openapi.template(shape[len(prefix) :]) == key[1]:
                return key[1]
    return shape


def _bulleted_operations(body: str) -> list[str]:
    """The list items of a section that name an operation (`- GET /rooms: every room`)."""
    return [
        f"{found['methods'].strip()} {found['path'].rstrip(':,.;')}"
        for item in markdown.list_items(body)
        if (found := reading.COMBINED.match(re.sub(r"[*`]", "", item).strip())) is not None
    ]


def endpoint_problems(text: str, spec: dict[tuple[str, str], str]) -> list[str]:
    """The API summary lists exactly the spec's operations; each mismatch quotes both sides."""
    text = reading.unnumbered(text)
    if section(text, reading.API_SECTION) is None:
        return [f"there is no `## {reading.API_SECTION}` section"]
    listed = [
        endpoint
        for endpoint in reading.endpoints(text)
        if not BRACKET_PLACEHOLDER.search(f"{endpoint.method} {endpoint.path}")
    ]
    if not listed:
        problem = (
            f"`## {reading.API_SECTION}` has no table with `Method` and `Path` columns (or an "
            "`Endpoint` column such as `POST /rooms`) listing the operations"
        )
        bulleted = _bulleted_operations(section(text, reading.API_SECTION) or "")
        if bulleted:
            problem += (
                f"; it lists {len(bulleted)} operations as a bulleted list (“{bulleted[0]}”):"
                " put them in a `| Method | Path |` table instead, one row each"
            )
        return [problem]
    problems = []
    # A method that is no HTTP method is a row whose cells are not where its header says (a
    # path under Method splits into words such as ROOMS): one line a row says so.
    misplaced = {endpoint.row: endpoint for endpoint in reversed(listed)}
    misplaced = {
        row: endpoint
        for row, endpoint in misplaced.items()
        if any(e.row == row and e.method not in reading.METHODS for e in listed)
    }
    for row, endpoint in sorted(misplaced.items()):
        problems.append(
            f"row {row} of the API summary has “{endpoint.methods_cell}” where its `Method`"
            " column is, not an HTTP method: put the method (GET, POST, …) and the path each"
            " under its own header"
        )
    listed = [endpoint for endpoint in listed if endpoint.row not in misplaced]
    documented: dict[tuple[str, str], reading.Endpoint] = {}
    for endpoint in listed:
        key = (endpoint.method, _spec_shape(reading.path_shape(endpoint.path), spec))
        if key in documented:
            problems.append(
                f"`{endpoint}` is listed twice in {FILE} (rows {documented[key].row} and "
                f"{endpoint.row})"
            )
            continue
        documented[key] = endpoint
        if key in spec:
            continue
        same_path = sorted(m for m, shape in spec if shape == key[1])
        if same_path:
            there = f"{SPEC_FILE} has {', '.join(same_path)} {spec[(same_path[0], key[1])]}"
        else:
            there = f"{SPEC_FILE} has no path {endpoint.path}"
        problems.append(f"{FILE} lists `{endpoint}` (API summary, row {endpoint.row}), but {there}")
    for key, path in spec.items():
        if key not in documented:
            problems.append(f"{SPEC_FILE} has `{key[0]} {path}`, but {FILE}'s API summary does not")
    return problems


def data_model_problems(text: str) -> list[str]:
    """The data model names its tables and each column's type, in a shape stage 03 can read."""
    text = reading.unnumbered(text)
    if section(text, reading.DATA_MODEL_SECTION) is None:
        return [f"there is no `## {reading.DATA_MODEL_SECTION}` section"]
    tables = {
        name: columns
        for name, columns in reading.data_model(text).items()
        if not BRACKET_PLACEHOLDER.search(name)
    }
    if not tables:
        problem = (
            f"`## {reading.DATA_MODEL_SECTION}` has no table of columns: write rows of "
            "`| Table | Column | Type | Notes |`, or a `| Column | Type |` table under a "
            "`### table name` heading for each table"
        )
        other = _other_model_shape(section_source(text, reading.DATA_MODEL_SECTION) or "")
        if other is not None:
            problem += (
                f"; it has {other}, which stage 03 cannot compare with your migrations: keep it"
                " if it helps the reader, and add the table"
            )
        return [problem]
    untyped = [
        f"{column.table}.{column.name}"
        for columns in tables.values()
        for column in columns
        if not column.type or BRACKET_PLACEHOLDER.search(column.type)
    ]
    if untyped:
        return [f"no type for {', '.join(untyped)}"]
    return []


def _other_model_shape(body: str) -> str | None:
    """How a data model is written when it is not in a shape `reading.data_model` reads: a
    Mermaid entity-relationship diagram, or SQL's `CREATE TABLE`."""
    if any(re.match(r"\s*erDiagram\b", block) for block in markdown.fenced_blocks(body, "mermaid")):
        return "a Mermaid erDiagram"
    if markdown.fenced_blocks(body, "sql"):
        return "SQL"
    return None


def scaling_problems(text: str) -> list[str]:
    body = section(reading.unnumbered(text), "Scaling considerations")
    if body is None:
        return ["there is no `## Scaling considerations` section"]
    own = [
        line
        for line in markdown.DETAILS_BLOCK.sub("", body).splitlines()
        if not markdown.QUOTE.match(line)
    ]
    if not is_measurable("\n".join(own)) and not any(
        is_measurable(phrase) for phrase in _table_phrases("\n".join(own))
    ):
        return [
            "`## Scaling considerations` gives no numbers: say the load you expect and where the "
            "design stops, with units (such as “2 requests a second at peak”)"
        ]
    return []


def _table_phrases(body: str) -> list[str]:
    """Each cell of a section's tables read with its row's label and with its column's header
    after it: `| Requests per second at peak | 2 |` says "2 Requests per second at peak", and a
    table puts its units there rather than beside each number."""
    phrases = []
    for table in markdown.pipe_tables(body):
        for row in table.rows:
            for index, cell in enumerate(row[1:], start=1):
                header = table.header[index] if index < len(table.header) else ""
                phrases += [f"{cell} {unit}" for unit in (*_units(row[0]), *_units(header))]
    return phrases


TABLE_TIME_FRAME = re.compile(
    r"\b(?:now|today|current(?:ly)?|(?:next|this|last)\s+(?:week|month|quarter|year)"
    r"|(?:in|within|by|after)\s+(?:a|an|one|\d+)\s+(?:days?|weeks?|months?|quarters?|years?)"
    r"|(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
"""When a column or a row's value holds (`Now`, `In a year`, `2027`): no unit, so "5 In a year"
is no amount, and a table of bare numbers under such headers gives none."""
PARENTHESISED = re.compile(r"\(([^()]*)\)")


def _units(label: str) -> list[str]:
    """What a row's label or a column's header may say a number counts: the label without the
    time it names, and what it puts in brackets (`Limit (req/s)` gives "req/s")."""
    plain = TABLE_TIME_FRAME.sub(" ", markdown.HTML_TAG.sub(" ", label).replace("`", " "))
    return [" ".join(PARENTHESISED.sub(r" \1 ", plain).split()), *PARENTHESISED.findall(plain)]
