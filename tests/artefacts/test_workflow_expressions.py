"""GitHub expressions: conditions evaluated as GitHub does, and what cannot be read is said."""

from __future__ import annotations

import pytest

from onboarding.artefacts.workflow import EVENTS, PULL_REQUEST, PUSH_TAG
from onboarding.artefacts.workflow_expressions import (
    ExpressionError,
    evaluate_condition,
    evaluate_expression,
    substitute,
)


@pytest.mark.parametrize(
    ("condition", "pull_request", "push_main", "push_tag"),
    [
        ("startsWith(github.ref, 'refs/tags/v')", False, False, True),
        ("${{ startsWith(github.ref, 'refs/tags/') }}", False, False, True),
        ("github.ref_type == 'tag'", False, False, True),
        ("github.event_name == 'push' && contains(github.ref, 'tags')", False, False, True),
        ("github.event_name == 'pull_request'", True, False, False),
        ("github.ref == 'refs/heads/main' || github.ref_type == 'tag'", False, True, True),
        ("!startsWith(github.ref, 'refs/tags/')", True, True, False),
        ("success() && github.event_name != 'pull_request'", False, True, True),
        ("GITHUB.REF_TYPE == 'TAG'", False, False, True),
        ("endsWith(github.ref, '.0')", False, False, True),
        ("github['ref_type'] == 'tag'", False, False, True),
        ("always()", True, True, True),
        # The event's payload: a push carries its ref, a pull request its base branch.
        ("startsWith(github.event.ref, 'refs/tags/v')", False, False, True),
        ("github.event.pull_request.base.ref == 'main'", True, False, False),
        # fromJSON, toJSON and join, which GitHub allows in a job's `if:` too.
        ("contains(fromJSON('[\"tag\"]'), github.ref_type)", False, False, True),
        ("fromJSON('true') && github.ref_type == 'tag'", False, False, True),
        ("contains(toJSON(github), 'refs/tags/')", False, False, True),
        ("join(fromJSON('[\"refs\", \"tags\"]'), '/') == 'refs/tags'", True, True, True),
        # Values of different types are compared as numbers: a missing value (null) equals ''.
        ("github.event.nothing == ''", True, True, True),
        ("vars.PUBLISH != '' && github.ref_type == 'tag'", False, False, False),
        ("github.event.nothing == 0 && '1' == 1 && true == 1", True, True, True),
        ("failure()", False, False, False),
        (True, True, True, True),
    ],
)
def test_conditions_are_evaluated_as_github_does(condition, pull_request, push_main, push_tag):
    results = [evaluate_condition(condition, event.context()) for event in EVENTS]
    assert results == [pull_request, push_main, push_tag]


@pytest.mark.parametrize(
    "condition",
    ["github.ref =~ 'x'", "startsWith(github.ref", "unknownFn(1)", "tags ${{ x }}", "a b"],
)
def test_unreadable_conditions_raise(condition):
    with pytest.raises(ExpressionError):
        evaluate_condition(condition, PUSH_TAG.context())


def test_step_outputs_and_missing_properties_are_read_not_refused():
    context = {**PULL_REQUEST.context(), "steps": {"auth": {"outputs": {"token": "t"}}}}
    assert evaluate_expression("steps.auth.outputs.token", context) == "t"
    assert evaluate_expression("steps.nothing.outputs.token", context) is None


def test_format_and_orderings():
    context = PUSH_TAG.context()
    assert evaluate_expression("format('{0}-{1}', github.ref_name, 'x')", context) == "v1.2.0-x"
    assert evaluate_expression("1 < 2", context) is True
    assert evaluate_expression("'a' < 1", context) is False


def test_expressions_in_text_are_filled_in_as_before_a_step_runs():
    context = {**PULL_REQUEST.context(), "matrix": {"python": 3.12, "coverage": True}}
    text = "uv run --python ${{ matrix.python }} pytest ${{matrix.coverage}} ${{ secrets.X }}."
    assert substitute(text, context) == "uv run --python 3.12 pytest true ."
    with pytest.raises(ExpressionError):
        substitute("${{ hashFiles('uv.lock') }}", context)
