"""Reading the Markdown documents learners write: a PRD, a TSD, a runbook, a postmortem…

Only what the document checks need: the text outside comments and code fences, its `## `
sections, its list items and tables, and what looks like a placeholder left from a template.
A Setext heading (a title underlined with `===` or `---`) is a heading as CommonMark says:
every reader here sees it as the `# ` or `## ` heading it is (`setext_as_atx`).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from onboarding.checks import CheckFailed, read_artefact
from onboarding.protocol import shorten

ALERT_KINDS = "NOTE|TIP|IMPORTANT|WARNING|CAUTION"
"""The kinds of GitHub's alerts, `> [!NOTE]`, in any letter case as GitHub reads them."""
BRACKET_PLACEHOLDER = re.compile(
    rf"""
    # A template writes its placeholders on their own, after a space, a `|` or a `*`: a bracket
    # right after a letter or digit is the writer's, such as a parametrised test's id
    # (`test_overlap[happy-path]`) or an index (`rows[0]`). `_` is not one of them, so that
    # `_[name]_`, a placeholder in emphasis, is still found.
    (?<![^\W_])
    # A GitHub alert's marker after a quotation's `>` (`> [!NOTE]`) is Markdown's own syntax.
    (?!(?:(?<=>)|(?<=>[ \t])|(?<=>[ \t]{{2}})|(?<=>[ \t]{{3}}))\[!(?i:{ALERT_KINDS})\])
    # Not a task box `[ ]` or `[x]`, nor a footnote `[^1]`.
    \[(?![ xX]\]|\^)[^\[\]\n]+\]
    # Not a link `[text](url)`, `[text][ref]`, nor a link's definition `[ref]: url`.
    (?![(\[:])
    """,
    re.VERBOSE,
)
"""A `[fill me in]` left from a template (not a task box `[ ]`, a link `[text](url)`, a
footnote `[^1]`, a GitHub alert `> [!NOTE]`, nor a bracket right after a name, `test_x[a]`)."""
ALERT = re.compile(rf"^[ \t]*(?:>[ \t]*)+\[!(?:{ALERT_KINDS})\]", re.IGNORECASE)
"""A line that opens a GitHub alert, `> [!WARNING]`: a quotation of the writer's own."""
DETAILS_BLOCK = re.compile(r"<details>.*?</details>", re.IGNORECASE | re.DOTALL)
"""A folded `<details>` block: the templates keep their examples in one, and a writer may fold
text of their own in one too (`writers_details_opened` tells them apart)."""
SUMMARY = re.compile(r"<summary>(?P<text>.*?)</summary>", re.IGNORECASE | re.DOTALL)
DETAILS_TAGS = re.compile(r"</?(?:details|summary)>", re.IGNORECASE)
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
TABLE_SEPARATOR = re.compile(
    r"^\s*(?:\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?|\|?(?:\s*:?-+:?\s*\|)+(?:\s*:?-+:?)?)\s*$"
)
"""The line under a table's header. GitHub takes one hyphen a cell (`|-|-|`, `|:-:|`) where the
line has a pipe; a line of hyphens alone needs three, or it is a list item or a rule."""
COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
"""An HTML comment, or one left open, which hides the rest of the text it is in."""
HTML_TAG = re.compile(r"<[^<>\n]*>")
"""An HTML tag on one line: `<td>`, `</details>`, `<br/>`."""
FENCE_LANGUAGE = re.compile(r"\{?([^\s{}]*)")
"""The language of a code fence's info string: its first word, without braces."""
SECTION_HEADING = re.compile(r"(?P<marks> {0,3}##[ \t]+)(?!#)(?P<title>.+?)(?P<end>\s*#*\s*)$")
"""A `## ` heading line: the one pattern every reader of sections uses. As in CommonMark, up
to three spaces may come before it and a tab after it; closing `#`s are not part of the title.
A Setext heading underlined with `---` is one too, once `setext_as_atx` has written it so."""
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""One line with its ending, split where CommonMark (and so markdown-it) ends a line."""
FRONT_MATTER_END = re.compile(r"(?:---|\.\.\.)[ \t]*\r?\n?")
_COMMONMARK = MarkdownIt("commonmark").enable("table")
PARSES_KEPT = 64
"""How many texts' parses `_blocks` keeps: a check reads one document, and the template it
was written from, through several readers."""


def read_document(path: str | Path, how_to_create: str | None = None) -> str:
    """The text of a Markdown document; a missing or empty file is the learner's to fix."""
    text = read_artefact(path) if how_to_create is None else read_artefact(path, how_to_create)
    if not text.strip():
        raise CheckFailed(f"{Path(path).name} is empty")
    return text


def setext_as_atx(text: str) -> str:
    """The text with each Setext heading written as the ATX heading it is, line for line.

    `Title` over `===` becomes `# Title`, over `---` `## Title`; the heading takes the underline's
    line and the title's lines are left blank, so the text keeps its number of lines. What is a
    heading is CommonMark's decision, made by its parser (markdown-it, with GitHub's tables): a
    `---` after a blank line, a list item or a quotation is a thematic break, a `---` under a
    table's header is its delimiter row, and code, HTML comments and headings inside a list item
    or a quotation stay as written. YAML front matter (between two `---` lines at the very top,
    which CommonMark does not know) is left as it is too.
    """
    lines = LINE.findall(text)
    start = 0
    if lines and lines[0].rstrip() == "---":  # YAML front matter, as Jekyll and Hugo write it
        end = next((n for n in range(1, len(lines)) if FRONT_MATTER_END.fullmatch(lines[n])), None)
        start = 0 if end is None else end + 1
    for token in _blocks("".join(lines[start:])):
        # Only a heading of the document itself: level 0, not one inside a list or a quotation.
        if token.type != "heading_open" or token.markup not in ("=", "-") or token.level:
            continue
        first, after = (start + row for row in token.map)
        underline = after - 1
        title = " ".join(line.strip() for line in lines[first:underline])
        if title.endswith("#"):
            title += " #"  # a closing sequence, so that the title keeps its own `#`
        for row in range(first, underline):
            lines[row] = lines[row][len(lines[row].rstrip("\r\n")) :]
        ending = lines[underline][len(lines[underline].rstrip("\r\n")) :]
        lines[underline] = f"{'#' * (1 if token.markup == '=' else 2)} {title}{ending}"
    return "".join(lines)


@dataclass(frozen=True)
class CodeFence:
    """A fenced code block of a Markdown text, where CommonMark finds one."""

    first: int
    """The index of its opening fence's line (lines split as `LINE` splits them)."""
    last: int
    """The index of its closing fence's line; the last line of the document (or of the list
    item or quotation holding it) when it is left open."""
    language: str
    """The first word of its info string, in lower case: `sql` for ```` ```SQL title ````,
    `mermaid` for a MyST ```` ```{mermaid} ````; "" when there is none."""
    lines: list[str]
    """Its body, without the indentation of the list item or quotation that holds it."""


def code_fences(text: str) -> list[CodeFence]:
    """Every fenced code block of a text, in order, as CommonMark reads them.

    The one reader of fences: an opening fence of three or more backticks or tildes, indented
    up to three spaces (more inside a list item, as the item's own text is), closed by a fence of
    the same character at least as long; a fence left open runs to the end. A fence inside an
    HTML comment or an indented code block is none. markdown-it, CommonMark's parser, decides.
    """
    return [
        CodeFence(
            first=token.map[0],
            last=token.map[1] - 1,
            language=_fence_language(token.info),
            # markdown-it ends every line with "\n"; other characters do not end one.
            lines=token.content.removesuffix("\n").split("\n") if token.content else [],
        )
        for token in _blocks(text)
        if token.type == "fence" and token.map
    ]


@functools.lru_cache(maxsize=PARSES_KEPT)
def _blocks(text: str) -> tuple[Token, ...]:
    """The block tokens CommonMark's parser makes of a text, parsed once however many readers
    ask: every reader parses the whole text, and a check runs several on the same document.
    The tokens are shared, so no reader may change them."""
    return tuple(_COMMONMARK.parse(text))


def _fence_language(info: str) -> str:
    """The language an info string names: its first word, without MyST's braces (`{mermaid}`)
    or attributes written onto it (`python{linenos}`)."""
    return FENCE_LANGUAGE.match(info.strip())[1].lower()  # type: ignore[index]


def code_rows(text: str) -> set[int]:
    """The indices of the lines of a text (split as `LINE` splits them) that belong to a fenced
    code block, its fences included: the lines `code_fences` finds code on."""
    return {row for fence in code_fences(text) for row in range(fence.first, fence.last + 1)}


def lines_with_code(text: str) -> list[tuple[str, bool]]:
    """The lines of a Markdown text outside HTML comments, Setext headings written as ATX ones,
    each with whether it belongs to a fenced code block (its fences included).

    Where code is, `code_fences` decides. Code is literal: a `<!--` inside a fence is the code's
    own text, not a comment that would hide the lines after it."""
    text = setext_as_atx(text)
    code = code_rows(text)
    found: list[tuple[str, bool]] = []
    prose: list[str] = []

    def end_prose() -> None:
        uncommented = COMMENT.sub("", "".join(prose))
        found.extend((line.rstrip("\r\n"), False) for line in LINE.findall(uncommented))
        prose.clear()

    for row, line in enumerate(LINE.findall(text)):
        if row in code:
            end_prose()
            found.append((line.rstrip("\r\n"), True))
        else:
            prose.append(line)
    end_prose()
    return found


def prose_blocks(text: str) -> list[tuple[int, str]]:
    """(index of its first line, its text) for each paragraph, list item, heading and table
    cell of a Markdown text, outside quotations, code and HTML comments; and each line of
    its HTML blocks, without the tags.

    A paragraph's lines, or a list item's, come as one text with its line breaks: a sentence
    wrapped over two lines is one sentence, and two list items are two. CommonMark's parser
    decides what is what, as it does for `code_fences`.
    """
    blocks, quotations = [], 0
    for token in _blocks(text):
        if token.type == "blockquote_open":
            quotations += 1
        elif token.type == "blockquote_close":
            quotations -= 1
        elif token.type == "inline" and token.map and not quotations:
            blocks.append((token.map[0], _uncommented(token.content)))
        elif token.type == "html_block" and token.map and not quotations:
            # The words of an HTML block (a <table>, a <details>) are the writer's too, a line
            # at a time, as its lines say nothing of where its sentences end.
            lines = HTML_TAG.sub(lambda tag: " " * len(tag[0]), _uncommented(token.content)).split(
                "\n"
            )
            blocks += [(token.map[0] + row, line) for row, line in enumerate(lines) if line.strip()]
    return blocks


def _uncommented(text: str) -> str:
    """The text without its HTML comments, which hide their words but keep their lines."""
    return COMMENT.sub(lambda comment: "\n" * comment[0].count("\n"), text)


def markdown_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside HTML comments and fenced code blocks, Setext
    headings written as ATX ones."""
    return [line for line, in_code in lines_with_code(text) if not in_code]


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the code fences of one language (```mermaid, ```sql…), in order."""
    return [
        "\n".join(fence.lines) for fence in code_fences(text) if fence.language == language.lower()
    ]


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for each `## ` section, in order; the text before the first is ("", …)."""
    result: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown_lines(text):
        heading = SECTION_HEADING.match(line)
        if heading:
            result.append((heading["title"].strip(), []))
        else:
            result[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in result]


def section(text: str, heading: str) -> str | None:
    """The body of the first `## heading` section (in any letter case), or None if there is none."""
    key = heading_key(heading)
    return next((body for title, body in sections(text) if heading_key(title) == key), None)


def list_items(body: str) -> list[str]:
    """The text of each list item (bulleted or numbered) of a section, outside <details>."""
    items = []
    for line in DETAILS_BLOCK.sub("", body).splitlines():
        item = LIST_ITEM.match(line)
        if item and item["text"].strip():
            items.append(item["text"].strip())
    return items


HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*?)\s*#*\s*$")


@dataclass(frozen=True)
class PipeTable:
    """A pipe table of a text, with the lines a reader takes as its name."""

    header: list[str]
    rows: list[list[str]]
    """The cells of each row under the header, as written (a short row has fewer)."""
    caption: str
    """The last line of text just above it, stripped ("" when a table or nothing is there)."""
    heading: str
    """The text of the nearest heading above it ("" when there is none)."""


def pipe_tables(body: str) -> list[PipeTable]:
    """Every pipe table of a text outside comments and code fences, in order."""
    found: list[PipeTable] = []
    lines = markdown_lines(body)
    index, caption, heading = 0, "", ""
    while index < len(lines):
        line = lines[index]
        if "|" in line and index + 1 < len(lines) and TABLE_SEPARATOR.match(lines[index + 1]):
            header = row_cells(line)
            rows = []
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                rows.append(row_cells(lines[index]))
                index += 1
            found.append(PipeTable(header, rows, caption, heading))
            caption = ""
            continue
        if line.strip():
            caption = line.strip()
            title = HEADING.match(line)
            if title:
                heading = title["text"]
        index += 1
    return found


def tables(body: str) -> list[list[dict[str, str]]]:
    """Every pipe table of a text, each as rows keyed by its header cells."""
    return [
        [
            dict(
                zip(
                    table.header, (row + [""] * len(table.header))[: len(table.header)], strict=True
                )
            )
            for row in table.rows
        ]
        for table in pipe_tables(body)
    ]


def row_cells(line: str) -> list[str]:
    """The cells of one row of a pipe table, stripped."""
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


# --- Documents written from a company template ----------------------------------------------

GUIDANCE_SECTION = "How to use this template"
"""The templates' own section of guidance, which a filled-in copy deletes."""
PLACEHOLDER_WORDS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b", re.IGNORECASE)
QUOTE = re.compile(r"^\s*>\s?(?P<text>.*)$")


def section_source(text: str, heading: str) -> str | None:
    """The raw text of the first `## heading` section, code fences included (comments not)."""
    lines, inside = [], False
    for line, in_code in lines_with_code(text):
        title = None if in_code else SECTION_HEADING.match(line)
        if title:
            if inside:
                break
            inside = heading_key(title["title"]) == heading_key(heading)
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines) if inside else None


def in_template_case(text: str, headings: tuple[str, ...]) -> str:
    """The text with every `## ` heading that is one of `headings` but for letter case or
    spacing written as the template writes it (outside code fences); Setext headings are
    written as ATX ones (`setext_as_atx`).

    A heading names a section: `## problem statement` is the template's `## Problem Statement`,
    and the checks that look a section up by its name find it. Readers of a document written
    from a template call this once, so every check after them agrees.
    """
    by_key = {heading_key(heading): heading for heading in headings}
    text = setext_as_atx(text)
    code = code_rows(text)
    lines = []
    for row, line in enumerate(LINE.findall(text)):
        heading = None if row in code else SECTION_HEADING.match(line.rstrip("\r\n"))
        if heading and heading_key(heading["title"]) in by_key:
            ending = line[len(line.rstrip("\r\n")) :]
            line = f"{heading['marks']}{by_key[heading_key(heading['title'])]}{ending}"
        lines.append(line)
    return "".join(lines)


def template_titles(text: str, headings: tuple[str, ...]) -> list[str]:
    """The text's `## ` headings in order, each of `headings` as the template writes it."""
    return [title for title, _ in sections(in_template_case(text, headings))[1:]]


QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
"""A note in brackets at the end of a heading, `## Timeline (UTC)`: the same section."""
SECTION_NUMBER = re.compile(
    r"^(?:\d{1,2}(?:\.\d+)*[.):]?|\d+(?:\.\d+)*[.):]|[A-Z][.)])\s+(?=[^\W\d_])"
)
"""A section number before a heading's words, `## 2. Goals`, `## 2.1 Goals`, `## B) Goals`: the
same section. Only before a word, so `## 0.2.0 - 2030-03-16` keeps its number, and a year
without a stop (`## 2030 plans`) is part of the title."""
EMPHASIS = "*_"


def heading_key(title: str) -> str:
    """What names a section: its words in any letter case or spacing, without a trailing note
    in brackets (unless the note is all there is), a section number before them, emphasis
    around them or a colon after them."""
    key = QUALIFIER.sub("", title) or title
    key = SECTION_NUMBER.sub("", key.strip(), count=1)
    key = key.strip().strip(EMPHASIS).strip().rstrip(":").strip(EMPHASIS).rstrip(":")
    return " ".join((key or title).split()).casefold()


def is_heading(line: str, heading: str) -> bool:
    """Whether a line is the `## ` heading of the section `heading` (as `section` finds it)."""
    match = SECTION_HEADING.match(line)
    return match is not None and heading_key(match["title"]) == heading_key(heading)


def heading_report(found: list[str], required: tuple[str, ...]) -> tuple[list[str], str | None]:
    """(problems, advice) about a document's `## ` headings against the ones it must have.

    Problems: a required heading missing (or spelt nearly right), or written twice. Other
    headings are the writer's own and fine. The required order is advice, returned apart, so a
    check can say it without failing.
    """
    problems, near_misses = [], set()
    for title in dict.fromkeys(found):
        if title in required:
            continue
        close = difflib.get_close_matches(title, required, n=1, cutoff=0.75) or [
            heading for heading in required if heading.lower() == title.lower()
        ]
        if close and close[0] not in found:
            near_misses.add(close[0])
            problems.append(f"write `## {title}` exactly as `## {close[0]}`")
    missing = [
        heading for heading in required if heading not in found and heading not in near_misses
    ]
    if missing:
        problems.append("missing: " + ", ".join(f"`## {heading}`" for heading in missing))
    for heading in required:
        if found.count(heading) > 1:
            problems.append(f"`## {heading}` appears {found.count(heading)} times")
    advice = None
    present = [title for title in dict.fromkeys(found) if title in required]
    for earlier, later in pairwise(present):
        if required.index(earlier) > required.index(later):
            advice = (
                f"`## {later}` comes after `## {earlier}`; the template's order ({', '.join(required)})"
                " is what readers expect"
            )
            break
    return problems, advice


MIN_GUIDANCE_MATCH = 12
"""How long a quoted line must be to be recognised as part of the template's guidance."""


def template_guidance(template: str) -> str:
    """The template's `>` guidance, normalised into one text, to tell it from the writer's quotes."""
    return " ".join(
        _normalised(quote["text"])
        for line in markdown_lines(template)
        if (quote := QUOTE.match(line)) and _normalised(quote["text"])
    )


def course_template(relative: str) -> str:
    """One of the course's templates, by its path in the course (`templates/runbook.md`): read
    each time, as the course root may change between checks."""
    from onboarding import paths

    return (paths.course_root() / relative).read_text(encoding="utf-8")


def course_template_guidance(relative: str) -> str:
    """The guidance of one of the course's templates, by its path in the course."""
    return template_guidance(course_template(relative))


def is_guidance(quoted: str, guidance: str) -> bool:
    """Whether a quoted line is (part of) the template's guidance, even cut short."""
    text = _normalised(quoted)
    return len(text) >= MIN_GUIDANCE_MATCH and text in guidance


def _normalised(text: str) -> str:
    return " ".join(text.replace("*", "").split()).lower()


QUOTED_WORDS = re.compile(r"“[^”\n]+”|\"[^\"\n]+\"|‘[^’\n]+’|(?<!\w)'[^'\n]+'(?!\w)")
ATTRIBUTED = re.compile(r"^\W*[A-Z][\w .,()'-]{0,40}:\s")
"""A quotation that names its source first: `Sam (tech lead), in the channel: …`."""


def guidance_quotes(body: str, guidance: str) -> list[str]:
    """The `>` blocks of a text that read as a template's guidance, each as its first line.

    A block is the writer's own quotation instead when it repeats none of the guidance and
    reads as a quotation: it holds quoted words, names its source first, follows a line that
    introduces it (`Message template:`, `Sam wrote in the channel:`), or is a GitHub alert
    (`> [!NOTE]` on its first line).
    """
    blocks: list[tuple[str, list[str]]] = []
    introduction, quoting = "", False
    for line in body.splitlines():
        quote = QUOTE.match(line)
        if quote and not quoting:
            blocks.append((introduction, []))
        if quote:
            blocks[-1][1].append(quote["text"])
        elif line.strip():
            introduction = line.strip()
        quoting = quote is not None
    found = []
    for before, lines in blocks:
        joined = " ".join(text.strip() for text in lines)
        repeats_guidance = any(is_guidance(text, guidance) for text in lines)
        quotation = bool(
            QUOTED_WORDS.search(joined)
            or ATTRIBUTED.match(joined)
            or before.endswith(":")
            # A GitHub alert (`> [!NOTE]`) is a callout the writer chose to make.
            or ALERT.match(f"> {lines[0]}")
        )
        if repeats_guidance or not quotation:
            found.append(lines[0].strip())
    return found


CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
"""Inline code, `list[Booking]`: literal text, where brackets and TODO are never a template's."""
LINK_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]\n]+)\]:[ \t]*\S", re.MULTILINE)
"""`[desks]: https://…`, which makes `[desks]` and `[the desk PRD][desks]` links."""


def link_labels(text: str) -> frozenset[str]:
    """The labels of a text's reference-style link definitions, in any letter case."""
    return frozenset(_link_key(match["label"]) for match in LINK_DEFINITION.finditer(text))


def _link_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def placeholders(body: str, links: frozenset[str] = frozenset()) -> list[str]:
    """The `[placeholders]` a text still holds of a template, in order.

    Not inline code (`rows[0]`), a footnote (`[^1]`), a task box (`[x]`), a link, nor a
    reference-style link the document defines (`links`, its `link_labels`): `[tsd]` with
    `[tsd]: docs/tsd.md` below it. A label nothing defines is left as written on the page.
    """
    prose = CODE_SPAN.sub(" ", body)
    return [
        found[0]
        for found in BRACKET_PLACEHOLDER.finditer(prose)
        if _link_key(found[0][1:-1]) not in links
    ]


def placeholder(body: str, links: frozenset[str] = frozenset()) -> str | None:
    """The first of `placeholders(body, links)`, or None."""
    found = placeholders(body, links)
    return found[0] if found else None


def _details_parts(block: str) -> tuple[str, str]:
    """A `<details>` block's summary and the rest of its text, each with its spacing flattened."""
    summary = SUMMARY.search(block)
    title = summary["text"] if summary else ""
    content = SUMMARY.sub(" ", block) if summary else block
    return (
        " ".join(DETAILS_TAGS.sub(" ", title).split()),
        " ".join(DETAILS_TAGS.sub(" ", content).split()),
    )


def is_template_example(block: str, template: str) -> bool:
    """Whether a `<details>` block is the template's collapsed example: its summary says Example
    (as every course template's does), or its summary or its content is one of `template`'s
    blocks, renamed or refilled."""
    summary, content = _details_parts(block)
    if summary.lower().startswith("example"):
        return True
    return any(
        summary == their_summary or content == their_content
        for their_summary, their_content in map(_details_parts, DETAILS_BLOCK.findall(template))
    )


def writers_details_opened(text: str, template: str) -> str:
    """The text with each of the writer's own `<details>` blocks opened (its tags taken off), so
    that what it holds is judged as the rest of the text is; the template's collapsed examples
    (`is_template_example`) are left as they are, for a check to name or to skip.

    Folding text is no leftover: `<summary>Why not a message queue?</summary>` is the writer's.
    """
    return DETAILS_BLOCK.sub(
        lambda block: (
            block[0] if is_template_example(block[0], template) else DETAILS_TAGS.sub("", block[0])
        ),
        text,
    )


def without_template_examples(text: str, template: str) -> str:
    """The text without the template's collapsed examples, the writer's own `<details>` blocks
    opened: what the writer wrote, for a check that reads it."""
    return DETAILS_BLOCK.sub("", writers_details_opened(text, template))


def leftover(
    body: str, guidance: str, must_have_text: bool = True, links: frozenset[str] = frozenset()
) -> str | None:
    """What a section still holds of the template (placeholder, guidance, example), or None.

    A `>` quotation is the writer's own unless it repeats the template's guidance. Inline code
    and a `[label]` that `links` (the document's `link_labels`) defines are the writer's too.
    """
    if DETAILS_BLOCK.search(body):
        return "still holds the template's collapsed example; delete it"
    for line in body.splitlines():
        quote = QUOTE.match(line)
        if quote and is_guidance(quote["text"], guidance):
            return (
                "still has the template's guidance (the lines starting with `>`, such as"
                f" “{shorten(quote['text'].strip(), 50)}”); delete it"
            )
    bracket = placeholder(body, links)
    if bracket:
        return f"still has the placeholder `{bracket}`"
    word = PLACEHOLDER_WORDS.search(CODE_SPAN.sub(" ", body))
    if word:
        return f"still says {word[0]}"
    meaningful = [
        line for line in body.splitlines() if line.strip() and not TABLE_SEPARATOR.match(line)
    ]
    if must_have_text and not meaningful:
        return "is empty; write it, or write None and why it does not apply"
    return None


def leftover_problems(
    text: str, guidance: str, checked: tuple[str, ...] | None = None, template: str | None = None
) -> list[str]:
    """Every section (and the title block) still holding part of the template.

    `checked` limits the sections judged to those headings (the title block is always judged);
    the template's own "How to use this template" section is always a problem. Given the
    `template` the document was written from, the writer's own `<details>` blocks are opened
    and judged (`writers_details_opened`); without it, every folded block is the template's.
    """
    if template is not None:
        text = writers_details_opened(text, template)
    problems = []
    judged = None if checked is None else {heading_key(heading) for heading in checked}
    links = link_labels("\n".join(markdown_lines(text)))
    for title, body in sections(text):
        if heading_key(title) == heading_key(GUIDANCE_SECTION):
            problems.append(f"`## {title}` is the template's guidance: delete the section")
            continue
        if title and judged is not None and heading_key(title) not in judged:
            continue
        where = f"`## {title}`" if title else "the title block"
        problem = leftover(body, guidance, bool(title), links)
        if problem:
            problems.append(f"{where} {problem}")
    return problems
