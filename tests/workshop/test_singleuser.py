"""A learner's home under the hub: laid out like `onboard start`, updated like `onboard update`."""

from __future__ import annotations

import json
import os
import re
import shutil

from tests.conftest import COURSE_ROOT
from workshop.singleuser import lay_out

WELCOME = "00_welcome.ipynb"


def test_the_first_start_lays_out_the_course_and_the_workspace(tmp_path):
    before = dict(os.environ)
    lines = lay_out(tmp_path, COURSE_ROOT)
    # Laying out a home changes no variable of the process: later `onboard` runs of the same
    # process (another test's) must not find their course root pointed at this copy.
    assert dict(os.environ) == before
    course = tmp_path / "course"
    assert (course / "notebooks" / WELCOME).is_file()
    assert (course / "exercises" / WELCOME).read_bytes() == (
        COURSE_ROOT / "exercises" / WELCOME
    ).read_bytes()
    assert (course / "workspace" / WELCOME).is_file()
    assert (course / "workspace" / ".onboard" / "manifest.json").is_file()
    assert (course / "templates" / "prd.md").is_file() and (course / "uv.lock").is_file()
    assert (course / "solutions" / WELCOME).is_file()
    assert any(line.startswith("project: created in ") for line in lines), lines
    assert any(line.startswith("workspace: new: ") for line in lines)


def test_a_later_start_keeps_the_learners_edits_and_brings_the_courses_changes(tmp_path):
    source = tmp_path / "source"
    for folder in ("exercises", "solutions", "notebooks", "templates", "project"):
        shutil.copytree(COURSE_ROOT / folder, source / folder)
    home = tmp_path / "home"
    lay_out(home, source)
    mine = home / "course" / "workspace" / WELCOME
    mine.write_text(mine.read_text().replace("booking", "my booking"))
    edited = mine.read_text()
    # The course changes the exercise and a lesson the learner never touched.
    changed = json.loads((source / "exercises" / WELCOME).read_text())
    changed["metadata"]["course_version"] = 2
    (source / "exercises" / WELCOME).write_text(json.dumps(changed))
    lesson = source / "notebooks" / "01_roles_and_intake.ipynb"
    lesson.write_text(lesson.read_text().replace("PRD", "PRD (v2)", 1))

    lines = lay_out(home, source)
    assert mine.read_text() == edited
    assert (home / "course" / "workspace" / "00_welcome.course-update.ipynb").is_file()
    assert (
        home / "course" / "notebooks" / "01_roles_and_intake.ipynb"
    ).read_text() == lesson.read_text()
    assert any("kept your edits in 00_welcome.ipynb" in line for line in lines)
    assert (
        json.loads((home / "course" / "exercises" / WELCOME).read_text())["metadata"][
            "course_version"
        ]
        == 2
    )


def test_every_stage_begins_from_the_laid_out_course_as_from_the_course_itself(
    tmp_path, monkeypatch
):
    """`onboard begin NN` on the hub reads the blueprint from the learner's copy of the course:
    every file a stage's blueprint names must be in it (stage 02's once was not, and `begin 02`
    stopped with a FileNotFoundError)."""
    from onboarding import project

    expected = {stage: project.stage_blueprint(stage) for stage in project.stages()}
    lay_out(tmp_path, COURSE_ROOT)
    monkeypatch.setenv("ONBOARD_COURSE_ROOT", str(tmp_path / "course"))
    for stage, files in expected.items():
        assert project.stage_blueprint(stage) == files, stage


def test_every_link_of_a_lesson_leads_to_a_file_of_the_laid_out_course(tmp_path):
    lay_out(tmp_path, COURSE_ROOT)
    course = tmp_path / "course"
    broken = []
    for lesson in sorted((course / "notebooks").glob("*.ipynb")):
        for target in re.findall(r"\]\((\.\./[^)#\s]+)", lesson.read_text(encoding="utf-8")):
            if not (lesson.parent / target).exists():
                broken.append(f"{lesson.name}: {target}")
    assert broken == []
