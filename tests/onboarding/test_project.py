"""The learner's project: created on day one, grown stage by stage, adopted when behind.

These tests use a small blueprint of their own, so they prove the mechanism whatever the
course's stages hold; tests/test_learner_journey.py takes the real blueprint through the course.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import project

NOTES_MODEL = """\
# Notes
### BEGIN SOLUTION
We book rooms.
### END SOLUTION
### BEGIN STUB
# TODO: say what the service does.
### END STUB
"""
RULES_MODEL = '''\
def overlaps(a_start, a_end, b_start, b_end):
    """Whether two bookings overlap."""
    ### BEGIN SOLUTION 02.1
    return a_start < b_end and b_start < a_end
    ### END SOLUTION
'''


@pytest.fixture
def blueprint(tmp_path, monkeypatch) -> Path:
    """A course root whose blueprint has a base and two stages."""
    root = tmp_path / "course"
    files = {
        "project/base/README.md": "# Booking service\n",
        "project/base/src/booking_service/__init__.py": '__version__ = "0.1.0"\n',
        "project/stage_01/docs/notes.md": NOTES_MODEL,
        "project/stage_01/docs/plan.md": "# Plan\n### BEGIN SOLUTION\nShip it.\n### END SOLUTION\n",
        "project/stage_02/src/booking_service/rules.py": RULES_MODEL,
        "project/stage_02/tests/test_rules.py": "def test_nothing_yet():\n    assert True\n",
        "templates/plan.md": "# Plan\n\n(the company's template)\n",
        "project/blueprint.yaml": '"01":\n  docs/plan.md: {start: templates/plan.md}\n',
    }
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    monkeypatch.setenv("ONBOARD_COURSE_ROOT", str(root))
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(tmp_path / "workspace"))
    return root


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_day_one_is_the_base_and_stage_one_starting_files(blueprint):
    files = project.day_one()
    assert files["README.md"] == "# Booking service\n"
    assert files["docs/notes.md"] == "# Notes\nTODO: say what the service does.\n"
    assert files["docs/plan.md"] == "# Plan\n\n(the company's template)\n"
    assert "src/booking_service/rules.py" not in files


def test_the_model_keeps_solutions_without_markers_and_drops_stubs(blueprint):
    model = project.reference("02")
    assert model["docs/notes.md"] == "# Notes\nWe book rooms.\n"
    assert "BEGIN" not in "".join(model.values()) and "STUB" not in "".join(model.values())
    assert model["src/booking_service/rules.py"].endswith(
        "    return a_start < b_end and b_start < a_end\n"
    )


def test_a_python_start_raises_naming_the_exercise(blueprint):
    start = project.starting("02")["src/booking_service/rules.py"]
    assert 'raise NotImplementedError("Exercise 02.1: replace this line with your code")' in start
    assert "a_start < b_end" not in start


def test_create_makes_a_repository_with_one_commit_and_never_twice(blueprint):
    change = project.create()
    root = project.locate()
    assert sorted(change.written) == [
        "README.md",
        "docs/notes.md",
        "docs/plan.md",
        "src/booking_service/__init__.py",
    ]
    assert git(root, "log", "--format=%s").splitlines() == [
        "Day one: the project skeleton from the onboarding course"
    ]
    (root / "docs" / "notes.md").write_text("# Notes\nMine.\n")
    assert project.create().written == []
    assert (root / "docs" / "notes.md").read_text() == "# Notes\nMine.\n"


def test_begin_adds_the_starting_files_and_keeps_the_learners(blueprint):
    project.create()
    root = project.locate()
    (root / "tests").mkdir()
    (root / "tests" / "test_rules.py").write_text("def test_mine():\n    assert 1\n")
    change = project.begin("02")
    assert change.written == ["src/booking_service/rules.py"]
    assert change.kept == ["tests/test_rules.py"]
    assert (root / "tests" / "test_rules.py").read_text() == "def test_mine():\n    assert 1\n"
    assert git(root, "log", "-1", "--format=%s").strip() == "Stage 02: the course's starting files"
    assert project.begin("02").written == []


def test_adopt_keeps_the_learners_work_on_a_branch(blueprint):
    project.create()
    root = project.locate()
    (root / "docs" / "notes.md").write_text("# Notes\nMy own words, not committed yet.\n")
    (root / "scratch.txt").write_text("an experiment\n")
    change = project.adopt("02")
    assert (root / "docs" / "notes.md").read_text() == "# Notes\nWe book rooms.\n"
    assert not (root / "scratch.txt").exists()
    assert change.backup_branch.startswith("before-stage-02-")
    saved = git(root, "show", f"{change.backup_branch}:docs/notes.md")
    assert saved == "# Notes\nMy own words, not committed yet.\n"
    assert git(root, "show", f"{change.backup_branch}:scratch.txt") == "an experiment\n"
    assert git(root, "status", "--porcelain") == ""


def test_materialise_never_overwrites(blueprint, tmp_path):
    destination = tmp_path / "beside"
    written = project.materialise("01", destination)
    assert destination / "docs" / "notes.md" in written
    (destination / "docs" / "notes.md").write_text("mine\n")
    with pytest.raises(project.ProjectError, match="4 file\\(s\\) already exist"):
        project.materialise("02", destination)
    assert (destination / "docs" / "notes.md").read_text() == "mine\n"
    assert not (destination / "src" / "booking_service" / "rules.py").exists()


def test_a_missing_project_file_says_where_to_create_it(blueprint):
    from onboarding.checks import ArtefactError

    project.create()
    with pytest.raises(
        ArtefactError,
        match=r"tsd.md does not exist yet — create it in your "
        r"project folder, service/docs/ in your workspace",
    ):
        project.read("docs/tsd.md")


def test_checks_work_on_a_copy_that_leaves_the_project_untouched(blueprint):
    project.create()
    root = project.locate()
    head = git(root, "rev-parse", "HEAD")
    with project.copy_for_checking() as copy:
        assert not (copy / ".git").exists()
        (copy / "docs" / "notes.md").write_text("changed by a check\n")
        (copy / "cache.db").write_text("x")
    assert "changed" not in (root / "docs" / "notes.md").read_text()
    assert not (root / "cache.db").exists()
    assert git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""


def test_without_git_the_message_says_how_to_install_it(blueprint, monkeypatch):
    monkeypatch.setattr(project.shutil, "which", lambda name: None)
    with pytest.raises(project.ProjectError, match="git is not installed"):
        project.create()


def test_load_yaml_and_show_read_the_learners_file(tmp_path, capsys):
    workspace = tmp_path / "workspace"
    target = project.path("docs/criteria.yaml", workspace)
    target.parent.mkdir(parents=True)
    target.write_text("examples: []\n", encoding="utf-8")
    assert project.load_yaml("docs/criteria.yaml", workspace) == {"examples": []}
    project.show("docs/criteria.yaml", workspace)
    assert capsys.readouterr().out == "service/docs/criteria.yaml:\n\nexamples: []\n"
    project.show("docs/missing.md", workspace)
    assert capsys.readouterr().out == (
        "missing.md does not exist yet — create it in your project folder, service/docs/ in your "
        "workspace\n"
    )


# The company's CI template lints with `ruff check .` and `ruff format --check .`: the course's
# own model of the learner's project must pass both at every stage, with the project's own
# settings, or a learner who copies the template gets a red CI run for code they did not write.
@pytest.mark.parametrize("stage", project.stages())
@pytest.mark.parametrize("lint", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_the_model_project_passes_the_ci_templates_lint(stage, lint, tmp_path):
    project.write_files(tmp_path, project.reference(stage))
    ruff = Path(sys.executable).with_name("ruff")
    linted = subprocess.run(
        [str(ruff), *lint, "--no-cache", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
