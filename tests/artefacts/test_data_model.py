"""onboarding.artefacts.data_model: the tables and columns a TSD's Data model section lists."""

import pytest

from onboarding.artefacts import tsd
from onboarding.artefacts.data_model import Column, columns, family, read_data_model
from onboarding.artefacts.markdown import section
from onboarding.stages.api_design import tsd as tsd_rules


def test_one_table_of_every_column():
    body = """
| Table | Column | Type | Notes |
| --- | --- | --- | --- |
| rooms | id | INTEGER | primary key |
| `bookings` | **end** | TEXT (UTC) | after start |
| [table] | [column] | [type] | [notes] |

<details>
| Table | Column | Type |
| --- | --- | --- |
| example | hidden | TEXT |
</details>
"""
    assert read_data_model(body) == {"rooms": {"id": "INTEGER"}, "bookings": {"end": "TEXT (UTC)"}}


def test_a_table_per_database_table_under_its_heading():
    body = """
### Table `rooms`

| Column | Type |
| --- | --- |
| id | INTEGER |
| name | TEXT |

### bookings

| Name | Data type |
| --- | --- |
| room_id | integer |
"""
    assert read_data_model(body) == {
        "rooms": {"id": "INTEGER", "name": "TEXT"},
        "bookings": {"room_id": "integer"},
    }


def test_a_list_when_there_is_no_table():
    body = "- rooms: id, name, capacity\n- `bookings` (id integer, room_id, start text)\n"
    assert read_data_model(body) == {
        "rooms": {"id": "", "name": "", "capacity": ""},
        "bookings": {"id": "integer", "room_id": "", "start": "text"},
    }


def test_notes_beside_a_table_are_not_columns():
    body = "| Table | Column |\n| --- | --- |\n| rooms | id |\n\n- Volume: about 20,000 a year\n"
    assert read_data_model(body) == {"rooms": {"id": ""}}


def test_words_for_types_by_storage_class():
    assert [
        family(t) for t in ("INTEGER", "boolean", "datetime", "varchar(20)", "Floats", "money")
    ] == ["integer", "integer", "text", "text", "real", None]


def test_a_table_named_by_the_line_above_it_or_by_its_heading():
    body = """
**rooms**

| Column | Type |
| --- | --- |
| id | INTEGER |

### bookings

One row per booking; times are UTC text.

| Field | Type |
| --- | --- |
| start | TEXT |
"""
    assert read_data_model(body) == {"rooms": {"id": "INTEGER"}, "bookings": {"start": "TEXT"}}


def test_a_table_of_every_column_under_a_heading_is_not_read_again_as_the_headings_table():
    body = (
        "### Schema\n\n| Table | Column | Type |\n| --- | --- | --- |\n| rooms | id | INTEGER |\n"
    )
    assert read_data_model(body) == {"rooms": {"id": "INTEGER"}}


def test_columns_keep_placeholders_notes_and_order_for_the_checks_that_name_them():
    body = (
        "| Table | Column | Type | Constraints |\n| --- | --- | --- | --- |\n"
        "| rooms | id | `INTEGER` | **primary key** |\n| [table] | [column] | [type] | [notes] |\n"
    )
    assert columns(body) == [
        Column("rooms", "id", "INTEGER", "primary key"),
        Column("[table]", "[column]", "[type]", "[notes]"),
    ]


def test_a_list_is_read_when_the_only_table_is_the_templates_placeholder_row():
    body = "| Table | Column |\n| --- | --- |\n| [table] | [column] |\n\n- rooms: id integer\n"
    assert read_data_model(body) == {"rooms": {"id": "integer"}}


def test_stage_02_and_stage_03_read_the_same_data_model():
    """One reader: what the TSD's data model lists is the same for stage 02 and stage 03."""
    text = "## Data model\n\n- rooms (id integer, name text)\n- `bookings`: id integer\n"
    assert {
        table: {column.name: column.type for column in listed}
        for table, listed in tsd.data_model(text).items()
    } == read_data_model(section(text, "Data model"))
    assert tsd_rules.data_model_problems(text) == []


def test_a_type_column_headed_sql_type_is_the_type():
    body = """
| Table | Column | SQL type |
|-|-|-|
| rooms | id | INTEGER |
"""
    assert read_data_model(body) == {"rooms": {"id": "INTEGER"}}


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("| Table name | Column name | Column type |", "| rooms | id | INTEGER |"),
        ("| Table | Field name | Field type |", "| rooms | id | INTEGER |"),
        ("| Entity | Attribute | Type |", "| rooms | id | INTEGER |"),
        ("| Column | Table | Type |", "| id | rooms | INTEGER |"),
        ("| Table | Column | Storage class |", "| rooms | id | INTEGER |"),
        ("| Table | Column | DB type |", "| rooms | id | INTEGER |"),
    ],
)
def test_headers_written_in_other_words_or_orders_name_the_same_columns(header, row):
    """A header says which column holds what; its words and its order are the writer's."""
    assert read_data_model(f"{header}\n| --- | --- | --- |\n{row}\n") == {
        "rooms": {"id": "INTEGER"}
    }


@pytest.mark.parametrize(
    "name_line",
    [
        "### The rooms table",
        "### `rooms` table",
        "### Table: rooms",
        "### Table `rooms`",
        "**rooms** table",
        "The `rooms` table:",
        "#### 3.1 rooms",
        "### rooms (reference data)",
    ],
)
def test_a_table_named_with_the_word_table_or_a_number_is_that_table(name_line):
    """`### The rooms table` names rooms, not a table called “table”."""
    body = f"{name_line}\n\n| Column | Type |\n| --- | --- |\n| id | INTEGER |\n"
    assert read_data_model(body) == {"rooms": {"id": "INTEGER"}}


@pytest.mark.parametrize(
    "indexes",
    [
        "### Indexes\n\n| Name | Table | Columns |\n| --- | --- | --- |\n"
        "| idx_bookings_room_time | bookings | room_id, start, end |\n",
        "**Indexes**\n\n| Name | Columns |\n| --- | --- |\n| idx_bookings_room_time | room_id, start |\n",
        "| Table | Index | Columns |\n| --- | --- | --- |\n| bookings | idx_bookings_room_time | room_id |\n",
        "### Constraints\n\n| Name | Column | Rule |\n| --- | --- | --- |\n"
        "| ck_bookings_attendees_at_least_one | attendees | at least 1 |\n",
        "### Indexes\n\n| Index | Table | Column |\n| --- | --- | --- |\n"
        "| idx_bookings_room_time | bookings | room_id, start, end |\n",
        "| Constraint | Table | Column | Rule |\n| --- | --- | --- | --- |\n"
        "| ck_rooms_capacity_positive | rooms | capacity | above 0 |\n",
    ],
    ids=[
        "named-by-heading",
        "named-by-caption",
        "index-column",
        "constraints-one-column-each",
        "an-index-a-row-with-a-table-column",
        "a-constraint-a-row-with-a-table-column",
    ],
)
def test_a_table_of_indexes_beside_the_columns_is_not_columns(indexes):
    """Indexes are part of a data model; a table listing them lists no columns."""
    body = (
        "| Table | Column | Type |\n| --- | --- | --- |\n| bookings | id | INTEGER |\n\n" + indexes
    )
    assert read_data_model(body) == {"bookings": {"id": "INTEGER"}}


def test_a_column_table_with_an_index_column_is_still_columns():
    body = "### bookings\n\n| Column | Type | Index |\n| --- | --- | --- |\n| room_id | INTEGER | yes |\n"
    assert read_data_model(body) == {"bookings": {"room_id": "INTEGER"}}
