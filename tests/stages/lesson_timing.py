"""How long a lesson takes, estimated from what it holds: the basis of its `**Time:**` line.

A lesson's time is its reading, its code and its practice:

- prose (Markdown, tables and diagram descriptions included) at 150 words a minute, a careful
  pace for technical text a learner means to use;
- a quarter of a minute per line of code the learner reads and runs, output included;
- 4 minutes for each practice cell (a `lesson.try_…` call) and 5 for the self-check quiz.

The numbers are the course's own rule of thumb, not a measurement: a test holds each lesson's
stated time to within a quarter of this estimate, so a lesson that grows says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from onboarding import notebooks

WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_LINE = 0.25
PRACTICE_MINUTES = 4
QUIZ_MINUTES = 5
TOLERANCE = 0.25
STATED = re.compile(r"\*\*Time:\*\* about (?P<lesson>\d+) minutes for the lesson")


def estimated_minutes(path: Path) -> float:
    words, code_lines, practice, quizzes = 0, 0, 0, 0
    for cell in notebooks.read(path)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "markdown":
            words += len(re.findall(r"[A-Za-z0-9][\w'’.-]*", source))
        elif "Quiz(" in source:
            quizzes += 1
        elif re.search(r"\blesson\.try_\w+\(", source):
            practice += 1
        else:
            lines = [line for line in source.splitlines() if line.strip()]
            outputs = sum(
                len("".join(output.get("text", "")).splitlines())
                for output in cell.get("outputs", [])
            )
            code_lines += len(lines) + outputs // 2
    return (
        words / WORDS_PER_MINUTE
        + code_lines * MINUTES_PER_CODE_LINE
        + practice * PRACTICE_MINUTES
        + quizzes * QUIZ_MINUTES
    )


def stated_minutes(path: Path) -> int:
    for cell in notebooks.read(path)["cells"]:
        match = STATED.search(notebooks.source_of(cell))
        if match:
            return int(match["lesson"])
    raise LookupError(f"{path.name} states no **Time:**")
