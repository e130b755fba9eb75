"""Lesson 10's practice cell: a safe order gets ✅ lines, each unsafe step a ❌ saying why."""

from __future__ import annotations

import pytest

from onboarding.stages.capstone import lesson

SAFE = ["migrate", "deploy-dark", "canary", "watch", "everyone", "remove-flag"]


def printed(capsys) -> str:
    return capsys.readouterr().out


def test_the_safe_order_passes(capsys):
    lesson.try_release_order(SAFE)
    out = printed(capsys)
    assert "❌" not in out and out.count("✅") == 6, out


def test_a_tuple_is_a_list_too(capsys):
    lesson.try_release_order(tuple(SAFE))
    assert "❌" not in printed(capsys)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (
            ["deploy-dark", "migrate", *SAFE[2:]],
            "deploy-dark comes before migrate: the schema comes first",
        ),
        ([*SAFE[:2], "everyone", "watch", "canary", "remove-flag"], "everyone comes before watch"),
        (
            ["remove-flag", *SAFE[:-1]],
            "remove-flag comes before everyone: the flag is the kill switch",
        ),
        (SAFE[:-1], "missing: remove-flag"),
        ([*SAFE, "pray"], "unknown step(s): pray"),
        ("migrate", "`order` is 'migrate', not a list of step names"),
    ],
)
def test_unsafe_orders_say_why(capsys, order, message):
    lesson.try_release_order(order)
    out = printed(capsys)
    assert "❌" in out and message in out, out
