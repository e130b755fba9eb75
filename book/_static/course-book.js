// Fixes to the theme that the book needs on every page (added, deferred, by _ext/course_book.py).
(function () {
  "use strict";

  // The phone menu (☰) and the page-contents button. pydata-sphinx-theme 0.17.1, the version
  // sphinx-book-theme 1.3 requires, binds its sidebar dialogs with
  // document.querySelector(".primary-toggle") and (".secondary-toggle"): the first such button,
  // which is one in the top header that sphinx-book-theme hides. The buttons a reader sees, in
  // the article header, were never bound, so they did nothing (pydata-sphinx-theme issue 2451;
  // no release of either theme fixes it yet). Each visible button now clicks the bound one, so
  // the theme's own code opens the sidebar: a dialog on a narrow screen, a collapse on a wide one.
  // Remove this when a theme release binds every toggle.
  function forwardToggles(selector) {
    var toggles = document.querySelectorAll(selector);
    var bound = toggles[0];
    Array.prototype.slice.call(toggles, 1).forEach(function (toggle) {
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }

  function start() {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
