"""Small self-check quizzes for lessons: ipywidgets in JupyterLab, plain HTML in the book.

The grading is plain Python (`Question.verdict`, `Quiz.feedback`), so tests can check it without
a browser. Two views show it:

- `Quiz.widget()` is what a learner runs in JupyterLab: radio buttons, a "Check my answers"
  button, and the feedback of every question with a score.
- `Quiz.to_html()` is the same quiz as static HTML, for a page where no kernel runs (the book):
  one radio group per question, and the feedback for the chosen answer appears under it. The
  widget carries that HTML in its display data (`text/html`, beside the widget view), so the
  notebook's stored output holds it; JupyterLab prefers the live widget, the book shows the HTML.
  The book's `_static/course-quiz.js` reads the feedback from the chosen option's
  `data-feedback` attribute into a live region: nothing is shown until the reader chooses, and a
  screen reader announces it. Without JavaScript (or on paper) the questions and options remain.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

RIGHT = "✅ Right."
NOT_QUITE = "❌ Not quite."
CODE_SPAN = re.compile(r"`([^`]+)`")


def inline_html(text: str) -> str:
    """Text for HTML, escaped, with `backtick spans` shown as code."""
    return CODE_SPAN.sub(r"<code>\1</code>", html.escape(text, quote=False))


def slug(text: str) -> str:
    """A stable id for the quiz's elements: 'Stage 00 self-check' -> 'stage-00-self-check'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "quiz"


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[str, ...]
    answer: int
    """Index of the right option."""
    why: str
    """One sentence shown after answering, right or wrong."""

    def __post_init__(self) -> None:
        if len(self.options) < 2:
            raise ValueError(f"question {self.prompt!r} needs at least two options")
        if not 0 <= self.answer < len(self.options):
            raise ValueError(
                f"question {self.prompt!r}: answer {self.answer} is not the index of one of its "
                f"{len(self.options)} options (0 to {len(self.options) - 1})"
            )

    def verdict(self, choice: int) -> str:
        """What a reader who chose option `choice` is told."""
        return f"{RIGHT if choice == self.answer else NOT_QUITE} {self.why}"


@dataclass(frozen=True)
class Quiz:
    title: str
    questions: tuple[Question, ...]

    def feedback(self, chosen: list[int | None]) -> list[str]:
        lines = []
        for number, (question, choice) in enumerate(
            zip(self.questions, chosen, strict=True), start=1
        ):
            if choice is None:
                lines.append(f"{number}. (not answered) {question.why}")
            else:
                lines.append(f"{number}. {question.verdict(choice)}")
        score = sum(choice == q.answer for q, choice in zip(self.questions, chosen, strict=True))
        lines.append(f"{score} of {len(self.questions)} right.")
        return lines

    def to_html(self) -> str:
        """The quiz as HTML that works with no kernel: see the module's docstring."""
        quiz_id = f"quiz-{slug(self.title)}"
        parts = [
            f'<div class="course-quiz" role="group" aria-labelledby="{quiz_id}-title">',
            f'<p class="course-quiz-title" id="{quiz_id}-title"><strong>'
            f"{inline_html(self.title)}</strong></p>",
        ]
        for number, question in enumerate(self.questions, start=1):
            parts.append('<fieldset class="course-quiz-question">')
            parts.append(f"<legend>{number}. {inline_html(question.prompt)}</legend>")
            for index, option in enumerate(question.options):
                feedback = html.escape(question.verdict(index), quote=True)
                parts.append(
                    f'<label class="course-quiz-option"><input type="radio" '
                    f'name="{quiz_id}-{number}" value="{index}" data-feedback="{feedback}"> '
                    f"{inline_html(option)}</label>"
                )
            # Filled in by the book's course-quiz.js when the reader chooses an option.
            parts.append('<p class="course-quiz-feedback" role="status"></p>')
            parts.append("</fieldset>")
        parts.append("</div>")
        return "\n".join(parts)

    def widget(self):
        import ipywidgets as widgets

        pickers = [
            widgets.RadioButtons(
                options=list(q.options), value=None, layout={"width": "max-content"}
            )
            for q in self.questions
        ]
        output = widgets.HTML()
        button = widgets.Button(description="Check my answers", button_style="primary")

        def on_click(_button) -> None:
            chosen = [
                None if picker.value is None else list(q.options).index(picker.value)
                for q, picker in zip(self.questions, pickers, strict=True)
            ]
            output.value = "<br>".join(html.escape(line) for line in self.feedback(chosen))

        button.on_click(on_click)
        parts = [widgets.HTML(f"<b>{inline_html(self.title)}</b>")]
        for number, (question, picker) in enumerate(
            zip(self.questions, pickers, strict=True), start=1
        ):
            parts += [widgets.HTML(f"{number}. {inline_html(question.prompt)}"), picker]
        return _quiz_box_class()([*parts, button, output], static_html=self.to_html())


@functools.cache
def _quiz_box_class():
    """The widget class, made on first use so that importing this module needs no ipywidgets."""
    import ipywidgets as widgets

    class QuizBox(widgets.VBox):
        """A VBox whose display data also holds the quiz as static HTML (`Quiz.to_html`)."""

        def __init__(self, children, *, static_html: str) -> None:
            super().__init__(children)
            self.static_html = static_html

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            # A front end with a widget manager (JupyterLab) shows the live widget; one without
            # it, and the book (which stores no widget state), shows this HTML instead.
            bundle["text/html"] = self.static_html
            return bundle

    return QuizBox
