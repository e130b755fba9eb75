"""A learner's server under the workshop hub: bring the course in, then start Jupyter.

    python -m workshop.singleuser [jupyterhub-singleuser arguments…]

The spawner runs this as the learner's own Unix user, in their home directory. Before handing
over to `jupyterhub-singleuser` it lays out the home the way `onboard start` lays out a clone:

    ~/course/notebooks/   the lessons: new and changed ones come in, the learner's edits win
    ~/course/exercises/   the course's learner copies of the exercises
    ~/course/solutions/   the model solutions, whose check cells `onboard check` grades with
    ~/course/project/     the blueprint of the learner's project
    ~/course/src/bookings/  the reference service, which the blueprint and lesson 02 read
    ~/course/templates/   the document templates (a template the learner changed is kept)
    ~/course/workspace/   the learner's own exercises: `onboard update`'s rule (nbgitpuller's),
                          and their project, a git repository, made once as `onboard start` does
    ~/course/README.md, pyproject.toml, uv.lock   read by lessons as a real project's files

so every start is also a course update, and nothing a learner wrote is ever overwritten. Then it
sends whatever check reports were queued while the dashboard was away.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from unittest import mock

COURSE_SOURCE_ENV = "WORKSHOP_COURSE_SOURCE"
COURSE_FILES = ("README.md", "pyproject.toml", "uv.lock")
COURSE_FOLDERS_REPLACED = ("exercises", "solutions", "project", "src/bookings")
"""The course's own, never edited by learners: replaced as a whole on every start. The reference
service, src/bookings, is there because the project's blueprint takes some stages' files from it
(`onboard begin 02` reads its openapi.yaml) and lesson 02 links to two of its files."""


def lay_out(home: Path, source: Path) -> list[str]:
    """Copy or update the course into `home/course`; returns what it did, line by line."""
    from onboarding import workspace

    course = home / "course"
    lines: list[str] = []
    for folder in COURSE_FOLDERS_REPLACED:
        if (course / folder).exists():
            shutil.rmtree(course / folder)
        if (source / folder).is_dir():
            shutil.copytree(
                source / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    exercises = course / "exercises"
    # Files lessons read as examples of a real project (stage 09 reads the lock file).
    for name in COURSE_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, course / name)
    lessons = workspace.update(course / "notebooks", source / "notebooks")
    lines += [f"lessons: {line}" for line in lessons.lines()]
    for template in sorted((source / "templates").glob("*")):
        target = course / "templates" / template.name
        if template.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template, target)
    own = workspace.update(course / "workspace", exercises)
    lines += [f"workspace: {line}" for line in own.lines()]
    # The learner's project (a git repository they build through every stage), as
    # `onboard start` makes it; it reads its blueprint from the course copy. The variable is
    # put back afterwards: `main` sets it for good, but a caller in-process (a test) must not
    # find later `onboard` runs pointed at this copy.
    from onboarding import project

    try:
        with mock.patch.dict(os.environ, {"ONBOARD_COURSE_ROOT": str(course)}):
            created = project.create(course / "workspace")
    except (project.ProjectError, OSError) as error:  # the server must start all the same
        lines.append(f"project: not created: {error}")
    else:
        if created.commit:
            lines.append(f"project: created in {project.locate(course / 'workspace')}")
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    home = Path(os.environ.get("HOME") or Path.home())
    source = Path(os.environ[COURSE_SOURCE_ENV])
    for line in lay_out(home, source):
        print(f"[workshop] {line}", file=sys.stderr)
    course = home / "course"
    os.environ["ONBOARD_COURSE_ROOT"] = str(course)
    os.environ["ONBOARD_WORKSPACE"] = str(course / "workspace")
    from onboarding import reporting

    sent = reporting.flush(course / "workspace", budget_s=5)
    if sent:
        print(f"[workshop] sent {sent} queued check report(s) to the dashboard", file=sys.stderr)
    os.chdir(home)
    command = Path(sys.executable).with_name("jupyterhub-singleuser")
    os.execv(command, [str(command), *argv])


if __name__ == "__main__":
    main()
