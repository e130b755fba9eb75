"""How `make test` hands tests to pytest-xdist's workers (tests/conftest.py)."""

from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from tests import conftest
from tests.conftest import COURSE_ROOT, SPREAD_OVER_WORKERS, FilesTogetherExceptSpread


def options(dist: str) -> SimpleNamespace:
    """The part of pytest's config a scheduler reads, as `pytest -n 2 --dist <dist>` sets it."""
    values = {"dist": dist, "tx": ["2*popen"]}
    return SimpleNamespace(getvalue=values.__getitem__)


def unit_of(nodeid: str) -> str:
    scheduler = conftest.pytest_xdist_make_scheduler(options("loadfile"), log=None)
    return scheduler._split_scope(nodeid)


def test_a_files_tests_share_one_unit_unless_the_file_is_spread():
    assert unit_of("tests/test_templates.py::test_a") == "tests/test_templates.py"
    assert unit_of("tests/test_templates.py::TestX::test_b[1]") == "tests/test_templates.py"
    spread = "tests/test_course_notebooks.py::test_lesson_reproduces_its_outputs[00_welcome.ipynb]"
    assert unit_of(spread) == spread


@pytest.mark.parametrize("relative", sorted(SPREAD_OVER_WORKERS))
def test_every_spread_file_exists_and_defines_no_shared_fixture(relative):
    """A spread file's tests may run on different workers: a module fixture would be built twice."""
    path = COURSE_ROOT / relative
    assert path.is_file(), f"{relative} is listed in SPREAD_OVER_WORKERS but does not exist"
    shared = [
        node.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if "scope=" in ast.unparse(decorator)
    ]
    assert not shared, f"{relative} has fixtures shared between its tests: {shared}"


def fake_item(nodeid: str, slow: bool) -> SimpleNamespace:
    return SimpleNamespace(
        nodeid=nodeid,
        get_closest_marker=lambda marker: object() if slow and marker == "slow" else None,
    )


def test_the_longest_files_then_slow_tests_are_handed_out_first_and_the_rest_keep_their_order():
    items = [
        fake_item("tests/test_a.py::test_a", slow=False),
        fake_item("tests/book/test_book_pdf.py::test_pdf", slow=True),
        fake_item("tests/workshop/test_rehearsal.py::test_1", slow=True),
        fake_item("tests/test_b.py::test_b", slow=False),
        fake_item("tests/test_learner_journey.py::test_golden", slow=True),
        fake_item("tests/workshop/test_rehearsal.py::test_2", slow=True),
    ]
    conftest.pytest_collection_modifyitems(items)
    assert [item.nodeid.split("::")[1] for item in items] == [
        "test_golden",
        "test_1",
        "test_2",
        "test_pdf",
        "test_a",
        "test_b",
    ]


@pytest.mark.parametrize("relative", conftest.LONGEST_FIRST)
def test_every_longest_file_exists(relative):
    assert (COURSE_ROOT / relative).is_file(), f"{relative} is in LONGEST_FIRST but does not exist"


def test_make_test_asks_for_files_in_the_sorted_order():
    # Without --no-loadscope-reorder, xdist would hand out the files with most tests first.
    assert "--dist loadfile --no-loadscope-reorder" in (COURSE_ROOT / "Makefile").read_text()
    assert isinstance(
        conftest.pytest_xdist_make_scheduler(options("loadfile"), log=None),
        FilesTogetherExceptSpread,
    )


def test_other_distribution_modes_keep_xdists_own_scheduler():
    assert conftest.pytest_xdist_make_scheduler(options("load"), log=None) is None
