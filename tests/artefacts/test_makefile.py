"""The Makefile reader: what `make TARGET` runs, as stage 06's local CI run needs to know it."""

from __future__ import annotations

import pytest

from onboarding.artefacts import makefile

RULES = """\
# The project's tasks.
PYTEST := uv run pytest
PYTEST_FLAGS = -q
PYTEST_FLAGS += --strict-markers
COVERAGE ?= --cov=booking_service
COVERAGE ?= ignored, as it is set already

.PHONY: check test lint

check: lint test

lint:
\t@uv run ruff check \\
\t    src tests

test:
\t-$(PYTEST) ${PYTEST_FLAGS} $(COVERAGE) tests  # the unit tests
"""


def test_a_target_runs_its_prerequisites_first_with_the_variables_filled_in():
    assert makefile.recipe(RULES, ["check"]) == [
        "uv run ruff check      src tests",
        "uv run pytest -q --strict-markers --cov=booking_service tests  # the unit tests",
    ]


def test_no_target_is_the_first_rule():
    assert makefile.recipe(RULES, []) == makefile.recipe(RULES, ["check"])


def test_a_variable_set_on_the_command_line_wins():
    targets, overrides = makefile.make_arguments("make -C . COVERAGE= test")
    assert (targets, overrides) == (["test"], {"COVERAGE": ""})
    assert makefile.recipe(RULES, targets, overrides) == [
        "uv run pytest -q --strict-markers  tests  # the unit tests"
    ]


def test_a_target_without_a_rule_runs_nothing():
    assert makefile.recipe(RULES, ["deploy"]) == []


@pytest.mark.parametrize("command", ["uv run pytest", "makefile test", "echo make test"])
def test_other_commands_are_not_make(command):
    assert makefile.make_arguments(command) is None


@pytest.mark.parametrize("command", ["make test", "gmake test", "/usr/bin/make test"])
def test_make_by_any_of_its_names(command):
    assert makefile.make_arguments(command) == (["test"], {})


def test_make_reads_gnumakefile_before_makefile(tmp_path):
    (tmp_path / "Makefile").write_text("test:\n\tpytest\n", encoding="utf-8")
    assert makefile.read_makefile(tmp_path) == "test:\n\tpytest\n"
    (tmp_path / "GNUmakefile").write_text("test:\n\tpytest -x\n", encoding="utf-8")
    assert makefile.read_makefile(tmp_path) == "test:\n\tpytest -x\n"


def test_a_script_gains_the_commands_of_each_make_it_runs(tmp_path):
    (tmp_path / "Makefile").write_text(RULES, encoding="utf-8")
    assert makefile.expand("uv sync && make lint", tmp_path).splitlines() == [
        "uv sync && make lint",
        "uv run ruff check      src tests",
    ]
    assert makefile.expand("make lint", None) == "make lint"


SUB_MAKES = """\
PYTEST_FLAGS = -q

ci:
\t$(MAKE) lint
\t${MAKE} --no-print-directory test PYTEST_FLAGS=-x
\tmake -f other.mk docs

lint:
\truff check .

test:
\tpytest $(PYTEST_FLAGS) tests

loop:
\t$(MAKE) loop
"""


def test_a_recipe_that_calls_make_is_followed_into_the_target_it_calls():
    assert makefile.recipe(SUB_MAKES, ["ci"]) == [
        "make lint",
        "ruff check .",
        "make --no-print-directory test PYTEST_FLAGS=-x",
        "pytest -x tests",
        # Another Makefile is not this one: its targets are not read.
        "make -f other.mk docs",
    ]


def test_a_target_that_calls_itself_through_make_stops():
    assert makefile.recipe(SUB_MAKES, ["loop"]) == ["make loop"] * (makefile.SUB_MAKE_DEPTH + 1)
