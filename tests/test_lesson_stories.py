"""The facts a lesson's story states in prose agree with what its own code shows.

A version number or a release named in Markdown is easy to get wrong when a story is edited;
these tests read the lesson's code for the truth and hold the prose to it.
"""

from __future__ import annotations

import ast
import re

from onboarding import notebooks
from tests.conftest import COURSE_ROOT

DATA_DESIGN = COURSE_ROOT / "notebooks" / "03_data_design.ipynb"
ROLLBACK = re.compile(r"roll(?:ing)?[ -]?back to (\d+\.\d+)", re.IGNORECASE)


def releases(lesson) -> dict[str, set[str]]:
    """Each `release("1.4", writes=(...), ...)` of the lesson's code: its name and the columns it writes."""
    found = {}
    for cell in notebooks.read(lesson)["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = notebooks.source_of(cell)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # a cell with IPython magics holds no release
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "release":
                name = ast.literal_eval(node.args[0])
                writes = next(k.value for k in node.keywords if k.arg == "writes")
                found[name] = set(ast.literal_eval(writes))
    return found


def test_the_rename_story_names_the_release_a_rollback_returns_to():
    """The old column is dropped late so that a rollback stays possible: to the last release
    that still writes it. Lesson 03 once said 1.6, which no longer writes it."""
    written = releases(DATA_DESIGN)
    assert written, "lesson 03 defines no release(...) any more; update this test with the story"
    first, *_, last = written
    old_columns = written[first] - written[last]
    assert old_columns, "the story's last release still writes every column of the first"
    still_writing = [name for name, columns in written.items() if columns & old_columns]
    rollback_target = still_writing[-1]
    prose = "\n".join(
        notebooks.source_of(cell)
        for cell in notebooks.read(DATA_DESIGN)["cells"]
        if cell["cell_type"] == "markdown"
    )
    named = ROLLBACK.findall(prose)
    assert named, "lesson 03 no longer says which release a rollback returns to"
    assert set(named) == {rollback_target}, (
        f"lesson 03 says a rollback to {', '.join(sorted(set(named)))}; the last release that "
        f"still writes {', '.join(sorted(old_columns))} is {rollback_target}"
    )
