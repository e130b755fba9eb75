"""The learner's workspace: creation, reset and update never lose a learner's edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding import workspace


@pytest.fixture
def course_dir(tmp_path) -> Path:
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "00_welcome.ipynb").write_text("welcome v1")
    (folder / "01_roles.ipynb").write_text("roles v1")
    return folder


@pytest.fixture
def learner_dir(tmp_path, course_dir) -> Path:
    folder = tmp_path / "workspace"
    workspace.create(folder, course_dir)
    return folder


def test_create_copies_everything_and_records_what_it_delivered(tmp_path, course_dir):
    folder = tmp_path / "ws"
    report = workspace.create(folder, course_dir)
    assert report.created == ["00_welcome.ipynb", "01_roles.ipynb"]
    assert (folder / "01_roles.ipynb").read_text() == "roles v1"
    assert set(workspace.read_manifest(folder)) == {"00_welcome.ipynb", "01_roles.ipynb"}


def test_create_never_overwrites_a_learner_file(tmp_path, course_dir):
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "00_welcome.ipynb").write_text("my own notes")
    report = workspace.create(folder, course_dir)
    assert (folder / "00_welcome.ipynb").read_text() == "my own notes"
    assert report.kept_with_update_beside == [
        ("00_welcome.ipynb", "00_welcome.course-update.ipynb")
    ]
    assert (folder / "00_welcome.course-update.ipynb").read_text() == "welcome v1"


def test_running_create_again_changes_nothing(learner_dir, course_dir):
    (learner_dir / "00_welcome.ipynb").write_text("edited")
    (learner_dir / "01_roles.ipynb").unlink()
    report = workspace.create(learner_dir, course_dir)
    assert report.lines() == []
    assert (learner_dir / "00_welcome.ipynb").read_text() == "edited"
    assert not (learner_dir / "01_roles.ipynb").exists()


def test_update_replaces_an_unedited_file(learner_dir, course_dir):
    (course_dir / "00_welcome.ipynb").write_text("welcome v2")
    report = workspace.update(learner_dir, course_dir)
    assert report.updated == ["00_welcome.ipynb"]
    assert (learner_dir / "00_welcome.ipynb").read_text() == "welcome v2"


def test_update_keeps_an_edited_file_and_saves_the_new_version_beside_it(learner_dir, course_dir):
    (learner_dir / "00_welcome.ipynb").write_text("my answers")
    (course_dir / "00_welcome.ipynb").write_text("welcome v2")
    report = workspace.update(learner_dir, course_dir)
    assert (learner_dir / "00_welcome.ipynb").read_text() == "my answers"
    assert (learner_dir / "00_welcome.course-update.ipynb").read_text() == "welcome v2"
    assert "kept your edits in 00_welcome.ipynb" in report.lines()[0]

    # A second course change must not overwrite the first saved update if the learner edited it.
    (learner_dir / "00_welcome.course-update.ipynb").write_text("notes in the update")
    (course_dir / "00_welcome.ipynb").write_text("welcome v3")
    workspace.update(learner_dir, course_dir)
    assert (learner_dir / "00_welcome.course-update.ipynb").read_text() == "notes in the update"
    assert (learner_dir / "00_welcome.course-update-2.ipynb").read_text() == "welcome v3"


def test_update_leaves_a_deleted_unchanged_file_deleted(learner_dir, course_dir):
    (learner_dir / "01_roles.ipynb").unlink()
    report = workspace.update(learner_dir, course_dir)
    assert report.left_deleted == ["01_roles.ipynb"]
    assert not (learner_dir / "01_roles.ipynb").exists()


def test_update_restores_a_deleted_file_the_course_changed(learner_dir, course_dir):
    (learner_dir / "01_roles.ipynb").unlink()
    (course_dir / "01_roles.ipynb").write_text("roles v2")
    report = workspace.update(learner_dir, course_dir)
    assert report.restored == ["01_roles.ipynb"]
    assert (learner_dir / "01_roles.ipynb").read_text() == "roles v2"


def test_update_brings_a_new_exercise(learner_dir, course_dir):
    (course_dir / "02_api.ipynb").write_text("api v1")
    report = workspace.update(learner_dir, course_dir)
    assert report.created == ["02_api.ipynb"]
    assert (learner_dir / "02_api.ipynb").read_text() == "api v1"


def test_update_with_a_name_clash_keeps_the_learners_file(learner_dir, course_dir):
    (learner_dir / "02_api.ipynb").write_text("my own scratch notebook")
    (course_dir / "02_api.ipynb").write_text("api v1")
    report = workspace.update(learner_dir, course_dir)
    assert (learner_dir / "02_api.ipynb").read_text() == "my own scratch notebook"
    assert (learner_dir / "02_api.course-update.ipynb").read_text() == "api v1"
    assert report.kept_with_update_beside == [("02_api.ipynb", "02_api.course-update.ipynb")]


def test_reset_backs_up_then_restores(learner_dir, course_dir):
    (learner_dir / "00_welcome.ipynb").write_text("half done")
    report = workspace.reset(learner_dir, course_dir, "00_welcome.ipynb")
    assert (learner_dir / "00_welcome.ipynb").read_text() == "welcome v1"
    ((name, backup),) = report.backed_up
    assert (learner_dir / backup).read_text() == "half done"
    assert backup.startswith(".onboard/backups/00_welcome-")
    # It says what happened, and nothing that did not (it was not deleted, nor changed).
    assert report.lines() == [
        f"backed up 00_welcome.ipynb to {backup}",
        "a fresh copy of 00_welcome.ipynb, as the course ships it",
    ]

    # Two resets within a second must not overwrite the first backup.
    (learner_dir / "00_welcome.ipynb").write_text("second try")
    second = workspace.reset(learner_dir, course_dir, "00_welcome.ipynb")
    assert second.backed_up[0][1] != backup
    assert (learner_dir / second.backed_up[0][1]).read_text() == "second try"


@pytest.mark.parametrize("name", ["00", "00_welcome", "00_welcome.ipynb"])
def test_resolve_exercise_accepts_short_names(course_dir, name):
    assert workspace.resolve_exercise(name, course_dir) == "00_welcome.ipynb"


def test_resolve_exercise_lists_the_choices(course_dir):
    with pytest.raises(KeyError, match="there are: 00_welcome.ipynb, 01_roles.ipynb"):
        workspace.resolve_exercise("07", course_dir)
