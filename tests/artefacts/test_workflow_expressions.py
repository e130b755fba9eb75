"""GitHub expressions: conditions evaluated as GitHub does, and what cannot be read is said."""

from __future__ import annotations

import pytest

from onboarding.artefacts.workflow import EVENTS, PULL_REQUEST, PUSH_TAG
from onboarding.artefacts.workflow_expressions import (
    ExpressionError,
    evaluate_condition,
    evaluate_expression,
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
