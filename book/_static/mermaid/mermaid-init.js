// Render the page's Mermaid diagrams with the vendored mermaid.min.js (no network needed).
// A diagram is drawn only once the browser lays it out: Mermaid measures text, which gives wrong
// sizes inside a closed <details> block that a browser does not lay out (Firefox), so those are
// drawn when the block is opened. (Chromium lays closed blocks out, and draws them at once.)
(function () {
  "use strict";

  function isVisible(element) {
    return element.getClientRects().length > 0;
  }

  function render(root) {
    var pending = Array.prototype.filter.call(
      root.querySelectorAll("pre.mermaid:not([data-processed])"),
      isVisible
    );
    if (pending.length > 0) {
      window.mermaid.run({ nodes: pending });
    }
  }

  function start() {
    if (!window.mermaid) {
      return;
    }
    var dark = document.documentElement.dataset.theme === "dark";
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
    });
    render(document);
    // "toggle" does not bubble, so listen in the capture phase for every <details> on the page.
    document.addEventListener(
      "toggle",
      function (event) {
        if (event.target.open) {
          render(event.target);
        }
      },
      true
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
