"""Reading, writing and normalising notebook files.

Notebooks are handled as plain JSON rather than through nbformat: nbformat validates every read
against its JSON schema, and importing that machinery costs more than a second. The layout written
here (one-space indent, sorted keys, a trailing newline) is the one nbformat and JupyterLab write,
so a normalised notebook round-trips through JupyterLab without a diff.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onboarding.protocol import CHECK_MARKER, CHECK_TAG, RESULT_MIME

Notebook = dict[str, Any]
Cell = dict[str, Any]

# What a committed notebook keeps. Everything else (execution timing, kernel paths, widget state,
# collapsed/scrolled flags) changes from machine to machine and only adds noise to diffs.
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info", "onboard")
# "mystnb" holds what the book needs from a cell, such as a plot's alt text (mystnb.image.alt).
KEPT_CELL_METADATA = ("tags", "onboard", "editable", "deletable", "mystnb")
STANDARD_KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
# Widget views carry a random model id; the text/plain fallback beside them is stable.
VOLATILE_MIME_TYPES = ("application/vnd.jupyter.widget-view+json",)


class NotebookFormatError(ValueError):
    """A notebook file that cannot be read, with a message a learner can act on."""


@dataclass(frozen=True)
class ParseLocation:
    line: int
    column: int


def read(path: Path) -> Notebook:
    """Read a notebook, turning malformed JSON into a message with its line and column."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookFormatError(
            f"{Path(path).name} is not a valid notebook: line {error.lineno}, "
            f"column {error.colno}: {error.msg}. Restore it with `onboard reset` "
            "(your current file is backed up first)."
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookFormatError(f"{Path(path).name} is JSON but not a notebook (no cell list).")
    return notebook


def dumps(notebook: Notebook) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, notebook: Notebook) -> None:
    Path(path).write_text(dumps(notebook), encoding="utf-8")


def source_of(cell: Cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def split_source(text: str) -> list[str]:
    """The list-of-lines form that nbformat writes, each line keeping its newline."""
    return text.splitlines(keepends=True)


def tags_of(cell: Cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_check_cell(cell: Cell) -> bool:
    """A check cell is tagged `check`; the nbval marker alone is not enough to be trusted."""
    return cell.get("cell_type") == "code" and CHECK_TAG in tags_of(cell)


def looks_like_check_cell(cell: Cell) -> bool:
    """True for anything nbval would compare: the tag or the marker comment."""
    return is_check_cell(cell) or (
        cell.get("cell_type") == "code" and CHECK_MARKER in source_of(cell)
    )


# nbval honours a marker only when it is the whole comment; "# NBVAL_IGNORE_OUTPUT: why" would be
# silently ignored, so the normaliser moves the reason to a comment line of its own.
MARKER_WITH_REASON = re.compile(
    r"^(?P<indent>[ \t]*)#[ \t]*(?P<marker>NBVAL_[A-Z_]+)[ \t]*[:—–-][ \t]*(?P<reason>\S.*)$",
    re.MULTILINE,
)


def split_marker_reasons(source: str) -> str:
    return MARKER_WITH_REASON.sub(r"\g<indent># \g<marker>\n\g<indent># \g<reason>", source)


def stable_cell_id(index: int, cell: Cell) -> str:
    digest = hashlib.sha1(f"{index}:{source_of(cell)}".encode()).hexdigest()
    return digest[:8]


def normalise(notebook: Notebook) -> Notebook:
    """Return a copy with volatile metadata removed and execution counts renumbered.

    Idempotent: normalising a normalised notebook changes nothing.
    """
    result: Notebook = {
        "cells": [],
        "metadata": {
            key: notebook.get("metadata", {})[key]
            for key in KEPT_NOTEBOOK_METADATA
            if key in notebook.get("metadata", {})
        },
        "nbformat": 4,
        "nbformat_minor": max(5, int(notebook.get("nbformat_minor", 5))),
    }
    result["metadata"]["kernelspec"] = dict(STANDARD_KERNELSPEC)
    result["metadata"]["language_info"] = {"name": "python"}

    execution_count = 0
    seen_ids: set[str] = set()
    for index, cell in enumerate(notebook.get("cells", [])):
        clean: Cell = {
            "cell_type": cell["cell_type"],
            "metadata": {
                key: cell.get("metadata", {})[key]
                for key in KEPT_CELL_METADATA
                if key in cell.get("metadata", {})
            },
            "source": split_source(
                split_marker_reasons(source_of(cell))
                if cell["cell_type"] == "code"
                else source_of(cell)
            ),
        }
        cell_id = cell.get("id") or stable_cell_id(index, cell)
        if cell_id in seen_ids:
            cell_id = stable_cell_id(index, cell)
        seen_ids.add(cell_id)
        clean["id"] = cell_id
        if cell["cell_type"] == "code":
            outputs = [_normalise_output(output) for output in cell.get("outputs", [])]
            if cell.get("execution_count") is not None or outputs:
                execution_count += 1
                clean["execution_count"] = execution_count
            else:
                clean["execution_count"] = None
            for output in outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = clean["execution_count"]
            clean["outputs"] = outputs
        elif "attachments" in cell:
            clean["attachments"] = cell["attachments"]
        result["cells"].append(clean)
    return result


def _normalise_output(output: dict[str, Any]) -> dict[str, Any]:
    output = json.loads(json.dumps(output))  # a deep copy that cannot share state
    if "data" in output:
        for mime in VOLATILE_MIME_TYPES:
            output["data"].pop(mime, None)
        output["data"] = {
            mime: split_source(value)
            if isinstance(value, str) and mime.startswith("text")
            else value
            for mime, value in output["data"].items()
        }
        output["metadata"] = _kept_output_metadata(output.get("metadata") or {})
    if output.get("output_type") == "stream":
        output["text"] = split_source("".join(output.get("text", "")))
    return output


def _kept_output_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Only a published check result survives, and without its duration (a timing)."""
    result = metadata.get(RESULT_MIME)
    if result is None:
        return {}
    return {RESULT_MIME: {key: value for key, value in result.items() if key != "duration_s"}}


def is_normalised(path: Path) -> bool:
    text = Path(path).read_text(encoding="utf-8")
    return text == dumps(normalise(json.loads(text)))


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return ANSI_ESCAPE.sub("", text)


def output_text(outputs: list[dict[str, Any]]) -> str:
    """All the plain text a list of outputs shows: streams, results and errors."""
    parts: list[str] = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append("".join(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            text = output.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
        elif kind == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "".join(parts)
