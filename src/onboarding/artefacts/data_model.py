"""Reading the data model a design document describes: its tables, their columns and types.

The TSD's `## Data model` section (`templates/tsd.md`) lists the schema. This is the one reader
of it: stage 02 asks that it names each column's type, stage 03 compares it with the schema the
learner's migrations produce. Three shapes are read, since people write all three:

- one table of every column, with `Table` and `Column` headers (and `Type`, optionally):
  `| bookings | cancelled | INTEGER | 0 or 1 |`;
- one table per database table with a `Column` header, named by the line above it (a
  `### bookings` heading, `**bookings**`, `Table bookings:`) or else by its heading;
- a list, one item per table: `- bookings: id, room_id, organiser, start, end`, read only when
  no table lists a column (a list beside a table holds notes, not columns).

Folded `<details>` examples (the template's) are not part of it; placeholders (`[table]`) are
read as written, and `read_data_model` leaves them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onboarding.artefacts.markdown import (
    BRACKET_PLACEHOLDER,
    DETAILS_BLOCK,
    PipeTable,
    list_items,
    pipe_tables,
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


@dataclass(frozen=True)
class Column:
    """One column as the document lists it: its table, its name, its type and notes as written."""

    table: str
    name: str
    type: str
    notes: str = ""


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


def columns(body: str) -> list[Column]:
    """Every column a `## Data model` section's body lists, in the order written.

    Placeholders (`[table]`) are kept, so that a check can say that one is left; a list is read
    only when no table lists a column that is not a placeholder.
    """
    body = DETAILS_BLOCK.sub("", body)
    found = [column for table in pipe_tables(body) for column in _table_columns(table)]
    if any(not _placeholder(column) for column in found):
        return found
    return found + _listed_columns(body)


def read_data_model(body: str) -> DataModel:
    """The tables and columns a `## Data model` section's body lists, without placeholders."""
    model: DataModel = {}
    for column in columns(body):
        if not _placeholder(column):
            model.setdefault(column.table, {})[column.name] = column.type
    return model


NOT_COLUMNS = frozenset({"index", "indexes", "indices", "constraints", "keys", "triggers", "views"})
"""Names of tables that list something else of a data model than columns (`### Indexes`)."""
OTHER_SUBJECTS = frozenset(
    {"index", "indexname", "indexes", "indices", "constraint", "constraintname", "trigger", "view"}
)
"""First headers of a table whose rows are something else than columns: `| Index | Table |
Column |` lists an index a row, with the columns it covers."""


def _table_columns(table: PipeTable) -> list[Column]:
    keys = [_key(cell) for cell in table.header]
    if "column" not in keys or "columns" in keys or keys[0] in OTHER_SUBJECTS:
        # `| Name | Columns |` lists indexes or keys, each over several columns; a table whose
        # rows are indexes (`| Index | Table | Column |`) names their columns, not the table's.
        return []
    # One table of every column names each row's table; a table of one table's columns is named
    # by the line above it (`### rooms`, `**rooms**`, `Table rooms:`) or its heading.
    own_name = _caption_name(table.caption) or _heading_name(table.heading)
    if "table" not in keys and own_name.lower() in NOT_COLUMNS:
        return []
    found = []
    for row in table.rows:

        def cell(key: str, row: list[str] = row) -> str:
            at = keys.index(key) if key in keys else len(row)
            return row[at] if at < len(row) else ""

        name, column = _name(cell("table") if "table" in keys else own_name), _name(cell("column"))
        if name and column:
            found.append(Column(name, column, _type(cell("type")), _plain(cell("notes"))))
    return found


def _listed_columns(body: str) -> list[Column]:
    found = []
    for item in list_items(body):
        match = re.match(
            r"^\**`?(?P<table>[\w.]+)`?\**\s*(?:\((?P<paren>[^)]*)\)|:(?P<colon>.*))$", item
        )
        if match:
            listed = match["paren"] if match["paren"] is not None else match["colon"]
            for column in re.split(r"[,;]", listed):
                words = column.strip().strip("`*").split()
                table, name = _name(match["table"]), _name(words[0]) if words else ""
                if table and name:
                    found.append(Column(table, name, _type(" ".join(words[1:]))))
    return found


def _placeholder(column: Column) -> bool:
    return bool(BRACKET_PLACEHOLDER.search(f"{column.table} {column.name}"))


def _key(header: str) -> str:
    """What a header names, whatever words it is written in: `Column name` is the column."""
    word = re.sub(r"[^a-z]", "", header.lower())
    return {
        "name": "column",
        "field": "column",
        "columnname": "column",
        "fieldname": "column",
        # An entity-relationship model's words for a table and its columns.
        "attribute": "column",
        "entity": "table",
        "tablename": "table",
        "datatype": "type",
        "sqltype": "type",
        "sqlitetype": "type",
        "columntype": "type",
        "fieldtype": "type",
        "dbtype": "type",
        "databasetype": "type",
        "storageclass": "type",  # SQLite's own word for the kind of value a column holds
        "constraints": "notes",
        "description": "notes",
    }.get(word, word)


def _plain(cell: str) -> str:
    """A cell without Markdown decoration: `**rooms**` and `` `id` `` are rooms and id."""
    return cell.strip().strip("*_`").strip()


def _name(cell: str) -> str:
    # `bookings.room_id`, **end**, "end": the name, without the markup or the quotes.
    text = cell.strip().strip("*`\"' ")
    return text.split(".")[-1] if text.count(".") == 1 and " " not in text else text


def _type(cell: str) -> str:
    return _plain(" ".join(cell.replace("`", "").split()))


def _caption_name(caption: str) -> str:
    """`### rooms`, `**rooms**`, `` `rooms` ``, `Table rooms:`, `The rooms table`, `3.1 rooms`,
    `rooms (reference data)` -> rooms; "" for a sentence."""
    text = re.sub(r"^#+\s*", "", caption).strip().rstrip(":").strip()
    # A note in brackets after the name, and the markup around it, are not the name.
    text = re.sub(r"\s*\([^()]*\)$", "", text).replace("`", "").replace("*", "")
    text = re.sub(r"^\d+(?:\.\d+)*[.)]?\s+", "", text)
    text = re.sub(r"^(?:the\s+)?table\b\s*:?\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^the\s+|\s+table$", "", text, flags=re.IGNORECASE)
    text = _plain(text)
    return text if re.fullmatch(r"[A-Za-z_][\w.]*", text) else ""


def _heading_name(heading: str) -> str:
    """A heading's name (as `_caption_name` reads it), or else its last name-like word other
    than "table": `Table `rooms``, `bookings`, `Where bookings live` -> rooms, bookings, live."""
    named = _caption_name(heading)
    if named:
        return named
    words = [
        word
        for word in re.findall(r"`?([A-Za-z_]\w*)`?", heading)
        if word.lower() not in ("table", "tables")
    ]
    return words[-1] if words else ""
