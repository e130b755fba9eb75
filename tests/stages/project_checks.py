"""Helpers for stage tests that judge the learner's project: edit a file, read the verdicts."""

from __future__ import annotations

from pathlib import Path

from onboarding.protocol import CheckResult


def change(root: Path, relative: str, old: str, new: str) -> None:
    """Replace `old` once in a project file; fails if the model no longer has it."""
    target = root / relative
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer contains {old!r}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def verdicts(result: CheckResult) -> dict[str, str]:
    """Each expectation's text → '' when it passed, else what was found instead."""
    return {outcome.text: "" if outcome.passed else outcome.found for outcome in result.outcomes}


def failed(found: dict[str, str]) -> list[str]:
    """The expectations that failed, in the order they were judged."""
    return [text for text, problem in found.items() if problem]
