"""Self-check quizzes and the in-notebook progress view."""

from __future__ import annotations

import pytest

from onboarding import progress, protocol, workspace
from onboarding.quiz import Question, Quiz
from tests.book import html
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


def test_verdict_names_the_choice_right_or_not():
    question = QUIZ.questions[1]
    assert question.verdict(1) == "✅ Right. Because b."
    assert question.verdict(0) == "❌ Not quite. Because b."


@pytest.mark.parametrize("answer", [-1, 2])
def test_an_answer_that_is_not_an_option_is_refused(answer):
    with pytest.raises(ValueError, match=f"answer {answer} is not the index of one of its 2"):
        Question("Q?", ("a", "b"), answer, "why")


def test_the_last_option_can_be_the_answer_and_one_option_is_not_a_question():
    assert Question("Q?", ("a", "b"), 1, "why").answer == 1
    with pytest.raises(ValueError, match="at least two options"):
        Question("Q?", ("a",), 0, "why")


def quiz_html(quiz: Quiz, tmp_path) -> html.Element:
    page = tmp_path / "quiz.html"
    page.write_text(quiz.to_html(), encoding="utf-8")
    return html.parse(page)


def test_static_quiz_has_one_radio_group_per_question_with_feedback_per_choice(tmp_path):
    tree = quiz_html(QUIZ, tmp_path)
    groups = tree.find_all("fieldset")
    assert [g.find("legend").text() for g in groups] == ["1. One?", "2. Two?"]
    for question, group in zip(QUIZ.questions, groups, strict=True):
        radios = group.find_all("input", type="radio")
        assert len({radio.attrs["name"] for radio in radios}) == 1, "one group per question"
        assert [radio.attrs["data-feedback"] for radio in radios] == [
            question.verdict(index) for index in range(len(question.options))
        ]
        rights = [r for r in radios if r.attrs["data-feedback"].startswith("✅")]
        assert [int(r.attrs["value"]) for r in rights] == [question.answer]


def test_static_quiz_shows_no_answer_until_one_is_chosen(tmp_path):
    tree = quiz_html(QUIZ, tmp_path)
    shown = tree.text()
    assert "Right" not in shown and "Not quite" not in shown and "Because" not in shown
    statuses = tree.find_all("p", class_="course-quiz-feedback")
    assert len(statuses) == 2 and all(s.attrs["role"] == "status" for s in statuses)


def test_static_quiz_escapes_text_and_shows_backticks_as_code(tmp_path):
    quiz = Quiz("T <b>", (Question("Is `a < b`?", ("<i>x</i>", "y"), 0, 'Say "x" & go.'),))
    tree = quiz_html(quiz, tmp_path)
    assert tree.find("legend").find("code").text() == "a < b"
    assert "<i>x</i>" in tree.find("label").text(), "an option is text, not markup"
    assert tree.find("input").attrs["data-feedback"] == '✅ Right. Say "x" & go.'
    assert tree.find("strong").text() == "T <b>"


def test_quiz_widget_carries_the_static_quiz_for_the_book():
    bundle = QUIZ.widget()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle, "JupyterLab gets the widget"
    assert bundle["text/html"] == QUIZ.to_html()


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
