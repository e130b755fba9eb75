"""Requirements files read as pip reads them, and a lost line continuation named as such."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(
    "text",
    [
        # pip's options are shell words (it splits them with shlex): quotes are taken off.
        f"anyio==4.16.0 --hash=\"{A}\" --hash '{B}'\n",
        # A backslash right after the version: the next line's indentation is the space.
        f"anyio==4.16.0\\\n    --hash={A} \\\n    --hash={B}\n",
        # Spaces around the marker's `;` and inside it are the requirement's, not pip's.
        f"anyio==4.16.0;python_version>='3.11' --hash={A} --hash={B}\n",
        # A byte order mark opens the file (`encoding="utf-8-sig"`, Windows editors): pip's
        # auto_decode takes it off before reading the first line.
        f"\ufeffanyio==4.16.0 --hash={A}\n",
    ],
    ids=["quoted-hashes", "backslash-after-version", "marker-without-spaces", "byte-order-mark"],
)
def test_spellings_pip_reads_as_the_same_entry(text):
    (entry,), problems = parse_requirements(text)
    assert problems == []
    assert entry.name == "anyio" and entry.specifier == "==4.16.0"
    assert entry.hashes in ((A,), (A, B))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # pip continues a line only when the backslash is its very last character.
        (
            f"anyio==4.16.0 \\  \n    --hash={A}\n",
            "line 1: the backslash `\\` is not the last character of the line",
        ),
        (
            f"anyio==4.16.0 \\  # pinned\n    --hash={A}\n",
            "line 1: the backslash `\\` is not the last character of the line",
        ),
        # pip splits an entry from its options at spaces only: a tab, or nothing, is no split.
        (f"anyio==4.16.0\t--hash={A}\n", "line 1: `--hash` must follow a space"),
        (f"anyio==4.16.0 \\\n\t--hash={A}\n", "line 1: `--hash` must follow a space"),
        (f"anyio==4.16.0\\\n--hash={A}\n", "line 1: `--hash` must follow a space"),
        ("anyio==4.16.0 --hash='sha256:abc\n", "line 1: the options `--hash='sha256:abc`"),
        # pip takes off one byte order mark, at the very start of the file, and no other.
        (
            f"\ufeff\ufeffanyio==4.16.0 --hash={A}\n",
            "line 1: `anyio==4.16.0` holds an invisible byte order mark (U+FEFF)",
        ),
        (
            f"# pinned\n\ufeffanyio==4.16.0 --hash={A}\n",
            "line 2: `anyio==4.16.0` holds an invisible byte order mark (U+FEFF)",
        ),
    ],
    ids=[
        "spaces-after-backslash",
        "comment-after-backslash",
        "tab-before-hash",
        "tab-indented-hash",
        "glued-hash",
        "unclosed-quote",
        "two-byte-order-marks",
        "byte-order-mark-on-a-later-line",
    ],
)
def test_what_pip_would_refuse_is_named(text, message):
    _, problems = parse_requirements(text)
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems


@pytest.mark.parametrize("editable", ["-e .", "--editable .", "-e.", "--editable=./service"])
@pytest.mark.parametrize(
    "hashed",
    ["anyio==4.16.0 --hash=" + A, "--require-hashes\nanyio==4.16.0"],
    ids=["a-hash", "require-hashes"],
)
def test_an_editable_install_in_a_hashed_file_is_named(editable, hashed):
    """pip refuses an editable install in hash-checking mode ("cannot be installed when
    requiring hashes, because there is no single file to hash"), which any `--hash` turns on."""
    _, problems = parse_requirements(f"{hashed}\n{editable}\n")
    assert len(problems) == 1, problems
    number = hashed.count("\n") + 2
    assert problems[0].startswith(f"line {number}: `{editable}` installs a folder as editable"), (
        problems
    )


def test_an_editable_install_without_hashes_is_read_as_pip_reads_it():
    entries, problems = parse_requirements("-e .\nanyio==4.16.0\n")
    assert problems == [] and [entry.name for entry in entries] == ["anyio"]


@pytest.mark.parametrize("path", [".", "./", "./service", "../service", "file:."])
def test_a_folder_in_place_of_a_requirement_is_named_as_a_path(path):
    _, problems = parse_requirements(f"{path}\nanyio==4.16.0 --hash={A}\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"line 1: `{path}` is a path, not a package's name"), problems


def test_a_comment_line_ends_an_entry_as_pip_reads_it():
    """pip ends an entry at a comment line even after a backslash: what follows is on its own."""
    text = f"anyio==4.16.0 \\\n    # the hashes:\n    --hash={A}\n"
    entries, problems = parse_requirements(text)
    assert [entry.hashes for entry in entries] == [()]
    assert len(problems) == 1 and problems[0].startswith("line 3: `--hash=")
