"""Small self-check quizzes for lessons, as ipywidgets.

The grading is plain Python (`Quiz.feedback`), so tests can check it without a browser; the
widgets only collect the answers and show that feedback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[str, ...]
    answer: int
    """Index of the right option."""
    why: str
    """One sentence shown after answering, right or wrong."""


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
            elif choice == question.answer:
                lines.append(f"{number}. ✅ Right. {question.why}")
            else:
                lines.append(f"{number}. ❌ Not quite. {question.why}")
        score = sum(choice == q.answer for q, choice in zip(self.questions, chosen, strict=True))
        lines.append(f"{score} of {len(self.questions)} right.")
        return lines

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
            output.value = "<br>".join(self.feedback(chosen))

        button.on_click(on_click)
        parts = [widgets.HTML(f"<b>{self.title}</b>")]
        for number, (question, picker) in enumerate(
            zip(self.questions, pickers, strict=True), start=1
        ):
            parts += [widgets.HTML(f"{number}. {question.prompt}"), picker]
        return widgets.VBox([*parts, button, output])
