"""Reading the data model a design document describes: its tables, their columns and types.

The TSD's `## Data model` section (`templates/tsd.md`) lists the schema, and stage 03 compares
it with the schema the learner's migrations produce. Three shapes are read, since people write
all three:

- one table of every column, with `Table` and `Column` headers (and `Type`, optionally):
  `| bookings | cancelled | INTEGER | 0 or 1 |`;
- one table per database table under a `### bookings` heading, with a `Column` header;
- a list, one item per table: `- bookings: id, room_id, organiser, start, end`, read only when
  the section has no table (a list beside a table holds notes, not columns).

Folded `<details>` examples (the template's) and placeholders (`[table]`) are not part of it.
"""

from __future__ import annotations

import re

from onboarding.artefacts.markdown import (
    BRACKET_PLACEHOLDER,
    DETAILS_BLOCK,
    list_items,
    markdown_lines,
    tables,
)

TYPE_FAMILIES = {
    "integer": ("int", "integer", "bigint", "smallint", "tinyint", "boolean", "bool", "serial"),
    "text": (
        "text",
        "varchar",
        "char",
        "character",
        "string",
        "str",
        "clob",
        "datetime",
        "date-time",
        "timestamp",
        "timestamptz",
        "date",
        "time",
        "uuid",
    ),
    "real": ("real", "float", "double", "decimal", "numeric"),
    "blob": ("blob", "bytes", "bytea", "binary"),
}
"""Words for a column's type, by the SQLite storage class a value of that kind gets.

Times are stored as UTC text in this course, so a document saying `datetime` for `start` agrees
with a TEXT column; a boolean is stored as the INTEGER 0 or 1.
"""

DataModel = dict[str, dict[str, str]]
"""Table name → column name → the type the document gives ("" when it gives none)."""


def family(type_text: str) -> str | None:
    """The storage class a type's first word stands for; None for a word not known here."""
    words = re.findall(r"[a-z][a-z0-9-]*", type_text.lower())
    if not words:
        return None
    for name, members in TYPE_FAMILIES.items():
        if words[0] in members or words[0].rstrip("s") in members:
            return name
    return None


def read_data_model(body: str) -> DataModel:
    """The tables and columns a `## Data model` section's body lists."""
    body = DETAILS_BLOCK.sub("", body)
    model: DataModel = {}
    for rows in tables(body):
        headers = {_key(header): header for header in (rows[0] if rows else {})}
        if "table" in headers and "column" in headers:
            for row in rows:
                _add(
                    model,
                    row[headers["table"]],
                    row[headers["column"]],
                    row.get(headers.get("type", ""), ""),
                )
    for table, rows in _tables_under_headings(body):
        for row in rows:
            headers = {_key(header): header for header in row}
            if "column" in headers:
                _add(model, table, row[headers["column"]], row.get(headers.get("type", ""), ""))
    if model:
        return model
    for item in list_items(body):
        match = re.match(
            r"^\**`?(?P<table>[\w.]+)`?\**\s*(?:\((?P<paren>[^)]*)\)|:(?P<colon>.*))$", item
        )
        if match:
            listed = match["paren"] if match["paren"] is not None else match["colon"]
            for column in re.split(r"[,;]", listed):
                words = column.strip().strip("`*").split()
                if words:
                    _add(model, match["table"], words[0], " ".join(words[1:]))
    return model


def _tables_under_headings(body: str) -> list[tuple[str, list[dict[str, str]]]]:
    found = []
    heading, lines = None, []
    for line in markdown_lines(body) + ["### "]:
        match = re.match(r"^#{3,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            if heading:
                found += [(heading, rows) for rows in tables("\n".join(lines))]
            words = re.findall(r"`?([A-Za-z_]\w*)`?", match[1])
            heading, lines = (words[-1] if words else None), []
        else:
            lines.append(line)
    return found


def _key(header: str) -> str:
    word = re.sub(r"[^a-z]", "", header.lower())
    return {"name": "column", "field": "column", "datatype": "type"}.get(word, word)


def _add(model: DataModel, table: str, column: str, type_text: str) -> None:
    table, column = _name(table), _name(column)
    if not table or not column or BRACKET_PLACEHOLDER.search(f"{table} {column}"):
        return
    model.setdefault(table, {})[column] = " ".join(type_text.replace("`", "").split())


def _name(cell: str) -> str:
    # `bookings.room_id`, **end**, "end": the name, without the markup or the quotes.
    text = cell.strip().strip("*`\"' ")
    return text.split(".")[-1] if text.count(".") == 1 and " " not in text else text
