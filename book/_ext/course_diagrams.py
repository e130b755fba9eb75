"""Mermaid diagrams drawn at build time, offline, into inline SVG.

Why at build time: the self-contained Mermaid build is 3.6 MB of JavaScript. Loaded by every page
with a diagram, it cost a phone on a slow network seconds of download and of main-thread work
before the page settled, and a diagram drawn in the reader's browser can only fail there, where
nobody sees it. Drawn here, a page carries only its SVG, a syntax error fails the build with the
page and line, and the printed book (`make book-pdf`) has its diagrams for free.

How: the vendored `book/_static/mermaid/mermaid.min.js` runs in a headless Chromium (Debian's
package, or another Chrome found on the machine), driven by Playwright, with no network. Each SVG
is cached in `book/_build/.mermaid-cache/`, keyed by the script's digest, the drawing settings and
the diagram's source, so an unchanged diagram is never drawn twice.

Each diagram is measured as it is drawn: its natural width and its smallest label's font size.
The page shows it at full column width, but never smaller than the scale at which that smallest
label is `MIN_LABEL_PX` pixels; below that (a phone), it keeps that size and scrolls sideways.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

MIN_LABEL_PX = 12
"""The smallest size a diagram's label may be shown at (body text is 16 px)."""

# Arial and Liberation Sans have the same metrics, so the boxes Mermaid sizes here fit the text
# in the reader's browser too (Windows and macOS have Arial; Linux has Liberation Sans).
FONT_FAMILY = 'Arial, "Liberation Sans", Helvetica, sans-serif'
MERMAID_CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "theme": "default",
    "fontFamily": FONT_FAMILY,
    "themeVariables": {"fontFamily": FONT_FAMILY},
    # Ids inside the SVG (arrow markers, clip paths) follow from the diagram's id, not from a
    # random number: the build is reproducible, and two diagrams on one page never clash.
    "deterministicIds": True,
}
# Bump when the drawing or the markup around it changes: every cached SVG is then drawn again.
RENDER_VERSION = "1"

BROWSER_ENV = "BOOK_CHROMIUM"
"""Set it to a Chrome or Chromium binary to use that one."""
BROWSER_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
SVG_OPENING = re.compile(r"<svg(?P<attributes>[^>]*)>")
SVG_SIZE_ATTRIBUTE = re.compile(r'\s(?:width|height|style)="[^"]*"')
ACC_TITLE = re.compile(r"^[ \t]*accTitle[ \t]*:[ \t]*\S", re.M)
ACC_DESCR = re.compile(r"^[ \t]*accDescr[ \t]*(:[ \t]*\S|\{)", re.M)


class DiagramError(Exception):
    """Mermaid could not draw a diagram; the message is Mermaid's."""


class BrowserMissing(Exception):
    """No Chrome or Chromium to draw the diagrams with."""


@dataclass(frozen=True)
class Drawing:
    svg: str
    width: float
    """Natural width in CSS pixels (the SVG's viewBox width)."""
    smallest_label_px: float
    """Font size of the smallest label at natural width."""

    @property
    def min_width(self) -> int:
        """The narrowest the diagram may be shown: its smallest label is then MIN_LABEL_PX.

        Rounded up, so the label is never a rounding error below the limit. Wider than the
        natural width when Mermaid draws some labels smaller than MIN_LABEL_PX (gitGraph does).
        """
        if self.smallest_label_px <= 0:
            return math.ceil(self.width)
        return math.ceil(self.width * MIN_LABEL_PX / self.smallest_label_px)

    def sized_svg(self) -> str:
        """The SVG at full column width, between `min_width` and its natural width."""
        widest = max(math.ceil(self.width), self.min_width)
        opening = SVG_OPENING.match(self.svg)
        if not opening:
            raise DiagramError("Mermaid's output does not start with an <svg> element")
        attributes = SVG_SIZE_ATTRIBUTE.sub("", opening["attributes"])
        sized = (
            f'<svg{attributes} width="100%" '
            f'style="min-width: {self.min_width}px; max-width: {widest}px; height: auto">'
        )
        return sized + self.svg[opening.end() :]


def missing_text_alternative(code: str) -> list[str]:
    """The accessibility lines a diagram lacks: Mermaid turns them into <title> and <desc>."""
    missing = []
    if not ACC_TITLE.search(code):
        missing.append("accTitle")
    if not ACC_DESCR.search(code):
        missing.append("accDescr")
    return missing


def find_browser() -> str:
    chosen = os.environ.get(BROWSER_ENV)
    if chosen:
        if Path(chosen).is_file() and os.access(chosen, os.X_OK):
            return chosen
        raise BrowserMissing(f"{BROWSER_ENV}={chosen} is not an executable file.")
    for candidate in BROWSER_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("google-chrome")
    if found:
        return found
    raise BrowserMissing(
        "the book draws its Mermaid diagrams at build time in a headless Chromium, and none was "
        "found. Install Debian's chromium (`apt-get install chromium`), or set "
        f"{BROWSER_ENV} to a Chrome or Chromium binary."
    )


# Runs in the page: draws one diagram, then measures it at its natural size.
_DRAW = """
async ([id, code]) => {
  try {
    await mermaid.parse(code);
  } catch (error) {
    return { error: String((error && error.message) || error) };
  }
  let svg;
  try {
    ({ svg } = await mermaid.render(id, code));
  } catch (error) {
    return { error: String((error && error.message) || error) };
  }
  const stage = document.getElementById("stage");
  stage.innerHTML = svg;
  const drawn = stage.querySelector("svg");
  const width = drawn.viewBox.baseVal.width;
  drawn.setAttribute("width", String(width));
  drawn.style.maxWidth = "none";
  let smallest = Infinity;
  for (const element of drawn.querySelectorAll("*")) {
    const ownText = Array.from(element.childNodes).some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== ""
    );
    if (!ownText || element.getClientRects().length === 0) continue;
    const scaled = element.closest("foreignObject") || element;
    const matrix = scaled.getScreenCTM();
    const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(element).fontSize) * scale);
  }
  stage.innerHTML = "";
  return { svg, width, smallest: Number.isFinite(smallest) ? smallest : 0 };
}
"""


class MermaidRenderer:
    """One headless Chromium with Mermaid loaded, started on the first diagram not in the cache."""

    def __init__(self, script: Path, cache: Path) -> None:
        self.script = script
        self.cache = cache
        self._digest = hashlib.sha256(script.read_bytes()).hexdigest()
        self._playwright = None
        self._browser = None
        self._page = None

    def key(self, diagram_id: str, code: str) -> str:
        material = json.dumps(
            [RENDER_VERSION, self._digest, MERMAID_CONFIG, diagram_id, code], sort_keys=True
        )
        return hashlib.sha256(material.encode()).hexdigest()

    def draw(self, diagram_id: str, code: str) -> Drawing:
        cached = self.cache / f"{self.key(diagram_id, code)}.json"
        if cached.is_file():
            return Drawing(**json.loads(cached.read_text(encoding="utf-8")))
        result = self._open_page().evaluate(_DRAW, [diagram_id, code])
        if "error" in result:
            raise DiagramError(" ".join(result["error"].split()))
        drawing = Drawing(svg=result["svg"], width=result["width"],
                          smallest_label_px=result["smallest"])  # fmt: skip
        self.cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(drawing)), encoding="utf-8")
        partial.replace(cached)  # atomic: a parallel build never reads half a file
        return drawing

    def _open_page(self):
        if self._page is not None:
            return self._page
        executable = find_browser()
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        atexit.register(self.close)
        context = self._browser.new_context(viewport={"width": 1600, "height": 1000})
        # Nothing may come from the network: a diagram that tried would fail here, not later.
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(
            "<!doctype html><html><head><style>body{margin:0;font-family:"
            + FONT_FAMILY
            + "}</style></head><body><div id='stage'></div></body></html>"
        )
        page.add_script_tag(path=str(self.script))
        page.evaluate("config => mermaid.initialize(config)", MERMAID_CONFIG)
        self._page = page
        return page

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
        self._page = None
