"""The learner's own project: `workspace/service/`, one service built through every stage.

`onboard start` creates it as a git repository holding what a team has on day one. Each stage
adds the course's starting files for that stage (never over the learner's), the learner writes
the rest, and the checks judge the files in the project.

What the project holds at each stage has one source, the blueprint in the course's `project/`
folder:

- `project/base/`: day one (pyproject.toml, README, an empty package, one test);
- `project/stage_NN/`: the files of stage NN as the model answer has them. A file may mark what
  the learner writes with solution regions (`### BEGIN SOLUTION 04.1` … `### END SOLUTION`, in the
  file's comment syntax, the same markers as the solution notebooks). The learner starts from the
  file with those regions stubbed; the model answer keeps them;
- `project/blueprint.yaml`: where a file's start or model comes from another course file
  instead (the PRD starts as the company's template, say).

From these the course builds any stage's project when it is needed (`reference`, `starting`),
for `onboard checkpoint`, for the tests that take a learner through the course, and for grading
solutions; nothing generated is committed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from onboarding import course, generator, paths, protocol, pytest_runs, workspace

FOLDER = "service"
"""The project's folder inside the learner's workspace."""
STAGE_FOLDER = re.compile(r"^stage_(?P<number>\d\d)$")
IGNORED = ("__pycache__", ".pytest_cache", ".DS_Store", ".ruff_cache")
COMMITTER = ("Onboarding course", "onboarding-course@localhost")
"""Who the course's own commits are by, when the learner has not told git who they are."""


class ProjectError(Exception):
    """The project cannot be read or changed as asked; the message says what to do."""


# ---------------------------------------------------------------------------------- locations
def locate(workspace_path: Path | None = None) -> Path:
    """The learner's project: `service/` in their workspace."""
    return Path(workspace_path or workspace.locate()) / FOLDER


def blueprint_dir() -> Path:
    return paths.course_root() / "project"


# ---------------------------------------------------------------------------------- blueprint
@dataclass(frozen=True)
class BlueprintFile:
    """One file of the project as a stage leaves it: how the learner starts it, and the model."""

    path: str
    model: str
    start: str
    exercise_stage: str

    @property
    def is_learners(self) -> bool:
        """Whether the learner writes (part of) it, rather than receiving it as it is."""
        return self.start != self.model


def stages() -> list[str]:
    """The stages whose blueprint adds files, in order ("01", "02", …)."""
    found = []
    for entry in blueprint_dir().iterdir():
        match = STAGE_FOLDER.match(entry.name)
        if match and entry.is_dir():
            found.append(match["number"])
    return sorted(found)


def _overrides() -> dict[str, dict[str, dict[str, str]]]:
    import yaml

    path = blueprint_dir() / "blueprint.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _files_below(folder: Path) -> dict[str, Path]:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part in IGNORED for part in path.parts):
            if path.suffix == ".pyc":
                continue
            files[path.relative_to(folder).as_posix()] = path
    return files


def stage_blueprint(stage: str) -> list[BlueprintFile]:
    """Every file stage `stage` adds or changes, with how it starts and how it ends."""
    stage = f"{int(stage):02d}"
    folder = blueprint_dir() / f"stage_{stage}"
    overrides = _overrides().get(stage, {}) or {}
    sources = _files_below(folder) if folder.is_dir() else {}
    for relative, override in overrides.items():
        if "model" in override and relative not in sources:
            sources[relative] = paths.course_root() / override["model"]
    files = []
    for relative, source in sorted(sources.items()):
        override = overrides.get(relative, {}) or {}
        model_source = paths.course_root() / override["model"] if "model" in override else source
        text = model_source.read_text(encoding="utf-8")
        where = f"{model_source.relative_to(paths.course_root()).as_posix()}"
        model = generator.model_of(text, where)
        if "start" in override:
            start = (paths.course_root() / override["start"]).read_text(encoding="utf-8")
        else:
            artefact = not relative.endswith(".py")
            start = generator.stub_for(text, None, where, artefact=artefact)
        files.append(BlueprintFile(relative, model, start, stage))
    return files


def day_one() -> dict[str, str]:
    """The project as `onboard start` creates it: the base, and stage 01's starting files."""
    files = {relative: path.read_text(encoding="utf-8") for relative, path in _base().items()}
    # Stage 01's, not the first stage the blueprint has: a later stage's files (and tests) wait
    # for that stage to begin.
    files.update(starting("01") if "01" in stages() else {})
    return files


def _base() -> dict[str, Path]:
    return _files_below(blueprint_dir() / "base")


def starting(stage: str) -> dict[str, str]:
    """The files the course hands out when stage `stage` begins (the learner's parts stubbed)."""
    return {entry.path: entry.start for entry in stage_blueprint(stage)}


def reference(stage: str) -> dict[str, str]:
    """The model project at the end of stage `stage`: day one, then each stage's model files."""
    files = {relative: path.read_text(encoding="utf-8") for relative, path in _base().items()}
    for number in stages():
        if int(number) > int(stage):
            break
        files.update({entry.path: entry.model for entry in stage_blueprint(number)})
    return dict(sorted(files.items()))


def before(stage: str) -> dict[str, str]:
    """What a learner on time has when stage `stage` begins: the stage before, plus its start."""
    previous = [number for number in stages() if int(number) < int(stage)]
    files = reference(previous[-1]) if previous else dict(day_one())
    files.update(starting(stage))
    return dict(sorted(files.items()))


def path(relative: str, workspace_path: Path | None = None) -> Path:
    """A file of the learner's project, by its path in the project (`docs/prd.md`)."""
    return locate(workspace_path).joinpath(*PurePosixPath(relative).parts)


def read(relative: str, workspace_path: Path | None = None) -> str:
    """The text of a project file; a missing one says where to create it (ArtefactError)."""
    from onboarding.checks import read_artefact

    folder = PurePosixPath(FOLDER, relative).parent.as_posix()
    return read_artefact(
        path(relative, workspace_path),
        how_to_create=f"create it in your project folder, {folder}/ in your workspace",
    )


def load_yaml(relative: str, workspace_path: Path | None = None) -> object:
    """A YAML file of the project, parsed; a missing or malformed one is an ArtefactError."""
    from onboarding.checks import parse_yaml

    return parse_yaml(read(relative, workspace_path), PurePosixPath(relative).name)


def show(relative: str, workspace_path: Path | None = None) -> None:
    """Print a project file as it is now, for a notebook cell that lets the learner look at it.

    A file that cannot be read is one line saying why, never a traceback.
    """
    from onboarding.checks import ArtefactError

    try:
        text = read(relative, workspace_path)
    except ArtefactError as error:
        print(error)
        return
    print(f"{FOLDER}/{relative}:\n")
    print(text.rstrip("\n"))


@contextlib.contextmanager
def copy_for_checking(workspace_path: Path | None = None) -> Iterator[Path]:
    """A throwaway copy of the project (without .git) for checks that run or build things.

    Whatever the checks run (pytest, Alembic, a server) writes caches and databases into the
    copy, so the learner's files and history are never touched.
    """
    root = locate(workspace_path)
    if not root.is_dir():
        raise ProjectError(
            f"there is no project in {FOLDER}/ yet: run `onboard start` to create it"
        )
    with tempfile.TemporaryDirectory(prefix="onboard-project-") as folder:
        copy = Path(folder) / FOLDER
        shutil.copytree(
            root, copy, ignore=shutil.ignore_patterns(".git", *IGNORED, "*.pyc"), symlinks=True
        )
        yield copy


# ------------------------------------------------------------------------------------ writing
@dataclass
class Change:
    """What an operation on the project did, for telling the learner."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Files the course would have written but the learner already has: left as they are."""
    commit: str | None = None
    backup_branch: str | None = None

    def lines(self) -> list[str]:
        out = [f"added {name}" for name in self.written]
        out += [f"kept yours: {name}" for name in self.kept]
        if self.backup_branch:
            out.append(f"your previous work is on the branch {self.backup_branch}")
        if self.commit:
            out.append(f"committed {self.commit[:10]}")
        return out


def write_files(root: Path, files: Mapping[str, str], overwrite: bool = False) -> Change:
    """Write files under `root`; without `overwrite`, an existing file is kept and reported."""
    change = Change()
    for relative, text in files.items():
        target = root.joinpath(*PurePosixPath(relative).parts)
        if target.exists() and not overwrite:
            if target.read_text(encoding="utf-8", errors="replace") != text:
                change.kept.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        change.written.append(relative)
    return change


def create(workspace_path: Path | None = None) -> Change:
    """Create the learner's project on day one, as a git repository with a first commit.

    Does nothing to a project that already exists.
    """
    root = locate(workspace_path)
    if root.exists() and any(root.iterdir()):
        return Change()
    root.mkdir(parents=True, exist_ok=True)
    change = write_files(root, day_one())
    git = Git(root)
    git.init()
    change.commit = git.commit_all("Day one: the project skeleton from the onboarding course")
    return change


def begin(stage: str, workspace_path: Path | None = None) -> Change:
    """Add the course's starting files for `stage`, never over a file the learner has.

    What is added is committed, so the learner's own changes stay easy to see with `git diff`.
    While `onboard check` grades (a notebook's first cell calls this), nothing is added: the
    grader judges the project as the learner left it, and changes none of it.
    """
    _start_test_workers(stage)
    if os.environ.get(protocol.GRADING_VARIABLE):
        return Change()
    root = locate(workspace_path)
    if not root.exists():
        create(workspace_path)
    change = write_files(root, starting(stage))
    if change.written and (root / ".git").exists():
        change.commit = Git(root).commit_paths(
            change.written, f"Stage {int(stage):02d}: the course's starting files"
        )
    return change


def _start_test_workers(stage: str) -> None:
    """In a kernel, for a stage whose checks run pytest: start the warm workers now.

    Grading too: the workers start while the kernel imports the stage, not at the first check.
    """
    entry = next((entry for entry in course.STAGES if entry.number == stage), None)
    if entry is not None and entry.runs_pytest and pytest_runs.in_a_kernel():
        pytest_runs.Worker.prewarm()


def adopt(stage: str, workspace_path: Path | None = None) -> Change:
    """Replace the project with the course's model project at the end of `stage`.

    Nothing is lost: the learner's project is committed as it is (uncommitted edits included) on
    a branch `before-stage-NN-<time>`, then the model replaces the files of the working tree in a
    new commit on the current branch.
    """
    root = locate(workspace_path)
    if not root.exists():
        create(workspace_path)
    git = Git(root)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    branch = f"before-stage-{int(stage):02d}-{stamp}"
    git.commit_all(f"Work in progress, saved before adopting the course's stage {stage} project")
    git.run("branch", branch)
    for tracked in git.tracked_files():
        (root / tracked).unlink(missing_ok=True)
    change = write_files(root, reference(stage), overwrite=True)
    change.backup_branch = branch
    change.commit = git.commit_all(f"Adopt the course's project at the end of stage {stage}")
    return change


def prepare(stage: str, workspace_path: Path, solved: bool) -> Path:
    """A learner's project for running stage `stage`'s notebooks: solved, or just begun.

    For the course's own runs (tests, authors, benchmarks): the project a learner who did
    every stage before has, with the stage's model answer (`solved`) or its starting files.
    """
    root = locate(workspace_path)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    write_files(root, reference(stage) if solved else before(stage))
    git = Git(root)
    git.init()
    git.commit_all(f"The course's project for stage {stage}, {'solved' if solved else 'begun'}")
    return root


def stage_of_notebook(name: str) -> str:
    """'04_implementation.ipynb' -> '04'."""
    return Path(name).name[:2]


def materialise(stage: str, destination: Path) -> list[Path]:
    """Write the model project of `stage` into `destination`, a folder that must hold none of it.

    Never overwrites: if any file would clash, nothing is written and the clashes are listed.
    """
    files = reference(stage)
    clashes = [destination / relative for relative in files if (destination / relative).exists()]
    if clashes:
        listing = "\n".join(f"  {path}" for path in clashes[:20])
        raise ProjectError(
            f"{len(clashes)} file(s) already exist in {destination} and would be overwritten; "
            f"nothing was written. Move them away or choose another folder:\n{listing}"
        )
    write_files(destination, files)
    return [destination / relative for relative in files]


# ----------------------------------------------------------------------------------------- git
class Git:
    """The few git commands the course runs in the learner's repository."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def run(self, *arguments: str) -> str:
        if shutil.which("git") is None:
            raise ProjectError(
                "git is not installed. The project is a git repository; install git "
                "(Debian/Ubuntu: apt-get install git) and run the command again."
            )
        run = subprocess.run(
            ["git", *arguments],
            cwd=self.root,
            capture_output=True,
            text=True,
            env={**os.environ, **self._identity()},
        )
        if run.returncode != 0:
            raise ProjectError(f"git {' '.join(arguments)} failed: {run.stderr.strip()}")
        return run.stdout

    def _identity(self) -> dict[str, str]:
        """The learner's own name when git knows it; the course's otherwise."""
        probe = subprocess.run(
            ["git", "config", "user.email"], cwd=self.root, capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip():
            return {}
        name, email = COMMITTER
        return {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }

    def init(self) -> None:
        if not (self.root / ".git").exists():
            self.run("init", "--quiet", "--initial-branch=main")

    def tracked_files(self) -> list[str]:
        return [line for line in self.run("ls-files", "-z").split("\0") if line]

    def commit_all(self, message: str) -> str | None:
        self.run("add", "--all")
        return self._commit(message)

    def commit_paths(self, relatives: Iterable[str], message: str) -> str | None:
        self.run("add", "--", *relatives)
        return self._commit(message)

    def _commit(self, message: str) -> str | None:
        if not self.run("diff", "--cached", "--name-only").strip():
            return None
        self.run("commit", "--quiet", "--no-verify", "-m", message)
        return self.run("rev-parse", "HEAD").strip()

    def head(self) -> str:
        return self.run("rev-parse", "HEAD").strip()
