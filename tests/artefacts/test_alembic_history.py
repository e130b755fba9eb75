"""onboarding.artefacts.alembic_history: a project's revisions, and one clear line when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding import project
from onboarding.artefacts.alembic_history import read_history
from onboarding.checks import ArtefactError

VERSIONS = "migrations/versions"


def a_project(tmp_path: Path, **revisions: str | None) -> Path:
    """The course's stage 03 project, plus revisions given as id=down_revision."""
    root = tmp_path / "service"
    project.write_files(root, project.reference("03"))
    for revision_id, down in revisions.items():
        (root / VERSIONS / f"{revision_id}_x.py").write_text(
            f'"""Revision {revision_id}."""\nrevision = "{revision_id}"\ndown_revision = {down!r}\n'
        )
    return root


def test_the_course_project_reads_in_order(tmp_path):
    history = read_history(a_project(tmp_path))
    assert history.ids == ["0001", "0002"]
    assert (history.base.id, history.head.id) == ("0001", "0002")
    assert history.head.path == f"{VERSIONS}/0002_cancelled_state.py"
    assert history.head.message == "Let a booking be cancelled, and index the overlap query."


def test_targets_resolve_as_alembic_resolves_them(tmp_path):
    history = read_history(a_project(tmp_path, r0003="0002"))
    assert [
        history.resolve(t, current="r0003") for t in ("-1", "-3", "0001", "r00", "head", "base")
    ] == ["0002", None, "0001", "r0003", "r0003", None]
    with pytest.raises(ValueError, match="no revision '9'"):
        history.resolve("9")
    with pytest.raises(ValueError, match="below the first revision"):
        history.resolve("-4", current="r0003")


@pytest.mark.parametrize(
    ("revisions", "message"),
    [
        (
            {"r0003": "0009"},
            f"{VERSIONS}/r0003_x.py says down_revision = '0009', but no revision"
            " has that id (the revisions are 0001, 0002, r0003)",
        ),
        (
            {"r0003": "r0003"},
            f"{VERSIONS}/r0003_x.py does not load: LoopDetected: Self-loop is detected in revisions"
            " (r0003)",
        ),
        (
            {"r0003": "0001"},
            f"{VERSIONS}/0002_cancelled_state.py and {VERSIONS}/r0003_x.py both"
            " follow revision 0001: that makes two heads; set one's down_revision to the other's"
            " revision",
        ),
        (
            {"r0003": None},
            "exactly one revision must have down_revision = None (the first); found"
            f" 0001 ({VERSIONS}/0001_initial.py), r0003 ({VERSIONS}/r0003_x.py)",
        ),
    ],
)
def test_a_broken_history_is_one_clear_line(tmp_path, revisions, message):
    with pytest.raises(ArtefactError) as caught:
        read_history(a_project(tmp_path, **revisions))
    assert str(caught.value) == message


def test_two_files_with_one_id_are_named(tmp_path):
    root = a_project(tmp_path)
    (root / VERSIONS / "copy.py").write_text(
        (root / VERSIONS / "0002_cancelled_state.py").read_text()
    )
    with pytest.raises(ArtefactError, match="both say revision = '0002'"):
        read_history(root)


def test_a_file_that_does_not_load_names_the_error_and_its_line(tmp_path):
    root = a_project(tmp_path)
    (root / VERSIONS / "bad.py").write_text(
        'revision = "x"\ndown_revision = "0002"\nimport nothing_here\n'
    )
    with pytest.raises(ArtefactError) as caught:
        read_history(root)
    assert str(caught.value) == (
        f"{VERSIONS}/bad.py does not load (line 3): ModuleNotFoundError: No module named"
        " 'nothing_here'"
    )


def test_a_missing_ini_or_versions_folder_says_what_to_do(tmp_path):
    with pytest.raises(ArtefactError, match="alembic.ini does not exist yet — stage 03 adds it"):
        read_history(tmp_path)
    root = a_project(tmp_path)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/elsewhere\n")
    with pytest.raises(ArtefactError, match="which has no versions/ folder"):
        read_history(root)
    (root / "alembic.ini").write_text("[other]\n")
    with pytest.raises(ArtefactError, match="has no `script_location`"):
        read_history(root)


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("head-1", "0002"),
        ("heads-1", "0002"),
        ("r0003-1", "0002"),
        ("r0003-2", "0001"),
        ("0001+1", "0002"),
        ("base+1", "0001"),
        ("r0003@-1", "0002"),
        ("head-3", None),
    ],
)
def test_relative_targets_resolve_as_alembic_resolves_them(tmp_path, target, lands_on):
    """`alembic downgrade head-1` or `0002-1`: a step counted from a named revision."""
    history = read_history(a_project(tmp_path, r0003="0002"))
    assert history.resolve(target, current="r0003") == lands_on


@pytest.mark.parametrize(
    ("target", "message"),
    [("head-4", "below the first revision"), ("head+1", "above the newest revision")],
)
def test_relative_targets_beyond_the_history_are_refused(tmp_path, target, message):
    history = read_history(a_project(tmp_path, r0003="0002"))
    with pytest.raises(ValueError, match=message):
        history.resolve(target, current="r0003")
