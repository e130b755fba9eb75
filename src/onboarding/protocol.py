"""The check protocol: the marks, tags and markers of the course, and the shape of a result.

This is a leaf module: it imports nothing from the course, so every other module (the checks,
the grader, the catalogue, the ledger, the book, the workshop service) can depend on it without
a cycle. Whatever two of them must agree on lives here, once.

A check cell does two things with one result:

- it **prints** one ✅/❌ line per expectation, then a summary line. That text is for people, and
  nbval compares it with the model solution's stored output: the comparison is the grade;
- it **publishes** the same result as data: a display output whose text is the summary line and
  whose metadata carries the result as JSON under `RESULT_MIME`. nbval never compares output
  metadata, so the data can hold what varies (the duration) without changing a verdict, and
  programs (`onboard check`, the catalogue, the ledger, the workshop service) read it instead of
  parsing the printed lines.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PASS_MARK = "✅"
FAIL_MARK = "❌"
ADVICE_MARK = "💡"
"""Starts a line of advice under a ✅/❌ line: said to the learner, never compared by nbval
(`nbval_sanitize.cfg` removes it before comparing), so advice can never fail a check."""
ADVICE_INDENT = "   "

CHECK_TAG = "check"
"""The cell tag that makes a cell a check cell (the marker comment alone is not trusted)."""
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
IGNORE_MARKER = "# NBVAL_IGNORE_OUTPUT"
NBVAL_MARKERS = (CHECK_MARKER, IGNORE_MARKER)

EXERCISE_HEADING = re.compile(
    r"^#+\s*Exercise\s+(?P<id>\d\d\.\d+)\s*[:—–-]?\s*(?P<title>.*)$", re.MULTILINE
)
"""An exercise starts with a Markdown heading `## Exercise NN.K: Title`."""

SOLUTION_REGION = "SOLUTION"
STUB_REGION = "STUB"
REGION_EDGES = ("BEGIN", "END")

RESULT_MIME = "application/vnd.onboard.check-result.v1+json"
"""Key of a check result inside a display output's metadata."""

GRADING_VARIABLE = "ONBOARD_GRADING"
"""Set while `onboard check` runs a notebook, so the kernel's workspace hook records nothing:
the grader records the verdict itself."""

SUMMARY_PREFIX = "Exercise "
FIX_ADVICE = "Fix the ❌ lines above and run this cell again."


def summary_line(exercise_id: str, passed: int, total: int) -> str:
    """The last line a check cell prints; nbval compares it like the ✅ lines."""
    if passed == total:
        return f"{SUMMARY_PREFIX}{exercise_id}: all {total} checks passed."
    return f"{SUMMARY_PREFIX}{exercise_id}: {passed} of {total} checks passed. {FIX_ADVICE}"


def shorten(text: str, width: int = 80) -> str:
    """One line of at most `width` characters, for quoting what a learner wrote."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@dataclass(frozen=True)
class Outcome:
    """One expectation, judged."""

    text: str
    """What is expected, e.g. "rolling back restores the schema text"."""
    passed: bool
    found: str = ""
    """What was found instead, when it failed."""
    hint: str = ""
    advice: str = ""
    """Something worth saying that does not change the verdict (the order of a PRD's sections)."""

    def line(self) -> str:
        """The ✅/❌ line a person reads (and nbval compares), and the advice under it, if any."""
        if self.passed:
            line = f"{PASS_MARK} {self.text}"
        else:
            line = f"{FAIL_MARK} {self.text} — {self.found.rstrip('.')}."
            if self.hint:
                line += f" Hint: {self.hint}"
        if self.advice:
            line += f"\n{ADVICE_INDENT}{ADVICE_MARK} {self.advice}"
        return line

    def to_json(self) -> dict[str, Any]:
        data = {"text": self.text, "passed": self.passed, "found": self.found, "hint": self.hint}
        if self.advice:
            data["advice"] = self.advice
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        return cls(
            text=str(data["text"]),
            passed=bool(data["passed"]),
            found=str(data.get("found", "")),
            hint=str(data.get("hint", "")),
            advice=str(data.get("advice", "")),
        )


@dataclass(frozen=True)
class CheckResult:
    """Everything one run of one exercise's checks found."""

    exercise_id: str
    outcomes: tuple[Outcome, ...] = ()
    duration_s: float | None = None
    """Wall-clock seconds the expectations took; data only, never printed or compared."""

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def ok(self) -> bool:
        return self.passed == self.total

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.passed)

    def summary(self) -> str:
        return summary_line(self.exercise_id, self.passed, self.total)

    def lines(self) -> list[str]:
        return [outcome.line() for outcome in self.outcomes]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "exercise": self.exercise_id,
            "passed": self.passed,
            "total": self.total,
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
        }
        if self.duration_s is not None:
            data["duration_s"] = round(self.duration_s, 3)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        """Read a result back; a malformed one raises ValueError naming what is wrong."""
        try:
            outcomes = tuple(Outcome.from_json(item) for item in data["outcomes"])
            exercise_id = str(data["exercise"])
            duration = data.get("duration_s")
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a check result: missing or malformed {error}") from None
        return cls(exercise_id, outcomes, float(duration) if duration is not None else None)


# --------------------------------------------------------------------------- results in outputs
def result_output(result: CheckResult) -> dict[str, Any]:
    """The notebook output (nbformat v4 `display_data`) that carries a result."""
    return {
        "output_type": "display_data",
        "data": {"text/plain": result.summary()},
        "metadata": {RESULT_MIME: result.to_json()},
    }


def results_in(outputs: Iterable[Mapping[str, Any]]) -> list[CheckResult]:
    """Every check result published in a cell's outputs, in order."""
    found = []
    for output in outputs:
        data = (output.get("metadata") or {}).get(RESULT_MIME)
        if data is not None:
            found.append(CheckResult.from_json(data))
    return found


# ------------------------------------------------------------------------------------ publishing
Subscriber = Callable[[CheckResult], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    """Be told of every result published in this process (the workspace hook does this)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(result: CheckResult) -> None:
    """Show the summary line and hand the result, as data, to whoever listens.

    In a kernel the result becomes a display output (see `result_output`); elsewhere (a plain
    script, a unit test) the summary is printed. A subscriber that fails never hides the verdict:
    its error is one line on stderr.
    """
    output = result_output(result)
    display = _ipython_display()
    if display is None:
        print(result.summary())
    else:
        display(output["data"], metadata=output["metadata"], raw=True)
    for subscriber in list(_subscribers):
        try:
            subscriber(result)
        except Exception as error:  # noqa: BLE001 - bookkeeping must not break feedback
            print(f"(result not recorded: {error})", file=sys.stderr)


def _ipython_display() -> Callable[..., Any] | None:
    """IPython's display(), when this code runs inside a kernel that can show outputs."""
    shell_module = sys.modules.get("IPython")
    if shell_module is None:
        return None
    shell = shell_module.get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    return display
