"""Self-check quizzes and the in-notebook progress view."""

from __future__ import annotations

from onboarding import progress, protocol, workspace
from onboarding.quiz import Question, Quiz
from tests.conftest import COURSE_ROOT

QUIZ = Quiz(
    "t",
    (
        Question("One?", ("a", "b"), 0, "Because a."),
        Question("Two?", ("a", "b"), 1, "Because b."),
    ),
)


def test_quiz_feedback_marks_each_answer_and_counts():
    assert QUIZ.feedback([0, 0]) == [
        "1. ✅ Right. Because a.",
        "2. ❌ Not quite. Because b.",
        "1 of 2 right.",
    ]
    assert QUIZ.feedback([None, 1])[0] == "1. (not answered) Because a."


def test_quiz_widget_grades_the_chosen_answers():
    widget = QUIZ.widget()
    pickers = [child for child in widget.children if hasattr(child, "options")]
    button, output = widget.children[-2], widget.children[-1]
    pickers[0].value, pickers[1].value = "a", "b"
    button.click()
    assert output.value.endswith("2 of 2 right.")


def test_progress_view_counts_done_exercises(tmp_path):
    learner = tmp_path / "ws"
    workspace.create(learner, COURSE_ROOT / "exercises")
    progress.record(learner, result("00.1", passed=4, total=4), source="notebook")
    progress.record(learner, result("00.2", passed=1, total=4), source="notebook")
    view = progress.show(learner)
    bar, label, table = view.children
    assert bar.value == 1 and bar.max == len(progress.statuses(learner))
    assert label.value.startswith("1 of ")
    assert "<td>00.1 How long is a booking?</td><td>done</td><td>4/4</td>" in table.value
    assert "<td>in progress</td><td>1/4</td>" in table.value


def test_latest_attempt_wins(tmp_path):
    learner = tmp_path / "ws"
    workspace.create(learner, COURSE_ROOT / "exercises")
    progress.record(learner, result("00.1", passed=4, total=4), source="onboard check")
    progress.record(learner, result("00.1", passed=2, total=4), source="notebook")
    row = next(r for r in progress.statuses(learner) if r.exercise_id == "00.1")
    assert (row.state, row.passed, row.attempts) == ("in progress", 2, 2)


def result(exercise_id: str, passed: int, total: int) -> protocol.CheckResult:
    outcomes = [
        protocol.Outcome(f"check {n}", n < passed, "" if n < passed else "no") for n in range(total)
    ]
    return protocol.CheckResult(exercise_id, tuple(outcomes))


def test_the_ledger_keeps_what_failed_and_how_long_it_took(tmp_path):
    learner = tmp_path / "ws"
    workspace.create(learner, COURSE_ROOT / "exercises")
    failing = protocol.CheckResult(
        "00.2",
        (protocol.Outcome("rooms parse", True), protocol.Outcome("three rooms", False, "1 room")),
        duration_s=0.25,
    )
    progress.record(learner, failing, source="onboard check")
    database = progress._open(learner)
    row = next(database["attempts"].rows)
    database.close()
    assert (row["passed"], row["total"], row["failed"], row["duration_s"]) == (
        1,
        2,
        '["three rooms"]',
        0.25,
    )
