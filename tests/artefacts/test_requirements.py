"""Requirements files read as pip reads them, and a lost line continuation named as such."""

from __future__ import annotations

from onboarding.artefacts.requirements import canonical, parse_requirements

A, B, C = "sha256:" + "a" * 64, "sha256:" + "b" * 64, "sha256:" + "c" * 64


def test_the_parser_reads_what_pip_reads():
    text = (
        "# a comment\n"
        "--index-url https://packages.example.com/simple\n"
        f"Typing_Extensions==4.16.0 --hash {A}  # trailing comment\n"
        "anyio==4.16.0 \\\n"
        f"    --hash={B} \\\n"
        f"    --hash={C}\n"
        'tomli==2.5.0 ; python_version < "3.11" \\\n'
        f"    --hash={A}\n"
    )
    entries, invalid = parse_requirements(text)
    assert invalid == []
    assert [(e.line, e.name, e.specifier, e.marker, len(e.hashes)) for e in entries] == [
        (3, "typing-extensions", "==4.16.0", None, 1),
        (4, "anyio", "==4.16.0", None, 2),
        (7, "tomli", "==2.5.0", 'python_version < "3.11"', 1),
    ]


def test_a_hash_is_read_as_pip_compares_it():
    """pip lower-cases a digest before comparing it; an algorithm's name it takes as written."""
    text = f"anyio==4.16.0 --hash=sha256:{'A' * 64} --hash=SHA256:{'B' * 64}\n"
    (entry,), invalid = parse_requirements(text)
    assert invalid == []
    assert entry.hashes == (A, "SHA256:" + "b" * 64)


def test_a_missing_line_continuation_is_named_as_such():
    text = f"anyio==4.16.0 \\\n    --hash={A}\n    --hash={B}\n"
    entries, problems = parse_requirements(text)
    assert [entry.hashes for entry in entries] == [(A,)]
    assert problems == [
        f"line 3: `--hash={B[:32]}…` stands on a line of its own: line 2 does not end with a "
        "backslash `\\`, the line continuation that joins an entry's options to it"
    ]


def test_a_line_that_is_no_requirement_is_named():
    _, problems = parse_requirements("anyio=4.16.0\n")
    assert problems[0].startswith("line 1: `anyio=4.16.0` is not a requirement")


def test_names_are_compared_as_pypi_compares_them():
    assert canonical("Typing_Extensions") == canonical("typing.extensions") == "typing-extensions"
