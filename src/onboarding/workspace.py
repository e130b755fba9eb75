"""The learner's workspace: a git-ignored copy of `exercises/` that is theirs to edit.

The workspace remembers, in `.onboard/manifest.json`, the hash of every course file as it was
delivered. That is how `update` tells a file the learner edited from one they never touched, and
it follows nbgitpuller's rule: the learner's edits always win, nothing of theirs is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from onboarding import paths

STATE = Path(".onboard")
"""The course's own bookkeeping inside a workspace; the only place that names it."""
MANIFEST = STATE / "manifest.json"
LEDGER = STATE / "progress.db"
BACKUPS = STATE / "backups"
UPDATED_SUFFIX = ".course-update"


def ledger_path(workspace: Path) -> Path:
    """The SQLite file of the learner's progress (see `onboarding.progress`)."""
    return Path(workspace) / LEDGER


def locate() -> Path:
    """The learner's workspace: `$ONBOARD_WORKSPACE`, or `workspace/` in the course.

    The one way every command and the kernel hook find it.
    """
    return paths.workspace_dir()


def holds(workspace: Path, folder: Path) -> bool:
    """Whether `folder` (a kernel's working folder, say) lies inside the workspace."""
    try:
        Path(folder).resolve().relative_to(Path(workspace).resolve())
    except ValueError:
        return False
    return is_workspace(workspace)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_files(exercises_dir: Path) -> dict[str, Path]:
    """Every exercise notebook the course delivers into a workspace, by name.

    Only notebooks: files a notebook writes while it runs (rooms.yaml…) are the learner's own.
    """
    return {path.name: path for path in sorted(exercises_dir.glob("*.ipynb"))}


def read_manifest(workspace: Path) -> dict[str, str]:
    path = workspace / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["delivered"]


def write_manifest(workspace: Path, delivered: dict[str, str]) -> None:
    path = workspace / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "about": "Course files as delivered; `onboard update` compares against these.",
        "delivered": dict(sorted(delivered.items())),
    }
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")


def is_workspace(workspace: Path) -> bool:
    return (workspace / MANIFEST).is_file()


@dataclass
class Report:
    """What a workspace operation did, file by file, for telling the learner."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_with_update_beside: list[tuple[str, str]] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    left_deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backed_up: list[tuple[str, str]] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    """Exercises put back as the course ships them, at the learner's request (`reset`)."""

    def lines(self) -> list[str]:
        out = [f"new: {name}" for name in self.created]
        out += [f"updated (you had not edited it): {name}" for name in self.updated]
        out += [
            f"kept your edits in {name}; the course's new version is beside it as {beside}"
            for name, beside in self.kept_with_update_beside
        ]
        out += [
            f"restored (you had deleted it, and the course changed it): {n}" for n in self.restored
        ]
        out += [
            f"still deleted, as you left it (`onboard reset {Path(n).stem}` brings it back): {n}"
            for n in self.left_deleted
        ]
        out += [f"backed up {name} to {backup}" for name, backup in self.backed_up]
        out += [f"a fresh copy of {name}, as the course ships it" for name in self.fresh]
        return out


def create(workspace: Path, exercises_dir: Path) -> Report:
    """Copy the course's exercises into a new or partial workspace; never overwrite a file."""
    report = Report()
    delivered = read_manifest(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    for name, source in course_files(exercises_dir).items():
        target = workspace / name
        if name in delivered:
            continue  # delivered before: whatever is there now (or not) is the learner's
        if target.exists():
            # A learner's own file of the same name: leave it, deliver the course copy beside it.
            beside = _beside_name(target, source)
            shutil.copy2(source, beside)
            report.kept_with_update_beside.append((name, beside.relative_to(workspace).as_posix()))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            report.created.append(name)
        delivered[name] = digest(source)
    write_manifest(workspace, delivered)
    return report


def update(workspace: Path, exercises_dir: Path) -> Report:
    """Bring new and changed course files into the workspace without losing a learner's edit.

    - new in the course: copied in (if the learner has a file of that name, it is kept and the
      course's file is saved beside it);
    - changed in the course, unedited by the learner: replaced;
    - changed in the course, edited by the learner: the learner's file is kept and the course's new
      version is saved beside it;
    - deleted by the learner: restored only if the course changed it since, else left deleted.
    """
    if not is_workspace(workspace):
        return create(workspace, exercises_dir)
    report = Report()
    delivered = read_manifest(workspace)
    for name, source in course_files(exercises_dir).items():
        target = workspace / name
        new_digest = digest(source)
        if name not in delivered:
            if target.exists():
                beside = _beside_name(target, source)
                shutil.copy2(source, beside)
                report.kept_with_update_beside.append(
                    (name, beside.relative_to(workspace).as_posix())
                )
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                report.created.append(name)
        elif new_digest == delivered[name]:
            if target.exists():
                report.unchanged.append(name)
            else:
                report.left_deleted.append(name)
            continue
        elif not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            report.restored.append(name)
        elif digest(target) == delivered[name]:
            shutil.copy2(source, target)
            report.updated.append(name)
        else:
            beside = _beside_name(target, source)
            shutil.copy2(source, beside)
            report.kept_with_update_beside.append((name, beside.relative_to(workspace).as_posix()))
        delivered[name] = new_digest
    write_manifest(workspace, delivered)
    return report


def reset(workspace: Path, exercises_dir: Path, name: str) -> Report:
    """Back up the learner's copy with a timestamp, then put the fresh exercise in its place."""
    report = Report()
    files = course_files(exercises_dir)
    if name not in files:
        raise KeyError(name)
    target = workspace / name
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = workspace / BACKUPS / f"{target.stem}-{stamp}{target.suffix}"
        counter = 1
        while backup.exists():
            counter += 1
            backup = workspace / BACKUPS / f"{target.stem}-{stamp}-{counter}{target.suffix}"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, backup)
        report.backed_up.append((name, backup.relative_to(workspace).as_posix()))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(files[name], target)
    delivered = read_manifest(workspace)
    delivered[name] = digest(files[name])
    write_manifest(workspace, delivered)
    report.fresh.append(name)
    return report


def _beside_name(target: Path, source: Path) -> Path:
    """`03_data.ipynb` -> `03_data.course-update.ipynb`, numbered if that name holds anything else.

    An existing file there is only reused when it already holds exactly this course version.
    """
    candidate = target.with_name(f"{target.stem}{UPDATED_SUFFIX}{target.suffix}")
    counter = 1
    while candidate.exists() and digest(candidate) != digest(source):
        counter += 1
        candidate = target.with_name(f"{target.stem}{UPDATED_SUFFIX}-{counter}{target.suffix}")
    return candidate


def resolve_exercise(name: str, exercises_dir: Path) -> str:
    """Accept `00`, `00_welcome` or `00_welcome.ipynb`; return the notebook's file name."""
    candidates = sorted(p.name for p in exercises_dir.glob("[0-9][0-9]_*.ipynb"))
    wanted = Path(name).name
    for candidate in candidates:
        if wanted in (candidate, Path(candidate).stem, candidate[:2]):
            return candidate
    raise KeyError(f"no exercise called {name!r}; there are: {', '.join(candidates)}")
