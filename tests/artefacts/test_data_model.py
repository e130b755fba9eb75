"""onboarding.artefacts.data_model: the tables and columns a TSD's Data model section lists."""

from onboarding.artefacts.data_model import family, read_data_model


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
