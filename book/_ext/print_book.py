"""Print the whole book to one PDF, offline: `make book-pdf` (book/_build/pdf/book.pdf).

The one-page edition of the book (Sphinx's singlehtml builder, built by `make book-pdf` first)
is opened in a headless Chromium from a server on this machine and printed with the browser's
own PDF engine. The diagrams are already SVG (drawn at build time) and the outputs are in the
page, so what the PDF shows is what a reader sees, with no TeX installation.

Before printing, every collapsed block (the TSD's worked example, hidden cells) is opened, since
paper cannot be clicked. The quizzes print as questions: their answers are for the screen.

Usage: python book/_ext/print_book.py SINGLEHTML_DIR OUTPUT.pdf
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from course_diagrams import BrowserMissing, find_browser  # noqa: E402

BOOK_TITLE = "How we build Python services"
# Opens what paper cannot: <details> blocks and sphinx-togglebutton's hidden cells and notes.
OPEN_EVERYTHING = """
() => {
  document.querySelectorAll("details").forEach((details) => { details.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach((hidden) => {
    hidden.classList.remove("toggle-hidden");
  });
  document.querySelectorAll("details.above-input, details.below-input, details.hide")
    .forEach((details) => { details.open = true; });
}
"""
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    f'{BOOK_TITLE} — <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


REDIRECT = re.compile(r'http-equiv="Refresh" content="0; url=([^"]+)"', re.I)


def the_book_page(singlehtml: Path) -> str:
    """The one page that holds the whole book, as a file in `singlehtml` itself.

    index.html only redirects to the root page (book/intro.html). Sphinx writes that page's
    links (_static/, _images/) as if it sat in the folder's top, so a copy of it is put there.
    """
    index = singlehtml / "index.html"
    if not index.is_file():
        raise FileNotFoundError(
            f"{index} does not exist: build the one-page edition first (make book-pdf does)"
        )
    redirect = REDIRECT.search(index.read_text(encoding="utf-8"))
    if not redirect:
        return "index.html"
    whole = singlehtml / "whole-book.html"
    whole.write_bytes((singlehtml / redirect[1]).read_bytes())
    return whole.name


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def print_book(singlehtml: Path, output: Path) -> int:
    """Print the one-page edition in `singlehtml` to `output`; returns the bytes written."""
    book_page = the_book_page(singlehtml)
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(singlehtml))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_browser(),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run"],
            )  # fmt: skip
            try:
                context = browser.new_context(viewport={"width": 1000, "height": 1400})
                # The book needs nothing from another site; anything that tried would be a bug.
                context.route(lambda url: not url.startswith(base), lambda route: route.abort())
                page = context.new_page()
                page.goto(f"{base}/{book_page}", wait_until="load")
                page.evaluate(OPEN_EVERYTHING)
                page.evaluate("() => document.fonts.ready.then(() => true)")
                partial = output.with_suffix(".partial.pdf")
                page.pdf(
                    path=str(partial),
                    format="A4",
                    margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    outline=True,
                    tagged=True,
                )
                partial.replace(output)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    return output.stat().st_size


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    singlehtml, output = Path(argv[0]), Path(argv[1])
    started = time.monotonic()
    print(f"Printing the one-page edition in {singlehtml} to {output} in headless Chromium…")
    try:
        size = print_book(singlehtml, output)
    except (FileNotFoundError, BrowserMissing) as error:
        print(f"Cannot print the book: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {output} ({size / 1_000_000:.1f} MB) in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
