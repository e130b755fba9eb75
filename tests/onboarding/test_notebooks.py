"""The notebook normaliser and reader."""

from __future__ import annotations

import json

import pytest

from onboarding import notebooks


def messy_notebook() -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 17,
                "metadata": {
                    "execution": {"iopub.status.busy": "2026-01-01"},
                    "scrolled": True,
                    "tags": ["check"],
                },
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "execution_count": 17,
                        "metadata": {"x": 1},
                        "data": {
                            "text/plain": "VBox()",
                            "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                        },
                    }
                ],
                "source": "1 + 1",
            },
            {
                "cell_type": "markdown",
                "metadata": {"jupyter": {"source_hidden": True}},
                "source": "# Hi",
            },
        ],
        "metadata": {
            "kernelspec": {"name": "conda-env-x", "display_name": "x"},
            "widgets": {"state": {}},
            "language_info": {"version": "3.11.7"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def test_normalise_drops_volatile_metadata_and_renumbers():
    clean = notebooks.normalise(messy_notebook())
    assert set(clean["metadata"]) == {"kernelspec", "language_info"}
    assert clean["metadata"]["kernelspec"]["name"] == "python3"
    code, markdown = clean["cells"]
    assert code["metadata"] == {"tags": ["check"]}
    assert code["execution_count"] == 1 and code["outputs"][0]["execution_count"] == 1
    assert code["outputs"][0]["data"] == {"text/plain": ["VBox()"]}
    assert markdown["metadata"] == {}
    assert all(cell["id"] for cell in clean["cells"])
    assert clean["nbformat_minor"] == 5


def test_normalise_is_idempotent():
    once = notebooks.normalise(messy_notebook())
    assert notebooks.dumps(notebooks.normalise(once)) == notebooks.dumps(once)


def test_is_normalised_detects_a_dirty_file(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(messy_notebook()))
    assert not notebooks.is_normalised(path)
    notebooks.write(path, notebooks.normalise(notebooks.read(path)))
    assert notebooks.is_normalised(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n "cells": [\n  {"cell_type": "code",}\n ]\n}\n', "line 3, column 24"),
        ("", "line 1, column 1"),
    ],
)
def test_malformed_notebook_names_line_and_column(tmp_path, text, message):
    path = tmp_path / "00_welcome.ipynb"
    path.write_text(text)
    with pytest.raises(notebooks.NotebookFormatError) as error:
        notebooks.read(path)
    assert str(error.value).startswith(f"00_welcome.ipynb is not a valid notebook: {message}")
    assert "onboard reset" in str(error.value)


def test_json_that_is_not_a_notebook(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text("[1, 2]")
    with pytest.raises(notebooks.NotebookFormatError, match="not a notebook"):
        notebooks.read(path)


def test_a_marker_with_a_reason_is_split_so_nbval_honours_it():
    notebook = messy_notebook()
    notebook["cells"][0]["source"] = "# NBVAL_IGNORE_OUTPUT: a widget\nx = 1\n"
    source = notebooks.source_of(notebooks.normalise(notebook)["cells"][0])
    assert source == "# NBVAL_IGNORE_OUTPUT\n# a widget\nx = 1\n"


def test_bare_markers_and_prose_mentioning_them_are_left_alone():
    notebook = messy_notebook()
    notebook["cells"][0]["source"] = "# NBVAL_CHECK_OUTPUT\nprint('NBVAL_SKIP: not a comment')\n"
    clean = notebooks.normalise(notebook)
    assert notebooks.source_of(clean["cells"][0]) == notebook["cells"][0]["source"]
