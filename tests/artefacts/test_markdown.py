"""Reading learners' Markdown: sections, lists, tables and fences, outside comments and code."""

from __future__ import annotations

import pytest

from onboarding.artefacts import markdown
from onboarding.checks import ArtefactError, CheckFailed

DOCUMENT = """\
# Booking service: TSD

<!-- ## Hidden: a heading inside a comment is not a section -->

## Endpoints

| Method | Path | Answers |
| --- | --- | --- |
| POST | /rooms/{room_id}/bookings | 201, 404, 409, 422 |
| GET | /bookings/{booking_id} | 200, 404 |

## Data model

```mermaid
erDiagram
    ROOMS ||--o{ BOOKINGS : has
```

- rooms: id, name, capacity
- bookings: id, room_id
1. numbered too

```python
## not a heading either
```
"""


def test_sections_skip_comments_and_code_fences():
    assert [title for title, _ in markdown.sections(DOCUMENT)] == ["", "Endpoints", "Data model"]
    assert markdown.section(DOCUMENT, "Missing") is None


def test_tables_are_rows_keyed_by_their_header():
    (table,) = markdown.tables(markdown.section(DOCUMENT, "Endpoints"))
    assert table == [
        {"Method": "POST", "Path": "/rooms/{room_id}/bookings", "Answers": "201, 404, 409, 422"},
        {"Method": "GET", "Path": "/bookings/{booking_id}", "Answers": "200, 404"},
    ]


def test_a_short_row_is_padded_and_an_escaped_pipe_stays_in_its_cell():
    (table,) = markdown.tables("| a | b |\n|---|---|\n| x \\| y |\n")
    assert table == [{"a": "x \\| y", "b": ""}]


def test_pipe_tables_know_the_line_above_and_their_heading():
    text = (
        "### rooms\n\n| Column |\n| --- |\n| id |\n\n| Column |\n| --- |\n| floor |\n\n"
        "One row per booking.\n\n| Column |\n| --- |\n"
    )
    first, second, third = markdown.pipe_tables(text)
    assert (first.caption, first.heading, first.rows) == ("### rooms", "rooms", [["id"]])
    # A table is not the caption of the next one: nothing names the second table but its heading.
    assert (second.caption, second.heading, second.rows) == ("", "rooms", [["floor"]])
    assert (third.caption, third.heading, third.rows) == ("One row per booking.", "rooms", [])


def test_list_items_of_both_kinds():
    assert markdown.list_items(markdown.section(DOCUMENT, "Data model")) == [
        "rooms: id, name, capacity",
        "bookings: id, room_id",
        "numbered too",
    ]


def test_fenced_blocks_by_language():
    assert markdown.fenced_blocks(DOCUMENT, "mermaid") == [
        "erDiagram\n    ROOMS ||--o{ BOOKINGS : has"
    ]
    assert markdown.fenced_blocks(DOCUMENT, "sql") == []


@pytest.mark.parametrize(
    ("text", "bodies"),
    [
        ("1. Run it:\n\n   ```sql\n   SELECT 1;\n   ```\n", ["SELECT 1;"]),
        ("10. Run it:\n\n    ```sql\n    SELECT 1;\n    ```\n", ["SELECT 1;"]),
        ("> ```sql\n> SELECT 1;\n> ```\n", ["SELECT 1;"]),
        ("````sql\nSELECT 1;\n```\n-- still SQL\n````\n", ["SELECT 1;\n```\n-- still SQL"]),
        ("~~~sql\nSELECT 1;\n```\n~~~~\n", ["SELECT 1;\n```"]),
        ("```sql\nSELECT 1;\n```sql\nSELECT 2;\n```\n", ["SELECT 1;\n```sql\nSELECT 2;"]),
        ("```sql\nSELECT 1;\n", ["SELECT 1;"]),
        ("```SQL title=\"review\"\nSELECT 1;\n```\n", ["SELECT 1;"]),
        ("```{sql}\nSELECT 1;\n```\n", ["SELECT 1;"]),
        ("<!--\n```sql\nSELECT 0;\n```\n-->\n\n    ```sql\n    SELECT 0;\n    ```\n", []),
        ("```sqlite\nSELECT 0;\n```\n", []),
    ],
    ids=["in-a-list-item", "deeper-list-item", "in-a-quotation", "longer-fence", "tilde-fence",
         "info-does-not-close", "left-open", "upper-case-with-title", "myst-braces",
         "comment-and-indented-code", "another-language"],
)  # fmt: skip
def test_fences_are_read_as_commonmark_reads_them(text, bodies):
    """One reader of fences, CommonMark's: a fence closes only with a bare fence of its own
    character at least as long, and one left open runs to the end of the text."""
    assert markdown.fenced_blocks(text, "sql") == bodies


def test_code_fences_know_their_lines():
    text = "# Plan\n\n```Gherkin\nGiven a room\n```\n\n~~~\nleft open\n"
    assert markdown.code_fences(text) == [
        markdown.CodeFence(first=2, last=4, language="gherkin", lines=["Given a room"]),
        markdown.CodeFence(first=6, last=7, language="", lines=["left open"]),
    ]


# Where a line-by-line toggle on ``` and CommonMark disagree: every reader follows CommonMark.
HEADING_IN_CODE = {
    "longer-fence": "````markdown\n```\n## steps\n````\n\nafter\n",
    "info-does-not-close": "```text\nSELECT 1;\n```sql\n## steps\n```\n\nafter\n",
    "left-open": "~~~\n```\n## steps\n",
}
HEADING_OUTSIDE_CODE = {
    # Indented four spaces, ``` is indented code, not a fence that would run to the end.
    "indented-four-spaces": "Run:\n\n    ```\n    make\n\n## steps\n\nafter\n",
    # A fence left open in a list item ends with the item.
    "left-open-in-a-list-item": "- Run it:\n\n  ```sh\n  make\n\n## steps\n\nafter\n",
    # Code is literal: its `<!--` opens no comment that would hide the rest.
    "comment-start-in-code": "```html\n<!-- the page's comment\n```\n\n## steps\n\nafter\n",
}


@pytest.mark.parametrize("text", HEADING_IN_CODE.values(), ids=HEADING_IN_CODE.keys())
def test_a_heading_inside_a_code_fence_is_no_section_to_any_reader(text):
    assert "## steps" not in markdown.markdown_lines(text)
    assert markdown.section(text, "Steps") is None
    assert markdown.section_source(text, "Steps") is None
    assert markdown.in_template_case(text, ("Steps",)) == text


@pytest.mark.parametrize("text", HEADING_OUTSIDE_CODE.values(), ids=HEADING_OUTSIDE_CODE.keys())
def test_a_heading_after_what_only_looks_like_an_open_fence_is_a_section(text):
    assert "## steps" in markdown.markdown_lines(text)
    assert markdown.section(text, "Steps") == "\nafter"
    assert markdown.section_source(text, "Steps") == "\nafter"
    assert markdown.in_template_case(text, ("Steps",)) == text.replace("## steps", "## Steps")


def test_code_keeps_its_lines_in_a_section_and_its_comments_hide_nothing():
    text = "## Steps\n\n```html\n<!-- kept -->\n## not a heading\n```\n<!-- hidden -->\nafter\n"
    assert markdown.section_source(text, "Steps") == (
        "\n```html\n<!-- kept -->\n## not a heading\n```\n\nafter"
    )
    assert markdown.lines_with_code(text) == [
        ("## Steps", False),
        ("", False),
        ("```html", True),
        ("<!-- kept -->", True),
        ("## not a heading", True),
        ("```", True),
        ("", False),
        ("after", False),
    ]


def test_prose_blocks_are_paragraphs_and_items_wherever_their_lines_break():
    text = (
        "# Impact\n"  # 0
        "The deploy held a lock\n"  # 1
        "for 14 minutes.\n"  # 2
        "\n"
        "- first item\n"  # 4
        "- second item\n"  # 5
        "\n"
        "> quoted notes\n"  # 7
        "\n"
        "```text\n"  # 9
        "code words\n"
        "```\n"
        "<!-- a hint -->\n"  # 12
        "<table><tr><td>a cell</td></tr></table>\n"  # 13
    )
    blocks = markdown.prose_blocks(text)
    assert [(row, " ".join(words.split())) for row, words in blocks] == [
        (0, "Impact"),
        (1, "The deploy held a lock for 14 minutes."),
        (4, "first item"),
        (5, "second item"),
        (13, "a cell"),
    ]
    # A paragraph keeps its line breaks, so a reader can say on which line words stand.
    assert blocks[1][1] == "The deploy held a lock\nfor 14 minutes."


def test_a_missing_or_empty_document_is_one_clear_line(tmp_path):
    with pytest.raises(ArtefactError, match="tsd.md does not exist yet"):
        markdown.read_document(tmp_path / "tsd.md")
    (tmp_path / "tsd.md").write_text("  \n")
    with pytest.raises(CheckFailed, match="tsd.md is empty"):
        markdown.read_document(tmp_path / "tsd.md")


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [("Owner: [name]", True), ("- [ ] done", False), ("see [the PRD](prd.md)", False)],
)
def test_bracket_placeholders_but_not_task_boxes_or_links(text, placeholder):
    assert bool(markdown.BRACKET_PLACEHOLDER.search(text)) is placeholder


def test_a_note_in_brackets_after_a_heading_names_the_same_section():
    text = "## Timeline (UTC)\n\nten past ten\n\n## (draft)\n\nnotes\n"
    assert markdown.section(text, "Timeline") == "\nten past ten\n"
    assert markdown.section(text, "timeline (times in UTC)") == "\nten past ten\n"
    # A heading that is only a note keeps it as its name.
    assert markdown.section(text, "(draft)") == "\nnotes"
    assert markdown.template_titles(text, ("Timeline",)) == ["Timeline", "(draft)"]
    assert markdown.is_heading("## Timeline (UTC)", "Timeline")
    assert not markdown.is_heading("### Timeline", "Timeline")


def test_a_table_with_one_hyphen_a_cell_is_a_table_and_a_lone_hyphen_is_not():
    assert markdown.tables("| a | b |\n|-|:-:|\n| 1 | 2 |\n") == [[{"a": "1", "b": "2"}]]
    assert markdown.tables("a | b\n-\n1 | 2\n") == []


def test_a_footnote_is_no_placeholder_and_a_bracketed_blank_is():
    assert markdown.BRACKET_PLACEHOLDER.search("Times are half-open[^1].") is None
    assert markdown.BRACKET_PLACEHOLDER.search("Owner: [your name]")[0] == "[your name]"


@pytest.mark.parametrize(
    "written",
    [
        "## Timeline",
        "## 3. Timeline",
        "## 3) Timeline",
        "## 2.1 Timeline",
        "## C. Timeline",
        "## **Timeline**",
        "## _Timeline:_",
        "## Timeline:",
        "  ## Timeline",
        "##\tTimeline",
        "## Timeline ##",
    ],
)
def test_a_section_number_emphasis_or_colon_names_the_same_section(written):
    """Every reader of sections agrees on what names one: one heading pattern, one key."""
    text = f"# Notes\n\n{written}\n\nten past ten\n"
    assert markdown.section(text, "Timeline") == "\nten past ten"
    assert markdown.section_source(text, "Timeline") == "\nten past ten"
    assert markdown.is_heading(written, "Timeline")
    assert markdown.template_titles(text, ("Timeline",)) == ["Timeline"]


@pytest.mark.parametrize(
    ("written", "heading"),
    [
        ("## 0.2.0 - 2030-03-16", "- 2030-03-16"),  # a version is not a section number
        ("## 2030 plans", "plans"),
        ("### Timeline", "Timeline"),
        ("    ## Timeline", "Timeline"),  # indented four spaces: code, not a heading
        ("## Timelines", "Timeline"),
    ],
)
def test_what_is_not_that_section(written, heading):
    assert markdown.section(f"{written}\n\nbody\n", heading) is None


def test_a_defined_reference_link_and_inline_code_are_no_placeholders():
    text = (
        "## Scope\n\nSee [the desk PRD][desks] and [parking]; the SDK returns `list[Booking]`"
        " and flags `TODO` comments.\n\n[desks]: https://example.com/desks\n"
        "[Parking]: https://example.com/parking\n"
    )
    assert markdown.leftover_problems(text, "") == []
    undefined = text.replace("[Parking]: https://example.com/parking\n", "")
    assert markdown.leftover_problems(undefined, "") == [
        "`## Scope` still has the placeholder `[parking]`"
    ]
    assert markdown.leftover_problems(text.replace("[desks]:", "[desk]:"), "") == [
        "`## Scope` still has the placeholder `[desks]`"
    ]


# --- The writer's own Markdown: GitHub alerts, brackets after a name, folded blocks -----------


@pytest.mark.parametrize(
    "text",
    [
        "> [!NOTE]",
        "> [!tip]",
        ">[!CAUTION]",
        "> > [!WARNING]",
        "> [!IMPORTANT] Read this first.",
        "Run tests/test_acceptance.py::test_overlap[happy-path] first.",
        "The first row, rows[0], is the header.",
        "Task: [ ] and [x]",
        "Times are half-open[^1].",
        "See [the PRD](prd.md).",
        "[prd]: docs/prd.md",
    ],
)
def test_markdowns_own_brackets_are_no_placeholders(text):
    assert markdown.BRACKET_PLACEHOLDER.search(text) is None


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Owner: [name]", "[name]"),
        ("[Context.] The service books rooms.", "[Context.]"),
        ("> [who agrees the thresholds]", "[who agrees the thresholds]"),
        ("> [!NOTE] [who agrees]", "[who agrees]"),
        ("[!NOTE] outside a quotation", "[!NOTE]"),
        ("Owner: _[name]_", "[name]"),
        ("Owner: **[name]**", "[name]"),
        ("| [table.column] | [add / change / drop] |", "[table.column]"),
        ("See [the PRD][prd].", "[prd]"),  # a placeholder unless the document defines `[prd]:`
    ],
)
def test_a_placeholder_is_still_found_after_a_space_a_quote_or_emphasis(text, placeholder):
    assert markdown.BRACKET_PLACEHOLDER.search(text)[0] == placeholder


TEMPLATE_WITH_EXAMPLE = (
    "## Context\n\n> Say why the service exists.\n\n[Context.]\n\n"
    "<details>\n<summary>Example: booking service</summary>\n\n"
    "Staff book rooms from their calendar.\n\n</details>\n"
)
WRITERS_FOLDED = (
    "<details>\n<summary>Why not a message queue?</summary>\n\n"
    "A booking is confirmed while the user waits.\n\n</details>\n"
)


@pytest.mark.parametrize(
    ("block", "is_example"),
    [
        pytest.param(WRITERS_FOLDED, False, id="the-writers-own"),
        pytest.param(
            "<details><summary>example: our rooms</summary>text</details>", True, id="says-example"
        ),
        pytest.param(
            "<details>\n<summary>Background</summary>\n\nStaff book rooms from their"
            "   calendar.\n</details>",
            True,
            id="the-templates-content-renamed",
        ),
        pytest.param(
            "<details>\n<summary>Example: booking service</summary>\nOther text.\n</details>",
            True,
            id="the-templates-summary",
        ),
    ],
)
def test_the_templates_collapsed_example_is_told_from_the_writers_folded_block(block, is_example):
    assert markdown.is_template_example(block, TEMPLATE_WITH_EXAMPLE) is is_example
    opened = markdown.writers_details_opened(f"Before.\n\n{block}\n\nAfter.", TEMPLATE_WITH_EXAMPLE)
    assert ("<details>" in opened.lower()) is is_example
    # Without the template's examples, only the writer's own block's words are left.
    left = markdown.without_template_examples(block, TEMPLATE_WITH_EXAMPLE)
    assert (left.strip() == "") is is_example


ALERT = "> [!NOTE]\n> The calendar plug-in is out of scope until the PRD is approved.\n\n"


def _context(body: str) -> str:
    return f"# Booking service\n\n## Context\n\n{body}\nStaff book rooms.\n"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(WRITERS_FOLDED, id="writers-folded-block"),
        pytest.param(ALERT, id="github-alert"),
        pytest.param(ALERT.replace("NOTE", "warning") + WRITERS_FOLDED, id="both"),
        pytest.param("Run `test_overlap[happy-path]` and test_overlap[edge].\n", id="test-ids"),
    ],
)
def test_the_writers_own_markdown_is_no_leftover(body):
    guidance = markdown.template_guidance(TEMPLATE_WITH_EXAMPLE)
    assert (
        markdown.leftover_problems(_context(body), guidance, template=TEMPLATE_WITH_EXAMPLE) == []
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param(
            TEMPLATE_WITH_EXAMPLE.split("\n\n", 3)[3],
            "still holds the template's collapsed example",
            id="the-templates-example",
        ),
        pytest.param(
            WRITERS_FOLDED.replace("A booking", "[Why.] A booking"),
            "still has the placeholder `[Why.]`",
            id="a-placeholder-in-the-writers-folded-block",
        ),
        pytest.param(
            "> [!NOTE]\n> [who approves the PRD]\n\n",
            "still has the placeholder `[who approves the PRD]`",
            id="a-placeholder-in-an-alert",
        ),
        pytest.param(
            "> [!TIP]\n> Say why the service exists.\n\n",
            "still has the template's guidance",
            id="guidance-in-an-alert",
        ),
    ],
)
def test_the_templates_leftovers_are_named_inside_the_writers_markdown(body, problem):
    guidance = markdown.template_guidance(TEMPLATE_WITH_EXAMPLE)
    found = markdown.leftover_problems(_context(body), guidance, template=TEMPLATE_WITH_EXAMPLE)
    assert len(found) == 1
    assert found[0].startswith(f"`## Context` {problem}")


def test_without_the_template_every_folded_block_is_the_templates():
    assert markdown.leftover_problems(_context(WRITERS_FOLDED), "") == [
        "`## Context` still holds the template's collapsed example; delete it"
    ]


def test_an_alert_is_the_writers_quotation_unless_it_repeats_the_guidance():
    guidance = markdown.template_guidance(TEMPLATE_WITH_EXAMPLE)
    assert markdown.guidance_quotes(ALERT, guidance) == []
    assert markdown.guidance_quotes("> The calendar plug-in is out of scope.\n", guidance) == [
        "The calendar plug-in is out of scope."
    ]
    repeated = "> [!NOTE]\n> Say why the service exists.\n"
    assert markdown.guidance_quotes(repeated, guidance) == ["[!NOTE]"]


# --- Setext headings: a title underlined with `===` or `---` ----------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Timeline\n---",
        "Timeline\n--------",
        "Timeline\n-",
        "Timeline\n   ---   ",
        "**Timeline**\n---",
        "Timeline (UTC)\n---",
        "Timeline\r\n---",
    ],
)
def test_a_setext_heading_underlined_with_hyphens_is_a_section(written):
    """CommonMark's other way to write a level-2 heading: every reader of sections sees it."""
    text = f"Notes\n=====\n\n{written}\n\nten past ten\n"
    assert markdown.section(text, "Timeline") == "\nten past ten"
    assert markdown.section_source(text, "Timeline") == "\nten past ten"
    assert markdown.template_titles(text, ("Timeline",)) == ["Timeline"]
    assert any(markdown.is_heading(line, "Timeline") for line in markdown.markdown_lines(text))


def test_setext_headings_keep_their_level_and_the_text_its_lines():
    text = "Notes\n=====\n\nTimeline\n---\nten past ten\n\nRoot cause\n----------\n\nDNS\n"
    assert markdown.setext_as_atx(text) == (
        "\n# Notes\n\n\n## Timeline\nten past ten\n\n\n## Root cause\n\nDNS\n"
    )
    # `===` is a level-1 heading, the document's title: not a `## ` section.
    assert [title for title, _ in markdown.sections(text)] == ["", "Timeline", "Root cause"]
    assert markdown.section(text, "Notes") is None
    # A title over two lines is one heading (CommonMark joins a paragraph's lines).
    assert markdown.section("Root\ncause\n---\nDNS", "Root cause") == "DNS"
    # `in_template_case` writes a Setext heading in the template's case like any other.
    assert markdown.template_titles("root CAUSE\n---\n", ("Root cause",)) == ["Root cause"]


@pytest.mark.parametrize(
    "text",
    [
        "Notes\n\n---\n\nTimeline",  # after a blank line: a thematic break
        "---\ntitle: Timeline\n---\n\nnotes",  # YAML front matter
        "- Timeline\n---",  # under a list item: a thematic break
        "- first\nTimeline\n---",  # under a list item's lazy line: a thematic break
        "> Timeline\n---",  # under a quotation: a thematic break
        "- Timeline\n  ---",  # a heading inside a list item is not the document's section
        "> Timeline\n> ---",  # nor one inside a quotation
        "```\nTimeline\n---\n```",  # in a code fence
        "    Timeline\n---",  # under indented code
        "<!-- Timeline -->\n---",  # under a comment
        "Timeline\n    ---",  # indented four spaces: the paragraph goes on
        "Timeline\n***",  # stars and underscores are only rules
        "Timeline\n= =",
        "| Timeline |\n---\n| 09:00 |",  # a table's delimiter row
        "| Timeline |\n|---|\n| 09:00 |\n--",  # under a table's row
    ],
)
def test_what_is_not_a_setext_heading(text):
    assert markdown.setext_as_atx(text) == text
    assert markdown.section(text, "Timeline") is None


def test_a_table_stays_a_table_next_to_setext_headings():
    text = "Endpoints\n---\n\n| Method | Path |\n|---|---|\n| GET | /rooms |\n"
    (table,) = markdown.pipe_tables(text)
    assert (table.heading, table.rows) == ("Endpoints", [["GET", "/rooms"]])
    assert markdown.tables(markdown.section(text, "Endpoints")) == [
        [{"Method": "GET", "Path": "/rooms"}]
    ]
