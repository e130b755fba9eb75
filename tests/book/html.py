"""A small HTML tree from the standard library's parser: enough to inspect the built book."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **where: Callable[[Element], bool] | str) -> list:
        """Elements with this tag whose attributes equal (or satisfy) the keyword arguments.

        `class_="x"` matches elements that have class x among others.
        """
        found = []
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if all(_matches(element, name, want) for name, want in where.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **where) -> Element | None:
        return next(iter(self.find_all(tag, **where)), None)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


def _matches(element: Element, name: str, want) -> bool:
    if name == "class_":
        return want in element.classes
    value = element.attrs.get(name.rstrip("_"))
    if callable(want):
        return value is not None and want(value)
    return value == want


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        # Close up to the matching open tag; a stray end tag is ignored, as browsers do.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(path: Path) -> Element:
    """The page's tree; parsed once per version of the file (treat it as read-only)."""
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _parse(path: Path, mtime_ns: int, size: int) -> Element:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root
