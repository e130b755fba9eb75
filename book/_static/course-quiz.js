// Self-check quizzes in the book (onboarding.quiz.Quiz.to_html): choosing an answer shows the
// feedback for that choice in the question's status line, which a screen reader announces.
// The feedback sits in each option's data-feedback attribute until then.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var choice = event.target;
    if (!choice.matches || !choice.matches(".course-quiz input[type=radio]")) {
      return;
    }
    var status = choice.closest("fieldset").querySelector(".course-quiz-feedback");
    if (status) {
      status.textContent = choice.getAttribute("data-feedback");
    }
  });
})();
