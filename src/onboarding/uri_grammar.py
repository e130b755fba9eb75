"""Keep jsonschema from building its RFC 3987 grammar: about 1.4 s of start-up nobody uses.

jsonschema's format checkers import `rfc3987_syntax` whenever it is installed, and that package
builds three Earley parsers as it is imported. The course's uv environment leaves the package
out (pyproject.toml says why), but conda's environment.yml cannot, and a learner may install
the course's package into an environment of their own: there this module keeps the cost out of
the processes the course starts. Only the `iri` and `iri-reference` formats need them. Nothing the course validates
names those formats: the notebook schema has no URI formats at all, and an OpenAPI spec's `uri`
and `uri-reference` are still checked by rfc3986-validator. So telling Python the module is
absent changes no verdict.

Two ways to use it, both before anything imports jsonschema:

- call `skip()` (the grader, and the checks that validate specs and workflow files, do);
- load the module as a pytest plugin ahead of nbval, `-p onboarding.uri_grammar -p nbval`: it
  skips the grammar as it is imported, because nbval imports nbformat (and so jsonschema) as
  soon as it is loaded, before any pytest hook could run. The course's own nbval runs in child
  processes (`tests/test_course_notebooks.py`) load it that way.

A bare run of nbval or nbclient, like the floor `make bench` measures `onboard check` against,
does not load it and pays the 1.4 s.
"""

from __future__ import annotations

import sys


def skip() -> None:
    """Mark `rfc3987_syntax` as absent, unless jsonschema (which looks once) is already in."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


skip()
